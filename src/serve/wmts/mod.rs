//! The WMTS: KVP at `/wmts/` (GetCapabilities, GetTile, GetFeatureInfo)
//! and the RESTful binding under `/wmts/1.0.0/` (capabilities, tiles,
//! feature info). Errors are OWS 1.1 exception reports tagged with their
//! binding (the status table differs); tiles render like XYZ tiles.

mod featureinfo;
mod layers;

use super::failure::Failure;
use super::layer::{Access, LayerError, Resolved, resampling};
use super::reply::{Reply, revalidate};
use super::service::{Refused, Service};
use super::tile::{TileError, render_tile};
use crate::cache::etag_of;
use crate::catalogue::{Caller, Snapshot};
use crate::model::{ErrorClass, Resampling};
use crate::protocol::kvp::{Kvp, clip};
use crate::protocol::wmts::capabilities::{self, capabilities_current};
use crate::protocol::wmts::{
    Binding, FORMAT_PNG, Freshness, GetCapabilities, OwsCode, RestRequest, Sections, TileAddress,
    TileQuery, WmtsError, WmtsRequest, parse_kvp, parse_rest,
};
use std::sync::Arc;

/// The caller, or the 401 of refused credentials in `binding`'s format.
fn caller(caller: Result<Caller, Refused>, binding: Binding) -> Result<Caller, Failure> {
    caller.map_err(|Refused(m)| {
        let err =
            WmtsError::new(OwsCode::NoApplicableCode, None, m).with_class(ErrorClass::Unauthorized);
        Failure::Wmts(err, binding)
    })
}

/// `GET /wmts/?…`.
pub(super) async fn answer_kvp(
    service: &Service,
    snap: &Arc<Snapshot>,
    caller: Result<Caller, Refused>,
    query: &str,
) -> Result<Reply, Failure> {
    let caller = self::caller(caller, Binding::Kvp)?;
    let access = Access::new(snap, &caller);
    let answer = async {
        let kvp = Kvp::parse(query).map_err(|e| WmtsError::from_kvp(&e))?;
        match parse_kvp(&kvp)? {
            WmtsRequest::GetCapabilities(req) => get_capabilities(service, access, &req),
            WmtsRequest::GetTile(q) => {
                let r = resampling(&kvp).map_err(|m| WmtsError::invalid("resampling", m))?;
                get_tile(service, access, &q, r).await
            }
            WmtsRequest::GetFeatureInfo(q) => featureinfo::answer(service, access, &q).await,
        }
    };
    answer.await.map_err(|e| Failure::Wmts(e, Binding::Kvp))
}

/// `GET /wmts/<path>` (the RESTful binding); `accept` is the client's
/// `Accept` (`None`: anything).
pub(super) async fn answer_rest(
    service: &Service,
    snap: &Arc<Snapshot>,
    caller: Result<Caller, Refused>,
    path: &str,
    accept: Option<&str>,
) -> Result<Reply, Failure> {
    let caller = self::caller(caller, Binding::Rest)?;
    let access = Access::new(snap, &caller);
    let answer = async {
        match parse_rest(path)? {
            RestRequest::Capabilities => {
                acceptable(accept, capabilities::MIME)?;
                let req = GetCapabilities {
                    sections: Sections::ALL,
                    update_sequence: None,
                };
                get_capabilities(service, access, &req)
            }
            RestRequest::Tile(q) => {
                acceptable(accept, FORMAT_PNG)?;
                get_tile(service, access, &q, Resampling::Nearest).await
            }
            RestRequest::FeatureInfo(q) => {
                acceptable(accept, q.info_format.mime())?;
                featureinfo::answer(service, access, &q).await
            }
        }
    };
    answer.await.map_err(|e| Failure::Wmts(e, Binding::Rest))
}

/// GetCapabilities. It changes whenever the catalogue does (clients
/// revalidate) and differs per caller (the layers they may read): the tag
/// hashes the whole document, and shared caches keep only anonymous copies.
fn get_capabilities(
    service: &Service,
    access: Access<'_>,
    req: &GetCapabilities,
) -> Result<Reply, WmtsError> {
    let info = layers::service(service, access.snap);
    let body = match req.freshness(info.update_sequence)? {
        Freshness::Current => capabilities_current(&info),
        Freshness::Send => {
            let all = layers::all(service, access);
            capabilities::capabilities(&info, &all, &service.tile_matrix_sets, req.sections)
        }
    };
    let tag = etag_of("wmts", &[&info.update_sequence.to_le_bytes(), &body]);
    Ok(Reply::new(capabilities::MIME, body)
        .etag(tag)
        .cache_control(revalidate(!access.caller.is_authenticated()))
        .for_caller(true))
}

async fn get_tile(
    service: &Service,
    access: Access<'_>,
    q: &TileQuery,
    resampling: Resampling,
) -> Result<Reply, WmtsError> {
    let (addr, resolved) = resolve_tile(service, access, q)?;
    let mut render = addr.render_request(resolved.layer, resolved.style.clone());
    render.resampling = resampling;
    render_tile(service, &resolved, render)
        .await
        .map_err(|e| match e {
            TileError::TooLarge(m) => {
                WmtsError::invalid("TileMatrix", m).with_class(ErrorClass::TooLarge)
            }
            TileError::Render(e) => Failure::wmts_render(&e),
        })
}

/// The tile `q` addresses and its layer and style, checked as GetTile and
/// GetFeatureInfo both need.
fn resolve_tile(
    service: &Service,
    access: Access<'_>,
    q: &TileQuery,
) -> Result<(TileAddress, Resolved), WmtsError> {
    let unknown = || {
        WmtsError::invalid(
            "layer",
            format!("layer '{}' is not offered", clip(&q.layer)),
        )
    };
    let layer = layers::by_name(service, access, &q.layer, &q.set).ok_or_else(unknown)?;
    let style = Some(q.style.as_str()).filter(|s| *s != "default" && *s != layer.style.name);
    let resolved = access.resolve(&q.layer, style).map_err(|e| match e {
        LayerError::NotDefined(_) => unknown(),
        LayerError::StyleNotDefined(m) => WmtsError::invalid("Style", m),
    })?;
    Ok((q.resolve(&layer)?, resolved))
}

/// 406 when `Accept` rules out what the resource is.
fn acceptable(accept: Option<&str>, offered: &str) -> Result<(), WmtsError> {
    if accepts(accept, offered) {
        return Ok(());
    }
    let message = format!("this resource is only available as {offered}");
    Err(WmtsError::new(OwsCode::NoApplicableCode, None, message)
        .with_class(ErrorClass::NotAcceptable))
}

/// True when there is no `Accept` or one of its media ranges (with a q
/// above 0) covers `mime`.
fn accepts(accept: Option<&str>, mime: &str) -> bool {
    let Some(accept) = accept else {
        return true;
    };
    let (kind, _) = mime.split_once('/').unwrap_or((mime, ""));
    accept.split(',').any(|range| {
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
