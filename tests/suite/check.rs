//! `dealwire check`: exit codes, broken internal links with their lines, the
//! warnings that never change the exit status, and nothing written.

use crate::harness::{expect, site};

#[test]
fn broken_links_are_errors_with_their_line() {
    let site = site("check-links");
    let run = site.dealwire(&["check"]);
    assert_eq!(run.status, 1, "{}", run.stderr);
    assert!(!site.public().exists(), "check writes nothing");
    expect("check-links", &site, &run, &["status", "stderr"]);
    let build = site.build();
    assert_eq!(
        build.status, 0,
        "URL links are checked by `check`, not by `build`: {}",
        build.stderr
    );
    let page = site.read("articles/a/index.html");
    assert!(
        page.contains("href=\"/briefing/articles/b/\"")
            && page.contains("href=\"/briefing/articles/b/#why\""),
        "@/ links resolve"
    );
}

#[test]
fn a_broken_source_link_fails_the_build_too() {
    let site = site("err-source-link");
    let run = site.build();
    assert_eq!(run.status, 1);
    assert!(run.stderr.starts_with("error: content/articles/a.md:8:5: the link `@/articles/missing.md` points to no article"), "{}", run.stderr);
}

#[test]
fn warnings_keep_exit_zero() {
    let site = site("check-warnings");
    let run = site.dealwire(&["check"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("no errors, 3 warnings"),
        "{}",
        run.stdout
    );
    expect("check-warnings", &site, &run, &["status", "stderr"]);
}

#[test]
fn imported_content_gets_the_warnings_it_needs_and_no_others() {
    let site = site("check-content");
    let run = site.dealwire(&["check"]);
    expect("check-content", &site, &run, &["status", "stderr"]);
    assert_eq!(site.build().status, 0);
    let page = site.read("articles/imported/index.html");
    assert!(page.contains("id=\"conclusion\"") && page.contains("id=\"fn-conclusion\""));
    assert!(
        page.contains("with --all-features, then"),
        "a flag became a dash"
    );
    assert!(page.contains("<span>hover</span>"), "the handler stays");
    assert!(page.contains("data-lang=\"ignore\"><code><span class=\"z-source z-rust\">"));
}

#[test]
fn errors_exit_one_and_a_clean_site_exits_zero() {
    let broken = site("err-many");
    assert_eq!(broken.dealwire(&["check"]).status, 1);
    let clean = site("ok-subpath");
    let run = clean.dealwire(&["check"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_eq!(run.stderr, "");
    assert!(!clean.public().exists(), "check writes nothing");
}

#[test]
fn likely_duplicate_deals_are_warnings_naming_both_files() {
    let site = site("check-duplicates");
    let run = site.dealwire(&["check"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(!site.public().exists(), "check writes nothing");
    expect("check-duplicates", &site, &run, &["status", "stderr"]);
    assert_eq!(
        run.stderr.matches("did you mean `ref").count(),
        2,
        "{}",
        run.stderr
    );
}

#[test]
fn one_check_reports_every_problem_at_once() {
    // A link to no article, two articles with one alias and two broken
    // links: before, the first error hid the others until it was fixed.
    let site = crate::harness::empty_site();
    let write = |rel: &str, text: &str| site.write(rel, text);
    write("site.yaml", "title: T\nbase_url: https://example.org/\n");
    write(
        "content/articles/a.md",
        "---\ntitle: A\ndate: 2024-01-01\naliases: [/same/]\n---\n[broken](/nowhere/)\n",
    );
    write(
        "content/articles/b.md",
        "---\ntitle: B\ndate: 2024-01-02\naliases: [/same/]\n---\n[broken too](/elsewhere/) and [x](@/articles/missing.md)\n",
    );
    let run = site.dealwire(&["check"]);
    assert_eq!(run.status, 1, "{}", run.stderr);
    for want in [
        "the alias `/same/` cannot redirect here",
        "a.md:6:1: broken link `/nowhere/`",
        "b.md:6:1: broken link `/elsewhere/`",
        "the link `@/articles/missing.md` points to no article",
        "check failed: 4 errors",
    ] {
        assert!(run.stderr.contains(want), "{want}\n{}", run.stderr);
    }
    // `build` still stops at the first stage with errors, writing nothing.
    let build = site.build();
    assert_eq!(build.status, 1);
    assert!(!site.public().exists());
}
