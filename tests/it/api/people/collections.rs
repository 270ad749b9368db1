//! Layer collections: who reads, who writes, and what a delete does to layers.

use super::super::client::{Client, grant, json, user_key};
use super::{change_catalogue, count, demo_org, detail, server};
use serde_json::{Value, json};
use tegel::catalogue::{Catalogue, RoleKind};
use uuid::Uuid;

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
