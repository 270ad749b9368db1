//! Legends, limits and image exceptions over HTTP: GetLegendGraphic (PNG and
//! JSON) checked against the colormap tables, the advertised `LegendURL`s
//! fetched and measured, Lizard's getlegend/getlimits (limits against the
//! GDAL golden arrays), and GetMap errors as INIMAGE/BLANK images.

use crate::support::{Image, decode_png, demo, read_f32, repo, xmllint};
use serde_json::Value;
use tegel::style::colormap;

const LOCHEM: &str = "nelen-schuurmans:p_lochem_kwel_wegzijging_2050";
const RDBU: &str = "RdBu_r:-4.6:-1.17";

fn legend(extra: &str) -> String {
    format!("/wms/?SERVICE=WMS&REQUEST=GetLegendGraphic&{extra}")
}

fn json(body: &[u8]) -> Value {
    serde_json::from_slice(body).expect("JSON body")
}

/// The colormap entry matplotlib paints `value` with on [min, max].
fn table_color(name: &str, min: f64, max: f64, value: f64) -> [u8; 4] {
    let c = colormap(name).expect("colormap");
    let n = c.len();
    let x = (value - min) / (max - min) * n as f64;
    let i = if x <= 0.0 { 0 } else { (x as usize).min(n - 1) };
    c.color(i).unwrap()
}

fn hex(c: [u8; 4]) -> String {
    format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2])
}

fn all_pixels(img: &Image, want: [u8; 4]) -> bool {
    img.rgba.chunks_exact(4).all(|p| p == want)
}

// ---- image exceptions --------------------------------------------------

fn bad_getmap(version: &str, extra: &str) -> String {
    let crs = if version == "1.1.1" { "SRS" } else { "CRS" };
    format!(
        "/wms/?SERVICE=WMS&REQUEST=GetMap&VERSION={version}&LAYERS=nope:missing&STYLES=&{crs}=EPSG:28992&BBOX=207750,457250,230500,473500&WIDTH=64&HEIGHT=48&FORMAT=image/png&{extra}"
    )
}

#[test]
fn w13_map_23_exceptions_blank_red() {
    let resp = demo()
        .get(&bad_getmap(
            "1.3.0",
            "EXCEPTIONS=BLANK&TRANSPARENT=FALSE&BGCOLOR=0xFF0000",
        ))
        .expect_status(200);
    assert_eq!(resp.content_type(), "image/png");
    assert_eq!(resp.header("cache-control"), Some("no-store"));
    let img = decode_png(&resp.body);
    assert_eq!((img.width, img.height), (64, 48));
    assert!(all_pixels(&img, [255, 0, 0, 255]));
}

#[test]
fn w13_map_23_exceptions_blank_transparent() {
    let resp = demo()
        .get(&bad_getmap("1.3.0", "EXCEPTIONS=BLANK&TRANSPARENT=TRUE"))
        .expect_status(200);
    assert_eq!(resp.content_type(), "image/png");
    let img = decode_png(&resp.body);
    assert_eq!((img.width, img.height), (64, 48));
    assert!(img.rgba.chunks_exact(4).all(|p| p[3] == 0));
}

#[test]
fn w11_07_exceptions_se_blank() {
    let resp = demo()
        .get(&bad_getmap(
            "1.1.1",
            "EXCEPTIONS=application/vnd.ogc.se_blank&BGCOLOR=0x00ff00",
        ))
        .expect_status(200);
    assert_eq!(resp.content_type(), "image/png");
    let img = decode_png(&resp.body);
    assert_eq!((img.width, img.height), (64, 48));
    assert!(all_pixels(&img, [0, 255, 0, 255]));
}

