//! `Crs`: a coordinate reference system named by its EPSG code.
//!
//! Coordinates inside tegel are always in "x = east/longitude, y = north/latitude"
//! order, whatever the official axis order of the CRS; protocols swap at their edge.

use std::fmt;

/// A CRS identified by EPSG code (`Crs(4326)`, `Crs(28992)`, …).
///
/// `CRS:84` and `EPSG:900913` are aliases that protocol parsing maps onto
/// `Crs(4326)` and `Crs(3857)`; the registry in `geo::crs` knows which codes exist.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Crs(pub u32);

impl Crs {
    pub const WGS84: Crs = Crs(4326);
    pub const WEB_MERCATOR: Crs = Crs(3857);

    pub fn epsg(self) -> u32 {
        self.0
    }
}

impl fmt::Display for Crs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EPSG:{}", self.0)
    }
}
