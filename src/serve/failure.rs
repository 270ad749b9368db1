//! `Failure`: why a request was not answered, classed by cause and tagged
//! with the endpoint family whose error format answers it. `http` turns it
//! into a status and a body in one function; here it is made, and the text a
//! client may see is decided.

use crate::model::ErrorClass;
use crate::protocol::wms::{OgcError, WmsVersion};
use crate::protocol::wmts::{Binding, OwsCode, WmtsError};
use crate::render::RenderError;

/// A failed request, by endpoint family.
#[derive(Clone, Debug)]
pub enum Failure {
    /// A WMS exception report about the request (or the server's trouble,
    /// by its class).
    Wms(OgcError),
    /// A GetMap error drawn as the image the request asked for
    /// (`EXCEPTIONS=INIMAGE` or `BLANK`), with the report it stands for.
    WmsImage { error: OgcError, png: Vec<u8> },
    /// The WMS a path names (`/wms/raster_<uuid>/`) does not exist for the
    /// caller: the path itself is not found.
    WmsScope(OgcError),
    /// An OWS exception report of the WMTS, by binding.
    Wmts(WmtsError, Binding),
    /// Lizard's JSON error body (XYZ/TMS tiles, the colormap API, the index).
    Json(ErrorClass, String),
}

impl Failure {
    /// The cause.
    pub fn class(&self) -> ErrorClass {
        match self {
            Failure::Wms(e) | Failure::WmsScope(e) | Failure::WmsImage { error: e, .. } => {
                e.class()
            }
            Failure::Wmts(e, _) => e.class(),
            Failure::Json(class, _) => *class,
        }
    }

    /// A JSON failure whose message the client may see (see [`public_message`]).
    pub fn json(class: ErrorClass, message: &str) -> Failure {
        Failure::Json(class, public_message(class, message))
    }

    /// A render failure as a WMS exception of `version`.
    pub fn wms_render(version: WmsVersion, e: &RenderError) -> Failure {
        Failure::Wms(ogc_render(version, e))
    }

    /// A render failure as a WMTS exception.
    pub fn wmts_render(e: &RenderError) -> WmtsError {
        let class = e.class();
        WmtsError::new(
            OwsCode::NoApplicableCode,
            None,
            public_message(class, &e.to_string()),
        )
        .with_class(class)
    }

    /// A render failure as Lizard's JSON error.
    pub fn json_render(e: &RenderError) -> Failure {
        Failure::json(e.class(), &e.to_string())
    }
}

/// A render failure as an OGC exception of `version` (no code, no locator).
pub fn ogc_render(version: WmsVersion, e: &RenderError) -> OgcError {
    let class = e.class();
    let mut err =
        OgcError::invalid(version, "", public_message(class, &e.to_string())).with_class(class);
    err.locator = None;
    err
}

impl From<OgcError> for Failure {
    fn from(e: OgcError) -> Failure {
        Failure::Wms(e)
    }
}

/// The message a client may see: the text of the server's own trouble
/// (paths, SQL, internals) stays in the log.
pub fn public_message(class: ErrorClass, message: &str) -> String {
    if class == ErrorClass::Internal {
        tracing::error!(error = message, "internal error");
        "Internal server error.".to_string()
    } else {
        message.to_string()
    }
}
