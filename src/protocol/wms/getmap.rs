//! GetMap: raw KVP → a validated, typed `GetMap` (WMS 1.3.0 §7.3, 1.1.1 §7.2).
//!
//! Checks everything that needs no catalogue: syntax, counts, limits, CRS names,
//! axis order. Layer and style existence are checked later by whoever looks
//! them up; this file must not touch the catalogue or render anything.

use super::params::{
    ExceptionsFormat, GetMapFormat, parse_bbox_numbers, parse_bgcolor, parse_bool, parse_crs,
    parse_size,
};
use super::{OgcCode, OgcError, WmsLimits, WmsVersion};
use crate::geo::crs::{CrsName, lookup};
use crate::model::{BBox, GridSpec, LayerRef, RenderRequest, Resampling, Rgb, TimeSel};
use crate::protocol::kvp::{Kvp, clip};
use crate::protocol::time::TimeParam;

/// A syntactically valid GetMap request.
#[derive(Clone, Debug, PartialEq)]
pub struct GetMap {
    pub version: WmsVersion,
    /// Layer names as sent (case kept), leftmost drawn bottom-most; 1..=layer_limit.
    pub layers: Vec<String>,
    /// One entry per layer; `""` = the layer's default style.
    pub styles: Vec<String>,
    pub crs: CrsName,
    /// Always x = east, y = north, whatever the CRS's official axis order.
    pub bbox: BBox,
    pub width: u32,
    pub height: u32,
    pub format: GetMapFormat,
    pub transparent: bool,
    pub bgcolor: Rgb,
    pub exceptions: ExceptionsFormat,
    pub time: Option<TimeParam>,
}

impl GetMap {
    /// The target grid (CRS, internal-order bbox, size).
    pub fn grid(&self) -> GridSpec {
        GridSpec {
            crs: self.crs.crs,
            bbox: self.bbox,
            width: self.width,
            height: self.height,
        }
    }

    /// The render time selection: no TIME → latest frame, an instant → nearest
    /// frame, `current` → latest; intervals and lists → `InvalidDimensionValue`.
    pub fn time_sel(&self) -> Result<TimeSel, OgcError> {
        time_sel_of(self.version, self.time.as_ref())
    }

    /// The render request for one of the requested layers, once the caller has
    /// resolved it to `layer` and its STYLES entry to a validated `style`
    /// (`""` → the layer's default, decided by the caller). Fails only on a TIME
    /// that is not an instant (`InvalidDimensionValue`). Nearest resampling.
    pub fn render_request(
        &self,
        layer: LayerRef,
        style: String,
    ) -> Result<RenderRequest, OgcError> {
        Ok(self.render_request_at(layer, style, self.time_sel()?))
    }

    /// [`GetMap::render_request`] with a time selection the caller resolved
    /// (against the layer's frames, for TIME intervals and lists).
    pub fn render_request_at(
        &self,
        layer: LayerRef,
        style: String,
        time: TimeSel,
    ) -> RenderRequest {
        RenderRequest {
            layer,
            grid: self.grid(),
            time,
            style,
            format: self.format.output(),
            resampling: Resampling::Nearest,
            transparent: self.transparent,
            bgcolor: self.bgcolor,
        }
    }
}

/// Parses a GetMap of `version` (already checked by the caller) from `kvp`.
///
/// Parameter names are case-insensitive; unknown ones (`DPI`, `MAP_RESOLUTION`,
/// `FORMAT_OPTIONS`, `TILED`, …) are ignored. Optional parameters given with an
/// empty value take their default. `STYLES` may be missing (all defaults).
/// CRS naming: 1.3.0 reads `CRS`, 1.1.1 `SRS`; the other name is accepted when
/// the version's own name is absent; both present with different CRSs → error.
/// BBOX follows the CRS axis order in 1.3.0 (swapped for northing-first EPSG
/// codes such as 4326 and 3035, never for `CRS:84`); 1.1.1 is always x/y.
pub fn parse_getmap(
    version: WmsVersion,
    kvp: &Kvp,
    limits: &WmsLimits,
) -> Result<GetMap, OgcError> {
    parse_map_part(version, kvp, limits, "GetMap")
}

