//! `GET /api/v4/rasters/{uuid}/timesteps/`: every instant a layer answers,
//! as `{"steps": ["2024-06-01T12:00:00Z", …]}` — ascending, UTC with a
//! literal `Z` (whole seconds without a fraction, else microseconds), not
//! paginated (lizard-data-endpoints.md §4). A plain layer lists its
//! source's frames; a computed one the instants its graph yields (the same
//! ones as its WMS TIME dimension). A layer without time has no steps.
//! `start`/`stop` (ISO 8601, either may be left out) keep the steps inside
//! that window, both ends included.

use super::readable;
use crate::api::error::ApiError;
use crate::api::fields::instant;
use crate::api::query::parse::parse_time;
use crate::api::request::ApiRequest;
use crate::api::response::ApiResponse;
use crate::catalogue::{RasterLayer, Snapshot, graphmeta};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

pub fn timesteps(req: &ApiRequest, id: &str) -> Result<ApiResponse, ApiError> {
    let snap = &req.snapshot;
    let layer = readable(req, snap, id)?;
    let bound = |name: &str| -> Result<Option<DateTime<Utc>>, ApiError> {
        match req.param(name).map(str::trim).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(v) => parse_time(v)
                .map(Some)
                .map_err(|message| ApiError::field(name, message)),
        }
    };
    let (start, stop) = (bound("start")?, bound("stop")?);
    let mut steps = instants(snap, layer);
    steps.retain(|t| start.is_none_or(|s| *t >= s) && stop.is_none_or(|s| *t <= s));
    steps.sort_unstable();
    steps.dedup();
    let steps: Vec<Value> = steps.into_iter().map(instant).collect();
    Ok(ApiResponse::ok(json!({ "steps": steps })))
}

/// The instants of `layer`: its source's frames, or its graph's.
fn instants(snap: &Snapshot, layer: &RasterLayer) -> Vec<DateTime<Utc>> {
    let source = match snap.single_source(layer) {
        Some(plain) => Some(plain.clone()),
        None => graphmeta::virtual_source(snap, layer),
    };
    source
        .filter(|s| s.temporal)
        .map(|s| s.frames.iter().filter_map(|f| f.timestamp).collect())
        .unwrap_or_default()
}
