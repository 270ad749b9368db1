//! tegel: a raster map server.
//!
//! Data flows one way (DESIGN §1):
//!
//! * `http` accepts requests and routes them; it alone maps errors to statuses.
//! * `protocol` parses WMS/WMTS/XYZ requests into a `model::RenderRequest`.
//! * `render` answers a `RenderRequest` through `cache`, then `kernels` over
//!   `storage` frames, `style` and `encode`, on the rayon pool.
//! * `catalogue` knows the organisations, sources and layers; `storage` keeps
//!   the pixels as memory-mapped tiled pyramids; `geo` knows CRSs and transforms.
//! * `config` turns the TOML file and `TEGEL_*` variables into validated settings.
//!
//! Lower modules never import higher ones (`tests/it/architecture.rs` checks it).

pub mod model;

pub mod app;

pub mod api;
pub mod cache;
pub mod catalogue;
pub mod config;
pub mod encode;
pub mod geo;
pub mod graph;
pub mod http;
pub mod kernels;
pub mod protocol;
pub mod render;
pub mod storage;
pub mod style;
