//! SEARCH: the site model → a Pagefind index, in memory.
//!
//! Input: a `Site`. Output: the files of a Pagefind bundle (loader, WebAssembly,
//! index chunks, fragments), named relative to the bundle folder
//! (`BUNDLE_DIR`). Records are made from the model, not read back from
//! rendered pages: each published article is one record (its title and the
//! text of its body, never the header, footer or lists), and each deal it
//! reports is one more, with Pagefind filters (`type`, `party`, `year`,
//! `kind`, `precision`) and sort keys (`amount` in the reporting currency,
//! `date`). Records carry their language, so Pagefind builds one index per
//! language, each with its own stemming. Drafts are never indexed.
//!
//! A record's URL is its page's path relative to the base URL
//! (`articles/x/`): the search script gives Pagefind the base path, so one
//! index serves a build and `serve` alike.

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};

use bytes::Bytes;
use pagefind::api::{CustomRecord, StreamingIndex};
use pagefind::options::PagefindServiceConfig;
use rayon::prelude::*;

use crate::diag::{Diagnostic, Diagnostics};
use crate::index::{ArticleIdx, DealIdx};
use crate::render::context::DealRow;
use crate::render::views;
use crate::site::Site;

/// The Pagefind release whose loader and WebAssembly the bundle carries
/// (checked against the bundle's own `pagefind-entry.json` by a test).
pub const PAGEFIND_VERSION: &str = "1.6.0";

/// The bundle's folder, relative to the base URL (`pagefind/` and
/// `PAGEFIND_VERSION`, checked by a test). It is named after the
/// Pagefind release because the files Pagefind names without a hash (the
/// loader `pagefind.js`, `wasm.LANG.pagefind`, its UI files) change only with
/// the release: a host may cache the folder for good. The index files are
/// named by Pagefind after their content, and `pagefind-entry.json` is
/// fetched with a query string that changes at every visit.
pub const BUNDLE_DIR: &str = "pagefind/1.6.0/";

/// Articles read into records at a time: a batch's records (and Pagefind's
/// working data of them) are all the index holds besides what it keeps.
const BATCH: usize = 2048;

/// The meta fields of records (`StreamingIndex` is told them up front).
const META_FIELDS: [&str; 9] = [
    "amount",
    "article",
    "date",
    "image",
    "image_alt",
    "image_size",
    "reporting",
    "status",
    "title",
];

/// Gives `each` the records of a site batch by batch: every published
/// article, then every deal of every published article, each batch made in
/// parallel. Errors are bodies that could not be read back from a streamed
/// build's scratch file, or what `each` returns.
pub fn for_each_batch(
    site: &Site,
    batch: usize,
    mut each: impl FnMut(Vec<CustomRecord>) -> Result<(), Diagnostics>,
) -> Result<(), Diagnostics> {
    let published: Vec<ArticleIdx> = site
        .articles
        .indices()
        .filter(|&i| !site.articles[i].article.draft && !site.articles[i].article.is_page())
        .collect();
    // Articles first, deals after, so that an article is the first result
    // when it ties with its own deal.
    for part in published.chunks(batch.max(1)) {
        let made: Vec<Result<CustomRecord, Diagnostic>> =
            part.par_iter().map(|&i| article_record(site, i)).collect();
        let mut errors = Diagnostics::new();
        let records: Vec<CustomRecord> = made.into_iter().filter_map(|r| errors.ok(r)).collect();
        if !errors.is_empty() {
            return Err(errors.sorted());
        }
        each(records)?;
    }
    let deals: Vec<DealIdx> = site
        .deals
        .indices()
        .filter(|&k| {
            !site.articles[site.records[k].declared.article]
                .article
                .draft
        })
        .collect();
    for part in deals.chunks(batch.max(1)) {
        let records: Vec<CustomRecord> = part
            .par_iter()
            .flat_map_iter(|&k| deal_records(site, k))
            .collect();
        if !records.is_empty() {
            each(records)?;
        }
    }
    Ok(())
}

