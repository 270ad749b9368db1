//! `build`: one `Block` from a node's class and positional arguments, with the
//! checks dask-geomodeling's constructors make on argument count and JSON
//! types (ints vs floats matter). Checks needing input metadata live in `meta`.

use super::args::{describe, parse_projection, stat_arg, uuid_arg, zoned_freq};
use super::blocks::{Arg, Block, MathOp, Operand, Stat, UnaryOp};
use super::dtype::Scalar;
use super::error::GraphError;
use super::wkt;
use uuid::Uuid;

/// Builds the block of class `class` from its arguments.
pub fn build(key: &str, class: &str, args: &[Arg]) -> Result<Block, GraphError> {
    let err = |m: String| GraphError::node(key, m);
    let count = |min: usize, max: usize| {
        if args.len() < min || args.len() > max {
            Err(err(format!(
                "{class} takes {} argument(s), got {}",
                if min == max {
                    min.to_string()
                } else {
                    format!("{min} to {max}")
                },
                args.len()
            )))
        } else {
            Ok(())
        }
    };
    let raster = |i: usize| match args.get(i) {
        Some(Arg::Ref(n)) => Ok(*n),
        other => Err(err(format!(
            "argument {} of {class} must be a raster block, got {}",
            i + 1,
            describe(other)
        ))),
    };
    let number = |i: usize| match args.get(i) {
        Some(Arg::Int(v)) => Ok(Scalar::Int(*v)),
        Some(Arg::Float(v)) => Ok(Scalar::Float(*v)),
        other => Err(err(format!(
            "argument {} of {class} must be a number, got {}",
            i + 1,
            describe(other)
        ))),
    };
    let rasters = |min: usize| -> Result<Vec<usize>, GraphError> {
        if args.len() < min {
            return Err(err(format!("{class} needs at least {min} raster(s)")));
        }
        (0..args.len()).map(raster).collect()
    };
    let operand = |i: usize, logic: bool| match &args[i] {
        Arg::Ref(n) => Ok(Operand::Node(*n)),
        Arg::Bool(b) if logic => Ok(Operand::Scalar(Scalar::Bool(*b))),
        Arg::Int(v) if !logic => Ok(Operand::Scalar(Scalar::Int(*v))),
        Arg::Float(v) if !logic => Ok(Operand::Scalar(Scalar::Float(*v))),
        other => Err(err(format!(
            "'{}' object is not allowed as argument {} of {class}",
            describe(Some(other)),
            i + 1
        ))),
    };
    use MathOp as M;
    use UnaryOp as U;
    let math = |op: MathOp| -> Result<Block, GraphError> {
        count(2, 2)?;
        let (a, mut b) = (operand(0, op.is_logic())?, operand(1, op.is_logic())?);
        if !matches!(a, Operand::Node(_)) && !matches!(b, Operand::Node(_)) {
            return Err(err(format!("{class} needs at least one raster input")));
        }
        // Power: a negative integer exponent is made a float (dask-geomodeling).
        if let (M::Power, Operand::Scalar(Scalar::Int(v))) = (op, b) {
            if v < 0 {
                b = Operand::Scalar(Scalar::Float(v as f64));
            }
        }
        Ok(Block::Math(op, a, b))
    };
    let unary = |op: UnaryOp| -> Result<Block, GraphError> {
        count(1, 1)?;
        Ok(Block::Unary(op, raster(0)?))
    };
    Ok(match class {
        "LizardRasterSource" => {
            count(1, 1)?;
            Block::Source(uuid_arg(&args[0]).ok_or_else(|| err("expects a uuid".into()))?)
        }
        "LizardRasterGroup" => {
            let ids: Option<Vec<Uuid>> = args.iter().map(uuid_arg).collect();
            match ids {
                Some(ids) if !ids.is_empty() => Block::LizardGroup(ids),
                _ => return Err(err("LizardRasterGroup expects one or more uuids".into())),
            }
        }
        "Add" => math(M::Add)?,
        "Subtract" => math(M::Subtract)?,
        "Multiply" => math(M::Multiply)?,
        "Divide" => math(M::Divide)?,
        "Power" => math(M::Power)?,
        "Equal" => math(M::Equal)?,
        "NotEqual" => math(M::NotEqual)?,
        "Greater" => math(M::Greater)?,
        "GreaterEqual" => math(M::GreaterEqual)?,
        "Less" => math(M::Less)?,
        "LessEqual" => math(M::LessEqual)?,
        "And" => math(M::And)?,
        "Or" => math(M::Or)?,
        "Xor" => math(M::Xor)?,
        "Exp" => unary(U::Exp)?,
        "Log" => unary(U::Log)?,
        "Log10" => unary(U::Log10)?,
        "Invert" => unary(U::Invert)?,
        "IsData" => unary(U::IsData)?,
        "IsNoData" => unary(U::IsNoData)?,
        "FillNoData" => Block::FillNoData(rasters(1)?),
        "Group" => Block::Group(rasters(1)?),
        "Max" => Block::Max(rasters(1)?),
        "Clip" => {
            count(2, 2)?;
            Block::Clip(raster(0)?, raster(1)?)
        }
        "Mask" => {
            count(2, 2)?;
            Block::Mask(raster(0)?, number(1)?)
        }
        "MaskBelow" => {
            count(2, 2)?;
            Block::MaskBelow(raster(0)?, number(1)?)
        }
        "Step" => {
            count(1, 5)?;
            let get = |i: usize, d: Scalar| match args.get(i) {
                None | Some(Arg::Null) if i == 4 => Ok(None),
                None => Ok(Some(d)),
                Some(_) => number(i).map(Some),
            };
            let left = get(1, Scalar::Int(0))?.unwrap_or(Scalar::Int(0));
            let right = get(2, Scalar::Int(1))?.unwrap_or(Scalar::Int(1));
            let value = get(3, Scalar::Int(0))?.unwrap_or(Scalar::Int(0));
            // at = (left + right) / 2: Python true division gives a float.
            let at = get(4, Scalar::Int(0))?
                .unwrap_or(Scalar::Float((left.value() + right.value()) / 2.0));
            Block::Step {
                store: raster(0)?,
                left,
                right,
                value,
                at,
            }
        }
        "Classify" => {
            count(2, 3)?;
            let bins = match &args[1] {
                Arg::List(items) => items
                    .iter()
                    .map(|a| match a {
                        Arg::Int(v) => Ok(*v as f64),
                        Arg::Float(v) => Ok(*v),
                        _ => Err(err("'bins' should be numeric".into())),
                    })
                    .collect::<Result<Vec<f64>, _>>()?,
                _ => return Err(err("'bins' must be a list of numbers".into())),
            };
            // dask-geomodeling's check: increasing; a decreasing list passes
            // `not all(diff > 0) or all(diff < 0)` only when increasing.
            if bins.windows(2).any(|w| w[1] <= w[0]) {
                return Err(err("'bins' should be monotonic".into()));
            }
            let right = match args.get(2) {
                None => false,
                Some(Arg::Bool(b)) => *b,
                Some(Arg::Int(v)) => *v != 0,
                Some(other) => {
                    return Err(err(format!(
                        "'right' must be a boolean, got {}",
                        describe(Some(other))
                    )));
                }
            };
            Block::Classify {
                store: raster(0)?,
                bins,
                right,
            }
        }
        "Reclassify" => {
            count(2, 3)?;
            let pairs = match &args[1] {
                Arg::List(items) if !items.is_empty() => items,
                _ => return Err(err("Please supply a list of [from, to] values".into())),
            };
            let (mut from, mut to, mut to_float) = (vec![], vec![], false);
            for p in pairs {
                let Arg::List(pair) = p else {
                    return Err(err("Please supply a list of [from, to] values".into()));
                };
                let [f, t] = pair.as_slice() else {
                    return Err(err("Please supply a list of [from, to] values".into()));
                };
                from.push(match f {
                    Arg::Int(v) => *v,
                    Arg::Bool(b) => i64::from(*b),
                    _ => return Err(err("Cannot reclassify from a non-integer value".into())),
                });
                to.push(match t {
                    Arg::Int(v) => *v as f64,
                    Arg::Float(v) => {
                        to_float = true;
                        *v
                    }
                    _ => return Err(err("Cannot reclassify to a non-numeric value".into())),
                });
            }
            let mut sorted = from.clone();
            sorted.sort_unstable();
            sorted.dedup();
            if sorted.len() != from.len() {
                return Err(err("There are duplicates in the reclassify values".into()));
            }
            let select = match args.get(2) {
                None => false,
                Some(Arg::Bool(b)) => *b,
                Some(other) => {
                    return Err(err(format!(
                        "'{}' object is not allowed as 'select'",
                        describe(Some(other))
                    )));
                }
            };
            Block::Reclassify {
                store: raster(0)?,
                from,
                to,
                to_float,
                select,
            }
        }
        "RasterizeWKT" => {
            count(2, 2)?;
            let (Arg::Str(text), Arg::Str(proj)) = (&args[0], &args[1]) else {
                return Err(err(
                    "RasterizeWKT takes a WKT string and a projection".into()
                ));
            };
            let polygons = wkt::parse(text)
                .map_err(|m| err(format!("The provided geometry is not a valid WKT: {m}")))?;
            let crs = parse_projection(proj)
                .ok_or_else(|| err(format!("unknown projection '{proj}'")))?;
            Block::RasterizeWkt { polygons, crs }
        }
        "Snap" => {
            count(2, 2)?;
            Block::Snap(raster(0)?, raster(1)?)
        }
        "Shift" => {
            count(2, 2)?;
            match &args[1] {
                Arg::Int(ms) => Block::Shift(raster(0)?, *ms),
                other => {
                    return Err(err(format!(
                        "'{}' object is not allowed: Shift takes integer milliseconds",
                        describe(Some(other))
                    )));
                }
            }
        }
        "TemporalSum" => {
            count(1, 1)?;
            Block::TemporalSum(raster(0)?)
        }
        "TemporalAggregate" => {
            count(2, 6)?;
            let freq = zoned_freq(args.get(1), args.get(5)).map_err(err)?;
            let stat = stat_arg(
                args.get(2),
                &["sum", "count", "min", "max", "mean", "median", "std", "var"],
            )
            .map_err(err)?;
            let side = |i: usize| match args.get(i) {
                None | Some(Arg::Null) => Ok(None),
                Some(Arg::Str(s)) if s == "left" => Ok(Some(false)),
                Some(Arg::Str(s)) if s == "right" => Ok(Some(true)),
                _ => Err(err(
                    "closed and label must be null, 'left' or 'right'".into()
                )),
            };
            let (closed, label) = (side(3)?, side(4)?);
            // `_default_closed_label`: end-of-period offsets and null
            // default to right/right, the others to left/left.
            let default = freq.is_none_or(|f| f.end_type());
            Block::TemporalAggregate {
                source: raster(0)?,
                freq,
                stat,
                closed_right: if freq.is_some() {
                    closed.unwrap_or(default)
                } else {
                    true
                },
                label_right: if freq.is_some() {
                    label.unwrap_or(default)
                } else {
                    true
                },
            }
        }
        "Cumulative" => {
            count(1, 4)?;
            let stat = stat_arg(args.get(1), &["sum", "count"]).map_err(err)?;
            let freq = zoned_freq(args.get(2), args.get(3)).map_err(err)?;
            Block::Cumulative {
                source: raster(0)?,
                stat,
                freq,
            }
        }
        "Resample" => {
            count(2, 4)?;
            let freq = zoned_freq(args.get(1), args.get(3))
                .map_err(err)?
                .ok_or_else(|| err("Resample needs a frequency".into()))?;
            let direction = match args.get(2) {
                None => 0,
                Some(Arg::Str(s)) if s == "nearest" => 0,
                Some(Arg::Str(s)) if s == "forward" => 1,
                Some(Arg::Str(s)) if s == "backward" => -1,
                _ => {
                    return Err(err(
                        "direction must be one of 'nearest', 'backward', or 'forward'.".into(),
                    ));
                }
            };
            Block::Resample {
                source: raster(0)?,
                freq,
                direction,
            }
        }
        "Dilate" => {
            count(2, 2)?;
            let values = match &args[1] {
                Arg::List(items) => items
                    .iter()
                    .map(|a| match a {
                        Arg::Int(v) => Ok(*v as f64),
                        Arg::Float(v) => Ok(*v),
                        Arg::Bool(b) => Ok(f64::from(u8::from(*b))),
                        _ => Err(err("Dilate values must be numbers".into())),
                    })
                    .collect::<Result<Vec<f64>, _>>()?,
                _ => return Err(err("Dilate takes a list of values".into())),
            };
            Block::Dilate(raster(0)?, values)
        }
        "MovingMax" => {
            count(2, 2)?;
            let size = number(1)?.value();
            // int(2 * round((size - 1) / 2) + 1), Python's round.
            let half = (size - 1.0) / 2.0;
            let r = half.round();
            let r = if (half - half.trunc()).abs() == 0.5 {
                2.0 * (half / 2.0).round()
            } else {
                r
            };
            let size = 2.0 * r + 1.0;
            if !(3.0..=1001.0).contains(&size) {
                return Err(err(
                    "The size should be odd and larger than 1 (at most 1001)".into(),
                ));
            }
            Block::MovingMax(raster(0)?, size as u32)
        }
        "Smooth" => {
            count(2, 3)?;
            let size = number(1)?.value();
            let fill = if args.len() > 2 {
                number(2)?.value()
            } else {
                0.0
            };
            if !(size.is_finite() && size >= 0.0) {
                return Err(err("size must be a non-negative number".into()));
            }
            Block::Smooth {
                store: raster(0)?,
                size,
                fill,
            }
        }
        "HillShade" => {
            count(1, 4)?;
            let get = |i: usize, d: f64| {
                if args.len() > i {
                    number(i).map(|s| s.value())
                } else {
                    Ok(d)
                }
            };
            Block::HillShade {
                store: raster(0)?,
                altitude: get(1, 45.0)?,
                azimuth: get(2, 315.0)?,
                fill: get(3, 0.0)?,
            }
        }
        "Place" => {
            count(4, 5)?;
            let crs = match &args[1] {
                Arg::Str(p) => parse_projection(p)
                    .ok_or_else(|| err(format!("'{p}' is not a valid projection string")))?,
                _ => return Err(err("place_projection must be a string".into())),
            };
            let pair = |a: &Arg| -> Option<(f64, f64)> {
                let Arg::List(v) = a else { return None };
                let num = |a: &Arg| match a {
                    Arg::Int(i) => Some(*i as f64),
                    Arg::Float(f) => Some(*f),
                    _ => None,
                };
                match v.as_slice() {
                    [x, y] => Some((num(x)?, num(y)?)),
                    _ => None,
                }
            };
            let anchor = pair(&args[2])
                .ok_or_else(|| err("Expected 2 numbers in the 'anchor' parameter".into()))?;
            let coords = match &args[3] {
                Arg::Null => vec![],
                Arg::List(items) => items
                    .iter()
                    .map(|a| pair(a).ok_or_else(|| err("Expected a list of lists of 2 numbers in the 'coordinates' parameter".into())))
                    .collect::<Result<Vec<_>, _>>()?,
                _ => return Err(err("Expected a list of lists of 2 numbers in the 'coordinates' parameter".into())),
            };
            let stat = match args.get(4) {
                None => Stat::Last,
                Some(Arg::Str(s)) => match s.as_str() {
                    "last" => Stat::Last,
                    "first" => Stat::First,
                    "count" => Stat::Count,
                    "sum" => Stat::Sum,
                    "mean" => Stat::Mean,
                    "min" => Stat::Min,
                    "max" => Stat::Max,
                    other => {
                        return Err(err(format!(
                            "statistic '{other}' is not supported by Place"
                        )));
                    }
                },
                _ => return Err(err("statistic must be a string".into())),
            };
            Block::Place {
                store: raster(0)?,
                crs,
                anchor,
                coords,
                stat,
            }
        }
        other => return Err(err(format!("unsupported block {other}"))),
    })
}
