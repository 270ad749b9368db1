//! Building the WMS capabilities inputs from the catalogue snapshot: every
//! published layer the caller may read (see `published.rs`) in the WMS's
//! scope, with the CRSs and extents WMS offers, its styles with their legend
//! URLs, and its time values.

use super::super::failure::Failure;
use super::super::layer::Access;
use super::super::published::{self, Published, envelope};
use super::super::reply::{Reply, revalidate};
use super::super::service::Service;
use super::Offered;
use super::legend::legend_link;
use crate::cache::etag_of;
use crate::catalogue::Snapshot;
use crate::geo::cache::TransformCache;
use crate::model::{BBox, Crs};
use crate::protocol::wms::capabilities::{LayerInfo, ServiceInfo, capabilities};
use crate::protocol::wms::{ExceptionsFormat, GetCapabilities, WmsVersion};
use uuid::Uuid;

/// CRSs every layer is offered in, besides its own and the UTM zones it touches.
const OFFERED: &[u32] = &[
    4326, 3857, 4258, 3035, 28992, 25831, 25832, 25833, 27700, 2154, 31370,
];
/// Extra per-CRS bounding boxes written for every layer (besides the native one).
const BBOX_CRS: &[u32] = &[3857];

/// Service keywords (`Service/KeywordList`).
const KEYWORDS: &[&str] = &["WMS", "raster", "map"];

impl Offered {
    /// The path of the WMS, with its final `/`.
    fn path(&self) -> String {
        match self {
            Offered::All => "/wms/".to_string(),
            Offered::Layer(id) => format!("/wms/raster_{id}/"),
            Offered::Collection(_, slug) => format!("/wms/{slug}/"),
        }
    }

    fn offers(&self, snap: &Snapshot, layer: Uuid) -> bool {
        match self {
            Offered::All => true,
            Offered::Layer(id) => *id == layer,
            Offered::Collection(c, _) => snap
                .layer(layer)
                .is_some_and(|l| l.layer_collections.contains(c)),
        }
    }
}

/// GetCapabilities: the document of the WMS at `offered` as the caller sees
/// it. It changes whenever the catalogue does (clients revalidate) and
/// differs per caller (the layers they may read): the tag covers its whole
/// content, so one caller's copy never validates another's.
pub(super) fn answer(
    service: &Service,
    access: Access<'_>,
    offered: &Offered,
    req: &GetCapabilities,
) -> Result<Reply, Failure> {
    let revision = access.snap.data().revision;
    req.check_update_sequence(Some(revision))?;
    let (mime, body) = document(service, access, req.version, offered);
    let tag = etag_of(
        "caps",
        &[
            req.version.as_str().as_bytes(),
            &revision.to_le_bytes(),
            &body,
        ],
    );
    Ok(Reply::new(mime, body)
        .etag(tag)
        .cache_control(revalidate(!access.caller.is_authenticated()))
        .for_caller(true))
}

/// The capabilities document of the WMS at `offered` as the caller sees it:
/// only the layers they may read; operation URLs point at the scope's path.
fn document(
    service: &Service,
    access: Access<'_>,
    version: WmsVersion,
    offered: &Offered,
) -> (&'static str, Vec<u8>) {
    let snap = access.snap;
    let path = offered.path();
    let info = ServiceInfo {
        title: service.settings.title.clone(),
        abstract_: service.settings.abstract_text.clone(),
        keywords: KEYWORDS.iter().map(|k| k.to_string()).collect(),
        online_resource: format!("{}{path}", service.public_url),
        limits: service.settings.wms_limits,
        update_sequence: Some(snap.data().revision),
        // Answered as images by GetMap (`mod.rs`).
        exceptions: vec![ExceptionsFormat::InImage, ExceptionsFormat::Blank],
    };
    let transforms = &*service.transforms;
    let layers: Vec<LayerInfo> = published::all(access, transforms)
        .into_iter()
        .filter(|p| offered.offers(snap, p.uuid))
        .map(|p| layer_info(p, transforms))
        .map(|mut layer| {
            for s in &mut layer.styles {
                s.legend = Some(legend_link(
                    &info.online_resource,
                    version,
                    &layer.name,
                    &s.name,
                ));
            }
            layer
        })
        .collect();
    capabilities(version, &info, &layers)
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
