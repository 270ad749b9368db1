//! Colour output: the PNG palette for an index image (nodata in a free slot)
//! and the RGBA fallback. Works on the buffers `indices_into` filled; knows
//! nothing of PNG chunks (that is `encode::png`).

use super::apply::LutIndex;
use super::error::StyleError;
use super::lut::StyleLut;
use crate::model::Rgb;

/// How nodata and out-of-extent pixels are painted (WMS TRANSPARENT/BGCOLOR).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fill {
    /// Fully transparent nodata when true; opaque `bgcolor` when false.
    pub transparent: bool,
    pub bgcolor: Rgb,
}

impl Fill {
    /// The RGBA painted for nodata under `lut`: the map's own `masked` colour
    /// when it has a visible one, else `[0, 0, 0, 0]` for the `transparent`
    /// style (which makes every pixel alpha 0) or as TRANSPARENT/BGCOLOR say.
    pub fn nodata_color(&self, lut: &StyleLut) -> [u8; 4] {
        if let Some(c) = lut.masked().filter(|c| c[3] > 0) {
            c
        } else if self.transparent || lut.is_transparent() {
            [0, 0, 0, 0]
        } else {
            let [r, g, b] = self.bgcolor.0;
            [r, g, b, 255]
        }
    }
}

/// The exact PNG palette for `indices` (from `indices_into` with `u8`), or
/// `None` when it does not fit and the caller must use [`rgba_into`].
///
/// Without nodata the palette is the LUT itself. With nodata, the nodata
/// colour goes into a slot, and every nodata pixel of `indices` (mask ≠ 0) is
/// rewritten to it: a LUT entry already equal to that colour, else slot N when
/// N < 256, else the lowest index no data pixel of this image uses (0 when
/// the data leave the bottom of the map unused). Only when all 256 are in use
/// is the answer `None`. Colours are never quantised. Cost: one vectorised
/// pass (two when N = 256, plus a marking pass when both ends of the map are
/// used): a few µs to ~45 µs for a 256² tile.
///
/// Errors: `Buffers` when the lengths differ or the LUT has more than 256 entries.
pub fn palette(
    lut: &StyleLut,
    indices: &mut [u8],
    mask: &[u8],
    any_nodata: bool,
    fill: Fill,
) -> Result<Option<Vec<[u8; 4]>>, StyleError> {
    if indices.len() != mask.len() {
        return Err(StyleError::Buffers("indices and mask lengths differ"));
    }
    if !lut.fits_u8() {
        return Err(StyleError::Buffers("LUT larger than a PNG palette"));
    }
    let mut pal = lut.colors().to_vec();
    if !any_nodata {
        return Ok(Some(pal));
    }
    let color = fill.nodata_color(lut);
    let slot = if let Some(i) = pal.iter().position(|&c| c == color) {
        i
    } else if pal.len() < 256 {
        pal.push(color);
        pal.len() - 1
    } else {
        match free_slot(indices, mask) {
            Some(s) => {
                if let Some(p) = pal.get_mut(s) {
                    *p = color;
                }
                s
            }
            None => return Ok(None),
        }
    };
    let slot = u8::try_from(slot).map_err(|_| StyleError::Buffers("palette slot"))?;
    set_nodata(indices, mask, slot);
    Ok(Some(pal))
}

/// Bytes per chunk of the u8 loops.
const LANES: usize = 32;

/// Rewrite the index of every nodata pixel (mask ≠ 0) to `slot`.
fn set_nodata(indices: &mut [u8], mask: &[u8], slot: u8) {
    for (ic, mc) in indices.chunks_mut(LANES).zip(mask.chunks(LANES)) {
        for (i, &m) in ic.iter_mut().zip(mc) {
            // A select, not a branch, so the loop vectorises.
            *i = if m != 0 { slot } else { *i };
        }
    }
}

