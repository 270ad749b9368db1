//! Legend and limits requests: raw KVP → typed `GetLegendGraphic` (SLD 1.1
//! WMS profile), and Lizard's vendor `getlegend` and `getlimits`.
//!
//! Only syntax and limits; layer and style existence are checked by whoever
//! looks them up. No catalogue, no drawing here.

use super::getmap::{parse_crs_param, to_internal_bbox};
use super::params::{parse_bbox_numbers, parse_bool, parse_size};
use super::{OgcCode, OgcError, WmsVersion};
use crate::geo::crs::CrsName;
use crate::model::{BBox, GridSpec, TimeSel};
use crate::protocol::kvp::{Kvp, clip};
use crate::protocol::time::TimeParam;

/// Legend image size when WIDTH/HEIGHT are not given (pixels).
pub const LEGEND_DEFAULT_WIDTH: u32 = 100;
pub const LEGEND_DEFAULT_HEIGHT: u32 = 200;
/// Largest legend WIDTH and HEIGHT accepted.
pub const LEGEND_MAX_SIZE: u32 = 2048;
/// `getlegend` steps when `steps` is absent, and the most accepted.
pub const DEFAULT_STEPS: u32 = 10;
pub const MAX_STEPS: u32 = 1000;

/// What a legend is returned as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LegendFormat {
    Png,
    /// GeoServer's JSON legend (`application/json`).
    Json,
}

impl LegendFormat {
    /// `image/png` (also `png`, `image/png8` …) or `application/json` (also `json`).
    pub fn parse(value: &str) -> Option<LegendFormat> {
        let base = value
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        match base.as_str() {
            "image/png" | "png" | "image/png8" | "image/png24" | "image/png32" => {
                Some(LegendFormat::Png)
            }
            "application/json" | "json" => Some(LegendFormat::Json),
            _ => None,
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            LegendFormat::Png => "image/png",
            LegendFormat::Json => "application/json",
        }
    }
}

/// A GetLegendGraphic request. `RULE`, `SCALE`, `SLD_VERSION` and the
/// contextual parameters clients add (BBOX, CRS, DPI …) are accepted and ignored.
#[derive(Clone, Debug, PartialEq)]
pub struct GetLegendGraphic {
    pub version: WmsVersion,
    pub layer: String,
    /// `""` = the layer's default style.
    pub style: String,
    pub format: LegendFormat,
    /// The PNG's exact size.
    pub width: u32,
    pub height: u32,
    pub transparent: bool,
}

/// Lizard's `request=getlegend`: JSON steps of a style.
#[derive(Clone, Debug, PartialEq)]
pub struct GetLegend {
    pub version: WmsVersion,
    pub layer: Option<String>,
    /// The STYLES string; `None` → the layer's default (needs `layer`).
    pub style: Option<String>,
    pub steps: u32,
}

/// Lizard's `request=getlimits`: `[[min, max]]` of a layer's data on a grid.
#[derive(Clone, Debug, PartialEq)]
pub struct GetLimits {
    pub version: WmsVersion,
    pub layer: String,
    pub crs: CrsName,
    /// x = east, y = north.
    pub bbox: BBox,
    pub width: u32,
    pub height: u32,
    pub time: Option<TimeParam>,
}

impl GetLimits {
    pub fn grid(&self) -> GridSpec {
        GridSpec {
            crs: self.crs.crs,
            bbox: self.bbox,
            width: self.width,
            height: self.height,
        }
    }

    /// As GetMap: no TIME → latest frame, an instant → nearest frame.
    pub fn time_sel(&self) -> Result<TimeSel, OgcError> {
        super::getmap::time_sel_of(self.version, self.time.as_ref())
    }
}

/// The version a legend/limits request is answered in: VERSION (or WMTVER)
/// `1.3.0` → 1.3.0, `1.1.1`/`1.1.0`/`1.0.0` (SLD-era clients) → 1.1.1; missing
/// → `default`; anything else → error.
fn version(kvp: &Kvp, default: WmsVersion) -> Result<WmsVersion, OgcError> {
    match WmsVersion::requested(kvp) {
        None => Ok(default),
        Some(raw) if raw.trim() == "1.0.0" => Ok(WmsVersion::V1_1_1),
        Some(raw) => WmsVersion::parse_exact(raw.trim()).ok_or_else(|| {
            OgcError::invalid(
                WmsVersion::hint(kvp),
                "VERSION",
                format!(
                    "VERSION '{}' is not supported; use 1.3.0 or 1.1.1",
                    clip(raw)
                ),
            )
        }),
    }
}

fn optional_size(v: WmsVersion, kvp: &Kvp, name: &str, default: u32) -> Result<u32, OgcError> {
    match kvp.get_nonempty(name) {
        Some(raw) => parse_size(v, name, raw, LEGEND_MAX_SIZE),
        None => Ok(default),
    }
}

