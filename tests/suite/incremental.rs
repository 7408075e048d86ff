//! A rebuild that reuses the caches of the previous one must produce exactly the
//! output of a fresh build, whatever changed in between.

use std::collections::HashSet;
use std::path::PathBuf;

use dealwire::pipeline::{self, BuildOptions, Cache};
use dealwire::source;

use crate::harness::site;

/// A change made to the site on disk.
type Edit<'a> = Box<dyn Fn() + 'a>;

#[test]
fn cached_rebuilds_equal_fresh_builds_after_every_kind_of_change() {
    let site = site("ok-amounts");
    let root = site.root.clone();
    let options = BuildOptions {
        base_url: Some("http://127.0.0.1:9/briefing/".into()),
        drafts: false,
    };
    let mut cache = Cache::default();
    let mut current = source::load(&root).expect("load");
    pipeline::rebuild(&current, &options, &mut cache).expect("first build");
    let article = root.join("content/articles/usd-dollar-b.md");
    let text = |p: &PathBuf| std::fs::read_to_string(p).expect("read");
    let edits: Vec<(&str, Edit)> = vec![
        (
            "an article's title",
            Box::new(|| {
                std::fs::write(
                    &article,
                    text(&article).replacen("title:", "title: Edited —", 1),
                )
                .expect("w")
            }),
        ),
        (
            "a deal's amount",
            Box::new(|| {
                std::fs::write(&article, text(&article).replace("$38B", "$39B")).expect("w")
            }),
        ),
        (
            "a new article",
            Box::new(|| {
                std::fs::write(root.join("content/articles/new-one.md"), "---\ntitle: New\ndate: 2026-01-01\ntags: [cloud]\ndeal:\n  amount: €2bn\n  parties: [OpenAI, Nvidia]\n---\nNew.\n").expect("w")
            }),
        ),
        (
            "the rates",
            Box::new(|| {
                let config = root.join("site.yaml");
                std::fs::write(&config, text(&config).replace("EUR: 1.08", "EUR: 1.1")).expect("w")
            }),
        ),
        (
            "a template",
            Box::new(|| {
                std::fs::create_dir_all(root.join("templates")).expect("mkdir");
                std::fs::write(root.join("templates/tag.html"), "{% extends \"base.html\" %}{% block content %}<p>tag {{ tag.name }}</p>{% endblock content %}").expect("w")
            }),
        ),
        (
            "a removed article",
            Box::new(|| {
                std::fs::remove_file(root.join("content/articles/tilde-10b.md")).expect("rm")
            }),
        ),
    ];
    for (what, edit) in edits {
        edit();
        // As the watcher would, name the touched files (their stamps may not move
        // within one clock tick).
        let touched: HashSet<PathBuf> = [
            article.clone(),
            root.join("site.yaml"),
            root.join("templates/tag.html"),
        ]
        .into();
        current = source::refresh(&current, &touched).expect("refresh");
        let cached = pipeline::rebuild(&current, &options, &mut cache)
            .expect("rebuild")
            .output()
            .expect("render");
        let fresh = pipeline::build(source::load(&root).expect("load"), &options).expect("build");
        let changed = cached.changed_paths(&fresh.output);
        assert!(
            changed.is_empty(),
            "after changing {what}, the cached rebuild differs in {changed:?}"
        );
    }
}

/// After a change, serve renders again only the pages it served last (at
/// most `RECHECKED`), so a session that has browsed the whole site does not
/// render it all at every save; the newest served are always among them.
#[test]
fn a_change_rechecks_only_the_pages_served_last() {
    use dealwire::source::{SiteSource, SourceFile};
    let count = dealwire::live::RECHECKED + 20;
    let article = |i: usize, title: &str| {
        SourceFile::new(
            format!("content/a{i:04}.md"),
            format!("---\ntitle: '{title}'\ndate: 2025-01-01\n---\nText {i}.\n").into_bytes(),
        )
    };
    let mut site = SiteSource {
        root: PathBuf::from("/site"),
        config: "title: T\nbase_url: https://e.org/\n".into(),
        files: (0..count)
            .map(|i| article(i, &format!("Note {i}")))
            .collect(),
        diagnostics: Default::default(),
    };
    let options = BuildOptions::default();
    let mut cache = Cache::default();
    let first = pipeline::rebuild(&site, &options, &mut cache).expect("build");
    for i in 0..count {
        let page = format!("articles/a{i:04}/index.html");
        assert!(first.get(&page).expect("render").is_some(), "{page}");
    }
    // The first page served, then the last, are retitled.
    site.files[0] = article(0, "Retitled first");
    site.files[count - 1] = article(count - 1, "Retitled last");
    let second = pipeline::rebuild(&site, &options, &mut cache).expect("rebuild");
    assert!(second.updated, "a title edit updates the model in place");
    let changed = second.changed_since(&first).expect("changed");
    let last = format!("articles/a{:04}/index.html", count - 1);
    assert!(changed.contains(&last), "{changed:?}");
    assert!(
        !changed.contains(&"articles/a0000/index.html".to_string()),
        "the page served first is not checked again: {changed:?}"
    );
    // It is still served as it now is when asked for.
    let page = second
        .get("articles/a0000/index.html")
        .expect("render")
        .expect("page");
    assert!(String::from_utf8_lossy(&page).contains("Retitled first"));
}
