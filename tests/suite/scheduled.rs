//! Articles dated after today: held back by `build` until their date (like
//! Hugo's and Jekyll's future posts), published by `build --future`, listed by
//! `check`, shown and marked by `serve`.

use crate::harness::{TestSite, site};

/// The fixture with its chart article moved to a date that has not come.
fn with_a_scheduled_article() -> TestSite {
    let site = site("ok-subpath");
    let path = site.root.join("content/articles/with-image/index.md");
    let text = std::fs::read_to_string(&path).expect("read");
    std::fs::write(
        &path,
        text.replacen("date: 2025-03-03", "date: 2099-06-01", 1),
    )
    .expect("write");
    site
}

#[test]
fn an_article_dated_after_today_waits_for_its_date() {
    let site = with_a_scheduled_article();
    let run = site.build();
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("held back 1 scheduled article") && run.stdout.contains("2099-06-01"),
        "{}",
        run.stdout
    );
    assert!(!site.public().join("articles/with-image").exists());
    for file in [
        "atom.xml",
        "rss.xml",
        "sitemap.xml",
        "deals.json",
        "deals.csv",
        "index.html",
    ] {
        let text = site.read(file);
        assert!(!text.contains("Gamma deal"), "{file} tells");
    }
    let search = crate::harness::walk(&site.public().join("pagefind"));
    assert!(!search.is_empty(), "the search bundle is built");

    // `beta-deal` links to it: a link that would be broken on the site.
    let check = site.dealwire(&["check"]);
    assert_eq!(check.status, 1, "{}", check.stderr);
    assert!(
        check.stderr.contains("broken link `../with-image/`"),
        "{}",
        check.stderr
    );
    assert!(
        check
            .stdout
            .contains("scheduled: content/articles/with-image/index.md: dated 2099-06-01"),
        "{}",
        check.stdout
    );

    let run = site.dealwire(&["build", "--future"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let page = site.read("articles/with-image/index.html");
    assert!(
        !page.contains("class=\"scheduled\""),
        "published, not a preview"
    );
    assert!(site.read("atom.xml").contains("Gamma deal"));
}

#[test]
fn serve_shows_a_scheduled_article_marked() {
    let site = with_a_scheduled_article();
    let server = crate::serve::start(&site);
    let (status, _, page) = crate::serve::request(
        &server,
        "GET",
        &format!("{}articles/with-image/", server.base),
    );
    assert_eq!(status, 200);
    assert!(page.contains("class=\"scheduled\""), "{page}");
    let (_, _, other) = crate::serve::request(
        &server,
        "GET",
        &format!("{}articles/alpha-deal/", server.base),
    );
    assert!(!other.contains("class=\"scheduled\""));
}
