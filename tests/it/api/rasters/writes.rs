//! Writing rasterlayers: round trips, dry runs, graph rules, permissions,
//! deleted and nested references.

use super::Fixture;
use crate::api::client::json;
use crate::support::decode_png;
use chrono::Utc;
use serde_json::{Value, json};
use std::sync::OnceLock;
use tegel::catalogue::{AccessModifier, RasterSource};
use uuid::Uuid;

const SOURCE: &str = "lizard_nxt.blocks.LizardRasterSource";

/// A source of the other organisation (a record without data).
const OTHER_SOURCE: &str = "0b6f3e36-9a43-4f3c-8d1e-6a0e5b7c9d21";

fn fx() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        Fixture::start("rasters-write", |d, f| {
            d.sources.push(empty_source(
                Uuid::parse_str(OTHER_SOURCE).unwrap(),
                f.other,
            ));
        })
    })
}

fn empty_source(uuid: Uuid, org: Uuid) -> RasterSource {
    RasterSource {
        uuid,
        name: format!("source {uuid}"),
        description: String::new(),
        organisation: org,
        access_modifier: AccessModifier::Public,
        supplier: None,
        supplier_code: None,
        temporal: false,
        interval_ms: None,
        grid: None,
        frames: Vec::new(),
        created: Utc::now(),
        last_modified: Utc::now(),
        revision: 1,
    }
}

fn single(source: impl std::fmt::Display) -> Value {
    json!({"name": "raster", "graph": {"raster": [SOURCE, source.to_string()]}})
}

fn new_layer(f: &Fixture, name: &str, graph: Value) -> Value {
    json!({
        "name": name,
        "organisation": f.org.to_string(),
        "access_modifier": "Public",
        "source": graph,
        "aggregation_type": "curve",
    })
}

/// POSTs a layer as `key`, expecting 201; returns the object.
fn create(f: &Fixture, key: &str, body: &Value) -> Value {
    let resp = f
        .client(Some(key))
        .send("POST", "/api/v4/rasters/", Some(body));
    assert_eq!(resp.status, 201, "{}", resp.text());
    json(&resp)
}

fn detail_error(resp: &crate::support::Resp, field: &str) -> String {
    assert_eq!(resp.status, 400, "{}", resp.text());
    let body = json(resp);
    assert_eq!(body["status"], 400);
    body["detail"][field][0]
        .as_str()
        .unwrap_or_else(|| panic!("detail.{field}: {body}"))
        .to_string()
}

#[test]
fn create_change_replace_and_delete_and_the_new_layer_renders_at_once() {
    let f = fx();
    let source = f.source_of(f.lochem);
    let c = f.client(Some(&f.admin));
    let mut body = new_layer(f, "Kwel copy", single(source));
    body["options"] = json!({"styles": "viridis:-5:0"});
    body["aggregation_type"] = json!(2);
    body["observation_type"] = Value::Null;
    body["colormap"] = Value::Null;
    body["weight"] = json!(3);
    let made = create(f, &f.admin, &body);
    let uuid = made["uuid"].as_str().expect("uuid").to_string();
    assert_eq!(made["name"], "Kwel copy");
    assert_eq!(made["aggregation_type"], "curve");
    assert_eq!(made["weight"], 3);
    assert_eq!(made["is_geoblock"], false);
    assert_eq!(made["writable"], true);
    assert_eq!(made["supplier"], "rasters-write-admin");
    assert_eq!(made["wms_info"]["layer"], "nelen-schuurmans:kwel-copy");
    let lochem = c.get_json(&format!("/api/v4/rasters/{}/", f.lochem));
    for k in [
        "spatial_bounds",
        "projection",
        "origin_x",
        "upper_bound_y",
        "dtype",
        "raster_sources",
    ] {
        assert_eq!(made[k], lochem[k], "{k}");
    }
    assert_eq!(c.get_json(&format!("/api/v4/rasters/{uuid}/")), made);
    // The map service knows it right after the answer.
    let wms = format!(
        "/wms/?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS={}&STYLES=&CRS=EPSG:28992&BBOX=207750,457250,230500,473500&WIDTH=32&HEIGHT=32&FORMAT=image/png",
        made["wms_info"]["layer"].as_str().unwrap()
    );
    let png = f.server.get(&wms).expect_status(200);
    assert_eq!(png.content_type(), "image/png");
    let img = decode_png(&png.body);
    assert!(
        img.rgba.chunks_exact(4).any(|p| p[3] > 0),
        "some opaque pixels"
    );

    // PATCH: a rename keeps the WMS name; last_modified moves.
    let path = format!("/api/v4/rasters/{uuid}/");
    let resp = c.send(
        "PATCH",
        &path,
        Some(&json!({"name": "Renamed", "description": "d"})),
    );
    assert_eq!(resp.status, 200, "{}", resp.text());
    let patched = json(&resp);
    assert_eq!(
        (patched["name"].as_str(), patched["description"].as_str()),
        (Some("Renamed"), Some("d"))
    );
    assert_eq!(patched["wms_info"], made["wms_info"]);
    assert!(patched["last_modified"].as_str() > made["last_modified"].as_str());
    assert_eq!(patched["weight"], 3);
    // PUT needs the required fields.
    let resp = c.send("PUT", &path, Some(&json!({"name": "x"})));
    let detail = json(&resp)["detail"].clone();
    assert_eq!(resp.status, 400);
    assert!(
        detail["organisation"].is_array() && detail["source"].is_array(),
        "{detail}"
    );
    let mut full = new_layer(f, "Replaced", single(source));
    full["access_modifier"] = json!(200);
    let resp = c.send("PUT", &path, Some(&full));
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert_eq!(json(&resp)["access_modifier"], "Private");
    assert_eq!(f.client(None).get(&path).status, 404, "private now");
    // DELETE keeps the source.
    c.send("DELETE", &path, None).expect_status(204);
    assert_eq!(c.get(&path).status, 404);
    assert_eq!(c.get(&format!("/api/v4/rasters/{}/", f.lochem)).status, 200);
    assert!(f.client(None).get_json("/api/v4/rasters/?ordering=name")["count"].as_u64() >= Some(3));
    let cat = tegel::catalogue::Catalogue::open(&f.server.data_dir).unwrap();
    assert!(cat.snapshot().source(source).is_some());
}

