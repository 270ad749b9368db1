//! Common KVP request handling (checklist §1: KVP-02, 05, 06, 07, 09, 10) and
//! WMS 1.3.0 exceptions (§2.6: W13-EXC-01, 02), over HTTP against real servers.

use super::wms_capabilities::CAPS_1_3_0;
use super::xml_tree::parse;
use crate::support::{Resp, TestServer, decode_png, demo, test_config, xmllint};
use std::sync::OnceLock;

const DEM: &str = "nelen-schuurmans:dem";
const RAIN: &str = "nelen-schuurmans:rain";
const LOCHEM: &str = "nelen-schuurmans:p_lochem_kwel_wegzijging_2050";
const DEM_BBOX: &str = "160000,444000,162000,446000";
const EXC_XSD: &str = "schemas.opengis.net/wms/1.3.0/exceptions_1_3_0.xsd";
const PUBLIC_URL: &str = "https://maps.example.org/tegel";

fn map130(extra: &str) -> String {
    format!(
        "/wms/?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&CRS=EPSG:28992&BBOX={DEM_BBOX}\
         &WIDTH=24&HEIGHT=24&FORMAT=image/png&{extra}"
    )
}

/// The exception code of a WMS exception report (`""` when it has none).
fn code(resp: &Resp) -> String {
    let text = resp.text();
    assert!(
        text.contains("ServiceExceptionReport"),
        "not an exception: {text}"
    );
    text.split("code=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or("")
        .to_string()
}

fn png(resp: Resp) -> Vec<u8> {
    assert_eq!(resp.content_type(), "image/png", "{}", resp.text());
    decode_png(&resp.body).rgba
}

/// A second server behind a "proxy": a public URL and WMS exceptions as 400.
fn configured() -> &'static TestServer {
    static SERVER: OnceLock<TestServer> = OnceLock::new();
    SERVER.get_or_init(|| {
        let mut config = test_config("conf-configured");
        config.server.public_url = PUBLIC_URL.to_string();
        config.wms.exception_status = 400;
        TestServer::start(config)
    })
}

#[test]
fn kvp_02_values_keep_their_case_except_booleans() {
    let s = demo();
    // Layer and style names, and MIME types, are compared as given.
    let upper = s.get(&map130(&format!("LAYERS={}&STYLES=", DEM.to_uppercase())));
    assert_eq!(code(&upper), "LayerNotDefined");
    let style = s.get(&map130(&format!("LAYERS={DEM}&STYLES=TERRAIN:-5:60")));
    assert_eq!(code(&style), "StyleNotDefined");
    let exact = s.get(&map130(&format!("LAYERS={DEM}&STYLES=terrain:-5:60")));
    assert_eq!(exact.content_type(), "image/png", "{}", exact.text());
    // TRANSPARENT is boolean-ish: any case (CITE 1.1.1 sends `fAlSe`).
    let base = map130(&format!("LAYERS={RAIN}&STYLES="));
    let opaque = png(s.get(&format!("{base}&TRANSPARENT=FALSE")));
    assert!(opaque.chunks(4).all(|p| p[3] == 255));
    assert_eq!(png(s.get(&format!("{base}&TRANSPARENT=fAlSe"))), opaque);
    let clear = png(s.get(&format!("{base}&TRANSPARENT=TRUE")));
    assert_eq!(png(s.get(&format!("{base}&TRANSPARENT=tRuE"))), clear);
    let v111 = format!(
        "/wms/?SERVICE=WMS&VERSION=1.1.1&REQUEST=GetMap&SRS=EPSG:28992&BBOX={DEM_BBOX}\
         &WIDTH=24&HEIGHT=24&FORMAT=image/png&LAYERS={RAIN}&STYLES=&TRANSPARENT=fAlSe"
    );
    assert_eq!(png(s.get(&v111)), opaque);
    assert_eq!(code(&s.get(&format!("{base}&TRANSPARENT=maybe"))), "");
}

/// Every `OnlineResource@xlink:href` inside a `Get` of the document.
fn get_hrefs(xml: &[u8]) -> Vec<String> {
    let doc = parse(xml);
    let mut gets = Vec::new();
    doc.descendants("Get", &mut gets);
    gets.iter()
        .map(|g| {
            g.attr("xlink:href")
                .or_else(|| g.child("OnlineResource").and_then(|o| o.attr("xlink:href")))
                .expect("an href")
                .to_string()
        })
        .collect()
}

