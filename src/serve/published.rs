//! The layers published over OGC (WMS and WMTS): every layer the caller
//! may read that has data, with its name, native extent, WGS 84
//! extent, default style and time values — read from the catalogue snapshot.
//!
//! Shared by the WMS and WMTS capabilities and WMTS GetTile; builds no
//! document and renders nothing.

use super::layer::{Access, default_style_name, uses_colormap};
use crate::catalogue::{RasterLayer, Snapshot};
use crate::geo::cache::TransformCache;
use crate::geo::envelope::transform_bbox;
use crate::model::{BBox, Crs};
use crate::protocol::wms::capabilities::{StyleInfo, TimeDimension};

/// Points per edge when transforming extents.
const DENSIFY: usize = 21;

/// One published layer.
#[derive(Clone, Debug)]
pub struct Published {
    /// The layer's uuid.
    pub uuid: uuid::Uuid,
    /// `org-slug:layer-slug`.
    pub name: String,
    pub title: String,
    pub abstract_: Option<String>,
    pub native: Crs,
    /// In the native CRS.
    pub extent: BBox,
    /// x = longitude, y = latitude.
    pub wgs84: BBox,
    pub style: StyleInfo,
    pub time: Option<TimeDimension>,
}

/// Every layer `caller` may read that has data, in catalogue order.
pub fn all(access: Access<'_>, transforms: &TransformCache) -> Vec<Published> {
    access
        .layers()
        .filter_map(|l| one(access.snap, l, transforms))
        .collect()
}

/// `layer` as published; `None` for layers without data (nothing to
/// advertise). Does not check access.
pub fn one(snap: &Snapshot, layer: &RasterLayer, transforms: &TransformCache) -> Option<Published> {
    let name = snap.wms_name(layer)?;
    let source = snap.shown_source(layer)?;
    let grid = source.grid.as_ref()?;
    let native = grid.crs();
    let extent = grid.transform().bbox(grid.width, grid.height);
    let wgs84 = envelope(transforms, native, Crs::WGS84, &extent)?;
    let time = source.temporal.then(|| {
        let values: Vec<_> = source.frames.iter().filter_map(|f| f.timestamp).collect();
        values
            .last()
            .copied()
            .map(|default| TimeDimension { values, default })
    });
    Some(Published {
        uuid: layer.uuid,
        name,
        title: layer.name.clone(),
        abstract_: Some(layer.description.clone()).filter(|s| !s.is_empty()),
        native,
        extent,
        wgs84,
        style: StyleInfo {
            name: default_style_name(layer).to_owned(),
            title: if uses_colormap(layer) {
                "default (the layer's own colormap)".to_string()
            } else {
                format!("default ({})", layer.default_style())
            },
            legend: None,
        },
        time: time.flatten(),
    })
}

/// The envelope of `b` transformed `from` → `to`; `None` when it cannot be.
pub fn envelope(transforms: &TransformCache, from: Crs, to: Crs, b: &BBox) -> Option<BBox> {
    let t = transforms.get(from, to).ok()?;
    transform_bbox(&t, b, DENSIFY).ok().filter(BBox::is_valid)
}
