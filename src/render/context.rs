//! The data each template receives: typed, serializable view structs.
//!
//! These structs *are* the theme guide: every field a template can use is here,
//! documented. List pages get light records (`ArticleCard`, `DealRow`) built once
//! per article or deal and shared by reference, never an article's whole body.
//! All strings are plain text that Tera escapes, except fields named `*_html`
//! and `chart_svg`, which dealwire made safe and templates print with `| safe`.

use serde::Serialize;

use crate::markdown::Heading;
use crate::render::edition::Edition;

/// Site-wide values, in every template as `site`.
#[derive(Serialize, Debug, Clone)]
pub struct SiteView {
    /// The briefing's title, in this edition's language (`languages:`).
    pub title: String,
    /// One-sentence description, in this edition's language.
    pub description: String,
    /// Absolute base URL, ending with `/`.
    pub base_url: String,
    /// Root-relative base path (`/briefing/`): prefix of every internal link.
    pub base_path: String,
    /// Root-relative URL of this edition's home (`/briefing/`, `/briefing/fr/`).
    pub home_url: String,
    /// Its absolute URL.
    pub home_permalink: String,
    /// The site's default language code.
    pub language: String,
    /// The reporting currency's ISO code.
    pub reporting_currency: String,
    /// Root-relative URL of the deals index.
    pub deals_url: String,
    /// Root-relative URLs of the feeds: articles (Atom, RSS) and deals (Atom).
    pub atom_url: String,
    /// See `atom_url`.
    pub rss_url: String,
    /// See `atom_url`.
    pub deals_feed_url: String,
    /// Root-relative URLs of `deals.json` and `deals.csv`.
    pub deals_json_url: String,
    /// See `deals_json_url`.
    pub deals_csv_url: String,
    /// Root-relative URL of the archive by month.
    pub archive_url: String,
    /// Where search is, when the site has it (`search.enabled`).
    pub search: Option<SearchLinks>,
    /// The standalone pages (`content/pages/`), each in this edition's
    /// language when it has that translation, by URL: for a menu or a
    /// footer.
    pub pages: Vec<PageLink>,
}

/// A link to a standalone page.
#[derive(Serialize, Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct PageLink {
    /// Root-relative URL.
    pub url: String,
    /// Its title.
    pub title: String,
    /// Its language code.
    pub lang: String,
}

/// The search page and bundle, as `site.search`.
#[derive(Serialize, Debug, Clone)]
pub struct SearchLinks {
    /// Root-relative URL of the search page, by language code (`en` →
    /// `/search/`, `fr` → `/fr/search/`): a page links its own language's.
    pub pages: std::collections::BTreeMap<String, String>,
    /// Root-relative URL of the Pagefind bundle folder (ends with `/`).
    pub bundle_url: String,
    /// The root-relative base path records' URLs are relative to.
    pub base_path: String,
}

impl SiteView {
    /// The site-wide values of a configuration, in one edition: its title
    /// and description, its home, deals index and archive; the exports and
    /// the deals feed are the site's.
    pub fn new(config: &crate::config::Config, edition: &Edition) -> SiteView {
        let lang = edition.lang;
        SiteView {
            title: config.title_in(lang).to_string(),
            description: config.description_in(lang).to_string(),
            base_url: config.base_url.clone(),
            base_path: config.base_path.clone(),
            home_url: config.path_url(&edition.home()),
            home_permalink: config.absolute_url(&edition.home()),
            language: config.language.code().to_string(),
            reporting_currency: config.reporting_currency.to_string(),
            deals_url: config.path_url(&edition.deals()),
            atom_url: config.path_url(&edition.rel("atom.xml")),
            rss_url: config.path_url(&edition.rel("rss.xml")),
            deals_feed_url: config.path_url("deals/atom.xml"),
            deals_json_url: config.path_url("deals.json"),
            deals_csv_url: config.path_url("deals.csv"),
            archive_url: config.path_url(&edition.archive()),
            search: config.search.then(|| SearchLinks {
                pages: crate::i18n::Lang::ALL
                    .iter()
                    .map(|&lang| {
                        let rel = Edition::of(config, lang).search();
                        (lang.code().to_string(), config.path_url(&rel))
                    })
                    .collect(),
                bundle_url: config.path_url(crate::render::search::BUNDLE_DIR),
                base_path: config.base_path.clone(),
            }),
            pages: Vec::new(),
        }
    }