/// The first letter of every message is drawn at (2, 2): `LayerNotDefined`
/// starts with an `L` (a 7-pixel stem and a 5-pixel foot).
fn assert_starts_with_l(img: &Image, ink: [u8; 4], bg: [u8; 4]) {
    for y in 2..9 {
        assert_eq!(img.pixel(2, y), ink, "stem at y={y}");
        assert_eq!(img.pixel(4, y.min(7)), bg, "inside at y={y}");
    }
    for x in 2..7 {
        assert_eq!(img.pixel(x, 8), ink, "foot at x={x}");
    }
    assert_eq!(img.pixel(1, 1), bg);
}

#[test]
fn w13_map_22_exceptions_inimage() {
    let resp = demo()
        .get(
            &bad_getmap("1.3.0", "EXCEPTIONS=INIMAGE")
                .replace("WIDTH=64&HEIGHT=48", "WIDTH=300&HEIGHT=80"),
        )
        .expect_status(200);
    assert_eq!(resp.content_type(), "image/png");
    let img = decode_png(&resp.body);
    assert_eq!((img.width, img.height), (300, 80));
    let (white, black) = ([255, 255, 255, 255], [0, 0, 0, 255]);
    assert!(img.rgba.chunks_exact(4).all(|p| p == white || p == black));
    let ink = img.rgba.chunks_exact(4).filter(|p| *p == black).count();
    assert!(ink > 200, "only {ink} text pixels");
    assert_starts_with_l(&img, black, white);
    // The message wraps onto more than one line of the 300 px image.
    let second_line = (2..300).any(|x| (10..17).any(|y| img.pixel(x, y) == black));
    assert!(second_line);
}

#[test]
fn w11_07_exceptions_se_inimage_on_dark_background() {
    let resp = demo()
        .get(&bad_getmap(
            "1.1.1",
            "EXCEPTIONS=application/vnd.ogc.se_inimage&BGCOLOR=0x000080",
        ))
        .expect_status(200);
    assert_eq!(resp.content_type(), "image/png");
    let img = decode_png(&resp.body);
    assert_eq!((img.width, img.height), (64, 48));
    assert_starts_with_l(&img, [255, 255, 255, 255], [0, 0, 128, 255]);
}

#[test]
fn w13_map_22_inimage_for_errors_found_while_parsing() {
    // A BBOX with minx > maxx fails before any layer is looked up.
    let q = format!(
        "/wms/?SERVICE=WMS&REQUEST=GetMap&VERSION=1.3.0&LAYERS={LOCHEM}&STYLES=&CRS=EPSG:28992&BBOX=230500,457250,207750,473500&WIDTH=40&HEIGHT=30&FORMAT=image/png&EXCEPTIONS=BLANK&BGCOLOR=0x0000FF"
    );
    let img = decode_png(&demo().get(&q).expect_status(200).body);
    assert!(all_pixels(&img, [0, 0, 255, 255]));
    // Without a PNG FORMAT (or a usable size) the error falls back to XML.
    let tiff = bad_getmap("1.3.0", "EXCEPTIONS=INIMAGE").replace("image/png", "image/tiff");
    let resp = demo().get(&tiff);
    assert!(
        resp.content_type().contains("xml"),
        "{}",
        resp.content_type()
    );
    assert!(resp.text().contains("LayerNotDefined"));
    let huge = bad_getmap("1.3.0", "EXCEPTIONS=BLANK").replace("WIDTH=64", "WIDTH=99999");
    assert!(demo().get(&huge).content_type().contains("xml"));
    // Successful maps are unaffected by EXCEPTIONS.
    let ok = q.replace(
        "BBOX=230500,457250,207750,473500",
        "BBOX=207750,457250,230500,473500",
    );
    let img = decode_png(&demo().get(&ok).expect_status(200).body);
    assert!(img.rgba.chunks_exact(4).any(|p| p != [0, 0, 255, 255]));
}

#[test]
fn w13_cap_02_w11_02_exception_formats_advertised() {
    let caps = demo()
        .get("/wms/?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0")
        .text();
    for f in ["XML", "INIMAGE", "BLANK"] {
        assert!(caps.contains(&format!("<Format>{f}</Format>")), "{f}");
    }
    let caps = demo()
        .get("/wms/?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.1.1")
        .text();
    for f in ["se_xml", "se_inimage", "se_blank"] {
        assert!(
            caps.contains(&format!("<Format>application/vnd.ogc.{f}</Format>")),
            "{f}"
        );
    }
}

