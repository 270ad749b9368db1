//! WMS GetFeatureInfo: the map's layers resolved through the one guard, each
//! queried layer's value read at the centre of pixel (I, J) on the render
//! pool, written in the requested INFO_FORMAT. WMTS GetFeatureInfo writes
//! its records the same way.

use super::super::failure::Failure;
use super::super::layer::Access;
use super::super::reply::{Reply, revalidate};
use super::super::service::Service;
use super::getmap::layer_error;
use crate::model::{DataType, TimeSel};
use crate::protocol::wms::GetFeatureInfo;
use crate::protocol::wms::featureinfo_format::{self, FeatureInfo, FeatureRecord, FeatureValue};
use crate::render::{Layer, PointValue};

pub(super) async fn answer(
    service: &Service,
    access: Access<'_>,
    req: &GetFeatureInfo,
) -> Result<Reply, Failure> {
    let v = req.map.version;
    // The map part must be a valid GetMap: every layer and style must exist.
    let mut resolved = Vec::with_capacity(req.map.layers.len());
    let mut public = true;
    for (i, name) in req.map.layers.iter().enumerate() {
        let style = req.map.styles.get(i).map(String::as_str);
        let r = access
            .resolve(name, style)
            .map_err(|e| layer_error(v, e, ["LAYERS", "STYLES"]))?;
        public &= r.public;
        resolved.push((name.trim(), r));
    }
    let times = req.time_sels()?;
    let per_layer = times.len().min(req.feature_count as usize);
    // Parsing checked that each query layer is one of LAYERS.
    let mut names = Vec::new();
    let mut jobs: Vec<(Layer, TimeSel)> = Vec::new();
    for q in &req.query_layers {
        let q = q.trim();
        let Some((_, r)) = resolved.iter().find(|(n, _)| *n == q) else {
            continue;
        };
        let layer = r.eval().map_err(|e| Failure::wms_render(v, &e))?;
        for t in &times[..per_layer] {
            names.push(q.to_string());
            jobs.push((layer.clone(), *t));
        }
    }
    let crs = req.map.crs.crs;
    let point = req.point();
    let values = service
        .renderer
        .values_at(jobs, crs, point)
        .await
        .map_err(|e| Failure::wms_render(v, &e))?;
    let info = FeatureInfo {
        crs,
        x: point.0,
        y: point.1,
        records: names
            .into_iter()
            .zip(&values)
            .map(|(n, p)| record(n, p))
            .collect(),
    };
    let body = featureinfo_format::write(req.info_format, &info);
    Ok(values_reply(req.info_format.content_type(), body, public))
}

/// Feature info: values follow the data, which may change at any time, so
/// clients revalidate; values of layers that are not public stay private.
pub(in crate::serve) fn values_reply(content_type: &str, body: Vec<u8>, public: bool) -> Reply {
    Reply::new(content_type, body)
        .cache_control(revalidate(public))
        .for_caller(!public)
}

/// One layer's value as a feature-info record, typed as the layer's data.
pub(in crate::serve) fn record(layer: String, p: &PointValue) -> FeatureRecord {
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
