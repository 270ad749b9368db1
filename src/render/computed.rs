//! A layer whose `source` graph is a computation (geoblocks): the graph
//! engine evaluates it per request over the store's frames.
//!
//! `StoreLeaves` answers the engine's questions from one catalogue snapshot:
//! a uuid names a raster source (its grid and frame instants) or a raster
//! layer (its graph, nested); reading a frame warps it onto the request grid
//! with the request's resampling (nearest by default: GDAL's and
//! dask-geomodeling's rule), and a point request reads the level-0 cell under
//! the point. One `StoreLeaves` serves one evaluation: sources (and frames)
//! stored on the same grid share one nearest-neighbour warp plan, built on
//! the first read.
//!
//! Failures keep their cause: storage trouble under a graph is the server's
//! (`GraphError::Read`, answered 500 without its text), a source the graph
//! names but the snapshot lacks makes the layer broken (409).

use super::engine::Engine;
use super::error::RenderError;
use super::layer::Evaluate;
use super::point::{PointValue, read_cell};
use super::warp::{Warped, warp};
use super::warp_plan::PlanMemo;
use crate::catalogue::graphmeta::{SnapshotLeaves, source_meta};
use crate::catalogue::{RasterLayer, Snapshot};
use crate::graph::{
    Dt, Graph, GraphError, GraphLimits, Leaf, Leaves, Output, Raster, Request, RequestMode,
};
use crate::model::{BBox, Crs, ErrorClass, GridSpec, RasterBuf, RasterSource, Resampling, TimeSel};
use std::sync::Arc;
use uuid::Uuid;

/// Layer `layer` of one snapshot, evaluated through its graph.
pub(super) struct Computed {
    snap: Arc<Snapshot>,
    layer: Uuid,
}

impl Computed {
    pub(super) fn new(snap: Arc<Snapshot>, layer: Uuid) -> Computed {
        Computed { snap, layer }
    }

    fn record(&self) -> Result<&RasterLayer, RenderError> {
        self.snap
            .layer(self.layer)
            .ok_or(RenderError::NoSuchLayer(self.layer))
    }

    /// The parsed graph and the engine's view of the snapshot.
    fn prepare<'a>(
        &'a self,
        engine: &'a Engine,
        resampling: Resampling,
    ) -> Result<(&'a RasterLayer, Graph, StoreLeaves<'a>), RenderError> {
        let layer = self.record()?;
        let limits = self.snap.graph_limits();
        let graph = Graph::parse(&layer.graph, &limits).map_err(|e| graph_err(layer, e))?;
        let leaves = StoreLeaves {
            engine,
            snap: &self.snap,
            limits,
            resampling,
            plans: PlanMemo::default(),
        };
        Ok((layer, graph, leaves))
    }
}

impl Evaluate for Computed {
    /// The last band of the graph's answer as values plus validity (cells at
    /// the answer's nodata are invalid).
    fn values_on(
        &self,
        engine: &Engine,
        grid: &GridSpec,
        time: TimeSel,
        resampling: Resampling,
    ) -> Result<Warped, RenderError> {
        let (layer, graph, leaves) = self.prepare(engine, resampling)?;
        let (start, stop) = start_stop(time);
        let request = Request {
            mode: RequestMode::Vals,
            bbox: grid.bbox,
            crs: grid.crs,
            width: grid.width,
            height: grid.height,
            start,
            stop,
        };
        let out = graph
            .evaluate_until(&leaves, &request, engine.cancel())
            .map_err(|e| graph_err(layer, e))?;
        let Some(Output::Values(raster)) = out else {
            return Ok(Warped::nothing(grid, None));
        };
        let Some(last) = raster.bands.len().checked_sub(1) else {
            return Ok(Warped::nothing(grid, None));
        };
        let buf = raster.to_buf(last);
        // NaN never equals: "no nodata". Non-short-circuit `&` keeps the loop
        // vectorised.
        let nodata = raster.nodata.unwrap_or(f64::NAN);
        let valid: Vec<u8> = raster.bands[last]
            .iter()
            .map(|&v| u8::from(!v.is_nan() & (v != nodata)))
            .collect();
        let empty = !valid.contains(&1);
        Ok(Warped { buf, valid, empty })
    }

