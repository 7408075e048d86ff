//! Golden pages: each page's `<main>` element compared with `expected/` files
//! beside its fixture, and one whole page for the frame (re-bless with
//! `DEALWIRE_BLESS=1` after an intended change).

use crate::harness::{expect, site};

fn golden(fixture: &str, pages: &[&str]) {
    let site = site(fixture);
    let run = site.build();
    assert_eq!(run.status, 0, "{}", run.stderr);
    let mut files = vec!["stderr"];
    files.extend_from_slice(pages);
    expect(fixture, &site, &run, &files);
}

#[test]
fn code_heavy_and_french_articles() {
    golden(
        "ok-markdown",
        &[
            "articles/code/index.html",
            "main:articles/typographie/index.html",
        ],
    );
}

#[test]
fn a_translated_pair_with_its_alternates() {
    golden(
        "ok-translation",
        &[
            "main:articles/pair/index.html",
            "main:fr/articles/pair/index.html",
        ],
    );
}

#[test]
fn an_article_folder_with_an_image() {
    golden("ok-subpath", &["main:articles/with-image/index.html"]);
}
