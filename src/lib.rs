//! tegel: a raster map server.
//!
//! Data flows one way (ARCHITECTURE.md; `tests/it/architecture.rs` checks it):
//!
//! * `http` accepts requests, routes them, extracts credentials, compresses,
//!   and turns answers and failures into responses (one function each).
//! * `serve` is the request path between transport and engines: a call, the
//!   caller and one catalogue snapshot in, a `Reply` or a classed `Failure`
//!   out. It resolves layers, styles, time and access once.
//! * `api` answers the `/api/v4/` catalogue API (JSON in and out).
//! * `protocol` parses WMS/WMTS/XYZ requests and writes their documents.
//! * `render` turns a resolved layer and a `model::RenderRequest` into bytes
//!   through `cache`, `graph` (computed layers), `storage` frames warped by
//!   `kernels`, `style` and `encode`, on the rayon pool.
//! * `graph` parses and evaluates dask-geomodeling graphs (geoblocks).
//! * `catalogue` knows the organisations, sources and layers; `storage` keeps
//!   the pixels as memory-mapped tiled pyramids; `geo` knows CRSs and transforms.
//! * `config` turns the TOML file and `TEGEL_*` variables into validated settings.
//! * `app` wires them into a running server; `model` holds the shared values.
//!
//! Lower modules never import higher ones.

/// The process allocator. Tiles allocate and free buffers of hundreds of KiB
/// per request; glibc's malloc hands the top of its heap back to the system
/// on free, so every next request faulted fresh zeroed pages in (a quarter
/// of a computed tile's time in `cargo bench --bench graph`). mimalloc keeps
/// freed pages for reuse.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
pub mod serve;
pub mod storage;
pub mod style;
