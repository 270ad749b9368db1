//! The block vocabulary: one `Block` value per supported dask-geomodeling
//! class, the argument values they are built from (`build`), and the class
//! path table (`class_of`).

use super::dtype::Scalar;
use super::freq::Freq;
use super::wkt::Polygon;
use crate::model::Crs;
use uuid::Uuid;

/// One positional argument after reference resolution.
#[derive(Clone, Debug, PartialEq)]
pub enum Arg {
    Ref(usize),
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    List(Vec<Arg>),
    Other,
}

/// A raster input or a number (elementwise math operands).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Operand {
    Node(usize),
    Scalar(Scalar),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MathOp {
    Add,
    Subtract,
    Multiply,
    Divide,
    Power,
    Equal,
    NotEqual,
    Greater,
    GreaterEqual,
    Less,
    LessEqual,
    And,
    Or,
    Xor,
}

impl MathOp {
    pub fn is_comparison(self) -> bool {
        use MathOp::*;
        matches!(
            self,
            Equal | NotEqual | Greater | GreaterEqual | Less | LessEqual
        )
    }

    pub fn is_logic(self) -> bool {
        matches!(self, MathOp::And | MathOp::Or | MathOp::Xor)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    Exp,
    Log,
    Log10,
    Invert,
    IsData,
    IsNoData,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Block {
    Source(Uuid),
    LizardGroup(Vec<Uuid>),
    Math(MathOp, Operand, Operand),
    Unary(UnaryOp, usize),
    FillNoData(Vec<usize>),
    Group(Vec<usize>),
    Max(Vec<usize>),
    Clip(usize, usize),
    Mask(usize, Scalar),
    MaskBelow(usize, Scalar),
    Step {
        store: usize,
        left: Scalar,
        right: Scalar,
        value: Scalar,
        at: Scalar,
    },
    Classify {
        store: usize,
        bins: Vec<f64>,
        right: bool,
    },
    Reclassify {
        store: usize,
        from: Vec<i64>,
        to: Vec<f64>,
        to_float: bool,
        select: bool,
    },
    RasterizeWkt {
        polygons: Vec<Polygon>,
        crs: Crs,
    },
    Snap(usize, usize),
    /// Shift by ms.
    Shift(usize, i64),
    TemporalSum(usize),
    TemporalAggregate {
        source: usize,
        /// The bins; `None` = one bin over the whole period.
        freq: Option<Freq>,
        stat: Stat,
        closed_right: bool,
        label_right: bool,
    },
    Cumulative {
        source: usize,
        stat: Stat,
        freq: Option<Freq>,
    },
    Resample {
        source: usize,
        freq: Freq,
        /// 0 nearest, 1 forward, -1 backward.
        direction: i8,
    },
    Dilate(usize, Vec<f64>),
    /// Diameter, made odd and ≥ 3.
    MovingMax(usize, u32),
    Smooth {
        store: usize,
        size: f64,
        fill: f64,
    },
    HillShade {
        store: usize,
        altitude: f64,
        azimuth: f64,
        fill: f64,
    },
    Place {
        store: usize,
        crs: Crs,
        anchor: (f64, f64),
        coords: Vec<(f64, f64)>,
        stat: Stat,
    },
}

/// A temporal statistic.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Stat {
    Sum,
    Count,
    Min,
    Max,
    Mean,
    Median,
    Std,
    Var,
    Percentile(f64),
    /// Place only: the rightmost / leftmost input with data.
    Last,
    First,
}

impl Stat {
    pub(crate) fn parse(s: &str) -> Option<Stat> {
        let s = s.to_ascii_lowercase();
        Some(match s.as_str() {
            "sum" => Stat::Sum,
            "count" => Stat::Count,
            "min" => Stat::Min,
            "max" => Stat::Max,
            "mean" => Stat::Mean,
            "median" => Stat::Median,
            "std" => Stat::Std,
            "var" => Stat::Var,
            p => {
                let q: f64 = p.strip_prefix('p')?.parse().ok()?;
                if !(0.0..=100.0).contains(&q) {
                    return None;
                }
                Stat::Percentile(q)
            }
        })
    }

