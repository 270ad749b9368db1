//! The render path: `RenderRequest` → cache → frame → warp → style → encode.
//!
//! `renderer.rs` is the async front (cache, bounded queue, rayon pool);
//! `pipeline.rs` the blocking work; `warp.rs` level choice and resampling,
//! `warp_plan.rs` the nearest-neighbour plans that sources on one grid share;
//! `paint.rs` styling and PNG output; `point.rs` the value of a layer at one
//! point (GetFeatureInfo); `legend.rs` legend images and data limits. Knows
//! nothing of WMS, WMTS or XYZ.

mod error;
mod geoblock;
pub mod legend;
mod paint;
mod pipeline;
mod point;
mod renderer;
mod warp;
mod warp_plan;

pub use error::RenderError;
pub use pipeline::{Context, render, warp_layer};
pub use point::{PointValue, value_at};
pub use renderer::{Output, Renderer};
pub use warp::{Warped, choose_level, default_fill, warp};
