//! Upload files on disk: the data dir's `uploads/` holds only files a waiting
//! task will take. Files no task refers to (a kill mid-upload) are removed at
//! start while a pending task's file is kept and ingested; an upload cut off
//! mid-body leaves no file; a file with absurd georeferencing fails its task
//! with the cause in the task's error.

use super::api::client::{Client, basic, json, user_key};
use super::cli::{run_for, tegel};
use super::support::{self, TestServer, repo};
use serde_json::{Value, json};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tegel::catalogue::worker::{UploadParams, upload_task};
use tegel::catalogue::{Catalogue, TaskStatus};
use uuid::Uuid;

fn lochem() -> PathBuf {
    repo().join("fixtures/demo/p_lochem_kwel_wegzijging_2050.tif")
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default()
}

fn server_over(data: &Path, demo: bool) -> TestServer {
    let mut config = support::test_config("uploads-serve");
    let _ = std::fs::remove_dir_all(&config.server.data_dir);
    config.server.data_dir = data.to_path_buf();
    config.demo.ingest_on_empty = demo;
    TestServer::start(config)
}

/// Waits (≤ 60 s) until task `id` in the catalogue on disk has finished.
fn finished(data: &Path, id: Uuid) -> tegel::catalogue::Task {
    let started = Instant::now();
    loop {
        let snap = Catalogue::open(data).expect("catalogue").snapshot();
        let task = snap
            .data()
            .tasks
            .iter()
            .find(|t| t.id == id)
            .cloned()
            .expect("task recorded");
        if matches!(task.status, TaskStatus::Success | TaskStatus::Failure) {
            return task;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "{task:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_restart_removes_stray_uploads_and_keeps_and_ingests_a_pending_one() {
    let data = support::temp_dir("uploads-sweep");
    let mut cmd = tegel();
    cmd.arg("ingest")
        .arg("--data-dir")
        .arg(&data)
        .args(["--organisation", "sweep-org"])
        .arg(lochem());
    let out = run_for(cmd, Duration::from_secs(60));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let source = Uuid::parse_str(printed["source"].as_str().expect("source")).expect("uuid");
    let catalogue = Catalogue::open(&data).expect("catalogue");
    let first_frame = catalogue.snapshot().source(source).expect("source").frames[0]
        .file
        .clone();

    let uploads = data.join("uploads");
    std::fs::create_dir_all(&uploads).unwrap();
    let stray = uploads.join("0123456789abcdef0123456789abcdef.upload");
    std::fs::write(&stray, b"half of a GeoTIFF, cut off by a kill").unwrap();
    let pending = uploads.join("fedcba9876543210fedcba9876543210.upload");
    std::fs::copy(lochem(), &pending).unwrap();
    let params = UploadParams {
        file: pending.clone(),
        file_name: Some("again.tif".into()),
        timestamp: None,
    };
    let task = upload_task(None, source, &params);
    let id = task.id;
    catalogue
        .update(|d, _| {
            d.tasks.push(task);
            Ok(())
        })
        .expect("task recorded");
    drop(catalogue);

    let server = server_over(&data, false);
    assert!(
        !stray.exists(),
        "a file no task refers to is removed at start"
    );
    let task = finished(&data, id);
    assert_eq!(task.status, TaskStatus::Success, "{task:?}");
    let snap = Catalogue::open(&data).expect("catalogue").snapshot();
    let frames = &snap.source(source).expect("source").frames;
    assert_eq!(frames.len(), 1);
    assert_ne!(frames[0].file, first_frame, "the pending file was ingested");
    assert!(files_in(&uploads).is_empty(), "{:?}", files_in(&uploads));
    drop(server);
    let _ = std::fs::remove_dir_all(&data);
}

fn new_source(server: &TestServer, key: &str, name: &str) -> String {
    let client = Client::with_key(server, key);
    let orgs = client.get_json("/api/v4/organisations/?slug=nelen-schuurmans");
    let org = orgs["results"][0]["uuid"]
        .as_str()
        .expect("org")
        .to_string();
    let resp = client
        .send(
            "POST",
            "/api/v4/rastersources/",
            Some(&json!({"name": name, "organisation": org, "access_modifier": "Public"})),
        )
        .expect_status(201);
    json(&resp)["uuid"].as_str().expect("uuid").to_string()
}

fn file_part_head(boundary: &str) -> String {
    format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.tif\"\r\nContent-Type: image/tiff\r\n\r\n"
    )
}

#[test]
fn an_upload_cut_off_mid_body_leaves_no_file() {
    let data = support::temp_dir("uploads-cut");
    let server = server_over(&data, true);
    let key = user_key(&server, "cut-root", true);
    let source = new_source(&server, &key, "cut-source");
    let boundary = "cut-boundary-1234";
    let mut stream = std::net::TcpStream::connect(server.addr).expect("connect");
    let head = format!(
        "POST /api/v4/rastersources/{source}/data/ HTTP/1.1\r\nHost: {}\r\nAuthorization: {}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: 50000000\r\n\r\n",
        server.addr,
        basic(&key)
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream
        .write_all(file_part_head(boundary).as_bytes())
        .unwrap();
    stream.write_all(&vec![42u8; 256 * 1024]).unwrap();
    stream.flush().unwrap();
    let uploads = data.join("uploads");
    let started = Instant::now();
    while files_in(&uploads).is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the upload never reached the disk"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    drop(stream);
    let started = Instant::now();
    while !files_in(&uploads).is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "partial upload left behind: {:?}",
            files_in(&uploads)
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    drop(server);
    let _ = std::fs::remove_dir_all(&data);
}

/// A one-band u8 GeoTIFF (RD New) with the given tiepoint origin and pixel size.
fn tiff_with_georef(origin: (f64, f64), pixel: f64) -> Vec<u8> {
    use tiff::encoder::{TiffEncoder, colortype};
    use tiff::tags::Tag;
    let mut out = std::io::Cursor::new(Vec::new());
    let mut enc = TiffEncoder::new(&mut out).expect("encoder");
    let mut image = enc.new_image::<colortype::Gray8>(8, 8).expect("image");
    let e = image.encoder();
    e.write_tag(Tag::ModelPixelScaleTag, &[pixel, pixel, 0.0][..])
        .unwrap();
    e.write_tag(
        Tag::ModelTiepointTag,
        &[0.0, 0.0, 0.0, origin.0, origin.1, 0.0][..],
    )
    .unwrap();
    let keys: [u16; 16] = [1, 1, 0, 3, 1024, 0, 1, 1, 1025, 0, 1, 1, 3072, 0, 1, 28992];
    e.write_tag(Tag::GeoKeyDirectoryTag, &keys[..]).unwrap();
    image.write_data(&[7u8; 64]).expect("data");
    out.into_inner()
}

#[test]
fn absurd_georeferencing_fails_the_upload_task_with_its_cause() {
    let data = support::temp_dir("uploads-georef");
    let server = server_over(&data, true);
    let key = user_key(&server, "georef-root", true);
    let client = Client::with_key(&server, &key);
    for (name, origin, pixel, cause) in [
        ("far.tif", (1e300, 450_000.0), 10.0, "origin"),
        ("huge-pixel.tif", (200_000.0, 450_000.0), 1e16, "pixel size"),
        ("overflow.tif", (9e14, 450_000.0), 1e14, "far corner"),
    ] {
        let source = new_source(&server, &key, &format!("georef-{name}"));
        let boundary = "georef-boundary-5678";
        let mut body = file_part_head(boundary).replace("x.tif", name).into_bytes();
        body.extend_from_slice(&tiff_with_georef(origin, pixel));
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let ct = format!("multipart/form-data; boundary={boundary}");
        let auth = basic(&key);
        let resp = server
            .send(
                "POST",
                &format!("/api/v4/rastersources/{source}/data/"),
                &[("Authorization", &auth), ("Content-Type", &ct)],
                &body,
            )
            .expect_status(200);
        let url = json(&resp)["url"].as_str().expect("task url").to_string();
        let path = format!("/api/v4/{}", url.split_once("/api/v4/").expect("api url").1);
        let started = Instant::now();
        let task = loop {
            let task = client.get_json(&path);
            if task["status"] == "SUCCESS" || task["status"] == "FAILURE" {
                break task;
            }
            assert!(started.elapsed() < Duration::from_secs(60), "{task}");
            std::thread::sleep(Duration::from_millis(100));
        };
        assert_eq!(task["status"], "FAILURE", "{name}: {task}");
        let error = task["error"].as_str().unwrap_or_default();
        assert!(
            error.contains(name) && error.contains(cause) && error.contains("1e15"),
            "{name}: {error}"
        );
    }
    drop(server);
    let _ = std::fs::remove_dir_all(&data);
}
