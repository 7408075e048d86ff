//! URLs, in one place, on the `url` and `percent-encoding` crates: whether a
//! link has a scheme, joining a link to the page it sits on (with `..`),
//! percent-decoding a path. The base URL itself is read by `config` with the
//! same `url` crate. Nothing here knows about sites or pages.

use std::borrow::Cow;

/// The scheme of a link (`https`, `mailto`), if it has one: ASCII letters,
/// digits, `+ - .`, starting with a letter, before the first `:`.
pub fn scheme(link: &str) -> Option<&str> {
    let (scheme, _) = link.split_once(':')?;
    let valid = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then_some(scheme)
}

/// Whether a link is relative to the page it sits on: no scheme, and not
/// rooted at `/` (a `#fragment`, a `?query` and the empty link are relative).
pub fn is_relative(link: &str) -> bool {
    scheme(link).is_none() && !link.starts_with('/')
}

/// The root-relative URL that `link` means on the page at `page_path`
/// (`/b/articles/x/` + `../y/#top` → `/b/articles/y/#top`), as a browser
/// resolves it: `..` never climbs above `/`, the path is percent-encoded.
pub fn join(page_path: &str, link: &str) -> String {
    let base = url::Url::parse("http://site.invalid/")
        .and_then(|root| root.join(page_path))
        .and_then(|page| page.join(link));
    match base {
        Ok(url) => {
            let mut out = url.path().to_string();
            if let Some(q) = url.query() {
                out.push('?');
                out.push_str(q);
            }
            if let Some(f) = url.fragment() {
                out.push('#');
                out.push_str(f);
            }
            out
        }
        // Only an unusable page path gets here; the link is kept as written.
        Err(_) => link.to_string(),
    }
}

/// The absolute URL that `link` means on the page at `page` (an absolute
/// URL), as a browser resolves it: a `#fragment` or `?query` stays on the
/// page, a relative path is joined to it, a root-relative path to its
/// origin. A link with a scheme is kept as written, and so is one that
/// cannot be joined (`//[`).
pub fn resolve<'l>(page: &url::Url, link: &'l str) -> Cow<'l, str> {
    if scheme(link.trim_start()).is_some() {
        return Cow::Borrowed(link);
    }
    match page.join(link) {
        Ok(url) => Cow::Owned(url.into()),
        Err(_) => Cow::Borrowed(link),
    }
}

/// A percent-encoded path decoded (`a%20b` → `a b`); `None` when the bytes
/// it encodes are not UTF-8.
pub fn decode(path: &str) -> Option<Cow<'_, str>> {
    percent_encoding::percent_decode_str(path)
        .decode_utf8()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes_and_relative_links() {
        assert_eq!(scheme("https://e.org"), Some("https"));
        assert_eq!(scheme("mailto:a@b"), Some("mailto"));
        assert_eq!(scheme("a/b:c"), None);
        assert_eq!(scheme("1x:y"), None);
        for relative in ["", "#f", "?q", "../y/", "i.png"] {
            assert!(is_relative(relative), "{relative}");
        }
        for not in ["/b/", "https://e.org/", "tel:1"] {
            assert!(!is_relative(not), "{not}");
        }
    }

    #[test]
    fn joins_as_a_browser_does() {
        let page = "/b/articles/x/";
        assert_eq!(join(page, "../y/"), "/b/articles/y/");
        assert_eq!(join(page, "i.png"), "/b/articles/x/i.png");
        assert_eq!(join(page, "#f"), "/b/articles/x/#f");
        assert_eq!(join(page, ""), "/b/articles/x/");
        assert_eq!(
            join(page, "../../fr/articles/z/#top"),
            "/b/fr/articles/z/#top"
        );
        assert_eq!(join(page, "../../../../x"), "/x");
        assert_eq!(
            join(page, "accord été/"),
            "/b/articles/x/accord%20%C3%A9t%C3%A9/"
        );
        assert_eq!(join(page, "?q=1"), "/b/articles/x/?q=1");
    }

    #[test]
    fn resolves_against_a_page_under_a_sub_path() {
        let page = url::Url::parse("https://e.org/briefing/articles/x/").expect("url");
        for (link, absolute) in [
            ("#fn-1", "https://e.org/briefing/articles/x/#fn-1"),
            ("", "https://e.org/briefing/articles/x/"),
            ("?q=1", "https://e.org/briefing/articles/x/?q=1"),
            ("i.png", "https://e.org/briefing/articles/x/i.png"),
            ("../y/#top", "https://e.org/briefing/articles/y/#top"),
            ("/briefing/deals/", "https://e.org/briefing/deals/"),
            ("/elsewhere/", "https://e.org/elsewhere/"),
            ("//cdn.e.org/a.png", "https://cdn.e.org/a.png"),
            (" b c/ ", "https://e.org/briefing/articles/x/b%20c/"),
            ("https://O.org", "https://O.org"),
            ("mailto:a@b.c", "mailto:a@b.c"),
            ("//[", "//["),
        ] {
            assert_eq!(resolve(&page, link), absolute, "{link:?}");
        }
    }

    #[test]
    fn decodes_percent_escapes() {
        assert_eq!(decode("/a%20b/%C3%A9%41").as_deref(), Some("/a b/éA"));
        assert_eq!(decode("/%FF"), None);
    }
}
