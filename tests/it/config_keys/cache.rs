//! `[cache]`: max_bytes, cache_control (cache_control_errors: not here).

use super::*;
use tegel::config::ByteSize;

/// Makes the rain's latest frame show the data of its first one, as a
/// careless writer of the catalogue could: no revision of the source or the
/// layer changes, so a rendering's cache key (layer version included) stays
/// the same while what it would render differs.
fn swap_latest_rain_frame(server: &TestServer) {
    server.update_catalogue(|data, _revision| {
        let source = data
            .sources
            .iter_mut()
            .find(|s| s.temporal && s.frames.len() == 12)
            .expect("the rain source");
        let first = source.frames[0].clone();
        let last = source.frames.last_mut().expect("frames");
        last.file = first.file;
        last.bytes = first.bytes;
        Ok(())
    });
}

#[test]
fn cache_max_bytes_zero_renders_every_request_anew() {
    let on = TestServer::start(config_with("keys-cache-on", &[RAIN_FILE]));
    let mut config = config_with("keys-cache-off", &[RAIN_FILE]);
    config.cache.max_bytes = ByteSize(0);
    let off = TestServer::start(config);
    let latest = getmap(RAIN, RAIN_BBOX, 120, 100);
    let first = format!(
        "{}&TIME=2024-06-01T12:00:00Z",
        getmap(RAIN, RAIN_BBOX, 120, 100)
    );
    let before_on = on.get(&latest);
    let before_off = off.get(&latest);
    assert!(painted(&png(&before_on)) > 0);
    assert_eq!(before_on.body, before_off.body);
    let first_frame = off.get(&first);
    assert_ne!(
        png(&first_frame).rgba,
        png(&before_off).rgba,
        "the first and the last rain frame look alike: the test proves nothing"
    );

    swap_latest_rain_frame(&on);
    swap_latest_rain_frame(&off);
    let after_on = on.get(&latest);
    let after_off = off.get(&latest);
    // The same key either way.
    assert_eq!(after_on.header("etag"), before_on.header("etag"));
    assert_eq!(after_off.header("etag"), before_off.header("etag"));
    // Cache on (the default): the entry of the unchanged key is served.
    assert_eq!(after_on.body, before_on.body);
    // Cache off: rendered again, so the catalogue's change shows.
    assert_eq!(png(&after_off).rgba, png(&first_frame).rgba);
}

#[test]
fn cache_cache_control_is_the_header_of_successful_maps_and_tiles() {
    let paths = [
        getmap(LOCHEM, LOCHEM_BBOX, 64, 48),
        format!("/tiles/{LOCHEM}/0/0/0.png"),
        format!("/wmts/1.0.0/{LOCHEM}/default/WebMercatorQuad/0/0/0.png"),
    ];
    let headers = |server: &TestServer| -> Vec<Option<String>> {
        paths
            .iter()
            .map(|p| {
                let resp = server.get(p);
                png(&resp);
                resp.header("cache-control").map(str::to_string)
            })
            .collect()
    };
    let mut config = config_with("keys-cache-control", &[LOCHEM_FILE]);
    config.cache.cache_control = "max-age=60, must-revalidate".to_string();
    let custom = TestServer::start(config);
    let want = Some("max-age=60, must-revalidate".to_string());
    assert_eq!(headers(&custom), [want.clone(), want.clone(), want]);
    // Errors keep their own header.
    let missing = custom.get("/tiles/no:such/0/0/0.png");
    assert_ne!(missing.status, 200);
    assert_eq!(missing.header("cache-control"), Some("no-store"));

    // "" = not sent.
    let mut config = config_with("keys-cache-control-empty", &[LOCHEM_FILE]);
    config.cache.cache_control = String::new();
    let none = TestServer::start(config);
    assert_eq!(headers(&none), [None, None, None]);

    let default = Some("public, max-age=3600".to_string());
    assert_eq!(
        headers(defaults()),
        [default.clone(), default.clone(), default]
    );
}
