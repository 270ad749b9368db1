//! GeoTIFF georeferencing → `Crs` + north-up `GeoTransform`, from plain tag values.
//!
//! Shared by ingest (tags read through the `tiff` crate from any GeoTIFF) and by
//! `frame` (tags of tegel's own files). Knows GeoKeys (GTModelType 1024,
//! GTRasterType 1025, GeographicType 2048, ProjectedCSType 3072), ModelPixelScale +
//! ModelTiepoint and ModelTransformation. PixelIsPoint moves the origin half a
//! pixel up-left, as GDAL does. Pure functions; no I/O.

use crate::geo::crs::lookup;
use crate::model::{Crs, GeoTransform};

/// Why georeferencing could not be understood.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum GeorefError {
    #[error("the file has no CRS (no GeoKey directory or no EPSG code in it)")]
    NoCrs,
    #[error("the file's CRS is user-defined (not an EPSG code); only EPSG codes are supported")]
    UserDefinedCrs,
    #[error("EPSG:{0} is not a supported CRS")]
    UnsupportedCrs(u32),
    #[error("the GeoKey directory is malformed")]
    BadGeoKeys,
    #[error(
        "the file has no georeferencing (no ModelPixelScale+ModelTiepoint or ModelTransformation)"
    )]
    NoTransform,
    #[error("the grid is rotated, sheared or not north-up; only north-up grids are supported")]
    Rotated,
    #[error("the georeferencing values are invalid: {0}")]
    BadTransform(&'static str),
}

const MODEL_TYPE: u16 = 1024;
const RASTER_TYPE: u16 = 1025;
const GEOGRAPHIC_TYPE: u16 = 2048;
const PROJECTED_TYPE: u16 = 3072;
const USER_DEFINED: u16 = 32767;

/// The CRS and raster type named by a GeoKeyDirectoryTag.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GeoKeys {
    pub crs: Crs,
    pub pixel_is_point: bool,
}

/// Reads the EPSG code and raster type from GeoKeyDirectoryTag values.
///
/// The projected code is used for projected models (GTModelType 1), the
/// geographic one for geographic models (2); without a model type, whichever is
/// present. The code must be in the CRS registry.
pub fn parse_geokeys(dir: &[u16]) -> Result<GeoKeys, GeorefError> {
    let header = dir.get(..4).ok_or(GeorefError::BadGeoKeys)?;
    let count = usize::from(header[3]);
    let keys = dir.get(4..4 + 4 * count).ok_or(GeorefError::BadGeoKeys)?;
    let inline = |id: u16| -> Option<u16> {
        keys.chunks_exact(4)
            .find(|k| k[0] == id)
            .and_then(|k| (k[1] == 0).then_some(k[3]))
    };
    let pixel_is_point = inline(RASTER_TYPE) == Some(2);
    let code = match inline(MODEL_TYPE) {
        Some(1) => inline(PROJECTED_TYPE),
        Some(2) => inline(GEOGRAPHIC_TYPE),
        _ => inline(PROJECTED_TYPE).or(inline(GEOGRAPHIC_TYPE)),
    };
    let code = match code {
        None | Some(0) => return Err(GeorefError::NoCrs),
        Some(USER_DEFINED) => return Err(GeorefError::UserDefinedCrs),
        Some(c) => u32::from(c),
    };
    let info = lookup(code).ok_or(GeorefError::UnsupportedCrs(code))?;
    Ok(GeoKeys {
        crs: Crs(info.code),
        pixel_is_point,
    })
}

