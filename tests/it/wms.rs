//! WMS over HTTP: capabilities (schema-valid, with the demo layers), GetMap
//! semantics (axis order, background, transparency, TIME, formats) and errors.

use crate::support::{decode_png, decode_tiff, demo, ogc_exception_code, xmllint};

const LOCHEM: &str = "nelen-schuurmans:p_lochem_kwel_wegzijging_2050";
const RAIN: &str = "nelen-schuurmans:rain";
/// The Lochem raster's own extent in EPSG:28992.
const LOCHEM_BBOX: &str = "207750,457250,230500,473500";

fn getmap(extra: &str) -> String {
    format!("/wms/?SERVICE=WMS&REQUEST=GetMap&FORMAT=image/png&STYLES=&{extra}")
}

#[test]
fn capabilities_1_3_0_are_schema_valid_and_list_the_demo_layers() {
    let resp = demo()
        .get("/wms/?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0")
        .expect_status(200);
    assert!(resp.content_type().contains("xml"));
    let text = resp.text();
    for name in [LOCHEM, RAIN, "nelen-schuurmans:dem"] {
        assert!(
            text.contains(&format!("<Name>{name}</Name>")),
            "{name} missing"
        );
    }
    // The temporal layer has a time dimension: 12 frames 5 minutes apart.
    assert!(
        text.contains("<Dimension name=\"time\""),
        "no time dimension"
    );
    assert!(
        text.contains("2024-06-01T12:00:00Z/2024-06-01T12:55:00Z/PT5M"),
        "time extent"
    );
    // OnlineResource uses the server's public URL.
    assert!(text.contains(&format!("xlink:href=\"http://{}/wms/", demo().addr)));
    xmllint(
        &resp.body,
        Some("schemas.opengis.net/sld/1.1.0/sld_capabilities.xsd"),
        "caps130",
    );
}

#[test]
fn capabilities_1_1_1_are_dtd_valid() {
    let resp = demo()
        .get("/wms/?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.1.1")
        .expect_status(200);
    assert_eq!(resp.content_type(), "application/vnd.ogc.wms_xml");
    assert!(resp.text().contains("<SRS>EPSG:28992</SRS>"));
    xmllint(&resp.body, None, "caps111");
}

#[test]
fn capabilities_are_identical_for_permuted_and_recased_parameters() {
    let a = demo()
        .get("/wms/?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0")
        .expect_status(200);
    let b = demo()
        .get("/wms/?version=1.3.0&request=getcapabilities&service=wms")
        .expect_status(200);
    assert_eq!(a.body, b.body);
}

#[test]
fn epsg4326_axis_order_differs_between_versions_but_the_map_does_not() {
    let v111 = demo()
        .get(&getmap(&format!("VERSION=1.1.1&LAYERS={LOCHEM}&SRS=EPSG:4326&BBOX=6.1,52.08,6.55,52.26&WIDTH=90&HEIGHT=60")))
        .expect_status(200);
    let v130 = demo()
        .get(&getmap(&format!("VERSION=1.3.0&LAYERS={LOCHEM}&CRS=EPSG:4326&BBOX=52.08,6.1,52.26,6.55&WIDTH=90&HEIGHT=60")))
        .expect_status(200);
    let crs84 = demo()
        .get(&getmap(&format!(
            "VERSION=1.3.0&LAYERS={LOCHEM}&CRS=CRS:84&BBOX=6.1,52.08,6.55,52.26&WIDTH=90&HEIGHT=60"
        )))
        .expect_status(200);
    let (a, b, c) = (
        decode_png(&v111.body),
        decode_png(&v130.body),
        decode_png(&crs84.body),
    );
    assert_eq!(a.rgba, b.rgba);
    assert_eq!(a.rgba, c.rgba);
    // And it is not empty: the layer covers part of this box.
    assert!(a.rgba.chunks(4).any(|p| p != [255, 255, 255, 255]));
}

