//! `transform_bbox`: the envelope of a box after transformation.
//!
//! Used for WGS 84 bounds of a native extent and for source windows of a request.
//! Must not touch: the transform itself (see `transform.rs`).

use super::error::GeoError;
use super::transform::Transformer;
use crate::model::BBox;

/// The envelope of `bbox` transformed by `t`, from its four edges each sampled at
/// the corners plus `densify` evenly spaced interior points.
///
/// Points that fail to transform are skipped; errors with `InvalidBBox` when the box
/// is not valid and `OutOfDomain` when no sample transforms. Curved edges bulge
/// between samples, so the result may be slightly too small for small `densify`
/// (21 is a good default, as GDAL's). Boxes that cross the antimeridian after
/// transformation are not split. Cost: `4·(densify + 1)` point transforms.
pub fn transform_bbox(t: &Transformer, bbox: &BBox, densify: usize) -> Result<BBox, GeoError> {
    if !bbox.is_valid() {
        return Err(GeoError::InvalidBBox);
    }
    if t.is_identity() {
        return Ok(*bbox);
    }
    let n = densify.saturating_add(1);
    let cap = n.saturating_mul(4);
    let (mut xs, mut ys) = (Vec::with_capacity(cap), Vec::with_capacity(cap));
    for i in 0..n {
        let f = i as f64 / n as f64;
        let (x, y) = (
            bbox.min_x + f * bbox.width(),
            bbox.min_y + f * bbox.height(),
        );
        let (rx, ry) = (
            bbox.max_x - f * bbox.width(),
            bbox.max_y - f * bbox.height(),
        );
        // Bottom edge eastwards, right edge northwards, top westwards, left southwards.
        xs.extend_from_slice(&[x, bbox.max_x, rx, bbox.min_x]);
        ys.extend_from_slice(&[bbox.min_y, y, bbox.max_y, ry]);
    }
    t.transform_in_place(&mut xs, &mut ys);
    let mut out = BBox::new(
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    );
    for (&x, &y) in xs.iter().zip(&ys) {
        if x.is_finite() && y.is_finite() {
            out = out.union(&BBox::new(x, y, x, y));
        }
    }
    if out.min_x.is_finite() {
        Ok(out)
    } else {
        Err(GeoError::OutOfDomain {
            from: t.from().0,
            to: t.to().0,
            x: bbox.min_x,
            y: bbox.min_y,
        })
    }
}
