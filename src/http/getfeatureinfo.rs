//! WMS GetFeatureInfo: resolves the map's layers and the queried ones, reads
//! each queried layer's value at the centre of pixel (I, J) on the render pool
//! and answers in the requested INFO_FORMAT.

use super::layers::{self, LayerError};
use super::response::{self, Body};
use super::state::AppState;
use super::wms::Failure;
use crate::catalogue::Caller;
use crate::model::{DataType, TimeSel};
use crate::protocol::wms::featureinfo_format::{self, FeatureInfo, FeatureRecord, FeatureValue};
use crate::protocol::wms::{GetFeatureInfo, OgcCode, OgcError};
use crate::render::{PointValue, value_at};
use http::{HeaderValue, StatusCode, header};
use hyper::Response;
use uuid::Uuid;

pub(super) async fn get_feature_info(
    state: &AppState,
    caller: &Caller,
    req: &GetFeatureInfo,
) -> Result<Response<Body>, Failure> {
    let v = req.map.version;
    let snap = state.catalogue().snapshot();
    // The map part must be a valid GetMap: every layer and style must exist.
    let mut resolved = Vec::with_capacity(req.map.layers.len());
    let mut public = true;
    for (i, name) in req.map.layers.iter().enumerate() {
        let style = req.map.styles.get(i).map(String::as_str);
        let r = layers::resolve(&snap, caller, name, style).map_err(|e| match e {
            LayerError::NotDefined(m) => {
                OgcError::with_code(v, OgcCode::LayerNotDefined, Some("LAYERS"), m)
            }
            LayerError::StyleNotDefined(m) => {
                OgcError::with_code(v, OgcCode::StyleNotDefined, Some("STYLES"), m)
            }
        })?;
        public &= r.public;
        resolved.push((name.trim(), r.layer.id));
    }
    // Parsing checked that each query layer is one of LAYERS.
    let queried: Vec<(String, Uuid)> = req
        .query_layers
        .iter()
        .filter_map(|q| {
            let q = q.trim();
            resolved
                .iter()
                .find(|(n, _)| *n == q)
                .map(|(_, id)| (q.to_string(), *id))
        })
        .collect();
    let times = req.time_sels()?;
    let crs = req.map.crs.crs;
    let point = req.point();
    let per_layer = times.len().min(req.feature_count as usize);
    let jobs: Vec<(String, Uuid, TimeSel)> = queried
        .into_iter()
        .flat_map(|(name, id)| {
            times[..per_layer]
                .iter()
                .map(move |t| (name.clone(), id, *t))
        })
        .collect();

    let records = state
        .renderer
        .run_blocking(move |ctx| {
            jobs.into_iter()
                .map(|(layer, id, time)| {
                    value_at(ctx, id, crs, point, time).map(|p| record(layer, &p))
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .await
        .map_err(|e| Failure::Render(v, e))?;

    let info = FeatureInfo {
        crs,
        x: point.0,
        y: point.1,
        records,
    };
    let body = featureinfo_format::write(req.info_format, &info);
    Ok(values_response(
        req.info_format.content_type(),
        body,
        public,
    ))
}

/// Feature info: values follow the data, which may change at any time, so
/// clients revalidate; values of layers that are not public stay private.
pub(super) fn values_response(content_type: &str, body: Vec<u8>, public: bool) -> Response<Body> {
    let mut resp = response::bytes(StatusCode::OK, content_type, body);
    let policy = if public {
        "no-cache"
    } else {
        "private, no-cache"
    };
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    if !public {
        response::depends_on_caller(&mut resp);
    }
    resp
}

pub(super) fn record(layer: String, p: &PointValue) -> FeatureRecord {
    let value = p.value.map(|v| match p.dtype {
        Some(DataType::F32) => FeatureValue::F32(v as f32),
        Some(DataType::F64) | None => FeatureValue::F64(v),
        // Every integer sample type fits an i64 exactly.
        Some(_) => FeatureValue::Int(v as i64),
    });
    FeatureRecord {
        layer,
        value,
        time: p.time,
    }
}
