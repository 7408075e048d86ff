//! The connections `serve` accepts: at most `MAX_CONNECTIONS` open at once,
//! more closed as soon as they are accepted. A connection that has not sent
//! its request head within `HEADER_TIMEOUT` is closed; every response but the
//! event stream closes its connection (`http`), so each request head is timed
//! and only the event stream lives long.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Sleep;

/// How long a connection may take to send its request head.
const HEADER_TIMEOUT: Duration = Duration::from_secs(5);
/// Connections open at once; each open page holds one for its event stream.
const MAX_CONNECTIONS: usize = 256;

/// The listener `axum::serve` accepts from: at most `MAX_CONNECTIONS` open at
/// once, each with its request head timed.
pub(super) struct Capped {
    listener: tokio::net::TcpListener,
    permits: Arc<Semaphore>,
}

impl Capped {
    /// Caps the connections accepted from `listener`.
    pub(super) fn new(listener: tokio::net::TcpListener) -> Capped {
        Capped {
            listener,
            permits: Arc::new(Semaphore::new(MAX_CONNECTIONS)),
        }
    }
}

impl axum::serve::Listener for Capped {
    type Io = Guarded;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Guarded, SocketAddr) {
        loop {
            match self.listener.accept().await {
                Ok((stream, peer)) => match Arc::clone(&self.permits).try_acquire_owned() {
                    Ok(permit) => return (Guarded::new(stream, permit), peer),
                    // Over the cap: closed at once, not queued.
                    Err(_) => drop(stream),
                },
                Err(e) => accept_failed(&e).await,
            }
        }
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }
}

/// A connection the peer gave up on is no concern; anything else (out of file
/// descriptors) is reported, with a pause before trying again.
async fn accept_failed(error: &io::Error) {
    use io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if !matches!(
        error.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    ) {
        eprintln!("cannot accept a connection: {error}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// An accepted connection: holds its permit until it closes, and fails its
/// reads once `HEADER_TIMEOUT` has passed without a whole request head.
pub(super) struct Guarded {
    stream: TcpStream,
    /// Running until the first request head is complete.
    head: Option<(Pin<Box<Sleep>>, HeadEnd)>,
    _permit: OwnedSemaphorePermit,
}

impl Guarded {
    fn new(stream: TcpStream, permit: OwnedSemaphorePermit) -> Guarded {
        Guarded {
            stream,
            head: Some((
                Box::pin(tokio::time::sleep(HEADER_TIMEOUT)),
                HeadEnd::default(),
            )),
            _permit: permit,
        }
    }
}

impl AsyncRead for Guarded {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if let Some((deadline, _)) = &mut this.head
            && deadline.as_mut().poll(cx).is_ready()
        {
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "no request head in time",
            )));
        }
        let before = buf.filled().len();
        let result = Pin::new(&mut this.stream).poll_read(cx, buf);
        let head_done = match &mut this.head {
            Some((_, end)) if matches!(result, Poll::Ready(Ok(()))) => {
                end.feed(&buf.filled()[before..])
            }
            _ => false,
        };
        if head_done {
            this.head = None;
        }
        result
    }
}

impl AsyncWrite for Guarded {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}

/// Finds the end of a request head in bytes read piece by piece: the empty
/// line after at least one line of text (`\r\n\r\n`, or bare `\n` as parsers
/// accept). Empty lines before the request line do not count.
#[derive(Default)]
struct HeadEnd {
    seen_text: bool,
    line_empty: bool,
}

impl HeadEnd {
    /// Feeds the next bytes; true once the head has ended.
    fn feed(&mut self, bytes: &[u8]) -> bool {
        for &b in bytes {
            match b {
                b'\n' if self.seen_text && self.line_empty => return true,
                b'\n' => self.line_empty = true,
                b'\r' => {}
                _ => {
                    self.seen_text = true;
                    self.line_empty = false;
                }
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_head_ends_at_its_empty_line_in_any_split() {
        let head = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n";
        for split in 0..head.len() {
            let mut end = HeadEnd::default();
            let first = end.feed(&head[..split]);
            assert!(!first, "not yet at {split}");
            assert!(end.feed(&head[split..]), "split at {split}");
        }
        assert!(HeadEnd::default().feed(b"GET / HTTP/1.0\n\n"));
        let mut blank_first = HeadEnd::default();
        assert!(
            !blank_first.feed(b"\r\n\r\n\r\n"),
            "blank lines are no head"
        );
        assert!(!blank_first.feed(b"GET / HTTP/1.1\r\nX-Slow: "));
    }
}