    /// Sum and count: empty bins give 0 rather than nodata.
    pub fn extensive(self) -> bool {
        matches!(self, Stat::Sum | Stat::Count)
    }
}

impl Block {
    /// True when every output cell depends only on the same cell of the
    /// inputs (or the block grows its own request): evaluation may be cut
    /// into strips.
    pub fn cell_local(&self) -> bool {
        // Smooth's zoom mode and Place's strategy depend on the request size.
        !matches!(self, Block::Smooth { .. } | Block::Place { .. })
    }

    /// The raster inputs, in argument order.
    pub fn inputs(&self) -> Vec<usize> {
        let op = |o: &Operand| match o {
            Operand::Node(n) => Some(*n),
            Operand::Scalar(_) => None,
        };
        match self {
            Block::Source(_) | Block::LizardGroup(_) | Block::RasterizeWkt { .. } => vec![],
            Block::Math(_, a, b) => op(a).into_iter().chain(op(b)).collect(),
            Block::Unary(_, s)
            | Block::Mask(s, _)
            | Block::MaskBelow(s, _)
            | Block::Step { store: s, .. }
            | Block::Classify { store: s, .. }
            | Block::Reclassify { store: s, .. } => vec![*s],
            Block::FillNoData(v) | Block::Group(v) | Block::Max(v) => v.clone(),
            Block::Clip(a, b) | Block::Snap(a, b) => vec![*a, *b],
            Block::Shift(s, _)
            | Block::TemporalSum(s)
            | Block::TemporalAggregate { source: s, .. }
            | Block::Cumulative { source: s, .. }
            | Block::Resample { source: s, .. }
            | Block::Dilate(s, _)
            | Block::MovingMax(s, _)
            | Block::Smooth { store: s, .. }
            | Block::HillShade { store: s, .. }
            | Block::Place { store: s, .. } => vec![*s],
        }
    }
}

/// The module each supported class lives in (`dask_geomodeling.raster.<module>`).
const CLASSES: &[(&str, &str)] = &[
    ("Add", "elemwise"),
    ("Subtract", "elemwise"),
    ("Multiply", "elemwise"),
    ("Divide", "elemwise"),
    ("Power", "elemwise"),
    ("Exp", "elemwise"),
    ("Log", "elemwise"),
    ("Log10", "elemwise"),
    ("Equal", "elemwise"),
    ("NotEqual", "elemwise"),
    ("Greater", "elemwise"),
    ("GreaterEqual", "elemwise"),
    ("Less", "elemwise"),
    ("LessEqual", "elemwise"),
    ("And", "elemwise"),
    ("Or", "elemwise"),
    ("Xor", "elemwise"),
    ("Invert", "elemwise"),
    ("IsData", "elemwise"),
    ("IsNoData", "elemwise"),
    ("FillNoData", "elemwise"),
    ("Group", "combine"),
    ("Max", "reduction"),
    ("Clip", "misc"),
    ("Mask", "misc"),
    ("MaskBelow", "misc"),
    ("Step", "misc"),
    ("Classify", "misc"),
    ("Reclassify", "misc"),
    ("RasterizeWKT", "misc"),
    ("Snap", "temporal"),
    ("Shift", "temporal"),
    ("TemporalSum", "temporal"),
    ("TemporalAggregate", "temporal"),
    ("Cumulative", "temporal"),
    ("Resample", "temporal"),
    ("Dilate", "spatial"),
    ("MovingMax", "spatial"),
    ("Smooth", "spatial"),
    ("HillShade", "spatial"),
    ("Place", "spatial"),
];

/// The class name a path names, or `None` for unknown paths. Accepts
/// `dask_geomodeling.raster[.<module>].<Class>`, the legacy
/// `geoblocks.raster[.<module>].<Class>` and Lizard's two source blocks.
pub fn class_of(path: &str) -> Option<&'static str> {
    match path {
        "lizard_nxt.blocks.LizardRasterSource" => return Some("LizardRasterSource"),
        "lizard_nxt.blocks.LizardRasterGroup" => return Some("LizardRasterGroup"),
        _ => {}
    }
    let rest = path
        .strip_prefix("dask_geomodeling.raster.")
        .or_else(|| path.strip_prefix("geoblocks.raster."))?;
    let (module, class) = match rest.split_once('.') {
        Some((m, c)) => (Some(m), c),
        None => (None, rest),
    };
    let (name, home) = CLASSES.iter().find(|(c, _)| *c == class)?;
    match module {
        Some(m) if m != *home => None,
        _ => Some(name),
    }
}
