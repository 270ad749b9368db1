//! Temporal ingest: a source of timestamped frames, frames added to it later,
//! a frame replacing one at an existing instant, the refusals that leave the
//! data dir as it was, and the time dimension a server then advertises.

use super::{capabilities, files_under, fixture, ingest_ok, rain, refused, server_over};
use crate::support;
use std::collections::BTreeSet;
use std::path::PathBuf;
use tegel::catalogue::Catalogue;
use uuid::Uuid;

/// The instants of a WMS time extent: a list of instants and/or `start/end/period`.
fn expand_time_extent(text: &str) -> BTreeSet<String> {
    use chrono::{DateTime, Utc};
    let parse = |s: &str| -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s.trim())
            .unwrap_or_else(|e| panic!("instant {s:?}: {e}"))
            .with_timezone(&Utc)
    };
    let period = |p: &str| -> chrono::Duration {
        let p = p.trim();
        let body = p
            .strip_prefix("PT")
            .unwrap_or_else(|| panic!("period {p:?}"));
        let (num, unit) = body.split_at(body.len() - 1);
        let n: i64 = num.parse().unwrap_or_else(|_| panic!("period {p:?}"));
        match unit {
            "S" => chrono::Duration::seconds(n),
            "M" => chrono::Duration::minutes(n),
            "H" => chrono::Duration::hours(n),
            _ => panic!("period {p:?}"),
        }
    };
    let mut out = BTreeSet::new();
    for item in text.split(',') {
        let parts: Vec<&str> = item.split('/').collect();
        match parts.as_slice() {
            [one] => {
                out.insert(parse(one).to_rfc3339());
            }
            [start, end, step] => {
                let (mut t, end, step) = (parse(start), parse(end), period(step));
                assert!(step > chrono::Duration::zero());
                while t <= end {
                    out.insert(t.to_rfc3339());
                    t += step;
                }
            }
            _ => panic!("time extent item {item:?}"),
        }
    }
    out
}

/// The text of the time `Dimension` of the named layer in WMS 1.3.0 capabilities.
fn time_dimension(caps: &str, name: &str) -> Option<String> {
    let at = caps.find(&format!("<Name>{name}</Name>"))?;
    let rest = &caps[at..];
    let layer_end = rest.find("</Layer>").unwrap_or(rest.len());
    let layer = &rest[..layer_end];
    let dim = layer.find("<Dimension name=\"time\"")?;
    let open_end = layer[dim..].find('>')? + dim + 1;
    let close = layer[open_end..].find("</Dimension>")? + open_end;
    Some(layer[open_end..close].to_string())
}

