//! Tests of the single-parameter GetMap value parsers.

use super::*;
use crate::model::{Crs, ErrorClass};

const V: WmsVersion = WmsVersion::V1_3_0;

#[test]
fn bbox_numeric_forms() {
    // CITE basic:bbox-exponential after percent-decoding.
    assert_eq!(
        parse_bbox_numbers(V, "-.0005E1,-25E-4,+05E-3,.00025E+1").unwrap(),
        [-0.005, -0.0025, 0.005, 0.0025]
    );
    assert_eq!(
        parse_bbox_numbers(V, " 1e3 , +5,.5 ,-7").unwrap(),
        [1000.0, 5.0, 0.5, -7.0]
    );
    assert_eq!(
        parse_bbox_numbers(V, "0,0,1,1").unwrap(),
        [0.0, 0.0, 1.0, 1.0]
    );
}

#[test]
fn bbox_rejects_non_numbers() {
    for raw in [
        "inf,0,1,1",
        "0,NaN,1,1",
        "0,0,infinity,1",
        "0,0,1e400,1",
        "-1e309,0,1,1",
        "0,0,1",
        "0,0,1,1,1",
        "",
        ",,,",
        "0,0,1,1x",
        "0x10,0,1,1",
        "1..2,0,3,4",
        "--1,0,1,1",
        "1,2,3,٤",
    ] {
        let e = parse_bbox_numbers(V, raw).unwrap_err();
        assert_eq!(e.locator.as_deref(), Some("BBOX"), "{raw}");
        assert!(e.message.contains("BBOX"), "{raw}: {}", e.message);
        assert_eq!(e.class(), ErrorClass::BadRequest);
    }
}

#[test]
fn sizes() {
    assert_eq!(parse_size(V, "WIDTH", "256", 4096).unwrap(), 256);
    assert_eq!(parse_size(V, "WIDTH", "0256", 4096).unwrap(), 256);
    assert_eq!(parse_size(V, "WIDTH", "4096", 4096).unwrap(), 4096);
    for raw in [
        "0",
        "000",
        "-1",
        "1.5",
        "",
        "abc",
        "1e3",
        "+",
        "١٢",
        " 256",
        "256 ",
        " +0256 ",
        "+256",
        "256.0",
        "2e2",
        "0x100",
        "256\0",
        "\t256",
        "２５６",
    ] {
        let e = parse_size(V, "WIDTH", raw, 4096).unwrap_err();
        assert_eq!(
            (e.locator.as_deref(), e.class()),
            (Some("WIDTH"), ErrorClass::BadRequest),
            "{raw}"
        );
    }
    for raw in [
        "4097",
        "99999999999999999999999999",
        "4294967296",
        "18446744073709551616",
    ] {
        let e = parse_size(V, "HEIGHT", raw, 4096).unwrap_err();
        assert_eq!(
            (e.locator.as_deref(), e.class()),
            (Some("HEIGHT"), ErrorClass::TooLarge),
            "{raw}"
        );
        assert!(e.message.contains("HEIGHT"));
    }
    assert_eq!(
        parse_size(V, "WIDTH", "4294967295", u32::MAX).unwrap(),
        u32::MAX
    );
}

#[test]
fn formats() {
    for f in [
        "image/png",
        "IMAGE/PNG",
        "png",
        "image/png; mode=8bit",
        "image/png8",
        "image/png;mode=24bit",
        " image/png ",
    ] {
        assert_eq!(GetMapFormat::parse(f), Some(GetMapFormat::Png), "{f}");
    }
    for f in [
        "image/tiff",
        "image/geotiff",
        "tiff",
        "image/tiff; application=geotiff",
    ] {
        assert_eq!(GetMapFormat::parse(f), Some(GetMapFormat::Tiff), "{f}");
    }
    for f in [
        "image/jpeg",
        "image/gif",
        "",
        "text/xml",
        "image/",
        "image/pngx",
    ] {
        assert_eq!(GetMapFormat::parse(f), None, "{f}");
    }
    assert_eq!(GetMapFormat::Png.mime(), "image/png");
    assert_eq!(GetMapFormat::Tiff.mime(), "image/tiff");
}

