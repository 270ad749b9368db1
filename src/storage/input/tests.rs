//! Decoding the golden inputs against rasterio's answers (`tests/golden/storage`),
//! refusing the bad ones, and a hostile corpus that must give errors, never panics.

use super::*;
use crate::encode::tiff::{Format, Ifd, Value, header, tag};
use crate::geo::crs::lookup;
use crate::storage::georef::GeorefError;
use std::io::Cursor;
use std::path::PathBuf;

pub(crate) fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/storage")
}

pub(crate) fn expected() -> serde_json::Value {
    let text = std::fs::read_to_string(golden_dir().join("expected.json"))
        .expect("expected.json is committed");
    serde_json::from_str(&text).expect("valid JSON")
}

pub(crate) fn fnv1a64(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf29ce484222325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x100000001b3);
    }
    format!("{h:016x}")
}

fn same_f64(a: f64, b: f64) -> bool {
    a == b || (a.is_nan() && b.is_nan())
}

fn parse_repr(v: &serde_json::Value) -> f64 {
    v.as_str()
        .expect("repr string")
        .parse()
        .expect("a float repr")
}

#[test]
fn goldens_decode_exactly_as_rasterio() {
    let exp = expected();
    let good = exp["good"].as_object().expect("good section");
    assert!(good.len() >= 20, "covering set of inputs");
    for (name, want) in good {
        let path = golden_dir().join("inputs").join(format!("{name}.tif"));
        let got =
            decode_geotiff(&path, &Limits::default()).unwrap_or_else(|e| panic!("{name}: {e}"));
        let buf = &got.data;
        assert_eq!(
            u64::from(buf.width),
            want["width"].as_u64().unwrap(),
            "{name}"
        );
        assert_eq!(
            u64::from(buf.height),
            want["height"].as_u64().unwrap(),
            "{name}"
        );
        assert_eq!(
            buf.dtype().numpy_name(),
            want["dtype"].as_str().unwrap(),
            "{name}"
        );
        assert_eq!(
            u64::from(got.crs.epsg()),
            want["epsg"].as_u64().unwrap(),
            "{name}"
        );
        let t = &want["transform"];
        let t: Vec<f64> = (0..4).map(|i| t[i].as_f64().unwrap()).collect();
        assert_eq!(
            [
                got.transform.origin_x,
                got.transform.pixel_x,
                got.transform.origin_y,
                got.transform.pixel_y
            ],
            [t[0], t[1], t[2], t[3]],
            "{name} transform"
        );
        match (got.nodata, want["nodata"].as_str()) {
            (None, None) => {}
            (Some(a), Some(b)) => {
                assert!(same_f64(a, b.parse().unwrap()), "{name}: nodata {a} vs {b}")
            }
            (a, b) => panic!("{name}: nodata {a:?} vs {b:?}"),
        }
        assert_eq!(buf.nodata.map(f64::to_bits), got.nodata.map(f64::to_bits));
        assert_eq!(
            fnv1a64(buf.data.as_bytes()),
            want["fnv1a64"].as_str().unwrap(),
            "{name}: pixels"
        );
        for p in want["pixels"].as_array().unwrap() {
            let (r, c) = (
                p[0].as_u64().unwrap() as usize,
                p[1].as_u64().unwrap() as usize,
            );
            let v = buf.data.get_f64(r * buf.width as usize + c);
            assert!(same_f64(v, parse_repr(&p[2])), "{name} pixel ({r},{c}) {v}");
        }
        // The valid-pixel sum, an independent check of the nodata handling (numpy sums pairwise).
        let nd = got.nodata;
        let sum: f64 = (0..buf.data.len())
            .map(|i| buf.data.get_f64(i))
            .filter(|v| !v.is_nan() && nd.is_none_or(|n| !same_in_dtype(*v, n, buf.dtype())))
            .sum();
        let want_sum = want["valid_sum"].as_f64().unwrap();
        assert!(
            (sum - want_sum).abs() <= want_sum.abs() * 1e-12,
            "{name}: sum {sum} vs {want_sum}"
        );
    }
}

/// Equality after casting the nodata value to the data type, as GDAL compares.
fn same_in_dtype(v: f64, nodata: f64, dtype: crate::model::DataType) -> bool {
    match dtype {
        crate::model::DataType::F32 => v as f32 == nodata as f32,
        _ => v == nodata,
    }
}

