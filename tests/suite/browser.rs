//! The built site in a real browser: headless Chromium driven over WebDriver
//! (chromedriver + fantoccini), served by a small static host on loopback under
//! the sub-path of `base_url`. Pages load with no console error and no failed
//! request at 1280 and 375 pixels, fit the narrow screen, pass axe-core, the
//! deals table sorts and filters with totals that follow, and no script payload
//! runs. A missing browser or driver fails with the command that installs it.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

use crate::harness::site;

/// A static host for one output folder under `/briefing/`, logging each answer.
pub(crate) struct Host {
    pub(crate) address: String,
    pub(crate) log: Arc<Mutex<Vec<(String, u16)>>>,
}

pub(crate) fn host(public: PathBuf) -> Host {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("addr").to_string();
    let log = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&log);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let (public, seen) = (public.clone(), Arc::clone(&seen));
            std::thread::spawn(move || answer(stream, &public, &seen));
        }
    });
    Host { address, log }
}

fn answer(mut stream: TcpStream, public: &Path, log: &Mutex<Vec<(String, u16)>>) {
    let mut line = String::new();
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    if reader.read_line(&mut line).is_err() {
        return;
    }
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).map_or(true, |n| n == 0) || header == "\r\n" {
            break;
        }
    }
    let path = line
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .split(['?', '#'])
        .next()
        .unwrap_or("/")
        .to_string();
    let rel = path.strip_prefix("/briefing/").map(|r| {
        if r.is_empty() || r.ends_with('/') {
            format!("{r}index.html")
        } else {
            r.to_string()
        }
    });
    let file = rel
        .filter(|r| !r.contains(".."))
        .map(|r| public.join(r))
        .filter(|p| p.is_file());
    let (status, body, file) = match file {
        Some(f) => (200, std::fs::read(&f).unwrap_or_default(), f),
        None => (
            404,
            std::fs::read(public.join("404.html")).unwrap_or_default(),
            public.join("404.html"),
        ),
    };
    let kind = match file.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css",
        Some("js") => "text/javascript",
        Some("xml") => "application/xml",
        Some("json") => "application/json",
        Some("png") => "image/png",
        _ => "application/octet-stream",
    };
    log.lock().expect("log").push((path, status));
    let head = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&body);
}

/// chromedriver on a free port, stopped when dropped.
pub(crate) struct Driver(Child, String);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub(crate) fn driver() -> Driver {
    let port = TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start chromedriver ({e}): install it with `apt-get install -y chromium chromium-driver` (tests/run does)"));
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    Driver(child, format!("http://127.0.0.1:{port}"))
}

pub(crate) async fn browser(driver: &Driver) -> Client {
    // A profile of its own: tests run in parallel, each with its browser.
    let profile = std::env::temp_dir().join(format!(
        "dealwire-chromium-{}",
        driver.1.rsplit(':').next().unwrap_or("0")
    ));
    let caps = json!({
        "browserName": "chrome",
        "goog:loggingPrefs": { "browser": "ALL" },
        "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--disable-dev-shm-usage", format!("--user-data-dir={}", profile.display())]
        }
    });
    let caps = caps.as_object().cloned().expect("object");
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&driver.1)
        .await
        .unwrap_or_else(|e| panic!("cannot start headless Chromium through chromedriver: {e}"))
}

/// chromedriver's log endpoint: the browser console since the last call.
#[derive(Debug)]
struct BrowserLog;

impl WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/se/log", session.unwrap_or_default()))
    }
    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(r#"{"type":"browser"}"#.into()))
    }
}

pub(crate) async fn console_errors(client: &Client) -> Vec<String> {
    let log = client.issue_cmd(BrowserLog).await.expect("browser log");
    log.as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["level"] == "SEVERE")
        .map(|e| e["message"].as_str().unwrap_or("").to_string())
        .collect()
}

pub(crate) fn failed_requests(host: &Host) -> Vec<(String, u16)> {
    let mut log = host.log.lock().expect("log");
    let failed = log.iter().filter(|(_, s)| *s >= 400).cloned().collect();
    log.clear();
    failed
}

pub(crate) fn axe_source() -> String {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tools/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!("axe-core is missing: run `npm ci --prefix tests/tools` (tests/run does)")
    })
}

