//! Colours from a Lizard gradient: stops rescaled onto a style's limits,
//! interpolation between them in value space (or log space), and sampling
//! into the evenly spaced entries of a LUT.
//!
//! Channel arithmetic is in f64 and rounded to the nearest integer (halves
//! away from zero). No pixel loops here.

use super::Definition;

/// A gradient's stops placed on the value axis a style paints.
#[derive(Clone, Debug, PartialEq)]
pub struct Ramp {
    values: Vec<f64>,
    colors: Vec<[u8; 4]>,
    log: bool,
}

impl Ramp {
    /// The stops of `def` with its native domain `[s0, sN]` mapped linearly
    /// onto `[min, max]` (`s ↦ min + (s − s0)/(sN − s0)·(max − min)`, §6.2)
    /// when the map rescales; as defined otherwise. A one-value domain puts
    /// every stop on `min`.
    pub fn new(def: &Definition, min: f64, max: f64) -> Ramp {
        let (s0, sn) = def.native_domain();
        let values = def
            .data
            .iter()
            .map(|&(s, _)| {
                if !def.rescales() {
                    s
                } else if sn == s0 {
                    min
                } else {
                    min + (s - s0) / (sn - s0) * (max - min)
                }
            })
            .collect();
        Ramp {
            values,
            colors: def.data.iter().map(|d| d.1).collect(),
            log: def.log,
        }
    }

    /// The colour at `x`: the first stop's colour at or below the first
    /// value, the last one's at or above the last, else interpolated between
    /// the two stops around `x` at `t = (x − a)/(b − a)` (with logarithms of
    /// all three for log maps). NaN, and `x ≤ 0` on a log map, give the first
    /// colour (callers decide about invalid values before asking).
    pub fn color(&self, x: f64) -> [u8; 4] {
        let first = self.colors.first().copied().unwrap_or([0; 4]);
        if x.is_nan() || (self.log && x <= 0.0) {
            return first;
        }
        let j = self.values.partition_point(|&s| s <= x);
        let (Some(&a), Some(&b)) = (self.values.get(j.wrapping_sub(1)), self.values.get(j)) else {
            return if j == 0 {
                first
            } else {
                self.colors.last().copied().unwrap_or(first)
            };
        };
        let (ca, cb) = (self.colors[j - 1], self.colors[j]);
        let t = if self.log {
            (x.ln() - a.ln()) / (b.ln() - a.ln())
        } else {
            (x - a) / (b - a)
        };
        let mut out = [0u8; 4];
        for (o, (&p, &q)) in out.iter_mut().zip(ca.iter().zip(&cb)) {
            let (p, q) = (f64::from(p), f64::from(q));
            *o = (p + t * (q - p)).round().clamp(0.0, 255.0) as u8;
        }
        out
    }

    /// `n` colours at evenly spaced values from `lo` to `hi` (both included;
    /// spaced evenly in log space for log maps): entry `i` is the colour at
    /// `lo + i/(n−1)·(hi − lo)`, as matplotlib samples a segmented map.
    pub fn sample(&self, n: usize, lo: f64, hi: f64) -> Vec<[u8; 4]> {
        (0..n)
            .map(|i| self.color(value_at(self.log, lo, hi, i, n)))
            .collect()
    }
}

/// The value of entry `i` of `n` evenly spaced from `lo` to `hi` (log space
/// when `log`); the ends are exact.
pub(crate) fn value_at(log: bool, lo: f64, hi: f64, i: usize, n: usize) -> f64 {
    if i == 0 || n < 2 {
        return lo;
    }
    if i + 1 == n {
        return hi;
    }
    let t = i as f64 / (n - 1) as f64;
    if log {
        (lo.ln() + t * (hi.ln() - lo.ln())).exp()
    } else {
        lo + t * (hi - lo)
    }
}