#[test]
fn dry_runs_validate_and_store_nothing() {
    let f = fx();
    let c = f.client(Some(&f.admin));
    let source = f.source_of(f.dem);
    let body = new_layer(f, "Dry one", single(source));
    let resp = c.send("POST", "/api/v4/rasters/?dry-run", Some(&body));
    assert_eq!(resp.status, 200, "{}", resp.text());
    let would = json(&resp);
    assert_eq!(would["name"], "Dry one");
    assert_eq!(would["projection"], "EPSG:28992");
    let uuid = would["uuid"].as_str().unwrap();
    assert_eq!(c.get(&format!("/api/v4/rasters/{uuid}/")).status, 404);
    assert_eq!(c.get_json("/api/v4/rasters/?name=Dry%20one")["count"], 0);
    // A bad graph fails the dry run just as the real one.
    let bad = new_layer(f, "Dry two", json!({"name": "x", "graph": {}}));
    let resp = c.send("POST", "/api/v4/rasters/?dry-run=true", Some(&bad));
    assert!(detail_error(&resp, "source").contains("no nodes"));
    // PATCH and DELETE dry runs.
    let made = create(f, &f.admin, &new_layer(f, "Dry three", single(source)));
    let path = format!("/api/v4/rasters/{}/", made["uuid"].as_str().unwrap());
    let resp = c.send(
        "PATCH",
        &format!("{path}?dry-run"),
        Some(&json!({"name": "Wet"})),
    );
    assert_eq!(json(&resp)["name"], "Wet");
    assert_eq!(c.get_json(&path)["name"], "Dry three");
    c.send("DELETE", &format!("{path}?dry-run"), None)
        .expect_status(204);
    assert_eq!(c.get_json(&path)["name"], "Dry three");
}

#[test]
fn bad_graphs_and_fields_are_400_naming_the_field() {
    let f = fx();
    let c = f.client(Some(&f.admin));
    let source = f.source_of(f.lochem);
    let graph_cases = [
        (json!("rastersource"), "object"),
        (
            json!({"name": "x", "graph": {"y": [SOURCE, source.to_string()]}}),
            "endpoint",
        ),
        (single(Uuid::new_v4()), "not a raster source"),
        (single(source.simple()), "not a uuid"),
        (
            json!({"name": "r", "graph": {"r": [SOURCE]}}),
            "uuid argument",
        ),
        (single(OTHER_SOURCE), "another organisation"),
    ];
    for (graph, needle) in graph_cases {
        let resp = c.send(
            "POST",
            "/api/v4/rasters/",
            Some(&new_layer(f, "Bad", graph.clone())),
        );
        let msg = detail_error(&resp, "source");
        assert!(msg.contains(needle), "{graph}: {msg}");
    }
    for (field, value) in [
        ("name", json!("  ")),
        ("organisation", json!("not-a-uuid")),
        ("organisation", json!(Uuid::new_v4().to_string())),
        ("access_modifier", json!("Secret")),
        ("aggregation_type", json!("median")),
        ("aggregation_type", json!(9)),
        ("observation_type", json!(99999)),
        ("layer_collections", json!(["no-such-collection"])),
        ("shared_with", json!([Uuid::new_v4().to_string()])),
        ("colormap", json!({"type": "GradientColormap", "data": []})),
        ("rescalable", json!("perhaps")),
        ("weight", json!("heavy")),
    ] {
        let mut body = new_layer(f, "Fields", single(source));
        body[field] = value.clone();
        let resp = c.send("POST", "/api/v4/rasters/", Some(&body));
        detail_error(&resp, field);
    }
    assert_eq!(c.get_json("/api/v4/rasters/?name=Bad")["count"], 0);
    assert_eq!(c.get_json("/api/v4/rasters/?name=Fields")["count"], 0);
    // A valid colormap is kept as sent.
    let map = json!({"type": "GradientColormap", "data": [[0, [0, 0, 0, 255]], [1, [255, 255, 255, 255]]]});
    let mut body = new_layer(f, "With colormap", single(source));
    body["colormap"] = map.clone();
    assert_eq!(create(f, &f.admin, &body)["colormap"], map);
}

