//! Ingesting one plain file: the ids printed, what the catalogue and the store
//! record, and that a server then draws the layer over WMS and XYZ with pixels
//! opaque exactly where the raster holds data.

use super::{RD_NEW, fixture, ingest_ok, server_over};
use crate::support::{self, Resp, TestServer};
use tegel::catalogue::Catalogue;

// ---------------------------------------------------------------------------
// Rendering checks

fn wms_map(
    server: &TestServer,
    layer: &str,
    crs: u32,
    bbox: [f64; 4],
    size: u32,
    fmt: &str,
) -> Resp {
    let path = format!(
        "/wms/?SERVICE=WMS&VERSION=1.1.1&REQUEST=GetMap&LAYERS={layer}&STYLES=&SRS=EPSG:{crs}\
         &BBOX={},{},{},{}&WIDTH={size}&HEIGHT={size}&FORMAT={fmt}&TRANSPARENT=TRUE",
        bbox[0], bbox[1], bbox[2], bbox[3]
    );
    server.get(&path)
}

/// The GDAL_NODATA value of a GeoTIFF, if it has one.
fn tiff_nodata(bytes: &[u8]) -> Option<f64> {
    let mut dec = tiff::decoder::Decoder::new(std::io::Cursor::new(bytes)).expect("TIFF");
    dec.get_tag_ascii_string(tiff::tags::Tag::GdalNodata)
        .ok()
        .and_then(|s| s.trim_end_matches('\0').trim().parse().ok())
}