pub(crate) async fn axe_violations(client: &Client, axe: &str) -> Vec<String> {
    client.execute(axe, vec![]).await.expect("inject axe");
    let result = client
        .execute_async("const done = arguments[arguments.length - 1]; axe.run(document).then(r => done(r.violations.map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))), e => done(['axe failed: ' + e]));", vec![])
        .await
        .expect("axe run");
    result
        .as_array()
        .into_iter()
        .flatten()
        .map(|v| v.as_str().unwrap_or("").to_string())
        .collect()
}

pub(crate) fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

#[test]
fn pages_load_cleanly_at_both_widths_and_pass_axe() {
    let site = site("ok-subpath");
    let (_tmp, public) = crate::clients_demo();
    drop(site);
    let host = host(public);
    let driver = driver();
    let axe = axe_source();
    runtime().block_on(async {
        let client = browser(&driver).await;
        let _ = console_errors(&client).await;
        for (width, height) in [(1280u32, 900u32), (375, 812)] {
            client.set_window_size(width, height).await.expect("size");
            for page in ["", "fr/", "articles/openai-aws-38-billion/", "fr/articles/openai-aws-38-billion/", "deals/", "deals/openai/", "tags/cloud/", "authors/claire-martin/", "archive/", "archive/2025/11/", "deals/2025/", "deals/2025/page/2/", "tags/compute/page/2/", "page/2/", "search/", "fr/search/", "deals/id/coreweave-openai-2025/", "no/such/page/"] {
                let url = format!("http://{}/briefing/{page}", host.address);
                client.goto(&url).await.expect("goto");
                let errors = console_errors(&client).await;
                let failed: Vec<_> = failed_requests(&host).into_iter().filter(|(p, _)| !p.ends_with("/no/such/page/")).collect();
                assert!(failed.is_empty(), "{page} at {width}px: failed requests {failed:?}");
                if !page.starts_with("no/") {
                    assert!(errors.is_empty(), "{page} at {width}px: console errors {errors:?}");
                }
                let overflow = client
                    .execute("return document.documentElement.scrollWidth - document.documentElement.clientWidth;", vec![])
                    .await
                    .expect("measure");
                assert!(overflow.as_i64().unwrap_or(1) <= 0, "{page} at {width}px scrolls sideways by {overflow}px");
                let violations = axe_violations(&client, &axe).await;
                assert!(violations.is_empty(), "{page} at {width}px: axe-core violations {violations:#?}");
            }
        }
        client.close().await.expect("close");
    });
}

async fn visible_rows(client: &Client) -> Vec<Value> {
    client
        .execute("return Array.from(document.querySelectorAll('#dw-deals tbody tr')).filter(r => !r.hidden).map(r => ({value: r.dataset.value, parties: r.dataset.parties, year: r.dataset.year}));", vec![])
        .await
        .expect("rows")
        .as_array()
        .cloned()
        .unwrap_or_default()
}

async fn status(client: &Client) -> String {
    client
        .find(Locator::Id("dw-status"))
        .await
        .expect("status")
        .text()
        .await
        .expect("text")
}

