//! Warping one stored frame onto a request grid: choose the pyramid level, build
//! the approximate pixel mesh, copy the needed source window, gather. Nearest
//! neighbour runs as a `warp_plan::WarpPlan` built and applied at once;
//! bilinear gathers straight from the mesh.
//!
//! Level choice follows DESIGN §3: the coarsest level whose pixel is still no
//! larger than the request's pixel (measured at the request's centre).

use super::error::RenderError;
use super::warp_plan::WarpPlan;
use crate::geo::approx::PixelMesh;
use crate::geo::cache::TransformCache;
use crate::geo::crs::lookup;
use crate::kernels::{self, WarpWindow};
use crate::model::{
    DataType, GridSpec, Pixel, PyramidInfo, RasterBuf, RasterData, RasterSource, Resampling, Window,
};

/// GDAL's default error bound of the approximate transformer, in source pixels.
pub(super) const MAX_ERROR_PX: f64 = 0.125;
/// A window larger than this many times the request's pixels (plus slack) means
/// the level is too fine for a strongly skewed request: try a coarser one.
const MAX_WINDOW_RATIO: usize = 16;
const WINDOW_SLACK: usize = 1 << 20;

/// The warped values and which pixels found a source cell (1) or lie outside (0).
#[derive(Debug)]
pub struct Warped {
    pub buf: RasterBuf,
    pub valid: Vec<u8>,
    /// True when no pixel lies inside the source.
    pub empty: bool,
}

impl Warped {
    /// A block with no valid pixel (a layer whose source holds no frame yet).
    pub fn nothing(grid: &GridSpec, dtype: Option<DataType>) -> Warped {
        let dtype = dtype.unwrap_or(DataType::F32);
        let fill = default_fill(dtype);
        Warped {
            buf: RasterBuf::new(dtype, grid.width, grid.height, Some(fill)),
            valid: vec![0; grid.pixels()],
            empty: true,
        }
    }

    /// Nothing of `info`'s source on `grid`: its nodata everywhere, no valid pixel.
    pub fn empty(grid: &GridSpec, info: &PyramidInfo) -> Warped {
        let nodata = info.nodata.unwrap_or_else(|| default_fill(info.dtype));
        Warped {
            buf: RasterBuf::new(info.dtype, grid.width, grid.height, Some(nodata)),
            valid: vec![0; grid.pixels()],
            empty: true,
        }
    }
}

/// The value used for "no data" in output when the source declares none:
/// the dtype's maximum (dask-geomodeling's fill value convention).
pub fn default_fill(dtype: DataType) -> f64 {
    dtype.max_value()
}

/// Runs `$body` with `$s` and `$d` bound to the slices of two `RasterData` of
/// the same pixel type; does nothing when the types differ (callers make both
/// buffers from one source's dtype).
macro_rules! same_dtype {
    ($src:expr, $dst:expr, $s:ident, $d:ident => $body:expr) => {
        match ($src, $dst) {
            ($crate::model::RasterData::U8($s), $crate::model::RasterData::U8($d)) => $body,
            ($crate::model::RasterData::I8($s), $crate::model::RasterData::I8($d)) => $body,
            ($crate::model::RasterData::U16($s), $crate::model::RasterData::U16($d)) => $body,
            ($crate::model::RasterData::I16($s), $crate::model::RasterData::I16($d)) => $body,
            ($crate::model::RasterData::U32($s), $crate::model::RasterData::U32($d)) => $body,
            ($crate::model::RasterData::I32($s), $crate::model::RasterData::I32($d)) => $body,
            ($crate::model::RasterData::F32($s), $crate::model::RasterData::F32($d)) => $body,
            ($crate::model::RasterData::F64($s), $crate::model::RasterData::F64($d)) => $body,
            _ => {}
        }
    };
}
pub(super) use same_dtype;

/// Warps `source` onto `grid`. Pixels outside the source hold the nodata value.
/// Nearest neighbour goes through a [`WarpPlan`]; bilinear gathers directly.
pub fn warp(
    source: &dyn RasterSource,
    grid: &GridSpec,
    transforms: &TransformCache,
    resampling: Resampling,
) -> Result<Warped, RenderError> {
    match resampling {
        Resampling::Nearest => {
            WarpPlan::nearest(grid, source.info(), transforms)?.apply_once(source)
        }
        Resampling::Bilinear => warp_bilinear(source, grid, transforms),
    }
}

