//! The read-only fields of a rasterlayer that follow from its graph and the
//! sources it reads (lizard-api.md §1.2): `raster_sources`,
//! `deleted_sources`, `is_geoblock`, `temporal`, the value timestamps,
//! `interval`, the native grid and `dtype`/`fill_value`.
//!
//! All of it is computed in [`derive`]:
//!
//! * A plain layer (its graph one source, possibly through nested plain
//!   layers) shows its source: grid, data type, nodata, time.
//! * A computation (`is_geoblock`) shows its graph's metadata as the graph
//!   engine infers it (dask-geomodeling's rules): dtype, fill value, period,
//!   timedelta, and the native grid when the graph has one projection and
//!   an aligned grid. When the engine refuses the graph over the current
//!   catalogue (a source deleted), the sources it still reads decide: the
//!   grid when all share one, `temporal` when any is, the period spanning
//!   them, `interval` when all share one; `dtype`/`fill_value` null.
//! * No data yet (no source has a frame): timestamps, grid and bounds are
//!   null, as Lizard shows an empty source. A non-temporal layer with data
//!   shows `1970-01-01T00:00:00Z` for both timestamps (dask-geomodeling's
//!   default origin, as in the SEED).

use crate::catalogue::{
    RasterLayer, RasterSource, Snapshot, SourceGrid, epoch, graphmeta, graphref,
};
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// What a layer's graph and sources say about it.
#[derive(Clone, Debug, PartialEq)]
pub struct Derived {
    /// Sources read, through nested layers, in graph order.
    pub sources: Vec<Uuid>,
    /// Referenced uuids that name neither a source nor a layer.
    pub deleted: Vec<Uuid>,
    pub is_geoblock: bool,
    pub temporal: bool,
    pub first: Option<DateTime<Utc>>,
    pub last: Option<DateTime<Utc>>,
    pub interval_ms: Option<i64>,
    /// The native grid shown (serialised through `NativeGrid::of`).
    pub grid: Option<SourceGrid>,
    /// numpy's dtype name of the output.
    pub dtype: Option<&'static str>,
    pub fill_value: Option<f64>,
}

/// The derived fields of `layer` in `snap`.
pub fn derive(snap: &Snapshot, layer: &RasterLayer) -> Derived {
    let (found, deleted) = snap.layer_sources(layer);
    let is_geoblock = graphref::is_geoblock(&layer.graph);
    let sources: Vec<&RasterSource> = found.iter().filter_map(|u| snap.source(*u)).collect();
    let mut d = Derived {
        sources: found.clone(),
        deleted,
        is_geoblock,
        temporal: sources.iter().any(|s| s.temporal),
        first: None,
        last: None,
        interval_ms: None,
        grid: None,
        dtype: None,
        fill_value: None,
    };
    let has_data = sources.iter().any(|s| !s.frames.is_empty());
    if let Some(single) = snap.single_source(layer) {
        d.temporal = single.temporal;
        d.grid = single.grid.clone();
        d.dtype = single.grid.as_ref().map(|g| g.dtype.numpy_name());
        d.fill_value = single.grid.as_ref().and_then(|g| g.nodata);
        d.interval_ms = single.interval_ms.filter(|_| single.temporal);
        (d.first, d.last) = period(&[single], single.temporal, !single.frames.is_empty());
        return d;
    }
    // A computation: its graph's metadata, as dask-geomodeling infers it.
    if let Ok(meta) = graphmeta::layer_meta(snap, layer) {
        d.temporal = meta.temporal;
        d.dtype = Some(meta.dtype.name());
        d.fill_value = meta.fillvalue;
        d.interval_ms = meta.timedelta.filter(|_| meta.temporal);
        d.grid = graphmeta::grid_of(&meta);
        let ms = |t: i64| DateTime::<Utc>::from_timestamp_millis(t);
        (d.first, d.last) = match meta.period {
            Some((a, b)) if meta.temporal => (ms(a), ms(b)),
            Some(_) => (Some(epoch()), Some(epoch())),
            None => (None, None),
        };
        return d;
    }
    // A graph the engine refuses over the current catalogue (e.g. a source
    // was deleted): what its sources still say.
    let grids: Vec<&SourceGrid> = sources.iter().filter_map(|s| s.grid.as_ref()).collect();
    if !grids.is_empty()
        && grids.len() == sources.len()
        && grids.iter().all(|g| same_grid(g, grids[0]))
    {
        d.grid = Some(grids[0].clone());
    }
    let temporal: Vec<&RasterSource> = sources.iter().copied().filter(|s| s.temporal).collect();
    let intervals: Vec<Option<i64>> = temporal.iter().map(|s| s.interval_ms).collect();
    if intervals.first().is_some_and(|i| i.is_some())
        && intervals.iter().all(|i| *i == intervals[0])
    {
        d.interval_ms = intervals[0];
    }
    (d.first, d.last) = period(&temporal, d.temporal, has_data);
    d
}

/// First and last value instants: the span of the temporal sources' frames,
/// or the 1970 origin for non-temporal data; null without data.
fn period(
    temporal: &[&RasterSource],
    is_temporal: bool,
    has_data: bool,
) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
    if !has_data {
        return (None, None);
    }
    if !is_temporal {
        return (Some(epoch()), Some(epoch()));
    }
    let periods: Vec<_> = temporal.iter().filter_map(|s| s.period()).collect();
    (
        periods.iter().map(|p| p.0).min(),
        periods.iter().map(|p| p.1).max(),
    )
}