    /// With the site's standalone pages, each in the edition's language
    /// when it has that translation, else as written.
    pub fn with_pages(mut self, site: &crate::site::Site, edition: &Edition) -> SiteView {
        let mut pages: Vec<PageLink> = site
            .pages
            .iter()
            .map(|&i| &site.articles[i])
            .filter(|p| p.article.redirect.is_none())
            .map(|p| {
                let shown = std::iter::once(p)
                    .chain(p.translations.iter().map(|&t| &site.articles[t]))
                    .find(|t| t.article.lang == edition.lang)
                    .unwrap_or(p);
                PageLink {
                    url: site.config.path_url(&shown.rel_url),
                    title: shown.article.title.clone(),
                    lang: shown.article.lang.code().to_string(),
                }
            })
            .collect();
        pages.sort();
        self.pages = pages;
        self
    }
}

/// What every page knows about itself, as `page`.
#[derive(Serialize, Debug, Clone)]
pub struct PageMeta {
    /// The `<title>` text (without the site title).
    pub title: String,
    /// The meta description.
    pub description: String,
    /// The canonical absolute URL.
    pub url: String,
    /// The page's language code (`lang` attribute).
    pub lang: String,
    /// Open Graph type: `website` or `article`.
    pub og_type: String,
    /// The page's lead image (`og:image`, `twitter:image`), when it has one.
    pub image: Option<crate::render::embeds::LeadView>,
}

/// A link to a tag page.
#[derive(Serialize, Debug, Clone)]
pub struct TagLink {
    /// The tag as written.
    pub name: String,
    /// Root-relative URL of its page.
    pub url: String,
}

/// A link to a party page.
#[derive(Serialize, Debug, Clone)]
pub struct PartyLink {
    /// Canonical name.
    pub name: String,
    /// Root-relative URL of its page.
    pub url: String,
}

/// A light record of an article for lists (home, tags).
#[derive(Serialize, Debug, Clone)]
pub struct ArticleCard {
    /// Title.
    pub title: String,
    /// Root-relative URL.
    pub url: String,
    /// The article's language code.
    pub lang: String,
    /// Date in the article's language (`3 novembre 2025`).
    pub date: String,
    /// ISO date (`2025-11-03`) for `<time datetime>`.
    pub date_iso: String,
    /// Summary HTML (safe).
    pub summary_html: String,
    /// Tags.
    pub tags: Vec<TagLink>,
    /// How many deals the article reports.
    pub deal_count: usize,
    /// Its lead image as a small responsive picture (safe HTML), or empty.
    pub image_html: String,
}

/// One deal, as a row of a table.
#[derive(Serialize, Debug, Clone)]
pub struct DealRow {
    /// Date in the article's language.
    pub date: String,
    /// ISO date.
    pub date_iso: String,
    /// The deal's year.
    pub year: i16,
    /// The parties, canonical, with their pages.
    pub parties: Vec<PartyLink>,
    /// The parties joined with `, ` (for filters).
    pub parties_text: String,
    /// Free-text kind, empty when absent.
    pub kind: String,
    /// The amount in the article's language (`38 milliards de dollars`).
    pub amount: String,
    /// The reporting-currency equivalent for a foreign currency (`≈ $1.3 billion`), else empty.
    pub reporting: String,
    /// The reporting value as plain decimal digits, empty when undisclosed (for sorting).
    pub reporting_value: String,
    /// `exact`, `at_most`, `at_least`, `about` or `undisclosed`.
    pub precision: String,
    /// Free-text term, empty when absent.
    pub term: String,
    /// The reporting article's title.
    pub article_title: String,
    /// The reporting article's root-relative URL.
    pub article_url: String,
    /// The language of the row's dates and amounts.
    pub lang: String,
    /// The language of `article_title` (an article without a translation
    /// into the row's language keeps its own title).
    pub article_lang: String,
    /// The deal's id (`openai-aws-2025`, or `SLUG-N` when none is given).
    pub id: String,
    /// `announced`, `completed` or `cancelled`.
    pub status: String,
    /// The deal's page (`/deals/id/ID/`), root-relative.
    pub url: String,
    /// On an article's page: the latest revision since that article
    /// reported the deal, when its figures changed since.
    pub revised: Option<RevisedLink>,
}

/// The article of a later revision of a deal.
#[derive(Serialize, Debug, Clone)]
pub struct RevisedLink {
    /// Its date, in the page's language.
    pub date: String,
    /// ISO date.
    pub date_iso: String,
    /// Its title.
    pub title: String,
    /// Its root-relative URL.
    pub url: String,
}

