//! WMS 1.3.0 capabilities content (checklist §2.3 W13-CAP-01, W13-LYR-01…12,
//! §2.7 W13-DIM-08), checked as CITE does: on the demo server's document, with
//! inherited values resolved along the layer tree.

use super::xml_tree::{El, parse};
use crate::support::{decode_png, demo, xmllint};
use std::collections::BTreeSet;

pub(super) const CAPS_1_3_0: &str = "/wms/?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0";

/// The demo server's 1.3.0 capabilities, parsed.
fn caps() -> El {
    let resp = demo().get(CAPS_1_3_0).expect_status(200);
    parse(&resp.body)
}

/// A layer with the values it inherits resolved (as CITE reads the tree).
#[derive(Clone)]
struct Resolved<'a> {
    layer: &'a El,
    crs: BTreeSet<String>,
    geo: Option<&'a El>,
    /// Own and inherited BoundingBoxes (a layer's own replace its parent's per CRS).
    bboxes: Vec<&'a El>,
    inherited_styles: Vec<String>,
    dims: Vec<&'a El>,
}

fn resolve<'a>(layer: &'a El, parent: Option<&Resolved<'a>>, out: &mut Vec<Resolved<'a>>) {
    let mut crs: BTreeSet<String> = parent.map(|p| p.crs.clone()).unwrap_or_default();
    crs.extend(layer.all("CRS").map(|c| c.text.clone()));
    let geo = layer
        .child("EX_GeographicBoundingBox")
        .or(parent.and_then(|p| p.geo));
    let own: Vec<&El> = layer.all("BoundingBox").collect();
    let mut bboxes = own.clone();
    if let Some(p) = parent {
        for b in &p.bboxes {
            if !own.iter().any(|o| o.attr("CRS") == b.attr("CRS")) {
                bboxes.push(b);
            }
        }
    }
    let mut inherited_styles = parent
        .map(|p| p.inherited_styles.clone())
        .unwrap_or_default();
    if let Some(p) = parent {
        inherited_styles.extend(
            p.layer
                .all("Style")
                .filter_map(|s| s.text_of("Name").map(str::to_string)),
        );
    }
    let mut dims: Vec<&El> = parent.map(|p| p.dims.clone()).unwrap_or_default();
    dims.extend(layer.all("Dimension"));
    let me = Resolved {
        layer,
        crs,
        geo,
        bboxes,
        inherited_styles,
        dims,
    };
    out.push(me);
    let idx = out.len() - 1;
    for c in layer.all("Layer") {
        let parent = out[idx].clone();
        resolve(c, Some(&parent), out);
    }
}

/// Every layer of the document, resolved; the root layer first.
fn layers(doc: &El) -> Vec<Resolved<'_>> {
    let root = doc
        .child("Capability")
        .and_then(|c| c.child("Layer"))
        .expect("a root layer");
    let mut out = Vec::new();
    resolve(root, None, &mut out);
    out
}

fn named<'a>(all: &'a [Resolved<'a>]) -> impl Iterator<Item = &'a Resolved<'a>> {
    all.iter().filter(|l| l.layer.child("Name").is_some())
}

fn name(l: &Resolved) -> String {
    l.layer.text_of("Name").unwrap_or("").to_string()
}

fn f(s: Option<&str>) -> f32 {
    s.expect("a number").parse::<f32>().expect("xsd:float")
}

/// west, south, east, north of an EX_GeographicBoundingBox.
fn geo_values(g: &El) -> [f32; 4] {
    [
        f(g.text_of("westBoundLongitude")),
        f(g.text_of("southBoundLatitude")),
        f(g.text_of("eastBoundLongitude")),
        f(g.text_of("northBoundLatitude")),
    ]
}

fn bbox_values(b: &El) -> [f32; 4] {
    ["minx", "miny", "maxx", "maxy"].map(|k| f(b.attr(k)))
}