// ---- GetLegendGraphic --------------------------------------------------

/// `(href, format, width, height)` of every LegendURL in a capabilities text.
fn legend_urls(caps: &str) -> Vec<(String, String, u32, u32)> {
    let mut out = Vec::new();
    for chunk in caps.split("<LegendURL ").skip(1) {
        let attr = |name: &str| {
            let start = chunk.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
            let end = start + chunk[start..].find('"').unwrap();
            chunk[start..end].to_string()
        };
        let format = chunk
            .split("<Format>")
            .nth(1)
            .and_then(|s| s.split("</Format>").next())
            .unwrap()
            .to_string();
        let href = attr("xlink:href").replace("&amp;", "&");
        out.push((
            href,
            format,
            attr("width").parse().unwrap(),
            attr("height").parse().unwrap(),
        ));
    }
    out
}

#[test]
fn w13_lyr_09_legend_urls_match_their_images() {
    for version in ["1.3.0", "1.1.1"] {
        let resp = demo()
            .get(&format!(
                "/wms/?SERVICE=WMS&REQUEST=GetCapabilities&VERSION={version}"
            ))
            .expect_status(200);
        let caps = resp.text();
        let urls = legend_urls(&caps);
        assert!(urls.len() >= 3, "{version}: {} LegendURLs", urls.len());
        for (href, format, w, h) in urls {
            let path = href
                .strip_prefix(&format!("http://{}", demo().addr))
                .unwrap_or_else(|| panic!("{href} is not on this server"));
            let got = demo().get(path).expect_status(200);
            assert_eq!(got.content_type(), format, "{href}");
            let img = decode_png(&got.body);
            assert_eq!((img.width, img.height), (w, h), "{href}");
        }
        if version == "1.3.0" {
            xmllint(
                &resp.body,
                Some("schemas.opengis.net/sld/1.1.0/sld_capabilities.xsd"),
                "caps130legend",
            );
        } else {
            xmllint(&resp.body, None, "caps111legend");
        }
    }
}

#[test]
fn leg_01_errors_use_the_ogc_codes() {
    let cases = [
        (
            "VERSION=1.3.0&LAYER=nope:missing&FORMAT=image/png",
            "LayerNotDefined",
        ),
        (
            &*format!("VERSION=1.3.0&LAYER={LOCHEM}&STYLE=no_such_map&FORMAT=image/png"),
            "StyleNotDefined",
        ),
        (
            &*format!("VERSION=1.3.0&LAYER={LOCHEM}&FORMAT=image/gif"),
            "InvalidFormat",
        ),
    ];
    for (q, code) in cases {
        let resp = demo().get(&legend(q));
        assert_eq!(resp.content_type(), "text/xml", "{q}");
        assert!(
            resp.text().contains(&format!("code=\"{code}\"")),
            "{q}: {}",
            resp.text()
        );
    }
    let resp = demo().get(&legend("VERSION=1.1.1&LAYER=nope:missing&FORMAT=image/png"));
    assert_eq!(resp.content_type(), "application/vnd.ogc.se_xml");
}

