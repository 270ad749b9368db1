//! Tile matrix sets (WMTS 1.0 / OGC TMS 2.0): the built-in grids tegel serves
//! tiles in, and the tile address ↔ extent math.
//!
//! * `WebMercatorQuad` — EPSG:3857, the GoogleMapsCompatible well-known scale set, z 0…24.
//! * `WorldCRS84Quad` — CRS84 (lon, lat), 2×1 tiles at z 0, z 0…17.
//! * `EPSG:28992` — the Dutch RD tiling scheme (Geonovum / PDOK), matrices `00`…`16`,
//!   and `NetherlandsRDNewQuad`, the same grid with matrices `0`…`16`.
//!
//! Scale denominators and cell sizes are level-0 constants divided by `2^z`
//! (exact in binary), so they print as the published tables. Sets read from
//! OGC TMS 2.0 JSON (`tms_json.rs`) list their matrices explicitly instead. Coordinates are
//! x = east, y = north; the document writer in `protocol` decides axis order.
//! Must not touch: documents, requests, transforms.

use crate::model::{BBox, Crs};

/// Pixels along each side of a tile in every built-in set.
pub const TILE_SIZE: u32 = 256;

/// How the matrices of a set are named.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MatrixIds {
    /// `0`, `1`, … `24`.
    Plain,
    /// `00`, `01`, … `16` (PDOK's naming).
    TwoDigits,
}

/// A tile matrix set whose level `z` halves the cell size of level `z − 1`.
#[derive(Debug, PartialEq)]
pub struct TileMatrixSet {
    pub id: &'static str,
    /// The CRS tiles are rendered in.
    pub crs: Crs,
    /// `ows:SupportedCRS` exactly as advertised.
    pub supported_crs: &'static str,
    pub well_known_scale_set: Option<&'static str>,
    /// Top-left corner, x = east, y = north.
    pub top_left: (f64, f64),
    /// Cell size of level 0 in CRS units.
    pub cell_size_0: f64,
    pub scale_denominator_0: f64,
    pub matrix_width_0: u64,
    pub matrix_height_0: u64,
    /// Number of matrices (levels `0..levels`).
    pub levels: u8,
    pub ids: MatrixIds,
    /// Advertised as the set's `ows:BoundingBox`, when set.
    pub bbox: Option<BBox>,
    /// The CRS's official first axis is northing: documents write the
    /// TopLeftCorner and bounding box y x.
    pub northing_first: bool,
    /// Explicit matrices (sets read from JSON); empty for the halving sets
    /// described by the level-0 fields.
    pub explicit: &'static [TileMatrix],
}

/// Half the side of the Web Mercator square (π · 6 378 137 m).
const MERC: f64 = 20_037_508.342_789_244;

pub static WEB_MERCATOR_QUAD: TileMatrixSet = TileMatrixSet {
    id: "WebMercatorQuad",
    crs: Crs::WEB_MERCATOR,
    supported_crs: "urn:ogc:def:crs:EPSG:6.18:3:3857",
    well_known_scale_set: Some("urn:ogc:def:wkss:OGC:1.0:GoogleMapsCompatible"),
    top_left: (-MERC, MERC),
    cell_size_0: 156_543.033_928_040_97,
    scale_denominator_0: 559_082_264.028_717_8,
    matrix_width_0: 1,
    matrix_height_0: 1,
    levels: 25,
    ids: MatrixIds::Plain,
    bbox: None,
    northing_first: false,
    explicit: &[],
};

pub static WORLD_CRS84_QUAD: TileMatrixSet = TileMatrixSet {
    id: "WorldCRS84Quad",
    crs: Crs::WGS84,
    supported_crs: "urn:ogc:def:crs:OGC:1.3:CRS84",
    well_known_scale_set: None,
    top_left: (-180.0, 90.0),
    cell_size_0: 0.703_125,
    scale_denominator_0: 279_541_132.014_358_9,
    matrix_width_0: 2,
    matrix_height_0: 1,
    levels: 18,
    ids: MatrixIds::Plain,
    bbox: None,
    northing_first: false,
    explicit: &[],
};

/// The RD square: 880 803.84 m = 256 × 3440.64 m.
const RD_BBOX: BBox = BBox {
    min_x: -285_401.92,
    min_y: 22_598.08,
    max_x: 595_401.92,
    max_y: 903_401.92,
};

pub static NL_EPSG_28992: TileMatrixSet = TileMatrixSet {
    id: "EPSG:28992",
    crs: Crs(28992),
    supported_crs: "urn:ogc:def:crs:EPSG::28992",
    well_known_scale_set: None,
    top_left: (-285_401.92, 903_401.92),
    cell_size_0: 3440.64,
    scale_denominator_0: 12_288_000.0,
    matrix_width_0: 1,
    matrix_height_0: 1,
    levels: 17,
    ids: MatrixIds::TwoDigits,
    bbox: Some(RD_BBOX),
    northing_first: false,
    explicit: &[],
};

pub static NETHERLANDS_RD_NEW_QUAD: TileMatrixSet = TileMatrixSet {
    id: "NetherlandsRDNewQuad",
    well_known_scale_set: Some("urn:ogc:def:wkss:OGC:1.0:NLDEPSG28992Scale"),
    ids: MatrixIds::Plain,
    ..NL_EPSG_28992
};

