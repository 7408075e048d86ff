//! Feeds: `/atom.xml` and `/rss.xml` (the latest articles, full content) and
//! `/deals/atom.xml` (the latest deals), written by the `atom_syndication` and
//! `rss` crates so escaping and dates are theirs, not ours.
//!
//! Input: the site and the articles listed. Output: XML text. No
//! clock: a feed's `updated` is its newest entry's date. Drafts never appear.
//! Every link in an entry's content and summary is absolute: a reader
//! resolves a relative one against the feed, not the article.

use atom_syndication as atom;

use crate::article::Article;
use crate::config::Config;
use crate::diag::Diagnostic;
use crate::i18n::{Lang, format_date};
use crate::index::{ArticleIdx, Idx};
use crate::money::format;
use crate::site::Site;

/// The articles in one language (translations included; no page), not drafts, newest
/// first, up to the limit: the feed of that language's home.
pub fn language_articles(site: &Site, lang: Lang) -> Vec<ArticleIdx> {
    site.articles
        .iter_enumerated()
        .filter(|(_, p)| p.article.lang == lang && !p.article.draft && !p.article.is_page())
        .map(|(i, _)| i)
        .take(site.config.feed_limit)
        .collect()
}

/// The articles a feed carries: listed, not drafts, newest first, up to the limit.
pub fn feed_articles(site: &Site) -> Vec<ArticleIdx> {
    site.listed()
        .filter(|&i| !site.articles[i].article.draft)
        .take(site.config.feed_limit)
        .collect()
}

/// An article's publication time: its RFC 3339 date-time, else its date at midnight UTC.
fn published(a: &Article) -> atom::FixedDateTime {
    let text = a
        .date_time
        .clone()
        .unwrap_or_else(|| format!("{}T00:00:00Z", a.date));
    atom::FixedDateTime::parse_from_rfc3339(&text)
        .or_else(|_| atom::FixedDateTime::parse_from_rfc3339(&format!("{}T00:00:00Z", a.date)))
        .unwrap_or_default()
}

fn date_time(date: jiff::civil::Date) -> atom::FixedDateTime {
    atom::FixedDateTime::parse_from_rfc3339(&format!("{date}T00:00:00Z")).unwrap_or_default()
}

fn link(href: String, rel: &str, mime: Option<&str>) -> atom::Link {
    atom::Link {
        href,
        rel: rel.to_string(),
        mime_type: mime.map(str::to_string),
        ..Default::default()
    }
}

fn author(config: &Config) -> atom::Person {
    atom::Person {
        name: config.title.clone(),
        uri: Some(config.base_url.clone()),
        ..Default::default()
    }
}

/// One article as both feeds carry it.
struct Entry {
    url: String,
    title: String,
    lang: &'static str,
    published: atom::FixedDateTime,
    updated: atom::FixedDateTime,
    summary: String,
    content: Option<String>,
    tags: Vec<String>,
    /// Bylines with their author pages.
    authors: Vec<(String, String)>,
}

/// The entries of the articles at `items`, newest first; an error if a body
/// cannot be read back from a streamed build's scratch file.
fn entries(site: &Site, items: &[ArticleIdx]) -> Result<Vec<Entry>, Diagnostic> {
    let config = &site.config;
    items
        .iter()
        .map(|&i| {
            let p = &site.articles[i];
            let a = &p.article;
            Ok(Entry {
                url: config.absolute_url(&p.rel_url),
                title: a.title.clone(),
                lang: a.lang.code(),
                published: published(a),
                updated: a
                    .updated
                    .filter(|u| *u > a.date)
                    .map_or_else(|| published(a), date_time),
                summary: summary_html(site, i)?,
                content: content_html(site, i)?,
                authors: a
                    .authors
                    .iter()
                    .map(|n| {
                        let page = crate::render::edition::Edition::of(config, a.lang).author(n);
                        (n.clone(), config.absolute_url(&page))
                    })
                    .collect(),
                tags: a.tags.iter().map(|(name, _)| name.clone()).collect(),
            })
        })
        .collect()
}