#[test]
fn w13_cap_01_schema_valid_with_the_normative_schema_location() {
    let resp = demo().get(CAPS_1_3_0).expect_status(200);
    xmllint(
        &resp.body,
        Some("schemas.opengis.net/sld/1.1.0/sld_capabilities.xsd"),
        "conf-caps130",
    );
    let doc = parse(&resp.body);
    assert_eq!(doc.name, "WMS_Capabilities");
    assert_eq!(doc.attr("xmlns"), Some("http://www.opengis.net/wms"));
    let loc = doc.attr("xsi:schemaLocation").expect("xsi:schemaLocation");
    let parts: Vec<&str> = loc.split_whitespace().collect();
    assert!(
        parts.chunks(2).any(|p| p
            == [
                "http://www.opengis.net/wms",
                "http://schemas.opengis.net/wms/1.3.0/capabilities_1_3_0.xsd"
            ]),
        "{loc}"
    );
    // Any sld: element needs the SLD pair in schemaLocation.
    if String::from_utf8_lossy(&resp.body).contains("<sld:") {
        assert!(loc.contains("http://www.opengis.net/sld"), "{loc}");
    }
}

#[test]
fn w13_lyr_01_every_named_layer_has_a_crs() {
    let doc = caps();
    let all = layers(&doc);
    assert!(named(&all).count() >= 3, "the demo layers");
    for l in named(&all) {
        assert!(!l.crs.is_empty(), "{} has no CRS", name(l));
    }
}

#[test]
fn w13_lyr_02_root_lists_every_crs_common_to_all_named_layers() {
    let doc = caps();
    let all = layers(&doc);
    let root: BTreeSet<String> = all[0].layer.all("CRS").map(|c| c.text.clone()).collect();
    let common = named(&all)
        .map(|l| l.crs.clone())
        .reduce(|a, b| a.intersection(&b).cloned().collect())
        .expect("named layers");
    assert!(common.is_subset(&root), "{common:?} not all in {root:?}");
    for code in ["CRS:84", "EPSG:4326", "EPSG:3857", "EPSG:28992"] {
        assert!(root.contains(code), "root lacks {code}");
    }
}

#[test]
fn w13_lyr_03_auto2_declarations_carry_no_parameters() {
    let doc = caps();
    let mut all = Vec::new();
    doc.descendants("CRS", &mut all);
    assert!(!all.is_empty());
    for c in all {
        let t = c.text.trim();
        assert!(!t.is_empty(), "empty CRS element");
        if t.to_ascii_uppercase().starts_with("AUTO2:") {
            assert!(!t.contains(','), "AUTO2 with values: {t}");
        }
    }
}

#[test]
fn w13_lyr_04_every_named_layer_has_a_geographic_bbox() {
    let doc = caps();
    let all = layers(&doc);
    for l in named(&all) {
        let g = l
            .geo
            .unwrap_or_else(|| panic!("{} has no EX_GeographicBoundingBox", name(l)));
        let [w, s, e, n] = geo_values(g);
        assert!(w < e && s < n, "{}: {w} {s} {e} {n}", name(l));
        assert!((-180.0..=180.0).contains(&w) && (-180.0..=180.0).contains(&e));
        assert!((-90.0..=90.0).contains(&s) && (-90.0..=90.0).contains(&n));
    }
}

#[test]
fn w13_lyr_05_bounding_boxes_present_distinct_and_advertised() {
    let doc = caps();
    let all = layers(&doc);
    for l in &all {
        let own: Vec<&str> = l
            .layer
            .all("BoundingBox")
            .map(|b| b.attr("CRS").expect("CRS attribute"))
            .collect();
        let distinct: BTreeSet<&str> = own.iter().copied().collect();
        assert_eq!(distinct.len(), own.len(), "repeated CRS in {own:?}");
        for crs in &own {
            assert!(l.crs.contains(*crs), "BoundingBox in unadvertised {crs}");
        }
        if l.layer.child("Name").is_some() {
            assert!(!l.bboxes.is_empty(), "{} has no BoundingBox", name(l));
        }
        for b in l.layer.all("BoundingBox") {
            let [x0, y0, x1, y1] = bbox_values(b);
            assert!(x0 < x1 && y0 < y1, "{b:?}");
        }
    }
}

