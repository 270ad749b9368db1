//! The tile cache and the render queue seen from outside: a hit does not
//! render again, concurrent misses render once, a full queue answers 503 with
//! Retry-After, and switching the cache off still serves every request.

use crate::support::{TestServer, http_request, test_config};
use std::sync::{Arc, Barrier};

const DEM: &str = "nelen-schuurmans:dem";

/// A large map that takes a render thread a while (4096² over the DEM).
fn slow_map(i: usize) -> String {
    // Distinct boxes (shifted by i metres) so no two requests share a cache entry.
    let x0 = 609_000 + i;
    format!(
        "/wms/?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS={DEM}&STYLES=&CRS=EPSG:3857&BBOX={x0},6796000,{},6801000&WIDTH=4096&HEIGHT=4096&FORMAT=image/png",
        x0 + 5000
    )
}

#[test]
fn a_full_render_queue_answers_503_with_retry_after() {
    let mut config = test_config("busy");
    config.render.threads = 1;
    config.render.queue_depth = 1;
    config.render.retry_after_secs = 7;
    config.cache.max_bytes = tegel::config::ByteSize(0);
    let server = TestServer::start(config);
    let n = 6;
    let barrier = Arc::new(Barrier::new(n));
    let addr = server.addr;
    let handles: Vec<_> = (0..n)
        .map(|i| {
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                barrier.wait();
                http_request(addr, "GET", &slow_map(i), &[])
            })
        })
        .collect();
    let responses: Vec<_> = handles
        .into_iter()
        .map(|h| h.join().expect("client thread"))
        .collect();
    let ok = responses.iter().filter(|r| r.status == 200).count();
    let busy: Vec<_> = responses.iter().filter(|r| r.status == 503).collect();
    assert!(ok >= 1, "at least the first render succeeds");
    assert!(
        !busy.is_empty(),
        "with one queue slot some of {n} simultaneous renders are refused"
    );
    assert_eq!(ok + busy.len(), n, "nothing but 200 or 503");
    for r in busy {
        assert_eq!(r.header("retry-after"), Some("7"));
        assert_eq!(r.header("cache-control"), Some("no-store"));
        assert!(r.text().contains("ServiceExceptionReport"));
    }
    // The server recovers: the same request later succeeds.
    assert_eq!(server.get(&slow_map(0)).status, 200);
}

#[test]
fn the_cache_can_be_switched_off_and_still_serves_identical_bytes() {
    let mut config = test_config("nocache");
    config.cache.max_bytes = tegel::config::ByteSize(0);
    let off = TestServer::start(config);
    let on = TestServer::start(test_config("withcache"));
    let path = format!("/tiles/{DEM}/15/16882/10823.png");
    let a = off.get(&path).expect_status(200);
    let b = off.get(&path).expect_status(200);
    let c = on.get(&path).expect_status(200);
    assert_eq!(a.body, b.body);
    assert_eq!(a.body, c.body);
    // Same inputs, same ETag, with the cache off too.
    assert!(a.header("etag").is_some());
    assert_eq!(a.header("etag"), b.header("etag"));
}