/// Same CRS, origin, cell size and size (data type and nodata may differ).
fn same_grid(a: &SourceGrid, b: &SourceGrid) -> bool {
    (a.crs, a.width, a.height) == (b.crs, b.width, b.height)
        && [a.origin_x, a.origin_y, a.pixel_x, a.pixel_y]
            == [b.origin_x, b.origin_y, b.pixel_x, b.pixel_y]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::{AccessModifier, CatalogueData, Frame};
    use crate::model::DataType;
    use chrono::TimeZone;
    use serde_json::json;

    fn at(min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 6, 1, 12, min, 0).unwrap()
    }

    fn grid(origin_x: f64) -> SourceGrid {
        SourceGrid {
            crs: 28992,
            origin_x,
            origin_y: 473_500.0,
            pixel_x: 250.0,
            pixel_y: -250.0,
            width: 91,
            height: 65,
            dtype: DataType::F32,
            nodata: Some(-9999.0),
        }
    }

    fn source(times: &[u32], interval: Option<i64>, origin_x: f64) -> RasterSource {
        RasterSource {
            uuid: Uuid::new_v4(),
            name: "s".into(),
            description: String::new(),
            organisation: Uuid::nil(),
            access_modifier: AccessModifier::Public,
            supplier: None,
            supplier_code: None,
            temporal: !times.is_empty(),
            interval_ms: interval,
            grid: Some(grid(origin_x)),
            frames: if times.is_empty() {
                vec![Frame {
                    file: "f".into(),
                    timestamp: None,
                    bytes: 1,
                }]
            } else {
                times
                    .iter()
                    .map(|m| Frame {
                        file: format!("{m}"),
                        timestamp: Some(at(*m)),
                        bytes: 1,
                    })
                    .collect()
            },
            created: at(0),
            last_modified: at(0),
            revision: 1,
        }
    }

    fn layer(graph: serde_json::Value) -> RasterLayer {
        RasterLayer {
            uuid: Uuid::new_v4(),
            name: "l".into(),
            slug: "l".into(),
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
            created: at(0),
            last_modified: at(0),
            revision: 1,
        }
    }

    fn add(a: Uuid, b: Uuid) -> serde_json::Value {
        let s = "lizard_nxt.blocks.LizardRasterSource";
        json!({"name": "d", "graph": {"a": [s, a.to_string()], "b": [s, b.to_string()],
            "d": ["dask_geomodeling.raster.elemwise.Add", "a", "b"]}})
    }

    fn derive_over(sources: Vec<RasterSource>, graph: serde_json::Value) -> Derived {
        let l = layer(graph);
        let snap = Snapshot::new(CatalogueData {
            sources,
            layers: vec![l.clone()],
            ..Default::default()
        });
        derive(&snap, &l)
    }

    #[test]
    fn a_computation_shows_its_graphs_metadata() {
        let (a, b) = (
            source(&[0, 5, 10], Some(300_000), 0.0),
            source(&[5, 10, 15, 20], Some(300_000), 0.0),
        );
        let d = derive_over(vec![a.clone(), b.clone()], add(a.uuid, b.uuid));
        assert!(d.is_geoblock && d.temporal);
        // dask-geomodeling's elementwise period: the overlap of the inputs'.
        assert_eq!((d.first, d.last), (Some(at(5)), Some(at(10))));
        assert_eq!(d.interval_ms, Some(300_000));
        // Elementwise output nodata is the dtype's maximum (dask-geomodeling).
        assert_eq!(d.dtype, Some("float32"));
        assert_eq!(d.fill_value, Some(f64::from(f32::MAX)));
        let mut want = grid(0.0);
        want.nodata = d.fill_value;
        assert_eq!(d.grid, Some(want));
        assert_eq!(d.sources, vec![a.uuid, b.uuid]);
    }

    #[test]
    fn a_graph_the_engine_refuses_falls_back_on_its_sources() {
        // A temporal and a non-temporal input: dask-geomodeling refuses the
        // elementwise block; the sources still say what they can.
        let (a, b) = (
            source(&[0, 5], Some(300_000), 0.0),
            source(&[], None, 250.0),
        );
        let d = derive_over(vec![a.clone(), b.clone()], add(a.uuid, b.uuid));
        assert!(d.temporal, "one temporal source makes it temporal");
        assert_eq!(d.grid, None);
        assert_eq!(d.interval_ms, Some(300_000));
        assert_eq!((d.dtype, d.fill_value), (None, None));
        let c = source(&[0, 10], Some(600_000), 0.0);
        let d = derive_over(vec![a.clone(), c.clone()], add(a.uuid, c.uuid));
        assert_eq!(d.interval_ms, None);
    }

    #[test]
    fn a_plain_layer_shows_its_source_and_missing_ones_are_deleted() {
        let s = source(&[], None, 0.0);
        let d = derive_over(vec![s.clone()], graphref::single_source_graph(s.uuid));
        assert!(!d.is_geoblock && !d.temporal);
        assert_eq!((d.first, d.last), (Some(epoch()), Some(epoch())));
        assert_eq!((d.dtype, d.fill_value), (Some("float32"), Some(-9999.0)));
        let gone = Uuid::new_v4();
        let d = derive_over(vec![], graphref::single_source_graph(gone));
        assert_eq!(d.deleted, vec![gone]);
        assert_eq!((d.first, d.grid), (None, None));
    }
}
