//! `deals.json` and `deals.csv`: exact content for every amount form, order,
//! nulls, escaping and formula guards; every CSV cell read back as README.md
//! says gives the value of `deals.json`, whatever the text.

use dealwire::pipeline::{self, BuildOptions};
use dealwire::source::{SiteSource, SourceFile};
use proptest::prelude::*;

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

/// `deals.csv` read back as README.md ("Reading deals.csv") says, written
/// from that text and not from the writer's code.
mod reader {
    /// The formula guard taken off: one `'` from a cell that starts with
    /// `'`s and then `=`, `+`, `-`, `@`, a tab or CR.
    pub fn unguard(cell: &str) -> &str {
        match cell.strip_prefix('\'') {
            Some(rest)
                if rest
                    .trim_start_matches('\'')
                    .starts_with(['=', '+', '-', '@', '\t', '\r']) =>
            {
                rest
            }
            _ => cell,
        }
    }

    /// The parts of `cell` between the unescaped `sep`s, still escaped
    /// (an empty cell has none).
    pub fn split<'a>(cell: &'a str, sep: &str) -> Vec<&'a str> {
        if cell.is_empty() {
            return Vec::new();
        }
        let mut parts = Vec::new();
        let mut start = 0;
        let mut chars = cell.char_indices();
        while let Some((i, c)) = chars.next() {
            if c == '\\' {
                chars.next();
            } else if i >= start && cell[i..].starts_with(sep) {
                parts.push(&cell[start..i]);
                start = i + sep.len();
            }
        }
        parts.push(&cell[start..]);
        parts
    }

    /// `\x` read as `x`.
    pub fn unescape(value: &str) -> String {
        let mut out = String::with_capacity(value.len());
        let mut chars = value.chars();
        while let Some(c) = chars.next() {
            out.extend(if c == '\\' { chars.next() } else { Some(c) });
        }
        out
    }

    /// A list of names: `; ` in the parties cells, ` & ` in a revision.
    pub fn names(cell: &str, sep: &str) -> Vec<String> {
        split(cell, sep).into_iter().map(unescape).collect()
    }

    /// One revision of the revisions cell.
    #[derive(Debug, Default, PartialEq)]
    pub struct Revision {
        pub date: String,
        pub url: String,
        pub amount: Option<String>,
        pub status: Option<String>,
        pub term: Option<String>,
        pub parties: Option<Vec<String>>,
    }

    /// The revisions cell: `DATE URL field=value, …` separated by ` | `.
    pub fn revisions(cell: &str) -> Vec<Revision> {
        split(cell, " | ")
            .into_iter()
            .map(|text| {
                let mut words = text.splitn(3, ' ');
                let mut rev = Revision {
                    date: words.next().unwrap_or_default().to_string(),
                    url: unescape(words.next().unwrap_or_default()),
                    ..Revision::default()
                };
                for field in split(words.next().unwrap_or_default(), ", ") {
                    let (name, value) = field.split_once('=').expect("field=value");
                    match name {
                        "amount" => rev.amount = Some(unescape(value)),
                        "status" => rev.status = Some(unescape(value)),
                        "term" => rev.term = Some(unescape(value)),
                        "parties" => rev.parties = Some(names(value, " & ")),
                        other => panic!("an unknown field {other} in {text:?}"),
                    }
                }
                rev
            })
            .collect()
    }
}

/// The rows of `deals.csv` by column name, guards taken off.
fn csv_rows(text: &str) -> Vec<std::collections::HashMap<String, String>> {
    let mut csv = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = csv
        .headers()
        .expect("a header")
        .iter()
        .map(str::to_string)
        .collect();
    csv.records()
        .map(|row| {
            let row = row.expect("a CSV row");
            header
                .iter()
                .cloned()
                .zip(row.iter().map(|c| reader::unguard(c).to_string()))
                .collect()
        })
        .collect()
}

fn strings(value: &serde_json::Value) -> Vec<String> {
    value
        .as_array()
        .expect("an array")
        .iter()
        .map(|v| v.as_str().expect("a string").to_string())
        .collect()
}

fn text_or_empty(value: &serde_json::Value) -> String {
    value.as_str().unwrap_or_default().to_string()
}

/// Every CSV row read back equals its deal in `deals.json`, in the same order.
fn assert_csv_reads_as_json(csv: &str, json: &str) {
    let json: serde_json::Value = serde_json::from_str(json).expect("JSON");
    let deals = json["deals"].as_array().expect("deals");
    let rows = csv_rows(csv);
    assert_eq!(rows.len(), deals.len());
    for (row, deal) in rows.iter().zip(deals) {
        let o = &deal["original"];
        assert_eq!(
            reader::names(&row["parties"], "; "),
            strings(&deal["parties"])
        );
        assert_eq!(
            reader::names(&row["original_parties"], "; "),
            strings(&o["parties"])
        );
        assert_eq!(row["title"], text_or_empty(&deal["article"]["title"]));
        assert_eq!(row["kind"], text_or_empty(&deal["kind"]));
        assert_eq!(row["term"], text_or_empty(&deal["term"]));
        assert_eq!(row["original_term"], text_or_empty(&o["term"]));
        let written = reader::revisions(&row["revisions"]);
        let revisions = deal["revisions"].as_array().expect("revisions");
        assert_eq!(written.len(), revisions.len(), "{}", row["revisions"]);
        for (got, rev) in written.iter().zip(revisions) {
            assert_eq!(got.date, text_or_empty(&rev["date"]));
            assert_eq!(got.url, text_or_empty(&rev["article"]["url"]));
            assert_eq!(got.term.as_deref(), rev["term"].as_str());
            assert_eq!(got.status.as_deref(), rev["status"].as_str());
            assert_eq!(got.amount.is_some(), rev.get("amount").is_some());
            assert_eq!(
                got.parties,
                rev.get("parties").map(strings),
                "{}",
                row["revisions"]
            );
        }
    }
}

