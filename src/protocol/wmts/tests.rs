//! WMTS parsing and documents: the error table's codes and locators, the
//! RESTful paths, tile resolution against limits and times, schema validity.

use super::capabilities::{WmtsService, capabilities, capabilities_current};
use super::exception::exception_report;
use super::*;
use crate::geo::tms::{BUILTIN, NL_EPSG_28992, WEB_MERCATOR_QUAD, WORLD_CRS84_QUAD};
use crate::model::{BBox, TimeSel};
use crate::protocol::kvp::Kvp;
use crate::protocol::testutil::{Check, xmllint};
use crate::protocol::wms::capabilities::{StyleInfo, TimeDimension};
use chrono::{DateTime, Utc};

fn kvp(q: &str) -> Result<WmtsRequest, WmtsError> {
    parse_kvp(&Kvp::parse(q).unwrap())
}

fn err(q: &str) -> (OwsCode, Option<String>) {
    let e = kvp(q).unwrap_err();
    (e.code, e.locator)
}

const TILE: &str = "SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=o:l&STYLE=default&FORMAT=image%2Fpng&TILEMATRIXSET=WebMercatorQuad&TILEMATRIX=3&TILEROW=2&TILECOL=4";

#[test]
fn kvp_error_table() {
    use OwsCode::*;
    let loc = |s: &str| Some(s.to_string());
    assert_eq!(
        err("service=WMTS&request~GetCapabilities!version~1.0.0"),
        (MissingParameterValue, loc("request"))
    );
    assert_eq!(
        err("request=GetCapabilities"),
        (MissingParameterValue, loc("service"))
    );
    assert_eq!(
        err("service=BOGUS&request=GetCapabilities"),
        (InvalidParameterValue, loc("service"))
    );
    assert_eq!(
        err("service=WMTS&request=GetBOGUS"),
        (InvalidParameterValue, loc("request"))
    );
    assert_eq!(
        err("service=WMTS&request=GetCapabilities&AcceptVersions=9.9.9,2.0.0"),
        (VersionNegotiationFailed, None)
    );
    assert_eq!(
        err("service=WMTS&request=GetCapabilities&Sections=Bogus"),
        (InvalidParameterValue, loc("sections"))
    );
    assert_eq!(
        err("service=WMTS&request=GetCapabilities&Sections="),
        (MissingParameterValue, loc("sections"))
    );
    assert_eq!(
        err("service=WMTS&request=GetFeatureInfo"),
        (MissingParameterValue, loc("version"))
    );
    for (name, locator) in [
        ("VERSION", "version"),
        ("LAYER", "layer"),
        ("STYLE", "Style"),
        ("FORMAT", "format"),
        ("TILEMATRIXSET", "TileMatrixSet"),
        ("TILEMATRIX", "TileMatrix"),
        ("TILEROW", "TileRow"),
        ("TILECOL", "TileCol"),
    ] {
        let q: Vec<&str> = TILE
            .split('&')
            .filter(|p| !p.starts_with(&format!("{name}=")))
            .collect();
        assert_eq!(
            err(&q.join("&")),
            (MissingParameterValue, loc(locator)),
            "{name}"
        );
    }
    assert_eq!(
        err(&TILE.replace("image%2Fpng", "image%2Fbogus")),
        (InvalidParameterValue, loc("format"))
    );
    assert_eq!(
        err(&TILE.replace("TILEROW=2", "TILEROW=-1")),
        (TileOutOfRange, loc("TileRow"))
    );
    assert_eq!(
        err(&TILE.replace("TILECOL=4", "TILECOL=x")),
        (InvalidParameterValue, loc("TileCol"))
    );
}

#[test]
fn kvp_capabilities_options() {
    let WmtsRequest::GetCapabilities(c) = kvp(
        "service=WMTS&request=GetCapabilities&AcceptVersions=1.0.0&Sections=Contents,Themes&UpdateSequence=3&AcceptFormats=bogus/xml",
    )
    .unwrap() else {
        panic!("not GetCapabilities")
    };
    assert!(c.sections.contents && c.sections.themes && !c.sections.service_identification);
    assert_eq!(c.freshness(5), Ok(Freshness::Send));
    assert_eq!(c.freshness(3), Ok(Freshness::Current));
    assert_eq!(
        c.freshness(2).unwrap_err().code,
        OwsCode::InvalidUpdateSequence
    );
    assert_eq!(Sections::parse("All").unwrap(), Sections::ALL);
}

