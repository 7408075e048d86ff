//! The HTTP side of `serve`: pages from memory under the base path, the site's
//! 404 page with status 404, the live-reload script and its event stream.
//!
//! A request path holding `..`, a backslash or their encoded forms is refused
//! before any lookup; lookups are in the in-memory output only, so nothing
//! outside the built site can be served, and there are no directory listings.

use std::convert::Infallible;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use futures_util::Stream;
use tokio::sync::broadcast::error::RecvError;

use super::{LiveEvent, Shared};

const EVENTS: &str = "/__dealwire/events";
const SCRIPT: &str = "/__dealwire/livereload.js";
const SCRIPT_TAG: &str = "<script src=\"/__dealwire/livereload.js\"></script>";

/// Serves until Ctrl-C, then ends the event streams and stops.
pub async fn run(listener: std::net::TcpListener, shared: Arc<Shared>) -> Result<(), String> {
    let listener = tokio::net::TcpListener::from_std(listener).map_err(|e| e.to_string())?;
    let stop = Arc::clone(&shared);
    let app = Router::new().fallback(handle).with_state(shared);
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            let _ = tokio::signal::ctrl_c().await;
            eprintln!("stopping");
            let _ = stop.events.send(LiveEvent::Shutdown);
        })
        .await
        .map_err(|e| e.to_string())
}

async fn handle(State(shared): State<Arc<Shared>>, method: Method, uri: Uri) -> Response {
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
        EVENTS => return events(shared).into_response(),
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
    let snapshot = shared.snapshot.read().unwrap_or_else(|e| e.into_inner());
    let base = snapshot.base_path.as_str();
    if path == "/" && base != "/" || path == base.trim_end_matches('/') {
        return redirect(base);
    }
    let Some(rel) = path.strip_prefix(base) else {
        return not_found(&snapshot.output);
    };
    let file = if rel.is_empty() || rel.ends_with('/') {
        format!("{rel}index.html")
    } else {
        rel.to_string()
    };
    match snapshot.output.shared(&file) {
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
        None if snapshot.output.contains(&format!("{file}/index.html")) => {
            redirect(&format!("{path}/"))
        }
        None => not_found(&snapshot.output),
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
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
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

fn not_found(output: &crate::output::Output) -> Response {
    match output.shared("404.html") {
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

/// The event stream: the current errors first (if any), then every rebuild.
fn events(shared: Arc<Shared>) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let current = shared
        .snapshot
        .read()
        .map(|s| s.errors.clone())
        .unwrap_or_default();
    let first = (!current.is_empty()).then(|| Ok(to_event(&LiveEvent::Errors(current))));
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
    let stream = futures_util::StreamExt::chain(futures_util::stream::iter(first), updates);
    Sse::new(stream).keep_alive(KeepAlive::default())
}

fn to_event(event: &LiveEvent) -> Event {
    match event {
        LiveEvent::Reload => Event::default().event("reload").data("reload"),
        LiveEvent::Errors(lines) => Event::default()
            .event("errors")
            .data(serde_json::to_string(lines).unwrap_or_else(|_| "[]".into())),
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
}
