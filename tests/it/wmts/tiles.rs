//! WMTS GetTile over KVP and REST: every matrix answers images, sizes and
//! formats, time values, transparency, caching, and equality with the XYZ
//! tile and the WMS GetMap of the same extent.

use super::*;
use crate::support::{TestServer, decode_png, demo, test_config};
use tegel::geo::tms::{self, NL_EPSG_28992, WORLD_CRS84_QUAD};

fn kvp_tile(layer: &str, set: &str, matrix: &str, row: u64, col: u64) -> String {
    format!(
        "/wmts/?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER={layer}&STYLE=default&FORMAT=image%2Fpng&TILEMATRIXSET={set}&TILEMATRIX={matrix}&TILEROW={row}&TILECOL={col}"
    )
}

/// The advertised limits of `layer` in `set`: matrix id → (min_row, max_row, min_col, max_col).
fn limits(doc: &str, layer: &str, set: &str) -> Vec<(String, [u64; 4])> {
    let l = layer_block(doc, layer);
    let link = blocks(l, "TileMatrixSetLink")
        .into_iter()
        .find(|b| b.contains(&format!("<TileMatrixSet>{set}</TileMatrixSet>")))
        .unwrap_or_else(|| panic!("{layer} not linked to {set}"));
    blocks(link, "TileMatrixLimits")
        .into_iter()
        .map(|b| {
            let n = |t: &str| texts(b, t)[0].parse::<u64>().unwrap();
            (
                texts(b, "TileMatrix")[0].clone(),
                [
                    n("MinTileRow"),
                    n("MaxTileRow"),
                    n("MinTileCol"),
                    n("MaxTileCol"),
                ],
            )
        })
        .collect()
}

fn png_256(resp: crate::support::Resp, what: &str) -> crate::support::Image {
    assert_eq!(resp.status, 200, "{what}: {}", resp.text());
    assert_eq!(resp.content_type(), "image/png", "{what}");
    let img = decode_png(&resp.body);
    assert_eq!((img.width, img.height), (256, 256), "{what}");
    img
}

/// Requests the 9 tiles at {min, mid, max} row × {min, mid, max} col (within
/// the advertised limits, else the matrix) of every matrix of every set of
/// `layer`, as CITE's GetTile tests do, through `url(set, matrix, row, col)`.
fn sample_every_matrix(layer: &str, url: impl Fn(&str, &str, u64, u64) -> String) {
    let doc = caps();
    for set_id in [
        "WebMercatorQuad",
        "WorldCRS84Quad",
        "EPSG:28992",
        "NetherlandsRDNewQuad",
    ] {
        let set = tms::find(set_id).unwrap();
        let lim = limits(&doc, layer, set_id);
        for m in set.matrices() {
            let [r0, r1, c0, c1] = lim
                .iter()
                .find(|(id, _)| *id == m.id)
                .map(|(_, l)| *l)
                .unwrap_or([0, m.matrix_height - 1, 0, m.matrix_width - 1]);
            for row in [r0, (r0 + r1) / 2, r1] {
                for col in [c0, (c0 + c1) / 2, c1] {
                    let u = url(set_id, &m.id, row, col);
                    png_256(demo().get(&u), &u);
                }
            }
        }
    }
}

#[test]
fn wmts_gt_01_min_mid_max_tiles_of_every_matrix_are_images() {
    sample_every_matrix(DEM, |set, m, row, col| kvp_tile(DEM, set, m, row, col));
}

#[test]
fn wmts_rest_02_restful_min_mid_max_tiles_of_every_matrix_are_images() {
    sample_every_matrix(RAIN, |set, m, row, col| {
        format!("/wmts/1.0.0/{RAIN}/default/2024-06-01T12:30:00Z/{set}/{m}/{row}/{col}.png")
    });
}

#[test]
fn wmts_gt_02_tile_size_and_format() {
    let resp = demo().get(&kvp_tile(DEM, "EPSG:28992", "00", 0, 0));
    let etag = resp.header("etag").expect("etag").to_string();
    assert!(resp.header("cache-control").is_some());
    png_256(resp, "RD z0");
    // KVP-10: conditional requests.
    let again = demo().get_with(
        &kvp_tile(DEM, "EPSG:28992", "00", 0, 0),
        &[("If-None-Match", &etag)],
    );
    assert_eq!(again.status, 304);
}

