//! Organisations (writes), observation types, layer collections, users,
//! roles and personal API keys over HTTP, with every caller the rules know:
//! anonymous, a stranger, members by role, managers and superusers.
//! One server for all; this file holds the helpers and the organisation and
//! observation type tests, the submodules the rest.

mod collections;
mod keys;
mod users;

use super::client::{Client, json, user_key, wait_for_revision};
use crate::support::{TestServer, test_config};
use serde_json::{Value, json};
use std::sync::OnceLock;
use tegel::catalogue::Catalogue;
use uuid::Uuid;

pub(super) fn server() -> &'static TestServer {
    static S: OnceLock<TestServer> = OnceLock::new();
    S.get_or_init(|| TestServer::start(test_config("api-people")))
}

/// The demo organisation's uuid.
pub(super) fn demo_org(s: &TestServer) -> Uuid {
    let list = Client::anonymous(s).get_json("/api/v4/organisations/?slug=nelen-schuurmans");
    Uuid::parse_str(list["results"][0]["uuid"].as_str().expect("uuid")).expect("uuid")
}

/// A superuser key, made once per server.
pub(super) fn root() -> &'static str {
    static K: OnceLock<String> = OnceLock::new();
    K.get_or_init(|| user_key(server(), "people-root", true))
}

pub(super) fn detail(resp: &crate::support::Resp) -> Value {
    json(resp)["detail"].clone()
}

pub(super) fn count(c: &Client, path: &str) -> u64 {
    c.get_json(path)["count"].as_u64().expect("count")
}

/// Changes the catalogue behind the server's back and waits until it has
/// read the change.
pub(super) fn change_catalogue(
    s: &TestServer,
    f: impl FnOnce(&mut tegel::catalogue::CatalogueData),
) {
    let cat = Catalogue::open(&s.data_dir).expect("catalogue");
    cat.update(|data, _| {
        f(data);
        Ok(())
    })
    .expect("update");
    wait_for_revision(s, cat.snapshot().revision());
}

#[test]
fn organisations_are_written_by_superusers_only() {
    let s = server();
    let anon = Client::anonymous(s);
    let user = Client::with_key(s, &user_key(s, "org-plain", false));
    let root = Client::with_key(s, root());
    let body = json!({"name": "Waterschap Vallei & Veluwe"});
    let resp = anon.send("POST", "/api/v4/organisations/", Some(&body));
    assert_eq!(resp.status, 401);
    assert_eq!(
        detail(&resp),
        "Authentication credentials were not provided."
    );
    assert_eq!(
        user.send("POST", "/api/v4/organisations/", Some(&body))
            .status,
        403
    );
    // Dry run: validated, answered, not stored.
    let dry = root.send("POST", "/api/v4/organisations/?dry-run", Some(&body));
    assert_eq!(dry.status, 201, "{}", dry.text());
    assert_eq!(
        count(
            &anon,
            "/api/v4/organisations/?slug=waterschap-vallei-veluwe"
        ),
        0
    );
    let made = json(
        &root
            .send("POST", "/api/v4/organisations/", Some(&body))
            .expect_status(201),
    );
    assert_eq!(made["slug"], "waterschap-vallei-veluwe");
    assert_eq!(made["geoblocks"], true, "geoblocks defaults to true");
    let keys: Vec<&str> = made
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "url",
            "uuid",
            "name",
            "slug",
            "geoblocks",
            "created",
            "last_modified"
        ]
    );
    // The slug is unique: a second organisation of the same name is refused by field.
    let resp = root.send("POST", "/api/v4/organisations/", Some(&body));
    assert_eq!(resp.status, 400);
    assert!(detail(&resp)["slug"].is_array(), "{}", resp.text());
    let other = json(
        &root
            .send(
                "POST",
                "/api/v4/organisations/",
                Some(&json!({"name": "Other", "slug": "other-org", "geoblocks": false})),
            )
            .expect_status(201),
    );
    assert_eq!(other["geoblocks"], false);
    let resp = root.send(
        "POST",
        "/api/v4/organisations/",
        Some(&json!({"slug": "x"})),
    );
    assert!(detail(&resp)["name"].is_array(), "{}", resp.text());
    let resp = root.send(
        "POST",
        "/api/v4/organisations/",
        Some(&json!({"name": "Bad", "slug": "no spaces"})),
    );
    assert!(detail(&resp)["slug"].is_array(), "{}", resp.text());
    // Changing: superusers only; geoblocks is theirs to set.
    let url = format!("/api/v4/organisations/{}/", made["uuid"].as_str().unwrap());
    let patch = json!({"geoblocks": false});
    assert_eq!(anon.send("PATCH", &url, Some(&patch)).status, 401);
    assert_eq!(user.send("PATCH", &url, Some(&patch)).status, 403);
    let changed = json(&root.send("PATCH", &url, Some(&patch)).expect_status(200));
    assert_eq!(
        (changed["geoblocks"].clone(), changed["name"].clone()),
        (json!(false), made["name"].clone())
    );
    let resp = root.send("PATCH", &url, Some(&json!({"slug": "other-org"})));
    assert!(detail(&resp)["slug"].is_array(), "{}", resp.text());
    let resp = root.send("PATCH", &url, Some(&json!({"geoblocks": "maybe"})));
    assert!(detail(&resp)["geoblocks"].is_array(), "{}", resp.text());
    assert_eq!(anon.get_json(&url)["geoblocks"], false);
    // Deleting: refused while it owns things; fine when empty.
    let demo = format!("/api/v4/organisations/{}/", demo_org(s));
    let resp = root.send("DELETE", &demo, None);
    assert_eq!(resp.status, 412, "{}", resp.text());
    assert!(detail(&resp).as_str().unwrap().contains("raster layer"));
    assert_eq!(user.send("DELETE", &url, None).status, 403);
    root.send("DELETE", &url, None).expect_status(204);
    assert_eq!(anon.get(&url).status, 404);
}

