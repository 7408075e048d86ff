//! The HTTP side of `serve`: pages from memory under the base path, the site's
//! 404 page with status 404, the live-reload script and its event stream, and
//! while no build has succeeded, an error page (503) in place of every page.
//!
//! Only requests whose `Host` names this server are answered (`localhost`,
//! `127.0.0.1`, `[::1]` or the address it is bound to, bare or with its port;
//! none at all for HTTP/1.0), so a page elsewhere cannot reach it through DNS
//! rebinding. How many connections may be open, and for how long without a
//! request, is `connections`' concern.
//!
//! A request path holding `..`, a backslash or their encoded forms is refused
//! before any lookup; lookups are in the in-memory output only, so nothing
//! outside the built site can be served, and there are no directory listings.

use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use futures_util::Stream;
use tokio::sync::broadcast::error::RecvError;

use super::connections::Capped;
use super::{LiveEvent, Shared};
use crate::live::Live;

const EVENTS: &str = "/__dealwire/events";
const SCRIPT: &str = "/__dealwire/livereload.js";
const SCRIPT_TAG: &str = "<script src=\"/__dealwire/livereload.js\"></script>";

/// What the handlers share: the served site and the names the server answers to.
struct App {
    shared: Arc<Shared>,
    hosts: Hosts,
}

/// Serves until Ctrl-C, then ends the event streams and stops.
pub async fn run(listener: std::net::TcpListener, shared: Arc<Shared>) -> Result<(), String> {
    let listener = tokio::net::TcpListener::from_std(listener).map_err(|e| e.to_string())?;
    let bound = listener.local_addr().map_err(|e| e.to_string())?;
    let stop = Arc::clone(&shared);
    let app = Router::new().fallback(handle).with_state(Arc::new(App {
        shared,
        hosts: Hosts { bound },
    }));
    let listener = Capped::new(listener);
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            let _ = tokio::signal::ctrl_c().await;
            eprintln!("stopping");
            let _ = stop.events.send(LiveEvent::Shutdown);
        })
        .await
        .map_err(|e| e.to_string())
}

/// Checks the `Host`, answers, and closes the connection after every response
/// but the event stream.
async fn handle(
    State(app): State<Arc<App>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let mut response = if app.hosts.allow_request(&headers, &uri) {
        // A page may be rendered now: a worker thread may block on it.
        tokio::task::block_in_place(|| respond(&app.shared, &method, &uri))
    } else {
        with_type(
            Bytes::from_static(b"refused: the Host header does not name this server\n"),
            "text/plain; charset=utf-8",
            StatusCode::MISDIRECTED_REQUEST,
        )
    };
    let streaming = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|t| t.as_bytes().starts_with(b"text/event-stream"));
    if !streaming {
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    response
}

/// The answer to a request from a host this server answers to.
fn respond(shared: &Arc<Shared>, method: &Method, uri: &Uri) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return (StatusCode::METHOD_NOT_ALLOWED, "only GET and HEAD\n").into_response();
    }
    let raw = uri.path();
    if is_traversal(raw) {
        return (
            StatusCode::BAD_REQUEST,
            "refused: the path leaves the site\n",
        )
            .into_response();
    }
    match raw {
        EVENTS => return events(Arc::clone(shared)).into_response(),
        SCRIPT => {
            return with_type(
                Bytes::from_static(include_bytes!("livereload.js")),
                "text/javascript; charset=utf-8",
                StatusCode::OK,
            );
        }
        _ => {}
    }
    let Some(path) = percent_decode(raw) else {
        return (
            StatusCode::BAD_REQUEST,
            "refused: the path is not valid UTF-8\n",
        )
            .into_response();
    };
    let snapshot = shared.read();
    let (site, base) = match &snapshot.output {
        Some(site) => (Arc::clone(site), snapshot.base_path.clone()),
        None => return no_build_page(&snapshot.errors),
    };
    // Rendering happens without the lock: a rebuild can swap the site meanwhile.
    drop(snapshot);
    page(&site, &base, &path)
}

/// A page of the built site at a decoded request path.
fn page(output: &Live, base: &str, path: &str) -> Response {
    if path == "/" && base != "/" || path == base.trim_end_matches('/') {
        return redirect(base);
    }
    let Some(rel) = path.strip_prefix(base) else {
        return not_found(output);
    };
    let file = if rel.is_empty() || rel.ends_with('/') {
        format!("{rel}index.html")
    } else {
        rel.to_string()
    };
    let found = match output.get(&file) {
        Ok(found) => found,
        Err(errors) => return render_failed(&file, &errors),
    };
    match found {
        Some(bytes) => {
            let mime = mime_guess::from_path(&file).first_or_octet_stream();
            if mime.essence_str() == "text/html" {
                with_type(inject(&bytes), "text/html; charset=utf-8", StatusCode::OK)
            } else {
                let ty = if mime.type_() == "text" {
                    format!("{}; charset=utf-8", mime.essence_str())
                } else {
                    mime.essence_str().to_string()
                };
                with_type(bytes, &ty, StatusCode::OK)
            }
        }
        None if output.contains(&format!("{file}/index.html")) => redirect(&format!("{path}/")),
        None => not_found(output),
    }
}

