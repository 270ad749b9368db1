//! The router: picks the endpoint for a request path and method, extracts
//! the caller's credentials, and hands the call to the service layer (or the
//! catalogue API); nothing else. Every answer leaves through CORS
//! (`cors.rs`) and content-coding negotiation (`compress.rs`).

use super::response::{self, Body};
use super::state::AppState;
use super::{api, auth, compress, cors, errors};
use crate::model::ErrorClass;
use crate::serve::{self, Call, Refused, Rows, Scope};
use http::request::Parts;
use http::{HeaderMap, Method, StatusCode};
use hyper::body::Incoming;
use hyper::{Request, Response};
use uuid::Uuid;

pub async fn route(state: &AppState, req: Request<Incoming>) -> Response<Body> {
    let (parts, body) = req.into_parts();
    let head = parts.method == Method::HEAD;
    let path = parts.uri.path();
    let is_colormaps = serve::owns_colormaps(path);
    let is_api = api::owns(path) && !is_colormaps;
    let known = is_colormaps || endpoint(path).is_some();
    let settings = state.service.settings();
    let mut resp = if parts.method == Method::OPTIONS && is_api {
        cors::preflight_for(&parts.headers, api::METHODS)
    } else if parts.method == Method::OPTIONS && known {
        cors::preflight(&parts.headers)
    } else if is_api {
        let resp = api::handle(state, &parts, body).await;
        compress::negotiate(state.service.pool(), &parts.headers, resp).await
    } else if !(parts.method == Method::GET || head) {
        errors::method_not_allowed(settings, cors::METHODS)
    } else {
        let resp = get(state, &parts).await;
        let mut resp = compress::negotiate(state.service.pool(), &parts.headers, resp).await;
        response::finish_vary(&mut resp);
        resp
    };
    cors::allow(&mut resp);
    if head { response::for_head(resp) } else { resp }
}

/// A GET (or HEAD) of anything but the catalogue API.
async fn get(state: &AppState, parts: &Parts) -> Response<Body> {
    let path = parts.uri.path();
    let query = parts.uri.query().unwrap_or("");
    let settings = state.service.settings();
    let scope;
    let accept;
    let call = if serve::owns_colormaps(path) {
        let rest = path.strip_prefix(serve::COLORMAPS_PREFIX).unwrap_or("");
        Call::Colormaps { path: rest, query }
    } else {
        match endpoint(path) {
            Some(Endpoint::Health) => {
                return response::bytes(StatusCode::OK, "text/plain; charset=utf-8", "ok\n");
            }
            Some(Endpoint::Index) => Call::Index,
            Some(Endpoint::Wms(s)) => {
                scope = s;
                Call::Wms {
                    scope: &scope,
                    query,
                }
            }
            Some(Endpoint::WmtsKvp) => Call::WmtsKvp { query },
            Some(Endpoint::WmtsRest(rest)) => {
                accept = accept_of(&parts.headers);
                Call::WmtsRest {
                    path: rest,
                    accept: accept.as_deref(),
                }
            }
            Some(Endpoint::Tile(rest, rows)) => Call::Tile {
                path: rest,
                query,
                rows,
            },
            None => return errors::json(settings, ErrorClass::NotFound, "Not found."),
        }
    };
    let snap = state.service.snapshot();
    let caller = auth::caller(&snap, &parts.headers).map_err(|e| Refused(e.to_string()));
    match state.service.answer(&snap, caller, call).await {
        Ok(reply) => response::reply(&parts.headers, reply),
        Err(failure) => errors::respond(settings, failure),
    }
}

/// The endpoints of GET requests outside the API.
enum Endpoint<'a> {
    Health,
    Index,
    Wms(Scope),
    WmtsKvp,
    WmtsRest(&'a str),
    Tile(&'a str, Rows),
}

fn endpoint(path: &str) -> Option<Endpoint<'_>> {
    Some(match path {
        "/" => Endpoint::Index,
        "/healthz" => Endpoint::Health,
        "/wms" | "/wms/" => Endpoint::Wms(Scope::All),
        "/wmts" | "/wmts/" => Endpoint::WmtsKvp,
        _ => {
            if let Some(rest) = path.strip_prefix("/tiles/") {
                Endpoint::Tile(rest, Rows::FromNorth)
            } else if let Some(rest) = path.strip_prefix("/tms/1.0.0/") {
                Endpoint::Tile(rest, Rows::FromSouth)
            } else if let Some(rest) = path.strip_prefix("/wmts/") {
                Endpoint::WmtsRest(rest)
            } else {
                Endpoint::Wms(wms_scope(path)?)
            }
        }
    })
}

/// The media ranges of `Accept`, joined; `None` when absent.
fn accept_of(headers: &HeaderMap) -> Option<String> {
    let values: Vec<&str> = headers
        .get_all(http::header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    (!values.is_empty()).then(|| values.join(","))
}

/// `/wms/raster_<uuid>/` (the WMS of one raster layer) or
/// `/wms/<layer-collection-slug>/` (slugs are `[a-z0-9_-]+`), with or
/// without the final `/`, as Lizard scopes capabilities.
fn wms_scope(path: &str) -> Option<Scope> {
    let rest = path.strip_prefix("/wms/")?;
    let name = rest.strip_suffix('/').unwrap_or(rest);
    if let Some(id) = name.strip_prefix("raster_")
        && let Ok(id) = Uuid::try_parse(id)
    {
        return Some(Scope::Raster(id));
    }
    let slug_char = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-';
    (!name.is_empty() && name.bytes().all(slug_char)).then(|| Scope::Collection(name.to_string()))
}