/// Bilinear warp: the mesh's coordinates per row, four neighbours per pixel.
fn warp_bilinear(
    source: &dyn RasterSource,
    grid: &GridSpec,
    transforms: &TransformCache,
) -> Result<Warped, RenderError> {
    let info = source.info();
    let nodata = info.nodata.unwrap_or_else(|| default_fill(info.dtype));
    let to_src = transforms.get(grid.crs, info.crs)?;
    let mesh = PixelMesh::build(grid, &to_src, &info.transform, MAX_ERROR_PX);
    let Some((level, window)) = choose_window(grid, info, &mesh, 1) else {
        return Ok(Warped::empty(grid, info));
    };
    let mut out = RasterBuf::new(info.dtype, grid.width, grid.height, Some(nodata));
    let mut valid = vec![0u8; grid.pixels()];
    let factor = f64::from(info.levels[level].factor);
    let mut src = RasterBuf::new(info.dtype, window.width, window.height, info.nodata);
    source.read_window(level, read_of(&window), &mut src)?;
    let mut coords = level_coords(&mesh, factor);
    same_dtype!(&src.data, &mut out.data, s, d => kernels::gather_bilinear(
        s,
        &window,
        info.nodata,
        d,
        &mut valid,
        grid.width,
        &mut coords,
    ));
    mask_beyond_antimeridian(grid, &mut out.data, &mut valid, nodata);
    let empty = !valid.contains(&1);
    Ok(Warped {
        buf: out,
        valid,
        empty,
    })
}

/// The level to read and its window for a warp whose mesh is `mesh`, widened by
/// `margin` cells (1 for bilinear); `None` when the request misses the source.
/// Starts at [`choose_level`] and moves coarser while the window would be much
/// larger than the request.
pub(super) fn choose_window(
    grid: &GridSpec,
    info: &PyramidInfo,
    mesh: &PixelMesh,
    margin: i64,
) -> Option<(usize, WarpWindow)> {
    let env = mesh.src_envelope()?;
    let mut level = choose_level(&info.levels, mesh.src_pixels_per_dst_pixel());
    loop {
        let l = info.levels[level];
        let f = f64::from(l.factor);
        let level_env = [env[0] / f, env[1] / f, env[2] / f, env[3] / f];
        let window = kernels::window_for(level_env, l.width, l.height, margin)?;
        let pixels = window.width as usize * window.height as usize;
        if pixels <= grid.pixels() * MAX_WINDOW_RATIO + WINDOW_SLACK
            || level + 1 == info.levels.len()
        {
            return Some((level, window));
        }
        level += 1;
    }
}

/// The store read covering `window`.
pub(super) fn read_of(window: &WarpWindow) -> Window {
    Window {
        col: window.col,
        row: window.row,
        width: window.width,
        height: window.height,
    }
}

/// Strict bounding boxes (WMS 1.1.1 "BoundingBox constraints", W11-06): on a
/// geographic request grid, columns whose centre lies beyond ±180° longitude show
/// nothing instead of the data 360° away (transforms would wrap them).
fn mask_beyond_antimeridian(grid: &GridSpec, data: &mut RasterData, valid: &mut [u8], nodata: f64) {
    let outside = columns_beyond_antimeridian(grid);
    if outside.is_empty() {
        return;
    }
    let width = grid.width as usize;
    crate::with_raster_data!(data, v => {
        let fill = Pixel::from_f64(nodata);
        for row in 0..grid.height as usize {
            for &c in &outside {
                let i = row * width + c;
                v[i] = fill;
                valid[i] = 0;
            }
        }
    });
}

/// The columns of `grid` that [`mask_beyond_antimeridian`] blanks (none unless
/// the grid is geographic).
pub(super) fn columns_beyond_antimeridian(grid: &GridSpec) -> Vec<usize> {
    if !lookup(grid.crs.epsg()).is_some_and(|i| i.geographic) {
        return Vec::new();
    }
    let t = grid.transform();
    (0..grid.width as usize)
        .filter(|&c| !(-180.0..=180.0).contains(&(t.origin_x + (c as f64 + 0.5) * t.pixel_x)))
        .collect()
}

/// The coarsest level whose pixel is no larger than `scale` level-0 pixels.
pub fn choose_level(levels: &[crate::model::LevelInfo], scale: f64) -> usize {
    let mut best = 0;
    for (i, l) in levels.iter().enumerate() {
        if f64::from(l.factor) <= scale * (1.0 + 1e-9) {
            best = i;
        }
    }
    best
}

/// Row coordinates in the pixel space of a level `factor` times coarser than level 0.
pub(super) fn level_coords(
    mesh: &PixelMesh,
    factor: f64,
) -> impl FnMut(u32, &mut [f64], &mut [f64]) + '_ {
    let inv = 1.0 / factor;
    move |row, cols, rows| {
        mesh.row_into(row, cols, rows);
        if factor != 1.0 {
            cols.iter_mut().for_each(|c| *c *= inv);
            rows.iter_mut().for_each(|r| *r *= inv);
        }
    }
}

/// Window-relative source indices of the `n` target cells along one axis
/// (`u32::MAX` outside the window): the source cell holding each target centre.
pub(super) fn axis_indices(
    n: u32,
    dst_origin: f64,
    dst_step: f64,
    src_origin: f64,
    src_step: f64,
    win_start: i64,
    win_len: u32,
) -> Vec<u32> {
    (0..n)
        .map(|i| {
            let world = dst_origin + (f64::from(i) + 0.5) * dst_step;
            let cell = ((world - src_origin) / src_step).floor() - win_start as f64;
            if cell >= 0.0 && cell < f64::from(win_len) {
                cell as u32
            } else {
                u32::MAX
            }
        })
        .collect()
}
