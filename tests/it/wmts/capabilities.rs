//! WMTS GetCapabilities over KVP and REST: schema, golden, request options
//! and the content rules CITE checks.

use super::*;
use crate::support::{demo, repo, xmllint};

const KVP_CAPS: &str = "/wmts/?SERVICE=WMTS&REQUEST=GetCapabilities";

fn get(q: &str) -> crate::support::Resp {
    demo().get(&format!("/wmts/?{q}"))
}

#[test]
fn wmts_gc_01_capabilities_are_schema_valid_and_equal_the_golden() {
    let resp = demo().get(KVP_CAPS).expect_status(200);
    assert_eq!(resp.content_type(), "application/xml");
    let text = resp.text();
    assert!(text.contains("<Capabilities xmlns=\"http://www.opengis.net/wmts/1.0\""));
    assert!(text.contains("http://schemas.opengis.net/wmts/1.0/wmtsGetCapabilities_response.xsd"));
    assert!(text.contains("version=\"1.0.0\""));
    xmllint(&resp.body, Some(CAPS_XSD), "wmts-caps");
    // The golden: the demo's document with the server's address as `localhost`.
    let normalised = text.replace(&format!("http://{}", demo().addr), "http://localhost");
    let path = repo().join("tests/golden/protocol/wmts_capabilities.xml");
    if std::env::var("TEGEL_BLESS").as_deref() == Ok("1") {
        std::fs::write(&path, &normalised).expect("write golden");
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "golden {} missing ({e}); run with TEGEL_BLESS=1 and review it",
            path.display()
        )
    });
    assert!(
        want == normalised,
        "WMTS capabilities differ from {}; rerun with TEGEL_BLESS=1 if intended",
        path.display()
    );
}

#[test]
fn kvp_01_capabilities_are_byte_identical_for_permuted_and_recased_names() {
    let a = demo().get(KVP_CAPS).expect_status(200);
    for q in [
        "request=GetCapabilities&service=WMTS",
        "ReQuEsT=GetCapabilities&SeRvIcE=WMTS&version=1.0.0",
        "acceptversions=1.0.0&REQUEST=GetCapabilities&Service=WMTS&BoGuS=ignored",
    ] {
        let b = get(q).expect_status(200);
        assert_eq!(a.body, b.body, "{q}");
    }
}

#[test]
fn wmts_gc_02_accept_versions_negotiation() {
    get("SERVICE=WMTS&REQUEST=GetCapabilities&AcceptVersions=1.0.0").expect_status(200);
    get("SERVICE=WMTS&REQUEST=GetCapabilities&AcceptVersions=2.0.0,1.0.0").expect_status(200);
    let resp =
        get("SERVICE=WMTS&REQUEST=GetCapabilities&AcceptVersions=2.0.0,0.9.0").expect_status(400);
    xmllint(&resp.body, Some(EXC_XSD), "wmts-version");
    assert_eq!(
        exception(&resp.text()),
        ("VersionNegotiationFailed".to_string(), None)
    );
}

#[test]
fn wmts_gc_03_sections_return_only_those_sections() {
    let all = [
        "ServiceIdentification",
        "ServiceProvider",
        "OperationsMetadata",
        "Contents",
    ];
    for (asked, want) in [
        ("All", &all[..]),
        ("ServiceIdentification", &all[..1]),
        ("ServiceProvider", &all[1..2]),
        ("OperationsMetadata", &all[2..3]),
        ("Contents", &all[3..]),
        ("Contents,Themes", &all[3..]),
        ("Themes", &[][..]),
    ] {
        let resp = get(&format!(
            "SERVICE=WMTS&REQUEST=GetCapabilities&Sections={asked}"
        ))
        .expect_status(200);
        xmllint(&resp.body, Some(CAPS_XSD), "wmts-sections");
        let text = resp.text();
        for section in all {
            let tag = if section == "Contents" {
                "<Contents>".to_string()
            } else {
                format!("<ows:{section}>")
            };
            assert_eq!(
                text.contains(&tag),
                want.contains(&section),
                "{asked}: {section}"
            );
        }
    }
    let resp = get("SERVICE=WMTS&REQUEST=GetCapabilities&Sections=Bogus").expect_status(400);
    assert_eq!(
        exception(&resp.text()),
        ("InvalidParameterValue".into(), Some("sections".into()))
    );
    let resp = get("SERVICE=WMTS&REQUEST=GetCapabilities&Sections=").expect_status(400);
    assert_eq!(
        exception(&resp.text()),
        ("MissingParameterValue".into(), Some("sections".into()))
    );
}

