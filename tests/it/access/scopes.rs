//! Lizard §6.1: `/wms/<layer-collection-slug>/` capabilities scopes.

use super::*;

#[test]
fn lizard_6_1_layer_collection_scopes() {
    // Anonymous: only the public member of the collection.
    let names = |who, path: &str| -> Vec<String> {
        wms_layers(who, path)
            .into_iter()
            .filter(|n| n.starts_with("nelen-schuurmans:"))
            .collect()
    };
    assert_eq!(names(None, "/wms/open-maps/"), [PAINTED]);
    assert_eq!(names(Some("member"), "/wms/open-maps/"), [SECRET, PAINTED]);
    assert_eq!(
        names(Some("admin"), "/wms/open-maps/"),
        [SECRET, DRAFT, PAINTED]
    );
    // Without the final slash, in 1.1.1 (DTD-valid), operation URLs at the scope.
    let v111 = get(
        "/wms/open-maps?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.1.1",
        Some("member"),
    )
    .expect_status(200);
    xmllint(&v111.body, None, "access-collection-caps111");
    let text = v111.text();
    assert!(text.contains(&format!("<Name>{SECRET}</Name>")));
    assert!(!text.contains(&format!("<Name>{DEM}</Name>")));
    let href = format!("xlink:href=\"http://{}/wms/open-maps/", world().server.addr);
    assert!(text.contains(&href), "OnlineResource at the scope");
    // GetMap through the scope works as at /wms/ (any readable layer).
    let scoped = get(
        &map(SECRET, "").replacen("/wms/", "/wms/open-maps/", 1),
        Some("member"),
    )
    .expect_status(200);
    assert_eq!(
        scoped.body,
        get(&map(DEM, ""), None).expect_status(200).body
    );
    // A private collection of another organisation, and an unknown slug:
    // the same 404 as any unknown path.
    let closed = get("/wms/closed-maps/?request=GetCapabilities", Some("member"));
    let unknown = get("/wms/no-such-maps/?request=GetCapabilities", Some("member"));
    let nowhere = get("/nothing/at/all", None);
    for r in [&closed, &unknown, &nowhere] {
        assert_eq!(r.status, 404);
        assert_eq!(r.content_type(), "application/json");
    }
    assert_eq!(closed.body, unknown.body);
    assert_eq!(unknown.body, nowhere.body);
    // Its own organisation's users and superusers see it.
    assert_eq!(names(Some("stranger"), "/wms/closed-maps/"), [PAINTED]);
    assert_eq!(names(Some("root"), "/wms/closed-maps/"), [PAINTED]);
    // Raster scopes keep working.
    assert_eq!(
        names(None, &format!("/wms/raster_{}/", world().repainted)),
        [REPAINTED]
    );
}
