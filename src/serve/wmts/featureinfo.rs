//! WMTS GetFeatureInfo (KVP and RESTful): the layer's full-resolution value
//! at the centre of pixel (I, J) of the tile, read on the render pool
//! (`Renderer::values_at`) and written in the requested InfoFormat exactly as
//! WMS GetFeatureInfo writes it.

use super::super::failure::Failure;
use super::super::layer::Access;
use super::super::reply::Reply;
use super::super::service::Service;
use super::super::wms::{record, values_reply};
use super::resolve_tile;
use crate::protocol::wms::featureinfo_format::{self, FeatureInfo};
use crate::protocol::wmts::{FeatureInfoQuery, WmtsError};

pub(super) async fn answer(
    service: &Service,
    access: Access<'_>,
    q: &FeatureInfoQuery,
) -> Result<Reply, WmtsError> {
    let (addr, resolved) = resolve_tile(service, access, &q.tile)?;
    let point = q.point(&addr);
    let crs = addr.set.crs;
    let layer = resolved.eval().map_err(|e| Failure::wmts_render(&e))?;
    let values = service
        .renderer
        .values_at(vec![(layer.clone(), addr.time)], crs, point)
        .await
        .map_err(|e| Failure::wmts_render(&e))?;
    let name = q.tile.layer.trim().to_string();
    let info = FeatureInfo {
        crs,
        x: point.0,
        y: point.1,
        records: values.iter().map(|p| record(name.clone(), p)).collect(),
    };
    let body = featureinfo_format::write(q.info_format, &info);
    Ok(values_reply(
        q.info_format.content_type(),
        body,
        resolved.public,
    ))
}
