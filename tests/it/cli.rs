//! The `tegel ingest` command, run as the built binary: what it prints, what it
//! records, what it refuses (leaving the catalogue and the store as they were),
//! and what a server over the same data dir then serves.
//!
//! Every test works in its own temp data dir; bad GeoTIFFs are generated here
//! with the `tiff` encoder, next to a good twin that proves the writer works.

use super::support::{self, Resp, TestServer};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};
use tegel::catalogue::Catalogue;
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
    catalogue: Option<Vec<u8>>,
    store_files: BTreeSet<PathBuf>,
}

fn data_state(data: &Path) -> DataState {
    DataState {
        catalogue: std::fs::read(data.join("catalogue.json")).ok(),
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
        "catalogue.json changed by refused ingest {args:?}"
    );
    assert_eq!(
        before.store_files, after.store_files,
        "refused ingest {args:?} left files in the store"
    );
}

// ---------------------------------------------------------------------------
// Rendering checks

fn wms_map(
    server: &TestServer,
    layer: &str,
    crs: u32,
    bbox: [f64; 4],
    size: u32,
    fmt: &str,
) -> Resp {
    let path = format!(
        "/wms/?SERVICE=WMS&VERSION=1.1.1&REQUEST=GetMap&LAYERS={layer}&STYLES=&SRS=EPSG:{crs}\
         &BBOX={},{},{},{}&WIDTH={size}&HEIGHT={size}&FORMAT={fmt}&TRANSPARENT=TRUE",
        bbox[0], bbox[1], bbox[2], bbox[3]
    );
    server.get(&path)
}

/// The GDAL_NODATA value of a GeoTIFF, if it has one.
fn tiff_nodata(bytes: &[u8]) -> Option<f64> {
    let mut dec = tiff::decoder::Decoder::new(std::io::Cursor::new(bytes)).expect("TIFF");
    dec.get_tag_ascii_string(tiff::tags::Tag::GdalNodata)
        .ok()
        .and_then(|s| s.trim_end_matches('\0').trim().parse().ok())
}

