//! The WMTS endpoints: KVP at `/wmts/` (GetCapabilities, GetTile,
//! GetFeatureInfo) and the RESTful binding under `/wmts/1.0.0/`
//! (capabilities, tiles, feature info). Errors are OWS
//! 1.1 exception reports with the statuses of the WMTS error table (KVP) or
//! 404 (REST); tiles render through `Renderer` like XYZ tiles.

mod featureinfo;
mod layers;

use super::auth;
use super::errors;
use super::layers::{self as layer_style, LayerError};
use super::response::{self, Body};
use super::state::AppState;
use crate::catalogue::Caller;
use crate::model::{ErrorClass, Resampling};
use crate::protocol::kvp::Kvp;
use crate::protocol::wmts::capabilities::{self, capabilities_current};
use crate::protocol::wmts::exception::exception_report;
use crate::protocol::wmts::{
    Binding, Freshness, GetCapabilities, OwsCode, RestRequest, Sections, TileAddress, TileQuery,
    WmtsError, WmtsRequest, parse_kvp, parse_rest,
};
use bytes::Bytes;
use http::{HeaderMap, StatusCode, header};
use hyper::Response;
use std::hash::{Hash, Hasher};

/// The caller, or the 401 answer to wrong credentials (checked before
/// anything else, so they reveal nothing).
fn caller(
    state: &AppState,
    headers: &HeaderMap,
    binding: Binding,
) -> Result<Caller, Box<Response<Body>>> {
    let snap = state.catalogue().snapshot();
    auth::caller(&snap, headers).map_err(|e| {
        let err = WmtsError::new(OwsCode::NoApplicableCode, None, e.to_string());
        Box::new(response::unauthorized(error(state, &err, binding)))
    })
}

/// `GET /wmts/?…`.
pub async fn handle_kvp(state: &AppState, query: &str, headers: &HeaderMap) -> Response<Body> {
    let caller = match caller(state, headers, Binding::Kvp) {
        Ok(c) => c,
        Err(resp) => return *resp,
    };
    let caller = &caller;
    let kvp = match Kvp::parse(query) {
        Ok(k) => k,
        Err(e) => return error(state, &WmtsError::from_kvp(&e), Binding::Kvp),
    };
    let result = match parse_kvp(&kvp) {
        Err(e) => Err(e),
        Ok(WmtsRequest::GetCapabilities(req)) => get_capabilities(state, caller, &req, headers),
        Ok(WmtsRequest::GetTile(q)) => match layer_style::resampling(&kvp) {
            Ok(r) => get_tile(state, caller, &q, r, headers).await,
            Err(m) => Err(WmtsError::invalid("resampling", m)),
        },
        Ok(WmtsRequest::GetFeatureInfo(q)) => {
            featureinfo::get_feature_info(state, caller, &q).await
        }
    };
    result.unwrap_or_else(|e| error(state, &e, Binding::Kvp))
}

/// `GET /wmts/<tail>` (the RESTful binding).
pub async fn handle_rest(state: &AppState, tail: &str, headers: &HeaderMap) -> Response<Body> {
    let caller = match caller(state, headers, Binding::Rest) {
        Ok(c) => c,
        Err(resp) => return *resp,
    };
    let caller = &caller;
    let result = match parse_rest(tail) {
        Err(e) => Err(e),
        Ok(RestRequest::Capabilities) => {
            if !accepts(headers, capabilities::MIME) {
                return not_acceptable(capabilities::MIME);
            }
            let req = GetCapabilities {
                sections: Sections::ALL,
                update_sequence: None,
            };
            get_capabilities(state, caller, &req, headers)
        }
        Ok(RestRequest::Tile(q)) => {
            if !accepts(headers, crate::protocol::wmts::FORMAT_PNG) {
                return not_acceptable(crate::protocol::wmts::FORMAT_PNG);
            }
            get_tile(state, caller, &q, Resampling::Nearest, headers).await
        }
        Ok(RestRequest::FeatureInfo(q)) => {
            if !accepts(headers, q.info_format.mime()) {
                return not_acceptable(q.info_format.mime());
            }
            featureinfo::get_feature_info(state, caller, &q).await
        }
    };
    result.unwrap_or_else(|e| error(state, &e, Binding::Rest))
}

fn get_capabilities(
    state: &AppState,
    caller: &Caller,
    req: &GetCapabilities,
    headers: &HeaderMap,
) -> Result<Response<Body>, WmtsError> {
    let snap = state.catalogue().snapshot();
    let service = layers::service(state, &snap);
    let body = match req.freshness(service.update_sequence)? {
        Freshness::Current => capabilities_current(&service),
        Freshness::Send => {
            let transforms = &state.renderer.context().transforms;
            let all = layers::all(state, &snap, caller, transforms);
            capabilities::capabilities(&service, &all, &state.tile_matrix_sets, req.sections)
        }
    };
    let mut hasher = std::hash::DefaultHasher::new();
    body.hash(&mut hasher);
    let etag = format!(
        "\"wmts-{}-{:016x}\"",
        service.update_sequence,
        hasher.finish()
    );
    // Capabilities change whenever the catalogue does; clients revalidate.
    // They differ per caller (the layers they may read): the tag hashes the
    // whole document, and shared caches keep only anonymous copies.
    let policy = if caller.is_authenticated() {
        "private, no-cache"
    } else {
        "no-cache"
    };
    let mut resp = response::cacheable(
        headers,
        capabilities::MIME,
        Bytes::from(body),
        &etag,
        policy,
    );
    response::depends_on_caller(&mut resp);
    Ok(resp)
}