/// Parses GetLegendGraphic. LAYER (alias LAYERS, one name) and FORMAT are
/// required; STYLE (alias STYLES) optional; WIDTH/HEIGHT give the image size
/// (default 100×200, at most 2048); TRANSPARENT=TRUE leaves the background
/// transparent. Unknown FORMAT → `InvalidFormat`.
pub fn parse_getlegendgraphic(kvp: &Kvp) -> Result<GetLegendGraphic, OgcError> {
    let v = version(kvp, WmsVersion::hint(kvp))?;
    let layer = kvp
        .get_nonempty("LAYER")
        .or_else(|| kvp.get_nonempty("LAYERS"))
        .ok_or_else(|| {
            OgcError::invalid(v, "LAYER", "GetLegendGraphic needs the LAYER parameter")
        })?;
    if layer.contains(',') {
        return Err(OgcError::invalid(
            v,
            "LAYER",
            format!("LAYER '{}' must name exactly one layer", clip(layer)),
        ));
    }
    let style = kvp
        .get_nonempty("STYLE")
        .or_else(|| kvp.get_nonempty("STYLES"))
        .unwrap_or("")
        .trim()
        .to_string();
    let raw_format = kvp.get_nonempty("FORMAT").ok_or_else(|| {
        OgcError::invalid(v, "FORMAT", "GetLegendGraphic needs the FORMAT parameter")
    })?;
    let format = LegendFormat::parse(raw_format).ok_or_else(|| {
        OgcError::with_code(
            v,
            OgcCode::InvalidFormat,
            Some("FORMAT"),
            format!(
                "FORMAT '{}' is not offered for legends; use image/png or application/json",
                clip(raw_format)
            ),
        )
    })?;
    let width = optional_size(v, kvp, "WIDTH", LEGEND_DEFAULT_WIDTH)?;
    let height = optional_size(v, kvp, "HEIGHT", LEGEND_DEFAULT_HEIGHT)?;
    let transparent = match kvp.get_nonempty("TRANSPARENT") {
        Some(raw) => parse_bool(v, "TRANSPARENT", raw)?,
        None => false,
    };
    Ok(GetLegendGraphic {
        version: v,
        layer: layer.trim().to_string(),
        style,
        format,
        width,
        height,
        transparent,
    })
}

/// Parses Lizard's `getlegend`: `style`, optional `layer` (alias `layers`),
/// `steps` (1..=1000, default 10); `format` may be absent or `json`. Neither a
/// style nor a layer → error naming STYLE.
pub fn parse_getlegend(kvp: &Kvp) -> Result<GetLegend, OgcError> {
    let v = version(kvp, WmsVersion::V1_1_1)?;
    if let Some(f) = kvp.get_nonempty("FORMAT") {
        if LegendFormat::parse(f) != Some(LegendFormat::Json) {
            return Err(OgcError::with_code(
                v,
                OgcCode::InvalidFormat,
                Some("FORMAT"),
                format!(
                    "FORMAT '{}' is not offered for getlegend; use json",
                    clip(f)
                ),
            ));
        }
    }
    let layer = kvp
        .get_nonempty("LAYER")
        .or_else(|| kvp.get_nonempty("LAYERS"))
        .map(|l| l.trim().to_string());
    let style = kvp
        .get_nonempty("STYLE")
        .or_else(|| kvp.get_nonempty("STYLES"))
        .map(|s| s.trim().to_string());
    if layer.is_none() && style.is_none() {
        return Err(OgcError::invalid(
            v,
            "STYLE",
            "getlegend needs the STYLE (or LAYER) parameter",
        ));
    }
    let steps = match kvp.get_nonempty("STEPS") {
        Some(raw) => parse_size(v, "STEPS", raw, MAX_STEPS)?,
        None => DEFAULT_STEPS,
    };
    Ok(GetLegend {
        version: v,
        layer,
        style,
        steps,
    })
}

