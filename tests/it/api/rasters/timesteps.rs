//! `GET /api/v4/rasters/{uuid}/timesteps/` as the 3Di scenario downloader
//! reads it: `{"steps": [...]}`, ascending, UTC with a literal `Z`, the
//! frames of a plain layer (checked against the demo's own manifest) and
//! the instants of a computed one (a Shift moves them by its period); a
//! `start`/`stop` window; the trailing slash optional; unknown layers 404.

use crate::api::client::{Client, json};
use crate::geoblocks::add_layer;
use crate::support::{TestServer, repo, test_config};
use chrono::{DateTime, Duration, Utc};
use serde_json::Value;
use std::sync::OnceLock;
use tegel::catalogue::Catalogue;
use uuid::Uuid;

fn server() -> &'static TestServer {
    static S: OnceLock<TestServer> = OnceLock::new();
    S.get_or_init(|| TestServer::start(test_config("api-timesteps")))
}

/// The uuid of the layer with `slug`, and of its single source.
fn layer(slug: &str) -> (Uuid, Option<Uuid>) {
    let snap = Catalogue::open(&server().data_dir)
        .expect("catalogue")
        .snapshot();
    let l = snap
        .layers()
        .iter()
        .find(|l| l.slug == slug)
        .unwrap_or_else(|| panic!("layer {slug}"));
    (l.uuid, snap.single_source(l).map(|s| s.uuid))
}

/// The rain frames' instants as the demo manifest lists them.
fn manifest_rain() -> Vec<DateTime<Utc>> {
    let text = std::fs::read_to_string(repo().join("fixtures/demo/demo.json")).expect("demo.json");
    let demo: Value = serde_json::from_str(&text).expect("JSON");
    demo["layers"]
        .as_array()
        .expect("layers")
        .iter()
        .find(|l| l["name"] == "rain")
        .expect("rain")["timestamps"]
        .as_array()
        .expect("timestamps")
        .iter()
        .map(|t| t.as_str().expect("text").parse().expect("an instant"))
        .collect()
}

/// The steps of `path`, checked to be `…Z` strings, parsed.
fn steps(path: &str) -> Vec<DateTime<Utc>> {
    let got = Client::anonymous(server()).get(path).expect_status(200);
    assert_eq!(got.content_type(), "application/json");
    let body = json(&got);
    body["steps"]
        .as_array()
        .unwrap_or_else(|| panic!("{path}: {body}"))
        .iter()
        .map(|s| {
            let s = s.as_str().expect("a string");
            assert!(s.ends_with('Z') && !s.contains("+00:00"), "{s}");
            s.parse().expect("an instant")
        })
        .collect()
}

#[test]
fn a_temporal_layer_lists_its_frames_ascending_in_utc_with_z() {
    let (rain, _) = layer("rain");
    let want = manifest_rain();
    assert_eq!(want.len(), 12);
    assert_eq!(steps(&format!("/api/v4/rasters/{rain}/timesteps/")), want);
    // Without the trailing slash, as some clients write it.
    assert_eq!(steps(&format!("/api/v4/rasters/{rain}/timesteps")), want);
    // Whole seconds are written without a fraction.
    let body = Client::anonymous(server()).get_json(&format!("/api/v4/rasters/{rain}/timesteps/"));
    assert_eq!(body["steps"][0], "2024-06-01T12:00:00Z");
}

