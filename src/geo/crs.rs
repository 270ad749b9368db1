//! The CRS registry: which EPSG codes tegel serves, their names and axis order.
//!
//! Axis order follows the EPSG definition (the WMS 1.3.0 / WMTS rule): geographic
//! CRSs such as EPSG:4326 and some projected ones such as EPSG:3035 list the
//! northing (latitude) first. Internally tegel always uses x = east, y = north;
//! protocols use `northing_first` to swap at their edge. Transform definitions
//! come from `crs-definitions` (see `transform.rs`), never hand-written.

use crate::model::Crs;

/// What tegel knows about one supported CRS.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CrsInfo {
    pub code: u32,
    pub name: String,
    /// The official first axis is north/latitude (swap BBOX in WMS 1.3.0 and WMTS).
    pub northing_first: bool,
    /// Coordinates are degrees of longitude/latitude.
    pub geographic: bool,
}

/// The fixed list of single codes (UTM zones are generated in `lookup`).
const FIXED: &[(u32, &str, bool, bool)] = &[
    (4326, "WGS 84", true, true),
    (4258, "ETRS89", true, true),
    (3857, "WGS 84 / Pseudo-Mercator", false, false),
    (28992, "Amersfoort / RD New", false, false),
    (3035, "ETRS89-extended / LAEA Europe", true, false),
    (25831, "ETRS89 / UTM zone 31N", false, false),
    (25832, "ETRS89 / UTM zone 32N", false, false),
    (25833, "ETRS89 / UTM zone 33N", false, false),
    (27700, "OSGB36 / British National Grid", false, false),
    (2154, "RGF93 v1 / Lambert-93", false, false),
    (31370, "BD72 / Belgian Lambert 72", false, false),
];

/// Looks up a supported EPSG code; `None` for codes tegel does not serve.
pub fn lookup(code: u32) -> Option<CrsInfo> {
    if let Some(&(code, name, northing_first, geographic)) = FIXED.iter().find(|f| f.0 == code) {
        return Some(CrsInfo { code, name: name.to_string(), northing_first, geographic });
    }
    let (hemisphere, zone) = match code {
        32601..=32660 => ("N", code - 32600),
        32701..=32760 => ("S", code - 32700),
        _ => return None,
    };
    Some(CrsInfo {
        code,
        name: format!("WGS 84 / UTM zone {zone}{hemisphere}"),
        northing_first: false,
        geographic: false,
    })
}

/// Every supported code, in ascending order (for capabilities documents).
pub fn all_codes() -> Vec<u32> {
    let mut codes: Vec<u32> = FIXED.iter().map(|f| f.0).chain(32601..=32660).chain(32701..=32760).collect();
    codes.sort_unstable();
    codes
}

/// How a CRS was named in a request, which decides the axis order of its coordinates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CrsName {
    pub crs: Crs,
    /// `CRS:84` is WGS 84 with longitude first, unlike `EPSG:4326`.
    pub lon_first_alias: bool,
}

/// Parses the CRS names clients send: `EPSG:4326` (any case), `CRS:84`,
/// `EPSG:900913` (= 3857), `urn:ogc:def:crs:EPSG::28992`, `urn:ogc:def:crs:OGC:1.3:CRS84`,
/// `http://www.opengis.net/def/crs/EPSG/0/3857`. Unknown or unsupported → `None`.
pub fn parse_name(name: &str) -> Option<CrsName> {
    let lower = name.trim().to_ascii_lowercase();
    let crs84 = CrsName { crs: Crs::WGS84, lon_first_alias: true };
    if matches!(
        lower.as_str(),
        "crs:84" | "urn:ogc:def:crs:ogc:1.3:crs84" | "urn:ogc:def:crs:ogc::crs84" | "http://www.opengis.net/def/crs/ogc/1.3/crs84"
    ) {
        return Some(crs84);
    }
    let code = lower
        .strip_prefix("epsg:")
        .or_else(|| lower.strip_prefix("urn:ogc:def:crs:epsg::"))
        .or_else(|| lower.strip_prefix("urn:ogc:def:crs:epsg:").and_then(|rest| rest.split_once(':').map(|(_, c)| c)))
        .or_else(|| lower.strip_prefix("http://www.opengis.net/def/crs/epsg/0/"))?;
    if code.is_empty() || !code.bytes().all(|b| b.is_ascii_digit()) || code.len() > 6 {
        return None;
    }
    let code: u32 = code.parse().ok()?;
    let code = if code == 900913 { 3857 } else { code };
    lookup(code).map(|info| CrsName { crs: Crs(info.code), lon_first_alias: false })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_aliases() {
        assert_eq!(parse_name("epsg:4326").unwrap().crs, Crs(4326));
        assert!(parse_name("CRS:84").unwrap().lon_first_alias);
        assert_eq!(parse_name("EPSG:900913").unwrap().crs, Crs(3857));
        assert_eq!(parse_name("urn:ogc:def:crs:EPSG::28992").unwrap().crs, Crs(28992));
        assert_eq!(parse_name("EPSG:32631").unwrap().crs, Crs(32631));
        assert!(parse_name("EPSG:32661").is_none());
        assert!(parse_name("EPSG:").is_none());
        assert!(parse_name("EPSG:+4326").is_none());
    }

    #[test]
    fn axis_order() {
        assert!(lookup(4326).unwrap().northing_first);
        assert!(lookup(3035).unwrap().northing_first);
        assert!(!lookup(3857).unwrap().northing_first);
        assert!(!lookup(28992).unwrap().northing_first);
    }
}