#[test]
fn kvp_05_online_resources_are_url_prefixes_with_the_public_url() {
    // Behind a proxy: every advertised operation URL uses the public URL
    // (1.3.0: GetCapabilities, GetMap, GetFeatureInfo, sld:GetLegendGraphic).
    let server = configured();
    for (path, n) in [
        (CAPS_1_3_0.to_string(), 4),
        (
            "/wms/?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.1.1".to_string(),
            4,
        ),
    ] {
        let hrefs = get_hrefs(&server.get(&path).expect_status(200).body);
        assert_eq!(hrefs.len(), n, "{hrefs:?}");
        for h in hrefs {
            assert_eq!(h, format!("{PUBLIC_URL}/wms/?"));
        }
    }
    let wmts = server
        .get("/wmts/?SERVICE=WMTS&REQUEST=GetCapabilities")
        .expect_status(200);
    let kvp: Vec<String> = get_hrefs(&wmts.body)
        .into_iter()
        .filter(|h| h.contains('?'))
        .collect();
    assert!(!kvp.is_empty());
    for h in kvp {
        assert_eq!(h, format!("{PUBLIC_URL}/wmts/?"));
    }
    // On the demo server the prefix works by plain appending, as CITE does.
    let demo = demo();
    for href in get_hrefs(&demo.get(CAPS_1_3_0).body) {
        assert!(href.ends_with('?') || href.ends_with('&'), "{href}");
        let path = &href[href.find("/wms/").expect("the WMS path")..];
        let again = demo.get(&format!(
            "{path}SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0"
        ));
        assert_eq!(again.status, 200);
        assert!(again.text().contains("<WMS_Capabilities"));
    }
}

#[test]
fn kvp_06_comma_lists() {
    let s = demo();
    let three = format!("LAYERS={DEM},{RAIN},{LOCHEM}");
    // Empty STYLES items mean the default style, in any position.
    let defaults = png(s.get(&map130(&format!("{three}&STYLES="))));
    assert_eq!(png(s.get(&map130(&format!("{three}&STYLES=,,")))), defaults);
    assert_eq!(
        png(s.get(&map130(&format!(
            "{three}&STYLES=terrain:-5:60,,RdBu_r:-4.6:-1.17"
        )))),
        defaults
    );
    assert_eq!(
        png(s.get(&map130(&format!("{three}&STYLES=,Blues:0:5,")))),
        defaults
    );
    // A STYLES list of another length is an error.
    assert!(
        s.get(&map130(&format!("{three}&STYLES=,")))
            .text()
            .contains("ServiceException")
    );
    // Two layers, and an empty layer name is not a layer.
    assert_eq!(
        png(s.get(&map130(&format!("LAYERS={DEM},{RAIN}&STYLES=,")))).len(),
        24 * 24 * 4
    );
    assert_eq!(
        code(&s.get(&map130(&format!("LAYERS={DEM},,{RAIN}&STYLES=")))),
        "LayerNotDefined"
    );
    // QUERY_LAYERS is a list too.
    let gfi = s.get(&format!(
        "/wms/?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetFeatureInfo&LAYERS={DEM},{RAIN}\
         &QUERY_LAYERS={DEM},{RAIN}&STYLES=,&CRS=EPSG:28992&BBOX={DEM_BBOX}&WIDTH=24&HEIGHT=24\
         &FORMAT=image/png&INFO_FORMAT=application/json&I=12&J=12"
    ));
    let json: serde_json::Value =
        serde_json::from_slice(&gfi.body).unwrap_or_else(|_| panic!("{}", gfi.text()));
    assert_eq!(json["features"].as_array().map(Vec::len), Some(2), "{json}");
    // TIME takes a list of instants.
    let time = s.get(&map130(&format!(
        "LAYERS={RAIN}&STYLES=&TIME=2024-06-01T12:00:00Z,2024-06-01T12:05:00Z"
    )));
    assert_eq!(time.content_type(), "image/png", "{}", time.text());
}