/// The GetMap "map part" of a request of operation `op` (named in messages).
/// GetFeatureInfo (`op != "GetMap"`) may leave FORMAT out: it shapes no output
/// there, so a missing FORMAT means image/png.
pub(super) fn parse_map_part(
    version: WmsVersion,
    kvp: &Kvp,
    limits: &WmsLimits,
    op: &str,
) -> Result<GetMap, OgcError> {
    let required = |name: &str| {
        kvp.get(name).filter(|v| !v.is_empty()).ok_or_else(|| {
            OgcError::invalid(version, name, format!("{op} needs the {name} parameter"))
        })
    };

    let layers_raw = required("LAYERS")?;
    let layers: Vec<String> = layers_raw.split(',').map(str::to_string).collect();
    if layers.iter().any(|l| l.trim().is_empty()) {
        return Err(OgcError::with_code(
            version,
            OgcCode::LayerNotDefined,
            Some("LAYERS"),
            format!("LAYERS '{}' has an empty layer name", clip(layers_raw)),
        ));
    }
    if layers.len() > limits.layer_limit as usize {
        return Err(OgcError::too_large(
            version,
            "LAYERS",
            format!(
                "LAYERS names {} layers; at most {} are allowed",
                layers.len(),
                limits.layer_limit
            ),
        ));
    }

    let styles = match kvp.get("STYLES") {
        None | Some("") => vec![String::new(); layers.len()],
        Some(raw) => {
            let styles: Vec<String> = raw.split(',').map(|s| s.trim().to_string()).collect();
            if styles.len() != layers.len() {
                return Err(OgcError::invalid(
                    version,
                    "STYLES",
                    format!(
                        "STYLES has {} entries but LAYERS has {}; give one per layer or leave STYLES empty",
                        styles.len(),
                        layers.len()
                    ),
                ));
            }
            styles
        }
    };

    let crs = parse_crs_param(version, kvp, op)?;
    let numbers = parse_bbox_numbers(version, required("BBOX")?)?;
    let bbox = to_internal_bbox(version, crs, numbers);
    if !bbox.is_valid() {
        return Err(OgcError::invalid(
            version,
            "BBOX",
            "BBOX minimum must be less than maximum on both axes (minx,miny,maxx,maxy)",
        ));
    }

    let width = parse_size(version, "WIDTH", required("WIDTH")?, limits.max_width)?;
    let height = parse_size(version, "HEIGHT", required("HEIGHT")?, limits.max_height)?;
    if op == "GetMap" {
        check_pixels(version, width, height, limits)?;
    }
    let format_raw = match kvp.get_nonempty("FORMAT") {
        None if op != "GetMap" => "image/png",
        _ => required("FORMAT")?,
    };
    let format = GetMapFormat::parse(format_raw).ok_or_else(|| {
        OgcError::with_code(
            version,
            OgcCode::InvalidFormat,
            Some("FORMAT"),
            format!(
                "FORMAT '{}' is not offered; use image/png or image/tiff",
                clip(format_raw)
            ),
        )
    })?;
    let transparent = match kvp.get_nonempty("TRANSPARENT") {
        Some(v) => parse_bool(version, "TRANSPARENT", v)?,
        None => false,
    };
    let bgcolor = match kvp.get_nonempty("BGCOLOR") {
        Some(v) => parse_bgcolor(version, v)?,
        None => Rgb::WHITE,
    };
    let exceptions = parse_exceptions_param(version, kvp)?;
    let time = match kvp.get_nonempty("TIME") {
        Some(v) => Some(TimeParam::parse(v).map_err(|e| OgcError::from_time(version, &e))?),
        None => None,
    };
    Ok(GetMap {
        version,
        layers,
        styles,
        crs,
        bbox,
        width,
        height,
        format,
        transparent,
        bgcolor,
        exceptions,
        time,
    })
}

/// `EXCEPTIONS` of a request (default XML); unknown values → error naming it.
/// Usable on its own so that errors of an otherwise broken GetMap can still
/// honour the requested exception format.
pub fn parse_exceptions_param(
    version: WmsVersion,
    kvp: &Kvp,
) -> Result<ExceptionsFormat, OgcError> {
    match kvp.get_nonempty("EXCEPTIONS") {
        None => Ok(ExceptionsFormat::Xml),
        Some(v) => ExceptionsFormat::parse(v).ok_or_else(|| {
            let names = [
                ExceptionsFormat::Xml,
                ExceptionsFormat::InImage,
                ExceptionsFormat::Blank,
            ]
            .map(|e| e.name(version));
            OgcError::invalid(
                version,
                "EXCEPTIONS",
                format!(
                    "EXCEPTIONS '{}' is not one of {}",
                    clip(v),
                    names.join(", ")
                ),
            )
        }),
    }
}

