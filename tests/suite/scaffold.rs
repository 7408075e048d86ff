//! `dealwire new` and `dealwire init`: what they write builds at once, and they
//! never overwrite.

use crate::harness::{empty_site, run_in, site};

#[test]
fn init_makes_a_site_that_builds_and_refuses_a_non_empty_folder() {
    let tmp = empty_site();
    let dir = tmp.root.join("briefing");
    let dir_arg = dir.to_string_lossy().into_owned();
    let run = run_in(&tmp.root, &["init", &dir_arg], &tmp.root);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(dir.join(".gitignore").is_file() && dir.join("site.yaml").is_file());
    assert!(!dir.join("themes").exists(), "the built-in theme is used");
    let built = run_in(&dir, &["build"], &dir);
    assert_eq!(built.status, 0, "{}", built.stderr);
    assert_eq!(built.stderr, "");
    assert!(
        std::fs::read_to_string(dir.join("public/deals.json"))
            .expect("deals")
            .contains("38000000000")
    );
    let again = run_in(&tmp.root, &["init", &dir_arg], &tmp.root);
    assert_eq!(again.status, 1);
    assert!(again.stderr.contains("is not empty"), "{}", again.stderr);
    assert!(
        dir.join("public/index.html").is_file(),
        "nothing was touched"
    );
}

#[test]
fn new_writes_an_article_that_builds_and_never_overwrites() {
    let site = site("ok-translation");
    let run = site.dealwire(&[
        "new",
        "Accord à 38 milliards: \"le\" record",
        "--deal",
        "--lang",
        "fr",
    ]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let path = site
        .root
        .join("content/articles/accord-a-38-milliards-le-record.md");
    assert_eq!(
        run.stdout.trim(),
        "$SITE/content/articles/accord-a-38-milliards-le-record.md"
    );
    let text = std::fs::read_to_string(&path).expect("written");
    assert!(
        text.contains("lang: fr") && text.contains("# deal:"),
        "{text}"
    );
    let built = site.build();
    assert_eq!(built.status, 0, "{}", built.stderr);
    assert!(
        site.read("articles/accord-a-38-milliards-le-record/index.html")
            .contains("Accord à 38 milliards")
    );
    std::fs::write(&path, "edited").expect("edit");
    let again = site.dealwire(&["new", "Accord à 38 milliards: \"le\" record"]);
    assert_eq!(again.status, 1);
    assert!(again.stderr.contains("already exists"), "{}", again.stderr);
    assert_eq!(std::fs::read_to_string(&path).expect("kept"), "edited");
}

#[test]
fn new_needs_a_site() {
    let tmp = empty_site();
    let run = run_in(&tmp.root, &["new", "Title"], &tmp.root);
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains("no site here"), "{}", run.stderr);
}