#[test]
fn geoblocks_need_the_organisations_permission() {
    let f = fx();
    let diff = |a: &str, b: &str| {
        json!({"name": "d", "graph": {
            "a": [SOURCE, a], "b": [SOURCE, b],
            "d": ["dask_geomodeling.raster.elemwise.Subtract", "a", "b"]}})
    };
    // The other organisation lacks the permission.
    let mut body = new_layer(f, "Other diff", diff(OTHER_SOURCE, OTHER_SOURCE));
    body["organisation"] = json!(f.other.to_string());
    let resp = f
        .client(Some(&f.stranger))
        .send("POST", "/api/v4/rasters/", Some(&body));
    assert!(detail_error(&resp, "source").contains("geoblocks permission"));
    body["source"] = single(OTHER_SOURCE);
    let plain = create(f, &f.stranger, &body);
    assert_eq!(plain["organisation"]["uuid"], f.other.to_string());
    assert_eq!(plain["first_value_timestamp"], Value::Null, "no data yet");
    assert_eq!(plain["spatial_bounds"], Value::Null);
    // The demo organisation has it: two sources on different grids.
    let (lochem, dem) = (f.source_of(f.lochem), f.source_of(f.dem));
    let g = create(
        f,
        &f.admin,
        &new_layer(f, "Geo diff", diff(&lochem.to_string(), &dem.to_string())),
    );
    assert_eq!(g["is_geoblock"], true);
    assert_eq!(g["raster_sources"].as_array().map(Vec::len), Some(2));
    assert_eq!(g["projection"], Value::Null, "grids differ");
    // float32 − float32: float32, with the dtype's maximum as nodata.
    assert_eq!(g["dtype"], "float32");
    assert_eq!(
        g["fill_value"].as_f64().map(|v| v as f32),
        Some(f32::MAX),
        "{}",
        g["fill_value"]
    );
    assert_eq!(g["temporal"], false);
    assert_eq!(g["first_value_timestamp"], "1970-01-01T00:00:00Z");
    let same = create(
        f,
        &f.admin,
        &new_layer(
            f,
            "Geo same",
            diff(&lochem.to_string(), &lochem.to_string()),
        ),
    );
    assert_eq!(same["projection"], "EPSG:28992", "one grid");
    let list = f
        .client(Some(&f.admin))
        .get_json("/api/v4/rasters/?is_geoblock=true&ordering=name");
    assert_eq!(super::names(&list), ["Geo diff", "Geo same"]);
}