#[test]
fn w13_lyr_06_bounding_box_axis_order_matches_the_geographic_bbox() {
    let doc = caps();
    let all = layers(&doc);
    for l in &all {
        let g = geo_values(l.geo.expect("EX_GeographicBoundingBox"));
        let [w, s, e, n] = g;
        let by = |crs: &str| {
            l.bboxes
                .iter()
                .find(|b| b.attr("CRS") == Some(crs))
                .copied()
        };
        let crs84 = by("CRS:84").expect("a CRS:84 BoundingBox");
        assert_eq!(bbox_values(crs84), [w, s, e, n], "CRS:84 is lon/lat");
        let epsg4326 = by("EPSG:4326").expect("an EPSG:4326 BoundingBox");
        assert_eq!(bbox_values(epsg4326), [s, w, n, e], "EPSG:4326 is lat/lon");
    }
    // The DEM's boxes, read the advertised way, cover its data: its native
    // EPSG:28992 box is its source extent, and a GetMap over its EPSG:4326 box
    // in 1.3.0 order shows data at the centre (swapped, it would be empty).
    let dem = named(&all)
        .find(|l| name(l) == "nelen-schuurmans:dem")
        .expect("the DEM");
    let rd = dem
        .bboxes
        .iter()
        .find(|b| b.attr("CRS") == Some("EPSG:28992"))
        .expect("EPSG:28992 box");
    assert_eq!(bbox_values(rd), [160000.0, 444000.0, 162000.0, 446000.0]);
    let b = dem
        .bboxes
        .iter()
        .find(|b| b.attr("CRS") == Some("EPSG:4326"))
        .expect("EPSG:4326 box");
    let bbox = ["minx", "miny", "maxx", "maxy"]
        .map(|k| b.attr(k).expect("coordinate"))
        .join(",");
    let resp = demo()
        .get(&format!(
            "/wms/?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=nelen-schuurmans:dem&STYLES=\
             &CRS=EPSG:4326&BBOX={bbox}&WIDTH=40&HEIGHT=40&FORMAT=image/png&TRANSPARENT=TRUE"
        ))
        .expect_status(200);
    assert_eq!(resp.content_type(), "image/png", "{}", resp.text());
    let img = decode_png(&resp.body);
    assert_eq!(
        img.pixel(20, 20)[3],
        255,
        "data at the centre of the advertised box"
    );
}

#[test]
fn w13_lyr_07_style_names_not_redefined_below() {
    let doc = caps();
    let all = layers(&doc);
    for l in &all {
        let own: Vec<&str> = l
            .layer
            .all("Style")
            .filter_map(|s| s.text_of("Name"))
            .collect();
        let distinct: BTreeSet<&str> = own.iter().copied().collect();
        assert_eq!(distinct.len(), own.len(), "{}: {own:?}", name(l));
        for s in &own {
            assert!(
                !l.inherited_styles.iter().any(|i| i == s),
                "{} redefines inherited style {s}",
                name(l)
            );
        }
        if l.layer.child("Name").is_some() {
            assert!(
                !own.is_empty() || !l.inherited_styles.is_empty(),
                "{} has no style",
                name(l)
            );
        }
    }
}

#[test]
fn w13_lyr_08_authority_urls_unique_and_identifiers_matched() {
    // Walk the tree with the AuthorityURL names seen on the way down.
    fn walk(layer: &El, inherited: &BTreeSet<String>) {
        let own: Vec<&str> = layer
            .all("AuthorityURL")
            .map(|a| a.attr("name").expect("AuthorityURL@name"))
            .collect();
        let mut names = inherited.clone();
        for n in &own {
            assert!(names.insert(n.to_string()), "AuthorityURL {n} redefined");
        }
        for id in layer.all("Identifier") {
            let authority = id.attr("authority").expect("Identifier@authority");
            assert!(names.contains(authority), "no AuthorityURL for {authority}");
        }
        for c in layer.all("Layer") {
            walk(c, &names);
        }
    }
    let doc = caps();
    let root = doc
        .child("Capability")
        .and_then(|c| c.child("Layer"))
        .expect("root layer");
    walk(root, &BTreeSet::new());
}

