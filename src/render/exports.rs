//! Machine-readable outputs: `deals.json`, `deals.csv`, `sitemap.xml`, `robots.txt`.
//!
//! Input: the `Site`. Output: bytes, exactly as SPEC.md describes them: plain
//! decimal digits, reporting values rounded half-even to 2 decimals, nulls (empty
//! CSV cells) for what is unknown, the same order in both exports.

use serde::Serialize;

use crate::config::Config;
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

fn records(site: &Site) -> Vec<JsonDeal<'_>> {
    site.deals
        .iter()
        .map(|r| {
            let placed = &site.articles[r.article];
            let deal = site.deal(*r);
            let money = deal.amount.money();
            JsonDeal {
                date: deal.date.to_string(),
                parties: &deal.parties,
                kind: deal.kind.as_deref(),
                amount: JsonAmount {
                    value: money.map(|m| money::plain_decimal(m.value)),
                    currency: money.map(|m| m.currency.to_string()),
                    precision: deal.amount.precision(),
                },
                reporting_value: match deal.amount {
                    Amount::Undisclosed => None,
                    Amount::Figure { .. } => deal
                        .reporting_value
                        .map(|v| money::plain_decimal(money::round_reporting(v))),
                },
                article: JsonArticle {
                    title: &placed.article.title,
                    url: site.config.absolute_url(&placed.rel_url),
                },
            }
        })
        .collect()
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

/// `deals.csv`: one deal a row, in the JSON order, cells guarded against formulas.
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
    ];
    let mut rows: Vec<[String; 9]> = Vec::with_capacity(site.deals.len());
    for d in records(site) {
        rows.push([
            d.date,
            d.parties.join("; "),
            d.kind.unwrap_or("").to_string(),
            d.amount.value.unwrap_or_default(),
            d.amount.currency.unwrap_or_default(),
            d.amount.precision.to_string(),
            d.reporting_value.unwrap_or_default(),
            d.article.title.to_string(),
            d.article.url,
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

/// Spreadsheets run cells starting with `= + - @` (or a tab or CR) as formulas.
fn guard_formula(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

/// `sitemap.xml` from `(site-relative URL, lastmod)` pairs.
pub fn sitemap(config: &Config, pages: &[(String, Option<jiff::civil::Date>)]) -> Vec<u8> {
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
    fn formula_cells_are_guarded() {
        assert_eq!(guard_formula("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(guard_formula("@x"), "'@x");
        assert_eq!(guard_formula("OpenAI"), "OpenAI");
    }
}