/// The context of `deal.html`: one deal as it stands, its history and the
/// articles that cover it.
#[derive(Serialize, Debug)]
pub struct DealContext<'a> {
    /// Site values.
    pub site: &'a SiteView,
    /// This page.
    pub page: PageMeta,
    /// The deal with its current figures, in the reporting article's language.
    pub deal: &'a DealRow,
    /// The figures it was declared with.
    pub original: DealRow,
    /// Each revision, oldest first.
    pub history: Vec<RevisionView>,
    /// Coverage dated before the declaration, which set nothing (oldest
    /// first): `amount` is `("", as reported)`.
    pub earlier: Vec<RevisionView>,
    /// Every article that reports or covers it, newest first.
    pub coverage: Vec<ArticleCard>,
}

/// What one article changed of a deal.
#[derive(Serialize, Debug)]
pub struct RevisionView {
    /// The revising article's date, in its language.
    pub date: String,
    /// ISO date.
    pub date_iso: String,
    /// The revising article's title.
    pub title: String,
    /// Its root-relative URL.
    pub url: String,
    /// Its language code.
    pub lang: String,
    /// The amount before and after, when it changed (`$38 billion`, `$50 billion`).
    pub amount: Option<(String, String)>,
    /// The status set (`completed`), when it changed.
    pub status: Option<String>,
    /// The term set, when it changed.
    pub term: Option<String>,
    /// The parties set, when they changed.
    pub parties: Option<Vec<PartyLink>>,
}

/// One quarter of the deals chart, as a row of its table.
#[derive(Serialize, Debug, Clone)]
pub struct QuarterRow {
    /// `Q1 2025` (`T1 2025` in French).
    pub label: String,
    /// The disclosed value of its deals.
    pub value: String,
    /// The running total at its end.
    pub running: String,
}

/// A sum of deals in the reporting currency.
#[derive(Serialize, Debug, Clone)]
pub struct TotalView {
    /// The sum, displayed (`$1.2 trillion`).
    pub amount: String,
    /// The sum as plain decimal digits.
    pub value: String,
    /// Deals counted, undisclosed ones included.
    pub count: usize,
    /// Of those, deals without a figure (counted, not summed).
    pub undisclosed: usize,
    /// Of those, deals summed at an upper bound (`up to`), a lower bound
    /// (`at least`) or an estimate (`about`).
    pub bounded: usize,
    /// Cancelled deals: listed, neither counted nor summed.
    pub cancelled: usize,
}

/// A year's total.
#[derive(Serialize, Debug, Clone)]
pub struct YearTotal {
    /// The year.
    pub year: i16,
    /// Its total.
    pub total: TotalView,
    /// The year's deals page (`/deals/2025/`), empty when the theme has no
    /// `deals_year.html`.
    pub url: String,
}

/// `deals_year.html`: one year's deals, a page of them at a time.
#[derive(Serialize, Debug)]
pub struct DealsYearContext<'a> {
    /// Site values.
    pub site: &'a SiteView,
    /// This page.
    pub page: PageMeta,
    /// The year.
    pub year: i16,
    /// The year's total.
    pub total: TotalView,
    /// This page's deals, newest first.
    pub deals: Vec<&'a DealRow>,
    /// The deals index.
    pub deals_url: String,
    /// Where this page is in the year's pages.
    pub pager: Pager,
}

/// A party's total.
#[derive(Serialize, Debug, Clone)]
pub struct PartyTotal {
    /// The party.
    pub party: PartyLink,
    /// Its total.
    pub total: TotalView,
}

/// One exchange rate used for totals.
#[derive(Serialize, Debug, Clone)]
pub struct RateView {
    /// ISO code of the currency.
    pub currency: String,
    /// Value of one unit in the reporting currency, as written in site.yaml.
    pub rate: String,
    /// The date it is in force from, in the site's language; empty for a
    /// rate of every date.
    pub from: String,
    /// The same, ISO (`2025-07-01`), or empty.
    pub from_iso: String,
    /// The deals of the index converted at it.
    pub deals: usize,
}

/// A heading of the article, for its table of contents.
pub type TocEntry = Heading;

/// A link to the same article in another language.
#[derive(Serialize, Debug, Clone)]
pub struct Translation {
    /// Language code.
    pub lang: String,
    /// Root-relative URL.
    pub url: String,
    /// Absolute URL (for `hreflang` alternates).
    pub permalink: String,
}

