//! Evil GeoTIFFs uploaded through the API as a Lizard client would: absurd
//! dimensions, no strips, a compression bomb, several bands, 64-bit and
//! complex samples, a rotated grid, no CRS, absurd georeferencing. Each
//! upload is acknowledged, its task fails with a message naming the file
//! (never a server path) within seconds, memory does not grow, and the
//! server keeps serving. The same file made honest is ingested, so each
//! refusal is about its defect.

use crate::api::client::{Client, basic, user_key};
use crate::config_keys::{LOCHEM_FILE, config_with};
use crate::support::{Resp, TestServer};
use serde_json::{Value, json};
use std::io::Write;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// A TIFF field value.
enum Val {
    Short(Vec<u16>),
    Long(Vec<u32>),
    Double(Vec<f64>),
    Ascii(&'static str),
    /// The offset of the pixel data (one LONG).
    DataAt,
}

const RD_NEW: u16 = 28992;
const TAG_STRIP_OFFSETS: u16 = 273;

/// A little-endian TIFF of one IFD with `fields` (sorted here) and `data`.
fn tiff(mut fields: Vec<(u16, Val)>, data: &[u8]) -> Vec<u8> {
    fields.sort_by_key(|(tag, _)| *tag);
    let ifd_len = 2 + 12 * fields.len() + 4;
    let mut extra: Vec<u8> = Vec::new();
    let extra_at = 8 + ifd_len;
    // Out-of-line values first, then the data: its offset is known once
    // every value is laid out.
    let mut laid = Vec::new();
    for (tag, val) in &fields {
        let (typ, count, bytes): (u16, u32, Vec<u8>) = match val {
            Val::Short(v) => (
                3,
                v.len() as u32,
                v.iter().flat_map(|x| x.to_le_bytes()).collect(),
            ),
            Val::Long(v) => (
                4,
                v.len() as u32,
                v.iter().flat_map(|x| x.to_le_bytes()).collect(),
            ),
            Val::Double(v) => (
                12,
                v.len() as u32,
                v.iter().flat_map(|x| x.to_le_bytes()).collect(),
            ),
            Val::Ascii(s) => {
                let mut b = s.as_bytes().to_vec();
                b.push(0);
                (2, b.len() as u32, b)
            }
            Val::DataAt => (4, 1, Vec::new()),
        };
        if bytes.len() > 4 {
            let at = (extra_at + extra.len()) as u32;
            extra.extend_from_slice(&bytes);
            if extra.len() % 2 == 1 {
                extra.push(0);
            }
            laid.push((*tag, typ, count, at.to_le_bytes().to_vec(), false));
        } else {
            laid.push((*tag, typ, count, bytes, matches!(val, Val::DataAt)));
        }
    }
    let data_at = (extra_at + extra.len()) as u32;
    let mut out = b"II*\0".to_vec();
    out.extend_from_slice(&8u32.to_le_bytes());
    out.extend_from_slice(&(fields.len() as u16).to_le_bytes());
    for (tag, typ, count, mut value, is_data) in laid {
        if is_data {
            value = data_at.to_le_bytes().to_vec();
        }
        value.resize(4, 0);
        out.extend_from_slice(&tag.to_le_bytes());
        out.extend_from_slice(&typ.to_le_bytes());
        out.extend_from_slice(&count.to_le_bytes());
        out.extend_from_slice(&value);
    }
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(&extra);
    out.extend_from_slice(data);
    out
}

/// The fields of a north-up single-strip GeoTIFF in RD New, 100 m pixels.
fn fields(width: u32, height: u32, bits: u16, format: u16, bands: u16) -> Vec<(u16, Val)> {
    let bytes = width
        .wrapping_mul(height)
        .wrapping_mul(u32::from(bits / 8) * u32::from(bands));
    vec![
        (256, Val::Long(vec![width])),
        (257, Val::Long(vec![height])),
        (258, Val::Short(vec![bits; usize::from(bands)])),
        (259, Val::Short(vec![1])),
        (262, Val::Short(vec![if bands == 3 { 2 } else { 1 }])),
        (TAG_STRIP_OFFSETS, Val::DataAt),
        (277, Val::Short(vec![bands])),
        (278, Val::Long(vec![height])),
        (279, Val::Long(vec![bytes])),
        (284, Val::Short(vec![1])),
        (339, Val::Short(vec![format; usize::from(bands)])),
        (33550, Val::Double(vec![100.0, 100.0, 0.0])),
        (
            33922,
            Val::Double(vec![0.0, 0.0, 0.0, 200_000.0, 450_000.0, 0.0]),
        ),
        (
            34735,
            Val::Short(vec![
                1, 1, 0, 3, 1024, 0, 1, 1, 1025, 0, 1, 1, 3072, 0, 1, RD_NEW,
            ]),
        ),
    ]
}

fn set(mut fields: Vec<(u16, Val)>, tag: u16, val: Option<Val>) -> Vec<(u16, Val)> {
    fields.retain(|(t, _)| *t != tag);
    if let Some(v) = val {
        fields.push((tag, v));
    }
    fields
}

/// An honest 16×12 float32 GeoTIFF (values 0..192).
fn honest_f32() -> Vec<u8> {
    let data: Vec<u8> = (0..16 * 12)
        .flat_map(|i| (i as f32).to_le_bytes())
        .collect();
    tiff(fields(16, 12, 32, 3, 1), &data)
}

struct Setup {
    server: TestServer,
    key: String,
    org: String,
}

fn setup() -> &'static Setup {
    static SETUP: OnceLock<Setup> = OnceLock::new();
    SETUP.get_or_init(|| {
        let server = TestServer::start(config_with("hostile-tiffs", &[LOCHEM_FILE]));
        let key = user_key(&server, "tiff-root", true);
        let orgs = Client::with_key(&server, &key).get_json("/api/v4/organisations/");
        let org = orgs["results"][0]["uuid"]
            .as_str()
            .expect("an organisation")
            .to_string();
        Setup { server, key, org }
    })
}

