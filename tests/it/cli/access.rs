//! A private layer: left out of the capabilities and the index page, and
//! answered over WMS and XYZ word for word like a layer that does not exist.

use super::{capabilities, fixture, ingest_ok, server_over};
use crate::support;

#[test]
fn a_private_layer_is_answered_as_if_it_did_not_exist() {
    let data = support::temp_dir("cli-private");
    let file = fixture("p_lochem_kwel_wegzijging_2050.tif");
    let file = file.to_str().expect("path");
    let private = ingest_ok(
        &data,
        &[
            "--name",
            "Secret",
            "--organisation",
            "my-org",
            "--access-modifier",
            "Private",
            file,
        ],
    );
    let public = ingest_ok(&data, &["--name", "Open", "--organisation", "my-org", file]);
    assert_eq!(private.wms_layer.as_deref(), Some("my-org:secret"));
    assert_eq!(public.wms_layer.as_deref(), Some("my-org:open"));
    let server = server_over(&data);

    let caps = capabilities(&server);
    assert!(
        caps.contains("<Name>my-org:open</Name>"),
        "the public layer is listed"
    );
    assert!(
        !caps.contains("my-org:secret"),
        "the private layer is listed"
    );
    assert!(
        !caps.contains("Secret"),
        "the private layer's title is listed"
    );
    let caps_111 = server
        .get("/wms/?SERVICE=WMS&VERSION=1.1.1&REQUEST=GetCapabilities")
        .expect_status(200)
        .text();
    assert!(caps_111.contains("<Name>my-org:open</Name>"));
    assert!(!caps_111.contains("my-org:secret") && !caps_111.contains("Secret"));
    let index = server.get("/").expect_status(200).text();
    assert!(index.contains("my-org:open"), "{index}");
    assert!(
        !index.contains("my-org:secret")
            && !index.contains(&private.layer.expect("id").to_string()),
        "the index page lists the private layer"
    );

    let bbox = "220000,455000,240000,470000";
    let getmap = |layer: &str| {
        server.get(&format!(
            "/wms/?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS={layer}&STYLES=\
             &CRS=EPSG:28992&BBOX={bbox}&WIDTH=32&HEIGHT=32&FORMAT=image/png"
        ))
    };
    let ok = getmap("my-org:open");
    assert_eq!((ok.status, ok.content_type()), (200, "image/png"));
    let layer_id = private.layer.expect("layer").to_string();
    for hidden in ["my-org:secret", layer_id.as_str()] {
        let secret = getmap(hidden);
        let absent = getmap("my-org:absent");
        assert_eq!(secret.status, absent.status);
        let text = secret.text();
        assert!(text.contains("code=\"LayerNotDefined\""), "{text}");
        // Word for word the answer for a layer that does not exist.
        assert_eq!(
            text.replace(hidden, "NAME"),
            absent.text().replace("my-org:absent", "NAME")
        );
        let tile = server.get(&format!("/tiles/{hidden}/0/0/0.png"));
        let absent_tile = server.get("/tiles/my-org:absent/0/0/0.png");
        assert_eq!(tile.status, 404);
        assert_eq!(
            tile.text().replace(hidden, "NAME"),
            absent_tile.text().replace("my-org:absent", "NAME")
        );
    }
}
