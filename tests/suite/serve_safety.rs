//! `dealwire serve` under stress and misuse, each test named after the defect
//! it guards against: a site folder deleted and restored, a first build that
//! fails, half-open connections, foreign `Host` headers, and the live-reload
//! events agreeing with the script. Loopback only, bounded loops.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::harness::site;
use crate::serve::{Events, Server, exchange, get_until, request, start};

/// GETs `path` until it answers `status`; fails after 20 seconds.
fn status_until(server: &Server, path: &str, status: u16) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if request(server, "GET", path).0 == status {
            return;
        }
        assert!(Instant::now() < deadline, "{path} never answered {status}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// How many of `streams` the server has closed by `deadline`: waits for each
/// until then, and only looks once it has passed.
fn closed_by(streams: &mut [TcpStream], deadline: Instant) -> usize {
    let mut buf = [0u8; 256];
    let mut closed = 0;
    for stream in streams {
        match deadline.checked_duration_since(Instant::now()) {
            Some(left) if !left.is_zero() => stream
                .set_nonblocking(false)
                .and_then(|()| stream.set_read_timeout(Some(left))),
            _ => stream.set_nonblocking(true),
        }
        .expect("set up the read");
        match stream.read(&mut buf) {
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            _ => closed += 1,
        }
    }
    closed
}

/// Replaces the `title:` line of a Markdown file.
fn retitle(text: &str, title: &str) -> String {
    let line = text
        .lines()
        .find(|l| l.starts_with("title:"))
        .expect("a title line");
    text.replacen(line, &format!("title: {title}"), 1)
}

#[test]
fn a_deleted_and_restored_content_folder_is_watched_again() {
    let site = site("ok-subpath");
    let server = start(&site);
    let article = format!("{}articles/alpha-deal/", server.base);
    let content = site.root.join("content");
    let original = std::fs::read_to_string(content.join("articles/alpha-deal.md")).expect("read");
    std::fs::remove_dir_all(&content).expect("rm -rf content");
    status_until(&server, &article, 404);

    // Restore it in one step (a rename), so that one rebuild sees the whole tree.
    let staging = site.root.parent().expect("temp dir").join("staging");
    std::fs::create_dir_all(staging.join("content/articles")).expect("mkdir");
    std::fs::write(
        staging.join("content/articles/alpha-deal.md"),
        retitle(&original, "Restored after deletion"),
    )
    .expect("write");
    std::fs::rename(staging.join("content"), &content).expect("restore content");
    get_until(&server, &article, "Restored after deletion");

    std::fs::write(
        content.join("articles/alpha-deal.md"),
        retitle(&original, "Edited after the restore"),
    )
    .expect("edit");
    get_until(&server, &article, "Edited after the restore");
}

#[test]
fn a_content_folder_deleted_and_restored_at_once_is_watched_again() {
    let site = site("ok-subpath");
    let server = start(&site);
    let article = format!("{}articles/alpha-deal/", server.base);
    let content = site.root.join("content");
    let original = std::fs::read_to_string(content.join("articles/alpha-deal.md")).expect("read");
    let staging = site.root.parent().expect("temp dir").join("staging");
    std::fs::create_dir_all(staging.join("content/articles")).expect("mkdir");
    std::fs::write(
        staging.join("content/articles/alpha-deal.md"),
        retitle(&original, "Restored at once"),
    )
    .expect("write");
    // No pause between: the folder is there again before the server looks.
    std::fs::remove_dir_all(&content).expect("rm -rf content");
    std::fs::rename(staging.join("content"), &content).expect("restore content");
    get_until(&server, &article, "Restored at once");

    std::fs::write(
        content.join("articles/alpha-deal.md"),
        retitle(&original, "Edited after the quick restore"),
    )
    .expect("edit");
    get_until(&server, &article, "Edited after the quick restore");
}

#[test]
fn a_first_build_that_fails_shows_escaped_errors_not_a_redirect_loop() {
    let site = site("ok-subpath");
    let broken = site.root.join("content/articles/broken.md");
    std::fs::write(&broken, "---\ntitle: x\ndate: \"<b>nope</b>\"\n---\n").expect("break");
    let server = start(&site);
    assert_eq!(
        server.base, "/briefing/",
        "the base path comes from site.yaml"
    );

    for path in [server.base.as_str(), "/briefing/articles/alpha-deal/"] {
        let (status, head, body) = request(&server, "GET", path);
        assert_eq!(status, 503, "{path}: {head}");
        assert!(
            head.to_ascii_lowercase().contains("text/html"),
            "{path}: {head}"
        );
        assert!(
            body.contains("content/articles/broken.md:3:7"),
            "{path}: {body}"
        );
        assert!(
            body.contains("`&lt;b&gt;nope&lt;/b&gt;` is not a date"),
            "the error text is escaped: {body}"
        );
        assert!(!body.contains("<b>nope"), "{body}");
        assert!(
            body.contains("/__dealwire/livereload.js"),
            "it reloads once the site builds"
        );
    }
    let (status, head, _) = request(&server, "GET", "/");
    if status == 302 {
        assert!(
            head.contains("location: /briefing/") || head.contains("Location: /briefing/"),
            "a redirect goes somewhere: {head}"
        );
    }

    let mut events = Events::open(&server);
    events.wait_for("is not a date");
    std::fs::remove_file(&broken).expect("fix");
    events.wait_for("event: reload");
    let body = get_until(&server, &server.base, "Fixture Briefing");
    assert!(!body.contains("is not a date"), "{body}");
    let (status, _, _) = request(&server, "GET", &server.base);
    assert_eq!(status, 200);
}

#[test]
fn half_open_connections_time_out_and_do_not_lock_others_out() {
    // Over the cap, the oldest half-open ones are closed at once to make room;
    // under it, the head timeout closes them; the event stream, past its head,
    // is never timed out nor closed to make room.
    let site = site("ok-subpath");
    let server = start(&site);
    let mut events = Events::open(&server);
    events.wait_for("event: ok");
    let opened = Instant::now();
    let mut idle = Vec::new();
    for _ in 0..1500 {
        let Ok(mut stream) = TcpStream::connect(&server.address) else {
            break;
        };
        // Over the cap the server may already have closed it: ignore that here.
        let _ = stream.write_all(b"GET /briefing/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");
        idle.push(stream);
    }
    assert!(idle.len() > 1000, "only {} connections opened", idle.len());
    // As many as are over the cap (the oldest) are closed at once, not after a timeout.
    let early = closed_by(&mut idle, Instant::now() + Duration::from_millis(500));
    assert!(
        early + 300 >= idle.len(),
        "only {early} of {} connections over the cap were closed at once",
        idle.len()
    );

    let deadline = opened + Duration::from_secs(15);
    let raw = format!(
        "GET {} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        server.base, server.address
    );
    loop {
        if exchange(&server.address, &raw).is_some_and(|(status, _, _)| status == 200) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no page served while half-open connections are held"
        );
        std::thread::sleep(Duration::from_millis(100));
    }

    // Every half-open connection is closed by the server within the timeout.
    let closed = closed_by(&mut idle, deadline);
    let still_open = idle.len() - closed;
    drop(idle);
    assert_eq!(
        still_open,
        0,
        "half-open connections still open {} s after they were made",
        opened.elapsed().as_secs()
    );

    // The event stream outlived the head timeout: it still reports a rebuild.
    let file = site.root.join("content/articles/alpha-deal.md");
    let text = std::fs::read_to_string(&file).expect("read");
    std::fs::write(&file, retitle(&text, "Still listening")).expect("edit");
    events.wait_for("event: reload");
}

