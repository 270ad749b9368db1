//! SIGKILL at the worst moments: in the middle of a burst of API writes, in
//! the middle of an upload's body, and just after an upload was
//! acknowledged. After a restart over the same data dir every acknowledged
//! write is there, an acknowledged upload is ingested, and no partial file
//! is left behind.

use super::{Conn, Proc, admin_auth, one_request, wait_until};
use serde_json::{Value, json};
use std::io::Write;
use std::net::TcpStream;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

const BOUNDARY: &str = "----tegel-kill-boundary-0x5f3759df";

fn org_uuid(server: &Proc) -> String {
    let (status, _, body) = one_request(
        server.addr,
        "GET",
        "/api/v4/organisations/?slug=nelen-schuurmans",
        &[("Authorization", &admin_auth())],
        &[],
    );
    assert_eq!(status, 200);
    let orgs: Value = serde_json::from_slice(&body).expect("JSON");
    orgs["results"][0]["uuid"]
        .as_str()
        .expect("the demo organisation")
        .to_string()
}

fn post_json(server: &Proc, path: &str, body: &Value) -> (u16, Value) {
    let (status, _, reply) = one_request(
        server.addr,
        "POST",
        path,
        &[
            ("Authorization", &admin_auth()),
            ("Content-Type", "application/json"),
        ],
        body.to_string().as_bytes(),
    );
    (
        status,
        serde_json::from_slice(&reply).unwrap_or(Value::Null),
    )
}

fn get_json(server: &Proc, path: &str) -> (u16, Value) {
    let (status, _, reply) = one_request(
        server.addr,
        "GET",
        path,
        &[("Authorization", &admin_auth())],
        &[],
    );
    (
        status,
        serde_json::from_slice(&reply).unwrap_or(Value::Null),
    )
}

