//! LIVE: a built site as `serve` holds it. The model and templates are kept;
//! every file is named, but pages, feeds and exports are rendered only when a
//! request asks for one, then kept for the life of this state. Template pages
//! also go into the session's `Memo` under the hash of their inputs, so the
//! next state reuses those whose inputs did not change.
//!
//! Every file a `Live` gives is byte for byte the file `build` writes for the
//! same source: the same renderer makes both, asked for one file or for all.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use bytes::Bytes;

use crate::config::Config;
use crate::diag::Diagnostics;
use crate::output::{Output, Sink};
use crate::render::cache::SearchBundle;
use crate::render::{self, Memo, Templates, Want};
use crate::site::Site;

/// How many of the pages served last are rendered again after a change, to
/// find which of them changed (live reload).
pub const RECHECKED: usize = 256;

/// A clock for the order in which files are served.
fn tick() -> u64 {
    static CLOCK: AtomicU64 = AtomicU64::new(0);
    CLOCK.fetch_add(1, Ordering::Relaxed)
}

/// What the build's stages made: the files (for a plan, pages named and
/// empty), the model and the templates.
pub struct Made {
    /// Every file put into the sink.
    pub output: Output,
    /// The files put as pages (made by the renderer).
    pub on_request: HashSet<String>,
    /// Articles held back until their date (see `site::hold_back`).
    pub scheduled: Vec<(String, jiff::civil::Date)>,
    /// Warnings met on the way, sorted.
    pub warnings: Diagnostics,
    /// Articles built.
    pub articles: usize,
    /// HTML pages.
    pub pages: usize,
    /// Every article's links with their lines (none for a build into a folder).
    pub links: Vec<crate::links::PageLinks>,
    /// The model.
    pub site: Site,
    /// The templates.
    pub templates: Templates,
}

/// A site ready to serve.
pub struct Live {
    site: Site,
    templates: Arc<Templates>,
    /// Every file: those made on request empty, the others (assets, copied
    /// files, redirects, the sitemap) with their bytes.
    files: Arc<Output>,
    /// The files made on request.
    on_request: Arc<HashSet<String>>,
    /// A hash of every input but the articles' text (see `pipeline::rebuild`).
    pub(crate) frame: u64,
    /// Files made on request in this state, with when they were last served.
    made: Mutex<HashMap<String, (Bytes, u64)>>,
    /// Template pages of the session.
    memo: Arc<Memo>,
    /// The search bundle, made when first asked for.
    search: OnceLock<SearchBundle>,
    /// Warnings met on the way, sorted.
    pub warnings: Diagnostics,
    /// Articles built.
    pub articles: usize,
    /// HTML pages the site has.
    pub pages: usize,
    /// Whether this state updated the previous one's model in place
    /// (`Site::with_replaced`) rather than modelling the site whole.
    pub updated: bool,
}

impl Live {
    pub(crate) fn new(made: Made, memo: Arc<Memo>, frame: u64, updated: bool) -> Live {
        // Pages no longer published are forgotten.
        memo.retain(|file| made.on_request.contains(file));
        Live {
            site: made.site,
            templates: Arc::new(made.templates),
            files: Arc::new(made.output),
            on_request: Arc::new(made.on_request),
            frame,
            made: Mutex::default(),
            memo,
            search: OnceLock::new(),
            warnings: made.warnings,
            articles: made.articles,
            pages: made.pages,
            updated,
        }
    }

    /// This site with another model of the same shape (`Site::with_replaced`):
    /// the same files, made from the new model on request.
    pub(crate) fn with_site(&self, site: Site, warnings: Diagnostics) -> Live {
        Live {
            site,
            templates: Arc::clone(&self.templates),
            files: Arc::clone(&self.files),
            on_request: Arc::clone(&self.on_request),
            frame: self.frame,
            made: Mutex::default(),
            memo: Arc::clone(&self.memo),
            search: OnceLock::new(),
            warnings,
            articles: self.articles,
            pages: self.pages,
            updated: true,
        }
    }