/// While slow connections hold every slot and more (a partial request line
/// each, sent a few bytes at a time, or nothing at all), a reader's request is
/// answered at once, not reset until the header timeout frees a slot: the
/// oldest slow connection makes room. Answered while the newest slow ones are
/// still open proves it was not the timeout, which would have closed them all;
/// and the server holds no more sockets than its limit.
#[test]
fn a_page_is_answered_while_slow_connections_hold_every_slot() {
    const SLOTS: usize = 256;
    let site = site("ok-subpath");
    let server = start(&site);
    let mut slow = Vec::new();
    for i in 0..SLOTS + 100 {
        let mut stream = TcpStream::connect(&server.address).expect("connect");
        if i % 2 == 0 {
            stream.write_all(b"G").expect("the first byte");
        }
        slow.push(stream);
    }
    // Each sends a little more of its request line, never the whole of it.
    for stream in slow.iter_mut().step_by(2) {
        let _ = stream.write_all(b"ET /bri");
    }
    let raw = format!(
        "GET {} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        server.base, server.address
    );
    let answered = exchange(&server.address, &raw);
    let still_open = slow.len() - closed_by(&mut slow, Instant::now());
    let fds_held = open_files(&server);

    let (status, head, body) = answered.expect("the request was reset, not answered");
    assert_eq!(status, 200, "{head}");
    assert!(body.contains("Fixture Briefing"), "{body}");
    assert!(
        still_open >= SLOTS - 50,
        "only {still_open} slow connections were still open when the page was answered: \
         it was answered after the header timeout"
    );
    if let Some(fds) = fds_held {
        assert!(
            fds < SLOTS + 64,
            "the server held {fds} files with {} connections open",
            slow.len()
        );
    }
}

/// How many files the server process has open (Linux only).
fn open_files(server: &crate::serve::Server) -> Option<usize> {
    let dir = format!("/proc/{}/fd", server.child.id());
    std::fs::read_dir(dir).ok().map(Iterator::count)
}

