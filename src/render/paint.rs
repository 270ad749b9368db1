//! Painting warped values: style → palette indices → indexed PNG, or RGBA PNG
//! when the colours do not fit one palette (a LUT over 256 entries, or all 256
//! entries used plus nodata). Colours are never quantised.

use super::error::RenderError;
use super::warp::Warped;
use crate::cache::Rendered;
use crate::encode::png::{encode_indexed, encode_rgba};
use crate::model::{OutputFormat, RenderRequest};
use crate::style::{Fill, Style, indices_into, palette, rgba_into};
use crate::with_raster_data;

/// Styles `warped` with the request's style and encodes a PNG.
pub fn png(warped: &Warped, req: &RenderRequest) -> Result<Rendered, RenderError> {
    let (w, h) = (req.grid.width, req.grid.height);
    let n = req.grid.pixels();
    let lut = Style::parse(&req.style)?.lut();
    let fill = Fill {
        transparent: req.transparent,
        bgcolor: req.bgcolor,
    };
    let nodata = warped.buf.nodata;
    let valid = Some(warped.valid.as_slice());
    let mut mask = vec![0u8; n];
    let bytes = if lut.fits_u8() {
        let mut idx = vec![0u8; n];
        let any = with_raster_data!(&warped.buf.data, v => indices_into(&lut, v, nodata, valid, &mut idx, &mut mask))?;
        match palette(&lut, &mut idx, &mask, any, fill)? {
            Some(pal) => encode_indexed(w, h, &idx, &pal)?,
            None => {
                let mut rgba = vec![0u8; n * 4];
                rgba_into(&lut, &idx, &mask, fill, &mut rgba)?;
                encode_rgba(w, h, &rgba)?
            }
        }
    } else {
        let mut idx = vec![0u16; n];
        with_raster_data!(&warped.buf.data, v => indices_into(&lut, v, nodata, valid, &mut idx, &mut mask))?;
        let mut rgba = vec![0u8; n * 4];
        rgba_into(&lut, &idx, &mask, fill, &mut rgba)?;
        encode_rgba(w, h, &rgba)?
    };
    Ok(Rendered::from_vec(bytes, OutputFormat::Png.mime()))
}
