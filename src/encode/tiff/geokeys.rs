//! GeoTIFF georeferencing tags for an EPSG code and a north-up transform.
//!
//! The GeoKey directory holds GTModelTypeGeoKey (1 projected, 2 geographic),
//! GTRasterTypeGeoKey (1 PixelIsArea, 2 PixelIsPoint) and either
//! ProjectedCSTypeGeoKey (3072) or GeographicTypeGeoKey (2048) set to the code;
//! readers such as GDAL complete the definition from the EPSG database.

use super::ifd::{Entry, Value};
use super::tag;
use crate::model::GeoTransform;

/// What a pixel's coordinates denote (GTRasterTypeGeoKey).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RasterType {
    /// The tiepoint is the outer corner of a pixel (GDAL's default, tegel's convention).
    PixelIsArea = 1,
    /// The tiepoint is the centre of a pixel.
    PixelIsPoint = 2,
}

const MODEL_TYPE: u16 = 1024;
const RASTER_TYPE: u16 = 1025;
const GEOGRAPHIC_TYPE: u16 = 2048;
const PROJECTED_TYPE: u16 = 3072;

/// True for EPSG codes in the geographic 2D CRS range (4000–4999: 4326, 4258, …).
///
/// A range rule because `encode` may not consult the CRS registry; every
/// geographic CRS tegel serves lies in it, and no projected one does.
pub fn is_geographic_epsg(code: u32) -> bool {
    (4000..5000).contains(&code)
}

/// The GeoKeyDirectoryTag values for `epsg`.
///
/// Codes above `u16::MAX` cannot be stored in a GeoKey; they are written as
/// user-defined (32767), which readers report as an unknown CRS.
pub fn geokey_directory(epsg: u32, geographic: bool, raster_type: RasterType) -> Vec<u16> {
    let code = u16::try_from(epsg).unwrap_or(32767);
    let (model, crs_key) = if geographic {
        (2, GEOGRAPHIC_TYPE)
    } else {
        (1, PROJECTED_TYPE)
    };
    vec![
        1,
        1,
        0,
        3, // version 1.1.0, 3 keys
        MODEL_TYPE,
        0,
        1,
        model, //
        RASTER_TYPE,
        0,
        1,
        raster_type as u16, //
        crs_key,
        0,
        1,
        code,
    ]
}

/// ModelPixelScale, ModelTiepoint (pixel (0,0) at the outer top-left corner) and
/// the GeoKey directory for a PixelIsArea north-up grid.
pub fn georef_entries(epsg: u32, geographic: bool, transform: &GeoTransform) -> [Entry; 3] {
    [
        Entry::new(
            tag::MODEL_PIXEL_SCALE,
            Value::Double(vec![transform.pixel_x, -transform.pixel_y, 0.0]),
        ),
        Entry::new(
            tag::MODEL_TIEPOINT,
            Value::Double(vec![
                0.0,
                0.0,
                0.0,
                transform.origin_x,
                transform.origin_y,
                0.0,
            ]),
        ),
        Entry::new(
            tag::GEO_KEY_DIRECTORY,
            Value::Short(geokey_directory(epsg, geographic, RasterType::PixelIsArea)),
        ),
    ]
}
