//! Light view records built once from the model: article cards, deal rows,
//! totals. List pages borrow these; none holds an article's body.

use crate::article::Deal;
use std::sync::OnceLock;

use crate::config::Config;
use crate::i18n::{Lang, format_date};
use crate::index::{ArticleIdx, DealIdx, DealNo, Idx, IdxVec};
use crate::money::{self, Money, format};
use crate::render::context::{ArticleCard, AuthorLink, DealRow, PartyLink, TagLink, TotalView};
use crate::site::{Placed, Site, Total};

/// Every card and row of the site, indexed like `Site::articles` and
/// `Site::deals`, each made the first time a page asks for it (a render of
/// one page makes few), then shared by every page that shows it. The empty
/// slots are a pointer each, so preparing them costs little at any size.
pub struct Views<'a> {
    site: &'a Site,
    cards: IdxVec<ArticleIdx, OnceLock<Box<ArticleCard>>>,
    rows: IdxVec<DealIdx, OnceLock<Box<DealRow>>>,
}

impl<'a> Views<'a> {
    /// Prepares the (empty) cards and rows of a site.
    pub fn new(site: &'a Site) -> Views<'a> {
        Views {
            site,
            cards: site.articles.iter().map(|_| OnceLock::new()).collect(),
            rows: site.deals.iter().map(|_| OnceLock::new()).collect(),
        }
    }

    /// The card of an article.
    pub fn card(&self, i: ArticleIdx) -> &ArticleCard {
        self.cards[i].get_or_init(|| Box::new(card(&self.site.config, &self.site.articles[i])))
    }

    /// The row of a deal of the index, with its current figures.
    pub fn row(&self, k: DealIdx) -> &DealRow {
        self.rows[k].get_or_init(|| {
            let r = self.site.deals[k];
            let record = &self.site.records[k];
            Box::new(row_of(
                self.site,
                &self.site.articles[r.article],
                &record.current,
                &record.id,
            ))
        })
    }

    /// Every row, newest first.
    pub fn all_rows(&self) -> Vec<&DealRow> {
        self.rows.indices().map(|k| self.row(k)).collect()
    }
}

/// The links to an article's tag pages.
pub fn tag_links(config: &Config, p: &Placed) -> Vec<TagLink> {
    p.article
        .tags
        .iter()
        .map(|(name, slug)| TagLink {
            name: name.clone(),
            url: config.path_url(&format!("tags/{slug}/")),
        })
        .collect()
}

fn card(config: &Config, p: &Placed) -> ArticleCard {
    let a = &p.article;
    ArticleCard {
        title: a.title.clone(),
        url: config.path_url(&p.rel_url),
        lang: a.lang.code().to_string(),
        date: format_date(a.date, a.lang),
        date_iso: a.date.to_string(),
        summary_html: crate::markdown::rebased_html(
            &a.summary_html,
            &a.body.links,
            &config.path_url(&p.rel_url),
        ),
        tags: tag_links(config, p),
        deal_count: a.deals.len(),
    }
}

/// An author's page, relative to the site: `authors/SLUG/`.
pub fn author_rel(name: &str) -> String {
    let slug = crate::slug::Slug::from_text(name)
        .map(|s| s.to_string())
        .unwrap_or_default();
    format!("authors/{slug}/")
}

/// An author's link: their page on the site.
pub fn author_link(config: &Config, name: &str) -> AuthorLink {
    AuthorLink {
        name: name.to_string(),
        url: config.path_url(&author_rel(name)),
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

/// One deal of an article as it declares it, as a table row, in its
/// language.
pub fn row(site: &Site, p: &Placed, index: DealNo) -> DealRow {
    let deal = &p.article.deals[index.get()];
    // A translation's deal is its original's: it has the original's id.
    let source = if p.is_translation {
        p.translations
            .iter()
            .map(|&t| &site.articles[t])
            .find(|o| !o.is_translation && o.article.deals.len() > index.get())
    } else {
        None
    };
    let id = crate::site::deal_id(&source.unwrap_or(p).article, index);
    row_of(site, p, deal, &id)
}

/// A deal's page, relative to the site: `deals/id/ID/`.
pub fn deal_rel(id: &str) -> String {
    format!("deals/id/{id}/")
}

/// A deal reported by an article, with the figures given, as a table row
/// in the article's language.
pub fn row_of(site: &Site, p: &Placed, deal: &Deal, id: &str) -> DealRow {
    let config = &site.config;
    let a = &p.article;
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
        id: id.to_string(),
        status: deal.status.as_str().to_string(),
        url: config.path_url(&deal_rel(id)),
    }
}

/// A total for display, in the site's language.
pub fn total(config: &Config, total: &Total, lang: Lang) -> TotalView {
    let sum = money::round_reporting(total.sum);
    TotalView {
        amount: format::money(
            Money {
                value: sum,
                currency: config.reporting_currency,
            },
            lang,
            2,
        ),
        value: money::plain_decimal(sum),
        count: total.count,
        undisclosed: total.undisclosed,
        bounded: total.bounded,
        cancelled: total.cancelled,
    }
}
