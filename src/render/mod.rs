//! RENDER: the `Site` model → every page and export, in memory.
//!
//! Input: a `Site` and parsed `Templates`. Output: an `Output` (path → bytes).
//! Light records (cards, rows) are built once and borrowed by every list page;
//! article pages render in parallel. Same input ⇒ byte-identical output.

pub mod chart;
pub mod context;
pub mod exports;
pub mod templates;
pub mod views;

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use bytes::Bytes;
use rayon::prelude::*;

use crate::diag::Diagnostic;
use crate::i18n::{Lang, format_date};
use crate::output::Output;
use crate::site::Site;
use context::*;
pub use templates::{TemplateSource, Templates};

/// A rendered page: site-relative URL folder, HTML, last modification date.
type Page = (String, Bytes, Option<jiff::civil::Date>);

/// How many articles and deals the home page lists.
const HOME_ITEMS: usize = 10;

/// The article pages of a previous render, with the key of their inputs, so a
/// rebuild reuses every page whose inputs did not change.
#[derive(Clone, Debug, Default)]
pub struct PageCache {
    pages: HashMap<String, (u64, Bytes)>,
}

/// The key of an article page's inputs: everything site-wide (`site_key`: the
/// configuration, theme and options), the article's source, its URL, and the
/// URLs of its translations; plus its body when `@/` links tie it to other pages.
fn page_key(site_key: u64, site: &Site, i: usize) -> u64 {
    let p = &site.articles[i];
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (
        site_key,
        p.article.source_hash,
        &p.rel_url,
        p.is_translation,
    )
        .hash(&mut h);
    for &t in &p.translations {
        (&site.articles[t].rel_url, site.articles[t].article.lang).hash(&mut h);
    }
    if p.article
        .body
        .links
        .iter()
        .any(|l| l.dest.starts_with("@/"))
    {
        p.article.body.html.hash(&mut h);
    }
    h.finish()
}

