//! `Style`: a parsed STYLES string (Lizard's grammar, spec §6.2).
//!
//! Grammar: `<cmap>`, `<cmap>:<min>:<max>`, the partial forms `<cmap>:<min>:`
//! and `<cmap>:<min>`, and the special name `transparent`. `<cmap>` is a
//! matplotlib map or a built-in Lizard map (`dem_nl`, `radar-5min`, …).
//! A string starting with `{` is a Lizard colormap JSON definition: the form
//! a layer's own `colormap` field takes on its way to the renderer (the HTTP
//! layer never accepts it from clients).
//! Only parsing and validation live here; colour computation is in
//! `lut`/`apply`.

use super::colormaps::{Colormap, colormap};
use super::error::StyleError;
use super::lizard::{Definition, Kind, LizardColormap, builtin};
use super::lut::StyleLut;
use std::sync::Arc;

/// The name of the style that paints everything fully transparent.
pub const TRANSPARENT: &str = "transparent";

/// The name a custom (JSON) colormap goes by: it is a layer's default style.
pub const CUSTOM: &str = "default";

/// Longest custom colormap definition accepted, in bytes of JSON.
pub const MAX_CUSTOM_JSON: usize = 64 * 1024;

/// What a style paints with.
#[derive(Clone, Debug)]
enum Map {
    Transparent,
    Matplotlib(&'static Colormap),
    Lizard(&'static LizardColormap),
    /// A Lizard colormap definition given as JSON (a layer's `colormap`).
    Custom(Arc<Definition>),
}

/// A validated style: a colormap (or `transparent`) and its value domain.
#[derive(Clone, Debug)]
pub struct Style {
    map: Map,
    min: f64,
    max: f64,
}

impl PartialEq for Style {
    fn eq(&self, other: &Self) -> bool {
        self.canonical() == other.canonical()
    }
}

impl Style {
    /// Parse a STYLES string.
    ///
    /// * `<cmap>` — a matplotlib map on [0, 1], matplotlib's own domain; a
    ///   Lizard map on its native domain (first to last stop value).
    /// * `<cmap>:<min>:<max>` — domain [min, max]; numbers in any float form
    ///   Rust's `f64` parser takes (`-4.6`, `1e-3`, `+5`, `.5`); must be finite.
    ///   A free Lizard gradient's stops are rescaled linearly onto it (§6.2);
    ///   fixed maps (`free: false`, e.g. `radar-5min`) and discrete maps keep
    ///   their native domain: the limits are validated and ignored.
    /// * `<cmap>:<min>:` and `<cmap>:<min>` — a missing max means the map's
    ///   default upper bound (1.0 for matplotlib, the last stop for Lizard
    ///   maps; tegel has no data at parse time to take a data maximum from),
    ///   so `viridis:0.2` is [0.2, 1] and `viridis:5` is invalid (min > max).
    ///   Likewise an empty min (`viridis::4`) means 0.0 (the first stop).
    /// * `transparent` (optionally with limits, which are validated and ignored).
    ///
    /// Errors: unknown colormap name (case-sensitive) → `UnknownStyle(name)`;
    /// a malformed or non-finite number, more than three parts, min > max,
    /// or min ≤ 0 for a rescaled log map → `Invalid`. `min == max` is allowed
    /// (everything takes the first colour).
    pub fn parse(s: &str) -> Result<Style, StyleError> {
        if s.starts_with('{') {
            return Style::custom(s.as_bytes());
        }
        let mut parts = s.split(':');
        let name = parts.next().unwrap_or_default();
        let min = parts.next();
        let max = parts.next();
        if parts.next().is_some() {
            return Err(StyleError::Invalid(format!("too many ':' parts in '{s}'")));
        }
        if name.is_empty() {
            return Err(StyleError::Invalid("empty colormap name".into()));
        }
        let map = if name == TRANSPARENT {
            Map::Transparent
        } else if let Some(c) = colormap(name) {
            Map::Matplotlib(c)
        } else if let Some(l) = builtin(name) {
            Map::Lizard(l)
        } else {
            return Err(StyleError::UnknownStyle(name.to_string()));
        };
        let (lo, hi) = match map {
            Map::Lizard(l) => l.definition.native_domain(),
            _ => (0.0, 1.0),
        };
        let (min, max) = (number(min, lo)?, number(max, hi)?);
        if min > max {
            return Err(StyleError::Invalid(format!("min {min} > max {max}")));
        }
        let (min, max) = match map {
            Map::Lizard(l) if !l.definition.rescales() => (lo, hi),
            Map::Lizard(l) if l.definition.log && min <= 0.0 => {
                return Err(StyleError::Invalid(format!(
                    "min {min} of the logarithmic map '{name}' is not > 0"
                )));
            }
            _ => (min, max),
        };
        Ok(Style { map, min, max })
    }

    /// A style painting with a Lizard colormap definition in JSON, on its
    /// native domain (limits do not apply to custom maps).
    ///
    /// Errors: `Invalid` for JSON over [`MAX_CUSTOM_JSON`] bytes, malformed
    /// JSON and definitions [`Definition::validate`] refuses.
    pub fn custom(json: &[u8]) -> Result<Style, StyleError> {
        if json.len() > MAX_CUSTOM_JSON {
            return Err(StyleError::Invalid(format!(
                "colormap definition: longer than {MAX_CUSTOM_JSON} bytes"
            )));
        }
        let def = Definition::from_json(json)?;
        let (min, max) = def.native_domain();
        Ok(Style {
            map: Map::Custom(Arc::new(def)),
            min,
            max,
        })
    }

    /// The matplotlib colormap, or `None` for `transparent` and Lizard maps.
    pub fn colormap(&self) -> Option<&'static Colormap> {
        match self.map {
            Map::Matplotlib(c) => Some(c),
            _ => None,
        }
    }

    /// The Lizard definition of a built-in Lizard map or a custom map.
    pub fn lizard(&self) -> Option<&Definition> {
        match &self.map {
            Map::Lizard(l) => Some(&l.definition),
            Map::Custom(d) => Some(d),
            _ => None,
        }
    }

    /// The colormap's name (`transparent` for the transparent style,
    /// [`CUSTOM`] for a custom map).
    pub fn name(&self) -> &'static str {
        match self.map {
            Map::Transparent => TRANSPARENT,
            Map::Matplotlib(c) => c.name(),
            Map::Lizard(l) => l.name,
            Map::Custom(_) => CUSTOM,
        }
    }

