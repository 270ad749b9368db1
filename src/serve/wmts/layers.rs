//! WMTS inputs from the catalogue: the service description and, per
//! published layer, the tile matrix sets it is linked to with their limits.
//!
//! GetCapabilities and GetTile build layers here alike, so what is advertised
//! is exactly what is enforced.

use super::super::layer::Access;
use super::super::published::{self, Published, envelope};
use super::super::service::Service;
use super::super::wms::legend_link;
use crate::catalogue::Snapshot;
use crate::geo::cache::TransformCache;
use crate::geo::tms::{TileMatrixSet, WEB_MERCATOR_QUAD};
use crate::protocol::wms::WmsVersion;
use crate::protocol::wmts::capabilities::WmtsService;
use crate::protocol::wmts::{SetLink, WmtsLayer};

/// The service description (URLs from the public URL).
pub fn service(service: &Service, snap: &Snapshot) -> WmtsService {
    WmtsService {
        title: service.settings.title.clone(),
        abstract_: service.settings.abstract_text.clone(),
        kvp_url: format!("{}/wmts/", service.public_url),
        rest_url: format!("{}/wmts", service.public_url),
        update_sequence: snap.data().revision,
    }
}

/// Every published layer `caller` may read, each style with the `LegendURL`
/// of the WMS GetLegendGraphic request that draws its legend (WMTS-GC-08).
pub fn all(service: &Service, access: Access<'_>) -> Vec<WmtsLayer> {
    let transforms = &*service.transforms;
    let wms = format!("{}/wms/", service.public_url);
    published::all(access, transforms)
        .into_iter()
        .map(|p| {
            let mut layer = wmts_layer(p, &service.tile_matrix_sets, None, transforms);
            layer.style.legend = Some(legend_link(
                &wms,
                WmsVersion::V1_3_0,
                &layer.identifier,
                &layer.style.name,
            ));
            layer
        })
        .collect()
}

/// One published layer by name (`org-slug:layer-slug` or uuid), linked to
/// set `set` only (a tile needs no other); `None` when `caller` may not
/// read it or it has no data.
pub fn by_name(service: &Service, access: Access<'_>, name: &str, set: &str) -> Option<WmtsLayer> {
    let transforms = &*service.transforms;
    let layer = access.find(name)?;
    published::one(access.snap, layer, transforms)
        .map(|p| wmts_layer(p, &service.tile_matrix_sets, Some(set), transforms))
}

/// Links every set of `sets` whose area the layer touches (WebMercatorQuad
/// always), with limits from the layer's extent in the set's CRS; only set
/// `only` when given.
fn wmts_layer(
    p: Published,
    sets: &[&'static TileMatrixSet],
    only: Option<&str>,
    transforms: &TransformCache,
) -> WmtsLayer {
    let links = sets
        .iter()
        .copied()
        .filter(|set| only.is_none_or(|id| id == set.id))
        .filter_map(|set| link(&p, set, transforms))
        .collect();
    WmtsLayer {
        identifier: p.name,
        title: p.title,
        abstract_: p.abstract_,
        wgs84: p.wgs84,
        style: p.style,
        time: p.time,
        links,
    }
}

fn link(
    p: &Published,
    set: &'static TileMatrixSet,
    transforms: &TransformCache,
) -> Option<SetLink> {
    let extent = if set.crs == p.native {
        Some(p.extent)
    } else {
        envelope(transforms, p.native, set.crs, &p.extent)
    };
    let area = set.matrix(0)?.extent();
    match extent {
        Some(e) if e.intersects(&area) => Some(SetLink::new(set, Some(&e))),
        // Every layer has at least this set, unlimited where its extent cannot be placed.
        _ if std::ptr::eq(set, &WEB_MERCATOR_QUAD) => Some(SetLink::new(set, None)),
        _ => None,
    }
}
