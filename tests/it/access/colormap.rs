//! Lizard §1.1/§6.2: a layer's own `colormap` as its default style.

use super::*;

/// Colour of `v` under PAINTED's colormap, computed here: the gradient
/// sampled at 256 entries over its stops' domain [-5, 60] (entry
/// `trunc(t·256)`, sampled at `k/255`), as every Lizard gradient is painted.
fn painted_color(v: f64) -> [f64; 4] {
    let stops = [
        (-5.0, [0.0, 0.0, 255.0]),
        (20.0, [0.0, 255.0, 0.0]),
        (60.0, [255.0, 0.0, 0.0]),
    ];
    let (min, max) = (-5.0, 60.0);
    let t = ((v - min) / (max - min)).clamp(0.0, 1.0);
    let k = ((t * 256.0) as usize).min(255);
    let at = min + k as f64 / 255.0 * (max - min);
    let i = if at <= 20.0 { 0 } else { 1 };
    let (a, b) = (stops[i], stops[i + 1]);
    let f = ((at - a.0) / (b.0 - a.0)).clamp(0.0, 1.0);
    let c = |j: usize| a.1[j] + f * (b.1[j] - a.1[j]);
    [c(0), c(1), c(2), 255.0]
}

#[test]
fn lizard_1_1_layer_colormap_is_the_default_style() {
    let png = get(&map(PAINTED, "&TRANSPARENT=TRUE"), None).expect_status(200);
    let tiff = get(
        &map(PAINTED, "").replace("FORMAT=image/png", "FORMAT=image/tiff"),
        None,
    )
    .expect_status(200);
    let img = decode_png(&png.body);
    let values = decode_tiff(&tiff.body);
    assert_eq!((img.width, values.width), (256, 256));
    let (mut painted, mut colours) = (0, std::collections::BTreeSet::new());
    for (i, &v) in values.values.iter().enumerate() {
        let (x, y) = ((i % 256) as u32, (i / 256) as u32);
        let got = img.pixel(x, y);
        if v.is_nan() || values.nodata == Some(v) {
            assert_eq!(got[3], 0, "nodata at {x},{y}");
            continue;
        }
        let want = painted_color(v);
        for c in 0..4 {
            assert!(
                (f64::from(got[c]) - want[c]).abs() <= 1.0,
                "pixel {x},{y} value {v}: {got:?} vs {want:?}"
            );
        }
        painted += 1;
        colours.insert(got);
    }
    assert!(
        painted > 30_000 && colours.len() > 20,
        "{painted} {}",
        colours.len()
    );
    // Tiles (XYZ, WMTS) show the same pixels; STYLES=default names it.
    for path in [
        requests(PAINTED)[6].clone(),
        requests(PAINTED)[8].clone(),
        map(PAINTED, "&TRANSPARENT=TRUE").replace("STYLES=&", "STYLES=default&"),
    ] {
        let other = decode_png(&get(&path, None).expect_status(200).body);
        assert!(other.rgba == img.rgba, "{path} differs from the map");
    }
    // Capabilities advertise it as the style `default`, with a legend that works.
    let caps = get(
        "/wms/?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0",
        None,
    )
    .expect_status(200)
    .text();
    let entry = caps
        .split("<Layer")
        .find(|l| l.contains(&format!("<Name>{PAINTED}</Name>")))
        .expect("PAINTED advertised")
        .to_string();
    assert_eq!(xml_texts(&entry, "Name")[1], "default");
    let legend_url = entry
        .split("<LegendURL")
        .nth(1)
        .and_then(|s| s.split("xlink:href=\"").nth(1))
        .and_then(|s| s.split('"').next())
        .expect("LegendURL")
        .replace("&amp;", "&");
    let path = legend_url
        .split_once(&world().server.addr.to_string())
        .unwrap()
        .1;
    let legend = get(path, None).expect_status(200);
    assert_eq!(legend.content_type(), "image/png");
    let wmts = get("/wmts/1.0.0/WMTSCapabilities.xml", None).text();
    let block = wmts
        .split("<Layer>")
        .find(|l| l.contains(&format!("<ows:Identifier>{PAINTED}</ows:Identifier>")))
        .expect("PAINTED in WMTS");
    assert!(block.contains("<ows:Identifier>default</ows:Identifier>"));
    // getlegend reads the colormap: its stops' domain and colours.
    let doc: Value = serde_json::from_slice(
        &get(
            &format!("/wms/?request=getlegend&layer={PAINTED}&steps=3"),
            None,
        )
        .expect_status(200)
        .body,
    )
    .unwrap();
    assert_eq!(doc["limits"], json!([-5.0, 60.0]));
    assert_eq!(doc["colormap_type"], "gradient");
    assert_eq!(doc["legend"][0]["color"], "#0000ff");
    assert_eq!(doc["legend"][2]["color"], "#ff0000");
    // Other styles still apply to the layer.
    let viridis = get(
        &map(PAINTED, "").replace("STYLES=&", "STYLES=viridis:-5:60&"),
        None,
    );
    assert_eq!(viridis.expect_status(200).content_type(), "image/png");
    // Clients cannot send colormap definitions as STYLES.
    let sent = get(
        &map(DEM, "").replace(
            "STYLES=&",
            "STYLES=%7B%22type%22%3A%22GradientColormap%22%7D&",
        ),
        None,
    );
    assert_eq!(ogc_exception_code(&sent), "StyleNotDefined");
}

#[test]
fn lizard_1_1_invalid_layer_colormap_is_a_clear_error() {
    let resp = get(&map(BROKEN, ""), None);
    assert_eq!(ogc_exception_code(&resp), "StyleNotDefined");
    assert!(resp.text().contains("default style"), "{}", resp.text());
    assert!(
        resp.text().contains("colormap definition"),
        "{}",
        resp.text()
    );
    let tile = get(&requests(BROKEN)[6], None);
    assert_eq!(tile.status, 400);
    // The server goes on serving.
    get(&map(DEM, ""), None).expect_status(200);
}

#[test]
fn lizard_1_1_changing_a_layer_colormap_changes_its_tiles() {
    let w = world();
    let tile = requests(REPAINTED)[6].clone();
    let before = get(&tile, None).expect_status(200);
    let id = w.repainted;
    w.server.update_catalogue(|data, rev| {
        let layer = data.layers.iter_mut().find(|l| l.uuid == id).unwrap();
        layer.colormap = Some(json!({
            "type": "GradientColormap",
            "data": [[-5, [255, 255, 0, 255]], [60, [128, 0, 128, 255]]],
        }));
        layer.revision = rev;
        Ok(())
    });
    let after = get(&tile, None).expect_status(200);
    assert_ne!(before.header("etag"), after.header("etag"));
    assert_ne!(before.body, after.body);
    let img = decode_png(&after.body);
    // Every opaque pixel lies on the new yellow–purple ramp (red ≥ 128).
    assert!(
        img.rgba
            .chunks_exact(4)
            .filter(|p| p[3] == 255)
            .all(|p| p[0] >= 127),
        "new colours"
    );
}
