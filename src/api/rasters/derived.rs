//! The read-only fields of a rasterlayer that follow from its graph and the
//! sources it reads (lizard-api.md §1.2): `raster_sources`,
//! `deleted_sources`, `is_geoblock`, `temporal`, the value timestamps,
//! `interval`, the native grid and `dtype`/`fill_value`.
//!
//! All of it is computed in [`derive`], the one place to swap when the graph
//! engine provides a computation's metadata. Until then:
//!
//! * A plain layer (its graph one source, possibly through nested plain
//!   layers) shows its source: grid, data type, nodata, time.
//! * A computation (`is_geoblock`) over several sources shows the native grid
//!   when all its sources share one grid, and nulls otherwise; `temporal`
//!   when any source is; the period spans all temporal sources; `interval`
//!   only when all temporal sources share one; `dtype` and `fill_value` stay
//!   null (they depend on the operations).
//! * No data yet (no source has a frame): timestamps, grid and bounds are
//!   null, as Lizard shows an empty source. A non-temporal layer with data
//!   shows `1970-01-01T00:00:00Z` for both timestamps (dask-geomodeling's
//!   default origin, as in the SEED).

use crate::catalogue::{RasterLayer, RasterSource, Snapshot, SourceGrid, epoch, graphref};
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
    // A computation: see the module header for what is shown until the
    // graph engine answers its metadata.
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
