//! Legend and limits answers of the WMS endpoint: GetLegendGraphic (PNG or
//! GeoServer-style JSON), Lizard's `getlegend` (JSON steps) and `getlimits`
//! (`[[min, max]]` of the data on a sample grid), and the `LegendURL`s that
//! capabilities advertise.
//!
//! Thin: layers and styles are resolved here, drawing and warping run on the
//! render pool (`render::legend`).

use super::super::failure::Failure;
use super::super::layer::{Access, Resolved, client_style};
use super::super::reply::{Reply, cache_policy};
use super::super::service::Service;
use super::getmap::layer_error;
use crate::cache::etag_of;
use crate::protocol::wms::capabilities::LegendUrl;
use crate::protocol::wms::legend::{LEGEND_DEFAULT_HEIGHT, LEGEND_DEFAULT_WIDTH};
use crate::protocol::wms::{
    GetLegend, GetLegendGraphic, GetLimits, LegendFormat, OgcCode, OgcError, WmsVersion,
};
use crate::render::legend::{bar_rect, ticks};
use crate::style::{Style, hex_color, tick_label};
use serde_json::json;

/// The GetLegendGraphic URL of `layer` in `style` as capabilities advertise
/// it: PNG of the default size, which the URL returns exactly.
pub fn legend_link(
    online_resource: &str,
    version: WmsVersion,
    layer: &str,
    style: &str,
) -> LegendUrl {
    let sep = if online_resource.contains('?') {
        '&'
    } else {
        '?'
    };
    let enc = |s: &str| url_encode(s);
    let mut href = format!(
        "{online_resource}{sep}SERVICE=WMS&REQUEST=GetLegendGraphic&VERSION={}&FORMAT=image%2Fpng&LAYER={}&STYLE={}&WIDTH={LEGEND_DEFAULT_WIDTH}&HEIGHT={LEGEND_DEFAULT_HEIGHT}",
        version.as_str(),
        enc(layer),
        enc(style),
    );
    if version == WmsVersion::V1_3_0 {
        href.push_str("&SLD_VERSION=1.1.0");
    }
    LegendUrl {
        href,
        format: "image/png".to_string(),
        width: LEGEND_DEFAULT_WIDTH,
        height: LEGEND_DEFAULT_HEIGHT,
    }
}

fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The layer and validated style of a legend request.
fn resolve(
    access: Access<'_>,
    v: WmsVersion,
    layer: &str,
    style: Option<&str>,
    locator: &str,
) -> Result<(Resolved, Style), OgcError> {
    let resolved = access
        .resolve(layer, style)
        .map_err(|e| layer_error(v, e, [locator, "STYLE"]))?;
    let style = Style::parse(&resolved.style).map_err(|e| {
        OgcError::with_code(v, OgcCode::StyleNotDefined, Some("STYLE"), e.to_string())
    })?;
    Ok((resolved, style))
}

/// GetLegendGraphic: the legend PNG (see `render::legend` for the layout) or
/// its JSON form; cacheable like tiles.
pub(super) async fn get_legend_graphic(
    service: &Service,
    access: Access<'_>,
    req: &GetLegendGraphic,
) -> Result<Reply, Failure> {
    let v = req.version;
    let (resolved, style) = resolve(access, v, &req.layer, Some(&req.style), "LAYER")?;
    let size = format!("{}x{}x{}", req.width, req.height, req.transparent);
    let tag = etag_of(
        "legend",
        &[
            b"glg",
            req.layer.as_bytes(),
            style.canonical().as_bytes(),
            req.format.mime().as_bytes(),
            size.as_bytes(),
        ],
    );
    let body = match req.format {
        LegendFormat::Png => service
            .renderer
            .legend_png(style, req.width, req.height, req.transparent)
            .await
            .map_err(|e| Failure::wms_render(v, &e))?,
        LegendFormat::Json => legend_json(&req.layer, &style, req.height),
    };
    Ok(cached(
        service,
        req.format.mime(),
        body,
        tag,
        Some(&resolved),
    ))
}