#[test]
fn leg_02_legend_png_is_the_colormap_ramp() {
    let q = format!(
        "VERSION=1.3.0&SLD_VERSION=1.1.0&LAYER={LOCHEM}&STYLE={RDBU}&FORMAT=image/png&WIDTH=100&HEIGHT=200"
    );
    let resp = demo().get(&legend(&q)).expect_status(200);
    assert_eq!(resp.content_type(), "image/png");
    let img = decode_png(&resp.body);
    assert_eq!((img.width, img.height), (100, 200));
    // Documented layout: bar at x 4..24, y 7..192 (185 rows), max on top.
    let (min, max) = (-4.6, -1.17);
    for row in 0..185u32 {
        let t = 1.0 - (f64::from(row) + 0.5) / 185.0;
        let want = table_color("RdBu_r", min, max, min + t * (max - min));
        for x in [4, 13, 23] {
            assert_eq!(img.pixel(x, 7 + row), want, "bar row {row}, x {x}");
        }
    }
    let c = colormap("RdBu_r").unwrap();
    assert_eq!(img.pixel(10, 7), c.color(255).unwrap());
    assert_eq!(img.pixel(10, 191), c.color(0).unwrap());
    // Five ticks (185 / 40 + 1), 3 px marks right of the bar, labels beside.
    let white = [255, 255, 255, 255];
    for k in 0..5u32 {
        let y = 7 + (f64::from(k) * 184.0 / 4.0).round() as u32;
        for x in 24..27 {
            assert_eq!(img.pixel(x, y), [0, 0, 0, 255], "tick {k}");
        }
        let label_ink = (29..100).any(|x| (y - 3..y + 4).any(|yy| img.pixel(x, yy) != white));
        assert!(label_ink, "label of tick {k}");
    }
    assert_eq!(img.pixel(0, 0), white);
    assert_eq!(img.pixel(99, 199), white);
}

#[test]
fn leg_03_size_is_exactly_width_height() {
    for (extra, w, h) in [
        ("", 100, 200),
        ("&WIDTH=300&HEIGHT=60", 300, 60),
        ("&WIDTH=20&HEIGHT=20&RULE=anything&SCALE=5000", 20, 20),
        ("&WIDTH=1&HEIGHT=1", 1, 1),
    ] {
        let q = format!("VERSION=1.1.1&LAYER={LOCHEM}&STYLES={RDBU}&FORMAT=image/png{extra}");
        let img = decode_png(&demo().get(&legend(&q)).expect_status(200).body);
        assert_eq!((img.width, img.height), (w, h), "{extra}");
    }
    // The layer's default style when STYLE is absent; transparent background on request.
    let q = format!("VERSION=1.3.0&LAYER={LOCHEM}&FORMAT=image/png&TRANSPARENT=TRUE");
    let img = decode_png(&demo().get(&legend(&q)).expect_status(200).body);
    assert_eq!(img.pixel(0, 0)[3], 0);
    let q = format!("VERSION=1.3.0&LAYER={LOCHEM}&FORMAT=image/png&WIDTH=0");
    assert!(demo().get(&legend(&q)).text().contains("WIDTH"));
}

#[test]
fn leg_02_legend_json_lists_the_ticks() {
    let q = format!("VERSION=1.3.0&LAYER={LOCHEM}&STYLE={RDBU}&FORMAT=application/json");
    let resp = demo().get(&legend(&q)).expect_status(200);
    assert_eq!(resp.content_type(), "application/json");
    let doc = json(&resp.body);
    assert_eq!(doc["Legend"][0]["layerName"], LOCHEM);
    let entries = doc["Legend"][0]["rules"][0]["symbolizers"][0]["Raster"]["colormap"]["entries"]
        .as_array()
        .expect("entries");
    assert_eq!(entries.len(), 5);
    assert_eq!(entries[0]["quantity"], -4.6);
    assert_eq!(entries[4]["quantity"], -1.17);
    // Ticks are `max - (max - min) * k / 4` from the top (k = 0..4); listed
    // ascending. Colours from the documented values (a JSON round trip may
    // move a value by an ulp across a colour boundary).
    let (min, max): (f64, f64) = (-4.6, -1.17);
    for (j, e) in entries.iter().enumerate() {
        let k = 4 - j;
        let v = if k == 4 {
            min
        } else {
            max - (max - min) * k as f64 / 4.0
        };
        assert!((e["quantity"].as_f64().unwrap() - v).abs() < 1e-12);
        assert_eq!(
            e["color"],
            hex(table_color("RdBu_r", min, max, v)),
            "tick {k}"
        );
    }
}

