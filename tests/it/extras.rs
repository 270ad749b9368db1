//! Client and CDN extras (conformance checklist §6: CORS, gzip, vendor
//! parameters), WMS version negotiation and GetCapabilities parameters
//! (§2.1–2.3), and Lizard's per-raster WMS scope (`/wms/raster_<uuid>/`).

use crate::support::{Resp, decode_png, demo, xmllint};
use std::io::Read;

const LOCHEM: &str = "nelen-schuurmans:p_lochem_kwel_wegzijging_2050";
const RAIN: &str = "nelen-schuurmans:rain";
const CAPS: &str = "/wms/?SERVICE=WMS&REQUEST=GetCapabilities";
const MAP: &str = "SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&STYLES=&CRS=EPSG:28992\
                   &BBOX=207750,457250,230500,473500&WIDTH=91&HEIGHT=65&FORMAT=image/png";

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .expect("a gzip body");
    out
}

/// The value of attribute `name` on the first element `tag` of `xml`.
fn attr(xml: &str, tag: &str, name: &str) -> Option<String> {
    let start = xml
        .find(&format!("<{tag} "))
        .or_else(|| xml.find(&format!("<{tag}>")))?;
    let end = start + xml[start..].find('>')?;
    let el = &xml[start..end];
    let at = el.find(&format!(" {name}=\""))? + name.len() + 3;
    Some(el[at..].split('"').next()?.to_string())
}

fn exception_code(resp: &Resp) -> String {
    let text = resp.text();
    assert!(text.contains("ServiceExceptionReport"), "{text}");
    attr(&text, "ServiceException", "code").unwrap_or_default()
}

/// The uuid of a demo layer, read from the server's catalogue.
fn layer_uuid(name: &str) -> uuid::Uuid {
    let catalogue = tegel::catalogue::Catalogue::open(&demo().data_dir).expect("catalogue");
    let snap = catalogue.snapshot();
    snap.layer_by_name(name).expect("demo layer").uuid
}

#[test]
fn ext_01_cors_on_every_response_and_preflights_answered() {
    let server = demo();
    for path in [
        format!("{CAPS}&VERSION=1.3.0"),
        format!("/wms/?{MAP}&LAYERS={LOCHEM}"),
        format!("/wms/?{MAP}&LAYERS=no:such"),
        format!("/tiles/{LOCHEM}/12/2110/1350.png"),
        "/tiles/no:such/12/2110/1350.png".to_string(),
        "/healthz".to_string(),
        "/nothing".to_string(),
    ] {
        let resp = server.get(&path);
        assert_eq!(
            resp.header("access-control-allow-origin"),
            Some("*"),
            "{path}: {}",
            resp.status
        );
    }
    // 405s too, and they now offer OPTIONS.
    let post = server.request("POST", "/wms/", &[]).expect_status(405);
    assert_eq!(post.header("access-control-allow-origin"), Some("*"));
    assert!(post.header("allow").unwrap_or("").contains("OPTIONS"));
    // Preflights: 204 with the methods and the asked-for headers.
    for path in ["/wms/", "/tiles/x:y/1/0/0.png", "/healthz"] {
        let resp = server
            .request(
                "OPTIONS",
                path,
                &[
                    ("Origin", "https://viewer.example.org"),
                    ("Access-Control-Request-Method", "GET"),
                    ("Access-Control-Request-Headers", "if-none-match"),
                ],
            )
            .expect_status(204);
        assert_eq!(resp.header("access-control-allow-origin"), Some("*"));
        let methods = resp.header("access-control-allow-methods").unwrap_or("");
        for m in ["GET", "HEAD", "OPTIONS"] {
            assert!(methods.contains(m), "{path}: {methods}");
        }
        assert_eq!(
            resp.header("access-control-allow-headers"),
            Some("if-none-match")
        );
        assert!(resp.header("access-control-max-age").is_some());
        assert!(resp.body.is_empty());
    }
    // Scripts may read the ETag and TIME warnings.
    let exposed = server
        .get("/healthz")
        .header("access-control-expose-headers")
        .unwrap_or("")
        .to_string();
    assert!(exposed.contains("ETag") && exposed.contains("Warning"));
}

