//! Request parsing: every GetMap/GetCapabilities rule and exception reports
//! validated against the offline OGC schemas (the hostile corpus is in
//! `hostile_tests.rs`).

use super::exception::exception_report;
use super::*;
use crate::model::{BBox, Crs, ErrorClass, Rgb, TimeSel};
use crate::protocol::testutil::{Check, xmllint};
use crate::protocol::time::{TimeParam, TimePoint, parse_instant};

pub(super) const BASE13: &str = "SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=org:dem&STYLES=&FORMAT=image/png&WIDTH=256&HEIGHT=128";

fn limits() -> WmsLimits {
    WmsLimits {
        max_width: 4096,
        max_height: 2048,
        max_pixels: u64::MAX,
        layer_limit: 3,
    }
}

pub(super) fn getmap(query: &str) -> GetMap {
    match parse_wms_query(query, &limits()) {
        Ok(WmsRequest::GetMap(m)) => m,
        other => panic!("{query}: {other:?}"),
    }
}

pub(super) fn err(query: &str) -> OgcError {
    match parse_wms_query(query, &limits()) {
        Err(e) => e,
        Ok(r) => panic!("{query} parsed: {r:?}"),
    }
}

fn caps(query: &str) -> GetCapabilities {
    match parse_wms_query(query, &limits()) {
        Ok(WmsRequest::GetCapabilities(c)) => c,
        other => panic!("{query}: {other:?}"),
    }
}

#[test]
fn getmap_defaults() {
    let m = getmap(&format!("{BASE13}&CRS=EPSG:3857&BBOX=0,1,2,3"));
    assert_eq!(m.version, WmsVersion::V1_3_0);
    assert_eq!(m.layers, ["org:dem"]);
    assert_eq!(m.styles, [""]);
    assert_eq!(m.crs.crs, Crs(3857));
    assert_eq!(m.bbox, BBox::new(0.0, 1.0, 2.0, 3.0));
    assert_eq!((m.width, m.height), (256, 128));
    assert_eq!(m.format, GetMapFormat::Png);
    assert!(!m.transparent);
    assert_eq!(m.bgcolor, Rgb::WHITE);
    assert_eq!(m.exceptions, ExceptionsFormat::Xml);
    assert_eq!(m.time, None);
    assert_eq!(m.time_sel(), Ok(TimeSel::Latest));
    let g = m.grid();
    assert_eq!(
        (g.crs, g.bbox, g.width, g.height),
        (Crs(3857), m.bbox, 256, 128)
    );
}

#[test]
fn axis_order_1_3_0() {
    // EPSG:4326 in 1.3.0 is lat,lon: BBOX=50,3,54,8 means lon 3..8, lat 50..54.
    let m = getmap(&format!("{BASE13}&CRS=EPSG:4326&BBOX=50,3,54,8"));
    assert_eq!(m.bbox, BBox::new(3.0, 50.0, 8.0, 54.0));
    // CRS:84 is lon,lat.
    let m = getmap(&format!("{BASE13}&CRS=CRS:84&BBOX=3,50,8,54"));
    assert_eq!(m.bbox, BBox::new(3.0, 50.0, 8.0, 54.0));
    assert!(m.crs.lon_first_alias);
    // EPSG:3035 is northing first too; 28992 and 3857 are not.
    let m = getmap(&format!(
        "{BASE13}&CRS=EPSG:3035&BBOX=3000000,4000000,3100000,4200000"
    ));
    assert_eq!(
        m.bbox,
        BBox::new(4000000.0, 3000000.0, 4200000.0, 3100000.0)
    );
    let m = getmap(&format!(
        "{BASE13}&CRS=EPSG:28992&BBOX=100000,400000,200000,500000"
    ));
    assert_eq!(m.bbox, BBox::new(100000.0, 400000.0, 200000.0, 500000.0));
    let m = getmap(&format!(
        "{BASE13}&CRS=urn:ogc:def:crs:EPSG::4326&BBOX=50,3,54,8"
    ));
    assert_eq!(m.bbox, BBox::new(3.0, 50.0, 8.0, 54.0));
}

