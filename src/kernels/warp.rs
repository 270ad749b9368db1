//! Warping: fill a target grid from a source window, given for every target
//! pixel centre the fractional source pixel coordinate (col, row).
//!
//! Conventions (DESIGN §4): source cell (r, c) covers [c, c+1) × [r, r+1) in pixel
//! space; nearest picks `floor(coord)`, as GDAL and dask-geomodeling do. Target
//! pixels whose coordinate falls outside the source level, or is NaN, are marked
//! invalid in `valid` and keep their fill value. Bilinear interpolates between the
//! four surrounding cell centres, renormalising over the neighbours that hold
//! data (GDAL's nodata-aware rule); a target pixel whose neighbours are all
//! nodata gets nodata.
//!
//! Cost: one pass computing coordinates per row (supplied by the caller, usually
//! `geo::approx::PixelMesh::row_into`) and one gather per pixel; no allocation
//! beyond two row buffers.

use crate::model::Pixel;

/// Fills the source pixel coordinates (cols, rows) of every pixel of one target row.
pub type RowCoords<'a> = &'a mut dyn FnMut(u32, &mut [f64], &mut [f64]);

/// The part of a source level that has been copied into a contiguous buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WarpWindow {
    /// Window origin in level pixels.
    pub col: i64,
    pub row: i64,
    pub width: u32,
    pub height: u32,
    /// Size of the whole level: coordinates outside it are "no source".
    pub level_width: u32,
    pub level_height: u32,
}

/// Computes the window of source pixels (clamped to the level) that a warp with
/// these coordinates reads; `None` when no target pixel hits the level.
///
/// `coords(row, cols, rows)` fills level pixel coordinates for target row `row`.
/// `margin` adds pixels around (1 for bilinear).
pub fn needed_window(
    dst_width: u32,
    dst_height: u32,
    level_width: u32,
    level_height: u32,
    margin: i64,
    coords: RowCoords<'_>,
) -> Option<WarpWindow> {
    let (lw, lh) = (f64::from(level_width), f64::from(level_height));
    let mut cols = vec![0.0; dst_width as usize];
    let mut rows = vec![0.0; dst_width as usize];
    let (mut c0, mut r0, mut c1, mut r1) = (
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    );
    for y in 0..dst_height {
        coords(y, &mut cols, &mut rows);
        for (&c, &r) in cols.iter().zip(&rows) {
            // NaN fails every comparison and is skipped.
            if c >= 0.0 && c < lw && r >= 0.0 && r < lh {
                c0 = c0.min(c);
                c1 = c1.max(c);
                r0 = r0.min(r);
                r1 = r1.max(r);
            }
        }
    }
    if !(c0 <= c1 && r0 <= r1) {
        return None;
    }
    let col = (c0.floor() as i64 - margin).max(0);
    let row = (r0.floor() as i64 - margin).max(0);
    let col_end = (c1.floor() as i64 + 1 + margin).min(i64::from(level_width));
    let row_end = (r1.floor() as i64 + 1 + margin).min(i64::from(level_height));
    Some(WarpWindow {
        col,
        row,
        width: (col_end - col) as u32,
        height: (row_end - row) as u32,
        level_width,
        level_height,
    })
}

/// Nearest-neighbour gather of `window` (`src`, row-major) into `dst`.
///
/// `dst` and `valid` hold `dst_width × dst_height` entries; `valid[i]` is set to 1
/// for pixels that found a source cell and left untouched otherwise (callers
/// start from zeros and a fill value).
pub fn gather_nearest<T: Pixel>(
    src: &[T],
    window: &WarpWindow,
    dst: &mut [T],
    valid: &mut [u8],
    dst_width: u32,
    coords: RowCoords<'_>,
) {
    let w = dst_width as usize;
    if w == 0 {
        return;
    }
    let mut cols = vec![0.0; w];
    let mut rows = vec![0.0; w];
    let (wc, wr) = (window.col as f64, window.row as f64);
    let (ww, wh) = (window.width as f64, window.height as f64);
    let stride = window.width as usize;
    for (y, (drow, vrow)) in dst
        .chunks_exact_mut(w)
        .zip(valid.chunks_exact_mut(w))
        .enumerate()
    {
        coords(y as u32, &mut cols, &mut rows);
        for i in 0..w {
            // Window-relative coordinates; the window is clamped to the level, so
            // inside-window implies inside-level.
            let c = cols[i] - wc;
            let r = rows[i] - wr;
            if c >= 0.0 && c < ww && r >= 0.0 && r < wh {
                drow[i] = src[r as usize * stride + c as usize];
                vrow[i] = 1;
            }
        }
    }
}

/// Bilinear gather, nodata-aware. See the module header for the rules.
pub fn gather_bilinear<T: Pixel>(
    src: &[T],
    window: &WarpWindow,
    nodata: Option<f64>,
    dst: &mut [T],
    valid: &mut [u8],
    dst_width: u32,
    coords: RowCoords<'_>,
) {
    let w = dst_width as usize;
    if w == 0 {
        return;
    }
    let mut cols = vec![0.0; w];
    let mut rows = vec![0.0; w];
    let (wc, wr) = (window.col as f64, window.row as f64);
    let (ww, wh) = (i64::from(window.width), i64::from(window.height));
    // Cells of the window that lie outside the level do not exist; the window is
    // clamped to the level, so its own bounds are the level's where they touch.
    let (lw, lh) = (
        f64::from(window.level_width),
        f64::from(window.level_height),
    );
    let stride = window.width as usize;
    let is_data = |v: T| -> bool {
        let f = v.to_f64();
        !f.is_nan() && nodata.is_none_or(|nd| f != nd)
    };
    for (y, (drow, vrow)) in dst
        .chunks_exact_mut(w)
        .zip(valid.chunks_exact_mut(w))
        .enumerate()
    {
        coords(y as u32, &mut cols, &mut rows);
        for i in 0..w {
            let (lc, lr) = (cols[i], rows[i]);
            if !(lc >= 0.0 && lc < lw && lr >= 0.0 && lr < lh) {
                continue;
            }
            // Offsets from the centre of the upper-left neighbour.
            let fc = lc - wc - 0.5;
            let fr = lr - wr - 0.5;
            let c0 = fc.floor();
            let r0 = fr.floor();
            let (tx, ty) = (fc - c0, fr - r0);
            let (c0, r0) = (c0 as i64, r0 as i64);
            let mut acc = 0.0;
            let mut weight = 0.0;
            for (dr, wy) in [(0i64, 1.0 - ty), (1, ty)] {
                for (dc, wx) in [(0i64, 1.0 - tx), (1, tx)] {
                    let (cc, rr) = (c0 + dc, r0 + dr);
                    // Neighbours beyond the level edge clamp to the edge cell.
                    let cc = cc.clamp(0, ww - 1) as usize;
                    let rr = rr.clamp(0, wh - 1) as usize;
                    let v = src[rr * stride + cc];
                    let wgt = wx * wy;
                    if wgt > 0.0 && is_data(v) {
                        acc += v.to_f64() * wgt;
                        weight += wgt;
                    }
                }
            }
            vrow[i] = 1;
            drow[i] = if weight > 0.0 {
                let v = acc / weight;
                if T::DTYPE.is_float() {
                    T::from_f64(v)
                } else {
                    T::from_f64(v.round())
                }
            } else {
                // All four neighbours are nodata: so is this pixel.
                T::from_f64(nodata.unwrap_or(f64::NAN))
            };
        }
    }
}

#[cfg(test)]
#[path = "warp_tests.rs"]
mod tests;