#[test]
fn bad_goldens_are_refused_with_the_right_cause() {
    use crate::model::ErrorClass;
    let exp = expected();
    for (name, kind) in exp["bad"].as_object().unwrap() {
        let path = golden_dir().join("inputs").join(format!("{name}.tif"));
        let err = decode_geotiff(&path, &Limits::default()).expect_err(name);
        let ok = match kind.as_str().unwrap() {
            "multi_band" => matches!(err, InputError::MultiBand(3)),
            "rotated" => matches!(err, InputError::Georef(GeorefError::Rotated)),
            "no_crs" => matches!(err, InputError::Georef(GeorefError::NoCrs)),
            "user_defined_crs" => matches!(err, InputError::Georef(GeorefError::UserDefinedCrs)),
            "unsupported_crs" => {
                matches!(err, InputError::Georef(GeorefError::UnsupportedCrs(2056)))
            }
            other => panic!("unknown kind {other}"),
        };
        assert!(ok, "{name}: got {err:?}");
        assert_ne!(err.class(), ErrorClass::Internal, "{name}");
    }
    assert!(
        lookup(2056).is_none(),
        "the unsupported-EPSG golden relies on 2056 being unknown"
    );
}

/// A classic TIFF with one IFD of `entries` and `data` after it.
fn craft(entries: Vec<(u16, Value)>, data: &[u8], next_self: bool) -> Vec<u8> {
    let mut ifd = Ifd::new();
    for (t, v) in entries {
        ifd.set(t, v);
    }
    let at = 8;
    let next = if next_self { at } else { 0 };
    let mut out = header(Format::Classic, at).unwrap();
    out.extend(ifd.encode(Format::Classic, at, next).unwrap());
    out.extend_from_slice(data);
    out
}

fn georef_tags() -> Vec<(u16, Value)> {
    vec![
        (tag::MODEL_PIXEL_SCALE, Value::Double(vec![1.0, 1.0, 0.0])),
        (
            tag::MODEL_TIEPOINT,
            Value::Double(vec![0.0, 0.0, 0.0, 100.0, 200.0, 0.0]),
        ),
        (
            tag::GEO_KEY_DIRECTORY,
            Value::Short(vec![1, 1, 0, 1, 3072, 0, 1, 28992]),
        ),
    ]
}

fn striped(width: u32, height: u32, offset: u32, count: u32) -> Vec<(u16, Value)> {
    let mut e = vec![
        (tag::IMAGE_WIDTH, Value::Long(vec![width])),
        (tag::IMAGE_LENGTH, Value::Long(vec![height])),
        (tag::BITS_PER_SAMPLE, Value::Short(vec![8])),
        (tag::COMPRESSION, Value::Short(vec![1])),
        (tag::PHOTOMETRIC, Value::Short(vec![1])),
        (tag::STRIP_OFFSETS, Value::Long(vec![offset])),
        (tag::ROWS_PER_STRIP, Value::Long(vec![height])),
        (tag::STRIP_BYTE_COUNTS, Value::Long(vec![count])),
    ];
    e.extend(georef_tags());
    e
}

fn decode_bytes(bytes: Vec<u8>, limits: &Limits) -> Result<DecodedRaster, InputError> {
    decode_reader(Cursor::new(bytes), limits)
}

#[test]
fn crafted_file_decodes() {
    // The crafting helper itself makes valid files: the hostile variants below differ by one thing.
    let len = craft(striped(3, 2, 0, 6), &[], false).len() as u32;
    let ok = craft(striped(3, 2, len, 6), &[1, 2, 3, 4, 5, 6], false);
    let r = decode_bytes(ok, &Limits::default()).unwrap();
    assert_eq!(
        r.data.data,
        crate::model::RasterData::U8(vec![1, 2, 3, 4, 5, 6])
    );
    assert_eq!(r.transform.origin_x, 100.0);
}

