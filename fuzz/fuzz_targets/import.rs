//! `import::convert` and `import::finish` over arbitrary post text, as a
//! Zola, Hugo and Jekyll post at a few paths (dated names, folder posts,
//! `.markdown`, `.html`): front matter, dates, bylines, old URLs, and the
//! body's shortcodes, Liquid, iframes and links.
//!
//! Invariants: no panic; a converted post starts with a front matter that
//! dealwire itself splits and reads into its front-matter shape (the
//! importer never writes YAML that dealwire cannot read back), unless a
//! value holds a character no page may show, which dealwire refuses by
//! design; the target stays under `content/articles/`, or `content/pages/`
//! for a page (no date, a redirect).

#![no_main]

use dealwire::frontmatter;
use dealwire::i18n::Lang;
use dealwire::import::{self, Generator, Links, OldSite, Outcome};
use dealwire_fuzz::ensure;
use libfuzzer_sys::fuzz_target;

const PATHS: [&str; 4] = [
    "blog/post.md",
    "2024-05-01-news/index.md",
    "2023-07-04-big-news.markdown",
    "2023-07-05-letter.html",
];

fuzz_target!(|text: &str| {
    let site = OldSite::default();
    for generator in [Generator::Zola, Generator::Hugo, Generator::Jekyll] {
        for rel in PATHS {
            let rel = match generator {
                Generator::Jekyll => format!("_posts/{rel}"),
                _ => format!("content/{rel}"),
            };
            let Ok(Outcome::Post(mut converted)) =
                import::convert(generator, &site, Lang::En, &rel, text)
            else {
                continue;
            };
            import::finish(&mut converted, generator, &site, &Links::default(), None);
            ensure(
                (converted.target.starts_with("content/articles/")
                    || converted.target.starts_with("content/pages/"))
                    && !converted.target.contains(".."),
                "import-target",
                || converted.target.clone(),
            );
            let Ok(article) = converted.text() else {
                continue;
            };
            let split = frontmatter::split(&article);
            ensure(split.is_some(), "import-front-matter", || article.clone());
            if let Some(split) = split {
                let read = frontmatter::parse("content/articles/x.md", &split);
                let refused_by_design = read.as_ref().err().is_some_and(|d| {
                    d.message.contains("control character") || d.message.contains("may not appear")
                });
                ensure(read.is_ok() || refused_by_design, "import-readable", || {
                    format!("{article:?}\n{:?}", read.err())
                });
            }
        }
    }
});
