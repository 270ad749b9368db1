//! Raster layers whose `source` graph is a computation (geoblocks): the graph
//! engine evaluates them per request over the store's frames.
//!
//! `StoreLeaves` answers the engine's questions from one catalogue snapshot:
//! a uuid names a raster source (its grid and frame instants) or a raster
//! layer (its graph, nested); reading a frame warps it onto the request grid
//! with nearest neighbour (GDAL's and dask-geomodeling's rule), and a point
//! request reads the level-0 cell under the point. One `StoreLeaves` serves one
//! evaluation: sources (and frames) stored on the same grid share one warp
//! plan, built on the first read.

use super::error::RenderError;
use super::pipeline::Context;
use super::point::read_cell;
use super::warp::Warped;
use super::warp_plan::PlanMemo;
use crate::catalogue::graphmeta::{SnapshotLeaves, source_meta};
use crate::catalogue::{RasterLayer, Snapshot};
use crate::graph::{
    Dt, Graph, GraphError, GraphLimits, Leaf, Leaves, Output, Raster, Request, RequestMode,
};
use crate::model::{ErrorClass, GridSpec, RasterBuf, RasterSource, TimeSel};
use uuid::Uuid;

/// The engine's view of one snapshot and the store, for one evaluation.
pub struct StoreLeaves<'a> {
    pub ctx: &'a Context,
    pub snap: &'a Snapshot,
    pub limits: GraphLimits,
    /// The warp plans of this evaluation, by request grid and source grid.
    plans: PlanMemo,
}

impl<'a> StoreLeaves<'a> {
    pub fn new(ctx: &'a Context, snap: &'a Snapshot, limits: GraphLimits) -> StoreLeaves<'a> {
        StoreLeaves {
            ctx,
            snap,
            limits,
            plans: PlanMemo::default(),
        }
    }
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
        let source = self
            .snap
            .source(id)
            .ok_or_else(|| GraphError::Request(format!("raster source {id} is gone")))?;
        let meta = source_meta(source)
            .ok_or_else(|| GraphError::Request(format!("raster source {id} holds no data")))?;
        let point = grid.bbox.min_x == grid.bbox.max_x || grid.bbox.min_y == grid.bbox.max_y;
        let mut out = Vec::with_capacity(frames.len());
        for &i in frames {
            let frame = source
                .frames
                .get(i)
                .ok_or_else(|| GraphError::Request(format!("frame {i} of {id} is gone")))?;
            let stored = self
                .ctx
                .store
                .open_frame(source.uuid, &frame.file)
                .map_err(|e| GraphError::Request(e.to_string()))?;
            let buf = if point {
                let value = read_cell(
                    &*stored,
                    self.ctx,
                    grid.crs,
                    grid.bbox.min_x,
                    grid.bbox.min_y,
                )
                .map_err(|e| GraphError::Request(e.to_string()))?;
                let v = value.or(meta.nodata).unwrap_or(f64::NAN);
                Raster::filled(Dt::from_data_type(meta.dtype), meta.nodata, 1, 1, 1, v).to_buf(0)
            } else {
                self.plans
                    .nearest(grid, stored.info(), &self.ctx.transforms)
                    .and_then(|plan| plan.apply(&*stored))
                    .map_err(|e| GraphError::Request(e.to_string()))?
                    .buf
            };
            out.push(buf);
        }
        Ok(out)
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

/// Evaluates `layer`'s graph on `grid` at `time`: the last band of the
/// answer as values plus validity (cells at the answer's nodata are invalid).
pub fn evaluate(
    ctx: &Context,
    snap: &Snapshot,
    layer: &RasterLayer,
    grid: &GridSpec,
    time: TimeSel,
) -> Result<Warped, RenderError> {
    let limits = GraphLimits::default();
    let graph = Graph::parse(&layer.graph, &limits).map_err(|e| graph_err(layer, e))?;
    let leaves = StoreLeaves::new(ctx, snap, limits);
    let request = Request {
        mode: RequestMode::Vals,
        bbox: grid.bbox,
        crs: grid.crs,
        width: grid.width,
        height: grid.height,
        start: start_stop(time).0,
        stop: start_stop(time).1,
    };
    let out = graph
        .evaluate(&leaves, &request)
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

fn graph_err(layer: &RasterLayer, e: GraphError) -> RenderError {
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

/// The value of `layer`'s graph at one point (a dask-geomodeling point
/// request), its dtype, and the instant of the answer for temporal graphs.
pub fn point(
    ctx: &Context,
    snap: &Snapshot,
    layer: &RasterLayer,
    crs: crate::model::Crs,
    (x, y): (f64, f64),
    time: TimeSel,
) -> Result<super::point::PointValue, RenderError> {
    let limits = GraphLimits::default();
    let graph = Graph::parse(&layer.graph, &limits).map_err(|e| graph_err(layer, e))?;
    let leaves = StoreLeaves::new(ctx, snap, limits);
    let mut request = Request {
        mode: RequestMode::Vals,
        bbox: crate::model::BBox::new(x, y, x, y),
        crs,
        width: 1,
        height: 1,
        start: start_stop(time).0,
        stop: start_stop(time).1,
    };
    let meta = graph.meta(&leaves).map_err(|e| graph_err(layer, e))?;
    let out = graph
        .evaluate(&leaves, &request)
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
    Ok(super::point::PointValue {
        value,
        dtype: meta.dtype.data_type(),
        time: instant,
    })
}
