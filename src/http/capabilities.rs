//! Building the WMS capabilities inputs from the catalogue snapshot: every
//! published layer the caller may read (see `published.rs`) in the WMS's
//! scope, with the CRSs and extents WMS offers, its styles with their legend
//! URLs, and its time values.

use super::legend::legend_link;
use super::published::{self, Published, envelope};
use super::state::AppState;
use crate::catalogue::{Caller, Snapshot};
use crate::geo::cache::TransformCache;
use crate::model::{BBox, Crs};
use crate::protocol::wms::capabilities::{LayerInfo, ServiceInfo, capabilities};
use crate::protocol::wms::{ExceptionsFormat, WmsLimits, WmsVersion};
use uuid::Uuid;

/// CRSs every layer is offered in, besides its own and the UTM zones it touches.
const OFFERED: &[u32] = &[
    4326, 3857, 4258, 3035, 28992, 25831, 25832, 25833, 27700, 2154, 31370,
];
/// Extra per-CRS bounding boxes written for every layer (besides the native one).
const BBOX_CRS: &[u32] = &[3857];

/// Service keywords (`Service/KeywordList`).
const KEYWORDS: &[&str] = &["WMS", "raster", "map"];

/// Which layers a WMS offers, its scope already checked readable.
#[derive(Clone, Debug, PartialEq)]
pub enum Scope {
    /// `/wms/`: every layer.
    All,
    /// `/wms/raster_<uuid>/`: that layer only.
    Layer(Uuid),
    /// `/wms/<slug>/`: the layers of the layer collection (uuid, slug).
    Collection(Uuid, String),
}

impl Scope {
    /// The path of the WMS, with its final `/`.
    pub fn path(&self) -> String {
        match self {
            Scope::All => "/wms/".to_string(),
            Scope::Layer(id) => format!("/wms/raster_{id}/"),
            Scope::Collection(_, slug) => format!("/wms/{slug}/"),
        }
    }

    fn offers(&self, snap: &Snapshot, layer: Uuid) -> bool {
        match self {
            Scope::All => true,
            Scope::Layer(id) => *id == layer,
            Scope::Collection(c, _) => snap
                .layer(layer)
                .is_some_and(|l| l.layer_collections.contains(c)),
        }
    }
}

/// The capabilities document of the WMS of `scope` as `caller` sees it:
/// only the layers they may read; operation URLs point at the scope's path.
pub fn document_scoped(
    state: &AppState,
    snap: &Snapshot,
    caller: &Caller,
    version: WmsVersion,
    scope: &Scope,
) -> (&'static str, Vec<u8>) {
    let path = scope.path();
    let service = ServiceInfo {
        title: state.config.wms.title.clone(),
        abstract_: Some(state.config.wms.abstract_text.clone()).filter(|s| !s.is_empty()),
        keywords: KEYWORDS.iter().map(|k| k.to_string()).collect(),
        online_resource: format!("{}{path}", state.public_url),
        limits: WmsLimits {
            max_width: state.config.render.max_width,
            max_height: state.config.render.max_height,
            layer_limit: state.config.render.layer_limit,
        },
        update_sequence: Some(snap.data().revision),
        // Answered as images by GetMap (`exceptions_image.rs`).
        exceptions: vec![ExceptionsFormat::InImage, ExceptionsFormat::Blank],
    };
    let transforms = &state.renderer.context().transforms;
    let layers: Vec<LayerInfo> = published::all(snap, caller, transforms)
        .into_iter()
        .filter(|p| scope.offers(snap, p.uuid))
        .map(|p| layer_info(p, transforms))
        .map(|mut info| {
            for s in &mut info.styles {
                s.legend = Some(legend_link(
                    &service.online_resource,
                    version,
                    &info.name,
                    &s.name,
                ));
            }
            info
        })
        .collect();
    capabilities(version, &service, &layers)
}

/// A published layer's entry: its CRSs and per-CRS boxes.
fn layer_info(p: Published, transforms: &TransformCache) -> LayerInfo {
    let mut crs: Vec<u32> = OFFERED.to_vec();
    crs.push(p.native.0);
    crs.extend(utm_zones(&p.wgs84));
    crs.sort_unstable();
    crs.dedup();

    let mut bboxes = vec![(p.native.0, p.extent)];
    for &code in BBOX_CRS.iter().filter(|&&c| c != p.native.0) {
        if let Some(b) = envelope(transforms, p.native, Crs(code), &p.extent) {
            bboxes.push((code, b));
        }
    }
    LayerInfo {
        name: p.name,
        title: p.title,
        abstract_: p.abstract_,
        // Every layer answers GetFeatureInfo with its values.
        queryable: true,
        crs,
        wgs84_bbox: p.wgs84,
        bboxes,
        styles: vec![p.style],
        time: p.time,
    }
}

/// The WGS 84 / UTM zones (north or south) a WGS 84 extent touches.
fn utm_zones(b: &BBox) -> Vec<u32> {
    let zone = |lon: f64| (((lon + 180.0) / 6.0).floor() as i64).clamp(0, 59) as u32 + 1;
    let (z0, z1) = (zone(b.min_x), zone(b.max_x));
    let mut out = Vec::new();
    for z in z0..=z1 {
        if b.max_y > 0.0 {
            out.push(32600 + z);
        }
        if b.min_y < 0.0 {
            out.push(32700 + z);
        }
    }
    out
}
