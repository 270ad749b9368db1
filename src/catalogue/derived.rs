//! Fields derived from a source's grid, shared by rastersources and the
//! rasterlayers over them (lizard-api.md §1.2): projection, native bounds,
//! pixel sizes and the WGS 84 `spatial_bounds`.

use super::source::SourceGrid;
use crate::geo::envelope::transform_bbox;
use crate::geo::transform::Transformer;
use crate::model::Crs;

/// The native grid as the API shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct NativeGrid {
    /// `EPSG:<code>`.
    pub projection: String,
    /// Lower-left corner (min x, min y).
    pub origin_x: f64,
    pub origin_y: f64,
    /// Upper-right corner (max x, max y).
    pub upper_bound_x: f64,
    pub upper_bound_y: f64,
    pub pixelsize_x: f64,
    /// Negative for north-up grids.
    pub pixelsize_y: f64,
    /// WGS 84 envelope of the four transformed corners; `None` when the
    /// corners do not transform.
    pub spatial_bounds: Option<Bounds>,
}

/// `{west, east, north, south}` in degrees.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bounds {
    pub west: f64,
    pub east: f64,
    pub north: f64,
    pub south: f64,
}

impl NativeGrid {
    pub fn of(grid: &SourceGrid) -> NativeGrid {
        let extent = grid.transform().bbox(grid.width, grid.height);
        // Lizard's spatial_bounds: the envelope of the four corners only.
        let spatial_bounds = Transformer::new(grid.crs(), Crs::WGS84)
            .ok()
            .and_then(|t| transform_bbox(&t, &extent, 0).ok())
            .map(|b| Bounds {
                west: b.min_x,
                east: b.max_x,
                north: b.max_y,
                south: b.min_y,
            });
        NativeGrid {
            projection: format!("EPSG:{}", grid.crs),
            origin_x: extent.min_x,
            origin_y: extent.min_y,
            upper_bound_x: extent.max_x,
            upper_bound_y: extent.max_y,
            pixelsize_x: grid.pixel_x,
            pixelsize_y: grid.pixel_y,
            spatial_bounds,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::DataType;

    #[test]
    fn the_seed_layers_grid() {
        // The SEED rasterlayer: 91×65 cells of 250 m from (207750, 473500).
        let grid = SourceGrid {
            crs: 28992,
            origin_x: 207_750.0,
            origin_y: 473_500.0,
            pixel_x: 250.0,
            pixel_y: -250.0,
            width: 91,
            height: 65,
            dtype: DataType::F32,
            nodata: Some(-9999.0),
        };
        let n = NativeGrid::of(&grid);
        assert_eq!(n.projection, "EPSG:28992");
        assert_eq!((n.origin_x, n.origin_y), (207_750.0, 457_250.0));
        assert_eq!((n.upper_bound_x, n.upper_bound_y), (230_500.0, 473_500.0));
        assert_eq!((n.pixelsize_x, n.pixelsize_y), (250.0, -250.0));
        let b = n.spatial_bounds.expect("bounds");
        // Lizard's values for the same layer (SEED), to ~1e-5 degrees (≈1 m:
        // its PROJ pipeline and ours differ by less).
        for (got, want) in [
            (b.west, 6.157092287525422),
            (b.east, 6.492693862500658),
            (b.north, 52.24701844341964),
            (b.south, 52.098338971572794),
        ] {
            assert!((got - want).abs() < 1e-5, "{b:?}");
        }
    }
}
