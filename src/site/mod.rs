//! MODEL: validated articles → one `Site`: URLs, order, the deals index, totals,
//! tags and parties.
//!
//! Input: the parsed articles and the `Config`. Output: a `Site` where everything
//! a page needs is computed once, or the cross-file errors (two articles at one
//! URL). Order is total and stable: newest first, ties by slug, so output is the
//! same whatever order the articles were parsed in.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::article::{Article, Deal, Kind, Status};
use crate::config::Config;
use crate::diag::{Diagnostic, Diagnostics};
use crate::i18n::Lang;
use crate::index::{ArticleIdx, DealIdx, DealNo, Idx, IdxVec};
use crate::money::{Amount, Bound};
use crate::party::party_slug;
use crate::slug::Slug;

/// An article placed in the site.
#[derive(Clone, Debug)]
pub struct Placed {
    /// The article (shared with a session's parse cache, copied only to change it).
    pub article: Arc<Article>,
    /// Its path relative to the base URL (`articles/x/` or `fr/articles/x/`).
    pub rel_url: Arc<str>,
    /// The same article in other languages.
    pub translations: Vec<ArticleIdx>,
    /// Whether this is the translation of another article (not listed on its own).
    pub is_translation: bool,
}

impl Placed {
    /// Whether it is listed on its own: an article (not a page) that is no
    /// other's translation.
    pub fn is_listed(&self) -> bool {
        !self.is_translation && !self.article.is_page()
    }

    /// The absolute URL its own URL and its aliases send readers to: its
    /// page's, or a redirecting page's `redirect_to` (a path on the site
    /// made absolute under `base_url`).
    pub fn target_url(&self, config: &Config) -> String {
        match &self.article.redirect {
            Some(to) if to.starts_with('/') => config.absolute_url(to.trim_start_matches('/')),
            Some(to) => to.clone(),
            None => config.absolute_url(&self.rel_url),
        }
    }
}

/// A deal in the index: which article, which of its deals.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DealRef {
    /// The article.
    pub article: ArticleIdx,
    /// Which of its deals.
    pub deal: DealNo,
}

/// A sum of deals in the reporting currency.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Total {
    /// Sum of the figures converted to the reporting currency.
    pub sum: Decimal,
    /// Deals counted.
    pub count: usize,
    /// Deals without a figure.
    pub undisclosed: usize,
    /// Deals summed at an upper bound or an estimate.
    pub bounded: usize,
    /// Cancelled deals: listed, neither counted nor summed.
    pub cancelled: usize,
}

impl Total {
    fn add(&mut self, deal: &Deal) {
        if deal.status == Status::Cancelled {
            self.cancelled += 1;
            return;
        }
        self.count += 1;
        match (deal.amount, deal.reporting_value) {
            (Amount::Figure { bound, .. }, Some(v)) => {
                // Values are at most `money::MAX_VALUE`, so no site can reach
                // the limit; saturating keeps even a broken invariant from panicking.
                self.sum = self.sum.saturating_add(v);
                if bound != Bound::Exact {
                    self.bounded += 1;
                }
            }
            _ => self.undisclosed += 1,
        }
    }
}

pub mod records;

pub use records::{DealRecord, deal_id};

/// A party with deals.
#[derive(Clone, Debug)]
pub struct PartyEntry {
    /// Canonical name.
    pub name: String,
    /// URL slug.
    pub slug: Slug,
    /// Its deals in the index, newest first.
    pub deals: Vec<DealIdx>,
    /// Their total.
    pub total: Total,
}

/// A tag with articles.
#[derive(Clone, Debug)]
pub struct TagEntry {
    /// The tag as first written.
    pub name: String,
    /// URL slug.
    pub slug: Slug,
    /// Listed articles with this tag, newest first.
    pub articles: Vec<ArticleIdx>,
}

/// An author with articles.
#[derive(Clone, Debug)]
pub struct AuthorEntry {
    /// Canonical name (the first spelling met, for undeclared names).
    pub name: String,
    /// URL slug.
    pub slug: Slug,
    /// Listed articles with this byline, newest first.
    pub articles: Vec<ArticleIdx>,
}

