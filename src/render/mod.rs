//! RENDER: the `Site` model → every page and export, into a `Sink`.
//!
//! Input: a `Site` and parsed `Templates`. Output: files put into an
//! `output::Sink` as each is rendered (in memory for `serve`, straight to the
//! staging folder for `build`, so that a large archive is never held whole).
//! Light records (cards, rows) are built once and borrowed by every list page;
//! pages render in parallel. Same input ⇒ byte-identical output. In a long
//! session, pages whose inputs did not change come from the `PageCache`.

pub mod cache;
pub mod chart;
pub mod context;
pub mod deal_data;
pub mod exports;
pub mod feeds;
mod lists;
pub mod templates;
pub mod views;

use rayon::prelude::*;

use crate::config::Config;
use crate::diag::{Diagnostic, Diagnostics};
use crate::i18n::{Lang, format_date};
use crate::index::{ArticleIdx, DealIdx, DealNo, Idx, IdxVec};
use crate::output::Sink;
use crate::site::Site;
pub use cache::PageCache;
use cache::{Key, Page};
use context::*;
pub use templates::{TemplateSource, Templates};

/// What every page renderer shares.
struct Renderer<'a> {
    views: views::Views<'a>,
    site: &'a Site,
    templates: &'a Templates,
    site_view: SiteView,
    site_key: u64,
    previous: Option<&'a PageCache>,
    /// Where every page goes as soon as it is rendered.
    sink: &'a Sink<'a>,
    /// Per article: what its card and page are made of.
    card_keys: IdxVec<ArticleIdx, u64>,
    /// Per deal of the index: what its row is made of.
    row_keys: IdxVec<DealIdx, u64>,
}

impl<'a> Renderer<'a> {
    fn new(
        site: &'a Site,
        templates: &'a Templates,
        site_key: u64,
        previous: Option<&'a PageCache>,
        sink: &'a Sink<'a>,
    ) -> Renderer<'a> {
        let card_keys: IdxVec<ArticleIdx, u64> = site.articles.iter().map(card_key).collect();
        let row_keys = site
            .deals
            .iter()
            .map(|r| Key::new(card_keys[r.article], "row").with(&r.deal).finish())
            .collect();
        Renderer {
            site,
            templates,
            site_view: SiteView::new(&site.config),
            views: views::Views::new(site),
            site_key,
            previous,
            sink,
            card_keys,
            row_keys,
        }
    }

    fn config(&self) -> &Config {
        &self.site.config
    }

    fn meta(
        &self,
        title: &str,
        description: &str,
        rel: &str,
        lang: Lang,
        og_type: &str,
    ) -> PageMeta {
        PageMeta {
            title: title.to_string(),
            description: description.to_string(),
            url: self.config().absolute_url(rel),
            lang: lang.code().to_string(),
            og_type: og_type.to_string(),
        }
    }

    fn key(&self, kind: &str) -> Key {
        Key::new(self.site_key, kind)
    }

    /// Renders one template into a page, or reuses the previous one.
    fn page<C: serde::Serialize>(
        &self,
        template: &str,
        rel: String,
        key: u64,
        lastmod: Option<jiff::civil::Date>,
        context: impl FnOnce() -> C,
    ) -> Result<Page, Diagnostic> {
        self.emit(rel, key, lastmod, || {
            self.templates.render(template, &context())
        })
    }

    /// Makes one file (or reuses the previous one) and puts it into the sink
    /// at once: a URL folder (`articles/x/`, or `` for home) as its
    /// `index.html`, anything else at its own path. The page returned keeps
    /// its bytes only when the sink keeps them.
    fn emit(
        &self,
        rel: String,
        key: u64,
        lastmod: Option<jiff::civil::Date>,
        render: impl FnOnce() -> Result<String, Diagnostic>,
    ) -> Result<Page, Diagnostic> {
        let mut page = cache::page(self.previous, rel, key, lastmod, render)?;
        let file = if page.is_folder() {
            format!("{}index.html", page.rel)
        } else {
            page.rel.clone()
        };
        let html = if self.sink.keeps_bytes() {
            page.html.clone()
        } else {
            std::mem::take(&mut page.html)
        };
        self.sink
            .put_page(file, html)
            .map_err(|e| Diagnostic::error(&page.rel, e.to_string()))?;
        Ok(page)
    }
}

/// What an article's card and page are made of: its source and path, its URL, and
/// the URLs its `@/` links resolved to (they depend on other articles).
fn card_key(p: &crate::site::Placed) -> u64 {
    let a = &p.article;
    // The path as well as the text: a file's name says its language (`.fr.md`),
    // so the same text moved from `b.fr.md` to `b.md` is another article.
    Key::new(a.source_hash, "card")
        .with(&a.source_path)
        .with(&p.rel_url)
        .with_all(
            a.body
                .links
                .iter()
                .filter(|l| l.is_source())
                .map(|l| &l.replaced),
        )
        .finish()
}

