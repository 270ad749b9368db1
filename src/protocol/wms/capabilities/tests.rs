//! Capabilities documents: goldens for a fixed two-layer input, schema/DTD
//! validation with xmllint, axis order and time extents.

use super::*;
use crate::protocol::testutil::{Check, golden, xmllint};
use chrono::{TimeDelta, TimeZone};

const XSD_130: &str = "schemas.opengis.net/sld/1.1.0/sld_capabilities.xsd";

fn service() -> ServiceInfo {
    ServiceInfo {
        title: "tegel test service".into(),
        abstract_: Some("Rasters for tests & <checks>".into()),
        keywords: vec!["raster".into(), "lizard".into()],
        online_resource: "https://maps.example.org/wms/".into(),
        limits: WmsLimits {
            max_width: 4096,
            max_height: 4096,
            max_pixels: u64::MAX,
            layer_limit: 10,
        },
        update_sequence: Some(42),
        exceptions: vec![ExceptionsFormat::Blank],
    }
}

fn two_layers() -> Vec<LayerInfo> {
    let t0 = Utc.with_ymd_and_hms(2024, 5, 1, 12, 0, 0).single().unwrap();
    let radar: Vec<_> = (0..12).map(|i| t0 + TimeDelta::minutes(5 * i)).collect();
    vec![
        LayerInfo {
            name: "nelen-schuurmans:dem_nl".into(),
            title: "Elevation (AHN)".into(),
            abstract_: Some("Digital elevation model".into()),
            queryable: false,
            crs: vec![28992, 3857, 4326, 3035],
            wgs84_bbox: BBox::new(3.2, 50.75, 7.22, 53.7),
            bboxes: vec![
                (28992, BBox::new(10000.0, 300000.0, 280000.0, 625000.0)),
                (3857, BBox::new(356222.0, 6574000.0, 803750.0, 7115000.0)),
                (3035, BBox::new(3900000.0, 3050000.0, 4200000.0, 3400000.0)),
                (4326, BBox::new(0.0, 0.0, 1.0, 1.0)),
                (9999, BBox::new(0.0, 0.0, 1.0, 1.0)),
            ],
            styles: vec![
                StyleInfo {
                    name: "dem_nl:-5:25".into(),
                    title: "Elevation colours".into(),
                    legend: None,
                },
                StyleInfo {
                    name: "viridis".into(),
                    title: String::new(),
                    legend: Some(LegendUrl {
                        href: "https://maps.example.org/wms/?REQUEST=GetLegendGraphic&LAYER=x&STYLE=viridis".into(),
                        format: "image/png".into(),
                        width: 100,
                        height: 200,
                    }),
                },
            ],
            time: None,
        },
        LayerInfo {
            name: "radar:5min".into(),
            title: "Rain radar, 5 minutes".into(),
            abstract_: None,
            queryable: false,
            crs: vec![3857, 4326],
            wgs84_bbox: BBox::new(1.5, 49.0, 9.5, 55.0),
            bboxes: vec![(3857, BBox::new(166979.0, 6274861.0, 1057535.0, 7361866.0))],
            styles: vec![StyleInfo {
                name: "radar-5min".into(),
                title: "Radar".into(),
                legend: None,
            }],
            time: Some(TimeDimension {
                values: radar.clone(),
                default: radar[11],
            }),
        },
    ]
}

fn doc(version: WmsVersion) -> (String, String) {
    let (mime, bytes) = capabilities(version, &service(), &two_layers());
    (mime.to_string(), String::from_utf8(bytes).unwrap())
}

#[test]
fn wms130_golden_and_schema_valid() {
    let (mime, text) = doc(WmsVersion::V1_3_0);
    assert_eq!(mime, "text/xml");
    golden("capabilities_1_3_0.xml", text.as_bytes());
    xmllint(text.as_bytes(), Check::Schema(XSD_130), "caps130");
}