/// The whole site model.
#[derive(Clone, Debug)]
pub struct Site {
    /// The configuration.
    pub config: Config,
    /// Every article to build, newest first, ties by slug then language.
    pub articles: IdxVec<ArticleIdx, Placed>,
    /// Every deal of listed articles, newest first, ties by article slug.
    pub deals: IdxVec<DealIdx, DealRef>,
    /// Each deal's id, current figures, revisions and coverage.
    pub records: IdxVec<DealIdx, DealRecord>,
    /// The deals each article shows (declared or covered; a translation
    /// shows its original's), by article.
    pub shown: IdxVec<ArticleIdx, Vec<DealIdx>>,
    /// The deals each article's body shows as cards, by article: its page
    /// shows their current figures, so it changes when they do.
    pub cards: IdxVec<ArticleIdx, Vec<DealIdx>>,
    /// The model's warnings (earlier refs, one party written two ways).
    pub warnings: Vec<Diagnostic>,
    /// All deals' total.
    pub total: Total,
    /// Totals by year of the deal, newest first.
    pub by_year: Vec<(i16, Total)>,
    /// Parties with deals, by slug.
    pub parties: BTreeMap<Slug, PartyEntry>,
    /// Tags, by slug.
    pub tags: BTreeMap<Slug, TagEntry>,
    /// Authors, by slug.
    pub authors: BTreeMap<Slug, AuthorEntry>,
    /// Listed articles by the (year, month) of their date, newest first.
    pub months: BTreeMap<(i16, i8), Vec<ArticleIdx>>,
    /// The standalone pages (`content/pages/`) that are no other's
    /// translation, redirects included.
    pub pages: Vec<ArticleIdx>,
    /// The languages articles are written in, in `Lang::ALL` order.
    pub languages: Vec<Lang>,
    /// A preview (`serve`): articles dated after today are shown, marked
    /// as scheduled.
    pub preview: bool,
    /// The images articles show, published responsive (set by the pipeline
    /// once the files are known; empty until then).
    pub media: Arc<crate::media::Media>,
}

impl Site {
    /// The deal a reference points at, as its article declares it.
    pub fn deal(&self, r: DealRef) -> &Deal {
        &self.articles[r.article].article.deals[r.deal.get()]
    }

    /// A deal of the index as it stands now (every revision applied).
    pub fn current(&self, k: DealIdx) -> &Deal {
        &self.records[k].current
    }

    /// Likely duplicates, for `check`: two deals of the index with the same
    /// parties, figures within 5 % of each other and dates within 30 days,
    /// which an editor probably meant as one deal (`ref:`). Each pair is
    /// one warning, at the later deal's line, naming the other's file and
    /// line. Deals are grouped by parties and sorted by date, so the cost
    /// stays near linear.
    pub fn likely_duplicates(&self) -> Vec<Diagnostic> {
        let mut groups: HashMap<Vec<Slug>, Vec<DealIdx>> = HashMap::new();
        for (k, record) in self.records.iter_enumerated() {
            let deal = &record.current;
            if deal.reporting_value.is_none() || deal.status == Status::Cancelled {
                continue;
            }
            let mut key: Vec<Slug> = deal.parties.iter().filter_map(|p| party_slug(p)).collect();
            key.sort_unstable();
            groups.entry(key).or_default().push(k);
        }
        let mut warnings = Vec::new();
        for deals in groups.values_mut() {
            deals.sort_by_key(|&k| (self.records[k].current.date, k));
            for (n, &a) in deals.iter().enumerate() {
                for &b in &deals[n + 1..] {
                    let (da, db) = (&self.records[a].current, &self.records[b].current);
                    let days = (db.date - da.date).get_days();
                    if days > 30 {
                        break;
                    }
                    let (Some(va), Some(vb)) = (da.reporting_value, db.reporting_value) else {
                        continue;
                    };
                    if (va - vb).abs() * Decimal::from(20) > va.max(vb) {
                        continue;
                    }
                    warnings.push(self.duplicate_warning(a, b, days));
                }
            }
        }
        warnings
    }

