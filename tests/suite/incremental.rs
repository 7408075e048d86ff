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