/// An article's record: its title and the text of its body.
fn article_record(site: &Site, i: ArticleIdx) -> Result<CustomRecord, Diagnostic> {
    let p = &site.articles[i];
    let a = &p.article;
    let mut meta = BTreeMap::from([
        ("title".to_string(), a.title.clone()),
        ("date".to_string(), crate::i18n::format_date(a.date, a.lang)),
    ]);
    // The lead image, small, for the result's thumbnail: every article
    // record has the fields (empty without one), so the streamed index
    // numbers its meta fields as Pagefind would (`META_FIELDS`).
    let image = crate::render::embeds::card_thumbnail(site, i);
    let size = image
        .as_ref()
        .and_then(|i| Some(format!("{}x{}", i.width?, i.height?)));
    meta.insert("image_size".to_string(), size.unwrap_or_default());
    let (url, alt) = image.map(|i| (i.url, i.alt)).unwrap_or_default();
    meta.insert("image".to_string(), url);
    meta.insert("image_alt".to_string(), alt);
    Ok(CustomRecord {
        url: p.rel_url.to_string(),
        content: escape_text(&crate::html::text(&crate::markdown::fill_links(
            &a.body_html()?,
            &a.body.links,
            &a.body.elements,
            |l| l.dest().into(),
        ))),
        language: a.lang.code().to_string(),
        meta,
        filters: BTreeMap::from([("type".to_string(), vec!["article".to_string()])]),
        sort: BTreeMap::from([("date".to_string(), a.date.to_string())]),
    })
}

/// The records of a deal, one per language of the site, each with its
/// current figures in that language, its filters and sort keys. A record
/// leads to the deal on its article's page in that language, else to the
/// deal's page.
fn deal_records(site: &Site, k: DealIdx) -> Vec<CustomRecord> {
    let record = &site.records[k];
    let declaring = record.declared.article;
    site.languages
        .iter()
        .map(|&lang| {
            let article = std::iter::once(declaring)
                .chain(site.articles[declaring].translations.iter().copied())
                .find(|&i| {
                    site.articles[i].article.lang == lang && !site.articles[i].article.draft
                });
            let (row, url) = match article {
                Some(i) => (
                    views::shown_row(site, i, k),
                    format!("{}#deal-{}", site.articles[i].rel_url, record.id),
                ),
                None => (
                    views::row_in(site, k, lang),
                    crate::render::edition::Edition::of(&site.config, lang).deal(&record.id),
                ),
            };
            deal_record(row, url, lang)
        })
        .collect()
}

/// One deal's record in one language.
fn deal_record(row: DealRow, url: String, lang: crate::i18n::Lang) -> CustomRecord {
    let mut filters = BTreeMap::from([
        ("type".to_string(), vec!["deal".to_string()]),
        (
            "party".to_string(),
            row.parties.iter().map(|p| p.name.clone()).collect(),
        ),
        ("year".to_string(), vec![row.year.to_string()]),
        ("precision".to_string(), vec![row.precision.clone()]),
        ("status".to_string(), vec![row.status.clone()]),
    ]);
    if !row.kind.is_empty() {
        filters.insert("kind".to_string(), vec![row.kind.clone()]);
    }
    // Pagefind leaves out of a sorted search the records without
    // the key: an undisclosed amount sorts as zero, last.
    let amount = if row.reporting_value.is_empty() {
        "0".to_string()
    } else {
        row.reporting_value.clone()
    };
    let sort = BTreeMap::from([
        ("date".to_string(), row.date_iso.clone()),
        ("amount".to_string(), amount),
    ]);
    let title = format!("{} — {}", row.parties_text, row.amount);
    let content = escape_text(
        &[
            row.parties_text.as_str(),
            &row.amount,
            &row.kind,
            &row.term,
            &row.article_title,
        ]
        .join(" · "),
    );
    CustomRecord {
        url,
        content,
        language: lang.code().to_string(),
        meta: BTreeMap::from([
            ("title".to_string(), title),
            ("date".to_string(), row.date),
            ("article".to_string(), row.article_title),
            ("amount".to_string(), row.amount),
            ("reporting".to_string(), row.reporting),
            ("status".to_string(), row.status),
        ]),
        filters,
        sort,
    }
}