#[test]
fn outside_the_extent_is_background_white_blue_or_transparent() {
    let far = "VERSION=1.3.0&CRS=EPSG:28992&BBOX=0,300000,10000,310000&WIDTH=16&HEIGHT=8";
    let white = decode_png(
        &demo()
            .get(&getmap(&format!("{far}&LAYERS={LOCHEM}")))
            .expect_status(200)
            .body,
    );
    assert_eq!((white.width, white.height), (16, 8));
    assert!(white.rgba.chunks(4).all(|p| p == [255, 255, 255, 255]));
    let blue = decode_png(
        &demo()
            .get(&getmap(&format!("{far}&LAYERS={LOCHEM}&BGCOLOR=0x0000FF")))
            .body,
    );
    assert!(blue.rgba.chunks(4).all(|p| p == [0, 0, 255, 255]));
    let clear = decode_png(
        &demo()
            .get(&getmap(&format!("{far}&LAYERS={LOCHEM}&TRANSPARENT=TRUE")))
            .body,
    );
    assert!(clear.rgba.chunks(4).all(|p| p[3] == 0));
}

#[test]
fn nodata_is_transparent_or_background() {
    // The Lochem raster has nodata cells; with TRANSPARENT=FALSE they are white
    // and no pixel is transparent; with TRUE some are.
    let q = format!(
        "VERSION=1.3.0&LAYERS={LOCHEM}&CRS=EPSG:28992&BBOX={LOCHEM_BBOX}&WIDTH=91&HEIGHT=65"
    );
    let opaque = decode_png(&demo().get(&getmap(&q)).expect_status(200).body);
    assert!(opaque.rgba.chunks(4).all(|p| p[3] == 255));
    let clear = decode_png(&demo().get(&getmap(&format!("{q}&TRANSPARENT=TRUE"))).body);
    let holes = clear.rgba.chunks(4).filter(|p| p[3] == 0).count();
    assert!(
        holes > 0 && holes < 91 * 65 / 10,
        "{holes} transparent pixels"
    );
    // Exactly the transparent pixels are white in the opaque version.
    for (o, c) in opaque.rgba.chunks(4).zip(clear.rgba.chunks(4)) {
        if c[3] == 0 {
            assert_eq!(o, [255, 255, 255, 255]);
        } else {
            assert_eq!(o, c);
        }
    }
}

#[test]
fn size_is_exact_and_stretching_is_allowed() {
    for (w, h) in [(8, 5), (1024, 768), (300, 20)] {
        let resp = demo()
            .get(&getmap(&format!("VERSION=1.3.0&LAYERS={LOCHEM}&CRS=EPSG:28992&BBOX={LOCHEM_BBOX}&WIDTH={w}&HEIGHT={h}")))
            .expect_status(200);
        let img = decode_png(&resp.body);
        assert_eq!((img.width, img.height), (w, h));
    }
}

/// The raw values of the rain layer at a given TIME, on its own grid.
fn rain_values(time: Option<&str>) -> Vec<f64> {
    let t = time.map(|t| format!("&TIME={t}")).unwrap_or_default();
    let resp = demo()
        .get(&format!(
            "/wms/?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS={RAIN}&STYLES=&CRS=EPSG:28992&BBOX=120000,400000,240000,500000&WIDTH=60&HEIGHT=50&FORMAT=image/tiff{t}"
        ))
        .expect_status(200);
    decode_tiff(&resp.body).values
}

#[test]
fn time_picks_the_nearest_frame_and_defaults_to_the_last() {
    let at_0505 = rain_values(Some("2024-06-01T12:05:00Z"));
    let near_0505 = rain_values(Some("2024-06-01T12:07:00.000Z"));
    let at_0510 = rain_values(Some("2024-06-01T12:10:00Z"));
    assert_eq!(at_0505, near_0505, "12:07 is nearest to 12:05");
    assert_ne!(at_0505, at_0510, "the rain cell moves between frames");
    // Before the first frame → the first; after the last or absent → the last.
    assert_eq!(
        rain_values(Some("2000-01-01")),
        rain_values(Some("2024-06-01T12:00:00Z"))
    );
    assert_eq!(rain_values(None), rain_values(Some("2024-06-01T12:55:00Z")));
    assert_eq!(rain_values(Some("2030-01-01T00:00:00Z")), rain_values(None));
}

