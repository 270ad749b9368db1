//! Building the WMS capabilities inputs from the catalogue snapshot: every
//! layer an anonymous caller may read, with its CRSs, extents, styles (with
//! their legend URLs) and time.

use super::legend::legend_link;
use super::state::AppState;
use crate::catalogue::{RasterLayer, Snapshot};
use crate::geo::cache::TransformCache;
use crate::geo::envelope::transform_bbox;
use crate::model::{BBox, Crs};
use crate::protocol::wms::capabilities::{
    LayerInfo, ServiceInfo, StyleInfo, TimeDimension, capabilities,
};
use crate::protocol::wms::{ExceptionsFormat, WmsLimits, WmsVersion};
use uuid::Uuid;

/// CRSs every layer is offered in, besides its own and the UTM zones it touches.
const OFFERED: &[u32] = &[
    4326, 3857, 4258, 3035, 28992, 25831, 25832, 25833, 27700, 2154, 31370,
];
/// Extra per-CRS bounding boxes written for every layer (besides the native one).
const BBOX_CRS: &[u32] = &[3857];
/// Points per edge when transforming extents.
const DENSIFY: usize = 21;

/// Service keywords (`Service/KeywordList`).
const KEYWORDS: &[&str] = &["WMS", "raster", "map"];

/// The capabilities document of the WMS at `/wms/` (`scope` `None`: every
/// public layer) or at `/wms/raster_<uuid>/` (only that layer, which the caller
/// has checked is public); operation URLs point at the same path.
pub fn document_scoped(
    state: &AppState,
    snap: &Snapshot,
    version: WmsVersion,
    scope: Option<Uuid>,
) -> (&'static str, Vec<u8>) {
    let path = match scope {
        Some(id) => format!("/wms/raster_{id}/"),
        None => "/wms/".to_string(),
    };
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
    let layers: Vec<LayerInfo> = snap
        .layers()
        .iter()
        .filter(|l| l.access_modifier.is_public())
        .filter(|l| scope.is_none_or(|id| l.uuid == id))
        .filter_map(|l| layer_info(snap, l, transforms))
        .map(|mut info| {
            for s in &mut info.styles {
                let link = legend_link(&service.online_resource, version, &info.name, &s.name);
                s.legend = Some(link);
            }
            info
        })
        .collect();
    capabilities(version, &service, &layers)
}

/// A layer's entry; `None` for layers without data (nothing to advertise).
fn layer_info(
    snap: &Snapshot,
    layer: &RasterLayer,
    transforms: &TransformCache,
) -> Option<LayerInfo> {
    let name = snap.wms_name(layer)?;
    let source = snap.source(layer.source)?;
    let grid = source.grid.as_ref()?;
    let native = grid.crs();
    let extent = grid.transform().bbox(grid.width, grid.height);
    let wgs84 = envelope(transforms, native, Crs::WGS84, &extent)?;

    let mut crs: Vec<u32> = OFFERED.to_vec();
    crs.push(native.0);
    crs.extend(utm_zones(&wgs84));
    crs.sort_unstable();
    crs.dedup();

    let mut bboxes = vec![(native.0, extent)];
    for &code in BBOX_CRS.iter().filter(|&&c| c != native.0) {
        if let Some(b) = envelope(transforms, native, Crs(code), &extent) {
            bboxes.push((code, b));
        }
    }
    let time = source.temporal.then(|| {
        let values: Vec<_> = source.frames.iter().filter_map(|f| f.timestamp).collect();
        values
            .last()
            .copied()
            .map(|default| TimeDimension { values, default })
    });
    Some(LayerInfo {
        name,
        title: layer.name.clone(),
        abstract_: Some(layer.description.clone()).filter(|s| !s.is_empty()),
        // Every layer answers GetFeatureInfo with its values.
        queryable: true,
        crs,
        wgs84_bbox: wgs84,
        bboxes,
        styles: vec![StyleInfo {
            name: layer.style.clone(),
            title: format!("default ({})", layer.style),
            legend: None,
        }],
        time: time.flatten(),
    })
}

fn envelope(transforms: &TransformCache, from: Crs, to: Crs, b: &BBox) -> Option<BBox> {
    let t = transforms.get(from, to).ok()?;
    transform_bbox(&t, b, DENSIFY).ok().filter(BBox::is_valid)
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