    /// True for a custom (JSON) colormap.
    pub fn is_custom(&self) -> bool {
        matches!(self.map, Map::Custom(_))
    }

    /// True for the `transparent` style.
    pub fn is_transparent(&self) -> bool {
        matches!(self.map, Map::Transparent)
    }

    /// True for a logarithmic Lizard gradient.
    pub fn is_log(&self) -> bool {
        self.lizard().is_some_and(|d| d.log)
    }

    /// True for a Lizard discrete map (class lookup).
    pub fn is_discrete(&self) -> bool {
        self.lizard()
            .is_some_and(|d| d.kind == Kind::DiscreteColormap)
    }

    /// The value domain `(min, max)`; `min <= max`, both finite.
    pub fn limits(&self) -> (f64, f64) {
        (self.min, self.max)
    }

    /// A stable form for cache keys: `transparent`, or `<cmap>:<min>:<max>`
    /// with both limits always written in Rust's shortest round-trip form
    /// (`viridis` and `viridis:0:1.0` both give `viridis:0.0:1.0`; a fixed
    /// map gives its native domain whatever limits were asked). A custom map
    /// gives its definition re-serialised as compact JSON (fields in a fixed
    /// order), so the string — and every cache key made of it — changes
    /// exactly when the colours do.
    pub fn canonical(&self) -> String {
        match &self.map {
            Map::Transparent => TRANSPARENT.to_string(),
            Map::Custom(d) => serde_json::to_string(&**d).unwrap_or_default(),
            _ => format!("{}:{:?}:{:?}", self.name(), self.min, self.max),
        }
    }

