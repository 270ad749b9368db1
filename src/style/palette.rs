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
    /// The RGBA painted for nodata under `lut` (always `[0, 0, 0, 0]` for the
    /// `transparent` style, which makes every pixel alpha 0).
    pub fn nodata_color(&self, lut: &StyleLut) -> [u8; 4] {
        if self.transparent || lut.is_transparent() {
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
/// N < 256, else a slot no data pixel of this image uses (found by marking the
/// used indices). Only when all 256 are in use is the answer `None`. Colours
/// are never quantised. Cost: one pass over the pixels (two when N = 256).
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
        let mut used = [false; 256];
        for (&i, &m) in indices.iter().zip(mask) {
            used[usize::from(i)] |= m == 0;
        }
        match used.iter().position(|&u| !u) {
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
    for (i, &m) in indices.iter_mut().zip(mask) {
        if m != 0 {
            *i = slot;
        }
    }
    Ok(Some(pal))
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
    let colors = lut.colors();
    for ((px, &i), &m) in out.chunks_exact_mut(4).zip(indices).zip(mask) {
        let c = if m != 0 {
            nd
        } else {
            colors.get(i.to_usize()).copied().unwrap_or(nd)
        };
        px.copy_from_slice(&c);
    }
    Ok(())
}
