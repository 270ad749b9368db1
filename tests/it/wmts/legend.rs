//! WMTS `Style/LegendURL` (WMTS-GC-08): every advertised legend is the WMS
//! GetLegendGraphic URL WMS capabilities advertise, and fetching it gives an
//! image of exactly the advertised format and size.

use super::*;
use crate::support::{decode_png, demo};

#[test]
fn wmts_gc_08_legend_urls_serve_the_advertised_format_and_size() {
    let doc = caps();
    let wms = demo()
        .get("/wms/?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0")
        .expect_status(200)
        .text();
    let layers = blocks(&doc, "Layer");
    assert!(!layers.is_empty());
    let origin = format!("http://{}", demo().addr);
    for layer in layers {
        let id = texts(layer, "ows:Identifier").pop().expect("identifier");
        let start = layer.find("<Style ").expect("a Style");
        let end = layer.find("</Style>").expect("Style closed");
        let style = &layer[start..end];
        assert_eq!(style.matches("<LegendURL ").count(), 1, "{id}: {style}");
        // No scale range: the legend holds at every matrix.
        assert!(!style.contains("ScaleDenominator="), "{style}");
        let format = attrs(style, "format").pop().expect("format");
        let href = attrs(style, "xlink:href").pop().expect("href");
        let width: u32 = attrs(style, "width").pop().unwrap().parse().unwrap();
        let height: u32 = attrs(style, "height").pop().unwrap().parse().unwrap();
        assert_eq!(format, "image/png");
        assert!(href.contains("REQUEST=GetLegendGraphic"), "{href}");
        // The very URL the WMS capabilities advertise for this layer's style.
        let escaped = href.replace('&', "&amp;");
        assert!(
            wms.contains(&format!("xlink:href=\"{escaped}\"")),
            "{href} not in WMS caps"
        );
        let path = href.strip_prefix(&origin).expect("href on this server");
        let resp = demo().get(path).expect_status(200);
        assert_eq!(resp.content_type(), format, "{id}");
        let img = decode_png(&resp.body);
        assert_eq!((img.width, img.height), (width, height), "{id}");
    }
}
