//! `dealwire import`: a small Zola, Hugo and Jekyll site each, converted into
//! a fresh site; the articles written are compared whole, the site then
//! builds and checks cleanly; a second import overwrites nothing, and a dry
//! run writes nothing.

use crate::harness::{TestSite, expect, fixtures, run_in, snapshot};

/// `dealwire init` in a temporary folder, without its example articles.
fn fresh_site() -> TestSite {
    let site = crate::harness::empty_site();
    std::fs::remove_dir(&site.root).expect("empty");
    let run = run_in(
        &fixtures(),
        &["init", &site.root.to_string_lossy()],
        &site.root,
    );
    assert_eq!(run.status, 0, "{}", run.stderr);
    std::fs::remove_dir_all(site.root.join("content")).expect("no examples");
    site
}

fn import(site: &TestSite, generator: &str, extra: &[&str]) -> crate::harness::Run {
    let fixture = format!("import-{generator}");
    let root = site.root.to_string_lossy().into_owned();
    let mut args = vec![
        "import",
        generator,
        fixture.as_str(),
        "--into",
        root.as_str(),
    ];
    args.extend(extra);
    run_in(&fixtures(), &args, &site.root)
}

#[test]
fn archives_of_three_generators_become_articles() {
    let cases: [(&str, &[&str]); 3] = [
        (
            "zola",
            &[
                "site:content/articles/blog/openai-aws.md",
                "site:content/articles/blog/deal-day/index.md",
            ],
        ),
        (
            "hugo",
            &[
                "site:content/articles/posts/gpu-deal/index.md",
                "site:content/articles/posts/toml-post.md",
            ],
        ),
        (
            "jekyll",
            &[
                "site:content/articles/2022-03-04-hello-world.md",
                "site:content/articles/2022-05-06-draft-notes.md",
            ],
        ),
    ];
    for (generator, files) in cases {
        let site = fresh_site();
        let run = import(&site, generator, &[]);
        let mut compared = vec!["status", "stdout", "stderr"];
        compared.extend(files.iter().copied());
        expect(&format!("import-{generator}"), &site, &run, &compared);
        let build = site.build();
        assert_eq!(build.status, 0, "{generator}: {}", build.stderr);
        let check = site.dealwire(&["check"]);
        assert_eq!(check.status, 0, "{generator}: {}", check.stderr);
        // Never overwrites: a second import changes nothing and says why.
        let before = snapshot(&site.root.join("content"));
        let again = import(&site, generator, &[]);
        assert_eq!(again.status, 1);
        assert!(
            again.stderr.contains("exists already: not imported"),
            "{}",
            again.stderr
        );
        assert_eq!(snapshot(&site.root.join("content")), before);
    }
}

#[test]
fn imported_pages_redirect_old_urls_and_keep_their_files() {
    let site = fresh_site();
    assert_eq!(import(&site, "zola", &[]).status, 0);
    assert_eq!(site.build().status, 0);
    // The old URLs: a written alias, the computed one, and the folder post's `path`.
    for old in [
        "2025/11/03/openai-aws.html",
        "blog/openai-aws/index.html",
        "2019/07/22/deal-day/index.html",
    ] {
        assert!(site.read(old).contains("http-equiv=\"refresh\""), "{old}");
    }
    let chart = std::fs::read(site.public().join("articles/deal-day/chart.png")).expect("chart");
    assert!(
        chart.starts_with(b"\x89PNG"),
        "the bundle's image is published"
    );
    let page = site.read("articles/openai-aws/index.html");
    assert!(
        page.contains("<a href=\"/articles/deal-day/\">the Azure years</a>"),
        "the @/ link follows the article"
    );
    assert!(page.contains("<figcaption>Compute.</figcaption>") && !page.contains("style="));
}

#[test]
fn a_dry_run_writes_nothing() {
    let site = fresh_site();
    let run = import(&site, "hugo", &["--dry-run"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("would import 2 posts")
            && run.stdout.contains("dry run: nothing written"),
        "{}",
        run.stdout
    );
    assert!(!site.root.join("content").exists());
}

#[test]
fn a_folder_that_is_not_a_site_is_refused() {
    let site = crate::harness::empty_site();
    let run = import(&site, "zola", &[]);
    assert_eq!(run.status, 1);
    assert!(
        run.stderr.contains("no dealwire site here"),
        "{}",
        run.stderr
    );
}
