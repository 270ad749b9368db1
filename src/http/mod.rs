//! HTTP: the hyper server (`server.rs`: accept loop, graceful shutdown; the
//! connection table `conns.rs`, one connection's task `connection.rs` with
//! its timeouts, its socket `watched_io.rs`; request bodies read under a
//! timeout `timed_body.rs`), the router (`router.rs`), credentials (`auth.rs`), the
//! catalogue API's transport (`api.rs`, `upload.rs`), compression
//! (`compress.rs`) and CORS (`cors.rs`); and exactly one `Reply` → response
//! function (`response.rs`) and one failure → status + body function
//! (`errors.rs`).
//!
//! Everything between a parsed request and its answer is `serve`'s; `http`
//! decides nothing about layers, styles, time or access.

mod api;
mod auth;
mod compress;
mod connection;
mod conns;
mod cors;
mod errors;
mod response;
mod router;
mod server;
mod state;
mod timed_body;
mod upload;
mod watched_io;

pub use server::Server;
pub use state::AppState;
