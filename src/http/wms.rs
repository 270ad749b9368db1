//! The WMS endpoint (`/wms/`): GetCapabilities, GetMap, GetFeatureInfo
//! (`getfeatureinfo.rs`), GetLegendGraphic and Lizard's getlegend/getlimits
//! (`legend.rs`), answered with OGC exception XML on errors (GetMap: or an
//! image, `exceptions_image.rs`).

use super::auth;
use super::capabilities;
use super::dimension;
use super::errors;
use super::exceptions_image;
use super::layers::{self, LayerError};
use super::legend;
use super::response::{self, Body};
use super::state::AppState;
use crate::catalogue::{Caller, Snapshot};
use crate::model::{ErrorClass, OutputFormat, TimeSel};
use crate::protocol::kvp::Kvp;
use crate::protocol::wms::{
    GetCapabilities, GetMap, OgcCode, OgcError, WmsLimits, WmsRequest, WmsVersion,
    exception::exception_report, image_exception_params, parse_wms,
};
use crate::render::RenderError;
use bytes::Bytes;
use http::{HeaderMap, StatusCode};
use hyper::Response;
use std::hash::{DefaultHasher, Hash, Hasher};
use uuid::Uuid;

pub async fn handle(state: &AppState, query: &str, headers: &HeaderMap) -> Response<Body> {
    handle_scoped(state, Scope::All, query, headers).await
}

/// The WMS a path addresses, before its scope is checked.
#[derive(Clone, Debug, PartialEq)]
pub enum Scope {
    /// `/wms/`.
    All,
    /// `/wms/raster_<uuid>/`.
    Raster(Uuid),
    /// `/wms/<layer-collection-slug>/`.
    Collection(String),
}

/// The WMS at `/wms/`, `/wms/raster_<uuid>/` or `/wms/<collection-slug>/`.
/// Credentials are checked first: wrong ones answer 401 whatever is asked. A
/// raster scope the caller may not read answers every request with a
/// `LayerNotDefined` exception and status 404; a collection scope they may
/// not read answers as a path that does not exist (404, JSON).
pub async fn handle_scoped(
    state: &AppState,
    scope: Scope,
    query: &str,
    headers: &HeaderMap,
) -> Response<Body> {
    let kvp = Kvp::parse(query);
    let snap = state.catalogue().snapshot();
    let caller = match auth::caller(&snap, headers) {
        Ok(c) => c,
        Err(e) => {
            let v = kvp.as_ref().map_or(WmsVersion::V1_3_0, WmsVersion::hint);
            let mut err = OgcError::invalid(v, "", e.to_string());
            err.locator = None;
            let (mime, body) = exception_report(&err);
            return response::unauthorized(response::bytes(StatusCode::UNAUTHORIZED, mime, body));
        }
    };
    let kvp = match kvp {
        Ok(k) => k,
        Err(e) => return exception(state, &OgcError::from_kvp(&e)),
    };
    let scope = match check_scope(&snap, &caller, scope) {
        Ok(s) => s,
        // An unknown or unreadable collection slug is a path that does not exist.
        Err(None) => return errors::json_error_status(StatusCode::NOT_FOUND, "Not found."),
        Err(Some(what)) => {
            let err = OgcError::with_code(
                WmsVersion::hint(&kvp),
                OgcCode::LayerNotDefined,
                None,
                format!("{what} does not exist or is not readable"),
            );
            let (mime, body) = exception_report(&err);
            let mut resp = response::bytes(StatusCode::NOT_FOUND, mime, body);
            errors::no_store(&mut resp);
            return resp;
        }
    };
    let limits = WmsLimits {
        max_width: state.config.render.max_width,
        max_height: state.config.render.max_height,
        layer_limit: state.config.render.layer_limit,
    };
    let caller = &caller;
    match parse_wms(&kvp, &limits) {
        Err(e) => getmap_exception(state, &kvp, &limits, &e).await,
        Ok(WmsRequest::GetCapabilities(req)) => {
            get_capabilities(state, caller, &scope, &req, headers)
        }
        Ok(WmsRequest::GetMap(req)) => match get_map(state, caller, &kvp, &req, headers).await {
            Ok(resp) => resp,
            Err(Failure::Ogc(e)) => getmap_exception(state, &kvp, &limits, &e).await,
            Err(f) => failure(state, f),
        },
        Ok(WmsRequest::GetFeatureInfo(req)) => {
            match super::getfeatureinfo::get_feature_info(state, caller, &req).await {
                Ok(resp) => resp,
                Err(f) => failure(state, f),
            }
        }
        Ok(WmsRequest::GetLegendGraphic(req)) => {
            legend::get_legend_graphic(state, caller, &req, headers)
                .await
                .unwrap_or_else(|f| failure(state, f))
        }
        Ok(WmsRequest::GetLegend(req)) => legend::get_legend(state, caller, &req, headers)
            .await
            .unwrap_or_else(|f| failure(state, f)),
        Ok(WmsRequest::GetLimits(req)) => legend::get_limits(state, caller, &req)
            .await
            .unwrap_or_else(|f| failure(state, f)),
    }
}