/// The lowest palette index no data pixel (mask 0) uses, if any.
///
/// First the data's index range (a vectorised min/max pass): most tiles leave
/// one end of a 256-entry map unused. Only when both ends are used does it
/// mark every index in a table.
fn free_slot(indices: &[u8], mask: &[u8]) -> Option<usize> {
    let (mut lo, mut hi) = ([u8::MAX; LANES], [0u8; LANES]);
    let ic = indices.chunks_exact(LANES);
    let tail = ic.remainder().iter().zip(
        mask.get(indices.len() - ic.remainder().len()..)
            .unwrap_or(&[]),
    );
    for (i, m) in ic.zip(mask.chunks_exact(LANES)) {
        // Lane-wise accumulators over fixed-size arrays vectorise to pminub/pmaxub.
        if let (Ok(i), Ok(m)) = (<&[u8; LANES]>::try_from(i), <&[u8; LANES]>::try_from(m)) {
            for k in 0..LANES {
                // Bit masks, not branches: 0xff for data, 0 for nodata.
                let keep = 0u8.wrapping_sub(u8::from(m[k] == 0));
                lo[k] = lo[k].min(i[k] | !keep);
                hi[k] = hi[k].max(i[k] & keep);
            }
        }
    }
    let mut lo = lo.iter().copied().min().unwrap_or(u8::MAX);
    let mut hi = hi.iter().copied().max().unwrap_or(0);
    for (&i, &m) in tail {
        if m == 0 {
            lo = lo.min(i);
            hi = hi.max(i);
        }
    }
    if lo > 0 {
        return Some(0);
    }
    if hi < u8::MAX {
        return Some(usize::from(hi) + 1);
    }
    // Nodata pixels mark the upper half; plain stores (no read-modify-write)
    // keep runs of one index from chaining through memory.
    let mut used = [false; 512];
    for (&i, &m) in indices.iter().zip(mask) {
        used[usize::from(i) | (usize::from(m != 0) << 8)] = true;
    }
    used.iter().take(256).position(|&u| !u)
}

/// Paint RGBA (4 bytes a pixel, row-major) from indices and the nodata mask:
/// data pixels take their LUT colour, nodata ones the `fill` colour; the
/// `transparent` style paints everything `[0, 0, 0, 0]`. Works for any LUT
/// size (`u16` indices for `twilight`). Cost: one pass.
///
/// Errors: `Buffers` when `out.len() != 4 * indices.len()` or `mask` differs.
pub fn rgba_into<I: LutIndex>(
    lut: &StyleLut,
    indices: &[I],
    mask: &[u8],
    fill: Fill,
    out: &mut [u8],
) -> Result<(), StyleError> {
    if indices.len() != mask.len() || out.len() != indices.len() * 4 {
        return Err(StyleError::Buffers("indices, mask and rgba lengths differ"));
    }
    let nd = fill.nodata_color(lut);
    // The LUT with the nodata colour appended: one table load a pixel, the
    // nodata choice made on the index (no branch on the colour).
    let mut table = lut.colors().to_vec();
    table.push(nd);
    let nd_index = table.len() - 1;
    let paint = |px: &mut [u8], i: I, m: u8| {
        let i = if m != 0 { nd_index } else { i.to_usize() };
        px.copy_from_slice(&table.get(i).copied().unwrap_or(nd));
    };
    // Fixed-size blocks let the compiler drop the per-pixel bounds checks.
    const PX: usize = 16;
    let blocks = out
        .chunks_exact_mut(4 * PX)
        .zip(indices.chunks_exact(PX))
        .zip(mask.chunks_exact(PX));
    for ((o, i), m) in blocks {
        if let (Ok(o), Ok(i), Ok(m)) = (
            <&mut [u8; 4 * PX]>::try_from(o),
            <&[I; PX]>::try_from(i),
            <&[u8; PX]>::try_from(m),
        ) {
            for k in 0..PX {
                let (a, b) = (4 * k, 4 * k + 4);
                paint(&mut o[a..b], i[k], m[k]);
            }
        }
    }
    let done = indices.len() / PX * PX;
    let tail = out
        .get_mut(4 * done..)
        .unwrap_or_default()
        .chunks_exact_mut(4);
    for ((px, &i), &m) in tail
        .zip(indices.get(done..).unwrap_or_default())
        .zip(mask.get(done..).unwrap_or_default())
    {
        paint(px, i, m);
    }
    Ok(())
}
