//! The data of the deals filter: compact JSON shards that the deals page's
//! script fetches one at a time, so that sorting and filtering reach every
//! deal of a large archive without a page that holds them all.
//!
//! ```text
//! deals-data/index.json        parties, kinds, years, and the shard of each
//! deals-data/year/2025.json    one year's deals, newest first
//! deals-data/party/SLUG.json   one party's deals, every year, newest first
//! ```
//!
//! A shard is `{"deals": [ROW…]}`, each row an array in this order: ISO date,
//! party numbers (into the index's `parties`), kind number (into `kinds`,
//! from 1; 0 for none), amount as shown, reporting-currency equivalent as
//! shown (or ""), reporting value as plain digits (or "" when undisclosed),
//! 1 when the amount is undisclosed (else 0), article title, article URL
//! relative to the site's base path (`base`), and the article's language
//! when it is not the site's (else ""). The index gives the month names that
//! dates are shown with, per language. Every text is what the HTML table
//! shows, so the script builds the same rows (with DOM methods, never as
//! markup). Rows are kept this compact because a year of a large archive
//! holds ten thousand deals.

use std::collections::HashMap;

use serde::Serialize;

use super::context::DealRow;
use crate::index::DealIdx;
use crate::site::Site;

/// The index of the filter's data, site-relative.
pub const INDEX: &str = "deals-data/index.json";

#[derive(Serialize)]
struct Index<'a> {
    currency: String,
    /// The site's base path (`/briefing/`): article URLs are relative to it.
    base: &'a str,
    /// The site's language.
    lang: &'static str,
    /// Month names by language code, January first.
    months: std::collections::BTreeMap<&'static str, &'static [&'static str; 12]>,
    /// `[name, page URL]`.
    parties: Vec<(&'a str, &'a str)>,
    kinds: Vec<&'a str>,
    /// `[year, deals, shard]`, newest first; shards relative to the index.
    years: Vec<(i16, usize, String)>,
    /// Per party (same order as `parties`): `[deals, shard]`.
    party_shards: Vec<(usize, String)>,
}

type Row<'a> = (
    &'a str,
    Vec<usize>,
    usize,
    &'a str,
    &'a str,
    &'a str,
    u8,
    &'a str,
    &'a str,
    &'a str,
);

#[derive(Serialize)]
struct Shard<'a> {
    deals: Vec<Row<'a>>,
}

/// The deals of the index, by year: newest year first, each newest first.
pub fn by_year(site: &Site) -> Vec<(i16, Vec<DealIdx>)> {
    let mut years: Vec<(i16, Vec<DealIdx>)> = Vec::new();
    for k in site.deals.indices() {
        let year = site.deal(site.deals[k]).date.year();
        match years.iter_mut().find(|(y, _)| *y == year) {
            Some((_, list)) => list.push(k),
            None => years.push((year, vec![k])),
        }
    }
    years.sort_by_key(|y| std::cmp::Reverse(y.0));
    years
}

/// Every file of the filter's data: (site-relative path, JSON).
pub fn files<'r>(site: &Site, row: impl Fn(DealIdx) -> &'r DealRow) -> Vec<(String, String)> {
    let parties: Vec<_> = site.parties.values().collect();
    let links: Vec<super::context::PartyLink> = parties
        .iter()
        .map(|e| super::views::party_link(&site.config, &e.name))
        .collect();
    let number: HashMap<&str, usize> = parties
        .iter()
        .enumerate()
        .map(|(i, e)| (e.name.as_str(), i))
        .collect();
    let mut kinds: Vec<&str> = site
        .deals
        .iter()
        .filter_map(|r| site.deal(*r).kind.as_deref())
        .collect();
    kinds.sort_unstable();
    kinds.dedup();
    let config = &site.config;
    let site_lang = config.language.code();
    let shard = |deals: &[DealIdx]| -> String {
        let rows = deals
            .iter()
            .map(|&k| {
                let d = row(k);
                (
                    d.date_iso.as_str(),
                    d.parties
                        .iter()
                        .filter_map(|p| number.get(p.name.as_str()).copied())
                        .collect(),
                    kinds.binary_search(&d.kind.as_str()).map_or(0, |i| i + 1),
                    d.amount.as_str(),
                    d.reporting.as_str(),
                    d.reporting_value.as_str(),
                    u8::from(d.precision == "undisclosed"),
                    d.article_title.as_str(),
                    d.article_url
                        .strip_prefix(config.base_path.as_str())
                        .unwrap_or(&d.article_url),
                    if d.lang == site_lang {
                        ""
                    } else {
                        d.lang.as_str()
                    },
                )
            })
            .collect();
        json(&Shard { deals: rows })
    };
    let mut files = Vec::new();
    let mut years = Vec::new();
    for (year, deals) in by_year(site) {
        let name = format!("year/{year}.json");
        files.push((format!("deals-data/{name}"), shard(&deals)));
        years.push((year, deals.len(), name));
    }
    let mut party_shards = Vec::new();
    for e in &parties {
        let name = format!("party/{}.json", e.slug);
        files.push((format!("deals-data/{name}"), shard(&e.deals)));
        party_shards.push((e.deals.len(), name));
    }
    let index = Index {
        currency: config.reporting_currency.to_string(),
        base: &config.base_path,
        lang: site_lang,
        months: crate::i18n::Lang::ALL
            .into_iter()
            .map(|l| (l.code(), crate::i18n::month_names(l)))
            .collect(),
        parties: parties
            .iter()
            .zip(&links)
            .map(|(e, l)| (e.name.as_str(), l.url.as_str()))
            .collect(),
        kinds,
        years,
        party_shards,
    };
    files.push((INDEX.to_string(), json(&index)));
    files
}

/// JSON safe to serve and to read: `<`, `>` and `&` escaped, as in `json_ld`.
fn json(value: &impl Serialize) -> String {
    serde_json::to_string(value)
        .unwrap_or_default()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}
