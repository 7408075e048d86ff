//! What the raw HTML policy removes leaves nothing behind: no text of it in
//! descriptions, feeds or heading ids, no emptied attribute, a warning per
//! kind of removal; and every link a feed carries is absolute.

use crate::harness::{TestSite, expect, site};

/// The fixture with `markdown: { html: POLICY }` appended to its site.yaml
/// (`sanitize` is the default and appends nothing), built.
fn built(fixture: &str, policy: &str) -> (TestSite, crate::harness::Run) {
    let site = site(fixture);
    if policy != "sanitize" {
        let config = site.root.join("site.yaml");
        let text = std::fs::read_to_string(&config).expect("read site.yaml");
        std::fs::write(&config, format!("{text}markdown: {{ html: {policy} }}\n"))
            .expect("write site.yaml");
    }
    let run = site.build();
    assert_eq!(run.status, 0, "{policy}: {}", run.stderr);
    (site, run)
}

/// Every description a page gives: meta, Open Graph, Twitter, JSON-LD.
fn descriptions(page: &str) -> Vec<String> {
    let doc = scraper::Html::parse_document(page);
    let mut found: Vec<String> = [
        "meta[name=description]",
        "meta[property='og:description']",
        "meta[name='twitter:description']",
    ]
    .iter()
    .flat_map(|s| {
        let selector = scraper::Selector::parse(s).expect("selector");
        doc.select(&selector)
            .filter_map(|m| m.attr("content").map(str::to_string))
            .collect::<Vec<_>>()
    })
    .collect();
    let ld = scraper::Selector::parse("script[type='application/ld+json']").expect("selector");
    for script in doc.select(&ld) {
        let json: serde_json::Value =
            serde_json::from_str(&script.text().collect::<String>()).expect("JSON-LD");
        found.extend(json["description"].as_str().map(str::to_string));
    }
    assert!(
        found.len() >= 3,
        "a page without its descriptions: {found:?}"
    );
    found
}

/// The text of every `summary`, `content`, `description` and
/// `content:encoded` element of a feed.
fn feed_texts(xml: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(xml).expect("the feed is XML");
    doc.descendants()
        .filter(|n| {
            matches!(
                n.tag_name().name(),
                "summary" | "content" | "description" | "encoded"
            )
        })
        .filter_map(|n| n.text().map(str::to_string))
        .collect()
}

#[test]
fn removed_html_lends_no_words_to_descriptions_feeds_or_ids() {
    for policy in ["sanitize", "trust", "escape"] {
        let (site, _) = built("ok-removed-html", policy);
        let page = site.read("articles/lead/index.html");
        let fallback = site.read("articles/fallback/index.html");
        for d in descriptions(&page) {
            assert!(d.starts_with("The lead is visible"), "{policy}: {d}");
            assert!(!d.contains("SECRET-comment"), "{policy}: {d}");
            if policy != "escape" {
                assert!(!d.contains("SECRET"), "{policy}: {d}");
                assert_eq!(
                    d, "The lead is visible and stays short and plain here today.",
                    "{policy}"
                );
            }
        }
        // (Under `escape` the fallback is a paragraph the page shows.)
        if policy != "escape" {
            for d in descriptions(&fallback) {
                assert_eq!(d, "The summary\u{2019}s own words.", "{policy}");
            }
        }
        // A heading's id and its entry in the contents come from its text
        // as the page shows it.
        if policy != "escape" {
            assert!(page.contains("<h2 id=\"terms\">"), "{policy}: {page}");
            assert!(!page.contains("secret-heading"), "{policy}");
        }
        // Feeds: summaries and content hold none of it but under `trust`,
        // where the body keeps the author's HTML as written (the feeds carry
        // it, a reader treats it as it treats any feed's markup). Under
        // `escape` the tags are text the page shows, and so do the feeds.
        for feed in ["atom.xml", "rss.xml"] {
            for text in feed_texts(&site.read(feed)) {
                assert!(!text.contains("SECRET-comment"), "{policy} {feed}: {text}");
                if policy == "sanitize" {
                    assert!(!text.contains("SECRET"), "{policy} {feed}: {text}");
                }
            }
        }
        match policy {
            "sanitize" => {
                // Nothing of it anywhere in the output.
                for file in crate::harness::walk(&site.public()) {
                    let bytes = std::fs::read(site.public().join(&file)).expect("read");
                    let text = String::from_utf8_lossy(&bytes);
                    assert!(!text.contains("SECRET"), "{file} holds removed text");
                }
            }
            "trust" => {
                // Kept in the body, as written; never in a description.
                assert!(page.contains("<script>stolen("), "{page}");
                assert!(fallback.contains("SECRET-fallback, shown only without script"));
            }
            _ => {
                // Shown as text, as the page shows it.
                assert!(page.contains("&lt;script&gt;stolen("), "{page}");
            }
        }
    }
}