    /// A dask-geomodeling point request: the value, the graph's dtype, and
    /// the instant of the answer for temporal graphs.
    fn value_at(
        &self,
        engine: &Engine,
        crs: Crs,
        (x, y): (f64, f64),
        time: TimeSel,
    ) -> Result<PointValue, RenderError> {
        let (layer, graph, leaves) = self.prepare(engine, Resampling::Nearest)?;
        let (start, stop) = start_stop(time);
        let mut request = Request {
            mode: RequestMode::Vals,
            bbox: BBox::new(x, y, x, y),
            crs,
            width: 1,
            height: 1,
            start,
            stop,
        };
        let meta = graph.meta(&leaves).map_err(|e| graph_err(layer, e))?;
        let out = graph
            .evaluate_until(&leaves, &request, engine.cancel())
            .map_err(|e| graph_err(layer, e))?;
        let value = match out {
            Some(Output::Values(r)) => r
                .bands
                .last()
                .and_then(|b| b.first().copied())
                .filter(|v| !v.is_nan() && Some(*v) != r.nodata),
            _ => None,
        };
        let instant = if meta.temporal {
            request.mode = RequestMode::Time;
            match graph.evaluate(&leaves, &request) {
                Ok(Some(Output::Time(ts))) => ts
                    .last()
                    .and_then(|ms| chrono::DateTime::from_timestamp_millis(*ms)),
                _ => None,
            }
        } else {
            None
        };
        Ok(PointValue {
            value,
            dtype: meta.dtype.data_type(),
            time: instant,
        })
    }

    fn aggregates_spans(&self) -> bool {
        true
    }

    fn share_key(&self) -> String {
        format!("layer:{}", self.layer)
    }
}

/// The engine's view of one snapshot and the store, for one evaluation.
pub struct StoreLeaves<'a> {
    engine: &'a Engine,
    snap: &'a Snapshot,
    limits: GraphLimits,
    /// How frames are sampled onto request grids.
    resampling: Resampling,
    /// The nearest-neighbour warp plans of this evaluation, by request grid
    /// and source grid.
    plans: PlanMemo,
}

impl Leaves for StoreLeaves<'_> {
    fn resolve(&self, id: Uuid) -> Option<Leaf> {
        SnapshotLeaves::resolve_in(self.snap, &self.limits, id)
    }

    fn read(
        &self,
        id: Uuid,
        grid: &GridSpec,
        frames: &[usize],
    ) -> Result<Vec<RasterBuf>, GraphError> {
        // The graph was checked against this snapshot: a source or frame it
        // lacks means the layer no longer evaluates (broken), not a bad request.
        let source = self.snap.source(id).ok_or(GraphError::UnknownLeaf(id))?;
        let meta = source_meta(source).ok_or(GraphError::UnknownLeaf(id))?;
        let point = grid.bbox.min_x == grid.bbox.max_x || grid.bbox.min_y == grid.bbox.max_y;
        let mut out = Vec::with_capacity(frames.len());
        for &i in frames {
            self.engine.cancel().check()?;
            let frame = source.frames.get(i).ok_or(GraphError::UnknownLeaf(id))?;
            let stored = self
                .engine
                .store()
                .open_frame(source.uuid, &frame.file)
                .map_err(|e| leaf_err(e.into()))?;
            let buf = if point {
                let value = read_cell(
                    &*stored,
                    self.engine.transforms(),
                    grid.crs,
                    grid.bbox.min_x,
                    grid.bbox.min_y,
                )
                .map_err(leaf_err)?;
                let v = value.or(meta.nodata).unwrap_or(f64::NAN);
                Raster::filled(Dt::from_data_type(meta.dtype), meta.nodata, 1, 1, 1, v).to_buf(0)
            } else if self.resampling == Resampling::Nearest {
                self.plans
                    .nearest(grid, stored.info(), self.engine.transforms())
                    .and_then(|plan| plan.apply(&*stored))
                    .map_err(leaf_err)?
                    .buf
            } else {
                warp(&*stored, grid, self.engine.transforms(), self.resampling)
                    .map_err(leaf_err)?
                    .buf
            };
            out.push(buf);
        }
        Ok(out)
    }
}

/// A failure reading a leaf, classed by its cause: the server's own trouble
/// (storage, I/O, a bug) stays the server's; anything else is the request's.
fn leaf_err(e: RenderError) -> GraphError {
    match e.class() {
        ErrorClass::Internal | ErrorClass::Unavailable => GraphError::Read(e.to_string()),
        _ => GraphError::Request(e.to_string()),
    }
}

/// The request's time as the engine's `start` and `stop` (neither: the
/// last frame; start only: the nearest frame; both: the closed interval).
fn start_stop(time: TimeSel) -> (Option<i64>, Option<i64>) {
    match time {
        TimeSel::Latest => (None, None),
        TimeSel::Nearest(t) => (Some(t.timestamp_millis()), None),
        TimeSel::Span(a, b) => (Some(a.timestamp_millis()), Some(b.timestamp_millis())),
    }
}

fn graph_err(layer: &RasterLayer, e: GraphError) -> RenderError {
    if matches!(e, GraphError::Cancelled) {
        return RenderError::Cancelled;
    }
    let class = match &e {
        // What this request asks is beyond the engine: the client's to change.
        GraphError::Limit(_) | GraphError::Request(_) => ErrorClass::BadRequest,
        GraphError::Read(_) => ErrorClass::Internal,
        // The stored graph no longer evaluates (a source gone, a changed
        // nested layer): the layer is broken.
        _ => ErrorClass::Conflict,
    };
    RenderError::Graph {
        layer: layer.uuid,
        message: e.to_string(),
        class,
    }
}
