//! Metadata of the blocks `misc` evaluates: Clip (with its check that store
//! and mask agree in time) and RasterizeWKT.

use super::dtype::Dt;
use super::error::GraphError;
use super::meta::Meta;
use super::meta_rules::{intersect_extent, intersect_geometry, intersect_period, to_wgs84};
use super::wkt::{self, Polygon};
use crate::model::{BBox, Crs};

/// Clip of the store `st` by the mask `cl`.
pub(crate) fn clip(key: &str, st: &Meta, cl: &Meta) -> Result<Meta, GraphError> {
    if st.temporal != cl.temporal {
        return Err(GraphError::node(
            key,
            "the temporal properties of the values raster and the clipping mask differ; consider using Snap",
        ));
    }
    if st.temporal && st.timedelta != cl.timedelta {
        return Err(GraphError::node(
            key,
            "Time resolution of the clipping mask does not match that of the values raster. Consider using Snap.",
        ));
    }
    let mut out = st.clone();
    out.extent = intersect_extent(&[st, cl]);
    out.geometry = intersect_geometry(&[st, cl]);
    out.period = intersect_period(&[st, cl]);
    Ok(out)
}

/// RasterizeWKT: a boolean raster of the polygons' bounds, at instant 0.
pub(crate) fn rasterize_wkt(polygons: &[Polygon], crs: Crs, extents: bool) -> Meta {
    let b = wkt::bounds(polygons);
    let bbox = BBox::new(b[0], b[1], b[2], b[3]);
    Meta {
        dtype: Dt::Bool,
        fillvalue: None,
        extent: if extents { to_wgs84(crs, &bbox) } else { None },
        geometry: Some((crs, bbox)),
        projection: Some(crs),
        geo_transform: None,
        period: Some((0, 0)),
        timedelta: None,
        temporal: false,
    }
}
