//! `Transformer`: exact point transforms between two EPSG CRSs.
//!
//! Definitions are the proj4 strings of `crs-definitions`, evaluated by `proj4rs`
//! (pure Rust, `Send + Sync`); no parameter is written by hand here. Coordinates
//! are always x = east/longitude, y = north/latitude, degrees for geographic CRSs.
//! Must not touch: protocol axis order (callers swap at their edge), I/O, globals.

use proj4rs::Proj;
use proj4rs::transform::{Transform, TransformClosure, transform};

use super::error::GeoError;
use crate::model::Crs;

pub use super::cache::TransformCache;
pub use super::envelope::transform_bbox;

/// One CRS as proj4rs sees it.
#[derive(Clone)]
struct Side {
    proj: Proj,
    /// Geographic: tegel speaks degrees, proj4rs radians.
    degrees: bool,
    /// `+nadgrids=@null` (EPSG:3857): proj4rs then skips the datum shift of the
    /// *other* side too, so such pairs are routed through WGS 84.
    null_grid: bool,
    /// The largest |x| and |y| this CRS defines when it is the source, for CRSs
    /// whose coordinates wrap (longitude, Web Mercator): beyond it proj4rs would
    /// wrap round the globe, so such points fail instead (a map shows its
    /// background there, not the data a turn of the earth away).
    domain: Option<[f64; 2]>,
}

/// Half the equator in EPSG:3857 metres: the edge of its square world.
const MERCATOR_HALF: f64 = 20_037_508.342_789_244;
/// Slack for edges computed in floating point (a billionth of the domain).
const DOMAIN_SLACK: f64 = 1e-9;

/// How a transformer gets from one CRS to the other.
// Transformers are built once and shared behind `Arc`; the identity variant being
// small buys nothing, boxing would add a pointer chase per call.
#[allow(clippy::large_enum_variant)]
#[derive(Clone)]
enum Route {
    Identity,
    Direct(Side, Side),
    /// from → WGS 84 (radians) → to, for pairs with a `@null` grid side.
    ViaWgs84(Side, Proj, Side),
}

/// Exact transform from one CRS to another.
///
/// Built once (it parses two proj4 strings) and shared through [`TransformCache`].
/// A point costs about 0.06 µs (3857 → 4326, slices) to 0.8 µs (3857 → 28992, which
/// needs a Helmert shift through geocentric coordinates), measured by `benches/geo.rs`.
#[derive(Clone)]
pub struct Transformer {
    from: Crs,
    to: Crs,
    route: Route,
}

impl std::fmt::Debug for Transformer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transformer")
            .field("from", &self.from)
            .field("to", &self.to)
            .finish()
    }
}

/// The proj4 definition of an EPSG code, from `crs-definitions`.
fn proj4_of(crs: Crs) -> Result<&'static str, GeoError> {
    let code = u16::try_from(crs.0).map_err(|_| GeoError::UnknownCrs(crs.0))?;
    crs_definitions::from_code(code)
        .map(|d| d.proj4)
        .ok_or(GeoError::UnknownCrs(crs.0))
}

fn side(crs: Crs) -> Result<Side, GeoError> {
    let def = proj4_of(crs)?;
    let proj = Proj::from_proj_string(def).map_err(|e| GeoError::Definition {
        code: crs.0,
        reason: e.to_string(),
    })?;
    let degrees = proj.is_latlong();
    let domain = if degrees {
        Some([180.0, 90.0])
    } else if crs == Crs(3857) {
        Some([MERCATOR_HALF, MERCATOR_HALF])
    } else {
        None
    };
    Ok(Side {
        degrees,
        null_grid: def.contains("+nadgrids=@null"),
        domain,
        proj,
    })
}

impl Transformer {
    /// A transformer from `from` to `to`.
    ///
    /// Errors: `UnknownCrs` when `crs-definitions` has no entry for a code,
    /// `Definition` when proj4rs cannot parse one. `from == to` gives an identity
    /// transformer that never calls proj4rs.
    pub fn new(from: Crs, to: Crs) -> Result<Transformer, GeoError> {
        if from == to {
            proj4_of(from)?;
            return Ok(Transformer {
                from,
                to,
                route: Route::Identity,
            });
        }
        let (a, b) = (side(from)?, side(to)?);
        let route = if a.null_grid != b.null_grid && from != Crs::WGS84 && to != Crs::WGS84 {
            Route::ViaWgs84(a, side(Crs::WGS84)?.proj, b)
        } else {
            Route::Direct(a, b)
        };
        Ok(Transformer { from, to, route })
    }