    fn duplicate_warning(&self, first: DealIdx, second: DealIdx, days: i32) -> Diagnostic {
        let place = |k: DealIdx| {
            let r = self.deals[k];
            let article = &self.articles[r.article].article;
            (article, &article.deals[r.deal.get()])
        };
        let (a_article, a_deal) = place(first);
        let (b_article, b_deal) = place(second);
        let line = a_deal
            .at
            .1
            .map(|(l, _)| format!(":{l}"))
            .unwrap_or_default();
        let suggestion = match &a_deal.id {
            Some(id) => format!("did you mean `ref: {id}`?"),
            None => "did you mean `ref:`? (give that deal an `id:` and refer to it)".to_string(),
        };
        Diagnostic::warning(
            &b_article.source_path,
            format!(
                "this deal looks like the one in {}{line} (the same parties, amounts within 5 %, {days} days apart): {suggestion}",
                a_article.source_path
            ),
        )
        .at_opt(b_deal.at.1)
        .field(&b_deal.at.0)
    }

    /// The site with some articles replaced by new parses of their files
    /// (`(old, new)` pairs), made without placing every article again: each
    /// new article takes its old one's index. When every replacement has its
    /// old one's shape (`Article::same_shape`), only the totals are summed
    /// again (if figures changed), and the flag returned is `false`: the
    /// site's files are the same. When one has another shape but the same
    /// place (new tags, authors, deals, aliases…), the lists, deals index and
    /// totals are made again from the articles as `assemble` makes them, and
    /// the flag is `true`. `None` when a replacement has another place, or
    /// its links do not resolve: the caller then assembles the site whole.
    pub fn with_replaced(&self, replaced: &[(Arc<Article>, Arc<Article>)]) -> Option<(Site, bool)> {
        let mut site = self.clone();
        let mut reindex = false;
        let mut deals_changed = false;
        let mut placed_again = Vec::new();
        for (old, new) in replaced {
            if !old.same_place(new) {
                return None;
            }
            reindex |= !old.same_shape(new);
            deals_changed |= !old.same_deals(new);
            // A draft left out of the site has no place to take.
            let Some(i) = site
                .articles
                .indices()
                .find(|&i| site.articles[i].article.source_path == new.source_path)
            else {
                continue;
            };
            let placed = &mut site.articles[i];
            let mut article = Arc::clone(new);
            if placed.is_translation {
                // As `assemble` does: a translation takes its original's slug.
                Arc::make_mut(&mut article).slug = placed.article.slug.clone();
            }
            placed.article = article;
            placed_again.push(i);
        }
        let mut errors = Diagnostics::new();
        resolve_source_links(&mut site.articles, &site.config, &mut errors, |i| {
            placed_again.contains(&i)
        });
        if !errors.is_empty() {
            return None;
        }
        if reindex || deals_changed {
            // Every record, list and total made again from the articles, as
            // `assemble` makes them; when only deals changed, the files are
            // named again only if what names them changed (a new amount or
            // term names none).
            let new = index(site.config, site.articles).ok()?;
            let renamed = reindex || new.files_key() != self.files_key();
            return Some((new, renamed));
        }
        Some((site, false))
    }

    /// What of the model names the site's files and dates them in the
    /// sitemap (both are made when the files are named): each deal's id,
    /// date and coverage, the pages of each party, tag, author, month and
    /// year (with what each lists, which sets its number of pages and its
    /// date), and the languages. Two models with the same key have the same
    /// files and sitemap (`with_replaced`); the session property checks it
    /// against fresh builds.
    fn files_key(&self) -> impl PartialEq + '_ {
        (
            self.records
                .iter()
                .map(|r| (r.id.as_str(), r.current.date, &r.coverage))
                .collect::<Vec<_>>(),
            self.parties
                .values()
                .map(|p| (&p.slug, &p.deals))
                .collect::<Vec<_>>(),
            self.tags
                .values()
                .map(|t| (&t.slug, t.articles.len()))
                .collect::<Vec<_>>(),
            self.authors
                .values()
                .map(|a| (&a.slug, a.articles.len()))
                .collect::<Vec<_>>(),
            self.months
                .iter()
                .map(|(m, a)| (*m, a.len()))
                .collect::<Vec<_>>(),
            self.by_year.iter().map(|(y, _)| *y).collect::<Vec<_>>(),
            &self.languages,
        )
    }

    /// Sums the deals: the site's total, each year's and each party's.
    fn sum_totals(&mut self) {
        let mut total = Total::default();
        let mut years: BTreeMap<i16, Total> = BTreeMap::new();
        for record in self.records.iter() {
            let deal = &record.current;
            total.add(deal);
            years.entry(deal.date.year()).or_default().add(deal);
        }
        let records = &self.records;
        for entry in self.parties.values_mut() {
            entry.total = Total::default();
            for &k in &entry.deals {
                entry.total.add(&records[k].current);
            }
        }
        self.total = total;
        self.by_year = years.into_iter().rev().collect();
    }

    /// The articles listed on their own (originals and untranslated
    /// articles; no page).
    pub fn listed(&self) -> impl Iterator<Item = ArticleIdx> + '_ {
        self.articles
            .iter_enumerated()
            .filter(|(_, p)| p.is_listed())
            .map(|(i, _)| i)
    }
}

