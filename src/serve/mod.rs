//! The service layer: the request path between transport and engines,
//! knowing nothing of HTTP. A [`Call`] (an endpoint's request in its
//! protocol encoding), the caller and one catalogue snapshot in; a [`Reply`]
//! (body, media type, ETag, caching policy, whether it depends on the
//! caller, warnings, last change) or a [`Failure`] (classed, tagged with the
//! endpoint family whose error format answers it) out.
//!
//! * `service.rs` — [`Service`], [`Call`]: dispatch by endpoint;
//! * `layer.rs` — the one guard: access, layer and style resolution, into a
//!   `Resolved` layer whose kind (stored or computed) is decided once;
//! * `time.rs` — WMS TIME against a layer's frames;
//! * `published.rs` — the layers published over OGC;
//! * `wms/` — GetCapabilities, GetMap, GetFeatureInfo, legends and limits;
//! * `wmts/` — KVP and RESTful WMTS; `xyz.rs` — XYZ and TMS tiles; `tile.rs`
//!   — one tile of a layer, as both draw it;
//! * `index.rs` — the landing page; `colormaps.rs` — the colormap API;
//! * `reply.rs`, `failure.rs`, `settings.rs` — what goes in and out.
//!
//! May use model, config, geo, cache (ETags), catalogue (snapshots),
//! render, protocol and style. Never hyper, never `http`.

mod colormaps;
mod failure;
mod index;
mod layer;
mod published;
mod reply;
mod service;
mod settings;
mod tile;
mod time;
mod wms;
mod wmts;
mod xyz;

pub use colormaps::{PREFIX as COLORMAPS_PREFIX, owns as owns_colormaps};
pub use failure::{Failure, public_message};
pub use reply::Reply;
pub use service::{Call, Refused, Rows, Service};
pub use settings::Settings;
pub use wms::Scope;
