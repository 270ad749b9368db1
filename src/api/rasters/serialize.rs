//! The rasterlayer object as Lizard serves it: the SEED's keys in the SEED's
//! order (lizard-api.md §1.1, Appendix A).
//!
//! Forms chosen where the SEED is silent: a layer without a custom colormap
//! shows `"colormap": {}` (as the SEED); `layer_collections` lists only the
//! collections the caller may read; `shared_with` skips organisations that
//! no longer exist.

use super::derived::Derived;
use crate::api::fields::{duration, instant, organisation_of, organisation_ref, timestamp};
use crate::api::request::ApiRequest;
use crate::catalogue::derived::NativeGrid;
use crate::catalogue::{Guard, LayerCollection, ObservationType, RasterLayer, Snapshot};
use serde_json::{Map, Value, json};

/// Whether the caller may change `layer`.
pub fn writable(req: &ApiRequest, layer: &RasterLayer) -> bool {
    guard(layer).can_write(&req.caller)
}

/// The access rules' view of a layer.
pub fn guard(layer: &RasterLayer) -> Guard<'_> {
    Guard::layer(layer)
}

/// The layer as the API shows it to the request's caller.
pub fn serialize(req: &ApiRequest, snap: &Snapshot, layer: &RasterLayer, d: &Derived) -> Value {
    let grid = d.grid.as_ref().map(NativeGrid::of);
    let num = |f: fn(&NativeGrid) -> f64| grid.as_ref().map_or(Value::Null, |g| json!(f(g)));
    let spatial_bounds = grid.as_ref().and_then(|g| g.spatial_bounds).map_or(
        Value::Null,
        |b| json!({"west": b.west, "east": b.east, "north": b.north, "south": b.south}),
    );
    let mut source = match &layer.graph {
        Value::Object(m) => m.clone(),
        other => Map::from_iter([("graph".to_string(), other.clone())]),
    };
    if !d.deleted.is_empty() {
        let ids = d.deleted.iter().map(|u| Value::String(u.to_string()));
        source.insert("deleted_sources".into(), Value::Array(ids.collect()));
    }
    let time = |t: Option<chrono::DateTime<chrono::Utc>>| t.map_or(Value::Null, instant);
    json!({
        "url": req.url(&format!("rasters/{}/", layer.uuid)),
        "uuid": layer.uuid.to_string(),
        "last_modified": timestamp(layer.last_modified),
        "created": timestamp(layer.created),
        "organisation": organisation_of(req, snap, layer.organisation),
        "access_modifier": layer.access_modifier.name(),
        "supplier": layer.supplier,
        "shared_with": layer
            .shared_with
            .iter()
            .filter_map(|o| snap.organisation(*o))
            .map(|o| organisation_ref(req, o))
            .collect::<Vec<_>>(),
        "writable": writable(req, layer),
        "is_geoblock": d.is_geoblock,
        "source": Value::Object(source),
        "weight": layer.weight,
        "raster_sources": d
            .sources
            .iter()
            .map(|u| req.url(&format!("rastersources/{u}/")))
            .collect::<Vec<_>>(),
        "name": layer.name,
        "description": layer.description,
        "observation_type": layer
            .observation_type
            .and_then(|id| snap.observation_type(id))
            .map_or(Value::Null, |o| observation_type(req, o)),
        "temporal": d.temporal,
        "layer_collections": layer
            .layer_collections
            .iter()
            .filter_map(|u| snap.layer_collection(*u))
            .filter(|c| collection_readable(req, c))
            .map(|c| collection_ref(req, c))
            .collect::<Vec<_>>(),
        "first_value_timestamp": time(d.first),
        "last_value_timestamp": time(d.last),
        "spatial_bounds": spatial_bounds,
        "projection": grid.as_ref().map(|g| g.projection.clone()),
        "origin_x": num(|g| g.origin_x),
        "origin_y": num(|g| g.origin_y),
        "upper_bound_x": num(|g| g.upper_bound_x),
        "upper_bound_y": num(|g| g.upper_bound_y),
        "pixelsize_x": num(|g| g.pixelsize_x),
        "pixelsize_y": num(|g| g.pixelsize_y),
        "interval": d.interval_ms.map(duration),
        "wms_info": {
            "endpoint": format!("{}/wms/", req.base),
            "layer": snap.wms_name(layer),
        },
        "options": Value::Object(layer.options.clone()),
        "colormap": layer.colormap.clone().unwrap_or_else(|| json!({})),
        "rescalable": layer.rescalable,
        "aggregation_type": layer.aggregation_type,
        "dtype": d.dtype,
        "fill_value": d.fill_value,
    })
}

/// Whether the caller may read a layer collection.
pub fn collection_readable(req: &ApiRequest, c: &LayerCollection) -> bool {
    Guard::collection(c).can_read(&req.caller)
}

/// `{uuid, slug, access_modifier, supplier, url, name}` of a collection
/// (its API address is by slug, as Lizard's clients link them).
fn collection_ref(req: &ApiRequest, c: &LayerCollection) -> Value {
    json!({
        "uuid": c.uuid.to_string(),
        "slug": c.slug,
        "access_modifier": c.access_modifier.name(),
        "supplier": c.supplier,
        "url": req.url(&format!("layercollections/{}/", c.slug)),
        "name": c.name,
    })
}

/// The nested observation type object: the observation type endpoint's own.
fn observation_type(req: &ApiRequest, o: &ObservationType) -> Value {
    crate::api::observationtypes::serialize(req, o)
}
