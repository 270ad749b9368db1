//! Transforms against `tests/golden/geo/points.json`, computed with PROJ (pyproj)
//! using the EPSG operation whose Helmert parameters crs-definitions encodes.

use serde::Deserialize;

use crate::geo::Transformer;
use crate::geo::crs::lookup;
use crate::model::Crs;

#[derive(Deserialize)]
struct Golden {
    tolerance: Tolerance,
    pairs: Vec<Pair>,
}

#[derive(Deserialize)]
struct Tolerance {
    projected_m: f64,
    geographic_deg: f64,
}

#[derive(Deserialize)]
struct Pair {
    from: u32,
    to: u32,
    operation: String,
    points: Vec<Point>,
}

#[derive(Deserialize)]
struct Point {
    x: f64,
    y: f64,
    ex: f64,
    ey: f64,
    default_x: f64,
    default_y: f64,
    regression: Option<String>,
}

fn golden() -> Golden {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/geo/points.json");
    let text = std::fs::read_to_string(path).expect("golden file tests/golden/geo/points.json");
    serde_json::from_str(&text).expect("valid golden JSON")
}

/// Largest |Δx|, |Δy| over the points of a pair, against the matching operation and
/// against PROJ's default pipeline.
#[test]
fn points_match_proj() {
    let g = golden();
    assert!(g.pairs.len() >= 29, "golden file lost pairs");
    let mut failures = Vec::new();
    for pair in &g.pairs {
        let t = Transformer::new(Crs(pair.from), Crs(pair.to)).unwrap();
        let geographic = lookup(pair.to).is_some_and(|i| i.geographic);
        let tol = if geographic {
            g.tolerance.geographic_deg
        } else {
            g.tolerance.projected_m
        };
        let (mut worst, mut worst_default) = (0.0f64, 0.0f64);
        for p in &pair.points {
            let (x, y) = t.transform(p.x, p.y).unwrap();
            let err = (x - p.ex).abs().max((y - p.ey).abs());
            let err_default = (x - p.default_x).abs().max((y - p.default_y).abs());
            worst = worst.max(err);
            worst_default = worst_default.max(err_default);
            if err.is_nan() || err > tol {
                failures.push(format!(
                    "{}->{} {:?} ({}, {}): got ({x}, {y}), want ({}, {})",
                    pair.from, pair.to, p.regression, p.x, p.y, p.ex, p.ey
                ));
            }
        }
        let unit = if geographic { "deg" } else { "m" };
        println!(
            "{:>5} -> {:<5} max err {worst:.3e} {unit} (default pipeline {worst_default:.3e}) [{}]",
            pair.from, pair.to, pair.operation
        );
    }
    assert!(
        failures.is_empty(),
        "{} points off:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Regression points pinned for the two CRSs tegel leans on most.
#[test]
fn regression_points_present() {
    let g = golden();
    let pinned = |code: u32| {
        g.pairs
            .iter()
            .filter(|p| p.from == code || p.to == code)
            .flat_map(|p| &p.points)
            .filter(|p| p.regression.is_some())
            .count()
    };
    assert!(pinned(28992) >= 20);
    assert!(pinned(3857) >= 20);
}
