//! XYZ tiles: `GET /tiles/{layer}/{z}/{x}/{y}.png?styles=…&time=…`, 256×256 PNG
//! in EPSG:3857; exactly the pixels of the equivalent WMS GetMap.

use super::errors;
use super::layers::{self, LayerError};
use super::response::{self, Body};
use super::state::AppState;
use crate::geo::tiles::xyz_bbox;
use crate::model::{Crs, ErrorClass, GridSpec, OutputFormat, RenderRequest, Resampling, Rgb, TimeSel};
use crate::protocol::xyz::parse_xyz;
use http::HeaderMap;
use hyper::Response;

pub const TILE_SIZE: u32 = 256;

pub async fn handle(state: &AppState, path: &str, query: &str, headers: &HeaderMap) -> Response<Body> {
    let req = match parse_xyz(path, query) {
        Ok(r) => r,
        Err(e) => return errors::json_error(e.class(), &e.to_string()),
    };
    let bbox = match xyz_bbox(req.z, req.x, req.y) {
        Ok(b) => b,
        Err(e) => return errors::json_error(ErrorClass::BadRequest, &e.to_string()),
    };
    let time = match req.time.as_ref().map(|t| t.to_time_sel()).transpose() {
        Ok(t) => t.unwrap_or(TimeSel::Latest),
        Err(e) => return errors::json_error(e.class(), &e.to_string()),
    };
    let snap = state.catalogue().snapshot();
    let resolved = match layers::resolve(&snap, &req.layer, req.style.as_deref()) {
        Ok(r) => r,
        Err(LayerError::NotDefined(m)) => return errors::json_error(ErrorClass::NotFound, &m),
        Err(LayerError::StyleNotDefined(m)) => return errors::json_error(ErrorClass::BadRequest, &m),
    };
    let render = RenderRequest {
        layer: resolved.layer,
        grid: GridSpec { crs: Crs::WEB_MERCATOR, bbox, width: TILE_SIZE, height: TILE_SIZE },
        time,
        style: resolved.style,
        format: OutputFormat::Png,
        resampling: req.resampling.unwrap_or(Resampling::Nearest),
        transparent: true,
        bgcolor: Rgb::WHITE,
    };
    match state.renderer.render(render).await {
        Ok(r) => response::cacheable(headers, r.content_type, r.bytes.clone(), &r.etag, &state.config.cache.cache_control),
        Err(e) => {
            let resp = errors::json_error(e.class(), &e.to_string());
            if e.class() == ErrorClass::Unavailable { errors::busy(state.config.render.retry_after_secs, resp) } else { resp }
        }
    }
}
