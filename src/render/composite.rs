//! Multi-layer maps: each layer is rendered (and cached) on its own as a
//! transparent PNG, then they are blended in request order (the first layer at
//! the bottom) with the "over" operator, and painted over BGCOLOR unless the
//! request is transparent.

use super::error::RenderError;
use super::renderer::Output;
use crate::cache::{Rendered, etag_of};
use crate::encode::png::encode_rgba;
use crate::model::{OutputFormat, Rgb};
use std::sync::Arc;

/// The composite's ETag: its parts' tags, in order, and the background.
pub(super) fn etag(parts: &[Output], transparent: bool, bgcolor: Rgb) -> String {
    let mut bytes: Vec<&[u8]> = parts.iter().map(|p| p.etag.as_bytes()).collect();
    let tail = [
        u8::from(transparent),
        bgcolor.0[0],
        bgcolor.0[1],
        bgcolor.0[2],
    ];
    bytes.push(&tail);
    etag_of("c", &bytes)
}

/// Blends PNGs of `w × h` with "over", the first at the bottom.
pub(super) fn blend(
    pngs: &[Arc<Rendered>],
    w: u32,
    h: u32,
    transparent: bool,
    bg: Rgb,
) -> Result<Rendered, RenderError> {
    let n = w as usize * h as usize;
    // Premultiplied-free "over" in f32: out = src·a + dst·(1 − a).
    let mut acc = vec![[0f32; 4]; n];
    for png in pngs {
        let rgba = decode(&png.bytes, w, h)?;
        for (d, s) in acc.iter_mut().zip(rgba.chunks_exact(4)) {
            let sa = f32::from(s[3]) / 255.0;
            if sa == 0.0 {
                continue;
            }
            let da = d[3];
            let oa = sa + da * (1.0 - sa);
            for c in 0..3 {
                d[c] = (f32::from(s[c]) * sa + d[c] * da * (1.0 - sa)) / oa;
            }
            d[3] = oa;
        }
    }
    let mut out = vec![0u8; n * 4];
    for (o, d) in out.chunks_exact_mut(4).zip(&acc) {
        if transparent {
            for c in 0..3 {
                o[c] = d[c].round() as u8;
            }
            o[3] = (d[3] * 255.0).round() as u8;
        } else {
            for c in 0..3 {
                o[c] = (d[c] * d[3] + f32::from(bg.0[c]) * (1.0 - d[3])).round() as u8;
            }
            o[3] = 255;
        }
    }
    let bytes = encode_rgba(w, h, &out)?;
    Ok(Rendered::from_vec(bytes, OutputFormat::Png.mime()))
}

/// Decodes one of our own PNGs to RGBA8.
fn decode(bytes: &[u8], w: u32, h: u32) -> Result<Vec<u8>, RenderError> {
    let fail = |e: String| RenderError::Internal(format!("decoding a layer for compositing: {e}"));
    let mut dec = png::Decoder::new(std::io::Cursor::new(bytes));
    dec.set_transformations(png::Transformations::EXPAND | png::Transformations::ALPHA);
    let mut reader = dec.read_info().map_err(|e| fail(e.to_string()))?;
    let mut buf = vec![
        0;
        reader
            .output_buffer_size()
            .ok_or_else(|| fail("size".into()))?
    ];
    let info = reader
        .next_frame(&mut buf)
        .map_err(|e| fail(e.to_string()))?;
    if info.width != w || info.height != h || info.color_type != png::ColorType::Rgba {
        return Err(fail(format!(
            "unexpected layer image {}×{} {:?}",
            info.width, info.height, info.color_type
        )));
    }
    buf.truncate(info.buffer_size());
    Ok(buf)
}
