//! Deals as records: `id:` on a deal, `ref:` from other articles, revisions
//! of its figures, its status, and what the totals and exports make of them
//! (fixture `ok-deal-records`, whose `EXPECTED.tsv` was written by hand).

use crate::harness::{expect, site};

/// The part of an article URL after `/briefing/` and `articles/`, without
/// the final slash: `analysis`, `fr/openai-aws`.
fn short(url: &str) -> String {
    url.trim_start_matches("https://example.org/briefing/")
        .replace("articles/", "")
        .trim_end_matches('/')
        .to_string()
}

#[test]
fn deal_records_agree_with_the_hand_written_table() {
    let site = site("ok-deal-records");
    let run = site.build();
    assert_eq!(run.status, 0, "{}", run.stderr);
    let table =
        std::fs::read_to_string(crate::harness::fixtures().join("ok-deal-records/EXPECTED.tsv"))
            .expect("table");
    let json: serde_json::Value = serde_json::from_str(&site.read("deals.json")).expect("JSON");
    let deals = json["deals"].as_array().expect("deals");
    let rows: Vec<Vec<&str>> = table
        .lines()
        .skip(1)
        .map(|l| l.split('\t').collect())
        .collect();
    assert_eq!(rows.len(), deals.len(), "a `ref:` adds no deal");
    let text = |v: &serde_json::Value| v.as_str().unwrap_or("").to_string();
    for row in rows {
        let deal = deals
            .iter()
            .find(|d| d["id"] == row[0])
            .unwrap_or_else(|| panic!("no deal {}", row[0]));
        assert_eq!(text(&deal["status"]), row[1], "{}", row[0]);
        assert_eq!(text(&deal["amount"]["value"]), row[2], "{}", row[0]);
        assert_eq!(text(&deal["reporting_value"]), row[3], "{}", row[0]);
        assert_eq!(text(&deal["term"]), row[4], "{}", row[0]);
        assert_eq!(text(&deal["original"]["amount"]["value"]), row[5]);
        assert_eq!(text(&deal["original"]["status"]), row[6]);
        assert_eq!(text(&deal["original"]["term"]), row[7]);
        let revisions: Vec<String> = deal["revisions"]
            .as_array()
            .expect("revisions")
            .iter()
            .map(|r| {
                format!(
                    "{} {}",
                    text(&r["date"]),
                    short(&text(&r["article"]["url"]))
                )
            })
            .collect();
        assert_eq!(revisions.join("; "), row[8], "{}", row[0]);
        let coverage: Vec<String> = deal["coverage"]
            .as_array()
            .expect("coverage")
            .iter()
            .map(|u| short(&text(u)))
            .collect();
        assert_eq!(coverage.join(" "), row[9], "{}", row[0]);
    }
    // Today's fields keep their names and order, with the current figures.
    let csv = site.read("deals.csv");
    let header = csv.lines().next().expect("header");
    assert!(header.starts_with(
        "date,parties,kind,value,currency,precision,reporting_value,title,url,id,status"
    ));
    assert!(csv.contains(",50000000000,USD,exact,50000000000,"), "{csv}");
    // The exports, and the deal pages (English site; `ok-deal-records-fr`
    // has the French ones).
    expect(
        "ok-deal-records",
        &site,
        &run,
        &[
            "deals.json",
            "deals.csv",
            "deals/id/openai-aws-2025/index.html",
            "deals/id/oracle-coreweave/index.html",
        ],
    );
}