/// `Foo; Bar` is one party, and a term holding ` | ` and `, status=` forges
/// neither a revision nor a field.
#[test]
fn cells_holding_their_separators_read_back_whole() {
    let site = site("ok-csv-separators");
    let run = site.build();
    assert_eq!(run.status, 0, "{}", run.stderr);
    let csv = site.read("deals.csv");
    let rows = csv_rows(&csv);
    assert_eq!(rows.len(), 1, "{csv}");
    let row = &rows[0];
    assert_eq!(
        reader::names(&row["parties"], "; "),
        ["Foo; Bar", "Baz \\ Co", "Qux & Sons"]
    );
    assert_eq!(
        reader::names(&row["original_parties"], "; "),
        ["Foo; Bar", "Baz \\ Co"]
    );
    assert_eq!(row["term"], "5 years | then yearly, status=cancelled");
    assert_eq!(row["original_term"], "3 years | renewable");
    assert_eq!(row["status"], "announced", "no status was revised");
    assert_eq!(
        reader::revisions(&row["revisions"]),
        [reader::Revision {
            date: "2025-04-01".into(),
            url: "https://example.org/briefing/articles/extension/".into(),
            term: Some("5 years | then yearly, status=cancelled".into()),
            parties: Some(vec![
                "Foo; Bar".into(),
                "Baz \\ Co".into(),
                "Qux & Sons".into()
            ]),
            ..reader::Revision::default()
        }]
    );
    assert_csv_reads_as_json(&csv, &site.read("deals.json"));
    expect("ok-csv-separators", &site, &run, &["deals.csv"]);
}

/// Pieces of names and terms: separators, backslashes, quotes, newlines,
/// formula starts and accents, combined at random.
fn piece() -> impl Strategy<Value = String> {
    let pieces = vec![
        "a", "Z", "é", "ß", "日本", ";", "; ", "|", " | ", "\\", "\\\\", "\\;", "\"", "'", "''",
        ",", ", ", "\n", "\t", "&", " & ", "=", "x=y", "+", "@", "-", " ", "'=",
    ];
    prop::collection::vec(prop::sample::select(pieces), 0..8).prop_map(|p| p.concat())
}

/// YAML double-quoted, exactly as written (JSON strings are YAML).
fn quoted(text: &str) -> String {
    serde_json::to_string(text).expect("a JSON string")
}

/// A site with one deal (two parties, a term) and a revision of its term and
/// parties (a third party joins). The pieces hold no digit, so the digit in
/// each name keeps the three parties apart.
fn separator_site(title: &str, names: &[String; 3], terms: &[String; 2]) -> SiteSource {
    let parties = |n: usize| {
        let list: Vec<String> = names[..n].iter().map(|p| quoted(p)).collect();
        list.join(", ")
    };
    let declared = format!(
        "---\ntitle: {}\ndate: 2025-03-01\ndeal:\n  id: d1\n  amount: $1 billion\n  parties: [{}]\n  kind: {}\n  term: {}\n---\nBody.\n",
        quoted(title),
        parties(2),
        quoted(&terms[0]),
        quoted(&terms[0]),
    );
    let revised = format!(
        "---\ntitle: Revised\ndate: 2025-04-01\ndeals:\n  - ref: d1\n    term: {}\n    parties: [{}]\n---\nBody.\n",
        quoted(&terms[1]),
        parties(3),
    );
    SiteSource {
        root: std::path::PathBuf::from("/site"),
        config: "title: T\nbase_url: https://e.org/b/\n".into(),
        files: vec![
            SourceFile::new("content/a.md", declared.into_bytes()),
            SourceFile::new("content/b.md", revised.into_bytes()),
        ],
        diagnostics: Default::default(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn every_csv_cell_reads_back_as_written(
        title in piece(),
        names in (piece(), piece(), piece()),
        terms in (piece(), piece()),
    ) {
        let title = format!("{title}Title");
        let names = [format!("{} 0", names.0), format!("1 {}", names.1), format!("2 {}", names.2)];
        let terms = [terms.0, terms.1];
        let built = pipeline::build(separator_site(&title, &names, &terms), &BuildOptions::default())
            .map_err(|d| TestCaseError::fail(format!("{d:?}")))?;
        let text = |path: &str| {
            String::from_utf8(built.output.shared(path).expect(path).to_vec()).expect("UTF-8")
        };
        let csv = text("deals.csv");
        assert_csv_reads_as_json(&csv, &text("deals.json"));
        // And the values are the ones written, as the site keeps them (trimmed).
        let row = &csv_rows(&csv)[0];
        let trimmed: Vec<&str> = names.iter().map(|n| n.trim()).collect();
        prop_assert_eq!(reader::names(&row["parties"], "; "), trimmed.clone());
        prop_assert_eq!(reader::names(&row["original_parties"], "; "), &trimmed[..2]);
        let [first, then] = [terms[0].trim(), terms[1].trim()];
        prop_assert_eq!(&row["original_term"], first);
        prop_assert_eq!(&row["term"], if then.is_empty() { first } else { then });
        prop_assert_eq!(&row["kind"], first);
    }
}
