//! Standalone pages (`content/pages/`): About, masthead, corrections. Each
//! is at its own URL from the site's root, through `page.html`, in the
//! sitemap, translatable, and on no list: not the home, the feeds, the
//! archive, the tags or the deals.

use crate::harness::site;

const ABOUT: &str = "---\ntitle: About the briefing\nsummary: Who writes it.\naliases: [/about-us/]\n---\n\nWe track deals. Read our [privacy notice](@/pages/Légal/privacy.md).\n\n![The team](team.png)\n";
const ABOUT_FR: &str = "---\ntitle: À propos\n---\n\nNous suivons les accords.\n";
const PRIVACY: &str = "---\ntitle: Privacy\nupdated: 2026-01-02\n---\n\nNo cookies, no trackers.\n";

#[test]
fn pages_have_their_own_urls_and_are_on_no_list() {
    let site = site("ok-translation");
    site.write("content/pages/about/index.md", ABOUT);
    site.write(
        "content/pages/about/team.png",
        std::fs::read(
            crate::harness::fixtures().join("ok-subpath/content/articles/with-image/chart.png"),
        )
        .expect("png"),
    );
    site.write("content/pages/about/index.fr.md", ABOUT_FR);
    site.write("content/pages/Légal/privacy.md", PRIVACY);
    site.write(
        "content/articles/pair.md",
        site_read(&site, "content/articles/pair.md")
            + "\nSee [about us](@/pages/about/index.md).\n",
    );
    let run = site.build();
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_eq!(run.stderr, "");
    // Counted with the pages, not the articles.
    assert!(
        run.stdout.starts_with("built 2 articles,"),
        "{}",
        run.stdout
    );

    let about = site.read("about/index.html");
    assert!(about.contains("<h1>About the briefing</h1>"), "{about}");
    assert!(about.contains(r#"<meta name="description" content="Who writes it.">"#));
    assert!(
        about.contains(r#"href="/briefing/legal/privacy/""#),
        "{about}"
    );
    assert!(about.contains(r#"href="/briefing/fr/about/" hreflang="fr""#));
    assert!(
        about.contains(r#"src="/briefing/about/team.png""#),
        "{about}"
    );
    assert!(!about.contains("datetime"), "a page shows no date");
    let fr = site.read("fr/about/index.html");
    assert!(fr.contains(r#"<html lang="fr""#) && fr.contains("<h1>À propos</h1>"));
    let privacy = site.read("legal/privacy/index.html");
    assert!(
        privacy.contains(r#"<time datetime="2026-01-02">"#),
        "{privacy}"
    );
    assert!(
        site.read("about-us/index.html")
            .contains("https://example.org/briefing/about/")
    );
    assert!(
        site.read("articles/pair/index.html")
            .contains(r#"href="/briefing/about/""#)
    );

    let sitemap = site.read("sitemap.xml");
    for url in ["about/", "fr/about/"] {
        assert!(
            sitemap.contains(&format!("<loc>https://example.org/briefing/{url}</loc>")),
            "{url} not in {sitemap}"
        );
    }
    assert!(sitemap.contains(
        "<loc>https://example.org/briefing/legal/privacy/</loc><lastmod>2026-01-02</lastmod>"
    ));
    // The footer links every page, in the edition's language when it can.
    let home = site.read("index.html");
    let footer = &home[home.find("<footer class=\"site-footer\"").expect("footer")..];
    assert!(
        footer.contains(r#"<a href="/briefing/about/">About the briefing</a>"#),
        "{footer}"
    );
    assert!(footer.contains(r#"<a href="/briefing/legal/privacy/">Privacy</a>"#));
    let fr_home = site.read("fr/index.html");
    assert!(fr_home.contains(r#"<a href="/briefing/fr/about/">À propos</a>"#));
    assert!(
        fr_home
            .contains(r#"<a href="/briefing/legal/privacy/" hreflang="en" lang="en">Privacy</a>"#)
    );
    // On no list (a page's main part, a feed's or an export's whole text).
    for file in [
        "index.html",
        "fr/index.html",
        "atom.xml",
        "rss.xml",
        "fr/atom.xml",
        "archive/index.html",
        "deals.json",
        "deals.csv",
        "deals/index.html",
    ] {
        let text = site.read(file);
        let text = match (text.find("<main"), text.find("</main>")) {
            (Some(start), Some(end)) => text[start..end].to_string(),
            _ => text,
        };
        for title in ["About the briefing", "À propos", "Privacy"] {
            assert!(!text.contains(title), "`{title}` is listed on {file}");
        }
    }
    let archive = std::fs::read_dir(site.public().join("archive"))
        .expect("archive")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect::<Vec<_>>();
    assert!(
        archive
            .iter()
            .all(|y| y.starts_with("20") || y == "index.html"),
        "{archive:?}"
    );
}

fn site_read(site: &crate::harness::TestSite, rel: &str) -> String {
    std::fs::read_to_string(site.root.join(rel)).expect("read")
}

#[test]
fn a_page_with_an_article_field_or_a_taken_url_is_an_error_naming_it() {
    let site = site("ok-translation");
    site.write(
        "content/pages/masthead.md",
        "---\ntitle: Masthead\ndate: 2025-01-01\ntags: [team]\nauthors: [Ada]\ndeal:\n  amount: $1 billion\n  parties: [OpenAI, Amazon]\n---\nx\n",
    );
    site.write("content/pages/index.md", "---\ntitle: Home\n---\nx\n");
    site.write("content/pages/deals.md", "---\ntitle: Our deals\n---\nx\n");
    site.write("content/pages/fr.md", "---\ntitle: Français\n---\nx\n");
    site.write("content/pages/team.md", "---\ntitle: Team\n---\nx\n");
    site.write(
        "content/pages/people.md",
        "---\ntitle: People\nslug: team\n---\nx\n",
    );
    // An article may share a page's slug: their URLs differ.
    site.write(
        "content/articles/team.md",
        "---\ntitle: Team news\ndate: 2025-01-01\n---\nx\n",
    );
    for command in ["build", "check"] {
        let run = site.dealwire(&[command]);
        assert_eq!(run.status, 1, "{command}: {}", run.stderr);
        // `check` reports every problem in one run; a build stops at the
        // files' own errors.
        let mut expected = vec![
            "error: content/pages/index.md: `content/pages/index.md` would be the home page",
            "error: content/pages/masthead.md:3:7: date: a page has no date",
            "error: content/pages/masthead.md:4:7: tags: a page is on no list, and so in no tag lists",
            "error: content/pages/masthead.md:5:10: authors: a page is on no list, and so in no author pages",
            "error: content/pages/masthead.md:6:6: deal: a page is on no list, and so in no deals index",
        ];
        if command == "check" {
            expected.extend([
                "error: content/pages/deals.md: slug: the page's URL `/deals/` is under `/deals/`",
                "error: content/pages/fr.md: slug: the page's URL `/fr/` is under `/fr/`",
                "error: content/pages/team.md: slug: the page's URL `/team/` is already that of content/pages/people.md",
            ]);
        }
        for line in &expected {
            assert!(
                run.stderr.lines().any(|l| l.starts_with(line)),
                "{command}: no `{line}` in:\n{}",
                run.stderr
            );
        }
        assert!(!site.public().exists(), "nothing is published");
    }
    // The files' own errors mended, the build reports the URLs.
    for file in ["masthead", "index"] {
        std::fs::remove_file(site.root.join(format!("content/pages/{file}.md"))).expect("rm");
    }
    let run = site.build();
    assert_eq!(run.status, 1);
    assert_eq!(
        run.stderr
            .lines()
            .filter(|l| l.starts_with("error:"))
            .count(),
        3,
        "{}",
        run.stderr
    );
}

#[test]
fn a_theme_without_page_html_says_so_when_the_site_has_pages() {
    let site = site("ok-template-override");
    let run = site.build();
    assert_eq!(run.status, 0, "{}", run.stderr);
    site.write("content/pages/about.md", "---\ntitle: About\n---\nx\n");
    // A theme of the site's own, made of the built-in one but `page.html`.
    let theme = site.root.join("themes/mine/templates");
    std::fs::create_dir_all(&theme).expect("dir");
    let builtin = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default");
    for e in std::fs::read_dir(builtin.join("templates"))
        .expect("templates")
        .flatten()
    {
        if e.file_name() != "page.html" {
            std::fs::copy(e.path(), theme.join(e.file_name())).expect("copy");
        }
    }
    for folder in ["static", "strings"] {
        let to = site.root.join("themes/mine").join(folder);
        std::fs::create_dir_all(&to).expect("dir");
        for e in std::fs::read_dir(builtin.join(folder))
            .expect("folder")
            .flatten()
        {
            std::fs::copy(e.path(), to.join(e.file_name())).expect("copy");
        }
    }
    let yaml = site_read(&site, "site.yaml");
    site.write("site.yaml", format!("{yaml}theme: mine\n"));
    std::fs::remove_dir_all(site.root.join("templates")).ok();
    let run = site.build();
    assert_eq!(run.status, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("content/pages/about.md: the theme has no `page.html` template"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_page_may_only_redirect_and_its_old_urls_go_straight_there() {
    let site = site("ok-translation");
    site.write(
        "content/pages/conference.md",
        "---\ntitle: Conference\nredirect_to: https://events.example.org/2026/\naliases: [/old-conference/]\n---\n",
    );
    site.write(
        "content/pages/deals-guide.md",
        "---\ntitle: Deals guide\nredirect_to: /deals/#rates\n---\nNever shown.\n",
    );
    let run = site.build();
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_eq!(
        run.stderr,
        "warning: content/pages/deals-guide.md:3:14: redirect_to: a page that redirects is never shown: its text is not published\n"
    );
    for (file, target) in [
        ("conference/index.html", "https://events.example.org/2026/"),
        (
            "old-conference/index.html",
            "https://events.example.org/2026/",
        ),
        (
            "deals-guide/index.html",
            "https://example.org/briefing/deals/#rates",
        ),
    ] {
        let page = site.read(file);
        assert!(
            page.contains(&format!(
                r#"<meta http-equiv="refresh" content="0; url={target}">"#
            )),
            "{file}: {page}"
        );
        assert!(!page.contains("Never shown"));
    }
    let sitemap = site.read("sitemap.xml");
    assert!(!sitemap.contains("conference") && !sitemap.contains("deals-guide"));
    assert!(
        !site.read("index.html").contains("Conference"),
        "not in the footer"
    );

    // Only a page redirects, and only to an http(s) address or a path.
    for (file, front, message) in [
        (
            "content/articles/a.md",
            "date: 2025-01-01\nredirect_to: /x/",
            "redirect_to: only a page (a file of `content/pages/`) redirects",
        ),
        (
            "content/pages/b.md",
            "redirect_to: javascript:alert(1)",
            "redirect_to: `redirect_to: javascript:alert(1)` must be an http or https address",
        ),
        (
            "content/pages/c.md",
            "redirect_to: //evil.example/",
            "must be an http or https address, or a path on the site",
        ),
        (
            "content/pages/d.md",
            "redirect_to: /a/../../etc/",
            "climbs with `..`",
        ),
    ] {
        let site = crate::harness::site("ok-translation");
        site.write(file, format!("---\ntitle: T\n{front}\n---\n"));
        let run = site.build();
        assert_eq!(run.status, 1, "{file}: {}", run.stderr);
        assert!(
            run.stderr.contains(&format!("{file}:")) && run.stderr.contains(message),
            "{file}: {}",
            run.stderr
        );
    }
}
