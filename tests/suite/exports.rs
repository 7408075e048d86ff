//! `deals.json` and `deals.csv`: exact content for every amount form, order,
//! nulls, escaping and formula guards.

use crate::harness::{expect, site};

#[test]
fn deals_exports_match_the_expected_files() {
    let site = site("ok-amounts");
    let run = site.build();
    assert_eq!(run.status, 0, "{}", run.stderr);
    expect("ok-amounts", &site, &run, &["deals.json", "deals.csv"]);
}

#[test]
fn json_is_newest_first_with_exact_decimals() {
    let site = site("ok-amounts");
    assert_eq!(site.build().status, 0);
    let json: serde_json::Value = serde_json::from_str(&site.read("deals.json")).expect("JSON");
    assert_eq!(json["reporting_currency"], "USD");
    let deals = json["deals"].as_array().expect("array");
    let dates: Vec<&str> = deals
        .iter()
        .map(|d| d["date"].as_str().expect("date"))
        .collect();
    let mut sorted = dates.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(dates, sorted, "newest first");
    for d in deals {
        let precision = d["amount"]["precision"].as_str().expect("precision");
        assert!(["exact", "at_most", "at_least", "about", "undisclosed"].contains(&precision));
        if precision == "undisclosed" {
            assert!(
                d["amount"]["value"].is_null()
                    && d["amount"]["currency"].is_null()
                    && d["reporting_value"].is_null()
            );
        } else {
            let v = d["amount"]["value"].as_str().expect("value is a string");
            assert!(
                v.chars().all(|c| c.is_ascii_digit() || c == '.') && !v.contains('e'),
                "{v}"
            );
            assert!(
                !(v.contains('.') && v.ends_with('0')),
                "no trailing zeros: {v}"
            );
        }
        assert!(
            d["article"]["url"]
                .as_str()
                .expect("url")
                .starts_with("https://example.org/briefing/articles/")
        );
    }
}

#[test]
fn csv_follows_json_order_and_guards_formulas() {
    let site = site("ok-amounts");
    assert_eq!(site.build().status, 0);
    let csv = site.read("deals.csv");
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some(
            "date,parties,kind,value,currency,precision,reporting_value,title,url,\
             id,status,term,original_parties,original_value,original_currency,\
             original_precision,original_reporting_value,original_status,original_term,revisions"
        )
    );
    assert!(!csv.contains(",=SUM"), "formula cells are prefixed: {csv}");
    assert!(csv.contains("'=SUM(1)"));
    let json: serde_json::Value = serde_json::from_str(&site.read("deals.json")).expect("JSON");
    assert_eq!(
        csv.lines().count() - 1,
        json["deals"].as_array().expect("deals").len()
    );
}

/// `EXPECTED.tsv` beside the fixture was written by hand from the amounts table,
/// independently of the code: `deals.json` must agree with it row for row.
#[test]
fn json_agrees_with_the_hand_written_table() {
    let site = site("ok-amounts");
    assert_eq!(site.build().status, 0);
    let table = std::fs::read_to_string(crate::harness::fixtures().join("ok-amounts/EXPECTED.tsv"))
        .expect("table");
    let json: serde_json::Value = serde_json::from_str(&site.read("deals.json")).expect("JSON");
    let deals = json["deals"].as_array().expect("deals");
    let rows: Vec<Vec<&str>> = table
        .lines()
        .skip(1)
        .map(|l| l.split('\t').collect())
        .collect();
    assert_eq!(rows.len(), deals.len());
    let text = |v: &serde_json::Value| v.as_str().unwrap_or("").to_string();
    for (row, deal) in rows.iter().zip(deals) {
        let url = text(&deal["article"]["url"]);
        assert!(
            url.ends_with(&format!("/articles/{}/", row[1])),
            "{url} vs {}",
            row[1]
        );
        assert_eq!(text(&deal["date"]), row[0]);
        let parties: Vec<String> = deal["parties"]
            .as_array()
            .expect("parties")
            .iter()
            .map(text)
            .collect();
        assert_eq!(parties.join("; "), row[4]);
        assert_eq!(text(&deal["kind"]), row[5]);
        assert_eq!(text(&deal["amount"]["value"]), row[7], "{}", row[6]);
        assert_eq!(text(&deal["amount"]["currency"]), row[8], "{}", row[6]);
        assert_eq!(text(&deal["amount"]["precision"]), row[9], "{}", row[6]);
        assert_eq!(text(&deal["reporting_value"]), row[10], "{}", row[6]);
    }
}

/// `more than` and `plus de` are lower bounds: `at_least` in the exports,
/// shown with the language's one qualifier, summed at their stated value.
#[test]
fn lower_bounds_are_at_least_in_every_surface() {
    let site = site("ok-amounts");
    let run = site.build();
    assert_eq!(run.status, 0, "{}", run.stderr);
    let json: serde_json::Value = serde_json::from_str(&site.read("deals.json")).expect("JSON");
    for slug in ["more-than-10b", "fr-plus-de-10-milliards"] {
        let deal = json["deals"]
            .as_array()
            .expect("deals")
            .iter()
            .find(|d| {
                d["article"]["url"]
                    .as_str()
                    .is_some_and(|u| u.ends_with(&format!("/articles/{slug}/")))
            })
            .unwrap_or_else(|| panic!("{slug} in deals.json"));
        assert_eq!(deal["amount"]["precision"], "at_least", "{slug}");
        assert_eq!(deal["amount"]["value"], "10000000000", "{slug}");
        assert_eq!(deal["reporting_value"], "10000000000", "{slug}");
    }
    assert!(
        site.read("deals.csv")
            .contains(",10000000000,USD,at_least,10000000000,"),
        "csv"
    );
    let en = site.read("articles/more-than-10b/index.html");
    assert!(en.contains("at least $10 billion"), "English display");
    let fr = site.read("articles/fr-plus-de-10-milliards/index.html");
    assert!(
        fr.contains("au moins 10\u{a0}milliards de dollars"),
        "French display"
    );
    let deals = site.read("deals/index.html");
    assert!(
        deals.contains("“up to”, “at least” or “about” are summed at their stated value"),
        "the deals index says how lower bounds are summed"
    );
}
