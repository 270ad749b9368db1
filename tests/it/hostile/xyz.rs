//! Hostile XYZ tile requests: coordinates out of range, negative or not
//! numbers, bad extensions and segment counts, unknown layers and parameters.

use super::{LAYER, Want, run, with_get};
use crate::support;

fn xyz_corpus() -> Vec<(String, String, Want)> {
    let t = |z: &str, x: &str, y: &str| format!("/tiles/{LAYER}/{z}/{x}/{y}");
    let cases: Vec<(&str, String, Want)> = vec![
        ("z=31", t("31", "0", "0.png"), Want::Json(404)),
        ("z=255", t("255", "0", "0.png"), Want::Json(404)),
        ("x = 2^z", t("2", "4", "0.png"), Want::Json(404)),
        ("y = 2^z", t("2", "0", "4.png"), Want::Json(404)),
        ("x = 2^z at z=0", t("0", "1", "0.png"), Want::Json(404)),
        ("negative x", t("2", "-1", "0.png"), Want::Json(400)),
        ("negative z", t("-2", "0", "0.png"), Want::Json(400)),
        ("non-numeric z", t("a", "0", "0.png"), Want::Json(400)),
        ("non-numeric y", t("2", "0", "abc.png"), Want::Json(400)),
        ("fractional x", t("2", "1.5", "0.png"), Want::Json(400)),
        (".jpg", t("2", "0", "0.jpg"), Want::Json(400)),
        ("no extension", t("2", "0", "0"), Want::Json(400)),
        (
            "huge z",
            t("99999999999999999999", "0", "0.png"),
            Want::Json(404),
        ),
        (
            "huge x",
            t("3", "99999999999999999999999999", "0.png"),
            Want::Json(404),
        ),
        (
            "z=30, x beyond 2^30",
            t("30", "1073741824", "0.png"),
            Want::Json(404),
        ),
        (
            "path traversal as layer",
            "/tiles/..%2F..%2Fetc%2Fpasswd/2/0/0.png".to_string(),
            Want::Json(400),
        ),
        (
            "unknown layer",
            "/tiles/nope:nothing/2/0/0.png".to_string(),
            Want::Json(404),
        ),
        (
            "unknown uuid layer",
            "/tiles/7d3a3c6e-5e0a-4d35-9a55-000000000000/2/0/0.png".to_string(),
            Want::Json(404),
        ),
        (
            "too few segments",
            format!("/tiles/{LAYER}/2/0"),
            Want::Json(400),
        ),
        (
            "too many segments",
            format!("/tiles/{LAYER}/2/0/0/0.png"),
            Want::Json(400),
        ),
        ("empty tiles path", "/tiles/".to_string(), Want::Json(400)),
        (
            "unknown style",
            format!("{}?styles=no_such_colormap", t("2", "2", "1.png")),
            Want::Json(400),
        ),
        (
            "TIME garbage",
            format!("{}?time=yesterday", t("2", "2", "1.png")),
            Want::Json(400),
        ),
        (
            "resampling garbage",
            format!("{}?resampling=%ZZ", t("2", "2", "1.png")),
            Want::Json(400),
        ),
    ];
    cases
        .into_iter()
        .map(|(name, target, want)| (name.to_string(), target, want))
        .collect()
}

#[test]
fn hostile_tile_requests_get_json_client_errors() {
    run(support::demo(), with_get(xyz_corpus()));
}
