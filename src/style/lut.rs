//! `StyleLut`: a style prepared for the pixel kernels (domain constants and
//! the colour table). Holds no pixels and does no per-pixel work.

use super::colormaps::Colormap;

/// The colour table of the `transparent` style: one fully transparent entry.
static TRANSPARENT_LUT: [[u8; 4]; 1] = [[0, 0, 0, 0]];

/// A style ready to apply: the colour entries and the constants of
/// matplotlib's `Normalize(vmin, vmax)` followed by `cmap(x)`.
///
/// Building one costs a few field copies; it can be kept per style.
#[derive(Clone, Debug)]
pub struct StyleLut {
    colors: Vec<[u8; 4]>,
    pub(super) vmin: f64,
    pub(super) vmax: f64,
    /// `vmax - vmin` in f64, as matplotlib divides by it.
    pub(super) range: f64,
    /// `vmin == vmax`: matplotlib fills the normalised values with 0.
    pub(super) degenerate: bool,
    transparent: bool,
}

impl StyleLut {
    /// A LUT for `cmap` (`None` = the `transparent` style) on [vmin, vmax].
    /// The caller (`Style`) guarantees finite `vmin <= vmax`.
    pub(super) fn new(cmap: Option<&'static Colormap>, vmin: f64, vmax: f64) -> StyleLut {
        let colors = match cmap {
            Some(c) => c.colors().collect(),
            None => TRANSPARENT_LUT.to_vec(),
        };
        StyleLut {
            colors,
            vmin,
            vmax,
            range: vmax - vmin,
            degenerate: vmin == vmax || cmap.is_none(),
            transparent: cmap.is_none(),
        }
    }

    /// Number of colour entries `N` (1 for `transparent`, 510 for `twilight`).
    pub fn len(&self) -> usize {
        self.colors.len()
    }

    /// Never true (every LUT has at least one entry).
    pub fn is_empty(&self) -> bool {
        self.colors.is_empty()
    }

    /// The colour entries, index = palette index.
    pub fn colors(&self) -> &[[u8; 4]] {
        &self.colors
    }

    /// True when indices fit a `u8` and a PNG palette (N ≤ 256); otherwise use
    /// `u16` indices and the RGBA path.
    pub fn fits_u8(&self) -> bool {
        self.colors.len() <= 256
    }

    /// True for the `transparent` style (every pixel alpha 0).
    pub fn is_transparent(&self) -> bool {
        self.transparent
    }

    /// The value domain `(vmin, vmax)`.
    pub fn limits(&self) -> (f64, f64) {
        (self.vmin, self.vmax)
    }
}
