//! `import::convert` over arbitrary post text, as a Zola, Hugo and Jekyll
//! post at a few paths (dated names, folder posts, `.markdown`).
//!
//! Invariants: no panic; a converted post starts with a front matter that
//! dealwire itself splits and reads into its front-matter shape (the
//! importer never writes YAML that dealwire cannot read back), unless a
//! value holds a character no page may show, which dealwire refuses by
//! design; the target stays under `content/articles/`.

#![no_main]

use dealwire::frontmatter;
use dealwire::import::{self, Generator};
use dealwire_fuzz::ensure;
use libfuzzer_sys::fuzz_target;

const PATHS: [&str; 3] = [
    "blog/post.md",
    "2024-05-01-news/index.md",
    "2023-07-04-big-news.markdown",
];

fuzz_target!(|text: &str| {
    for generator in [Generator::Zola, Generator::Hugo, Generator::Jekyll] {
        for rel in PATHS {
            let Ok(converted) = import::convert(generator, rel, text) else {
                continue;
            };
            ensure(
                converted.target.starts_with("content/articles/")
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