    /// The model served.
    pub(crate) fn site(&self) -> &Site {
        &self.site
    }

    /// The configuration the site was built with.
    pub fn config(&self) -> &Config {
        &self.site.config
    }

    /// Every output path, in order (with the search bundle's, made now).
    pub fn paths(&self) -> Vec<String> {
        let mut paths: Vec<String> = self.files.iter().map(|(p, _)| p.to_string()).collect();
        if let Some(Ok(bundle)) = self.config().search.then(|| self.search()) {
            paths.extend(
                bundle
                    .keys()
                    .map(|name| format!("{}{name}", crate::render::search::BUNDLE_DIR)),
            );
            paths.sort();
        }
        paths
    }

    /// Whether the site has a file at this output path.
    pub fn contains(&self, file: &str) -> bool {
        match self.bundle_name(file) {
            Some(name) => self.search().is_ok_and(|b| b.contains_key(name)),
            None => self.files.contains(file),
        }
    }

    /// The search bundle of this state: the session's last one when the
    /// records are the same, else made now (the first time it is asked for).
    pub fn search(&self) -> SearchBundle {
        self.search
            .get_or_init(|| self.memo.search_bundle(&self.site))
            .clone()
    }

    /// Whether this state has made its search bundle yet.
    pub fn search_made(&self) -> bool {
        self.search.get().is_some()
    }

