//! `WmtsLayer`: what WMTS knows of one published layer — identifier, titles,
//! extent, style, time values and the tile matrix sets it is linked to with
//! their limits. The capabilities writer advertises it and `tile.rs` enforces
//! exactly the same links and limits.
//!
//! Filled by the HTTP layer from the catalogue; no I/O here.

use crate::geo::tms::{TileMatrixSet, TileRange};
use crate::model::BBox;
use crate::protocol::wms::capabilities::{StyleInfo, TimeDimension};

/// The identifier of the time dimension (`{Time}` in templates, `TIME=` in KVP).
pub const TIME_DIMENSION: &str = "Time";

/// One layer as WMTS offers it.
#[derive(Clone, Debug, PartialEq)]
pub struct WmtsLayer {
    /// `org-slug:layer-slug`, as WMS names it.
    pub identifier: String,
    pub title: String,
    pub abstract_: Option<String>,
    /// x = longitude, y = latitude.
    pub wgs84: BBox,
    /// The default (and only advertised) style.
    pub style: StyleInfo,
    pub time: Option<TimeDimension>,
    /// At least one; WebMercatorQuad always.
    pub links: Vec<SetLink>,
}

/// A layer's link to a tile matrix set.
#[derive(Clone, Debug, PartialEq)]
pub struct SetLink {
    pub set: &'static TileMatrixSet,
    /// Per level: the tiles with data, or `None` where tiles are not limited.
    pub limits: Vec<Option<TileRange>>,
}

impl SetLink {
    /// Links `set` for a layer whose extent in the set's CRS is `extent`
    /// (`None` when unknown: no limits). Limits whose last row or column would
    /// be 0 are left out: the official schema types `MaxTileRow`/`MaxTileCol`
    /// as positive integers.
    pub fn new(set: &'static TileMatrixSet, extent: Option<&BBox>) -> SetLink {
        let limits = set
            .matrices()
            .map(|m| {
                extent
                    .and_then(|e| m.tiles_covering(e))
                    .filter(|r| r.max_row > 0 && r.max_col > 0)
            })
            .collect();
        SetLink { set, limits }
    }

    /// The limits of level `z` (`None`: the whole matrix).
    pub fn limits(&self, z: u8) -> Option<TileRange> {
        self.limits.get(usize::from(z)).copied().flatten()
    }
}
