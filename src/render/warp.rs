//! Warping one stored frame onto a request grid: choose the pyramid level, build
//! the approximate pixel mesh, copy the needed source window, gather.
//!
//! Level choice follows DESIGN §3: the coarsest level whose pixel is still no
//! larger than the request's pixel (measured at the request's centre).

use super::error::RenderError;
use crate::geo::approx::PixelMesh;
use crate::geo::cache::TransformCache;
use crate::geo::crs::lookup;
use crate::kernels::{self, RowCoords, WarpWindow};
use crate::model::{
    DataType, GridSpec, Pixel, RasterBuf, RasterData, RasterSource, Resampling, Window,
};

/// GDAL's default error bound of the approximate transformer, in source pixels.
const MAX_ERROR_PX: f64 = 0.125;
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
}

/// The value used for "no data" in output when the source declares none:
/// the dtype's maximum (dask-geomodeling's fill value convention).
pub fn default_fill(dtype: DataType) -> f64 {
    dtype.max_value()
}

/// Warps `source` onto `grid`. Pixels outside the source hold the nodata value.
pub fn warp(
    source: &dyn RasterSource,
    grid: &GridSpec,
    transforms: &TransformCache,
    resampling: Resampling,
) -> Result<Warped, RenderError> {
    let info = source.info();
    let nodata = info.nodata.unwrap_or_else(|| default_fill(info.dtype));
    let mut out = RasterBuf::new(info.dtype, grid.width, grid.height, Some(nodata));
    let mut valid = vec![0u8; grid.pixels()];

    let to_src = transforms.get(grid.crs, info.crs)?;
    let mesh = PixelMesh::build(grid, &to_src, &info.transform, MAX_ERROR_PX);
    let scale = mesh.src_pixels_per_dst_pixel();
    let margin = i64::from(resampling == Resampling::Bilinear);

    let Some(env) = mesh.src_envelope() else {
        return Ok(Warped {
            buf: out,
            valid,
            empty: true,
        });
    };
    let mut level = choose_level(&info.levels, scale);
    let window = loop {
        let l = info.levels[level];
        let f = f64::from(l.factor);
        let level_env = [env[0] / f, env[1] / f, env[2] / f, env[3] / f];
        let Some(window) = kernels::window_for(level_env, l.width, l.height, margin) else {
            return Ok(Warped {
                buf: out,
                valid,
                empty: true,
            });
        };
        let pixels = window.width as usize * window.height as usize;
        if pixels <= grid.pixels() * MAX_WINDOW_RATIO + WINDOW_SLACK
            || level + 1 == info.levels.len()
        {
            break window;
        }
        level += 1;
    };

    let factor = f64::from(info.levels[level].factor);
    let mut src = RasterBuf::new(info.dtype, window.width, window.height, info.nodata);
    let read = Window {
        col: window.col,
        row: window.row,
        width: window.width,
        height: window.height,
    };
    source.read_window(level, read, &mut src)?;
    let mut coords = level_coords(&mesh, factor);
    let mapping = if grid.crs == info.crs && resampling == Resampling::Nearest {
        // Same CRS, both north-up: each axis maps on its own, no per-pixel float work.
        let (lt, dt) = (info.level_transform(level), grid.transform());
        Mapping::Separable {
            cols: axis_indices(
                grid.width,
                dt.origin_x,
                dt.pixel_x,
                lt.origin_x,
                lt.pixel_x,
                window.col,
                window.width,
            ),
            rows: axis_indices(
                grid.height,
                dt.origin_y,
                dt.pixel_y,
                lt.origin_y,
                lt.pixel_y,
                window.row,
                window.height,
            ),
        }
    } else {
        Mapping::Mesh {
            coords: &mut coords,
            width: grid.width,
            resampling,
            nodata: info.nodata,
        }
    };
    gather(&src.data, &window, &mut out.data, &mut valid, mapping);
    mask_beyond_antimeridian(grid, &mut out.data, &mut valid, nodata);
    let empty = !valid.contains(&1);
    Ok(Warped {
        buf: out,
        valid,
        empty,
    })
}

/// Strict bounding boxes (WMS 1.1.1 "BoundingBox constraints", W11-06): on a
/// geographic request grid, columns whose centre lies beyond ±180° longitude show
/// nothing instead of the data 360° away (transforms would wrap them).
fn mask_beyond_antimeridian(grid: &GridSpec, data: &mut RasterData, valid: &mut [u8], nodata: f64) {
    if !lookup(grid.crs.epsg()).is_some_and(|i| i.geographic) {
        return;
    }
    let t = grid.transform();
    let width = grid.width as usize;
    let outside: Vec<usize> = (0..width)
        .filter(|&c| !(-180.0..=180.0).contains(&(t.origin_x + (c as f64 + 0.5) * t.pixel_x)))
        .collect();
    if outside.is_empty() {
        return;
    }
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
fn level_coords(mesh: &PixelMesh, factor: f64) -> impl FnMut(u32, &mut [f64], &mut [f64]) + '_ {
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
fn axis_indices(
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

/// How target pixels find their source cells.
enum Mapping<'a> {
    /// Per-pixel coordinates from the approximate transformer.
    Mesh {
        coords: RowCoords<'a>,
        width: u32,
        resampling: Resampling,
        nodata: Option<f64>,
    },
    /// Axis-aligned: per-column and per-row indices (nearest only).
    Separable { cols: Vec<u32>, rows: Vec<u32> },
}

fn gather(
    src: &RasterData,
    window: &WarpWindow,
    dst: &mut RasterData,
    valid: &mut [u8],
    mapping: Mapping<'_>,
) {
    fn typed<T: Pixel>(
        src: &[T],
        window: &WarpWindow,
        dst: &mut [T],
        valid: &mut [u8],
        mapping: Mapping<'_>,
    ) {
        match mapping {
            Mapping::Separable { cols, rows } => {
                kernels::gather_nearest_separable(src, window, &cols, &rows, dst, valid)
            }
            Mapping::Mesh {
                coords,
                width,
                resampling: Resampling::Nearest,
                ..
            } => kernels::gather_nearest(src, window, dst, valid, width, coords),
            Mapping::Mesh {
                coords,
                width,
                resampling: Resampling::Bilinear,
                nodata,
            } => kernels::gather_bilinear(src, window, nodata, dst, valid, width, coords),
        }
    }
    match (src, dst) {
        (RasterData::U8(s), RasterData::U8(d)) => typed(s, window, d, valid, mapping),
        (RasterData::I8(s), RasterData::I8(d)) => typed(s, window, d, valid, mapping),
        (RasterData::U16(s), RasterData::U16(d)) => typed(s, window, d, valid, mapping),
        (RasterData::I16(s), RasterData::I16(d)) => typed(s, window, d, valid, mapping),
        (RasterData::U32(s), RasterData::U32(d)) => typed(s, window, d, valid, mapping),
        (RasterData::I32(s), RasterData::I32(d)) => typed(s, window, d, valid, mapping),
        (RasterData::F32(s), RasterData::F32(d)) => typed(s, window, d, valid, mapping),
        (RasterData::F64(s), RasterData::F64(d)) => typed(s, window, d, valid, mapping),
        // Both buffers are made from the same `info.dtype` in `warp`.
        _ => {}
    }
}
