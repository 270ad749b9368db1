//! HTTP: the hyper server (`server.rs`: connection limit, timeouts, graceful
//! shutdown), the router (`router.rs`), credentials (`auth.rs`), the
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
mod cors;
mod errors;
mod response;
mod router;
mod server;
mod state;
mod upload;

pub use server::Server;
pub use state::AppState;