/// The full article, for `article.html`.
#[derive(Serialize, Debug, Clone)]
pub struct ArticleView<'a> {
    /// Title.
    pub title: &'a str,
    /// In a preview (`serve`), an article dated after today: `build` holds
    /// it back until its date.
    pub scheduled: bool,
    /// Date in the article's language.
    pub date: String,
    /// ISO date.
    pub date_iso: String,
    /// Language code.
    pub lang: &'a str,
    /// The body as HTML (safe).
    pub content_html: &'a str,
    /// Summary HTML (safe).
    pub summary_html: &'a str,
    /// Tags.
    pub tags: &'a [TagLink],
    /// Bylines, each with its author page.
    pub authors: Vec<AuthorLink>,
    /// The deals it reports, as rows.
    pub deals: Vec<&'a DealRow>,
    /// Headings of level 2 and 3.
    pub toc: Vec<&'a TocEntry>,
    /// Estimated minutes to read (at least 1).
    pub reading_minutes: usize,
    /// The same article in other languages.
    pub translations: Vec<Translation>,
    /// A schema.org `NewsArticle` as JSON, escaped so that no text can close the
    /// `<script>` element it goes in (safe).
    pub json_ld: String,
}

/// `home.html`.
#[derive(Serialize, Debug)]
pub struct HomeContext<'a> {
    /// Site values.
    pub site: &'a SiteView,
    /// This page.
    pub page: PageMeta,
    /// The latest articles.
    pub articles: Vec<&'a ArticleCard>,
    /// The latest deals.
    pub deals: Vec<&'a DealRow>,
    /// All deals' total.
    pub total: TotalView,
    /// Root-relative URL of this home's Atom feed.
    pub feed_url: String,
    /// The homes in other languages.
    pub languages: Vec<Translation>,
    /// The home's place in its list: older articles go on at `page/2/`.
    pub pager: Pager,
}

/// `home_page.html`: a home's older articles, from `page/2/` on.
#[derive(Serialize, Debug)]
pub struct HomePageContext<'a> {
    /// Site values.
    pub site: &'a SiteView,
    /// This page.
    pub page: PageMeta,
    /// Its articles, newest first.
    pub articles: Vec<&'a ArticleCard>,
    /// Where this page stands.
    pub pager: Pager,
}

/// `article.html`.
#[derive(Serialize, Debug)]
pub struct ArticleContext<'a> {
    /// Site values.
    pub site: &'a SiteView,
    /// This page.
    pub page: PageMeta,
    /// The article.
    pub article: ArticleView<'a>,
}

/// `page.html`: a standalone page (`content/pages/`).
#[derive(Serialize, Debug)]
pub struct PageContext<'a> {
    /// Site values.
    pub site: &'a SiteView,
    /// This page's meta data.
    pub page: PageMeta,
    /// The standalone page.
    pub standalone: StandaloneView<'a>,
}

/// A standalone page, for `page.html`: no date, tags, bylines or deals.
#[derive(Serialize, Debug)]
pub struct StandaloneView<'a> {
    /// Title.
    pub title: &'a str,
    /// Language code.
    pub lang: &'a str,
    /// The body as HTML (safe).
    pub content_html: &'a str,
    /// The date of the last update in the page's language, when `updated:`
    /// gives one.
    pub updated: Option<String>,
    /// The same date, ISO.
    pub updated_iso: Option<String>,
    /// Headings of level 2 and 3.
    pub toc: Vec<&'a TocEntry>,
    /// The same page in other languages.
    pub translations: Vec<Translation>,
}

/// `deals.html`: the deals index.
#[derive(Serialize, Debug)]
pub struct DealsContext<'a> {
    /// Site values.
    pub site: &'a SiteView,
    /// This page.
    pub page: PageMeta,
    /// The latest deals, newest first (`pagination.page_size` of them); every
    /// deal is on its year's pages (`by_year[].url`).
    pub deals: Vec<&'a DealRow>,
    /// How many deals there are in all.
    pub deal_count: usize,
    /// The URL of the filter's data (`deals-data/index.json`), empty when the
    /// theme has no `deals_year.html`.
    pub data_url: String,
    /// The grand total (each deal once).
    pub total: TotalView,
    /// Totals by year, newest first.
    pub by_year: Vec<YearTotal>,
    /// Totals by party, largest first.
    pub by_party: Vec<PartyTotal>,
    /// The rates used for foreign currencies.
    pub rates: Vec<RateView>,
    /// An SVG chart of value per quarter with the running total (safe).
    pub chart_svg: String,
    /// The chart's figures as a table: each quarter, its value and the
    /// running total.
    pub quarters: Vec<QuarterRow>,
    /// Distinct years, kinds and parties, for the filter controls.
    pub years: Vec<i16>,
    /// See `years`.
    pub kinds: Vec<&'a str>,
    /// See `years`.
    pub parties: Vec<PartyLink>,
}

