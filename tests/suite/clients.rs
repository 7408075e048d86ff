//! Real clients over the built sites: the W3C Nu Html Checker on every page, an
//! independent feed parser (`feed-rs`) on every feed, an XML parser on the
//! sitemap, and script-injection payloads that must stay inert text. A missing
//! tool fails with the command that installs it; nothing is skipped.

use std::path::{Path, PathBuf};

use crate::harness::{TestSite, site, walk};

fn demo() -> (tempfile::TempDir, PathBuf) {
    crate::clients_demo()
}

fn built(fixture: &str) -> TestSite {
    let site = site(fixture);
    let run = site.build();
    assert_eq!(run.status, 0, "{}", run.stderr);
    site
}

/// The Nu Html Checker, from `tests/tools` (npm `vnu-jar`), run with Java:
/// `java -jar vnu.jar ARGS TARGET`, and what it printed.
#[cfg(feature = "real-clients")]
fn run_vnu(args: &[&str], target: &Path) -> std::process::Output {
    let jar = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/tools/node_modules/vnu-jar/build/dist/vnu.jar");
    assert!(
        jar.is_file(),
        "the Nu Html Checker is missing: run `npm ci --prefix tests/tools` (tests/run does)"
    );
    std::process::Command::new("java")
        .args(["-jar"])
        .arg(&jar)
        .args(args)
        .arg(target)
        .output()
        .unwrap_or_else(|e| panic!("cannot run java ({e}): install it with `apt-get install -y default-jre-headless` (tests/run does)"))
}

/// The Nu Html Checker's error report on every page under `dir`, or `None`
/// when the pages have no errors. Needs the `real-clients` feature, which
/// `tests/run` always turns on.
#[cfg(feature = "real-clients")]
fn vnu(dir: &Path) -> Option<String> {
    let out = run_vnu(
        &["--errors-only", "--skip-non-html", "--format", "text"],
        dir,
    );
    let report =
        String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
    match out.status.code() {
        Some(0) => None,
        Some(1) => Some(report),
        other => panic!("the Nu Html Checker failed to run ({other:?}):\n{report}"),
    }
}

/// Every error and warning the Nu Html Checker reports on one page, each as
/// `line L, column C: error|warning: MESSAGE (“EXTRACT”)`; empty when the
/// page has none (its plain information messages are not counted).
#[cfg(feature = "real-clients")]
pub(crate) fn vnu_errors_and_warnings(page: &Path) -> Vec<String> {
    let out = run_vnu(&["--format", "json", "--stdout"], page);
    let text = String::from_utf8_lossy(&out.stdout);
    if !matches!(out.status.code(), Some(0 | 1)) {
        panic!(
            "the Nu Html Checker failed to run on {} ({:?}):\n{text}{}",
            page.display(),
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let report: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!(
            "the Nu Html Checker's report on {} is not JSON ({e}):\n{text}",
            page.display()
        )
    });
    report["messages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| {
            let kind = match (m["type"].as_str(), m["subType"].as_str()) {
                (Some("info"), Some("warning")) => "warning",
                (Some("info"), _) => return None,
                (Some(kind), _) => kind,
                (None, _) => "message",
            };
            // `firstLine` is given only when it is not `lastLine`.
            let line = m.get("firstLine").unwrap_or(&m["lastLine"]);
            Some(format!(
                "line {line}, column {}: {kind}: {} (“{}”)",
                m["firstColumn"],
                m["message"].as_str().unwrap_or(""),
                m["extract"]
                    .as_str()
                    .unwrap_or("")
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            ))
        })
        .collect()
}

#[cfg(feature = "real-clients")]
#[test]
fn every_page_passes_the_nu_html_checker() {
    let (_tmp, demo) = demo();
    let pages = walk(&demo)
        .into_iter()
        .filter(|p| p.ends_with(".html"))
        .count();
    assert!(pages > 30, "{pages} pages");
    if let Some(report) = vnu(&demo) {
        panic!("the Nu Html Checker reports errors on the demo:\n{report}");
    }
    for fixture in [
        "ok-xss",
        "ok-subpath",
        "ok-translation",
        // Not `ok-html-trust`: trusted HTML is the author's, as written.
        "ok-html-sanitize",
        "ok-bylines",
        "ok-wide-content",
    ] {
        let site = built(fixture);
        if let Some(report) = vnu(&site.public()) {
            panic!("errors on {fixture}:\n{report}");
        }
    }
}

fn parse_feed(path: &Path) -> feed_rs::model::Feed {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    feed_rs::parser::parse(&bytes[..])
        .unwrap_or_else(|e| panic!("{} does not parse: {e}", path.display()))
}

/// The output file a URL of the site points at.
fn resolve(public: &Path, url: &str, base: &str) -> PathBuf {
    let rel = url
        .strip_prefix(base)
        .unwrap_or_else(|| panic!("{url} is not under {base}"));
    let rel = rel.split('#').next().unwrap_or("");
    if rel.is_empty() || rel.ends_with('/') {
        public.join(rel).join("index.html")
    } else {
        public.join(rel)
    }
}