#[test]
fn axis_order_1_1_1_and_srs() {
    let q = "VERSION=1.1.1&REQUEST=GetMap&LAYERS=a&STYLES=&FORMAT=image/png&WIDTH=16&HEIGHT=16";
    let m = getmap(&format!("{q}&SRS=EPSG:4326&BBOX=3,50,8,54"));
    assert_eq!(
        (m.version, m.bbox),
        (WmsVersion::V1_1_1, BBox::new(3.0, 50.0, 8.0, 54.0))
    );
    // The other version's name is accepted when the own one is absent.
    let m = getmap(&format!("{q}&CRS=EPSG:4326&BBOX=3,50,8,54"));
    assert_eq!(m.bbox, BBox::new(3.0, 50.0, 8.0, 54.0));
    let m = getmap(&format!("{BASE13}&SRS=EPSG:4326&BBOX=50,3,54,8"));
    assert_eq!(m.bbox, BBox::new(3.0, 50.0, 8.0, 54.0));
    // Both, agreeing (alias spellings) → fine; disagreeing → error naming them.
    let m = getmap(&format!(
        "{BASE13}&CRS=EPSG:3857&SRS=epsg:900913&BBOX=0,0,1,1"
    ));
    assert_eq!(m.crs.crs, Crs(3857));
    let e = err(&format!(
        "{BASE13}&CRS=EPSG:3857&SRS=EPSG:4326&BBOX=0,0,1,1"
    ));
    assert_eq!(e.locator.as_deref(), Some("CRS"));
    assert!(e.message.contains("SRS"));
    // Legacy names: REQUEST=map and WMTVER.
    let m = getmap(
        "WMTVER=1.1.1&REQUEST=map&LAYERS=a&SRS=EPSG:28992&BBOX=0,0,1,1&WIDTH=1&HEIGHT=1&FORMAT=png&TRANSPARENT=fAlSe",
    );
    assert_eq!(m.version, WmsVersion::V1_1_1);
}

#[test]
fn layers_styles_and_options() {
    let m = getmap(
        "version=1.3.0&request=getmap&layers=a+b,c%3Ad,e&styles=,RdBu_r:-4.6:-1.17,&crs=EPSG:3857&bbox=0,0,1,1&width=1&height=1\
         &format=image%2Fpng%3B+mode%3D8bit&transparent=TRUE&bgcolor=0x0000ff&exceptions=BLANK&DPI=96&MAP_RESOLUTION=96\
         &FORMAT_OPTIONS=dpi:96&TILED=true&BoGuS=ignored",
    );
    assert_eq!(m.layers, ["a b", "c:d", "e"]);
    assert_eq!(m.styles, ["", "RdBu_r:-4.6:-1.17", ""]);
    assert!(m.transparent);
    assert_eq!(m.bgcolor, Rgb([0, 0, 255]));
    assert_eq!(m.exceptions, ExceptionsFormat::Blank);
    let m = getmap(
        &format!("{BASE13}&CRS=EPSG:3857&BBOX=0,0,1,1")
            .replace("STYLES=&", "")
            .replace("LAYERS=org:dem", "LAYERS=a,b"),
    );
    assert_eq!(m.styles, ["", ""], "missing STYLES = all defaults");
    let m = getmap(
        &format!("{BASE13}&CRS=EPSG:3857&BBOX=0,0,1,1&TRANSPARENT=&BGCOLOR=&EXCEPTIONS=&TIME=")
            .replace("STYLES=", "STYLES=,")
            .replace("LAYERS=org:dem", "LAYERS=a,b"),
    );
    assert_eq!(
        (m.transparent, m.bgcolor, m.exceptions, m.time),
        (false, Rgb::WHITE, ExceptionsFormat::Xml, None)
    );
    let m = getmap(
        &format!("{BASE13}&CRS=EPSG:3857&BBOX=0,0,1,1&FORMAT=image/geotiff")
            .replace("FORMAT=image/png&", ""),
    );
    assert_eq!(m.format, GetMapFormat::Tiff);
}

#[test]
fn time_instants() {
    let t = parse_instant("2020-01-01T00:00:00Z").unwrap();
    for v in [
        "2020-01-01T00:00:00Z",
        "2020-01-01T00:00:00.000Z",
        "2020-01-01T00:00:00",
        "2020-01-01",
        "2020-01-01T01:00:00%2B01:00",
    ] {
        let m = getmap(&format!("{BASE13}&CRS=EPSG:3857&BBOX=0,0,1,1&TIME={v}"));
        assert_eq!(m.time, Some(TimeParam::Instant(TimePoint::At(t))), "{v}");
        assert_eq!(m.time_sel(), Ok(TimeSel::Nearest(t)));
    }
    let m = getmap(&format!("{BASE13}&CRS=EPSG:3857&BBOX=0,0,1,1&TIME=current"));
    assert_eq!(m.time_sel(), Ok(TimeSel::Latest));
    for v in [
        "2020-01-01/2020-02-01",
        "2020-01-01,2020-02-01",
        "2020-01-01/2020-02-01/P1D",
    ] {
        let m = getmap(&format!("{BASE13}&CRS=EPSG:3857&BBOX=0,0,1,1&TIME={v}"));
        let e = m.time_sel().unwrap_err();
        assert_eq!(
            (e.code, e.locator.as_deref()),
            (Some(OgcCode::InvalidDimensionValue), Some("TIME")),
            "{v}"
        );
        assert_eq!(e.class(), ErrorClass::Unsupported);
        assert!(e.message.contains("TIME"));
    }
}