/// `party.html`: one party's deals.
#[derive(Serialize, Debug)]
pub struct PartyContext<'a> {
    /// Site values.
    pub site: &'a SiteView,
    /// This page.
    pub page: PageMeta,
    /// The party.
    pub party: PartyLink,
    /// Its deals, newest first.
    pub deals: Vec<&'a DealRow>,
    /// Its Atom feed (`/deals/PARTY/atom.xml`): its deals and their revisions.
    pub feed_url: String,
    /// Their total.
    pub total: TotalView,
    /// A small SVG chart of its deals' value per quarter (safe).
    pub chart_svg: String,
    /// Where this page stands in the list (`count` is 1 when it fits one page).
    pub pager: Pager,
}

/// An author's name and the URL of their page on the site.
#[derive(Serialize, Debug, Clone)]
pub struct AuthorLink {
    /// Canonical name.
    pub name: String,
    /// Root-relative URL of `/authors/SLUG/`.
    pub url: String,
}

/// `author.html`: an author's articles.
#[derive(Serialize, Debug)]
pub struct AuthorContext<'a> {
    /// Site values.
    pub site: &'a SiteView,
    /// This page.
    pub page: PageMeta,
    /// The author.
    pub author: AuthorLink,
    /// `authors.NAME.bio` of `site.yaml`, if any.
    pub bio: Option<String>,
    /// `authors.NAME.url` of `site.yaml`, if any: their own page elsewhere.
    pub website: Option<String>,
    /// Their articles, newest first.
    pub articles: Vec<&'a ArticleCard>,
    /// Where this page stands in the list (`count` is 1 when it fits one page).
    pub pager: Pager,
}

/// A month of the archive.
#[derive(Serialize, Debug)]
pub struct MonthLink {
    /// `November 2025`, in the site's language.
    pub label: String,
    /// Its year, to group months under.
    pub year: i16,
    /// Root-relative URL of `/archive/YYYY/MM/`.
    pub url: String,
    /// How many articles it lists.
    pub count: usize,
}

/// Where a paginated list page stands: `pager.count` pages in all.
#[derive(Serialize, Debug, Clone)]
pub struct Pager {
    /// This page's number, from 1.
    pub number: usize,
    /// How many pages the list has.
    pub count: usize,
    /// Root-relative URL of the page before (newer entries), if any.
    pub prev_url: Option<String>,
    /// Root-relative URL of the page after (older entries), if any.
    pub next_url: Option<String>,
}

/// `archive.html`: every month with articles, newest first.
#[derive(Serialize, Debug)]
pub struct ArchiveContext<'a> {
    /// Site values.
    pub site: &'a SiteView,
    /// This page.
    pub page: PageMeta,
    /// The months.
    pub months: Vec<MonthLink>,
}

/// `archive_month.html`: one month's articles, newest first.
#[derive(Serialize, Debug)]
pub struct MonthContext<'a> {
    /// Site values.
    pub site: &'a SiteView,
    /// This page.
    pub page: PageMeta,
    /// The month, as `MonthLink`.
    pub month: MonthLink,
    /// This page's articles (`pagination.page_size` a page).
    pub articles: Vec<&'a ArticleCard>,
    /// Where this page is in the month's pages.
    pub pager: Pager,
}

/// `tag.html`: articles with a tag.
#[derive(Serialize, Debug)]
pub struct TagContext<'a> {
    /// Site values.
    pub site: &'a SiteView,
    /// This page.
    pub page: PageMeta,
    /// The tag.
    pub tag: TagLink,
    /// Its articles, newest first.
    pub articles: Vec<&'a ArticleCard>,
    /// Where this page stands in the list (`count` is 1 when it fits one page).
    pub pager: Pager,
}

/// `404.html`: links in it are absolute, so it works at any URL.
#[derive(Serialize, Debug)]
pub struct NotFoundContext<'a> {
    /// Site values.
    pub site: &'a SiteView,
    /// This page.
    pub page: PageMeta,
}

/// `search.html`, the search page of one language edition (`search/`,
/// `fr/search/`). Its results come from the Pagefind bundle at
/// `site.search.bundle_url`, in the page's language; the page itself holds
/// no result, so it is the same whatever the articles say.
#[derive(Serialize, Debug)]
pub struct SearchContext<'a> {
    /// Site values.
    pub site: &'a SiteView,
    /// This page.
    pub page: PageMeta,
}
