//! What a render makes, and which of it it makes.
//!
//! A build renders every file (`Want::All`). `serve` first asks only which
//! files there are (`Want::Plan`), then renders a file when it is requested
//! (`Want::Only`). A page rendered through a template is remembered in a
//! `Memo` under the hash of its inputs: the template set and the exact
//! context the template was given. A later request whose context hashes the
//! same reuses it. Since the hash is taken from the very value the template
//! renders, no input can be forgotten: the context is the page's inputs.

use std::collections::{HashMap, HashSet};
use std::hash::{DefaultHasher, Hasher};
use std::sync::Mutex;

use bytes::Bytes;

/// Which files a render makes.
#[derive(Clone, Copy, Debug)]
pub enum Want<'w> {
    /// Every file (a build).
    All,
    /// None: only which files there are (pages put into the sink empty),
    /// with the sitemap and robots.txt, which are made from that list.
    Plan,
    /// Only these output files (`articles/x/index.html`, `deals.json`).
    Only(&'w HashSet<String>),
}

impl Want<'_> {
    /// Whether the file at `file` is to be rendered.
    pub fn renders(&self, file: &str) -> bool {
        match self {
            Want::All => true,
            Want::Plan => false,
            Want::Only(files) => files.contains(file),
        }
    }
}

/// Template pages kept between renders of one session, each under the hash
/// of its inputs.
#[derive(Debug, Default)]
pub struct Memo {
    pages: Mutex<HashMap<String, (u64, Bytes)>>,
    /// The last search bundle, under the hash of its records.
    search: Mutex<Option<(u64, SearchBundle)>>,
    /// Whether a file of the search bundle was asked for in this session.
    pub search_asked: std::sync::atomic::AtomicBool,
}

/// A search bundle's files by name in its folder (`pagefind.js`,
/// `fragment/….pf_fragment`), or why it could not be made.
pub type SearchBundle =
    Result<std::sync::Arc<std::collections::BTreeMap<String, Bytes>>, crate::diag::Diagnostics>;

impl Memo {
    /// The page at `file` if it was rendered from the same inputs.
    pub fn get(&self, file: &str, inputs: u64) -> Option<Bytes> {
        let pages = self.pages.lock().unwrap_or_else(|e| e.into_inner());
        pages
            .get(file)
            .filter(|(hash, _)| *hash == inputs)
            .map(|(_, html)| html.clone())
    }

    /// Remembers a page with the hash of its inputs.
    pub fn put(&self, file: &str, inputs: u64, html: Bytes) {
        let mut pages = self.pages.lock().unwrap_or_else(|e| e.into_inner());
        pages.insert(file.to_string(), (inputs, html));
    }

    /// The search bundle of a site: the last one when its records hash the
    /// same (an edit of a template or of `site.yaml`'s title leaves them
    /// alone), else made now and remembered.
    pub fn search_bundle(&self, site: &crate::site::Site) -> SearchBundle {
        let hash = crate::render::search::fingerprint(site)?;
        if let Some((h, bundle)) = &*self.search.lock().unwrap_or_else(|e| e.into_inner())
            && *h == hash
        {
            return bundle.clone();
        }
        let bundle = crate::render::search::site_bundle(site)
            .map(|files| std::sync::Arc::new(files.into_iter().collect()));
        *self.search.lock().unwrap_or_else(|e| e.into_inner()) = Some((hash, bundle.clone()));
        bundle
    }

    /// Forgets the files that are no longer published.
    pub fn retain(&self, keep: impl Fn(&str) -> bool) {
        let mut pages = self.pages.lock().unwrap_or_else(|e| e.into_inner());
        pages.retain(|file, _| keep(file));
    }
}

/// The hash of a template page's inputs: the template set's fingerprint, the
/// template's name and the context, serialized as the template sees it.
/// `None` for a context that cannot be serialized whole: such a page is
/// never reused (and its render reports the problem).
pub fn inputs<C: serde::Serialize>(templates: u64, template: &str, context: &C) -> Option<u64> {
    let mut h = HashWriter(DefaultHasher::new());
    h.0.write_u64(templates);
    h.0.write(template.as_bytes());
    h.0.write_u8(0);
    serde_json::to_writer(&mut h, context).ok()?;
    Some(h.0.finish())
}

/// Feeds serialized bytes to a hasher.
struct HashWriter(DefaultHasher);

impl std::io::Write for HashWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A file made (or, when not wanted, only named): its URL folder or path,
/// and its last modification date for the sitemap.
pub(crate) struct Page {
    /// The URL folder relative to the base (`articles/x/`), or a file name (`404.html`).
    pub rel: String,
    /// For the sitemap.
    pub lastmod: Option<jiff::civil::Date>,
    /// Whether the sitemap lists it (a page with content of its own: one
    /// with a date, or a standalone page).
    pub sitemap: bool,
}

impl Page {
    /// Whether the page is a URL folder (`articles/x/`, or `` for home),
    /// published as its `index.html` and listed in the sitemap.
    pub fn is_folder(&self) -> bool {
        self.rel.is_empty() || self.rel.ends_with('/')
    }

    /// The output file: a URL folder's `index.html`, or the path itself.
    pub fn file(&self) -> String {
        if self.is_folder() {
            format!("{}index.html", self.rel)
        } else {
            self.rel.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Serialize)]
    struct Context<'a> {
        title: &'a str,
        amounts: Vec<f64>,
    }

    #[derive(serde::Serialize)]
    struct Unwritable {
        title: &'static str,
        by_pair: std::collections::BTreeMap<(u8, u8), u8>,
    }

    #[test]
    fn inputs_differ_with_any_part_of_the_context_and_the_templates() {
        let page = |title, amount| Context {
            title,
            amounts: vec![1.0, amount],
        };
        let base = inputs(1, "article.html", &page("A", 2.0));
        assert!(base.is_some());
        assert_eq!(base, inputs(1, "article.html", &page("A", 2.0)));
        assert_ne!(base, inputs(1, "article.html", &page("B", 2.0)));
        assert_ne!(base, inputs(1, "article.html", &page("A", 3.0)));
        assert_ne!(base, inputs(2, "article.html", &page("A", 2.0)));
        assert_ne!(base, inputs(1, "tag.html", &page("A", 2.0)));
    }

    #[test]
    fn a_context_that_cannot_be_serialized_is_never_reused() {
        // JSON map keys are strings: serialization fails part way.
        let broken = Unwritable {
            title: "A",
            by_pair: [((1, 2), 3)].into(),
        };
        assert_eq!(inputs(1, "article.html", &broken), None);
    }

    #[test]
    fn the_memo_gives_a_page_back_only_for_the_same_inputs() {
        let memo = Memo::default();
        memo.put("a/index.html", 7, Bytes::from_static(b"seven"));
        assert_eq!(memo.get("a/index.html", 7).as_deref(), Some(&b"seven"[..]));
        assert_eq!(memo.get("a/index.html", 8), None);
        assert_eq!(memo.get("b/index.html", 7), None);
        memo.retain(|f| f != "a/index.html");
        assert_eq!(memo.get("a/index.html", 7), None);
    }
}