#[test]
fn ext_03_gzip_for_xml_and_json_only_with_vary() {
    let server = demo();
    let caps = format!("{CAPS}&VERSION=1.3.0");
    let plain = server.get(&caps).expect_status(200);
    assert_eq!(plain.header("content-encoding"), None);
    assert_eq!(plain.header("vary"), Some("Accept-Encoding"));
    let packed = server
        .get_with(&caps, &[("Accept-Encoding", "gzip, deflate, br")])
        .expect_status(200);
    assert_eq!(packed.header("content-encoding"), Some("gzip"));
    assert_eq!(packed.header("vary"), Some("Accept-Encoding"));
    assert_eq!(packed.content_type(), plain.content_type());
    assert!(
        packed.body.len() * 2 < plain.body.len(),
        "compresses well: {} → {} bytes",
        plain.body.len(),
        packed.body.len()
    );
    assert_eq!(gunzip(&packed.body), plain.body);
    // Its own strong ETag; either revalidates.
    let etag = packed.header("etag").expect("ETag").to_string();
    assert_ne!(Some(etag.as_str()), plain.header("etag"));
    let again = server.get_with(
        &caps,
        &[("Accept-Encoding", "gzip"), ("If-None-Match", &etag)],
    );
    assert_eq!(again.status, 304);
    assert_eq!(again.header("etag"), Some(etag.as_str()));
    // q=0 refuses gzip.
    let refused = server.get_with(&caps, &[("Accept-Encoding", "gzip;q=0")]);
    assert_eq!(refused.header("content-encoding"), None);
    // 1.1.1 capabilities (application/vnd.ogc.wms_xml) compress too.
    let v111 = server.get_with(
        &format!("{CAPS}&VERSION=1.1.1"),
        &[("Accept-Encoding", "gzip")],
    );
    assert_eq!(v111.header("content-encoding"), Some("gzip"));
    xmllint(&gunzip(&v111.body), None, "gzip-caps111");
    // Images: never compressed, no Vary.
    for path in [
        format!("/wms/?{MAP}&LAYERS={LOCHEM}"),
        format!(
            "/wms/?{}&LAYERS={LOCHEM}",
            MAP.replace("image/png", "image/tiff")
        ),
        format!("/tiles/{LOCHEM}/12/2110/1350.png"),
    ] {
        let resp = server
            .get_with(&path, &[("Accept-Encoding", "gzip")])
            .expect_status(200);
        assert!(resp.content_type().starts_with("image/"));
        assert_eq!(resp.header("content-encoding"), None, "{path}");
        assert_eq!(resp.header("vary"), None, "{path}");
    }
    // JSON and exception XML vary with the coding even when small.
    let json = server.get_with("/nothing", &[("Accept-Encoding", "gzip")]);
    assert_eq!(json.status, 404);
    assert_eq!(json.header("vary"), Some("Accept-Encoding"));
    let body = if json.header("content-encoding") == Some("gzip") {
        gunzip(&json.body)
    } else {
        json.body.clone()
    };
    let v: serde_json::Value = serde_json::from_slice(&body).expect("JSON error body");
    assert_eq!(v["status"], 404);
}

#[test]
fn ext_04_qgis_and_openlayers_vendor_parameters_are_accepted() {
    let plain = demo()
        .get(&format!("/wms/?{MAP}&LAYERS={LOCHEM}"))
        .expect_status(200);
    let vendor = demo()
        .get(&format!(
            "/wms/?{MAP}&LAYERS={LOCHEM}&DPI=96&MAP_RESOLUTION=96&FORMAT_OPTIONS=dpi:96\
             &TILED=true&TILESORIGIN=0,0"
        ))
        .expect_status(200);
    assert_eq!(vendor.content_type(), "image/png");
    assert_eq!(decode_png(&plain.body).rgba, decode_png(&vendor.body).rgba);
}