#[test]
fn hostile_inputs_give_errors() {
    let limits = Limits::default();
    let len = craft(striped(3, 2, 0, 6), &[], false).len() as u32;
    // Huge declared size: refused by the limits before any allocation.
    let huge = craft(striped(1_000_000, 1_000_000, len, 6), &[0; 6], false);
    assert!(matches!(
        decode_bytes(huge, &limits),
        Err(InputError::TooLarge { .. })
    ));
    let wide = craft(striped(50_000, 50_000, len, 6), &[0; 6], false);
    assert!(matches!(
        decode_bytes(wide, &limits),
        Err(InputError::TooLarge {
            what: "the pixel count",
            ..
        })
    ));
    // Zero size.
    assert!(decode_bytes(craft(striped(0, 5, len, 6), &[0; 6], false), &limits).is_err());
    // Strip past the end of the file.
    let past = craft(striped(3, 2, len + 1000, 6), &[0; 6], false);
    assert!(decode_bytes(past, &limits).is_err());
    // Strip shorter than the image.
    let short = craft(striped(3, 2, len, 6), &[0; 2], false);
    assert!(decode_bytes(short, &limits).is_err());
    // IFD pointing to itself: the first image is still decodable or refused, never a hang.
    let looped = craft(striped(3, 2, len, 6), &[1, 2, 3, 4, 5, 6], true);
    let _ = decode_bytes(looped, &limits);
    // Garbage, empty, header only, header pointing past the end.
    assert!(decode_bytes(b"this is not a tiff at all".to_vec(), &limits).is_err());
    assert!(decode_bytes(Vec::new(), &limits).is_err());
    assert!(decode_bytes(b"II*\0".to_vec(), &limits).is_err());
    assert!(decode_bytes(b"II*\0\xff\xff\xff\x7f".to_vec(), &limits).is_err());
    assert!(matches!(
        decode_bytes(b"II*\0\x08\0\0\0".to_vec(), &limits),
        Err(InputError::Truncated)
    ));
    // Unsupported sample type (1-bit).
    let mut one_bit = striped(8, 1, len, 1);
    one_bit[2] = (tag::BITS_PER_SAMPLE, Value::Short(vec![1]));
    let r = decode_bytes(craft(one_bit, &[0xff], false), &limits);
    assert!(
        matches!(
            r,
            Err(InputError::UnsupportedSampleType { bits: 1, format: 1 })
        ),
        "{r:?}"
    );
    // Tight limits on a real file.
    let path = golden_dir().join("inputs/f64_tile_none.tif");
    let tight = Limits {
        max_decoded_bytes: 1000,
        ..Limits::default()
    };
    assert!(matches!(
        decode_geotiff(&path, &tight),
        Err(InputError::TooLarge { .. })
    ));
    let narrow = Limits {
        max_width: 20,
        ..Limits::default()
    };
    assert!(matches!(
        decode_geotiff(&path, &narrow),
        Err(InputError::TooLarge { what: "width", .. })
    ));
    assert!(matches!(
        decode_geotiff(Path::new("/nonexistent/x.tif"), &limits),
        Err(InputError::Io(_))
    ));
}

#[test]
fn truncated_and_mutated_goldens_never_panic() {
    let limits = Limits::default();
    let mut seed: u64 = 0x9e3779b97f4a7c15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut failures = 0;
    for entry in std::fs::read_dir(golden_dir().join("inputs")).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        for cut in (0..bytes.len()).step_by(37) {
            if decode_bytes(bytes[..cut].to_vec(), &limits).is_err() {
                failures += 1;
            }
        }
        for _ in 0..60 {
            let mut m = bytes.clone();
            for _ in 0..1 + next() % 4 {
                let i = (next() % m.len() as u64) as usize;
                m[i] = next() as u8;
            }
            let _ = decode_bytes(m, &limits);
        }
    }
    assert!(failures > 100, "truncations are detected");
}