#[test]
fn kvp_tile_query() {
    let WmtsRequest::GetTile(t) = kvp(&format!("{TILE}&time=2024-01-01")).unwrap() else {
        panic!("not GetTile")
    };
    assert_eq!((t.layer.as_str(), t.row, t.col), ("o:l", 2, 4));
    assert_eq!(t.time.as_deref(), Some("2024-01-01"));
    assert_eq!(t.binding, Binding::Kvp);
}

#[test]
fn rest_paths() {
    assert_eq!(
        parse_rest("1.0.0/WMTSCapabilities.xml"),
        Ok(RestRequest::Capabilities)
    );
    let RestRequest::Tile(t) = parse_rest("1.0.0/o:l/default/EPSG%3A28992/05/10/11.png").unwrap()
    else {
        panic!("not a tile")
    };
    assert_eq!(
        (t.set.as_str(), t.matrix.as_str(), t.row, t.col, t.time),
        ("EPSG:28992", "05", 10, 11, None)
    );
    let RestRequest::Tile(t) =
        parse_rest("1.0.0/o:l/default/2024-06-01T12:00:00Z/WebMercatorQuad/3/1/2.png").unwrap()
    else {
        panic!("not a tile")
    };
    assert_eq!(t.time.as_deref(), Some("2024-06-01T12:00:00Z"));
    for bad in [
        "1.0.0/WMTSCapabilities.xml/Bogus",
        "2.0.0/WMTSCapabilities.xml",
        "1.0.0/o:l/default/WebMercatorQuad/3/1",
        "1.0.0/o:l/default/WebMercatorQuad/3/1/2",
        "1.0.0/o:l//WebMercatorQuad/3/1/2.png",
        "",
    ] {
        assert!(parse_rest(bad).is_err(), "{bad}");
    }
    assert_eq!(
        parse_rest("1.0.0/o:l/default/WebMercatorQuad/3/1/2.jpg")
            .unwrap_err()
            .locator
            .as_deref(),
        Some("format")
    );
}