#[test]
fn wms111_golden_and_dtd_valid() {
    let (mime, text) = doc(WmsVersion::V1_1_1);
    assert_eq!(mime, "application/vnd.ogc.wms_xml");
    golden("capabilities_1_1_1.xml", text.as_bytes());
    xmllint(text.as_bytes(), Check::Dtd, "caps111");
}

#[test]
fn byte_identical_for_equal_input() {
    for v in [WmsVersion::V1_3_0, WmsVersion::V1_1_1] {
        assert_eq!(doc(v), doc(v));
    }
}

#[test]
fn wms130_content() {
    let (_, t) = doc(WmsVersion::V1_3_0);
    assert!(
        t.contains("<WMS_Capabilities version=\"1.3.0\" updateSequence=\"42\" xmlns=\"http://www.opengis.net/wms\"")
    );
    assert!(
        t.contains("xlink:href=\"https://maps.example.org/wms/?\""),
        "operation URLs are prefixes ending in ?"
    );
    assert!(t.contains("<Abstract>Rasters for tests &amp; &lt;checks&gt;</Abstract>"));
    assert!(t.contains("<LayerLimit>10</LayerLimit>"));
    // Root: CRS:84 then the ascending union; one root Title.
    let root_crs: Vec<&str> = t
        .lines()
        .filter(|l| l.trim_start().starts_with("<CRS>"))
        .map(str::trim)
        .collect();
    assert_eq!(
        root_crs,
        [
            "<CRS>CRS:84</CRS>",
            "<CRS>EPSG:3035</CRS>",
            "<CRS>EPSG:3857</CRS>",
            "<CRS>EPSG:4326</CRS>",
            "<CRS>EPSG:28992</CRS>"
        ]
    );
    // Root extent = union of the layer extents.
    assert!(t.contains(
        "<BoundingBox CRS=\"CRS:84\" minx=\"1.5\" miny=\"49\" maxx=\"9.5\" maxy=\"55\"/>"
    ));
    // EPSG:4326 and EPSG:3035 are written northing first; 28992 and 3857 are not.
    assert!(t.contains(
        "<BoundingBox CRS=\"EPSG:4326\" minx=\"50.75\" miny=\"3.2\" maxx=\"53.7\" maxy=\"7.22\"/>"
    ));
    assert!(t.contains(
        "<BoundingBox CRS=\"EPSG:3035\" minx=\"3050000\" miny=\"3900000\" maxx=\"3400000\" maxy=\"4200000\"/>"
    ));
    assert!(
        t.contains("<BoundingBox CRS=\"EPSG:28992\" minx=\"10000\" miny=\"300000\" maxx=\"280000\" maxy=\"625000\"/>")
    );
    assert!(
        !t.contains("EPSG:9999"),
        "codes unknown to the registry are dropped"
    );
    assert_eq!(
        t.matches("CRS=\"EPSG:4326\"").count(),
        3,
        "one per layer + root; the given 4326 box is ignored"
    );
    assert!(t.contains(
        "<Dimension name=\"time\" units=\"ISO8601\" default=\"2024-05-01T12:55:00Z\" multipleValues=\"1\" nearestValue=\"1\" current=\"1\">2024-05-01T12:00:00Z/2024-05-01T12:55:00Z/PT5M</Dimension>"
    ));
    assert!(
        t.contains("<Name>viridis</Name>\n          <Title>viridis</Title>"),
        "empty style title falls back to the name"
    );
    assert!(t.contains("<Format>XML</Format>\n      <Format>BLANK</Format>"));
}