/// A tile of `layer` in the middle of its limits at `matrix` of WebMercatorQuad.
fn data_tile(doc: &str, layer: &str, matrix: &str) -> (u64, u64) {
    let (_, [r0, r1, c0, c1]) = limits(doc, layer, "WebMercatorQuad")
        .into_iter()
        .find(|(id, _)| id == matrix)
        .expect("limits");
    ((r0 + r1) / 2, (c0 + c1) / 2)
}

#[test]
fn wmts_gt_03_every_time_value_default_and_current_work() {
    let doc = caps();
    let rain = layer_block(&doc, RAIN);
    let values = texts(blocks(rain, "Dimension")[0], "Value");
    assert_eq!(values.len(), 12);
    let (row, col) = data_tile(&doc, RAIN, "9");
    let base = kvp_tile(RAIN, "WebMercatorQuad", "9", row, col);
    let mut images = Vec::new();
    for v in &values {
        images.push(png_256(demo().get(&format!("{base}&TIME={v}")), v).rgba);
    }
    assert_ne!(images[0], images[11], "frames differ");
    assert!(
        images[11].chunks(4).any(|p| p[3] == 255),
        "the tile shows rain"
    );
    let last = images.last().unwrap();
    for extra in ["", "&TIME=default", "&Time=current", "&time="] {
        let img = png_256(demo().get(&format!("{base}{extra}")), extra);
        assert_eq!(&img.rgba, last, "{extra}");
    }
}

#[test]
fn wmts_gt_04_no_data_is_transparent() {
    let doc = caps();
    for layer in [DEM, LOCHEM, RAIN] {
        // The centre tile of the first matrix.
        let img = png_256(
            demo().get(&kvp_tile(layer, "WebMercatorQuad", "0", 0, 0)),
            layer,
        );
        assert!(img.rgba.chunks(4).any(|p| p[3] == 0), "{layer}");
        let (row, col) = data_tile(&doc, layer, "12");
        let img = png_256(
            demo().get(&kvp_tile(layer, "WebMercatorQuad", "12", row, col)),
            layer,
        );
        assert!(img.rgba.chunks(4).any(|p| p[3] == 255), "{layer} has data");
    }
}

#[test]
fn wmts_rest_01_one_tile_resource_url_per_format_with_the_literal_layer() {
    let doc = caps();
    let base = format!("http://{}/wmts/1.0.0", demo().addr);
    for layer in [DEM, LOCHEM, RAIN] {
        let l = layer_block(&doc, layer);
        let types = attrs(l, "resourceType");
        assert_eq!(types.iter().filter(|t| *t == "tile").count(), 1);
        assert!(types.iter().all(|t| t == "tile" || t == "FeatureInfo"));
        // The tile ResourceURL element (FeatureInfo ones follow it).
        let resources: Vec<&str> = l
            .match_indices("<ResourceURL ")
            .map(|(i, _)| &l[i..i + l[i..].find("/>").unwrap()])
            .collect();
        let tiles: Vec<&&str> = resources
            .iter()
            .filter(|r| r.contains("resourceType=\"tile\""))
            .collect();
        assert_eq!(tiles.len(), 1);
        assert_eq!(attrs(tiles[0], "format"), ["image/png"]);
        let time = if layer == RAIN { "{Time}/" } else { "" };
        assert_eq!(
            attrs(tiles[0], "template"),
            [format!(
                "{base}/{layer}/{{Style}}/{time}{{TileMatrixSet}}/{{TileMatrix}}/{{TileRow}}/{{TileCol}}.png"
            )]
        );
    }
}

/// Expands a template as CITE does (variable names case-insensitive).
fn expand(template: &str, vars: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (k, v) in vars {
        let key = format!("{{{k}}}").to_ascii_lowercase();
        while let Some(i) = out.to_ascii_lowercase().find(&key) {
            out.replace_range(i..i + key.len(), v);
        }
    }
    out
}

