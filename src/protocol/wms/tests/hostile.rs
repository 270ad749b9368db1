//! Hostile GetMap input: each bad query gives a typed error naming the
//! parameter (locator, OGC code, class), never a panic.

use super::super::OgcCode;
use super::super::exception::exception_report;
use super::{BASE13, err};
use crate::model::ErrorClass;

/// Bad GetMap input → (locator, code, class). Never a panic.
#[test]
fn hostile_getmap_corpus() {
    use ErrorClass::{BadRequest, TooLarge};
    let ok = format!("{BASE13}&CRS=EPSG:3857&BBOX=0,0,1,1");
    let cases: Vec<(String, &str, Option<OgcCode>, ErrorClass)> = vec![
        // BBOX
        (
            ok.replace("BBOX=0,0,1,1", "BBOX=NaN,0,1,1"),
            "BBOX",
            None,
            BadRequest,
        ),
        (
            ok.replace("BBOX=0,0,1,1", "BBOX=0,0,inf,1"),
            "BBOX",
            None,
            BadRequest,
        ),
        (
            ok.replace("BBOX=0,0,1,1", "BBOX=0,0,1e999,1"),
            "BBOX",
            None,
            BadRequest,
        ),
        (
            ok.replace("BBOX=0,0,1,1", "BBOX=0,0,1"),
            "BBOX",
            None,
            BadRequest,
        ),
        (
            ok.replace("BBOX=0,0,1,1", "BBOX="),
            "BBOX",
            None,
            BadRequest,
        ),
        (ok.replace("&BBOX=0,0,1,1", ""), "BBOX", None, BadRequest),
        (
            ok.replace("BBOX=0,0,1,1", "BBOX=1,0,0,1"),
            "BBOX",
            None,
            BadRequest,
        ),
        (
            ok.replace("BBOX=0,0,1,1", "BBOX=0,0,0,1"),
            "BBOX",
            None,
            BadRequest,
        ),
        (
            ok.replace("BBOX=0,0,1,1", "BBOX=0,1,1,0"),
            "BBOX",
            None,
            BadRequest,
        ),
        (
            ok.replace("BBOX=0,0,1,1", "BBOX=0,1,1,1"),
            "BBOX",
            None,
            BadRequest,
        ),
        (
            ok.replace("BBOX=0,0,1,1", "BBOX=0,0,1,1%00"),
            "BBOX",
            None,
            BadRequest,
        ),
        (
            ok.replace("BBOX=0,0,1,1", &format!("BBOX={}", "9".repeat(5000))),
            "BBOX",
            None,
            BadRequest,
        ),
        // sizes
        (
            ok.replace("WIDTH=256", "WIDTH=0"),
            "WIDTH",
            None,
            BadRequest,
        ),
        (
            ok.replace("WIDTH=256", "WIDTH=-256"),
            "WIDTH",
            None,
            BadRequest,
        ),
        (
            ok.replace("WIDTH=256", "WIDTH=25.6"),
            "WIDTH",
            None,
            BadRequest,
        ),
        (ok.replace("WIDTH=256", "WIDTH="), "WIDTH", None, BadRequest),
        (
            ok.replace("WIDTH=256", "WIDTH=4097"),
            "WIDTH",
            None,
            TooLarge,
        ),
        (
            ok.replace("HEIGHT=128", "HEIGHT=2049"),
            "HEIGHT",
            None,
            TooLarge,
        ),
        (
            ok.replace("HEIGHT=128", "HEIGHT=99999999999999999999999999999999"),
            "HEIGHT",
            None,
            TooLarge,
        ),
        (
            ok.replace("HEIGHT=128", "HEIGHT=0x10"),
            "HEIGHT",
            None,
            BadRequest,
        ),
        // layers / styles
        (
            ok.replace("LAYERS=org:dem", "LAYERS="),
            "LAYERS",
            None,
            BadRequest,
        ),
        (
            ok.replace("&LAYERS=org:dem", ""),
            "LAYERS",
            None,
            BadRequest,
        ),
        (
            ok.replace("LAYERS=org:dem", "LAYERS=a,,b"),
            "LAYERS",
            Some(OgcCode::LayerNotDefined),
            ErrorClass::NotFound,
        ),
        (
            ok.replace("LAYERS=org:dem", "LAYERS=a,"),
            "LAYERS",
            Some(OgcCode::LayerNotDefined),
            ErrorClass::NotFound,
        ),
        (
            ok.replace("LAYERS=org:dem", "LAYERS=a,b,c,d"),
            "LAYERS",
            None,
            TooLarge,
        ),
        (
            ok.replace("STYLES=", "STYLES=,"),
            "STYLES",
            None,
            BadRequest,
        ),
        (
            ok.replace("LAYERS=org:dem&STYLES=", "LAYERS=a,b,c&STYLES=x,y"),
            "STYLES",
            None,
            BadRequest,
        ),
        // CRS, FORMAT and friends
        (
            ok.replace("CRS=EPSG:3857", "CRS=EPSG:9999"),
            "CRS",
            Some(OgcCode::InvalidCRS),
            BadRequest,
        ),
        (
            ok.replace("CRS=EPSG:3857", "CRS=EPSG:99999999999999999999"),
            "CRS",
            Some(OgcCode::InvalidCRS),
            BadRequest,
        ),
        (
            ok.replace("CRS=EPSG:3857", "CRS=AUTO2:42001,1,0,0"),
            "CRS",
            Some(OgcCode::InvalidCRS),
            BadRequest,
        ),
        (ok.replace("&CRS=EPSG:3857", ""), "CRS", None, BadRequest),
        (
            ok.replace("FORMAT=image/png", "FORMAT=image/jpeg"),
            "FORMAT",
            Some(OgcCode::InvalidFormat),
            BadRequest,
        ),
        (
            ok.replace("&FORMAT=image/png", ""),
            "FORMAT",
            None,
            BadRequest,
        ),
        (
            format!("{ok}&TRANSPARENT=maybe"),
            "TRANSPARENT",
            None,
            BadRequest,
        ),
        (format!("{ok}&BGCOLOR=red"), "BGCOLOR", None, BadRequest),
        (
            format!("{ok}&BGCOLOR=0xFFFFFFFF"),
            "BGCOLOR",
            None,
            BadRequest,
        ),
        (
            format!("{ok}&EXCEPTIONS=text/html"),
            "EXCEPTIONS",
            None,
            BadRequest,
        ),
        // TIME
        (
            format!("{ok}&TIME=yesterday"),
            "TIME",
            Some(OgcCode::InvalidDimensionValue),
            BadRequest,
        ),
        (
            format!("{ok}&TIME=2020-13-45"),
            "TIME",
            Some(OgcCode::InvalidDimensionValue),
            BadRequest,
        ),
        (
            format!("{ok}&TIME=2021-01-01/2020-01-01"),
            "TIME",
            Some(OgcCode::InvalidDimensionValue),
            BadRequest,
        ),
        (
            format!("{ok}&TIME=2020-01-01T00:00:00%2B99:00"),
            "TIME",
            Some(OgcCode::InvalidDimensionValue),
            BadRequest,
        ),
        (
            format!("{ok}&TIME={}", vec!["2020"; 500].join(",")),
            "TIME",
            Some(OgcCode::InvalidDimensionValue),
            BadRequest,
        ),
        // the query itself
        (format!("{ok}&BBOX=0,0,2,2"), "BBOX", None, BadRequest),
        (format!("{ok}&layers=x"), "LAYERS", None, BadRequest),
        (format!("{ok}&X=%G1"), "X", None, BadRequest),
        (format!("{ok}&X=%E2%82"), "X", None, BadRequest),
    ];
    for (query, locator, code, class) in cases {
        let e = err(&query);
        let shown = &query[..query.len().min(200)];
        assert_eq!(e.locator.as_deref(), Some(locator), "{shown}: {e:?}");
        assert_eq!(e.code, code, "{shown}: {e:?}");
        assert_eq!(e.class(), class, "{shown}: {e:?}");
        assert!(
            e.message.contains(locator),
            "message must name {locator}: {}",
            e.message
        );
        assert!(
            e.message.len() < 400,
            "client text is clipped: {}",
            e.message
        );
        // Every error renders as a report.
        let (_, bytes) = exception_report(&e);
        assert!(!bytes.is_empty());
    }
}

