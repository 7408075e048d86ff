//! The connections `serve` accepts: at most `MAX_CONNECTIONS` open at once.
//! When they all are, a new connection takes the place of the oldest one that
//! has not yet sent its whole request head (a slow or half-open one, closed to
//! make room), so a flood of those cannot delay a reader's request, and holds
//! no more than `MAX_CONNECTIONS` sockets however long it goes on. Only when
//! every open connection has sent its head (pages being answered, event
//! streams) is a new one closed as soon as it is accepted. A connection that
//! has not sent its request head within `HEADER_TIMEOUT` is closed; every
//! response but the event stream closes its connection (`http`), so each
//! request head is timed and only the event stream lives long.

use std::collections::BTreeMap;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::task::AtomicWaker;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Sleep;

/// How long a connection may take to send its request head.
const HEADER_TIMEOUT: Duration = Duration::from_secs(5);
/// Connections open at once; each open page holds one for its event stream.
const MAX_CONNECTIONS: usize = 256;

/// The listener `axum::serve` accepts from: at most `MAX_CONNECTIONS` open at
/// once, each with its request head timed; when all are open, the oldest one
/// still sending its head makes room for the new one.
pub(super) struct Capped {
    listener: tokio::net::TcpListener,
    permits: Arc<Semaphore>,
    heads: Arc<Heads>,
}

impl Capped {
    /// Caps the connections accepted from `listener`.
    pub(super) fn new(listener: tokio::net::TcpListener) -> Capped {
        Capped {
            listener,
            permits: Arc::new(Semaphore::new(MAX_CONNECTIONS)),
            heads: Arc::default(),
        }
    }

    /// A slot for a connection accepted while every slot is taken: the oldest
    /// connection still sending its head is closed and its permit handed over
    /// at once (however busy the machine, no wait for its task to run).
    /// `None` when every open connection has sent its head.
    fn make_room(&self) -> Option<OwnedSemaphorePermit> {
        self.heads.close_oldest()
    }
}

