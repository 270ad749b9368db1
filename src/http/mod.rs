//! HTTP: the hyper server, the router, the endpoint handlers, caching headers,
//! and the one place mapping `ErrorClass` to statuses and error bodies.
//!
//! Handlers are thin: they parse with `protocol`, look layers up in the
//! catalogue snapshot, and hand `RenderRequest`s to the `render::Renderer`.

mod api;
mod auth;
mod capabilities;
mod colormaps;
mod composite;
mod compress;
mod cors;
mod dimension;
mod errors;
mod exceptions_image;
mod getfeatureinfo;
mod index;
mod layers;
mod legend;
mod published;
mod response;
mod router;
mod server;
mod state;
mod upload;
mod wms;
mod wmts;
mod xyz;

pub use server::Server;
pub use state::AppState;