/// `/atom.xml` (or `/fr/atom.xml`, for `home` = `fr/`): the latest articles
/// with their full content.
pub fn atom(
    site: &Site,
    items: &[ArticleIdx],
    lang: Lang,
    home: &str,
) -> Result<String, Diagnostic> {
    let config = &site.config;
    let entries: Vec<atom::Entry> = entries(site, items)?
        .into_iter()
        .map(|e| {
            let mut summary = atom::Text::html(e.summary);
            summary.lang = Some(e.lang.to_string());
            atom::Entry {
                title: atom::Text::plain(e.title),
                id: e.url.clone(),
                updated: e.updated,
                published: Some(e.published),
                links: vec![link(e.url, "alternate", Some("text/html"))],
                summary: Some(summary),
                content: e.content.map(|value| atom::Content {
                    value: Some(value),
                    content_type: Some("html".into()),
                    lang: Some(e.lang.to_string()),
                    ..Default::default()
                }),
                categories: e
                    .tags
                    .into_iter()
                    .map(|term| atom::Category {
                        term,
                        ..Default::default()
                    })
                    .collect(),
                authors: e
                    .authors
                    .into_iter()
                    .map(|(name, uri)| atom::Person {
                        name,
                        uri: Some(uri),
                        ..Default::default()
                    })
                    .collect(),
                ..Default::default()
            }
        })
        .collect();
    let subtitle = (!config.description.is_empty()).then(|| config.description.clone());
    Ok(atom_feed(
        config,
        config.title.clone(),
        subtitle,
        home,
        lang,
        entries,
    ))
}

/// `/rss.xml` (or `/fr/rss.xml`): the same articles for RSS 2.0 readers.
pub fn rss(
    site: &Site,
    items: &[ArticleIdx],
    lang: Lang,
    home: &str,
) -> Result<String, Diagnostic> {
    let config = &site.config;
    let entries = entries(site, items)?;
    let last = entries.first().map(|e| e.published.to_rfc2822());
    let rss_items: Vec<rss::Item> = entries
        .into_iter()
        .map(|e| rss::Item {
            title: Some(e.title),
            link: Some(e.url.clone()),
            guid: Some(rss::Guid {
                value: e.url,
                permalink: true,
            }),
            pub_date: Some(e.published.to_rfc2822()),
            description: Some(e.summary),
            content: e.content,
            categories: e
                .tags
                .into_iter()
                .map(|name| rss::Category { name, domain: None })
                .collect(),
            dublin_core_ext: (!e.authors.is_empty()).then(|| {
                rss::extension::dublincore::DublinCoreExtension {
                    creators: e.authors.into_iter().map(|(name, _)| name).collect(),
                    ..Default::default()
                }
            }),
            ..Default::default()
        })
        .collect();
    let channel = rss::Channel {
        title: config.title.clone(),
        link: config.absolute_url(home),
        description: if config.description.is_empty() {
            config.title.clone()
        } else {
            config.description.clone()
        },
        language: Some(lang.code().to_string()),
        last_build_date: last.clone(),
        pub_date: last,
        items: rss_items,
        namespaces: [(
            "content".to_string(),
            "http://purl.org/rss/1.0/modules/content/".to_string(),
        )]
        .into(),
        ..Default::default()
    };
    Ok(channel.to_string())
}

/// `/deals/atom.xml`: one entry per deal, newest first, for readers who follow deals only.
pub fn deals_atom(site: &Site) -> String {
    let config = &site.config;
    let entries = site
        .deals
        .indices()
        .take(config.feed_limit)
        .map(|k| deal_entry(site, k))
        .collect();
    let title = format!("{} — deals", config.title);
    atom_feed(config, title, None, "deals/", config.language, entries)
}

/// `/deals/PARTY/atom.xml`: a party's deals and the revisions of them, newest
/// first (by the date of the deal, or of the revising article).
pub fn party_atom(site: &Site, party: &crate::site::PartyEntry) -> String {
    let config = &site.config;
    let mut entries: Vec<atom::Entry> = Vec::new();
    for &k in &party.deals {
        entries.push(deal_entry(site, k));
        let record = &site.records[k];
        entries.extend(
            record
                .revisions
                .iter()
                .map(|a| revision_entry(site, k, a.article, &a.revision)),
        );
    }
    entries.sort_by(|a, b| b.updated.cmp(&a.updated).then_with(|| a.id.cmp(&b.id)));
    entries.truncate(config.feed_limit);
    let title = format!("{} — {}", config.title, party.name);
    let page = format!("deals/{}/", party.slug);
    atom_feed(config, title, None, &page, config.language, entries)
}

