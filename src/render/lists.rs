//! The list pages: home, the deals index, party pages, tag pages and 404. Each
//! borrows the light cards and rows built once; everything a page shows is
//! made inside its context closure, so a page that is not wanted costs only
//! its URL.

use rayon::prelude::*;
use rust_decimal::Decimal;

use super::cache::Page;
use super::context::*;
use super::edition::Edition;
use super::{Renderer, chart, views};
use crate::article::Status;
use crate::diag::Diagnostic;
use crate::i18n::Lang;
use crate::index::{ArticleIdx, DealIdx};

/// How many articles and deals the home page lists.
const HOME_ITEMS: usize = 10;

/// Every list page.
pub(super) fn render(r: &Renderer) -> Vec<Result<Page, Diagnostic>> {
    let mut pages = vec![deals(r), not_found(r)];
    let site = r.site;
    let edition = r.edition();
    // Every home links every other.
    let editions = Edition::all(&site.config, &site.languages);
    // The site's home lists every article; another edition's, the articles
    // in its language.
    let items: Vec<ArticleIdx> = if edition.is_main() {
        site.listed().collect()
    } else {
        site.articles
            .iter_enumerated()
            .filter(|(_, p)| p.article.lang == edition.lang && !p.article.is_page())
            .map(|(i, _)| i)
            .collect()
    };
    let (lang, rel) = (edition.lang, edition.home());
    // The home shows the latest; older ones go on at `page/2/`…, as
    // titles, when the theme has `home_page.html`.
    let older = &items[HOME_ITEMS.min(items.len())..];
    let older_pages = if r.templates.has("home_page.html") {
        home_pages(r, lang, &rel, older)
    } else {
        Vec::new()
    };
    let pager = Pager {
        number: 1,
        count: older_pages.len() + 1,
        prev_url: None,
        next_url: (!older_pages.is_empty()).then(|| r.config().path_url(&format!("{rel}page/2/"))),
    };
    pages.push(home(
        r,
        lang,
        rel,
        items[..items.len() - older.len()].to_vec(),
        &editions,
        pager,
    ));
    pages.extend(older_pages);
    let deals_wanted = r.may_want(&edition.deals());
    if deals_wanted {
        pages.extend(parties(r));
    }
    if r.may_want(&edition.rel("tags/")) {
        pages.extend(tags(r));
    }
    if r.may_want(&edition.rel("authors/")) {
        pages.extend(authors(r));
    }
    let archived = r.templates.has("archive.html") && r.templates.has("archive_month.html");
    if archived && r.may_want(&edition.archive()) {
        pages.extend(archive(r));
    }
    if r.templates.has("deals_year.html") && deals_wanted {
        pages.extend(deal_years(r));
    }
    pages
}

