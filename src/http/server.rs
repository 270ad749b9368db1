//! The HTTP server shell: accept loop, connection cap, per-request timeout,
//! HTTP/1.1 and HTTP/2 (h2c) on one port, graceful shutdown.
//!
//! Knows nothing of endpoints: every request goes to `router::route`.

use super::router;
use super::state::AppState;
use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

/// A bound, not yet running server. Binding first lets callers (and tests using
/// `127.0.0.1:0`) learn the real address before serving.
pub struct Server {
    listener: TcpListener,
}

impl Server {
    pub async fn bind(addr: SocketAddr) -> std::io::Result<Server> {
        let listener = TcpListener::bind(addr).await?;
        Ok(Server { listener })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `shutdown` completes, then lets open connections finish their
    /// requests for up to the configured grace period.
    pub async fn run(self, state: Arc<AppState>, shutdown: impl Future<Output = ()>) {
        let Server { listener } = self;
        let limits = state.config.server.clone();
        let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
        let graceful = GracefulShutdown::new();
        let mut builder = auto::Builder::new(TokioExecutor::new());
        builder
            .http1()
            .timer(TokioTimer::new())
            .header_read_timeout(Duration::from_secs(30));
        builder
            .http2()
            .timer(TokioTimer::new())
            .max_concurrent_streams(256);
        tokio::pin!(shutdown);
        loop {
            let permit = tokio::select! {
                p = permits.clone().acquire_owned() => match p { Ok(p) => p, Err(_) => break },
                () = &mut shutdown => break,
            };
            let (stream, peer) = tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok(a) => a,
                    Err(e) => {
                        // Out of file descriptors and the like: back off, keep serving.
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                },
                () = &mut shutdown => break,
            };
            let _ = stream.set_nodelay(true);
            let state = state.clone();
            let timeout = Duration::from_secs(limits.request_timeout_secs.max(1));
            let service = service_fn(move |req: Request<Incoming>| {
                let state = state.clone();
                async move { Ok::<_, Infallible>(handle(state, req, timeout).await) }
            });
            let conn = builder
                .serve_connection_with_upgrades(TokioIo::new(stream), service)
                .into_owned();
            let conn = graceful.watch(conn);
            tokio::spawn(async move {
                if let Err(e) = conn.await {
                    tracing::debug!(%peer, error = %e, "connection ended with an error");
                }
                drop(permit);
            });
        }
        drop(listener);
        let grace = Duration::from_secs(limits.shutdown_grace_secs);
        if tokio::time::timeout(grace, graceful.shutdown())
            .await
            .is_err()
        {
            tracing::warn!("connections still open after the shutdown grace period; closing them");
        }
    }
}

async fn handle(
    state: Arc<AppState>,
    req: Request<Incoming>,
    timeout: Duration,
) -> Response<Full<Bytes>> {
    // The access log costs a clock read and two copies: only when it is on.
    let log = tracing::enabled!(tracing::Level::DEBUG).then(|| {
        (
            std::time::Instant::now(),
            req.method().clone(),
            req.uri().path().to_string(),
        )
    });
    let response = match tokio::time::timeout(timeout, router::route(&state, req)).await {
        Ok(r) => r,
        Err(_) => super::errors::timeout(state.service.settings()),
    };
    if let Some((started, method, path)) = log {
        let micros = started.elapsed().as_micros() as u64;
        tracing::debug!(%method, %path, status = response.status().as_u16(), micros, "request");
    }
    response
}
