//! Legend images and data limits: a style's vertical colour ramp with tick
//! labels as PNG, and the min/max of warped values.
//!
//! Blocking CPU work: it runs on the render pool (`Renderer::legend_png`,
//! `Renderer::limits`).
//!
//! Legend PNG layout, exactly `width × height` pixels:
//! * background white, or fully transparent when asked;
//! * when the image is at least 24×24, a 4 px margin ([`LEGEND_MARGIN`]) all
//!   round; the bar is [`LEGEND_BAR_WIDTH`] px wide (less when the image is
//!   narrower) at the left, from `MARGIN + 3` to `height − MARGIN − 4` (room
//!   for half a label above the top and below the bottom tick); smaller
//!   images are all bar, without labels;
//! * bar row `y` (0 at the bar's top, `h` rows) shows the colour of the value
//!   at fraction `t = 1 − (y + 0.5) / h` of [min, max] (`Style::color_of`), so
//!   max is at the top;
//! * ticks: `clamp(h / 40 + 1, 2, 6)` evenly spaced values from max (top) to
//!   min (bottom); tick `k` sits on bar row `round(k · (h − 1) / (n − 1))`, a
//!   3 px black mark right of the bar and the label (`style::tick_label`)
//!   2 px further, vertically centred, clipped at the image edge.

use super::error::RenderError;
use super::warp::Warped;
use crate::encode::png::encode_rgba;
use crate::encode::text::Canvas;
use crate::model::Pixel;
use crate::style::{Style, tick_label};
use crate::with_raster_data;

/// Margin round the legend (images of at least 24×24).
pub const LEGEND_MARGIN: u32 = 4;
/// Width of the colour bar.
pub const LEGEND_BAR_WIDTH: u32 = 20;
const TICK_LEN: u32 = 3;
const BLACK: [u8; 4] = [0, 0, 0, 255];

/// Where the bar lies in a legend of `width × height`: (x0, y0, w, h).
pub fn bar_rect(width: u32, height: u32) -> (u32, u32, u32, u32) {
    if width < 24 || height < 24 {
        return (0, 0, width, height);
    }
    let m = LEGEND_MARGIN;
    let w = LEGEND_BAR_WIDTH.min(width - 2 * m);
    (m, m + 3, w, height - 2 * m - 7)
}

/// The tick values from top to bottom and their bar rows (relative to the bar).
pub fn ticks(style: &Style, bar_height: u32) -> Vec<(f64, u32)> {
    let n = (bar_height / 40 + 1).clamp(2, 6);
    let (min, max) = style.limits();
    (0..n)
        .map(|k| {
            let value = if k + 1 == n {
                min
            } else if k == 0 {
                max
            } else {
                style.value_at_fraction(1.0 - f64::from(k) / f64::from(n - 1))
            };
            let last = f64::from(bar_height.saturating_sub(1));
            let row = (f64::from(k) * last / f64::from(n - 1)).round() as u32;
            (value, row)
        })
        .collect()
}

/// The legend of `style` as an RGBA PNG (layout in the module docs).
pub fn legend_png(
    style: &Style,
    width: u32,
    height: u32,
    transparent: bool,
) -> Result<Vec<u8>, RenderError> {
    let n = width as usize * height as usize;
    let bg = if transparent {
        [0, 0, 0, 0]
    } else {
        [255, 255, 255, 255]
    };
    let mut rgba: Vec<u8> = bg.iter().copied().cycle().take(n * 4).collect();
    let (x0, y0, bw, bh) = bar_rect(width, height);
    let mut canvas = Canvas {
        rgba: &mut rgba,
        width,
        height,
    };
    for y in 0..bh {
        let t = 1.0 - (f64::from(y) + 0.5) / f64::from(bh);
        let color = style.color_at_fraction(t);
        for x in 0..bw {
            canvas.put(i64::from(x0 + x), i64::from(y0 + y), color);
        }
    }
    if (x0, y0) != (0, 0) {
        let ticks = ticks(style, bh);
        let (min, max) = style.limits();
        let spacing = (max - min) / (ticks.len() - 1) as f64;
        for (value, row) in ticks {
            let y = i64::from(y0 + row);
            let x = i64::from(x0 + bw);
            for dx in 0..i64::from(TICK_LEN) {
                canvas.put(x + dx, y, BLACK);
            }
            canvas.text(
                x + i64::from(TICK_LEN) + 2,
                y - 3,
                &tick_label(value, spacing),
                BLACK,
            );
        }
    }
    Ok(encode_rgba(width, height, &rgba)?)
}

/// `(min, max)` of the valid values of `warped`: pixels inside the source,
/// not equal to its nodata value, not NaN. `None` when there are none.
pub fn value_limits(warped: &Warped) -> Option<(f64, f64)> {
    let nodata = warped.buf.nodata;
    let valid = &warped.valid;
    with_raster_data!(&warped.buf.data, values => {
        let mut out: Option<(f64, f64)> = None;
        for (i, v) in values.iter().enumerate() {
            if valid.get(i) != Some(&1) {
                continue;
            }
            let v = v.to_f64();
            if v.is_nan() || Some(v) == nodata {
                continue;
            }
            out = Some(match out {
                None => (v, v),
                Some((a, b)) => (a.min(v), b.max(v)),
            });
        }
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DataType, RasterBuf, RasterData};

    #[test]
    fn ramp_rows_and_ticks() {
        let style = Style::parse("viridis:0:10").unwrap();
        assert_eq!(bar_rect(100, 200), (4, 7, 20, 185));
        assert_eq!(bar_rect(20, 20), (0, 0, 20, 20));
        let t = ticks(&style, 185);
        assert_eq!(t.len(), 5);
        assert_eq!((t[0], t[4]), ((10.0, 0), (0.0, 184)));
        let png = legend_png(&style, 100, 200, false).unwrap();
        assert!(png.starts_with(b"\x89PNG"));
        for (w, h) in [(1, 1), (23, 500), (500, 23), (24, 24), (2048, 30)] {
            assert!(legend_png(&style, w, h, true).is_ok(), "{w}x{h}");
        }
        assert_eq!(ticks(&style, 0).len(), 2);
    }

    #[test]
    fn limits_skip_nodata_and_invalid() {
        let buf = RasterBuf {
            width: 4,
            height: 1,
            data: RasterData::F32(vec![5.0, -9999.0, f32::NAN, 2.0]),
            nodata: Some(-9999.0),
        };
        assert_eq!(buf.dtype(), DataType::F32);
        let w = Warped {
            buf,
            valid: vec![1, 1, 1, 1],
            empty: false,
        };
        assert_eq!(value_limits(&w), Some((2.0, 5.0)));
        let w = Warped {
            valid: vec![1, 1, 1, 0],
            ..w
        };
        assert_eq!(value_limits(&w), Some((5.0, 5.0)));
        let w = Warped {
            valid: vec![0; 4],
            ..w
        };
        assert_eq!(value_limits(&w), None);
    }
}
