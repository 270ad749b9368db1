//! Warping one stored frame onto a request grid: choose the pyramid level, build
//! the approximate pixel mesh, copy the needed source window, gather.
//!
//! Level choice follows DESIGN §3: the coarsest level whose pixel is still no
//! larger than the request's pixel (measured at the request's centre).

use super::error::RenderError;
use crate::geo::approx::PixelMesh;
use crate::geo::cache::TransformCache;
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
    match dtype {
        DataType::U8 => f64::from(u8::MAX),
        DataType::I8 => f64::from(i8::MAX),
        DataType::U16 => f64::from(u16::MAX),
        DataType::I16 => f64::from(i16::MAX),
        DataType::U32 => f64::from(u32::MAX),
        DataType::I32 => f64::from(i32::MAX),
        DataType::F32 => f64::from(f32::MAX),
        DataType::F64 => f64::MAX,
    }
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

    let mut level = choose_level(&info.levels, scale);
    let window = loop {
        let factor = f64::from(info.levels[level].factor);
        let (lw, lh) = (info.levels[level].width, info.levels[level].height);
        let mut coords = level_coords(&mesh, factor);
        let Some(window) =
            kernels::needed_window(grid.width, grid.height, lw, lh, margin, &mut coords)
        else {
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
    gather(
        &src.data,
        &window,
        info.nodata,
        &mut out.data,
        &mut valid,
        grid.width,
        resampling,
        &mut coords,
    );
    let empty = !valid.contains(&1);
    Ok(Warped {
        buf: out,
        valid,
        empty,
    })
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

#[allow(clippy::too_many_arguments)]
fn gather(
    src: &RasterData,
    window: &WarpWindow,
    nodata: Option<f64>,
    dst: &mut RasterData,
    valid: &mut [u8],
    width: u32,
    resampling: Resampling,
    coords: RowCoords<'_>,
) {
    fn typed<T: Pixel>(
        src: &[T],
        window: &WarpWindow,
        nodata: Option<f64>,
        dst: &mut [T],
        valid: &mut [u8],
        width: u32,
        resampling: Resampling,
        coords: RowCoords<'_>,
    ) {
        match resampling {
            Resampling::Nearest => kernels::gather_nearest(src, window, dst, valid, width, coords),
            Resampling::Bilinear => {
                kernels::gather_bilinear(src, window, nodata, dst, valid, width, coords)
            }
        }
    }
    match (src, dst) {
        (RasterData::U8(s), RasterData::U8(d)) => {
            typed(s, window, nodata, d, valid, width, resampling, coords)
        }
        (RasterData::I8(s), RasterData::I8(d)) => {
            typed(s, window, nodata, d, valid, width, resampling, coords)
        }
        (RasterData::U16(s), RasterData::U16(d)) => {
            typed(s, window, nodata, d, valid, width, resampling, coords)
        }
        (RasterData::I16(s), RasterData::I16(d)) => {
            typed(s, window, nodata, d, valid, width, resampling, coords)
        }
        (RasterData::U32(s), RasterData::U32(d)) => {
            typed(s, window, nodata, d, valid, width, resampling, coords)
        }
        (RasterData::I32(s), RasterData::I32(d)) => {
            typed(s, window, nodata, d, valid, width, resampling, coords)
        }
        (RasterData::F32(s), RasterData::F32(d)) => {
            typed(s, window, nodata, d, valid, width, resampling, coords)
        }
        (RasterData::F64(s), RasterData::F64(d)) => {
            typed(s, window, nodata, d, valid, width, resampling, coords)
        }
        // Both buffers are made from the same `info.dtype` above.
        _ => {}
    }
}
