//! RENDER: the `Site` model → every page and export, into a `Sink`.
//!
//! Input: a `Site` and parsed `Templates`. Output: files put into an
//! `output::Sink` as each is rendered (in memory for tests, straight to the
//! staging folder for `build`, so that a large archive is never held whole).
//! Light records (cards, rows) are made when a page first asks for them and
//! borrowed by every list page; pages render in parallel. Same input ⇒
//! byte-identical output. `serve` asks for the list of files first and then
//! for one file at a time (`Want`), reusing template pages whose inputs hash
//! the same (`Memo`).

pub mod cache;
pub mod chart;
pub mod context;
pub mod deal_data;
pub mod edition;
pub mod embeds;
pub mod exports;
pub mod feeds;
mod lists;
pub mod search;
pub mod templates;
pub mod views;

use crate::config::FeedFormat;
use std::sync::atomic::{AtomicBool, Ordering};

use bytes::Bytes;
use rayon::prelude::*;

use crate::config::Config;
use crate::diag::{Diagnostic, Diagnostics};
use crate::i18n::{Lang, format_date};
use crate::index::ArticleIdx;
use crate::output::Sink;
use crate::site::Site;
use cache::Page;
pub use cache::{Memo, Want};
use context::*;
use edition::Edition;
pub use templates::{TemplateSource, Templates};

/// What every page renderer shares.
struct Renderer<'a> {
    views: views::Views<'a>,
    site: &'a Site,
    templates: &'a Templates,
    site_view: SiteView,
    /// Which files to make.
    want: Want<'a>,
    /// Template pages of earlier renders, reused when their inputs hash the same.
    memo: Option<&'a Memo>,
    /// Where every file goes as soon as it is made.
    sink: &'a Sink<'a>,
    /// When set, files are no longer rendered (a check made useless by a newer change).
    stop: &'a AtomicBool,
}

impl<'a> Renderer<'a> {
    fn config(&self) -> &Config {
        &self.site.config
    }

    /// The edition this renderer makes pages of.
    fn edition(&self) -> &Edition {
        self.views.edition()
    }

    /// Whether a file under `prefix` (`tags/`) may be wanted: a render of
    /// some files skips the lists that cannot hold one of them.
    fn may_want(&self, prefix: &str) -> bool {
        match self.want {
            Want::Only(files) => files.iter().any(|f| f.starts_with(prefix)),
            Want::All | Want::Plan => true,
        }
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
            image: None,
        }
    }

    /// Renders one template into a page, when it is wanted. With a memo, the
    /// page is reused when the template set and the context hash as they did.
    fn page<C: serde::Serialize>(
        &self,
        template: &str,
        rel: String,
        lastmod: Option<jiff::civil::Date>,
        context: impl FnOnce() -> C,
    ) -> Result<Page, Diagnostic> {
        self.emit(rel, lastmod, |file| {
            self.template(template, file, &context())
        })
    }

    /// Renders a template for the page at `file`, or takes it from the memo
    /// when the template set and the context hash as they did.
    ///
    /// A whole build into a folder with a build cache links the page an
    /// earlier build rendered from the same inputs instead
    /// (`BuildCache::page`), and keeps each page it renders.
    fn template<C: serde::Serialize>(
        &self,
        template: &str,
        file: &str,
        context: &C,
    ) -> Result<Made, Diagnostic> {
        if let (Some(store), Want::All) = (self.sink.build_cache(), self.want)
            && let Some(key) = store.page_key(self.templates.fingerprint(), template, context)
        {
            if let Some(entry) = store.page(&key) {
                return Ok(Made::Entry(entry, None));
            }
            let html = Bytes::from(self.templates.render(template, context)?);
            // Unchanged since the last build (made from other inputs, a
            // template edited elsewhere): the published file stays as it is.
            let same = self.sink.staging().and_then(|s| s.unchanged(file, &html));
            return Ok(match store.put_page(&key, &html, same.as_deref()) {
                Some(entry) => Made::Entry(entry, Some(html)),
                None => Made::Bytes(html),
            });
        }
        let remembered = self.memo.and_then(|memo| {
            let inputs = cache::inputs(self.templates.fingerprint(), template, context)?;
            Some((memo, inputs))
        });
        let Some((memo, inputs)) = remembered else {
            return self
                .templates
                .render(template, context)
                .map(|html| Made::Bytes(html.into()));
        };
        if let Some(html) = memo.get(file, inputs) {
            return Ok(Made::Bytes(html));
        }
        let html = Bytes::from(self.templates.render(template, context)?);
        memo.put(file, inputs, html.clone());
        Ok(Made::Bytes(html))
    }

    /// Makes one file when it is wanted and puts it into the sink at once: a
    /// URL folder (`articles/x/`, or `` for home) as its `index.html`,
    /// anything else at its own path. A plan puts every file, empty.
    fn emit<M: Into<Made>>(
        &self,
        rel: String,
        lastmod: Option<jiff::civil::Date>,
        render: impl FnOnce(&str) -> Result<M, Diagnostic>,
    ) -> Result<Page, Diagnostic> {
        let sitemap = lastmod.is_some();
        self.emit_page(
            Page {
                rel,
                lastmod,
                sitemap,
            },
            render,
        )
    }

    /// `emit` for a page whose place in the sitemap is given.
    fn emit_page<M: Into<Made>>(
        &self,
        page: Page,
        render: impl FnOnce(&str) -> Result<M, Diagnostic>,
    ) -> Result<Page, Diagnostic> {
        if self.stop.load(Ordering::Relaxed) {
            return Ok(page);
        }
        let file = page.file();
        let made = match self.want {
            Want::Plan => Made::Bytes(Bytes::new()),
            want if want.renders(&file) => render(&file)?.into(),
            _ => return Ok(page),
        };
        match made {
            Made::Bytes(bytes) => self.sink.put_page(file, bytes),
            Made::Entry(entry, bytes) => self.sink.put_cached_page(file, &entry, bytes),
        }
        .map_err(|e| Diagnostic::error(&page.rel, e.to_string()))?;
        Ok(page)
    }
}