/// Files under `dir`, recursively, with a path relative to it.
fn files(dir: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(root, &path, out);
            } else if let Ok(rel) = path.strip_prefix(root) {
                out.push(rel.to_string_lossy().into_owned());
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

fn uploads(data: &Path) -> Vec<String> {
    files(&data.join("uploads"))
}

/// The head and body of a multipart upload of `bytes` as `name`.
fn multipart(name: &str, bytes: &[u8], timestamp: &str) -> (String, Vec<u8>) {
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"timestamp\"\r\n\r\n{timestamp}\r\n\
         --{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
         Content-Type: image/tiff\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={BOUNDARY}"), body)
}

fn temporal_source(server: &Proc) -> String {
    let (status, src) = post_json(
        server,
        "/api/v4/rastersources/",
        &json!({
            "name": "killed uploads",
            "organisation": org_uuid(server),
            "access_modifier": "Private",
            "temporal": true,
            "interval": "PT5M",
        }),
    );
    assert_eq!(status, 201, "{src}");
    src["uuid"].as_str().expect("uuid").to_string()
}

fn rain_frame(i: usize) -> Vec<u8> {
    std::fs::read(crate::support::repo().join(format!("fixtures/demo/rain/rain_{i:02}.tif")))
        .expect("a rain frame")
}

#[test]
fn sigkill_during_a_burst_of_api_writes_loses_no_acknowledged_write() {
    let mut server = Proc::start("load-kill-writes", &[]);
    let org = org_uuid(&server);
    let addr = server.addr;
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..8)
        .map(|w| {
            let (org, stop) = (org.clone(), stop.clone());
            std::thread::spawn(move || {
                let auth = admin_auth();
                let mut acknowledged = Vec::new();
                let mut conn = Conn::open(addr).expect("connect");
                for i in 0.. {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let name = format!("burst {w}-{i}");
                    let body =
                        json!({"name": name, "organisation": org, "access_modifier": "Private"});
                    match conn.request(
                        "POST",
                        "/api/v4/layercollections/",
                        &[
                            ("Authorization", &auth),
                            ("Content-Type", "application/json"),
                        ],
                        body.to_string().as_bytes(),
                    ) {
                        Ok((201, _, reply)) => {
                            let made: Value = serde_json::from_slice(&reply).expect("JSON");
                            acknowledged
                                .push((made["uuid"].as_str().expect("uuid").to_string(), name));
                        }
                        Ok((status, _, reply)) => panic!(
                            "a write answered {status}: {}",
                            String::from_utf8_lossy(&reply)
                        ),
                        // The kill: whatever was in flight was not acknowledged.
                        Err(_) => break,
                    }
                }
                acknowledged
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(1500));
    server.kill9();
    stop.store(true, Ordering::Relaxed);
    let acknowledged: Vec<(String, String)> = writers
        .into_iter()
        .flat_map(|t| t.join().expect("a writer failed"))
        .collect();
    assert!(
        acknowledged.len() >= 8,
        "only {} writes were acknowledged before the kill",
        acknowledged.len()
    );
    server.restart();
    for (uuid, name) in &acknowledged {
        let (status, got) = get_json(&server, &format!("/api/v4/layercollections/{uuid}/"));
        assert_eq!(
            status, 200,
            "acknowledged collection {uuid} ({name}) is gone"
        );
        assert_eq!(&got["name"], name);
    }
    // Nothing half-written is left beside the catalogue.
    let stray: Vec<String> = files(&server.data)
        .into_iter()
        .filter(|f| f.ends_with(".tmp") || f.contains(".partial") || f.starts_with("uploads/"))
        .collect();
    assert!(stray.is_empty(), "stray files after the restart: {stray:?}");
    // And the server still writes.
    let (status, _) = post_json(
        &server,
        "/api/v4/layercollections/",
        &json!({"name": "after the kill", "organisation": org, "access_modifier": "Private"}),
    );
    assert_eq!(status, 201);
}

#[test]
fn sigkill_in_the_middle_of_an_upload_leaves_no_partial_file_after_restart() {
    let mut server = Proc::start("load-kill-upload", &[]);
    let source = temporal_source(&server);
    // Half a multipart body, then the kill while the server waits for more.
    let (content_type, body) = multipart("rain_00.tif", &rain_frame(0), "2024-06-01T12:00:00Z");
    let mut stream = TcpStream::connect(server.addr).expect("connect");
    let head = format!(
        "POST /api/v4/rastersources/{source}/data/ HTTP/1.1\r\nHost: {}\r\nAuthorization: {}\r\n\
         Content-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
        server.addr,
        admin_auth(),
        body.len()
    );
    stream.write_all(head.as_bytes()).expect("head");
    stream
        .write_all(&body[..body.len() / 2])
        .expect("half the body");
    let data = server.data.clone();
    wait_until(Duration::from_secs(10), "the upload file appears", || {
        !uploads(&data).is_empty()
    });
    server.kill9();
    drop(stream);
    assert!(
        !uploads(&server.data).is_empty(),
        "the kill left the partial file"
    );
    server.restart();
    assert_eq!(
        uploads(&server.data),
        Vec::<String>::new(),
        "a partial upload survived the restart"
    );
    // The source took no frame from it.
    let (_, src) = get_json(&server, &format!("/api/v4/rastersources/{source}/"));
    assert_eq!(src["last_value_timestamp"], Value::Null, "{src}");
}

#[test]
fn sigkill_just_after_an_upload_was_acknowledged_still_ingests_it() {
    let mut server = Proc::start("load-kill-acknowledged", &[]);
    let source = temporal_source(&server);
    let mut tasks = Vec::new();
    for i in 0..3 {
        let (content_type, body) = multipart(
            &format!("rain_{i:02}.tif"),
            &rain_frame(i),
            &format!("2024-06-01T12:{:02}:00Z", i * 5),
        );
        let (status, _, reply) = one_request(
            server.addr,
            "POST",
            &format!("/api/v4/rastersources/{source}/data/"),
            &[
                ("Authorization", &admin_auth()),
                ("Content-Type", &content_type),
                ("Accept", "application/json"),
            ],
            &body,
        );
        assert!(
            status == 200 || status == 201 || status == 202,
            "{status}: {}",
            String::from_utf8_lossy(&reply)
        );
        let task: Value = serde_json::from_slice(&reply).expect("JSON");
        tasks.push(
            task["task_id"]
                .as_str()
                .or(task["uuid"].as_str())
                .map_or_else(|| panic!("no task id in {task}"), str::to_string),
        );
    }
    // At once: the worker may be anywhere in these ingests.
    server.kill9();
    server.restart();
    for task in &tasks {
        let mut last = Value::Null;
        wait_until(Duration::from_secs(60), "the task finishes", || {
            let (status, got) = get_json(&server, &format!("/api/v4/tasks/{task}/"));
            assert_eq!(status, 200, "task {task} is gone: {got}");
            last = got;
            matches!(last["status"].as_str(), Some("SUCCESS" | "FAILURE"))
        });
        assert_eq!(last["status"], "SUCCESS", "{last}");
    }
    let (_, src) = get_json(&server, &format!("/api/v4/rastersources/{source}/"));
    assert_eq!(src["first_value_timestamp"], "2024-06-01T12:00:00Z");
    assert_eq!(src["last_value_timestamp"], "2024-06-01T12:10:00Z");
    assert_eq!(uploads(&server.data), Vec::<String>::new());
}