/// A legend answer, cacheable like the layer's tiles (private for layers
/// that are not public; a layer's own `cache_control` applies).
fn cached(
    service: &Service,
    mime: &str,
    body: Vec<u8>,
    tag: String,
    layer: Option<&Resolved>,
) -> Reply {
    let public = layer.is_none_or(|l| l.public);
    let mut reply = Reply::new(mime, body).etag(tag).for_caller(!public);
    reply.cache_control = cache_policy(
        service.settings.cache_control.as_deref(),
        layer.and_then(|l| l.cache_control.as_deref()),
        public,
        false,
    );
    reply
}

/// GeoServer's JSON legend: one rule with a raster colour map whose entries
/// are the PNG legend's ticks (ascending).
fn legend_json(layer: &str, style: &Style, height: u32) -> Vec<u8> {
    let (_, _, _, bh) = bar_rect(LEGEND_DEFAULT_WIDTH, height.max(24));
    let mut ticks = ticks(style, bh);
    ticks.reverse();
    let (min, max) = style.limits();
    let spacing = (max - min) / (ticks.len().max(2) - 1) as f64;
    let entries: Vec<_> = ticks
        .iter()
        .map(|&(value, _)| {
            let c = style.color_of(value);
            json!({
                "label": tick_label(value, spacing),
                "quantity": value,
                "color": hex_color(c),
                "opacity": f64::from(c[3]) / 255.0,
            })
        })
        .collect();
    let doc = json!({
        "Legend": [{
            "layerName": layer,
            "title": layer,
            "rules": [{
                "symbolizers": [{
                    "Raster": {
                        "colormap": {"type": "ramp", "entries": entries},
                        "opacity": 1.0,
                    }
                }]
            }]
        }]
    });
    serde_json::to_vec(&doc).unwrap_or_default()
}

/// Lizard's `getlegend`: `{limits, legend: [{color, value}], log, labels,
/// colormap_type, name}` with `steps` evenly spaced values.
pub(super) fn get_legend(
    service: &Service,
    access: Access<'_>,
    req: &GetLegend,
) -> Result<Reply, Failure> {
    let v = req.version;
    let (resolved, style) = match (&req.layer, &req.style) {
        (Some(layer), style) => {
            let (r, s) = resolve(access, v, layer, style.as_deref(), "LAYER")?;
            (Some(r), s)
        }
        (None, Some(s)) => (
            None,
            client_style(s).map_err(|e| {
                OgcError::with_code(
                    v,
                    OgcCode::StyleNotDefined,
                    Some("STYLE"),
                    format!("style is not defined: {e}"),
                )
            })?,
        ),
        (None, None) => return Err(OgcError::invalid(v, "STYLE", "getlegend needs STYLE").into()),
    };
    let legend: Vec<_> = style
        .legend_steps(req.steps as usize)
        .iter()
        .map(|s| json!({"color": hex_color(s.color), "value": s.value}))
        .collect();
    let (min, max) = style.limits();
    let doc = json!({
        "limits": [min, max],
        "legend": legend,
        "log": style.is_log(),
        "labels": style.labels(),
        "colormap_type": style.colormap_type(),
        "name": style.name(),
    });
    let steps = req.steps.to_string();
    let tag = etag_of(
        "legend",
        &[b"getlegend", style.canonical().as_bytes(), steps.as_bytes()],
    );
    Ok(cached(
        service,
        "application/json",
        serde_json::to_vec(&doc).unwrap_or_default(),
        tag,
        resolved.as_ref(),
    ))
}

/// Lizard's `getlimits`: `[[min, max]]` of the layer's valid values on the
/// request grid (warped as GetMap with nearest sampling), `[[null, null]]`
/// when no pixel has data. Not cached (data may change under the same URL).
pub(super) async fn get_limits(
    service: &Service,
    access: Access<'_>,
    req: &GetLimits,
) -> Result<Reply, Failure> {
    let v = req.version;
    let (resolved, _) = resolve(access, v, &req.layer, None, "LAYERS")?;
    let time = req.time_sel()?;
    let layer = resolved.eval().map_err(|e| Failure::wms_render(v, &e))?;
    let limits = service
        .renderer
        .limits(layer, req.grid(), time)
        .await
        .map_err(|e| Failure::wms_render(v, &e))?;
    let doc = match limits {
        Some((min, max)) => json!([[min, max]]),
        None => json!([[null, null]]),
    };
    // Not cached: the data may change under the same URL.
    Ok(Reply::json(&doc)
        .cache_control("no-store")
        .for_caller(!resolved.public))
}