/// Creates a source, uploads `bytes` as `name` and waits (≤ 10 s) for the
/// task; returns it.
fn upload(name: &str, bytes: &[u8]) -> Value {
    let s = setup();
    let client = Client::with_key(&s.server, &s.key);
    let created = client
        .send(
            "POST",
            "/api/v4/rastersources/",
            Some(&json!({"name": format!("evil {name}"), "organisation": s.org})),
        )
        .expect_status(201);
    let source: Value = serde_json::from_slice(&created.body).expect("JSON");
    let uuid = source["uuid"].as_str().expect("uuid");
    let boundary = "----tegel-evil-tiffs";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
         Content-Type: image/tiff\r\n\r\n"
    )
    .into_bytes();
    body.write_all(bytes).expect("body");
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let ct = format!("multipart/form-data; boundary={boundary}");
    let auth = basic(&s.key);
    let resp: Resp = s.server.send(
        "POST",
        &format!("/api/v4/rastersources/{uuid}/data/"),
        &[("Authorization", &auth), ("Content-Type", &ct)],
        &body,
    );
    let resp = resp.expect_status(200);
    let ack: Value = serde_json::from_slice(&resp.body).expect("JSON");
    let task = format!(
        "/api/v4/tasks/{}/",
        ack["task_id"].as_str().expect("task_id")
    );
    let started = Instant::now();
    loop {
        let t = client.get_json(&task);
        if matches!(t["status"].as_str(), Some("SUCCESS" | "FAILURE")) {
            return t;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{name}: the task did not finish within 10 s: {t}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn rss_anon() -> u64 {
    crate::support::rss_anon_kib(std::process::id()).map_or(0, |kib| kib * 1024)
}

#[test]
fn evil_tiffs_fail_their_task_quickly_and_honest_ones_ingest() {
    // The builder's honest output ingests, so each refusal below is about its defect.
    let task = upload("honest.tif", &honest_f32());
    assert_eq!(task["status"], "SUCCESS", "{task}");
    // NaN as nodata (GDAL writes it for float rasters) is a nodata like any other.
    let nan = tiff(
        set(fields(16, 12, 32, 3, 1), 42113, Some(Val::Ascii("nan"))),
        &(0..16 * 12)
            .flat_map(|i| (i as f32).to_le_bytes())
            .collect::<Vec<_>>(),
    );
    let task = upload("nan_nodata.tif", &nan);
    assert_eq!(task["status"], "SUCCESS", "{task}");

    let f32_data: Vec<u8> = (0..16 * 12)
        .flat_map(|i| (i as f32).to_le_bytes())
        .collect();
    let u8_data = vec![7u8; 16 * 12];
    // A deflate stream of 64 MiB of zeros in one strip of a 16×12 image.
    let bomb = {
        let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..64 {
            enc.write_all(&zeros).expect("deflate");
        }
        enc.finish().expect("deflate")
    };
    let bomb_fields = set(
        set(fields(16, 12, 8, 1, 1), 259, Some(Val::Short(vec![8]))),
        279,
        Some(Val::Long(vec![bomb.len() as u32])),
    );
    let rotated = set(
        set(set(fields(16, 12, 32, 3, 1), 33550, None), 33922, None),
        34264,
        Some(Val::Double(vec![
            86.6, -50.0, 0.0, 200_000.0, 50.0, 86.6, 0.0, 450_000.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.0, 1.0,
        ])),
    );
    let far = set(
        fields(16, 12, 32, 3, 1),
        33922,
        Some(Val::Double(vec![0.0, 0.0, 0.0, 1e300, 450_000.0, 0.0])),
    );
    let beyond = set(
        fields(16, 12, 32, 3, 1),
        33922,
        Some(Val::Double(vec![0.0, 0.0, 0.0, 2e15, 450_000.0, 0.0])),
    );
    let zero_pixel = set(
        fields(16, 12, 32, 3, 1),
        33550,
        Some(Val::Double(vec![0.0, 100.0, 0.0])),
    );
    let nan_pixel = set(
        fields(16, 12, 32, 3, 1),
        33550,
        Some(Val::Double(vec![f64::NAN, 100.0, 0.0])),
    );
    let cases: Vec<(&str, Vec<u8>, &[&str])> = vec![
        (
            "absurd_dimensions.tif",
            tiff(fields(1_000_000, 1_000_000, 8, 1, 1), &u8_data),
            &["1000000x1000000"],
        ),
        (
            "zero_width.tif",
            tiff(fields(0, 12, 8, 1, 1), &u8_data),
            &["0x12"],
        ),
        (
            "no_strips.tif",
            tiff(
                set(
                    set(
                        fields(16, 12, 8, 1, 1),
                        TAG_STRIP_OFFSETS,
                        Some(Val::Long(vec![])),
                    ),
                    279,
                    Some(Val::Long(vec![])),
                ),
                &u8_data,
            ),
            &[],
        ),
        ("bomb.tif", tiff(bomb_fields, &bomb), &[]),
        (
            "three_bands.tif",
            tiff(fields(16, 12, 8, 1, 3), &[7u8; 16 * 12 * 3]),
            &["3 bands"],
        ),
        (
            "int64.tif",
            tiff(fields(16, 12, 64, 2, 1), &[1u8; 16 * 12 * 8]),
            &["SampleFormat 2"],
        ),
        (
            "complex.tif",
            tiff(fields(16, 12, 64, 6, 1), &[1u8; 16 * 12 * 8]),
            &["SampleFormat 6"],
        ),
        ("rotated.tif", tiff(rotated, &f32_data), &["rotated"]),
        (
            "no_crs.tif",
            tiff(set(fields(16, 12, 32, 3, 1), 34735, None), &f32_data),
            &["no CRS"],
        ),
        ("far_origin.tif", tiff(far, &f32_data), &[]),
        ("beyond_1e15.tif", tiff(beyond, &f32_data), &[]),
        (
            "zero_pixel.tif",
            tiff(zero_pixel, &f32_data),
            &["pixel size"],
        ),
        ("nan_pixel.tif", tiff(nan_pixel, &f32_data), &["finite"]),
    ];
    let before = rss_anon();
    for (name, bytes, words) in &cases {
        let task = upload(name, bytes);
        // The bomb may also be read as its 192 declared bytes: bounded
        // either way. Everything else is refused.
        if *name == "bomb.tif" {
            continue;
        }
        assert_eq!(task["status"], "FAILURE", "{name} was accepted: {task}");
        let error = task["error"].as_str().unwrap_or_default();
        assert!(
            error.contains(name),
            "{name}: the message names the file: {error}"
        );
        assert!(
            !error.contains("/uploads/"),
            "{name}: no server paths: {error}"
        );
        for w in *words {
            assert!(error.contains(w), "{name}: {error:?} lacks {w:?}");
        }
    }
    let grown = rss_anon().saturating_sub(before);
    assert!(
        grown < 256 << 20,
        "RssAnon grew by {} MiB over the evil uploads",
        grown >> 20
    );
    let s = setup();
    s.server.get("/healthz").expect_status(200);
}