/// The north-up transform from ModelPixelScale + ModelTiepoint, or else
/// ModelTransformation; `pixel_is_point` shifts the origin by half a pixel.
pub fn parse_transform(
    scale: Option<&[f64]>,
    tiepoint: Option<&[f64]>,
    matrix: Option<&[f64]>,
    pixel_is_point: bool,
) -> Result<GeoTransform, GeorefError> {
    let mut t = match (scale, tiepoint, matrix) {
        (Some(s), Some(tp), _) => {
            if s.len() < 2 || tp.len() < 6 {
                return Err(GeorefError::BadTransform(
                    "short ModelPixelScale or ModelTiepoint",
                ));
            }
            if tp.len() > 6 {
                return Err(GeorefError::BadTransform(
                    "more than one tiepoint (ground control points)",
                ));
            }
            let (sx, sy) = (s[0], s[1]);
            if sy < 0.0 {
                return Err(GeorefError::Rotated);
            }
            GeoTransform {
                origin_x: tp[3] - tp[0] * sx,
                origin_y: tp[4] + tp[1] * sy,
                pixel_x: sx,
                pixel_y: -sy,
            }
        }
        (_, _, Some(m)) => {
            if m.len() < 8 {
                return Err(GeorefError::BadTransform("short ModelTransformation"));
            }
            if m[1] != 0.0 || m[4] != 0.0 {
                return Err(GeorefError::Rotated);
            }
            GeoTransform {
                origin_x: m[3],
                origin_y: m[7],
                pixel_x: m[0],
                pixel_y: m[5],
            }
        }
        _ => return Err(GeorefError::NoTransform),
    };
    let values = [t.origin_x, t.origin_y, t.pixel_x, t.pixel_y];
    if values.iter().any(|v| !v.is_finite()) {
        return Err(GeorefError::BadTransform("not finite"));
    }
    if t.pixel_x == 0.0 || t.pixel_y == 0.0 {
        return Err(GeorefError::BadTransform("zero pixel size"));
    }
    if t.pixel_x < 0.0 || t.pixel_y > 0.0 {
        return Err(GeorefError::Rotated);
    }
    if pixel_is_point {
        t.origin_x -= 0.5 * t.pixel_x;
        t.origin_y -= 0.5 * t.pixel_y;
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn geokeys() {
        let rd = [1, 1, 0, 3, 1024, 0, 1, 1, 1025, 0, 1, 2, 3072, 0, 1, 28992];
        assert_eq!(
            parse_geokeys(&rd),
            Ok(GeoKeys {
                crs: Crs(28992),
                pixel_is_point: true
            })
        );
        let wgs = [1, 1, 0, 2, 1024, 0, 1, 2, 2048, 0, 1, 4326];
        assert_eq!(parse_geokeys(&wgs).map(|k| k.crs), Ok(Crs(4326)));
        assert_eq!(
            parse_geokeys(&[1, 1, 0, 1, 3072, 0, 1, 32767]),
            Err(GeorefError::UserDefinedCrs)
        );
        assert_eq!(
            parse_geokeys(&[1, 1, 0, 1, 3072, 0, 1, 2056]),
            Err(GeorefError::UnsupportedCrs(2056))
        );
        assert_eq!(
            parse_geokeys(&[1, 1, 0, 1, 1024, 0, 1, 1]),
            Err(GeorefError::NoCrs)
        );
        assert_eq!(
            parse_geokeys(&[1, 1, 0, 9, 1024]),
            Err(GeorefError::BadGeoKeys)
        );
        assert_eq!(parse_geokeys(&[1]), Err(GeorefError::BadGeoKeys));
    }

    #[test]
    fn transforms() {
        let t = parse_transform(
            Some(&[2.0, 0.5, 0.0]),
            Some(&[1.0, 2.0, 0.0, 100.0, 50.0, 0.0]),
            None,
            false,
        );
        assert_eq!(
            t,
            Ok(GeoTransform {
                origin_x: 98.0,
                origin_y: 51.0,
                pixel_x: 2.0,
                pixel_y: -0.5
            })
        );
        let t = parse_transform(
            Some(&[2.0, 0.5, 0.0]),
            Some(&[0.0, 0.0, 0.0, 100.0, 50.0, 0.0]),
            None,
            true,
        );
        assert_eq!(
            t,
            Ok(GeoTransform {
                origin_x: 99.0,
                origin_y: 50.25,
                pixel_x: 2.0,
                pixel_y: -0.5
            })
        );
        let m = [
            10.0, 0.0, 0.0, 5.0, 0.0, -10.0, 0.0, 7.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0,
        ];
        assert_eq!(
            parse_transform(None, None, Some(&m), false),
            Ok(GeoTransform {
                origin_x: 5.0,
                origin_y: 7.0,
                pixel_x: 10.0,
                pixel_y: -10.0
            })
        );
        let mut rot = m;
        rot[1] = 0.2;
        assert_eq!(
            parse_transform(None, None, Some(&rot), false),
            Err(GeorefError::Rotated)
        );
        assert_eq!(
            parse_transform(None, None, None, false),
            Err(GeorefError::NoTransform)
        );
        assert!(parse_transform(Some(&[f64::NAN, 1.0]), Some(&[0.0; 6]), None, false).is_err());
        assert!(parse_transform(Some(&[0.0, 1.0]), Some(&[0.0; 6]), None, false).is_err());
    }
}