#[test]
fn feeds_parse_with_an_independent_reader() {
    let (_tmp, demo) = demo();
    let base = "https://example.org/briefing/";
    let atom = parse_feed(&demo.join("atom.xml"));
    let rss = parse_feed(&demo.join("rss.xml"));
    assert_eq!(
        atom.entries.len(),
        14,
        "every listed demo article (a translation is not listed apart)"
    );
    assert_eq!(rss.entries.len(), atom.entries.len());
    assert_eq!(atom.language.as_deref(), Some("en"));
    for (a, r) in atom.entries.iter().zip(&rss.entries) {
        assert_eq!(
            a.title.as_ref().map(|t| &t.content),
            r.title.as_ref().map(|t| &t.content),
            "same order in both"
        );
        let link = &a.links[0].href;
        assert!(
            resolve(&demo, link, base).is_file(),
            "{link} resolves to a page"
        );
        assert!(
            a.content
                .as_ref()
                .and_then(|c| c.body.as_ref())
                .is_some_and(|b| b.len() > 200),
            "full content"
        );
        assert!(a.summary.is_some() && a.published.is_some() && !a.categories.is_empty());
        assert!(r.content.is_some() && r.published.is_some());
    }
    let dates: Vec<_> = atom.entries.iter().map(|e| e.published).collect();
    let mut sorted = dates.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(dates, sorted, "newest first");
    assert!(
        atom.entries.iter().any(|e| e
            .content
            .as_ref()
            .and_then(|c| c.body.as_deref())
            .is_some_and(|b| b.contains("z-"))),
        "highlighted code travels"
    );
    let deals = parse_feed(&demo.join("deals/atom.xml"));
    // Every deal of the demo once (the CoreWeave expansions revise one).
    assert_eq!(deals.entries.len(), 12);
    assert!(
        deals.entries[0]
            .title
            .as_ref()
            .is_some_and(|t| t.content.contains("$38 billion")),
        "{:?}",
        deals.entries[0].title
    );
}

#[test]
fn drafts_never_reach_the_feeds_and_the_limit_holds() {
    let site = site("ok-subpath");
    std::fs::write(
        site.root.join("site.yaml"),
        std::fs::read_to_string(site.root.join("site.yaml")).expect("read")
            + "feeds: { limit: 2 }\n",
    )
    .expect("write");
    for args in [&["build", "--drafts"][..], &["build"]] {
        let run = site.dealwire(args);
        assert_eq!(run.status, 0, "{}", run.stderr);
        let atom = parse_feed(&site.public().join("atom.xml"));
        assert_eq!(atom.entries.len(), 2);
        let text = std::fs::read_to_string(site.public().join("atom.xml")).expect("read");
        assert!(!text.contains("draft-deal"), "no draft, even with --drafts");
    }
}

#[test]
fn the_sitemap_lists_every_page_but_404_and_search_and_each_loc_resolves() {
    let (_tmp, demo) = demo();
    let text = std::fs::read_to_string(demo.join("sitemap.xml")).expect("sitemap");
    let doc = roxmltree::Document::parse(&text).expect("the sitemap is XML");
    let locs: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("loc"))
        .filter_map(|n| n.text())
        .collect();
    // Every entry has a lastmod but the standalone pages with no `updated:`
    // (the demo's About page, in English and French), which have no date.
    let undated: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("url"))
        .filter(|u| !u.children().any(|c| c.has_tag_name("lastmod")))
        .filter_map(|u| u.children().find(|c| c.has_tag_name("loc"))?.text())
        .collect();
    let pages = walk(&demo)
        .into_iter()
        .filter(|p| p.ends_with("index.html"))
        .filter(|p| !p.ends_with("search/index.html"))
        .count();
    assert_eq!(locs.len(), pages, "one entry per page");
    assert!(
        !locs.iter().any(|l| l.contains("/search/")),
        "search pages hold no content for crawlers: {locs:?}"
    );
    assert_eq!(
        undated,
        [
            "https://example.org/briefing/about/",
            "https://example.org/briefing/fr/about/"
        ],
        "every entry has a lastmod, but undated pages"
    );
    for loc in &locs {
        assert!(
            resolve(&demo, loc, "https://example.org/briefing/").is_file(),
            "{loc}"
        );
        assert!(!loc.contains("404"));
    }
    let robots = std::fs::read_to_string(demo.join("robots.txt")).expect("robots");
    assert!(robots.contains("Sitemap: https://example.org/briefing/sitemap.xml"));
}

