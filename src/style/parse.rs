//! `Style`: a parsed STYLES string (Lizard's grammar, spec §6.2).
//!
//! Grammar: `<cmap>`, `<cmap>:<min>:<max>`, the partial forms `<cmap>:<min>:`
//! and `<cmap>:<min>`, and the special name `transparent`. Only parsing and
//! validation live here; colour computation is in `lut`/`apply`.

use super::colormaps::{Colormap, colormap};
use super::error::StyleError;
use super::lut::StyleLut;

/// The name of the style that paints everything fully transparent.
pub const TRANSPARENT: &str = "transparent";

/// A validated style: a colormap (or `transparent`) and its value domain.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    /// `None` for `transparent`.
    cmap: Option<&'static Colormap>,
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
    /// * `<cmap>` — domain [0, 1], matplotlib's own.
    /// * `<cmap>:<min>:<max>` — domain [min, max]; numbers in any float form
    ///   Rust's `f64` parser takes (`-4.6`, `1e-3`, `+5`, `.5`); must be finite.
    /// * `<cmap>:<min>:` and `<cmap>:<min>` — a missing max means matplotlib's
    ///   default upper bound 1.0 (tegel has no data at parse time to take a
    ///   data maximum from), so `viridis:0.2` is [0.2, 1] and `viridis:5` is
    ///   invalid (min > max). Likewise an empty min (`viridis::4`) means 0.0.
    /// * `transparent` (optionally with limits, which are validated and ignored).
    ///
    /// Errors: unknown colormap name (case-sensitive) → `UnknownStyle(name)`;
    /// a malformed or non-finite number, more than three parts, or min > max
    /// → `Invalid`. `min == max` is allowed (everything takes the first colour).
    pub fn parse(s: &str) -> Result<Style, StyleError> {
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
        let min = number(min, 0.0)?;
        let max = number(max, 1.0)?;
        if min > max {
            return Err(StyleError::Invalid(format!("min {min} > max {max}")));
        }
        let cmap = if name == TRANSPARENT {
            None
        } else {
            Some(colormap(name).ok_or_else(|| StyleError::UnknownStyle(name.to_string()))?)
        };
        Ok(Style { cmap, min, max })
    }

    /// The colormap, or `None` for `transparent`.
    pub fn colormap(&self) -> Option<&'static Colormap> {
        self.cmap
    }

    /// True for the `transparent` style.
    pub fn is_transparent(&self) -> bool {
        self.cmap.is_none()
    }

    /// The value domain `(min, max)`; `min <= max`, both finite.
    pub fn limits(&self) -> (f64, f64) {
        (self.min, self.max)
    }

    /// A stable form for cache keys: `transparent`, or `<cmap>:<min>:<max>`
    /// with both limits always written in Rust's shortest round-trip form
    /// (`viridis` and `viridis:0:1.0` both give `viridis:0.0:1.0`).
    pub fn canonical(&self) -> String {
        match self.cmap {
            None => TRANSPARENT.to_string(),
            Some(c) => format!("{}:{:?}:{:?}", c.name(), self.min, self.max),
        }
    }

    /// The lookup table the pixel kernels use (cheap: a few fields, no copy
    /// of the colour table).
    pub fn lut(&self) -> StyleLut {
        StyleLut::new(self.cmap, self.min, self.max)
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
}
