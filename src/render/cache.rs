//! Page reuse between builds of one session (`serve`): every page is stored with
//! the key of its inputs, and a rebuild reuses a page whose key did not change
//! instead of rendering it. Keys are hashes of light fingerprints (an article's
//! source hash and URL, a deal's place), never of rendered text.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use bytes::Bytes;

use crate::diag::Diagnostic;

/// The pages of the previous render, by URL folder, with their keys.
#[derive(Clone, Debug, Default)]
pub struct PageCache {
    pages: HashMap<String, (u64, Bytes)>,
}

impl PageCache {
    /// Collects the cache from this render's pages.
    pub(crate) fn from_pages<'a>(pages: impl IntoIterator<Item = &'a Page>) -> PageCache {
        PageCache {
            pages: pages
                .into_iter()
                .map(|p| (p.rel.clone(), (p.key, p.html.clone())))
                .collect(),
        }
    }
}

/// A page rendered (or reused): URL folder, key, HTML, last modification date.
pub(crate) struct Page {
    /// The URL folder relative to the base (`articles/x/`), or a file name (`404.html`).
    pub rel: String,
    /// The key of its inputs.
    pub key: u64,
    /// The HTML.
    pub html: Bytes,
    /// For the sitemap.
    pub lastmod: Option<jiff::civil::Date>,
}

impl Page {
    /// Whether the page is a URL folder (`articles/x/`, or `` for home),
    /// published as its `index.html` and listed in the sitemap.
    pub fn is_folder(&self) -> bool {
        self.rel.is_empty() || self.rel.ends_with('/')
    }
}

/// A key built from a page kind and hashable parts.
pub(crate) struct Key(DefaultHasher);

impl Key {
    /// Starts a key for a page kind, under the site-wide key.
    pub fn new(site_key: u64, kind: &str) -> Key {
        let mut h = DefaultHasher::new();
        (site_key, kind).hash(&mut h);
        Key(h)
    }

    /// Adds a part.
    pub fn with<T: Hash + ?Sized>(mut self, part: &T) -> Key {
        part.hash(&mut self.0);
        self
    }

    /// Adds parts.
    pub fn with_all<'a, T: Hash + 'a>(mut self, parts: impl IntoIterator<Item = &'a T>) -> Key {
        for p in parts {
            p.hash(&mut self.0);
        }
        self
    }

    /// The key.
    pub fn finish(&self) -> u64 {
        self.0.finish()
    }
}

/// Reuses the previous page under the same key, or renders it.
pub(crate) fn page(
    previous: Option<&PageCache>,
    rel: String,
    key: u64,
    lastmod: Option<jiff::civil::Date>,
    render: impl FnOnce() -> Result<String, Diagnostic>,
) -> Result<Page, Diagnostic> {
    let reused = previous
        .and_then(|c| c.pages.get(&rel))
        .filter(|(k, _)| *k == key)
        .map(|(_, html)| html.clone());
    let html = match reused {
        Some(html) => html,
        None => Bytes::from(render()?),
    };
    Ok(Page {
        rel,
        key,
        html,
        lastmod,
    })
}