/// What `render_site` made besides the files it put into the sink.
pub struct Rendered {
    /// HTML pages made.
    pub pages: usize,
    /// The pages for the next build of a session (empty when the sink does
    /// not keep bytes).
    pub cache: PageCache,
}

/// Renders the whole site into `sink`; errors are template problems (and
/// files that could not be written). `site_key` fingerprints the
/// configuration, theme and options; pages found in `previous` under the
/// same key are reused, not rendered.
pub fn render_site(
    site: &Site,
    templates: &Templates,
    site_key: u64,
    previous: Option<&PageCache>,
    sink: &Sink,
) -> Result<Rendered, Diagnostics> {
    let r = Renderer::new(site, templates, site_key, previous, sink);
    // The article pages and the rest (lists, feeds, exports: some of it one
    // page at a time) side by side, so that no core waits.
    let (mut pages, rest) = rayon::join(
        || {
            (0..site.articles.len())
                .into_par_iter()
                .map(|i| article_page(&r, ArticleIdx::new(i)))
                .collect::<Vec<_>>()
        },
        || {
            let mut rest = feed_pages(&r);
            rest.extend(lists::render(&r));
            rest.extend(export_pages(&r));
            rest
        },
    );
    pages.extend(rest);
    collect(&r, pages)
}

/// The article feeds: the site's language has the main ones; each other
/// language with articles has its own under its prefix (`fr/atom.xml`).
fn feed_pages(r: &Renderer) -> Vec<Result<Page, Diagnostic>> {
    let site = r.site;
    let mut editions = vec![(
        site.config.language,
        String::new(),
        feeds::feed_articles(site),
    )];
    for lang in other_languages(site) {
        editions.push((
            lang,
            format!("{}/", lang.code()),
            feeds::language_articles(site, lang),
        ));
    }
    let mut pages = Vec::new();
    for (lang, home, items) in &editions {
        let key = r
            .key("feeds")
            .with(home)
            .with_all(items.iter().map(|&i| &r.card_keys[i]))
            .finish();
        type Write = fn(&Site, &[ArticleIdx], Lang, &str) -> Result<String, Diagnostic>;
        let formats: [(&str, Write); 2] = [("atom.xml", feeds::atom), ("rss.xml", feeds::rss)];
        for (name, write) in formats {
            let rel = format!("{home}{name}");
            let page = r.emit(rel, key, None, || write(site, items, *lang, home));
            pages.push(page);
        }
    }
    pages
}

/// `deals.json`, `deals.csv` and the deals feed: all made of the index rows.
fn export_pages(r: &Renderer) -> Vec<Result<Page, Diagnostic>> {
    let site = r.site;
    let key = r.key("exports").with_all(&r.row_keys).finish();
    type Write = fn(&Site) -> String;
    let exports: [(&str, Write); 3] = [
        ("deals.json", exports::deals_json),
        ("deals/atom.xml", feeds::deals_atom),
        ("deals.csv", exports::deals_csv),
    ];
    let mut pages: Vec<_> = exports
        .into_iter()
        .map(|(rel, write)| r.emit(rel.into(), key, None, || Ok(write(site))))
        .collect();
    // The deals filter's shards go with the year pages that make them needed.
    // Each shard is keyed by its own deals and by the numbering of parties
    // and kinds it refers to: an edit makes again the shards it touched.
    if r.templates.has("deals_year.html") {
        let data = deal_data::Data::new(site);
        let numbering = r.key("numbering").with(&data.numbering()).finish();
        for (rel, part) in data.parts() {
            let page = match part {
                deal_data::Part::Index => r.emit(rel, key, None, || Ok(data.index())),
                deal_data::Part::Shard(deals) => {
                    let shard_key = r
                        .key("shard")
                        .with(&rel)
                        .with(&numbering)
                        .with_all(deals.iter().map(|&k| &r.row_keys[k]))
                        .finish();
                    r.emit(rel, shard_key, None, || {
                        Ok(data.shard(deals, |k| r.views.row(k)))
                    })
                }
            };
            pages.push(page);
        }
    }
    pages
}

/// The sitemap and robots.txt from the pages made, and the cache of them for
/// the next build; or every page's error.
fn collect(r: &Renderer, pages: Vec<Result<Page, Diagnostic>>) -> Result<Rendered, Diagnostics> {
    let config = r.config();
    let mut errors = Diagnostics::new();
    let mut sitemap_entries = Vec::new();
    let mut done = Vec::with_capacity(pages.len());
    for page in pages {
        let Some(page) = errors.ok(page) else {
            continue;
        };
        if page.is_folder() {
            sitemap_entries.push((page.rel.clone(), page.lastmod));
        }
        done.push(page);
    }
    let mut put = |name: String, bytes: bytes::Bytes| {
        let problem = r.sink.put(name.clone(), bytes).err();
        errors.extend(problem.map(|e| Diagnostic::error(name, e.to_string())));
    };
    sitemap_entries.sort();
    for (name, bytes) in exports::sitemaps(config, &sitemap_entries, exports::SITEMAP_URLS) {
        put(name, bytes.into());
    }
    put("robots.txt".into(), exports::robots(config).into());
    if !errors.is_empty() {
        return Err(errors.sorted());
    }
    let cache = if r.sink.keeps_bytes() {
        PageCache::from_pages(&done)
    } else {
        PageCache::default()
    };
    Ok(Rendered {
        pages: done
            .iter()
            .filter(|p| p.is_folder() || p.rel.ends_with(".html"))
            .count(),
        cache,
    })
}