#[test]
fn lizard_6_1_raster_scoped_capabilities_and_getmap() {
    let id = layer_uuid(RAIN);
    let base = format!("/wms/raster_{id}/");
    let resp = demo()
        .get(&format!("{base}?request=GetCapabilities"))
        .expect_status(200);
    let text = resp.text();
    assert!(text.contains(&format!("<Name>{RAIN}</Name>")));
    assert!(!text.contains(&format!("<Name>{LOCHEM}</Name>")));
    assert!(!text.contains("<Name>nelen-schuurmans:dem</Name>"));
    let href = format!("xlink:href=\"http://{}{base}", demo().addr);
    assert!(text.contains(&format!("{href}\"")), "OnlineResource");
    assert!(text.contains(&format!("{href}?\"")), "operation URL prefix");
    xmllint(
        &resp.body,
        Some("schemas.opengis.net/sld/1.1.0/sld_capabilities.xsd"),
        "scoped-caps130",
    );
    // Without the final slash too, and in 1.1.1.
    let v111 = demo()
        .get(&format!(
            "/wms/raster_{id}?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.1.1"
        ))
        .expect_status(200);
    assert!(v111.text().contains(&format!("<Name>{RAIN}</Name>")));
    xmllint(&v111.body, None, "scoped-caps111");
    // GetMap works at the scoped path and equals the plain endpoint's.
    let q = format!("{MAP}&LAYERS={RAIN}&TIME=2024-06-01T12:05:00Z");
    let scoped = demo().get(&format!("{base}?{q}")).expect_status(200);
    let plain = demo().get(&format!("/wms/?{q}")).expect_status(200);
    assert_eq!(scoped.content_type(), "image/png");
    assert_eq!(scoped.body, plain.body);
    // Not a readable raster: 404 with an OGC exception.
    let missing = demo().get(&format!(
        "/wms/raster_{}/?request=GetCapabilities",
        uuid::Uuid::nil()
    ));
    assert_eq!(missing.status, 404);
    assert_eq!(exception_code(&missing), "LayerNotDefined");
    assert_eq!(missing.header("cache-control"), Some("no-store"));
    assert_eq!(demo().get("/wms/raster_nonsense/").status, 404);
}

/// The root element and version of a capabilities answer.
fn caps_version(query: &str) -> (String, String) {
    let text = demo()
        .get(&format!("{CAPS}{query}"))
        .expect_status(200)
        .text();
    let root = if text.contains("<WMS_Capabilities") {
        "WMS_Capabilities"
    } else {
        "WMT_MS_Capabilities"
    };
    (
        root.to_string(),
        attr(&text, root, "version").unwrap_or_default(),
    )
}

#[test]
fn w13_ver_01_no_version_negotiates_the_highest() {
    assert_eq!(
        caps_version(""),
        ("WMS_Capabilities".into(), "1.3.0".into())
    );
}

#[test]
fn w13_ver_02_version_1_3_0_gives_1_3_0() {
    assert_eq!(
        caps_version("&VERSION=1.3.0"),
        ("WMS_Capabilities".into(), "1.3.0".into())
    );
}

#[test]
fn w13_ver_03_higher_version_gives_the_highest() {
    assert_eq!(caps_version("&VERSION=100.0.0").1, "1.3.0");
}

#[test]
fn w13_ver_04_lower_version_gives_the_lowest() {
    assert_eq!(
        caps_version("&VERSION=0.0.0"),
        ("WMT_MS_Capabilities".into(), "1.1.1".into())
    );
}

#[test]
fn w13_ver_05_between_versions_gives_the_next_lower() {
    assert_eq!(caps_version("&VERSION=1.2.0").1, "1.1.1");
    assert_eq!(caps_version("&VERSION=1.4.0").1, "1.3.0");
}

#[test]
fn w13_ver_06_getmap_without_version_is_an_exception() {
    let resp = demo().get(&format!(
        "/wms/?{}&LAYERS={LOCHEM}",
        MAP.replace("VERSION=1.3.0&", "")
    ));
    assert!(resp.content_type().contains("xml"));
    assert!(resp.text().contains("ServiceExceptionReport"));
}

