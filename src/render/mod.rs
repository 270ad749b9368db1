//! The render path: a resolved layer and a `RenderRequest` in, bytes out.
//!
//! * `layer.rs` — [`Layer`]: a layer resolved against one snapshot, its kind
//!   decided once behind one evaluation contract; `stored.rs` and
//!   `computed.rs` implement it for stored sources and for graphs;
//! * `engine.rs` — [`Engine`], the blocking work: values → style → encode;
//! * `renderer.rs` — [`Renderer`], the async front: cache, then the engine
//!   on the [`Pool`] (`pool.rs`, the process's bounded CPU pool);
//! * `warp.rs` level choice and resampling, `warp_plan.rs` the
//!   nearest-neighbour plans that sources on one grid share;
//! * `paint.rs` styling and PNG output; `composite.rs` blending layers;
//!   `point.rs` the cell under a point; `legend.rs` legend images and data
//!   limits; `exception_image.rs` errors drawn as images.
//!
//! May use model, geo, cache, storage, kernels, graph, catalogue (snapshots
//! only), style and encode. Knows nothing of WMS, WMTS, XYZ or HTTP.

mod composite;
mod computed;
mod engine;
mod error;
mod exception_image;
mod layer;
pub mod legend;
mod paint;
mod point;
mod pool;
mod renderer;
mod stored;
mod warp;
mod warp_plan;

pub use engine::Engine;
pub use error::RenderError;
pub use exception_image::ExceptionImage;
pub use layer::Layer;
pub use point::PointValue;
pub use pool::Pool;
pub use renderer::{Output, Renderer};
pub use warp::{Warped, choose_level, default_fill, warp};
