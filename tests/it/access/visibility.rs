//! Who sees which layer: access modifiers, `shared_with`, superusers, and
//! the two forms of credentials; wrong ones are 401 whatever is asked.

use super::*;

#[test]
fn access_private_layer_answers_as_nonexistent_to_anonymous_and_strangers() {
    for who in [None, Some("stranger"), Some("boss")] {
        assert_nonexistent(SECRET, who);
        assert!(!wms_layers(who, "/wms/").contains(&SECRET.to_string()));
        assert!(!wmts_layers(who).contains(&SECRET.to_string()));
        assert!(!index_lists(who, SECRET));
        // Its raster scope too, as a raster that does not exist.
        let id = world().secret;
        let other = Uuid::new_v4();
        let a = get(&format!("/wms/raster_{id}/?request=GetCapabilities"), who);
        let b = get(
            &format!("/wms/raster_{other}/?request=GetCapabilities"),
            who,
        );
        assert_eq!((a.status, b.status), (404, 404));
        assert_eq!(ogc_exception_code(&a), "LayerNotDefined");
        assert_eq!(
            a.text().replace(&id.to_string(), &other.to_string()),
            b.text()
        );
    }
    // Public layers stay visible to all of them.
    assert!(wms_layers(None, "/wms/").contains(&DEM.to_string()));
    assert!(index_lists(None, DEM));
}

#[test]
fn access_private_layer_for_members_shared_organisations_and_superusers() {
    let plain = get(&map(DEM, ""), None).expect_status(200);
    for who in ["member", "friend", "admin", "sam", "root"] {
        assert_readable(SECRET, Some(who));
        // The same source and style as the public DEM: the same pixels.
        let secret = get(&map(SECRET, ""), Some(who)).expect_status(200);
        assert_eq!(secret.body, plain.body, "{who}");
        let names = wms_layers(Some(who), "/wms/");
        assert!(names.contains(&SECRET.to_string()), "{who}: {names:?}");
        assert!(names.contains(&DEM.to_string()));
        assert!(wmts_layers(Some(who)).contains(&SECRET.to_string()));
        assert!(index_lists(Some(who), SECRET));
        let scoped = get(
            &format!(
                "/wms/raster_{}/?request=GetCapabilities&VERSION=1.3.0",
                world().secret
            ),
            Some(who),
        )
        .expect_status(200);
        assert_eq!(
            xml_texts(&scoped.text(), "Name")
                .iter()
                .filter(|n| n.starts_with("nelen-schuurmans:"))
                .collect::<Vec<_>>(),
            [SECRET]
        );
    }
}

#[test]
fn access_common_layer_needs_any_valid_key() {
    assert_nonexistent(COMMON, None);
    assert!(!wms_layers(None, "/wms/").contains(&COMMON.to_string()));
    for who in ["stranger", "member", "boss"] {
        assert_readable(COMMON, Some(who));
        assert!(wms_layers(Some(who), "/wms/").contains(&COMMON.to_string()));
    }
}

#[test]
fn access_hidden_layer_only_for_its_admins_and_supplier() {
    for who in [
        None,
        Some("member"),
        Some("friend"),
        Some("stranger"),
        Some("boss"),
    ] {
        assert_nonexistent(DRAFT, who);
        assert!(!wms_layers(who, "/wms/").contains(&DRAFT.to_string()));
        assert!(!wmts_layers(who).contains(&DRAFT.to_string()));
    }
    for who in ["admin", "sam", "root"] {
        assert_readable(DRAFT, Some(who));
        assert!(wms_layers(Some(who), "/wms/").contains(&DRAFT.to_string()));
        assert!(wmts_layers(Some(who)).contains(&DRAFT.to_string()));
    }
}

#[test]
fn access_wrong_credentials_are_401_even_for_what_does_not_exist() {
    let w = world();
    let wrong = [
        (
            "Authorization".to_string(),
            basic("abcdefgh.0123456789abcdef0123"),
        ),
        ("Authorization".to_string(), basic(&w.keys["revoked"])),
        ("Authorization".to_string(), "Bearer abc".to_string()),
        ("Authorization".to_string(), "Basic !!!".to_string()),
        ("username".to_string(), "__key__".to_string()),
    ];
    let mut paths = requests(MISSING);
    paths.extend(requests(DEM));
    paths.extend([
        "/wms/?SERVICE=WMS&REQUEST=GetCapabilities".to_string(),
        "/wmts/?SERVICE=WMTS&REQUEST=GetCapabilities".to_string(),
        "/wmts/1.0.0/WMTSCapabilities.xml".to_string(),
        format!("/wms/raster_{}/?request=GetCapabilities", Uuid::new_v4()),
        "/wms/no-such-collection/?request=GetCapabilities".to_string(),
        "/wms/open-maps/?request=GetCapabilities".to_string(),
        "/".to_string(),
    ]);
    for (name, value) in &wrong {
        for path in &paths {
            let resp = w.server.get_with(path, &[(name, value)]);
            assert_eq!(resp.status, 401, "{path} with {name}: {value}");
            assert_eq!(
                resp.header("www-authenticate"),
                Some("Basic realm=\"tegel\""),
                "{path}"
            );
            assert_eq!(resp.header("cache-control"), Some("no-store"), "{path}");
            if path.starts_with("/tiles/") || path.starts_with("/tms/") || path == "/" {
                let v: Value = serde_json::from_slice(&resp.body).expect("JSON error");
                assert_eq!(v["status"], 401);
            } else if path.starts_with("/wmts") {
                assert!(resp.text().contains("ExceptionReport"), "{path}");
                xmllint(
                    &resp.body,
                    Some("schemas.opengis.net/ows/1.1.0/owsExceptionReport.xsd"),
                    "access-401-wmts",
                );
            } else {
                assert!(resp.text().contains("ServiceExceptionReport"), "{path}");
            }
        }
    }
    // A password that is not a key is wrong too.
    let resp = w.server.get_with(
        "/wms/?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0",
        &[("username", "member"), ("password", "secret")],
    );
    assert_eq!(resp.status, 401);
    xmllint(
        &resp.body,
        Some("schemas.opengis.net/wms/1.3.0/exceptions_1_3_0.xsd"),
        "access-401-wms",
    );
}

#[test]
fn access_username_and_password_headers_work_as_basic_auth() {
    let w = world();
    let key = &w.keys["member"];
    let headers = [("username", "__key__"), ("password", key.as_str())];
    for path in requests(SECRET) {
        let resp = w.server.get_with(&path, &headers);
        assert_eq!(resp.status, 200, "{path}: {}", resp.text());
    }
    let caps = w
        .server
        .get_with(
            "/wms/?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0",
            &headers,
        )
        .expect_status(200);
    assert!(xml_texts(&caps.text(), "Name").contains(&SECRET.to_string()));
    assert!(
        !xml_texts(&caps.text(), "Name").contains(&DRAFT.to_string()),
        "a member does not see drafts"
    );
}