/// Every built-in set, in the order documents list them.
pub static BUILTIN: [&TileMatrixSet; 4] = [
    &WEB_MERCATOR_QUAD,
    &WORLD_CRS84_QUAD,
    &NL_EPSG_28992,
    &NETHERLANDS_RD_NEW_QUAD,
];

/// A built-in set by its exact identifier.
pub fn find(id: &str) -> Option<&'static TileMatrixSet> {
    BUILTIN.iter().copied().find(|s| s.id == id)
}

/// The built-in sets followed by `extra` (sets read from configuration).
pub fn with_extra(extra: &[&'static TileMatrixSet]) -> Vec<&'static TileMatrixSet> {
    BUILTIN
        .iter()
        .copied()
        .chain(extra.iter().copied())
        .collect()
}

/// One level of a set.
#[derive(Clone, Debug, PartialEq)]
pub struct TileMatrix {
    pub z: u8,
    pub id: String,
    pub scale_denominator: f64,
    pub cell_size: f64,
    /// x = east, y = north.
    pub top_left: (f64, f64),
    pub matrix_width: u64,
    pub matrix_height: u64,
}

/// An inclusive block of tiles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TileRange {
    pub min_row: u64,
    pub max_row: u64,
    pub min_col: u64,
    pub max_col: u64,
}

impl TileRange {
    pub fn contains_row(&self, row: u64) -> bool {
        (self.min_row..=self.max_row).contains(&row)
    }

    pub fn contains_col(&self, col: u64) -> bool {
        (self.min_col..=self.max_col).contains(&col)
    }
}

impl TileMatrixSet {
    /// Level `z`, `None` beyond the deepest.
    pub fn matrix(&self, z: u8) -> Option<TileMatrix> {
        if !self.explicit.is_empty() {
            return self.explicit.get(usize::from(z)).cloned();
        }
        if z >= self.levels {
            return None;
        }
        let f = (1u64 << z) as f64;
        Some(TileMatrix {
            z,
            id: match self.ids {
                MatrixIds::Plain => z.to_string(),
                MatrixIds::TwoDigits => format!("{z:02}"),
            },
            scale_denominator: self.scale_denominator_0 / f,
            cell_size: self.cell_size_0 / f,
            top_left: self.top_left,
            matrix_width: self.matrix_width_0 << z,
            matrix_height: self.matrix_height_0 << z,
        })
    }

    /// Every level, coarsest first.
    pub fn matrices(&self) -> impl Iterator<Item = TileMatrix> + '_ {
        (0..self.levels).filter_map(|z| self.matrix(z))
    }

    /// The level named `id` (compared exactly: `05` is not `5`).
    pub fn matrix_by_id(&self, id: &str) -> Option<TileMatrix> {
        self.matrices().find(|m| m.id == id)
    }
}

impl TileMatrix {
    /// Width (and height) of one tile in CRS units.
    pub fn tile_span(&self) -> f64 {
        self.cell_size * f64::from(TILE_SIZE)
    }

    /// The area all tiles of this matrix cover.
    pub fn extent(&self) -> BBox {
        let span = self.tile_span();
        let (x0, y1) = self.top_left;
        BBox::new(
            x0,
            y1 - self.matrix_height as f64 * span,
            x0 + self.matrix_width as f64 * span,
            y1,
        )
    }

    /// The extent of tile (`row`, `col`), rows counted from the top (TMS-01);
    /// `None` outside the matrix. Written as the XYZ tile math is, so a
    /// WebMercatorQuad tile has bitwise the extent of the XYZ tile z/col/row.
    pub fn tile_bbox(&self, row: u64, col: u64) -> Option<BBox> {
        if row >= self.matrix_height || col >= self.matrix_width {
            return None;
        }
        let span = self.tile_span();
        let min_x = self.top_left.0 + col as f64 * span;
        let max_y = self.top_left.1 - row as f64 * span;
        Some(BBox::new(min_x, max_y - span, min_x + span, max_y))
    }

    /// The tiles touching `b` (clipped to the matrix); `None` when `b` is
    /// invalid or outside the matrix. Conservative: a box ending exactly on a
    /// tile edge includes the tile beyond it.
    pub fn tiles_covering(&self, b: &BBox) -> Option<TileRange> {
        let ext = self.extent();
        if !b.is_valid() || !b.intersects(&ext) {
            return None;
        }
        let span = self.tile_span();
        let index = |d: f64, n: u64| -> u64 {
            let i = (d / span).floor();
            if i <= 0.0 { 0 } else { (i as u64).min(n - 1) }
        };
        let (x0, y1) = self.top_left;
        Some(TileRange {
            min_col: index(b.min_x.max(ext.min_x) - x0, self.matrix_width),
            max_col: index(b.max_x.min(ext.max_x) - x0, self.matrix_width),
            min_row: index(y1 - b.max_y.min(ext.max_y), self.matrix_height),
            max_row: index(y1 - b.min_y.max(ext.min_y), self.matrix_height),
        })
    }
}

#[cfg(test)]
#[path = "tms_tests.rs"]
mod tests;
