//! Bounding boxes, affine geotransforms and target grids.
//!
//! Pixel convention (DESIGN §4): row 0 is north; cell (row i, col j) covers
//! `[x0 + j·dx, x0 + (j+1)·dx) × (y0 − (i+1)·|dy|, y0 − i·|dy|]`, sampled at its centre.

/// An axis-aligned box in a CRS, x = east, y = north.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BBox {
    pub min_x: f64,
    pub min_y: f64,
    pub max_x: f64,
    pub max_y: f64,
}

impl BBox {
    pub fn new(min_x: f64, min_y: f64, max_x: f64, max_y: f64) -> BBox {
        BBox { min_x, min_y, max_x, max_y }
    }

    pub fn width(&self) -> f64 {
        self.max_x - self.min_x
    }

    pub fn height(&self) -> f64 {
        self.max_y - self.min_y
    }

    /// True when every coordinate is finite and the box has positive area.
    pub fn is_valid(&self) -> bool {
        [self.min_x, self.min_y, self.max_x, self.max_y].iter().all(|v| v.is_finite())
            && self.max_x > self.min_x
            && self.max_y > self.min_y
    }

    /// True when the interiors overlap (touching edges do not count).
    pub fn intersects(&self, other: &BBox) -> bool {
        self.min_x < other.max_x
            && other.min_x < self.max_x
            && self.min_y < other.max_y
            && other.min_y < self.max_y
    }

    /// The smallest box holding both.
    pub fn union(&self, other: &BBox) -> BBox {
        BBox {
            min_x: self.min_x.min(other.min_x),
            min_y: self.min_y.min(other.min_y),
            max_x: self.max_x.max(other.max_x),
            max_y: self.max_y.max(other.max_y),
        }
    }
}

/// A north-up affine transform: `x = origin_x + col·pixel_x`, `y = origin_y + row·pixel_y`
/// with `pixel_y < 0`. `(origin_x, origin_y)` is the outer top-left corner.
/// Rotated grids are not representable on purpose: tegel refuses them at ingest.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GeoTransform {
    pub origin_x: f64,
    pub origin_y: f64,
    pub pixel_x: f64,
    pub pixel_y: f64,
}

impl GeoTransform {
    /// The transform of a `width`×`height` grid spanning `bbox` exactly.
    pub fn from_bbox(bbox: &BBox, width: u32, height: u32) -> GeoTransform {
        GeoTransform {
            origin_x: bbox.min_x,
            origin_y: bbox.max_y,
            pixel_x: bbox.width() / f64::from(width),
            pixel_y: -bbox.height() / f64::from(height),
        }
    }

    /// The box covered by a `width`×`height` grid with this transform.
    pub fn bbox(&self, width: u32, height: u32) -> BBox {
        let x2 = self.origin_x + f64::from(width) * self.pixel_x;
        let y2 = self.origin_y + f64::from(height) * self.pixel_y;
        BBox::new(self.origin_x.min(x2), self.origin_y.min(y2), self.origin_x.max(x2), self.origin_y.max(y2))
    }

    /// Fractional (col, row) of a world coordinate; cell centres sit at `.5`.
    pub fn world_to_pixel(&self, x: f64, y: f64) -> (f64, f64) {
        ((x - self.origin_x) / self.pixel_x, (y - self.origin_y) / self.pixel_y)
    }

    /// World coordinate of a fractional (col, row).
    pub fn pixel_to_world(&self, col: f64, row: f64) -> (f64, f64) {
        (self.origin_x + col * self.pixel_x, self.origin_y + row * self.pixel_y)
    }

    /// The transform of an overview `factor` times coarser over the same origin.
    pub fn scaled(&self, factor: f64) -> GeoTransform {
        GeoTransform { pixel_x: self.pixel_x * factor, pixel_y: self.pixel_y * factor, ..*self }
    }
}

/// The grid a request wants filled: CRS, outer bounds and size in pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GridSpec {
    pub crs: crate::model::Crs,
    pub bbox: BBox,
    pub width: u32,
    pub height: u32,
}

impl GridSpec {
    pub fn transform(&self) -> GeoTransform {
        GeoTransform::from_bbox(&self.bbox, self.width, self.height)
    }

    pub fn pixels(&self) -> usize {
        self.width as usize * self.height as usize
    }
}
