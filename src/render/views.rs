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
use crate::render::edition::Edition;
use crate::site::{Placed, Site, Total};

/// Every card and row of one edition of the site, indexed like
/// `Site::articles` and `Site::deals`, each made the first time a page asks
/// for it (a render of one page makes few), then shared by every page that
/// shows it. The empty slots are a pointer each, so preparing them costs
/// little at any size.
pub struct Views<'a> {
    site: &'a Site,
    edition: Edition,
    cards: IdxVec<ArticleIdx, OnceLock<Box<ArticleCard>>>,
    rows: IdxVec<DealIdx, OnceLock<Box<DealRow>>>,
}

impl<'a> Views<'a> {
    /// Prepares the (empty) cards and rows of a site's edition.
    pub fn new(site: &'a Site, edition: Edition) -> Views<'a> {
        Views {
            site,
            edition,
            cards: site.articles.iter().map(|_| OnceLock::new()).collect(),
            rows: site.deals.iter().map(|_| OnceLock::new()).collect(),
        }
    }

    /// The edition these cards and rows are made for.
    pub fn edition(&self) -> &Edition {
        &self.edition
    }

    /// The card of an article in this edition: its translation into the
    /// edition's language where there is one, dated in that language.
    pub fn card(&self, i: ArticleIdx) -> &ArticleCard {
        self.cards[i].get_or_init(|| {
            let site = self.site;
            let p = &site.articles[i];
            let shown = p
                .translations
                .iter()
                .copied()
                .filter(|_| p.article.lang != self.edition.lang)
                .find(|&t| site.articles[t].article.lang == self.edition.lang)
                .unwrap_or(i);
            Box::new(card(site, &self.edition, shown))
        })
    }

    /// The row of a deal of the index, with its current figures: in the
    /// site's edition as its article reports it, in another edition in that
    /// edition's language.
    pub fn row(&self, k: DealIdx) -> &DealRow {
        self.rows[k].get_or_init(|| {
            let site = self.site;
            let record = &site.records[k];
            Box::new(if self.edition.is_main() {
                let declaring = &site.articles[record.declared.article];
                row_of(site, &self.edition, declaring, &record.current, &record.id)
            } else {
                in_language(site, &self.edition, k, &record.current)
            })
        })
    }

    /// Every row, newest first.
    pub fn all_rows(&self) -> Vec<&DealRow> {
        self.rows.indices().map(|k| self.row(k)).collect()
    }
}

/// The links to an article's tag pages in an edition.
pub fn tag_links(config: &Config, edition: &Edition, p: &Placed) -> Vec<TagLink> {
    p.article
        .tags
        .iter()
        .map(|(name, slug)| TagLink {
            name: name.clone(),
            url: config.path_url(&edition.tag(slug)),
        })
        .collect()
}

/// An article's card in an edition: dated in the edition's language.
fn card(site: &Site, edition: &Edition, i: ArticleIdx) -> ArticleCard {
    let config = &site.config;
    let p = &site.articles[i];
    let a = &p.article;
    ArticleCard {
        title: a.title.clone(),
        url: config.path_url(&p.rel_url),
        lang: a.lang.code().to_string(),
        date: format_date(a.date, edition.lang),
        date_iso: a.date.to_string(),
        // A template cannot fail where none is used: a list shows embeds as links.
        summary_html: crate::render::embeds::fill(
            site,
            None,
            i,
            &a.summary_html,
            crate::render::embeds::Surface::List,
        )
        .unwrap_or_default(),
        tags: tag_links(config, edition, p),
        deal_count: site.shown[i].len(),
        image_html: crate::render::embeds::card_image(site, i),
    }
}

/// An author's link: their page in an edition.
pub fn author_link(config: &Config, edition: &Edition, name: &str) -> AuthorLink {
    AuthorLink {
        name: name.to_string(),
        url: config.path_url(&edition.author(name)),
    }
}

/// A party's link: its page in an edition.
pub fn party_link(config: &Config, edition: &Edition, name: &str) -> PartyLink {
    PartyLink {
        name: name.to_string(),
        url: config.path_url(&edition.party(name)),
    }
}

/// A deal as a row of the edition `edition`: with its declaring article in
/// the edition's language where it is translated, dates and amounts in that
/// language.
pub fn in_language(site: &Site, edition: &Edition, k: DealIdx, deal: &Deal) -> DealRow {
    let record = &site.records[k];
    let declaring = &site.articles[record.declared.article];
    let in_lang = declaring
        .translations
        .iter()
        .map(|&t| &site.articles[t])
        .chain(std::iter::once(declaring))
        .find(|t| t.article.lang == edition.lang)
        .unwrap_or(declaring);
    let row = row_of(site, edition, in_lang, deal, &record.id);
    if in_lang.article.lang == edition.lang {
        row
    } else {
        relang(site, row, deal, edition.lang)
    }
}

/// A deal as the article `i` shows it (current figures, in its language,
/// worded as a translation restates it), as a table row, with the latest
/// revision since the article reported it.
pub fn shown_row(site: &Site, i: ArticleIdx, k: DealIdx) -> DealRow {
    let record = &site.records[k];
    let lang = site.articles[i].article.lang;
    let edition = Edition::of(&site.config, lang);
    let mut row = in_language(site, &edition, k, &record.shown_in(i, &site.articles));
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

/// A deal of the index with its current figures, as a row in `lang`'s
/// edition.
pub fn row_in(site: &Site, k: DealIdx, lang: Lang) -> DealRow {
    let edition = Edition::of(&site.config, lang);
    in_language(site, &edition, k, &site.records[k].current)
}

/// A row's dates and amounts in another language.
fn relang(site: &Site, mut row: DealRow, deal: &Deal, lang: Lang) -> DealRow {
    row.date = format_date(deal.date, lang);
    row.amount = format::amount(&deal.amount, lang);
    row.reporting = reporting(&site.config, deal, lang);
    row.lang = lang.code().to_string();
    row
}

/// What the article `i` set of a deal, in an edition's language: the
/// amount as `(before, after)` when `before` is given, else `("", reported)`.
pub fn revision(
    site: &Site,
    edition: &Edition,
    i: ArticleIdx,
    rev: &crate::article::Revision,
    before: Option<&money::Amount>,
) -> RevisionView {
    let config = &site.config;
    let p = &site.articles[i];
    let lang = edition.lang;
    RevisionView {
        date: format_date(p.article.date, lang),
        date_iso: p.article.date.to_string(),
        title: p.article.title.clone(),
        url: config.path_url(&p.rel_url),
        lang: p.article.lang.code().to_string(),
        amount: rev.amount.as_ref().map(|(new, _)| {
            let before = before.map_or(String::new(), |b| format::amount(b, lang));
            (before, format::amount(new, lang))
        }),
        status: rev.status.map(|s| s.as_str().to_string()),
        term: rev.term.clone(),
        parties: rev.parties.as_ref().map(|names| {
            names
                .iter()
                .map(|n| party_link(config, edition, n))
                .collect()
        }),
    }
}

/// A deal reported by an article, with the figures given, as a table row
/// in the article's language.
pub fn row_of(site: &Site, edition: &Edition, p: &Placed, deal: &Deal, id: &str) -> DealRow {
    let config = &site.config;
    let a = &p.article;
    let parties: Vec<PartyLink> = deal
        .parties
        .iter()
        .map(|n| party_link(config, edition, n))
        .collect();
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
        article_lang: a.lang.code().to_string(),
        id: id.to_string(),
        status: deal.status.as_str().to_string(),
        url: config.path_url(&edition.deal(id)),
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
