//! Raster layers whose graph is a computation, rendered through WMS: the
//! values equal the same computation done here on the source's own values.

use crate::api::client::wait_for_revision;
use crate::support::{TestServer, decode_tiff, test_config};
use serde_json::json;
use tegel::catalogue::{Catalogue, RasterLayer, SourceGrid};
use uuid::Uuid;

/// Adds a layer with `graph` to the demo organisation; returns its WMS name.
fn add_layer(server: &TestServer, slug: &str, graph: serde_json::Value) -> String {
    let cat = Catalogue::open(&server.data_dir).expect("catalogue");
    let name = cat
        .update(|d, rev| {
            let template = d.layers[0].clone();
            let org = d
                .organisations
                .iter()
                .find(|o| o.uuid == template.organisation)
                .expect("org")
                .slug
                .clone();
            d.layers.push(RasterLayer {
                uuid: Uuid::new_v4(),
                name: slug.into(),
                slug: slug.into(),
                graph,
                revision: rev,
                ..template
            });
            Ok(format!("{org}:{slug}"))
        })
        .expect("add layer");
    wait_for_revision(server, cat.snapshot().revision());
    name
}

/// The dem source's uuid and grid.
fn dem(server: &TestServer) -> (Uuid, SourceGrid) {
    let cat = Catalogue::open(&server.data_dir).expect("catalogue");
    let snap = cat.snapshot();
    let layer = snap.layers().iter().find(|l| l.slug == "dem").expect("dem");
    let source = snap.single_source(layer).expect("dem source");
    (source.uuid, source.grid.clone().expect("grid"))
}

/// Raw values of `layer` on the source's native grid.
fn native_values(server: &TestServer, layer: &str, grid: &SourceGrid) -> crate::support::Values {
    let b = grid.transform().bbox(grid.width, grid.height);
    let url = format!(
        "/wms/?SERVICE=WMS&VERSION=1.1.1&REQUEST=GetMap&LAYERS={layer}&STYLES=&SRS=EPSG:{}&BBOX={},{},{},{}&WIDTH={}&HEIGHT={}&FORMAT=image/tiff",
        grid.crs, b.min_x, b.min_y, b.max_x, b.max_y, grid.width, grid.height
    );
    decode_tiff(&server.get(&url).expect_status(200).body)
}

#[test]
fn an_elementwise_graph_renders_its_computation() {
    let server = TestServer::start(test_config("geoblocks"));
    let (src, grid) = dem(&server);
    let graph = json!({"name": "twice", "graph": {
        "dem": ["lizard_nxt.blocks.LizardRasterSource", src.to_string()],
        "twice": ["dask_geomodeling.raster.elemwise.Multiply", "dem", 2],
        "shifted": ["geoblocks.raster.elemwise.Subtract", "twice", 1.5]}});
    let mut shifted = graph.clone();
    shifted["name"] = json!("shifted");
    let twice = add_layer(&server, "dem-twice", graph);
    let minus = add_layer(&server, "dem-twice-minus", shifted);
    let base = native_values(&server, "nelen-schuurmans:dem", &grid);
    let got = native_values(&server, &twice, &grid);
    let got_minus = native_values(&server, &minus, &grid);
    assert_eq!((got.width, got.height), (base.width, base.height));
    let nodata = base.nodata;
    let mut checked = 0;
    for i in 0..base.values.len() {
        let v = base.values[i];
        if Some(v) == nodata {
            assert_eq!(
                Some(got.values[i]),
                got.nodata,
                "nodata stays nodata at {i}"
            );
            continue;
        }
        // float32 × int → float32 (dask-geomodeling's promotion); exact in f32.
        assert_eq!(got.values[i], f64::from(v as f32 * 2.0), "cell {i}");
        assert_eq!(
            got_minus.values[i],
            f64::from(v as f32 * 2.0 - 1.5),
            "cell {i}"
        );
        checked += 1;
    }
    assert!(checked > 1000, "only {checked} data cells compared");
}