/// Every year's deals, `page_size` a page: the complete table, readable
/// without JavaScript, in pages that stay small at any size of archive.
fn deal_years(r: &Renderer) -> Vec<Result<Page, Diagnostic>> {
    let (site, config) = (r.site, r.config());
    let (edition, lang) = (r.edition(), r.edition().lang);
    let years = super::deal_data::by_year(site);
    years
        .par_iter()
        .flat_map_iter(|(year, deals)| {
            let total = site
                .by_year
                .iter()
                .find(|(y, _)| y == year)
                .map(|(_, t)| *t)
                .unwrap_or_default();
            let first = edition.year(*year);
            pages_of(r, &first, deals)
                .into_iter()
                .map(move |(rel, page_deals, pager)| {
                    let lastmod = page_deals.first().map(|&k| site.deal(site.deals[k]).date);
                    let name =
                        r.templates
                            .word(lang, "deals_in_year", &[("year", &year.to_string())]);
                    r.page("deals_year.html", rel.clone(), lastmod, || {
                        DealsYearContext {
                            site: &r.site_view,
                            page: list_meta(
                                r,
                                &name,
                                &pager,
                                &rel,
                                ("deals_year_description", "year"),
                                "website",
                            ),
                            year: *year,
                            total: views::total(config, &total, lang),
                            deals: page_deals.iter().map(|&k| r.views.row(k)).collect(),
                            deals_url: config.path_url(&edition.deals()),
                            pager: pager.clone(),
                        }
                    })
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// A home's older articles, as titles, `page_size` a page from `page/2/`.
fn home_pages(
    r: &Renderer,
    lang: Lang,
    home: &str,
    older: &[ArticleIdx],
) -> Vec<Result<Page, Diagnostic>> {
    let config = r.config();
    let size = config.page_size.max(1);
    let count = older.len().div_ceil(size) + 1;
    let url = |n: usize| {
        if n == 1 {
            home.to_string()
        } else {
            format!("{home}page/{n}/")
        }
    };
    older
        .chunks(size)
        .enumerate()
        .map(|(k, articles)| {
            let n = k + 2;
            let rel = url(n);
            let pager = Pager {
                number: n,
                count,
                prev_url: Some(config.path_url(&url(n - 1))),
                next_url: (n < count).then(|| config.path_url(&url(n + 1))),
            };
            let lastmod = newest(r, articles);
            r.page("home_page.html", rel.clone(), lastmod, || HomePageContext {
                site: &r.site_view,
                page: r.meta(
                    &paged_title(r, &r.templates.word(lang, "latest_articles", &[]), &pager),
                    config.description_in(lang),
                    &rel,
                    lang,
                    "website",
                ),
                articles: articles.iter().map(|&i| r.views.card(i)).collect(),
                pager,
            })
        })
        .collect()
}

/// `/archive/` and a page per month: every article is two links from any page.
fn archive(r: &Renderer) -> Vec<Result<Page, Diagnostic>> {
    let (site, config) = (r.site, r.config());
    let (edition, lang) = (r.edition(), r.edition().lang);
    let link = |(year, month): (i16, i8), count: usize| MonthLink {
        label: crate::i18n::format_month(year, month, lang),
        year,
        url: config.path_url(&edition.month(year, month)),
        count,
    };
    let newest_first: Vec<_> = site.months.iter().rev().collect();
    let mut pages: Vec<Result<Page, Diagnostic>> = newest_first
        .par_iter()
        .flat_map_iter(|&(&(year, month), all)| {
            let first = edition.month(year, month);
            pages_of(r, &first, all)
                .into_iter()
                .map(move |(rel, articles, pager)| {
                    let lastmod = newest(r, articles);
                    r.page("archive_month.html", rel.clone(), lastmod, || {
                        let month = link((year, month), all.len());
                        MonthContext {
                            site: &r.site_view,
                            page: list_meta(
                                r,
                                &month.label,
                                &pager,
                                &rel,
                                ("archive_month_description", "month"),
                                "website",
                            ),
                            month,
                            articles: articles.iter().map(|&i| r.views.card(i)).collect(),
                            pager: pager.clone(),
                        }
                    })
                })
                .collect::<Vec<_>>()
        })
        .collect();
    let counts: Vec<((i16, i8), usize)> =
        newest_first.iter().map(|&(&m, a)| (m, a.len())).collect();
    let lastmod = site
        .articles
        .iter()
        .find(|p| !p.article.is_page())
        .map(|p| p.article.date);
    let rel = edition.archive();
    pages.push(
        r.page("archive.html", rel.clone(), lastmod, || ArchiveContext {
            site: &r.site_view,
            page: r.meta(
                &r.templates.word(lang, "archive", &[]),
                &r.templates.word(
                    lang,
                    "archive_description",
                    &[("site", config.title_in(lang))],
                ),
                &rel,
                lang,
                "website",
            ),
            months: counts.iter().map(|&(m, n)| link(m, n)).collect(),
        }),
    );
    pages
}

/// A home page: the site's (at the root) or a language's (`fr/`), listing the
/// latest articles in it, the latest deals and the total.
fn home(
    r: &Renderer,
    lang: Lang,
    rel: String,
    items: Vec<ArticleIdx>,
    editions: &[Edition],
    pager: Pager,
) -> Result<Page, Diagnostic> {
    let (site, config) = (r.site, r.config());
    let newest = items.first().map(|&i| site.articles[i].article.date);
    r.page("home.html", rel.clone(), newest, || HomeContext {
        site: &r.site_view,
        page: r.meta(
            config.title_in(lang),
            config.description_in(lang),
            &rel,
            lang,
            "website",
        ),
        articles: items.iter().map(|&i| r.views.card(i)).collect(),
        deals: site
            .deals
            .indices()
            .take(HOME_ITEMS)
            .map(|k| r.views.row(k))
            .collect(),
        total: views::total(config, &site.total, lang),
        feed_url: config.path_url(&format!("{rel}atom.xml")),
        languages: editions
            .iter()
            .filter(|e| e.home() != rel)
            .map(|e| Translation {
                lang: e.lang.code().to_string(),
                url: config.path_url(&e.home()),
                permalink: config.absolute_url(&e.home()),
            })
            .collect(),
        pager: pager.clone(),
    })
}

fn deals(r: &Renderer) -> Result<Page, Diagnostic> {
    let (site, config) = (r.site, r.config());
    let (edition, lang) = (r.edition(), r.edition().lang);
    let newest = site.deals.iter().next().map(|d| site.deal(*d).date);
    let years_paged = r.templates.has("deals_year.html");
    // Everything the page shows is made inside the closure: a reused page costs nothing.
    r.page("deals.html", edition.deals(), newest, || {
        let (chart_svg, quarters) = quarter_chart(r, "dw-chart", site.deals.indices(), false);
        let parties: Vec<PartyLink> = site
            .parties
            .values()
            .map(|e| views::party_link(config, edition, &e.name))
            .collect();
        let mut by_party: Vec<(PartyTotal, Decimal)> = site
            .parties
            .values()
            .zip(&parties)
            .map(|(e, l)| {
                (
                    PartyTotal {
                        party: l.clone(),
                        total: views::total(config, &e.total, lang),
                    },
                    e.total.sum,
                )
            })
            .collect();
        by_party
            .sort_by(|(a, va), (b, vb)| vb.cmp(va).then_with(|| a.party.name.cmp(&b.party.name)));
        let mut kinds: Vec<&str> = r
            .views
            .all_rows()
            .into_iter()
            .map(|row| row.kind.as_str())
            .filter(|k| !k.is_empty())
            .collect();
        kinds.sort_unstable();
        kinds.dedup();
        DealsContext {
            site: &r.site_view,
            page: r.meta(
                &r.templates.word(lang, "deals", &[]),
                &r.templates.word(
                    lang,
                    "deals_description",
                    &[("site", config.title_in(lang))],
                ),
                &edition.deals(),
                lang,
                "website",
            ),
            deals: site
                .deals
                .indices()
                .take(config.page_size.max(1))
                .map(|k| r.views.row(k))
                .collect(),
            deal_count: site.deals.len(),
            data_url: if years_paged {
                config.path_url(&edition.rel(super::deal_data::INDEX))
            } else {
                String::new()
            },
            total: views::total(config, &site.total, lang),
            by_year: site
                .by_year
                .iter()
                .map(|(y, t)| YearTotal {
                    year: *y,
                    total: views::total(config, t, lang),
                    url: if years_paged {
                        config.path_url(&edition.year(*y))
                    } else {
                        String::new()
                    },
                })
                .collect(),
            by_party: by_party.into_iter().map(|(p, _)| p).collect(),
            rates: rate_views(site, lang),
            chart_svg,
            quarters,
            years: site.by_year.iter().map(|(y, _)| *y).collect(),
            kinds,
            parties,
        }
    })
}

/// Every rate of `site.yaml`, each with the date it is in force from and the
/// number of deals of the index converted at it (by the deal's date).
fn rate_views(site: &crate::site::Site, lang: Lang) -> Vec<RateView> {
    let config = &site.config;
    let mut views = Vec::new();
    for (currency, rates) in &config.rates {
        let periods = rates.periods();
        let mut counts = vec![0usize; periods.len()];
        for record in site.records.iter() {
            let deal = &record.current;
            if deal.amount.money().is_some_and(|m| m.currency == *currency) {
                let at = periods
                    .iter()
                    .rposition(|(from, _)| from.is_none_or(|f| f <= deal.date));
                if let Some(at) = at {
                    counts[at] += 1;
                }
            }
        }
        for ((from, rate), deals) in periods.into_iter().zip(counts) {
            views.push(RateView {
                currency: currency.to_string(),
                rate: rate.to_string(),
                from: from
                    .map(|d| crate::i18n::format_date(d, lang))
                    .unwrap_or_default(),
                from_iso: from.map(|d| d.to_string()).unwrap_or_default(),
                deals,
            });
        }
    }
    views
}

fn parties(r: &Renderer) -> Vec<Result<Page, Diagnostic>> {
    let (site, config) = (r.site, r.config());
    let edition = r.edition();
    let entries: Vec<_> = site.parties.values().collect();
    entries
        .par_iter()
        .flat_map_iter(|entry| {
            let first = edition.party(&entry.name);
            let pages = pages_of(r, &first, &entry.deals);
            pages.into_iter().map(move |(rel, deals, pager)| {
                let lastmod = deals.first().map(|&k| site.deal(site.deals[k]).date);
                r.page("party.html", rel.clone(), lastmod, || PartyContext {
                    site: &r.site_view,
                    page: list_meta(
                        r,
                        &entry.name,
                        &pager,
                        &rel,
                        ("party_description", "party"),
                        "website",
                    ),
                    party: views::party_link(config, edition, &entry.name),
                    deals: deals.iter().map(|&k| r.views.row(k)).collect(),
                    feed_url: config.path_url(&format!("deals/{}/atom.xml", entry.slug)),
                    total: views::total(config, &entry.total, edition.lang),
                    chart_svg: if pager.number == 1 {
                        quarter_chart(r, "dw-party-chart", entry.deals.iter().copied(), true).0
                    } else {
                        String::new()
                    },
                    pager: pager.clone(),
                })
            })
        })
        .collect()
}

/// The newest date of a page listing `articles` (a tag's, an author's…).
fn newest(r: &Renderer, articles: &[ArticleIdx]) -> Option<jiff::civil::Date> {
    articles.first().map(|&i| r.site.articles[i].article.date)
}

/// A list's pages under `rel` (`tags/cloud/`): each page's site-relative
/// URL (`tags/cloud/page/2/` after the first), its items and its pager.
fn pages_of<'i, T>(r: &Renderer, rel: &str, items: &'i [T]) -> Vec<(String, &'i [T], Pager)> {
    let size = r.config().page_size.max(1);
    let count = items.len().div_ceil(size).max(1);
    let url = |n: usize| {
        if n == 1 {
            rel.to_string()
        } else {
            format!("{rel}page/{n}/")
        }
    };
    (1..=count)
        .map(|n| {
            let from = ((n - 1) * size).min(items.len());
            let to = (n * size).min(items.len());
            let pager = Pager {
                number: n,
                count,
                prev_url: (n > 1).then(|| r.config().path_url(&url(n - 1))),
                next_url: (n < count).then(|| r.config().path_url(&url(n + 1))),
            };
            (url(n), &items[from..to], pager)
        })
        .collect()
}

/// The meta of a page listing a tag's, an author's or a party's entries:
/// its title with the page number, and its description from the theme's
/// word `key`, with `{var}` filled by the name.
fn list_meta(
    r: &Renderer,
    name: &str,
    pager: &Pager,
    rel: &str,
    (key, var): (&str, &str),
    og_type: &str,
) -> PageMeta {
    let lang = r.edition().lang;
    let description = r.templates.word(lang, key, &[(var, name)]);
    r.meta(
        &paged_title(r, name, pager),
        &description,
        rel,
        lang,
        og_type,
    )
}

/// A page's title: the list's name, and its page number after the first.
fn paged_title(r: &Renderer, name: &str, pager: &Pager) -> String {
    if pager.number == 1 {
        return name.to_string();
    }
    let n = pager.number.to_string();
    let page = r.templates.word(r.edition().lang, "page_n", &[("n", &n)]);
    format!("{name} ({page})")
}

fn tags(r: &Renderer) -> Vec<Result<Page, Diagnostic>> {
    let (config, edition) = (r.config(), r.edition());
    let entries: Vec<_> = r.site.tags.values().collect();
    entries
        .par_iter()
        .flat_map_iter(|entry| {
            let first = edition.tag(&entry.slug);
            let pages = pages_of(r, &first, &entry.articles);
            pages.into_iter().map(move |(rel, articles, pager)| {
                let lastmod = newest(r, articles);
                r.page("tag.html", rel.clone(), lastmod, || TagContext {
                    site: &r.site_view,
                    page: list_meta(
                        r,
                        &entry.name,
                        &pager,
                        &rel,
                        ("tag_description", "tag"),
                        "website",
                    ),
                    tag: TagLink {
                        name: entry.name.clone(),
                        url: config.path_url(&first),
                    },
                    articles: articles.iter().map(|&i| r.views.card(i)).collect(),
                    pager: pager.clone(),
                })
            })
        })
        .collect()
}

fn authors(r: &Renderer) -> Vec<Result<Page, Diagnostic>> {
    let (config, edition) = (r.config(), r.edition());
    let entries: Vec<_> = r.site.authors.values().collect();
    entries
        .par_iter()
        .flat_map_iter(|entry| {
            let first = edition.author(&entry.name);
            let info = config
                .author_info
                .get(&entry.name)
                .cloned()
                .unwrap_or_default();
            let pages = pages_of(r, &first, &entry.articles);
            pages.into_iter().map(move |(rel, articles, pager)| {
                let lastmod = newest(r, articles);
                r.page("author.html", rel.clone(), lastmod, || AuthorContext {
                    site: &r.site_view,
                    page: list_meta(
                        r,
                        &entry.name,
                        &pager,
                        &rel,
                        ("author_description", "author"),
                        "profile",
                    ),
                    author: views::author_link(config, edition, &entry.name),
                    bio: info.bio.clone(),
                    website: info.url.clone(),
                    articles: articles.iter().map(|&i| r.views.card(i)).collect(),
                    pager: pager.clone(),
                })
            })
        })
        .collect()
}

fn not_found(r: &Renderer) -> Result<Page, Diagnostic> {
    let edition = r.edition();
    let rel = edition.not_found();
    r.page("404.html", rel.clone(), None, || NotFoundContext {
        site: &r.site_view,
        page: r.meta(
            &r.templates.word(edition.lang, "nf_title", &[]),
            "",
            &rel,
            edition.lang,
            "website",
        ),
    })
}

/// Deal value per quarter with the running total, for some deals of the index.
fn quarter_chart(
    r: &Renderer,
    id: &str,
    deals: impl Iterator<Item = DealIdx>,
    small: bool,
) -> (String, Vec<QuarterRow>) {
    let (site, config) = (r.site, r.config());
    // Current figures; a cancelled deal adds nothing.
    let quarters = chart::quarters(deals.map(|k| {
        let deal = site.current(k);
        let value = deal
            .reporting_value
            .filter(|_| deal.status != Status::Cancelled);
        (deal.date, value)
    }));
    let money = |v| {
        crate::money::format::money(
            crate::money::Money {
                value: v,
                currency: config.reporting_currency,
            },
            r.edition().lang,
            1,
        )
    };
    let cur = config.reporting_currency;
    let (title, description, largest, total, letter) = match r.edition().lang {
        crate::i18n::Lang::En => (
            format!("Deal value per quarter, in {cur}, with the running total"),
            "Bars: the disclosed value of the deals of each quarter. Line: the running total. Undisclosed deals are not included.",
            "largest quarter",
            "total",
            "Q",
        ),
        crate::i18n::Lang::Fr => (
            format!("Valeur des accords par trimestre, en {cur}, avec le cumul"),
            "Barres\u{a0}: la valeur divulguée des accords de chaque trimestre. Ligne\u{a0}: le cumul. Les accords non divulgués ne sont pas comptés.",
            "trimestre le plus élevé",
            "total",
            "T",
        ),
    };
    // The same figures as a table, for readers who cannot see the chart.
    let mut running = Decimal::ZERO;
    let rows = quarters
        .iter()
        .map(|q| {
            running = running.saturating_add(q.value);
            QuarterRow {
                label: format!("{letter}{} {}", q.quarter, q.year),
                value: money(q.value),
                running: money(running),
            }
        })
        .collect();
    let note =
        |max: Decimal, sum: Decimal| format!("{largest} {} · {total} {}", money(max), money(sum));
    let svg = chart::quarters_svg(
        &chart::Frame {
            id,
            title: &title,
            description,
            small,
            quarter_letter: letter,
        },
        &quarters,
        note,
    );
    (svg, rows)
}
