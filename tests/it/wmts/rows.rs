//! Tile row conventions (TMS-02): XYZ rows count from the top like WMTS
//! TileRow, OSGeo TMS rows (`/tms/1.0.0/`) from the bottom, and the RESTful
//! WMTS path puts the row before the column, as OGC API – Tiles does.

use super::*;
use crate::support::{decode_png, demo};

fn png(path: &str) -> Vec<u8> {
    let resp = demo().get(path);
    assert_eq!(resp.status, 200, "{path}: {}", resp.text());
    assert_eq!(resp.content_type(), "image/png", "{path}");
    let img = decode_png(&resp.body);
    assert_eq!((img.width, img.height), (256, 256), "{path}");
    img.rgba
}

#[test]
fn tms_02_xyz_and_wmts_rows_from_the_top_tms_rows_from_the_bottom() {
    // A DEM tile with data: XYZ z/x/y = 15/16882/10823.
    let (z, x, y) = (15u32, 16882u64, 10823u64);
    let xyz = png(&format!("/tiles/{DEM}/{z}/{x}/{y}.png"));
    assert!(xyz.chunks(4).any(|p| p[3] == 255), "the tile has data");
    // WMTS: TileRow = y, TileCol = x (KVP), and row before col in the path.
    let kvp = png(&format!(
        "/wmts/?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER={DEM}&STYLE=default&FORMAT=image%2Fpng&TILEMATRIXSET=WebMercatorQuad&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}"
    ));
    let rest = png(&format!(
        "/wmts/1.0.0/{DEM}/default/WebMercatorQuad/{z}/{y}/{x}.png"
    ));
    assert_eq!(kvp, xyz);
    assert_eq!(rest, xyz);
    let doc = caps();
    let template = attrs(layer_block(&doc, DEM), "template").remove(0);
    assert!(
        template.ends_with("/{TileMatrix}/{TileRow}/{TileCol}.png"),
        "{template}"
    );
    // TMS: the same tile is row 2^z − 1 − y, counted from the south.
    let flipped = (1u64 << z) - 1 - y;
    assert_eq!(png(&format!("/tms/1.0.0/{DEM}/{z}/{x}/{flipped}.png")), xyz);
    // The XYZ row read as a TMS row is a tile far south of the data: empty.
    let south = png(&format!("/tms/1.0.0/{DEM}/{z}/{x}/{y}.png"));
    assert!(south.chunks(4).all(|p| p[3] == 0));
    // Out of range counts the same way for both.
    assert_eq!(
        demo()
            .get(&format!("/tms/1.0.0/{DEM}/{z}/{x}/{}.png", 1u64 << z))
            .status,
        404
    );
}