/// The scope as capabilities use it. When it does not exist or the caller
/// may not read it: the raster to name in a `LayerNotDefined` message, or
/// `None` for a collection (answered as an unknown path).
fn check_scope(
    snap: &Snapshot,
    caller: &Caller,
    scope: Scope,
) -> Result<capabilities::Scope, Option<String>> {
    match scope {
        Scope::All => Ok(capabilities::Scope::All),
        Scope::Raster(id) => snap
            .layer(id)
            .filter(|l| layers::readable(l, caller))
            .map(|l| capabilities::Scope::Layer(l.uuid))
            .ok_or_else(|| Some(format!("raster {id}"))),
        Scope::Collection(slug) => snap
            .layer_collection_by_slug(&slug)
            .filter(|c| layers::collection_readable(c, caller))
            .map(|c| capabilities::Scope::Collection(c.uuid, c.slug.clone()))
            .ok_or(None),
    }
}

fn get_capabilities(
    state: &AppState,
    caller: &Caller,
    scope: &capabilities::Scope,
    req: &GetCapabilities,
    headers: &HeaderMap,
) -> Response<Body> {
    let snap = state.catalogue().snapshot();
    if let Err(e) = req.check_update_sequence(Some(snap.data().revision)) {
        return exception(state, &e);
    }
    let (mime, body) = capabilities::document_scoped(state, &snap, caller, req.version, scope);
    // The document differs per caller (the layers they may read): the tag
    // covers its whole content, so one caller's copy never validates another's.
    let mut hasher = DefaultHasher::new();
    body.hash(&mut hasher);
    let etag = format!(
        "\"caps-{}-{}-{:016x}\"",
        req.version.as_str(),
        snap.data().revision,
        hasher.finish()
    );
    // Capabilities change whenever the catalogue does; clients revalidate.
    let policy = if caller.is_authenticated() {
        "private, no-cache"
    } else {
        "no-cache"
    };
    let mut resp = response::cacheable(headers, mime, Bytes::from(body), &etag, policy);
    response::depends_on_caller(&mut resp);
    resp
}

async fn get_map(
    state: &AppState,
    caller: &Caller,
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
    let mut warnings: Vec<String> = Vec::new();
    let mut moving = false;
    let mut modified = None;
    let mut public = true;
    let mut own_policies: Vec<Option<String>> = Vec::new();
    for (i, name) in req.layers.iter().enumerate() {
        let resolved = layers::resolve(&snap, caller, name, req.styles.get(i).map(String::as_str))
            .map_err(|e| match e {
                LayerError::NotDefined(m) => {
                    OgcError::with_code(v, OgcCode::LayerNotDefined, Some("LAYERS"), m)
                }
                LayerError::StyleNotDefined(m) => {
                    OgcError::with_code(v, OgcCode::StyleNotDefined, Some("STYLES"), m)
                }
            })?;
        public &= resolved.public;
        own_policies.push(resolved.cache_control.clone());
        let record = snap.layer(resolved.layer.id);
        let source = record.and_then(|l| snap.shown_source(l));
        let source = source.as_deref();
        for t in [
            record.map(|l| l.last_modified),
            source.map(|s| s.last_modified),
        ] {
            modified = modified.max(t);
        }
        let time = match source {
            Some(source) => dimension::resolve(v, source, req.time.as_ref())?,
            None => dimension::ResolvedTime::default(),
        };
        warnings.extend(time.warning.filter(|w| !warnings.contains(w)));
        moving |= time.moving;
        // A computation aggregates over an interval; a stored source shows
        // the frame picked.
        let computed = record.is_some_and(|l| snap.single_source(l).is_none());
        let sel = match time.span {
            Some((a, b)) if computed => TimeSel::Span(a, b),
            _ => time.time,
        };
        let mut one = req.render_request_at(resolved.layer, resolved.style, sel);
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
    // A map of "the latest data" changes when frames arrive: revalidate
    // (ETag). The layers' own policy applies when they all agree on one.
    let own = own_policies.first().cloned().flatten();
    let own = own.filter(|p| own_policies.iter().all(|o| o.as_ref() == Some(p)));
    let cache_control = response::cache_policy(
        &state.config.cache.cache_control,
        own.as_deref(),
        public,
        moving,
    );
    let mut resp = response::cacheable(
        headers,
        r.content_type,
        r.bytes.clone(),
        &rendered.etag,
        &cache_control,
    );
    if !public {
        response::depends_on_caller(&mut resp);
    }
    for w in warnings {
        if let Ok(v) = http::HeaderValue::from_str(&w) {
            resp.headers_mut().append(http::header::WARNING, v);
        }
    }
    if let Some(at) = modified {
        resp = response::last_modified(headers, resp, at);
    }
    Ok(resp)
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
