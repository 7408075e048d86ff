//! Machine-readable outputs: `deals.json`, `deals.csv`, `sitemap.xml`, `robots.txt`.
//!
//! Input: the `Site`. Output: bytes, exactly as `docs/reference.md` describes
//! them ([deals.json](../../docs/reference.md#dealsjson),
//! [deals.csv](../../docs/reference.md#dealscsv),
//! [sitemap and robots](../../docs/reference.md#sitemap-and-robots)): plain
//! decimal digits, reporting values rounded half-even to 2 decimals, nulls (empty
//! CSV cells) for what is unknown, the same order in both exports. In
//! `deals.csv`, the cells that hold lists (parties, revisions) escape their
//! separators with a backslash, so every value reads back whole; a value
//! without separators or backslashes is written as it is.

use serde::Serialize;

use crate::config::Config;
use crate::index::ArticleIdx;
use crate::money::{self, Amount};
use crate::site::Site;

#[derive(Serialize)]
struct JsonExport<'a> {
    reporting_currency: &'a str,
    deals: Vec<JsonDeal<'a>>,
}

#[derive(Serialize)]
struct JsonDeal<'a> {
    date: String,
    parties: &'a [String],
    kind: Option<&'a str>,
    amount: JsonAmount,
    reporting_value: Option<String>,
    article: JsonArticle<'a>,
    id: &'a str,
    /// The deal's page.
    url: String,
    status: &'static str,
    term: Option<&'a str>,
    /// The figures as first declared.
    original: JsonFigures<'a>,
    /// Each revision, oldest first.
    revisions: Vec<JsonRevision<'a>>,
    /// Every article that reports or covers the deal, newest first.
    coverage: Vec<String>,
}

#[derive(Serialize)]
struct JsonAmount {
    value: Option<String>,
    currency: Option<String>,
    precision: &'static str,
}

#[derive(Serialize)]
struct JsonArticle<'a> {
    title: &'a str,
    url: String,
}

#[derive(Serialize)]
struct JsonFigures<'a> {
    parties: &'a [String],
    amount: JsonAmount,
    reporting_value: Option<String>,
    status: &'static str,
    term: Option<&'a str>,
}

/// What one article set; fields it left alone are absent.
#[derive(Serialize)]
struct JsonRevision<'a> {
    date: String,
    article: JsonArticle<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    amount: Option<JsonAmount>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reporting_value: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    term: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    parties: Option<&'a [String]>,
}

fn json_amount(amount: &Amount) -> JsonAmount {
    let money = amount.money();
    JsonAmount {
        value: money.map(|m| money::plain_decimal(m.value)),
        currency: money.map(|m| m.currency.to_string()),
        precision: amount.precision(),
    }
}

fn reporting(amount: &Amount, value: Option<rust_decimal::Decimal>) -> Option<String> {
    match amount {
        Amount::Undisclosed => None,
        Amount::Figure { .. } => value.map(|v| money::plain_decimal(money::round_reporting(v))),
    }
}

