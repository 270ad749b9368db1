//! Tile matrix sets from OGC TMS 2.0 JSON (TMS-03): a server configured with
//! `tests/fixtures/tms/` advertises the Belgian Lambert 72 set of
//! `belgian-lambert72.json` exactly as the document defines it, links it to
//! the layers it covers, serves its tiles as the WMS GetMap of their extent,
//! and refuses to start on a bad document, naming the file.

use super::*;
use crate::support::{TestServer, decode_png, repo, temp_dir, test_config, xmllint};
use std::sync::OnceLock;

const SET: &str = "BelgianLambert72";

fn fixture() -> std::path::PathBuf {
    repo().join("tests/fixtures/tms/belgian-lambert72.json")
}

fn server() -> &'static TestServer {
    static SERVER: OnceLock<TestServer> = OnceLock::new();
    SERVER.get_or_init(|| {
        let mut config = test_config("wmts-tms");
        config.cache.max_bytes = tegel::config::ByteSize(0);
        // A folder: every *.json in it is read.
        config.wmts.tile_matrix_sets = vec![repo().join("tests/fixtures/tms")];
        TestServer::start(config)
    })
}

fn png(resp: crate::support::Resp, what: &str) -> crate::support::Image {
    assert_eq!(resp.status, 200, "{what}: {}", resp.text());
    assert_eq!(resp.content_type(), "image/png", "{what}");
    let img = decode_png(&resp.body);
    assert_eq!((img.width, img.height), (256, 256), "{what}");
    img
}

fn linked(doc: &str, layer: &str) -> bool {
    blocks(layer_block(doc, layer), "TileMatrixSetLink")
        .iter()
        .any(|b| b.contains(&format!("<TileMatrixSet>{SET}</TileMatrixSet>")))
}