#[test]
fn a_cancelled_deal_is_struck_through_and_left_out_and_a_ref_counts_once() {
    let site = site("ok-deal-records");
    let run = site.build();
    assert_eq!(run.status, 0, "{}", run.stderr);
    let deals = site.read("deals/index.html");
    assert!(
        deals.contains(r#"Grand total: <strong><data value="50000000000">$50 billion</data></strong> across 1 deal."#),
        "the revised amount, counted once; the cancelled deal left out"
    );
    assert!(
        deals.contains("1 cancelled deal is listed, struck through, and left out of the totals.")
    );
    assert!(deals.contains(r#"data-status="cancelled" class="cancelled""#));
    assert!(deals.contains(r#"<td class="amount"><del><a href="/briefing/deals/id/oracle-coreweave/">$2 billion</a></del><br><span class="deal-status">cancelled</span></td>"#));
    assert!(deals.contains(
        r#"<td class="amount"><a href="/briefing/deals/id/openai-aws-2025/">$50 billion</a><br><span class="deal-status">completed</span></td>"#
    ));
    // A party page lists its deals with their current figures.
    let oracle = site.read("deals/oracle/index.html");
    assert!(oracle.contains(">$2 billion</a></del>"));
}

#[test]
fn a_party_feed_has_its_deals_and_their_revisions_and_its_page_links_it() {
    let site = site("ok-deal-records");
    let run = site.build();
    assert_eq!(run.status, 0, "{}", run.stderr);
    let page = site.read("deals/openai/index.html");
    assert!(page.contains(
        r#"<link rel="alternate" type="application/atom+xml" title="Fixture Briefing — OpenAI" href="/briefing/deals/openai/atom.xml">"#
    ));
    let feed = feed_rs::parser::parse(site.read("deals/openai/atom.xml").as_bytes())
        .expect("the party feed parses");
    let entries: Vec<(String, String)> = feed
        .entries
        .iter()
        .map(|e| {
            (
                e.title
                    .as_ref()
                    .map(|t| t.content.clone())
                    .unwrap_or_default(),
                e.links.first().map(|l| l.href.clone()).unwrap_or_default(),
            )
        })
        .collect();
    let url = |slug: &str| format!("https://example.org/briefing/articles/{slug}/");
    assert_eq!(
        entries,
        [
            (
                "OpenAI, Amazon (openai-aws-2025): $50 billion, completed".to_string(),
                url("expansion")
            ),
            (
                "OpenAI, Amazon (openai-aws-2025): 8 ans".to_string(),
                url("analyse-duree")
            ),
            ("OpenAI, Amazon: $50 billion".to_string(), url("openai-aws")),
        ],
        "newest first: the two revisions, then the deal with its current figures"
    );
    // Oracle's feed has its deal and the revision that cancelled it.
    let oracle = site.read("deals/oracle/atom.xml");
    assert!(oracle.contains("(oracle-coreweave): cancelled"), "{oracle}");
}

/// A deal page: current figures, status, the history of its figures (each
/// revision with its article) and its coverage in both languages, on a
/// French site (the English site's pages: see the test above).
#[test]
fn deal_pages_match_their_goldens_in_both_languages() {
    // The English pages are compared with the exports (one fixture, one
    // comparison): `deal_records_agree_with_the_hand_written_table`.
    let fr = site("ok-deal-records-fr");
    let run = fr.build();
    assert_eq!(run.status, 0, "{}", run.stderr);
    expect(
        "ok-deal-records-fr",
        &fr,
        &run,
        &[
            "deals/id/openai-aws-2025/index.html",
            "deals/id/oracle-coreweave/index.html",
        ],
    );
    // The deals index, the party pages and the exports link each deal's page.
    let site = site("ok-deal-records");
    assert_eq!(site.build().status, 0);
    let page = r#"<a href="/briefing/deals/id/openai-aws-2025/">$50 billion</a>"#;
    assert!(site.read("deals/index.html").contains(page));
    assert!(site.read("deals/openai/index.html").contains(page));
    assert!(
        site.read("deals.json")
            .contains(r#""url": "https://example.org/briefing/deals/id/openai-aws-2025/""#)
    );
    assert!(
        site.read("sitemap.xml")
            .contains("/briefing/deals/id/oracle-coreweave/")
    );
}

/// Rates by year or date: each deal converts at the rate in force on its
/// date (values worked out by hand in the fixture's README), and the rates
/// table says which rate applied to how many deals.
#[test]
fn dated_rates_convert_each_deal_at_the_rate_in_force_on_its_date() {
    let site = site("ok-dated-rates");
    let run = site.build();
    assert_eq!(run.status, 0, "{}", run.stderr);
    let json: serde_json::Value = serde_json::from_str(&site.read("deals.json")).expect("JSON");
    let got: Vec<(String, String)> = json["deals"]
        .as_array()
        .expect("deals")
        .iter()
        .map(|d| {
            (
                d["date"].as_str().unwrap_or("").to_string(),
                d["reporting_value"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let want = [
        ("2025-07-01", "117000000"),
        ("2025-06-30", "108000000"),
        ("2024-05-01", "108000000"),
        ("2019-03-01", "12700000"),
    ];
    assert_eq!(
        got,
        want.map(|(d, v)| (d.to_string(), v.to_string())),
        "1.08 from 2024, 1.17 from 2025-07-01, GBP fixed"
    );
    let deals = site.read("deals/index.html");
    for row in [
        r#"<tr><th scope="row">EUR</th><td>1 EUR = 1.08 USD</td><td><time datetime="2024-01-01">January 1, 2024</time></td><td class="num">2</td></tr>"#,
        r#"<tr><th scope="row">EUR</th><td>1 EUR = 1.17 USD</td><td><time datetime="2025-07-01">July 1, 2025</time></td><td class="num">1</td></tr>"#,
        r#"<tr><th scope="row">GBP</th><td>1 GBP = 1.27 USD</td><td>every date</td><td class="num">1</td></tr>"#,
    ] {
        assert!(deals.contains(row), "{row}");
    }
}

/// One deal record on every surface (fixture `ok-one-record`): a contract
/// revised by an article that only refers to it, rumoured before it was
/// announced, translated; a euro deal; a cancelled deal whose party is
/// written two ways; a party with only an undisclosed deal. Every page,
/// feed and export shows the current figures, in both languages.
#[test]
fn one_deal_record_on_every_surface() {
    let site = site("ok-one-record");
    let run = site.build();
    assert_eq!(run.status, 0, "{}", run.stderr);
    // The rumour sets nothing, and says why, naming both files.
    assert!(
        run.stderr.lines().any(|l| l
            .starts_with("warning: content/articles/coreweave-rumour.md:5:")
            && l.contains("content/articles/coreweave.md")),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.lines().any(
            |l| l.starts_with("warning: content/articles/acme-nvidia.md:")
                && l.contains("`ACME` and `Acme` are one party")
        ),
        "{}",
        run.stderr
    );
    let current = "$22.4 billion";
    for page in [
        "articles/coreweave/index.html",
        "articles/coreweave-expansion/index.html",
        "deals/id/openai-coreweave/index.html",
        "deals/index.html",
        "deals/coreweave/index.html",
        "deals/openai/index.html",
        "deals/atom.xml",
        "deals/coreweave/atom.xml",
    ] {
        let text = site.read(page);
        assert!(text.contains(current), "{page} shows {current}");
        if page.starts_with("articles/") || page.ends_with("atom.xml") {
            assert!(
                !text.contains("$11.9 billion</dd>") && !text.contains("$10 billion"),
                "{page} shows no old or rumoured figure as current"
            );
        }
    }
    // The declaring article says its figures were revised, and when.
    let declaring = site.read("articles/coreweave/index.html");
    assert!(
        declaring.contains("class=\"deal-revised\"")
            && declaring.contains("/briefing/articles/coreweave-expansion/")
            && declaring.contains("href=\"/briefing/deals/id/openai-coreweave/\""),
        "{declaring}"
    );
    let revising = site.read("articles/coreweave-expansion/index.html");
    assert!(
        !revising.contains("class=\"deal-revised\""),
        "the latest revision is current"
    );
    // The translation: current figures, in French, worded as it restates them.
    let french = site.read("fr/articles/coreweave/index.html");
    assert!(
        french.contains("22,4\u{a0}milliards de dollars"),
        "{french}"
    );
    assert!(french.contains("<dd>5 ans</dd>") && french.contains("class=\"deal-revised\""));
    // The deal page keeps the rumour as earlier coverage.
    let deal = site.read("deals/id/openai-coreweave/index.html");
    assert!(deal.contains("$10 billion") && deal.contains("coreweave-rumour"));
    // Exports: current figures, one spelling per party.
    let json: serde_json::Value = serde_json::from_str(&site.read("deals.json")).expect("JSON");
    let deals = json["deals"].as_array().expect("deals");
    let by_id = |id: &str| {
        deals
            .iter()
            .find(|d| d["id"] == id)
            .unwrap_or_else(|| panic!("no deal {id}"))
    };
    assert_eq!(by_id("openai-coreweave")["amount"]["value"], "22400000000");
    assert_eq!(
        by_id("openai-coreweave")["original"]["amount"]["value"],
        "11900000000"
    );
    assert_eq!(by_id("acme-nvidia")["status"], "cancelled");
    assert_eq!(by_id("acme-nvidia")["parties"][0], "Acme");
    let csv = site.read("deals.csv");
    assert!(csv.contains(",22400000000,"), "{csv}");
    assert!(!csv.contains(",ACME;") && !csv.contains("; ACME,"), "{csv}");
    let filter = site.read("deals-data/index.json");
    assert!(filter.contains("\"Acme\"") && !filter.contains("\"ACME\""));
    // A party with only an undisclosed deal is not a party of $0.
    let broadcom = site.read("deals/broadcom/index.html");
    assert!(broadcom.contains(">undisclosed</data>"), "{broadcom}");
    assert!(!broadcom.contains(">$0</data>"));
}