#[test]
fn nan_nodata_spellings_are_one_canonical_nan() {
    for text in ["nan", "NaN", "-nan", "-NaN", "+nan", "nan\0", " NAN "] {
        let v = parse_nodata(text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
        assert_eq!(v.to_bits(), f64::NAN.to_bits(), "{text:?}");
    }
    assert_eq!(parse_nodata("-9999\0").unwrap(), -9999.0);
    assert!(matches!(
        parse_nodata("nanx"),
        Err(InputError::BadNodata(_))
    ));
    assert!(matches!(parse_nodata(""), Err(InputError::BadNodata(_))));
}

#[test]
fn absurd_georeferencing_is_refused_with_its_cause() {
    use crate::model::GeoTransform;
    let t = |origin_x, origin_y, pixel_x, pixel_y| GeoTransform {
        origin_x,
        origin_y,
        pixel_x,
        pixel_y,
    };
    let cause = |g: GeoTransform, w, h| match check_extent(&g, w, h) {
        Err(GeorefError::BadTransform(m)) => m,
        other => panic!("{g:?}: {other:?}"),
    };
    assert!(check_extent(&t(100_000.0, 500_000.0, 10.0, -10.0), 1000, 1000).is_ok());
    // ±1e15 itself is accepted; one pixel further is not.
    assert!(check_extent(&t(-1e15, 1e15, 1e-3, -1e-3), 10, 10).is_ok());
    assert!(check_extent(&t(1e15, 0.0, 1e9, -1e9), 10, 10).is_err());
    assert!(check_extent(&t(-1e14, 1e14, 1e9, -1e9), 10, 10).is_ok());
    assert!(cause(t(1e300, 0.0, 1.0, -1.0), 10, 10).contains("origin"));
    assert!(cause(t(0.0, -1e16, 1.0, -1.0), 10, 10).contains("origin"));
    assert!(cause(t(f64::NAN, 0.0, 1.0, -1.0), 10, 10).contains("origin"));
    assert!(cause(t(0.0, f64::INFINITY, 1.0, -1.0), 10, 10).contains("origin"));
    assert!(cause(t(0.0, 0.0, 1e16, -1.0), 10, 10).contains("pixel size"));
    assert!(cause(t(0.0, 0.0, 1.0, f64::NEG_INFINITY), 10, 10).contains("pixel size"));
    assert!(cause(t(0.0, 0.0, 0.0, -1.0), 10, 10).contains("zero"));
    assert!(cause(t(0.0, 0.0, 1.0, -0.0), 10, 10).contains("zero"));
    // Each value is fine; multiplied by the size the far corner is not.
    assert!(cause(t(9e14, 0.0, 1e14, -1.0), 10, 10).contains("far corner"));
    assert!(cause(t(0.0, 0.0, 1.0, -1e11), 100_000, 100_000).contains("far corner"));

    // Through the decoder: a crafted file with an origin of 1e300 is refused.
    let len = craft(striped(3, 2, 0, 6), &[], false).len() as u32;
    let mut entries = striped(3, 2, len, 6);
    for e in entries.iter_mut() {
        if e.0 == TAG_TIEPOINT {
            e.1 = Value::Double(vec![0.0, 0.0, 0.0, 1e300, 50.0, 0.0]);
        }
    }
    let r = decode_bytes(
        craft(entries, &[1, 2, 3, 4, 5, 6], false),
        &Limits::default(),
    );
    assert!(
        matches!(r, Err(InputError::Georef(GeorefError::BadTransform(_)))),
        "{r:?}"
    );
}

#[test]
fn band_reads_match_the_whole_decode_for_every_golden() {
    let exp = expected();
    for name in exp["good"].as_object().expect("good").keys() {
        let path = golden_dir().join("inputs").join(format!("{name}.tif"));
        let whole = decode_geotiff(&path, &Limits::default()).unwrap();
        let mut reader = open_geotiff(&path, &Limits::default()).unwrap();
        assert_eq!(
            reader.header.nodata.map(f64::to_bits),
            whole.nodata.map(f64::to_bits)
        );
        let (w, h) = (whole.data.width, whole.data.height);
        let row_bytes = w as usize * whole.data.dtype().size();
        let mut y0 = 0;
        // Odd band heights cross strip and tile boundaries.
        for rows in [1u32, 7, 3, 50, 13].iter().cycle() {
            if y0 >= h {
                break;
            }
            let rows = (*rows).min(h - y0);
            let band = reader.read_band(y0, rows).unwrap();
            let want = &whole.data.data.as_bytes()
                [y0 as usize * row_bytes..(y0 + rows) as usize * row_bytes];
            assert_eq!(band.data.as_bytes(), want, "{name} rows {y0}+{rows}");
            y0 += rows;
        }
        // Rows already handed out cannot be read again.
        assert!(reader.read_band(0, 1).is_err(), "{name}");
    }
}
