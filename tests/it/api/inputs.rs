//! Write input as Lizard's Django models take it, for every writable object:
//! an overlong string, a NUL character and a number where a string belongs
//! are refused with DRF's `{field: [message]}` (create, PUT and PATCH), and
//! nothing stored changes; `<script>` text is stored as text and the
//! browsable page shows it escaped, under a Content-Security-Policy that
//! forbids scripts.

use super::client::{Client, json, user_key};
use crate::support::{TestServer, test_config};
use serde_json::{Value, json};
use std::sync::OnceLock;
use tegel::catalogue::Catalogue;
use uuid::Uuid;

fn server() -> &'static TestServer {
    static S: OnceLock<TestServer> = OnceLock::new();
    S.get_or_init(|| TestServer::start(test_config("api-inputs")))
}

/// The tests here count the objects of a collection before and after; they
/// take turns on their shared server so that one's writes are not another's
/// surprise.
fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn root() -> Client<'static> {
    static K: OnceLock<String> = OnceLock::new();
    Client::with_key(
        server(),
        K.get_or_init(|| user_key(server(), "inputs-root", true)),
    )
}

/// The demo organisation and the raster source of its Lochem layer.
fn demo() -> (Uuid, Uuid) {
    let cat = Catalogue::open(&server().data_dir).expect("catalogue");
    let snap = cat.snapshot();
    let org = snap
        .organisation_by_slug("nelen-schuurmans")
        .expect("demo org")
        .uuid;
    let layer = snap
        .layers()
        .iter()
        .find(|l| l.name == "p_lochem_kwel_wegzijging_2050")
        .expect("demo layer");
    let source = snap.single_source(layer).expect("plain layer").uuid;
    (org, source)
}

/// One writable object type: where it lives, a body that creates one, the
/// string field attacked and its `max_length`.
struct Case {
    collection: &'static str,
    body: Value,
    field: &'static str,
    max: usize,
    /// The key of the detail URL in a created object (`uuid`, `id`), when
    /// the object can be changed.
    id_key: Option<&'static str>,
}

fn cases() -> Vec<Case> {
    let (org, source) = demo();
    let org = org.to_string();
    let graph = json!({"name": "r", "graph": {"r": ["lizard_nxt.blocks.LizardRasterSource", source.to_string()]}});
    vec![
        Case {
            collection: "organisations",
            body: json!({"name": "Inputs Org"}),
            field: "name",
            max: 255,
            id_key: Some("uuid"),
        },
        Case {
            collection: "observationtypes",
            body: json!({"code": "InputsCode", "scale": "ratio", "unit": "m"}),
            field: "unit",
            max: 255,
            id_key: Some("id"),
        },
        Case {
            collection: "layercollections",
            body: json!({"name": "Inputs collection", "organisation": org}),
            field: "name",
            max: 255,
            id_key: Some("uuid"),
        },
        Case {
            collection: "rastersources",
            body: json!({"name": "Inputs source", "organisation": org}),
            field: "name",
            max: 255,
            id_key: Some("uuid"),
        },
        Case {
            collection: "rasters",
            body: json!({
                "name": "Inputs raster",
                "organisation": org,
                "access_modifier": "Public",
                "source": graph,
                "aggregation_type": "curve",
            }),
            field: "name",
            max: 255,
            id_key: Some("uuid"),
        },
        Case {
            collection: "users",
            body: json!({"username": "inputs-user", "first_name": "Ann"}),
            field: "first_name",
            max: 150,
            id_key: Some("id"),
        },
        Case {
            collection: "roles",
            body: json!({"organisation": org, "username": "inputs-root", "role": "user"}),
            field: "username",
            max: 150,
            id_key: None,
        },
        Case {
            collection: "personalapikeys",
            body: json!({"name": "inputs key"}),
            field: "name",
            max: 255,
            id_key: None,
        },
    ]
}

/// The hostile values of a string field and the message each must get.
fn hostile(max: usize) -> Vec<(Value, String)> {
    vec![
        (
            json!("x".repeat(100_000)),
            format!("Ensure this field has no more than {max} characters."),
        ),
        (
            json!("a\u{0}b"),
            "Null characters are not allowed.".to_string(),
        ),
        (json!(12345), "Not a valid string.".to_string()),
        (json!(true), "Not a valid string.".to_string()),
        (json!(["a"]), "Not a valid string.".to_string()),
    ]
}