#[test]
fn temporal_ingest_then_more_frames_and_refusals_that_change_nothing() {
    let data = support::temp_dir("cli-temporal");
    let p = |i: usize| rain(i).to_string_lossy().into_owned();
    let (f0, f1, f2, f3, f4) = (p(0), p(1), p(2), p(3), p(4));
    let created = ingest_ok(
        &data,
        &[
            "--name",
            "Rain test",
            "--organisation",
            "my-org",
            "--timestamp",
            "2024-06-01T12:00:00Z",
            "--timestamp",
            "2024-06-01T12:05:00Z",
            "--timestamp",
            "2024-06-01T12:10:00Z",
            &f0,
            &f1,
            &f2,
        ],
    );
    assert_eq!(created.wms_layer.as_deref(), Some("my-org:rain-test"));
    let source = created.source.to_string();
    let added = ingest_ok(
        &data,
        &[
            "--source",
            &source,
            "--timestamp",
            "2024-06-01T12:15:00Z",
            "--timestamp",
            "2024-06-01T12:20:00Z",
            &f3,
            &f4,
        ],
    );
    assert_eq!(added.source, created.source);
    assert_eq!(
        (added.layer, added.wms_layer),
        (None, None),
        "adding frames makes no layer"
    );

    let snap = Catalogue::open(&data).expect("catalogue").snapshot();
    let src = snap.source(created.source).expect("source");
    assert!(src.temporal);
    assert_eq!(src.frames.len(), 5);
    assert_eq!(snap.layers().len(), 1);
    drop(snap);

    // A plain source to try adding frames to.
    let plain = ingest_ok(
        &data,
        &[
            "--organisation",
            "my-org",
            fixture("p_lochem_kwel_wegzijging_2050.tif")
                .to_str()
                .expect("path"),
        ],
    );
    let plain_id = plain.source.to_string();

    // Refusals: exit code, a message naming the problem, nothing changed.
    // (Before any server runs: a TestServer removes its data dir when dropped.)
    refused(
        &data,
        &[
            "--organisation",
            "my-org",
            "--timestamp",
            "2024-06-01T13:00:00Z",
            &f0,
            &f1,
        ],
        &["2 files", "1 timestamp"],
    );
    refused(
        &data,
        &[
            "--organisation",
            "my-org",
            "--timestamp",
            "2024-06-01T13:00:00Z",
            "--timestamp",
            "2024-06-01T13:05:00Z",
            "--timestamp",
            "2024-06-01T13:10:00Z",
            &f0,
            &f1,
        ],
        &["timestamp"],
    );
    let unknown = Uuid::new_v4().to_string();
    refused(
        &data,
        &[
            "--source",
            &unknown,
            "--timestamp",
            "2024-06-01T13:00:00Z",
            &f0,
        ],
        &[&unknown, "not found"],
    );
    refused(
        &data,
        &[
            "--source",
            &plain_id,
            "--timestamp",
            "2024-06-01T13:00:00Z",
            &f0,
        ],
        &[&plain_id, "not temporal"],
    );
    // A frame of another grid: decoded and written first, then refused and removed.
    let other_grid = fixture("p_lochem_kwel_wegzijging_2050.tif");
    refused(
        &data,
        &[
            "--source",
            &source,
            "--timestamp",
            "2024-06-01T13:00:00Z",
            other_grid.to_str().expect("path"),
        ],
        &["grid"],
    );
    // A bad second file after a good first one: the first frame is removed again.
    let text = data.join("not-a-tiff.tif");
    std::fs::write(&text, "this is text, not a GeoTIFF\n").expect("write");
    let text_s = text.to_string_lossy().into_owned();
    refused(
        &data,
        &[
            "--source",
            &source,
            "--timestamp",
            "2024-06-01T13:00:00Z",
            "--timestamp",
            "2024-06-01T13:05:00Z",
            &f0,
            &text_s,
        ],
        &["not-a-tiff.tif"],
    );
    refused(&data, &["--timestamp", "not a time", &f0], &["not a time"]);
    refused(
        &data,
        &["--organisation", "My Org", &f0],
        &["My Org", "slug"],
    );
    refused(
        &data,
        &[
            "--organisation",
            "my-org",
            "--access-modifier",
            "Secretish",
            &f0,
        ],
        &["Secretish"],
    );
    refused(&data, &["--organisation", "my-org"], &["FILE"]);
    // One instant twice in one request: which frame would it be?
    refused(
        &data,
        &[
            "--organisation",
            "my-org",
            "--timestamp",
            "2024-06-01T13:00:00Z",
            "--timestamp",
            "2024-06-01T13:00:00Z",
            &f0,
            &f1,
        ],
        &["2024-06-01T13:00:00", "more than once"],
    );
    refused(
        &data,
        &[
            "--source",
            &source,
            "--timestamp",
            "2024-06-01T12:00:00Z",
            "--timestamp",
            "2024-06-01T12:00:00Z",
            &f0,
            &f1,
        ],
        &["2024-06-01T12:00:00", "more than once"],
    );

    // A frame at an existing instant replaces that frame, and its old file goes.
    let before = Catalogue::open(&data).expect("catalogue").snapshot();
    let old_frame = before.source(created.source).expect("source").frames[0].clone();
    drop(before);
    let f5 = p(5);
    ingest_ok(
        &data,
        &[
            "--source",
            &source,
            "--timestamp",
            "2024-06-01T12:00:00Z",
            &f5,
        ],
    );
    let snap = Catalogue::open(&data).expect("catalogue").snapshot();
    let src = snap.source(created.source).expect("source");
    assert_eq!(
        src.frames.len(),
        5,
        "the replaced instant is not a sixth frame"
    );
    assert_eq!(src.frames[0].timestamp, old_frame.timestamp);
    assert_ne!(
        src.frames[0].file, old_frame.file,
        "the frame was not replaced"
    );
    let source_dir = data.join("sources").join(&source);
    let on_disk: BTreeSet<PathBuf> = files_under(&source_dir);
    let referenced: BTreeSet<PathBuf> = src
        .frames
        .iter()
        .map(|f| PathBuf::from(format!("{}.tif", f.file)))
        .collect();
    assert_eq!(
        on_disk, referenced,
        "store files of the source vs the catalogue's frames"
    );
    drop(snap);

    // After all that, the five frames (and nothing else) are served.
    let server = server_over(&data);
    let caps = capabilities(&server);
    let dim =
        time_dimension(&caps, "my-org:rain-test").expect("a time Dimension on the rain layer");
    let want: BTreeSet<String> = (0..5)
        .map(|i| {
            chrono::DateTime::parse_from_rfc3339(&format!("2024-06-01T12:{:02}:00Z", i * 5))
                .expect("instant")
                .with_timezone(&chrono::Utc)
                .to_rfc3339()
        })
        .collect();
    assert_eq!(expand_time_extent(&dim), want, "time extent {dim:?}");
    assert!(
        time_dimension(&caps, "my-org:p_lochem_kwel_wegzijging_2050").is_none(),
        "a plain layer has no time dimension"
    );
}
