//! PNG output: indexed colour (PLTE + tRNS) and RGBA, 8 bits, through the
//! `png` crate's fast fdeflate path. Takes finished pixels; does no styling.

use crate::model::ErrorClass;

/// Errors of the PNG encoder.
#[derive(Debug, thiserror::Error)]
pub enum EncodeError {
    /// Sizes, palette or indices disagree: a caller bug.
    #[error("bad image buffers: {0}")]
    Buffers(&'static str),
    /// The `png` crate refused the image.
    #[error("png encoding failed: {0}")]
    Png(#[from] ::png::EncodingError),
}

impl EncodeError {
    pub fn class(&self) -> ErrorClass {
        ErrorClass::Internal
    }
}

/// Row filters, measured with `benches/encode.rs` on 256² terrain tiles
/// (smooth and noisy) on a shared 2-core machine. With fdeflate's fast mode
/// `NoFilter` does not compress at all (66 KB indexed) and is no faster, and
/// `Adaptive` costs ~1.3–2× a fixed filter for the same size. For indexed
/// tiles (colormap indices are ordered, so smooth fields give small deltas)
/// Paeth matches Adaptive's size (18.8 KB smooth, 29.7 KB noisy) at ~57–77 µs.
const INDEXED_FILTER: ::png::Filter = ::png::Filter::Paeth;
/// For the RGBA fallback Up was ~2× faster than Paeth on smooth tiles
/// (~170–225 µs, 88 KB against 64 KB) and on par on noisy ones (~120 KB).
const RGBA_FILTER: ::png::Filter = ::png::Filter::Up;

fn pixels(width: u32, height: u32) -> Result<usize, EncodeError> {
    if width == 0 || height == 0 {
        return Err(EncodeError::Buffers("empty image"));
    }
    usize::try_from(u64::from(width) * u64::from(height))
        .map_err(|_| EncodeError::Buffers("image too large"))
}

fn encoder(
    out: &mut Vec<u8>,
    width: u32,
    height: u32,
    filter: ::png::Filter,
) -> ::png::Encoder<'_, &mut Vec<u8>> {
    let mut enc = ::png::Encoder::new(out, width, height);
    enc.set_depth(::png::BitDepth::Eight);
    enc.set_compression(::png::Compression::Fast);
    enc.set_filter(filter);
    enc
}

/// Encode an 8-bit indexed PNG: `indices` row-major (`width * height`
/// bytes), `palette` RGBA entries (1..=256). Writes PLTE from the RGB parts
/// and tRNS with the alpha of entries up to the last non-opaque one (omitted
/// when all are opaque). Paeth row filter. Cost: ~57–77 µs and ~19–30 KB
/// for a 256² terrain tile.
///
/// Errors: `Buffers` when sizes disagree, the palette is empty or longer than
/// 256, or an index points past the palette; `Png` from the encoder.
pub fn encode_indexed(
    width: u32,
    height: u32,
    indices: &[u8],
    palette: &[[u8; 4]],
) -> Result<Vec<u8>, EncodeError> {
    encode_indexed_with(width, height, indices, palette, INDEXED_FILTER)
}

/// [`encode_indexed`] with an explicit row filter (for measurements).
pub fn encode_indexed_with(
    width: u32,
    height: u32,
    indices: &[u8],
    palette: &[[u8; 4]],
    filter: ::png::Filter,
) -> Result<Vec<u8>, EncodeError> {
    if indices.len() != pixels(width, height)? {
        return Err(EncodeError::Buffers("indices length is not width * height"));
    }
    if palette.is_empty() || palette.len() > 256 {
        return Err(EncodeError::Buffers("palette must have 1..=256 entries"));
    }
    let max = indices.iter().copied().max().unwrap_or(0);
    if usize::from(max) >= palette.len() {
        return Err(EncodeError::Buffers("index past the end of the palette"));
    }
    let plte: Vec<u8> = palette.iter().flat_map(|c| [c[0], c[1], c[2]]).collect();
    let trns_len = palette
        .iter()
        .rposition(|c| c[3] != 255)
        .map_or(0, |i| i + 1);
    let trns: Vec<u8> = palette.iter().take(trns_len).map(|c| c[3]).collect();

    let mut out = Vec::with_capacity(indices.len() / 3 + 1024);
    let mut enc = encoder(&mut out, width, height, filter);
    enc.set_color(::png::ColorType::Indexed);
    enc.set_palette(plte);
    if !trns.is_empty() {
        enc.set_trns(trns);
    }
    let mut w = enc.write_header()?;
    w.write_image_data(indices)?;
    w.finish()?;
    Ok(out)
}

/// Encode an 8-bit RGBA PNG from `rgba` (4 bytes a pixel, row-major).
/// Up row filter. Cost: ~170–450 µs for a 256² tile; prefer [`encode_indexed`].
///
/// Errors: `Buffers` when `rgba.len() != 4 * width * height`; `Png`.
pub fn encode_rgba(width: u32, height: u32, rgba: &[u8]) -> Result<Vec<u8>, EncodeError> {
    encode_rgba_with(width, height, rgba, RGBA_FILTER)
}

/// [`encode_rgba`] with an explicit row filter (for measurements).
pub fn encode_rgba_with(
    width: u32,
    height: u32,
    rgba: &[u8],
    filter: ::png::Filter,
) -> Result<Vec<u8>, EncodeError> {
    if Some(rgba.len()) != pixels(width, height)?.checked_mul(4) {
        return Err(EncodeError::Buffers(
            "rgba length is not 4 * width * height",
        ));
    }
    let mut out = Vec::with_capacity(rgba.len() / 4 + 1024);
    let mut enc = encoder(&mut out, width, height, filter);
    enc.set_color(::png::ColorType::Rgba);
    let mut w = enc.write_header()?;
    w.write_image_data(rgba)?;
    w.finish()?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Frame info, pixels, PLTE, tRNS.
    type Decoded = (::png::OutputInfo, Vec<u8>, Option<Vec<u8>>, Option<Vec<u8>>);

    fn decode(bytes: &[u8]) -> Decoded {
        let dec = ::png::Decoder::new(std::io::Cursor::new(bytes));
        let mut r = dec.read_info().unwrap();
        let plte = r.info().palette.as_ref().map(|p| p.to_vec());
        let trns = r.info().trns.as_ref().map(|p| p.to_vec());
        let mut buf = vec![0; r.output_buffer_size().unwrap()];
        let info = r.next_frame(&mut buf).unwrap();
        buf.truncate(info.buffer_size());
        (info, buf, plte, trns)
    }

    fn field(w: u32, h: u32) -> Vec<u8> {
        (0..w * h).map(|i| ((i % w + i / w) % 7) as u8).collect()
    }

    #[test]
    fn indexed_roundtrip_with_trns_trimmed() {
        let (w, h) = (37, 5);
        let idx = field(w, h);
        let mut pal: Vec<[u8; 4]> = (0..7u8).map(|i| [i, 2 * i, 3 * i, 255]).collect();
        pal[2][3] = 0;
        for filter in [
            ::png::Filter::Adaptive,
            ::png::Filter::NoFilter,
            ::png::Filter::Paeth,
        ] {
            let png = encode_indexed_with(w, h, &idx, &pal, filter).unwrap();
            let (info, buf, plte, trns) = decode(&png);
            assert_eq!((info.width, info.height), (w, h));
            assert_eq!(info.color_type, ::png::ColorType::Indexed);
            assert_eq!(info.bit_depth, ::png::BitDepth::Eight);
            assert_eq!(buf, idx);
            let want: Vec<u8> = pal.iter().flat_map(|c| [c[0], c[1], c[2]]).collect();
            assert_eq!(plte.unwrap(), want);
            assert_eq!(trns.unwrap(), vec![255, 255, 0]);
        }
        // All opaque: no tRNS chunk.
        pal[2][3] = 255;
        let (_, _, _, trns) = decode(&encode_indexed(w, h, &idx, &pal).unwrap());
        assert!(trns.is_none());
    }

    #[test]
    fn rgba_roundtrip() {
        let (w, h) = (19, 23);
        let rgba: Vec<u8> = (0..w * h * 4).map(|i| (i * 31 % 251) as u8).collect();
        let (info, buf, _, _) = decode(&encode_rgba(w, h, &rgba).unwrap());
        assert_eq!(info.color_type, ::png::ColorType::Rgba);
        assert_eq!(buf, rgba);
    }

    #[test]
    fn bad_buffers() {
        let pal = [[0u8; 4]; 2];
        assert!(encode_indexed(0, 1, &[], &pal).is_err());
        assert!(encode_indexed(2, 2, &[0; 3], &pal).is_err());
        assert!(encode_indexed(2, 2, &[0, 1, 2, 0], &pal).is_err());
        assert!(encode_indexed(1, 1, &[0], &[]).is_err());
        assert!(encode_indexed(1, 1, &[0], &[[0; 4]; 257]).is_err());
        assert!(encode_rgba(2, 2, &[0; 15]).is_err());
        assert!(encode_rgba(u32::MAX, u32::MAX, &[]).is_err());
        assert_eq!(
            encode_rgba(2, 2, &[0; 15]).unwrap_err().class(),
            ErrorClass::Internal
        );
    }
}
