//! GetFeatureInfo parsing: the pixel, QUERY_LAYERS, INFO_FORMAT,
//! FEATURE_COUNT and TIME lists, in both versions.

use super::super::{WmsRequest, parse_wms_query};
use super::*;
use crate::model::TimeSel;
use crate::protocol::time::parse_instant;

const BASE13: &str = "SERVICE=WMS&VERSION=1.3.0&REQUEST=GetFeatureInfo&LAYERS=org:a,org:b&STYLES=&CRS=EPSG:28992&BBOX=0,0,100,50&WIDTH=10&HEIGHT=5&FORMAT=image/png&INFO_FORMAT=text/plain&QUERY_LAYERS=org:b";

fn limits() -> WmsLimits {
    WmsLimits {
        max_width: 4096,
        max_height: 2048,
        max_pixels: u64::MAX,
        layer_limit: 3,
    }
}

fn gfi(query: &str) -> GetFeatureInfo {
    match parse_wms_query(query, &limits()) {
        Ok(WmsRequest::GetFeatureInfo(g)) => g,
        other => panic!("{query}: {other:?}"),
    }
}

fn err(query: &str) -> OgcError {
    match parse_wms_query(query, &limits()) {
        Err(e) => e,
        Ok(r) => panic!("{query} parsed: {r:?}"),
    }
}

#[test]
fn pixel_centre_of_i_j() {
    let g = gfi(&format!("{BASE13}&I=0&J=0"));
    assert_eq!((g.i, g.j, g.feature_count), (0, 0, 1));
    assert_eq!(g.point(), (5.0, 45.0));
    let g = gfi(&format!("{BASE13}&I=9&J=4"));
    assert_eq!(g.point(), (95.0, 5.0));
    assert_eq!(g.query_layers, vec!["org:b".to_string()]);
    assert_eq!(g.info_format, InfoFormat::Text);
    // Leading zeros are still a whole number.
    assert_eq!(gfi(&format!("{BASE13}&I=02&J=1")).i, 2);
}

#[test]
fn pixel_outside_or_malformed_is_invalid_point() {
    for (i, j) in [
        ("10", "0"),
        ("60", "0"),
        ("0", "5"),
        ("-1", "0"),
        ("0", "-3"),
        ("x", "0"),
        ("inf", "0"),
        ("NaN", "0"),
        ("1.5", "0"),
        ("0", "1.5"),
        ("2.7", "1"),
        ("+1", "0"),
        ("%201", "0"),
        ("1%20", "0"),
        ("1e0", "0"),
        ("-0", "0"),
        ("99999999999999999999999", "0"),
    ] {
        let e = err(&format!("{BASE13}&I={i}&J={j}"));
        assert_eq!(e.code, Some(OgcCode::InvalidPoint), "{i},{j}");
    }
    let e = err(&format!("{BASE13}&J=1"));
    assert_eq!(e.locator.as_deref(), Some("I"));
}

#[test]
fn version_1_1_1_uses_x_y_and_optional_info_format() {
    let q = BASE13
        .replace("1.3.0", "1.1.1")
        .replace("CRS=", "SRS=")
        .replace("&INFO_FORMAT=text/plain", "");
    let g = gfi(&format!("{q}&X=3&Y=2"));
    assert_eq!((g.i, g.j), (3, 2));
    assert_eq!(g.info_format, InfoFormat::ALL[0]);
    let e = err(&format!("{q}&X=10&Y=2"));
    assert_eq!(
        (e.code, e.version),
        (Some(OgcCode::InvalidPoint), WmsVersion::V1_1_1)
    );
    let g = gfi(&format!("{q}&X=1&Y=1&INFO_FORMAT=application/vnd.ogc.gml"));
    assert_eq!(g.info_format, InfoFormat::Gml);
    // 1.3.0 requires INFO_FORMAT.
    let e = err(&format!(
        "{}&I=1&J=1",
        BASE13.replace("&INFO_FORMAT=text/plain", "")
    ));
    assert_eq!(e.locator.as_deref(), Some("INFO_FORMAT"));
}