/// A 400 whose Lizard body names `field` with `message`.
fn assert_refused(resp: &crate::support::Resp, field: &str, message: &str, what: &str) {
    assert_eq!(resp.status, 400, "{what}: {}", resp.text());
    let body = json(resp);
    assert_eq!(body["status"], 400, "{what}: {body}");
    assert_eq!(body["message"], "Validation error. #400.0", "{what}");
    let msgs = body["detail"][field]
        .as_array()
        .unwrap_or_else(|| panic!("{what}: no detail.{field} in {body}"));
    assert!(
        msgs.iter().any(|m| m == message),
        "{what}: {message:?} not in {body}"
    );
}

#[test]
fn every_writable_object_refuses_overlong_nul_and_mistyped_strings() {
    let _turn = one_at_a_time();
    let root = root();
    for case in cases() {
        let list = format!("/api/v4/{}/?page_size=1000", case.collection);
        let before = root.get_json(&list)["count"].clone();
        for (value, message) in hostile(case.max) {
            let mut body = case.body.clone();
            body[case.field] = value;
            let what = format!("POST {} {}", case.collection, case.field);
            let resp = root.send(
                "POST",
                &format!("/api/v4/{}/", case.collection),
                Some(&body),
            );
            assert_refused(&resp, case.field, &message, &what);
        }
        assert_eq!(
            root.get_json(&list)["count"],
            before,
            "{}: a refused create stored something",
            case.collection
        );
        let Some(id_key) = case.id_key else { continue };
        let made = root.send(
            "POST",
            &format!("/api/v4/{}/", case.collection),
            Some(&case.body),
        );
        assert_eq!(made.status, 201, "{}: {}", case.collection, made.text());
        let id = match &json(&made)[id_key] {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let path = format!("/api/v4/{}/{id}/", case.collection);
        let stored = root.get_json(&path);
        for method in ["PATCH", "PUT"] {
            for (value, message) in hostile(case.max) {
                let mut body = if method == "PUT" {
                    case.body.clone()
                } else {
                    json!({})
                };
                body[case.field] = value;
                let what = format!("{method} {path} {}", case.field);
                assert_refused(
                    &root.send(method, &path, Some(&body)),
                    case.field,
                    &message,
                    &what,
                );
            }
        }
        assert_eq!(
            root.get_json(&path),
            stored,
            "{path} changed on a refused write"
        );
    }
}

#[test]
fn all_refused_fields_are_named_at_once() {
    let _turn = one_at_a_time();
    let (org, _) = demo();
    let resp = root().send(
        "POST",
        "/api/v4/rastersources/",
        Some(&json!({
            "name": "n".repeat(300),
            "description": "nul\u{0}",
            "organisation": org.to_string(),
            "supplier_code": 7,
            "temporal": [1],
        })),
    );
    assert_eq!(resp.status, 400, "{}", resp.text());
    assert_eq!(
        json(&resp)["detail"],
        json!({
            "name": ["Ensure this field has no more than 255 characters."],
            "description": ["Null characters are not allowed."],
            "supplier_code": ["Not a valid string."],
            "temporal": ["Must be a valid boolean."],
        })
    );
    // A NUL inside a graph is refused too, naming the field.
    let resp = root().send(
        "POST",
        "/api/v4/rasters/",
        Some(&json!({
            "name": "nul graph",
            "organisation": org.to_string(),
            "source": {"name": "r\u{0}", "graph": {}},
        })),
    );
    assert_refused(
        &resp,
        "source",
        "Null characters are not allowed.",
        "graph with NUL",
    );
}

#[test]
fn script_text_is_stored_as_text_and_shown_escaped_under_a_csp() {
    let _turn = one_at_a_time();
    let (org, _) = demo();
    let root = root();
    let name = "<script>alert('name')</script>";
    let description = "\"><script>alert(1)</script><img src=x onerror=alert(2)>";
    let made = root.send(
        "POST",
        "/api/v4/rastersources/",
        Some(&json!({"name": name, "description": description, "organisation": org.to_string()})),
    );
    assert_eq!(made.status, 201, "{}", made.text());
    let made = json(&made);
    let path = format!("/api/v4/rastersources/{}/", made["uuid"].as_str().unwrap());
    let stored = root.get_json(&path);
    assert_eq!(stored["name"], name);
    assert_eq!(stored["description"], description);
    for url in [
        format!("{path}?format=api"),
        "/api/v4/rastersources/?format=api&page_size=1000".into(),
    ] {
        let page = root.get(&url);
        let what = url.as_str();
        assert_eq!(page.status, 200, "{what}");
        assert!(page.content_type().starts_with("text/html"), "{what}");
        let csp = page
            .header("content-security-policy")
            .unwrap_or_else(|| panic!("{what}: no Content-Security-Policy"));
        assert!(csp.contains("default-src 'none'"), "{what}: {csp}");
        assert!(!csp.contains("script-src"), "{what}: {csp}");
        let html = page.text();
        assert!(!html.contains("<script"), "{what}: a live script tag");
        assert!(!html.contains("<img"), "{what}: a live img tag");
        assert!(
            html.contains("&lt;script&gt;alert(&#x27;name&#x27;)&lt;/script&gt;"),
            "{what}"
        );
        assert!(
            html.contains("&lt;img src=x onerror=alert(2)&gt;"),
            "{what}"
        );
    }
    // Every other named object keeps such a name as text too, and its own
    // browsable page shows it escaped.
    let raster = cases()
        .into_iter()
        .find(|c| c.collection == "rasters")
        .map(|c| c.body)
        .expect("raster case");
    for (collection, field, mut body) in [
        ("organisations", "name", json!({})),
        (
            "layercollections",
            "name",
            json!({"organisation": org.to_string()}),
        ),
        ("observationtypes", "code", json!({"scale": "nominal"})),
        ("personalapikeys", "name", json!({})),
        ("rasters", "name", raster),
    ] {
        body[field] = json!(name);
        let resp = root.send("POST", &format!("/api/v4/{collection}/"), Some(&body));
        assert_eq!(resp.status, 201, "{collection}: {}", resp.text());
        let made = json(&resp);
        assert_eq!(made[field], name, "{collection}");
        let url = made["url"]
            .as_str()
            .unwrap_or_else(|| panic!("{collection}: no url"));
        let path = &url[url.find("/api/v4/").expect("an API url")..];
        let page = root.get(&format!("{path}?format=api"));
        assert_eq!(page.status, 200, "{path}");
        assert!(
            page.header("content-security-policy")
                .is_some_and(|c| c.contains("default-src 'none'")),
            "{path}"
        );
        let html = page.text();
        assert!(!html.contains("<script"), "{path}: a live script tag");
        assert!(
            html.contains("&lt;script&gt;alert(&#x27;name&#x27;)"),
            "{path}"
        );
        assert_eq!(root.get_json(path)[field], name, "{path}");
    }
    // JSON answers carry no CSP-relevant markup problems: the type is JSON.
    let resp = root.get(&path);
    assert_eq!(resp.content_type(), "application/json");
}

#[test]
fn like_wildcards_and_broken_escapes_in_filters_are_literal_as_in_django() {
    let _turn = one_at_a_time();
    // Every raster the caller sees, to count the matches independently.
    let all = root().get_json("/api/v4/rasters/?page_size=1000");
    let names: Vec<String> = all["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r["name"].as_str().expect("name").to_string())
        .collect();
    assert!(!names.is_empty());
    let containing = |needle: &str| {
        names
            .iter()
            .filter(|n| n.to_uppercase().contains(&needle.to_uppercase()))
            .count()
    };
    // `%` raw (a broken escape Django keeps as it is), `%25`, `_` and `\`:
    // each matches only names that contain it.
    for (query, needle) in [
        ("%", "%"),
        ("%25", "%"),
        ("_", "_"),
        ("%5C", "\\"),
        ("100%", "100%"),
    ] {
        let got = root().get_json(&format!(
            "/api/v4/rasters/?name__icontains={query}&page_size=1000"
        ));
        assert_eq!(
            got["count"].as_u64(),
            Some(containing(needle) as u64),
            "name__icontains={query}: {got}"
        );
        assert!(
            containing(needle) < names.len(),
            "the demo has names without {needle:?}"
        );
    }
}