/// Today's date where dealwire runs: an article dated later is scheduled.
pub fn today() -> jiff::civil::Date {
    jiff::ZonedDateTime::now().date()
}

/// Holds back the articles dated after `today` (by their own calendar date),
/// unless `future`: they are published by the first build on or after their
/// date. Gives the articles to publish, and the source path and date of each
/// held back, soonest first.
pub fn hold_back(
    articles: Vec<Arc<Article>>,
    future: bool,
    today: jiff::civil::Date,
) -> (Vec<Arc<Article>>, Vec<(String, jiff::civil::Date)>) {
    if future {
        return (articles, Vec::new());
    }
    let (published, later): (Vec<_>, Vec<_>) = articles.into_iter().partition(|a| a.date <= today);
    let mut scheduled: Vec<(String, jiff::civil::Date)> = later
        .into_iter()
        .map(|a| (a.source_path.clone(), a.date))
        .collect();
    scheduled.sort_by(|a, b| (a.1, &a.0).cmp(&(b.1, &b.0)));
    (published, scheduled)
}

/// Places articles, orders them and computes the deals index.
pub fn assemble(
    config: Config,
    articles: Vec<Arc<Article>>,
    drafts: bool,
) -> Result<Site, Diagnostics> {
    match assemble_all(config, articles, drafts) {
        (Some(site), errors) if errors.is_empty() => Ok(site),
        (_, errors) => Err(errors),
    }
}

/// `assemble`, the site still made when its only errors are links that
/// point to no article (for `check`, which reports every problem in one
/// run); none when two articles claim one URL or one slug.
pub fn assemble_all(
    config: Config,
    mut articles: Vec<Arc<Article>>,
    drafts: bool,
) -> (Option<Site>, Diagnostics) {
    articles.retain(|a| drafts || !a.draft);
    articles.sort_by(|a, b| {
        (b.date, &a.slug, a.lang, &a.source_path).cmp(&(a.date, &b.slug, b.lang, &b.source_path))
    });
    let mut errors = Diagnostics::new();
    let articles: IdxVec<ArticleIdx, Arc<Article>> = articles.into();
    // Pair translations: a file with a language suffix whose original exists.
    let mut originals: BTreeMap<&str, ArticleIdx> = BTreeMap::new();
    for (i, a) in articles.iter_enumerated() {
        if !a.has_language_suffix {
            originals.insert(a.translation_key.as_str(), i);
        }
    }
    let original_of: IdxVec<ArticleIdx, Option<ArticleIdx>> = articles
        .iter()
        .map(|a| {
            a.has_language_suffix
                .then(|| originals.get(a.translation_key.as_str()).copied())
                .flatten()
        })
        .collect();
    drop(originals);
    let original_slugs: Vec<Option<Slug>> = original_of
        .iter()
        .map(|o| o.map(|o| articles[o].slug.clone()))
        .collect();
    let mut placed: IdxVec<ArticleIdx, Placed> = IdxVec::default();
    for (mut article, original_slug) in articles.into_iter().zip(original_slugs) {
        let is_translation = original_slug.is_some();
        let prefix = match original_slug {
            Some(slug) => {
                Arc::make_mut(&mut article).slug = slug;
                format!("{}/", article.lang.code())
            }
            None => String::new(),
        };
        let rel_url = match &article.kind {
            Kind::Article => format!("{prefix}articles/{}/", article.slug),
            Kind::Page { folders } => format!("{prefix}{folders}{}/", article.slug),
        };
        placed.push(Placed {
            article,
            rel_url: rel_url.into(),
            translations: Vec::new(),
            is_translation,
        });
    }
    // Each original lists its translations; each translation lists its
    // original, then the other translations.
    for (i, o) in original_of.iter_enumerated() {
        if let Some(o) = *o {
            placed[o].translations.push(i);
        }
    }
    for (i, o) in original_of.iter_enumerated() {
        if let Some(o) = *o {
            let siblings = std::iter::once(o)
                .chain(placed[o].translations.iter().copied().filter(|&j| j != i))
                .collect();
            placed[i].translations = siblings;
        }
    }
    check_collisions(&placed, &mut errors);
    if !errors.is_empty() {
        return (None, errors);
    }
    resolve_source_links(&mut placed, &config, &mut errors, |_| true);
    match index(config, placed) {
        Ok(site) => (Some(site), errors),
        Err(more) => {
            errors.extend(more);
            (None, errors)
        }
    }
}