#[test]
fn noscript_goes_with_its_content_and_a_warning() {
    let (site, run) = built("ok-removed-html", "sanitize");
    let page = site.read("articles/fallback/index.html");
    assert!(!page.contains("SECRET-fallback"), "{page}");
    assert!(!page.contains("noscript"), "{page}");
    assert!(
        page.contains("<p>The summary\u{2019}s own words.</p>"),
        "{page}"
    );
    assert!(
        run.stderr.contains(
            "warning: content/articles/fallback.md:6:1: `<noscript>` is removed with its content (raw HTML is sanitized)\n"
        ),
        "{}",
        run.stderr
    );
    // Nothing inside the fallback is named: it all went with it.
    let notes = run
        .stderr
        .lines()
        .filter(|l| l.contains("fallback.md"))
        .count();
    assert_eq!(notes, 1, "{}", run.stderr);
}

#[test]
fn style_attributes_go_whole_with_one_warning_per_kind() {
    let (site, run) = built("ok-removed-html", "sanitize");
    expect("ok-removed-html", &site, &run, &["status", "stderr"]);
    let page = site.read("articles/table/index.html");
    let prose = page
        .split("<div class=\"prose\">")
        .nth(1)
        .expect("the article's body");
    assert!(
        !prose.contains("style=\"\""),
        "no emptied attribute: {prose}"
    );
    for gone in ["color", "font-weight", "margin", "onclick", "onmouseover"] {
        assert!(!prose.contains(gone), "{gone}: {prose}");
    }
    // One alignment on a cell stays, as Markdown's own tables have it.
    assert!(
        prose.contains("<th style=\"text-align: right\">Party</th>"),
        "{prose}"
    );
    assert!(
        prose.contains("<td style=\"text-align: left\">AWS</td>"),
        "{prose}"
    );
    assert!(prose.contains("<td>$300 billion</td>"), "{prose}");
    assert!(prose.contains("<p>A styled paragraph.</p>"), "{prose}");
    let styles: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.contains("table.md") && l.contains("`style="))
        .collect();
    assert_eq!(
        styles,
        [
            "warning: content/articles/table.md:11:1: `style=\"color: red\"` is removed from `<th>`, and 3 more like it in this article (lines 12, 15; raw HTML is sanitized)"
        ]
    );
    let handlers = run
        .stderr
        .lines()
        .filter(|l| l.contains("table.md") && l.contains("`on"))
        .count();
    assert_eq!(handlers, 1, "{}", run.stderr);
}

/// The URL attributes of HTML, each value split into its URLs.
fn urls_in(html: &str) -> Vec<String> {
    let fragment = scraper::Html::parse_fragment(html);
    let mut urls = Vec::new();
    for element in fragment.root_element().descendent_elements() {
        for (name, value) in element.value().attrs() {
            match name {
                "href" | "src" | "poster" | "cite" | "action" | "formaction" | "longdesc"
                | "background" => urls.push(value.to_string()),
                "data" if element.value().name() == "object" => urls.push(value.to_string()),
                "ping" => urls.extend(value.split_ascii_whitespace().map(str::to_string)),
                "srcset" | "imagesrcset" => urls.extend(
                    value
                        .split(", ")
                        .filter_map(|c| c.split_ascii_whitespace().next())
                        .map(str::to_string),
                ),
                _ => {}
            }
        }
    }
    urls
}

#[test]
fn every_link_in_a_feed_is_absolute() {
    let runs = [
        ("ok-feed-links", "sanitize"),
        ("ok-feed-links", "trust"),
        ("ok-subpath", "sanitize"),
        ("ok-html-sanitize", "sanitize"),
        ("ok-html-trust", "sanitize"),
    ];
    for (fixture, policy) in runs {
        let (site, _) = built(fixture, policy);
        for feed in ["atom.xml", "rss.xml"] {
            let mut urls: Vec<String> = feed_texts(&site.read(feed))
                .iter()
                .flat_map(|html| urls_in(html))
                .collect();
            assert!(!urls.is_empty(), "{fixture} {feed}: no link at all");
            for u in &urls {
                assert!(
                    url::Url::parse(u).is_ok(),
                    "{fixture} ({policy}) {feed}: `{u}` is not absolute"
                );
            }
            if fixture != "ok-feed-links" {
                continue;
            }
            urls.sort();
            urls.dedup();
            let article = "https://example.org/briefing/articles/links/";
            let mut expected = vec![
                "https://example.org/briefing/articles/other/".to_string(),
                "https://example.org/briefing/articles/links/#terms".to_string(),
                "https://example.org/briefing/articles/links/#fn-n".to_string(),
                "https://example.org/briefing/deals/".to_string(),
                "https://example.org/elsewhere/".to_string(),
                "https://example.com/x".to_string(),
                "mailto:desk@example.org".to_string(),
                format!("{article}chart.png"),
                "https://example.org/briefing/articles/raw/".to_string(),
            ];
            if policy == "trust" {
                expected.extend([
                    "https://example.org/briefing/big.png".to_string(),
                    format!("{article}poster.jpg"),
                    format!("{article}clip.mp4"),
                    format!("{article}source/"),
                ]);
            }
            for want in &expected {
                assert!(
                    urls.contains(want),
                    "{policy} {feed}: {want} missing from {urls:?}"
                );
            }
        }
    }
}