#[test]
fn w13_ver_07_root_element_namespace_and_update_sequence() {
    let text = demo()
        .get(&format!("{CAPS}&VERSION=1.3.0"))
        .expect_status(200)
        .text();
    assert_eq!(
        attr(&text, "WMS_Capabilities", "xmlns").as_deref(),
        Some("http://www.opengis.net/wms")
    );
    let seq = attr(&text, "WMS_Capabilities", "updateSequence").expect("updateSequence");
    assert!(seq.parse::<u64>().is_ok(), "{seq}");
}

#[test]
fn w13_gc_01_no_format_gives_text_xml() {
    let resp = demo()
        .get(&format!("{CAPS}&VERSION=1.3.0"))
        .expect_status(200);
    assert_eq!(resp.content_type().split(';').next(), Some("text/xml"));
}

#[test]
fn w13_gc_02_advertised_format_gives_that_type() {
    let text = demo().get(&format!("{CAPS}&VERSION=1.3.0")).text();
    let get_caps = &text[text.find("<GetCapabilities>").expect("GetCapabilities")..];
    assert!(
        get_caps.starts_with("<GetCapabilities><Format>text/xml</Format>")
            || get_caps.contains("<Format>text/xml</Format>")
    );
    let resp = demo()
        .get(&format!("{CAPS}&VERSION=1.3.0&FORMAT=text/xml"))
        .expect_status(200);
    assert_eq!(resp.content_type().split(';').next(), Some("text/xml"));
}

#[test]
fn w13_gc_03_unsupported_format_is_not_an_error() {
    let plain = demo().get(&format!("{CAPS}&VERSION=1.3.0"));
    let odd = demo()
        .get(&format!("{CAPS}&VERSION=1.3.0&FORMAT=application/x-bogus"))
        .expect_status(200);
    assert_eq!(odd.content_type(), plain.content_type());
    assert_eq!(odd.body, plain.body);
}

#[test]
fn w13_gc_04_update_sequence_equal_lower_higher() {
    let text = demo().get(&format!("{CAPS}&VERSION=1.3.0")).text();
    let seq: u64 = attr(&text, "WMS_Capabilities", "updateSequence")
        .and_then(|s| s.parse().ok())
        .expect("updateSequence");
    assert!(seq > 0, "the demo catalogue has been written");
    let ask = |n: u64| demo().get(&format!("{CAPS}&VERSION=1.3.0&UPDATESEQUENCE={n}"));
    assert_eq!(exception_code(&ask(seq)), "CurrentUpdateSequence");
    assert_eq!(exception_code(&ask(seq + 1)), "InvalidUpdateSequence");
    let lower = ask(seq - 1).expect_status(200);
    assert!(lower.text().contains("<WMS_Capabilities"));
}

#[test]
fn w13_cap_03_service_name_fees_constraints_and_keywords() {
    let text = demo().get(&format!("{CAPS}&VERSION=1.3.0")).text();
    let service =
        &text[text.find("<Service>").expect("Service")..text.find("</Service>").expect("end")];
    assert!(service.contains("<Name>WMS</Name>"));
    assert!(service.contains("<Fees>none</Fees>"));
    assert!(service.contains("<AccessConstraints>none</AccessConstraints>"));
    assert!(service.contains("<KeywordList>") && service.contains("<Keyword>WMS</Keyword>"));
    let v111 = demo().get(&format!("{CAPS}&VERSION=1.1.1")).text();
    assert!(v111.contains("<Name>OGC:WMS</Name>"));
    assert!(v111.contains("<KeywordList>") && v111.contains("<Keyword>WMS</Keyword>"));
}