/// Two articles at one URL, or with one slug and language, are an error
/// naming both; so is a page at a URL dealwire's own pages use.
fn check_collisions(placed: &IdxVec<ArticleIdx, Placed>, errors: &mut Diagnostics) {
    let mut by_url: BTreeMap<&str, &Placed> = BTreeMap::new();
    let mut by_slug_lang: BTreeMap<(&Slug, Lang), &Placed> = BTreeMap::new();
    let mut sorted: Vec<&Placed> = placed.iter().collect();
    sorted.sort_by(|a, b| a.article.source_path.cmp(&b.article.source_path));
    for p in sorted {
        if p.article.is_page() {
            let own = p
                .rel_url
                .strip_prefix(&format!("{}/", p.article.lang.code()))
                .filter(|_| p.is_translation)
                .unwrap_or(&p.rel_url);
            if let Some(first) = crate::places::reserved_root(own) {
                errors.push(
                    Diagnostic::error(
                        &p.article.source_path,
                        format!(
                            "the page's URL `/{own}` is under `/{first}/`, where dealwire publishes its own pages: rename the file or its folder, or set a different `slug:`"
                        ),
                    )
                    .field("slug"),
                );
                continue;
            }
            // Pages and articles have URLs of their own: only the URL counts.
            match by_url.get(&*p.rel_url) {
                Some(first) => errors.push(
                    Diagnostic::error(
                        &p.article.source_path,
                        format!(
                            "the page's URL `/{}` is already that of {}: set a different `slug:`",
                            p.rel_url, first.article.source_path
                        ),
                    )
                    .field("slug"),
                ),
                None => {
                    by_url.insert(&p.rel_url, p);
                }
            }
            continue;
        }
        let clash = by_url
            .get(&*p.rel_url)
            .or_else(|| by_slug_lang.get(&(&p.article.slug, p.article.lang)));
        if let Some(first) = clash {
            errors.push(
                Diagnostic::error(
                    &p.article.source_path,
                    format!(
                        "the slug `{}` is already used by {} (same URL or language): set a different `slug:`",
                        p.article.slug, first.article.source_path
                    ),
                )
                .field("slug"),
            );
        } else {
            by_url.insert(&p.rel_url, p);
            by_slug_lang.insert((&p.article.slug, p.article.lang), p);
        }
    }
}

