//! Raw values of a rendered grid as a single-band, uncompressed GeoTIFF
//! (WMS `FORMAT=image/tiff`).
//!
//! One strip, native dtype, little-endian, GDAL_NODATA when the buffer has a
//! nodata value. Uses only the `tiff` primitives beside it; no I/O.

use super::tiff::{
    Format, Ifd, Value, georef_entries, header, is_geographic_epsg, nodata_entry, sample_entries,
    tag,
};
use crate::model::{Crs, GeoTransform, RasterBuf};

/// Encodes `buf` as a GeoTIFF georeferenced by `crs` and `transform`.
///
/// Classic TIFF unless the file would pass 4 GiB (then BigTIFF). Geographic
/// codes (EPSG 4000–4999) get a geographic GeoKey, others a projected one. The
/// pixel bytes are copied once; cost is O(pixels). The strip holds exactly
/// `buf.data`; a buffer whose length disagrees with `width`×`height` yields a
/// file readers will reject, never a panic.
pub fn encode_geotiff(buf: &RasterBuf, crs: Crs, transform: &GeoTransform) -> Vec<u8> {
    let data = buf.data.as_bytes();
    let mut ifd = Ifd::new();
    ifd.set(tag::IMAGE_WIDTH, Value::Long(vec![buf.width]));
    ifd.set(tag::IMAGE_LENGTH, Value::Long(vec![buf.height]));
    ifd.set(tag::COMPRESSION, Value::Short(vec![1]));
    ifd.set(tag::PHOTOMETRIC, Value::Short(vec![1]));
    ifd.set(tag::SAMPLES_PER_PIXEL, Value::Short(vec![1]));
    ifd.set(tag::ROWS_PER_STRIP, Value::Long(vec![buf.height.max(1)]));
    ifd.set(tag::PLANAR_CONFIGURATION, Value::Short(vec![1]));
    ifd.extend(sample_entries(buf.dtype()));
    ifd.extend(georef_entries(
        crs.epsg(),
        is_geographic_epsg(crs.epsg()),
        transform,
    ));
    if let Some(nodata) = buf.nodata {
        ifd.set(tag::GDAL_NODATA, nodata_entry(nodata).value);
    }
    let data_len = data.len() as u64;
    for format in [Format::Classic, Format::Big] {
        // Placeholder offsets give the exact directory size (it depends on types and counts only).
        let Ok(placeholder) = format.offsets(vec![0]) else {
            continue;
        };
        ifd.set(tag::STRIP_OFFSETS, placeholder.clone());
        ifd.set(tag::STRIP_BYTE_COUNTS, placeholder);
        let ifd_at = format.header_len();
        let data_at = align8(ifd_at + ifd.encoded_len(format));
        let (Ok(offsets), Ok(counts)) = (
            format.offsets(vec![data_at]),
            format.offsets(vec![data_len]),
        ) else {
            continue;
        };
        ifd.set(tag::STRIP_OFFSETS, offsets);
        ifd.set(tag::STRIP_BYTE_COUNTS, counts);
        let (Ok(head), Ok(dir)) = (header(format, ifd_at), ifd.encode(format, ifd_at, 0)) else {
            continue;
        };
        let mut out = Vec::with_capacity(usize::try_from(data_at + data_len).unwrap_or(0));
        out.extend_from_slice(&head);
        out.extend_from_slice(&dir);
        out.resize(usize::try_from(data_at).unwrap_or(out.len()), 0);
        out.extend_from_slice(data);
        return out;
    }
    // BigTIFF holds any in-memory buffer, so the loop always returns.
    Vec::new()
}

fn align8(v: u64) -> u64 {
    v.div_ceil(8) * 8
}
