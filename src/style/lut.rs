//! `StyleLut`: a style prepared for the pixel kernels (domain constants and
//! the colour table). Holds no pixels and does no per-pixel work.

use super::colormaps::Colormap;
use super::lizard::{Definition, Kind, Ramp};

/// The colour table of the `transparent` style: one fully transparent entry.
static TRANSPARENT_LUT: [[u8; 4]; 1] = [[0, 0, 0, 0]];

/// Entries a Lizard gradient is sampled into.
pub const GRADIENT_ENTRIES: usize = 256;

/// How a value finds its entry.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Mode {
    /// matplotlib's `Normalize(vmin, vmax)` then `cmap(x)`: the vectorised kernel.
    Linear,
    /// The same in log space: `trunc((ln v − ln vmin)/(ln vmax − ln vmin)·N)`;
    /// values ≤ 0 take the `invalid` entry.
    Log,
    /// Exact class values (ascending); other values take the `invalid` entry.
    Discrete(Vec<f64>),
}

/// A style ready to apply: the colour entries and the constants of
/// matplotlib's `Normalize(vmin, vmax)` followed by `cmap(x)` (or their log
/// and class-lookup forms for Lizard maps).
///
/// Building one costs a few field copies for matplotlib maps and 256
/// interpolations for a Lizard gradient; it can be kept per style.
#[derive(Clone, Debug)]
pub struct StyleLut {
    colors: Vec<[u8; 4]>,
    /// The entries the linear/log index spans (`colors` may hold an extra
    /// `invalid` entry after them).
    ramp: usize,
    pub(super) vmin: f64,
    pub(super) vmax: f64,
    /// `vmax - vmin` in f64, as matplotlib divides by it.
    pub(super) range: f64,
    /// `vmin == vmax`: matplotlib fills the normalised values with 0.
    pub(super) degenerate: bool,
    transparent: bool,
    pub(super) mode: Mode,
    /// Index of the colour of invalid values (log ≤ 0, discrete misses).
    pub(super) invalid: usize,
    masked: Option<[u8; 4]>,
}

impl StyleLut {
    /// A LUT for `cmap` (`None` = the `transparent` style) on [vmin, vmax].
    /// The caller (`Style`) guarantees finite `vmin <= vmax`.
    pub(super) fn new(cmap: Option<&'static Colormap>, vmin: f64, vmax: f64) -> StyleLut {
        let colors: Vec<_> = match cmap {
            Some(c) => c.colors().collect(),
            None => TRANSPARENT_LUT.to_vec(),
        };
        StyleLut {
            ramp: colors.len(),
            colors,
            vmin,
            vmax,
            range: vmax - vmin,
            degenerate: vmin == vmax || cmap.is_none(),
            transparent: cmap.is_none(),
            mode: Mode::Linear,
            invalid: 0,
            masked: None,
        }
    }

    /// A LUT for a Lizard definition painted on [vmin, vmax] (the style's
    /// limits: the rescaled or native domain). Gradients are sampled into
    /// [`GRADIENT_ENTRIES`] entries evenly spaced over [vmin, vmax] (in log
    /// space for log maps, which must have vmin > 0); discrete maps keep one
    /// entry per class. The `invalid` colour (transparent when the map has
    /// none, for discrete maps) follows as a last entry where it is used.
    pub(super) fn lizard(def: &Definition, vmin: f64, vmax: f64) -> StyleLut {
        let mut lut = StyleLut::new(None, vmin, vmax);
        lut.transparent = false;
        lut.degenerate = vmin == vmax;
        lut.masked = def.masked;
        match def.kind {
            Kind::GradientColormap => {
                let ramp = Ramp::new(def, vmin, vmax);
                lut.colors = ramp.sample(GRADIENT_ENTRIES, vmin, vmax);
                lut.ramp = GRADIENT_ENTRIES;
                if def.log {
                    lut.mode = Mode::Log;
                    if let Some(c) = def.invalid {
                        lut.invalid = lut.colors.len();
                        lut.colors.push(c);
                    }
                }
            }
            Kind::DiscreteColormap => {
                lut.colors = def.data.iter().map(|d| d.1).collect();
                lut.ramp = lut.colors.len();
                lut.mode = Mode::Discrete(def.data.iter().map(|d| d.0).collect());
                lut.invalid = lut.colors.len();
                lut.colors.push(def.invalid.unwrap_or([0; 4]));
            }
        }
        lut
    }

    /// Number of colour entries (1 for `transparent`, 510 for `twilight`,
    /// 256 or 257 for a Lizard gradient).
    pub fn len(&self) -> usize {
        self.colors.len()
    }

    /// The entries the linear/log index spans (`N` of the kernel).
    pub(super) fn ramp_len(&self) -> usize {
        self.ramp
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

    /// The map's own nodata colour (Lizard's `masked`), if it has one.
    pub fn masked(&self) -> Option<[u8; 4]> {
        self.masked
    }

    /// The colour `value` is painted in, by the kernels' rule (computed in
    /// f64); fully transparent for NaN and for the `transparent` style.
    pub fn color_of(&self, value: f64) -> [u8; 4] {
        if self.transparent || value.is_nan() {
            return [0; 4];
        }
        self.colors
            .get(self.index_of(value))
            .copied()
            .unwrap_or([0; 4])
    }
}