#[test]
fn refuses_foreign_host_headers() {
    let site = site("ok-subpath");
    let server = start(&site);
    let port = server.address.rsplit(':').next().expect("port").to_string();
    let ask = |host: Option<&str>, path: &str| {
        let host = host.map(|h| format!("Host: {h}\r\n")).unwrap_or_default();
        exchange(
            &server.address,
            &format!("GET {path} HTTP/1.1\r\n{host}Connection: close\r\n\r\n"),
        )
        .expect("a response")
    };
    for host in [
        "evil.example".to_string(),
        format!("evil.example:{port}"),
        format!("localhost.evil.example:{port}"),
        format!("127.0.0.1.nip.io:{port}"),
        "localhost:1".to_string(),
        String::new(),
    ] {
        for path in [server.base.as_str(), "/__dealwire/events"] {
            let (status, _, body) = ask(Some(&host), path);
            assert!(
                status == 421 || status == 403,
                "Host `{host}` {path}: {status}"
            );
            assert!(body.len() < 200 && !body.contains("<html"), "{body}");
        }
    }
    for host in [
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        "localhost".to_string(),
        format!("LocalHost:{port}"),
    ] {
        let (status, head, _) = ask(Some(&host), &server.base);
        assert_eq!(status, 200, "Host `{host}`: {head}");
    }
    let old = exchange(
        &server.address,
        &format!("GET {} HTTP/1.0\r\n\r\n", server.base),
    )
    .expect("a response");
    assert_eq!(old.0, 200, "HTTP/1.0 without Host: {}", old.1);
}

#[test]
fn a_fix_that_restores_the_last_good_site_sends_ok() {
    let site = site("ok-subpath");
    let server = start(&site);
    let mut events = Events::open(&server);
    events.wait_for("HTTP/1.1 200");
    let broken = site.root.join("content/articles/broken.md");
    std::fs::write(&broken, "---\ntitle: x\ndate: nope\n---\n").expect("break");
    events.wait_for("event: errors");
    std::fs::remove_file(&broken).expect("fix");
    let seen = events.wait_for("event: ok");
    assert!(
        !seen.contains("event: reload"),
        "nothing changed, so nothing reloads: {seen}"
    );
    let script = request(&server, "GET", "/__dealwire/livereload.js").2;
    for event in ["\"reload\"", "\"errors\"", "\"ok\""] {
        assert!(script.contains(event), "the script handles {event}");
    }
}

/// Pages are rendered on request: a template that fails on one page only
/// must still be reported to a browser showing another page (the whole site
/// is checked in the background), and that page answers with its error.
#[test]
fn a_template_failing_on_one_page_only_shows_its_error_on_every_open_page() {
    let site = site("ok-subpath");
    let server = start(&site);
    let mut events = Events::open(&server);
    events.wait_for("event: ok");
    let home = server.base.clone();
    get_until(&server, &home, "</html>");
    std::fs::create_dir_all(site.root.join("templates")).expect("mkdir");
    std::fs::write(
        site.root.join("templates/tag.html"),
        "{% extends \"base.html\" %}{% block content %}{% if tag.name == \"chips\" %}{{ no_such.value }}{% else %}<p>fine</p>{% endif %}{% endblock content %}",
    )
    .expect("write");
    let seen = events.wait_for("no_such");
    assert!(seen.contains("event: errors"), "{seen}");
    assert!(seen.contains("templates/tag.html"), "{seen}");
    let (status, _, body) = request(&server, "GET", &format!("{}tags/chips/", server.base));
    assert_eq!(status, 500, "{body}");
    assert!(
        body.contains("tags/chips/index.html cannot be rendered"),
        "{body}"
    );
    let (status, _, body) = request(&server, "GET", &format!("{}tags/cloud/", server.base));
    assert_eq!(status, 200, "only the failing page fails: {body}");
    std::fs::remove_file(site.root.join("templates/tag.html")).expect("rm");
    // Either hides the errors (`livereload.js`).
    events.wait_for_any(&["event: ok", "event: reload"]);
    status_until(&server, &format!("{}tags/chips/", server.base), 200);
}

/// An article moved out of the site and back (a `mv` to the desktop and
/// back) disappears, then is served again.
#[test]
fn an_article_moved_out_and_back_is_gone_then_served_again() {
    let site = site("ok-subpath");
    let server = start(&site);
    let page = format!("{}articles/alpha-deal/", server.base);
    status_until(&server, &page, 200);
    let inside = site.root.join("content/articles/alpha-deal.md");
    let outside = site.root.join("alpha-deal.md.moved");
    std::fs::rename(&inside, &outside).expect("move out");
    status_until(&server, &page, 404);
    std::fs::rename(&outside, &inside).expect("move back");
    status_until(&server, &page, 200);
}
