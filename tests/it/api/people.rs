//! Organisations (writes), observation types, layer collections, users,
//! roles and personal API keys over HTTP, with every caller the rules know:
//! anonymous, a stranger, members by role, managers and superusers.

use super::client::{Client, grant, json, user_key, wait_for_revision};
use crate::support::{TestServer, test_config};
use chrono::{Duration, Utc};
use serde_json::{Value, json};
use std::sync::OnceLock;
use tegel::catalogue::{Catalogue, RoleKind};
use uuid::Uuid;

fn server() -> &'static TestServer {
    static S: OnceLock<TestServer> = OnceLock::new();
    S.get_or_init(|| TestServer::start(test_config("api-people")))
}

/// The demo organisation's uuid.
fn demo_org(s: &TestServer) -> Uuid {
    let list = Client::anonymous(s).get_json("/api/v4/organisations/?slug=nelen-schuurmans");
    Uuid::parse_str(list["results"][0]["uuid"].as_str().expect("uuid")).expect("uuid")
}

/// A superuser key, made once per server.
fn root() -> &'static str {
    static K: OnceLock<String> = OnceLock::new();
    K.get_or_init(|| user_key(server(), "people-root", true))
}

fn detail(resp: &crate::support::Resp) -> Value {
    json(resp)["detail"].clone()
}

fn count(c: &Client, path: &str) -> u64 {
    c.get_json(path)["count"].as_u64().expect("count")
}

