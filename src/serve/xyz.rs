//! XYZ tiles: `/tiles/{layer}/{z}/{x}/{y}.png?styles=…&time=…`, 256×256 PNG
//! in EPSG:3857; exactly the pixels of the equivalent WMS GetMap. The same
//! tiles under `/tms/1.0.0/` follow the OSGeo TMS convention: rows count from
//! the south (`y_tms = 2^z − 1 − y`). Errors are Lizard's JSON bodies.

use super::failure::Failure;
use super::layer::{Access, LayerError, resampling};
use super::reply::Reply;
use super::service::{Rows, Service};
use super::tile::{TileError, render_tile};
use crate::catalogue::{Caller, Snapshot};
use crate::model::ErrorClass;
use crate::protocol::kvp::Kvp;
use crate::protocol::xyz::{XyzLayer, XyzRequest};
use std::sync::Arc;

pub(super) async fn answer(
    service: &Service,
    snap: &Arc<Snapshot>,
    caller: &Caller,
    path: &str,
    query: &str,
    rows: Rows,
) -> Result<Reply, Failure> {
    let json = |class: ErrorClass, m: String| Failure::Json(class, m);
    let mut req = XyzRequest::parse(path, query).map_err(|e| json(e.class(), e.to_string()))?;
    if rows == Rows::FromSouth {
        // Parsing checked y < 2^z.
        req.y = ((1u64 << req.z) - 1 - u64::from(req.y)) as u32;
    }
    let resampling = Kvp::parse(query)
        .map_err(|e| e.to_string())
        .and_then(|k| resampling(&k))
        .map_err(|m| json(ErrorClass::BadRequest, m))?;
    let name = match &req.layer {
        XyzLayer::Name { org, slug } => format!("{org}:{slug}"),
        XyzLayer::Id(id) => id.to_string(),
    };
    let resolved = Access::new(snap, caller)
        .resolve(&name, req.style.as_deref())
        .map_err(|e| match e {
            LayerError::NotDefined(m) => json(ErrorClass::NotFound, m),
            LayerError::StyleNotDefined(m) => json(ErrorClass::BadRequest, m),
        })?;
    let mut render = req
        .render_request(resolved.layer, resolved.style.clone())
        .map_err(|e| json(e.class(), e.to_string()))?;
    render.resampling = resampling;
    render_tile(service, &resolved, render)
        .await
        .map_err(|e| match e {
            TileError::TooLarge(m) => json(ErrorClass::TooLarge, m),
            TileError::Render(e) => Failure::json_render(&e),
        })
}