/// A page made: its bytes, or the build cache's entry holding them (with
/// the bytes when they were just rendered).
enum Made {
    Bytes(Bytes),
    Entry(std::path::PathBuf, Option<Bytes>),
}

impl From<Bytes> for Made {
    fn from(bytes: Bytes) -> Made {
        Made::Bytes(bytes)
    }
}

/// What `render_site` made besides the files it put into the sink.
pub struct Rendered {
    /// HTML pages the site has (made, or for a plan named).
    pub pages: usize,
}

/// Renders the site into `sink`: the files `want` asks for (with the sitemap
/// and robots.txt, unless only some files are wanted). Errors are template
/// problems (and files that could not be written). With a `memo`, template
/// pages whose inputs did not change are reused, not rendered.
pub fn render_site(
    site: &Site,
    templates: &Templates,
    want: Want,
    memo: Option<&Memo>,
    sink: &Sink,
) -> Result<Rendered, Diagnostics> {
    render_site_until(site, templates, want, memo, sink, &AtomicBool::new(false))
}

/// `render_site`, rendering nothing more once `stop` is set.
pub fn render_site_until(
    site: &Site,
    templates: &Templates,
    want: Want,
    memo: Option<&Memo>,
    sink: &Sink,
    stop: &AtomicBool,
) -> Result<Rendered, Diagnostics> {
    // One renderer per edition: the site's language first.
    let renderers: Vec<Renderer> = Edition::all(&site.config, &site.languages)
        .into_iter()
        .map(|edition| Renderer {
            stop,
            site,
            templates,
            site_view: SiteView::new(&site.config, &edition).with_pages(site, &edition),
            views: views::Views::new(site, edition),
            want,
            memo,
            sink,
        })
        .collect();
    let r = &renderers[0];
    // An article's page is in its language's edition.
    let renderer_of = |i: ArticleIdx| {
        let lang = site.articles[i].article.lang;
        renderers
            .iter()
            .find(|r| r.edition().lang == lang)
            .unwrap_or(r)
    };
    // A render of some files looks their article pages up by URL folder.
    let articles: Vec<ArticleIdx> = match want {
        Want::Only(files) => {
            let folders: std::collections::HashSet<&str> = files
                .iter()
                .filter_map(|f| f.strip_suffix("index.html"))
                .collect();
            site.articles
                .indices()
                .filter(|&i| folders.contains(&*site.articles[i].rel_url))
                .collect()
        }
        Want::All | Want::Plan => site.articles.indices().collect(),
    };
    // The article pages and the rest (lists, feeds, exports: some of it one
    // page at a time) side by side, so that no core waits.
    let (mut pages, rest) = rayon::join(
        || {
            articles
                .into_par_iter()
                .map(|i| article_page(renderer_of(i), i))
                .collect::<Vec<_>>()
        },
        || {
            let mut rest = feed_pages(r);
            rest.extend(export_pages(r));
            // Each edition's lists and deal pages, when one of its files
            // may be wanted.
            for e in renderers
                .iter()
                .filter(|e| e.edition().is_main() || r.may_want(&e.edition().prefix))
            {
                rest.extend(lists::render(e));
                rest.extend(deal_pages(e));
                rest.extend(deal_data_pages(e));
                rest.extend(search_page(e));
            }
            rest
        },
    );
    pages.extend(rest);
    collect(r, pages)
}

