//! `dealwire serve` on loopback, driven by a plain HTTP client, in bounded loops:
//! pages from memory, edits picked up with a reload event, errors shown while the
//! last good page is still served, recovery, refused traversal, real 404s.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::harness::{TestSite, site};

/// A running server, stopped when dropped.
pub(crate) struct Server {
    pub child: Child,
    /// `127.0.0.1:PORT`.
    pub address: String,
    /// The base path it printed (`/briefing/`).
    pub base: String,
    /// What it printed after its address, a line each (`built …`).
    pub log: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `dealwire serve --port 0` on a site and reads the address it prints.
pub(crate) fn start(site: &TestSite) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dealwire"))
        .args(["serve", "--port", "0", "--root"])
        .arg(&site.root)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start serve");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let deadline = Instant::now() + Duration::from_secs(30);
    let url = loop {
        assert!(Instant::now() < deadline, "serve printed no URL");
        let line = lines.next().expect("serve exited").expect("read");
        if let Some(rest) = line.strip_prefix("serving http://") {
            break rest.split_whitespace().next().expect("url").to_string();
        }
    };
    // Keep draining stdout so the server never blocks on a full pipe.
    let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let kept = std::sync::Arc::clone(&log);
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            kept.lock().expect("log").push(line);
        }
    });
    let (address, path) = url.split_at(url.find('/').expect("path"));
    Server {
        child,
        address: address.to_string(),
        base: path.to_string(),
        log,
    }
}

/// One request; returns (status, head, body).
pub(crate) fn request(server: &Server, method: &str, path: &str) -> (u16, String, String) {
    let raw = format!(
        "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        server.address
    );
    exchange(&server.address, &raw).expect("a response")
}

/// Sends raw request text and reads the response until the server closes;
/// `None` when the connection fails or is closed before any response.
pub(crate) fn exchange(address: &str, raw: &str) -> Option<(u16, String, String)> {
    let mut stream = TcpStream::connect(address).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    stream.write_all(raw.as_bytes()).ok()?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).ok()?;
    if response.is_empty() {
        return None;
    }
    let text = String::from_utf8_lossy(&response).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    Some((status, head.to_string(), body.to_string()))
}

/// Reads the event stream until `want` appears or 20 seconds pass.
pub(crate) struct Events(TcpStream, String);

impl Events {
    /// Opens the event stream.
    pub(crate) fn open(server: &Server) -> Events {
        let mut stream = TcpStream::connect(&server.address).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_millis(200)))
            .expect("timeout");
        write!(
            stream,
            "GET /__dealwire/events HTTP/1.1\r\nHost: {}\r\nAccept: text/event-stream\r\n\r\n",
            server.address
        )
        .expect("send");
        Events(stream, String::new())
    }

    /// Everything read up to and including `want`; fails after 20 seconds.
    pub(crate) fn wait_for(&mut self, want: &str) -> String {
        self.wait_for_any(&[want])
    }

    /// Everything read up to and including the first of `wants` to come;
    /// fails after 20 seconds.
    pub(crate) fn wait_for_any(&mut self, wants: &[&str]) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut buf = [0u8; 4096];
        while Instant::now() < deadline {
            let first = wants
                .iter()
                .filter_map(|w| self.1.find(w).map(|at| at + w.len()))
                .min();
            if let Some(end) = first {
                let seen = self.1[..end].to_string();
                self.1.drain(..end);
                return seen;
            }
            if let Ok(n) = self.0.read(&mut buf) {
                self.1.push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        }
        panic!("none of {wants:?} within 20 s; got: {}", self.1);
    }
}

/// An article's source with its `title:` line replaced.
pub(crate) fn retitled(file: &std::path::Path, title: &str) -> String {
    let text = std::fs::read_to_string(file).expect("read");
    let line = text
        .lines()
        .find(|l| l.starts_with("title:"))
        .expect("title")
        .to_string();
    text.replacen(&line, &format!("title: {title}"), 1)
}

