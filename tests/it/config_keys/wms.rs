//! `[wms]`: title, abstract (exception_status: `tests/it/conformance/kvp.rs`).

use super::*;
use std::sync::OnceLock;

const TITLE: &str = "Kaarten & <rasters> van \"Lochem\"";
const TITLE_XML: &str = "Kaarten &amp; &lt;rasters&gt; van &quot;Lochem&quot;";
const ABSTRACT: &str = "Kwel & wegzijging, <synthetisch>";
const ABSTRACT_XML: &str = "Kwel &amp; wegzijging, &lt;synthetisch&gt;";

/// A server with its own title and abstract.
fn described() -> &'static TestServer {
    static SERVER: OnceLock<TestServer> = OnceLock::new();
    SERVER.get_or_init(|| {
        let mut config = test_config("keys-wms-service");
        config.demo.ingest_on_empty = false;
        config.wms.title = TITLE.to_string();
        config.wms.abstract_text = ABSTRACT.to_string();
        TestServer::start(config)
    })
}

/// The text of `<tag>` directly in the service section of each capabilities
/// document: WMS 1.3.0, WMS 1.1.1, WMTS.
fn service(server: &TestServer, tag: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (path, section, tag) in [
        (WMS_CAPS, "Service", tag.to_string()),
        (
            "/wms/?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.1.1",
            "Service",
            tag.to_string(),
        ),
        (WMTS_CAPS, "ows:ServiceIdentification", format!("ows:{tag}")),
    ] {
        let doc = server.get(path).expect_status(200).text();
        let block = support::xml_texts(&doc, section)
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("no <{section}> in {path}: {doc}"));
        let text = support::xml_texts(&block, &tag)
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("no <{tag}> in <{section}> of {path}: {block}"));
        found.push(text);
    }
    found
}

/// Wraps the text of an XML character data string for comparison: quotes
/// may be escaped or not.
fn unquote(xml: &str) -> String {
    xml.replace("&quot;", "\"")
}

#[test]
fn wms_title_is_the_service_title_of_the_capabilities() {
    let want = unquote(TITLE_XML);
    for title in service(described(), "Title") {
        assert_eq!(unquote(&title), want);
    }
    assert_eq!(service(defaults(), "Title"), ["tegel", "tegel", "tegel"]);
}

#[test]
fn wms_abstract_is_the_service_abstract_of_the_capabilities() {
    let want = unquote(ABSTRACT_XML);
    for text in service(described(), "Abstract") {
        assert_eq!(unquote(&text), want);
    }
    let default = "Raster layers served by tegel";
    assert_eq!(service(defaults(), "Abstract"), [default, default, default]);
}
