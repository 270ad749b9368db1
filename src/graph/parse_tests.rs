//! Parsing and validation: class paths, references, errors naming the node,
//! limits refused before any pixel is read.

use super::*;
use crate::graph::memory::{MemoryLeaves, MemorySource};
use crate::graph::{Dt, GraphError, Leaves, Output, Request, RequestMode, SourceMeta};
use crate::model::{BBox, Crs, DataType, GeoTransform, RasterBuf, RasterData};
use serde_json::json;
use std::sync::atomic::Ordering;

const A: &str = "00000000-0000-0000-0000-00000000000a";

fn leaves() -> MemoryLeaves {
    let mut l = MemoryLeaves::new();
    l.add(
        uuid::Uuid::parse_str(A).unwrap(),
        MemorySource {
            meta: SourceMeta {
                dtype: DataType::U8,
                nodata: Some(255.0),
                crs: Crs(28992),
                geo_transform: GeoTransform {
                    origin_x: 0.0,
                    origin_y: 40.0,
                    pixel_x: 10.0,
                    pixel_y: -10.0,
                },
                width: 4,
                height: 4,
                times: vec![0],
                interval: None,
            },
            frames: vec![RasterBuf {
                width: 4,
                height: 4,
                data: RasterData::U8((0..16).collect()),
                nodata: Some(255.0),
            }],
        },
    );
    l
}

fn parse(v: serde_json::Value) -> Result<Graph, GraphError> {
    Graph::parse(&v, &GraphLimits::default())
}

fn src() -> serde_json::Value {
    json!(["lizard_nxt.blocks.LizardRasterSource", A])
}

#[test]
fn class_paths_module_package_and_legacy() {
    for path in [
        "dask_geomodeling.raster.elemwise.Add",
        "dask_geomodeling.raster.Add",
        "geoblocks.raster.elemwise.Add",
    ] {
        let g = parse(json!({"name": "x", "graph": {"a": src(), "x": [path, "a", 1]}})).unwrap();
        assert_eq!(g.nodes.len(), 2, "{path}");
    }
    let e = parse(json!({"name": "x", "graph": {"a": src(), "x": ["dask_geomodeling.raster.misc.Add", "a", 1]}}))
        .unwrap_err();
    assert!(e.to_string().contains("'x'"), "{e}");
}

#[test]
fn errors_name_the_node() {
    let cases = [
        json!({"name": "x", "graph": {"a": src(), "x": ["dask_geomodeling.raster.Nope", "a"]}}),
        json!({"name": "x", "graph": {"a": src(), "x": ["dask_geomodeling.raster.Add", "a"]}}),
        json!({"name": "x", "graph": {"a": src(), "x": ["dask_geomodeling.raster.Add", "a", "b"]}}),
        json!({"name": "x", "graph": {"a": src(), "x": ["dask_geomodeling.raster.misc.Classify", "a", [3, 1]]}}),
        json!({"name": "x", "graph": {"x": ["dask_geomodeling.raster.Add", 1, 2]}}),
    ];
    for c in cases {
        let e = parse(c.clone()).unwrap_err();
        assert!(e.to_string().contains("node 'x'"), "{c}: {e}");
        assert_eq!(e.class(), crate::model::ErrorClass::BadRequest);
    }
    let e = parse(json!({"name": "x", "graph": {"x": ["dask_geomodeling.raster.Add", "y", 1], "y": ["dask_geomodeling.raster.Add", "x", 1]}}))
        .unwrap_err();
    assert!(matches!(e, GraphError::Cycle(_)), "{e}");
    assert!(parse(json!({"name": "zz", "graph": {"a": src()}})).is_err());
}

#[test]
fn frequencies_and_time_zones_are_checked_when_parsed() {
    const T: &str = "dask_geomodeling.raster.temporal.";
    let node = |block: &str, args: serde_json::Value| {
        let mut x = vec![json!(format!("{T}{block}")), json!("a")];
        x.extend(args.as_array().expect("args").iter().cloned());
        parse(json!({"name": "x", "graph": {"a": src(), "x": x}}))
    };
    for (block, args) in [
        (
            "TemporalAggregate",
            json!(["ME", "sum", null, null, "Europe/Amsterdam"]),
        ),
        ("TemporalAggregate", json!(["QS-FEB", "mean"])),
        ("TemporalAggregate", json!([null, "sum", null, null, 5])),
        ("Cumulative", json!(["sum", "W-MON", "America/New_York"])),
        ("Resample", json!(["15min", "forward", "Asia/Kolkata"])),
    ] {
        assert!(node(block, args.clone()).is_ok(), "{block} {args}");
    }
    for (block, args, says) in [
        (
            "TemporalAggregate",
            json!(["2MS", "sum"]),
            "calendar offsets are taken once",
        ),
        (
            "TemporalAggregate",
            json!(["7h", "sum"]),
            "must divide one day",
        ),
        ("TemporalAggregate", json!(["BME", "sum"]), "not supported"),
        (
            "TemporalAggregate",
            json!(["D", "sum", null, null, "Mars/Olympus"]),
            "unknown time zone",
        ),
        (
            "TemporalAggregate",
            json!(["D", "sum", null, null, null]),
            "time zone",
        ),
        (
            "Cumulative",
            json!(["sum", "3h", "Europe/Amsterdam"]),
            "divide one hour",
        ),
        ("Resample", json!(["D", "nearest", 1]), "time zone"),
    ] {
        let e = node(block, args.clone()).unwrap_err().to_string();
        assert!(
            e.contains("node 'x'") && e.contains(says),
            "{block} {args}: {e}"
        );
    }
}