/// Renders `bbox` as PNG and as raw GeoTIFF values and checks that a PNG pixel
/// is opaque exactly where the value is data. Returns (data pixels, all pixels).
fn opaque_where_data(
    server: &TestServer,
    layer: &str,
    crs: u32,
    bbox: [f64; 4],
    size: u32,
) -> (usize, usize) {
    let png = wms_map(server, layer, crs, bbox, size, "image/png").expect_status(200);
    assert_eq!(png.content_type(), "image/png", "{}", png.text());
    let image = support::decode_png(&png.body);
    assert_eq!((image.width, image.height), (size, size));
    let tif = wms_map(server, layer, crs, bbox, size, "image/tiff").expect_status(200);
    let nodata = tiff_nodata(&tif.body);
    let values = support::decode_tiff(&tif.body);
    assert_eq!((values.width, values.height), (size, size));
    let is_data = |v: f64| v.is_finite() && Some(v) != nodata;
    let mut data = 0;
    let mut wrong = Vec::new();
    for y in 0..size {
        for x in 0..size {
            let v = values.values[(y * size + x) as usize];
            let alpha = image.pixel(x, y)[3];
            if is_data(v) {
                data += 1;
            }
            let right = if is_data(v) { alpha == 255 } else { alpha == 0 };
            if !right {
                wrong.push((x, y, v, alpha));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} pixels where opacity does not follow the data (x, y, value, alpha), first: {:?}",
        wrong.len(),
        &wrong[..wrong.len().min(5)]
    );
    (data, (size * size) as usize)
}

/// The XYZ tile (z, x, y) holding the point (easting, northing) in EPSG:3857.
fn tile_of(z: u32, x3857: f64, y3857: f64) -> (u32, u32) {
    const HALF: f64 = 20037508.342789244;
    let n = f64::from(1u32 << z);
    let tx = ((x3857 + HALF) / (2.0 * HALF) * n).floor() as u32;
    let ty = ((HALF - y3857) / (2.0 * HALF) * n).floor() as u32;
    (tx, ty)
}

fn tile_bbox(z: u32, x: u32, y: u32) -> [f64; 4] {
    const HALF: f64 = 20037508.342789244;
    let size = 2.0 * HALF / f64::from(1u32 << z);
    [
        -HALF + f64::from(x) * size,
        HALF - f64::from(y + 1) * size,
        -HALF + f64::from(x + 1) * size,
        HALF - f64::from(y) * size,
    ]
}

// ---------------------------------------------------------------------------
// Generated input files

/// Writes a north-up GeoTIFF of `bands` u8 bands (1 or 3), 16×12, 100 m pixels,
/// with the GeoKeys of `epsg` when given.
fn write_geotiff(path: &Path, bands: u16, epsg: Option<u16>) {
    use tiff::encoder::{TiffEncoder, colortype};
    use tiff::tags::Tag;
    let (w, h) = (16u32, 12u32);
    let file = std::fs::File::create(path).expect("create tif");
    let mut enc = TiffEncoder::new(std::io::BufWriter::new(file)).expect("encoder");
    let scale = [100.0f64, 100.0, 0.0];
    let tiepoint = [0.0f64, 0.0, 0.0, 200_000.0, 450_000.0, 0.0];
    let keys: Option<Vec<u16>> = epsg.map(|code| {
        vec![
            1, 1, 0, 3, // version, revision, minor, key count
            1024, 0, 1, 1, // GTModelType = projected
            1025, 0, 1, 1, // GTRasterType = PixelIsArea
            3072, 0, 1, code, // ProjectedCSType
        ]
    });
    macro_rules! write {
        ($ct:ty, $data:expr) => {{
            let mut image = enc.new_image::<$ct>(w, h).expect("image");
            image
                .encoder()
                .write_tag(Tag::ModelPixelScaleTag, &scale[..])
                .expect("scale");
            image
                .encoder()
                .write_tag(Tag::ModelTiepointTag, &tiepoint[..])
                .expect("tiepoint");
            if let Some(keys) = &keys {
                image
                    .encoder()
                    .write_tag(Tag::GeoKeyDirectoryTag, &keys[..])
                    .expect("geokeys");
            }
            image.write_data($data).expect("data");
        }};
    }
    let n = (w * h) as usize;
    match bands {
        1 => write!(
            colortype::Gray8,
            &(0..n).map(|i| (i % 200) as u8).collect::<Vec<_>>()[..]
        ),
        3 => write!(
            colortype::RGB8,
            &(0..3 * n).map(|i| (i % 200) as u8).collect::<Vec<_>>()[..]
        ),
        _ => panic!("1 or 3 bands"),
    }
}

/// A hand-made little-endian GeoTIFF (EPSG:28992, one u8 strip) whose header
/// claims `width`×`height` pixels while the file holds only `data_len` bytes
/// of pixel data.
fn write_claiming_tiff(path: &Path, width: u32, height: u32, data_len: usize) {
    let entries: u16 = 12;
    let extra = 8 + 2 + 12 * usize::from(entries) + 4;
    let scale: Vec<u8> = [1.0f64, 1.0, 0.0]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    let tie: Vec<u8> = [0.0f64, 0.0, 0.0, 200_000.0, 450_000.0, 0.0]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    let keys: Vec<u8> = [
        1u16, 1, 0, 3, 1024, 0, 1, 1, 1025, 0, 1, 1, 3072, 0, 1, 28992,
    ]
    .iter()
    .flat_map(|v| v.to_le_bytes())
    .collect();
    let scale_at = extra as u32;
    let tie_at = scale_at + scale.len() as u32;
    let keys_at = tie_at + tie.len() as u32;
    let data_at = keys_at + keys.len() as u32;
    // (tag, type, count, value or offset); type 3 = SHORT, 4 = LONG, 12 = DOUBLE.
    let ifd: [(u16, u16, u32, u32); 12] = [
        (256, 4, 1, width),
        (257, 4, 1, height),
        (258, 3, 1, 8),
        (259, 3, 1, 1),
        (262, 3, 1, 1),
        (273, 4, 1, data_at),
        (277, 3, 1, 1),
        (278, 4, 1, height),
        (279, 4, 1, width.wrapping_mul(height)),
        (33550, 12, 3, scale_at),
        (33922, 12, 6, tie_at),
        (34735, 3, 16, keys_at),
    ];
    let mut b = b"II*\0".to_vec();
    b.extend_from_slice(&8u32.to_le_bytes());
    b.extend_from_slice(&entries.to_le_bytes());
    for (tag, typ, count, value) in ifd {
        b.extend_from_slice(&tag.to_le_bytes());
        b.extend_from_slice(&typ.to_le_bytes());
        b.extend_from_slice(&count.to_le_bytes());
        b.extend_from_slice(&value.to_le_bytes());
    }
    b.extend_from_slice(&0u32.to_le_bytes());
    b.extend_from_slice(&scale);
    b.extend_from_slice(&tie);
    b.extend_from_slice(&keys);
    b.extend(std::iter::repeat_n(7u8, data_len));
    std::fs::write(path, b).expect("write tif");
}

// ---------------------------------------------------------------------------
// Tests

#[test]
fn ingest_prints_its_ids_records_them_and_the_layer_is_served() {
    let data = support::temp_dir("cli-ingest");
    let file = fixture("p_lochem_kwel_wegzijging_2050.tif");
    let printed = ingest_ok(
        &data,
        &[
            "--name",
            "Kwel Lochem 2050",
            "--organisation",
            "my-org",
            "--organisation-name",
            "My Org",
            file.to_str().expect("utf-8 path"),
        ],
    );
    assert_eq!(
        printed.wms_layer.as_deref(),
        Some("my-org:kwel-lochem-2050")
    );
    let layer_id = printed.layer.expect("a new layer uuid");

    // The catalogue on disk holds exactly that.
    let snap = Catalogue::open(&data).expect("catalogue").snapshot();
    let layer = snap.layer(layer_id).expect("layer recorded");
    assert_eq!(layer.name, "Kwel Lochem 2050");
    assert_eq!(layer.source, printed.source);
    assert_eq!(
        snap.wms_name(layer).as_deref(),
        Some("my-org:kwel-lochem-2050")
    );
    let org = snap.organisation(layer.organisation).expect("organisation");
    assert_eq!((org.slug.as_str(), org.name.as_str()), ("my-org", "My Org"));
    let source = snap.source(printed.source).expect("source recorded");
    assert!(!source.temporal);
    assert_eq!(source.frames.len(), 1);
    let frame_file = data
        .join("sources")
        .join(printed.source.to_string())
        .join(format!("{}.tif", source.frames[0].file));
    assert!(frame_file.is_file(), "{} missing", frame_file.display());
    let grid = source.grid.clone().expect("grid");
    assert_eq!(grid.crs, RD_NEW);
    assert_eq!((grid.width, grid.height), (91, 65));
    let extent = grid.transform().bbox(grid.width, grid.height);
    drop(snap);

    let server = server_over(&data);
    // The native extent with a margin: data inside, transparent around it.
    let (mx, my) = (
        (extent.max_x - extent.min_x) * 0.25,
        (extent.max_y - extent.min_y) * 0.25,
    );
    let bbox = [
        extent.min_x - mx,
        extent.min_y - my,
        extent.max_x + mx,
        extent.max_y + my,
    ];
    let (data_px, all) = opaque_where_data(&server, "my-org:kwel-lochem-2050", RD_NEW, bbox, 96);
    // The raster covers (1/1.5)² ≈ 44 % of this box; its own nodata holes are few.
    assert!(
        data_px > all * 30 / 100 && data_px < all * 45 / 100,
        "{data_px} of {all} pixels are data"
    );

    // An XYZ tile over the raster's centre: opaque exactly where data is.
    let to_web = tegel::geo::Transformer::new(tegel::model::Crs(RD_NEW), tegel::model::Crs(3857))
        .expect("transformer");
    let (cx, cy) = to_web
        .transform(
            (extent.min_x + extent.max_x) / 2.0,
            (extent.min_y + extent.max_y) / 2.0,
        )
        .expect("centre");
    let z = 11;
    let (tx, ty) = tile_of(z, cx, cy);
    let tile = server
        .get(&format!("/tiles/my-org:kwel-lochem-2050/{z}/{tx}/{ty}.png"))
        .expect_status(200);
    assert_eq!(tile.content_type(), "image/png");
    let tile_img = support::decode_png(&tile.body);
    assert_eq!((tile_img.width, tile_img.height), (256, 256));
    let opaque = tile_img
        .rgba
        .chunks_exact(4)
        .filter(|p| p[3] == 255)
        .count();
    assert!(opaque > 0, "the tile over the raster centre is empty");
    // The tile equals the WMS GetMap of its box: same opacity as the data there.
    let (tile_data, _) = opaque_where_data(
        &server,
        "my-org:kwel-lochem-2050",
        3857,
        tile_bbox(z, tx, ty),
        256,
    );
    assert_eq!(
        opaque, tile_data,
        "tile opacity differs from the data coverage of its box"
    );
    // And by uuid as well as by name.
    let by_id = server
        .get(&format!("/tiles/{layer_id}/{z}/{tx}/{ty}.png"))
        .expect_status(200);
    assert_eq!(by_id.body, tile.body);
}

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

fn capabilities(server: &TestServer) -> String {
    let resp = server
        .get("/wms/?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetCapabilities")
        .expect_status(200);
    assert!(resp.content_type().contains("xml"));
    resp.text()
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

#[test]
fn bad_input_files_are_refused_and_add_nothing() {
    let data = support::temp_dir("cli-bad-input");
    let dir = support::temp_dir("cli-bad-files");
    // The writer's good output is accepted, so the refusals below are about the defect.
    let good = dir.join("good.tif");
    write_geotiff(&good, 1, Some(RD_NEW as u16));
    let printed = ingest_ok(
        &data,
        &["--organisation", "my-org", good.to_str().expect("path")],
    );
    let snap = Catalogue::open(&data).expect("catalogue").snapshot();
    let grid = snap
        .source(printed.source)
        .and_then(|s| s.grid.clone())
        .expect("grid");
    assert_eq!((grid.width, grid.height, grid.crs), (16, 12, RD_NEW));
    assert_eq!(
        (grid.origin_x, grid.origin_y, grid.pixel_x),
        (200_000.0, 450_000.0, 100.0)
    );
    drop(snap);

    let three = dir.join("three_bands.tif");
    write_geotiff(&three, 3, Some(RD_NEW as u16));
    let no_crs = dir.join("no_crs.tif");
    write_geotiff(&no_crs, 1, None);
    let unknown_crs = dir.join("unknown_crs.tif");
    write_geotiff(&unknown_crs, 1, Some(9999));
    let truncated = dir.join("truncated.tif");
    let full = std::fs::read(fixture("p_lochem_kwel_wegzijging_2050.tif")).expect("fixture");
    std::fs::write(&truncated, &full[..full.len() / 2]).expect("write");
    let header_only = dir.join("header_only.tif");
    std::fs::write(&header_only, &full[..8]).expect("write");
    let text = dir.join("text.tif");
    std::fs::write(&text, "name,value\nlochem,1.5\n").expect("write");
    let empty = dir.join("empty.tif");
    std::fs::write(&empty, b"").expect("write");
    let missing = dir.join("does_not_exist.tif");
    // Headers that promise more than the file holds: refused without trying to
    // allocate what they claim.
    let honest = dir.join("honest.tif");
    write_claiming_tiff(&honest, 8, 8, 64);
    ingest_ok(
        &data,
        &["--organisation", "my-org", honest.to_str().expect("path")],
    );
    let huge = dir.join("huge.tif");
    write_claiming_tiff(&huge, 100_000, 100_000, 64);
    let hollow = dir.join("hollow.tif");
    write_claiming_tiff(&hollow, 20_000, 20_000, 64);
    let zero = dir.join("zero.tif");
    write_claiming_tiff(&zero, 0, 8, 64);

    let s = |p: &Path| p.to_string_lossy().into_owned();
    let cases: Vec<(PathBuf, Vec<&str>)> = vec![
        (three, vec!["3 bands"]),
        (no_crs, vec!["no CRS"]),
        (unknown_crs, vec!["EPSG:9999"]),
        (truncated, vec!["truncated.tif"]),
        (header_only, vec!["header_only.tif"]),
        (text, vec!["text.tif", "TIFF"]),
        (empty, vec!["empty.tif"]),
        (missing, vec!["does_not_exist.tif"]),
        (huge, vec!["100000x100000"]),
        (hollow, vec!["hollow.tif"]),
        (zero, vec!["zero.tif"]),
    ];
    for (file, words) in &cases {
        refused(&data, &["--organisation", "my-org", &s(file)], words);
    }
    let _ = std::fs::remove_dir_all(&data);
    let _ = std::fs::remove_dir_all(&dir);
}

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
fn a_private_layer_is_answered_as_if_it_did_not_exist() {
    let data = support::temp_dir("cli-private");
    let file = fixture("p_lochem_kwel_wegzijging_2050.tif");
    let file = file.to_str().expect("path");
    let private = ingest_ok(
        &data,
        &[
            "--name",
            "Secret",
            "--organisation",
            "my-org",
            "--access-modifier",
            "Private",
            file,
        ],
    );
    let public = ingest_ok(&data, &["--name", "Open", "--organisation", "my-org", file]);
    assert_eq!(private.wms_layer.as_deref(), Some("my-org:secret"));
    assert_eq!(public.wms_layer.as_deref(), Some("my-org:open"));
    let server = server_over(&data);

    let caps = capabilities(&server);
    assert!(
        caps.contains("<Name>my-org:open</Name>"),
        "the public layer is listed"
    );
    assert!(
        !caps.contains("my-org:secret"),
        "the private layer is listed"
    );
    assert!(
        !caps.contains("Secret"),
        "the private layer's title is listed"
    );
    let caps_111 = server
        .get("/wms/?SERVICE=WMS&VERSION=1.1.1&REQUEST=GetCapabilities")
        .expect_status(200)
        .text();
    assert!(caps_111.contains("<Name>my-org:open</Name>"));
    assert!(!caps_111.contains("my-org:secret") && !caps_111.contains("Secret"));
    let index = server.get("/").expect_status(200).text();
    assert!(index.contains("my-org:open"), "{index}");
    assert!(
        !index.contains("my-org:secret")
            && !index.contains(&private.layer.expect("id").to_string()),
        "the index page lists the private layer"
    );

    let bbox = "220000,455000,240000,470000";
    let getmap = |layer: &str| {
        server.get(&format!(
            "/wms/?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS={layer}&STYLES=\
             &CRS=EPSG:28992&BBOX={bbox}&WIDTH=32&HEIGHT=32&FORMAT=image/png"
        ))
    };
    let ok = getmap("my-org:open");
    assert_eq!((ok.status, ok.content_type()), (200, "image/png"));
    let layer_id = private.layer.expect("layer").to_string();
    for hidden in ["my-org:secret", layer_id.as_str()] {
        let secret = getmap(hidden);
        let absent = getmap("my-org:absent");
        assert_eq!(secret.status, absent.status);
        let text = secret.text();
        assert!(text.contains("code=\"LayerNotDefined\""), "{text}");
        // Word for word the answer for a layer that does not exist.
        assert_eq!(
            text.replace(hidden, "NAME"),
            absent.text().replace("my-org:absent", "NAME")
        );
        let tile = server.get(&format!("/tiles/{hidden}/0/0/0.png"));
        let absent_tile = server.get("/tiles/my-org:absent/0/0/0.png");
        assert_eq!(tile.status, 404);
        assert_eq!(
            tile.text().replace(hidden, "NAME"),
            absent_tile.text().replace("my-org:absent", "NAME")
        );
    }
}

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
fn an_invalid_default_style_is_refused() {
    // A layer whose default style cannot be parsed could never be drawn.
    let data = support::temp_dir("cli-style");
    let file = fixture("p_lochem_kwel_wegzijging_2050.tif");
    let file = file.to_str().expect("path");
    let good = ingest_ok(
        &data,
        &[
            "--organisation",
            "my-org",
            "--name",
            "Styled",
            "--style",
            "RdBu_r:-4.6:-1.17",
            file,
        ],
    );
    assert_eq!(good.wms_layer.as_deref(), Some("my-org:styled"));
    let snap = Catalogue::open(&data).expect("catalogue").snapshot();
    let layer = snap.layer(good.layer.expect("layer")).expect("recorded");
    assert_eq!(layer.style, "RdBu_r:-4.6:-1.17");
    drop(snap);
    for bad in ["nonsense", "viridis:5:1", "viridis:nan:1", "viridis:1:2:3"] {
        refused(
            &data,
            &["--organisation", "my-org", "--style", bad, file],
            &[bad],
        );
    }
    let server = server_over(&data);
    let resp = server
        .get("/tiles/my-org:styled/0/0/0.png")
        .expect_status(200);
    assert_eq!(resp.content_type(), "image/png");
}

#[test]
fn ingest_waits_for_the_catalogue_lock_and_takes_over_a_stale_one() {
    let data = support::temp_dir("cli-lock");
    let file = fixture("p_lochem_kwel_wegzijging_2050.tif");
    let file = file.to_str().expect("path");
    ingest_ok(
        &data,
        &["--organisation", "my-org", "--name", "First", file],
    );
    let lock = data.join("catalogue.json.lock");
    assert!(!lock.exists(), "the lock file outlived the ingest");

    // Held by someone else: the ingest waits, then proceeds once released.
    std::fs::write(&lock, "12345\n").expect("lock");
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
        "ingest did not wait for the lock"
    );
    assert_eq!(
        data_state(&data).catalogue,
        before.catalogue,
        "written while locked"
    );
    std::fs::remove_file(&lock).expect("release");
    let started = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if started.elapsed() > Duration::from_secs(5) {
            let _ = child.kill();
            panic!("ingest did not finish after the lock was released");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success());

    // Left behind by a process that died: taken over.
    let stale = std::fs::File::create(&lock).expect("lock");
    stale
        .set_modified(std::time::SystemTime::now() - Duration::from_secs(120))
        .expect("age the lock");
    drop(stale);
    let started = Instant::now();
    ingest_ok(
        &data,
        &["--organisation", "my-org", "--name", "Third", file],
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(!lock.exists());
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
