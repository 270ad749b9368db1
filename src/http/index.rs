//! The landing page at `/`: what this server offers and the URLs to try,
//! listing the layers the caller may read.

use super::auth;
use super::errors;
use super::layers::{default_style_name, readable};
use super::response::{self, Body};
use super::state::AppState;
use crate::model::ErrorClass;
use http::{HeaderMap, StatusCode};
use hyper::Response;

/// Escapes text for HTML.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub fn page(state: &AppState, headers: &HeaderMap) -> Response<Body> {
    let base = &state.public_url;
    let snap = state.catalogue().snapshot();
    let caller = match auth::caller(&snap, headers) {
        Ok(c) => c,
        Err(e) => {
            return response::unauthorized(errors::json_error(
                ErrorClass::Unauthorized,
                &e.to_string(),
            ));
        }
    };
    let mut rows = String::new();
    for layer in snap.layers().iter().filter(|l| readable(l, &caller)) {
        let Some(name) = snap.wms_name(layer) else {
            continue;
        };
        rows.push_str(&format!(
            "<tr><td>{}</td><td><code>{}</code></td><td><code>{}</code></td><td><code>{base}/tiles/{}/{{z}}/{{x}}/{{y}}.png</code></td></tr>\n",
            esc(&layer.name),
            esc(&name),
            esc(default_style_name(layer)),
            esc(&name),
        ));
    }
    let html = format!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>tegel</title></head><body>\n\
         <h1>tegel</h1>\n<p>WMS: <a href=\"{base}/wms/?SERVICE=WMS&amp;REQUEST=GetCapabilities\">{base}/wms/</a></p>\n\
         <p>WMTS: <a href=\"{base}/wmts/1.0.0/WMTSCapabilities.xml\">{base}/wmts/1.0.0/WMTSCapabilities.xml</a></p>\n\
         <table><tr><th>layer</th><th>WMS name</th><th>default style</th><th>XYZ tiles</th></tr>\n{rows}</table>\n\
         </body></html>\n"
    );
    let mut resp = response::bytes(StatusCode::OK, "text/html; charset=utf-8", html);
    response::depends_on_caller(&mut resp);
    if caller.is_authenticated() {
        resp.headers_mut().insert(
            http::header::CACHE_CONTROL,
            http::HeaderValue::from_static("private, no-cache"),
        );
    }
    resp
}