#[test]
fn geotiff_output_carries_the_native_dtype_and_georeferencing() {
    let resp = demo()
        .get(&format!(
            "/wms/?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS={LOCHEM}&STYLES=&CRS=EPSG:28992&BBOX={LOCHEM_BBOX}&WIDTH=91&HEIGHT=65&FORMAT=image/tiff"
        ))
        .expect_status(200);
    assert_eq!(resp.content_type(), "image/tiff");
    let mut dec = tiff::decoder::Decoder::new(std::io::Cursor::new(&resp.body)).expect("tiff");
    assert_eq!(
        dec.colortype().expect("colortype"),
        tiff::ColorType::Gray(32)
    );
    let scale = dec
        .get_tag_f64_vec(tiff::tags::Tag::ModelPixelScaleTag)
        .expect("pixel scale");
    assert_eq!(&scale[..2], &[250.0, 250.0]);
    let tie = dec
        .get_tag_f64_vec(tiff::tags::Tag::ModelTiepointTag)
        .expect("tiepoint");
    assert_eq!((tie[3], tie[4]), (207750.0, 473500.0));
    let keys = dec
        .get_tag_u16_vec(tiff::tags::Tag::GeoKeyDirectoryTag)
        .expect("geokeys");
    assert!(
        keys.chunks(4).any(|k| k[0] == 3072 && k[3] == 28992),
        "ProjectedCSTypeGeoKey 28992"
    );
}

fn exception_code(query: &str) -> String {
    let resp = demo().get(&format!("/wms/?{query}"));
    assert_eq!(resp.status, 200, "WMS exceptions answer 200 by default");
    assert!(
        resp.content_type().contains("xml"),
        "{}",
        resp.content_type()
    );
    assert_eq!(resp.header("cache-control"), Some("no-store"));
    ogc_exception_code(&resp)
}

#[test]
fn errors_are_ogc_exceptions_with_their_codes() {
    let base = format!(
        "SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&CRS=EPSG:28992&BBOX={LOCHEM_BBOX}&WIDTH=10&HEIGHT=10&FORMAT=image/png"
    );
    assert_eq!(
        exception_code(&format!("{base}&LAYERS=nope:nothing&STYLES=")),
        "LayerNotDefined"
    );
    assert_eq!(
        exception_code(&format!("{base}&LAYERS={LOCHEM},nope:x&STYLES=,")),
        "LayerNotDefined"
    );
    assert_eq!(
        exception_code(&format!("{base}&LAYERS={LOCHEM}&STYLES=no_such_cmap")),
        "StyleNotDefined"
    );
    assert_eq!(
        exception_code(&format!(
            "{}&LAYERS={LOCHEM}&STYLES=",
            base.replace("image/png", "image/bmp")
        )),
        "InvalidFormat"
    );
    assert_eq!(
        exception_code(&format!(
            "{}&LAYERS={LOCHEM}&STYLES=",
            base.replace("EPSG:28992", "EPSG:2056")
        )),
        "InvalidCRS"
    );
    assert_eq!(
        exception_code("SERVICE=WMS&VERSION=1.3.0&REQUEST=DescribeLayer"),
        "OperationNotSupported"
    );
    // Bad BBOX: an exception without a code.
    let bad = base.replace(LOCHEM_BBOX, "10,0,0,10");
    assert_eq!(
        exception_code(&format!("{bad}&LAYERS={LOCHEM}&STYLES=")),
        ""
    );
    // 1.1.1 uses its own MIME type and InvalidSRS.
    let resp = demo().get(&format!(
        "/wms/?SERVICE=WMS&VERSION=1.1.1&REQUEST=GetMap&SRS=EPSG:2056&BBOX=0,0,1,1&WIDTH=1&HEIGHT=1&FORMAT=image/png&LAYERS={LOCHEM}&STYLES="
    ));
    assert_eq!(resp.content_type(), "application/vnd.ogc.se_xml");
    assert!(resp.text().contains("InvalidSRS"));
    xmllint(
        &demo().get(&format!("/wms/?{base}&LAYERS=x:y")).body,
        Some("schemas.opengis.net/wms/1.3.0/exceptions_1_3_0.xsd"),
        "exc130",
    );
}

#[test]
fn two_layers_composite_with_the_first_at_the_bottom() {
    // The DEM is far from Lochem: over Lochem's box the composite equals Lochem alone.
    let q = format!("VERSION=1.3.0&CRS=EPSG:28992&BBOX={LOCHEM_BBOX}&WIDTH=91&HEIGHT=65");
    let both = decode_png(
        &demo()
            .get(&getmap(&format!(
                "{q}&LAYERS=nelen-schuurmans:dem,{LOCHEM}"
            )))
            .expect_status(200)
            .body,
    );
    let alone = decode_png(
        &demo()
            .get(&getmap(&format!(
                "VERSION=1.3.0&CRS=EPSG:28992&BBOX={LOCHEM_BBOX}&WIDTH=91&HEIGHT=65&LAYERS={LOCHEM}"
            )))
            .body,
    );
    assert_eq!(both.rgba, alone.rgba);
}
