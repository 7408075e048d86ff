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
//! relative to the site's base path (`base`), the article's language
//! when it is not the site's (else ""), the deal's status (0 announced,
//! 1 completed, 2 cancelled), and its id (its page is `deals/id/ID/`). The index gives the month names that
//! dates are shown with, per language. Every text is what the HTML table
//! shows, so the script builds the same rows (with DOM methods, never as
//! markup). Rows are kept this compact because a year of a large archive
//! holds ten thousand deals.

use std::collections::HashMap;

use serde::Serialize;

use super::context::DealRow;
use super::edition::Edition;
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
    parties: Vec<(&'a str, String)>,
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
    u8,
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

/// The filter's data of a site: what each file holds, made into JSON only
/// when asked (a rebuild makes again only the shards whose deals changed).
pub struct Data<'s> {
    site: &'s Site,
    edition: &'s Edition,
    parties: Vec<&'s crate::site::PartyEntry>,
    number: HashMap<&'s str, usize>,
    kinds: Vec<&'s str>,
    years: Vec<(i16, Vec<DealIdx>)>,
}

/// One file of the data.
pub enum Part<'d> {
    /// `index.json`.
    Index,
    /// A shard of these deals.
    Shard(&'d [DealIdx]),
}

impl<'s> Data<'s> {
    /// The data's plan for an edition of `site` (its files under the
    /// edition's folder, its parties' pages in the edition).
    pub fn new(site: &'s Site, edition: &'s Edition) -> Data<'s> {
        let parties: Vec<_> = site.parties.values().collect();
        let number = parties
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
        Data {
            site,
            edition,
            parties,
            number,
            kinds,
            years: by_year(site),
        }
    }

    /// Every file: (site-relative path, what it holds), the index last.
    pub fn parts(&self) -> Vec<(String, Part<'_>)> {
        let mut parts: Vec<(String, Part)> = self
            .years
            .iter()
            .map(|(year, deals)| {
                let rel = self.edition.rel(&format!("deals-data/year/{year}.json"));
                (rel, Part::Shard(deals.as_slice()))
            })
            .collect();
        parts.extend(self.parties.iter().map(|e| {
            (
                self.edition
                    .rel(&format!("deals-data/party/{}.json", e.slug)),
                Part::Shard(&e.deals),
            )
        }));
        parts.push((self.edition.rel(INDEX), Part::Index));
        parts
    }

    /// What a shard's numbers refer to: the parties and kinds, in order. A
    /// shard's JSON depends on them as well as on its deals.
    pub fn numbering(&self) -> (Vec<&str>, &[&str]) {
        (
            self.parties.iter().map(|e| e.name.as_str()).collect(),
            &self.kinds,
        )
    }

    /// One shard's JSON.
    pub fn shard<'r>(&self, deals: &[DealIdx], row: impl Fn(DealIdx) -> &'r DealRow) -> String {
        let config = &self.site.config;
        let site_lang = self.edition.lang.code();
        let rows = deals
            .iter()
            .map(|&k| {
                let d = row(k);
                (
                    d.date_iso.as_str(),
                    d.parties
                        .iter()
                        .filter_map(|p| self.number.get(p.name.as_str()).copied())
                        .collect(),
                    self.kinds
                        .binary_search(&d.kind.as_str())
                        .map_or(0, |i| i + 1),
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
                    match d.status.as_str() {
                        "completed" => 1,
                        "cancelled" => 2,
                        _ => 0,
                    },
                    d.id.as_str(),
                )
            })
            .collect();
        json(&Shard { deals: rows })
    }

    /// `index.json`.
    pub fn index(&self) -> String {
        let config = &self.site.config;
        let index = Index {
            currency: config.reporting_currency.to_string(),
            base: &config.base_path,
            lang: self.edition.lang.code(),
            months: crate::i18n::Lang::ALL
                .into_iter()
                .map(|l| (l.code(), crate::i18n::month_names(l)))
                .collect(),
            parties: self
                .parties
                .iter()
                .map(|e| {
                    let url = super::views::party_link(config, self.edition, &e.name).url;
                    (e.name.as_str(), url)
                })
                .collect(),
            kinds: self.kinds.clone(),
            years: self
                .years
                .iter()
                .map(|(y, d)| (*y, d.len(), format!("year/{y}.json")))
                .collect(),
            party_shards: self
                .parties
                .iter()
                .map(|e| (e.deals.len(), format!("party/{}.json", e.slug)))
                .collect(),
        };
        json(&index)
    }
}

/// JSON safe to serve and to read: `<`, `>` and `&` escaped, as in `json_ld`.
fn json(value: &impl Serialize) -> String {
    serde_json::to_string(value)
        .unwrap_or_default()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}
