//! Internal links: checks every internal link of the built output for
//! `dealwire check` (`@/` source links were resolved, or reported, by the site
//! model).
//!
//! Input: the articles' links (with their file lines) and the `Output`. Output:
//! diagnostics naming the file and line of each broken link. External links
//! (`https:`, `mailto:`…) are not fetched; fragments are not checked.

use crate::config::Config;
use crate::diag::{Diagnostic, Diagnostics};
use crate::site::Placed;

/// The links of one article page, for the checker.
#[derive(Clone, Debug)]
pub struct PageLinks {
    /// The article's source path.
    pub source_path: String,
    /// The page's URL folder relative to the base URL (`articles/x/`).
    pub rel_url: String,
    /// Each link as written, with its 1-based file line and column, and
    /// whether it is a Markdown image's source.
    pub links: Vec<(String, usize, usize, bool)>,
}

impl PageLinks {
    /// The links of a placed article.
    pub fn of(p: &Placed) -> PageLinks {
        PageLinks::filtered(p, |_| true)
    }

    /// The Markdown images of a placed article only (`build` checks those:
    /// a missing image is an error; `check` checks every link).
    pub fn images_of(p: &Placed) -> PageLinks {
        PageLinks::filtered(p, |l| l.image)
    }

    fn filtered(p: &Placed, keep: impl Fn(&crate::markdown::Link) -> bool) -> PageLinks {
        let lead = p
            .article
            .image
            .iter()
            .map(|i| (i.src.clone(), i.line, i.col, true));
        PageLinks {
            source_path: p.article.source_path.clone(),
            rel_url: p.rel_url.to_string(),
            links: p
                .article
                .body
                .links
                .iter()
                .filter(|l| !l.is_source() && keep(l))
                .map(|l| {
                    let line = l.line + p.article.body_line - 1;
                    (l.written.clone(), line, l.col, l.image)
                })
                .chain(lead)
                .collect(),
        }
    }
}

/// Checks every internal link of the articles against the built output (a
/// path is there when `built` says so); each broken one is an error in
/// `diags`.
pub fn check(
    pages: &[PageLinks],
    built: impl Fn(&str) -> bool,
    config: &Config,
    diags: &mut Diagnostics,
) {
    for page in pages {
        for (dest, line, col, image) in &page.links {
            if let Err(why) = target(dest, &page.rel_url, config).and_then(|t| exists(&built, &t)) {
                let what = if *image {
                    "missing image"
                } else {
                    "broken link"
                };
                diags.push(
                    Diagnostic::error(&page.source_path, format!("{what} `{dest}`: {why}"))
                        .at(*line, *col),
                );
            }
        }
    }
}

/// The site-relative output path a link points at (`""` for the home page or
/// a link that is not internal), or why it cannot point anywhere.
pub fn target(dest: &str, page_rel: &str, config: &Config) -> Result<String, String> {
    let dest = dest.split(['#', '?']).next().unwrap_or("");
    let own = dest
        .strip_prefix(config.base_url.as_str())
        .map(|rest| format!("{}{rest}", config.base_path));
    let dest = own.as_deref().unwrap_or(dest);
    // `@/` links were resolved (or reported) while the site was modelled.
    if dest.is_empty() || crate::urls::scheme(dest).is_some() || dest.starts_with("@/") {
        return Ok(String::new());
    }
    let rooted = if dest.starts_with('/') {
        dest.to_string()
    } else {
        crate::urls::join(&config.path_url(page_rel), dest)
    };
    let decoded = crate::urls::decode(&rooted)
        .ok_or_else(|| format!("`{rooted}` does not decode to UTF-8"))?;
    decoded
        .strip_prefix(config.base_path.as_str())
        .map(str::to_string)
        .ok_or_else(|| format!("it is outside the site's base path `{}`", config.base_path))
}

fn exists(built: impl Fn(&str) -> bool, path: &str) -> Result<(), String> {
    if path.is_empty() && built("index.html") {
        return Ok(());
    }
    let candidates = [
        path.to_string(),
        format!("{path}index.html"),
        format!("{path}/index.html"),
    ];
    if candidates.iter().any(|c| built(c)) {
        Ok(())
    } else {
        Err(format!("nothing is built at `{path}`"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        crate::config::parse("title: T\nbase_url: https://e.org/b/\n").unwrap()
    }

    #[test]
    fn resolves_targets() {
        let c = config();
        assert_eq!(target("../y/", "articles/x/", &c).unwrap(), "articles/y/");
        assert_eq!(target("/b/deals/", "articles/x/", &c).unwrap(), "deals/");
        assert_eq!(
            target("https://e.org/b/deals/#t", "articles/x/", &c).unwrap(),
            "deals/"
        );
        assert_eq!(target("https://other.org/", "articles/x/", &c).unwrap(), "");
        assert!(target("/elsewhere/", "articles/x/", &c).is_err());
        assert!(target("../../../x", "articles/x/", &c).is_err());
    }

    #[test]
    fn checks_against_the_output() {
        let mut out = crate::output::Output::new();
        out.insert("articles/y/index.html", b"".to_vec());
        out.insert("index.html", b"".to_vec());
        let pages = vec![PageLinks {
            source_path: "content/x.md".into(),
            rel_url: "articles/x/".into(),
            links: vec![
                ("../y/".into(), 7, 1, false),
                ("../z/".into(), 9, 3, false),
                ("../../".into(), 10, 1, false),
                ("mailto:a@b".into(), 11, 1, false),
                ("chart.png".into(), 12, 1, true),
            ],
        }];
        let mut errors = Diagnostics::new();
        check(&pages, |p| out.contains(p), &config(), &mut errors);
        let shown: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        assert_eq!(
            shown,
            [
                "error: content/x.md:9:3: broken link `../z/`: nothing is built at `articles/z/`",
                "error: content/x.md:12:1: missing image `chart.png`: nothing is built at `articles/x/chart.png`",
            ]
        );
    }
}
