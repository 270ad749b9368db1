//! W13-MAP-15 … 21: what a GetMap answers (formats, exact size and limits,
//! transparency, background colour, XML exceptions).

use super::{
    DEM, DEM_BBOX, LOCHEM, LOCHEM_BBOX, NOWHERE, RAIN, RAIN_BBOX, WHITE, bbox, caps, code, map,
    pixels, png,
};
use crate::support::{Image, decode_png, decode_tiff, ogc_exception_code, xml_texts, xmllint};

#[test]
fn w13_map_15_each_advertised_format_for_each_layer() {
    let getmap = caps()
        .split("<GetMap>")
        .nth(1)
        .and_then(|s| s.split("</GetMap>").next())
        .expect("GetMap");
    let formats = xml_texts(getmap, "Format");
    assert!(formats.iter().any(|f| f == "image/png"));
    // Named layers: a `<Name>` before the layer's first child element.
    let layers: Vec<String> = caps()
        .split("<Layer")
        .skip(1)
        .filter(|l| l.starts_with([' ', '>']))
        .filter_map(|l| l.split("<Style>").next()?.split("<Layer").next())
        .filter_map(|l| xml_texts(l, "Name").into_iter().next())
        .collect();
    assert!(
        [RAIN, LOCHEM, DEM]
            .iter()
            .all(|l| layers.iter().any(|n| n == l)),
        "{layers:?}"
    );
    for layer in &layers {
        for format in &formats {
            let resp = map(&format!(
                "LAYERS={layer}&STYLES=&CRS=EPSG:28992&BBOX={}&WIDTH=12&HEIGHT=10&FORMAT={format}",
                bbox(RAIN_BBOX)
            ));
            assert_eq!(resp.status, 200, "{layer} {format}: {}", resp.text());
            let base = resp.content_type().split(';').next().unwrap_or("").trim();
            assert_eq!(base, format, "{layer}");
            match format.as_str() {
                "image/png" => assert_eq!(decode_png(&resp.body).width, 12),
                "image/tiff" => assert_eq!(decode_tiff(&resp.body).width, 12),
                other => panic!("untested format {other}"),
            }
        }
    }
}

#[test]
fn w13_map_16_unadvertised_format_is_invalid_format() {
    let q = format!("LAYERS={LOCHEM}&STYLES=&CRS=EPSG:28992&BBOX={LOCHEM_BBOX}&WIDTH=10&HEIGHT=10");
    for format in ["image/bmp", "image/jpeg", "image/gif", "text/html"] {
        assert_eq!(
            code(&format!("{q}&FORMAT={format}")),
            "InvalidFormat",
            "{format}"
        );
    }
}

#[test]
fn w13_map_17_output_is_exactly_width_by_height_within_the_limits() {
    let q = format!("LAYERS={LOCHEM}&STYLES=&CRS=EPSG:28992&BBOX={LOCHEM_BBOX}");
    let limit = |tag: &str| -> u32 {
        xml_texts(caps(), tag)
            .first()
            .and_then(|l| l.parse().ok())
            .unwrap_or_else(|| panic!("{tag} advertised"))
    };
    let (max_w, max_h) = (limit("MaxWidth"), limit("MaxHeight"));
    for (w, h) in [(8, 5), (1024, 768), (max_w, 1), (1, max_h)] {
        let img = png(&format!("{q}&WIDTH={w}&HEIGHT={h}"));
        assert_eq!((img.width, img.height), (w, h));
    }
    for (w, h) in [(max_w + 1, 10), (10, max_h + 1)] {
        ogc_exception_code(&map(&format!("{q}&WIDTH={w}&HEIGHT={h}")));
    }
}

