//! Where content goes: the folder of standalone pages, the URL folders a
//! page's path makes, and the URL roots that dealwire's own pages keep. The
//! build (`article`, `site`) and the importer read them here, so that a
//! page is placed one way.

use crate::slug::Slug;

/// The folder of standalone pages: `content/pages/about.md` is the page
/// `/about/`.
pub const PAGES_DIR: &str = "content/pages/";

/// The first URL segments dealwire's own pages use (each edition's lists,
/// the search bundle, the other edition's prefix): no page may take one.
pub const RESERVED: [&str; 11] = [
    "articles",
    "archive",
    "authors",
    "deals",
    "deals-data",
    "page",
    "pagefind",
    "search",
    "tags",
    "en",
    "fr",
];

/// The URL folders of a page from its path below `content/pages/`
/// (`legal/privacy.md` → `legal/`; a bundle's own folder is the page:
/// `about/index.md` → ``), each folder name made a slug and followed by
/// `/`; or the folder name that cannot be one.
pub fn page_folders(inner: &str) -> Result<String, String> {
    let mut folders: Vec<&str> = inner.split('/').collect();
    let name = folders.pop().unwrap_or_default();
    if name.split('.').next() == Some("index") {
        folders.pop();
    }
    let mut out = String::new();
    for folder in folders.into_iter().filter(|f| !f.is_empty()) {
        let slug = Slug::from_text(folder).ok_or_else(|| folder.to_string())?;
        out.push_str(slug.as_str());
        out.push('/');
    }
    Ok(out)
}

/// The root-relative URL's first segment (`/deals/x/` → `deals`), when
/// dealwire's own pages keep it.
pub fn reserved_root(url: &str) -> Option<&'static str> {
    let first = url.trim_start_matches('/').split('/').next()?;
    RESERVED.iter().copied().find(|r| *r == first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_are_slugs_and_a_bundle_is_its_own_page() {
        assert_eq!(page_folders("about.md").as_deref(), Ok(""));
        assert_eq!(page_folders("about/index.md").as_deref(), Ok(""));
        assert_eq!(page_folders("about/index.fr.md").as_deref(), Ok(""));
        assert_eq!(page_folders("Légal/privacy.md").as_deref(), Ok("legal/"));
        assert_eq!(page_folders("a/b/index.md").as_deref(), Ok("a/"));
        assert_eq!(page_folders("--/x.md"), Err("--".to_string()));
        assert_eq!(reserved_root("/deals/"), Some("deals"));
        assert_eq!(reserved_root("fr/x/"), Some("fr"));
        assert_eq!(reserved_root("/dealsx/"), None);
    }
}
