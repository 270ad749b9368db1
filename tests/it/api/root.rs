//! The API root, authentication, formats and errors common to all endpoints.

use super::client::{Client, basic, json, user_key};
use crate::support::{TestServer, test_config};
use std::sync::OnceLock;

fn server() -> &'static TestServer {
    static S: OnceLock<TestServer> = OnceLock::new();
    S.get_or_init(|| TestServer::start(test_config("api-root")))
}

#[test]
fn the_root_links_every_resource() {
    let root = Client::anonymous(server()).get_json("/api/v4/");
    let base = format!("http://{}/api/v4/", server().addr);
    for name in [
        "rasters",
        "rastersources",
        "organisations",
        "personalapikeys",
    ] {
        assert_eq!(root[name], format!("{base}{name}/"), "{root}");
    }
}

#[test]
fn wrong_credentials_are_401_whatever_the_path() {
    let bad = Client::with_key(server(), "nope.0123456789abcdef0123");
    for path in ["/api/v4/", "/api/v4/rasters/", "/api/v4/does-not-exist/"] {
        let resp = bad.get(path).expect_status(401);
        assert!(
            resp.header("www-authenticate")
                .is_some_and(|v| v.starts_with("Basic"))
        );
        let body = json(&resp);
        assert_eq!(body["status"], 401);
        assert_eq!(body["detail"], "Invalid username/password.");
    }
    // A malformed header is refused too, never served as anonymous.
    let resp = server().get_with("/api/v4/", &[("Authorization", "Basic ***")]);
    assert_eq!(resp.status, 401);
}

#[test]
fn keys_work_as_basic_auth_and_as_header_pair() {
    let key = user_key(server(), "root-keys", true);
    Client::with_key(server(), &key).get_json("/api/v4/");
    let resp = server().get_with(
        "/api/v4/",
        &[
            ("username", "__key__"),
            ("password", &key),
            ("Accept", "application/json"),
        ],
    );
    assert_eq!(resp.status, 200, "{}", resp.text());
    let resp = server().get_with("/api/v4/", &[("Authorization", &basic(&format!("{key}x")))]);
    assert_eq!(resp.status, 401);
}

#[test]
fn errors_are_lizard_json_and_formats_negotiate() {
    let c = Client::anonymous(server());
    let body = json(&c.get("/api/v4/no-such-thing/").expect_status(404));
    assert_eq!(body["status"], 404);
    assert_eq!(body["code"], 20);
    assert_eq!(body["detail"], "Not found.");
    let resp = c.send("PUT", "/api/v4/", None).expect_status(405);
    assert_eq!(json(&resp)["code"], 10);
    let html = server().get("/api/v4/?format=api").expect_status(200);
    assert!(html.content_type().starts_with("text/html"));
    let text = html.text();
    assert!(text.contains("<a href=\""), "links in the browsable page");
    assert!(
        text.contains("rasters/?format=api"),
        "URLs carry format=api"
    );
    let resp = server().send(
        "POST",
        "/api/v4/rasters/",
        &[("Content-Type", "text/plain")],
        b"hello",
    );
    assert_eq!(resp.status, 415, "{}", resp.text());
    let resp = server().send(
        "POST",
        "/api/v4/rasters/",
        &[("Content-Type", "application/json")],
        b"{not json",
    );
    assert_eq!(resp.status, 400, "{}", resp.text());
    let resp = server().request(
        "OPTIONS",
        "/api/v4/rasters/",
        &[
            ("Access-Control-Request-Method", "POST"),
            ("Origin", "http://x"),
        ],
    );
    assert_eq!(resp.status, 204);
    assert!(
        resp.header("access-control-allow-methods")
            .is_some_and(|m| m.contains("PATCH"))
    );
}

#[test]
fn organisations_list_and_detail() {
    let c = Client::anonymous(server());
    let list = c.get_json("/api/v4/organisations/?name__icontains=SCHUURMANS");
    assert_eq!(list["count"], 1, "{list}");
    let org = &list["results"][0];
    let uuid = org["uuid"].as_str().expect("uuid");
    assert_eq!(
        org["url"],
        format!("http://{}/api/v4/organisations/{uuid}/", server().addr)
    );
    let one = c.get_json(&format!("/api/v4/organisations/{uuid}/"));
    assert_eq!(&one, org);
    assert_eq!(c.get("/api/v4/organisations/?ordering=nope").status, 400);
    assert_eq!(c.get("/api/v4/organisations/not-a-uuid/").status, 404);
}
