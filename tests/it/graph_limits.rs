//! The `[graph]` limits through a real server: each key, set low, refuses
//! what a server with the defaults accepts. `max_nodes`, `max_depth` and
//! `max_nesting` are checked when a layer is stored (400 naming the limit);
//! `max_values` and `max_steps` when a map is drawn (an OGC exception report).

use crate::api::client::{Client, json as body_of, user_key};
use crate::support::{Resp, TestServer, test_config};
use serde_json::{Value, json};
use std::sync::OnceLock;
use tegel::catalogue::{Catalogue, SourceGrid};
use tegel::config::GraphConfig;
use uuid::Uuid;

const SOURCE: &str = "lizard_nxt.blocks.LizardRasterSource";

/// A demo server, a superuser key, the demo organisation and the uuids and
/// grids of the dem and rain sources.
pub(crate) struct Served {
    pub server: TestServer,
    pub key: String,
    pub org: Value,
    pub dem: (Uuid, SourceGrid),
    pub rain: Uuid,
}

impl Served {
    pub(crate) fn start(tag: &str, graph: GraphConfig) -> Served {
        let mut config = test_config(tag);
        config.graph = graph;
        Served::start_with(tag, config)
    }

    /// A demo server with `config` (its data dir and demo already set).
    pub(crate) fn start_with(tag: &str, config: tegel::config::Config) -> Served {
        let server = TestServer::start(config);
        let key = user_key(&server, &format!("{tag}-root"), true);
        let snap = Catalogue::open(&server.data_dir)
            .expect("catalogue")
            .snapshot();
        let source_of = |slug: &str| {
            let layer = snap
                .layers()
                .iter()
                .find(|l| l.slug == slug)
                .unwrap_or_else(|| panic!("demo layer {slug}"));
            snap.single_source(layer)
                .unwrap_or_else(|| panic!("{slug} source"))
                .clone()
        };
        let dem = source_of("dem");
        let rain = source_of("rain").uuid;
        let org = Client::with_key(&server, &key).get_json("/api/v4/organisations/")["results"][0]
            ["uuid"]
            .clone();
        Served {
            dem: (dem.uuid, dem.grid.expect("dem grid")),
            rain,
            org,
            key,
            server,
        }
    }

    /// POSTs a layer with `graph` as its source (`?dry-run` when `dry`).
    pub(crate) fn post(&self, name: &str, graph: &Value, dry: bool) -> Resp {
        let path = if dry {
            "/api/v4/rasters/?dry-run"
        } else {
            "/api/v4/rasters/"
        };
        let body = json!({"name": name, "organisation": self.org, "access_modifier": "Public",
            "aggregation_type": "none", "source": graph});
        Client::with_key(&self.server, &self.key).send("POST", path, Some(&body))
    }

    /// Creates a layer; returns its uuid and WMS name.
    pub(crate) fn create(&self, name: &str, graph: &Value) -> (String, String) {
        let resp = self.post(name, graph, false);
        assert_eq!(resp.status, 201, "{name}: {}", resp.text());
        let made = body_of(&resp);
        (
            made["uuid"].as_str().expect("uuid").to_string(),
            made["wms_info"]["layer"]
                .as_str()
                .expect("wms name")
                .to_string(),
        )
    }

    /// A WMS GetMap of `layer` as raw values over the dem's extent.
    pub(crate) fn map(&self, layer: &str, width: u32, height: u32, time: Option<&str>) -> Resp {
        let grid = &self.dem.1;
        let b = grid.transform().bbox(grid.width, grid.height);
        let time = time.map(|t| format!("&TIME={t}")).unwrap_or_default();
        self.server.get(&format!(
            "/wms/?SERVICE=WMS&VERSION=1.1.1&REQUEST=GetMap&LAYERS={layer}&STYLES=&SRS=EPSG:{}\
             &BBOX={},{},{},{}&WIDTH={width}&HEIGHT={height}&FORMAT=image/tiff{time}",
            grid.crs, b.min_x, b.min_y, b.max_x, b.max_y
        ))
    }
}

/// One server with the default limits, shared by the tests of this file.
fn defaults() -> &'static Served {
    static SERVED: OnceLock<Served> = OnceLock::new();
    SERVED.get_or_init(|| Served::start("graph-defaults", GraphConfig::default()))
}

/// The source field's message of a 400 answer.
pub(crate) fn refusal(resp: &Resp) -> String {
    assert_eq!(resp.status, 400, "{}", resp.text());
    body_of(resp)["detail"]["source"][0]
        .as_str()
        .unwrap_or_else(|| panic!("detail.source: {}", resp.text()))
        .to_string()
}

/// An OGC exception report (with either configured status of client errors).
pub(crate) fn exception_report(resp: &Resp) -> String {
    let text = resp.text();
    assert!(matches!(resp.status, 200 | 400), "{}: {text}", resp.status);
    assert!(text.contains("<ServiceException"), "not refused: {text}");
    text
}

