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

/// The window of a level (clamped to it) holding every source cell that a warp
/// whose coordinates lie inside `env` = `[min col, min row, max col, max row]`
/// (level pixels) can read, widened by `margin` cells (1 for bilinear).
/// `None` when the envelope misses the level.
pub fn window_for(
    env: [f64; 4],
    level_width: u32,
    level_height: u32,
    margin: i64,
) -> Option<WarpWindow> {
    let [c0, r0, c1, r1] = env;
    if !(c0 <= c1 && r0 <= r1) {
        return None;
    }
    // Saturating float → int casts keep absurd envelopes harmless.
    let col = (c0.floor() as i64).saturating_sub(margin).max(0);
    let row = (r0.floor() as i64).saturating_sub(margin).max(0);
    let col_end = (c1.floor() as i64)
        .saturating_add(1 + margin)
        .min(i64::from(level_width));
    let row_end = (r1.floor() as i64)
        .saturating_add(1 + margin)
        .min(i64::from(level_height));
    if col_end <= col || row_end <= row {
        return None;
    }
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
    let mut index = vec![0u32; w];
    let (wc, wr) = (window.col as f64, window.row as f64);
    let (ww, wh) = (f64::from(window.width), f64::from(window.height));
    let stride = window.width;
    for (y, (drow, vrow)) in dst
        .chunks_exact_mut(w)
        .zip(valid.chunks_exact_mut(w))
        .enumerate()
    {
        coords(y as u32, &mut cols, &mut rows);
        // Pass 1, branch-free so it vectorises: the window offset of each
        // pixel's cell, or NO_CELL.
        cell_offsets(&cols, &rows, [wc, wr, ww, wh], stride, &mut index);
        // Pass 2: the gather.
        for ((d, v), &ix) in drow.iter_mut().zip(vrow.iter_mut()).zip(&index) {
            if let Some(&value) = src.get(ix as usize) {
                *d = value;
                *v = 1;
            }
        }
    }
}

/// The window offset of the cell under each (col, row), or `NO_CELL` outside
/// the window (`win` = [col, row, width, height] of the window in level pixels).
/// The window is clamped to the level, so inside-window implies inside-level;
/// NaN fails every comparison. Compiled for AVX-512/AVX2 and chosen at run time.
#[multiversion::multiversion(targets(
    "x86_64+avx512f+avx512vl+avx512dq",
    "x86_64+avx2+fma",
    "x86_64+sse4.1"
))]
fn cell_offsets(cols: &[f64], rows: &[f64], win: [f64; 4], stride: u32, out: &mut [u32]) {
    let [wc, wr, ww, wh] = win;
    let stride = f64::from(stride);
    for ((ix, &c), &r) in out.iter_mut().zip(cols).zip(rows) {
        let (c, r) = (c - wc, r - wr);
        // Non-short-circuit `&`: no branches, so the loop vectorises.
        let inside = (c >= 0.0) & (c < ww) & (r >= 0.0) & (r < wh);
        // An exact non-negative integer below 2^31 whenever `inside` (windows
        // hold fewer cells; trunc is floor for these values). Adding 2^52 puts
        // it in the low mantissa bits, read out without a float→int
        // conversion: Rust's saturating `as` would not vectorise. Outside
        // values give garbage that the select below discards.
        let exact = r.trunc() * stride + c.trunc();
        let offset = (exact + TWO_POW_52).to_bits() as u32;
        *ix = if inside { offset } else { NO_CELL };
    }
}

/// 2^52: the f64 whose unit in the last place is 1.
const TWO_POW_52: f64 = 4_503_599_627_370_496.0;

/// Marks a pixel without a source cell; never a valid offset (windows are
/// bounded far below 2^31 cells by the render limits).
pub const NO_CELL: u32 = u32::MAX;

/// The window offset of the source cell of every pixel of a `dst_width` ×
/// `dst_height` target, row-major, or [`NO_CELL`]: the first pass of
/// [`gather_nearest`] for a whole grid, to gather several sources stored on the
/// same grid with [`gather_offsets`]. Cost: 4 bytes per target pixel.
pub fn nearest_offsets(
    window: &WarpWindow,
    dst_width: u32,
    dst_height: u32,
    coords: RowCoords<'_>,
) -> Vec<u32> {
    let w = dst_width as usize;
    let mut out = vec![NO_CELL; w * dst_height as usize];
    if w == 0 {
        return out;
    }
    let mut cols = vec![0.0; w];
    let mut rows = vec![0.0; w];
    let win = [
        window.col as f64,
        window.row as f64,
        f64::from(window.width),
        f64::from(window.height),
    ];
    for (y, index) in out.chunks_exact_mut(w).enumerate() {
        coords(y as u32, &mut cols, &mut rows);
        cell_offsets(&cols, &rows, win, window.width, index);
    }
    out
}

/// Nearest-neighbour gather by precomputed window offsets (see
/// [`nearest_offsets`]): `dst[i] = src[offsets[i]]`; pixels at [`NO_CELL`] keep
/// their value. Validity is the caller's: exactly the pixels not at `NO_CELL`
/// when `src` holds the whole window. Cost: one indexed load per pixel.
pub fn gather_offsets<T: Pixel>(src: &[T], offsets: &[u32], dst: &mut [T]) {
    for (d, &ix) in dst.iter_mut().zip(offsets) {
        if let Some(&value) = src.get(ix as usize) {
            *d = value;
        }
    }
}

/// Nearest-neighbour gather for a target grid aligned with the source axes
/// (same CRS, no rotation): the source column depends only on the target
/// column and the source row only on the target row.
///
/// `cols[x]` / `rows[y]` are the window-relative source indices of target column
/// x / row y, or `u32::MAX` where that column/row falls outside the source.
/// Cost: one indexed load per pixel, no float work; the same answer as
/// [`gather_nearest`] fed with the same per-axis coordinates.
pub fn gather_nearest_separable<T: Pixel>(
    src: &[T],
    window: &WarpWindow,
    cols: &[u32],
    rows: &[u32],
    dst: &mut [T],
    valid: &mut [u8],
) {
    let w = cols.len();
    if w == 0 {
        return;
    }
    let stride = window.width as usize;
    // Runs of consecutive in-source columns: the inner loop then has no branch.
    let first = cols.iter().position(|&c| c != u32::MAX).unwrap_or(w);
    let last = cols
        .iter()
        .rposition(|&c| c != u32::MAX)
        .map_or(first, |l| l + 1);
    let span = &cols[first..last];
    let all_inside = span.iter().all(|&c| c != u32::MAX);
    for ((drow, vrow), &r) in dst
        .chunks_exact_mut(w)
        .zip(valid.chunks_exact_mut(w))
        .zip(rows)
    {
        if r == u32::MAX {
            continue;
        }
        let Some(srow) = src.get(r as usize * stride..(r as usize + 1) * stride) else {
            continue;
        };
        let (d, v) = (&mut drow[first..last], &mut vrow[first..last]);
        if all_inside {
            for (o, &c) in d.iter_mut().zip(span) {
                *o = srow.get(c as usize).copied().unwrap_or(*o);
            }
            v.fill(1);
        } else {
            for ((o, ok), &c) in d.iter_mut().zip(v.iter_mut()).zip(span) {
                if let Some(&value) = srow.get(c as usize) {
                    *o = value;
                    *ok = 1;
                }
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
