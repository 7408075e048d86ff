//! Light view records built once from the model: article cards, deal rows,
//! totals. List pages borrow these; none holds an article's body.

use rust_decimal::Decimal;

use crate::config::Config;
use crate::i18n::{Lang, format_date};
use crate::money::{self, Money, format};
use crate::render::context::{ArticleCard, DealRow, PartyLink, TagLink, TotalView};
use crate::site::{Placed, Site, Total};

/// Every card and row of the site, indexed like `Site::articles` and `Site::deals`.
pub struct Views {
    /// One card per article.
    pub cards: Vec<ArticleCard>,
    /// One row per deal of the index.
    pub rows: Vec<DealRow>,
    /// Tag links per article.
    pub tag_links: Vec<Vec<TagLink>>,
    /// Per article, the indexes of its rows in `rows`.
    pub rows_of: Vec<Vec<usize>>,
}

/// Builds every card and row once.
pub fn build(site: &Site) -> Views {
    let tag_links: Vec<Vec<TagLink>> = site
        .articles
        .iter()
        .map(|p| {
            p.article
                .tags
                .iter()
                .map(|(name, slug)| TagLink {
                    name: name.clone(),
                    url: site.config.path_url(&format!("tags/{slug}/")),
                })
                .collect()
        })
        .collect();
    let cards = site
        .articles
        .iter()
        .zip(&tag_links)
        .map(|(p, tags)| card(&site.config, p, tags.clone()))
        .collect();
    let rows = site
        .deals
        .iter()
        .map(|r| row(site, &site.articles[r.article], r.deal))
        .collect();
    let mut rows_of = vec![Vec::new(); site.articles.len()];
    for (k, r) in site.deals.iter().enumerate() {
        rows_of[r.article].push(k);
    }
    Views {
        cards,
        rows,
        tag_links,
        rows_of,
    }
}

fn card(config: &Config, p: &Placed, tags: Vec<TagLink>) -> ArticleCard {
    let a = &p.article;
    ArticleCard {
        title: a.title.clone(),
        url: config.path_url(&p.rel_url),
        lang: a.lang.code().to_string(),
        date: format_date(a.date, a.lang),
        date_iso: a.date.to_string(),
        summary_html: crate::markdown::rebase_links(&a.summary_html, &config.path_url(&p.rel_url)),
        tags,
        deal_count: a.deals.len(),
    }
}

/// A party's link.
pub fn party_link(config: &Config, name: &str) -> PartyLink {
    let slug = crate::party::party_slug(name)
        .map(|s| s.to_string())
        .unwrap_or_default();
    PartyLink {
        name: name.to_string(),
        url: config.path_url(&format!("deals/{slug}/")),
    }
}

/// One deal as a table row, in its article's language.
pub fn row(site: &Site, p: &Placed, index: usize) -> DealRow {
    let config = &site.config;
    let a = &p.article;
    let deal = &a.deals[index];
    let parties: Vec<PartyLink> = deal.parties.iter().map(|n| party_link(config, n)).collect();
    let reporting = match (deal.amount.money(), deal.reporting_value) {
        (Some(m), Some(v)) if m.currency != config.reporting_currency => {
            format!(
                "≈ {}",
                format::money(
                    Money {
                        value: v,
                        currency: config.reporting_currency
                    },
                    a.lang,
                    1
                )
            )
        }
        _ => String::new(),
    };
    DealRow {
        date: format_date(deal.date, a.lang),
        date_iso: deal.date.to_string(),
        year: deal.date.year(),
        parties_text: deal.parties.join(", "),
        parties,
        kind: deal.kind.clone().unwrap_or_default(),
        amount: format::amount(&deal.amount, a.lang),
        reporting,
        reporting_value: deal
            .reporting_value
            .map(|v| money::plain_decimal(money::round_reporting(v)))
            .unwrap_or_default(),
        precision: deal.amount.precision().to_string(),
        term: deal.term.clone().unwrap_or_default(),
        article_title: a.title.clone(),
        article_url: config.path_url(&p.rel_url),
        lang: a.lang.code().to_string(),
    }
}

/// A total for display, in the site's language.
pub fn total(config: &Config, total: &Total, lang: Lang) -> TotalView {
    let sum = money::round_reporting(total.sum);
    TotalView {
        amount: if total.count == total.undisclosed {
            format::money(
                Money {
                    value: Decimal::ZERO,
                    currency: config.reporting_currency,
                },
                lang,
                2,
            )
        } else {
            format::money(
                Money {
                    value: sum,
                    currency: config.reporting_currency,
                },
                lang,
                2,
            )
        },
        value: money::plain_decimal(sum),
        count: total.count,
        undisclosed: total.undisclosed,
        bounded: total.bounded,
    }
}
