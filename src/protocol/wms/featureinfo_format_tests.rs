//! GetFeatureInfo documents: each format's shape, nodata as null, values
//! printed as stored.

use super::*;
use crate::protocol::time::parse_instant;

fn info() -> FeatureInfo {
    FeatureInfo {
        crs: Crs(28992),
        x: 210125.0,
        y: 460375.5,
        records: vec![
            FeatureRecord {
                layer: "org:rain".into(),
                value: Some(FeatureValue::F32(-2.34)),
                time: parse_instant("2024-06-01T12:15:00Z"),
            },
            FeatureRecord {
                layer: "org:rain".into(),
                value: None,
                time: parse_instant("2024-06-01T12:55:00Z"),
            },
            FeatureRecord {
                layer: "9abc".into(),
                value: Some(FeatureValue::Int(7)),
                time: None,
            },
        ],
    }
}

#[test]
fn parse_and_mime_round_trip() {
    for f in InfoFormat::ALL {
        assert_eq!(InfoFormat::parse(f.mime()), Some(f));
        assert!(f.content_type().starts_with(f.mime()));
    }
    assert_eq!(
        InfoFormat::parse("application/geojson"),
        Some(InfoFormat::GeoJson)
    );
    assert_eq!(InfoFormat::parse("image/png"), None);
    assert_eq!(InfoFormat::parse(""), None);
}

#[test]
fn geojson_feature_collection() {
    for f in [InfoFormat::Json, InfoFormat::GeoJson] {
        let doc: serde_json::Value = serde_json::from_slice(&write(f, &info())).unwrap();
        assert_eq!(doc["type"], "FeatureCollection");
        assert_eq!(doc["crs"]["properties"]["name"], "EPSG:28992");
        let feats = doc["features"].as_array().unwrap();
        assert_eq!(feats.len(), 3);
        assert_eq!(feats[0]["geometry"]["type"], "Point");
        assert_eq!(
            feats[0]["geometry"]["coordinates"],
            serde_json::json!([210125.0, 460375.5])
        );
        let p = &feats[0]["properties"];
        assert_eq!(p["layer"], "org:rain");
        // Printed as the f32 it is, not its f64 widening.
        assert_eq!(p["value"].to_string(), "-2.34");
        assert_eq!(p["time"], "2024-06-01T12:15:00Z");
        assert!(feats[1]["properties"]["value"].is_null());
        assert_eq!(feats[2]["properties"]["value"], 7);
        assert!(feats[2]["properties"]["time"].is_null());
    }
}

#[test]
fn gml_groups_records_by_layer() {
    let doc = String::from_utf8(write(InfoFormat::Gml, &info())).unwrap();
    assert_eq!(write(InfoFormat::Xml, &info()), doc.as_bytes());
    assert!(doc.starts_with("<?xml"));
    assert_eq!(doc.matches("<org_rain_layer>").count(), 1);
    assert_eq!(doc.matches("<org_rain_feature>").count(), 2);
    assert_eq!(doc.matches("<_9abc_feature>").count(), 1);
    assert!(doc.contains("<gml:name>org:rain</gml:name>"));
    assert!(doc.contains("<value>-2.34</value>"));
    assert!(doc.contains("<value>7</value>"));
    // The nodata record has no value element.
    assert_eq!(doc.matches("<value>").count(), 2);
    assert!(doc.contains("<gml:coordinates>210125,460375.5</gml:coordinates>"));
    assert!(doc.contains("srsName=\"EPSG:28992\""));
}

#[test]
fn text_and_html() {
    let t = String::from_utf8(write(InfoFormat::Text, &info())).unwrap();
    assert!(t.contains("Layer 'org:rain'\n  value = -2.34\n  time = 2024-06-01T12:15:00Z"));
    assert!(t.contains("value = null"));
    let h = String::from_utf8(write(InfoFormat::Html, &info())).unwrap();
    assert!(h.contains("<td>org:rain</td><td>-2.34</td><td>2024-06-01T12:15:00Z</td>"));
    assert!(h.contains("<td>9abc</td><td>7</td><td></td>"));
    let empty = FeatureInfo {
        records: Vec::new(),
        ..info()
    };
    assert!(
        String::from_utf8(write(InfoFormat::Text, &empty))
            .unwrap()
            .contains("no results")
    );
}
