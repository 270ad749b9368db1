//! Tests of the TIFF writing primitives and `encode_geotiff`, read back with the
//! independent `tiff` crate decoder; GDAL_NODATA texts are those GDAL 3.10 wrote.

use super::*;
use crate::encode::geotiff::encode_geotiff;
use crate::model::{Crs, GeoTransform, RasterBuf, RasterData};
use ::tiff::decoder::{Decoder, DecodingResult};
use ::tiff::tags::Tag;
use std::io::Cursor;

#[test]
fn nodata_text_matches_gdal() {
    // (value, text GDAL 3.10.3 wrote into tag 42113, read from files made by rasterio)
    let cases = [
        (-3.4028234663852886e38, "-3.4028234663852886e+38"),
        (0.1, "0.10000000000000001"),
        (-9999.0, "-9999"),
        (f64::NAN, "nan"),
        (255.0, "255"),
        (1e20, "1e+20"),
        (-32768.0, "-32768"),
        (1.5, "1.5"),
        (3e-5, "3.0000000000000001e-05"),
    ];
    for (v, want) in cases {
        assert_eq!(gdal_nodata_text(v), want, "{v}");
    }
    assert_eq!(gdal_nodata_text(f64::NEG_INFINITY), "-inf");
    assert_eq!(gdal_nodata_text(0.0), "0");
    assert_eq!(gdal_nodata_text(1e16), "10000000000000000");
    assert_eq!(gdal_nodata_text(1e17), "1e+17");
    assert_eq!(gdal_nodata_text(0.0001), "0.0001");
}

#[test]
fn encoded_len_is_exact() {
    for format in [Format::Classic, Format::Big] {
        let mut ifd = Ifd::new();
        ifd.set(tag::IMAGE_WIDTH, Value::Long(vec![3]));
        ifd.set(tag::GDAL_NODATA, Value::Ascii("-9999".into()));
        ifd.set(tag::MODEL_TIEPOINT, Value::Double(vec![0.0; 6]));
        ifd.set(tag::BITS_PER_SAMPLE, Value::Short(vec![8, 8, 8]));
        ifd.set(tag::SAMPLE_FORMAT, Value::Byte(vec![1]));
        let bytes = ifd.encode(format, 8, 0).unwrap();
        assert_eq!(bytes.len() as u64, ifd.encoded_len(format));
    }
    let mut ifd = Ifd::new();
    ifd.set(tag::IMAGE_WIDTH, Value::Long(vec![3]));
    ifd.set(tag::MODEL_TIEPOINT, Value::Double(vec![0.0; 6]));
    // Directory of 2 entries (2 + 24 + 4 bytes), the tiepoint right after it.
    assert_eq!(
        ifd.encode(Format::Classic, 1 << 33, 0),
        Err(TiffWriteError::OffsetOverflow((1 << 33) + 30))
    );
    assert!(ifd.encode(Format::Big, 1 << 33, 0).is_ok());
    assert!(
        Format::Classic
            .offsets(vec![u64::from(u32::MAX) + 1])
            .is_err()
    );
}

fn tag_f64s(d: &mut Decoder<Cursor<Vec<u8>>>, t: u16) -> Vec<f64> {
    d.get_tag_f64_vec(Tag::Unknown(t)).unwrap()
}

#[test]
fn geotiff_reads_back_with_tiff_crate() {
    let transform = GeoTransform {
        origin_x: 155000.0,
        origin_y: 463000.0,
        pixel_x: 0.5,
        pixel_y: -0.25,
    };
    let data: Vec<f32> = (0..35).map(|i| i as f32 * 0.5 - 3.0).collect();
    let buf = RasterBuf {
        width: 7,
        height: 5,
        data: RasterData::F32(data.clone()),
        nodata: Some(-9999.0),
    };
    let bytes = encode_geotiff(&buf, Crs(28992), &transform);
    let mut d = Decoder::new(Cursor::new(bytes)).unwrap();
    assert_eq!(d.dimensions().unwrap(), (7, 5));
    match d.read_image().unwrap() {
        DecodingResult::F32(v) => assert_eq!(v, data),
        other => panic!("wrong type {other:?}"),
    }
    assert_eq!(
        tag_f64s(&mut d, tag::MODEL_PIXEL_SCALE),
        vec![0.5, 0.25, 0.0]
    );
    assert_eq!(
        tag_f64s(&mut d, tag::MODEL_TIEPOINT),
        vec![0.0, 0.0, 0.0, 155000.0, 463000.0, 0.0]
    );
    assert_eq!(
        d.get_tag_u16_vec(Tag::GeoKeyDirectoryTag).unwrap(),
        vec![1, 1, 0, 3, 1024, 0, 1, 1, 1025, 0, 1, 1, 3072, 0, 1, 28992]
    );
    assert_eq!(d.get_tag_ascii_string(Tag::GdalNodata).unwrap(), "-9999");

    // Geographic, integer, no nodata.
    let buf = RasterBuf {
        width: 2,
        height: 3,
        data: RasterData::I16(vec![-1, 2, -3, 4, -5, 32767]),
        nodata: None,
    };
    let t = GeoTransform {
        origin_x: 4.0,
        origin_y: 53.0,
        pixel_x: 0.1,
        pixel_y: -0.1,
    };
    let mut d = Decoder::new(Cursor::new(encode_geotiff(&buf, Crs(4326), &t))).unwrap();
    match d.read_image().unwrap() {
        DecodingResult::I16(v) => assert_eq!(v, vec![-1, 2, -3, 4, -5, 32767]),
        other => panic!("wrong type {other:?}"),
    }
    assert_eq!(
        d.get_tag_u16_vec(Tag::GeoKeyDirectoryTag).unwrap()[4..],
        [1024, 0, 1, 2, 1025, 0, 1, 1, 2048, 0, 1, 4326]
    );
    assert!(d.find_tag(Tag::GdalNodata).unwrap().is_none());
}

#[test]
fn every_dtype_round_trips() {
    let t = GeoTransform {
        origin_x: 0.0,
        origin_y: 10.0,
        pixel_x: 1.0,
        pixel_y: -1.0,
    };
    let cases = vec![
        RasterData::U8(vec![0, 255, 7]),
        RasterData::I8(vec![-128, 127, 0]),
        RasterData::U16(vec![0, 65535, 7]),
        RasterData::I16(vec![-32768, 32767, 0]),
        RasterData::U32(vec![0, u32::MAX, 7]),
        RasterData::I32(vec![i32::MIN, i32::MAX, 0]),
        RasterData::F32(vec![f32::MIN, f32::MAX, 0.5]),
        RasterData::F64(vec![f64::MIN, f64::MAX, 0.25]),
    ];
    for data in cases {
        let buf = RasterBuf {
            width: 3,
            height: 1,
            data: data.clone(),
            nodata: Some(0.0),
        };
        let mut d = Decoder::new(Cursor::new(encode_geotiff(&buf, Crs(3857), &t))).unwrap();
        let got = match d.read_image().unwrap() {
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
        assert_eq!(got, data);
    }
}