/// Deterministic pseudo-random queries from hostile fragments: every one must
/// parse or give an error that renders as a report; none may panic.
#[test]
fn token_soup_never_panics() {
    const TOKENS: &[&str] = &[
        "SERVICE=WMS",
        "REQUEST=GetMap",
        "REQUEST=GetCapabilities",
        "VERSION=1.3.0",
        "VERSION=1.1.1",
        "WMTVER=",
        "&",
        "=",
        "%",
        "%2",
        "%ZZ",
        "%C3",
        "%A9",
        "+",
        ",",
        "BBOX=",
        "1e999",
        "NaN",
        "-",
        ".",
        "0",
        "9",
        "99999999999",
        "LAYERS=",
        "a",
        "STYLES=",
        "CRS=",
        "SRS=",
        "EPSG:4326",
        "CRS:84",
        "WIDTH=",
        "HEIGHT=",
        "TIME=",
        "2020-01-01",
        "T",
        "Z",
        ":",
        "/",
        "P1D",
        "current",
        "FORMAT=image/png",
        "TRANSPARENT=",
        "BGCOLOR=0x",
        "EXCEPTIONS=",
        "ü",
        "\u{0}",
        " ",
    ];
    let limits = super::super::WmsLimits::default();
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..20_000 {
        let n = (next() % 24) as usize;
        let query: String = (0..n)
            .map(|_| TOKENS[(next() % TOKENS.len() as u64) as usize])
            .collect();
        if let Err(e) = super::super::parse_wms_query(&query, &limits) {
            assert!(!e.message.is_empty(), "{query}");
            let _ = exception_report(&e);
        }
    }
}

#[test]
fn undecodable_queries_report_in_the_requested_version() {
    use super::super::WmsVersion;
    let e = err("VERSION=1.1.1&REQUEST=GetMap&LAYERS=%ZZ");
    assert_eq!(
        (e.version, e.locator.as_deref(), e.class()),
        (WmsVersion::V1_1_1, Some("LAYERS"), ErrorClass::BadRequest)
    );
    let e = err("WMTVER=1.0.0&REQUEST=map&LAYERS=a&layers=b");
    assert_eq!(
        (e.version, e.locator.as_deref()),
        (WmsVersion::V1_1_1, Some("LAYERS"))
    );
    assert_eq!(err("REQUEST=GetMap&X=%").version, WmsVersion::V1_3_0);
}