#[test]
fn w13_map_18_not_transparent_means_no_transparent_pixels() {
    // Lochem has nodata cells: without TRANSPARENT=TRUE they are background.
    let q = format!(
        "LAYERS={LOCHEM}&STYLES=&CRS=EPSG:28992&BBOX=205000,455000,233000,476000&WIDTH=56&HEIGHT=42"
    );
    for extra in ["", "&TRANSPARENT=FALSE", "&TRANSPARENT=false"] {
        let img = png(&format!("{q}{extra}"));
        assert!(pixels(&img).all(|p| p[3] == 255), "{extra}");
        assert!(pixels(&img).any(|p| p == WHITE), "{extra}");
    }
}

#[test]
fn w13_map_19_transparent_true_leaves_uncovered_pixels_clear() {
    let q = format!(
        "LAYERS={LOCHEM}&STYLES=&CRS=EPSG:28992&BBOX=205000,455000,233000,476000&WIDTH=56&HEIGHT=42&TRANSPARENT=TRUE"
    );
    let img = png(&q);
    assert!(pixels(&img).any(|p| p[3] == 0));
    assert!(pixels(&img).any(|p| p[3] == 255));
    // On a box the layer fully covers, TRANSPARENT=TRUE is allowed: exactly
    // the nodata cells (as the raw values show them) are clear.
    let q = format!(
        "LAYERS={DEM}&STYLES=&CRS=EPSG:28992&BBOX={}&WIDTH=30&HEIGHT=25",
        bbox(DEM_BBOX)
    );
    let img = png(&format!("{q}&TRANSPARENT=TRUE"));
    let raw = decode_tiff(
        &map(&format!("{q}&FORMAT=image/tiff"))
            .expect_status(200)
            .body,
    );
    let nodata = raw.nodata.expect("the DEM declares nodata");
    for (p, v) in pixels(&img).zip(&raw.values) {
        assert_eq!(p[3] == 0, *v == nodata || v.is_nan(), "{v} {p:?}");
    }
    assert!(pixels(&img).filter(|p| p[3] == 255).count() > 30 * 25 * 9 / 10);
}

#[test]
fn w13_map_20_bgcolor_fills_the_uncovered_area_exactly() {
    let q = format!(
        "LAYERS={LOCHEM}&STYLES=&CRS=EPSG:28992&BBOX=205000,455000,233000,476000&WIDTH=56&HEIGHT=42"
    );
    let clear = png(&format!("{q}&TRANSPARENT=TRUE"));
    let expect = |bg: [u8; 4], img: &Image| {
        for (c, p) in pixels(&clear).zip(pixels(img)) {
            if c[3] == 0 {
                assert_eq!(p, bg);
            } else {
                assert_eq!(p, c);
            }
        }
    };
    expect(WHITE, &png(&q));
    for blue in ["0x0000FF", "0X0000ff", "0x0000Ff"] {
        expect([0, 0, 255, 255], &png(&format!("{q}&BGCOLOR={blue}")));
    }
    let nowhere = png(&format!(
        "LAYERS={LOCHEM}&STYLES=&CRS=EPSG:28992&BBOX={NOWHERE}&WIDTH=16&HEIGHT=8&BGCOLOR=0x0000FF"
    ));
    assert!(pixels(&nowhere).all(|p| p == [0, 0, 255, 255]));
}

#[test]
fn w13_map_21_default_and_xml_exceptions_are_schema_valid_text_xml() {
    let q =
        format!("LAYERS=nope:nothing&STYLES=&CRS=EPSG:28992&BBOX={LOCHEM_BBOX}&WIDTH=10&HEIGHT=10");
    for (name, extra) in [("default", ""), ("xml", "&EXCEPTIONS=XML")] {
        let resp = map(&format!("{q}{extra}"));
        assert_eq!(resp.content_type(), "text/xml", "{name}");
        assert_eq!(ogc_exception_code(&resp), "LayerNotDefined");
        xmllint(
            &resp.body,
            Some("schemas.opengis.net/wms/1.3.0/exceptions_1_3_0.xsd"),
            &format!("w13_map_21_{name}"),
        );
    }
}
