//! `[render]`: threads, queue_depth, max_width, max_height, layer_limit,
//! retry_after_secs (max_pixels: not here).

use super::*;
use crate::support::{http_request, ogc_exception_code};
use std::collections::BTreeSet;
use std::sync::OnceLock;

#[test]
fn render_threads_sets_the_size_of_the_render_pool() {
    let is_render = |name: &str| name.starts_with("tegel-render-");
    let render = |serve: &Serve, n: usize| -> BTreeSet<String> {
        serve
            .threads_once(n, is_render)
            .into_iter()
            .filter(|name| is_render(name))
            .collect()
    };
    let pool =
        |n: usize| -> BTreeSet<String> { (0..n).map(|i| format!("tegel-render-{i}")).collect() };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    // Unlike the default whatever the machine.
    let n = cores + 1;
    let serve = Serve::start(&[("TEGEL_RENDER_THREADS", &n.to_string())]);
    assert_eq!(render(&serve, n), pool(n));
    serve.stop();
    // The default (0): one per core.
    let serve = Serve::start(&[]);
    assert_eq!(render(&serve, cores), pool(cores));
    serve.stop();
}

/// A map that keeps a render thread busy for a while: 4096² pixels.
fn big_map() -> String {
    getmap(LOCHEM, LOCHEM_BBOX, 4096, 4096)
}

/// A small map, its box shifted by `i` metres so no two share a cache entry.
fn small_map(i: usize) -> String {
    let x = 210_000 + i;
    getmap(LOCHEM, &format!("{x},460000,{},462000", x + 2000), 16, 16)
}

/// Sends one big render and, while it runs, small renders one after the
/// other until one is refused or the big one returns: every answer, the big
/// one's first. Renders overlap for as long as the big one takes, whatever
/// the timing; only which one is refused varies.
fn overlapping_renders(server: &TestServer) -> Vec<Resp> {
    let addr = server.addr;
    let big = std::thread::spawn(move || http_request(addr, "GET", &big_map(), &[]));
    let mut small: Vec<Resp> = Vec::new();
    while !big.is_finished() && small.last().is_none_or(|r| r.status != 503) {
        small.push(server.get(&small_map(small.len())));
        assert!(small.len() < 10_000, "the big render never ends");
    }
    let mut all = vec![big.join().expect("the big render's client")];
    all.extend(small);
    all
}

/// A server with one render thread and a queue of one.
fn tiny_queue(tag: &str, retry_after: Option<u64>) -> TestServer {
    let mut config = config_with(tag, &[LOCHEM_FILE]);
    config.render.threads = 1;
    config.render.queue_depth = 1;
    config.cache.max_bytes = tegel::config::ByteSize(0);
    if let Some(secs) = retry_after {
        config.render.retry_after_secs = secs;
    }
    TestServer::start(config)
}

/// The refusals among `answers`, after checking that every other one is a map.
fn refusals(answers: &[Resp]) -> Vec<&Resp> {
    for r in answers.iter().filter(|r| r.status != 503) {
        png(r);
    }
    answers.iter().filter(|r| r.status == 503).collect()
}

#[test]
fn render_queue_depth_refuses_renders_beyond_it_with_503() {
    let server = tiny_queue("keys-queue", None);
    let answers = overlapping_renders(&server);
    let busy = refusals(&answers);
    assert!(
        !busy.is_empty(),
        "no render of {} overlapping ones was refused with a queue of one",
        answers.len()
    );
    assert!(busy.len() < answers.len(), "some render went through");
    for r in busy {
        // retry_after_secs at its default.
        assert_eq!(r.header("retry-after"), Some("1"));
        assert!(r.text().contains("ServiceExceptionReport"), "{}", r.text());
    }

    // The default queue (64) takes them all: they wait for the one thread.
    let mut config = config_with("keys-queue-default", &[LOCHEM_FILE]);
    config.render.threads = 1;
    config.cache.max_bytes = tegel::config::ByteSize(0);
    let server = TestServer::start(config);
    let answers = overlapping_renders(&server);
    assert!(refusals(&answers).is_empty());
}

#[test]
fn render_retry_after_secs_is_sent_with_a_503() {
    let server = tiny_queue("keys-retry-after", Some(9));
    let answers = overlapping_renders(&server);
    let busy = refusals(&answers);
    assert!(!busy.is_empty(), "no render was refused");
    for r in busy {
        assert_eq!(r.header("retry-after"), Some("9"));
    }
}

/// A server with small limits: images of at most 100×50, at most 2 layers.
fn limited() -> &'static TestServer {
    static SERVER: OnceLock<TestServer> = OnceLock::new();
    SERVER.get_or_init(|| {
        let mut config = config_with("keys-limits", &[LOCHEM_FILE]);
        config.render.max_width = 100;
        config.render.max_height = 50;
        config.render.layer_limit = 2;
        TestServer::start(config)
    })
}

/// Panics unless `resp` is a WMS exception report saying `what`.
fn refused(resp: &Resp, what: &str) {
    ogc_exception_code(resp);
    assert!(resp.text().contains(what), "{}", resp.text());
}

fn caps_value(server: &TestServer, element: &str) -> Vec<String> {
    let caps = server.get(WMS_CAPS).expect_status(200).text();
    support::xml_texts(&caps, element)
}

#[test]
fn render_max_width_limits_the_width_of_an_image() {
    let s = limited();
    let img = png(&s.get(&getmap(LOCHEM, LOCHEM_BBOX, 100, 40)));
    assert_eq!((img.width, img.height), (100, 40));
    refused(
        &s.get(&getmap(LOCHEM, LOCHEM_BBOX, 101, 40)),
        "WIDTH 101 is larger than the maximum 100",
    );
    assert_eq!(caps_value(s, "MaxWidth"), ["100"]);
    // The default (4096) allows it.
    let img = png(&defaults().get(&getmap(LOCHEM, LOCHEM_BBOX, 101, 40)));
    assert_eq!((img.width, img.height), (101, 40));
    assert_eq!(caps_value(defaults(), "MaxWidth"), ["4096"]);
}

#[test]
fn render_max_height_limits_the_height_of_an_image() {
    let s = limited();
    let img = png(&s.get(&getmap(LOCHEM, LOCHEM_BBOX, 40, 50)));
    assert_eq!((img.width, img.height), (40, 50));
    refused(
        &s.get(&getmap(LOCHEM, LOCHEM_BBOX, 40, 51)),
        "HEIGHT 51 is larger than the maximum 50",
    );
    assert_eq!(caps_value(s, "MaxHeight"), ["50"]);
    let img = png(&defaults().get(&getmap(LOCHEM, LOCHEM_BBOX, 40, 51)));
    assert_eq!((img.width, img.height), (40, 51));
    assert_eq!(caps_value(defaults(), "MaxHeight"), ["4096"]);
}

#[test]
fn render_layer_limit_limits_the_layers_of_one_getmap() {
    let s = limited();
    let two = format!("{LOCHEM},{LOCHEM}");
    let three = format!("{LOCHEM},{LOCHEM},{LOCHEM}");
    let img = png(&s.get(&getmap(&two, LOCHEM_BBOX, 40, 30)));
    assert!(painted(&img) > 0);
    refused(&s.get(&getmap(&three, LOCHEM_BBOX, 40, 30)), "at most 2");
    assert_eq!(caps_value(s, "LayerLimit"), ["2"]);
    // The default (8) allows three.
    let img = png(&defaults().get(&getmap(&three, LOCHEM_BBOX, 40, 30)));
    assert!(painted(&img) > 0);
    assert_eq!(caps_value(defaults(), "LayerLimit"), ["8"]);
}