/// Each deal's page (`deals/id/ID/`), when the theme has `deal.html`: its
/// current figures, their history and the articles that cover it.
fn deal_pages(r: &Renderer) -> Vec<Result<Page, Diagnostic>> {
    let site = r.site;
    if !r.templates.has("deal.html") {
        return Vec::new();
    }
    let deals: Vec<_> = site.deals.indices().collect();
    deals
        .into_par_iter()
        .map(|k| {
            let record = &site.records[k];
            let edition = r.edition();
            let rel = edition.deal(&record.id);
            let lastmod = record
                .coverage
                .iter()
                .map(|&i| site.articles[i].article.date)
                .max();
            r.page("deal.html", rel.clone(), lastmod, || {
                let deal = r.views.row(k);
                let original = views::in_language(site, edition, k, &record.original);
                let mut amount = record.original.amount;
                let history = record
                    .revisions
                    .iter()
                    .map(|applied| {
                        let before = amount;
                        if let Some((new, _)) = &applied.revision.amount {
                            amount = *new;
                        }
                        views::revision(
                            site,
                            edition,
                            applied.article,
                            &applied.revision,
                            Some(&before),
                        )
                    })
                    .collect();
                let earlier = record
                    .earlier
                    .iter()
                    .map(|(i, rev)| views::revision(site, edition, *i, rev, None))
                    .collect();
                let title = format!("{} — {}", deal.parties_text, deal.amount);
                let description = format!("{}: {}", record.id, deal.article_title);
                DealContext {
                    site: &r.site_view,
                    page: r.meta(&title, &description, &rel, edition.lang, "website"),
                    deal,
                    original,
                    history,
                    earlier,
                    coverage: record
                        .coverage
                        .iter()
                        .map(|&i| r.views.card(i).clone())
                        .collect(),
                }
            })
        })
        .collect()
}

/// The article feeds: the site's language has the main ones; each other
/// language with articles has its own under its prefix (`fr/atom.xml`).
fn feed_pages(r: &Renderer) -> Vec<Result<Page, Diagnostic>> {
    let site = r.site;
    let mut pages = Vec::new();
    for edition in Edition::all(&site.config, &site.languages) {
        let (lang, home) = (&edition.lang, edition.home());
        let items = || {
            if home.is_empty() {
                feeds::feed_articles(site)
            } else {
                feeds::language_articles(site, *lang)
            }
        };
        type Write = fn(&Site, &[ArticleIdx], Lang, &str) -> Result<String, Diagnostic>;
        let formats: [(&str, FeedFormat, Write); 2] = [
            ("atom.xml", FeedFormat::Atom, feeds::atom),
            ("rss.xml", FeedFormat::Rss, feeds::rss),
        ];
        for (name, format, write) in formats {
            // The feed, then its copies at an old site's feed paths: those
            // under this edition's prefix, or, for the site's language, any
            // not under another edition's.
            let copies = site.config.feed_copies.iter().filter(|(path, f)| {
                *f == format
                    && if home.is_empty() {
                        !Edition::all(&site.config, &site.languages)
                            .iter()
                            .any(|e| !e.prefix.is_empty() && path.starts_with(&e.prefix))
                    } else {
                        path.starts_with(&home)
                    }
            });
            let rels =
                std::iter::once(format!("{home}{name}")).chain(copies.map(|(p, _)| p.clone()));
            for rel in rels {
                let page = r.emit(rel, None, |_| {
                    write(site, &items(), *lang, &home).map(Bytes::from)
                });
                pages.push(page);
            }
        }
    }
    pages
}