fn index(config: Config, articles: IdxVec<ArticleIdx, Placed>) -> Result<Site, Diagnostics> {
    let mut deals: Vec<DealRef> = Vec::new();
    for (ai, p) in articles.iter_enumerated() {
        if !p.is_translation {
            deals.extend((0..p.article.deals.len()).map(|di| DealRef {
                article: ai,
                deal: DealNo::new(di),
            }));
        }
    }
    let key = |r: &DealRef| -> (Date, &Slug) {
        (
            articles[r.article].article.deals[r.deal.get()].date,
            &articles[r.article].article.slug,
        )
    };
    deals.sort_by(|a, b| {
        let (da, sa) = key(a);
        let (db, sb) = key(b);
        db.cmp(&da).then(sa.cmp(sb)).then(a.deal.cmp(&b.deal))
    });
    let mut parties: BTreeMap<Slug, PartyEntry> = BTreeMap::new();
    let deals: IdxVec<DealIdx, DealRef> = deals.into();
    let records::Records {
        records,
        shown,
        cards,
        warnings,
    } = records::derive(&config, &articles, &deals)?;
    for (i, record) in records.iter_enumerated() {
        // A party page lists the deals its party is in now.
        for name in &record.current.parties {
            let Some(slug) = party_slug(name) else {
                continue;
            };
            let entry = parties.entry(slug.clone()).or_insert_with(|| PartyEntry {
                name: name.clone(),
                slug,
                deals: Vec::new(),
                total: Total::default(),
            });
            // Two names of one deal may share a page (`Acme`, `ACME`): count it once.
            if entry.deals.last() != Some(&i) {
                entry.deals.push(i);
            }
        }
    }
    let mut tags: BTreeMap<Slug, TagEntry> = BTreeMap::new();
    let mut authors: BTreeMap<Slug, AuthorEntry> = BTreeMap::new();
    let mut months: BTreeMap<(i16, i8), Vec<ArticleIdx>> = BTreeMap::new();
    for (i, p) in articles.iter_enumerated().filter(|(_, p)| p.is_listed()) {
        let date = p.article.date;
        months
            .entry((date.year(), date.month()))
            .or_default()
            .push(i);
        for (name, slug) in &p.article.tags {
            tags.entry(slug.clone())
                .or_insert_with(|| TagEntry {
                    name: name.clone(),
                    slug: slug.clone(),
                    articles: Vec::new(),
                })
                .articles
                .push(i);
        }
        for name in &p.article.authors {
            let Some(slug) = Slug::from_text(name) else {
                continue;
            };
            let entry = authors.entry(slug.clone()).or_insert_with(|| AuthorEntry {
                name: name.clone(),
                slug,
                articles: Vec::new(),
            });
            if entry.articles.last() != Some(&i) {
                entry.articles.push(i);
            }
        }
    }
    let pages = articles
        .iter_enumerated()
        .filter(|(_, p)| p.article.is_page() && !p.is_translation)
        .map(|(i, _)| i)
        .collect();
    let languages = Lang::ALL
        .into_iter()
        .filter(|&l| articles.iter().any(|p| p.article.lang == l))
        .collect();
    let mut site = Site {
        config,
        languages,
        articles,
        deals,
        records,
        shown,
        cards,
        warnings,
        total: Total::default(),
        by_year: Vec::new(),
        parties,
        tags,
        authors,
        months,
        pages,
        preview: false,
        media: Arc::default(),
    };
    site.sum_totals();
    Ok(site)
}

