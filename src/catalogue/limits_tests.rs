//! A snapshot's graph limits reach every graph reader of the catalogue:
//! metadata inference, the instants of computed layers, and the walks over
//! nested layers.

use super::graphmeta;
use super::graphref;
use super::records::{AccessModifier, RasterLayer};
use super::snapshot::{CatalogueData, Snapshot};
use super::source::{Frame, RasterSource, SourceGrid};
use crate::graph::GraphLimits;
use crate::model::DataType;
use chrono::{DateTime, TimeZone, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

const SOURCE: &str = "lizard_nxt.blocks.LizardRasterSource";

fn t(min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 6, 1, 12, min, 0).unwrap()
}

/// A 4×4 source with frames at 12:00, 12:05 and 12:10.
fn rain() -> RasterSource {
    RasterSource {
        uuid: Uuid::new_v4(),
        name: "rain".into(),
        description: String::new(),
        organisation: Uuid::nil(),
        access_modifier: AccessModifier::Public,
        supplier: None,
        supplier_code: None,
        temporal: true,
        interval_ms: Some(300_000),
        grid: Some(SourceGrid {
            crs: 28992,
            origin_x: 0.0,
            origin_y: 400.0,
            pixel_x: 100.0,
            pixel_y: -100.0,
            width: 4,
            height: 4,
            dtype: DataType::F32,
            nodata: Some(-1.0),
        }),
        frames: (0..3)
            .map(|i| Frame {
                file: format!("{i}"),
                timestamp: Some(t(i * 5)),
                bytes: 64,
            })
            .collect(),
        created: t(0),
        last_modified: t(0),
        revision: 1,
    }
}

fn layer(graph: Value) -> RasterLayer {
    RasterLayer {
        uuid: Uuid::new_v4(),
        name: "l".into(),
        slug: format!("l-{}", Uuid::new_v4().simple()),
        description: String::new(),
        organisation: Uuid::nil(),
        access_modifier: AccessModifier::Public,
        supplier: None,
        shared_with: vec![],
        weight: 0,
        graph,
        observation_type: None,
        layer_collections: vec![],
        options: Default::default(),
        colormap: None,
        rescalable: true,
        aggregation_type: "none".into(),
        created: t(0),
        last_modified: t(0),
        revision: 1,
    }
}

fn limits(change: impl FnOnce(&mut GraphLimits)) -> GraphLimits {
    let mut l = GraphLimits::default();
    change(&mut l);
    l
}

fn snapshots(data: CatalogueData, limited: GraphLimits) -> (Snapshot, Snapshot) {
    (
        Snapshot::new(data.clone()),
        Snapshot::with_graph_limits(data, limited),
    )
}

#[test]
fn a_snapshot_without_limits_has_the_engines_defaults() {
    assert_eq!(
        Snapshot::new(CatalogueData::default()).graph_limits(),
        GraphLimits::default()
    );
    assert_eq!(Snapshot::default().graph_limits(), GraphLimits::default());
}

#[test]
fn graph_meta_checks_nodes_and_depth_against_the_snapshots_limits() {
    let s = rain();
    let data = CatalogueData {
        sources: vec![s.clone()],
        ..Default::default()
    };
    // Three nodes in a chain three deep.
    let graph = json!({"name": "c", "graph": {
        "a": [SOURCE, s.uuid.to_string()],
        "b": ["dask_geomodeling.raster.elemwise.Multiply", "a", 2],
        "c": ["dask_geomodeling.raster.elemwise.Add", "b", 1]}});
    for (limited, needle) in [
        (limits(|l| l.max_nodes = 2), "3 nodes, at most 2 allowed"),
        (limits(|l| l.max_depth = 2), "deeper than 2"),
    ] {
        let (default, small) = snapshots(data.clone(), limited);
        assert!(graphmeta::graph_meta(&default, &graph).is_ok());
        let err = graphmeta::graph_meta(&small, &graph)
            .unwrap_err()
            .to_string();
        assert!(err.contains(needle), "{err}");
    }
}

#[test]
fn nested_layers_are_followed_as_deep_as_the_snapshots_max_nesting() {
    let s = rain();
    let a = layer(graphref::single_source_graph(s.uuid));
    let b = layer(graphref::single_source_graph(a.uuid));
    let c = layer(graphref::single_source_graph(b.uuid));
    let d = layer(json!({"name": "x", "graph": {
        "b": [SOURCE, b.uuid.to_string()],
        "x": ["dask_geomodeling.raster.elemwise.Multiply", "b", 2]}}));
    let data = CatalogueData {
        sources: vec![s.clone()],
        layers: vec![a.clone(), b.clone(), c.clone(), d.clone()],
        ..Default::default()
    };
    let (default, small) = snapshots(data, limits(|l| l.max_nesting = 1));
    // c → b → a → s: two layers below c.
    assert_eq!(default.layer_sources(&c).0, [s.uuid]);
    assert_eq!(small.layer_sources(&c).0, Vec::<Uuid>::new());
    assert_eq!(default.single_source(&c).map(|x| x.uuid), Some(s.uuid));
    assert!(small.single_source(&c).is_none());
    // b → a → s: one layer below b.
    assert_eq!(small.single_source(&b).map(|x| x.uuid), Some(s.uuid));
    // The engine's own nesting check over the computed layer d → b → a.
    assert!(graphmeta::layer_meta(&default, &d).is_ok());
    let err = graphmeta::layer_meta(&small, &d).unwrap_err().to_string();
    assert!(err.contains("nested too deeply"), "{err}");
}

#[test]
fn a_computed_layers_instants_are_answered_within_max_steps() {
    let s = rain();
    // Per-minute labels over 12:00–12:10: eleven instants.
    let per_minute = layer(json!({"name": "x", "graph": {
        "s": [SOURCE, s.uuid.to_string()],
        "x": ["dask_geomodeling.raster.temporal.Resample", "s", "min", "backward"]}}));
    let data = CatalogueData {
        sources: vec![s.clone()],
        layers: vec![per_minute.clone()],
        ..Default::default()
    };
    let (default, small) = snapshots(data, limits(|l| l.max_steps = 5));
    let instants = |snap: &Snapshot| -> Vec<DateTime<Utc>> {
        graphmeta::virtual_source(snap, &per_minute)
            .expect("a located raster")
            .frames
            .iter()
            .filter_map(|f| f.timestamp)
            .collect()
    };
    assert_eq!(instants(&default), (0..=10).map(t).collect::<Vec<_>>());
    // More labels than allowed: the source's own instants are offered.
    assert_eq!(instants(&small), [t(0), t(5), t(10)]);
}
