//! Writers of one data dir at the same time: parallel ingests that must all
//! land, a reader that must see writes made in quick succession, and the
//! catalogue lock (waited for while held, taken over when stale).

use super::{data_state, files_under, fixture, ingest_ok, rain, stderr, tegel};
use crate::support;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};
use tegel::catalogue::Catalogue;
use uuid::Uuid;

#[test]
fn concurrent_ingests_into_one_data_dir_all_land() {
    // Several `tegel ingest` processes at once (a script ingesting in parallel)
    // must not overwrite each other's catalogue updates.
    let data = support::temp_dir("cli-concurrent");
    let n = 8;
    let children: Vec<_> = (0..n)
        .map(|i| {
            let mut cmd = tegel();
            cmd.arg("ingest")
                .arg("--data-dir")
                .arg(&data)
                .args([
                    "--organisation",
                    "my-org",
                    "--name",
                    &format!("Parallel {i}"),
                ])
                .arg(rain(i))
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());
            cmd.spawn().expect("spawn ingest")
        })
        .collect();
    let mut printed = BTreeSet::new();
    for child in children {
        let out = child.wait_with_output().expect("ingest output");
        assert!(out.status.success(), "{}", stderr(&out));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        printed.insert(v["wms_layer"].as_str().expect("wms_layer").to_string());
    }
    let want: BTreeSet<String> = (0..n).map(|i| format!("my-org:parallel-{i}")).collect();
    assert_eq!(printed, want);
    let snap = Catalogue::open(&data).expect("catalogue").snapshot();
    let recorded: BTreeSet<String> = snap
        .layers()
        .iter()
        .filter_map(|l| snap.wms_name(l))
        .collect();
    assert_eq!(recorded, want, "layers lost between concurrent ingests");
    let referenced: BTreeSet<PathBuf> = snap
        .data()
        .sources
        .iter()
        .flat_map(|s| {
            s.frames
                .iter()
                .map(move |f| PathBuf::from(s.uuid.to_string()).join(format!("{}.tif", f.file)))
        })
        .collect();
    assert_eq!(
        files_under(&data.join("sources")),
        referenced,
        "store files vs catalogue frames"
    );
    assert_eq!(
        snap.data().organisations.len(),
        1,
        "one organisation my-org"
    );
    let _ = std::fs::remove_dir_all(&data);
}

#[test]
fn quick_successive_catalogue_writes_are_all_seen_by_a_reader() {
    // The server and `tegel ingest` hold the catalogue file open in two
    // processes; here two `Catalogue`s over one dir play those roles. Writes
    // closer together than the file system's time resolution must still be
    // picked up by the reader.
    use tegel::catalogue::Organisation;
    let dir = support::temp_dir("cli-reload");
    let writer = Catalogue::open(&dir).expect("writer");
    let reader = Catalogue::open(&dir).expect("reader");
    let mut missed = Vec::new();
    for i in 0..100u32 {
        writer
            .update(|d, _| {
                d.organisations.push(Organisation {
                    uuid: Uuid::new_v4(),
                    name: format!("Org {i}"),
                    slug: format!("org-{i}"),
                    geoblocks: true,
                    created: chrono::Utc::now(),
                    last_modified: chrono::Utc::now(),
                });
                Ok(())
            })
            .expect("update");
        reader.reload_if_changed().expect("reload");
        if reader.snapshot().data().organisations.len() != i as usize + 1 {
            missed.push(i);
        }
    }
    assert!(missed.is_empty(), "the reader missed writes {missed:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn ingest_waits_for_another_writer_and_proceeds_after_it() {
    let data = support::temp_dir("cli-lock");
    let file = fixture("p_lochem_kwel_wegzijging_2050.tif");
    let file = file.to_str().expect("path");
    ingest_ok(
        &data,
        &["--organisation", "my-org", "--name", "First", file],
    );

    // Another process holds a write transaction: the ingest waits for it.
    let mut other = rusqlite::Connection::open(data.join("catalogue.sqlite")).expect("db");
    let tx = other
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .expect("hold the write lock");
    let before = data_state(&data);
    let mut cmd = tegel();
    cmd.arg("ingest")
        .arg("--data-dir")
        .arg(&data)
        .args(["--organisation", "my-org", "--name", "Second", file])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn");
    std::thread::sleep(Duration::from_millis(700));
    assert!(
        child.try_wait().expect("wait").is_none(),
        "ingest did not wait for the other writer"
    );
    assert_eq!(
        data_state(&data).catalogue,
        before.catalogue,
        "written while another writer held the database"
    );
    tx.rollback().expect("release");
    let started = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if started.elapsed() > Duration::from_secs(5) {
            let _ = child.kill();
            panic!("ingest did not finish after the other writer was done");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success());

    // A writer that died mid-transaction leaves no lock behind.
    {
        let mut dead = rusqlite::Connection::open(data.join("catalogue.sqlite")).expect("db");
        let tx = dead
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .expect("lock");
        tx.execute(
            "UPDATE meta SET value = 'garbage' WHERE key = 'revision'",
            [],
        )
        .expect("half a write");
        std::mem::forget(tx);
        drop(dead);
    }
    let started = Instant::now();
    ingest_ok(
        &data,
        &["--organisation", "my-org", "--name", "Third", file],
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    let snap = Catalogue::open(&data).expect("catalogue").snapshot();
    let names: BTreeSet<String> = snap.layers().iter().map(|l| l.name.clone()).collect();
    assert_eq!(
        names,
        BTreeSet::from([
            "First".to_string(),
            "Second".to_string(),
            "Third".to_string()
        ])
    );
    let _ = std::fs::remove_dir_all(&data);
}
