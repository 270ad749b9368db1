//! The WMS endpoint (`/wms/`): GetCapabilities, GetMap, GetFeatureInfo
//! (`getfeatureinfo.rs`), GetLegendGraphic and Lizard's getlegend/getlimits
//! (`legend.rs`), answered with OGC exception XML on errors (GetMap: or an
//! image, `exceptions_image.rs`).

use super::capabilities;
use super::errors;
use super::exceptions_image;
use super::layers::{self, LayerError};
use super::legend;
use super::response::{self, Body};
use super::state::AppState;
use crate::model::{ErrorClass, OutputFormat};
use crate::protocol::kvp::Kvp;
use crate::protocol::wms::{
    GetCapabilities, GetMap, OgcCode, OgcError, WmsLimits, WmsRequest, WmsVersion,
    exception::exception_report, image_exception_params, parse_wms,
};
use crate::render::RenderError;
use bytes::Bytes;
use http::{HeaderMap, StatusCode};
use hyper::Response;

pub async fn handle(state: &AppState, query: &str, headers: &HeaderMap) -> Response<Body> {
    let kvp = match Kvp::parse(query) {
        Ok(k) => k,
        Err(e) => return exception(state, &OgcError::from_kvp(&e)),
    };
    let limits = WmsLimits {
        max_width: state.config.render.max_width,
        max_height: state.config.render.max_height,
        layer_limit: state.config.render.layer_limit,
    };
    match parse_wms(&kvp, &limits) {
        Err(e) => getmap_exception(state, &kvp, &limits, &e).await,
        Ok(WmsRequest::GetCapabilities(req)) => get_capabilities(state, &req, headers),
        Ok(WmsRequest::GetMap(req)) => match get_map(state, &kvp, &req, headers).await {
            Ok(resp) => resp,
            Err(Failure::Ogc(e)) => getmap_exception(state, &kvp, &limits, &e).await,
            Err(f) => failure(state, f),
        },
        Ok(WmsRequest::GetFeatureInfo(req)) => {
            match super::getfeatureinfo::get_feature_info(state, &req).await {
                Ok(resp) => resp,
                Err(f) => failure(state, f),
            }
        }
        Ok(WmsRequest::GetLegendGraphic(req)) => legend::get_legend_graphic(state, &req, headers)
            .await
            .unwrap_or_else(|f| failure(state, f)),
        Ok(WmsRequest::GetLegend(req)) => legend::get_legend(state, &req, headers)
            .await
            .unwrap_or_else(|f| failure(state, f)),
        Ok(WmsRequest::GetLimits(req)) => legend::get_limits(state, &req)
            .await
            .unwrap_or_else(|f| failure(state, f)),
    }
}

fn get_capabilities(
    state: &AppState,
    req: &GetCapabilities,
    headers: &HeaderMap,
) -> Response<Body> {
    let snap = state.catalogue().snapshot();
    if let Err(e) = req.check_update_sequence(Some(snap.data().revision)) {
        return exception(state, &e);
    }
    let (mime, body) = capabilities::document(state, &snap, req.version);
    let etag = format!(
        "\"caps-{}-{}-{}\"",
        req.version.as_str(),
        snap.data().revision,
        body.len()
    );
    // Capabilities change whenever the catalogue does; clients revalidate.
    response::cacheable(headers, mime, Bytes::from(body), &etag, "no-cache")
}

async fn get_map(
    state: &AppState,
    kvp: &Kvp,
    req: &GetMap,
    headers: &HeaderMap,
) -> Result<Response<Body>, Failure> {
    let v = req.version;
    let resampling = layers::resampling(kvp).map_err(|m| OgcError::invalid(v, "RESAMPLING", m))?;
    let format = req.format.output();
    if format == OutputFormat::GeoTiff && req.layers.len() != 1 {
        let msg = "image/tiff holds the raw values of exactly one layer; ask for one layer";
        return Err(OgcError::with_code(v, OgcCode::InvalidFormat, Some("FORMAT"), msg).into());
    }
    let snap = state.catalogue().snapshot();
    let mut requests = Vec::with_capacity(req.layers.len());
    for (i, name) in req.layers.iter().enumerate() {
        let resolved = layers::resolve(&snap, name, req.styles.get(i).map(String::as_str))
            .map_err(|e| match e {
                LayerError::NotDefined(m) => {
                    OgcError::with_code(v, OgcCode::LayerNotDefined, Some("LAYERS"), m)
                }
                LayerError::StyleNotDefined(m) => {
                    OgcError::with_code(v, OgcCode::StyleNotDefined, Some("STYLES"), m)
                }
            })?;
        let mut one = req.render_request(resolved.layer, resolved.style)?;
        one.resampling = resampling;
        // Layers of a composite must let the others show through; the
        // composite paints the background.
        one.transparent |= req.layers.len() > 1;
        requests.push(one);
    }
    let rendered = if requests.len() == 1 {
        let one = requests.remove(0);
        state
            .renderer
            .render(one)
            .await
            .map_err(|e| Failure::Render(v, e))?
    } else {
        super::composite::composite(&state.renderer, requests, req.transparent, req.bgcolor)
            .await
            .map_err(|e| Failure::Render(v, e))?
    };
    let r = &rendered.rendered;
    Ok(response::cacheable(
        headers,
        r.content_type,
        r.bytes.clone(),
        &rendered.etag,
        &state.config.cache.cache_control,
    ))
}

/// Why a request failed: a request error, or the renderer's.
pub(super) enum Failure {
    Ogc(OgcError),
    Render(WmsVersion, RenderError),
}

impl From<OgcError> for Failure {
    fn from(e: OgcError) -> Failure {
        Failure::Ogc(e)
    }
}

fn failure(state: &AppState, f: Failure) -> Response<Body> {
    match f {
        Failure::Ogc(e) => exception(state, &e),
        Failure::Render(v, e) => {
            let class = e.class();
            let mut err = OgcError::invalid(v, "", errors::public_message(class, &e.to_string()));
            err.locator = None;
            let (mime, body) = exception_report(&err);
            let status = match class {
                ErrorClass::Unavailable | ErrorClass::Internal => errors::status(class),
                _ => exception_status(state),
            };
            let mut resp = response::bytes(status, mime, body);
            errors::no_store(&mut resp);
            if class == ErrorClass::Unavailable {
                errors::busy(state.config.render.retry_after_secs, resp)
            } else {
                resp
            }
        }
    }
}

fn exception_status(state: &AppState) -> StatusCode {
    StatusCode::from_u16(state.config.wms.exception_status).unwrap_or(StatusCode::OK)
}

/// A request error, as an image when a GetMap asks for INIMAGE/BLANK
/// exceptions in PNG (`exceptions_image.rs`), else as XML.
async fn getmap_exception(
    state: &AppState,
    kvp: &Kvp,
    limits: &WmsLimits,
    err: &OgcError,
) -> Response<Body> {
    if let Some(params) = image_exception_params(kvp, limits) {
        let status = exception_status(state);
        if let Some(resp) = exceptions_image::respond(state, params, err, status).await {
            return resp;
        }
    }
    exception(state, err)
}

/// An OGC exception report with the configured status.
fn exception(state: &AppState, err: &OgcError) -> Response<Body> {
    let (mime, body) = exception_report(err);
    let mut resp = response::bytes(exception_status(state), mime, body);
    errors::no_store(&mut resp);
    resp
}
