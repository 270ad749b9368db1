//! WMS GetMap: every layer resolved through the one guard, its TIME resolved
//! against what it shows (a computation aggregates over an interval, stored
//! data shows the frame picked), rendered alone or composited, and answered
//! with the validators and caching policy its layers allow.

use super::super::failure::Failure;
use super::super::layer::{Access, LayerError, resampling};
use super::super::reply::{Reply, cache_policy};
use super::super::service::Service;
use super::super::time;
use crate::model::{OutputFormat, TimeSel};
use crate::protocol::kvp::Kvp;
use crate::protocol::wms::{GetMap, OgcCode, OgcError, WmsVersion};
use crate::render::Layer;

/// Why a GetMap failed: the request (answered as the request's exception
/// format, possibly an image) or rendering (always a report).
pub(super) enum Error {
    Request(OgcError),
    Render(Failure),
}

impl From<OgcError> for Error {
    fn from(e: OgcError) -> Error {
        Error::Request(e)
    }
}

/// `LayerError` as the WMS reports it.
pub(super) fn layer_error(v: WmsVersion, e: LayerError, locators: [&str; 2]) -> OgcError {
    match e {
        LayerError::NotDefined(m) => {
            OgcError::with_code(v, OgcCode::LayerNotDefined, Some(locators[0]), m)
        }
        LayerError::StyleNotDefined(m) => {
            OgcError::with_code(v, OgcCode::StyleNotDefined, Some(locators[1]), m)
        }
    }
}

pub(super) async fn answer(
    service: &Service,
    access: Access<'_>,
    kvp: &Kvp,
    req: &GetMap,
) -> Result<Reply, Error> {
    let v = req.version;
    let resampling = resampling(kvp).map_err(|m| OgcError::invalid(v, "RESAMPLING", m))?;
    let format = req.format.output();
    if format == OutputFormat::GeoTiff && req.layers.len() != 1 {
        let msg = "image/tiff holds the raw values of exactly one layer; ask for one layer";
        return Err(OgcError::with_code(v, OgcCode::InvalidFormat, Some("FORMAT"), msg).into());
    }
    let render_err = |e: crate::render::RenderError| Error::Render(Failure::wms_render(v, &e));
    let mut layers: Vec<(Layer, _)> = Vec::with_capacity(req.layers.len());
    let mut warnings: Vec<String> = Vec::new();
    let mut moving = false;
    let mut modified = None;
    let mut public = true;
    let mut own_policies: Vec<Option<String>> = Vec::new();
    let mut caller_key: Option<String> = None;
    for (i, name) in req.layers.iter().enumerate() {
        let style = req.styles.get(i).map(String::as_str);
        let resolved = access
            .resolve(name, style)
            .map_err(|e| layer_error(v, e, ["LAYERS", "STYLES"]))?;
        public &= resolved.public;
        caller_key = caller_key.or(resolved.caller_key.clone());
        own_policies.push(resolved.cache_control.clone());
        modified = modified.max(resolved.last_modified);
        let record = access.snap.layer(resolved.layer.id);
        let shown = record.and_then(|l| access.snap.shown_source(l));
        let time = match shown.as_deref() {
            Some(source) => time::resolve(v, source, req.time.as_ref())?,
            None => time::ResolvedTime::default(),
        };
        warnings.extend(time.warning.filter(|w| !warnings.contains(w)));
        moving |= time.moving;
        let layer = resolved.eval().map_err(render_err)?.clone();
        let sel = match time.span {
            Some((a, b)) if layer.aggregates_spans() => TimeSel::Span(a, b),
            _ => time.time,
        };
        let mut one = req.render_request_at(resolved.layer, resolved.style, sel);
        one.resampling = resampling;
        // Layers of a composite must let the others show through; the
        // composite paints the background.
        one.transparent |= req.layers.len() > 1;
        layers.push((layer, one));
    }
    let out = if layers.len() == 1 {
        let (layer, one) = layers.remove(0);
        service
            .renderer
            .render_for(&layer, one, caller_key.as_deref())
            .await
    } else {
        service
            .renderer
            .composite(layers, req.transparent, req.bgcolor)
            .await
    }
    .map_err(render_err)?;
    // A map of "the latest data" changes when frames arrive: revalidate
    // (ETag). The layers' own policy applies when they all agree on one.
    let own = own_policies.first().cloned().flatten();
    let own = own.filter(|p| own_policies.iter().all(|o| o.as_ref() == Some(p)));
    let default = service.settings.cache_control.as_deref();
    let r = &out.rendered;
    let mut reply = Reply::new(r.content_type, r.bytes.clone())
        .etag(out.etag)
        .for_caller(!public);
    reply.cache_control = cache_policy(default, own.as_deref(), public, moving);
    reply.warnings = warnings;
    reply.last_modified = modified;
    Ok(reply)
}