/// A page whose template fails on it: the errors, with the live-reload
/// script, which reloads the page once it is fixed.
fn render_failed(file: &str, errors: &crate::diag::Diagnostics) -> Response {
    let lines: Vec<String> = std::iter::once(format!("{file} cannot be rendered:"))
        .chain(errors.iter().map(|d| d.to_string()))
        .collect();
    with_type(
        Bytes::from(no_build_html(&lines)),
        "text/html; charset=utf-8",
        StatusCode::INTERNAL_SERVER_ERROR,
    )
}

/// What every page is while no build has succeeded.
fn no_build_page(errors: &[String]) -> Response {
    with_type(
        Bytes::from(no_build_html(errors)),
        "text/html; charset=utf-8",
        StatusCode::SERVICE_UNAVAILABLE,
    )
}

/// The errors, escaped, and the live-reload script, which reloads the page
/// once the site builds.
fn no_build_html(errors: &[String]) -> String {
    let listed = if errors.is_empty() {
        "The site has not been built yet.".to_string()
    } else {
        crate::escape::html(&errors.join("\n"))
    };
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>dealwire: the site does not build</title>\n</head>\n\
         <body style=\"margin:2rem;font:16px/1.5 system-ui,sans-serif\">\n\
         <main id=\"dealwire-no-build\">\n<h1>The site does not build</h1>\n\
         <p>Fix these errors; this page shows the site once it builds.</p>\n\
         <pre style=\"white-space:pre-wrap\">{listed}</pre>\n</main>\n{SCRIPT_TAG}\n</body>\n</html>\n"
    )
}

/// The names this server answers to: `localhost`, `127.0.0.1`, `[::1]` and the
/// address it is bound to (any IP address when bound to all), each bare or
/// with the server's port.
#[derive(Clone, Copy, Debug)]
struct Hosts {
    bound: SocketAddr,
}

impl Hosts {
    /// Whether a request names this server: its one `Host` header (none is
    /// allowed, as HTTP/1.0 may send none) and an absolute request target.
    fn allow_request(&self, headers: &HeaderMap, uri: &Uri) -> bool {
        let mut hosts = headers.get_all(header::HOST).iter();
        let header_ok = match (hosts.next(), hosts.next()) {
            (None, _) => true,
            (Some(host), None) => host.to_str().is_ok_and(|h| self.allows(h)),
            (Some(_), Some(_)) => false,
        };
        header_ok && uri.authority().is_none_or(|a| self.allows(a.as_str()))
    }

    /// Whether `host` (`name` or `name:port`) names this server.
    fn allows(&self, host: &str) -> bool {
        let host = host.to_ascii_lowercase();
        let (name, port) = match host.rsplit_once(':') {
            // `[::1]` alone splits inside its brackets: that is no port.
            Some((name, port)) if !port.contains(']') => (name, Some(port)),
            _ => (host.as_str(), None),
        };
        if port.is_some_and(|p| p.parse::<u16>().ok() != Some(self.bound.port())) {
            return false;
        }
        if matches!(name, "localhost" | "127.0.0.1" | "[::1]") {
            return true;
        }
        let ip = match name.strip_prefix('[').and_then(|n| n.strip_suffix(']')) {
            Some(v6) => v6.parse::<Ipv6Addr>().ok().map(IpAddr::V6),
            None => name.parse::<Ipv4Addr>().ok().map(IpAddr::V4),
        };
        ip.is_some_and(|ip| ip == self.bound.ip() || self.bound.ip().is_unspecified())
    }
}

/// `..` segments, backslashes and their percent-encoded forms, NUL.
fn is_traversal(raw: &str) -> bool {
    let lower = raw.to_ascii_lowercase();
    raw.split('/').any(|seg| seg == ".." || seg == ".")
        || raw.contains('\\')
        || ["%2e", "%5c", "%2f", "%00"]
            .iter()
            .any(|p| lower.contains(p))
}

fn percent_decode(raw: &str) -> Option<String> {
    crate::urls::decode(raw).map(|path| path.into_owned())
}