/// Renders `bbox` as PNG and as raw GeoTIFF values and checks that a PNG pixel
/// is opaque exactly where the value is data. Returns (data pixels, all pixels).
fn opaque_where_data(
    server: &TestServer,
    layer: &str,
    crs: u32,
    bbox: [f64; 4],
    size: u32,
) -> (usize, usize) {
    let png = wms_map(server, layer, crs, bbox, size, "image/png").expect_status(200);
    assert_eq!(png.content_type(), "image/png", "{}", png.text());
    let image = support::decode_png(&png.body);
    assert_eq!((image.width, image.height), (size, size));
    let tif = wms_map(server, layer, crs, bbox, size, "image/tiff").expect_status(200);
    let nodata = tiff_nodata(&tif.body);
    let values = support::decode_tiff(&tif.body);
    assert_eq!((values.width, values.height), (size, size));
    let is_data = |v: f64| v.is_finite() && Some(v) != nodata;
    let mut data = 0;
    let mut wrong = Vec::new();
    for y in 0..size {
        for x in 0..size {
            let v = values.values[(y * size + x) as usize];
            let alpha = image.pixel(x, y)[3];
            if is_data(v) {
                data += 1;
            }
            let right = if is_data(v) { alpha == 255 } else { alpha == 0 };
            if !right {
                wrong.push((x, y, v, alpha));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} pixels where opacity does not follow the data (x, y, value, alpha), first: {:?}",
        wrong.len(),
        &wrong[..wrong.len().min(5)]
    );
    (data, (size * size) as usize)
}

/// The XYZ tile (z, x, y) holding the point (easting, northing) in EPSG:3857.
fn tile_of(z: u32, x3857: f64, y3857: f64) -> (u32, u32) {
    const HALF: f64 = 20037508.342789244;
    let n = f64::from(1u32 << z);
    let tx = ((x3857 + HALF) / (2.0 * HALF) * n).floor() as u32;
    let ty = ((HALF - y3857) / (2.0 * HALF) * n).floor() as u32;
    (tx, ty)
}

fn tile_bbox(z: u32, x: u32, y: u32) -> [f64; 4] {
    const HALF: f64 = 20037508.342789244;
    let size = 2.0 * HALF / f64::from(1u32 << z);
    [
        -HALF + f64::from(x) * size,
        HALF - f64::from(y + 1) * size,
        -HALF + f64::from(x + 1) * size,
        HALF - f64::from(y) * size,
    ]
}

// ---------------------------------------------------------------------------
// Tests

#[test]
fn ingest_prints_its_ids_records_them_and_the_layer_is_served() {
    let data = support::temp_dir("cli-ingest");
    let file = fixture("p_lochem_kwel_wegzijging_2050.tif");
    let printed = ingest_ok(
        &data,
        &[
            "--name",
            "Kwel Lochem 2050",
            "--organisation",
            "my-org",
            "--organisation-name",
            "My Org",
            file.to_str().expect("utf-8 path"),
        ],
    );
    assert_eq!(
        printed.wms_layer.as_deref(),
        Some("my-org:kwel-lochem-2050")
    );
    let layer_id = printed.layer.expect("a new layer uuid");

    // The catalogue on disk holds exactly that.
    let snap = Catalogue::open(&data).expect("catalogue").snapshot();
    let layer = snap.layer(layer_id).expect("layer recorded");
    assert_eq!(layer.name, "Kwel Lochem 2050");
    assert_eq!(
        tegel::catalogue::graphref::trivial_reference(&layer.graph),
        Some(printed.source)
    );
    assert_eq!(
        snap.wms_name(layer).as_deref(),
        Some("my-org:kwel-lochem-2050")
    );
    let org = snap.organisation(layer.organisation).expect("organisation");
    assert_eq!((org.slug.as_str(), org.name.as_str()), ("my-org", "My Org"));
    let source = snap.source(printed.source).expect("source recorded");
    assert!(!source.temporal);
    assert_eq!(source.frames.len(), 1);
    let frame_file = data
        .join("sources")
        .join(printed.source.to_string())
        .join(format!("{}.tif", source.frames[0].file));
    assert!(frame_file.is_file(), "{} missing", frame_file.display());
    let grid = source.grid.clone().expect("grid");
    assert_eq!(grid.crs, RD_NEW);
    assert_eq!((grid.width, grid.height), (91, 65));
    let extent = grid.transform().bbox(grid.width, grid.height);
    drop(snap);

    let server = server_over(&data);
    // The native extent with a margin: data inside, transparent around it.
    let (mx, my) = (
        (extent.max_x - extent.min_x) * 0.25,
        (extent.max_y - extent.min_y) * 0.25,
    );
    let bbox = [
        extent.min_x - mx,
        extent.min_y - my,
        extent.max_x + mx,
        extent.max_y + my,
    ];
    let (data_px, all) = opaque_where_data(&server, "my-org:kwel-lochem-2050", RD_NEW, bbox, 96);
    // The raster covers (1/1.5)² ≈ 44 % of this box; its own nodata holes are few.
    assert!(
        data_px > all * 30 / 100 && data_px < all * 45 / 100,
        "{data_px} of {all} pixels are data"
    );

    // An XYZ tile over the raster's centre: opaque exactly where data is.
    let to_web = tegel::geo::Transformer::new(tegel::model::Crs(RD_NEW), tegel::model::Crs(3857))
        .expect("transformer");
    let (cx, cy) = to_web
        .transform(
            (extent.min_x + extent.max_x) / 2.0,
            (extent.min_y + extent.max_y) / 2.0,
        )
        .expect("centre");
    let z = 11;
    let (tx, ty) = tile_of(z, cx, cy);
    let tile = server
        .get(&format!("/tiles/my-org:kwel-lochem-2050/{z}/{tx}/{ty}.png"))
        .expect_status(200);
    assert_eq!(tile.content_type(), "image/png");
    let tile_img = support::decode_png(&tile.body);
    assert_eq!((tile_img.width, tile_img.height), (256, 256));
    let opaque = tile_img
        .rgba
        .chunks_exact(4)
        .filter(|p| p[3] == 255)
        .count();
    assert!(opaque > 0, "the tile over the raster centre is empty");
    // The tile equals the WMS GetMap of its box: same opacity as the data there.
    let (tile_data, _) = opaque_where_data(
        &server,
        "my-org:kwel-lochem-2050",
        3857,
        tile_bbox(z, tx, ty),
        256,
    );
    assert_eq!(
        opaque, tile_data,
        "tile opacity differs from the data coverage of its box"
    );
    // And by uuid as well as by name.
    let by_id = server
        .get(&format!("/tiles/{layer_id}/{z}/{tx}/{ty}.png"))
        .expect_status(200);
    assert_eq!(by_id.body, tile.body);
}
