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
        future: false,
        preview: false,
    };
    let mut cache = Cache::default();
    let current = source::load(&root).expect("load");
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
    let touched: HashSet<PathBuf> = [
        article.clone(),
        root.join("site.yaml"),
        root.join("templates/tag.html"),
    ]
    .into();
    rebuilds_equal_fresh_builds(&root, &options, &mut cache, current, &touched, edits);
}

/// Makes each edit in turn, and checks after each that a rebuild with the
/// session's caches makes what a fresh build makes.
fn rebuilds_equal_fresh_builds(
    root: &std::path::Path,
    options: &BuildOptions,
    cache: &mut Cache,
    mut current: source::SiteSource,
    touched: &HashSet<PathBuf>,
    edits: Vec<(&str, Edit)>,
) {
    for (what, edit) in edits {
        edit();
        // As the watcher would, name the touched files (their stamps may not move
        // within one clock tick).
        current = source::refresh(&current, touched).expect("refresh");
        let cached = pipeline::rebuild(&current, options, cache)
            .expect("rebuild")
            .output()
            .expect("render");
        let fresh = pipeline::build(source::load(root).expect("load"), options).expect("build");
        let changed = cached.changed_paths(&fresh.output);
        assert!(
            changed.is_empty(),
            "after changing {what}, the cached rebuild differs in {changed:?}"
        );
    }
}

/// Deals as records: an edit of a declaration, of a revision or of a
/// `ref:`, and a new covering article, are followed by the totals, the
/// rows and the exports of a rebuild.
#[test]
fn cached_rebuilds_follow_deal_records() {
    let site = site("ok-deal-records");
    let root = site.root.clone();
    let options = BuildOptions {
        base_url: Some("http://127.0.0.1:9/briefing/".into()),
        drafts: false,
        future: false,
        preview: false,
    };
    let mut cache = Cache::default();
    let current = source::load(&root).expect("load");
    pipeline::rebuild(&current, &options, &mut cache).expect("first build");
    let file = |name: &str| root.join("content/articles").join(name);
    let translated = file("openai-aws.fr.md");
    let (declared, unrevised, revised, cancelled) = (
        file("openai-aws.md"),
        file("oracle-coreweave.md"),
        file("expansion.md"),
        file("called-off.md"),
    );
    let text = |p: &PathBuf| std::fs::read_to_string(p).expect("read");
    let edits: Vec<(&str, Edit)> = vec![
        (
            "the declared amount, and its translation's",
            Box::new(|| {
                std::fs::write(
                    &declared,
                    text(&declared).replace("$38 billion", "$39 billion"),
                )
                .expect("w");
                std::fs::write(
                    &translated,
                    text(&translated).replace("38 milliards", "39 milliards"),
                )
                .expect("w")
            }),
        ),
        (
            "the declared amount of a deal that no revision changes the amount of",
            Box::new(|| {
                std::fs::write(
                    &unrevised,
                    text(&unrevised).replace("$2 billion", "$3 billion"),
                )
                .expect("w")
            }),
        ),
        (
            "the revised amount",
            Box::new(|| {
                std::fs::write(
                    &revised,
                    text(&revised).replace("$50 billion", "$55 billion"),
                )
                .expect("w")
            }),
        ),
        (
            "a status",
            Box::new(|| {
                std::fs::write(
                    &cancelled,
                    text(&cancelled).replace("cancelled", "completed"),
                )
                .expect("w")
            }),
        ),
        (
            "a new covering article",
            Box::new(|| {
                std::fs::write(file("new-ref.md"), "---\ntitle: New\ndate: 2026-01-01\ndeals:\n  - { ref: openai-aws-2025, status: cancelled }\n---\nNew.\n").expect("w")
            }),
        ),
    ];
    let touched: HashSet<PathBuf> = [
        declared.clone(),
        translated.clone(),
        unrevised.clone(),
        revised.clone(),
        cancelled.clone(),
    ]
    .into();
    rebuilds_equal_fresh_builds(&root, &options, &mut cache, current, &touched, edits);
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
