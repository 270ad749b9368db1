//! Drawing ASCII text with the built-in 5×7 font (`font.rs`) into an RGBA
//! buffer, and wrapping a message into lines that fit a width.
//!
//! Pixels outside the buffer are skipped (text is clipped, never an error).
//! No encoding here; the caller encodes the finished buffer.

use super::font::{ADVANCE, GLYPH_HEIGHT, GLYPH_WIDTH, LINE_HEIGHT, ink};

/// An RGBA image being drawn on: `4 * width * height` bytes, row-major.
pub struct Canvas<'a> {
    pub rgba: &'a mut [u8],
    pub width: u32,
    pub height: u32,
}

impl Canvas<'_> {
    /// Sets pixel (x, y) to `color`; outside the canvas → nothing.
    pub fn put(&mut self, x: i64, y: i64, color: [u8; 4]) {
        if x < 0 || y < 0 || x >= i64::from(self.width) || y >= i64::from(self.height) {
            return;
        }
        let i = (y as usize * self.width as usize + x as usize) * 4;
        if let Some(px) = self.rgba.get_mut(i..i + 4) {
            px.copy_from_slice(&color);
        }
    }

    /// Draws `text` on one line with its top-left corner at (x, y); characters
    /// outside printable ASCII are drawn as `?`. Returns the x after the text.
    pub fn text(&mut self, x: i64, y: i64, text: &str, color: [u8; 4]) -> i64 {
        let mut cx = x;
        for c in text.chars() {
            for col in 0..GLYPH_WIDTH {
                for row in 0..GLYPH_HEIGHT {
                    if ink(c, col, row) {
                        self.put(cx + i64::from(col), y + i64::from(row), color);
                    }
                }
            }
            cx += i64::from(ADVANCE);
        }
        cx
    }

    /// Draws `lines` one under the other from (x, y), [`LINE_HEIGHT`] apart.
    pub fn lines(&mut self, x: i64, y: i64, lines: &[String], color: [u8; 4]) {
        for (i, line) in lines.iter().enumerate() {
            self.text(x, y + i as i64 * i64::from(LINE_HEIGHT), line, color);
        }
    }
}

/// Width in pixels of `text` drawn on one line (the last character's blank
/// column not counted); 0 for an empty string.
pub fn text_width(text: &str) -> u32 {
    let n = text.chars().count() as u32;
    (n * ADVANCE).saturating_sub(1)
}

/// Splits `text` into lines of at most `max_chars` characters, breaking at
/// spaces where possible and inside words longer than a line. Newlines and
/// other control characters count as spaces. `max_chars == 0` → no lines.
pub fn wrap(text: &str, max_chars: usize) -> Vec<String> {
    if max_chars == 0 {
        return Vec::new();
    }
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(|c: char| c.is_whitespace() || c.is_control()) {
        if word.is_empty() {
            continue;
        }
        let mut word: Vec<char> = word.chars().collect();
        let len = line.chars().count();
        if len > 0 && len + 1 + word.len() <= max_chars {
            line.push(' ');
            line.extend(word.iter());
            continue;
        }
        if len > 0 {
            lines.push(std::mem::take(&mut line));
        }
        while word.len() > max_chars {
            lines.push(word.drain(..max_chars).collect());
        }
        line = word.into_iter().collect();
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_clipped_glyphs() {
        let (w, h) = (20u32, 10u32);
        let mut buf = vec![0u8; (w * h * 4) as usize];
        let mut c = Canvas {
            rgba: &mut buf,
            width: w,
            height: h,
        };
        let end = c.text(1, 1, "L1", [255, 0, 0, 255]);
        assert_eq!(end, 1 + 2 * i64::from(ADVANCE));
        // Far off the canvas: clipped, no panic.
        c.text(-100, 50, "xyz", [1, 1, 1, 1]);
        c.text(18, 8, "W", [0, 0, 255, 255]);
        let px = |x: u32, y: u32| {
            let i = ((y * w + x) * 4) as usize;
            [buf[i], buf[i + 1], buf[i + 2], buf[i + 3]]
        };
        // 'L': left column and bottom row inked.
        for row in 0..7 {
            assert_eq!(px(1, 1 + row), [255, 0, 0, 255]);
        }
        for col in 0..5 {
            assert_eq!(px(1 + col, 7), [255, 0, 0, 255]);
        }
        assert_eq!(px(2, 1), [0, 0, 0, 0]);
        // '1' starts at x = 7: its top stroke is in column 2.
        assert_eq!(px(9, 1), [255, 0, 0, 255]);
        assert_eq!(px(7, 1), [0, 0, 0, 0]);
        assert_eq!(px(18, 8), [0, 0, 255, 255]);
    }

    #[test]
    fn widths_and_wrapping() {
        assert_eq!(text_width(""), 0);
        assert_eq!(text_width("a"), 5);
        assert_eq!(text_width("abc"), 17);
        assert_eq!(
            wrap("LAYERS 'x' is not\ndefined here", 10),
            ["LAYERS 'x'", "is not", "defined", "here"]
        );
        assert_eq!(wrap("abcdefghijkl mn", 5), ["abcde", "fghij", "kl mn"]);
        assert!(wrap("anything", 0).is_empty());
        assert!(wrap("   ", 4).is_empty());
    }
}
