//! Tests of XYZ tile path parsing: valid forms, tile extents, hostile paths.

use super::*;
use crate::geo::tiles::WORLD_HALF_EXTENT as HALF_WORLD;
use crate::protocol::time::TimePoint;

fn named(org: &str, slug: &str) -> XyzLayer {
    XyzLayer::Name {
        org: org.into(),
        slug: slug.into(),
    }
}

#[test]
fn parses_named_and_uuid_layers() {
    let r = XyzRequest::parse("nelen-schuurmans:dem_nl/3/4/2.png", "").unwrap();
    assert_eq!(
        (r.layer, r.z, r.x, r.y, r.style, r.time),
        (named("nelen-schuurmans", "dem_nl"), 3, 4, 2, None, None)
    );
    let r = XyzRequest::parse("/radar%3A5min/0/0/0.png", "").unwrap();
    assert_eq!(r.layer, named("radar", "5min"));
    let id = "9ad7b1c6-6c43-4c9c-8a24-1b2f3e4d5a6b";
    let r = XyzRequest::parse(&format!("{id}/30/1073741823/0.PNG"), "").unwrap();
    assert_eq!(r.layer, XyzLayer::Id(Uuid::parse_str(id).unwrap()));
    assert_eq!((r.z, r.x), (30, (1 << 30) - 1));
}

#[test]
fn query_styles_and_time() {
    let r = XyzRequest::parse(
        "a:b/1/1/1.png",
        "STYLES=RdBu_r%3A-4.6%3A-1.17&Time=2020-01-01T00%3A00%3A00Z&foo=bar",
    )
    .unwrap();
    assert_eq!(r.style.as_deref(), Some("RdBu_r:-4.6:-1.17"));
    let t = crate::protocol::time::parse_instant("2020-01-01T00:00:00Z").unwrap();
    assert_eq!(r.time, Some(TimeParam::Instant(TimePoint::At(t))));
    let r = XyzRequest::parse("a:b/1/1/1.png", "style=viridis&time=").unwrap();
    assert_eq!((r.style.as_deref(), r.time), (Some("viridis"), None));
    assert_eq!(
        XyzRequest::parse("a:b/1/1/1.png", "styles=a&style=b"),
        Err(XyzError::AmbiguousStyle)
    );
}

#[test]
fn bbox_of_tiles() {
    let r = XyzRequest::parse("a:b/0/0/0.png", "").unwrap();
    assert_eq!(
        r.bbox_3857().unwrap(),
        BBox::new(-HALF_WORLD, -HALF_WORLD, HALF_WORLD, HALF_WORLD)
    );
    let r = XyzRequest::parse("a:b/1/1/0.png", "").unwrap();
    assert_eq!(
        r.bbox_3857().unwrap(),
        BBox::new(0.0, 0.0, HALF_WORLD, HALF_WORLD)
    );
    // Any deeper tile: edges at x·size − R and R − y·size.
    let r = XyzRequest::parse("a:b/12/2104/1346.png", "").unwrap();
    let b = r.bbox_3857().unwrap();
    let size = 2.0 * HALF_WORLD / 4096.0;
    assert!((b.min_x - (2104.0 * size - HALF_WORLD)).abs() < 1e-6);
    assert!((b.max_y - (HALF_WORLD - 1346.0 * size)).abs() < 1e-6);
}

#[test]
fn hostile_paths() {
    let cases: &[(&str, &str, ErrorClass)] = &[
        ("", "", ErrorClass::BadRequest),
        ("a:b/1/1", "", ErrorClass::BadRequest),
        ("a:b/1/1/1", "", ErrorClass::BadRequest),
        ("a:b/1/1/1/1.png", "", ErrorClass::BadRequest),
        ("a:b/1/1/1.jpg", "", ErrorClass::Unsupported),
        ("a:b/1/1/1.png.gz", "", ErrorClass::Unsupported),
        ("a:b/31/0/0.png", "", ErrorClass::NotFound),
        (
            "a:b/99999999999999999999999/0/0.png",
            "",
            ErrorClass::NotFound,
        ),
        ("a:b/1/2/0.png", "", ErrorClass::NotFound),
        ("a:b/1/0/2.png", "", ErrorClass::NotFound),
        ("a:b/0/1/0.png", "", ErrorClass::NotFound),
        ("a:b/30/1073741824/0.png", "", ErrorClass::NotFound),
        ("a:b/-1/0/0.png", "", ErrorClass::BadRequest),
        ("a:b/+1/0/0.png", "", ErrorClass::BadRequest),
        ("a:b/1/ 0/0.png", "", ErrorClass::BadRequest),
        ("a:b/1/0/.png", "", ErrorClass::BadRequest),
        ("a:b/1/0/0x1.png", "", ErrorClass::BadRequest),
        ("a:b/1.5/0/0.png", "", ErrorClass::BadRequest),
        ("nolayerns/1/0/0.png", "", ErrorClass::BadRequest),
        (":b/1/0/0.png", "", ErrorClass::BadRequest),
        ("a:/1/0/0.png", "", ErrorClass::BadRequest),
        ("a:b:c/1/0/0.png", "", ErrorClass::BadRequest),
        ("a%3/1/0/0.png", "", ErrorClass::BadRequest),
        ("a:b%FF/1/0/0.png", "", ErrorClass::BadRequest),
        ("a:b%2Fc/1/0/0.png", "", ErrorClass::BadRequest),
        ("a:b c/1/0/0.png", "", ErrorClass::BadRequest),
        ("a:b/1/0/0.png", "time=yesterday", ErrorClass::BadRequest),
        ("a:b/1/0/0.png", "time=%ZZ", ErrorClass::BadRequest),
        ("a:b/1/0/0.png", "time=1&TIME=2", ErrorClass::BadRequest),
    ];
    for (path, query, class) in cases {
        let e = XyzRequest::parse(path, query).expect_err(path);
        assert_eq!(e.class(), *class, "{path}?{query}: {e}");
        assert!(!e.to_string().is_empty());
    }
    assert!(
        XyzRequest::parse("a:b/1/0/0.png", "time=2000/2001").is_ok(),
        "intervals parse; refusing them is the renderer's call"
    );
}