fn records(site: &Site) -> Vec<JsonDeal<'_>> {
    let article = |i: ArticleIdx| {
        let placed = &site.articles[i];
        JsonArticle {
            title: &placed.article.title,
            url: site.config.absolute_url(&placed.rel_url),
        }
    };
    site.deals
        .iter_enumerated()
        .map(|(k, r)| {
            let record = &site.records[k];
            let deal = &record.current;
            let declared = &record.original;
            JsonDeal {
                date: deal.date.to_string(),
                parties: &deal.parties,
                kind: deal.kind.as_deref(),
                amount: json_amount(&deal.amount),
                reporting_value: reporting(&deal.amount, deal.reporting_value),
                article: article(r.article),
                id: &record.id,
                url: site.config.absolute_url(
                    &crate::render::edition::Edition::of(&site.config, site.config.language)
                        .deal(&record.id),
                ),
                status: deal.status.as_str(),
                term: deal.term.as_deref(),
                original: JsonFigures {
                    parties: &declared.parties,
                    amount: json_amount(&declared.amount),
                    reporting_value: reporting(&declared.amount, declared.reporting_value),
                    status: declared.status.as_str(),
                    term: declared.term.as_deref(),
                },
                revisions: record
                    .revisions
                    .iter()
                    .map(|applied| (applied.article, &applied.revision))
                    .map(|(i, rev)| JsonRevision {
                        date: site.articles[i].article.date.to_string(),
                        article: article(i),
                        amount: rev.amount.as_ref().map(|(a, _)| json_amount(a)),
                        reporting_value: rev.amount.as_ref().map(|(a, v)| reporting(a, *v)),
                        status: rev.status.map(|s| s.as_str()),
                        term: rev.term.as_deref(),
                        parties: rev.parties.as_deref(),
                    })
                    .collect(),
                coverage: record
                    .coverage
                    .iter()
                    .map(|&i| site.config.absolute_url(&site.articles[i].rel_url))
                    .collect(),
            }
        })
        .collect()
}

/// What a value escapes in the parties cells: the `;` of the `; ` join.
const PARTY_SPECIALS: &[char] = &[';'];
/// What a value escapes in the revisions cell: the `|` between revisions,
/// the `,` between fields and the `&` between a revision's parties.
const REVISION_SPECIALS: &[char] = &['|', ',', '&'];

