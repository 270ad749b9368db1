//! Legends from a `Style`: the colour a value is painted in, evenly spaced
//! legend steps over the style's limits, and tick labels.
//!
//! Colours follow the render kernel's rule (matplotlib's `Normalize` then
//! `cmap(x)`, end colours outside the domain), computed in f64. No drawing
//! and no protocol here: the legend image is `render::legend`'s job.

use super::parse::Style;

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
    /// The colour `value` is painted in: entry `trunc((v − min) / (max − min) · N)`,
    /// `N − 1` at and above `max`, entry 0 below `min`, entry 0 when
    /// `min == max`; fully transparent for `transparent` and for NaN.
    pub fn color_of(&self, value: f64) -> [u8; 4] {
        let Some(cmap) = self.colormap() else {
            return [0; 4];
        };
        if value.is_nan() {
            return [0; 4];
        }
        let (min, max) = self.limits();
        let n = cmap.len();
        let i = if min == max {
            0
        } else {
            let x = (value - min) / (max - min) * n as f64;
            if x <= 0.0 { 0 } else { (x as usize).min(n - 1) }
        };
        cmap.color(i).unwrap_or([0; 4])
    }

    /// The colour at fraction `t` of the domain (0 = min, 1 = max).
    pub fn color_at_fraction(&self, t: f64) -> [u8; 4] {
        let (min, max) = self.limits();
        self.color_of(min + t * (max - min))
    }

    /// `steps` values evenly spaced from min to max (both included; one step
    /// → min only) with their colours. `steps == 0` → none.
    pub fn legend_steps(&self, steps: usize) -> Vec<LegendStep> {
        let (min, max) = self.limits();
        (0..steps)
            .map(|i| {
                let value = if steps == 1 {
                    min
                } else if i + 1 == steps {
                    max
                } else {
                    min + (max - min) * i as f64 / (steps - 1) as f64
                };
                LegendStep {
                    value,
                    color: self.color_of(value),
                }
            })
            .collect()
    }

    /// `discrete` for qualitative colormaps (fewer than 256 entries) and
    /// `transparent`, else `gradient`.
    pub fn colormap_type(&self) -> &'static str {
        match self.colormap() {
            Some(c) if c.len() >= DISCRETE_BELOW => "gradient",
            _ => "discrete",
        }
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