#[test]
fn wms111_content() {
    let (_, t) = doc(WmsVersion::V1_1_1);
    assert!(t.contains(
        "<!DOCTYPE WMT_MS_Capabilities SYSTEM \"http://schemas.opengis.net/wms/1.1.1/capabilities_1_1_1.dtd\">"
    ));
    assert!(t.contains("<Name>OGC:WMS</Name>"));
    assert!(t.contains("<SRS>EPSG:4326</SRS>"));
    assert!(!t.contains("CRS:84"));
    // 1.1.1: EPSG:4326 and 3035 boxes stay x/y.
    assert!(t.contains(
        "<BoundingBox SRS=\"EPSG:4326\" minx=\"3.2\" miny=\"50.75\" maxx=\"7.22\" maxy=\"53.7\"/>"
    ));
    assert!(t.contains(
        "<BoundingBox SRS=\"EPSG:3035\" minx=\"3900000\" miny=\"3050000\" maxx=\"4200000\" maxy=\"3400000\"/>"
    ));
    assert!(t.contains("<LatLonBoundingBox minx=\"1.5\" miny=\"49\" maxx=\"9.5\" maxy=\"55\"/>"));
    assert!(t.contains("<Dimension name=\"time\" units=\"ISO8601\"/>"));
    assert!(t.contains("<Extent name=\"time\" default=\"2024-05-01T12:55:00Z\" multipleValues=\"1\" nearestValue=\"1\" current=\"1\">2024-05-01T12:00:00Z/2024-05-01T12:55:00Z/PT5M</Extent>"));
    assert!(t.contains("<Format>application/vnd.ogc.se_xml</Format>"));
    assert!(!t.contains("LayerLimit"));
}

#[test]
fn hostile_and_edge_inputs_stay_valid() {
    let mut s = service();
    s.title = "a<b>&\"c\" 'd' \u{1}\u{7f} ünïcode".into();
    s.online_resource = "https://x.example/wms/?map=a&b".into();
    s.update_sequence = None;
    s.limits = WmsLimits {
        max_width: 0,
        max_height: 0,
        max_pixels: u64::MAX,
        layer_limit: 0,
    };
    s.keywords.clear();
    let mut layers = two_layers();
    layers[0].name = "org:<weird & name>".into();
    layers[0].wgs84_bbox = BBox::new(-200.0, -95.0, 200.0, 95.0);
    layers[1].wgs84_bbox = BBox::new(f64::NAN, 0.0, 1.0, 1.0);
    layers[1].time = Some(TimeDimension {
        values: vec![],
        default: Utc.with_ymd_and_hms(2020, 1, 1, 0, 0, 0).single().unwrap(),
    });
    let (_, b130) = capabilities(WmsVersion::V1_3_0, &s, &layers);
    xmllint(&b130, Check::Schema(XSD_130), "caps130hostile");
    let t = String::from_utf8(b130).unwrap();
    assert!(t.contains("xlink:href=\"https://x.example/wms/?map=a&amp;b&amp;\""));
    assert!(t.contains("<westBoundLongitude>-180</westBoundLongitude>"));
    assert!(!t.contains("NaN"));
    assert!(t.contains(">2020-01-01T00:00:00Z</Dimension>"));
    let (_, b111) = capabilities(WmsVersion::V1_1_1, &s, &layers);
    xmllint(&b111, Check::Dtd, "caps111hostile");

    for v in [WmsVersion::V1_3_0, WmsVersion::V1_1_1] {
        let (_, empty) = capabilities(v, &service(), &[]);
        match v {
            WmsVersion::V1_3_0 => xmllint(&empty, Check::Schema(XSD_130), "caps130empty"),
            WmsVersion::V1_1_1 => assert!(
                String::from_utf8(empty)
                    .unwrap()
                    .contains("<LatLonBoundingBox minx=\"-180\"")
            ),
        }
    }
}

#[test]
fn operation_url_prefix() {
    assert_eq!(dcp_href("https://a/wms/"), "https://a/wms/?");
    assert_eq!(dcp_href("https://a/wms/?"), "https://a/wms/?");
    assert_eq!(dcp_href("https://a/wms/?k=v"), "https://a/wms/?k=v&");
    assert_eq!(dcp_href("https://a/wms/?k=v&"), "https://a/wms/?k=v&");
}