#[test]
fn start_and_stop_keep_the_steps_inside_the_window_both_ends_included() {
    let (rain, _) = layer("rain");
    let (from, to): (DateTime<Utc>, DateTime<Utc>) = (
        "2024-06-01T12:10:00Z".parse().expect("instant"),
        "2024-06-01T12:25:00Z".parse().expect("instant"),
    );
    let want: Vec<_> = manifest_rain()
        .into_iter()
        .filter(|t| *t >= from && *t <= to)
        .collect();
    assert_eq!(want.len(), 4);
    let path = format!(
        "/api/v4/rasters/{rain}/timesteps/?start=2024-06-01T12:10:00Z&stop=2024-06-01T12:25:00Z"
    );
    assert_eq!(steps(&path), want);
    // An offset is converted to UTC; a window after the last frame is empty.
    let path = format!("/api/v4/rasters/{rain}/timesteps/?start=2024-06-01T14:50:00%2B02:00");
    assert_eq!(steps(&path), manifest_rain()[10..].to_vec());
    let path = format!("/api/v4/rasters/{rain}/timesteps/?start=2030-01-01");
    assert_eq!(steps(&path), Vec::<DateTime<Utc>>::new());
    // A bad instant is the field's error.
    let bad = Client::anonymous(server())
        .get(&format!("/api/v4/rasters/{rain}/timesteps/?stop=yesterday"))
        .expect_status(400);
    assert!(
        json(&bad)["stop"].is_array() || json(&bad)["detail"]["stop"].is_array(),
        "{}",
        bad.text()
    );
}

#[test]
fn a_computed_layer_lists_the_instants_its_graph_yields() {
    let (_, source) = layer("rain");
    let source = source.expect("rain's source");
    let name = add_layer(
        server(),
        "rain-an-hour-later",
        serde_json::json!({"name": "x", "graph": {
            "r": ["lizard_nxt.blocks.LizardRasterSource", source.to_string()],
            "x": ["dask_geomodeling.raster.temporal.Shift", "r", 3_600_000]}}),
    );
    assert!(name.ends_with("rain-an-hour-later"));
    let (shifted, _) = layer("rain-an-hour-later");
    let want: Vec<_> = manifest_rain()
        .into_iter()
        .map(|t| t + Duration::hours(1))
        .collect();
    assert_eq!(
        steps(&format!("/api/v4/rasters/{shifted}/timesteps/")),
        want
    );
}

#[test]
fn a_layer_without_time_has_no_steps_and_unknown_layers_are_404() {
    let (lochem, _) = layer("p_lochem_kwel_wegzijging_2050");
    assert_eq!(
        steps(&format!("/api/v4/rasters/{lochem}/timesteps/")),
        Vec::<DateTime<Utc>>::new()
    );
    let anon = Client::anonymous(server());
    anon.get(&format!("/api/v4/rasters/{}/timesteps/", Uuid::new_v4()))
        .expect_status(404);
    anon.get("/api/v4/rasters/not-a-uuid/timesteps/")
        .expect_status(404);
    // Read-only.
    let (rain, _) = layer("rain");
    let resp = anon.send("POST", &format!("/api/v4/rasters/{rain}/timesteps/"), None);
    assert_eq!(resp.status, 405, "{}", resp.text());
}

#[test]
fn a_layer_the_caller_may_not_read_answers_as_one_that_does_not_exist() {
    use crate::api::client::{user_key, wait_for_revision};
    use tegel::catalogue::AccessModifier;
    let (_, source) = layer("rain");
    add_layer(
        server(),
        "private-rain",
        serde_json::json!({"name": "x", "graph": {
            "x": ["lizard_nxt.blocks.LizardRasterSource", source.expect("source").to_string()]}}),
    );
    let cat = Catalogue::open(&server().data_dir).expect("catalogue");
    cat.update(|d, _| {
        for l in d.layers.iter_mut().filter(|l| l.slug == "private-rain") {
            l.access_modifier = AccessModifier::Private;
        }
        Ok(())
    })
    .expect("make it private");
    wait_for_revision(server(), cat.snapshot().revision());
    let (private, _) = layer("private-rain");
    let anon = Client::anonymous(server());
    let hidden = anon
        .get(&format!("/api/v4/rasters/{private}/timesteps/"))
        .expect_status(404);
    let unknown = anon
        .get(&format!("/api/v4/rasters/{}/timesteps/", Uuid::new_v4()))
        .expect_status(404);
    assert_eq!(hidden.body, unknown.body);
    let key = user_key(server(), "timesteps-root", true);
    let seen =
        Client::with_key(server(), &key).get_json(&format!("/api/v4/rasters/{private}/timesteps/"));
    assert_eq!(seen["steps"].as_array().map(Vec::len), Some(12), "{seen}");
}
