//! The scalar index rule of every LUT mode, and the per-pixel loop of the
//! log and discrete modes (Lizard maps). The linear mode's fast kernel is in
//! `apply`; this loop is plain (a log or a binary search a pixel).

use super::apply::LutIndex;
use super::lut::{Mode, StyleLut};
use crate::model::Pixel;

impl StyleLut {
    /// The entry of a non-NaN `value`, in f64: linear and log indices
    /// `trunc(t·N)` clamped to [0, N − 1] (0 when `vmin == vmax`); log values
    /// ≤ 0 and discrete values that are no class take the `invalid` entry.
    pub(super) fn index_of(&self, value: f64) -> usize {
        let n = self.ramp_len();
        let scaled = match &self.mode {
            Mode::Discrete(classes) => {
                return classes
                    .binary_search_by(|c| c.partial_cmp(&value).unwrap_or(std::cmp::Ordering::Less))
                    .unwrap_or(self.invalid);
            }
            _ if self.degenerate => return 0,
            Mode::Log if value <= 0.0 => return self.invalid,
            Mode::Log => (value.ln() - self.vmin.ln()) / (self.vmax.ln() - self.vmin.ln()),
            Mode::Linear => (value - self.vmin) / self.range,
        };
        let x = scaled * n as f64;
        if x > 0.0 {
            (x as usize).min(n.saturating_sub(1))
        } else {
            0
        }
    }
}

/// Indices and nodata mask for the log and discrete modes, same contract as
/// [`indices_into`](super::indices_into). Cost: one pass with a logarithm
/// or a binary search over the classes per pixel.
pub(super) fn lookup_into<T: Pixel, I: LutIndex>(
    lut: &StyleLut,
    values: &[T],
    nodata: Option<f64>,
    valid: Option<&[u8]>,
    out: &mut [I],
    mask: &mut [u8],
) -> bool {
    let mut any = false;
    for (i, ((v, o), m)) in values
        .iter()
        .zip(out.iter_mut())
        .zip(mask.iter_mut())
        .enumerate()
    {
        let x = v.to_f64();
        let outside = valid.and_then(|a| a.get(i)).is_some_and(|&a| a == 0);
        let bad = outside || x.is_nan() || Some(x) == nodata;
        let idx = if bad { 0 } else { lut.index_of(x) };
        *o = I::from_u32(u32::try_from(idx).unwrap_or(0));
        *m = u8::from(bad);
        any |= bad;
    }
    any
}