#[test]
fn tms_03_json_tile_matrix_sets_are_advertised_and_served() {
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixture()).unwrap()).unwrap();
    let resp = server()
        .get("/wmts/?SERVICE=WMTS&REQUEST=GetCapabilities")
        .expect_status(200);
    xmllint(&resp.body, Some(CAPS_XSD), "wmts-caps-tms-json");
    let doc = resp.text();

    // The set as the document defines it, after the built-in ones.
    let sets: Vec<&str> = blocks(&doc, "TileMatrixSet")
        .into_iter()
        .filter(|b| b.contains("<ows:Identifier>"))
        .collect();
    let ids: Vec<String> = sets
        .iter()
        .map(|b| texts(b, "ows:Identifier").remove(0))
        .collect();
    assert_eq!(
        ids,
        [
            "WebMercatorQuad",
            "WorldCRS84Quad",
            "EPSG:28992",
            "NetherlandsRDNewQuad",
            SET
        ]
    );
    let set = sets[4];
    assert_eq!(
        texts(set, "ows:SupportedCRS"),
        ["urn:ogc:def:crs:EPSG::31370"]
    );
    let matrices = blocks(set, "TileMatrix");
    let want = json["tileMatrices"].as_array().unwrap();
    assert_eq!(matrices.len(), want.len());
    for (m, w) in matrices.iter().zip(want) {
        let origin = w["pointOfOrigin"].as_array().unwrap();
        let n = |v: &serde_json::Value| format!("{}", v.as_f64().unwrap());
        assert_eq!(texts(m, "ows:Identifier"), [w["id"].as_str().unwrap()]);
        assert_eq!(texts(m, "ScaleDenominator"), [n(&w["scaleDenominator"])]);
        assert_eq!(
            texts(m, "TopLeftCorner"),
            [format!("{} {}", n(&origin[0]), n(&origin[1]))]
        );
        assert_eq!(texts(m, "TileWidth"), ["256"]);
        assert_eq!(texts(m, "MatrixWidth"), [w["matrixWidth"].to_string()]);
        assert_eq!(texts(m, "MatrixHeight"), [w["matrixHeight"].to_string()]);
    }

    // Linked where the grid (y ≤ 300 000 m) reaches the data: the DEM and
    // the rain radar, not Lochem (y ≈ 311 000–329 000 m in Lambert 72).
    assert!(linked(&doc, DEM));
    assert!(linked(&doc, RAIN));
    assert!(!linked(&doc, LOCHEM));
    let refused = server().get(&format!(
        "/wmts/?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER={LOCHEM}&STYLE=default&FORMAT=image%2Fpng&TILEMATRIXSET={SET}&TILEMATRIX=0&TILEROW=0&TILECOL=0"
    ));
    assert_eq!(refused.status, 400);
    assert_eq!(
        exception(&refused.text()),
        ("InvalidParameterValue".into(), Some("TileMatrixSet".into()))
    );

    // A DEM tile of level 9, its extent computed from the document alone,
    // equals the WMS GetMap of that extent in EPSG:31370 (KVP and REST).
    let m9 = &want[9];
    let cell = m9["cellSize"].as_f64().unwrap();
    let origin = m9["pointOfOrigin"].as_array().unwrap();
    let (x0, y0) = (origin[0].as_f64().unwrap(), origin[1].as_f64().unwrap());
    let span = cell * 256.0;
    // The DEM's middle in Lambert 72 (pyproj: 5.4746°E 51.9934°N).
    let (x, y) = (225_960.0, 298_800.0);
    let (col, row) = (((x - x0) / span) as u64, ((y0 - y) / span) as u64);
    let tile = png(
        server().get(&format!(
            "/wmts/?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER={DEM}&STYLE=default&FORMAT=image%2Fpng&TILEMATRIXSET={SET}&TILEMATRIX=9&TILEROW={row}&TILECOL={col}"
        )),
        "kvp",
    );
    let rest = png(
        server().get(&format!(
            "/wmts/1.0.0/{DEM}/default/{SET}/9/{row}/{col}.png"
        )),
        "rest",
    );
    let (min_x, max_y) = (x0 + col as f64 * span, y0 - row as f64 * span);
    let map = png(
        server().get(&format!(
            "/wms/?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS={DEM}&STYLES=&CRS=EPSG:31370&BBOX={},{},{},{}&WIDTH=256&HEIGHT=256&FORMAT=image/png&TRANSPARENT=TRUE",
            min_x,
            max_y - span,
            min_x + span,
            max_y
        )),
        "wms",
    );
    assert!(tile.rgba.chunks(4).filter(|p| p[3] == 255).count() > 1000);
    assert_eq!(tile.rgba, map.rgba);
    assert_eq!(rest.rgba, map.rgba);
}

#[test]
fn tms_03_a_bad_document_stops_start_up_naming_the_file() {
    let dir = temp_dir("tms-bad");
    std::fs::create_dir_all(&dir).unwrap();
    let good = std::fs::read_to_string(fixture()).unwrap();
    let cases = [
        (
            "broken.json",
            "{\"id\": ".to_string(),
            "not an OGC TMS 2.0 JSON",
        ),
        (
            "tiles512.json",
            good.replace("256", "512"),
            "tiles must be 256",
        ),
        (
            "taken.json",
            good.replace(SET, "WebMercatorQuad"),
            "already taken",
        ),
    ];
    for (name, text, why) in cases {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        let mut config = test_config("tms-bad-start");
        config.wmts.tile_matrix_sets = vec![path.clone()];
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let err = match rt.block_on(tegel::app::start(config)) {
            Ok(_) => panic!("{name} was accepted"),
            Err(e) => e.to_string(),
        };
        assert!(err.contains(&path.display().to_string()), "{err}");
        assert!(err.contains(why), "{err}");
    }
    let missing = dir.join("missing.json");
    let mut config = test_config("tms-bad-start");
    config.wmts.tile_matrix_sets = vec![missing.clone()];
    let err = tegel::app::load_tile_matrix_sets(&config)
        .unwrap_err()
        .to_string();
    assert!(err.contains(&missing.display().to_string()), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