/// GETs `path` until its body contains `want`; fails after 20 seconds.
pub(crate) fn get_until(server: &Server, path: &str, want: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (_, _, body) = request(server, "GET", path);
        if body.contains(want) {
            return body;
        }
        assert!(Instant::now() < deadline, "{path} never contained `{want}`");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn serves_rebuilds_reports_errors_and_recovers() {
    let site = site("ok-subpath");
    let server = start(&site);
    let base = server.base.clone();
    assert_eq!(base, "/briefing/");
    let (status, head, body) = request(&server, "GET", &base);
    assert_eq!(status, 200, "{head}");
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: text/html; charset=utf-8")
    );
    assert!(
        body.contains("/__dealwire/livereload.js"),
        "the reload script is injected"
    );
    let (status, head, robots) = request(&server, "GET", &format!("{base}robots.txt"));
    assert_eq!(status, 200);
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: text/plain"),
        "{head}"
    );
    assert!(!robots.contains("livereload"), "only HTML gets the script");
    let article = format!("{base}articles/alpha-deal/");
    let (status, _, _) = request(&server, "GET", &article);
    assert_eq!(status, 200);

    let mut events = Events::open(&server);
    std::thread::sleep(Duration::from_millis(300));
    let file = site.root.join("content/articles/alpha-deal.md");
    std::fs::write(&file, retitled(&file, "A freshly edited title")).expect("edit");
    events.wait_for("event: reload");
    // The event lists the pages that changed: the article (under its folder
    // URL), not an article whose page is as it was.
    let data = events.wait_for("\n\n");
    assert!(
        data.contains("\"/briefing/articles/alpha-deal/\""),
        "{data}"
    );
    assert!(!data.contains("beta-deal"), "{data}");
    get_until(&server, &article, "A freshly edited title");

    std::fs::write(
        site.root.join("content/articles/broken.md"),
        "---\ntitle: x\ndate: nope\n---\n",
    )
    .expect("break");
    let seen = events.wait_for("date: `nope` is not a date");
    assert!(
        seen.contains("event: errors") && seen.contains("content/articles/broken.md:3:7"),
        "{seen}"
    );
    let (status, _, body) = request(&server, "GET", &article);
    assert_eq!(status, 200, "the last good site is still served");
    assert!(body.contains("A freshly edited title"));
    let (_, _, errors_on_connect) = {
        let mut late = Events::open(&server);
        let seen = late.wait_for("not a date");
        (0, String::new(), seen)
    };
    assert!(
        errors_on_connect.contains("event: errors"),
        "a page opened later sees the errors too"
    );

    std::fs::remove_file(site.root.join("content/articles/broken.md")).expect("fix");
    events.wait_for("event: ok");
    assert!(!site.public().exists(), "serve leaves public/ alone");
}

