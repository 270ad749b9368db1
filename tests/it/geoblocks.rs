//! Raster layers whose graph is a computation, rendered through WMS: the
//! values equal the same computation done here on the source's own values.

use crate::api::client::wait_for_revision;
use crate::support::{TestServer, decode_tiff, test_config};
use serde_json::json;
use tegel::catalogue::{Catalogue, RasterLayer, SourceGrid};
use uuid::Uuid;

/// Adds a layer with `graph` to the demo organisation; returns its WMS name.
pub fn add_layer(server: &TestServer, slug: &str, graph: serde_json::Value) -> String {
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
pub fn dem(server: &TestServer) -> (Uuid, SourceGrid) {
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

/// The rain source's uuid.
fn rain_source(server: &TestServer) -> Uuid {
    let cat = Catalogue::open(&server.data_dir).expect("catalogue");
    let snap = cat.snapshot();
    let layer = snap
        .layers()
        .iter()
        .find(|l| l.slug == "rain")
        .expect("rain");
    snap.single_source(layer).expect("rain source").uuid
}

const RAIN_MAP: &str = "SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&STYLES=&CRS=EPSG:28992\
                        &BBOX=120000,400000,240000,500000&WIDTH=60&HEIGHT=50&FORMAT=image/tiff";

#[test]
fn geoblocks_are_published_with_extent_time_and_point_values() {
    let server = TestServer::start(test_config("geoblocks-pub"));
    let (src, grid) = dem(&server);
    let twice = add_layer(
        &server,
        "dem-double",
        json!({"name": "x", "graph": {
            "s": ["lizard_nxt.blocks.LizardRasterSource", src.to_string()],
            "x": ["dask_geomodeling.raster.Multiply", "s", 2]}}),
    );
    let rain = rain_source(&server);
    let wet = add_layer(
        &server,
        "rain-double",
        json!({"name": "x", "graph": {
            "s": ["lizard_nxt.blocks.LizardRasterSource", rain.to_string()],
            "x": ["dask_geomodeling.raster.elemwise.Multiply", "s", 2.0]}}),
    );
    // Capabilities: the computed layers appear, the temporal one with time.
    let caps = server
        .get("/wms/?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0")
        .expect_status(200)
        .text();
    for name in [&twice, &wet] {
        assert!(
            caps.contains(&format!("<Name>{name}</Name>")),
            "{name} missing"
        );
    }
    let wet_block = caps
        .split(&format!("<Name>{wet}</Name>"))
        .nth(1)
        .expect("wet");
    let wet_block = wet_block.split("</Layer>").next().unwrap_or("");
    assert!(
        wet_block.contains("<Dimension name=\"time\""),
        "{wet_block}"
    );
    // TIME picks the same frame as for the plain rain layer.
    for t in ["2024-06-01T12:20:00Z", "2024-06-01T12:41:00Z"] {
        let plain = decode_tiff(
            &server
                .get(&format!(
                    "/wms/?{RAIN_MAP}&LAYERS=nelen-schuurmans:rain&TIME={t}"
                ))
                .expect_status(200)
                .body,
        );
        let doubled = decode_tiff(
            &server
                .get(&format!("/wms/?{RAIN_MAP}&LAYERS={wet}&TIME={t}"))
                .expect_status(200)
                .body,
        );
        let mut data = 0;
        for (a, b) in plain.values.iter().zip(&doubled.values) {
            if Some(*a) != plain.nodata {
                assert_eq!(*b, f64::from(*a as f32 * 2.0), "at {t}");
                data += 1;
            }
        }
        assert!(data > 100, "{data} data cells at {t}");
    }
    // GetFeatureInfo on the computed layer: twice the source cell.
    let b = grid.transform().bbox(grid.width, grid.height);
    let gfi = |layer: &str| {
        let url = format!(
            "/wms/?SERVICE=WMS&VERSION=1.1.1&REQUEST=GetFeatureInfo&LAYERS={layer}&QUERY_LAYERS={layer}&STYLES=&SRS=EPSG:{}&BBOX={},{},{},{}&WIDTH={}&HEIGHT={}&X=10&Y=10&INFO_FORMAT=application/json&FORMAT=image/png",
            grid.crs, b.min_x, b.min_y, b.max_x, b.max_y, grid.width, grid.height
        );
        let body: serde_json::Value =
            serde_json::from_slice(&server.get(&url).expect_status(200).body).expect("json");
        body["features"][0]["properties"]["value"].as_f64()
    };
    let plain = gfi("nelen-schuurmans:dem").expect("a dem value at (10, 10)");
    // Values print in their dtype's shortest form (float32 here).
    assert_eq!(gfi(&twice).map(|v| v as f32), Some(plain as f32 * 2.0));
}

#[test]
fn calendar_aggregates_are_published_at_their_period_labels() {
    // The rain frames (2024-06-01 12:00 to 12:55, a Saturday) aggregated by
    // calendar periods: month ends and weeks label on the right, month
    // starts on the left (pandas' defaults); days in Amsterdam start at
    // 22:00 UTC in summer.
    let server = TestServer::start(test_config("geoblocks-calendar"));
    let rain = rain_source(&server);
    let layer = |slug: &str, freq: &str, zone: &str| {
        add_layer(
            &server,
            slug,
            json!({"name": "agg", "graph": {
                "s": ["lizard_nxt.blocks.LizardRasterSource", rain.to_string()],
                "agg": ["dask_geomodeling.raster.temporal.TemporalAggregate", "s", freq, "sum",
                        null, null, zone]}}),
        )
    };
    let caps_time = |name: &str| {
        let caps = server
            .get("/wms/?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0")
            .expect_status(200)
            .text();
        let block = caps
            .split(&format!("<Name>{name}</Name>"))
            .nth(1)
            .and_then(|b| b.split("</Layer>").next())
            .unwrap_or_default()
            .to_string();
        block
            .split("<Dimension name=\"time\"")
            .nth(1)
            .and_then(|d| d.split('>').nth(1))
            .and_then(|d| d.split('<').next())
            .unwrap_or_default()
            .to_string()
    };
    let map = |layer: &str, time: Option<&str>| {
        let t = time.map(|t| format!("&TIME={t}")).unwrap_or_default();
        decode_tiff(
            &server
                .get(&format!("/wms/?{RAIN_MAP}&LAYERS={layer}{t}"))
                .expect_status(200)
                .body,
        )
    };
    let frames: Vec<_> = (0..12)
        .map(|m| {
            map(
                "nelen-schuurmans:rain",
                Some(&format!("2024-06-01T12:{:02}:00Z", m * 5)),
            )
        })
        .collect();
    for (slug, freq, zone, label) in [
        ("rain-month-end", "ME", "UTC", "2024-06-30T00:00:00Z"),
        ("rain-month-start", "MS", "UTC", "2024-06-01T00:00:00Z"),
        ("rain-week", "W", "UTC", "2024-06-02T00:00:00Z"),
        (
            "rain-day-amsterdam",
            "D",
            "Europe/Amsterdam",
            "2024-05-31T22:00:00Z",
        ),
    ] {
        let name = layer(slug, freq, zone);
        assert_eq!(caps_time(&name), label, "{freq}");
        for time in [None, Some(label)] {
            let got = map(&name, time);
            let mut compared = 0;
            for i in 0..got.values.len() {
                let vals: Vec<f64> = frames
                    .iter()
                    .map(|f| f.values[i])
                    .filter(|v| Some(*v) != frames[0].nodata)
                    .collect();
                if vals.len() == frames.len() {
                    let want: f32 = vals.iter().map(|v| *v as f32).sum();
                    let diff = (got.values[i] as f32 - want).abs();
                    assert!(
                        diff <= want.abs() * 1e-5,
                        "{freq} cell {i}: {} vs {want}",
                        got.values[i]
                    );
                    compared += 1;
                }
            }
            assert!(compared > 100, "{freq}: {compared} cells compared");
        }
    }
    // The API shows the aggregate as temporal without a fixed interval.
    use crate::api::client::{Client, user_key};
    let key = user_key(&server, "root-calendar", true);
    let c = Client::with_key(&server, &key);
    let list = c.get_json("/api/v4/rasters/?name=rain-month-end");
    let r = &list["results"][0];
    assert_eq!(r["temporal"], true, "{r}");
    assert_eq!(r["interval"], serde_json::Value::Null, "{r}");
    assert_eq!(r["first_value_timestamp"], "2024-06-30T00:00:00Z", "{r}");
    assert_eq!(r["last_value_timestamp"], "2024-06-30T00:00:00Z", "{r}");
}

#[test]
fn requests_beyond_the_engine_budget_are_refused_not_attempted() {
    // Millisecond labels over the rain hour: 3.3 million instants, more than
    // a block may answer; the server refuses such requests (an OGC exception
    // report, with the configured status of client errors) and stays up.
    let server = TestServer::start(test_config("geoblocks-budget"));
    let rain = rain_source(&server);
    let fine = add_layer(
        &server,
        "rain-per-ms",
        json!({"name": "x", "graph": {
            "s": ["lizard_nxt.blocks.LizardRasterSource", rain.to_string()],
            "x": ["dask_geomodeling.raster.temporal.Resample", "s", "ms", "backward"]}}),
    );
    let span = server.get(&format!(
        "/wms/?{RAIN_MAP}&LAYERS={fine}&TIME=2024-06-01T12:00:00Z/2024-06-01T12:50:00Z"
    ));
    let refused = |r: &crate::support::Resp| {
        assert!(matches!(r.status, 200 | 400), "{}: {}", r.status, r.text());
        assert!(r.text().contains("<ServiceException"), "{}", r.text());
    };
    refused(&span);
    assert!(span.text().contains("shorter"), "{}", span.text());
    // One instant is one label: drawn.
    let one = server.get(&format!(
        "/wms/?{RAIN_MAP}&LAYERS={fine}&TIME=2024-06-01T12:15:00Z"
    ));
    assert_eq!(one.status, 200, "{}", one.text());
    // A plain temporal graph over many frames at a size whose values exceed
    // the budget: refused the same way.
    let wet = add_layer(
        &server,
        "rain-wet",
        json!({"name": "x", "graph": {
            "s": ["lizard_nxt.blocks.LizardRasterSource", rain.to_string()],
            "x": ["dask_geomodeling.raster.Multiply", "s", 2]}}),
    );
    let big = server.get(&format!(
        "/wms/?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&STYLES=&CRS=EPSG:28992\
         &BBOX=120000,400000,240000,500000&WIDTH=4000&HEIGHT=4000&FORMAT=image/tiff\
         &LAYERS={wet}&TIME=2024-06-01T12:00:00Z/2024-06-01T12:55:00Z"
    ));
    refused(&big);
    assert!(big.text().contains("smaller map"), "{}", big.text());
    server
        .get("/wms/?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0")
        .expect_status(200);
}

#[test]
fn the_api_refuses_graphs_the_engine_refuses_naming_the_node() {
    use crate::api::client::{Client, json as body_of, user_key};
    let server = TestServer::start(test_config("geoblocks-api"));
    let key = user_key(&server, "root-geo", true);
    let c = Client::with_key(&server, &key);
    let (src, _) = dem(&server);
    let org = c.get_json("/api/v4/organisations/")["results"][0]["uuid"].clone();
    let post = |graph: serde_json::Value| {
        c.send(
            "POST",
            "/api/v4/rasters/",
            Some(
                &json!({"name": "bad graph", "organisation": org, "access_modifier": "Public",
                "aggregation_type": "none", "source": graph}),
            ),
        )
    };
    for (graph, node) in [
        (
            json!({"name": "x", "graph": {"a": ["lizard_nxt.blocks.LizardRasterSource", src.to_string()],
                "x": ["dask_geomodeling.raster.elemwise.NoSuchBlock", "a", 1]}}),
            "x",
        ),
        (
            json!({"name": "x", "graph": {"a": ["lizard_nxt.blocks.LizardRasterSource", src.to_string()],
                "x": ["dask_geomodeling.raster.elemwise.Add", "a"]}}),
            "x",
        ),
        (
            json!({"name": "x", "graph": {"a": ["lizard_nxt.blocks.LizardRasterSource", src.to_string()],
                "x": ["dask_geomodeling.raster.elemwise.Add", "a", "y"],
                "y": ["dask_geomodeling.raster.elemwise.Add", "x", 1]}}),
            "cycle",
        ),
    ] {
        let resp = post(graph.clone());
        assert_eq!(resp.status, 400, "{graph}: {}", resp.text());
        let detail = body_of(&resp)["detail"]["source"][0]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(detail.contains(node), "{graph}: {detail}");
    }
    let good = post(json!({"name": "x", "graph": {
        "a": ["lizard_nxt.blocks.LizardRasterSource", src.to_string()],
        "x": ["dask_geomodeling.raster.elemwise.Add", "a", 1]}}));
    assert_eq!(good.status, 201, "{}", good.text());
    assert_eq!(body_of(&good)["dtype"], "float32");
}

#[test]
fn a_time_interval_reaches_an_aggregating_graph() {
    let server = TestServer::start(test_config("geoblocks-sum"));
    let rain = rain_source(&server);
    let sum = add_layer(
        &server,
        "rain-sum",
        json!({"name": "sum", "graph": {
            "s": ["lizard_nxt.blocks.LizardRasterSource", rain.to_string()],
            "sum": ["dask_geomodeling.raster.temporal.TemporalSum", "s"]}}),
    );
    let frame = |t: &str| {
        decode_tiff(
            &server
                .get(&format!(
                    "/wms/?{RAIN_MAP}&LAYERS=nelen-schuurmans:rain&TIME={t}"
                ))
                .expect_status(200)
                .body,
        )
    };
    let frames = [
        frame("2024-06-01T12:00:00Z"),
        frame("2024-06-01T12:05:00Z"),
        frame("2024-06-01T12:10:00Z"),
    ];
    let got = decode_tiff(
        &server
            .get(&format!(
                "/wms/?{RAIN_MAP}&LAYERS={sum}&TIME=2024-06-01T12:00:00Z/2024-06-01T12:10:00Z"
            ))
            .expect_status(200)
            .body,
    );
    let mut compared = 0;
    for i in 0..got.values.len() {
        let vals: Vec<f64> = frames.iter().map(|f| f.values[i]).collect();
        if vals.iter().zip(&frames).all(|(v, f)| Some(*v) != f.nodata) {
            let want: f32 = vals.iter().map(|v| *v as f32).sum();
            assert!(
                (got.values[i] as f32 - want).abs() <= want.abs() * 1e-6,
                "cell {i}: {} vs {want}",
                got.values[i]
            );
            compared += 1;
        }
    }
    assert!(compared > 100, "{compared} cells compared");
    // An instant is one frame: the sum of one.
    let one = decode_tiff(
        &server
            .get(&format!(
                "/wms/?{RAIN_MAP}&LAYERS={sum}&TIME=2024-06-01T12:05:00Z"
            ))
            .expect_status(200)
            .body,
    );
    let mid = &frames[1];
    for i in 0..one.values.len() {
        if Some(mid.values[i]) != mid.nodata {
            assert_eq!(one.values[i] as f32, mid.values[i] as f32, "cell {i}");
        }
    }
}

#[test]
fn resampling_reaches_computed_layers_as_it_reaches_stored_ones() {
    use tegel::geo::tiles::xyz_bbox;
    let server = TestServer::start(test_config("geoblocks-bilinear"));
    let (src, _) = dem(&server);
    let same = add_layer(
        &server,
        "dem-same",
        json!({"name": "x", "graph": {
            "s": ["lizard_nxt.blocks.LizardRasterSource", src.to_string()],
            "x": ["dask_geomodeling.raster.elemwise.Multiply", "s", 1]}}),
    );
    // A reprojected zoom-15 tile over the DEM.
    let b = xyz_bbox(15, 16882, 10823).expect("tile");
    let values = |layer: &str, resampling: &str| {
        let url = format!(
            "/wms/?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS={layer}&STYLES=&CRS=EPSG:3857&BBOX={},{},{},{}&WIDTH=256&HEIGHT=256&FORMAT=image/tiff&RESAMPLING={resampling}",
            b.min_x, b.min_y, b.max_x, b.max_y
        );
        decode_tiff(&server.get(&url).expect_status(200).body)
    };
    let stored = values("nelen-schuurmans:dem", "bilinear");
    let computed = values(&same, "bilinear");
    let nearest = values(&same, "nearest");
    let valid = |v: &crate::support::Values, i: usize| Some(v.values[i]) != v.nodata;
    let (mut equal, mut moved) = (0, 0);
    for i in 0..stored.values.len() {
        assert_eq!(valid(&stored, i), valid(&computed, i), "pixel {i}");
        if valid(&stored, i) {
            assert_eq!(stored.values[i], computed.values[i], "pixel {i}");
            equal += 1;
            moved += usize::from(computed.values[i] != nearest.values[i]);
        }
    }
    assert!(equal > 10_000, "{equal} valid pixels");
    // Bilinear really was applied: most values are interpolated.
    assert!(moved * 2 > equal, "{moved} of {equal} differ from nearest");
}