#[test]
fn observation_types_are_listed_filtered_and_written_by_superusers() {
    let s = server();
    let anon = Client::anonymous(s);
    let list = anon.get_json("/api/v4/observationtypes/?code=Waterdepth");
    assert_eq!(list["count"], 1, "{list}");
    let wd = &list["results"][0];
    let keys: Vec<&str> = wd.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "url",
            "id",
            "code",
            "parameter",
            "unit",
            "scale",
            "description",
            "domain_values",
            "reference_frame",
            "compartment",
            "created",
            "last_modified"
        ]
    );
    assert!(wd["id"].is_i64());
    assert_eq!(
        (wd["unit"].as_str(), wd["scale"].as_str()),
        (Some("m"), Some("interval"))
    );
    assert_eq!(
        wd["url"],
        format!("http://{}/api/v4/observationtypes/{}/", s.addr, wd["id"])
    );
    assert_eq!(
        anon.get_json(&format!("/api/v4/observationtypes/{}/", wd["id"])),
        *wd
    );
    // Filters and ordering, each with a case a wrong implementation fails.
    assert_eq!(count(&anon, "/api/v4/observationtypes/?unit=m"), 2);
    assert_eq!(count(&anon, "/api/v4/observationtypes/?unit=mm"), 1);
    assert_eq!(count(&anon, "/api/v4/observationtypes/?scale=ratio"), 1);
    assert_eq!(
        count(
            &anon,
            "/api/v4/observationtypes/?parameter__icontains=PRECIP"
        ),
        1
    );
    assert_eq!(
        count(
            &anon,
            "/api/v4/observationtypes/?description__icontains=nap"
        ),
        1
    );
    assert_eq!(
        count(&anon, &format!("/api/v4/observationtypes/?id={}", wd["id"])),
        1
    );
    let codes = |path: &str| -> Vec<String> {
        anon.get_json(path)["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["code"].as_str().unwrap().to_owned())
            .collect()
    };
    let mut sorted = codes(
        "/api/v4/observationtypes/?ordering=code&code__in=Waterdepth,Elevation,Precipitation",
    );
    assert_eq!(sorted, ["Elevation", "Precipitation", "Waterdepth"]);
    sorted = codes(
        "/api/v4/observationtypes/?ordering=-code&code__in=Waterdepth,Elevation,Precipitation",
    );
    assert_eq!(sorted, ["Waterdepth", "Precipitation", "Elevation"]);
    assert_eq!(
        anon.get("/api/v4/observationtypes/?ordering=nope").status,
        400
    );
    assert_eq!(anon.get("/api/v4/observationtypes/99999/").status, 404);
    assert_eq!(anon.get("/api/v4/observationtypes/abc/").status, 404);
    // Writes.
    let user = Client::with_key(s, &user_key(s, "obs-plain", false));
    let root = Client::with_key(s, root());
    let new =
        json!({"code": "WNS1951", "parameter": "Waterlevel", "unit": "mNAP", "scale": "interval"});
    assert_eq!(
        anon.send("POST", "/api/v4/observationtypes/", Some(&new))
            .status,
        401
    );
    assert_eq!(
        user.send("POST", "/api/v4/observationtypes/", Some(&new))
            .status,
        403
    );
    let bad = json!({"code": "X1", "scale": "logarithmic"});
    let resp = root.send("POST", "/api/v4/observationtypes/", Some(&bad));
    assert!(detail(&resp)["scale"].is_array(), "{}", resp.text());
    let made = json(
        &root
            .send("POST", "/api/v4/observationtypes/", Some(&new))
            .expect_status(201),
    );
    assert!(made["id"].as_i64().unwrap() > wd["id"].as_i64().unwrap());
    assert_eq!(made["domain_values"], Value::Null);
    let resp = root.send("POST", "/api/v4/observationtypes/", Some(&new));
    assert!(detail(&resp)["code"].is_array(), "{}", resp.text());
    let url = format!("/api/v4/observationtypes/{}/", made["id"]);
    let changed = json(
        &root
            .send(
                "PATCH",
                &url,
                Some(&json!({"compartment": "surface water"})),
            )
            .expect_status(200),
    );
    assert_eq!(changed["compartment"], "surface water");
    assert_eq!(changed["code"], "WNS1951");
    // In use by a demo layer: refused; unused: gone.
    let used = format!("/api/v4/observationtypes/{}/", wd["id"]);
    assert_eq!(root.send("DELETE", &used, None).status, 412);
    assert_eq!(user.send("DELETE", &url, None).status, 403);
    root.send("DELETE", &url, None).expect_status(204);
    assert_eq!(anon.get(&url).status, 404);
}
