//! Web Mercator (EPSG:3857) XYZ tile math: tile address → bounding box.
//!
//! The XYZ / "Google" scheme: zoom `z` has `2^z × 2^z` tiles of 256 px, x grows
//! east, y = 0 is the northern row. Must not touch: WMTS matrix-set documents
//! (those are serialised by `protocol`), transforms.

use super::error::GeoError;
use crate::model::BBox;

/// Half the width of the Web Mercator world: π · 6 378 137 m.
pub const WORLD_HALF_EXTENT: f64 = std::f64::consts::PI * 6_378_137.0;

/// The square Web Mercator world, `[-π·a, π·a]²` in EPSG:3857 metres.
pub const WORLD_EXTENT: BBox = BBox {
    min_x: -WORLD_HALF_EXTENT,
    min_y: -WORLD_HALF_EXTENT,
    max_x: WORLD_HALF_EXTENT,
    max_y: WORLD_HALF_EXTENT,
};

/// The deepest zoom level accepted (tiles are ~3.7 cm at z30).
pub const MAX_ZOOM: u32 = 30;

/// Tile size in pixels of the XYZ scheme.
pub const TILE_SIZE: u32 = 256;

/// The EPSG:3857 bounds of tile `(z, x, y)`.
///
/// Errors with `TileOutOfRange` when `z > MAX_ZOOM` or `x`/`y` ≥ `2^z`. Edges of
/// neighbouring tiles are computed by the same expression, so they are bitwise equal.
pub fn xyz_bbox(z: u32, x: u32, y: u32) -> Result<BBox, GeoError> {
    let n = 1u64 << z.min(MAX_ZOOM);
    if z > MAX_ZOOM || u64::from(x) >= n || u64::from(y) >= n {
        return Err(GeoError::TileOutOfRange { z, x, y });
    }
    let edge = |i: u32| -WORLD_HALF_EXTENT + 2.0 * WORLD_HALF_EXTENT * (f64::from(i) / n as f64);
    // Row y counts from the north; northing edges are mirrored.
    Ok(BBox::new(edge(x), -edge(y + 1), edge(x + 1), -edge(y)))
}

/// The size in metres of one pixel of a 256 px tile at zoom `z` (at the equator).
pub fn resolution(z: u32) -> f64 {
    2.0 * WORLD_HALF_EXTENT / (f64::from(TILE_SIZE) * (1u64 << z.min(63)) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn world_tile() {
        let b = xyz_bbox(0, 0, 0).unwrap();
        assert_eq!(b, WORLD_EXTENT);
        assert_eq!(WORLD_HALF_EXTENT, 20_037_508.342_789_244);
    }

    #[test]
    fn known_tiles() {
        // z1: tile (0, 0) is the north-west quarter.
        assert_eq!(
            xyz_bbox(1, 0, 0).unwrap(),
            BBox::new(-WORLD_HALF_EXTENT, 0.0, 0.0, WORLD_HALF_EXTENT)
        );
        assert_eq!(
            xyz_bbox(1, 1, 1).unwrap(),
            BBox::new(0.0, -WORLD_HALF_EXTENT, WORLD_HALF_EXTENT, 0.0)
        );
        // Tiles over the Netherlands; reference values from mercantile 1.2.1
        // (`mercantile.xy_bounds(x, y, z)`).
        let cases = [
            (
                (12, 2103, 1346),
                [
                    538_116.679_127_641,
                    6_858_541.673_972_296,
                    547_900.618_748_143_5,
                    6_868_325.613_592_798,
                ],
            ),
            (
                (17, 67_321, 43_071),
                [
                    545_760.381_956_160_1,
                    6_868_325.613_592_798,
                    546_066.130_069_300_8,
                    6_868_631.361_705_938,
                ],
            ),
        ];
        for ((z, x, y), want) in cases {
            let b = xyz_bbox(z, x, y).unwrap();
            for (got, want) in [b.min_x, b.min_y, b.max_x, b.max_y].iter().zip(want) {
                assert!((got - want).abs() < 1e-6, "{got} vs {want}");
            }
        }
    }

    #[test]
    fn neighbours_share_edges() {
        let a = xyz_bbox(17, 67_321, 43_071).unwrap();
        let b = xyz_bbox(17, 67_322, 43_072).unwrap();
        assert_eq!(a.max_x, b.min_x);
        assert_eq!(a.min_y, b.max_y);
    }

    #[test]
    fn out_of_range() {
        assert!(xyz_bbox(0, 1, 0).is_err());
        assert!(xyz_bbox(3, 0, 8).is_err());
        assert!(xyz_bbox(31, 0, 0).is_err());
        assert!(xyz_bbox(30, (1 << 30) - 1, (1 << 30) - 1).is_ok());
        assert_eq!(
            xyz_bbox(u32::MAX, 0, 0).unwrap_err().class(),
            crate::model::ErrorClass::BadRequest
        );
    }

    #[test]
    fn resolution_z0() {
        assert!((resolution(0) - 156_543.033_928_041).abs() < 1e-6);
    }
}
