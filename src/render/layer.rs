//! `Layer`: a raster layer resolved against one catalogue snapshot, its kind
//! (a stored source or a computed graph) decided once, behind one evaluation
//! contract. Maps, tiles, point reads and limits all go through
//! [`Evaluate`]; nothing downstream asks which kind it has.
//!
//! `stored.rs` implements the contract for a layer that shows one stored
//! source, `computed.rs` for a layer whose graph is a computation.

use super::computed::Computed;
use super::engine::Engine;
use super::error::RenderError;
use super::point::PointValue;
use super::stored::Stored;
use super::warp::Warped;
use crate::catalogue::{RasterLayer, Snapshot, graphref};
use crate::model::{Crs, GridSpec, Resampling, TimeSel};
use std::sync::Arc;
use uuid::Uuid;

/// What every kind of layer answers. Blocking: runs on the render pool.
pub(super) trait Evaluate: Send + Sync {
    /// The layer's values on `grid` at `time`, sampled with `resampling`;
    /// an all-invalid block when there is nothing there.
    fn values_on(
        &self,
        engine: &Engine,
        grid: &GridSpec,
        time: TimeSel,
        resampling: Resampling,
    ) -> Result<Warped, RenderError>;

    /// The layer's value at `point` (x = east, y = north in `crs`) at `time`.
    fn value_at(
        &self,
        engine: &Engine,
        crs: Crs,
        point: (f64, f64),
        time: TimeSel,
    ) -> Result<PointValue, RenderError>;

    /// True when a time interval is aggregated over (a computation) rather
    /// than answered by the one frame it picks (stored data).
    fn aggregates_spans(&self) -> bool;

    /// What the render pool counts this layer's jobs by (its share of the
    /// queue).
    fn share_key(&self) -> String;
}

/// A resolved layer: cheap to clone, safe to send to the render pool.
#[derive(Clone)]
pub struct Layer(Arc<dyn Evaluate>);

impl std::fmt::Debug for Layer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Layer")
    }
}

impl Layer {
    /// Layer `id` of `snap`. Errors: `NoSuchLayer`; `BrokenLayer` when its
    /// graph is neither a (possibly nested) single source nor a computation.
    pub fn resolve(snap: &Arc<Snapshot>, id: Uuid) -> Result<Layer, RenderError> {
        let layer = snap.layer(id).ok_or(RenderError::NoSuchLayer(id))?;
        match snap.single_source(layer) {
            Some(source) => Ok(Layer::stored(snap, source.uuid)),
            None => Layer::computed(snap, layer),
        }
    }

    /// A layer showing stored source `source` of `snap` (the caller found
    /// it with `Snapshot::single_source`).
    pub fn stored(snap: &Arc<Snapshot>, source: Uuid) -> Layer {
        Layer(Arc::new(Stored::new(snap.clone(), source)))
    }

    /// `layer` as a computation over `snap`, for a layer that shows no
    /// single source; `BrokenLayer` when its graph is not a computation.
    pub fn computed(snap: &Arc<Snapshot>, layer: &RasterLayer) -> Result<Layer, RenderError> {
        if graphref::is_geoblock(&layer.graph) {
            return Ok(Layer(Arc::new(Computed::new(snap.clone(), layer.uuid))));
        }
        Err(RenderError::BrokenLayer(layer.uuid))
    }

    /// See [`Evaluate::share_key`].
    pub fn share_key(&self) -> String {
        self.0.share_key()
    }

    /// See [`Evaluate::aggregates_spans`].
    pub fn aggregates_spans(&self) -> bool {
        self.0.aggregates_spans()
    }

    pub(super) fn eval(&self) -> &dyn Evaluate {
        &*self.0
    }
}
