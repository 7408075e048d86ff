//! Pages stay small however large the archive grows: every list is cut into
//! pages of `pagination.page_size`, so no HTML page grows with the number of
//! articles. The site here is the worst case for that: every article in one
//! tag, one author, one month, with a deal between the same two parties, so
//! that each list holds every article. `tests/bench/scale` measures the
//! largest page of the 100,000-article corpus as well.

use dealwire::pipeline::{self, BuildOptions};
use dealwire::source::{SiteSource, SourceFile};

/// The size limit of any HTML page (the archive issue's budget).
const BUDGET: usize = 1024 * 1024;

fn concentrated(articles: usize) -> SiteSource {
    let files = (0..articles)
        .map(|i| {
            let day = i % 28 + 1;
            let text = format!(
                "---\ntitle: \"Amazon and OpenAI sign another long compute agreement, number {i}\"\n\
                 date: 2025-11-{day:02}\ntags: [cloud]\nauthors: [Claire Martin]\n\
                 deal:\n  parties: [OpenAI, Amazon]\n  amount: {} million USD\n  kind: cloud contract\n---\n\n\
                 A paragraph of the body, long enough to make a summary for the lists.\n",
                i % 900 + 100
            );
            SourceFile::new(format!("content/a-{i:05}.md"), text.into_bytes())
        })
        .collect();
    SiteSource {
        root: std::path::PathBuf::from("/site"),
        config: "title: Scale\nbase_url: https://example.org/briefing/\n".into(),
        files,
        diagnostics: Default::default(),
    }
}

/// The largest HTML page of the concentrated site of `articles` articles.
fn largest_page(articles: usize) -> (usize, String) {
    let built = pipeline::build(concentrated(articles), &BuildOptions::default())
        .unwrap_or_else(|d| panic!("build failed: {d:?}"));
    built
        .output
        .iter()
        .filter(|(path, _)| path.ends_with(".html"))
        .map(|(path, bytes)| (bytes.len(), path.to_string()))
        .max()
        .expect("pages")
}

#[test]
fn no_page_grows_with_the_archive() {
    let (small, small_path) = largest_page(300);
    let (large, large_path) = largest_page(1500);
    assert!(
        large <= small + small / 20,
        "the largest page grew with the archive: {small_path} is {small} bytes at 300 articles, {large_path} is {large} bytes at 1,500"
    );
    assert!(large < BUDGET, "{large_path} is {large} bytes");
}

#[test]
fn every_list_is_paged_and_every_deal_is_on_a_year_page() {
    let built = pipeline::build(concentrated(250), &BuildOptions::default()).expect("build");
    let page = |p: &str| {
        built
            .output
            .iter()
            .find(|(path, _)| *path == p)
            .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
    };
    // 250 in each list, 100 a page: three pages each.
    for list in [
        "tags/cloud/",
        "authors/claire-martin/",
        "deals/openai/",
        "deals/2025/",
        "archive/2025/11/",
    ] {
        assert!(
            page(&format!("{list}page/3/index.html")).is_some(),
            "{list} has no third page"
        );
        assert!(
            page(&format!("{list}page/4/index.html")).is_none(),
            "{list} has a fourth page"
        );
    }
    let rows = |html: &str| html.matches("<tr data-date=").count();
    let years: usize = [
        "deals/2025/index.html",
        "deals/2025/page/2/index.html",
        "deals/2025/page/3/index.html",
    ]
    .iter()
    .map(|p| rows(&page(p).expect("year page")))
    .sum();
    assert_eq!(years, 250, "every deal is on a year page, once");
    assert_eq!(
        rows(&page("deals/index.html").expect("index")),
        100,
        "the index shows the latest page"
    );
    let shard = page("deals-data/year/2025.json").expect("year shard");
    let shard: serde_json::Value = serde_json::from_str(&shard).expect("json");
    assert_eq!(shard["deals"].as_array().map(Vec::len), Some(250));
    let index = page("deals-data/index.json").expect("shard index");
    let index: serde_json::Value = serde_json::from_str(&index).expect("json");
    assert_eq!(index["years"][0][2], "year/2025.json");
    assert_eq!(index["party_shards"].as_array().map(Vec::len), Some(2));
}