#[test]
fn booleans_colours_exceptions() {
    for (raw, want) in [
        ("TRUE", true),
        ("fAlSe", false),
        ("true", true),
        ("1", true),
        ("0", false),
    ] {
        assert_eq!(parse_bool(V, "TRANSPARENT", raw).unwrap(), want);
    }
    assert_eq!(
        parse_bool(V, "TRANSPARENT", "yes")
            .unwrap_err()
            .locator
            .as_deref(),
        Some("TRANSPARENT")
    );
    assert_eq!(parse_bgcolor(V, "0x0000FF").unwrap(), Rgb([0, 0, 255]));
    assert_eq!(
        parse_bgcolor(V, "0XaBcDeF").unwrap(),
        Rgb([0xab, 0xcd, 0xef])
    );
    for raw in [
        "0000FF",
        "#0000FF",
        "0x00FF",
        "0x0000FFF",
        "0xGG0000",
        "0x+0000F",
    ] {
        assert_eq!(
            parse_bgcolor(V, raw).unwrap_err().locator.as_deref(),
            Some("BGCOLOR"),
            "{raw}"
        );
    }
    assert_eq!(ExceptionsFormat::parse("xml"), Some(ExceptionsFormat::Xml));
    assert_eq!(
        ExceptionsFormat::parse("application/vnd.ogc.se_inimage"),
        Some(ExceptionsFormat::InImage)
    );
    assert_eq!(
        ExceptionsFormat::parse("BLANK"),
        Some(ExceptionsFormat::Blank)
    );
    assert_eq!(ExceptionsFormat::parse("json"), None);
}

#[test]
fn crs_codes_per_version() {
    assert_eq!(parse_crs(V, "CRS", "epsg:28992").unwrap().crs, Crs(28992));
    let e = parse_crs(V, "CRS", "EPSG:9999").unwrap_err();
    assert_eq!(e.code_str(), Some("InvalidCRS"));
    let e = parse_crs(WmsVersion::V1_1_1, "SRS", "EPSG:9999").unwrap_err();
    assert_eq!(e.code_str(), Some("InvalidSRS"));
    assert_eq!(e.locator.as_deref(), Some("SRS"));
}

#[test]
fn whole_numbers_are_digits_only() {
    assert_eq!(parse_whole("0"), Some(0));
    assert_eq!(parse_whole("007"), Some(7));
    assert_eq!(parse_whole("18446744073709551615"), Some(u64::MAX));
    assert_eq!(parse_whole("99999999999999999999999"), Some(u64::MAX));
    for bad in ["", " 1", "1 ", "+1", "-1", "1.0", "1e3", "0x1", "١"] {
        assert_eq!(parse_whole(bad), None, "{bad:?}");
    }
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn bbox_never_panics_on_any_text(s in "\\PC{0,64}") {
            let _ = parse_bbox_numbers(V, &s);
        }

        #[test]
        fn bbox_never_panics_on_its_own_alphabet(s in "[-+0-9eE.,infaINFA ]{0,48}") {
            if let Ok(n) = parse_bbox_numbers(V, &s) {
                prop_assert!(n.iter().all(|v| v.is_finite()), "{}", s);
            }
        }

        #[test]
        fn written_bboxes_parse_back(n in proptest::array::uniform4(-1e300f64..1e300)) {
            let text = format!("{:?},{:?},{:?},{:?}", n[0], n[1], n[2], n[3]);
            prop_assert_eq!(parse_bbox_numbers(V, &text).ok(), Some(n));
            let exp = format!("{:e},{:E},{:e},{:e}", n[0], n[1], n[2], n[3]);
            prop_assert_eq!(parse_bbox_numbers(V, &exp).ok(), Some(n));
        }

        #[test]
        fn sizes_are_exactly_the_written_integers(v in 1u32..=4096, pad in 0usize..3) {
            let text = format!("{}{v}", "0".repeat(pad));
            prop_assert_eq!(parse_size(V, "WIDTH", &text, 4096).ok(), Some(v));
            for bad in [format!(" {v}"), format!("{v} "), format!("+{v}"), format!("{v}.0"), format!("{v}e0")] {
                prop_assert!(parse_size(V, "WIDTH", &bad, 4096).is_err(), "{}", bad);
            }
        }

        #[test]
        fn whole_never_panics(s in "\\PC{0,32}") {
            if let Some(v) = parse_whole(&s) {
                prop_assert!(s.bytes().all(|b| b.is_ascii_digit()));
                prop_assert!(v == u64::MAX || s.trim_start_matches('0').parse::<u64>().unwrap_or(0) == v);
            }
        }
    }
}
