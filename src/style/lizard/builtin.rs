//! tegel's built-in Lizard-style colormaps (`transparent`, `dem_nl`,
//! `radar-5min`, `radar-hour`, `radar-day`, `landuse`) and the Lizard form of
//! a matplotlib map.
//!
//! Lizard's own tables for these names are not public: the stops below are
//! tegel's definitions, chosen to look alike (an elevation ramp for the
//! Netherlands in m NAP; fixed-range logarithmic rain ramps in mm per
//! 5 minutes, hour and day; a few land-use classes). Clients read the exact
//! definitions from `/api/v4/colormaps/<name>/`.

use super::{Definition, Kind};
use crate::style::Colormap;
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// A named Lizard colormap.
#[derive(Clone, Debug)]
pub struct LizardColormap {
    pub name: &'static str,
    pub description: &'static str,
    pub definition: Definition,
}

const CLEAR: [u8; 4] = [0, 0, 0, 0];

fn gradient(data: &[(f64, [u8; 4])]) -> Definition {
    Definition {
        kind: Kind::GradientColormap,
        data: data.to_vec(),
        log: false,
        free: true,
        rescalable: None,
        invalid: None,
        masked: Some(CLEAR),
        labels: BTreeMap::new(),
    }
}

/// A fixed-range log rain ramp whose stops are `scale ×` the 5-minute ones.
fn radar(scale: f64) -> Definition {
    let stops = [
        (0.01, [190, 220, 255, 0]),
        (0.1, [160, 200, 255, 255]),
        (0.5, [70, 140, 255, 255]),
        (1.0, [0, 60, 220, 255]),
        (3.0, [250, 220, 0, 255]),
        (10.0, [220, 0, 0, 255]),
    ];
    let data: Vec<_> = stops.iter().map(|&(v, c)| (v * scale, c)).collect();
    Definition {
        log: true,
        free: false,
        rescalable: Some(false),
        invalid: Some(CLEAR),
        ..gradient(&data)
    }
}

/// A land-use class: value, colour, Dutch and English label.
type Class = (f64, [u8; 4], &'static str, &'static str);

fn landuse() -> Definition {
    let classes: [Class; 5] = [
        (1.0, [0, 100, 0, 255], "bos", "forest"),
        (2.0, [170, 220, 100, 255], "grasland", "grassland"),
        (3.0, [240, 200, 90, 255], "akkerbouw", "arable land"),
        (4.0, [200, 60, 60, 255], "bebouwing", "built-up"),
        (5.0, [60, 120, 220, 255], "water", "water"),
    ];
    let label = |pick: fn(&Class) -> &'static str| {
        classes.iter().map(|c| (c.0, pick(c).to_string())).collect()
    };
    Definition {
        kind: Kind::DiscreteColormap,
        free: false,
        rescalable: Some(false),
        invalid: Some(CLEAR),
        labels: BTreeMap::from([
            ("nl_NL".to_string(), label(|c| c.2)),
            ("en".to_string(), label(|c| c.3)),
        ]),
        ..gradient(&classes.map(|c| (c.0, c.1)))
    }
}

static BUILTINS: LazyLock<Vec<LizardColormap>> = LazyLock::new(|| {
    let mut maps = vec![
        LizardColormap {
            name: "transparent",
            description: "Fully transparent (every value alpha 0).",
            definition: gradient(&[(0.0, CLEAR), (1.0, CLEAR)]),
        },
        LizardColormap {
            name: "dem_nl",
            description: "Elevation in m NAP for the Netherlands, -7 to 100 m (tegel's definition).",
            definition: Definition {
                rescalable: Some(true),
                ..gradient(&[
                    (-7.0, [0, 40, 110, 255]),
                    (-2.0, [0, 130, 150, 255]),
                    (0.0, [60, 170, 90, 255]),
                    (5.0, [160, 210, 90, 255]),
                    (20.0, [230, 200, 120, 255]),
                    (50.0, [160, 100, 50, 255]),
                    (100.0, [250, 250, 250, 255]),
                ])
            },
        },
        LizardColormap {
            name: "radar-5min",
            description: "Rain in mm per 5 minutes, 0.01 to 10, logarithmic, fixed range (tegel's definition).",
            definition: radar(1.0),
        },
        LizardColormap {
            name: "radar-hour",
            description: "Rain in mm per hour, 0.12 to 120, logarithmic, fixed range (tegel's definition).",
            definition: radar(12.0),
        },
        LizardColormap {
            name: "radar-day",
            description: "Rain in mm per day, 2.88 to 2880, logarithmic, fixed range (tegel's definition).",
            definition: radar(288.0),
        },
        LizardColormap {
            name: "landuse",
            description: "Land use classes 1 to 5 (tegel's definition).",
            definition: landuse(),
        },
    ];
    maps.sort_by(|a, b| a.name.as_bytes().cmp(b.name.as_bytes()));
    maps
});

/// Every built-in Lizard map, sorted by name (byte order).
pub fn builtins() -> &'static [LizardColormap] {
    &BUILTINS
}

/// The built-in Lizard map named `name` (case-sensitive).
pub fn builtin(name: &str) -> Option<&'static LizardColormap> {
    BUILTINS.iter().find(|m| m.name == name)
}

/// A matplotlib map in Lizard's form, on its native domain [0, 1]: maps of
/// 256 entries or more as a gradient with entry `i` at `i/(N−1)`; smaller
/// (qualitative) maps as hard steps, entry `i` over `[i/N, (i+1)/N]`, which
/// is exactly how tegel paints them. `masked` is matplotlib's bad colour.
pub fn from_matplotlib(c: &Colormap) -> Definition {
    let n = c.len();
    let data: Vec<_> = if n >= 256 {
        c.colors()
            .enumerate()
            .map(|(i, col)| (i as f64 / (n - 1) as f64, col))
            .collect()
    } else {
        c.colors()
            .enumerate()
            .flat_map(|(i, col)| [(i as f64 / n as f64, col), ((i + 1) as f64 / n as f64, col)])
            .collect()
    };
    Definition {
        masked: Some(c.bad()),
        ..gradient(&data)
    }
}

/// Every colormap name a STYLES string may use (matplotlib's registry, its
/// `_r` twins and the built-in Lizard maps, `transparent` included) with a
/// description, sorted by name (byte order).
pub fn catalogue() -> Vec<(&'static str, String)> {
    let mut all: Vec<_> = crate::style::names()
        .map(|n| (n, format!("matplotlib colormap {n}")))
        .chain(
            builtins()
                .iter()
                .map(|m| (m.name, m.description.to_string())),
        )
        .collect();
    all.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    all
}

/// The Lizard definition of any colormap name of [`catalogue`].
pub fn definition(name: &str) -> Option<Definition> {
    builtin(name)
        .map(|m| m.definition.clone())
        .or_else(|| crate::style::colormap(name).map(from_matplotlib))
}