fn with_type(body: Bytes, content_type: &str, status: StatusCode) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(content_type) {
        headers.insert(header::CONTENT_TYPE, v);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

fn redirect(to: &str) -> Response {
    let mut response = StatusCode::FOUND.into_response();
    if let Ok(v) = HeaderValue::from_str(to) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    response
}

fn not_found(output: &Live) -> Response {
    match output.get("404.html").ok().flatten() {
        Some(page) => with_type(
            inject(&page),
            "text/html; charset=utf-8",
            StatusCode::NOT_FOUND,
        ),
        None => with_type(
            Bytes::from_static(b"not found\n"),
            "text/plain; charset=utf-8",
            StatusCode::NOT_FOUND,
        ),
    }
}

/// Adds the live-reload script before `</body>` (or at the end).
fn inject(html: &[u8]) -> Bytes {
    let text = String::from_utf8_lossy(html);
    let at = text.rfind("</body>").unwrap_or(text.len());
    let mut out = String::with_capacity(text.len() + SCRIPT_TAG.len());
    out.push_str(&text[..at]);
    out.push_str(SCRIPT_TAG);
    out.push_str(&text[at..]);
    Bytes::from(out)
}

/// The event stream: the current state first (`errors`, or `ok` when the site
/// builds), then every rebuild.
fn events(shared: Arc<Shared>) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let current = shared.read().errors.clone();
    let first = if current.is_empty() {
        LiveEvent::Fixed
    } else {
        LiveEvent::Errors(current)
    };
    let receiver = shared.events.subscribe();
    let updates = futures_util::stream::unfold(receiver, |mut rx| async move {
        loop {
            match rx.recv().await {
                Ok(LiveEvent::Shutdown) | Err(RecvError::Closed) => return None,
                Ok(event) => return Some((Ok(to_event(&event)), rx)),
                Err(RecvError::Lagged(_)) => continue,
            }
        }
    });
    let stream = futures_util::StreamExt::chain(
        futures_util::stream::once(std::future::ready(Ok(to_event(&first)))),
        updates,
    );
    Sse::new(stream).keep_alive(KeepAlive::default())
}

/// The event names are the ones `livereload.js` listens for.
fn to_event(event: &LiveEvent) -> Event {
    match event {
        LiveEvent::Reload(urls) => Event::default().event("reload").data(
            urls.as_ref()
                .and_then(|u| serde_json::to_string(u.as_ref()).ok())
                .unwrap_or_else(|| "\"*\"".into()),
        ),
        LiveEvent::Errors(lines) => Event::default()
            .event("errors")
            .data(serde_json::to_string(lines).unwrap_or_else(|_| "[]".into())),
        LiveEvent::Fixed => Event::default().event("ok").data("ok"),
        LiveEvent::Shutdown => Event::default().event("bye").data("bye"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_traversal_in_every_spelling() {
        for p in [
            "/briefing/../site.yaml",
            "/briefing/%2e%2e/site.yaml",
            "/briefing/%2E%2E/x",
            "/b/..%5cx",
            "/b/a\\b",
            "/b/%2fetc",
            "/b/./x",
        ] {
            assert!(is_traversal(p), "{p}");
        }
        assert!(!is_traversal("/briefing/articles/a-b.c/"));
    }

    #[test]
    fn decodes_and_injects() {
        assert_eq!(percent_decode("/a%20b/").as_deref(), Some("/a b/"));
        assert_eq!(percent_decode("/%ff").as_deref(), None);
        assert_eq!(
            &inject(b"<body>x</body></html>")[..],
            format!("<body>x{SCRIPT_TAG}</body></html>").as_bytes()
        );
    }

    #[test]
    fn answers_only_to_its_own_names() {
        let hosts = Hosts {
            bound: "127.0.0.1:4321".parse().unwrap(),
        };
        for ok in [
            "localhost",
            "localhost:4321",
            "LOCALHOST:4321",
            "127.0.0.1",
            "127.0.0.1:4321",
            "[::1]",
            "[::1]:4321",
        ] {
            assert!(hosts.allows(ok), "{ok}");
        }
        for refused in [
            "",
            "evil.example",
            "evil.example:4321",
            "localhost:80",
            "localhost:",
            "localhost.evil.example",
            "127.0.0.2",
            "::1",
            "[::1]:80",
            "127.0.0.1:4321:4321",
            "user@localhost:4321",
        ] {
            assert!(!hosts.allows(refused), "{refused}");
        }
        let anywhere = Hosts {
            bound: "0.0.0.0:4321".parse().unwrap(),
        };
        assert!(anywhere.allows("192.168.1.20:4321"));
        assert!(!anywhere.allows("evil.example:4321"));
        let mut headers = HeaderMap::new();
        let uri: Uri = "/".parse().unwrap();
        assert!(
            hosts.allow_request(&headers, &uri),
            "HTTP/1.0 sends no Host"
        );
        headers.append(header::HOST, HeaderValue::from_static("localhost"));
        assert!(hosts.allow_request(&headers, &uri));
        let absolute: Uri = "http://evil.example/".parse().unwrap();
        assert!(!hosts.allow_request(&headers, &absolute));
        headers.append(header::HOST, HeaderValue::from_static("evil.example"));
        assert!(!hosts.allow_request(&headers, &uri), "two Host headers");
    }

    #[test]
    fn the_no_build_page_escapes_the_errors_and_reloads() {
        let html = no_build_html(&["error: a.md:1:1: `<b>` & co".to_string()]);
        assert!(
            html.contains("error: a.md:1:1: `&lt;b&gt;` &amp; co"),
            "{html}"
        );
        assert!(!html.contains("<b>"));
        assert!(html.contains(SCRIPT_TAG) && html.contains("dealwire-no-build"));
    }
}
