//! `[storage]`: max_open_maps, max_input_pixels (max_upload_bytes:
//! `tests/it/api/rastersources.rs`).

use super::*;
use crate::api::client::{Client, basic, user_key};
use std::collections::BTreeSet;

/// The store files of `data_dir` this process has mapped now (the servers of
/// these tests run in this process; each has its own data dir).
fn mapped_store_files(data_dir: &Path) -> BTreeSet<String> {
    let root = data_dir.canonicalize().expect("data dir").join("sources");
    let root = root.to_str().expect("UTF-8 path").to_string();
    std::fs::read_to_string("/proc/self/maps")
        .expect("/proc/self/maps")
        .lines()
        .filter_map(|l| l.split_once('/').map(|(_, p)| format!("/{p}")))
        .filter(|p| p.starts_with(&root))
        .collect()
}

/// Renders the rain at each of its 12 instants.
fn render_every_rain_frame(server: &TestServer) {
    for minute in (0..60).step_by(5) {
        let path = format!(
            "{}&TIME=2024-06-01T12:{minute:02}:00Z",
            getmap(RAIN, RAIN_BBOX, 24, 20)
        );
        assert!(painted(&png(&server.get(&path))) > 0);
    }
}

#[test]
fn storage_max_open_maps_bounds_the_raster_files_mapped_at_once() {
    let mut config = config_with("keys-open-maps", &[RAIN_FILE]);
    config.storage.max_open_maps = 2;
    let two = TestServer::start(config);
    render_every_rain_frame(&two);
    let mapped = mapped_store_files(&two.data_dir);
    assert_eq!(mapped.len(), 2, "{mapped:?}");

    // The default (256) keeps all 12 open.
    let default = TestServer::start(config_with("keys-open-maps-default", &[RAIN_FILE]));
    render_every_rain_frame(&default);
    let mapped = mapped_store_files(&default.data_dir);
    assert_eq!(mapped.len(), 12, "{mapped:?}");
}

/// Uploads `file` (a demo fixture) as a new source and waits for its task:
/// the task's status and error.
fn upload(server: &TestServer, key: &str, file: &str) -> (String, String) {
    let client = Client::with_key(server, key);
    let orgs = client.get_json("/api/v4/organisations/?slug=nelen-schuurmans");
    let org = orgs["results"][0]["uuid"]
        .as_str()
        .expect("the demo organisation");
    let created = client
        .send(
            "POST",
            "/api/v4/rastersources/",
            Some(&serde_json::json!({"name": file, "organisation": org})),
        )
        .expect_status(201);
    let source = json(&created)["uuid"].as_str().expect("uuid").to_string();
    let bytes = std::fs::read(repo().join("fixtures/demo").join(file)).expect("fixture");
    let boundary = "----tegel-config-keys-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"upload.tif\"\r\n\
         Content-Type: image/tiff\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(&bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let content_type = format!("multipart/form-data; boundary={boundary}");
    let auth = basic(key);
    let resp = server
        .send(
            "POST",
            &format!("/api/v4/rastersources/{source}/data/"),
            &[
                ("Authorization", &auth),
                ("Content-Type", &content_type),
                ("Accept", "application/json"),
            ],
            &body,
        )
        .expect_status(200);
    let url = json(&resp)["url"].as_str().expect("a task url").to_string();
    let path = url
        .split_once("/api/v4/")
        .map(|(_, p)| format!("/api/v4/{p}"));
    let path = path.expect("an API url");
    let started = Instant::now();
    loop {
        let task = client.get_json(&path);
        let status = task["status"].as_str().unwrap_or("").to_string();
        if status == "SUCCESS" || status == "FAILURE" {
            return (status, task["error"].as_str().unwrap_or("").to_string());
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "task still {task}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn storage_max_input_pixels_refuses_larger_uploads_and_ingests() {
    // A rain frame has 120×100 = 12 000 pixels, the Lochem file 91×65 = 5 915.
    let mut config = config_with("keys-input-pixels", &[LOCHEM_FILE]);
    config.storage.max_input_pixels = 11_999;
    let small = TestServer::start(config);
    let key = user_key(&small, "pixels-root", true);
    let (status, error) = upload(&small, &key, "rain/rain_00.tif");
    assert_eq!(status, "FAILURE", "{error}");
    assert!(
        error.contains("120x100") && error.contains("11999"),
        "{error}"
    );
    let (status, error) = upload(&small, &key, "p_lochem_kwel_wegzijging_2050.tif");
    assert_eq!(status, "SUCCESS", "{error}");

    // `tegel ingest` reads the same key.
    let ingest = |limit: &str| {
        let data = temp_dir("keys-input-pixels-cli");
        let mut cmd = tegel();
        cmd.arg("ingest").arg("--data-dir").arg(&data);
        cmd.arg(repo().join("fixtures/demo/rain/rain_00.tif"));
        cmd.env("TEGEL_STORAGE_MAX_INPUT_PIXELS", limit);
        let out = crate::cli::run_for(cmd, Duration::from_secs(30));
        let _ = std::fs::remove_dir_all(&data);
        out
    };
    let refused = ingest("11999");
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success(), "{stderr}");
    assert!(stderr.contains("11999"), "{stderr}");
    let done = ingest("12000");
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );

    // At the limit is allowed.
    let mut config = config_with("keys-input-pixels-at", &[LOCHEM_FILE]);
    config.storage.max_input_pixels = 12_000;
    let exact = TestServer::start(config);
    let key = user_key(&exact, "pixels-root", true);
    let (status, error) = upload(&exact, &key, "rain/rain_00.tif");
    assert_eq!(status, "SUCCESS", "{error}");
}
