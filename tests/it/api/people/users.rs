//! Users and roles: who sees whom, who grants what.

use super::super::client::{Client, grant, json, user_key};
use super::{count, demo_org, detail, root, server};
use serde_json::json;
use tegel::catalogue::RoleKind;

#[test]
fn users_see_themselves_and_superusers_manage_everyone() {
    let s = server();
    let anon = Client::anonymous(s);
    let key = user_key(s, "usr-ann", false);
    let ann = Client::with_key(s, &key);
    let root = Client::with_key(s, root());
    grant(s, "usr-ann", demo_org(s), RoleKind::User);
    assert_eq!(anon.get("/api/v4/users/").status, 401);
    let mine = ann.get_json("/api/v4/users/");
    assert_eq!(mine["count"], 1, "{mine}");
    let me = &mine["results"][0];
    let keys: Vec<&str> = me.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "url",
            "id",
            "username",
            "email",
            "first_name",
            "last_name",
            "is_superuser",
            "is_active",
            "roles"
        ]
    );
    assert_eq!(me["username"], "usr-ann");
    assert_eq!(me["roles"][0]["role"], "user");
    assert_eq!(
        me["roles"][0]["organisation"]["uuid"],
        demo_org(s).to_string()
    );
    assert!(!me.to_string().contains("password"));
    let all = root.get_json("/api/v4/users/?page_size=100");
    assert!(all["count"].as_u64().unwrap() >= 2);
    assert_eq!(count(&root, "/api/v4/users/?username=usr-ann"), 1);
    let root_id = root.get_json("/api/v4/users/?username=people-root")["results"][0]["id"].clone();
    assert_eq!(ann.get(&format!("/api/v4/users/{root_id}/")).status, 404);
    // Own names: yes; own flags: no.
    let url = format!("/api/v4/users/{}/", me["id"]);
    let changed = json(
        &ann.send(
            "PATCH",
            &url,
            Some(&json!({"first_name": "Ann", "email": "ann@example.org"})),
        )
        .expect_status(200),
    );
    assert_eq!(
        (changed["first_name"].as_str(), changed["email"].as_str()),
        (Some("Ann"), Some("ann@example.org"))
    );
    assert_eq!(
        ann.send("PATCH", &url, Some(&json!({"is_superuser": true})))
            .status,
        403
    );
    assert_eq!(
        ann.send("PATCH", &url, Some(&json!({"email": "nope"})))
            .status,
        400
    );
    assert_eq!(
        ann.send("PATCH", &url, Some(&json!({"username": "other"})))
            .status,
        400
    );
    // Superusers create and deactivate.
    let new = json!({"username": "usr-bob", "email": "bob@example.org"});
    assert_eq!(ann.send("POST", "/api/v4/users/", Some(&new)).status, 403);
    let bob = json(
        &root
            .send("POST", "/api/v4/users/", Some(&new))
            .expect_status(201),
    );
    assert_eq!(
        (bob["is_active"].clone(), bob["is_superuser"].clone()),
        (json!(true), json!(false))
    );
    let resp = root.send(
        "POST",
        "/api/v4/users/",
        Some(&json!({"username": "USR-BOB"})),
    );
    assert!(detail(&resp)["username"].is_array(), "{}", resp.text());
    let resp = root.send(
        "POST",
        "/api/v4/users/",
        Some(&json!({"username": "has space"})),
    );
    assert!(detail(&resp)["username"].is_array(), "{}", resp.text());
    assert_eq!(ann.send("DELETE", &url, None).status, 403);
    root.send("DELETE", &url, None).expect_status(204);
    assert_eq!(root.get_json(&url)["is_active"], false);
    // An inactive user's keys stop working at once.
    assert_eq!(ann.get("/api/v4/users/").status, 401);
}

#[test]
fn roles_are_granted_and_revoked_by_managers_and_superusers() {
    let s = server();
    let org = demo_org(s);
    let boss = Client::with_key(s, &user_key(s, "role-manager", false));
    let admin = Client::with_key(s, &user_key(s, "role-admin", false));
    let carl = Client::with_key(s, &user_key(s, "role-carl", false));
    grant(s, "role-manager", org, RoleKind::Manager);
    grant(s, "role-admin", org, RoleKind::Admin);
    let body =
        json!({"organisation": org.to_string(), "username": "role-carl", "role": "supplier"});
    assert_eq!(
        Client::anonymous(s)
            .send("POST", "/api/v4/roles/", Some(&body))
            .status,
        401
    );
    assert_eq!(
        admin.send("POST", "/api/v4/roles/", Some(&body)).status,
        403,
        "admins do not manage"
    );
    assert_eq!(carl.send("POST", "/api/v4/roles/", Some(&body)).status, 403);
    let row = json(
        &boss
            .send("POST", "/api/v4/roles/", Some(&body))
            .expect_status(201),
    );
    assert_eq!(row["username"], "role-carl");
    assert_eq!(row["role"], "supplier");
    assert_eq!(row["organisation"]["uuid"], org.to_string());
    // Effective at once: carl may now create in the organisation.
    let lc = json!({"name": "Carl's", "slug": "carls", "organisation": org.to_string()});
    carl.send("POST", "/api/v4/layercollections/", Some(&lc))
        .expect_status(201);
    let mine = carl.get_json("/api/v4/roles/");
    assert_eq!(mine["count"], 1, "carl sees his own role: {mine}");
    let managed = boss.get_json(&format!(
        "/api/v4/roles/?organisation__uuid={org}&username=role-carl"
    ));
    assert_eq!(managed["count"], 1, "{managed}");
    assert!(
        boss.get_json("/api/v4/roles/?role=manager")["count"]
            .as_u64()
            .unwrap()
            >= 1
    );
    // Bad input names the field.
    let mut bad = body.clone();
    bad["role"] = json!("king");
    assert!(detail(&boss.send("POST", "/api/v4/roles/", Some(&bad)))["role"].is_array());
    let mut bad = body.clone();
    bad["username"] = json!("nobody-at-all");
    assert!(detail(&boss.send("POST", "/api/v4/roles/", Some(&bad)))["username"].is_array());
    // Revoking: the same body; a second time it is gone.
    boss.send("DELETE", "/api/v4/roles/", Some(&body))
        .expect_status(204);
    assert_eq!(
        boss.send("DELETE", "/api/v4/roles/", Some(&body)).status,
        404
    );
    assert_eq!(carl.get_json("/api/v4/roles/")["count"], 0);
    let lc2 = json!({"name": "Carl's 2", "organisation": org.to_string()});
    assert_eq!(
        carl.send("POST", "/api/v4/layercollections/", Some(&lc2))
            .status,
        403
    );
    // Superusers grant by user id too.
    let carl_id = Client::with_key(s, root()).get_json("/api/v4/users/?username=role-carl")["results"][0]["id"].clone();
    let by_id = json!({"organisation": org.to_string(), "user": carl_id, "role": "user"});
    Client::with_key(s, root())
        .send("POST", "/api/v4/roles/", Some(&by_id))
        .expect_status(201);
    assert_eq!(
        carl.get_json("/api/v4/roles/")["results"][0]["role"],
        "user"
    );
}
