//! WMTS GetFeatureInfo (KVP and RESTful): the layer's full-resolution value
//! at the centre of pixel (I, J) of the tile, read on the render pool
//! (`render::value_at`) and written in the requested InfoFormat exactly as
//! WMS GetFeatureInfo writes it.

use super::super::errors;
use super::super::getfeatureinfo::{record, values_response};
use super::super::response::Body;
use super::super::state::AppState;
use super::resolve_tile;
use crate::catalogue::Caller;
use crate::protocol::wms::featureinfo_format::{self, FeatureInfo};
use crate::protocol::wmts::{FeatureInfoQuery, OwsCode, WmtsError};
use crate::render::value_at;
use hyper::Response;

pub(super) async fn get_feature_info(
    state: &AppState,
    caller: &Caller,
    q: &FeatureInfoQuery,
) -> Result<Response<Body>, WmtsError> {
    let (addr, resolved) = resolve_tile(state, caller, &q.tile)?;
    let point = q.point(&addr);
    let (crs, time, id) = (addr.set.crs, addr.time, resolved.layer.id);
    let name = q.tile.layer.trim().to_string();
    let rec = state
        .renderer
        .run_blocking(move |ctx| value_at(ctx, id, crs, point, time).map(|p| record(name, &p)))
        .await
        .map_err(|e| {
            let class = e.class();
            let message = errors::public_message(class, &e.to_string());
            WmtsError::new(OwsCode::NoApplicableCode, None, message).with_class(class)
        })?;
    let info = FeatureInfo {
        crs,
        x: point.0,
        y: point.1,
        records: vec![rec],
    };
    let body = featureinfo_format::write(q.info_format, &info);
    Ok(values_response(
        q.info_format.content_type(),
        body,
        resolved.public,
    ))
}