pub(super) fn parse_crs_param(
    version: WmsVersion,
    kvp: &Kvp,
    op: &str,
) -> Result<CrsName, OgcError> {
    let (own, other) = match version {
        WmsVersion::V1_3_0 => ("CRS", "SRS"),
        WmsVersion::V1_1_1 => ("SRS", "CRS"),
    };
    let own_v = kvp.get_nonempty(own);
    let other_v = kvp.get_nonempty(other);
    match (own_v, other_v) {
        (Some(a), Some(b)) => {
            let ca = parse_crs(version, own, a)?;
            let cb = parse_crs(version, other, b)?;
            if ca != cb {
                return Err(OgcError::invalid(
                    version,
                    own,
                    format!(
                        "{own} '{}' and {other} '{}' disagree; send only {own}",
                        clip(a),
                        clip(b)
                    ),
                ));
            }
            Ok(ca)
        }
        (Some(a), None) => parse_crs(version, own, a),
        (None, Some(b)) => parse_crs(version, other, b),
        (None, None) => Err(OgcError::invalid(
            version,
            own,
            format!("{op} needs the {own} parameter"),
        )),
    }
}

/// Puts the four BBOX numbers into x = east, y = north order.
pub(super) fn to_internal_bbox(version: WmsVersion, crs: CrsName, [a, b, c, d]: [f64; 4]) -> BBox {
    let swap = version == WmsVersion::V1_3_0
        && !crs.lon_first_alias
        && lookup(crs.crs.epsg()).is_some_and(|i| i.northing_first);
    if swap {
        BBox::new(b, a, d, c)
    } else {
        BBox::new(a, b, c, d)
    }
}

/// Refuses an image of more than `limits.max_pixels` pixels, before
/// anything is computed.
pub(super) fn check_pixels(
    version: WmsVersion,
    width: u32,
    height: u32,
    limits: &WmsLimits,
) -> Result<(), OgcError> {
    let pixels = u64::from(width) * u64::from(height);
    if pixels > limits.max_pixels {
        return Err(OgcError::too_large(
            version,
            "WIDTH",
            format!(
                "WIDTH × HEIGHT is {pixels} pixels; at most {} are allowed",
                limits.max_pixels
            ),
        ));
    }
    Ok(())
}

/// What an image exception (`EXCEPTIONS=INIMAGE` or `BLANK`) of a GetMap
/// looks like: kind, size, background.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImageExceptionParams {
    pub kind: ExceptionsFormat,
    pub width: u32,
    pub height: u32,
    pub transparent: bool,
    pub bgcolor: Rgb,
}

/// The image exception a GetMap asks for, read leniently from its KVP so that
/// errors of an otherwise broken request can still be answered as an image.
/// `None` (answer XML) unless REQUEST is GetMap (or `map`), EXCEPTIONS is
/// INIMAGE/BLANK (either version's spelling), FORMAT is PNG and WIDTH/HEIGHT
/// are valid within `limits`. A bad TRANSPARENT or BGCOLOR takes its default.
pub fn image_exception_params(kvp: &Kvp, limits: &WmsLimits) -> Option<ImageExceptionParams> {
    let op = kvp.get_nonempty("REQUEST")?.trim().to_ascii_lowercase();
    if op != "getmap" && op != "map" {
        return None;
    }
    let kind = ExceptionsFormat::parse(kvp.get_nonempty("EXCEPTIONS")?)?;
    if kind == ExceptionsFormat::Xml {
        return None;
    }
    if GetMapFormat::parse(kvp.get_nonempty("FORMAT")?)? != GetMapFormat::Png {
        return None;
    }
    let v = WmsVersion::hint(kvp);
    let width = parse_size(v, "WIDTH", kvp.get_nonempty("WIDTH")?, limits.max_width).ok()?;
    let height = parse_size(v, "HEIGHT", kvp.get_nonempty("HEIGHT")?, limits.max_height).ok()?;
    check_pixels(v, width, height, limits).ok()?;
    let transparent = kvp
        .get_nonempty("TRANSPARENT")
        .and_then(|t| parse_bool(v, "TRANSPARENT", t).ok())
        .unwrap_or(false);
    let bgcolor = kvp
        .get_nonempty("BGCOLOR")
        .and_then(|c| parse_bgcolor(v, c).ok())
        .unwrap_or(Rgb::WHITE);
    Some(ImageExceptionParams {
        kind,
        width,
        height,
        transparent,
        bgcolor,
    })
}

/// The time selection of an optional TIME parameter, errors in `version`'s
/// exception format: no TIME → latest frame, an instant → nearest frame.
pub(super) fn time_sel_of(
    version: WmsVersion,
    time: Option<&TimeParam>,
) -> Result<TimeSel, OgcError> {
    match time {
        None => Ok(TimeSel::Latest),
        Some(t) => t
            .to_time_sel()
            .map_err(|e| OgcError::from_time(version, &e)),
    }
}