#[test]
fn wmts_gc_04_update_sequence() {
    let text = caps();
    let seq: u64 = attrs(&text, "updateSequence")[0].parse().expect("number");
    let equal = get(&format!(
        "SERVICE=WMTS&REQUEST=GetCapabilities&UpdateSequence={seq}"
    ))
    .expect_status(200);
    xmllint(&equal.body, Some(CAPS_XSD), "wmts-current");
    let bare = equal.text();
    assert!(bare.contains(&format!(
        "<Capabilities xmlns=\"http://www.opengis.net/wmts/1.0\" version=\"1.0.0\" updateSequence=\"{seq}\"/>"
    )));
    assert!(!bare.contains("Contents"));
    if seq > 0 {
        let lower = get(&format!(
            "SERVICE=WMTS&REQUEST=GetCapabilities&UpdateSequence={}",
            seq - 1
        ))
        .expect_status(200);
        assert_eq!(lower.text(), text);
    }
    let greater = get(&format!(
        "SERVICE=WMTS&REQUEST=GetCapabilities&UpdateSequence={}",
        seq + 1
    ))
    .expect_status(400);
    assert_eq!(
        exception(&greater.text()),
        ("InvalidUpdateSequence".into(), None)
    );
}

#[test]
fn wmts_gc_05_accept_formats() {
    let text = caps();
    assert!(text.contains(
        "<ows:Parameter name=\"AcceptFormats\">\n        <ows:AllowedValues>\n          <ows:Value>application/xml</ows:Value>"
    ));
    for f in ["application/xml", "bogus/xml"] {
        let resp = get(&format!(
            "SERVICE=WMTS&REQUEST=GetCapabilities&AcceptFormats={f}"
        ))
        .expect_status(200);
        assert_eq!(resp.content_type(), "application/xml");
        assert_eq!(resp.text(), text);
    }
}

#[test]
fn wmts_gc_06_operations_advertise_kvp_and_restful_gets() {
    let text = caps();
    let base = format!("http://{}", demo().addr);
    let ops = blocks(&text, "ows:OperationsMetadata").concat();
    let hrefs = attrs(&ops, "xlink:href");
    assert_eq!(
        hrefs,
        [
            format!("{base}/wmts/?"),
            format!("{base}/wmts/1.0.0/WMTSCapabilities.xml"),
            format!("{base}/wmts/?"),
            format!("{base}/wmts/?"),
        ]
    );
    assert_eq!(
        texts(&ops, "ows:Value"),
        ["KVP", "RESTful", "application/xml", "KVP", "KVP"]
    );
    assert_eq!(
        attrs(&ops, "name")
            .iter()
            .filter(|n| *n == "GetEncoding")
            .count(),
        4
    );
    // GetFeatureInfo is implemented for every layer (WMTS §4.5).
    assert!(ops.contains("<ows:Operation name=\"GetFeatureInfo\">"));
    // The advertised KVP prefix answers.
    demo()
        .get("/wmts/?SERVICE=WMTS&REQUEST=GetCapabilities")
        .expect_status(200);
}

