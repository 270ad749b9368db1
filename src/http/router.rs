//! The router: picks the endpoint for a request path and method, nothing else.

use super::errors;
use super::response::{self, Body};
use super::state::AppState;
use super::{index, wms, wmts, xyz};
use http::{Method, StatusCode};
use hyper::body::Incoming;
use hyper::{Request, Response};

pub async fn route(state: &AppState, req: Request<Incoming>) -> Response<Body> {
    let (parts, _body) = req.into_parts();
    let head = parts.method == Method::HEAD;
    if !(parts.method == Method::GET || head) {
        return errors::method_not_allowed("GET, HEAD");
    }
    let path = parts.uri.path();
    let query = parts.uri.query().unwrap_or("");
    let resp = match path {
        "/healthz" => response::bytes(StatusCode::OK, "text/plain; charset=utf-8", "ok\n"),
        "/" => index::page(state),
        "/wms" | "/wms/" => wms::handle(state, query, &parts.headers).await,
        "/wmts" | "/wmts/" => wmts::handle_kvp(state, query, &parts.headers).await,
        _ => {
            if let Some(rest) = path.strip_prefix("/tiles/") {
                xyz::handle(state, rest, query, &parts.headers).await
            } else if let Some(rest) = path.strip_prefix("/wmts/") {
                wmts::handle_rest(state, rest, &parts.headers).await
            } else {
                errors::json_error_status(StatusCode::NOT_FOUND, "Not found.")
            }
        }
    };
    if head { response::for_head(resp) } else { resp }
}
