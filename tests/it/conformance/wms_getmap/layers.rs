//! W13-MAP-10 … 14: LAYERS and STYLES of a GetMap (order, defaults, unknown
//! names, LayerLimit).

use super::{DEM, LOCHEM, LOCHEM_BBOX, RAIN, RAIN_BBOX, bbox, caps, code, map, pixels, png};
use crate::support::{Image, ogc_exception_code, xml_texts};

/// The layers' own images over Lochem's box, transparent outside their data.
fn over_lochem(layers: &str) -> Image {
    png(&format!(
        "LAYERS={layers}&STYLES=&CRS=EPSG:28992&BBOX={LOCHEM_BBOX}&WIDTH=91&HEIGHT=65&TRANSPARENT=TRUE"
    ))
}

/// `top` drawn over `bottom` (opaque or fully transparent pixels only).
fn over(top: &Image, bottom: &Image) -> Vec<u8> {
    pixels(top)
        .zip(pixels(bottom))
        .flat_map(|(t, b)| {
            assert!(t[3] == 0 || t[3] == 255, "partial alpha {t:?}");
            if t[3] == 255 { t } else { b }.to_vec()
        })
        .collect()
}

#[test]
fn w13_map_10_one_two_three_layers_with_the_first_at_the_bottom() {
    let rain = over_lochem(RAIN);
    let lochem = over_lochem(LOCHEM);
    let dem = over_lochem(DEM);
    assert!(pixels(&lochem).any(|p| p[3] == 0), "Lochem has holes");
    assert!(pixels(&dem).all(|p| p[3] == 0), "the DEM is elsewhere");
    // Rain at the bottom shows through Lochem's holes only.
    assert_eq!(
        over_lochem(&format!("{RAIN},{LOCHEM}")).rgba,
        over(&lochem, &rain)
    );
    // Rain on top covers Lochem entirely.
    assert_eq!(
        over_lochem(&format!("{LOCHEM},{RAIN}")).rgba,
        over(&rain, &lochem)
    );
    assert_ne!(over(&lochem, &rain), over(&rain, &lochem));
    let three = over_lochem(&format!("{DEM},{RAIN},{LOCHEM}"));
    assert_eq!(three.rgba, over(&lochem, &rain));
    let three = over_lochem(&format!("{RAIN},{LOCHEM},{DEM}"));
    assert_eq!(
        three.rgba,
        over(&dem, &over_lochem(&format!("{RAIN},{LOCHEM}")))
    );
}

#[test]
fn w13_map_11_unknown_layer_anywhere_is_layer_not_defined() {
    let q = format!("CRS=EPSG:28992&BBOX={LOCHEM_BBOX}&WIDTH=10&HEIGHT=10");
    for layers in [
        "nope:nothing".to_string(),
        format!("nope:nothing,{LOCHEM}"),
        format!("{LOCHEM},nope:nothing"),
    ] {
        let n = layers.split(',').count();
        let styles = ",".repeat(n - 1);
        assert_eq!(
            code(&format!("{q}&LAYERS={layers}&STYLES={styles}")),
            "LayerNotDefined",
            "{layers}"
        );
    }
}

#[test]
fn w13_map_12_default_and_named_styles_in_every_combination() {
    // A layer's advertised style: the first `<Style><Name>` after its name.
    let style_of = |layer: &str| {
        let after = caps()
            .split(&format!("<Name>{layer}</Name>"))
            .nth(1)
            .and_then(|s| s.split("<Style>").nth(1))
            .expect("the layer has a style");
        xml_texts(after, "Name").remove(0)
    };
    let (s_rain, s_lochem, s_dem) = (style_of(RAIN), style_of(LOCHEM), style_of(DEM));
    let q = format!(
        "CRS=EPSG:28992&BBOX={}&WIDTH=60&HEIGHT=50&TRANSPARENT=TRUE",
        bbox(RAIN_BBOX)
    );
    let one = |styles: &str| png(&format!("{q}&LAYERS={RAIN}&STYLES={styles}")).rgba;
    let single = one("");
    assert_eq!(single, one(&s_rain));
    assert_ne!(single, one("viridis"));
    let three =
        |styles: &str| png(&format!("{q}&LAYERS={RAIN},{LOCHEM},{DEM}&STYLES={styles}")).rgba;
    let defaults = three("");
    for styles in [
        ",,".to_string(),
        format!("{s_rain},{s_lochem},{s_dem}"),
        format!("{s_rain},,{s_dem}"),
        format!(",{s_lochem},"),
    ] {
        assert_eq!(defaults, three(&styles), "STYLES={styles}");
    }
    assert_ne!(defaults, three("viridis,,"));
    // Without STYLES at all, defaults too.
    assert_eq!(single, png(&format!("{q}&LAYERS={RAIN}")).rgba);
}

#[test]
fn w13_map_13_unknown_style_anywhere_is_style_not_defined() {
    let q = format!("CRS=EPSG:28992&BBOX={LOCHEM_BBOX}&WIDTH=10&HEIGHT=10");
    for (layers, styles) in [
        (LOCHEM.to_string(), "no_such_style"),
        (format!("{LOCHEM},{RAIN}"), "no_such_style,"),
        (format!("{LOCHEM},{RAIN}"), ",no_such_style"),
        (format!("{LOCHEM},{RAIN}"), "viridis,no_such_style"),
    ] {
        assert_eq!(
            code(&format!("{q}&LAYERS={layers}&STYLES={styles}")),
            "StyleNotDefined",
            "{layers} {styles}"
        );
    }
}

#[test]
fn w13_map_14_more_layers_than_layer_limit_is_an_exception() {
    let limit: usize = xml_texts(caps(), "LayerLimit")
        .first()
        .and_then(|l| l.parse().ok())
        .expect("LayerLimit advertised");
    let q = format!("CRS=EPSG:28992&BBOX={LOCHEM_BBOX}&WIDTH=8&HEIGHT=8&STYLES=");
    let layers = |n: usize| vec![RAIN; n].join(",");
    let img = png(&format!("{q}&LAYERS={}", layers(limit)));
    assert_eq!((img.width, img.height), (8, 8));
    let resp = map(&format!("{q}&LAYERS={}", layers(limit + 1)));
    ogc_exception_code(&resp);
}
