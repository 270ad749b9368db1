//! Legend and limits answers of the WMS endpoint: GetLegendGraphic (PNG or
//! GeoServer-style JSON), Lizard's `getlegend` (JSON steps) and `getlimits`
//! (`[[min, max]]` of the data on a sample grid), and the `LegendURL`s that
//! capabilities advertise.
//!
//! Thin: layers and styles are resolved here, drawing and warping run on the
//! render pool (`render::legend`).

use super::layers::{self, LayerError};
use super::response::{self, Body};
use super::state::AppState;
use super::wms::Failure;
use crate::catalogue::Caller;
use crate::model::{OutputFormat, RenderRequest, Resampling, Rgb};
use crate::protocol::wms::capabilities::LegendUrl;
use crate::protocol::wms::legend::{LEGEND_DEFAULT_HEIGHT, LEGEND_DEFAULT_WIDTH};
use crate::protocol::wms::{
    GetLegend, GetLegendGraphic, GetLimits, LegendFormat, OgcCode, OgcError, WmsVersion,
};
use crate::render::legend::{bar_rect, legend_png, ticks, value_limits};
use crate::style::{Style, hex_color, tick_label};
use bytes::Bytes;
use http::{HeaderMap, StatusCode};
use hyper::Response;
use serde_json::json;
use std::hash::{DefaultHasher, Hash, Hasher};

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
    state: &AppState,
    caller: &Caller,
    v: WmsVersion,
    layer: &str,
    style: Option<&str>,
    locator: &str,
) -> Result<(layers::Resolved, Style), OgcError> {
    let snap = state.catalogue().snapshot();
    let resolved = layers::resolve(&snap, caller, layer, style).map_err(|e| match e {
        LayerError::NotDefined(m) => {
            OgcError::with_code(v, OgcCode::LayerNotDefined, Some(locator), m)
        }
        LayerError::StyleNotDefined(m) => {
            OgcError::with_code(v, OgcCode::StyleNotDefined, Some("STYLE"), m)
        }
    })?;
    let style = Style::parse(&resolved.style).map_err(|e| {
        OgcError::with_code(v, OgcCode::StyleNotDefined, Some("STYLE"), e.to_string())
    })?;
    Ok((resolved, style))
}

fn etag(parts: impl Hash) -> String {
    let mut h = DefaultHasher::new();
    parts.hash(&mut h);
    format!("\"legend-{:016x}\"", h.finish())
}

/// GetLegendGraphic: the legend PNG (see `render::legend` for the layout) or
/// its JSON form; cacheable like tiles.
pub async fn get_legend_graphic(
    state: &AppState,
    caller: &Caller,
    req: &GetLegendGraphic,
    headers: &HeaderMap,
) -> Result<Response<Body>, Failure> {
    let v = req.version;
    let (resolved, style) = resolve(state, caller, v, &req.layer, Some(&req.style), "LAYER")?;
    let tag = etag((
        "glg",
        &req.layer,
        style.canonical(),
        req.format.mime(),
        req.width,
        req.height,
        req.transparent,
    ));
    let body = match req.format {
        LegendFormat::Png => {
            let (w, h, t) = (req.width, req.height, req.transparent);
            state
                .renderer
                .run_blocking(move |_| legend_png(&style, w, h, t))
                .await
                .map_err(|e| Failure::Render(v, e))?
        }
        LegendFormat::Json => legend_json(&req.layer, &style, req.height),
    };
    Ok(cached(
        state,
        headers,
        req.format.mime(),
        body,
        &tag,
        Some(&resolved),
    ))
}

/// A legend answer, cacheable like the layer's tiles (private for layers
/// that are not public; a layer's own `cache_control` applies).
fn cached(
    state: &AppState,
    headers: &HeaderMap,
    mime: &str,
    body: Vec<u8>,
    tag: &str,
    layer: Option<&layers::Resolved>,
) -> Response<Body> {
    let public = layer.is_none_or(|l| l.public);
    let policy = response::cache_policy(
        &state.config.cache.cache_control,
        layer.and_then(|l| l.cache_control.as_deref()),
        public,
        false,
    );
    let mut resp = response::cacheable(headers, mime, Bytes::from(body), tag, &policy);
    if !public {
        response::depends_on_caller(&mut resp);
    }
    resp
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
pub async fn get_legend(
    state: &AppState,
    caller: &Caller,
    req: &GetLegend,
    headers: &HeaderMap,
) -> Result<Response<Body>, Failure> {
    let v = req.version;
    let (resolved, style) = match (&req.layer, &req.style) {
        (Some(layer), style) => {
            let (r, s) = resolve(state, caller, v, layer, style.as_deref(), "LAYER")?;
            (Some(r), s)
        }
        (None, Some(s)) => (
            None,
            layers::client_style(s).map_err(|e| {
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
    let tag = etag(("getlegend", style.canonical(), req.steps));
    Ok(cached(
        state,
        headers,
        "application/json",
        serde_json::to_vec(&doc).unwrap_or_default(),
        &tag,
        resolved.as_ref(),
    ))
}

/// Lizard's `getlimits`: `[[min, max]]` of the layer's valid values on the
/// request grid (warped as GetMap with nearest sampling), `[[null, null]]`
/// when no pixel has data. Not cached (data may change under the same URL).
pub async fn get_limits(
    state: &AppState,
    caller: &Caller,
    req: &GetLimits,
) -> Result<Response<Body>, Failure> {
    let v = req.version;
    let (resolved, _) = resolve(state, caller, v, &req.layer, None, "LAYERS")?;
    let public = resolved.public;
    let render = RenderRequest {
        layer: resolved.layer,
        grid: req.grid(),
        time: req.time_sel()?,
        style: resolved.style,
        format: OutputFormat::Png,
        resampling: Resampling::Nearest,
        transparent: true,
        bgcolor: Rgb::WHITE,
    };
    let limits = state
        .renderer
        .run_blocking(move |ctx| {
            let warped = crate::render::warp_layer(ctx, &render)?;
            Ok(value_limits(&warped))
        })
        .await
        .map_err(|e| Failure::Render(v, e))?;
    let doc = match limits {
        Some((min, max)) => json!([[min, max]]),
        None => json!([[null, null]]),
    };
    let mut resp = response::bytes(
        StatusCode::OK,
        "application/json",
        serde_json::to_vec(&doc).unwrap_or_default(),
    );
    super::errors::no_store(&mut resp);
    if !public {
        response::depends_on_caller(&mut resp);
    }
    Ok(resp)
}