/// A `git checkout` that writes a thousand articles at once is one rebuild,
/// not one per file or per debounce window.
#[test]
fn a_thousand_files_written_at_once_are_one_rebuild() {
    let site = site("ok-subpath");
    let server = start(&site);
    let builds = || {
        server
            .log
            .lock()
            .expect("log")
            .iter()
            .filter(|l| l.starts_with("built "))
            .cloned()
            .collect::<Vec<_>>()
    };
    let folder = site.root.join("content/articles/bulk");
    std::fs::create_dir_all(&folder).expect("mkdir");
    // The new folder is a change of its own; the checkout comes after it.
    std::thread::sleep(Duration::from_millis(1000));
    let before = builds().len();
    // The longest pause between two writes: serve waits for 300 ms of quiet,
    // so a writer that a busy machine pauses longer than that may see a
    // second rebuild, as the README says.
    let mut longest = Duration::ZERO;
    let mut last = Instant::now();
    for i in 0..1000 {
        std::fs::write(
            folder.join(format!("n{i:04}.md")),
            format!("---\ntitle: Bulk note {i}\ndate: 2025-11-03\n---\nText {i}.\n"),
        )
        .expect("write");
        longest = longest.max(last.elapsed());
        last = Instant::now();
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    while !builds()
        .iter()
        .any(|l| l.contains("1002 articles") || l.contains("1003 articles"))
    {
        assert!(
            Instant::now() < deadline,
            "never rebuilt with every file: {:?}",
            builds()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(1500));
    let after = builds();
    // A first file alone for longer than serve waits for company (10 ms) is
    // built alone, as the README says.
    let allowed = if longest < Duration::from_millis(8) {
        1
    } else {
        2
    };
    assert!(
        after.len() - before <= allowed,
        "{allowed} rebuild(s) at most for the checkout (longest pause {longest:?}): {:?}",
        &after[before..]
    );
}

/// Editors save in ways other than writing the file in place: each of them is
/// picked up, and the scratch files they make on the way are never served.
#[test]
fn atomic_saves_of_every_kind_are_picked_up() {
    let site = site("ok-subpath");
    let server = start(&site);
    let dir = site.root.join("content/articles");
    let file = dir.join("alpha-deal.md");
    let page = format!("{}articles/alpha-deal/", server.base);
    // Every version is made up front: some saves move the file away first.
    let [by_rename, by_vim, by_jetbrains] =
        ["Saved by rename", "Saved by vim", "Saved by JetBrains"].map(|t| retitled(&file, t));
    // Write a temporary file, then rename it over the article (most editors, git).
    let tmp = dir.join(".alpha-deal.md.tmp1234");
    std::fs::write(&tmp, by_rename).expect("write");
    std::fs::rename(&tmp, &file).expect("rename");
    get_until(&server, &page, "Saved by rename");
    // vim: the old file moved to a backup, a new file written, the backup removed.
    let backup = dir.join("alpha-deal.md~");
    std::fs::rename(&file, &backup).expect("backup");
    std::fs::write(&file, by_vim).expect("write");
    std::fs::remove_file(&backup).expect("remove backup");
    get_until(&server, &page, "Saved by vim");
    // JetBrains safe write: a `___jb_tmp___` copy, the original moved to
    // `___jb_old___`, the copy renamed into place, the old one removed.
    let jb_tmp = dir.join("alpha-deal.md___jb_tmp___");
    let jb_old = dir.join("alpha-deal.md___jb_old___");
    std::fs::write(&jb_tmp, by_jetbrains).expect("write");
    std::fs::rename(&file, &jb_old).expect("old");
    std::fs::rename(&jb_tmp, &file).expect("into place");
    std::fs::remove_file(&jb_old).expect("remove old");
    get_until(&server, &page, "Saved by JetBrains");
    let (status, _, _) = request(
        &server,
        "GET",
        &format!("{}articles/alpha-deal.md~", server.base),
    );
    assert_eq!(status, 404);
}

#[test]
fn refuses_traversal_and_answers_404_head_and_redirects() {
    let site = site("ok-subpath");
    std::fs::write(site.root.join("secret.txt"), "top secret").expect("write");
    let server = start(&site);
    for path in [
        "/briefing/../secret.txt",
        "/briefing/%2e%2e/secret.txt",
        "/briefing/%2E%2E%2Fsecret.txt",
        "/briefing/..%5csecret.txt",
        "/briefing/a\\..\\secret.txt",
    ] {
        let (status, _, body) = request(&server, "GET", path);
        assert_eq!(status, 400, "{path}");
        assert!(!body.contains("top secret"));
    }
    let (status, _, body) = request(&server, "GET", "/briefing/no/such/page/");
    assert_eq!(status, 404);
    assert!(body.contains("<html"), "the site's own 404 page");
    let (status, _, _) = request(&server, "GET", "/secret.txt");
    assert_eq!(status, 404, "nothing outside the base path");
    let (status, head, body) = request(&server, "HEAD", "/briefing/");
    assert_eq!(status, 200);
    assert!(body.is_empty(), "HEAD has no body");
    assert!(head.to_ascii_lowercase().contains("content-length:"));
    let (status, head, _) = request(&server, "GET", "/");
    assert_eq!(status, 302);
    assert!(head.contains("/briefing/"));
    let (status, head, _) = request(&server, "GET", "/briefing/articles/alpha-deal");
    assert_eq!(status, 302, "a folder without its slash redirects");
    assert!(head.contains("/briefing/articles/alpha-deal/"));
    let (status, _, _) = request(&server, "POST", "/briefing/");
    assert_eq!(status, 405);
    let (status, _, _) = request(&server, "GET", "/briefing/files/");
    assert_eq!(status, 404, "no directory listings");
}

#[test]
fn ctrl_c_stops_cleanly_even_with_open_event_streams() {
    let site = site("ok-subpath");
    let mut server = start(&site);
    let mut events = Events::open(&server);
    events.wait_for("HTTP/1.1 200");
    let pid = server.child.id().to_string();
    let status = Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .expect("kill");
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(exit) = server.child.try_wait().expect("wait") {
            assert!(exit.success(), "serve exits 0 on Ctrl-C: {exit:?}");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "serve did not stop within 10 s of Ctrl-C"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_site_folder_created_while_serving_is_watched() {
    let site = site("ok-subpath");
    let server = start(&site);
    let mut events = Events::open(&server);
    events.wait_for("HTTP/1.1 200");
    std::fs::create_dir_all(site.root.join("templates")).expect("mkdir");
    std::fs::write(
        site.root.join("templates/first.txt"),
        "not a template the theme uses",
    )
    .expect("write");
    std::thread::sleep(Duration::from_millis(800));
    std::fs::write(
        site.root.join("templates/tag.html"),
        "{% extends \"base.html\" %}{% block content %}<p class=\"late-marker\">{{ tag.name }}</p>{% endblock content %}",
    )
    .expect("write");
    get_until(
        &server,
        &format!("{}tags/cloud/", server.base),
        "late-marker",
    );
}

#[test]
fn serves_the_search_bundle_from_memory_as_build_writes_it_and_follows_edits() {
    let site = site("ok-subpath");
    let server = start(&site);
    let folder = "/briefing/pagefind/1.6.0/";
    let (status, head, loader) = request(&server, "GET", &format!("{folder}pagefind.js"));
    assert_eq!(status, 200, "{head}");
    assert!(head.to_ascii_lowercase().contains("javascript"), "{head}");
    let built = |dir: &str| {
        let out = site.root.join(dir);
        let run = site.dealwire(&["build", "--output-dir", &out.to_string_lossy()]);
        assert_eq!(run.status, 0, "{}", run.stderr);
        out.join("pagefind/1.6.0")
    };
    let first = built("../out-before");
    assert_eq!(
        loader,
        std::fs::read_to_string(first.join("pagefind.js")).expect("loader"),
        "the loader served is the loader built"
    );
    let entry = |dir: &std::path::Path| {
        std::fs::read_to_string(dir.join("pagefind-entry.json")).expect("entry")
    };
    let (_, _, served_entry) = request(&server, "GET", &format!("{folder}pagefind-entry.json"));
    assert_eq!(
        served_entry,
        entry(&first),
        "the index served is the index built"
    );
    // Each file the entry names is served, with the size the build wrote.
    for rel in crate::harness::walk(&first) {
        let (status, head, _) = request(&server, "HEAD", &format!("{folder}{rel}"));
        assert_eq!(status, 200, "{rel}");
        let size = std::fs::metadata(first.join(&rel)).expect("size").len();
        assert!(
            head.to_ascii_lowercase()
                .contains(&format!("content-length: {size}")),
            "{rel}: {head}"
        );
    }
    let (status, _, _) = request(&server, "GET", &format!("{folder}no-such.pf_index"));
    assert_eq!(status, 404);

    // A new word in an article: the next index has it, as a fresh build does.
    let (status, _, _) = request(&server, "GET", "/briefing/articles/alpha-deal/");
    assert_eq!(status, 200);
    let mut events = Events::open(&server);
    let article = site.root.join("content/articles/alpha-deal.md");
    let text = std::fs::read_to_string(&article).expect("read");
    std::fs::write(&article, format!("{text}\n\nZanzibarian capacity.\n")).expect("write");
    events.wait_for("event: reload");
    let after = built("../out-after");
    assert_ne!(entry(&first), entry(&after), "the edit changed the index");
    let served_entry = get_until(&server, &format!("{folder}pagefind-entry.json"), "");
    assert_eq!(served_entry, entry(&after), "serve indexes the edit");
}
