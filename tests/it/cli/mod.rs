//! The `tegel ingest` command, run as the built binary: what it prints, what it
//! records, what it refuses (leaving the catalogue and the store as they were),
//! and what a server over the same data dir then serves.
//!
//! Every test works in its own temp data dir; bad GeoTIFFs are generated here
//! with the `tiff` encoder, next to a good twin that proves the writer works.
//!
//! This file holds what the tests share: running the binary, ingesting and
//! checking a refusal left the data dir as it was, a server over a data dir.
//! The tests themselves live in the submodules, one area each.

mod access;
mod admin;
mod bad_input;
mod concurrency;
mod live;
mod single;
mod style;
mod temporal;
mod tiffs;

use super::support::{self, TestServer};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};
use uuid::Uuid;

const RD_NEW: u32 = 28992;

/// The `tegel` binary in the repository root, with no `TEGEL_*` from outside.
pub fn tegel() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tegel"));
    cmd.current_dir(support::repo());
    for (k, _) in std::env::vars() {
        if k.starts_with("TEGEL_") {
            cmd.env_remove(k);
        }
    }
    cmd.env("TEGEL_LOG", "warn");
    cmd.stdin(Stdio::null());
    cmd
}

/// Runs `cmd` to completion, killing it (and failing) after `limit`.
pub fn run_for(mut cmd: Command, limit: Duration) -> Output {
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn tegel");
    let started = Instant::now();
    loop {
        match child.try_wait().expect("wait for tegel") {
            Some(_) => return child.wait_with_output().expect("tegel output"),
            None if started.elapsed() > limit => {
                let _ = child.kill();
                let out = child.wait_with_output().expect("tegel output");
                panic!(
                    "tegel did not finish within {limit:?}; stderr: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
            None => std::thread::sleep(Duration::from_millis(20)),
        }
    }
}

fn fixture(rel: &str) -> PathBuf {
    support::repo().join("fixtures/demo").join(rel)
}

fn rain(i: usize) -> PathBuf {
    fixture(&format!("rain/rain_{i:02}.tif"))
}

/// `tegel ingest --data-dir D <args>`.
fn ingest(data: &Path, args: &[&str]) -> Output {
    let mut cmd = tegel();
    cmd.arg("ingest").arg("--data-dir").arg(data).args(args);
    run_for(cmd, Duration::from_secs(20))
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The one JSON object a successful ingest prints.
#[derive(Debug)]
struct Printed {
    source: Uuid,
    layer: Option<Uuid>,
    wms_layer: Option<String>,
}

fn ingest_ok(data: &Path, args: &[&str]) -> Printed {
    let out = ingest(data, args);
    assert!(
        out.status.success(),
        "ingest {args:?} failed: {}",
        stderr(&out)
    );
    let stdout = String::from_utf8(out.stdout).expect("stdout is UTF-8");
    let lines: Vec<&str> = stdout.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "stdout must be one JSON line: {stdout:?}");
    let value: serde_json::Value = serde_json::from_str(lines[0]).expect("stdout is JSON");
    let obj = value.as_object().expect("a JSON object");
    let keys: BTreeSet<&str> = obj.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        BTreeSet::from(["source", "layer", "wms_layer"]),
        "{value}"
    );
    let uuid = |v: &serde_json::Value| {
        v.as_str()
            .map(|s| Uuid::parse_str(s).expect("a uuid string"))
    };
    Printed {
        source: uuid(&obj["source"]).expect("source uuid"),
        layer: uuid(&obj["layer"]),
        wms_layer: obj["wms_layer"].as_str().map(str::to_string),
    }
}

/// A server over `data` without the demo data.
fn server_over(data: &Path) -> TestServer {
    let mut config = support::test_config("cli-serve");
    let _ = std::fs::remove_dir_all(&config.server.data_dir);
    config.server.data_dir = data.to_path_buf();
    config.demo.ingest_on_empty = false;
    TestServer::start(config)
}

/// Every file under `dir`, relative, sorted.
fn files_under(dir: &Path) -> BTreeSet<PathBuf> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeSet<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                out.insert(p.strip_prefix(root).expect("under root").to_path_buf());
            }
        }
    }
    let mut out = BTreeSet::new();
    walk(dir, dir, &mut out);
    out
}

/// What must not change when an ingest is refused.
#[derive(Debug, PartialEq)]
struct DataState {
    catalogue: Option<tegel::catalogue::CatalogueData>,
    store_files: BTreeSet<PathBuf>,
}

fn data_state(data: &Path) -> DataState {
    DataState {
        catalogue: data.join("catalogue.sqlite").exists().then(|| {
            tegel::catalogue::Catalogue::open(data)
                .expect("catalogue")
                .snapshot()
                .data()
                .clone()
        }),
        store_files: files_under(&data.join("sources")),
    }
}

/// Runs a refused ingest and checks exit code, message and untouched data.
fn refused(data: &Path, args: &[&str], message_has: &[&str]) {
    let before = data_state(data);
    let out = ingest(data, args);
    let err = stderr(&out);
    assert!(
        !out.status.success(),
        "ingest {args:?} should fail; stdout: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        out.stdout.is_empty(),
        "a refused ingest printed: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    for word in message_has {
        assert!(
            err.to_lowercase().contains(&word.to_lowercase()),
            "stderr of {args:?} does not mention {word:?}: {err}"
        );
    }
    let after = data_state(data);
    assert_eq!(
        before.catalogue, after.catalogue,
        "the catalogue changed by refused ingest {args:?}"
    );
    assert_eq!(
        before.store_files, after.store_files,
        "refused ingest {args:?} left files in the store"
    );
}

fn capabilities(server: &TestServer) -> String {
    let resp = server
        .get("/wms/?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetCapabilities")
        .expect_status(200);
    assert!(resp.content_type().contains("xml"));
    resp.text()
}
