//! The landing page at `/`: what this server offers and the URLs to try,
//! listing the layers the caller may read.

use super::failure::Failure;
use super::layer::{Access, default_style_name};
use super::reply::{Reply, revalidate};
use super::service::Service;
use crate::catalogue::{Caller, Snapshot};
use std::sync::Arc;

/// Escapes text for HTML.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub(super) fn page(
    service: &Service,
    snap: &Arc<Snapshot>,
    caller: &Caller,
) -> Result<Reply, Failure> {
    let base = &service.public_url;
    let access = Access::new(snap, caller);
    let mut rows = String::new();
    for layer in access.layers() {
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
    let mut reply = Reply::new("text/html; charset=utf-8", html).for_caller(true);
    if caller.is_authenticated() {
        reply = reply.cache_control(revalidate(false));
    }
    Ok(reply)
}