#[test]
fn w13_lyr_10_dimension_declarations() {
    let doc = caps();
    let all = layers(&doc);
    let mut time_layers = 0;
    for l in &all {
        for d in l.layer.all("Dimension") {
            let dim = d.attr("name").expect("Dimension@name").to_ascii_lowercase();
            let units = d.attr("units").expect("Dimension@units");
            match dim.as_str() {
                "time" => {
                    time_layers += 1;
                    assert_eq!(units, "ISO8601");
                }
                "elevation" if units == "CRS:88" => assert_eq!(d.attr("unitSymbol"), Some("m")),
                _ => {}
            }
            // No conflicting redeclaration of an inherited dimension.
            for inherited in l.dims.iter().filter(|i| !std::ptr::eq(**i, d)) {
                if inherited.attr("name").map(str::to_ascii_lowercase) == Some(dim.clone()) {
                    assert_eq!(inherited.attr("units"), d.attr("units"), "{dim} redeclared");
                    assert_eq!(inherited.attr("unitSymbol"), d.attr("unitSymbol"));
                }
            }
        }
    }
    assert!(time_layers >= 1, "the rain layer declares time");
}

#[test]
fn w13_lyr_11_queryable_layers_answer_getfeatureinfo() {
    let doc = caps();
    let all = layers(&doc);
    let mut queried = 0;
    for l in named(&all) {
        let layer = name(l);
        let queryable = l.layer.attr("queryable") == Some("1");
        let [w, s, e, n] = geo_values(l.geo.expect("geographic box"));
        let resp = demo().get(&format!(
            "/wms/?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetFeatureInfo&LAYERS={layer}&QUERY_LAYERS={layer}\
             &STYLES=&CRS=CRS:84&BBOX={w},{s},{e},{n}&WIDTH=11&HEIGHT=11&FORMAT=image/png\
             &INFO_FORMAT=text/plain&I=5&J=5"
        ));
        let text = resp.text();
        if queryable {
            queried += 1;
            assert_eq!(resp.status, 200);
            assert!(
                resp.content_type().starts_with("text/plain"),
                "{layer}: {text}"
            );
            assert!(!text.contains("ServiceExceptionReport"), "{layer}: {text}");
        } else {
            assert!(text.contains("LayerNotQueryable"), "{layer}: {text}");
        }
    }
    assert!(queried >= 1);
}

#[test]
fn w13_lyr_12_out_of_scale_requests_still_give_a_map() {
    let doc = caps();
    let mut scales = Vec::new();
    doc.descendants("MinScaleDenominator", &mut scales);
    doc.descendants("MaxScaleDenominator", &mut scales);
    // Whatever is advertised, the tiniest and the largest scales both render.
    for (crs, bbox, what) in [
        (
            "EPSG:28992",
            "160999.9,444999.9,161000.1,445000.1",
            "0.2 m across",
        ),
        (
            "EPSG:3857",
            "-20037508,-20037508,20037508,20037508",
            "the whole world",
        ),
    ] {
        let resp = demo().get(&format!(
            "/wms/?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=nelen-schuurmans:dem&STYLES=\
             &CRS={crs}&BBOX={bbox}&WIDTH=64&HEIGHT=64&FORMAT=image/png"
        ));
        assert_eq!(resp.content_type(), "image/png", "{what}: {}", resp.text());
        let img = decode_png(&resp.body);
        assert_eq!((img.width, img.height), (64, 64));
    }
    for s in scales {
        assert!(s.text.parse::<f64>().is_ok_and(|v| v > 0.0), "{s:?}");
    }
}

#[test]
fn w13_dim_08_no_elevation_is_advertised_and_elevation_is_ignored() {
    // The raster ELEVATION option is not offered: no layer declares it, and an
    // ELEVATION parameter changes nothing (a parameter for an undeclared
    // dimension is ignored, as TIME is on layers without time).
    let doc = caps();
    let mut dims = Vec::new();
    doc.descendants("Dimension", &mut dims);
    assert!(
        dims.iter().all(|d| d
            .attr("name")
            .is_some_and(|n| !n.eq_ignore_ascii_case("elevation"))),
        "elevation advertised"
    );
    let map = "/wms/?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=nelen-schuurmans:dem&STYLES=\
               &CRS=EPSG:28992&BBOX=160000,444000,162000,446000&WIDTH=32&HEIGHT=32&FORMAT=image/png";
    let plain = demo().get(map).expect_status(200);
    let with = demo()
        .get(&format!("{map}&ELEVATION=0/425"))
        .expect_status(200);
    assert_eq!(with.content_type(), "image/png", "{}", with.text());
    assert_eq!(decode_png(&plain.body).rgba, decode_png(&with.body).rgba);
}