/// An edition's search page, when the site has search and the theme a
/// `search.html`.
fn search_page(r: &Renderer) -> Option<Result<Page, Diagnostic>> {
    if !r.config().search || !r.templates.has("search.html") {
        return None;
    }
    let edition = r.edition();
    let (lang, rel) = (edition.lang, edition.search());
    Some(r.page("search.html", rel.clone(), None, || SearchContext {
        site: &r.site_view,
        page: r.meta(
            &r.templates.word(lang, "sr_title", &[]),
            &r.templates.word(lang, "sr_description", &[]),
            &rel,
            lang,
            "website",
        ),
    }))
}

/// `deals.json`, `deals.csv` and the deals feed: all made of the index rows.
fn export_pages(r: &Renderer) -> Vec<Result<Page, Diagnostic>> {
    let site = r.site;
    type Write = fn(&Site) -> String;
    let exports: [(&str, Write); 3] = [
        ("deals.json", exports::deals_json),
        ("deals/atom.xml", feeds::deals_atom),
        ("deals.csv", exports::deals_csv),
    ];
    let mut pages: Vec<_> = exports
        .into_iter()
        .map(|(rel, write)| r.emit(rel.into(), None, |_| Ok(Bytes::from(write(site)))))
        .collect();
    // Each party's feed: its deals and their revisions.
    pages.extend(site.parties.values().map(|entry| {
        r.emit(format!("deals/{}/atom.xml", entry.slug), None, |_| {
            Ok(Bytes::from(feeds::party_atom(site, entry)))
        })
    }));
    pages
}

/// An edition's data of the deals filter, in its language: its shards go
/// with the year pages that make them needed.
fn deal_data_pages(r: &Renderer) -> Vec<Result<Page, Diagnostic>> {
    let mut pages = Vec::new();
    if r.templates.has("deals_year.html") && r.may_want(&r.edition().rel("deals-data/")) {
        let data = deal_data::Data::new(r.site, r.edition());
        for (rel, part) in data.parts() {
            let page = r.emit(rel, None, |_| {
                Ok(Bytes::from(match part {
                    deal_data::Part::Index => data.index(),
                    deal_data::Part::Shard(deals) => data.shard(deals, |k| r.views.row(k)),
                }))
            });
            pages.push(page);
        }
    }
    pages
}

