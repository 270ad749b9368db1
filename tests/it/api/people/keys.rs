//! Personal API keys, and the credentials that never authenticate.

use super::super::client::{Client, json, user_key};
use super::{change_catalogue, count, detail, root, server};
use chrono::{Duration, Utc};
use serde_json::json;

#[test]
fn personal_api_keys_are_shown_once_and_revoked() {
    let s = server();
    let dee = Client::with_key(s, &user_key(s, "key-dee", false));
    let eve = Client::with_key(s, &user_key(s, "key-eve", false));
    assert_eq!(
        Client::anonymous(s).get("/api/v4/personalapikeys/").status,
        401
    );
    let made = json(
        &dee.send(
            "POST",
            "/api/v4/personalapikeys/",
            Some(&json!({"name": "qgis"})),
        )
        .expect_status(201),
    );
    let keys: Vec<&str> = made
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "url", "prefix", "name", "scope", "created", "expiry", "revoked", "key"
        ]
    );
    let text = made["key"].as_str().unwrap().to_owned();
    let prefix = made["prefix"].as_str().unwrap().to_owned();
    assert!(text.starts_with(&format!("{prefix}.")));
    assert_eq!(made["scope"], "*:readwrite");
    // The new key works at once, and is never shown again (nor its hash).
    let qgis = Client::with_key(s, &text);
    let list = qgis.get_json("/api/v4/personalapikeys/");
    assert_eq!(list["count"], 2, "{list}");
    let secret = text.split_once('.').unwrap().1;
    assert!(!list.to_string().contains(secret));
    assert!(!list.to_string().contains("hash"));
    assert_eq!(count(&dee, "/api/v4/personalapikeys/?name=qgis"), 1);
    let url = format!("/api/v4/personalapikeys/{prefix}/");
    assert_eq!(dee.get_json(&url)["name"], "qgis");
    // Other users' keys do not exist for you.
    assert_eq!(eve.get(&url).status, 404);
    assert_eq!(eve.send("DELETE", &url, None).status, 404);
    assert_eq!(eve.get_json("/api/v4/personalapikeys/")["count"], 1);
    // Validation.
    let resp = dee.send(
        "POST",
        "/api/v4/personalapikeys/",
        Some(&json!({"name": "x", "scope": "root"})),
    );
    assert!(detail(&resp)["scope"].is_array(), "{}", resp.text());
    let resp = dee.send(
        "POST",
        "/api/v4/personalapikeys/",
        Some(&json!({"scope": "ftp"})),
    );
    assert!(detail(&resp)["name"].is_array(), "{}", resp.text());
    let past = (Utc::now() - Duration::days(1)).to_rfc3339();
    let resp = dee.send(
        "POST",
        "/api/v4/personalapikeys/",
        Some(&json!({"name": "x", "expiry": past})),
    );
    assert!(detail(&resp)["expiry"].is_array(), "{}", resp.text());
    // Revoking by DELETE or by POST …/revoke/.
    dee.send("DELETE", &url, None).expect_status(204);
    assert_eq!(qgis.get("/api/v4/personalapikeys/").status, 401);
    assert_eq!(dee.get_json(&url)["revoked"], true);
    let other = json(
        &dee.send(
            "POST",
            "/api/v4/personalapikeys/",
            Some(&json!({"name": "script"})),
        )
        .expect_status(201),
    );
    let revoked = json(
        &dee.send(
            "POST",
            &format!(
                "/api/v4/personalapikeys/{}/revoke/",
                other["prefix"].as_str().unwrap()
            ),
            None,
        )
        .expect_status(200),
    );
    assert_eq!(revoked["revoked"], true);
    assert_eq!(
        Client::with_key(s, other["key"].as_str().unwrap())
            .get("/api/v4/")
            .status,
        401
    );
}

#[test]
fn ftp_expired_revoked_and_inactive_credentials_are_401_everywhere() {
    let s = server();
    let root = Client::with_key(s, root());
    let fay = Client::with_key(s, &user_key(s, "bad-fay", false));
    let ftp = json(
        &fay.send(
            "POST",
            "/api/v4/personalapikeys/",
            Some(&json!({"name": "ftp", "scope": "ftp:readwrite"})),
        )
        .expect_status(201),
    );
    assert_eq!(ftp["scope"], "ftp:readwrite");
    let soon = (Utc::now() + Duration::hours(1)).to_rfc3339();
    let expiring = json(
        &fay.send(
            "POST",
            "/api/v4/personalapikeys/",
            Some(&json!({"name": "short", "expiry": soon})),
        )
        .expect_status(201),
    );
    Client::with_key(s, expiring["key"].as_str().unwrap()).get_json("/api/v4/");
    let prefix = expiring["prefix"].as_str().unwrap().to_owned();
    change_catalogue(s, |d| {
        for k in &mut d.api_keys {
            if k.prefix == prefix {
                k.expiry = Some(Utc::now() - Duration::seconds(1));
            }
        }
    });
    let inactive_key = user_key(s, "bad-gus", false);
    let gus_id = root.get_json("/api/v4/users/?username=bad-gus")["results"][0]["id"].clone();
    root.send("DELETE", &format!("/api/v4/users/{gus_id}/"), None)
        .expect_status(204);
    let paths = [
        "/api/v4/",
        "/api/v4/organisations/",
        "/api/v4/observationtypes/",
        "/api/v4/layercollections/",
        "/api/v4/users/",
        "/api/v4/roles/",
        "/api/v4/personalapikeys/",
    ];
    for (what, key) in [
        ("ftp", ftp["key"].as_str().unwrap()),
        ("expired", expiring["key"].as_str().unwrap()),
        ("inactive", inactive_key.as_str()),
    ] {
        let c = Client::with_key(s, key);
        for path in paths {
            assert_eq!(c.get(path).status, 401, "{what} key on {path}");
        }
        let resp = c.send(
            "POST",
            "/api/v4/layercollections/",
            Some(&json!({"name": "x"})),
        );
        assert_eq!(resp.status, 401, "{what} key writing");
        assert_eq!(detail(&resp), "Invalid username/password.");
    }
}
