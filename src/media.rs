//! MEDIA: the images articles show, published responsive.
//!
//! Input: the files the build copies (`Copied`: the theme's statics, the
//! site's `static/`, content files) and the site model. `collect` finds every
//! image an article shows — Markdown images, raw `<img>`, `figure` embeds,
//! the lead image (`image:`) — reads each image file once, checks it
//! (`images::probe`: its kind matches its name, it is within the budget, it
//! can be read) and names its variants (`images::plan`): a `Picture`, known
//! before any pixel is decoded, so pages can name the variants whatever the
//! order of the work. `process` then makes the variants, in parallel, one
//! image per worker within `IMAGE_MEMORY`, through the cache in
//! `.dealwire-cache/` (keyed on the source bytes and the settings the
//! processing reads) into the sink; a build runs it before the render, so
//! that the images' buffers and the render's never add up.
//!
//! Naming: the variants of `articles/x/photo.jpg` are
//! `articles/x/photo-480w.webp`, `photo-480w.jpg`, …; the widest variant
//! in the source's own format takes the original's path, so a link to the
//! original still works and publishes no metadata and no full-size photo.
//! An image that is not processed (SVG, GIF, a file outside the site) is
//! published as it is and shown with a plain `<img>`.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use bytes::Bytes;
use rayon::prelude::*;

use crate::diag::{Diagnostic, Diagnostics};
use crate::images::{self, Kind, OutFormat, Settings};
use crate::output::Sink;
use crate::source::SourceFile;

/// Where a copied file's bytes are.
#[derive(Clone, Debug)]
pub enum CopiedBytes<'s> {
    /// A file of the site (possibly not read yet).
    Source(&'s SourceFile),
    /// A file of the theme, in memory.
    Theme(Bytes),
}

/// A file the build copies: where it comes from and its output paths.
#[derive(Clone, Debug)]
pub struct Copied<'s> {
    /// Its source path (`content/articles/x/photo.jpg`, `themes/NAME/static/…`).
    pub origin: String,
    /// Its bytes.
    pub bytes: CopiedBytes<'s>,
    /// Where it is published.
    pub targets: Vec<String>,
}

impl Copied<'_> {
    /// The bytes, read now if the source left them unread.
    pub fn read(&self) -> Result<Bytes, Diagnostic> {
        match &self.bytes {
            CopiedBytes::Source(f) => f.bytes_now(),
            CopiedBytes::Theme(b) => Ok(b.clone()),
        }
    }
}

/// One variant of a picture, as published.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Published {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Its format.
    pub format: OutFormat,
    /// Its output path.
    pub path: String,
}

/// An image published responsive.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Picture {
    /// The source file (`content/articles/x/photo.jpg`).
    pub source: String,
    /// The original's output path (`articles/x/photo.jpg`).
    pub output: String,
    /// Its variants, by width, modern formats before the fallback.
    pub variants: Vec<Published>,
    /// The cache key of the source's bytes as they were read to plan it: a
    /// build whose cache holds the variants reads the source only once.
    pub key: images::Key,
    /// About how much memory making its variants takes (`images::working_set`).
    pub working_set: u64,
}

impl Picture {
    /// Whether a variant is published at the original's path (else the
    /// original is copied as it is, without its metadata).
    pub fn replaces_original(&self) -> bool {
        self.variants.iter().any(|v| v.path == self.output)
    }

    /// The variants in one format, narrowest first.
    pub fn in_format(&self, format: OutFormat) -> impl Iterator<Item = &Published> + '_ {
        self.variants.iter().filter(move |v| v.format == format)
    }

    /// The fallback format (JPEG or PNG): the format of the last variant.
    pub fn fallback(&self) -> Option<OutFormat> {
        self.variants.last().map(|v| v.format)
    }

    /// The widest fallback variant (its width and height go on the `<img>`).
    pub fn widest(&self) -> Option<&Published> {
        self.variants.last()
    }

    /// The fallback variant closest to `width` from below (else the
    /// narrowest): one file for a feed, a card or `og:image`.
    pub fn near(&self, width: u32) -> Option<&Published> {
        let format = self.fallback()?;
        let mut fitting = self.in_format(format).filter(|v| v.width <= width).last();
        if fitting.is_none() {
            fitting = self.in_format(format).next();
        }
        fitting
    }
}

/// Every picture of the site, by the output path of its original.
#[derive(Clone, Debug, Default)]
pub struct Media {
    /// The site root, where `serve` reads a source when a variant is asked for.
    pub root: std::path::PathBuf,
    pictures: HashMap<String, Arc<Picture>>,
    /// Each variant's output path → the original's.
    variants: HashMap<String, String>,
    /// The settings they were planned with.
    pub settings: Settings,
}