/// One article's page.
fn article_page(r: &Renderer, i: ArticleIdx) -> Result<Page, Diagnostic> {
    let site = r.site;
    let p = &site.articles[i];
    let a = &p.article;
    let key = r
        .key("article")
        .with(&r.card_keys[i])
        .with(&p.is_translation)
        .with_all(p.translations.iter().map(|&t| &site.articles[t].rel_url))
        .finish();
    let lastmod = Some(a.updated.map_or(a.date, |u| u.max(a.date)));
    r.emit(p.rel_url.clone(), key, lastmod, || {
        let config = r.config();
        let body = crate::markdown::page_html(&a.body_html()?, &a.body.links);
        let summary = crate::markdown::page_html(&a.summary_html, &a.body.links);
        // A translation's deals are not in the index: its rows are made here.
        let own_rows: Vec<DealRow> = if p.is_translation {
            (0..a.deals.len())
                .map(|d| views::row(site, p, DealNo::new(d)))
                .collect()
        } else {
            Vec::new()
        };
        let rows: Vec<&DealRow> = if p.is_translation {
            own_rows.iter().collect()
        } else {
            r.views.rows_of[i].iter().map(|&k| r.views.row(k)).collect()
        };
        let tags = views::tag_links(config, p);
        let authors = a
            .authors
            .iter()
            .map(|n| views::author_link(config, n))
            .collect();
        let ctx = ArticleContext {
            site: &r.site_view,
            page: r.meta(&a.title, &description(a), &p.rel_url, a.lang, "article"),
            article: ArticleView {
                title: &a.title,
                date: format_date(a.date, a.lang),
                date_iso: a.date.to_string(),
                lang: a.lang.code(),
                content_html: &body,
                summary_html: &summary,
                tags: &tags,
                authors,
                deals: rows,
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
                json_ld: json_ld(config, p),
            },
        };
        // The context borrows the rows: render here, while they live.
        r.templates.render("article.html", &ctx)
    })
}

/// An article's meta description: its summary, cut at a word near the
/// length search results show.
fn description(a: &crate::article::Article) -> std::borrow::Cow<'_, str> {
    crate::text::excerpt(&a.summary_text, 160)
}

/// The schema.org `NewsArticle` of an article, as JSON safe inside `<script>`:
/// `<`, `>` and `&` are written as `\u003c`, `\u003e`, `\u0026`.
fn json_ld(config: &Config, p: &crate::site::Placed) -> String {
    let a = &p.article;
    let url = config.absolute_url(&p.rel_url);
    let value = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": a.title,
        "description": description(a),
        "datePublished": a.date_time.clone().unwrap_or_else(|| a.date.to_string()),
        "dateModified": a.updated.map(|d| d.to_string()),
        "inLanguage": a.lang.code(),
        "keywords": a.tags.iter().map(|(name, _)| name.as_str()).collect::<Vec<_>>(),
        "url": url,
        "mainEntityOfPage": url,
        "publisher": { "@type": "Organization", "name": config.title, "url": config.base_url },
        "author": author_ld(config, a),
    });
    let mut value = value;
    if let Some(map) = value.as_object_mut() {
        map.retain(|_, v| !v.is_null());
    }
    let text = serde_json::to_string(&value).unwrap_or_default();
    text.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// JSON-LD `author`: a `Person` for each byline (with their own page when
/// `site.yaml` gives one, else their author page), or the briefing itself.
fn author_ld(config: &Config, a: &crate::article::Article) -> serde_json::Value {
    if a.authors.is_empty() {
        return serde_json::json!({ "@type": "Organization", "name": config.title, "url": config.base_url });
    }
    let people: Vec<serde_json::Value> = a
        .authors
        .iter()
        .map(|name| {
            let url = config
                .author_info
                .get(name)
                .and_then(|i| i.url.clone())
                .unwrap_or_else(|| config.absolute_url(&views::author_rel(name)));
            serde_json::json!({ "@type": "Person", "name": name, "url": url })
        })
        .collect();
    serde_json::Value::Array(people)
}

/// The languages other than the site's in which some article is written.
fn other_languages(site: &Site) -> Vec<Lang> {
    Lang::ALL
        .into_iter()
        .filter(|&l| l != site.config.language && site.articles.iter().any(|p| p.article.lang == l))
        .collect()
}
