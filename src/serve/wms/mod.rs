//! The WMS (`/wms/`, `/wms/raster_<uuid>/`, `/wms/<collection-slug>/`):
//! GetCapabilities (`capabilities.rs`), GetMap (`getmap.rs`),
//! GetFeatureInfo (`featureinfo.rs`), GetLegendGraphic and Lizard's
//! getlegend/getlimits (`legend.rs`). Errors are OGC exception reports of
//! the request's version; a GetMap may ask for them drawn as images.

mod capabilities;
mod featureinfo;
mod getmap;
mod legend;

pub(super) use featureinfo::{record, values_reply};
pub(super) use legend::legend_link;

use super::failure::Failure;
use super::layer::Access;
use super::reply::Reply;
use super::service::{Refused, Service};
use crate::catalogue::{Caller, Snapshot};
use crate::model::ErrorClass;
use crate::protocol::kvp::Kvp;
use crate::protocol::wms::{
    ExceptionsFormat, OgcCode, OgcError, WmsRequest, WmsVersion, image_exception_params, parse_wms,
};
use crate::render::ExceptionImage;
use std::sync::Arc;
use uuid::Uuid;

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

/// Which layers a WMS offers, its scope checked readable.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Offered {
    /// `/wms/`: every layer.
    All,
    /// `/wms/raster_<uuid>/`: that layer only.
    Layer(Uuid),
    /// `/wms/<slug>/`: the layers of the layer collection (uuid, slug).
    Collection(Uuid, String),
}

/// Answers a WMS request. A raster scope the caller may not read answers
/// every request with a `LayerNotDefined` exception and status 404; a
/// collection scope they may not read answers as a path that does not exist.
pub(super) async fn answer(
    service: &Service,
    snap: &Arc<Snapshot>,
    caller: Result<Caller, Refused>,
    scope: &Scope,
    query: &str,
) -> Result<Reply, Failure> {
    let kvp = Kvp::parse(query);
    let caller = caller.map_err(|Refused(message)| {
        let v = kvp.as_ref().map_or(WmsVersion::V1_3_0, WmsVersion::hint);
        let mut err = OgcError::invalid(v, "", message).with_class(ErrorClass::Unauthorized);
        err.locator = None;
        Failure::Wms(err)
    })?;
    let kvp = kvp.map_err(|e| Failure::Wms(OgcError::from_kvp(&e)))?;
    let access = Access::new(snap, &caller);
    let offered = check_scope(access, scope).map_err(|what| match what {
        // An unknown or unreadable collection slug is a path that does not exist.
        None => Failure::Json(ErrorClass::NotFound, "Not found.".to_string()),
        Some(what) => Failure::WmsScope(OgcError::with_code(
            WmsVersion::hint(&kvp),
            OgcCode::LayerNotDefined,
            None,
            format!("{what} does not exist or is not readable"),
        )),
    })?;
    let limits = &service.settings.wms_limits;
    let request = match parse_wms(&kvp, limits) {
        Ok(r) => r,
        Err(e) => return Err(getmap_failure(service, &kvp, e).await),
    };
    match request {
        WmsRequest::GetCapabilities(req) => capabilities::answer(service, access, &offered, &req),
        WmsRequest::GetMap(req) => match getmap::answer(service, access, &kvp, &req).await {
            Ok(reply) => Ok(reply),
            Err(getmap::Error::Request(e)) => Err(getmap_failure(service, &kvp, e).await),
            Err(getmap::Error::Render(f)) => Err(f),
        },
        WmsRequest::GetFeatureInfo(req) => featureinfo::answer(service, access, &req).await,
        WmsRequest::GetLegendGraphic(req) => {
            legend::get_legend_graphic(service, access, &req).await
        }
        WmsRequest::GetLegend(req) => legend::get_legend(service, access, &req),
        WmsRequest::GetLimits(req) => legend::get_limits(service, access, &req).await,
    }
}

/// The scope as capabilities use it. When it does not exist or the caller
/// may not read it: the raster to name in a `LayerNotDefined` message, or
/// `None` for a collection (answered as an unknown path).
fn check_scope(access: Access<'_>, scope: &Scope) -> Result<Offered, Option<String>> {
    match scope {
        Scope::All => Ok(Offered::All),
        Scope::Raster(id) => access
            .snap
            .layer(*id)
            .filter(|l| access.readable(l))
            .map(|l| Offered::Layer(l.uuid))
            .ok_or_else(|| Some(format!("raster {id}"))),
        Scope::Collection(slug) => access
            .snap
            .layer_collection_by_slug(slug)
            .filter(|c| access.collection_readable(c))
            .map(|c| Offered::Collection(c.uuid, c.slug.clone()))
            .ok_or(None),
    }
}

/// A request error of a GetMap, drawn as an image when it asks for
/// INIMAGE/BLANK exceptions in PNG, else the XML report. A busy pool falls
/// back to XML.
async fn getmap_failure(service: &Service, kvp: &Kvp, error: OgcError) -> Failure {
    let Some(params) = image_exception_params(kvp, &service.settings.wms_limits) else {
        return Failure::Wms(error);
    };
    let message = match error.code_str() {
        Some(code) => format!("{code}: {}", error.message),
        None => error.message.clone(),
    };
    let image = ExceptionImage {
        width: params.width,
        height: params.height,
        bgcolor: params.bgcolor,
        transparent: params.transparent,
        message: (params.kind == ExceptionsFormat::InImage).then_some(message),
    };
    match service.renderer.exception_png(image).await {
        Ok(png) => Failure::WmsImage { error, png },
        Err(_) => Failure::Wms(error),
    }
}