#[test]
fn wmts_gc_07_identifiers_are_unique_and_links_resolve() {
    let text = caps();
    let contents = blocks(&text, "Contents").concat();
    let layers = blocks(&contents, "Layer");
    assert_eq!(layers.len(), 3);
    let sets = blocks(&contents, "TileMatrixSet")
        .into_iter()
        .filter(|b| b.contains("<ows:SupportedCRS>"))
        .collect::<Vec<_>>();
    let set_ids: Vec<String> = sets
        .iter()
        .map(|s| texts(s, "ows:Identifier")[0].clone())
        .collect();
    assert_eq!(
        set_ids,
        [
            "WebMercatorQuad",
            "WorldCRS84Quad",
            "EPSG:28992",
            "NetherlandsRDNewQuad"
        ]
    );
    let mut layer_ids: Vec<String> = layers
        .iter()
        .map(|l| {
            let head = &l[..l.find("<Style").unwrap()];
            texts(head, "ows:Identifier")[0].clone()
        })
        .collect();
    layer_ids.sort();
    layer_ids.dedup();
    assert_eq!(layer_ids.len(), 3);
    for l in &layers {
        for link in texts(l, "TileMatrixSet") {
            assert!(set_ids.contains(&link), "unknown set {link}");
        }
    }
    for s in &sets {
        let matrices = blocks(s, "TileMatrix");
        let mut ids: Vec<_> = matrices
            .iter()
            .map(|m| texts(m, "ows:Identifier")[0].clone())
            .collect();
        let mut scales = texts(s, "ScaleDenominator");
        let n = ids.len();
        ids.sort();
        ids.dedup();
        scales.sort();
        scales.dedup();
        assert_eq!((ids.len(), scales.len()), (n, n));
    }
}

#[test]
fn wmts_gc_09_web_mercator_quad_is_google_maps_compatible() {
    let text = caps();
    let set = blocks(&text, "TileMatrixSet")
        .into_iter()
        .find(|b| b.contains("<ows:Identifier>WebMercatorQuad</ows:Identifier>"))
        .expect("WebMercatorQuad");
    assert!(set.contains("<ows:SupportedCRS>urn:ogc:def:crs:EPSG:6.18:3:3857</ows:SupportedCRS>"));
    assert!(set.contains(
        "<WellKnownScaleSet>urn:ogc:def:wkss:OGC:1.0:GoogleMapsCompatible</WellKnownScaleSet>"
    ));
    // The GoogleMapsCompatible scale list (WMTS 1.0 Annex E.4), 1e-6 apart at most.
    let scales: Vec<f64> = texts(set, "ScaleDenominator")
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
    assert_eq!(scales.len(), 25);
    let wkss0 = 559_082_264.028_717_8;
    for (z, s) in scales.iter().enumerate().take(19) {
        assert!((s - wkss0 / f64::from(1u32 << z)).abs() < 1e-6, "z{z}");
    }
    assert!(scales.windows(2).all(|w| w[0] > w[1]));
}

#[test]
fn wmts_gc_10_every_layer_has_the_required_elements() {
    let text = caps();
    for id in [DEM, LOCHEM, RAIN] {
        let l = layer_block(&text, id);
        for needle in [
            "<ows:Title>",
            "<ows:WGS84BoundingBox>",
            "<ows:LowerCorner>",
            "<Format>image/png</Format>",
            "<TileMatrixSetLink>",
        ] {
            assert!(l.contains(needle), "{id}: {needle}");
        }
        assert_eq!(l.matches("<Style isDefault=\"true\">").count(), 1, "{id}");
        // InfoFormat exactly because GetFeatureInfo is implemented for it.
        assert!(l.contains("<InfoFormat>text/plain</InfoFormat>"), "{id}");
        // The box is lon/lat around the Netherlands.
        let lower: Vec<f64> = texts(l, "ows:LowerCorner")[0]
            .split(' ')
            .map(|v| v.parse().unwrap())
            .collect();
        assert!(
            (3.0..8.0).contains(&lower[0]) && (50.0..54.0).contains(&lower[1]),
            "{id}"
        );
    }
    let rain = layer_block(&text, RAIN);
    let dim = blocks(rain, "Dimension").concat();
    assert_eq!(texts(&dim, "ows:Identifier"), ["Time"]);
    assert_eq!(texts(&dim, "ows:UOM"), ["ISO8601"]);
    assert_eq!(texts(&dim, "Default"), ["2024-06-01T12:55:00Z"]);
    assert_eq!(texts(&dim, "Value").len(), 12);
    assert!(!layer_block(&text, DEM).contains("<Dimension>"));
}

