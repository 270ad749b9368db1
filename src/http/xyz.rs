//! XYZ tiles: `GET /tiles/{layer}/{z}/{x}/{y}.png?styles=…&time=…`, 256×256 PNG
//! in EPSG:3857; exactly the pixels of the equivalent WMS GetMap. The same
//! tiles under `/tms/1.0.0/` follow the OSGeo TMS convention: rows count from
//! the south (`y_tms = 2^z − 1 − y`).

use super::auth;
use super::errors;
use super::layers::{self, LayerError};
use super::response::{self, Body};
use super::state::AppState;
use crate::model::ErrorClass;
use crate::protocol::kvp::Kvp;
use crate::protocol::xyz::{XyzLayer, XyzRequest};
use http::HeaderMap;
use hyper::Response;

/// Which way tile rows count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rows {
    /// XYZ (Google/OSM) and WMTS: row 0 is the northernmost.
    FromNorth,
    /// OSGeo TMS: row 0 is the southernmost.
    FromSouth,
}

pub async fn handle(
    state: &AppState,
    path: &str,
    query: &str,
    headers: &HeaderMap,
    rows: Rows,
) -> Response<Body> {
    let snap = state.catalogue().snapshot();
    // Wrong credentials are refused before anything else is looked at.
    let caller = match auth::caller(&snap, headers) {
        Ok(c) => c,
        Err(e) => {
            return response::unauthorized(errors::json_error(
                ErrorClass::Unauthorized,
                &e.to_string(),
            ));
        }
    };
    let mut req = match XyzRequest::parse(path, query) {
        Ok(r) => r,
        Err(e) => return errors::json_error(e.class(), &e.to_string()),
    };
    if rows == Rows::FromSouth {
        // Parsing checked y < 2^z.
        req.y = ((1u64 << req.z) - 1 - u64::from(req.y)) as u32;
    }
    let resampling = match Kvp::parse(query)
        .map_err(|e| e.to_string())
        .and_then(|k| layers::resampling(&k))
    {
        Ok(r) => r,
        Err(m) => return errors::json_error(ErrorClass::BadRequest, &m),
    };
    let name = match &req.layer {
        XyzLayer::Name { org, slug } => format!("{org}:{slug}"),
        XyzLayer::Id(id) => id.to_string(),
    };
    let resolved = match layers::resolve(&snap, &caller, &name, req.style.as_deref()) {
        Ok(r) => r,
        Err(LayerError::NotDefined(m)) => return errors::json_error(ErrorClass::NotFound, &m),
        Err(LayerError::StyleNotDefined(m)) => {
            return errors::json_error(ErrorClass::BadRequest, &m);
        }
    };
    let mut render = match req.render_request(resolved.layer, resolved.style.clone()) {
        Ok(r) => r,
        Err(e) => return errors::json_error(e.class(), &e.to_string()),
    };
    render.resampling = resampling;
    let time = render.time;
    let record = snap.layer(resolved.layer.id);
    let modified = [
        record.map(|l| l.last_modified),
        record
            .and_then(|l| snap.single_source(l))
            .map(|s| s.last_modified),
    ]
    .into_iter()
    .max()
    .flatten();
    match state.renderer.render(render).await {
        Ok(out) => {
            let r = &out.rendered;
            let policy = resolved.tile_policy(&snap, &state.config.cache.cache_control, time);
            let mut resp =
                response::cacheable(headers, r.content_type, r.bytes.clone(), &out.etag, &policy);
            if !resolved.public {
                response::depends_on_caller(&mut resp);
            }
            match modified {
                Some(at) => response::last_modified(headers, resp, at),
                None => resp,
            }
        }
        Err(e) => {
            let resp = errors::json_error(e.class(), &e.to_string());
            if e.class() == ErrorClass::Unavailable {
                errors::busy(state.config.render.retry_after_secs, resp)
            } else {
                resp
            }
        }
    }
}
