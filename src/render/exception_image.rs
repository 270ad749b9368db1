//! GetMap errors answered as images (`EXCEPTIONS=INIMAGE` / `BLANK`, 1.1.1
//! `application/vnd.ogc.se_inimage` / `…se_blank`): a PNG of the requested
//! size, Content-Type = FORMAT, never cached.
//!
//! BLANK: every pixel BGCOLOR (default white), or fully transparent with
//! TRANSPARENT=TRUE. INIMAGE: the same background with the error message
//! (`<code>: <message>` when there is a code) drawn with the built-in 5×7
//! font from (2, 2), wrapped at spaces to the image width and clipped at its
//! bottom; black text, white on dark backgrounds (luma below 128).

use super::error::RenderError;
use crate::encode::font::ADVANCE;
use crate::encode::png::encode_rgba;
use crate::encode::text::{Canvas, wrap};
use crate::model::Rgb;

/// Text inset from the top-left corner.
const INSET: u32 = 2;

/// An error to draw: the image's size and background, and the message
/// (`None`: BLANK, background only).
#[derive(Clone, Debug)]
pub struct ExceptionImage {
    pub width: u32,
    pub height: u32,
    pub bgcolor: Rgb,
    pub transparent: bool,
    pub message: Option<String>,
}

impl ExceptionImage {
    /// The image's PNG bytes.
    pub fn png(&self) -> Result<Vec<u8>, RenderError> {
        let n = self.width as usize * self.height as usize;
        let [r, g, b] = self.bgcolor.0;
        let bg = if self.transparent {
            [0, 0, 0, 0]
        } else {
            [r, g, b, 255]
        };
        let mut rgba: Vec<u8> = bg.iter().copied().cycle().take(n * 4).collect();
        if let Some(message) = &self.message {
            let luma = (299 * u32::from(r) + 587 * u32::from(g) + 114 * u32::from(b)) / 1000;
            let ink = if !self.transparent && luma < 128 {
                [255, 255, 255, 255]
            } else {
                [0, 0, 0, 255]
            };
            let cols = (self.width.saturating_sub(2 * INSET) + 1) / ADVANCE;
            let lines = wrap(message, cols.max(1) as usize);
            let mut canvas = Canvas {
                rgba: &mut rgba,
                width: self.width,
                height: self.height,
            };
            canvas.lines(i64::from(INSET), i64::from(INSET), &lines, ink);
        }
        Ok(encode_rgba(self.width, self.height, &rgba)?)
    }
}