#[test]
fn leg_06_legends_are_cacheable() {
    let q = legend(&format!(
        "VERSION=1.3.0&LAYER={LOCHEM}&STYLE={RDBU}&FORMAT=image/png"
    ));
    let resp = demo().get(&q).expect_status(200);
    let etag = resp.header("etag").expect("ETag").to_string();
    assert!(
        resp.header("cache-control")
            .is_some_and(|c| c.contains("max-age"))
    );
    demo()
        .get_with(&q, &[("If-None-Match", &etag)])
        .expect_status(304);
    let other = demo()
        .get(&q.replace("FORMAT=image/png", "FORMAT=image/png&WIDTH=50"))
        .expect_status(200);
    assert_ne!(other.header("etag"), Some(etag.as_str()));
}

// ---- Lizard vendor requests --------------------------------------------

#[test]
fn lizard_getlegend_steps_follow_the_colormap() {
    let resp = demo()
        .get(&format!(
            "/wms/?service=wms&request=getlegend&style={RDBU}&steps=10&format=json"
        ))
        .expect_status(200);
    assert_eq!(resp.content_type(), "application/json");
    let doc = json(&resp.body);
    assert_eq!(doc["limits"], serde_json::json!([-4.6, -1.17]));
    assert_eq!(doc["name"], "RdBu_r");
    assert_eq!(doc["colormap_type"], "gradient");
    assert_eq!(doc["log"], false);
    assert!(doc["labels"].is_object());
    let steps = doc["legend"].as_array().unwrap();
    assert_eq!(steps.len(), 10);
    let (min, max): (f64, f64) = (-4.6, -1.17);
    for (i, s) in steps.iter().enumerate() {
        let v = s["value"].as_f64().unwrap();
        let want = if i == 9 {
            max
        } else {
            min + (max - min) * i as f64 / 9.0
        };
        assert!((v - want).abs() < 1e-12, "step {i}: {v}");
        assert_eq!(
            s["color"],
            hex(table_color("RdBu_r", min, max, want)),
            "step {i}"
        );
    }
    // 100 steps; a layer's default style; a qualitative map is discrete.
    let doc = json(
        &demo()
            .get(&format!("/wms/?request=getlegend&layer={LOCHEM}&steps=100"))
            .expect_status(200)
            .body,
    );
    assert_eq!(doc["legend"].as_array().unwrap().len(), 100);
    let doc = json(&demo().get("/wms/?request=getlegend&style=Accent:0:7").body);
    assert_eq!(doc["colormap_type"], "discrete");
    assert_eq!(
        doc["legend"][1]["color"],
        hex(table_color("Accent", 0.0, 7.0, 7.0 / 9.0))
    );
    let bad = demo().get("/wms/?request=getlegend&style=nonsense");
    assert!(bad.text().contains("StyleNotDefined"));
}

/// min/max of a golden array (NaN = nodata).
fn golden_limits(name: &str) -> (f64, f64) {
    let v = read_f32(&repo().join(format!("tests/golden/render/{name}.f32")));
    let valid: Vec<f64> = v
        .iter()
        .filter(|x| !x.is_nan())
        .map(|&x| f64::from(x))
        .collect();
    let min = valid.iter().copied().fold(f64::INFINITY, f64::min);
    let max = valid.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    (min, max)
}

#[test]
fn lizard_getlimits_match_the_golden_grids() {
    let cases = [
        (
            "lochem_native",
            LOCHEM,
            "207750,457250,230500,473500",
            91,
            65,
            "",
        ),
        (
            "dem_native",
            "nelen-schuurmans:dem",
            "160900,444925,161100,445075",
            240,
            180,
            "",
        ),
        (
            "rain_t03",
            "nelen-schuurmans:rain",
            "120000,400000,240000,500000",
            120,
            100,
            "&time=2024-06-01T12:15:00Z",
        ),
    ];
    for (name, layer, bbox, w, h, time) in cases {
        let resp = demo()
            .get(&format!(
                "/wms/?request=getlimits&version=1.1.1&layers={layer}&width={w}&height={h}&srs=EPSG:28992&bbox={bbox}{time}"
            ))
            .expect_status(200);
        assert_eq!(resp.content_type(), "application/json");
        let (min, max) = golden_limits(name);
        assert_eq!(json(&resp.body), serde_json::json!([[min, max]]), "{name}");
    }
}

