//! The HTTP server shell: accept loop, connection cap, HTTP/1.1 and HTTP/2
//! (h2c) on one port, graceful shutdown, and the per-request timeout.
//!
//! Knows nothing of endpoints: every request goes to `router::route`. The
//! accept loop never waits for room: admission is the connection table's
//! (`conns.rs`), and each connection's task (`connection.rs`) watches its
//! header, keep-alive and write timeouts.

use super::connection::{self, Limits};
use super::conns::{Admission, Table};
use super::errors;
use super::state::AppState;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use hyper_util::server::conn::auto;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpSocket, TcpStream};

/// Connections the kernel may hold completed but not yet accepted.
const BACKLOG: u32 = 4096;
/// Refused connections answered at once (their 503 written, the rest of
/// what they sent read for a moment so the answer is not lost to a reset);
/// beyond this many they are closed without a word.
const MAX_REFUSING: usize = 256;
/// How long a refused connection is read before it is closed.
const REFUSE_LINGER: Duration = Duration::from_millis(500);

/// A bound, not yet running server. Binding first lets callers (and tests using
/// `127.0.0.1:0`) learn the real address before serving.
pub struct Server {
    listener: TcpListener,
}

impl Server {
    /// Binds `addr` with a listen backlog of [`BACKLOG`] (the kernel may cap
    /// it lower), so a burst of connections waits there instead of having
    /// its handshakes dropped and retried a second later.
    pub async fn bind(addr: SocketAddr) -> std::io::Result<Server> {
        let socket = match addr {
            SocketAddr::V4(_) => TcpSocket::new_v4()?,
            SocketAddr::V6(_) => TcpSocket::new_v6()?,
        };
        socket.set_reuseaddr(true)?;
        socket.bind(addr)?;
        let listener = socket.listen(BACKLOG)?;
        Ok(Server { listener })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `shutdown` completes, then lets open connections finish their
    /// requests for up to the configured grace period.
    pub async fn run(self, state: Arc<AppState>, shutdown: impl Future<Output = ()>) {
        let Server { listener } = self;
        let settings = state.config.server.clone();
        let table = Arc::new(Table::new(settings.max_connections));
        let limits = Limits {
            header: settings.header_timeout(),
            body: settings.body_timeout(),
            request: Duration::from_secs(settings.request_timeout_secs.max(1)),
        };
        let retry_after = state.config.render.retry_after_secs;
        let refusing = Arc::new(AtomicUsize::new(0));
        let builder = Arc::new(builder(&limits));
        tokio::pin!(shutdown);
        loop {
            let (stream, peer) = tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok(a) => a,
                    Err(e) => {
                        // Out of file descriptors and the like: make room if
                        // a connection is idle, back off a moment, keep serving.
                        tracing::warn!(error = %e, "accept failed");
                        table.close_longest_idle();
                        tokio::time::sleep(Duration::from_millis(10)).await;
                        continue;
                    }
                },
                () = &mut shutdown => break,
            };
            let _ = stream.set_nodelay(true);
            match table.admit() {
                Admission::Admitted(conn) => {
                    let task = connection::serve(
                        stream,
                        peer,
                        conn,
                        table.clone(),
                        state.clone(),
                        builder.clone(),
                        limits,
                    );
                    tokio::spawn(task);
                }
                Admission::Refused => {
                    tracing::debug!(%peer, "connection refused: every connection is busy");
                    if refusing.fetch_add(1, Ordering::AcqRel) < MAX_REFUSING {
                        let refusing = refusing.clone();
                        tokio::spawn(async move {
                            refuse(stream, retry_after).await;
                            refusing.fetch_sub(1, Ordering::AcqRel);
                        });
                    } else {
                        refusing.fetch_sub(1, Ordering::AcqRel);
                    }
                }
            }
        }
        drop(listener);
        table.start_shutdown();
        let grace = Duration::from_secs(settings.shutdown_grace_secs);
        if tokio::time::timeout(grace, table.wait_empty())
            .await
            .is_err()
        {
            tracing::warn!("connections still open after the shutdown grace period; closing them");
            table.close_all();
            let _ = tokio::time::timeout(Duration::from_secs(1), table.wait_empty()).await;
        }
    }
}

/// hyper's connection builder: HTTP/1.1 with keep-alive, HTTP/2 with
/// keep-alive pings, both on tokio's timer.
fn builder(limits: &Limits) -> auto::Builder<TokioExecutor> {
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        // A backstop only: the connection's own watch answers 408 first.
        .header_read_timeout(limits.header * 2);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_concurrent_streams(256)
        .keep_alive_interval(Some(limits.header))
        .keep_alive_timeout(limits.header);
    builder
}

/// Writes the 503 of a refused connection and closes it.
async fn refuse(mut stream: TcpStream, retry_after: u64) {
    let _ = stream.try_write(&errors::refused_bytes(retry_after));
    let _ = stream.shutdown().await;
    let mut sink = [0u8; 4096];
    let _ = tokio::time::timeout(REFUSE_LINGER, async {
        let mut seen = 0usize;
        while let Ok(n) = stream.read(&mut sink).await {
            seen += n;
            if n == 0 || seen > 64 * 1024 {
                break;
            }
        }
    })
    .await;
}