/// A value in a list cell, with a backslash before each of `specials` and
/// before each backslash, so a reader can split on the unescaped separators;
/// a value holding none of them is written as it is.
fn escape<'a>(value: &'a str, specials: &[char]) -> std::borrow::Cow<'a, str> {
    let special = |c: char| c == '\\' || specials.contains(&c);
    if !value.contains(special) {
        return value.into();
    }
    let mut out = String::with_capacity(value.len() + 4);
    for c in value.chars() {
        if special(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out.into()
}

/// The parties cell: the names joined with `; `, each `;` and `\` in a name escaped.
fn parties_cell(parties: &[String]) -> String {
    parties
        .iter()
        .map(|p| escape(p, PARTY_SPECIALS))
        .collect::<Vec<_>>()
        .join("; ")
}

/// A revision in one CSV cell: `DATE URL field=value, …`, each `|`, `,`,
/// `&` and `\` of the URL and of a value escaped.
fn revision_cell(rev: &JsonRevision) -> String {
    let esc = |v: &str| escape(v, REVISION_SPECIALS).into_owned();
    let mut set = Vec::new();
    if let Some(a) = &rev.amount {
        let value = a.value.clone().unwrap_or_else(|| "undisclosed".to_string());
        let currency = a.currency.clone().unwrap_or_default();
        set.push(format!("amount={value} {currency} ({})", a.precision).replace("  ", " "));
    }
    if let Some(s) = rev.status {
        set.push(format!("status={s}"));
    }
    if let Some(t) = rev.term {
        set.push(format!("term={}", esc(t)));
    }
    if let Some(p) = rev.parties {
        let names: Vec<String> = p.iter().map(|n| esc(n)).collect();
        set.push(format!("parties={}", names.join(" & ")));
    }
    format!("{} {} {}", rev.date, esc(&rev.article.url), set.join(", "))
}

/// `deals.json`: `{ "reporting_currency": "USD", "deals": [...] }`, newest first.
pub fn deals_json(site: &Site) -> String {
    let export = JsonExport {
        reporting_currency: site.config.reporting_currency.code(),
        deals: records(site),
    };
    let mut text = serde_json::to_string_pretty(&export).unwrap_or_default();
    text.push('\n');
    text
}

/// `deals.csv`: one deal a row, in the JSON order, list cells escaped
/// (`parties_cell`, `revision_cell`), cells guarded against formulas.
pub fn deals_csv(site: &Site) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let header = [
        "date",
        "parties",
        "kind",
        "value",
        "currency",
        "precision",
        "reporting_value",
        "title",
        "url",
        "id",
        "status",
        "term",
        "original_parties",
        "original_value",
        "original_currency",
        "original_precision",
        "original_reporting_value",
        "original_status",
        "original_term",
        "revisions",
    ];
    let mut rows: Vec<[String; 20]> = Vec::with_capacity(site.deals.len());
    for d in records(site) {
        let o = d.original;
        rows.push([
            d.date,
            parties_cell(d.parties),
            d.kind.unwrap_or("").to_string(),
            d.amount.value.unwrap_or_default(),
            d.amount.currency.unwrap_or_default(),
            d.amount.precision.to_string(),
            d.reporting_value.unwrap_or_default(),
            d.article.title.to_string(),
            d.article.url,
            d.id.to_string(),
            d.status.to_string(),
            d.term.unwrap_or("").to_string(),
            parties_cell(o.parties),
            o.amount.value.unwrap_or_default(),
            o.amount.currency.unwrap_or_default(),
            o.amount.precision.to_string(),
            o.reporting_value.unwrap_or_default(),
            o.status.to_string(),
            o.term.unwrap_or("").to_string(),
            d.revisions
                .iter()
                .map(revision_cell)
                .collect::<Vec<_>>()
                .join(" | "),
        ]);
    }
    // Writing to a Vec cannot fail; a failure would only drop the row.
    let _ = w.write_record(header);
    for row in rows {
        let _ = w.write_record(row.iter().map(|c| guard_formula(c).into_owned()));
    }
    // Every cell is a Rust string, so the bytes are UTF-8.
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// Spreadsheets run cells starting with `= + - @` (or a tab or CR) as formulas:
/// such a cell gets a `'` before it. So that a reader can take the `'` off
/// again, a cell whose text starts with `'`s and then one of those gets one
/// more `'` too: a reader drops one `'` from a cell that starts with one or
/// more `'` and then one of `= + - @`, tab or CR, and leaves every other cell.
fn guard_formula(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell
        .trim_start_matches('\'')
        .starts_with(['=', '+', '-', '@', '\t', '\r'])
    {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

/// The most URLs one sitemap file may list (the protocol's limit; at about
/// 150 bytes a URL, a file stays far below its 50 MB limit too).
pub const SITEMAP_URLS: usize = 50_000;

/// The sitemap files, from `(site-relative URL, lastmod)` pairs: one
/// `sitemap.xml` while the site has at most `per_file` URLs; past that,
/// `sitemap.xml` is a sitemap index of `sitemap-1.xml`, `sitemap-2.xml`…,
/// each with at most `per_file` URLs, its `lastmod` the newest of its pages.
pub fn sitemaps(
    config: &Config,
    pages: &[(String, Option<jiff::civil::Date>)],
    per_file: usize,
) -> Vec<(String, Vec<u8>)> {
    let per_file = per_file.max(1);
    if pages.len() <= per_file {
        return vec![("sitemap.xml".to_string(), sitemap(config, pages))];
    }
    let mut index = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    let mut files = Vec::new();
    for (n, chunk) in pages.chunks(per_file).enumerate() {
        let name = format!("sitemap-{}.xml", n + 1);
        index.push_str("  <sitemap><loc>");
        index.push_str(&crate::escape::html(&config.absolute_url(&name)));
        index.push_str("</loc>");
        if let Some(newest) = chunk.iter().filter_map(|(_, d)| *d).max() {
            index.push_str(&format!("<lastmod>{newest}</lastmod>"));
        }
        index.push_str("</sitemap>\n");
        files.push((name, sitemap(config, chunk)));
    }
    index.push_str("</sitemapindex>\n");
    files.insert(0, ("sitemap.xml".to_string(), index.into_bytes()));
    files
}

/// One sitemap file (`urlset`) of `(site-relative URL, lastmod)` pairs.
fn sitemap(config: &Config, pages: &[(String, Option<jiff::civil::Date>)]) -> Vec<u8> {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (rel, lastmod) in pages {
        out.push_str("  <url><loc>");
        out.push_str(&crate::escape::html(&config.absolute_url(rel)));
        out.push_str("</loc>");
        if let Some(d) = lastmod {
            out.push_str(&format!("<lastmod>{d}</lastmod>"));
        }
        out.push_str("</url>\n");
    }
    out.push_str("</urlset>\n");
    out.into_bytes()
}

/// The page left at an old path (an article's alias): it sends browsers
/// and crawlers to `target` (absolute) at once, names it canonical, and asks
/// not to be indexed. No sitemap lists it.
pub fn redirect(target: &str, lang: crate::i18n::Lang) -> Vec<u8> {
    let url = crate::escape::html(target);
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{url}</title>\n<meta name=\"robots\" content=\"noindex\">\n<link rel=\"canonical\" href=\"{url}\">\n<meta http-equiv=\"refresh\" content=\"0; url={url}\">\n</head>\n<body>\n<p><a href=\"{url}\">{url}</a></p>\n</body>\n</html>\n",
        lang = lang.code()
    )
    .into_bytes()
}

/// `robots.txt`, pointing at the sitemap.
pub fn robots(config: &Config) -> Vec<u8> {
    format!(
        "User-agent: *\nAllow: /\n\nSitemap: {}\n",
        config.absolute_url("sitemap.xml")
    )
    .into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_sites_get_a_sitemap_index() {
        let config = crate::config::parse("title: T\nbase_url: https://e.org/b/\n").unwrap();
        let date = |d: &str| Some(d.parse::<jiff::civil::Date>().unwrap());
        let pages: Vec<(String, Option<jiff::civil::Date>)> = (0..5)
            .map(|i| {
                (
                    format!("articles/a{i}/"),
                    date(&format!("2025-01-0{}", i + 1)),
                )
            })
            .collect();
        let one = sitemaps(&config, &pages, 5);
        assert_eq!(one.len(), 1);
        assert!(String::from_utf8_lossy(&one[0].1).contains("<urlset"));
        let split = sitemaps(&config, &pages, 2);
        let names: Vec<&str> = split.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "sitemap.xml",
                "sitemap-1.xml",
                "sitemap-2.xml",
                "sitemap-3.xml"
            ]
        );
        let index = String::from_utf8_lossy(&split[0].1).into_owned();
        assert!(index.contains("<sitemapindex"), "{index}");
        assert!(index.contains("<sitemap><loc>https://e.org/b/sitemap-2.xml</loc><lastmod>2025-01-04</lastmod></sitemap>"), "{index}");
        for (_, bytes) in &split[1..] {
            let text = String::from_utf8_lossy(bytes);
            assert!(text.matches("<url>").count() <= 2);
            assert!(urls_closed(&text));
        }
        let last = String::from_utf8_lossy(&split[3].1).into_owned();
        assert!(last.contains("https://e.org/b/articles/a4/") && !last.contains("a3/"));
    }

    /// Every `<url>` of a sitemap file is closed.
    fn urls_closed(text: &str) -> bool {
        text.matches("<url>").count() == text.matches("</url>").count()
    }

    #[test]
    fn list_cells_escape_their_separators_and_backslashes() {
        let names = ["Foo; Bar".to_string(), "A\\B".into(), "Plain & Co".into()];
        assert_eq!(parties_cell(&names), "Foo\\; Bar; A\\\\B; Plain & Co");
        assert_eq!(
            escape("5 years | then, 2 & 3", REVISION_SPECIALS),
            "5 years \\| then\\, 2 \\& 3"
        );
        assert!(matches!(
            escape("OpenAI; Amazon", REVISION_SPECIALS),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn formula_cells_are_guarded() {
        assert_eq!(guard_formula("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(guard_formula("@x"), "'@x");
        assert_eq!(guard_formula("OpenAI"), "OpenAI");
        assert_eq!(guard_formula("'=x"), "''=x", "a reader takes one `'` off");
        assert_eq!(guard_formula("'Tis"), "'Tis");
        assert_eq!(guard_formula("'"), "'");
    }
}