async fn get_tile(
    state: &AppState,
    caller: &Caller,
    q: &TileQuery,
    resampling: Resampling,
    headers: &HeaderMap,
) -> Result<Response<Body>, WmtsError> {
    let (addr, resolved) = resolve_tile(state, caller, q)?;
    let mut render = addr.render_request(resolved.layer, resolved.style.clone());
    render.resampling = resampling;
    let time = render.time;
    match state.renderer.render(render).await {
        Ok(out) => {
            let r = &out.rendered;
            let snap = state.catalogue().snapshot();
            let policy = resolved.tile_policy(&snap, &state.config.cache.cache_control, time);
            let mut resp =
                response::cacheable(headers, r.content_type, r.bytes.clone(), &out.etag, &policy);
            if !resolved.public {
                response::depends_on_caller(&mut resp);
            }
            Ok(resp)
        }
        Err(e) => {
            let class = e.class();
            let message = errors::public_message(class, &e.to_string());
            Err(WmtsError::new(OwsCode::NoApplicableCode, None, message).with_class(class))
        }
    }
}

/// The tile `q` addresses and its layer and style, checked as GetTile and
/// GetFeatureInfo both need.
fn resolve_tile(
    state: &AppState,
    caller: &Caller,
    q: &TileQuery,
) -> Result<(TileAddress, layer_style::Resolved), WmtsError> {
    let snap = state.catalogue().snapshot();
    let transforms = &state.renderer.context().transforms;
    let unknown = || {
        WmtsError::invalid(
            "layer",
            format!(
                "layer '{}' is not offered",
                crate::protocol::kvp::clip(&q.layer)
            ),
        )
    };
    let layer =
        layers::by_name(state, &snap, caller, &q.layer, &q.set, transforms).ok_or_else(unknown)?;
    let style = Some(q.style.as_str()).filter(|s| *s != "default" && *s != layer.style.name);
    let resolved = layer_style::resolve(&snap, caller, &q.layer, style).map_err(|e| match e {
        LayerError::NotDefined(_) => unknown(),
        LayerError::StyleNotDefined(m) => WmtsError::invalid("Style", m),
    })?;
    Ok((q.resolve(&layer)?, resolved))
}

/// The status of an error: server trouble by its class, otherwise 404 on the
/// RESTful binding and the WMTS error table's status over KVP.
fn status(err: &WmtsError, binding: Binding) -> StatusCode {
    match err.class() {
        c @ (ErrorClass::Unavailable | ErrorClass::Internal) => errors::status(c),
        _ if binding == Binding::Rest => StatusCode::NOT_FOUND,
        _ if err.code == OwsCode::OperationNotSupported => StatusCode::NOT_IMPLEMENTED,
        _ => StatusCode::BAD_REQUEST,
    }
}

/// An exception report, never cached.
fn error(state: &AppState, err: &WmtsError, binding: Binding) -> Response<Body> {
    let (mime, body) = exception_report(err);
    let mut resp = response::bytes(status(err, binding), mime, body);
    errors::no_store(&mut resp);
    if err.class() == ErrorClass::Unavailable {
        errors::busy(state.config.render.retry_after_secs, resp)
    } else {
        resp
    }
}

/// 406 when `Accept` rules out what the resource is.
fn not_acceptable(offered: &str) -> Response<Body> {
    let err = WmtsError::new(
        OwsCode::NoApplicableCode,
        None,
        format!("this resource is only available as {offered}"),
    );
    let (mime, body) = exception_report(&err);
    let mut resp = response::bytes(StatusCode::NOT_ACCEPTABLE, mime, body);
    errors::no_store(&mut resp);
    resp
}

/// True when there is no `Accept` header or one of its media ranges (with a
/// q above 0) covers `mime`.
fn accepts(headers: &HeaderMap, mime: &str) -> bool {
    let mut values = headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .peekable();
    if values.peek().is_none() {
        return true;
    }
    let (kind, _) = mime.split_once('/').unwrap_or((mime, ""));
    values.flat_map(|v| v.split(',')).any(|range| {
        let mut parts = range.split(';').map(str::trim);
        let media = parts.next().unwrap_or("").to_ascii_lowercase();
        let refused = parts.any(|p| {
            p.strip_prefix("q=")
                .and_then(|q| q.trim().parse::<f64>().ok())
                .is_some_and(|q| q <= 0.0)
        });
        !refused && (media == "*/*" || media == mime || media == format!("{kind}/*"))
    })
}
