//! `Engine`: the blocking half of rendering. A resolved [`Layer`] and a
//! `RenderRequest` in, encoded bytes out (values → style → PNG, or raw
//! values → GeoTIFF); also the values, point values and value limits of a
//! layer. Runs on the render pool only (see `renderer.rs`); benchmarks call
//! it directly.

use super::error::RenderError;
use super::layer::Layer;
use super::legend::value_limits;
use super::point::PointValue;
use super::warp::Warped;
use crate::cache::Rendered;
use crate::geo::cache::TransformCache;
use crate::graph::Cancel;
use crate::model::{Crs, GridSpec, OutputFormat, RenderRequest, Resampling, TimeSel};
use crate::storage::Store;
use std::sync::Arc;

/// What evaluating a layer reads: the store's frames and the coordinate
/// transforms.
pub struct Engine {
    /// The memory-mapped frames.
    store: Arc<Store>,
    /// Transformers between CRS pairs, built once and shared.
    transforms: Arc<TransformCache>,
    /// Set when the job this engine serves is no longer wanted.
    cancel: Cancel,
}

impl Engine {
    pub fn new(store: Arc<Store>, transforms: Arc<TransformCache>) -> Engine {
        Engine {
            store,
            transforms,
            cancel: Cancel::never(),
        }
    }

    /// This engine for one pool job: evaluations stop once `cancel` is set.
    pub fn for_job(&self, cancel: &Cancel) -> Engine {
        Engine {
            store: self.store.clone(),
            transforms: self.transforms.clone(),
            cancel: cancel.clone(),
        }
    }

    /// The token of the job this engine serves.
    pub fn cancel(&self) -> &Cancel {
        &self.cancel
    }

    /// Renders `req` of `layer` to encoded bytes.
    pub fn render(&self, layer: &Layer, req: &RenderRequest) -> Result<Rendered, RenderError> {
        let warped = self.values(layer, &req.grid, req.time, req.resampling)?;
        match req.format {
            OutputFormat::Png => super::paint::png(&warped, req),
            OutputFormat::GeoTiff => {
                let bytes = crate::encode::geotiff::encode_geotiff(
                    &warped.buf,
                    req.grid.crs,
                    &req.grid.transform(),
                );
                Ok(Rendered::from_vec(bytes, OutputFormat::GeoTiff.mime()))
            }
        }
    }

    /// `layer`'s values on `grid` at `time`.
    pub fn values(
        &self,
        layer: &Layer,
        grid: &GridSpec,
        time: TimeSel,
        resampling: Resampling,
    ) -> Result<Warped, RenderError> {
        layer.eval().values_on(self, grid, time, resampling)
    }

    /// `layer`'s value at `point` (x = east, y = north in `crs`) at `time`:
    /// the level-0 cell holding it (cells are half-open: a point on a cell's
    /// west or north edge belongs to that cell).
    pub fn value_at(
        &self,
        layer: &Layer,
        crs: Crs,
        point: (f64, f64),
        time: TimeSel,
    ) -> Result<PointValue, RenderError> {
        layer.eval().value_at(self, crs, point, time)
    }

    /// The smallest and largest valid value of `layer` on `grid` (nearest
    /// sampling, as a map shows it); `None` when no cell holds data.
    pub fn limits(
        &self,
        layer: &Layer,
        grid: &GridSpec,
        time: TimeSel,
    ) -> Result<Option<(f64, f64)>, RenderError> {
        let warped = self.values(layer, grid, time, Resampling::Nearest)?;
        Ok(value_limits(&warped))
    }

    pub fn transforms(&self) -> &TransformCache {
        &self.transforms
    }

    pub(super) fn store(&self) -> &Store {
        &self.store
    }
}