#[test]
fn wmts_rest_05_expanded_templates_serve_the_kvp_tiles() {
    let doc = caps();
    let host = format!("http://{}", demo().addr);
    for (layer, time) in [(DEM, None), (RAIN, Some("2024-06-01T12:20:00Z"))] {
        let template = attrs(layer_block(&doc, layer), "template").remove(0);
        let (row, col) = data_tile(&doc, layer, "11");
        let (r, c) = (row.to_string(), col.to_string());
        let mut vars = vec![
            ("Style", "default"),
            ("TileMatrixSet", "WebMercatorQuad"),
            ("TileMatrix", "11"),
            ("TileRow", r.as_str()),
            ("TileCol", c.as_str()),
        ];
        if let Some(t) = time {
            vars.push(("Time", t));
        }
        let url = expand(&template, &vars);
        let path = url.strip_prefix(&host).expect("our host");
        let rest = png_256(demo().get(path), path);
        let mut kvp = kvp_tile(layer, "WebMercatorQuad", "11", row, col);
        if let Some(t) = time {
            kvp.push_str(&format!("&TIME={t}"));
        }
        assert_eq!(rest.rgba, png_256(demo().get(&kvp), &kvp).rgba, "{layer}");
        // The advertised style identifier works as well as `default`.
        let l = layer_block(&doc, layer);
        let style_block = &l[l.find("<Style isDefault").unwrap()..l.find("</Style>").unwrap()];
        let style = texts(style_block, "ows:Identifier").remove(0);
        let styled = path.replace("/default/", &format!("/{style}/"));
        assert_eq!(png_256(demo().get(&styled), &styled).rgba, rest.rgba);
    }
}

/// A 256×256 transparent WMS GetMap of `bbox` in `crs`.
fn wms_png(server: &TestServer, layer: &str, crs: &str, b: tegel::model::BBox) -> Vec<u8> {
    let url = format!(
        "/wms/?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS={layer}&STYLES=&CRS={crs}&BBOX={},{},{},{}&WIDTH=256&HEIGHT=256&FORMAT=image/png&TRANSPARENT=TRUE",
        b.min_x, b.min_y, b.max_x, b.max_y
    );
    png_256(server.get(&url), &url).rgba
}

#[test]
fn tms_01_tiles_equal_the_xyz_tile_and_the_wms_getmap_of_their_extent() {
    // Cache off: every answer is rendered on its own.
    let mut config = test_config("wmts-nocache");
    config.cache.max_bytes = tegel::config::ByteSize(0);
    let server = TestServer::start(config);
    // WebMercatorQuad = XYZ at the same z/x/y (a DEM tile with data and holes).
    let (z, x, y) = (15u32, 16882u64, 10823u64);
    let wmts = png_256(
        server.get(&kvp_tile(DEM, "WebMercatorQuad", &z.to_string(), y, x)),
        "wmts",
    );
    let xyz = png_256(server.get(&format!("/tiles/{DEM}/{z}/{x}/{y}.png")), "xyz");
    assert_eq!(wmts.rgba, xyz.rgba);
    assert!(wmts.rgba.chunks(4).any(|p| p[3] == 255));
    // EPSG:28992 z10: a tile inside the Lochem raster = WMS GetMap of its extent.
    let m = NL_EPSG_28992.matrix(10).unwrap();
    let (row, col) = (509, 581);
    let tile = png_256(
        server.get(&kvp_tile(LOCHEM, "EPSG:28992", "10", row, col)),
        "rd",
    );
    let map = wms_png(
        &server,
        LOCHEM,
        "EPSG:28992",
        m.tile_bbox(row, col).unwrap(),
    );
    assert_eq!(tile.rgba, map);
    assert!(tile.rgba.chunks(4).filter(|p| p[3] == 255).count() > 10_000);
    // WorldCRS84Quad: the CRS:84 GetMap of the tile's lon/lat extent.
    let m = WORLD_CRS84_QUAD.matrix(11).unwrap();
    let b = tegel::geo::tms::WORLD_CRS84_QUAD.top_left;
    let span = m.tile_span();
    let (col, row) = (((6.3 - b.0) / span) as u64, ((b.1 - 52.17) / span) as u64);
    let tile = png_256(
        server.get(&kvp_tile(LOCHEM, "WorldCRS84Quad", "11", row, col)),
        "crs84",
    );
    let map = wms_png(&server, LOCHEM, "CRS:84", m.tile_bbox(row, col).unwrap());
    assert_eq!(tile.rgba, map);
    assert!(tile.rgba.chunks(4).any(|p| p[3] == 255));
}