/// Points `@/articles/FILE.md` links (Zola-style, relative to `content/`) at
/// the target's URL: each such link's `dest` becomes the target's root-relative
/// URL, which the page, list and feed renderers then write into its slot. The
/// written path is percent-decoded first, so `@/articles/accord-%C3%A9t%C3%A9.md`
/// and `@/articles/accord-été.md` are the same file. Unknown targets are errors.
/// Only the articles `only` selects are resolved.
fn resolve_source_links(
    placed: &mut IdxVec<ArticleIdx, Placed>,
    config: &Config,
    errors: &mut Diagnostics,
    only: impl Fn(ArticleIdx) -> bool,
) {
    let has_source_link = |p: &Placed| {
        p.article
            .body
            .links
            .iter()
            .any(crate::markdown::Link::is_source)
    };
    let wanted: Vec<ArticleIdx> = placed
        .indices()
        .filter(|&i| only(i) && has_source_link(&placed[i]))
        .collect();
    if wanted.is_empty() {
        return;
    }
    let urls: BTreeMap<String, String> = placed
        .iter()
        .map(|p| (p.article.source_path.clone(), config.path_url(&p.rel_url)))
        .collect();
    for i in wanted {
        let p = &mut placed[i];
        let body_line = p.article.body_line;
        let source_path = p.article.source_path.clone();
        let article = std::sync::Arc::make_mut(&mut p.article);
        for link in article.body.links.iter_mut().filter(|l| l.is_source()) {
            let (path, fragment) = link
                .written
                .split_at(link.written.find('#').unwrap_or(link.written.len()));
            let decoded = percent_encoding::percent_decode_str(&path[2..]).decode_utf8_lossy();
            let source = format!("content/{decoded}");
            match urls.get(&source) {
                Some(url) => link.replaced = Some(format!("{url}{fragment}")),
                None => errors.push(
                    Diagnostic::error(
                        &source_path,
                        format!(
                            "the link `{}` points to no article or page (no file `{source}`)",
                            link.written
                        ),
                    )
                    .at(link.line + body_line - 1, link.col),
                ),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    fn config() -> Config {
        crate::config::parse(
            "title: T\nbase_url: https://e.org/b/\nrates: { EUR: 1.5 }\nparties:\n  Amazon: { aliases: [AWS] }\n",
        )
        .unwrap()
    }

    fn article(path: &str, front: &str) -> Article {
        let file = SourceFile::new(path, format!("---\n{front}---\nBody.\n").into_bytes());
        let config = config();
        crate::article::parse(&file, &config.article_settings(), &mut Default::default()).unwrap()
    }

    fn shared(articles: Vec<Article>) -> Vec<Arc<Article>> {
        articles.into_iter().map(Arc::new).collect()
    }

    fn deal(date: &str, amount: &str) -> String {
        format!("date: {date}\ntitle: x\ndeal:\n  amount: {amount}\n  parties: [AWS, OpenAI]\n")
    }

    #[test]
    fn orders_deals_newest_first_then_by_slug_and_sums_once() {
        let site = assemble(
            config(),
            shared(vec![
                article("content/b.md", &deal("2025-01-02", "$1B")),
                article("content/a.md", &deal("2025-01-02", "up to €2B")),
                article("content/c.md", &deal("2024-05-01", "undisclosed")),
                article(
                    "content/d.md",
                    &format!("draft: true\n{}", deal("2026-01-01", "$9B")),
                ),
            ]),
            false,
        )
        .unwrap();
        let order: Vec<&str> = site
            .deals
            .iter()
            .map(|r| site.articles[r.article].article.slug.as_str())
            .collect();
        assert_eq!(order, ["a", "b", "c"], "drafts left out, ties by slug");
        assert_eq!(
            site.total,
            Total {
                sum: Decimal::from(4),
                count: 3,
                undisclosed: 1,
                bounded: 1,
                cancelled: 0,
            }
            .scaled()
        );
        assert_eq!(
            site.by_year
                .iter()
                .map(|(y, t)| (*y, t.count))
                .collect::<Vec<_>>(),
            [(2025, 2), (2024, 1)]
        );
        let amazon = &site.parties[&Slug::parse("amazon").unwrap()];
        assert_eq!(
            (amazon.total.count, amazon.total.sum),
            (3, Decimal::from(4_000_000_000u64))
        );
    }

    #[test]
    fn pairs_translations_and_rejects_shared_slugs() {
        let site = assemble(
            config(),
            shared(vec![
                article("content/x.md", &deal("2025-01-01", "$1B")),
                article("content/x.fr.md", &deal("2025-01-01", "1 Md$")),
            ]),
            false,
        )
        .unwrap();
        let urls: Vec<&str> = site.articles.iter().map(|p| &*p.rel_url).collect();
        assert_eq!(urls, ["articles/x/", "fr/articles/x/"]);
        assert_eq!(site.deals.len(), 1, "a translation's deal counts once");
        let (first, second) = (ArticleIdx::new(0), ArticleIdx::new(1));
        assert_eq!(site.articles[first].translations, [second]);
        let clash = assemble(
            config(),
            shared(vec![
                article("content/one.md", "slug: s\ndate: 2025-01-01\ntitle: a\n"),
                article("content/two.md", "slug: s\ndate: 2025-01-01\ntitle: b\n"),
            ]),
            false,
        )
        .unwrap_err();
        assert!(
            clash[0].message.contains("content/one.md"),
            "{}",
            clash[0].message
        );
        assert_eq!(clash[0].path, "content/two.md");
    }

    #[test]
    fn one_party_whatever_its_case_or_unicode_form_named_as_first_written() {
        let nfd = "E\u{301}lyse\u{301}e";
        let site = assemble(
            config(),
            shared(vec![
                article(
                    "content/b.md",
                    &format!("date: 2025-02-01\ntitle: b\ndeal:\n  amount: $1B\n  parties: [{nfd}, ACME, AMAZON]\n"),
                ),
                article(
                    "content/a.md",
                    "date: 2025-01-01\ntitle: a\ndeal:\n  amount: $2B\n  parties: [Élysée, Acme]\n",
                ),
            ]),
            false,
        )
        .unwrap();
        let names: Vec<&str> = site.parties.values().map(|p| p.name.as_str()).collect();
        assert_eq!(
            names,
            ["Acme", "Amazon", "Élysée"],
            "as declared, else as first written"
        );
        for record in site.records.iter() {
            assert!(
                record
                    .current
                    .parties
                    .iter()
                    .all(|p| names.contains(&p.as_str()))
            );
        }
        assert_eq!(site.parties[&Slug::parse("acme").unwrap()].deals.len(), 2);
        let warned: Vec<&str> = site.warnings.iter().map(|w| w.message.as_str()).collect();
        assert_eq!(warned.len(), 2, "{warned:?}");
        assert!(
            warned
                .iter()
                .any(|w| w.starts_with("`ACME` and `Acme` are one party"))
        );
    }

    #[test]
    fn the_latest_article_wins_and_an_earlier_ref_sets_nothing() {
        let site = assemble(
            config(),
            shared(vec![
                article(
                    "content/declared.md",
                    "date: 2025-06-01\ntitle: d\ndeal:\n  id: x\n  amount: $1B\n  parties: [AWS, OpenAI]\n",
                ),
                article(
                    "content/rumour.md",
                    "date: 2025-01-01\ntitle: r\ndeals:\n  - { ref: x, amount: $7B }\n",
                ),
                article(
                    "content/later.md",
                    "date: 2025-07-01\ntitle: l\ndeals:\n  - { ref: x, term: 3 years }\n",
                ),
            ]),
            false,
        )
        .unwrap();
        let record = &site.records[DealIdx::new(0)];
        assert_eq!(
            record.current.reporting_value,
            Some(Decimal::from(1_000_000_000u64))
        );
        assert_eq!(record.current.term.as_deref(), Some("3 years"));
        assert_eq!(record.revisions.len(), 1);
        assert_eq!(record.earlier.len(), 1);
        assert_eq!(site.total.sum, Decimal::from(1_000_000_000u64));
        let warning = &site.warnings[0];
        assert_eq!(warning.path, "content/rumour.md");
        assert!(
            warning.message.contains("content/declared.md"),
            "{}",
            warning.message
        );
        // The declaring article shows that its figures changed since, and when.
        let declared = site
            .listed()
            .find(|&i| site.articles[i].article.slug.as_str() == "declared")
            .unwrap();
        let since = record
            .revised_since(declared, &site.articles)
            .expect("revised");
        assert_eq!(site.articles[since.article].article.slug.as_str(), "later");
        let later = site
            .listed()
            .find(|&i| site.articles[i].article.slug.as_str() == "later")
            .unwrap();
        assert_eq!(record.revised_since(later, &site.articles), None);
        assert_eq!(
            site.shown[later],
            [DealIdx::new(0)],
            "a ref-only article shows the deal"
        );
    }

    #[test]
    fn a_ref_of_the_declarations_own_day_revises_it() {
        let site = assemble(
            config(),
            shared(vec![
                article(
                    "content/z-declared.md",
                    "date: 2025-06-01\ntitle: d\ndeal:\n  id: x\n  amount: $1B\n  parties: [AWS, OpenAI]\n",
                ),
                article(
                    "content/a-same-day.md",
                    "date: 2025-06-01\ntitle: s\ndeals:\n  - { ref: x, amount: $2B }\n",
                ),
            ]),
            false,
        )
        .unwrap();
        let record = &site.records[DealIdx::new(0)];
        assert_eq!(
            record.current.reporting_value,
            Some(Decimal::from(2_000_000_000u64))
        );
        assert!(record.earlier.is_empty() && site.warnings.is_empty());
        let declared = site
            .listed()
            .find(|&i| site.articles[i].article.slug.as_str() == "z-declared")
            .unwrap();
        assert!(record.revised_since(declared, &site.articles).is_some());
    }

    impl Total {
        /// The test's sums are in billions.
        fn scaled(mut self) -> Total {
            self.sum *= Decimal::from(1_000_000_000u64);
            self
        }
    }
}
