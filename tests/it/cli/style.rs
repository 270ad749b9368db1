//! The `--style` of a new layer: a valid one is recorded and drawn, one that
//! cannot be parsed is refused.

use super::{fixture, ingest_ok, refused, server_over};
use crate::support;
use tegel::catalogue::Catalogue;

#[test]
fn an_invalid_default_style_is_refused() {
    // A layer whose default style cannot be parsed could never be drawn.
    let data = support::temp_dir("cli-style");
    let file = fixture("p_lochem_kwel_wegzijging_2050.tif");
    let file = file.to_str().expect("path");
    let good = ingest_ok(
        &data,
        &[
            "--organisation",
            "my-org",
            "--name",
            "Styled",
            "--style",
            "RdBu_r:-4.6:-1.17",
            file,
        ],
    );
    assert_eq!(good.wms_layer.as_deref(), Some("my-org:styled"));
    let snap = Catalogue::open(&data).expect("catalogue").snapshot();
    let layer = snap.layer(good.layer.expect("layer")).expect("recorded");
    assert_eq!(layer.default_style(), "RdBu_r:-4.6:-1.17");
    drop(snap);
    for bad in ["nonsense", "viridis:5:1", "viridis:nan:1", "viridis:1:2:3"] {
        refused(
            &data,
            &["--organisation", "my-org", "--style", bad, file],
            &[bad],
        );
    }
    let server = server_over(&data);
    let resp = server
        .get("/tiles/my-org:styled/0/0/0.png")
        .expect_status(200);
    assert_eq!(resp.content_type(), "image/png");
}