impl Media {
    /// No picture yet, for a site at `root` with these settings.
    pub fn new(root: &std::path::Path, settings: Settings) -> Media {
        Media {
            root: root.to_path_buf(),
            settings,
            ..Media::default()
        }
    }

    /// Adds a picture.
    pub fn insert(&mut self, p: Picture) {
        for v in &p.variants {
            self.variants.insert(v.path.clone(), p.output.clone());
        }
        self.pictures.insert(p.output.clone(), Arc::new(p));
    }
    /// The bytes of the variant at `path` (`serve`: made when first asked
    /// for, through the cache; every variant of its source is returned, in
    /// the picture's order, for the caller to keep).
    pub fn make(&self, picture: &Picture) -> Result<Vec<Bytes>, Diagnostics> {
        let mut diags = Diagnostics::new();
        let read = || {
            std::fs::read(self.root.join(&picture.source))
                .map(Bytes::from)
                .map_err(|e| Diagnostic::error(&picture.source, format!("cannot read: {e}")))
        };
        let cache = images::Cache::open(&self.root);
        let made = made_from(
            picture,
            read,
            &self.settings,
            Some(&cache),
            None,
            false,
            &mut diags,
        )
        .and_then(|made| {
            made.into_iter()
                .map(|m| {
                    m.bytes()
                        .map_err(|e| Diagnostic::error(&picture.source, e.to_string()))
                })
                .collect()
        });
        made.map_err(|d| {
            diags.push(d);
            diags
        })
    }

    /// The picture whose original is published at `output`.
    pub fn get(&self, output: &str) -> Option<&Picture> {
        self.pictures.get(output).map(|p| &**p)
    }

    /// The picture a variant at `path` belongs to.
    pub fn of_variant(&self, path: &str) -> Option<&Picture> {
        self.get(self.variants.get(path)?)
    }

    /// Every picture, in no order.
    pub fn pictures(&self) -> impl Iterator<Item = &Picture> + '_ {
        self.pictures.values().map(|p| &**p)
    }
}

/// The kind of image a file name promises, when it is one dealwire processes.
pub fn named_kind(path: &str) -> Option<Kind> {
    let ext = path.rsplit_once('.')?.1.to_ascii_lowercase();
    match ext.as_str() {
        "jpg" | "jpeg" => Some(Kind::Jpeg),
        "png" => Some(Kind::Png),
        "webp" => Some(Kind::Webp),
        "gif" => Some(Kind::Gif),
        _ => None,
    }
}

/// The output format of a source kind, for the variant that takes the original's path.
fn own_format(kind: Kind) -> Option<OutFormat> {
    match kind {
        Kind::Jpeg => Some(OutFormat::Jpeg),
        Kind::Png => Some(OutFormat::Png),
        Kind::Webp => Some(OutFormat::Webp),
        Kind::Gif => None,
    }
}

/// Names the variants of the image at `output` (from `source`, probed
/// `probe`, planned `plan`, its bytes' cache key `key`).
pub fn picture(
    source: &str,
    output: &str,
    probe: &images::Probe,
    plan: &[images::Planned],
    key: images::Key,
) -> Picture {
    let kind = probe.kind;
    let (dir, name) = output
        .rsplit_once('/')
        .map_or(("", output), |(d, n)| (d, n));
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    let own = own_format(kind);
    let widest_own = plan.iter().rposition(|v| Some(v.format) == own);
    let variants = plan
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let path = if Some(i) == widest_own {
                output.to_string()
            } else {
                let file = format!("{stem}-{}w.{}", v.width, v.format.extension());
                if dir.is_empty() {
                    file
                } else {
                    format!("{dir}/{file}")
                }
            };
            Published {
                width: v.width,
                height: v.height,
                format: v.format,
                path,
            }
        })
        .collect();
    Picture {
        source: source.to_string(),
        output: output.to_string(),
        variants,
        key,
        working_set: images::working_set(probe, plan),
    }
}

/// The memory the images being made may hold at once (their
/// `working_set`s): two workers' 12-megapixel photos decoded at half size
/// fit together; a photo that must be decoded whole (a portrait stored on
/// its side, a PNG) is made alone. At 10,000 articles with 1,000 such
/// photos, the build's peak went from 2.2 to 1.04 times the build without
/// photos, with the images made before the pages and the memory of each
/// given back once it is made (`give_back_memory`, `PurgeAtOnce`).
pub const IMAGE_MEMORY: u64 = 128 << 20;

/// A share of `IMAGE_MEMORY`, handed out in the order asked (a large image
/// waiting is not passed by small ones).
struct Budget {
    state: std::sync::Mutex<BudgetState>,
    freed: std::sync::Condvar,
    /// Set when the first image is made (a build whose images all come
    /// from the cache keeps mimalloc's delay), dropped with the budget.
    purge: std::sync::OnceLock<PurgeAtOnce>,
}

