//! Metadata of Place, which `place` evaluates: the store's footprint moved
//! from `anchor` to every coordinate, in the place projection.

use super::meta::Meta;
use super::meta_rules::{reproject, to_wgs84};
use crate::model::{BBox, Crs};

/// Place of the store `x`.
pub(crate) fn place(
    x: &Meta,
    crs: Crs,
    anchor: (f64, f64),
    coords: &[(f64, f64)],
    extents: bool,
) -> Meta {
    let same = x.projection == Some(crs);
    let geometry = x.geometry.and_then(|(c, b)| {
        let b = reproject(c, crs, &b)?;
        let px = coords.iter().map(|c| c.0);
        let py = coords.iter().map(|c| c.1);
        let (minx, maxx) = (
            px.clone().fold(f64::MAX, f64::min),
            px.fold(f64::MIN, f64::max),
        );
        let (miny, maxy) = (
            py.clone().fold(f64::MAX, f64::min),
            py.fold(f64::MIN, f64::max),
        );
        if coords.is_empty() {
            return None;
        }
        Some((
            crs,
            BBox::new(
                b.min_x + minx - anchor.0,
                b.min_y + miny - anchor.1,
                b.max_x + maxx - anchor.0,
                b.max_y + maxy - anchor.1,
            ),
        ))
    });
    Meta {
        projection: if same { x.projection } else { None },
        geo_transform: if same { x.geo_transform } else { None },
        extent: match (extents, geometry) {
            (true, Some((c, b))) => to_wgs84(c, &b),
            _ => None,
        },
        geometry,
        ..x.clone()
    }
}
