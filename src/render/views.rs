//! Light view records built once from the model: article cards, deal rows,
//! totals. List pages borrow these; none holds an article's body.

use crate::article::Deal;
use std::sync::OnceLock;

use crate::config::Config;
use crate::i18n::{Lang, format_date};
use crate::index::{ArticleIdx, DealIdx, IdxVec};
use crate::money::{self, Money, format};
use crate::render::context::{
    ArticleCard, AuthorLink, DealRow, PartyLink, RevisionView, TagLink, TotalView,
};
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

/// A deal as the article `i` shows it (current figures, in its language,
/// worded as a translation restates it), as a table row, with the latest
/// revision since the article reported it.
pub fn shown_row(site: &Site, i: ArticleIdx, k: DealIdx) -> DealRow {
    let record = &site.records[k];
    let deal = record.shown_in(i, &site.articles);
    // The row links the declaring article in the shown article's language.
    let declaring = &site.articles[record.declared.article];
    let in_lang = declaring
        .translations
        .iter()
        .map(|&t| &site.articles[t])
        .chain(std::iter::once(declaring))
        .find(|t| t.article.lang == site.articles[i].article.lang)
        .unwrap_or(declaring);
    let mut row = row_of(site, in_lang, &deal, &record.id);
    // Dates and amounts in the language of the page that shows it.
    let lang = site.articles[i].article.lang;
    if in_lang.article.lang != lang {
        row = relang(site, row, &deal, lang);
    }
    if let Some(since) = record.revised_since(i, &site.articles) {
        let p = &site.articles[since.article];
        row.revised = Some(crate::render::context::RevisedLink {
            date: format_date(p.article.date, lang),
            date_iso: p.article.date.to_string(),
            title: p.article.title.clone(),
            url: site.config.path_url(&p.rel_url),
        });
    }
    row
}

/// A deal of the index with its current figures, as a row in `lang`.
pub fn row_in(site: &Site, k: DealIdx, lang: Lang) -> DealRow {
    let record = &site.records[k];
    let declaring = &site.articles[record.declared.article];
    let row = row_of(site, declaring, &record.current, &record.id);
    if declaring.article.lang == lang {
        row
    } else {
        relang(site, row, &record.current, lang)
    }
}

/// A row's dates and amounts in another language.
fn relang(site: &Site, mut row: DealRow, deal: &Deal, lang: Lang) -> DealRow {
    row.date = format_date(deal.date, lang);
    row.amount = format::amount(&deal.amount, lang);
    row.reporting = reporting(&site.config, deal, lang);
    row.lang = lang.code().to_string();
    row
}

/// What the article `i` set of a deal, in its language: the amount as
/// `(before, after)` when `before` is given, else `("", reported)`.
pub fn revision(
    site: &Site,
    i: ArticleIdx,
    rev: &crate::article::Revision,
    before: Option<&money::Amount>,
) -> RevisionView {
    let config = &site.config;
    let p = &site.articles[i];
    let lang = p.article.lang;
    RevisionView {
        date: format_date(p.article.date, lang),
        date_iso: p.article.date.to_string(),
        title: p.article.title.clone(),
        url: config.path_url(&p.rel_url),
        lang: lang.code().to_string(),
        amount: rev.amount.as_ref().map(|(new, _)| {
            let before = before.map_or(String::new(), |b| format::amount(b, lang));
            (before, format::amount(new, lang))
        }),
        status: rev.status.map(|s| s.as_str().to_string()),
        term: rev.term.clone(),
        parties: rev
            .parties
            .as_ref()
            .map(|names| names.iter().map(|n| party_link(config, n)).collect()),
    }
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
    let reporting = reporting(config, deal, a.lang);
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
        revised: None,
    }
}

/// A foreign amount's reporting-currency equivalent (`≈ $1.3 billion`), or
/// nothing.
fn reporting(config: &Config, deal: &Deal, lang: Lang) -> String {
    match (deal.amount.money(), deal.reporting_value) {
        (Some(m), Some(v)) if m.currency != config.reporting_currency => {
            format!(
                "≈ {}",
                format::money(
                    Money {
                        value: v,
                        currency: config.reporting_currency
                    },
                    lang,
                    1
                )
            )
        }
        _ => String::new(),
    }
}

/// A total for display, in the site's language.
pub fn total(config: &Config, total: &Total, lang: Lang) -> TotalView {
    let sum = money::round_reporting(total.sum);
    // Nothing summed is not a sum of zero: deals without a figure are
    // `undisclosed`, and no deal counted (all cancelled) is a dash.
    let amount = if total.count == 0 && total.cancelled > 0 {
        "—".to_string()
    } else if total.count > 0 && total.undisclosed == total.count {
        format::amount(&money::Amount::Undisclosed, lang)
    } else {
        format::money(
            Money {
                value: sum,
                currency: config.reporting_currency,
            },
            lang,
            2,
        )
    };
    TotalView {
        amount,
        value: money::plain_decimal(sum),
        count: total.count,
        undisclosed: total.undisclosed,
        bounded: total.bounded,
        cancelled: total.cancelled,
    }
}