#[derive(Default)]
struct BudgetState {
    in_use: u64,
    next_ticket: u64,
    serving: u64,
}

impl Budget {
    fn new() -> Budget {
        Budget {
            state: Default::default(),
            freed: std::sync::Condvar::new(),
            purge: std::sync::OnceLock::new(),
        }
    }

    /// Waits for `want` bytes (at most the whole budget), runs `work`, and
    /// gives the memory it freed back to the system.
    fn with<T>(&self, want: u64, work: impl FnOnce() -> T) -> T {
        let want = want.min(IMAGE_MEMORY);
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let ticket = state.next_ticket;
        state.next_ticket += 1;
        while state.serving != ticket || state.in_use + want > IMAGE_MEMORY {
            state = self.freed.wait(state).unwrap_or_else(|e| e.into_inner());
        }
        state.serving += 1;
        state.in_use += want;
        drop(state);
        self.freed.notify_all();
        self.purge.get_or_init(PurgeAtOnce::new);
        // Handed back on the way out, even if `work` panics (a waiting
        // worker would otherwise wait for ever).
        let _held = Held { budget: self, want };
        let result = work();
        give_back_memory();
        result
    }
}

/// A share of a `Budget` being used; dropping it hands the share back.
struct Held<'a> {
    budget: &'a Budget,
    want: u64,
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        let mut state = self.budget.state.lock().unwrap_or_else(|e| e.into_inner());
        state.in_use -= self.want;
        drop(state);
        self.budget.freed.notify_all();
    }
}

/// Makes every picture's variants (through the cache, when there is one)
/// and puts them into the sink, in parallel, one image per worker.
pub fn process(
    media: &Media,
    copies: &[Copied],
    cache: Option<&images::Cache>,
    sink: &Sink,
) -> Diagnostics {
    let by_origin: HashMap<&str, &Copied> = copies.iter().map(|c| (c.origin.as_str(), c)).collect();
    let mut by_source: BTreeMap<&str, Vec<&Picture>> = BTreeMap::new();
    for p in media.pictures() {
        by_source.entry(p.source.as_str()).or_default().push(p);
    }
    let groups: Vec<_> = by_source.into_iter().collect();
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: a fixed threshold: libwebp's large buffers are mapped, and unmapped when freed.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
    // What the steps before left freed goes back first, on every worker.
    rayon::broadcast(|_| give_back_memory());
    let budget = Budget::new();
    // A build written to disk links cached variants into its output.
    let link = sink.staging().is_some();
    let problems: Vec<Diagnostics> = groups
        .par_iter()
        .with_max_len(1)
        .map(|(source, pictures)| {
            let mut diags = Diagnostics::new();
            let Some(copy) = by_origin.get(source) else {
                return diags;
            };
            let made = made_from(
                pictures[0],
                || copy.read(),
                &media.settings,
                cache,
                Some(&budget),
                link,
                &mut diags,
            );
            match made {
                Ok(made) => {
                    for p in pictures {
                        for (v, made) in p.variants.iter().zip(&made) {
                            let put = match made {
                                Made::Bytes(bytes) => sink.put(v.path.clone(), bytes.clone()),
                                Made::File(file) => sink.put_file(v.path.clone(), file),
                            };
                            if let Err(e) = put {
                                diags.push(Diagnostic::error(&v.path, e.to_string()));
                            }
                        }
                    }
                }
                Err(d) => diags.push(d),
            }
            diags
        })
        .collect();
    rayon::broadcast(|_| give_back_memory());
    problems.into_iter().flatten().collect()
}

/// mimalloc's `mi_option_purge_delay` (index 15 of `mi_option_t` in
/// mimalloc 2 and 3's `mimalloc.h`; `libmimalloc-sys` names no constant
/// for it).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// While it lives, mimalloc returns freed memory to the system at once
/// rather than after its purge delay (a second in mimalloc 3): each image's
/// buffers go back before the next image's are taken. Measured on 20
/// photos made one after the other: a peak of 121 MB instead of 169 MB.
/// The render keeps the delay (purging at once made it 12% slower).
struct PurgeAtOnce {
    before: std::ffi::c_long,
}

impl PurgeAtOnce {
    fn new() -> PurgeAtOnce {
        // SAFETY: reading and setting a mimalloc option is thread-safe and
        // has no effect when mimalloc is not the global allocator.
        let before = unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) };
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0) };
        PurgeAtOnce { before }
    }
}

impl Drop for PurgeAtOnce {
    fn drop(&mut self) {
        // SAFETY: as in `new`.
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, self.before) };
    }
}