#[test]
fn kvp_07_bbox_numbers_in_every_notation() {
    let s = demo();
    // CITE's own box: exponents, no leading digit, an escaped leading '+'.
    let cite = "/wms/?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=nelen-schuurmans:rain\
                &STYLES=&CRS=CRS:84&WIDTH=8&HEIGHT=8&FORMAT=image/png&BBOX=";
    let odd = png(s.get(&format!("{cite}-.0005E1,-25E-4,%2B05E-3,.00025E%2B1")));
    assert_eq!(
        odd,
        png(s.get(&format!("{cite}-0.005,-0.0025,0.005,0.0025")))
    );
    // The same box written four ways renders the same pixels.
    let rain = format!("LAYERS={RAIN}&STYLES=&TRANSPARENT=TRUE");
    let plain = png(s.get(&map130(&rain)));
    for bbox in [
        "16E4,%2B444000,1.62e5,446000.0",
        "160000.000,4.44E5,%2B162000,446E3",
        "%20160000,444000%20,162000,446000",
    ] {
        let url = map130(&rain).replace(DEM_BBOX, bbox);
        assert_eq!(png(s.get(&url)), plain, "{bbox}");
    }
    // Non-finite and malformed numbers are errors, never a map.
    for bbox in [
        "160000,444000,inf,446000",
        "NaN,444000,162000,446000",
        "160000,444000,1e400,446000",
        "160000,444000,162000",
        "160000,444000,162000,446000,1",
        "160000,,162000,446000",
        "0x10,444000,162000,446000",
    ] {
        let resp = s.get(&map130(&rain).replace(DEM_BBOX, bbox));
        assert!(resp.content_type().contains("xml"), "{bbox}");
        code(&resp);
    }
}

#[test]
fn kvp_09_get_only_and_only_get_advertised() {
    let s = demo();
    for path in [
        "/wms/?SERVICE=WMS&REQUEST=GetCapabilities",
        "/wmts/?SERVICE=WMTS&REQUEST=GetCapabilities",
    ] {
        let post = s.request("POST", path, &[("Content-Length", "0")]);
        assert_eq!(post.status, 405, "{path}");
        let allow = post.header("allow").expect("Allow");
        assert!(allow.contains("GET") && !allow.contains("POST"), "{allow}");
        assert_eq!(post.header("cache-control"), Some("no-store"));
    }
    for path in [
        CAPS_1_3_0,
        "/wms/?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.1.1",
        "/wmts/?SERVICE=WMTS&REQUEST=GetCapabilities",
    ] {
        let body = s.get(path).expect_status(200).body;
        let doc = parse(&body);
        let mut gets = Vec::new();
        doc.descendants("Get", &mut gets);
        assert!(!gets.is_empty(), "{path}");
        let mut posts = Vec::new();
        doc.descendants("Post", &mut posts);
        assert!(posts.is_empty(), "{path}: POST advertised");
        // WMTS: only the KVP and RESTful GET encodings.
        let mut constraints = Vec::new();
        doc.descendants("Constraint", &mut constraints);
        for c in constraints {
            let mut values = Vec::new();
            c.descendants("Value", &mut values);
            for v in values {
                assert!(["KVP", "RESTful"].contains(&v.text.as_str()), "{}", v.text);
            }
        }
    }
}

#[test]
fn kvp_10_errors_are_never_cached_successes_carry_cache_headers() {
    let s = demo();
    let errors: Vec<Resp> = vec![
        s.get(&map130("LAYERS=no:such&STYLES=")),
        s.get(&map130("LAYERS=no:such&STYLES=&EXCEPTIONS=INIMAGE")),
        s.get(&map130("LAYERS=no:such&STYLES=&EXCEPTIONS=BLANK")),
        s.get("/wms/?SERVICE=WMS&VERSION=1.1.1&REQUEST=GetMap&LAYERS=x"),
        s.get("/wmts/?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=no:such"),
        s.get("/wmts/1.0.0/no:such/default/WebMercatorQuad/0/0/0.png"),
        s.get("/tiles/no:such/0/0/0.png"),
        s.get("/nothing"),
        s.request("POST", "/wms/", &[("Content-Length", "0")]),
    ];
    for e in &errors {
        assert_eq!(e.header("cache-control"), Some("no-store"), "{e:?}");
        assert!(e.header("etag").is_none(), "an error with an ETag");
    }
    let ok = [
        s.get(&map130(&format!("LAYERS={DEM}&STYLES="))),
        s.get(&format!("/tiles/{DEM}/14/8441/5412.png")),
        s.get(&format!(
            "/wmts/?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER={DEM}&STYLE=default\
             &FORMAT=image/png&TILEMATRIXSET=WebMercatorQuad&TILEMATRIX=14&TILEROW=5412&TILECOL=8441"
        )),
    ];
    for r in ok {
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(r.header("cache-control"), Some("public, max-age=3600"));
        let etag = r.header("etag").expect("an ETag");
        assert!(
            etag.starts_with('"') && etag.ends_with('"'),
            "strong ETag: {etag}"
        );
    }
}