#[test]
fn write_permissions_per_role() {
    let f = fx();
    let source = f.source_of(f.rain);
    let body = new_layer(f, "Perm", single(source));
    let anon = f.client(None).send("POST", "/api/v4/rasters/", Some(&body));
    assert_eq!(anon.status, 401);
    let member = f
        .client(Some(&f.member))
        .send("POST", "/api/v4/rasters/", Some(&body));
    assert_eq!(member.status, 403);
    let stranger = f
        .client(Some(&f.stranger))
        .send("POST", "/api/v4/rasters/", Some(&body));
    assert_eq!(stranger.status, 403);
    // Suppliers supply their own layers, whatever they send.
    let mut as_supplier = body.clone();
    as_supplier["supplier"] = json!("rasters-write-admin");
    let mine = create(f, &f.supplier, &as_supplier);
    assert_eq!(mine["supplier"], f.supplier_name);
    assert_eq!(mine["writable"], true);
    let mine_path = format!("/api/v4/rasters/{}/", mine["uuid"].as_str().unwrap());
    let theirs = create(f, &f.admin, &new_layer(f, "Admins", single(source)));
    let theirs_path = format!("/api/v4/rasters/{}/", theirs["uuid"].as_str().unwrap());
    let patch = json!({"description": "changed"});
    let sup = f.client(Some(&f.supplier));
    assert_eq!(sup.send("PATCH", &mine_path, Some(&patch)).status, 200);
    assert_eq!(sup.send("PATCH", &theirs_path, Some(&patch)).status, 403);
    assert_eq!(sup.send("DELETE", &theirs_path, None).status, 403);
    assert_eq!(
        f.client(Some(&f.member))
            .send("PATCH", &mine_path, Some(&patch))
            .status,
        403
    );
    assert_eq!(
        f.client(Some(&f.stranger))
            .send("PATCH", &mine_path, Some(&patch))
            .status,
        403
    );
    assert_eq!(
        f.client(None)
            .send("PATCH", &mine_path, Some(&patch))
            .status,
        401
    );
    // Admins may name another existing supplier; unknown users are refused.
    let admin = f.client(Some(&f.admin));
    let resp = admin.send(
        "PATCH",
        &theirs_path,
        Some(&json!({"supplier": f.supplier_name})),
    );
    assert_eq!(json(&resp)["supplier"], f.supplier_name);
    let resp = admin.send(
        "PATCH",
        &theirs_path,
        Some(&json!({"supplier": "nobody-here"})),
    );
    detail_error(&resp, "supplier");
    // Unreadable layers are 404 for writers too.
    let hidden = admin.send(
        "PATCH",
        &mine_path,
        Some(&json!({"access_modifier": "Private"})),
    );
    assert_eq!(hidden.status, 200);
    assert_eq!(
        f.client(Some(&f.stranger))
            .send("PATCH", &mine_path, Some(&patch))
            .status,
        404
    );
    assert_eq!(
        f.client(Some(&f.root))
            .send("PATCH", &mine_path, Some(&patch))
            .status,
        200
    );
    assert_eq!(
        f.client(Some(&f.root))
            .send("DELETE", &mine_path, None)
            .status,
        204
    );
}

#[test]
fn deleted_sources_are_listed_and_nested_layers_need_force() {
    let f = fx();
    let c = f.client(Some(&f.admin));
    // A layer over a source that then disappears.
    let gone = Uuid::new_v4();
    let org = f.org;
    f.change(|d| d.sources.push(empty_source(gone, org)));
    let broken = create(f, &f.admin, &new_layer(f, "Broken", single(gone)));
    let broken_path = format!("/api/v4/rasters/{}/", broken["uuid"].as_str().unwrap());
    assert!(broken["source"].get("deleted_sources").is_none());
    f.change(|d| d.sources.retain(|s| s.uuid != gone));
    let now = c.get_json(&broken_path);
    assert_eq!(now["source"]["deleted_sources"], json!([gone.to_string()]));
    assert_eq!(now["raster_sources"], json!([]));

    // B nests A; A cannot point back at B.
    let a = create(
        f,
        &f.admin,
        &new_layer(f, "Nest A", single(f.source_of(f.lochem))),
    );
    let a_id = a["uuid"].as_str().unwrap().to_string();
    let b = create(f, &f.admin, &new_layer(f, "Nest B", single(&a_id)));
    let b_id = b["uuid"].as_str().unwrap().to_string();
    assert_eq!(b["raster_sources"], a["raster_sources"]);
    assert_eq!(b["projection"], "EPSG:28992");
    let a_path = format!("/api/v4/rasters/{a_id}/");
    let resp = c.send("PATCH", &a_path, Some(&json!({"source": single(&b_id)})));
    assert!(detail_error(&resp, "source").contains("back"));
    let resp = c.send("PATCH", &a_path, Some(&json!({"source": single(&a_id)})));
    detail_error(&resp, "source");
    // Deleting A: 412, then forced.
    let resp = c.send("DELETE", &a_path, None);
    assert_eq!(resp.status, 412, "{}", resp.text());
    assert!(json(&resp)["detail"].as_str().unwrap().contains("force"));
    c.send("DELETE", &a_path, Some(&json!({"force": true})))
        .expect_status(204);
    let b_now = c.get_json(&format!("/api/v4/rasters/{b_id}/"));
    assert_eq!(b_now["source"]["deleted_sources"], json!([a_id]));
}

#[test]
fn supplier_code_goes_to_the_layers_source() {
    let f = fx();
    let src = Uuid::new_v4();
    let org = f.org;
    f.change(|d| d.sources.push(empty_source(src, org)));
    let mut body = new_layer(f, "Coded", single(src));
    body["supplier_code"] = json!("ftp/abc");
    create(f, &f.admin, &body);
    let cat = tegel::catalogue::Catalogue::open(&f.server.data_dir).unwrap();
    assert_eq!(
        cat.snapshot()
            .source(src)
            .and_then(|s| s.supplier_code.clone())
            .as_deref(),
        Some("ftp/abc")
    );
}