/// Parses Lizard's `getlimits`: LAYERS (alias LAYER; exactly one), SRS/CRS,
/// BBOX (axis order as GetMap of the version; 1.1.1 when VERSION is absent),
/// WIDTH and HEIGHT (the sample grid, within `max`), optional TIME. STYLES
/// and FORMAT are ignored.
pub fn parse_getlimits(kvp: &Kvp, limits: &super::WmsLimits) -> Result<GetLimits, OgcError> {
    let v = version(kvp, WmsVersion::V1_1_1)?;
    let required = |name: &str| {
        kvp.get_nonempty(name).ok_or_else(|| {
            OgcError::invalid(v, name, format!("getlimits needs the {name} parameter"))
        })
    };
    let layer = kvp
        .get_nonempty("LAYERS")
        .or_else(|| kvp.get_nonempty("LAYER"))
        .ok_or_else(|| OgcError::invalid(v, "LAYERS", "getlimits needs the LAYERS parameter"))?;
    if layer.contains(',') {
        return Err(OgcError::invalid(
            v,
            "LAYERS",
            format!(
                "LAYERS '{}' must name exactly one layer for getlimits",
                clip(layer)
            ),
        ));
    }
    let crs = parse_crs_param(v, kvp, "getlimits")?;
    let bbox = to_internal_bbox(v, crs, parse_bbox_numbers(v, required("BBOX")?)?);
    if !bbox.is_valid() {
        return Err(OgcError::invalid(
            v,
            "BBOX",
            "BBOX minimum must be less than maximum on both axes (minx,miny,maxx,maxy)",
        ));
    }
    let width = parse_size(v, "WIDTH", required("WIDTH")?, limits.max_width)?;
    let height = parse_size(v, "HEIGHT", required("HEIGHT")?, limits.max_height)?;
    super::getmap::check_pixels(v, width, height, limits)?;
    let time = match kvp.get_nonempty("TIME") {
        Some(t) => Some(TimeParam::parse(t).map_err(|e| OgcError::from_time(v, &e))?),
        None => None,
    };
    Ok(GetLimits {
        version: v,
        layer: layer.trim().to_string(),
        crs,
        bbox,
        width,
        height,
        time,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::wms::WmsLimits;

    fn kvp(q: &str) -> Kvp {
        Kvp::parse(q).unwrap()
    }

    #[test]
    fn legend_graphic() {
        let r = parse_getlegendgraphic(&kvp(
            "VERSION=1.3.0&LAYER=a:b&FORMAT=image/png&SLD_VERSION=1.1.0&RULE=x&STYLES=viridis",
        ))
        .unwrap();
        assert_eq!(r.version, WmsVersion::V1_3_0);
        assert_eq!((r.layer.as_str(), r.style.as_str()), ("a:b", "viridis"));
        assert_eq!((r.width, r.height), (100, 200));
        let r = parse_getlegendgraphic(&kvp(
            "version=1.0.0&layer=a&format=application/json&width=20&height=30",
        ))
        .unwrap();
        assert_eq!(
            (r.version, r.format, r.width, r.height),
            (WmsVersion::V1_1_1, LegendFormat::Json, 20, 30)
        );
        let e = parse_getlegendgraphic(&kvp("LAYER=a&FORMAT=image/gif")).unwrap_err();
        assert_eq!(e.code, Some(OgcCode::InvalidFormat));
        for bad in [
            "FORMAT=image/png",
            "LAYER=a,b&FORMAT=image/png",
            "LAYER=a&FORMAT=image/png&WIDTH=0",
            "LAYER=a&FORMAT=image/png&HEIGHT=4000",
        ] {
            assert!(parse_getlegendgraphic(&kvp(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn getlegend_and_getlimits() {
        let r = parse_getlegend(&kvp("style=RdBu_r:-4.6:-1.17&steps=100&format=json")).unwrap();
        assert_eq!(
            (r.style.as_deref(), r.steps, r.layer),
            (Some("RdBu_r:-4.6:-1.17"), 100, None)
        );
        assert!(parse_getlegend(&kvp("steps=3")).is_err());
        assert!(parse_getlegend(&kvp("style=x&steps=0")).is_err());
        assert!(parse_getlegend(&kvp("style=x&format=image/png")).is_err());
        let r = parse_getlimits(
            &kvp("layers=a:b&width=16&height=16&srs=epsg:4326&bbox=5,50,6,52"),
            &WmsLimits::default(),
        )
        .unwrap();
        assert_eq!(r.version, WmsVersion::V1_1_1);
        assert_eq!(r.bbox, BBox::new(5.0, 50.0, 6.0, 52.0));
        let r = parse_getlimits(
            &kvp("version=1.3.0&layers=a&width=16&height=16&crs=EPSG:4326&bbox=50,5,52,6"),
            &WmsLimits::default(),
        )
        .unwrap();
        assert_eq!(r.bbox, BBox::new(5.0, 50.0, 6.0, 52.0));
        for bad in [
            "width=16&height=16&srs=epsg:4326&bbox=5,50,6,52",
            "layers=a&width=16&height=16&srs=epsg:4326&bbox=6,50,5,52",
            "layers=a&width=99999&height=16&srs=epsg:4326&bbox=5,50,6,52",
            "layers=a&width=16&height=16&bbox=5,50,6,52",
        ] {
            assert!(
                parse_getlimits(&kvp(bad), &WmsLimits::default()).is_err(),
                "{bad}"
            );
        }
        let small = WmsLimits {
            max_pixels: 1000,
            ..WmsLimits::default()
        };
        let q = |w: u32| format!("layers=a&width={w}&height=25&srs=epsg:4326&bbox=5,50,6,52");
        assert!(parse_getlimits(&kvp(&q(40)), &small).is_ok());
        let e = parse_getlimits(&kvp(&q(41)), &small).unwrap_err();
        assert!(e.message.contains("at most 1000"), "{}", e.message);
    }
}
