//! The router: picks the endpoint for a request path and method, nothing else.
//! Every answer leaves through CORS (`cors.rs`) and content-coding
//! negotiation (`compress.rs`).

use super::errors;
use super::response::{self, Body};
use super::state::AppState;
use super::{api, colormaps, compress, cors, index, wms, wmts, xyz};
use http::{Method, StatusCode};
use hyper::body::Incoming;
use hyper::{Request, Response};
use uuid::Uuid;

pub async fn route(state: &AppState, req: Request<Incoming>) -> Response<Body> {
    let (parts, body) = req.into_parts();
    let head = parts.method == Method::HEAD;
    let path = parts.uri.path();
    let query = parts.uri.query().unwrap_or("");
    let known = match path {
        "/healthz" | "/" | "/wms" | "/wms/" | "/wmts" | "/wmts/" => true,
        _ => {
            path.starts_with("/tiles/")
                || path.starts_with("/tms/1.0.0/")
                || path.starts_with("/wmts/")
                || colormaps::owns(path)
                || wms_scope(path).is_some()
        }
    };
    let is_api = api::owns(path) && !colormaps::owns(path);
    let mut resp = if parts.method == Method::OPTIONS && is_api {
        cors::preflight_for(&parts.headers, api::METHODS)
    } else if parts.method == Method::OPTIONS && known {
        cors::preflight(&parts.headers)
    } else if is_api {
        let resp = api::handle(state, &parts, body).await;
        compress::negotiate(&state.renderer, &parts.headers, resp).await
    } else if !(parts.method == Method::GET || head) {
        errors::method_not_allowed(cors::METHODS)
    } else {
        let resp = match path {
            "/healthz" => response::bytes(StatusCode::OK, "text/plain; charset=utf-8", "ok\n"),
            "/" => index::page(state, &parts.headers),
            "/wms" | "/wms/" => wms::handle(state, query, &parts.headers).await,
            "/wmts" | "/wmts/" => wmts::handle_kvp(state, query, &parts.headers).await,
            _ => {
                if let Some(rest) = path.strip_prefix("/tiles/") {
                    xyz::handle(state, rest, query, &parts.headers, xyz::Rows::FromNorth).await
                } else if let Some(rest) = path.strip_prefix("/tms/1.0.0/") {
                    xyz::handle(state, rest, query, &parts.headers, xyz::Rows::FromSouth).await
                } else if colormaps::owns(path) {
                    colormaps::handle(
                        state,
                        path.strip_prefix(colormaps::PREFIX).unwrap_or(""),
                        query,
                    )
                } else if let Some(rest) = path.strip_prefix("/wmts/") {
                    wmts::handle_rest(state, rest, &parts.headers).await
                } else if let Some(scope) = wms_scope(path) {
                    wms::handle_scoped(state, scope, query, &parts.headers).await
                } else {
                    errors::json_error_status(StatusCode::NOT_FOUND, "Not found.")
                }
            }
        };
        let mut resp = compress::negotiate(&state.renderer, &parts.headers, resp).await;
        response::finish_vary(&mut resp);
        resp
    };
    cors::allow(&mut resp);
    if head { response::for_head(resp) } else { resp }
}

/// `/wms/raster_<uuid>/` (the WMS of one raster layer) or
/// `/wms/<layer-collection-slug>/` (slugs are `[a-z0-9_-]+`), with or
/// without the final `/`, as Lizard scopes capabilities.
fn wms_scope(path: &str) -> Option<wms::Scope> {
    let rest = path.strip_prefix("/wms/")?;
    let name = rest.strip_suffix('/').unwrap_or(rest);
    if let Some(id) = name.strip_prefix("raster_")
        && let Ok(id) = Uuid::try_parse(id)
    {
        return Some(wms::Scope::Raster(id));
    }
    let slug_char = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-';
    (!name.is_empty() && name.bytes().all(slug_char))
        .then(|| wms::Scope::Collection(name.to_string()))
}
