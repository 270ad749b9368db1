//! Geoblocks: dask-geomodeling raster graphs (lizard-api.md §5), parsed,
//! validated, described and evaluated on a request grid.
//!
//! The API the catalogue and renderer use:
//!
//! * [`Graph::parse`]`(&json, &GraphLimits)` — `{"name": key, "graph": {key:
//!   ["class.path", args…]}}` to a validated graph; errors ([`GraphError`],
//!   `class()` = `BadRequest`) name the node. Limits are checked here, before
//!   any pixel is read.
//! * [`Graph::source_refs`] — the uuids in `LizardRasterSource` /
//!   `LizardRasterGroup` nodes (raster sources or layers).
//! * [`Leaves`] — implemented by the caller: `resolve(uuid)` → a source's
//!   [`SourceMeta`] or a layer's [`Graph`]; `read(uuid, grid, frames)` → frames
//!   warped (nearest neighbour, cell centres) onto the request grid.
//! * [`Graph::meta`]`(&leaves)` → [`Meta`]: dtype, fill value, WGS84 extent,
//!   geometry, projection, geo_transform, period, timedelta, temporal, len.
//! * [`Graph::evaluate`]`(&leaves, &Request)` → `Option<Output>`: values
//!   `[bands][h·w]` with `no_data_value` (None for bool) or timestamps; `None`
//!   = no data for this request (e.g. a time window outside the period).
//!   Every evaluation is first costed (`cost`) and refused beyond
//!   `GraphLimits::max_cost` before anything is read;
//!   [`Graph::evaluate_until`] also stops with `GraphError::Cancelled` once
//!   its [`Cancel`] token is set.
//! * [`Graph::check_reference`]`(&leaves)` — refuses graphs whose single
//!   256×256 tile is already beyond the budget (checked when a layer is
//!   stored).
//!
//! Semantics follow dask-geomodeling 2.8 with NumPy 1.x type promotion (the
//! golden cases under `tests/golden/graph/` are computed by it): see `dtype`
//! for promotion, `fuse` / `combine` for the exact-vs-isclose nodata tests.
//! Times are ms since the Unix epoch (UTC).
//!
//! Uses `crate::model` and `crate::geo` (the dependency table in
//! `tests/it/architecture.rs` also allows `kernels`, unused so far). Storage is
//! reached only through the caller's [`Leaves`]; never `catalogue`, `render`,
//! `api` or `http`, which sit above this module.
//!
//! Files, from document to answer:
//!
//! * `mod.rs` — this door: [`Graph::meta`], [`Graph::evaluate`], [`Request`],
//!   [`Output`].
//! * `parse` — the JSON document to a [`Graph`] within [`GraphLimits`].
//! * `blocks` — the block vocabulary (`Block`, `Arg`, `Stat`) and class paths.
//! * `build` — a node's class and arguments to a `Block`, by class name.
//! * `cursor` — `Args`, the argument cursor the block parsers read.
//! * `args` — argument helpers: frequencies, statistics, time zones,
//!   projections, uuids, JSON type names.
//! * `combine_args` — LizardRasterGroup, Group and Max from their arguments.
//! * `misc_args` — Clip and RasterizeWKT from their arguments.
//! * `temporal_args` — the temporal blocks from their arguments.
//! * `spatial_args` — the neighbourhood blocks from their arguments.
//! * `place_args` — Place from its arguments.
//! * `meta` — metadata inference ([`Meta`]): leaves, and each node handed to
//!   its family's metadata.
//! * `combine_meta` — Group and Max metadata.
//! * `misc_meta` — Clip and RasterizeWKT metadata.
//! * `temporal_meta` — the temporal blocks' metadata.
//! * `place_meta` — Place metadata.
//! * `meta_rules` — metadata rules shared by blocks.
//! * `eval` — `Ctx`: answers a request for one node, rewriting it per block;
//!   reads sources and nested layers.
//! * `cost` — the cost model: a request's work per block, summed and
//!   checked against `max_cost` before evaluation; the parameter bounds
//!   and reference-request check layer graphs pass when stored.
//! * `cancel` — [`Cancel`], the token long kernels poll.
//! * `split` — large requests cut into strips evaluated in parallel.
//! * `fuse/` — elementwise chains run as one chunked program: `mod`
//!   (regions), `args` (the elementwise blocks from their arguments), `meta`
//!   (their metadata), `plan` (compiling), `ops` (instructions), `exec`
//!   (running), `tests`.
//! * `combine` — Group, Max and LizardRasterGroup.
//! * `misc` — Clip, RasterizeWKT, scalar rounding.
//! * `temporal` — Snap, Shift, TemporalSum, TemporalAggregate, Cumulative,
//!   Resample.
//! * `reduce` — reductions over frames, cell by cell.
//! * `freq` — pandas-style frequencies and their bins.
//! * `zone` — the time zones bins follow.
//! * `time` — frame selection for sources.
//! * `spatial` — Dilate, MovingMax, Smooth, HillShade.
//! * `place` — Place.
//! * `raster` — [`Raster`] values and the internal request/answer types.
//! * `dtype` — NumPy dtypes and type promotion.
//! * `wkt` — a small WKT reader and point-in-polygon test.
//! * `error` — [`GraphError`].
//! * `leaves` — [`Leaves`], the caller's trait, and [`SourceMeta`].
//! * `memory` — in-memory leaves for tests and benches.
//! * `parse_tests`, `build_tests`, `eval_tests`, `dtype_tests` — unit tests
//!   of `parse`, `build`, evaluation and `dtype`.