/// A deal of the index with its current figures, linking to the article
/// that reports it.
fn deal_entry(site: &Site, k: crate::index::DealIdx) -> atom::Entry {
    let config = &site.config;
    let r = site.deals[k];
    let p = &site.articles[r.article];
    let a = &p.article;
    let deal = site.current(k);
    let url = config.absolute_url(&p.rel_url);
    let amount = format::amount(&deal.amount, a.lang);
    let title = format!("{}: {}", deal.parties.join(", "), amount);
    let mut lines = vec![
        format!("{} — {}", format_date(deal.date, a.lang), amount),
        deal.parties.join(", "),
    ];
    lines.extend(deal.kind.clone());
    lines.extend(deal.term.clone());
    if deal.status != crate::article::Status::Announced {
        lines.push(deal.status.as_str().to_string());
    }
    lines.push(a.title.clone());
    atom::Entry {
        title: atom::Text::plain(title),
        id: format!("{url}#deal-{}", r.deal.get() + 1),
        updated: date_time(deal.date),
        published: Some(date_time(deal.date)),
        links: vec![link(url, "alternate", Some("text/html"))],
        summary: Some(atom::Text {
            lang: Some(a.lang.code().to_string()),
            ..atom::Text::plain(lines.join("\n"))
        }),
        categories: deal
            .kind
            .iter()
            .map(|k| atom::Category {
                term: k.clone(),
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    }
}

/// A revision of a deal: what the revising article set, linking to it.
fn revision_entry(
    site: &Site,
    k: crate::index::DealIdx,
    i: crate::index::ArticleIdx,
    rev: &crate::article::Revision,
) -> atom::Entry {
    let config = &site.config;
    let p = &site.articles[i];
    let a = &p.article;
    let record = &site.records[k];
    let url = config.absolute_url(&p.rel_url);
    let mut set = Vec::new();
    if let Some((amount, _)) = &rev.amount {
        set.push(format::amount(amount, a.lang));
    }
    if let Some(status) = rev.status {
        set.push(status.as_str().to_string());
    }
    set.extend(rev.term.clone());
    if let Some(parties) = &rev.parties {
        set.push(parties.join(", "));
    }
    let title = format!(
        "{} ({}): {}",
        record.current.parties.join(", "),
        record.id,
        set.join(", ")
    );
    atom::Entry {
        title: atom::Text::plain(title),
        id: format!("{url}#revises-{}", record.id),
        updated: date_time(a.date),
        published: Some(date_time(a.date)),
        links: vec![link(url, "alternate", Some("text/html"))],
        summary: Some(atom::Text {
            lang: Some(a.lang.code().to_string()),
            ..atom::Text::plain(format!("{} — {}", format_date(a.date, a.lang), a.title))
        }),
        ..Default::default()
    }
}

/// An Atom feed of `entries` for the page at `page` (site-relative: `""`,
/// `fr/`, `deals/`), published beside it as `atom.xml`; updated when its
/// newest entry was.
fn atom_feed(
    config: &Config,
    title: String,
    subtitle: Option<String>,
    page: &str,
    lang: Lang,
    entries: Vec<atom::Entry>,
) -> String {
    let updated = entries.iter().map(|e| e.updated).max().unwrap_or_default();
    let feed = atom::Feed {
        title: atom::Text::plain(title),
        id: config.absolute_url(page),
        updated,
        authors: vec![author(config)],
        links: vec![
            link(
                config.absolute_url(&format!("{page}atom.xml")),
                "self",
                Some("application/atom+xml"),
            ),
            link(config.absolute_url(page), "alternate", Some("text/html")),
        ],
        subtitle: subtitle.map(atom::Text::plain),
        lang: Some(lang.code().to_string()),
        entries,
        ..Default::default()
    };
    feed.to_string()
}

/// The largest article body a feed carries whole, in bytes of HTML. Past it
/// an entry has its summary and link only: twenty such articles would make
/// a feed of gigabytes that no reader fetches.
pub const MAX_CONTENT: usize = 512 * 1024;

/// An entry's content: the whole body as its page publishes it, every link
/// absolute, unless it is longer than `MAX_CONTENT`.
fn content_html(site: &Site, i: ArticleIdx) -> Result<Option<String>, Diagnostic> {
    let html = site.articles[i].article.body_html()?;
    if html.len() > MAX_CONTENT {
        return Ok(None);
    }
    absolute_html(site, i, &html).map(Some)
}

/// An entry's summary, every link absolute.
fn summary_html(site: &Site, i: ArticleIdx) -> Result<String, Diagnostic> {
    absolute_html(site, i, &site.articles[i].article.summary_html)
}

/// HTML of an article (with its link slots) as a feed carries it: the slots
/// filled as on the article's page, then every URL in it (Markdown's, the
/// heading anchors' and footnotes', raw HTML's) made absolute against the
/// page's address, since a feed reader would resolve it against the feed.
fn absolute_html(site: &Site, i: ArticleIdx, html: &str) -> Result<String, Diagnostic> {
    let html =
        crate::render::embeds::fill(site, None, i, html, crate::render::embeds::Surface::Feed)?;
    let page = &site.articles[i].rel_url;
    Ok(match url::Url::parse(&site.config.absolute_url(page)) {
        Ok(page) => crate::html::absolute_links(&html, &page),
        // A base URL is checked when the site is read: this does not happen.
        Err(_) => html,
    })
}