fn t(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn layer(temporal: bool) -> WmtsLayer {
    // An extent of a few km in the middle of the RD grid.
    let rd = BBox::new(150_000.0, 450_000.0, 160_000.0, 460_000.0);
    WmtsLayer {
        identifier: "o:l".into(),
        title: "A <layer>".into(),
        abstract_: Some("Values & more".into()),
        wgs84: BBox::new(5.2, 52.0, 5.4, 52.1),
        style: StyleInfo {
            name: "viridis:0:1".into(),
            title: "default".into(),
            legend: None,
        },
        time: temporal.then(|| TimeDimension {
            values: vec![t("2024-06-01T12:00:00Z"), t("2024-06-01T12:05:00Z")],
            default: t("2024-06-01T12:05:00Z"),
        }),
        links: vec![
            SetLink::new(
                &WEB_MERCATOR_QUAD,
                Some(&BBox::new(578_000.0, 6_800_000.0, 601_000.0, 6_818_000.0)),
            ),
            SetLink::new(&WORLD_CRS84_QUAD, Some(&BBox::new(5.2, 52.0, 5.4, 52.1))),
            SetLink::new(&NL_EPSG_28992, Some(&rd)),
        ],
    }
}

fn query(set: &str, matrix: &str, row: u64, col: u64, time: Option<&str>) -> TileQuery {
    TileQuery {
        layer: "o:l".into(),
        style: "default".into(),
        set: set.into(),
        matrix: matrix.into(),
        row,
        col,
        time: time.map(str::to_string),
        binding: Binding::Kvp,
    }
}

#[test]
fn resolution_enforces_sets_matrices_and_limits() {
    let l = layer(false);
    let code = |q: TileQuery| {
        let e = q.resolve(&l).unwrap_err();
        (e.code, e.locator.unwrap_or_default())
    };
    assert_eq!(
        code(query("Bogus", "0", 0, 0, None)),
        (OwsCode::InvalidParameterValue, "TileMatrixSet".into())
    );
    assert_eq!(
        code(query("EPSG:28992", "5", 0, 0, None)),
        (OwsCode::InvalidParameterValue, "TileMatrix".into())
    );
    // z0 has no limits (its max would be 0): the one tile is valid.
    let a = query("EPSG:28992", "00", 0, 0, None).resolve(&l).unwrap();
    assert_eq!(a.set.id, "EPSG:28992");
    assert_eq!(a.time, TimeSel::Latest);
    assert_eq!(
        code(query("EPSG:28992", "00", 1, 0, None)),
        (OwsCode::TileOutOfRange, "TileRow".into())
    );
    // z10: limits around the extent; inside the matrix but outside them is out of range.
    let r = l.links[2].limits(10).unwrap();
    let m = NL_EPSG_28992.matrix(10).unwrap();
    let ok = query("EPSG:28992", "10", r.min_row, r.min_col, None)
        .resolve(&l)
        .unwrap();
    assert!(
        ok.bbox
            .intersects(&BBox::new(150_000.0, 450_000.0, 160_000.0, 460_000.0))
    );
    assert_eq!(ok.bbox, m.tile_bbox(r.min_row, r.min_col).unwrap());
    assert_eq!(
        code(query("EPSG:28992", "10", r.max_row + 1, r.min_col, None)),
        (OwsCode::TileOutOfRange, "TileRow".into())
    );
    assert_eq!(
        code(query(
            "EPSG:28992",
            "10",
            r.min_row,
            r.min_col.saturating_sub(1).min(r.max_col + 1),
            None
        ))
        .0,
        OwsCode::TileOutOfRange
    );
    assert_eq!(
        code(query("EPSG:28992", "10", r.min_row, 5000, None)),
        (OwsCode::TileOutOfRange, "TileCol".into())
    );
}

#[test]
fn resolution_of_time_values() {
    let l = layer(true);
    let sel = |time: Option<&str>| {
        query("WebMercatorQuad", "0", 0, 0, time)
            .resolve(&l)
            .map(|a| a.time)
    };
    let last = t("2024-06-01T12:05:00Z");
    assert_eq!(sel(None), Ok(TimeSel::Nearest(last)));
    assert_eq!(sel(Some("default")), Ok(TimeSel::Nearest(last)));
    assert_eq!(sel(Some("current")), Ok(TimeSel::Latest));
    assert_eq!(
        sel(Some("2024-06-01T12:00:00Z")),
        Ok(TimeSel::Nearest(t("2024-06-01T12:00:00Z")))
    );
    let e = sel(Some("2024-06-01T12:01:00Z")).unwrap_err();
    assert_eq!(
        (e.code, e.locator.as_deref()),
        (OwsCode::InvalidParameterValue, Some("Time"))
    );
    // REST: a temporal layer needs the segment, a plain layer must not have one.
    let mut q = query("WebMercatorQuad", "0", 0, 0, None);
    q.binding = Binding::Rest;
    assert!(q.resolve(&l).is_err());
    q.time = Some("2024-06-01T12:00:00Z".into());
    assert!(q.resolve(&l).is_ok());
    assert!(q.resolve(&layer(false)).is_err());
}

fn service() -> WmtsService {
    WmtsService {
        title: "tegel & co".into(),
        abstract_: Some("Raster layers".into()),
        kvp_url: "http://localhost/wmts/".into(),
        rest_url: "http://localhost/wmts".into(),
        update_sequence: 7,
    }
}

const CAPS_XSD: &str = "schemas.opengis.net/wmts/1.0/wmtsGetCapabilities_response.xsd";

#[test]
fn capabilities_are_schema_valid_in_every_form() {
    let layers = [layer(false), layer(true)];
    let full = capabilities(&service(), &layers, &BUILTIN, Sections::ALL);
    xmllint(&full, Check::Schema(CAPS_XSD), "wmts-full");
    let text = String::from_utf8(full).unwrap();
    assert!(text.contains(
        "<ServiceMetadataURL xlink:href=\"http://localhost/wmts/1.0.0/WMTSCapabilities.xml\"/>"
    ));
    assert!(text.contains("template=\"http://localhost/wmts/1.0.0/o:l/{Style}/{Time}/{TileMatrixSet}/{TileMatrix}/{TileRow}/{TileCol}.png\""));
    assert!(text.contains("<ows:Get xlink:href=\"http://localhost/wmts/?\">"));
    assert!(text.contains("<TopLeftCorner>-180 90</TopLeftCorner>"));
    assert!(text.contains("<ScaleDenominator>559082264.0287178</ScaleDenominator>"));
    assert!(!text.contains("<MaxTileRow>0</MaxTileRow>"));
    for s in [
        "Contents,Themes",
        "ServiceIdentification",
        "OperationsMetadata",
        "Themes",
    ] {
        let doc = capabilities(&service(), &layers, &BUILTIN, Sections::parse(s).unwrap());
        xmllint(&doc, Check::Schema(CAPS_XSD), "wmts-sections");
        assert!(
            !String::from_utf8(doc)
                .unwrap()
                .contains("ServiceMetadataURL")
        );
    }
    xmllint(
        &capabilities_current(&service()),
        Check::Schema(CAPS_XSD),
        "wmts-current",
    );
}

#[test]
fn exception_reports_are_schema_valid() {
    for e in [
        WmtsError::missing("TileMatrix"),
        WmtsError::new(OwsCode::VersionNegotiationFailed, None, "no <1.0.0> & more"),
    ] {
        let (mime, body) = exception_report(&e);
        assert_eq!(mime, "application/xml");
        xmllint(
            &body,
            Check::Schema("schemas.opengis.net/ows/1.1.0/owsExceptionReport.xsd"),
            "wmts-exc",
        );
    }
}

#[test]
fn feature_info_kvp_and_rest() {
    use crate::protocol::wms::InfoFormat;
    let q = format!(
        "{}&J=7&I=255&INFOFORMAT=application/json",
        TILE.replace("GetTile", "GetFeatureInfo")
    );
    let Ok(WmtsRequest::GetFeatureInfo(f)) = kvp(&q) else {
        panic!("not a GetFeatureInfo");
    };
    assert_eq!((f.i, f.j, f.info_format), (255, 7, InfoFormat::Json));
    assert_eq!((f.tile.row, f.tile.col), (2, 4));
    let Ok(RestRequest::FeatureInfo(r)) =
        parse_rest("1.0.0/o:l/default/2024-01-01T00:00:00Z/WebMercatorQuad/3/2/4/7/255.geojson")
    else {
        panic!("not a RESTful GetFeatureInfo");
    };
    assert_eq!((r.i, r.j, r.info_format), (255, 7, InfoFormat::GeoJson));
    assert_eq!(r.tile.time.as_deref(), Some("2024-01-01T00:00:00Z"));
    assert_eq!(r.tile.binding, Binding::Rest);
    // Eight segments after the version: no time.
    let Ok(RestRequest::FeatureInfo(r)) =
        parse_rest("1.0.0/o:l/default/WebMercatorQuad/3/2/4/0/0.txt")
    else {
        panic!("not a RESTful GetFeatureInfo");
    };
    assert_eq!((r.tile.time, r.info_format), (None, InfoFormat::Text));
    // The pixel lies at its centre in the tile.
    let m = WEB_MERCATOR_QUAD.matrix(3).unwrap();
    let addr = TileAddress {
        set: &WEB_MERCATOR_QUAD,
        bbox: m.tile_bbox(2, 4).unwrap(),
        matrix: m.clone(),
        row: 2,
        col: 4,
        time: TimeSel::Latest,
    };
    let (x, y) = f.point(&addr);
    assert_eq!(x, addr.bbox.min_x + 255.5 * m.cell_size);
    assert_eq!(y, addr.bbox.max_y - 7.5 * m.cell_size);
}

#[test]
fn rows_columns_matrices_and_pixels_are_strict_integers() {
    let inv = OwsCode::InvalidParameterValue;
    for (name, value, locator) in [
        ("TILEROW", "%202", "TileRow"),
        ("TILEROW", "2%20", "TileRow"),
        ("TILEROW", "%2B2", "TileRow"),
        ("TILECOL", "4.0", "TileCol"),
        ("TILECOL", "4e0", "TileCol"),
        ("TILECOL", "0x4", "TileCol"),
    ] {
        let q = TILE.replace(
            &format!("{name}="),
            &format!("{name}={value}&X_OLD_{name}="),
        );
        assert_eq!(err(&q), (inv, Some(locator.into())), "{name}={value}");
    }
    // The matrix identifier is taken exactly as sent.
    let WmtsRequest::GetTile(t) = kvp(&TILE.replace("TILEMATRIX=3", "TILEMATRIX=%203")).unwrap()
    else {
        panic!("not GetTile")
    };
    assert_eq!(t.matrix, " 3");
    assert_eq!(tile::parse_index("0007", "TileRow"), Ok(7));
    for bad in [" 1", "1 ", "+1", "1.5", ""] {
        assert!(tile::parse_index(bad, "TileRow").is_err(), "{bad:?}");
        assert!(featureinfo::parse_pixel(bad, "I").is_err(), "{bad:?}");
    }
    assert!(parse_rest("1.0.0/o:l/default/WebMercatorQuad/3/%201/2.png").is_err());
    assert!(parse_rest("1.0.0/o:l/default/WebMercatorQuad/3/1/2/%2B5/3.txt").is_err());
}