#[test]
fn w13_exc_01_exception_status_200_by_default_400_when_configured() {
    let bad = map130("LAYERS=no:such&STYLES=");
    let d = demo().get(&bad);
    assert_eq!(d.status, 200);
    assert_eq!(d.content_type(), "text/xml");
    assert_eq!(d.header("cache-control"), Some("no-store"));
    assert_eq!(code(&d), "LayerNotDefined");
    let c = configured().get(&bad);
    assert_eq!(c.status, 400);
    assert_eq!(c.content_type(), "text/xml");
    assert_eq!(c.header("cache-control"), Some("no-store"));
    assert_eq!(c.body, d.body, "the same report either way");
    // 1.1.1 and GetFeatureInfo follow the same setting.
    let v111 = configured().get("/wms/?SERVICE=WMS&VERSION=1.1.1&REQUEST=GetMap&LAYERS=no:such");
    assert_eq!(v111.status, 400);
    assert_eq!(v111.content_type(), "application/vnd.ogc.se_xml");
    assert_eq!(v111.header("cache-control"), Some("no-store"));
    let gfi = configured().get(&format!(
        "/wms/?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetFeatureInfo&LAYERS={DEM}&QUERY_LAYERS={DEM}\
         &STYLES=&CRS=EPSG:28992&BBOX={DEM_BBOX}&WIDTH=24&HEIGHT=24&FORMAT=image/png\
         &INFO_FORMAT=text/plain&I=74&J=5"
    ));
    assert_eq!(gfi.status, 400);
    assert_eq!(code(&gfi), "InvalidPoint");
    assert_eq!(gfi.header("cache-control"), Some("no-store"));
}

#[test]
fn w13_exc_02_exceptions_are_schema_valid() {
    let s = demo();
    let gfi = format!(
        "/wms/?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetFeatureInfo&LAYERS={DEM}&QUERY_LAYERS={DEM}\
         &STYLES=&CRS=EPSG:28992&BBOX={DEM_BBOX}&WIDTH=24&HEIGHT=24&FORMAT=image/png\
         &INFO_FORMAT=text/plain&I=74&J=5"
    );
    let cases = [
        (map130("LAYERS=no:such&STYLES="), "LayerNotDefined"),
        (
            map130(&format!("LAYERS={DEM}&STYLES=nope")),
            "StyleNotDefined",
        ),
        (
            map130(&format!("LAYERS={DEM}&STYLES=")).replace("EPSG:28992", "EPSG:2056"),
            "InvalidCRS",
        ),
        (
            map130(&format!("LAYERS={DEM}&STYLES=")).replace("image/png", "image/bmp"),
            "InvalidFormat",
        ),
        (
            map130(&format!("LAYERS={DEM}&STYLES=")).replace(DEM_BBOX, "1,1,0,0"),
            "",
        ),
        (gfi, "InvalidPoint"),
        (
            "/wms/?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetBogus".to_string(),
            "OperationNotSupported",
        ),
        (
            format!("{CAPS_1_3_0}&UPDATESEQUENCE=99999999999"),
            "InvalidUpdateSequence",
        ),
    ];
    for (i, (path, want)) in cases.iter().enumerate() {
        let resp = s.get(path);
        assert_eq!(resp.content_type(), "text/xml", "{path}");
        let doc = parse(&resp.body);
        assert_eq!(doc.name, "ServiceExceptionReport");
        assert_eq!(doc.attr("version"), Some("1.3.0"));
        assert_eq!(doc.attr("xmlns"), Some("http://www.opengis.net/ogc"));
        if want.is_empty() {
            assert!(doc.child("ServiceException").is_some(), "{path}");
        } else {
            assert_eq!(code(&resp), *want, "{path}");
        }
        xmllint(&resp.body, Some(EXC_XSD), &format!("conf-exc130-{i}"));
    }
}