/// Returns to the system the memory this thread freed: mimalloc, the
/// binary's allocator, otherwise keeps freed pages a while for reuse, and
/// glibc's `malloc` (libwebp's) keeps its arenas; an image's buffers are tens
/// of megabytes in sizes the rest of the build never asks for, so two
/// workers' photos would otherwise add up.
fn give_back_memory() {
    // SAFETY: `mi_collect` only frees what the calling thread's heap holds
    // unused; it is safe to call at any time, with or without mimalloc as
    // the global allocator.
    unsafe { libmimalloc_sys::mi_collect(true) }
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: returns free memory of the C allocator (libwebp's) to the system.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// A variant made or found in the cache.
enum Made {
    /// Its bytes, in memory.
    Bytes(Bytes),
    /// Its file in the cache, to link.
    File(images::Stored),
}

impl Made {
    /// Its bytes (read and checked, for a file).
    fn bytes(self) -> std::io::Result<Bytes> {
        match self {
            Made::Bytes(bytes) => Ok(bytes),
            Made::File(file) => file.read(),
        }
    }
}

/// The variants of a picture's source, in plan order: from the cache when
/// it holds them under the picture's key (the source is then not read
/// again), else made now from the bytes `read` gives, within `budget` when
/// there is one (and kept in the cache). With `link`, what the cache holds
/// is handed out as its files (none of their bytes read), else as bytes.
fn made_from(
    picture: &Picture,
    read: impl FnOnce() -> Result<Bytes, Diagnostic>,
    settings: &Settings,
    cache: Option<&images::Cache>,
    budget: Option<&Budget>,
    link: bool,
    diags: &mut Diagnostics,
) -> Result<Vec<Made>, Diagnostic> {
    let key = picture.key;
    if let Some(cache) = cache {
        let found = if link {
            cache
                .files(&key)
                .map(|f| f.map(|f| f.into_iter().map(Made::File).collect()))
        } else {
            cache
                .get(&key)
                .map(|v| v.map(|v| v.into_iter().map(|v| Made::Bytes(v.bytes)).collect()))
        };
        match found {
            Ok(Some(made)) => return Ok(made),
            Ok(None) => {}
            Err(warning) => diags.push(Diagnostic::warning(
                crate::images::CACHE_DIR,
                format!("{warning}: the entry is ignored and made again"),
            )),
        }
    }
    let make = || {
        let bytes = read()?;
        images::process(&bytes, settings)
            .map_err(|e| Diagnostic::error(&picture.source, format!("this image {e}")))
    };
    let made = match budget {
        Some(budget) => budget.with(picture.working_set, make),
        None => make(),
    }?;
    if let Some(cache) = cache {
        match cache.put(&key, &made) {
            Ok(files) if link => return Ok(files.into_iter().map(Made::File).collect()),
            Ok(_) => {}
            Err(e) => diags.push(Diagnostic::warning(
                crate::images::CACHE_DIR,
                format!("cannot keep a processed image in the cache: {e}"),
            )),
        }
    }
    Ok(made.into_iter().map(|v| Made::Bytes(v.bytes)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};

    #[test]
    fn the_budget_is_never_exceeded_and_a_large_image_is_not_passed() {
        let budget = Budget::new();
        let in_use = AtomicU64::new(0);
        let most = AtomicU64::new(0);
        let order = std::sync::Mutex::new(Vec::new());
        let small = IMAGE_MEMORY / 3;
        // Work asked for in this order: small, small, large (over the
        // budget: it runs alone), then small ones that must wait for it.
        let wants = [small, small, IMAGE_MEMORY * 2, small, small, small];
        std::thread::scope(|scope| {
            for (n, want) in wants.into_iter().enumerate() {
                let (budget, in_use, most, order) = (&budget, &in_use, &most, &order);
                scope.spawn(move || {
                    budget.with(want, || {
                        let now = in_use.fetch_add(want.min(IMAGE_MEMORY), Ordering::SeqCst)
                            + want.min(IMAGE_MEMORY);
                        most.fetch_max(now, Ordering::SeqCst);
                        order.lock().unwrap().push(n);
                        std::thread::sleep(std::time::Duration::from_millis(20));
                        in_use.fetch_sub(want.min(IMAGE_MEMORY), Ordering::SeqCst);
                    })
                });
                // Tickets in the order above.
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
        });
        assert!(most.load(Ordering::SeqCst) <= IMAGE_MEMORY);
        let order = order.into_inner().unwrap();
        let large = order.iter().position(|&n| n == 2).expect("ran");
        assert!(
            order[large + 1..].iter().all(|&n| n > 2),
            "the large image runs before those asked after it: {order:?}"
        );
        assert_eq!(order.len(), wants.len());
    }
}
