//! EXT-03: caching headers of what depends on the caller, and a layer's
//! own `options.cache_control`.

use super::*;

#[test]
fn ext_03_private_layers_are_not_stored_by_shared_caches() {
    let varies = |r: &Resp| {
        r.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("vary"))
            .any(|(_, v)| v.contains("Authorization"))
    };
    // A private layer's tiles and maps: its own policy made private.
    for path in [
        map(SECRET, ""),
        requests(SECRET)[6].clone(),
        requests(SECRET)[8].clone(),
    ] {
        let resp = get(&path, Some("member")).expect_status(200);
        assert_eq!(
            resp.header("cache-control"),
            Some("private, max-age=86400, immutable"),
            "{path}"
        );
        assert!(varies(&resp), "{path}");
    }
    // Common: the configured policy, private.
    let resp = get(&map(COMMON, ""), Some("stranger")).expect_status(200);
    assert_eq!(resp.header("cache-control"), Some("private, max-age=3600"));
    assert!(varies(&resp));
    // Its legend and feature info too.
    let legend = get(&requests(COMMON)[3], Some("stranger")).expect_status(200);
    assert_eq!(
        legend.header("cache-control"),
        Some("private, max-age=3600")
    );
    assert!(varies(&legend));
    let info = get(&requests(COMMON)[2], Some("stranger")).expect_status(200);
    assert_eq!(info.header("cache-control"), Some("private, no-cache"));
    assert!(varies(&info));
    // A public layer with its own policy: exactly that, for maps and tiles.
    for path in [
        map(PAINTED, ""),
        requests(PAINTED)[6].clone(),
        requests(PAINTED)[9].clone(),
    ] {
        let resp = get(&path, None).expect_status(200);
        assert_eq!(resp.header("cache-control"), Some(OWN_POLICY), "{path}");
        assert!(!varies(&resp), "{path}");
    }
    // A public layer without one: the configured default, anyone may store it,
    // whoever asks.
    for who in [None, Some("member")] {
        let resp = get(&map(DEM, ""), who).expect_status(200);
        assert_eq!(resp.header("cache-control"), Some("public, max-age=3600"));
        assert!(!varies(&resp));
    }
    // Capabilities depend on the caller: Vary, private when authenticated,
    // and tags that never let one caller's copy validate another's.
    let caps = "/wms/?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0";
    let anon = get(caps, None).expect_status(200);
    let member = get(caps, Some("member")).expect_status(200);
    assert!(varies(&anon) && varies(&member));
    assert_eq!(anon.header("cache-control"), Some("no-cache"));
    assert_eq!(member.header("cache-control"), Some("private, no-cache"));
    let (ta, tm) = (anon.header("etag").unwrap(), member.header("etag").unwrap());
    assert_ne!(ta, tm);
    let w = world();
    let auth = basic(&w.keys["member"]);
    let revalidated = w
        .server
        .get_with(caps, &[("Authorization", &auth), ("If-None-Match", ta)]);
    assert_eq!(revalidated.status, 200);
    assert_eq!(revalidated.body, member.body);
    let again = w
        .server
        .get_with(caps, &[("Authorization", &auth), ("If-None-Match", tm)]);
    assert_eq!(again.status, 304);
    let wmts = get("/wmts/1.0.0/WMTSCapabilities.xml", Some("member")).expect_status(200);
    assert!(varies(&wmts));
    assert_eq!(wmts.header("cache-control"), Some("private, no-cache"));
    assert!(varies(&get("/", None)));
}

#[test]
fn ext_03_latest_frames_keep_the_short_policy() {
    let at = "2024-06-01T12:05:00Z";
    // WMS: the latest frame is revalidated; a chosen frame takes the layer's policy.
    let latest = get(&map(RAIN_OWN, ""), None).expect_status(200);
    assert_eq!(latest.header("cache-control"), Some("no-cache"));
    let fixed = get(&map(RAIN_OWN, &format!("&TIME={at}")), None).expect_status(200);
    assert_eq!(fixed.header("cache-control"), Some(OWN_POLICY));
    // Tiles of the latest frame keep the configured policy, never the layer's.
    let tile = "/tiles/nelen-schuurmans:rain-own-policy/8/131/84.png";
    let latest = get(tile, None).expect_status(200);
    assert_eq!(latest.header("cache-control"), Some("public, max-age=3600"));
    let fixed = get(&format!("{tile}?time={at}"), None).expect_status(200);
    assert_eq!(fixed.header("cache-control"), Some(OWN_POLICY));
}
