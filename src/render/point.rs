//! The value of a layer at one point: the point is transformed into the
//! source CRS and the one cell holding it is read from level 0 (full
//! resolution, never an overview) of the frame a time selection picks.
//!
//! Blocking work: callers run it through `Renderer::run_blocking`. Knows
//! nothing of WMS or of output formats.

use super::error::RenderError;
use super::pipeline::Context;
use crate::model::{Crs, DataType, RasterBuf, RasterSource, TimeSel, Window};
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// What a point query found for one layer at one time selection.
#[derive(Clone, Debug, PartialEq)]
pub struct PointValue {
    /// The cell's value; `None` for nodata, NaN, a point outside the raster or
    /// one the transform cannot reach, and a source without frames.
    pub value: Option<f64>,
    /// The raster's sample type (`None` when the source has no data yet).
    pub dtype: Option<DataType>,
    /// The instant of the frame read (temporal sources only).
    pub time: Option<DateTime<Utc>>,
}

/// The value of `layer` at (`x`, `y`) in `crs` (x = east, y = north) in the
/// frame `time` picks. The cell is the level-0 cell whose area holds the
/// transformed point (cells are half-open: a point on a cell's west or north
/// edge belongs to that cell). Errors: unknown layer, a layer whose source is
/// gone, a CRS pair without a transform, a failed read. Cost: one transform
/// and a 1×1 window read.
pub fn value_at(
    ctx: &Context,
    layer: Uuid,
    crs: Crs,
    (x, y): (f64, f64),
    time: TimeSel,
) -> Result<PointValue, RenderError> {
    let snap = ctx.catalogue.snapshot();
    let layer = snap.layer(layer).ok_or(RenderError::NoSuchLayer(layer))?;
    let Some(source) = snap.single_source(layer) else {
        if crate::catalogue::graphref::is_geoblock(&layer.graph) {
            return super::geoblock::point(ctx, &snap, layer, crs, (x, y), time);
        }
        return Err(RenderError::BrokenLayer(layer.uuid));
    };
    let dtype = source.grid.as_ref().map(|g| g.dtype);
    let Some(frame) = source.frame_for(time) else {
        return Ok(PointValue {
            value: None,
            dtype,
            time: None,
        });
    };
    let stamp = frame.timestamp.filter(|_| source.temporal);
    let frame = ctx.store.open_frame(source.uuid, &frame.file)?;
    let value = read_cell(&*frame, ctx, crs, x, y)?;
    Ok(PointValue {
        value,
        dtype: Some(frame.info().dtype),
        time: stamp,
    })
}

/// The level-0 value under the point, `None` outside the raster or at nodata.
pub(super) fn read_cell(
    source: &dyn RasterSource,
    ctx: &Context,
    crs: Crs,
    x: f64,
    y: f64,
) -> Result<Option<f64>, RenderError> {
    let info = source.info();
    let to_src = ctx.transforms.get(crs, info.crs)?;
    // A point the transform cannot reach lies outside the raster.
    let Ok((sx, sy)) = to_src.transform(x, y) else {
        return Ok(None);
    };
    let (col, row) = info.transform.world_to_pixel(sx, sy);
    let (col, row) = (col.floor(), row.floor());
    if !(col >= 0.0
        && row >= 0.0
        && col < f64::from(info.width())
        && row < f64::from(info.height()))
    {
        return Ok(None);
    }
    let window = Window {
        // Inside the level, so both fit an i64 exactly.
        col: col as i64,
        row: row as i64,
        width: 1,
        height: 1,
    };
    let mut buf = RasterBuf::new(info.dtype, 1, 1, info.nodata);
    source.read_window(0, window, &mut buf)?;
    let v = buf.data.get_f64(0);
    let is_nodata = info
        .nodata
        .is_some_and(|nd| v == nd || (nd.is_nan() && v.is_nan()));
    Ok((!is_nodata && !v.is_nan()).then_some(v))
}