/// Text as Pagefind reads it from an HTML page: `&`, `<` and `>` escaped,
/// so that the excerpts it makes of it are HTML whose only tags are its own
/// `<mark>`s.
fn escape_text(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A hash of a site's records: two states of a session whose records hash
/// the same share one bundle.
pub fn fingerprint(site: &Site) -> Result<u64, Diagnostics> {
    let mut h = rustc_hash::FxHasher::default();
    for_each_batch(site, BATCH, |records| {
        for r in &records {
            (
                &r.url,
                &r.content,
                &r.language,
                &r.meta,
                &r.filters,
                &r.sort,
            )
                .hash(&mut h);
        }
        Ok(())
    })?;
    Ok(h.finish())
}

/// The site's search bundle: each file's path in the bundle folder with its
/// bytes, sorted by path. The records are read and indexed `batch` articles
/// at a time, so that memory stays bounded whatever the archive's size.
pub fn site_bundle(site: &Site) -> Result<Vec<(String, Bytes)>, Diagnostics> {
    stream_bundle(site, BATCH)
}

fn stream_bundle(site: &Site, batch: usize) -> Result<Vec<(String, Bytes)>, Diagnostics> {
    let mut index = StreamingIndex::new(Some(options()), &META_FIELDS).map_err(failed)?;
    for_each_batch(site, batch, |records| {
        index.add_custom_records(records).map(drop).map_err(failed)
    })?;
    // Pagefind's API is async but, for files kept in memory, waits on
    // nothing: the future runs to its end on this thread (a rayon worker in
    // a build), with no runtime. A thread of its own would deadlock a
    // one-thread pool.
    let files = block_on(index.files()).map_err(failed)?;
    Ok(kept(files))
}

/// A Pagefind error (an `anyhow::Error`, whose `{:#}` gives its causes).
fn failed(e: impl std::fmt::Display) -> Diagnostics {
    Diagnostics::from(Diagnostic::error("search index", format!("{e:#}")))
}

fn options() -> PagefindServiceConfig {
    PagefindServiceConfig::builder()
        .keep_index_url(true)
        .build()
}

/// The files the search page loads, sorted by path: the loader, its
/// worker, the WebAssembly and the index. Pagefind's own UIs are not used.
fn kept(files: Vec<pagefind::api::SyntheticFile>) -> Vec<(String, Bytes)> {
    let mut files: Vec<(String, Bytes)> = files
        .into_iter()
        .filter_map(|f| {
            let name = f.filename.to_str()?.replace('\\', "/");
            let kept = name == "pagefind.js"
                || name == "pagefind-worker.js"
                || name == "pagefind-entry.json"
                || name.starts_with("wasm.")
                || name.ends_with(".pf_meta")
                || name.ends_with(".pf_index")
                || name.ends_with(".pf_filter")
                || name.ends_with(".pf_fragment");
            kept.then(|| (name, Bytes::from(f.contents)))
        })
        .collect();
    files.sort_by(|a, b| a.0.cmp(&b.0));
    files
}

/// Runs a future to its end on this thread, parking it while the future
/// waits. Unlike `futures::executor::block_on`, it may run inside another
/// `block_on` on the same thread, as a rayon worker does when, waiting in one
/// build's bundle, it steals the work of another build's.
fn block_on<F: std::future::Future>(future: F) -> F::Output {
    struct Unpark(std::thread::Thread);
    impl std::task::Wake for Unpark {
        fn wake(self: std::sync::Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = std::task::Waker::from(std::sync::Arc::new(Unpark(std::thread::current())));
    let mut context = std::task::Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        if let std::task::Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return output;
        }
        std::thread::park();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::source::SourceFile;

    fn site(files: &[(&str, &str)], drafts: bool) -> Site {
        site_with("", files, drafts)
    }

    /// A site whose site.yaml ends with `more`.
    fn site_with(more: &str, files: &[(&str, &str)], drafts: bool) -> Site {
        let config = crate::config::parse(&format!(
            "title: T\nbase_url: https://e.org/b/\nrates: {{ EUR: 1.5 }}\nparties:\n  Amazon: {{ aliases: [AWS] }}\n{more}"
        ))
        .expect("config");
        let articles = files
            .iter()
            .map(|(path, text)| {
                let file = SourceFile::new(*path, text.as_bytes().to_vec());
                let parsed = crate::article::parse(
                    &file,
                    &config.article_settings(),
                    &mut Default::default(),
                );
                Arc::new(parsed.expect("article"))
            })
            .collect();
        crate::site::assemble(config, articles, drafts).expect("site")
    }

    fn demo() -> Site {
        site(
            &[
                (
                    "content/a.md",
                    "---\ntitle: Cloud <deal>\ndate: 2025-11-03\ndeals:\n  - { amount: $38 billion, parties: [AWS, OpenAI], kind: cloud }\n  - { amount: undisclosed, parties: [Oracle, OpenAI], date: 2024-01-02 }\n---\nThe **contract** runs for *seven* years & more.\n\n```\nx < y\n```\n",
                ),
                (
                    "content/b.fr.md",
                    "---\ntitle: Accord\ndate: 2025-11-04\nlang: fr\n---\nLes États signent.\n",
                ),
                (
                    "content/c.md",
                    "---\ntitle: Revised\ndate: 2025-12-01\ndeals:\n  - { ref: a-1, amount: $40 billion, parties: [AWS, OpenAI, Acme] }\n---\nMore.\n",
                ),
                (
                    "content/secret.md",
                    "---\ntitle: Secret\ndate: 2025-11-05\ndraft: true\n---\nUnpublished scoop.\n",
                ),
            ],
            true,
        )
    }

    /// Every record of a site, read one article at a time.
    fn records(site: &Site) -> Result<Vec<CustomRecord>, Diagnostics> {
        let mut all = Vec::new();
        for_each_batch(site, 1, |batch| {
            all.extend(batch);
            Ok(())
        })?;
        Ok(all)
    }

    /// The bundle Pagefind's own `PagefindIndex` makes of the same records,
    /// all held at once.
    fn whole_bundle(records: Vec<CustomRecord>) -> Vec<(String, Bytes)> {
        let files = block_on(async {
            let mut index = pagefind::api::PagefindIndex::new(Some(options())).expect("index");
            index.add_custom_records(records).await.expect("records");
            index.take_files().await.expect("files")
        });
        kept(files)
    }

    /// A site of `n` articles in both languages, with deals, shared words,
    /// accents and numbers: enough words for several index chunks.
    fn archive(n: usize) -> Site {
        let words = [
            "cloud",
            "contrat",
            "États",
            "etats",
            "énergie",
            "Oracle",
            "capacité",
            "capacite",
            "puces",
            "chips",
            "billion",
            "milliards",
            "Abu",
            "Dhabi",
            "réseau",
            "network",
        ];
        let files: Vec<(String, String)> = (0..n)
            .map(|i| {
                let lang = if i % 3 == 0 { "fr" } else { "en" };
                let body: Vec<String> = (0..60)
                    .map(|k| format!("{} {}", words[(i * 7 + k * 3) % words.len()], (i * k) % 97))
                    .collect();
                let text = format!(
                    "---\ntitle: Deal {i} {}\ndate: 2025-{:02}-{:02}\nlang: {lang}\ndeals:\n  - {{ amount: ${} billion, parties: [AWS, OpenAI], kind: cloud }}\n---\n{}\n",
                    words[i % words.len()],
                    i % 12 + 1,
                    i % 28 + 1,
                    i % 50 + 1,
                    body.join(". ")
                );
                (format!("content/a{i}.md"), text)
            })
            .collect();
        let refs: Vec<(&str, &str)> = files
            .iter()
            .map(|(p, t)| (p.as_str(), t.as_str()))
            .collect();
        site(&refs, false)
    }

    #[test]
    fn the_streamed_bundle_is_the_one_pagefind_builds_of_all_the_records_at_once() {
        // Every language has all the meta fields (Pagefind numbers those it
        // finds; the streamed index, those it is told).
        for site in [archive(2), archive(240)] {
            let whole = whole_bundle(records(&site).expect("records"));
            let chunks = whole
                .iter()
                .filter(|(n, _)| n.ends_with(".pf_index"))
                .count();
            for batch in [1, 7, BATCH] {
                let streamed = stream_bundle(&site, batch).expect("bundle");
                let names =
                    |b: &[(String, Bytes)]| b.iter().map(|f| f.0.clone()).collect::<Vec<_>>();
                assert_eq!(names(&streamed), names(&whole), "batch {batch}");
                for ((name, a), (_, b)) in streamed.iter().zip(&whole) {
                    assert!(a == b, "{name} differs with batches of {batch}");
                }
            }
            if site.articles.len() > 100 {
                assert!(chunks > 1, "several index chunks: {chunks}");
            }
        }
    }

    #[test]
    fn an_article_is_its_body_text_and_each_deal_a_record_with_filters() {
        let records = records(&demo()).expect("records");
        let urls: Vec<&str> = records.iter().map(|r| r.url.as_str()).collect();
        assert_eq!(
            urls,
            [
                "articles/c/",
                "articles/b/",
                "articles/a/",
                "articles/a/#deal-a-1",
                "fr/deals/id/a-1/",
                "articles/a/#deal-a-2",
                "fr/deals/id/a-2/",
            ],
            "articles first, drafts never; each deal once per language"
        );
        let a = &records[2];
        assert_eq!(
            a.content, "The contract runs for seven years &amp; more. x &lt; y",
            "the body's text, escaped as Pagefind reads HTML text"
        );
        assert_eq!(
            a.meta["title"], "Cloud <deal>",
            "meta is text; the script shows it as text"
        );
        assert_eq!(a.language, "en");
        assert_eq!(records[1].language, "fr");
        assert_eq!(a.filters["type"], ["article"]);
        let deal = &records[3];
        assert_eq!(deal.filters["type"], ["deal"]);
        assert_eq!(
            deal.filters["party"],
            ["Amazon", "OpenAI", "Acme"],
            "the current parties"
        );
        assert_eq!(deal.filters["year"], ["2025"]);
        assert_eq!(deal.filters["kind"], ["cloud"]);
        assert_eq!(deal.filters["precision"], ["exact"]);
        assert_eq!(deal.filters["status"], ["announced"]);
        assert_eq!(deal.sort["amount"], "40000000000", "the current amount");
        assert_eq!(deal.sort["date"], "2025-11-03");
        assert_eq!(deal.meta["article"], "Cloud <deal>");
        assert_eq!(deal.meta["amount"], "$40 billion");
        let french = &records[4];
        assert_eq!(french.language, "fr", "the French search finds deals");
        assert_eq!(french.meta["amount"], "40\u{a0}milliards de dollars");
        assert_eq!(french.meta["date"], "3 novembre 2025");
        assert_eq!(french.filters["party"], deal.filters["party"]);
        let undisclosed = &records[5];
        assert_eq!(undisclosed.filters["year"], ["2024"]);
        assert_eq!(undisclosed.filters["precision"], ["undisclosed"]);
        assert_eq!(undisclosed.sort["amount"], "0", "sorted last, not left out");
        assert!(!undisclosed.filters.contains_key("kind"));
    }

    #[test]
    fn a_record_holds_no_text_of_code_or_fallbacks_even_trusted() {
        let body = "Lead <script>x(\"SECRET\")</script>words.\n\n<noscript>\n<p>SECRET fallback</p>\n</noscript>\n\n<style>p { content: \"SECRET\" }</style>\n\nH<sub>2</sub>O <template>SECRET</template>end.\n";
        for policy in ["sanitize", "trust"] {
            let site = site_with(
                &format!("markdown: {{ html: {policy} }}\n"),
                &[(
                    "content/a.md",
                    &format!("---\ntitle: A\ndate: 2025-11-03\n---\n{body}"),
                )],
                false,
            );
            let records = records(&site).expect("records");
            assert_eq!(records[0].content, "Lead words. H2O end.", "{policy}");
        }
    }

    #[test]
    fn the_bundle_is_this_pagefind_release_with_one_index_per_language() {
        let files = site_bundle(&demo()).expect("bundle");
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        for name in [
            "pagefind.js",
            "pagefind-entry.json",
            "wasm.en.pagefind",
            "wasm.fr.pagefind",
        ] {
            assert!(names.contains(&name), "{name} in {names:?}");
        }
        assert!(
            names.iter().all(|n| !n.contains("ui")),
            "no Pagefind UI: {names:?}"
        );
        let entry = &files
            .iter()
            .find(|(n, _)| n == "pagefind-entry.json")
            .expect("entry")
            .1;
        let entry: serde_json::Value = serde_json::from_slice(entry).expect("json");
        assert_eq!(
            entry["version"], PAGEFIND_VERSION,
            "the folder is named after the release"
        );
        let languages: Vec<&String> = entry["languages"]
            .as_object()
            .expect("languages")
            .keys()
            .collect();
        assert_eq!(languages, ["en", "fr"]);
        assert_eq!(BUNDLE_DIR, format!("pagefind/{PAGEFIND_VERSION}/"));
    }

    #[test]
    fn block_on_runs_inside_another_block_on() {
        // What a rayon worker does when, waiting in one bundle, it steals
        // another's work (`futures::executor::block_on` panics here).
        assert_eq!(block_on(async { block_on(async { 1 }) + 1 }), 2);
        // A future that waits once is woken and finished.
        let mut polled = false;
        let waits_once = std::future::poll_fn(|cx| {
            if polled {
                std::task::Poll::Ready(3)
            } else {
                polled = true;
                cx.waker().wake_by_ref();
                std::task::Poll::Pending
            }
        });
        assert_eq!(block_on(waits_once), 3);
    }

    #[test]
    fn the_same_site_gives_the_same_bundle_and_a_new_word_another() {
        let one = site_bundle(&demo()).expect("bundle");
        assert_eq!(one, site_bundle(&demo()).expect("again"), "deterministic");
        let before = fingerprint(&demo()).expect("fingerprint");
        assert_eq!(before, fingerprint(&demo()).expect("again"));
        let other = site(
            &[(
                "content/a.md",
                "---\ntitle: T\ndate: 2025-01-01\n---\nA new word.\n",
            )],
            false,
        );
        assert_ne!(before, fingerprint(&other).expect("fingerprint"));
    }
}