/// Renders the whole site; errors are template problems. The site is consumed so
/// that each article's body is freed as soon as its page is rendered. Article
/// pages found in `previous` under the same key are reused, not rendered.
pub fn render_site(
    mut site: Site,
    templates: &Templates,
    site_key: u64,
    previous: Option<&PageCache>,
) -> Result<(Output, PageCache), Vec<Diagnostic>> {
    let keys: Vec<u64> = (0..site.articles.len())
        .map(|i| page_key(site_key, &site, i))
        .collect();
    let bodies: Vec<String> = site
        .articles
        .iter_mut()
        .map(|p| std::mem::take(&mut p.article.body.html))
        .collect();
    let site = &site;
    let config = &site.config;
    let views = views::build(site);
    let lang = config.language;
    let site_view = SiteView {
        title: config.title.clone(),
        description: config.description.clone(),
        base_url: config.base_url.clone(),
        base_path: config.base_path.clone(),
        language: lang.code().to_string(),
        reporting_currency: config.reporting_currency.to_string(),
        deals_url: config.path_url("deals/"),
        stylesheet_url: config.path_url("style.css"),
        syntax_css_url: config.path_url("syntax.css"),
        script_url: config.path_url("deals.js"),
        deals_json_url: config.path_url("deals.json"),
        deals_csv_url: config.path_url("deals.csv"),
    };
    let meta = |title: &str, description: &str, rel: &str, lang: Lang, og_type: &str| PageMeta {
        title: title.to_string(),
        description: description.to_string(),
        url: config.absolute_url(rel),
        lang: lang.code().to_string(),
        og_type: og_type.to_string(),
    };
    let total = views::total(config, &site.total, lang);
    let mut pages: Vec<Result<Page, Diagnostic>> = Vec::new();
    let newest = site.articles.first().map(|p| p.article.date);

    // Home.
    let listed: Vec<usize> = site.listed().collect();
    let home = HomeContext {
        site: &site_view,
        page: meta(&config.title, &config.description, "", lang, "website"),
        articles: listed
            .iter()
            .take(HOME_ITEMS)
            .map(|&i| &views.cards[i])
            .collect(),
        deals: views.rows.iter().take(HOME_ITEMS).collect(),
        total: &total,
    };
    pages.push(
        templates
            .render("home.html", &home)
            .map(|h| (String::new(), Bytes::from(h), newest)),
    );

    // Articles, in parallel.
    let article_pages: Vec<_> = bodies
        .into_par_iter()
        .enumerate()
        .map(|(i, body)| {
            let p = &site.articles[i];
            let a = &p.article;
            let reused = previous
                .and_then(|c| c.pages.get(&p.rel_url))
                .filter(|(k, _)| *k == keys[i]);
            if let Some((_, html)) = reused {
                return Ok((p.rel_url.clone(), html.clone(), Some(a.date)));
            }
            let own_rows: Vec<&DealRow> = if p.is_translation {
                Vec::new()
            } else {
                views.rows_of[i].iter().map(|&k| &views.rows[k]).collect()
            };
            let translated_rows: Vec<DealRow>;
            let deals = if p.is_translation {
                translated_rows = (0..a.deals.len()).map(|d| views::row(site, p, d)).collect();
                translated_rows.iter().collect()
            } else {
                own_rows
            };
            let ctx = ArticleContext {
                site: &site_view,
                page: meta(&a.title, &a.summary_text, &p.rel_url, a.lang, "article"),
                article: ArticleView {
                    title: &a.title,
                    date: format_date(a.date, a.lang),
                    date_iso: a.date.to_string(),
                    lang: a.lang.code(),
                    content_html: &body,
                    summary_html: &a.summary_html,
                    tags: &views.tag_links[i],
                    deals,
                    toc: a
                        .body
                        .headings
                        .iter()
                        .filter(|h| (2..=3).contains(&h.level))
                        .collect(),
                    reading_minutes: a.body.words.div_ceil(220).max(1),
                    translations: p
                        .translations
                        .iter()
                        .map(|&t| Translation {
                            lang: site.articles[t].article.lang.code().to_string(),
                            url: config.path_url(&site.articles[t].rel_url),
                            permalink: config.absolute_url(&site.articles[t].rel_url),
                        })
                        .collect(),
                },
            };
            templates
                .render("article.html", &ctx)
                .map(|h| (p.rel_url.clone(), Bytes::from(h), Some(a.date)))
        })
        .collect();
    let cache = PageCache {
        pages: article_pages
            .iter()
            .zip(&keys)
            .filter_map(|(page, key)| {
                page.as_ref()
                    .ok()
                    .map(|(rel, html, _)| (rel.clone(), (*key, html.clone())))
            })
            .collect(),
    };
    pages.extend(article_pages);

    // Deals index.
    let by_year: Vec<YearTotal> = site
        .by_year
        .iter()
        .map(|(y, t)| YearTotal {
            year: *y,
            total: views::total(config, t, lang),
        })
        .collect();
    let party_links: Vec<(PartyLink, TotalView, &crate::site::PartyEntry)> = site
        .parties
        .values()
        .map(|e| {
            (
                views::party_link(config, &e.name),
                views::total(config, &e.total, lang),
                e,
            )
        })
        .collect();
    let mut by_party: Vec<PartyTotal> = party_links
        .iter()
        .map(|(l, t, _)| PartyTotal {
            party: l.clone(),
            total: t.clone(),
        })
        .collect();
    by_party.sort_by(|a, b| {
        let (va, vb) = (
            a.total.value.parse::<rust_decimal::Decimal>().ok(),
            b.total.value.parse().ok(),
        );
        vb.cmp(&va).then_with(|| a.party.name.cmp(&b.party.name))
    });
    let rates: Vec<RateView> = config
        .rates
        .iter()
        .map(|(c, r)| RateView {
            currency: c.to_string(),
            rate: r.to_string(),
        })
        .collect();
    let chart_bars: Vec<chart::Bar> = by_year
        .iter()
        .rev()
        .zip(site.by_year.iter().rev())
        .map(|(v, (_, t))| chart::Bar {
            label: v.year.to_string(),
            value: t.sum,
            display: v.total.amount.clone(),
        })
        .collect();
    let chart_svg = chart::bars_svg(
        &format!("Deal value by year, in {}", config.reporting_currency),
        "Bars show the sum of disclosed deal values for each year; undisclosed deals are not included.",
        &chart_bars,
    );
    let mut kinds: Vec<&str> = views
        .rows
        .iter()
        .map(|r| r.kind.as_str())
        .filter(|k| !k.is_empty())
        .collect();
    kinds.sort_unstable();
    kinds.dedup();
    let mut years: Vec<i16> = site.by_year.iter().map(|(y, _)| *y).collect();
    years.dedup();
    let deals_ctx = DealsContext {
        site: &site_view,
        page: meta(
            "Deals",
            &format!("Every deal tracked by {}, with totals.", config.title),
            "deals/",
            lang,
            "website",
        ),
        deals: views.rows.iter().collect(),
        total: &total,
        by_year: &by_year,
        by_party: &by_party,
        rates: &rates,
        chart_svg: &chart_svg,
        years,
        kinds,
        parties: party_links.iter().map(|(l, _, _)| l).collect(),
    };
    let newest_deal = site.deals.first().map(|r| site.deal(*r).date);
    pages.push(
        templates
            .render("deals.html", &deals_ctx)
            .map(|h| ("deals/".to_string(), Bytes::from(h), newest_deal)),
    );

    // Party pages.
    let party_pages: Vec<_> = party_links
        .par_iter()
        .map(|(link, total, entry)| {
            let rel = format!("deals/{}/", entry.slug);
            let ctx = PartyContext {
                site: &site_view,
                page: meta(
                    &entry.name,
                    &format!("Deals with {}, with their total.", entry.name),
                    &rel,
                    lang,
                    "website",
                ),
                party: link,
                deals: entry.deals.iter().map(|&k| &views.rows[k]).collect(),
                total,
            };
            let lastmod = entry.deals.first().map(|&k| site.deal(site.deals[k]).date);
            templates
                .render("party.html", &ctx)
                .map(|h| (rel, Bytes::from(h), lastmod))
        })
        .collect();
    pages.extend(party_pages);

    // Tag pages.
    let tag_links: Vec<TagLink> = site
        .tags
        .values()
        .map(|t| TagLink {
            name: t.name.clone(),
            url: config.path_url(&format!("tags/{}/", t.slug)),
        })
        .collect();
    let tag_pages: Vec<_> = site
        .tags
        .values()
        .zip(&tag_links)
        .par_bridge()
        .map(|(entry, link)| {
            let rel = format!("tags/{}/", entry.slug);
            let ctx = TagContext {
                site: &site_view,
                page: meta(
                    &entry.name,
                    &format!("Articles tagged {}.", entry.name),
                    &rel,
                    lang,
                    "website",
                ),
                tag: link,
                articles: entry.articles.iter().map(|&i| &views.cards[i]).collect(),
            };
            let lastmod = entry
                .articles
                .first()
                .map(|&i| site.articles[i].article.date);
            templates
                .render("tag.html", &ctx)
                .map(|h| (rel, Bytes::from(h), lastmod))
        })
        .collect();
    pages.extend(tag_pages);

    let not_found = NotFoundContext {
        site: &site_view,
        page: meta("Page not found", "", "404.html", lang, "website"),
    };
    let not_found = templates.render("404.html", &not_found);

    let mut errors = Vec::new();
    let mut output = Output::new();
    let mut sitemap_entries = Vec::new();
    for page in pages {
        match page {
            Ok((rel, html, lastmod)) => {
                output.insert(format!("{rel}index.html"), html);
                sitemap_entries.push((rel, lastmod));
            }
            Err(d) => errors.push(d),
        }
    }
    match not_found {
        Ok(html) => output.insert("404.html", html.into_bytes()),
        Err(d) => errors.push(d),
    }
    if !errors.is_empty() {
        errors.sort_by(|a, b| (&a.path, a.position).cmp(&(&b.path, b.position)));
        errors.dedup();
        return Err(errors);
    }
    sitemap_entries.sort();
    output.insert("sitemap.xml", exports::sitemap(config, &sitemap_entries));
    output.insert("robots.txt", exports::robots(config));
    output.insert("deals.json", exports::deals_json(site));
    output.insert("deals.csv", exports::deals_csv(site));
    Ok((output, cache))
}