/// Changes the catalogue behind the server's back and waits until it has
/// read the change.
fn change_catalogue(s: &TestServer, f: impl FnOnce(&mut tegel::catalogue::CatalogueData)) {
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

#[test]
fn layer_collections_follow_the_access_rules() {
    let s = server();
    let org = demo_org(s);
    let anon = Client::anonymous(s);
    let admin_key = user_key(s, "lc-admin", false);
    let supplier_key = user_key(s, "lc-supplier", false);
    let member_key = user_key(s, "lc-member", false);
    let stranger = Client::with_key(s, &user_key(s, "lc-stranger", false));
    grant(s, "lc-admin", org, RoleKind::Admin);
    grant(s, "lc-supplier", org, RoleKind::Supplier);
    grant(s, "lc-member", org, RoleKind::User);
    let (admin, supplier, member) = (
        Client::with_key(s, &admin_key),
        Client::with_key(s, &supplier_key),
        Client::with_key(s, &member_key),
    );
    let body = |name: &str, access: &str| json!({"name": name, "organisation": org.to_string(), "access_modifier": access});
    let resp = anon.send(
        "POST",
        "/api/v4/layercollections/",
        Some(&body("Anon", "Public")),
    );
    assert_eq!(resp.status, 401);
    assert_eq!(
        detail(&resp),
        "Authentication credentials were not provided."
    );
    assert_eq!(
        member
            .send(
                "POST",
                "/api/v4/layercollections/",
                Some(&body("Member", "Public"))
            )
            .status,
        403
    );
    assert_eq!(
        stranger
            .send(
                "POST",
                "/api/v4/layercollections/",
                Some(&body("Stranger", "Public"))
            )
            .status,
        403
    );
    // A supplier's collection is theirs, whatever supplier they name.
    let mut b = body("Klimaat Atlas", "Public");
    b["supplier"] = json!("lc-admin");
    let public = json(
        &supplier
            .send("POST", "/api/v4/layercollections/", Some(&b))
            .expect_status(201),
    );
    let keys: Vec<&str> = public
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
            "slug",
            "name",
            "description",
            "organisation",
            "access_modifier",
            "supplier",
            "created",
            "last_modified",
            "writable"
        ]
    );
    assert_eq!(public["slug"], "klimaat-atlas");
    assert_eq!(public["supplier"], "lc-supplier");
    assert_eq!(public["writable"], true);
    assert_eq!(public["organisation"]["uuid"], org.to_string());
    let resp = admin.send(
        "POST",
        "/api/v4/layercollections/",
        Some(&body("Klimaat Atlas", "Public")),
    );
    assert!(detail(&resp)["slug"].is_array(), "{}", resp.text());
    let private = json(
        &admin
            .send(
                "POST",
                "/api/v4/layercollections/",
                Some(&body("Intern", "Private")),
            )
            .expect_status(201),
    );
    let hidden = json(
        &admin
            .send(
                "POST",
                "/api/v4/layercollections/",
                Some(&body("Concept", "Hidden")),
            )
            .expect_status(201),
    );
    assert_eq!(hidden["supplier"], Value::Null);
    // Who sees what (only this test's collections: filter by slug).
    let visible = |c: &Client| -> Vec<String> {
        c.get_json("/api/v4/layercollections/?slug__in=klimaat-atlas,intern,concept&ordering=slug")
            ["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["slug"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(visible(&anon), ["klimaat-atlas"]);
    assert_eq!(visible(&stranger), ["klimaat-atlas"]);
    assert_eq!(visible(&member), ["intern", "klimaat-atlas"]);
    assert_eq!(
        visible(&supplier),
        ["intern", "klimaat-atlas"],
        "Hidden: not theirs"
    );
    assert_eq!(visible(&admin), ["concept", "intern", "klimaat-atlas"]);
    let purl = |c: &Value| format!("/api/v4/layercollections/{}/", c["uuid"].as_str().unwrap());
    assert_eq!(anon.get(&purl(&private)).status, 404);
    assert_eq!(member.get(&purl(&hidden)).status, 404);
    // Filters.
    assert_eq!(
        count(&admin, "/api/v4/layercollections/?name__icontains=KLIMAAT"),
        1
    );
    assert_eq!(
        count(
            &admin,
            "/api/v4/layercollections/?access_modifier=Hidden&slug=concept"
        ),
        1
    );
    assert_eq!(
        count(
            &admin,
            "/api/v4/layercollections/?access_modifier=200&slug__in=intern,concept"
        ),
        1
    );
    assert_eq!(
        count(
            &admin,
            &format!("/api/v4/layercollections/?organisation__uuid={org}&slug=intern")
        ),
        1
    );
    assert_eq!(
        count(
            &admin,
            &format!(
                "/api/v4/layercollections/?organisation__uuid={}&slug=intern",
                Uuid::new_v4()
            )
        ),
        0
    );
    // Writing: admins all, suppliers their own; readable but not writable → 403, unreadable → 404.
    assert_eq!(member.get_json(&purl(&public))["writable"], false);
    let patch = json!({"description": "Nieuw"});
    assert_eq!(
        member.send("PATCH", &purl(&public), Some(&patch)).status,
        403
    );
    assert_eq!(
        supplier.send("PATCH", &purl(&private), Some(&patch)).status,
        403
    );
    assert_eq!(
        stranger.send("PATCH", &purl(&private), Some(&patch)).status,
        404
    );
    assert_eq!(anon.send("PATCH", &purl(&public), Some(&patch)).status, 401);
    let changed = json(
        &supplier
            .send("PATCH", &purl(&public), Some(&patch))
            .expect_status(200),
    );
    assert_eq!(changed["description"], "Nieuw");
    let changed = json(
        &admin
            .send(
                "PATCH",
                &purl(&private),
                Some(&json!({"access_modifier": "Common"})),
            )
            .expect_status(200),
    );
    assert_eq!(changed["access_modifier"], "Common");
    assert_eq!(
        stranger.get(&purl(&private)).status,
        200,
        "Common: every user"
    );
    // Deleting takes the collection out of the layers that list it.
    let gone = Uuid::parse_str(public["uuid"].as_str().unwrap()).unwrap();
    let mut layer = Uuid::nil();
    change_catalogue(s, |d| {
        let l = &mut d.layers[0];
        l.layer_collections.push(gone);
        layer = l.uuid;
    });
    let before = Catalogue::open(&s.data_dir)
        .unwrap()
        .snapshot()
        .layer(layer)
        .unwrap()
        .revision;
    assert_eq!(member.send("DELETE", &purl(&public), None).status, 403);
    supplier
        .send("DELETE", &purl(&public), None)
        .expect_status(204);
    assert_eq!(admin.get(&purl(&public)).status, 404);
    let snap = Catalogue::open(&s.data_dir).unwrap().snapshot();
    let l = snap.layer(layer).unwrap();
    assert!(!l.layer_collections.contains(&gone));
    assert!(l.revision > before, "the layer's revision moves");
}

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