/// An image answer.
fn image(resp: &Resp) {
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert_eq!(resp.content_type(), "image/tiff", "{}", resp.text());
}

/// `dem` → `dem * 2` → `+ 1`: three nodes, three deep.
fn chain(dem: Uuid) -> Value {
    json!({"name": "c", "graph": {
        "a": [SOURCE, dem.to_string()],
        "b": ["dask_geomodeling.raster.elemwise.Multiply", "a", 2],
        "c": ["dask_geomodeling.raster.elemwise.Add", "b", 1]}})
}

fn single(id: &str) -> Value {
    json!({"name": "s", "graph": {"s": [SOURCE, id]}})
}

#[test]
fn max_nodes_refuses_larger_graphs_when_a_layer_is_stored() {
    let s = Served::start(
        "graph-max-nodes",
        GraphConfig {
            max_nodes: 2,
            ..GraphConfig::default()
        },
    );
    let dem = s.dem.0;
    let msg = refusal(&s.post("three nodes", &chain(dem), false));
    assert!(msg.contains("3 nodes, at most 2 allowed"), "{msg}");
    let two = json!({"name": "b", "graph": {
        "a": [SOURCE, dem.to_string()],
        "b": ["dask_geomodeling.raster.elemwise.Multiply", "a", 2]}});
    s.create("two nodes", &two);
    let d = defaults();
    let ok = d.post("three nodes", &chain(d.dem.0), true);
    assert_eq!(ok.status, 200, "{}", ok.text());
}

#[test]
fn max_depth_refuses_longer_reference_chains_when_a_layer_is_stored() {
    let s = Served::start(
        "graph-max-depth",
        GraphConfig {
            max_depth: 2,
            ..GraphConfig::default()
        },
    );
    let dem = s.dem.0.to_string();
    let msg = refusal(&s.post("three deep", &chain(s.dem.0), false));
    assert!(msg.contains("deeper than 2"), "{msg}");
    // As many nodes, two deep: stored.
    let wide = json!({"name": "c", "graph": {
        "a": [SOURCE, dem], "b": [SOURCE, dem],
        "c": ["dask_geomodeling.raster.elemwise.Add", "a", "b"]}});
    s.create("two deep", &wide);
    let d = defaults();
    let ok = d.post("three deep", &chain(d.dem.0), true);
    assert_eq!(ok.status, 200, "{}", ok.text());
}

#[test]
fn max_nesting_refuses_layers_nested_deeper_when_a_layer_is_stored() {
    let s = Served::start(
        "graph-max-nesting",
        GraphConfig {
            max_nesting: 1,
            ..GraphConfig::default()
        },
    );
    let nest = |served: &Served| {
        let (a, _) = served.create("nest a", &single(&served.dem.0.to_string()));
        // b reads a: one level of nesting.
        let (b, _) = served.create("nest b", &single(&a));
        // c reads b, which reads a: two levels.
        served.post("nest c", &single(&b), true)
    };
    let msg = refusal(&nest(&s));
    assert!(msg.contains("nest more than 1 levels"), "{msg}");
    let ok = nest(defaults());
    assert_eq!(ok.status, 200, "{}", ok.text());
}

#[test]
fn max_values_refuses_maps_whose_blocks_hold_more_values() {
    let s = Served::start(
        "graph-max-values",
        GraphConfig {
            max_values: 1000,
            ..GraphConfig::default()
        },
    );
    let double = |served: &Served| {
        let dem = served.dem.0.to_string();
        let graph = json!({"name": "x", "graph": {
            "s": [SOURCE, dem],
            "x": ["dask_geomodeling.raster.elemwise.Multiply", "s", 2]}});
        served.create("dem double", &graph).1
    };
    let layer = double(&s);
    // 40 × 40 cells of one frame: 1600 values.
    let text = exception_report(&s.map(&layer, 40, 40, None));
    assert!(text.contains("more than 1000 values"), "{text}");
    image(&s.map(&layer, 10, 10, None));
    let d = defaults();
    image(&d.map(&double(d), 40, 40, None));
}

#[test]
fn max_steps_refuses_maps_whose_blocks_answer_more_instants() {
    let s = Served::start(
        "graph-max-steps",
        GraphConfig {
            max_steps: 10,
            ..GraphConfig::default()
        },
    );
    let per_minute = |served: &Served| {
        let graph = json!({"name": "x", "graph": {
            "s": [SOURCE, served.rain.to_string()],
            "x": ["dask_geomodeling.raster.temporal.Resample", "s", "min", "backward"]}});
        served.create("rain per minute", &graph).1
    };
    let layer = per_minute(&s);
    // 12:00 to 12:50 per minute: 51 instants.
    let span = Some("2024-06-01T12:00:00Z/2024-06-01T12:50:00Z");
    let text = exception_report(&s.map(&layer, 10, 10, span));
    assert!(text.contains("more than 10 steps"), "{text}");
    image(&s.map(&layer, 10, 10, Some("2024-06-01T12:15:00Z")));
    let d = defaults();
    image(&d.map(&per_minute(d), 10, 10, span));
}