#[test]
fn render_request_for_a_tile() {
    let layer = crate::model::LayerRef {
        id: Uuid::nil(),
        version: 7,
    };
    let r = XyzRequest::parse("a:b/1/0/1.png", "time=2020-01-01").unwrap();
    let rr = r.render_request(layer, "viridis".into()).unwrap();
    assert_eq!(
        rr.grid,
        GridSpec {
            crs: Crs(3857),
            bbox: BBox::new(-HALF_WORLD, -HALF_WORLD, 0.0, 0.0),
            width: 256,
            height: 256
        }
    );
    let t = crate::protocol::time::parse_instant("2020-01-01").unwrap();
    assert_eq!(
        (rr.time, rr.format, rr.transparent, rr.style.as_str()),
        (TimeSel::Nearest(t), OutputFormat::Png, true, "viridis")
    );
    let r = XyzRequest::parse("a:b/1/0/1.png", "time=2020/2021").unwrap();
    assert_eq!(
        r.render_request(layer, String::new()).unwrap_err().class(),
        ErrorClass::Unsupported
    );
    assert_eq!(
        XyzRequest::parse("a:b/1/0/1.png", "").unwrap().time_sel(),
        Ok(TimeSel::Latest)
    );
}

/// Deterministic pseudo-random paths and queries: errors, never panics.
#[test]
fn token_soup_never_panics() {
    const TOKENS: &[&str] = &[
        "/",
        "a",
        ":",
        "b",
        "0",
        "1",
        "30",
        "31",
        "99999999999999",
        ".png",
        ".PNG",
        ".",
        "%",
        "%3A",
        "%ZZ",
        "-",
        "+",
        "ü",
        "time=",
        "&",
        "2020",
    ];
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..20_000 {
        let mut pick = |max: u64| -> String {
            let n = next() % max;
            (0..n)
                .map(|_| TOKENS[(next() % TOKENS.len() as u64) as usize])
                .collect()
        };
        let path = pick(12);
        let query = pick(6);
        if let Ok(r) = XyzRequest::parse(&path, &query) {
            assert!(
                r.z <= MAX_ZOOM && u64::from(r.x) < 1 << r.z && u64::from(r.y) < 1 << r.z,
                "{path}"
            );
            assert!(r.bbox_3857().unwrap().is_valid());
        }
    }
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn never_panics_on_any_text(path in "\\PC{0,48}", query in "\\PC{0,32}") {
            if let Ok(r) = XyzRequest::parse(&path, &query) {
                let _ = r.bbox_3857();
                let _ = r.time_sel();
            }
        }

        #[test]
        fn never_panics_on_its_own_alphabet(path in "[a-z0-9:%./+ -]{0,40}") {
            if let Ok(r) = XyzRequest::parse(&path, "") {
                prop_assert!(r.z <= MAX_ZOOM);
                prop_assert!(u64::from(r.x) < 1u64 << r.z && u64::from(r.y) < 1u64 << r.z);
                prop_assert!(r.bbox_3857().is_ok());
            }
        }

        #[test]
        fn written_paths_parse_back(
            org in "[a-z0-9][a-z0-9_.-]{0,10}",
            slug in "[a-z0-9][a-z0-9_.-]{0,10}",
            z in 0u8..=MAX_ZOOM,
            fx in 0.0f64..1.0,
            fy in 0.0f64..1.0,
        ) {
            let n = 1u64 << z;
            let x = ((fx * n as f64) as u64).min(n - 1) as u32;
            let y = ((fy * n as f64) as u64).min(n - 1) as u32;
            let r = XyzRequest::parse(&format!("{org}:{slug}/{z}/{x}/{y}.png"), "")
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(r.layer, named(&org, &slug));
            prop_assert_eq!((r.z, r.x, r.y), (z, x, y));
            // Numbers are digits only: no spaces, signs or fractions.
            for bad in [format!(" {x}"), format!("+{x}"), format!("{x}.0"), format!("{x}e0")] {
                let path = format!("{org}:{slug}/{z}/{bad}/{y}.png");
                prop_assert!(XyzRequest::parse(&path, "").is_err(), "{}", path);
            }
        }
    }
}
