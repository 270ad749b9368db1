//! A server already running over a data dir while the command changes it: a
//! new layer appears, and a frame added to a source becomes the latest one
//! served, past the tile and ETag caches.

use super::{capabilities, fixture, ingest_ok, rain, server_over};
use crate::support;
use std::time::{Duration, Instant};
use tegel::catalogue::Catalogue;

#[test]
fn a_running_server_sees_an_ingest_by_the_command_within_two_seconds() {
    let data = support::temp_dir("cli-live");
    let server = server_over(&data);
    let name = "my-org:live-layer";
    assert!(!capabilities(&server).contains(name));
    let file = fixture("p_lochem_kwel_wegzijging_2050.tif");
    let printed = ingest_ok(
        &data,
        &[
            "--name",
            "Live layer",
            "--organisation",
            "my-org",
            file.to_str().expect("path"),
        ],
    );
    assert_eq!(printed.wms_layer.as_deref(), Some(name));
    let started = Instant::now();
    loop {
        if capabilities(&server).contains(&format!("<Name>{name}</Name>")) {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_millis(2500),
            "the server did not pick up the ingest within 2.5 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // And it renders it.
    let resp = server
        .get(&format!("/tiles/{name}/0/0/0.png"))
        .expect_status(200);
    assert_eq!(resp.content_type(), "image/png");
}

#[test]
fn a_running_server_serves_frames_added_by_the_command() {
    // Caches (tiles, ETags) must not keep serving the old latest frame once the
    // command added a newer one.
    let data = support::temp_dir("cli-live-frames");
    let p = |i: usize| rain(i).to_string_lossy().into_owned();
    let created = ingest_ok(
        &data,
        &[
            "--name",
            "Live rain",
            "--organisation",
            "my-org",
            "--timestamp",
            "2024-06-01T12:00:00Z",
            "--timestamp",
            "2024-06-01T12:05:00Z",
            &p(0),
            &p(1),
        ],
    );
    let server = server_over(&data);
    let snap = Catalogue::open(&data).expect("catalogue").snapshot();
    let grid = snap
        .source(created.source)
        .and_then(|s| s.grid.clone())
        .expect("grid");
    drop(snap);
    let e = grid.transform().bbox(grid.width, grid.height);
    let map = |time: Option<&str>, headers: &[(&str, &str)]| {
        let mut path = format!(
            "/wms/?SERVICE=WMS&VERSION=1.1.1&REQUEST=GetMap&LAYERS=my-org:live-rain&STYLES=\
             &SRS=EPSG:28992&BBOX={},{},{},{}&WIDTH=60&HEIGHT=50&FORMAT=image/tiff",
            e.min_x, e.min_y, e.max_x, e.max_y
        );
        if let Some(t) = time {
            path.push_str(&format!("&TIME={t}"));
        }
        server.get_with(&path, headers)
    };
    let before = map(None, &[]).expect_status(200);
    let etag = before.header("etag").expect("ETag").to_string();
    let at_0505 = map(Some("2024-06-01T12:05:00Z"), &[]).expect_status(200);
    assert_eq!(before.body, at_0505.body, "latest is the 12:05 frame");
    assert_eq!(map(None, &[("If-None-Match", &etag)]).status, 304);

    let source = created.source.to_string();
    ingest_ok(
        &data,
        &[
            "--source",
            &source,
            "--timestamp",
            "2024-06-01T12:10:00Z",
            &p(9),
        ],
    );
    let started = Instant::now();
    let after = loop {
        let resp = map(None, &[("If-None-Match", &etag)]);
        if resp.status == 200 {
            break resp;
        }
        assert_eq!(resp.status, 304);
        assert!(
            started.elapsed() < Duration::from_millis(2500),
            "still the old latest frame 2.5 s after the ingest"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_ne!(after.header("etag"), Some(etag.as_str()));
    let at_1010 = map(Some("2024-06-01T12:10:00Z"), &[]).expect_status(200);
    assert_eq!(
        after.body, at_1010.body,
        "latest is now the added 12:10 frame"
    );
    assert_ne!(
        support::decode_tiff(&after.body).values,
        support::decode_tiff(&before.body).values,
        "rain_09 and rain_01 differ, so must the maps"
    );
}
