//! Transformer behaviour that the goldens do not cover: identity, failures,
//! slices, cache and bbox envelopes.

use crate::geo::{GeoError, TransformCache, Transformer, transform_bbox};
use crate::model::{BBox, Crs, ErrorClass};

#[test]
fn identity_is_exact() {
    let t = Transformer::new(Crs(28992), Crs(28992)).unwrap();
    assert!(t.is_identity());
    assert_eq!(
        t.transform(155_000.25, 463_000.5).unwrap(),
        (155_000.25, 463_000.5)
    );
}

#[test]
fn unknown_codes() {
    let e = Transformer::new(Crs(4326), Crs(99_999)).unwrap_err();
    assert_eq!(e, GeoError::UnknownCrs(99_999));
    assert_eq!(e.class(), ErrorClass::Unsupported);
    assert!(Transformer::new(Crs(1), Crs(1)).is_err());
}

#[test]
fn failures_are_errors_or_nan() {
    let t = Transformer::new(Crs(4326), Crs(3857)).unwrap();
    assert!(t.transform(f64::NAN, 0.0).is_err());
    assert!(t.transform(0.0, 91.0).is_err());
    let mut xs = [5.0, f64::INFINITY, 0.0, 4.0];
    let mut ys = [52.0, 0.0, 95.0];
    t.transform_in_place(&mut xs, &mut ys);
    assert!(xs[0].is_finite() && ys[0].is_finite());
    assert!(xs[1].is_nan() && ys[1].is_nan());
    assert!(xs[2].is_nan() && ys[2].is_nan());
    assert_eq!(xs[3], 4.0, "beyond the shorter slice nothing is touched");
}

#[test]
fn points_beyond_a_wrapping_crs_fail_instead_of_wrapping() {
    let half = 20_037_508.342_789_244;
    let from_lonlat = Transformer::new(Crs(4326), Crs(28992)).unwrap();
    assert!(from_lonlat.transform(185.0, 52.0).is_err());
    assert!(from_lonlat.transform(-354.0, 52.0).is_err());
    assert!(from_lonlat.transform(5.0, 52.0).is_ok());
    let lonlat_to_merc = Transformer::new(Crs(4326), Crs(3857)).unwrap();
    let (x, _) = lonlat_to_merc.transform(180.0, 0.0).unwrap();
    assert!((x - half).abs() < 1e-3, "the edge itself is inside: {x}");
    let from_merc = Transformer::new(Crs(3857), Crs(4326)).unwrap();
    assert!(from_merc.transform(half * 1.01, 0.0).is_err());
    assert!(from_merc.transform(0.0, -half * 1.01).is_err());
    let (lon, _) = from_merc.transform(-half, 0.0).unwrap();
    assert!((lon + 180.0).abs() < 1e-9, "{lon}");
}

#[test]
fn slices_equal_points() {
    let t = Transformer::new(Crs(3857), Crs(28992)).unwrap();
    let mut xs: Vec<f64> = (0..50)
        .map(|i| 400_000.0 + 5_000.0 * f64::from(i))
        .collect();
    let mut ys: Vec<f64> = (0..50)
        .map(|i| 6_600_000.0 + 6_000.0 * f64::from(i))
        .collect();
    let want: Vec<(f64, f64)> = xs
        .iter()
        .zip(&ys)
        .map(|(&x, &y)| t.transform(x, y).unwrap())
        .collect();
    t.transform_in_place(&mut xs, &mut ys);
    for (i, w) in want.iter().enumerate() {
        assert_eq!((xs[i], ys[i]), *w);
    }
}

#[test]
fn round_trip_rd() {
    let fwd = Transformer::new(Crs(28992), Crs(3857)).unwrap();
    let inv = Transformer::new(Crs(3857), Crs(28992)).unwrap();
    let (x, y) = fwd.transform(121_000.0, 487_000.0).unwrap();
    let (bx, by) = inv.transform(x, y).unwrap();
    assert!((bx - 121_000.0).abs() < 1e-3 && (by - 487_000.0).abs() < 1e-3);
}

#[test]
fn transformer_is_send_sync() {
    fn check<T: Send + Sync>() {}
    check::<Transformer>();
    check::<TransformCache>();
    check::<crate::geo::PixelMesh>();
}

#[test]
fn cache_shares() {
    let cache = TransformCache::with_capacity(1);
    let a = cache.get(Crs(28992), Crs(4326)).unwrap();
    let b = cache.get(Crs(28992), Crs(4326)).unwrap();
    assert!(std::sync::Arc::ptr_eq(&a, &b));
    // Past capacity: still answers, does not store.
    let c = cache.get(Crs(4326), Crs(3857)).unwrap();
    assert_eq!(c.to(), Crs(3857));
    assert_eq!(cache.len(), 1);
    assert!(cache.get(Crs(4326), Crs(70_000)).is_err());
}

#[test]
fn bbox_of_rd_extent() {
    // The RD New extent; the envelope must hold every transformed interior point.
    let rd = BBox::new(-7_000.0, 289_000.0, 300_000.0, 629_000.0);
    let t = Transformer::new(Crs(28992), Crs(4326)).unwrap();
    let env = transform_bbox(&t, &rd, 21).unwrap();
    for i in 0..=20 {
        for j in 0..=20 {
            let x = rd.min_x + rd.width() * f64::from(i) / 20.0;
            let y = rd.min_y + rd.height() * f64::from(j) / 20.0;
            let (lon, lat) = t.transform(x, y).unwrap();
            assert!(lon >= env.min_x - 1e-9 && lon <= env.max_x + 1e-9, "{lon}");
            assert!(lat >= env.min_y - 1e-9 && lat <= env.max_y + 1e-9, "{lat}");
        }
    }
    // Densifying can only widen the envelope of a bulging edge.
    let corners = transform_bbox(&t, &rd, 0).unwrap();
    assert!(env.min_y <= corners.min_y && env.max_y >= corners.max_y);
    assert!(transform_bbox(&t, &BBox::new(1.0, 1.0, 0.0, 2.0), 4).is_err());
}
