//! Ingest in bounded memory and float nodata, through the `tegel ingest`
//! binary: a generated 12000×12000 float32 deflate GeoTIFF ingests with the
//! process's peak RssAnon (sampled every 20 ms from `/proc/<pid>/status`)
//! within 300 MiB and its pixels read back from the store; a float32 file with
//! GDAL_NODATA "nan" ingests and its NaN cells render as nodata over WMS; a
//! `tegel serve` with an 8 MiB tile cache keeps its RssAnon growth bounded
//! while thousands of distinct maps fill the cache.

use super::cli::tegel;
use super::support::{self, TestServer, decode_png, rss_anon_kib};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};
use tegel::model::{DataType, RasterBuf, RasterSource, Window};
use tegel::storage::StoredFrame;

/// The smooth test surface, constant over 64×64 blocks (so deflate makes it small).
fn surface(row: u32, col: u32) -> f32 {
    (f64::from(row / 64) * 0.5 + f64::from(col / 64) * 0.25) as f32
}

/// Writes a float32 GeoTIFF (RD New, 10 m pixels, origin (100000, 600000)),
/// deflate-compressed in 16-row strips, one strip at a time (the file is
/// assembled by hand: header, strips, then the IFD and its values);
/// `nodata` becomes GDAL_NODATA.
fn write_f32_geotiff(
    path: &Path,
    width: u32,
    height: u32,
    nodata: Option<&str>,
    value: impl Fn(u32, u32) -> f32,
) {
    use flate2::{Compression, write::ZlibEncoder};
    use std::io::{Seek, SeekFrom, Write};
    let rps = 16.min(height);
    let file = std::fs::File::create(path).expect("create tif");
    let mut f = std::io::BufWriter::new(file);
    f.write_all(b"II*\0\0\0\0\0").unwrap();
    let mut pos = 8u32;
    let (mut offsets, mut counts) = (Vec::new(), Vec::new());
    let mut row = 0;
    while row < height {
        let rows = rps.min(height - row);
        let mut z = ZlibEncoder::new(Vec::new(), Compression::fast());
        for r in row..row + rows {
            let line: Vec<u8> = (0..width).flat_map(|c| value(r, c).to_le_bytes()).collect();
            z.write_all(&line).unwrap();
        }
        let strip = z.finish().unwrap();
        offsets.push(pos);
        counts.push(strip.len() as u32);
        f.write_all(&strip).unwrap();
        pos += strip.len() as u32;
        row += rows;
    }
    // Out-of-line values: (bytes) written now, their offset returned.
    let mut put = |f: &mut std::io::BufWriter<std::fs::File>, bytes: Vec<u8>| -> u32 {
        let at = pos;
        f.write_all(&bytes).unwrap();
        pos += bytes.len() as u32;
        if pos % 2 == 1 {
            f.write_all(&[0]).unwrap();
            pos += 1;
        }
        at
    };
    let u32s = |v: &[u32]| v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>();
    let f64s = |v: &[f64]| v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>();
    let n = offsets.len() as u32;
    // One LONG sits in the value field itself; more are written out of line.
    let (off_at, cnt_at) = if n == 1 {
        (offsets[0], counts[0])
    } else {
        (put(&mut f, u32s(&offsets)), put(&mut f, u32s(&counts)))
    };
    let scale_at = put(&mut f, f64s(&[10.0, 10.0, 0.0]));
    let tie_at = put(&mut f, f64s(&[0.0, 0.0, 0.0, 100_000.0, 600_000.0, 0.0]));
    let keys: [u16; 16] = [1, 1, 0, 3, 1024, 0, 1, 1, 1025, 0, 1, 1, 3072, 0, 1, 28992];
    let keys_at = put(&mut f, keys.iter().flat_map(|k| k.to_le_bytes()).collect());
    let nd = nodata.map(|t| {
        let mut b = t.as_bytes().to_vec();
        b.push(0);
        let len = b.len() as u32;
        if b.len() <= 4 {
            // Four bytes or fewer sit in the value field itself.
            b.resize(4, 0);
            (len, u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        } else {
            (len, put(&mut f, b))
        }
    });
    // (tag, type, count, value or offset); type 3 = SHORT, 4 = LONG, 12 = DOUBLE, 2 = ASCII.
    let mut entries: Vec<(u16, u16, u32, u32)> = vec![
        (256, 4, 1, width),
        (257, 4, 1, height),
        (258, 3, 1, 32),
        (259, 3, 1, 8),
        (262, 3, 1, 1),
        (273, 4, n, off_at),
        (277, 3, 1, 1),
        (278, 4, 1, rps),
        (279, 4, n, cnt_at),
        (284, 3, 1, 1),
        (339, 3, 1, 3),
        (33550, 12, 3, scale_at),
        (33922, 12, 6, tie_at),
        (34735, 3, 16, keys_at),
    ];
    if let Some((len, at)) = nd {
        entries.push((42113, 2, len, at));
    }
    let ifd = pos;
    f.write_all(&(entries.len() as u16).to_le_bytes()).unwrap();
    for (tag, typ, count, value) in entries {
        f.write_all(&tag.to_le_bytes()).unwrap();
        f.write_all(&typ.to_le_bytes()).unwrap();
        f.write_all(&count.to_le_bytes()).unwrap();
        // One SHORT sits in the first two bytes of the value field.
        f.write_all(&value.to_le_bytes()).unwrap();
    }
    f.write_all(&0u32.to_le_bytes()).unwrap();
    f.seek(SeekFrom::Start(4)).unwrap();
    f.write_all(&ifd.to_le_bytes()).unwrap();
    f.flush().unwrap();
}

/// Runs `tegel ingest` on `file` into `data`, sampling RssAnon every 20 ms.
/// Returns (stdout, peak RssAnon in KiB).
fn ingest_sampled(data: &Path, file: &Path, limit: Duration) -> (String, u64) {
    let mut cmd = tegel();
    cmd.arg("ingest")
        .arg("--data-dir")
        .arg(data)
        .args(["--organisation", "mem-org"])
        .arg(file)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn tegel");
    let pid = child.id();
    let started = Instant::now();
    let mut peak = 0;
    loop {
        if let Some(kib) = rss_anon_kib(pid) {
            peak = peak.max(kib);
        }
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            panic!("tegel ingest did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().expect("output");
    assert!(
        out.status.success(),
        "ingest failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (String::from_utf8_lossy(&out.stdout).into_owned(), peak)
}

/// The one frame file under `data`'s store.
fn only_frame(data: &Path) -> PathBuf {
    let sources = data.join("sources");
    let mut found = Vec::new();
    for dir in std::fs::read_dir(&sources).expect("sources dir") {
        for f in std::fs::read_dir(dir.expect("entry").path()).expect("source dir") {
            let p = f.expect("entry").path();
            if p.extension().is_some_and(|x| x == "tif") {
                found.push(p);
            }
        }
    }
    assert_eq!(found.len(), 1, "{found:?}");
    found.remove(0)
}

fn pixel(frame: &StoredFrame, level: usize, col: u32, row: u32) -> f64 {
    let mut buf = RasterBuf::new(DataType::F32, 1, 1, None);
    let window = Window {
        col: col.into(),
        row: row.into(),
        width: 1,
        height: 1,
    };
    frame.read_window(level, window, &mut buf).expect("read");
    buf.data.get_f64(0)
}

#[test]
fn a_12000_square_float32_ingests_within_300_mib_of_rss_anon() {
    let dir = support::temp_dir("ingest-memory");
    let input = dir.join("big.tif");
    let n = 12_000;
    write_f32_geotiff(&input, n, n, Some("-9999"), surface);
    let data = dir.join("data");
    let (stdout, peak_kib) = ingest_sampled(&data, &input, Duration::from_secs(600));
    assert!(stdout.contains("\"source\""), "{stdout}");
    let peak_mib = peak_kib / 1024;
    eprintln!("peak RssAnon of tegel ingest {n}x{n} float32: {peak_mib} MiB");
    assert!(peak_kib > 0, "RssAnon was sampled");
    assert!(
        peak_mib <= 300,
        "peak RssAnon {peak_mib} MiB > 300 MiB while ingesting {n}x{n} float32"
    );

    let frame = StoredFrame::open(&only_frame(&data)).expect("open frame");
    let info = frame.info();
    assert_eq!((info.levels[0].width, info.levels[0].height), (n, n));
    assert_eq!(info.nodata, Some(-9999.0));
    for (col, row) in [
        (0, 0),
        (7000, 5000),
        (255, 256),
        (11_999, 11_999),
        (4097, 8191),
    ] {
        assert_eq!(
            pixel(&frame, 0, col, row),
            f64::from(surface(row, col)),
            "level 0 at ({col}, {row})"
        );
    }
    // Overviews: a 2×2 mean of one 64-block is the block's value.
    assert_eq!(pixel(&frame, 1, 3500, 2500), f64::from(surface(5000, 7000)));
    assert_eq!(pixel(&frame, 2, 1000, 1000), f64::from(surface(4000, 4000)));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn nan_nodata_ingests_and_nan_cells_render_as_nodata() {
    let dir = support::temp_dir("ingest-nan");
    let data = dir.join("data");
    for (i, spelling) in ["nan", "NaN", "-nan"].iter().enumerate() {
        let input = dir.join(format!("nan{i}.tif"));
        // The left half is NaN, the right half valid.
        write_f32_geotiff(&input, 16, 12, Some(spelling), |_, c| {
            if c < 8 { f32::NAN } else { 1.0 + c as f32 }
        });
        let (stdout, _) = ingest_sampled(&data, &input, Duration::from_secs(60));
        assert!(stdout.contains("mem-org:nan"), "{spelling}: {stdout}");
    }
    let mut config = support::test_config("ingest-nan-serve");
    let _ = std::fs::remove_dir_all(&config.server.data_dir);
    config.server.data_dir = data.clone();
    config.demo.ingest_on_empty = false;
    let server = TestServer::start(config);
    for layer in ["mem-org:nan0", "mem-org:nan1", "mem-org:nan2"] {
        let path = format!(
            "/wms?SERVICE=WMS&VERSION=1.1.1&REQUEST=GetMap&LAYERS={layer}&STYLES=&SRS=EPSG:28992\
             &BBOX=100000,599880,100160,600000&WIDTH=16&HEIGHT=12&FORMAT=image/png&TRANSPARENT=TRUE"
        );
        let resp = server.get(&path).expect_status(200);
        let img = decode_png(&resp.body);
        for y in [0, 5, 11] {
            assert_eq!(
                img.pixel(3, y)[3],
                0,
                "{layer}: NaN cell (3, {y}) is nodata"
            );
            assert_eq!(
                img.pixel(12, y)[3],
                255,
                "{layer}: valid cell (12, {y}) is drawn"
            );
        }
    }
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Kills the child when dropped (a failing assertion must not leave a server).
struct Killed(std::process::Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn a_small_tile_cache_filled_with_thousands_of_tiles_keeps_rss_anon_bounded() {
    let dir = support::temp_dir("cache-rss");
    let data = dir.join("data");
    let lochem = support::repo().join("fixtures/demo/p_lochem_kwel_wegzijging_2050.tif");
    let (stdout, _) = ingest_sampled(&data, &lochem, Duration::from_secs(60));
    assert!(stdout.contains("mem-org:"), "{stdout}");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let mut cmd = tegel();
    cmd.arg("serve")
        .arg("--data-dir")
        .arg(&data)
        .env("TEGEL_SERVER_LISTEN", addr.to_string())
        .env("TEGEL_DEMO_INGEST_ON_EMPTY", "false")
        .env("TEGEL_CACHE_MAX_BYTES", (8u64 << 20).to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let server = Killed(cmd.spawn().expect("spawn tegel serve"));
    let pid = server.0.id();
    let started = Instant::now();
    while std::net::TcpStream::connect(addr).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "server never listened"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // The layer covers x 207750..230500, y 457250..473500; 64×64 maps of
    // distinct 200 m boxes are distinct cache entries of a few KB each.
    let tile = |i: u32| {
        let (x, y) = (207_750 + (i % 100) * 200, 457_250 + (i / 100) * 100);
        format!(
            "/wms?SERVICE=WMS&VERSION=1.1.1&REQUEST=GetMap&LAYERS=mem-org:p_lochem_kwel_wegzijging_2050\
             &STYLES=&SRS=EPSG:28992&BBOX={x},{y},{},{}&WIDTH=64&HEIGHT=64&FORMAT=image/png",
            x + 200,
            y + 200
        )
    };
    let fetch = |i: u32| {
        let resp = support::http_request(addr, "GET", &tile(i), &[]);
        assert_eq!(resp.status, 200, "{}", resp.text());
    };
    // Warm up allocator pools, threads and the frame map, then take the baseline.
    for i in 0..300 {
        fetch(i);
    }
    let baseline = rss_anon_kib(pid).expect("RssAnon");
    let mut peak = baseline;
    for i in 300..6_000 {
        fetch(i);
        if i % 100 == 0 {
            peak = peak.max(rss_anon_kib(pid).expect("RssAnon"));
        }
    }
    peak = peak.max(rss_anon_kib(pid).expect("RssAnon"));
    let growth_mib = (peak - baseline) / 1024;
    // The cache may hold 8 MiB; allow as much again for allocator slack.
    assert!(
        growth_mib <= 16,
        "RssAnon grew {growth_mib} MiB (from {} MiB) with an 8 MiB tile cache",
        baseline / 1024
    );
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}
