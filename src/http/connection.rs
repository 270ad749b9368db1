//! One connection from accept to close: hyper serves it (HTTP/1.1 or h2c)
//! over a watched socket while this task enforces what hyper cannot:
//!
//! - a complete request head within `server.header_timeout_secs` of the
//!   accept or of the end of the previous response (a silent connection is
//!   closed, one with a head under way gets `408` first); the same span is
//!   the keep-alive idle timeout;
//! - a write that waits for the peer longer than `server.body_timeout_secs`
//!   ends the connection (a client that does not read its answer);
//! - the table's orders: close now (evicted to make room, or the shutdown
//!   grace period is over) and finish gracefully (shutdown).
//!
//! Each request holds the connection busy until its response body is done
//! (`Tracked`), and is abandoned with a 503 after
//! `server.request_timeout_secs`.

use super::conns::{Conn, Table};
use super::errors;
use super::response::Body;
use super::router;
use super::state::AppState;
use super::watched_io::WatchedIo;
use bytes::Bytes;
use hyper::body::{Frame, Incoming, SizeHint};
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::net::TcpStream;

/// The timeouts of a connection.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// `server.header_timeout_secs`: head and keep-alive idle.
    pub header: Duration,
    /// `server.body_timeout_secs`: gaps in bodies, stalled writes.
    pub body: Duration,
    /// `server.request_timeout_secs`: one request's handling.
    pub request: Duration,
}

/// What the watch decided at a check.
enum Verdict {
    /// All in order; check again at this instant.
    Keep(Instant),
    /// Close without a word.
    Close,
    /// Answer `408` and close.
    Answer408,
}

fn verdict(table: &Table, conn: &Conn, limits: &Limits, now: Instant) -> Verdict {
    let stalled = table.write_stalled_since(conn);
    if stalled.is_some_and(|since| now >= since + limits.body) {
        return Verdict::Close;
    }
    let mut next = match stalled {
        Some(since) => since + limits.body,
        None => now + limits.body,
    };
    if conn.busy() > 0 {
        return Verdict::Keep(next.min(now + limits.header));
    }
    let deadline = table.idle_since(conn) + limits.header;
    if now < deadline {
        next = next.min(deadline);
        return Verdict::Keep(next);
    }
    if stalled.is_some() {
        // Still writing out the last answer: the write watch decides.
        return Verdict::Keep(next);
    }
    if conn.head_started() && !conn.is_h2() {
        Verdict::Answer408
    } else {
        Verdict::Close
    }
}

/// Serves one admitted connection until it ends, then takes it out of the
/// table.
pub async fn serve(
    stream: TcpStream,
    peer: SocketAddr,
    conn: Arc<Conn>,
    table: Arc<Table>,
    state: Arc<AppState>,
    builder: Arc<auto::Builder<TokioExecutor>>,
    limits: Limits,
) {
    let stream = Arc::new(stream);
    let io = TokioIo::new(WatchedIo::new(stream.clone(), conn.clone(), table.clone()));
    let service = {
        let (conn, table) = (conn.clone(), table.clone());
        service_fn(move |req: Request<Incoming>| {
            let busy = InFlight::start(table.clone(), conn.clone());
            let state = state.clone();
            async move {
                let response = handle(state, req, limits.request).await;
                Ok::<_, Infallible>(response.map(|body| Tracked { body, _busy: busy }))
            }
        })
    };
    let served = builder.serve_connection_with_upgrades(io, service);
    tokio::pin!(served);
    let mut shutdown = table.shutdown_signal();
    let mut finishing = *shutdown.borrow_and_update();
    if finishing {
        served.as_mut().graceful_shutdown();
    }
    let mut check = Instant::now() + limits.header.min(limits.body);
    loop {
        tokio::select! {
            ended = served.as_mut() => {
                if let Err(e) = ended {
                    tracing::debug!(%peer, error = %e, "connection ended with an error");
                }
                break;
            }
            () = conn.close.notified() => {
                tracing::debug!(%peer, "connection closed to make room or at shutdown");
                break;
            }
            _ = shutdown.changed(), if !finishing => {
                finishing = true;
                served.as_mut().graceful_shutdown();
            }
            () = tokio::time::sleep_until(check.into()) => {
                match verdict(&table, &conn, &limits, Instant::now()) {
                    Verdict::Keep(next) => check = next,
                    Verdict::Close => {
                        tracing::debug!(%peer, "connection timed out");
                        break;
                    }
                    Verdict::Answer408 => {
                        tracing::debug!(%peer, "request head timed out");
                        let _ = stream.try_write(&errors::head_timeout_bytes());
                        break;
                    }
                }
            }
        }
    }
    table.remove(&conn);
}

/// Marks the connection busy from a request's arrival until its response
/// body is done or abandoned.
struct InFlight {
    table: Arc<Table>,
    conn: Arc<Conn>,
}

impl InFlight {
    fn start(table: Arc<Table>, conn: Arc<Conn>) -> InFlight {
        table.request_started(&conn);
        InFlight { table, conn }
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.table.request_done(&self.conn);
    }
}

/// A response body that keeps its connection busy while it is written.
struct Tracked {
    body: Body,
    _busy: InFlight,
}

impl hyper::body::Body for Tracked {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        Pin::new(&mut self.get_mut().body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

async fn handle(state: Arc<AppState>, req: Request<Incoming>, timeout: Duration) -> Response<Body> {
    // The access log costs a clock read and two copies: only when it is on.
    let log = tracing::enabled!(tracing::Level::DEBUG).then(|| {
        (
            Instant::now(),
            req.method().clone(),
            req.uri().path().to_string(),
        )
    });
    let response = match tokio::time::timeout(timeout, router::route(&state, req)).await {
        Ok(r) => r,
        Err(_) => errors::timeout(state.service.settings()),
    };
    if let Some((started, method, path)) = log {
        let micros = started.elapsed().as_micros() as u64;
        tracing::debug!(%method, %path, status = response.status().as_u16(), micros, "request");
    }
    response
}