    /// The lookup table the pixel kernels use (cheap for matplotlib maps: a
    /// few fields and the colour table; a Lizard gradient is sampled).
    pub fn lut(&self) -> StyleLut {
        match &self.map {
            Map::Transparent => StyleLut::new(None, self.min, self.max),
            Map::Matplotlib(c) => StyleLut::new(Some(c), self.min, self.max),
            Map::Lizard(l) => StyleLut::lizard(&l.definition, self.min, self.max),
            Map::Custom(d) => StyleLut::lizard(d, self.min, self.max),
        }
    }
}

fn number(part: Option<&str>, default: f64) -> Result<f64, StyleError> {
    match part {
        None | Some("") => Ok(default),
        Some(p) => match p.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(v),
            _ => Err(StyleError::Invalid(format!("'{p}' is not a finite number"))),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ErrorClass;

    #[test]
    fn forms() {
        let s = Style::parse("RdBu_r:-4.6:-1.17").unwrap();
        assert_eq!(s.colormap().unwrap().name(), "RdBu_r");
        assert_eq!(s.limits(), (-4.6, -1.17));
        assert_eq!(s.canonical(), "RdBu_r:-4.6:-1.17");
        assert_eq!(Style::parse("viridis").unwrap().limits(), (0.0, 1.0));
        assert_eq!(
            Style::parse("viridis").unwrap().canonical(),
            "viridis:0.0:1.0"
        );
        assert_eq!(
            Style::parse("viridis:0:1.0").unwrap(),
            Style::parse("viridis").unwrap()
        );
        assert_eq!(
            Style::parse("jet_r:1e-3:5e2").unwrap().limits(),
            (0.001, 500.0)
        );
        assert_eq!(
            Style::parse("jet_r:1E-3:+5E+2").unwrap().limits(),
            (0.001, 500.0)
        );
        assert_eq!(Style::parse("Blues:.25:").unwrap().limits(), (0.25, 1.0));
        assert_eq!(Style::parse("Blues:0.25").unwrap().limits(), (0.25, 1.0));
        assert_eq!(Style::parse("Blues::7").unwrap().limits(), (0.0, 7.0));
        assert_eq!(Style::parse("Blues:3:3").unwrap().limits(), (3.0, 3.0));
        let c = Style::parse("Blues:1e300:1e301").unwrap().canonical();
        assert_eq!(Style::parse(&c).unwrap().limits(), (1e300, 1e301));
        let t = Style::parse("transparent").unwrap();
        assert!(t.is_transparent());
        assert_eq!(t.canonical(), "transparent");
        assert!(Style::parse("transparent:0:5").unwrap().is_transparent());
    }

    #[test]
    fn errors() {
        for bad in [
            "",
            ":0:1",
            "viridis:a:1",
            "viridis:0:1:2",
            "viridis:2:1",
            "viridis:5",
            "viridis:nan:1",
            "viridis:0:inf",
            "viridis:-inf:0",
            "viridis: 1:2",
            "viridis:0x1:2",
        ] {
            let e = Style::parse(bad).unwrap_err();
            assert!(matches!(e, StyleError::Invalid(_)), "{bad}: {e:?}");
            assert_eq!(e.class(), ErrorClass::BadRequest);
        }
        assert_eq!(
            Style::parse("rdbu_r:0:1").unwrap_err(),
            StyleError::UnknownStyle("rdbu_r".into())
        );
        assert_eq!(
            Style::parse("Transparent").unwrap_err().class(),
            ErrorClass::BadRequest
        );
    }

    #[test]
    fn custom_colormaps_from_json() {
        let a = r#"{"type": "GradientColormap", "data": [[0, [0, 0, 255, 255]], [10, [255, 0, 0, 255]]]}"#;
        let b = r#"{"data": [[0.0, [0, 0, 255, 255]], [10.0, [255, 0, 0, 255]]], "type": "GradientColormap", "free": true}"#;
        let s = Style::parse(a).unwrap();
        assert!(s.is_custom());
        assert_eq!(s.name(), CUSTOM);
        assert_eq!(s.limits(), (0.0, 10.0));
        assert_eq!(s.colormap_type(), "gradient");
        // The canonical form is the same definition whatever the key order,
        // parses back to itself, and changes with the colours.
        assert_eq!(s.canonical(), Style::parse(b).unwrap().canonical());
        assert_eq!(Style::parse(&s.canonical()).unwrap(), s);
        let c = a.replace("255, 0, 0", "255, 0, 1");
        assert_ne!(Style::parse(&c).unwrap().canonical(), s.canonical());
        assert_eq!(s.color_of(0.0), [0, 0, 255, 255]);
        assert_eq!(s.color_of(10.0), [255, 0, 0, 255]);
        let d =
            r#"{"type": "DiscreteColormap", "data": [[1, [1, 2, 3, 255]], [2, [4, 5, 6, 255]]]}"#;
        let d = Style::parse(d).unwrap();
        assert!(d.is_discrete());
        assert_eq!(d.color_of(2.0), [4, 5, 6, 255]);
        for bad in [
            "{",
            "{}",
            r#"{"type": "GradientColormap", "data": []}"#,
            r#"{"type": "DiscreteColormap", "data": [[2, [0, 0, 0, 255]], [1, [0, 0, 0, 255]]]}"#,
            r#"{"type": "Other", "data": [[1, [0, 0, 0, 255]]]}"#,
        ] {
            let e = Style::parse(bad).unwrap_err();
            assert!(matches!(e, StyleError::Invalid(_)), "{bad}: {e:?}");
        }
        let huge = format!(
            "{{\"type\": \"GradientColormap\", \"pad\": \"{}\"}}",
            "x".repeat(MAX_CUSTOM_JSON)
        );
        assert!(Style::parse(&huge).is_err());
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    fn name() -> impl Strategy<Value = &'static str> {
        let names: Vec<&'static str> = super::super::colormaps::names().collect();
        proptest::sample::select(names)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn never_panics_on_any_text(s in "\\PC{0,48}") {
            let _ = Style::parse(&s).map(|st| st.lut());
        }

        #[test]
        fn never_panics_on_its_own_alphabet(s in "(viridis|dem_nl|transparent|Blues)?[:0-9eE.+-]{0,24}") {
            if let Ok(st) = Style::parse(&s) {
                let (lo, hi) = st.limits();
                prop_assert!(lo.is_finite() && hi.is_finite() && lo <= hi, "{}", s);
                let _ = st.lut();
            }
        }

        #[test]
        fn generated_styles_parse_to_their_values(
            name in name(),
            a in -1e12f64..1e12,
            b in -1e12f64..1e12,
        ) {
            let (min, max) = if a <= b { (a, b) } else { (b, a) };
            let text = format!("{name}:{min}:{max}");
            let st = Style::parse(&text).map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
            prop_assert_eq!(st.name(), name);
            prop_assert_eq!(st.limits(), (min, max));
            // The canonical form parses back to the same style.
            prop_assert_eq!(Style::parse(&st.canonical()).ok(), Some(st));
        }

        #[test]
        fn reversed_limits_are_refused(name in name(), a in -1e6f64..1e6, d in 1e-3f64..1e6) {
            let text = format!("{name}:{}:{a}", a + d);
            prop_assert!(Style::parse(&text).is_err(), "{}", text);
        }
    }
}