    /// The name in the search bundle of an output path under its folder,
    /// when the site has search.
    fn bundle_name<'f>(&self, file: &'f str) -> Option<&'f str> {
        if !self.config().search {
            return None;
        }
        let name = file.strip_prefix(crate::render::search::BUNDLE_DIR)?;
        self.memo.search_asked.store(true, Ordering::Relaxed);
        Some(name)
    }

    /// The file at an output path (`articles/x/index.html`, `deals.json`),
    /// rendered now if it is made on request; `Ok(None)` when the site has
    /// no such file; the template's errors when it cannot be rendered.
    pub fn get(&self, file: &str) -> Result<Option<Bytes>, Diagnostics> {
        if let Some(name) = self.bundle_name(file) {
            return Ok(self.search()?.get(name).cloned());
        }
        if let Some(picture) = self.site.media.of_variant(file) {
            return self.variant(picture, file).map(Some);
        }
        if !self.on_request.contains(file) {
            return Ok(self.files.shared(file));
        }
        if let Some((bytes, served)) = self.lock().get_mut(file) {
            *served = tick();
            return Ok(Some(bytes.clone()));
        }
        let mut made = self.render(&HashSet::from([file.to_string()]))?;
        Ok(made.remove(file))
    }

    /// Renders these files (those made on request; the others are ignored)
    /// in one pass, and keeps them.
    pub fn render(&self, files: &HashSet<String>) -> Result<HashMap<String, Bytes>, Diagnostics> {
        let sink = Sink::memory();
        render::render_site(
            &self.site,
            &self.templates,
            Want::Only(files),
            Some(&self.memo),
            &sink,
        )?;
        let made: HashMap<String, Bytes> = sink.into_output().into_files().collect();
        let mut kept = self.lock();
        let now = tick();
        for (path, bytes) in &made {
            kept.insert(path.clone(), (bytes.clone(), now));
        }
        Ok(made)
    }

    /// Every file, as `build` writes it (all pages rendered now); or, as
    /// `build` reports them, the errors with the warnings.
    pub fn output(&self) -> Result<Output, Diagnostics> {
        let made = self.render(&self.on_request).map_err(|errors| {
            let mut all = self.warnings.clone();
            all.extend(errors);
            all.sorted()
        })?;
        let mut output = Output::clone(&self.files);
        for (path, page) in made {
            output.insert(path, page);
        }
        for picture in self.site.media.pictures() {
            for v in &picture.variants {
                let bytes = self.variant(picture, &v.path).map_err(|errors| {
                    let mut all = self.warnings.clone();
                    all.extend(errors);
                    all.sorted()
                })?;
                output.insert(v.path.clone(), bytes);
            }
        }
        if self.config().search {
            let bundle = self.search().map_err(|errors| {
                let mut all = self.warnings.clone();
                all.extend(errors);
                all.sorted()
            })?;
            for (name, bytes) in bundle.iter() {
                output.insert(
                    format!("{}{name}", crate::render::search::BUNDLE_DIR),
                    bytes.clone(),
                );
            }
        }
        Ok(output)
    }

    /// The files that differ from `older`'s, for live reload, sorted: every
    /// file added or removed, every file not made on request whose bytes
    /// changed, and every file `older` made on request (the pages browsers
    /// were given; the `RECHECKED` last served, when more) that renders
    /// differently now. Those are rendered and kept, so the reloads that
    /// follow are answered at once.
    pub fn changed_since(&self, older: &Live) -> Result<Vec<String>, Diagnostics> {
        let mut changed = if Arc::ptr_eq(&older.files, &self.files) {
            Vec::new()
        } else {
            older.files.changed_paths(&self.files)
        };
        let mut shown: Vec<(String, (Bytes, u64))> = older
            .lock()
            .iter()
            .filter(|(f, _)| self.on_request.contains(*f))
            .map(|(f, made)| (f.clone(), made.clone()))
            .collect();
        // The pages browsers are most likely still showing: a session that
        // has browsed the whole site does not render it all at every save.
        shown.sort_by_key(|(_, (_, served))| std::cmp::Reverse(*served));
        shown.truncate(RECHECKED);
        if shown.is_empty() {
            return Ok(changed);
        }
        let wanted: HashSet<String> = shown.iter().map(|(f, _)| f.clone()).collect();
        let now = self.render(&wanted)?;
        let mut kept = self.lock();
        for (file, (before, served)) in shown {
            let Some(after) = now.get(&file) else {
                continue;
            };
            if *after != before {
                changed.push(file.clone());
            }
            // Each page keeps its place in the order of what was last served.
            if let Some(entry) = kept.get_mut(&file) {
                entry.1 = served;
            }
        }
        drop(kept);
        changed.sort();
        changed.dedup();
        Ok(changed)
    }

    /// Renders every file and keeps none, to find the errors of pages no one
    /// asked for (a template that fails on one article only). Stops early,
    /// with no error, once `stop` is set.
    pub fn check(&self, stop: &AtomicBool) -> Result<(), Diagnostics> {
        let sink = Sink::paths();
        render::render_site_until(&self.site, &self.templates, Want::All, None, &sink, stop)?;
        // Once a search page has asked for the search bundle in this
        // session, it is made now, while the editor pauses, so that the
        // search page finds it ready. Until then it costs nothing.
        if self.config().search
            && self.memo.search_asked.load(Ordering::Relaxed)
            && !stop.load(Ordering::Relaxed)
        {
            self.search()?;
        }
        Ok(())
    }

    /// An image variant, made with every variant of its picture the first
    /// time one is asked for (`serve` processes an image on request).
    fn variant(&self, picture: &crate::media::Picture, file: &str) -> Result<Bytes, Diagnostics> {
        if let Some((bytes, served)) = self.lock().get_mut(file) {
            *served = tick();
            return Ok(bytes.clone());
        }
        let made = self.site.media.make(picture)?;
        let mut kept = self.lock();
        let now = tick();
        let mut found = Bytes::new();
        for (v, bytes) in picture.variants.iter().zip(made) {
            if v.path == file {
                found = bytes.clone();
            }
            kept.insert(v.path.clone(), (bytes, now));
        }
        Ok(found)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Bytes, u64)>> {
        self.made.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl std::fmt::Debug for Live {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Live")
            .field("files", &self.files.len())
            .field("articles", &self.articles)
            .finish()
    }
}