#[test]
fn script_payloads_stay_text_in_pages_feeds_and_json_ld() {
    let site = built("ok-xss");
    let public = site.public();
    let payloads = [
        "<script>window.__xss",
        "<img src=x onerror",
        "<svg onload",
        "\"><script>",
        "</td><script>",
    ];
    for rel in walk(&public)
        .into_iter()
        .filter(|p| p.ends_with(".html") || p.ends_with(".xml"))
    {
        let text = std::fs::read_to_string(public.join(&rel)).expect("read");
        for p in payloads {
            assert!(!text.contains(p), "{rel} carries a live `{p}`");
        }
    }
    let page = site.read("articles/payloads/index.html");
    let start = page
        .find("<script type=\"application/ld+json\">")
        .expect("JSON-LD")
        + "<script type=\"application/ld+json\">".len();
    let json = &page[start..start + page[start..].find("</script>").expect("end")];
    assert!(
        !json.contains('<') && !json.contains('>'),
        "nothing in the JSON-LD can close its element: {json}"
    );
    let value: serde_json::Value = serde_json::from_str(json).expect("valid JSON-LD");
    assert_eq!(value["@type"], "NewsArticle");
    assert!(
        value["headline"]
            .as_str()
            .is_some_and(|h| h.starts_with("<script>window.__xss = 1</script>")),
        "the text itself survives"
    );
    let atom = parse_feed(&public.join("atom.xml"));
    let titles: Vec<String> = atom
        .entries
        .iter()
        .filter_map(|e| e.title.as_ref().map(|t| t.content.clone()))
        .collect();
    assert!(
        titles
            .iter()
            .any(|t| t.starts_with("<script>window.__xss = 1</script> & “quotes”")),
        "{titles:?}"
    );
    parse_feed(&public.join("rss.xml"));
    parse_feed(&public.join("deals/atom.xml"));
}

#[test]
fn json_ld_feeds_and_sitemap_carry_the_update_date_when_given() {
    let site = site("ok-translation");
    let path = site.root.join("content/articles/pair.md");
    let text = std::fs::read_to_string(&path).expect("read");
    std::fs::write(
        &path,
        text.replacen(
            "date: 2025-11-03\n",
            "date: 2025-11-03\nupdated: 2025-11-10\n",
            1,
        ),
    )
    .expect("write");
    let run = site.build();
    assert_eq!(run.status, 0, "{}", run.stderr);
    let page = site.read("articles/pair/index.html");
    let start = page
        .find("<script type=\"application/ld+json\">")
        .expect("JSON-LD")
        + 35;
    let json: serde_json::Value =
        serde_json::from_str(&page[start..start + page[start..].find("</script>").expect("end")])
            .expect("JSON");
    assert_eq!(json["datePublished"], "2025-11-03");
    assert_eq!(json["dateModified"], "2025-11-10");
    assert_eq!(json["inLanguage"], "en");
    let fr = site.read("fr/articles/pair/index.html");
    assert!(
        fr.contains("\"inLanguage\":\"fr\"") && !fr.contains("dateModified"),
        "only when given"
    );
    let atom = parse_feed(&site.public().join("atom.xml"));
    let entry = atom
        .entries
        .iter()
        .find(|e| e.links[0].href.ends_with("/articles/pair/"))
        .expect("entry");
    assert_eq!(
        entry.updated.map(|d| d.date_naive().to_string()).as_deref(),
        Some("2025-11-10")
    );
    assert!(site.read("sitemap.xml").contains(
        "<loc>https://example.org/briefing/articles/pair/</loc><lastmod>2025-11-10</lastmod>"
    ));
    let page_meta = site.read("index.html");
    for tag in [
        "<link rel=\"canonical\"",
        "property=\"og:title\"",
        "name=\"twitter:card\"",
        "name=\"description\"",
        "type=\"application/atom+xml\"",
        "<html lang=\"en\"",
    ] {
        assert!(page_meta.contains(tag), "every page carries {tag}");
    }
}

#[test]
fn the_french_home_has_its_own_feeds_and_french_only_articles_show_in_both_homes() {
    let (_tmp, demo) = demo();
    let home = std::fs::read_to_string(demo.join("index.html")).expect("home");
    let fr_home = std::fs::read_to_string(demo.join("fr/index.html")).expect("/fr/ home");
    assert!(
        fr_home.contains("<html lang=\"fr\"") && fr_home.contains("Derniers articles"),
        "French interface"
    );
    let only_french = "/briefing/articles/pourquoi-openai-diversifie-ses-fournisseurs/";
    assert!(
        home.contains(only_french) && fr_home.contains(only_french),
        "a French-only article is in both homes"
    );
    assert!(
        home.contains("<abbr class=\"lang-tag\" lang=\"en\" title=\"fr\">FR</abbr>"),
        "with its language marked"
    );
    assert!(
        fr_home.contains("/briefing/fr/articles/openai-aws-38-billion/"),
        "translations live in the French home"
    );
    assert!(
        home.contains("hreflang=\"fr\" href=\"https://example.org/briefing/fr/\""),
        "the homes link each other"
    );
    let feed = parse_feed(&demo.join("fr/atom.xml"));
    assert_eq!(feed.language.as_deref(), Some("fr"));
    assert_eq!(feed.entries.len(), 4, "the four French articles");
    assert!(feed.entries.iter().all(|e| {
        e.content
            .as_ref()
            .and_then(|c| c.body.as_ref())
            .is_some_and(|b| !b.is_empty())
    }));
    parse_feed(&demo.join("fr/rss.xml"));
}