#[test]
fn ext_02_last_modified_and_if_modified_since() {
    for path in [
        format!("/wms/?{MAP}&LAYERS={LOCHEM}"),
        format!("/tiles/{LOCHEM}/12/2110/1350.png"),
    ] {
        let first = demo().get(&path).expect_status(200);
        let stamp = first
            .header("last-modified")
            .expect("Last-Modified")
            .to_string();
        let at = chrono::DateTime::parse_from_rfc2822(&stamp).expect("an HTTP-date");
        // A real date (the catalogue's), not the epoch, and not in the future.
        assert!(at.timestamp() > 1_577_836_800, "{stamp}");
        assert!(at.timestamp() <= chrono::Utc::now().timestamp());
        assert!(stamp.ends_with(" GMT"), "{stamp}");
        let same = demo().get_with(&path, &[("If-Modified-Since", &stamp)]);
        assert_eq!(same.status, 304, "{path}");
        assert!(same.body.is_empty());
        let earlier = (at - chrono::TimeDelta::days(1))
            .format("%a, %d %b %Y %H:%M:%S GMT")
            .to_string();
        demo()
            .get_with(&path, &[("If-Modified-Since", &earlier)])
            .expect_status(200);
        // If-None-Match decides when both are sent.
        demo()
            .get_with(
                &path,
                &[
                    ("If-Modified-Since", &stamp),
                    ("If-None-Match", "\"other\""),
                ],
            )
            .expect_status(200);
    }
}

#[test]
fn w13_cap_02_exception_formats_list_xml() {
    let text = demo().get(&format!("{CAPS}&VERSION=1.3.0")).text();
    let exc = &text[text.find("<Exception>").expect("Exception")..];
    let exc = &exc[..exc.find("</Exception>").expect("end")];
    assert!(exc.contains("<Format>XML</Format>"), "{exc}");
    let v111 = demo().get(&format!("{CAPS}&VERSION=1.1.1")).text();
    assert!(v111.contains("<Format>application/vnd.ogc.se_xml</Format>"));
}

#[test]
fn w13_cap_04_layer_limit_is_honest() {
    let text = demo().get(&format!("{CAPS}&VERSION=1.3.0")).text();
    let limit: usize = text
        .split("<LayerLimit>")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .and_then(|s| s.parse().ok())
        .expect("LayerLimit");
    let layers = |n: usize| vec![LOCHEM; n].join(",");
    let styles = |n: usize| ",".repeat(n - 1);
    let ok = demo()
        .get(&format!(
            "/wms/?{}&LAYERS={}&STYLES={}",
            MAP.replace("&STYLES=", ""),
            layers(limit),
            styles(limit)
        ))
        .expect_status(200);
    assert_eq!(ok.content_type(), "image/png");
    let over = demo().get(&format!(
        "/wms/?{}&LAYERS={}&STYLES={}",
        MAP.replace("&STYLES=", ""),
        layers(limit + 1),
        styles(limit + 1)
    ));
    assert!(over.text().contains("ServiceExceptionReport"));
}

#[test]
fn kvp_04_percent_encoded_request_and_plus_as_space() {
    let resp = demo()
        .get(
            "/wms/?SERVICE=WMS&VERSION=1.3.0&ReQuEsT=%47%65%74%43%61%70%61%62%69%6C%69%74%69%65%73",
        )
        .expect_status(200);
    assert!(resp.text().contains("<WMS_Capabilities"));
    // `+` is a space: a layer name with a space is looked up as such.
    let resp = demo().get(&format!("/wms/?{MAP}&LAYERS=no+such+layer"));
    assert!(resp.text().contains("no such layer"), "{}", resp.text());
}

#[test]
fn kvp_03_unknown_parameters_are_ignored() {
    let plain = demo()
        .get(&format!("{CAPS}&VERSION=1.3.0"))
        .expect_status(200);
    let bogus = demo()
        .get(&format!("{CAPS}&VERSION=1.3.0&BoGuS=ignored"))
        .expect_status(200);
    assert_eq!(plain.body, bogus.body);
    let map = demo()
        .get(&format!("/wms/?{MAP}&LAYERS={LOCHEM}&BoGuS=ignored"))
        .expect_status(200);
    assert_eq!(map.content_type(), "image/png");
}

#[test]
fn kvp_08_getmap_needs_no_service() {
    let resp = demo()
        .get(&format!(
            "/wms/?{}&LAYERS={LOCHEM}",
            MAP.replace("SERVICE=WMS&", "")
        ))
        .expect_status(200);
    assert_eq!(resp.content_type(), "image/png");
}