#[test]
fn dtype_checks_need_metadata_and_name_the_node() {
    let l = leaves();
    let g = parse(json!({"name": "x", "graph": {"a": src(), "x": ["dask_geomodeling.raster.And", "a", true]}})).unwrap();
    let e = g.meta(&l).unwrap_err();
    assert!(
        e.to_string().contains("node 'x'") && e.to_string().contains("boolean"),
        "{e}"
    );
}

#[test]
fn ints_and_floats_differ() {
    let l = leaves();
    let mask = |v: serde_json::Value| {
        parse(json!({"name": "x", "graph": {"a": src(), "x": ["dask_geomodeling.raster.misc.Mask", "a", v]}}))
            .unwrap()
            .meta(&l)
            .unwrap()
            .dtype
    };
    assert_eq!(mask(json!(1)), Dt::U8);
    assert_eq!(mask(json!(1.0)), Dt::F32);
}

#[test]
fn source_refs_lists_uuids() {
    let b = "00000000-0000-0000-0000-00000000000b";
    let g = parse(json!({"name": "x", "graph": {
        "a": src(), "g": ["lizard_nxt.blocks.LizardRasterGroup", b, A],
        "x": ["dask_geomodeling.raster.Add", "a", "g"]}}))
    .unwrap();
    let ids: Vec<String> = g.source_refs().iter().map(|u| u.to_string()).collect();
    assert_eq!(ids, vec![A.to_string(), b.to_string()]);
}

#[test]
fn limits_refuse_before_reading() {
    let l = leaves();
    let mut graph = serde_json::Map::new();
    graph.insert("n0".into(), src());
    for i in 1..60 {
        graph.insert(
            format!("n{i}"),
            json!(["dask_geomodeling.raster.Add", format!("n{}", i - 1), 1]),
        );
    }
    let doc = json!({"name": "n59", "graph": graph});
    let small = GraphLimits {
        max_nodes: 50,
        ..GraphLimits::default()
    };
    assert!(matches!(
        Graph::parse(&doc, &small),
        Err(GraphError::Limit(_))
    ));
    let shallow = GraphLimits {
        max_depth: 10,
        ..GraphLimits::default()
    };
    assert!(matches!(
        Graph::parse(&doc, &shallow),
        Err(GraphError::Limit(_))
    ));
    assert_eq!(l.reads.load(Ordering::Relaxed), 0);
    // Within the default limits it evaluates, reading once.
    let g = Graph::parse(&doc, &GraphLimits::default()).unwrap();
    let req = Request {
        mode: RequestMode::Vals,
        bbox: BBox::new(0.0, 0.0, 40.0, 40.0),
        crs: Crs(28992),
        width: 4,
        height: 4,
        start: None,
        stop: None,
    };
    let out = g.evaluate(&l, &req).unwrap();
    assert!(matches!(out, Some(Output::Values(_))));
    assert_eq!(l.reads.load(Ordering::Relaxed), 1);
    let _ = l.resolve(uuid::Uuid::nil());
}

mod properties {
    use super::*;
    use proptest::prelude::*;
    use serde_json::Value;

    /// Arbitrary JSON, a few levels deep.
    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|i| json!(i)),
            any::<f64>().prop_map(|f| json!(f)),
            "\\PC{0,12}".prop_map(Value::String),
            Just(json!(A)),
            Just(json!("lizard_nxt.blocks.LizardRasterSource")),
            Just(json!("dask_geomodeling.raster.elemwise.Add")),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                proptest::collection::vec(("[a-z]{1,3}", inner), 0..6)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect())),
            ]
        })
    }

    const BLOCKS: &[&str] = &[
        "dask_geomodeling.raster.elemwise.Add",
        "dask_geomodeling.raster.elemwise.Multiply",
        "dask_geomodeling.raster.elemwise.Greater",
        "dask_geomodeling.raster.misc.Clip",
        "dask_geomodeling.raster.misc.Step",
        "dask_geomodeling.raster.spatial.Dilate",
        "dask_geomodeling.raster.temporal.Cumulative",
        "dask_geomodeling.raster.combine.Group",
        "dask_geomodeling.raster.Snap",
        "no.such.Block",
    ];

    /// Graphs in the grammar's own shape: named nodes whose arguments are
    /// other node names, numbers, strings or lists.
    fn graph_doc() -> impl Strategy<Value = Value> {
        let arg = prop_oneof![
            "[a-e]".prop_map(Value::String),
            any::<f64>().prop_map(|f| json!(f)),
            (-3i64..300).prop_map(|i| json!(i)),
            Just(json!(null)),
            proptest::collection::vec("[a-e]".prop_map(Value::String), 0..3).prop_map(Value::Array),
        ];
        let node = (
            proptest::sample::select(BLOCKS),
            proptest::collection::vec(arg, 0..4),
        )
            .prop_map(|(block, args)| {
                let mut list = vec![json!(block)];
                list.extend(args);
                Value::Array(list)
            });
        (
            proptest::collection::btree_map("[a-e]", node, 0..6),
            "[a-f]",
        )
            .prop_map(|(mut nodes, name)| {
                nodes.insert("s".into(), src());
                json!({"name": name, "graph": nodes})
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn never_panics_on_any_json(doc in json_value()) {
            let _ = parse(doc);
        }

        #[test]
        fn never_panics_on_any_text(text in "\\PC{0,64}") {
            if let Ok(doc) = serde_json::from_str::<Value>(&text) {
                let _ = parse(doc);
            }
        }

        #[test]
        fn graphs_of_the_grammar_parse_or_fail_cleanly(doc in graph_doc()) {
            if let Ok(g) = parse(doc.clone()) {
                prop_assert!(g.endpoint() < g.nodes.len());
                let sources = g.source_refs();
                prop_assert!(sources.iter().all(|u| u.to_string() == A), "{:?}", sources);
            }
        }
    }
}