#[test]
fn getcapabilities_negotiation_and_rules() {
    assert_eq!(
        caps("SERVICE=WMS&REQUEST=GetCapabilities").version,
        WmsVersion::V1_3_0
    );
    assert_eq!(caps("request=getcapabilities").version, WmsVersion::V1_3_0);
    assert_eq!(
        caps("SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0").version,
        WmsVersion::V1_3_0
    );
    assert_eq!(
        caps("SERVICE=WMS&REQUEST=GetCapabilities&VERSION=100.0.0").version,
        WmsVersion::V1_3_0
    );
    assert_eq!(
        caps("SERVICE=WMS&REQUEST=GetCapabilities&VERSION=0.0.0").version,
        WmsVersion::V1_1_1
    );
    assert_eq!(
        caps("SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.2.0").version,
        WmsVersion::V1_1_1
    );
    assert_eq!(
        caps("SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.1.1").version,
        WmsVersion::V1_1_1
    );
    assert_eq!(
        caps("REQUEST=capabilities&WMTVER=1.1.1").version,
        WmsVersion::V1_1_1
    );
    assert_eq!(
        caps("REQUEST=GetCapabilities&WMTVER=1.0.0&VERSION=1.3.0").version,
        WmsVersion::V1_3_0
    );
    assert_eq!(
        caps("REQUEST=GetCapabilities&VERSION=1.1.1&WMTVER=1.3.0").version,
        WmsVersion::V1_1_1
    );
    let c = caps(
        "ReQuEsT=%47%65%74%43%61%70%61%62%69%6C%69%74%69%65%73&SeRvIcE=WMS&FORMAT=image/bogus&BoGuS=1",
    );
    assert_eq!(
        c.format.as_deref(),
        Some("image/bogus"),
        "unsupported FORMAT is not an error"
    );

    let with = |seq: &str| caps(&format!("REQUEST=GetCapabilities&UPDATESEQUENCE={seq}"));
    assert_eq!(with("5").check_update_sequence(None), Ok(()));
    assert_eq!(with("4").check_update_sequence(Some(5)), Ok(()));
    assert_eq!(
        with("5").check_update_sequence(Some(5)).unwrap_err().code,
        Some(OgcCode::CurrentUpdateSequence)
    );
    assert_eq!(
        with("6").check_update_sequence(Some(5)).unwrap_err().code,
        Some(OgcCode::InvalidUpdateSequence)
    );
    assert_eq!(
        with("99999999999999999999999")
            .check_update_sequence(Some(5))
            .unwrap_err()
            .code,
        Some(OgcCode::InvalidUpdateSequence)
    );
    assert_eq!(
        with("abc").check_update_sequence(Some(5)).unwrap_err().code,
        Some(OgcCode::InvalidUpdateSequence)
    );
    assert_eq!(
        caps("REQUEST=GetCapabilities").check_update_sequence(Some(5)),
        Ok(())
    );
}

#[test]
fn request_and_service_errors() {
    let e = err("SERVICE=WMS&VERSION=1.3.0");
    assert_eq!((e.code, e.locator.as_deref()), (None, Some("REQUEST")));
    for op in ["GetStyles", "DescribeLayer", "Frobnicate"] {
        let e = err(&format!("SERVICE=WMS&VERSION=1.3.0&REQUEST={op}"));
        assert_eq!(e.code, Some(OgcCode::OperationNotSupported), "{op}");
        assert_eq!(e.class(), ErrorClass::Unsupported);
        assert!(e.message.contains(op));
    }
    // Legend and limits requests are served: their errors name parameters.
    for (op, param) in [
        ("GetLegendGraphic", "LAYER"),
        ("getlegend", "STYLE"),
        ("getlimits", "LAYERS"),
    ] {
        let e = err(&format!("SERVICE=WMS&VERSION=1.3.0&REQUEST={op}"));
        assert_eq!((e.code, e.locator.as_deref()), (None, Some(param)), "{op}");
    }
    let e = err("SERVICE=WMTS&REQUEST=GetCapabilities");
    assert_eq!(e.locator.as_deref(), Some("SERVICE"));
    let e =
        err("REQUEST=GetMap&LAYERS=a&CRS=EPSG:3857&BBOX=0,0,1,1&WIDTH=1&HEIGHT=1&FORMAT=image/png");
    assert_eq!(
        e.locator.as_deref(),
        Some("VERSION"),
        "GetMap without VERSION"
    );
    let e = err(
        "VERSION=1.2.0&REQUEST=GetMap&LAYERS=a&CRS=EPSG:3857&BBOX=0,0,1,1&WIDTH=1&HEIGHT=1&FORMAT=image/png",
    );
    assert_eq!(
        (e.locator.as_deref(), e.version),
        (Some("VERSION"), WmsVersion::V1_1_1)
    );
    // Errors are reported in the version asked for.
    let e = err(
        "VERSION=1.1.1&REQUEST=GetMap&LAYERS=a&SRS=EPSG:1&BBOX=0,0,1,1&WIDTH=1&HEIGHT=1&FORMAT=image/png",
    );
    assert_eq!(
        (e.version, e.code_str()),
        (WmsVersion::V1_1_1, Some("InvalidSRS"))
    );
}