#[test]
fn wmts_gc_11_layers_are_marked_transparent() {
    let text = caps();
    for id in [DEM, LOCHEM, RAIN] {
        assert!(layer_block(&text, id).contains("<ows:Keyword>Transparent</ows:Keyword>"));
    }
}

#[test]
fn wmts_gc_12_service_metadata_url_is_the_restful_capabilities() {
    let text = caps();
    let url = format!("http://{}/wmts/1.0.0/WMTSCapabilities.xml", demo().addr);
    assert!(text.contains(&format!("<ServiceMetadataURL xlink:href=\"{url}\"/>")));
}

#[test]
fn wmts_rest_04_service_metadata_url_serves_the_full_document() {
    let kvp = caps();
    let rest = demo()
        .get("/wmts/1.0.0/WMTSCapabilities.xml")
        .expect_status(200);
    assert_eq!(rest.content_type(), "application/xml");
    assert_eq!(rest.text(), kvp);
    for accept in ["application/xml", "*/*", "text/html, application/*;q=0.8"] {
        demo()
            .get_with("/wmts/1.0.0/WMTSCapabilities.xml", &[("Accept", accept)])
            .expect_status(200);
    }
    let refused = demo()
        .get_with(
            "/wmts/1.0.0/WMTSCapabilities.xml",
            &[("Accept", "example/unknown")],
        )
        .expect_status(406);
    assert_eq!(refused.header("cache-control"), Some("no-store"));
    demo()
        .get_with(
            "/wmts/1.0.0/WMTSCapabilities.xml",
            &[("Accept", "application/xml;q=0")],
        )
        .expect_status(406);
    let bogus = demo()
        .get("/wmts/1.0.0/WMTSCapabilities.xml/Bogus")
        .expect_status(404);
    xmllint(&bogus.body, Some(EXC_XSD), "wmts-bogus");
}

#[test]
fn tms_04_capabilities_hold_the_three_sets_exactly() {
    let text = caps();
    let set = |id: &str| {
        blocks(&text, "TileMatrixSet")
            .into_iter()
            .find(|b| b.contains(&format!("<ows:Identifier>{id}</ows:Identifier>")))
            .unwrap_or_else(|| panic!("{id}"))
            .to_string()
    };
    let crs84 = set("WorldCRS84Quad");
    assert!(crs84.contains("<ows:SupportedCRS>urn:ogc:def:crs:OGC:1.3:CRS84</ows:SupportedCRS>"));
    assert!(crs84.contains("<TopLeftCorner>-180 90</TopLeftCorner>"));
    assert_eq!(texts(&crs84, "MatrixWidth")[..3], ["2", "4", "8"]);
    assert_eq!(texts(&crs84, "MatrixHeight")[..3], ["1", "2", "4"]);
    assert_eq!(texts(&crs84, "ScaleDenominator")[1], "139770566.00717944");
    for id in ["EPSG:28992", "NetherlandsRDNewQuad"] {
        let rd = set(id);
        assert!(rd.contains("<ows:SupportedCRS>urn:ogc:def:crs:EPSG::28992</ows:SupportedCRS>"));
        assert!(rd.contains("<TopLeftCorner>-285401.92 903401.92</TopLeftCorner>"));
        assert!(rd.contains("<ows:LowerCorner>-285401.92 22598.08</ows:LowerCorner>"));
        let scales = texts(&rd, "ScaleDenominator");
        assert_eq!(scales.len(), 17);
        assert_eq!(
            (scales[0].as_str(), scales[16].as_str()),
            ("12288000", "187.5")
        );
    }
    let ids = |s: &str| {
        blocks(s, "TileMatrix")
            .iter()
            .map(|m| texts(m, "ows:Identifier")[0].clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&set("EPSG:28992"))[..3], ["00", "01", "02"]);
    assert_eq!(ids(&set("NetherlandsRDNewQuad"))[..3], ["0", "1", "2"]);
    let merc = set("WebMercatorQuad");
    assert!(merc.contains("<TopLeftCorner>-20037508.342789244 20037508.342789244</TopLeftCorner>"));
}