/// The visible rows once `done` holds for them (the table may be waiting
/// for a shard), or after five seconds, whatever they are then.
async fn rows_when(client: &Client, done: impl Fn(&[Value], &str) -> bool) -> Vec<Value> {
    for _ in 0..100 {
        // Rows and status read in one script, so that they are of one moment.
        let seen = client
            .execute("return [Array.from(document.querySelectorAll('#dw-deals tbody tr')).filter(r => !r.hidden).map(r => ({value: r.dataset.value, parties: r.dataset.parties, year: r.dataset.year})), document.getElementById('dw-status').textContent];", vec![])
            .await
            .expect("rows and status");
        let rows = seen[0].as_array().cloned().unwrap_or_default();
        if done(&rows, seen[1].as_str().unwrap_or("")) {
            return rows;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    visible_rows(client).await
}

#[test]
fn the_deals_table_sorts_and_filters_with_totals_and_url_state() {
    let (_tmp, public) = crate::clients_demo();
    let host = host(public);
    let driver = driver();
    runtime().block_on(async {
        let client = browser(&driver).await;
        client.set_window_size(1280, 900).await.expect("size");
        let base = format!("http://{}/briefing/deals/", host.address);
        client.goto(&base).await.expect("goto");
        // The page holds the latest deals (the demo's page size is 5).
        let latest = rows_when(&client, |_, s| !s.is_empty()).await;
        assert_eq!(latest.len(), 5, "{latest:?}");
        let before = status(&client).await;
        assert!(before.starts_with("5 deals shown"), "{before}");

        // Sorting reads the newest year's shard: every deal of that year.
        client
            .find(Locator::Css("th[data-sort=amount] button"))
            .await
            .expect("amount")
            .click()
            .await
            .expect("click");
        let sorted = rows_when(&client, |_, s| s.contains("only")).await;
        let note = status(&client).await;
        assert!(
            note.contains("2025 only"),
            "the view says its scope: {note}"
        );
        assert!(sorted.iter().all(|r| r["year"] == "2025"), "{sorted:?}");
        let th = client
            .find(Locator::Css("th[data-sort=amount]"))
            .await
            .expect("th");
        assert_eq!(
            th.attr("aria-sort").await.expect("attr").as_deref(),
            Some("descending")
        );
        let values: Vec<f64> = sorted
            .iter()
            .filter_map(|r| r["value"].as_str()?.parse().ok())
            .collect();
        assert!(values.len() > 5, "more than the page's rows: {values:?}");
        assert!(
            values.windows(2).all(|w| w[0] >= w[1]),
            "sorted by amount, largest first: {values:?}"
        );
        assert!(
            client
                .current_url()
                .await
                .expect("url")
                .as_str()
                .contains("sort=amount"),
            "the sort is in the URL"
        );

        // A party reads that party's shard: its deals of every year.
        let party = client
            .find(Locator::Id("dw-party"))
            .await
            .expect("party select");
        party.select_by_value("CoreWeave").await.expect("select");
        // The contract (its expansions are revisions of it) and the stake.
        let rows = rows_when(&client, |rows, s| {
            rows.len() == 2 && s.starts_with("2 deals")
        })
        .await;
        assert_eq!(rows.len(), 2, "the two CoreWeave deals: {rows:?}");
        assert!(rows.iter().all(|r| {
            r["parties"]
                .as_str()
                .is_some_and(|p| p.contains("CoreWeave"))
        }));
        let after = status(&client).await;
        assert!(
            after.starts_with("2 deals shown") && after != before,
            "totals follow the filter: {after}"
        );
        let url = client.current_url().await.expect("url").to_string();
        assert!(url.contains("party=CoreWeave"), "{url}");

        client.goto(&url).await.expect("reload shared view");
        let restored = rows_when(&client, |rows, _| rows.len() == 2).await;
        assert_eq!(restored.len(), 2, "a shared URL restores the view");
        let search = client.find(Locator::Id("dw-q")).await.expect("search");
        search.send_keys("equity").await.expect("type");
        let rows = rows_when(&client, |rows, _| rows.len() < 2).await;
        assert!(rows.len() == 1, "free text narrows further: {rows:?}");

        // A year with no party: that year's shard, the same deals as its pages.
        client
            .goto(&format!("{base}?year=2023"))
            .await
            .expect("year view");
        // The page first shows its own rows (the latest year) until the
        // script has read the year's shard: wait for that year's rows.
        let year = rows_when(&client, |rows, s| {
            !rows.is_empty() && !s.contains('…') && rows.iter().all(|r| r["year"] == "2023")
        })
        .await;
        assert!(year.iter().all(|r| r["year"] == "2023"), "{year:?}");
        client
            .goto(&format!("{base}2023/"))
            .await
            .expect("year page");
        let on_page = client
            .execute(
                "return document.querySelectorAll('#dw-year-deals tbody tr').length;",
                vec![],
            )
            .await
            .expect("count");
        assert_eq!(
            on_page.as_u64(),
            Some(year.len() as u64),
            "the year page lists the same deals"
        );
        client.close().await.expect("close");
    });
}

/// Wide tables (Markdown and raw HTML), a long bare URL and a long footnote
/// URL scroll or wrap inside their own boxes: a phone never scrolls sideways.
#[test]
fn wide_content_never_makes_a_phone_scroll_sideways() {
    let site = site("ok-wide-content");
    assert_eq!(site.build().status, 0);
    let host = host(site.public());
    let driver = driver();
    runtime().block_on(async {
        let client = browser(&driver).await;
        client.set_window_size(375, 812).await.expect("size");
        for page in ["", "articles/wide/"] {
            let url = format!("http://{}/briefing/{page}", host.address);
            client.goto(&url).await.expect("goto");
            let overflow = client
                .execute("return document.documentElement.scrollWidth - document.documentElement.clientWidth;", vec![])
                .await
                .expect("measure");
            assert!(overflow.as_i64().unwrap_or(1) <= 0, "{page} scrolls sideways by {overflow}px");
        }
        // The table itself is wider than the phone: it scrolls in its box.
        let inner = client
            .execute("const w = document.querySelector('.table-wrap'); return w.scrollWidth - w.clientWidth;", vec![])
            .await
            .expect("measure the table");
        assert!(inner.as_i64().unwrap_or(0) > 0, "the table is not wider than its box: {inner}");
        client.close().await.expect("close");
    });
}

#[test]
fn no_payload_runs_in_the_browser() {
    let site = site("ok-xss");
    assert_eq!(site.build().status, 0);
    let host = host(site.public());
    let driver = driver();
    runtime().block_on(async {
        let client = browser(&driver).await;
        for page in [
            "",
            "articles/payloads/",
            "deals/",
            "tags/cloud/",
            "tags/img-src-x-onerror-window-xss-4/",
        ] {
            client
                .goto(&format!("http://{}/briefing/{page}", host.address))
                .await
                .expect("goto");
            assert!(
                client.get_alert_text().await.is_err(),
                "{page}: an alert is open"
            );
            let ran = client
                .execute(
                    "return window.__xss === undefined ? null : window.__xss;",
                    vec![],
                )
                .await
                .expect("probe");
            assert!(ran.is_null(), "{page}: payload {ran} ran");
        }
        // Search results carry the payloads' titles, parties and excerpts
        // (ok-xss has search on): as text, in the header box and on the
        // search page, for articles and for deals.
        let root = format!("http://{}/briefing/", host.address);
        client.goto(&root).await.expect("goto");
        let input = client.find(Locator::Id("dw-find-q")).await.expect("box");
        input.send_keys("window").await.expect("type");
        let shown = poll(&client, &result_links("dw-find-results"), |v| !strings(v).is_empty()).await;
        assert!(!strings(&shown).is_empty(), "the header box found the payload article");
        for query in ["search/?q=window", "search/?q=bold", "search/?type=deal&sort=amount"] {
            client.goto(&format!("{root}{query}")).await.expect("goto");
            let shown = poll(&client, &result_links("dw-search-results"), |v| !strings(v).is_empty()).await;
            assert!(!strings(&shown).is_empty(), "{query}: results");
            let marks = client
                .execute("return document.querySelectorAll('#dw-search-results *:not(li):not(h2):not(a):not(p):not(mark)').length;", vec![])
                .await
                .expect("elements");
            assert_eq!(marks, json!(0), "{query}: results hold only our elements and <mark>");
            assert!(client.get_alert_text().await.is_err(), "{query}: an alert is open");
            let ran = client
                .execute("return window.__xss === undefined ? null : window.__xss;", vec![])
                .await
                .expect("probe");
            assert!(ran.is_null(), "{query}: payload {ran} ran");
        }
        client.close().await.expect("close");
    });
}

/// `serve` reloads an open page when its own page changed, and leaves it
/// alone when only other pages did.
#[test]
fn live_reload_reloads_only_the_pages_that_changed() {
    let site = site("ok-subpath");
    let server = crate::serve::start(&site);
    let driver = driver();
    let retitle = |name: &str, title: &str| {
        let file = site.root.join(format!("content/articles/{name}.md"));
        std::fs::write(&file, crate::serve::retitled(&file, title)).expect("edit");
    };
    runtime().block_on(async {
        let client = browser(&driver).await;
        let page = format!("http://{}{}articles/beta-deal/", server.address, server.base);
        client.goto(&page).await.expect("goto");
        // Marks this load of the page; a reload forgets it.
        client.execute("window.__kept = 1; return 1;", vec![]).await.expect("mark");
        tokio::time::sleep(Duration::from_millis(500)).await;

        retitle("alpha-deal", "Only alpha changed");
        let alpha = format!("{}articles/alpha-deal/", server.base);
        crate::serve::get_until(&server, &alpha, "Only alpha changed");
        tokio::time::sleep(Duration::from_millis(1000)).await;
        let kept = client.execute("return window.__kept === 1;", vec![]).await.expect("probe");
        assert_eq!(kept, json!(true), "the beta page reloaded for a change to alpha");

        retitle("beta-deal", "Beta changed too");
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let h1 = client
                .execute("return document.querySelector('h1') ? document.querySelector('h1').textContent : '';", vec![])
                .await
                .expect("h1");
            if h1.as_str().is_some_and(|t| t.contains("Beta changed too")) {
                break;
            }
            assert!(Instant::now() < deadline, "the beta page never reloaded: {h1}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        client.close().await.expect("close");
    });
}

/// Runs `script` (which must return a value) until `done` holds for what it
/// returns, or five seconds have passed; returns the last value.
async fn poll(client: &Client, script: &str, done: impl Fn(&Value) -> bool) -> Value {
    let mut seen = Value::Null;
    // Up to about fifteen seconds: a loaded machine is slow to fetch and
    // start the search's WebAssembly.
    for _ in 0..300 {
        seen = client.execute(script, vec![]).await.expect("script");
        if done(&seen) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    seen
}

/// The links of a result list, in order.
fn result_links(list: &str) -> String {
    format!(
        "return Array.from(document.querySelectorAll('#{list} li a')).map(a => new URL(a.href).pathname + new URL(a.href).hash);"
    )
}

/// The links of a result list once they answer `query` (the list's
/// `data-for`, in the address's form on the search page), and none before:
/// a reader's typing runs a search per key, and a slow machine shows the
/// results of `Abu` before those of `Abu Dhabi`.
fn results_for(list: &str, query: &str) -> String {
    format!(
        "if (document.getElementById('{list}').getAttribute('data-for') !== '{query}') return []; {}",
        result_links(list)
    )
}

/// The rows of the search page's list once they answer a search with every
/// parameter of `wanted` (in any order, beside any others), each as `row`
/// makes it of its link `a`.
fn deal_rows_for(wanted: &str, row: &str) -> String {
    format!(
        "const f = new URLSearchParams(document.getElementById('dw-search-results').getAttribute('data-for') || ''); \
         const w = new URLSearchParams('{wanted}'); \
         if ([...w].some(([k, v]) => f.get(k) !== v)) return []; \
         return Array.from(document.querySelectorAll('#dw-search-results li a')).map(a => {row});"
    )
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .map(|s| s.as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn search_finds_articles_and_deals_in_both_languages_under_the_sub_path() {
    let (_tmp, public) = crate::clients_demo();
    let host = host(public);
    let driver = driver();
    let axe = axe_source();
    runtime().block_on(async {
        let client = browser(&driver).await;
        client.set_window_size(1280, 900).await.expect("size");
        let root = format!("http://{}/briefing/", host.address);

        // The header box: results under it as the reader types, no page load.
        client.goto(&root).await.expect("goto");
        client
            .execute("window.dwSamePage = true;", vec![])
            .await
            .expect("mark page");
        let link_hidden = client
            .execute("return document.getElementById('dw-find-link').hidden && !document.getElementById('dw-find').hidden;", vec![])
            .await
            .expect("box shown");
        assert_eq!(link_hidden, json!(true), "the script shows the box in place of the link");
        let input = client.find(Locator::Id("dw-find-q")).await.expect("box");
        input.send_keys("Abu Dhabi").await.expect("type");
        let found = poll(&client, &results_for("dw-find-results", "Abu Dhabi"), |v| {
            !strings(v).is_empty()
        })
        .await;
        assert_eq!(
            strings(&found).first().map(String::as_str),
            Some("/briefing/articles/stargate-uae-abu-dhabi/"),
            "{found:?}"
        );
        let same = client
            .execute("return window.dwSamePage === true && location.pathname;", vec![])
            .await
            .expect("same page");
        assert_eq!(same, json!("/briefing/"), "typing loaded no page");
        let announced = client
            .execute("return document.getElementById('dw-find-status').textContent;", vec![])
            .await
            .expect("status");
        assert!(announced.as_str().unwrap_or("").contains("result"), "{announced}");
        let violations = axe_violations(&client, &axe).await;
        assert!(violations.is_empty(), "home with results open: {violations:#?}");
        // Escape closes the results and keeps the focus in the box.
        input.send_keys("\u{e00c}").await.expect("escape");
        let closed = client
            .execute("return document.getElementById('dw-find-pop').hidden && document.activeElement.id;", vec![])
            .await
            .expect("closed");
        assert_eq!(closed, json!("dw-find-q"));

        // The search page: an article first for its own words.
        client
            .goto(&format!("{root}search/?q=oracle"))
            .await
            .expect("goto search");
        let found = poll(&client, &results_for("dw-search-results", "q=oracle"), |v| {
            !strings(v).is_empty()
        })
        .await;
        assert_eq!(
            strings(&found).first().map(String::as_str),
            Some("/briefing/articles/oracle-openai-300-billion/"),
            "{found:?}"
        );

        // Deals, filtered by a party and a year, largest first: two clicks
        // and a choice of order, kept in the URL.
        client
            .execute("document.querySelector('#dw-search input[name=type][value=deal]').click();", vec![])
            .await
            .expect("deals");
        for (id, value) in [("dw-search-party", "Oracle"), ("dw-search-year", "2025"), ("dw-search-sort", "amount")] {
            let set = poll(
                &client,
                &format!("const s = document.getElementById('{id}'); if (![...s.options].some(o => o.value === '{value}')) return false; s.value = '{value}'; s.dispatchEvent(new Event('change', {{bubbles: true}})); return true;"),
                |v| v == &json!(true),
            )
            .await;
            assert_eq!(set, json!(true), "{id} offers {value}");
        }
        let listed = deal_rows_for(
            "type=deal&party=Oracle&year=2025&sort=amount",
            "a.textContent + ' | ' + new URL(a.href).pathname",
        );
        let deals = poll(&client, &listed, |v| strings(v).len() == 3).await;
        let deals = strings(&deals);
        assert_eq!(
            deals.len(),
            3,
            "the demo's three Oracle deals of 2025, whatever their article's language: {deals:?}"
        );
        assert!(deals.iter().all(|d| d.contains("Oracle")), "{deals:?}");
        assert!(
            deals[0].contains("$500 billion") && deals[1].ends_with("/briefing/articles/oracle-openai-300-billion/"),
            "the largest first, in English: {deals:?}"
        );

        // The same search, opened from its address as a reader shares it:
        // every filter holds, and stays in the address.
        client
            .goto(&format!("{root}search/?type=deal&party=Oracle&year=2025&sort=amount"))
            .await
            .expect("goto shared search");
        let shared = poll(&client, &listed, |v| strings(v).len() == 3).await;
        assert_eq!(strings(&shared), deals, "a shared search shows the same deals");
        let violations = axe_violations(&client, &axe).await;
        assert!(violations.is_empty(), "search page with deals: {violations:#?}");

        // French, searched with the French index, by a word typed without
        // its accent (`penurie` for `pénurie`).
        client.goto(&format!("{root}fr/search/")).await.expect("goto fr");
        let input = client.find(Locator::Id("dw-search-q")).await.expect("fr box");
        input.send_keys("penurie").await.expect("type");
        let found = poll(&client, &results_for("dw-search-results", "q=penurie"), |v| {
            !strings(v).is_empty()
        })
        .await;
        assert_eq!(
            strings(&found).first().map(String::as_str),
            Some("/briefing/articles/pourquoi-openai-diversifie-ses-fournisseurs/"),
            "{found:?}"
        );
        let violations = axe_violations(&client, &axe).await;
        assert!(violations.is_empty(), "French search page with results: {violations:#?}");

        // The French search finds deals, with their figures in French.
        client
            .goto(&format!("{root}fr/search/?type=deal&party=Oracle&year=2025"))
            .await
            .expect("goto fr deals");
        let french = poll(
            &client,
            &deal_rows_for("type=deal&party=Oracle&year=2025", "a.textContent"),
            |v| strings(v).len() == 3,
        )
        .await;
        let french = strings(&french);
        assert_eq!(french.len(), 3, "{french:?}");
        assert!(french.iter().any(|d| d.contains("milliards de dollars")), "{french:?}");
        let errors = console_errors(&client).await;
        assert!(errors.is_empty(), "console errors {errors:?}");
        let failed = failed_requests(&host);
        assert!(failed.is_empty(), "failed requests {failed:?}");
        client.close().await.expect("close");
    });
}