#[test]
fn exception_reports_are_valid() {
    let e = OgcError::with_code(
        WmsVersion::V1_3_0,
        OgcCode::LayerNotDefined,
        Some("LAYERS"),
        "Layer 'a<b>&\"c\"\u{1}' is not defined",
    );
    let (mime, body) = exception_report(&e);
    assert_eq!(mime, "text/xml");
    let text = String::from_utf8(body.clone()).unwrap();
    assert!(text.contains("xmlns=\"http://www.opengis.net/ogc\""));
    assert!(text.contains("version=\"1.3.0\""));
    assert!(text.contains("<ServiceException code=\"LayerNotDefined\" locator=\"LAYERS\">Layer 'a&lt;b&gt;&amp;\"c\"\u{fffd}' is not defined</ServiceException>"));
    xmllint(
        &body,
        Check::Schema("schemas.opengis.net/wms/1.3.0/exceptions_1_3_0.xsd"),
        "exc130",
    );

    let (mime, body) = exception_report(&e.clone().in_version(WmsVersion::V1_1_1));
    assert_eq!(mime, "application/vnd.ogc.se_xml");
    let text = String::from_utf8(body.clone()).unwrap();
    assert!(text.contains("<ServiceExceptionReport version=\"1.1.1\">"));
    assert!(!text.contains("locator"), "the 1.1.1 DTD has no locator");
    xmllint(&body, Check::Dtd, "exc111");

    let crs = OgcError::with_code(WmsVersion::V1_1_1, OgcCode::InvalidCRS, Some("SRS"), "nope");
    assert!(
        String::from_utf8(exception_report(&crs).1)
            .unwrap()
            .contains("code=\"InvalidSRS\"")
    );
    let plain = OgcError::invalid(WmsVersion::V1_3_0, "BBOX", "bad");
    let (_, body) = exception_report(&plain);
    assert!(
        String::from_utf8(body.clone())
            .unwrap()
            .contains("<ServiceException locator=\"BBOX\">bad</ServiceException>")
    );
    xmllint(
        &body,
        Check::Schema("schemas.opengis.net/wms/1.3.0/exceptions_1_3_0.xsd"),
        "exc130plain",
    );
    let many = super::exception::exception_report_many(WmsVersion::V1_3_0, &[plain.clone(), e]);
    xmllint(
        &many.1,
        Check::Schema("schemas.opengis.net/wms/1.3.0/exceptions_1_3_0.xsd"),
        "exc130many",
    );
}

#[test]
fn render_request_from_getmap() {
    use crate::model::{LayerRef, OutputFormat, Resampling};
    let layer = LayerRef {
        id: uuid::Uuid::nil(),
        version: 3,
    };
    let m = getmap(
        &format!(
            "{BASE13}&CRS=EPSG:4326&BBOX=50,3,54,8&TRANSPARENT=true&BGCOLOR=0x102030&TIME=2020-01-01&FORMAT=image/tiff"
        )
        .replace("FORMAT=image/png&", ""),
    );
    let r = m.render_request(layer, "viridis".into()).unwrap();
    assert_eq!(r.layer, layer);
    assert_eq!(r.grid, m.grid());
    assert_eq!(r.grid.bbox, BBox::new(3.0, 50.0, 8.0, 54.0));
    assert_eq!(
        r.time,
        TimeSel::Nearest(parse_instant("2020-01-01").unwrap())
    );
    assert_eq!(
        (r.format, r.resampling, r.transparent, r.bgcolor),
        (
            OutputFormat::GeoTiff,
            Resampling::Nearest,
            true,
            Rgb([16, 32, 48])
        )
    );
    let m = getmap(&format!(
        "{BASE13}&CRS=EPSG:3857&BBOX=0,0,1,1&TIME=2020/2021"
    ));
    assert_eq!(
        m.render_request(layer, String::new()).unwrap_err().code,
        Some(OgcCode::InvalidDimensionValue)
    );
}

mod hostile;