impl axum::serve::Listener for Capped {
    type Io = Guarded;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Guarded, SocketAddr) {
        loop {
            let (stream, peer) = match self.listener.accept().await {
                Ok(accepted) => accepted,
                Err(e) => {
                    accept_failed(&e).await;
                    continue;
                }
            };
            let permit = match Arc::clone(&self.permits).try_acquire_owned() {
                Ok(permit) => Some(permit),
                Err(_) => self.make_room(),
            };
            match permit {
                Some(permit) => {
                    let head = Heads::enter(&self.heads);
                    return (Guarded::new(stream, permit, head), peer);
                }
                // Every connection has sent its head: closed at once, not queued.
                None => drop(stream),
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

/// The open connections that have not yet sent their whole request head, in
/// the order they were accepted (at most `MAX_CONNECTIONS` of them).
#[derive(Default)]
struct Heads {
    waiting: Mutex<Waiting>,
}

#[derive(Default)]
struct Waiting {
    /// The number the next connection gets: numbers grow with time.
    next: u64,
    /// The connections still sending their head, by number.
    by_number: BTreeMap<u64, Arc<Closing>>,
}

/// One connection's slot: its permit, and the flag that tells it, while it is
/// still sending its head, that it is closed to make room (its permit then
/// goes to the newer connection).
#[derive(Default)]
struct Closing {
    closed: AtomicBool,
    waker: AtomicWaker,
    permit: Mutex<Option<OwnedSemaphorePermit>>,
}

impl Closing {
    fn permit(&self) -> std::sync::MutexGuard<'_, Option<OwnedSemaphorePermit>> {
        self.permit.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Heads {
    fn lock(&self) -> std::sync::MutexGuard<'_, Waiting> {
        // The sections under the lock cannot panic; a poisoned one is as good.
        self.waiting.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds a new connection as the newest one waiting.
    fn enter(heads: &Arc<Heads>) -> HeadTicket {
        let closing = Arc::new(Closing::default());
        let mut waiting = heads.lock();
        let number = waiting.next;
        waiting.next += 1;
        waiting.by_number.insert(number, Arc::clone(&closing));
        HeadTicket {
            heads: Arc::clone(heads),
            number,
            closing,
        }
    }

    /// Closes the oldest connection waiting (it fails its next read, now)
    /// and takes its permit; `None` when none is waiting.
    fn close_oldest(&self) -> Option<OwnedSemaphorePermit> {
        loop {
            let (_, oldest) = self.lock().by_number.pop_first()?;
            oldest.closed.store(true, Ordering::Release);
            oldest.waker.wake();
            if let Some(permit) = oldest.permit().take() {
                return Some(permit);
            }
        }
    }

    /// Takes a connection out of the waiting ones; false when it was closed
    /// to make room already (or had left).
    fn leave(&self, number: u64) -> bool {
        self.lock().by_number.remove(&number).is_some()
    }
}

/// A connection's place among those still sending their head; dropped (left)
/// once its head is complete or it closes.
struct HeadTicket {
    heads: Arc<Heads>,
    number: u64,
    closing: Arc<Closing>,
}

impl HeadTicket {
    /// Whether the connection was closed to make room; wakes `cx` when it is.
    fn closed(&self, cx: &Context<'_>) -> bool {
        self.closing.waker.register(cx.waker());
        self.closing.closed.load(Ordering::Acquire)
    }

    /// Leaves the waiting connections; false when it was closed to make room.
    fn leave(self) -> bool {
        self.heads.leave(self.number)
    }
}

impl Drop for HeadTicket {
    fn drop(&mut self) {
        self.heads.leave(self.number);
    }
}

/// An accepted connection: holds its permit until it closes, and fails its
/// reads once `HEADER_TIMEOUT` has passed without a whole request head, or
/// once it is closed to make room for a newer connection before it sent one.
pub(super) struct Guarded {
    stream: TcpStream,
    /// Running until the first request head is complete.
    head: Option<Head>,
    /// Its permit, held until it closes (unless handed to a newer connection).
    _slot: Arc<Closing>,
}

/// What a connection holds until its first request head is complete.
struct Head {
    deadline: Pin<Box<Sleep>>,
    end: HeadEnd,
    ticket: HeadTicket,
}

impl Guarded {
    fn new(stream: TcpStream, permit: OwnedSemaphorePermit, ticket: HeadTicket) -> Guarded {
        *ticket.closing.permit() = Some(permit);
        Guarded {
            _slot: Arc::clone(&ticket.closing),
            stream,
            head: Some(Head {
                deadline: Box::pin(tokio::time::sleep(HEADER_TIMEOUT)),
                end: HeadEnd::default(),
                ticket,
            }),
        }
    }
}

/// The read error of a connection closed to make room.
fn made_room() -> io::Error {
    io::Error::new(
        io::ErrorKind::ConnectionAborted,
        "closed to make room for a newer connection",
    )
}

impl AsyncRead for Guarded {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if let Some(head) = &mut this.head {
            if head.ticket.closed(cx) {
                return Poll::Ready(Err(made_room()));
            }
            if head.deadline.as_mut().poll(cx).is_ready() {
                return Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "no request head in time",
                )));
            }
        }
        let before = buf.filled().len();
        let result = Pin::new(&mut this.stream).poll_read(cx, buf);
        let head_done = match &mut this.head {
            Some(head) if matches!(result, Poll::Ready(Ok(()))) => {
                head.end.feed(&buf.filled()[before..])
            }
            _ => false,
        };
        if head_done && let Some(head) = this.head.take() {
            // Closed to make room between the check above and now: it goes.
            if !head.ticket.leave() {
                return Poll::Ready(Err(made_room()));
            }
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
    fn the_oldest_connection_still_sending_its_head_makes_room() {
        let heads = Arc::new(Heads::default());
        let permits = Arc::new(Semaphore::new(4));
        let enter = || {
            let ticket = Heads::enter(&heads);
            *ticket.closing.permit() = Some(Arc::clone(&permits).try_acquire_owned().expect("one"));
            ticket
        };
        let closed = |t: &HeadTicket| t.closing.closed.load(Ordering::Acquire);
        let first = enter();
        let second = enter();
        let third = enter();
        let fourth = enter();
        assert!(second.leave(), "its head came whole: it no longer waits");
        drop(third);
        let handed = heads.close_oldest();
        assert!(handed.is_some(), "the first's permit is handed over");
        // The second and third gave theirs back; the first's is handed over.
        assert_eq!(permits.available_permits(), 2, "handed over, not released");
        assert!(closed(&first) && !closed(&fourth));
        assert!(first.closing.permit().is_none());
        assert!(!first.leave(), "its head came too late: it was closed");
        assert!(
            heads.close_oldest().is_some(),
            "the fourth, as the second and third left"
        );
        assert!(closed(&fourth));
        assert!(heads.close_oldest().is_none(), "none waits any more");
    }

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