mod args;
mod blocks;
mod build;
mod cancel;
mod combine;
mod combine_args;
mod combine_meta;
mod cost;
mod cursor;
pub mod dtype;
mod error;
mod eval;
mod freq;
mod fuse;
mod leaves;
pub mod memory;
mod meta;
mod meta_rules;
mod misc;
mod misc_args;
mod misc_meta;
mod parse;
mod place;
mod place_args;
mod place_meta;
mod raster;
mod reduce;
mod spatial;
mod spatial_args;
mod split;
mod temporal;
mod temporal_args;
mod temporal_meta;
mod time;
mod wkt;
mod zone;

pub use cancel::Cancel;
pub use dtype::Dt;
pub use error::GraphError;
pub use leaves::{Leaf, Leaves, SourceMeta};
pub use meta::Meta;
pub use parse::{Graph, GraphLimits};
pub use raster::Raster;

use crate::model::{BBox, Crs, GridSpec};
use raster::{Data, Mode, Req};

/// What to answer: pixel values or the timestamps of the frames.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestMode {
    Vals,
    Time,
    /// Per-frame metadata strings. tegel's sources carry none, so the answer
    /// is one `None` per frame of the `time` answer.
    Meta,
}

/// A raster request (lizard-api.md §5.2). A point request has
/// `bbox.min_x == bbox.max_x`, `bbox.min_y == bbox.max_y` and width = height = 1.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Request {
    pub mode: RequestMode,
    pub bbox: BBox,
    pub crs: Crs,
    pub width: u32,
    pub height: u32,
    /// ms since the epoch (UTC).
    pub start: Option<i64>,
    pub stop: Option<i64>,
}

/// An answer.
#[derive(Clone, Debug, PartialEq)]
pub enum Output {
    /// `values.bands[t][row * width + col]`, row 0 north; `values.nodata` is the
    /// `no_data_value` (None for bool).
    Values(Raster),
    Time(Vec<i64>),
    Meta(Vec<Option<String>>),
}

impl Graph {
    /// Metadata of the endpoint (resolving leaves; validates input dtypes and
    /// temporal compatibility, errors naming the node).
    pub fn meta(&self, leaves: &dyn Leaves) -> Result<Meta, GraphError> {
        let metas = meta::infer(self, leaves, 0)?;
        Ok(metas[self.endpoint()].clone())
    }

    /// Refuses a graph whose one 256×256 tile (over its own footprint, at
    /// one instant) already costs more than `max_cost` or holds more than
    /// the limits allow: parameters no request could afford. Reads nothing.
    pub fn check_reference(&self, leaves: &dyn Leaves) -> Result<(), GraphError> {
        let metas = meta::infer_with(self, leaves, 0, false)?;
        let (crs, bbox) = metas[self.endpoint()]
            .geometry
            .filter(|(_, b)| b.width() > 0.0 && b.height() > 0.0)
            .unwrap_or((Crs::WEB_MERCATOR, BBox::new(0.0, 0.0, 2560.0, 2560.0)));
        let cancel = Cancel::never();
        let ctx = eval::Ctx {
            graph: self,
            metas,
            leaves,
            nesting: 0,
            cancel: &cancel,
        };
        let req = Req {
            mode: Mode::Vals,
            grid: GridSpec {
                crs,
                bbox,
                width: 256,
                height: 256,
            },
            start: None,
            stop: None,
        };
        cost::check_cost(&ctx, self.endpoint(), &req).map(|_| ())
    }

    /// Evaluates the endpoint for `request`.
    pub fn evaluate(
        &self,
        leaves: &dyn Leaves,
        request: &Request,
    ) -> Result<Option<Output>, GraphError> {
        self.evaluate_until(leaves, request, &Cancel::never())
    }

    /// Evaluates the endpoint for `request` unless its estimated cost is
    /// beyond `limits.max_cost` (refused before anything is read), stopping
    /// with `GraphError::Cancelled` once `cancel` is set.
    pub fn evaluate_until(
        &self,
        leaves: &dyn Leaves,
        request: &Request,
        cancel: &Cancel,
    ) -> Result<Option<Output>, GraphError> {
        let b = request.bbox;
        let coords_ok = [b.min_x, b.min_y, b.max_x, b.max_y]
            .iter()
            .all(|v| v.is_finite());
        if !coords_ok || b.max_x < b.min_x || b.max_y < b.min_y {
            return Err(GraphError::Request("invalid bbox".into()));
        }
        let metas = meta::infer_with(self, leaves, 0, false)?;
        let ctx = eval::Ctx {
            graph: self,
            metas,
            leaves,
            nesting: 0,
            cancel,
        };
        let req = Req {
            mode: match request.mode {
                RequestMode::Vals => Mode::Vals,
                RequestMode::Time | RequestMode::Meta => Mode::Time,
            },
            grid: GridSpec {
                crs: request.crs,
                bbox: request.bbox,
                width: request.width,
                height: request.height,
            },
            start: request.start,
            stop: request.stop,
        };
        cost::check(&ctx, self.endpoint(), &req)?;
        let meta = request.mode == RequestMode::Meta;
        Ok(
            split::eval_split(&ctx, self.endpoint(), &req)?.map(|d| match d {
                Data::Vals(r) => Output::Values(r),
                Data::Time(t) if meta => Output::Meta(vec![None; t.len()]),
                Data::Time(t) => Output::Time(t),
            }),
        )
    }
}

#[cfg(test)]
mod eval_tests;
