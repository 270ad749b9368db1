//! Legends from a `Style`: the colour a value is painted in, evenly spaced
//! legend steps over the style's limits, and tick labels.
//!
//! Colours follow the render kernel's rule (matplotlib's `Normalize` then
//! `cmap(x)`, end colours outside the domain, or a Lizard map's log/class
//! rule), computed in f64. No drawing
//! and no protocol here: the legend image is `render::legend`'s job.

use super::lizard::Kind;
use super::lizard::sample_value_at as value_at;
use super::parse::Style;
use std::collections::BTreeMap;

/// One legend entry: a value and the RGBA colour it is painted in.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LegendStep {
    pub value: f64,
    pub color: [u8; 4],
}

/// Colormaps with fewer entries than this are qualitative (`Accent`, `tab10`,
/// `Paired`…) and reported as `discrete`; the rest are gradients.
const DISCRETE_BELOW: usize = 256;

impl Style {
    /// The colour `value` is painted in, by the kernels' rule: matplotlib
    /// maps and linear Lizard gradients entry `trunc((v − min) / (max − min) · N)`,
    /// log gradients the same in log space, `N − 1` at and above `max`,
    /// entry 0 below `min` and when `min == max`; discrete maps the class
    /// colour or `invalid`; fully transparent for `transparent` and for NaN.
    pub fn color_of(&self, value: f64) -> [u8; 4] {
        self.lut().color_of(value)
    }

    /// The value at fraction `t` of the domain (0 = min, 1 = max): linear,
    /// or log-spaced for log maps; for discrete maps the class whose share
    /// of the bar `t` falls in (classes get equal shares).
    pub fn value_at_fraction(&self, t: f64) -> f64 {
        let (min, max) = self.limits();
        if let Some(d) = self.lizard().filter(|_| self.is_discrete()) {
            let k = d.data.len();
            let i = ((t * k as f64).max(0.0) as usize).min(k.saturating_sub(1));
            return d.data.get(i).map_or(min, |c| c.0);
        }
        if self.is_log() {
            (min.ln() + t * (max.ln() - min.ln())).exp()
        } else {
            min + t * (max - min)
        }
    }

    /// The colour at fraction `t` of the domain (see [`value_at_fraction`](Self::value_at_fraction)).
    pub fn color_at_fraction(&self, t: f64) -> [u8; 4] {
        self.color_of(self.value_at_fraction(t))
    }

    /// `steps` values evenly spaced from min to max (both included; one step
    /// → min only; log-spaced for log maps) with their colours. `steps == 0`
    /// → none. A discrete map answers one step per class whatever `steps`.
    pub fn legend_steps(&self, steps: usize) -> Vec<LegendStep> {
        let lut = self.lut();
        if let Some(d) = self.lizard().filter(|_| self.is_discrete()) {
            return d
                .data
                .iter()
                .map(|&(value, color)| LegendStep { value, color })
                .collect();
        }
        let (min, max) = self.limits();
        (0..steps)
            .map(|i| {
                let value = value_at(self.is_log(), min, max, i, steps);
                LegendStep {
                    value,
                    color: lut.color_of(value),
                }
            })
            .collect()
    }

    /// Lizard maps their own type; matplotlib's qualitative colormaps (fewer
    /// than 256 entries) and `transparent` `discrete`, else `gradient`.
    pub fn colormap_type(&self) -> &'static str {
        if let Some(d) = self.lizard() {
            return match d.kind {
                Kind::GradientColormap => "gradient",
                Kind::DiscreteColormap => "discrete",
            };
        }
        match self.colormap() {
            Some(c) if c.len() >= DISCRETE_BELOW => "gradient",
            _ => "discrete",
        }
    }

    /// The legend labels of a Lizard map per locale (empty otherwise).
    pub fn labels(&self) -> BTreeMap<String, Vec<(f64, String)>> {
        self.lizard().map(|d| d.labels.clone()).unwrap_or_default()
    }
}

/// `#rrggbb` of an RGBA colour (alpha dropped).
pub fn hex_color(c: [u8; 4]) -> String {
    format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2])
}

/// A tick label for `value` when ticks are `spacing` apart: enough decimals to
/// tell neighbouring ticks apart (at most 6), scientific notation for
/// magnitudes ≥ 1e6 or below 1e-3, `-0` written as `0`.
pub fn tick_label(value: f64, spacing: f64) -> String {
    let a = value.abs();
    if value == 0.0 || !value.is_finite() {
        return if value.is_finite() {
            "0".into()
        } else {
            format!("{value}")
        };
    }
    if !(1e-3..1e6).contains(&a) {
        return format!("{value:.2e}");
    }
    let decimals = if spacing > 0.0 && spacing.is_finite() {
        (-spacing.log10().floor() + 1.0).clamp(0.0, 6.0) as usize
    } else {
        3
    };
    let s = format!("{value:.decimals$}");
    if s.trim_start_matches('-')
        .chars()
        .all(|c| c == '0' || c == '.')
    {
        "0".into()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::style::colormap;

    #[test]
    fn colours_follow_the_kernel_rule() {
        let s = Style::parse("viridis:0:10").unwrap();
        let v = colormap("viridis").unwrap();
        assert_eq!(s.color_of(-5.0), v.color(0).unwrap());
        assert_eq!(s.color_of(0.0), v.color(0).unwrap());
        assert_eq!(s.color_of(10.0), v.color(255).unwrap());
        assert_eq!(s.color_of(99.0), v.color(255).unwrap());
        assert_eq!(s.color_of(5.0), v.color(128).unwrap());
        assert_eq!(s.color_of(f64::NAN), [0; 4]);
        assert_eq!(
            Style::parse("Blues:3:3").unwrap().color_of(9.0),
            colormap("Blues").unwrap().color(0).unwrap()
        );
        assert_eq!(Style::parse("transparent").unwrap().color_of(0.5), [0; 4]);
    }

    #[test]
    fn steps_span_the_limits() {
        let s = Style::parse("RdBu_r:-4.6:-1.17").unwrap();
        let steps = s.legend_steps(10);
        assert_eq!(steps.len(), 10);
        assert_eq!(steps[0].value, -4.6);
        assert_eq!(steps[9].value, -1.17);
        let c = colormap("RdBu_r").unwrap();
        assert_eq!(steps[0].color, c.color(0).unwrap());
        assert_eq!(steps[9].color, c.color(255).unwrap());
        assert_eq!(s.legend_steps(1)[0].value, -4.6);
        assert!(s.legend_steps(0).is_empty());
        assert_eq!(s.colormap_type(), "gradient");
        assert_eq!(Style::parse("Accent").unwrap().colormap_type(), "discrete");
        assert_eq!(hex_color([255, 16, 0, 7]), "#ff1000");
    }

    #[test]
    fn labels() {
        assert_eq!(tick_label(-4.6, 0.8575), "-4.60");
        assert_eq!(tick_label(0.5, 0.25), "0.50");
        assert_eq!(tick_label(250.0, 50.0), "250");
        assert_eq!(tick_label(-0.0, 1.0), "0");
        assert_eq!(tick_label(2.5e7, 1e6), "2.50e7");
        assert_eq!(tick_label(0.0001, 0.0001), "1.00e-4");
    }
}