#[test]
fn lizard_getlimits_without_data_is_null() {
    let resp = demo()
        .get(&format!(
            "/wms/?request=getlimits&layers={LOCHEM}&width=16&height=16&srs=epsg:4326&bbox=-60,-40,-59,-39"
        ))
        .expect_status(200);
    assert_eq!(json(&resp.body), serde_json::json!([[null, null]]));
    let resp = demo().get("/wms/?request=getlimits&layers=nope:missing&width=16&height=16&srs=epsg:4326&bbox=5,50,6,52");
    assert!(resp.text().contains("LayerNotDefined"));
}

#[test]
fn leg_04_legends_advertised() {
    let caps = demo()
        .get("/wms/?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.1.1")
        .text();
    let op = caps
        .split("<GetLegendGraphic>")
        .nth(1)
        .and_then(|s| s.split("</GetLegendGraphic>").next())
        .expect("1.1.1 advertises GetLegendGraphic");
    assert!(op.contains("<Format>image/png</Format>"));
    assert!(op.contains("<Format>application/json</Format>"));
    // Every style of every layer has a LegendURL, in both versions.
    for version in ["1.1.1", "1.3.0"] {
        let caps = demo()
            .get(&format!(
                "/wms/?SERVICE=WMS&REQUEST=GetCapabilities&VERSION={version}"
            ))
            .text();
        assert_eq!(
            caps.matches("<Style>").count(),
            caps.matches("<LegendURL ").count(),
            "{version}"
        );
    }
}

#[test]
fn leg_05_dynamic_styles_are_reflected_by_the_same_parameters() {
    // A client that rescales a layer (STYLES=<cmap>:<min>:<max> on GetMap, as
    // Lizard's rescalable layers do) passes the same string as STYLE to the
    // legend, which then shows that colormap on that range.
    for (style, cmap, min, max) in [
        ("viridis:0:10", "viridis", 0.0, 10.0),
        ("viridis:-3:-2", "viridis", -3.0, -2.0),
    ] {
        let q = format!("VERSION=1.3.0&LAYER={LOCHEM}&STYLE={style}&FORMAT=application/json");
        let doc = json(&demo().get(&legend(&q)).expect_status(200).body);
        let entries =
            doc["Legend"][0]["rules"][0]["symbolizers"][0]["Raster"]["colormap"]["entries"]
                .as_array()
                .expect("entries")
                .clone();
        let first = &entries[0];
        let last = &entries[entries.len() - 1];
        assert_eq!(first["quantity"].as_f64(), Some(min), "{style}");
        assert_eq!(last["quantity"].as_f64(), Some(max), "{style}");
        assert_eq!(
            first["color"],
            hex(table_color(cmap, min, max, min)),
            "{style}"
        );
        assert_eq!(
            last["color"],
            hex(table_color(cmap, min, max, max)),
            "{style}"
        );
    }
    // The PNG legend changes with the style too, and a style GetMap refuses is
    // refused here as well.
    let png = |s: &str| {
        let q = format!("VERSION=1.3.0&LAYER={LOCHEM}&STYLE={s}&FORMAT=image/png");
        demo().get(&legend(&q)).expect_status(200).body
    };
    assert_ne!(png("viridis:0:10"), png("magma:0:10"));
    let bad = demo().get(&legend(&format!(
        "VERSION=1.3.0&LAYER={LOCHEM}&STYLE=no_such_map:0:1&FORMAT=image/png"
    )));
    assert!(bad.text().contains("StyleNotDefined"), "{}", bad.text());
}
