//! The value of a layer at one point: the point is transformed into the
//! source CRS and the one cell holding it is read from level 0 (full
//! resolution, never an overview) of the frame a time selection picks.
//!
//! Blocking work on the render pool. Knows nothing of WMS or of output
//! formats.

use super::error::RenderError;
use crate::geo::cache::TransformCache;
use crate::model::{Crs, DataType, RasterBuf, RasterSource, Window};
use chrono::{DateTime, Utc};

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

/// The level-0 value under the point, `None` outside the raster or at nodata.
pub(super) fn read_cell(
    source: &dyn RasterSource,
    transforms: &TransformCache,
    crs: Crs,
    x: f64,
    y: f64,
) -> Result<Option<f64>, RenderError> {
    let info = source.info();
    let to_src = transforms.get(crs, info.crs)?;
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