    /// The source CRS.
    pub fn from(&self) -> Crs {
        self.from
    }

    /// The target CRS.
    pub fn to(&self) -> Crs {
        self.to
    }

    /// True when this transformer returns its input unchanged.
    pub fn is_identity(&self) -> bool {
        matches!(self.route, Route::Identity)
    }

    /// Transforms one point. Errors with `OutOfDomain` when the point is not finite,
    /// lies outside the source CRS (longitude beyond ±180°, latitude beyond ±90°,
    /// Web Mercator beyond ±20037508.34 m) or cannot be transformed (or the
    /// result is not finite).
    pub fn transform(&self, x: f64, y: f64) -> Result<(f64, f64), GeoError> {
        let mut xs = [x];
        let mut ys = [y];
        self.transform_in_place(&mut xs, &mut ys);
        match (xs, ys) {
            ([ox], [oy]) if ox.is_finite() && oy.is_finite() => Ok((ox, oy)),
            _ => Err(GeoError::OutOfDomain {
                from: self.from.0,
                to: self.to.0,
                x,
                y,
            }),
        }
    }

    /// Transforms `xs[i], ys[i]` in place for every `i < min(xs.len(), ys.len())`.
    ///
    /// Points that are not finite, lie outside the source CRS (as for
    /// [`Transformer::transform`]) or fail to transform become NaN in both arrays;
    /// this never errors. Cost: one pass per pipeline stage over the slices,
    /// cheaper per point than repeated [`Transformer::transform`] calls.
    pub fn transform_in_place(&self, xs: &mut [f64], ys: &mut [f64]) {
        let n = xs.len().min(ys.len());
        let mut pts = Slices {
            xs: &mut xs[..n],
            ys: &mut ys[..n],
        };
        let (a, b) = match &self.route {
            Route::Identity => {
                pts.sanitize();
                return;
            }
            Route::Direct(a, b) | Route::ViaWgs84(a, _, b) => (a, b),
        };
        pts.sanitize();
        if let Some(domain) = a.domain {
            pts.clip_to(domain);
        }
        if a.degrees {
            pts.map(f64::to_radians);
        }
        // Slices never report an error: failing points are set to NaN inside.
        let _ = match &self.route {
            Route::ViaWgs84(_, wgs84, _) => transform(&a.proj, wgs84, &mut pts)
                .and_then(|()| transform(wgs84, &b.proj, &mut pts)),
            _ => transform(&a.proj, &b.proj, &mut pts),
        };
        if b.degrees {
            pts.map(f64::to_degrees);
        }
        pts.sanitize();
    }
}

/// Two coordinate slices seen as points by proj4rs; a point that fails becomes NaN.
struct Slices<'a> {
    xs: &'a mut [f64],
    ys: &'a mut [f64],
}

impl Slices<'_> {
    /// Makes a point NaN in both coordinates when either is not finite.
    fn sanitize(&mut self) {
        for (x, y) in self.xs.iter_mut().zip(self.ys.iter_mut()) {
            if !(x.is_finite() && y.is_finite()) {
                *x = f64::NAN;
                *y = f64::NAN;
            }
        }
    }

    /// Makes a point NaN when |x| or |y| exceeds `[max_x, max_y]` (plus slack).
    fn clip_to(&mut self, [max_x, max_y]: [f64; 2]) {
        let (lim_x, lim_y) = (max_x * (1.0 + DOMAIN_SLACK), max_y * (1.0 + DOMAIN_SLACK));
        for (x, y) in self.xs.iter_mut().zip(self.ys.iter_mut()) {
            if x.abs() > lim_x || y.abs() > lim_y {
                *x = f64::NAN;
                *y = f64::NAN;
            }
        }
    }

    fn map(&mut self, f: fn(f64) -> f64) {
        for (x, y) in self.xs.iter_mut().zip(self.ys.iter_mut()) {
            *x = f(*x);
            *y = f(*y);
        }
    }
}

impl Transform for Slices<'_> {
    fn transform_coordinates<F: TransformClosure>(
        &mut self,
        f: &mut F,
    ) -> proj4rs::errors::Result<()> {
        for (x, y) in self.xs.iter_mut().zip(self.ys.iter_mut()) {
            if x.is_nan() {
                continue;
            }
            (*x, *y) = match f(*x, *y, 0.0) {
                Ok((ox, oy, _)) => (ox, oy),
                Err(_) => (f64::NAN, f64::NAN),
            };
        }
        Ok(())
    }
}
