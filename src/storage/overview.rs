//! Overview levels: one 2× reduction at a time, each level from the previous one.
//!
//! Floats: nodata-aware mean of each 2×2 block (partial blocks at odd right/bottom
//! edges use the pixels they have; NaN and the nodata value are skipped; a block
//! with no valid pixel becomes nodata, or NaN without one).
//! Integers: nearest — the top-left pixel of each 2×2 block, i.e. source
//! (2·row, 2·col). That is the pixel GDAL's `nearest` overview picks for an exact
//! factor 2 (checked with GDAL 3.10 on even sizes); at odd sizes GDAL's
//! ratio is not exactly 2 and its choice drifts, tegel keeps (2·row, 2·col).
//! Pure computation over `model` buffers.

use crate::model::{Pixel, RasterBuf, RasterData};
use crate::storage::StoreError;
use crate::storage::writer::TILE_SIZE;

/// Sizes of every pyramid level, level 0 first: halve (rounding up) until the
/// level fits in one 256×256 tile. A one-tile raster has one level.
pub fn level_sizes(width: u32, height: u32) -> Vec<(u32, u32)> {
    let mut sizes = vec![(width, height)];
    let (mut w, mut h) = (width, height);
    while (w > TILE_SIZE || h > TILE_SIZE) && sizes.len() < 32 {
        w = w.div_ceil(2);
        h = h.div_ceil(2);
        sizes.push((w, h));
    }
    sizes
}

/// The next coarser level of `src` (size `ceil(w/2)`×`ceil(h/2)`, same dtype and nodata).
///
/// Errors when the buffer length disagrees with its size. Cost: one pass over
/// `src`, one allocation of a quarter of its size.
pub fn reduce_level(src: &RasterBuf) -> Result<RasterBuf, StoreError> {
    let (w, h) = (src.width as usize, src.height as usize);
    if src.data.len() != w * h || w == 0 || h == 0 {
        return Err(StoreError::InvalidRaster(format!(
            "{}x{} with {} samples",
            w,
            h,
            src.data.len()
        )));
    }
    let nd = src.nodata;
    let data = match &src.data {
        RasterData::U8(v) => RasterData::U8(nearest(v, w, h)),
        RasterData::I8(v) => RasterData::I8(nearest(v, w, h)),
        RasterData::U16(v) => RasterData::U16(nearest(v, w, h)),
        RasterData::I16(v) => RasterData::I16(nearest(v, w, h)),
        RasterData::U32(v) => RasterData::U32(nearest(v, w, h)),
        RasterData::I32(v) => RasterData::I32(nearest(v, w, h)),
        RasterData::F32(v) => RasterData::F32(mean(v, w, h, nd)),
        RasterData::F64(v) => RasterData::F64(mean(v, w, h, nd)),
    };
    Ok(RasterBuf {
        width: src.width.div_ceil(2),
        height: src.height.div_ceil(2),
        data,
        nodata: nd,
    })
}

fn nearest<T: Pixel>(src: &[T], w: usize, _h: usize) -> Vec<T> {
    src.chunks_exact(w)
        .step_by(2)
        .flat_map(|row| row.iter().step_by(2).copied())
        .collect()
}

fn mean<T: Pixel>(src: &[T], w: usize, h: usize, nodata: Option<f64>) -> Vec<T> {
    let nd = nodata.map(T::from_f64);
    let fill = T::from_f64(nodata.unwrap_or(f64::NAN));
    // NaN never equals the nodata value, so it is excluded on its own.
    let valid = |v: T| !v.to_f64().is_nan() && Some(v) != nd;
    let w2 = w.div_ceil(2);
    let mut out = Vec::with_capacity(w2 * h.div_ceil(2));
    let mut rows = src.chunks_exact(w);
    while let Some(top) = rows.next() {
        // None for the last row of an odd height: a partial block.
        let bottom = rows.next();
        for c in 0..w2 {
            let mut sum = 0.0f64;
            let mut n = 0u32;
            for row in std::iter::once(top).chain(bottom) {
                for &v in row.iter().skip(2 * c).take(2) {
                    if valid(v) {
                        sum += v.to_f64();
                        n += 1;
                    }
                }
            }
            out.push(if n == 0 {
                fill
            } else {
                T::from_f64(sum / f64::from(n))
            });
        }
    }
    out
}