#[test]
fn info_formats() {
    for f in InfoFormat::ALL {
        let q = BASE13.replace("text/plain", &f.mime().replace('+', "%2B"));
        assert_eq!(gfi(&format!("{q}&I=1&J=1")).info_format, f);
        // Unencoded: a `+` arrives as a space.
        let q = BASE13.replace("text/plain", f.mime());
        assert_eq!(gfi(&format!("{q}&I=1&J=1")).info_format, f);
    }
    let g = gfi(&format!(
        "{}&I=1&J=1",
        BASE13.replace("text/plain", "TEXT/HTML;%20charset=utf-8")
    ));
    assert_eq!(g.info_format, InfoFormat::Html);
    let e = err(&format!(
        "{}&I=1&J=1",
        BASE13.replace("text/plain", "image/png")
    ));
    assert_eq!(e.code, Some(OgcCode::InvalidFormat));
    assert_eq!(e.locator.as_deref(), Some("INFO_FORMAT"));
}

#[test]
fn query_layers_must_be_map_layers() {
    let e = err(&format!(
        "{}&I=1&J=1",
        BASE13.replace("QUERY_LAYERS=org:b", "QUERY_LAYERS=org:c")
    ));
    assert_eq!(e.code, Some(OgcCode::LayerNotDefined));
    assert_eq!(e.locator.as_deref(), Some("QUERY_LAYERS"));
    let e = err(&format!(
        "{}&I=1&J=1",
        BASE13.replace("&QUERY_LAYERS=org:b", "")
    ));
    assert_eq!(e.locator.as_deref(), Some("QUERY_LAYERS"));
    let g = gfi(&format!(
        "{}&I=1&J=1",
        BASE13.replace("QUERY_LAYERS=org:b", "QUERY_LAYERS=org:b,org:a")
    ));
    assert_eq!(g.query_layers.len(), 2);
}

#[test]
fn feature_count_and_time_lists() {
    let g = gfi(&format!("{BASE13}&I=1&J=1&FEATURE_COUNT=5"));
    assert_eq!(g.feature_count, 5);
    for bad in ["0", "-1", "two"] {
        let e = err(&format!("{BASE13}&I=1&J=1&FEATURE_COUNT={bad}"));
        assert_eq!(e.locator.as_deref(), Some("FEATURE_COUNT"), "{bad}");
    }
    assert_eq!(
        gfi(&format!("{BASE13}&I=1&J=1")).time_sels(),
        Ok(vec![TimeSel::Latest])
    );
    let g = gfi(&format!(
        "{BASE13}&I=1&J=1&TIME=2020-01-01T00:00:00Z,current,2021-05-01"
    ));
    let at = |s: &str| TimeSel::Nearest(parse_instant(s).unwrap());
    assert_eq!(
        g.time_sels(),
        Ok(vec![
            at("2020-01-01T00:00:00Z"),
            TimeSel::Latest,
            at("2021-05-01T00:00:00Z")
        ])
    );
    let g = gfi(&format!(
        "{BASE13}&I=1&J=1&TIME=2020-01-01/2020-02-01,2021-05-01"
    ));
    let e = g.time_sels().unwrap_err();
    assert_eq!(e.code, Some(OgcCode::InvalidDimensionValue));
}

#[test]
fn format_is_optional_for_getfeatureinfo() {
    let g = gfi(&format!(
        "{}&I=1&J=1",
        BASE13.replace("&FORMAT=image/png", "")
    ));
    assert_eq!(g.map.width, 10);
    let e = err(&format!(
        "{}&I=1&J=1",
        BASE13.replace("image/png", "image/bmp")
    ));
    assert_eq!(e.code, Some(OgcCode::InvalidFormat));
    let e = err(&format!(
        "{}&I=1&J=1",
        BASE13.replace("&BBOX=0,0,100,50", "")
    ));
    assert!(
        e.message.contains("GetFeatureInfo needs the BBOX"),
        "{}",
        e.message
    );
}
