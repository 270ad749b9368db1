//! The soak: many connections asking for distinct XYZ tiles (no two alike,
//! so every one renders and the tile cache keeps evicting), an API write
//! every second, and `/healthz` probed on fresh connections throughout.
//! Clients retry a 503 at once. Passes when every answer is a 200 or an
//! early 503 with `Retry-After`, tiles are served in every 2 s,
//! every write is acknowledged and readable, `/healthz` always answers
//! within 100 ms, and RssAnon stays flat and within the cache budget +
//! 150 MiB.

use super::{Conn, Proc, admin_auth, one_request};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const LAYER: &str = "nelen-schuurmans:p_lochem_kwel_wegzijging_2050";
/// Lochem's extent in WGS 84, a little widened.
const WEST: f64 = 6.27;
const EAST: f64 = 6.63;
const SOUTH: f64 = 52.09;
const NORTH: f64 = 52.26;
const CACHE_BYTES: u64 = 16 << 20;

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Tile column and row of a WGS 84 point at `z` (Web Mercator XYZ).
fn tile_of(lon: f64, lat: f64, z: u32) -> (u64, u64) {
    let n = f64::from(1u32 << z);
    let x = (lon + 180.0) / 360.0 * n;
    let lat = lat.to_radians();
    let y = (1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0 * n;
    (x as u64, y as u64)
}

/// Every tile over Lochem from zoom 12 to 21, in order: the `i`-th request
/// asks for the `i`-th (distinct as long as the list lasts: ~2.9 million).
struct Tiles {
    levels: Vec<(u32, u64, u64, u64, u64)>,
}

impl Tiles {
    fn new() -> Tiles {
        let levels = (12..=21)
            .map(|z| {
                let (x0, y0) = tile_of(WEST, NORTH, z);
                let (x1, y1) = tile_of(EAST, SOUTH, z);
                (z, x0, y0, x1 - x0 + 1, y1 - y0 + 1)
            })
            .collect();
        Tiles { levels }
    }

    fn len(&self) -> u64 {
        self.levels.iter().map(|l| l.3 * l.4).sum()
    }

    fn path(&self, mut i: u64) -> String {
        i %= self.len();
        for &(z, x0, y0, w, h) in &self.levels {
            if i < w * h {
                return format!("/tiles/{LAYER}/{z}/{}/{}.png", x0 + i % w, y0 + i / w);
            }
            i -= w * h;
        }
        unreachable!("i is below the total")
    }
}

#[derive(Default)]
struct Counts {
    ok: AtomicU64,
    shed: AtomicU64,
    shed_without_retry_after: AtomicU64,
    other: AtomicU64,
    broken: AtomicU64,
    writes: AtomicU64,
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

#[test]
#[ignore = "load test: loads every core; .ci/run runs it alone (see load/mod.rs)"]
fn soak_of_distinct_tiles_with_api_writes_stays_up_answers_healthz_and_keeps_memory_flat() {
    let secs = env_or("TEGEL_SOAK_SECS", 20);
    let clients = env_or("TEGEL_SOAK_CLIENTS", 256) as usize;
    let server = Proc::start(
        "load-soak",
        &[("TEGEL_CACHE_MAX_BYTES", &CACHE_BYTES.to_string())],
    );
    let addr = server.addr;
    let auth = admin_auth();
    let (status, _, body) = one_request(
        addr,
        "GET",
        "/api/v4/organisations/?slug=nelen-schuurmans",
        &[("Authorization", &auth)],
        &[],
    );
    assert_eq!(status, 200);
    let orgs: Value = serde_json::from_slice(&body).expect("JSON");
    let org = orgs["results"][0]["uuid"]
        .as_str()
        .expect("the demo organisation")
        .to_string();

    let tiles = Arc::new(Tiles::new());
    let next = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let counts = Arc::new(Counts::default());
    let deadline = Instant::now() + Duration::from_secs(secs);

    let loaders: Vec<_> = (0..clients)
        .map(|_| {
            let (tiles, next, stop, counts) =
                (tiles.clone(), next.clone(), stop.clone(), counts.clone());
            std::thread::spawn(move || {
                let mut latencies = Vec::new();
                let mut conn = None;
                while !stop.load(Ordering::Relaxed) {
                    if conn.is_none() {
                        conn = Conn::open(addr).ok();
                        if conn.is_none() {
                            counts.broken.fetch_add(1, Ordering::Relaxed);
                            std::thread::sleep(Duration::from_millis(10));
                            continue;
                        }
                    }
                    let Some(c) = conn.as_mut() else { continue };
                    let path = tiles.path(next.fetch_add(1, Ordering::Relaxed) as u64);
                    let started = Instant::now();
                    match c.request("GET", &path, &[], &[]) {
                        Ok((200, _, body)) => {
                            assert!(body.starts_with(b"\x89PNG"), "{path} is not a PNG");
                            latencies.push(started.elapsed());
                            counts.ok.fetch_add(1, Ordering::Relaxed);
                        }
                        Ok((503, headers, _)) => {
                            counts.shed.fetch_add(1, Ordering::Relaxed);
                            if !headers.iter().any(|(k, _)| k == "retry-after") {
                                counts
                                    .shed_without_retry_after
                                    .fetch_add(1, Ordering::Relaxed);
                            }
                        }
                        Ok((status, _, body)) => {
                            eprintln!("{path}: {status} {}", String::from_utf8_lossy(&body));
                            counts.other.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(e) => {
                            eprintln!("{path}: {}", e.0);
                            counts.broken.fetch_add(1, Ordering::Relaxed);
                            conn = None;
                        }
                    }
                }
                latencies
            })
        })
        .collect();

    let writer = {
        let (stop, counts, auth) = (stop.clone(), counts.clone(), auth.clone());
        std::thread::spawn(move || {
            let mut written = Vec::new();
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                let body = json!({
                    "name": format!("soak collection {i}"),
                    "organisation": org,
                    "access_modifier": "Private",
                });
                let (status, _, reply) = one_request(
                    addr,
                    "POST",
                    "/api/v4/layercollections/",
                    &[
                        ("Authorization", &auth),
                        ("Content-Type", "application/json"),
                    ],
                    body.to_string().as_bytes(),
                );
                assert_eq!(status, 201, "{}", String::from_utf8_lossy(&reply));
                let made: Value = serde_json::from_slice(&reply).expect("JSON");
                written.push((
                    made["slug"].as_str().expect("slug").to_string(),
                    format!("soak collection {i}"),
                ));
                counts.writes.fetch_add(1, Ordering::Relaxed);
                i += 1;
                std::thread::sleep(Duration::from_secs(1));
            }
            written
        })
    };

    let prober = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut waits = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let started = Instant::now();
                let (status, _, _) = one_request(addr, "GET", "/healthz", &[], &[]);
                waits.push(started.elapsed());
                assert_eq!(status, 200);
                std::thread::sleep(Duration::from_millis(50));
            }
            waits
        })
    };

    // RssAnon and tiles served, every half second.
    let mut rss = Vec::new();
    let mut served = Vec::new();
    while Instant::now() < deadline {
        rss.push(server.rss_anon());
        served.push(counts.ok.load(Ordering::Relaxed));
        std::thread::sleep(Duration::from_millis(500));
    }
    stop.store(true, Ordering::Relaxed);
    let mut latencies: Vec<Duration> = loaders
        .into_iter()
        .flat_map(|t| t.join().expect("a load thread failed"))
        .collect();
    let written = writer.join().expect("the writer failed");
    let mut waits = prober.join().expect("the prober failed");
    latencies.sort();
    waits.sort();

    let ok = counts.ok.load(Ordering::Relaxed);
    let shed = counts.shed.load(Ordering::Relaxed);
    let mib = |b: u64| b as f64 / 1048576.0;
    let third = rss.len() / 3;
    let early = rss[third..2 * third].iter().copied().max().unwrap_or(0);
    let late = rss[2 * third..].iter().copied().max().unwrap_or(0);
    let peak = rss.iter().copied().max().unwrap_or(0);
    println!(
        "soak: {secs} s, {clients} connections: {ok} tiles ({:.0}/s), {shed} shed ({:.2} %), \
         tile latency p50 {:?} p99 {:?} max {:?}; /healthz p50 {:?} p99 {:?} max {:?} over {} probes; \
         {} writes; RssAnon first {:.1} MiB, middle third max {:.1}, last third max {:.1}, peak {:.1}",
        ok as f64 / secs as f64,
        100.0 * shed as f64 / (ok + shed).max(1) as f64,
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        latencies.last().copied().unwrap_or_default(),
        percentile(&waits, 0.5),
        percentile(&waits, 0.99),
        waits.last().copied().unwrap_or_default(),
        waits.len(),
        written.len(),
        mib(rss[0]),
        mib(early),
        mib(late),
        mib(peak),
    );

    assert_eq!(
        counts.other.load(Ordering::Relaxed),
        0,
        "answers other than 200/503"
    );
    assert_eq!(
        counts.broken.load(Ordering::Relaxed),
        0,
        "broken connections"
    );
    assert_eq!(
        counts.shed_without_retry_after.load(Ordering::Relaxed),
        0,
        "503s without Retry-After"
    );
    // The clients retry a 503 at once (harsher than any real client), so
    // many are shed; what matters is that tiles keep being served: no 2 s
    // without one.
    let stalls = served.windows(5).filter(|w| w[4] == w[0]).count();
    assert!(ok > 0 && stalls == 0, "{ok} served; {stalls} stalls of 2 s");
    assert!(
        written.len() as u64 + 1 >= secs / 2,
        "only {} writes in {secs} s",
        written.len()
    );
    let slowest = waits.last().copied().unwrap_or_default();
    assert!(
        slowest <= Duration::from_millis(100),
        "/healthz took {slowest:?} at worst"
    );
    assert!(
        peak <= CACHE_BYTES + (150 << 20),
        "RssAnon peaked at {:.1} MiB, beyond the cache budget + 150 MiB",
        mib(peak)
    );
    assert!(
        late <= early + early / 10 + (8 << 20),
        "RssAnon grew from {:.1} MiB to {:.1} MiB in the last third",
        mib(early),
        mib(late)
    );
    // Every acknowledged write is there.
    for (slug, name) in written {
        let (status, _, body) = one_request(
            addr,
            "GET",
            &format!("/api/v4/layercollections/{slug}/"),
            &[("Authorization", &auth)],
            &[],
        );
        assert_eq!(status, 200, "{slug}");
        let got: Value = serde_json::from_slice(&body).expect("JSON");
        assert_eq!(got["name"], name);
    }
}
