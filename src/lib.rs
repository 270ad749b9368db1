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
pub mod storage;
pub mod style;