/// The sitemap and robots.txt from the pages made (or named, for a plan);
/// or every page's error. A render of some files only makes neither.
fn collect(r: &Renderer, pages: Vec<Result<Page, Diagnostic>>) -> Result<Rendered, Diagnostics> {
    let config = r.config();
    let mut errors = Diagnostics::new();
    let mut sitemap_entries = Vec::new();
    let mut count = 0;
    for page in pages {
        let Some(page) = errors.ok(page) else {
            continue;
        };
        if page.is_folder() || page.rel.ends_with(".html") {
            count += 1;
        }
        // A page with no content of its own (a search page) is left out of
        // the sitemap.
        if page.is_folder() && page.sitemap {
            sitemap_entries.push((page.rel, page.lastmod));
        }
    }
    if matches!(r.want, Want::Only(_)) {
        return if errors.is_empty() {
            Ok(Rendered { pages: count })
        } else {
            Err(errors.sorted())
        };
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
    Ok(Rendered { pages: count })
}

/// An article's or a page's meta data (`og:type` `og_type`), with its
/// lead image.
fn article_meta(r: &Renderer, i: ArticleIdx, og_type: &str) -> PageMeta {
    let p = &r.site.articles[i];
    let a = &p.article;
    PageMeta {
        image: embeds::lead_image(r.site, i),
        ..r.meta(&a.title, &description(a), &p.rel_url, a.lang, og_type)
    }
}

/// An article's or a page's body as its page shows it (embeds filled).
fn page_body(r: &Renderer, i: ArticleIdx) -> Result<String, Diagnostic> {
    let site = r.site;
    embeds::fill(
        site,
        Some(r.templates),
        i,
        &site.articles[i].article.body_html()?,
        embeds::Surface::Page,
    )
}

/// Its headings of levels 2 and 3, for a table of contents.
fn toc(a: &crate::article::Article) -> Vec<&TocEntry> {
    a.body
        .headings
        .iter()
        .filter(|h| (2..=3).contains(&h.level))
        .collect()
}

/// The translations of an article or page, as links.
fn translations(site: &Site, p: &crate::site::Placed) -> Vec<Translation> {
    p.translations
        .iter()
        .map(|&t| Translation {
            lang: site.articles[t].article.lang.code().to_string(),
            url: site.config.path_url(&site.articles[t].rel_url),
            permalink: site.config.absolute_url(&site.articles[t].rel_url),
        })
        .collect()
}

/// A standalone page (`content/pages/`), through `page.html`: in the
/// sitemap (by its `updated:` date, when it has one), on no list.
fn standalone_page(r: &Renderer, i: ArticleIdx) -> Result<Page, Diagnostic> {
    let site = r.site;
    let p = &site.articles[i];
    let a = &p.article;
    if a.redirect.is_some() {
        // A page that only redirects: not in the sitemap.
        let page = Page {
            rel: p.rel_url.to_string(),
            lastmod: None,
            sitemap: false,
        };
        let target = p.target_url(&site.config);
        return r.emit_page(page, |_| {
            Ok(Bytes::from(exports::redirect(&target, a.lang)))
        });
    }
    if !r.templates.has("page.html") {
        return Err(Diagnostic::error(
            &a.source_path,
            "the theme has no `page.html` template, which the pages of `content/pages/` need: add one (the built-in theme's is a start)",
        ));
    }
    let page = Page {
        rel: p.rel_url.to_string(),
        lastmod: a.updated,
        sitemap: true,
    };
    r.emit_page(page, |file| {
        let body = page_body(r, i)?;
        let ctx = PageContext {
            site: &r.site_view,
            page: article_meta(r, i, "website"),
            standalone: StandaloneView {
                title: &a.title,
                lang: a.lang.code(),
                content_html: &body,
                updated: a.updated.map(|d| format_date(d, a.lang)),
                updated_iso: a.updated.map(|d| d.to_string()),
                toc: toc(a),
                translations: translations(site, p),
            },
        };
        r.template("page.html", file, &ctx)
    })
}

/// One article's page (or a standalone page's: `standalone_page`).
fn article_page(r: &Renderer, i: ArticleIdx) -> Result<Page, Diagnostic> {
    let site = r.site;
    let p = &site.articles[i];
    let a = &p.article;
    if a.is_page() {
        return standalone_page(r, i);
    }
    let lastmod = Some(a.updated.map_or(a.date, |u| u.max(a.date)));
    r.emit(p.rel_url.to_string(), lastmod, |file| {
        let config = r.config();
        let body = page_body(r, i)?;
        let summary = embeds::fill(site, None, i, &a.summary_html, embeds::Surface::List)?;
        // The deals as this article reports them (the deals index and the
        // exports give their current figures, after later revisions).
        let own_rows: Vec<DealRow> = site.shown[i]
            .iter()
            .map(|&k| views::shown_row(site, i, k))
            .collect();
        let rows: Vec<&DealRow> = own_rows.iter().collect();
        let tags = views::tag_links(config, r.edition(), p);
        let authors = a
            .authors
            .iter()
            .map(|n| views::author_link(config, r.edition(), n))
            .collect();
        let ctx = ArticleContext {
            site: &r.site_view,
            page: article_meta(r, i, "article"),
            article: ArticleView {
                title: &a.title,
                scheduled: site.preview && a.date > crate::site::today(),
                date: format_date(a.date, a.lang),
                date_iso: a.date.to_string(),
                lang: a.lang.code(),
                content_html: &body,
                summary_html: &summary,
                tags: &tags,
                authors,
                deals: rows,
                toc: toc(a),
                reading_minutes: a.body.words.div_ceil(220).max(1),
                translations: translations(site, p),
                json_ld: json_ld(config, p, embeds::lead_image(site, i)),
            },
        };
        // The context borrows the rows: render here, while they live.
        r.template("article.html", file, &ctx)
    })
}

/// An article's meta description: its summary, cut at a word near the
/// length search results show.
fn description(a: &crate::article::Article) -> std::borrow::Cow<'_, str> {
    crate::text::excerpt(&a.summary_text, 160)
}

/// The schema.org `NewsArticle` of an article, as JSON safe inside `<script>`:
/// `<`, `>` and `&` are written as `\u003c`, `\u003e`, `\u0026`.
fn json_ld(config: &Config, p: &crate::site::Placed, image: Option<embeds::LeadView>) -> String {
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
        "image": image.map(|i| vec![i.url]),
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
                .unwrap_or_else(|| config.absolute_url(&Edition::of(config, a.lang).author(name)));
            serde_json::json!({ "@type": "Person", "name": name, "url": url })
        })
        .collect();
    serde_json::Value::Array(people)
}
