//! Tests of the store format: round trips of the golden inputs, overviews on a
//! hand-checked case, window reads, a hostile corpus of store files, and `Store`.
//! Written files are also read back with the independent `tiff` crate decoder.

mod hostile;
mod overview;
mod roundtrip;
mod store;
mod window;

use crate::model::{Crs, DataType, GeoTransform, Pixel, RasterBuf, RasterData};
use crate::storage::DecodedRaster;
use std::io::Cursor;
use std::path::PathBuf;
use tiff::decoder::{Decoder, DecodingResult};

/// A fresh empty folder under the system temp dir.
pub(super) fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "tegel-storage-{tag}-{}",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `values` converted to `dtype` (as `Pixel::from_f64`).
pub(super) fn data_of(dtype: DataType, values: &[f64]) -> RasterData {
    fn conv<T: Pixel>(v: &[f64]) -> Vec<T> {
        v.iter().map(|&x| T::from_f64(x)).collect()
    }
    match dtype {
        DataType::U8 => RasterData::U8(conv(values)),
        DataType::I8 => RasterData::I8(conv(values)),
        DataType::U16 => RasterData::U16(conv(values)),
        DataType::I16 => RasterData::I16(conv(values)),
        DataType::U32 => RasterData::U32(conv(values)),
        DataType::I32 => RasterData::I32(conv(values)),
        DataType::F32 => RasterData::F32(conv(values)),
        DataType::F64 => RasterData::F64(conv(values)),
    }
}

/// A `dtype` raster of `f(row, col)` values in RD New.
pub(super) fn raster(
    dtype: DataType,
    w: u32,
    h: u32,
    nodata: Option<f64>,
    f: impl Fn(u32, u32) -> f64,
) -> DecodedRaster {
    let v: Vec<f64> = (0..h)
        .flat_map(|r| (0..w).map(move |c| (r, c)))
        .map(|(r, c)| f(r, c))
        .collect();
    let data = RasterBuf {
        width: w,
        height: h,
        data: data_of(dtype, &v),
        nodata,
    };
    let transform = GeoTransform {
        origin_x: 100000.0,
        origin_y: 500000.0,
        pixel_x: 10.0,
        pixel_y: -10.0,
    };
    DecodedRaster {
        crs: Crs(28992),
        transform,
        nodata,
        data,
    }
}

/// Every level of a file as the `tiff` crate decodes it.
pub(super) fn tiff_crate_levels(bytes: &[u8]) -> Vec<RasterBuf> {
    let mut d = Decoder::new(Cursor::new(bytes)).unwrap();
    let mut out = Vec::new();
    loop {
        let (w, h) = d.dimensions().unwrap();
        let data = match d.read_image().unwrap() {
            DecodingResult::U8(v) => RasterData::U8(v),
            DecodingResult::I8(v) => RasterData::I8(v),
            DecodingResult::U16(v) => RasterData::U16(v),
            DecodingResult::I16(v) => RasterData::I16(v),
            DecodingResult::U32(v) => RasterData::U32(v),
            DecodingResult::I32(v) => RasterData::I32(v),
            DecodingResult::F32(v) => RasterData::F32(v),
            DecodingResult::F64(v) => RasterData::F64(v),
            other => panic!("unexpected {other:?}"),
        };
        out.push(RasterBuf {
            width: w,
            height: h,
            data,
            nodata: None,
        });
        if !d.more_images() {
            return out;
        }
        d.next_image().unwrap();
    }
}

/// Pixel data compared bit for bit (NaN equal to NaN).
pub(super) fn same_bits(a: &RasterData, b: &RasterData) -> bool {
    a.dtype() == b.dtype() && a.as_bytes() == b.as_bytes()
}
