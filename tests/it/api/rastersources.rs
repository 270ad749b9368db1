//! `/api/v4/rastersources/`, uploads and `/api/v4/tasks/` over HTTP, as a
//! Lizard client drives them: create a source, upload GeoTIFFs as multipart
//! bodies, poll the task, read the source, render a layer over it through
//! WMS, flush data, delete with and without force.

use super::client::{Client, basic, grant, json, user_key, wait_for_revision};
use crate::support::{Resp, TestServer, decode_tiff, repo, test_config};
use serde_json::{Value, json};
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use tegel::catalogue::graphref::single_source_graph;
use tegel::catalogue::{AccessModifier, Catalogue, RasterLayer, RoleKind};
use uuid::Uuid;

fn server() -> &'static TestServer {
    static S: OnceLock<TestServer> = OnceLock::new();
    S.get_or_init(|| TestServer::start(test_config("api-rastersources")))
}

fn root_key() -> &'static str {
    static K: OnceLock<String> = OnceLock::new();
    K.get_or_init(|| user_key(server(), "rs-root", true))
}

fn root() -> Client<'static> {
    Client::with_key(server(), root_key())
}

fn org_uuid(server: &TestServer) -> String {
    let orgs = Client::anonymous(server).get_json("/api/v4/organisations/?slug=nelen-schuurmans");
    orgs["results"][0]["uuid"]
        .as_str()
        .expect("org")
        .to_string()
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(repo().join("fixtures/demo").join(name)).expect("fixture")
}

/// A `multipart/form-data` body: text fields, then the file part.
fn multipart(fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> (String, Vec<u8>) {
    let boundary = "----tegel-test-boundary-7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    if let Some((name, bytes)) = file {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: image/tiff\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

fn upload_to(
    server: &TestServer,
    key: &str,
    source: &str,
    fields: &[(&str, &str)],
    file: Option<(&str, &[u8])>,
) -> Resp {
    let (ct, body) = multipart(fields, file);
    let auth = basic(key);
    server.send(
        "POST",
        &format!("/api/v4/rastersources/{source}/data/"),
        &[
            ("Authorization", &auth),
            ("Content-Type", &ct),
            ("Accept", "application/json"),
        ],
        &body,
    )
}

/// A multipart upload sent with `Transfer-Encoding: chunked` (no
/// Content-Length) in 1 KiB chunks; the raw response text.
fn chunked_upload(server: &TestServer, key: &str, source: &str, bytes: &[u8]) -> String {
    use std::io::{Read, Write};
    let (ct, body) = multipart(&[], Some(("big.tif", bytes)));
    let mut stream = std::net::TcpStream::connect(server.addr).expect("connect");
    stream.set_read_timeout(Some(Duration::from_secs(30))).ok();
    let head = format!(
        "POST /api/v4/rastersources/{source}/data/ HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nAuthorization: {}\r\nContent-Type: {ct}\r\nTransfer-Encoding: chunked\r\n\r\n",
        server.addr,
        basic(key)
    );
    let mut out = head.into_bytes();
    for chunk in body.chunks(1024) {
        out.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        out.extend_from_slice(chunk);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"0\r\n\r\n");
    // The server may answer before reading everything.
    let _ = stream.write_all(&out);
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    String::from_utf8_lossy(&raw).into_owned()
}

fn upload(source: &str, timestamp: Option<&str>, name: &str, bytes: &[u8]) -> Resp {
    let fields: Vec<(&str, &str)> = timestamp.map(|t| ("timestamp", t)).into_iter().collect();
    upload_to(server(), root_key(), source, &fields, Some((name, bytes)))
}

/// Polls the task (≤ 60 s) until it finished; returns it.
fn finished_task(client: &Client, task_url: &str) -> Value {
    let path = task_url
        .split_once("/api/v4/")
        .map(|(_, p)| format!("/api/v4/{p}"))
        .expect("a task URL");
    let started = Instant::now();
    loop {
        let task = client.get_json(&path);
        match task["status"].as_str() {
            Some("SUCCESS") | Some("FAILURE") => return task,
            Some("PENDING") | Some("STARTED") => {}
            other => panic!("unexpected status {other:?}: {task}"),
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "task still {task}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Uploads and waits for the task's end.
fn upload_and_wait(source: &str, timestamp: Option<&str>, name: &str, bytes: &[u8]) -> Value {
    let resp = upload(source, timestamp, name, bytes).expect_status(200);
    let body = json(&resp);
    let keys: Vec<&str> = body
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["task_id", "url"]);
    let task = finished_task(&root(), body["url"].as_str().expect("url"));
    assert_eq!(task["uuid"], body["task_id"]);
    task
}

fn create_source(body: Value) -> Value {
    let resp = root()
        .send("POST", "/api/v4/rastersources/", Some(&body))
        .expect_status(201);
    json(&resp)
}

fn source_path(src: &Value) -> String {
    format!(
        "/api/v4/rastersources/{}/",
        src["uuid"].as_str().expect("uuid")
    )
}

/// A public plain layer over `source`, written straight into the catalogue.
fn layer_over(server: &TestServer, source: &str, slug: &str) -> Uuid {
    let cat = Catalogue::open(&server.data_dir).expect("catalogue");
    let source = Uuid::parse_str(source).expect("uuid");
    let id = Uuid::new_v4();
    let org = Uuid::parse_str(&org_uuid(server)).expect("org");
    cat.update(|data, rev| {
        let now = chrono::Utc::now();
        data.layers.push(RasterLayer {
            uuid: id,
            name: slug.into(),
            slug: slug.into(),
            description: String::new(),
            organisation: org,
            access_modifier: AccessModifier::Public,
            supplier: None,
            shared_with: Vec::new(),
            weight: 0,
            graph: single_source_graph(source),
            observation_type: None,
            layer_collections: Vec::new(),
            options: serde_json::Map::new(),
            colormap: None,
            rescalable: true,
            aggregation_type: "none".into(),
            created: now,
            last_modified: now,
            revision: rev,
        });
        Ok(())
    })
    .expect("layer");
    wait_for_revision(server, cat.snapshot().revision());
    id
}

const LOCHEM_BBOX: &str = "207750,457250,230500,473500";
const RAIN_BBOX: &str = "120000,400000,240000,500000";

/// The layer's values through WMS GetMap as GeoTIFF on a given grid.
fn wms_values(layer_slug: &str, bbox: &str, w: u32, h: u32, time: Option<&str>) -> Resp {
    let t = time.map(|t| format!("&TIME={t}")).unwrap_or_default();
    server().get(&format!(
        "/wms/?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=nelen-schuurmans:{layer_slug}&STYLES=&CRS=EPSG:28992&BBOX={bbox}&WIDTH={w}&HEIGHT={h}&FORMAT=image/tiff{t}"
    ))
}

/// Asserts the rendered values equal the fixture's where it has data.
fn assert_same_values(rendered: &Resp, fixture_name: &str) {
    let got = decode_tiff(&rendered.body);
    let want = decode_tiff(&fixture(fixture_name));
    assert_eq!((got.width, got.height), (want.width, want.height));
    let mut compared = 0;
    for (i, (g, w)) in got.values.iter().zip(&want.values).enumerate() {
        if Some(*w) == want.nodata || w.is_nan() {
            continue;
        }
        assert_eq!(g, w, "pixel {i}");
        compared += 1;
    }
    assert!(compared > 100, "only {compared} pixels with data");
}

const KEYS: [&str; 28] = [
    "url",
    "uuid",
    "name",
    "description",
    "organisation",
    "access_modifier",
    "supplier",
    "supplier_code",
    "temporal",
    "interval",
    "first_value_timestamp",
    "last_value_timestamp",
    "size",
    "layers",
    "labeltypes",
    "created",
    "last_modified",
    "writable",
    "projection",
    "origin_x",
    "origin_y",
    "upper_bound_x",
    "upper_bound_y",
    "pixelsize_x",
    "pixelsize_y",
    "spatial_bounds",
    "dtype",
    "fill_value",
];

fn rain_demo() -> Value {
    let list = Client::anonymous(server()).get_json("/api/v4/rastersources/?name=rain");
    assert_eq!(list["count"], 1, "{list}");
    list["results"][0].clone()
}

#[test]
fn the_demo_sources_read_as_lizard_shows_them() {
    let rain = rain_demo();
    let keys: Vec<&str> = rain
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, KEYS);
    let base = format!("http://{}/api/v4/", server().addr);
    assert_eq!(
        rain["url"],
        format!("{base}rastersources/{}/", rain["uuid"].as_str().unwrap())
    );
    assert_eq!(
        rain["organisation"]["name"],
        "Nelen & Schuurmans Consultancy"
    );
    assert_eq!(rain["temporal"], true);
    assert_eq!(rain["interval"], "00:05:00");
    assert_eq!(rain["first_value_timestamp"], "2024-06-01T12:00:00Z");
    assert_eq!(rain["last_value_timestamp"], "2024-06-01T12:55:00Z");
    assert_eq!(rain["projection"], "EPSG:28992");
    assert_eq!(
        (rain["origin_x"].as_f64(), rain["origin_y"].as_f64()),
        (Some(120000.0), Some(400000.0))
    );
    assert_eq!(rain["upper_bound_x"], 240000.0);
    assert_eq!(rain["pixelsize_y"], -1000.0);
    assert_eq!(rain["dtype"], "float32");
    assert_eq!(rain["fill_value"], -9999.0);
    assert_eq!(rain["writable"], false, "anonymous");
    assert_eq!(rain["labeltypes"], json!([]));
    assert!(rain["size"].as_u64().unwrap() > 0);
    let b = &rain["spatial_bounds"];
    assert!(b["west"].as_f64().unwrap() < b["east"].as_f64().unwrap());
    // The layer over it, by URL; the detail is the list's object.
    let layers = rain["layers"].as_array().expect("layers");
    assert_eq!(layers.len(), 1);
    assert!(
        layers[0]
            .as_str()
            .unwrap()
            .starts_with(&format!("{base}rasters/"))
    );
    let detail = Client::anonymous(server()).get_json(&source_path(&rain));
    assert_eq!(detail, rain);
    assert_eq!(root().get_json(&source_path(&rain))["writable"], true);
    // A non-temporal source with data: Lizard's epoch timestamps.
    let dem = Client::anonymous(server()).get_json("/api/v4/rastersources/?name=dem");
    assert_eq!(
        dem["results"][0]["first_value_timestamp"],
        "1970-01-01T00:00:00Z"
    );
    assert_eq!(dem["results"][0]["interval"], Value::Null);
}

#[test]
fn filters_and_ordering_pick_and_sort_the_right_sources() {
    let c = Client::anonymous(server());
    let names = |q: &str| -> Vec<String> {
        let list = c.get_json(&format!("/api/v4/rastersources/?{q}"));
        list["results"]
            .as_array()
            .expect("results")
            .iter()
            .map(|s| s["name"].as_str().unwrap().to_string())
            .collect()
    };
    let sizes = |q: &str| -> Vec<u64> {
        let list = c.get_json(&format!(
            "/api/v4/rastersources/?access_modifier=Public&{q}"
        ));
        list["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["size"].as_u64().unwrap())
            .collect()
    };
    assert_eq!(names("name__icontains=RAI"), ["rain"]);
    assert_eq!(
        names("name__startswith=p_lochem"),
        ["p_lochem_kwel_wegzijging_2050"]
    );
    assert_eq!(names("temporal=true&name__in=rain,dem"), ["rain"]);
    assert_eq!(names("temporal=false&name__in=rain,dem"), ["dem"]);
    assert!(
        names("writable=true").is_empty(),
        "anonymous writes nothing"
    );
    assert_eq!(
        names("organisation__name__icontains=nelen&name=dem"),
        ["dem"]
    );
    assert!(names("organisation__uuid=00000000-0000-0000-0000-000000000000").is_empty());
    assert_eq!(
        names("last_value_timestamp__gt=2024-06-01T12:00:00Z"),
        ["rain"]
    );
    assert!(names("created__gt=2999-01-01T00:00:00Z").is_empty());
    assert_eq!(names("scenario__isnull=true&name=dem"), ["dem"]);
    // layers__uuid: the source of one layer.
    let rain = rain_demo();
    let layer_url = rain["layers"][0].as_str().unwrap();
    let layer_uuid = layer_url.trim_end_matches('/').rsplit('/').next().unwrap();
    assert_eq!(names(&format!("layers__uuid={layer_uuid}")), ["rain"]);
    // Ordering by size, both ways.
    let up = sizes("ordering=size");
    let down = sizes("ordering=-size");
    assert!(up.len() >= 3);
    assert!(up.windows(2).all(|w| w[0] <= w[1]), "{up:?}");
    let mut rev = up.clone();
    rev.reverse();
    assert_eq!(down, rev);
    let by_name = names("ordering=-name&access_modifier=Public");
    let mut sorted = by_name.clone();
    sorted.sort();
    sorted.reverse();
    assert_eq!(by_name, sorted);
    // Bad input names the parameter.
    let resp = c
        .get("/api/v4/rastersources/?ordering=colour")
        .expect_status(400);
    assert!(json(&resp)["detail"].get("ordering").is_some());
    let resp = c.get("/api/v4/rastersources/?uuid=abc").expect_status(400);
    assert!(json(&resp)["detail"].get("uuid").is_some());
}

#[test]
fn access_rules_guard_reads_and_writes() {
    let org = org_uuid(server());
    let src = create_source(json!({"name": "rs-private", "organisation": org}));
    assert_eq!(src["access_modifier"], "Private", "Lizard's default");
    assert_eq!(src["supplier"], "rs-root");
    let path = source_path(&src);
    let anon = Client::anonymous(server());
    anon.get(&path).expect_status(404);
    assert_eq!(
        anon.get_json("/api/v4/rastersources/?name=rs-private")["count"],
        0
    );
    anon.send("PATCH", &path, Some(&json!({"name": "x"})))
        .expect_status(401);
    anon.send(
        "POST",
        "/api/v4/rastersources/",
        Some(&json!({"name": "x", "organisation": org})),
    )
    .expect_status(401);
    // A stranger: the private source does not exist; creating is forbidden.
    let stranger = user_key(server(), "rs-stranger", false);
    let stranger = Client::with_key(server(), &stranger);
    stranger.get(&path).expect_status(404);
    stranger
        .send("PATCH", &path, Some(&json!({"name": "x"})))
        .expect_status(404);
    stranger
        .send(
            "POST",
            "/api/v4/rastersources/",
            Some(&json!({"name": "x", "organisation": org})),
        )
        .expect_status(403);
    // A member reads but may not write.
    let member_key = user_key(server(), "rs-member", false);
    grant(
        server(),
        "rs-member",
        Uuid::parse_str(&org).unwrap(),
        RoleKind::User,
    );
    let member = Client::with_key(server(), &member_key);
    assert_eq!(member.get_json(&path)["writable"], false);
    member
        .send("PATCH", &path, Some(&json!({"name": "x"})))
        .expect_status(403);
    member.send("DELETE", &path, None).expect_status(403);
    // The owner edits; access_modifier is editable.
    let resp = root()
        .send(
            "PATCH",
            &path,
            Some(&json!({"access_modifier": "Public", "supplier_code": "ftp-7"})),
        )
        .expect_status(200);
    let changed = json(&resp);
    assert_eq!(changed["access_modifier"], "Public");
    assert_eq!(changed["supplier_code"], "ftp-7");
    anon.get(&path).expect_status(200);
    root().send("DELETE", &path, None).expect_status(204);
    root().get(&path).expect_status(404);
}

#[test]
fn durations_and_validation() {
    let org = org_uuid(server());
    for (given, shown) in [
        ("PT5M", "00:05:00"),
        ("P0DT01H00M00S", "01:00:00"),
        ("1 02:00:00", "1 02:00:00"),
        ("00:00:30", "00:00:30"),
    ] {
        let src = create_source(json!({
            "name": format!("rs-interval-{given}"),
            "organisation": org,
            "temporal": true,
            "interval": given,
        }));
        assert_eq!(src["interval"], shown, "{given}");
        assert_eq!(src["first_value_timestamp"], Value::Null);
        assert_eq!(src["projection"], Value::Null);
        assert_eq!(src["size"], 0);
        root()
            .send("DELETE", &source_path(&src), None)
            .expect_status(204);
    }
    let post = |body: Value| {
        let resp = root().send("POST", "/api/v4/rastersources/", Some(&body));
        assert_eq!(resp.status, 400, "{}", resp.text());
        json(&resp)["detail"].clone()
    };
    let d =
        post(json!({"name": "x", "organisation": org, "temporal": true, "interval": "5 minutes"}));
    assert!(d.get("interval").is_some(), "{d}");
    let d = post(json!({"name": "x", "organisation": org, "temporal": true}));
    assert!(
        d.get("interval").is_some(),
        "temporal needs an interval: {d}"
    );
    let d = post(json!({"organisation": org}));
    assert!(d.get("name").is_some(), "{d}");
    let d = post(json!({"name": "x", "organisation": "nope"}));
    assert!(d.get("organisation").is_some(), "{d}");
    let d = post(json!({"name": "x", "organisation": org, "access_modifier": "secret"}));
    assert!(d.get("access_modifier").is_some(), "{d}");
    // dry-run validates without saving.
    let resp = root()
        .send(
            "POST",
            "/api/v4/rastersources/?dry-run",
            Some(&json!({"name": "rs-dry", "organisation": org})),
        )
        .expect_status(201);
    assert_eq!(json(&resp)["name"], "rs-dry");
    assert_eq!(
        root().get_json("/api/v4/rastersources/?name=rs-dry")["count"],
        0
    );
}

#[test]
fn upload_ingests_a_file_the_layer_then_renders() {
    let org = org_uuid(server());
    let src = create_source(
        json!({"name": "rs-lochem", "organisation": org, "access_modifier": "Public"}),
    );
    let id = src["uuid"].as_str().unwrap().to_string();
    // A non-temporal source refuses a timestamp.
    let lochem = fixture("p_lochem_kwel_wegzijging_2050.tif");
    let resp = upload(&id, Some("2024-01-01T00:00:00Z"), "lochem.tif", &lochem).expect_status(400);
    assert!(json(&resp)["detail"].get("timestamp").is_some());
    let task = upload_and_wait(&id, None, "lochem.tif", &lochem);
    assert_eq!(task["status"], "SUCCESS", "{task}");
    assert_eq!(task["error"], Value::Null);
    assert_eq!(
        task["object"],
        format!("http://{}/api/v4/rastersources/{id}/", server().addr)
    );
    assert!(task["finished"].is_string() && task["started"].is_string());
    let read = root().get_json(&source_path(&src));
    assert_eq!(read["projection"], "EPSG:28992");
    assert_eq!(
        (read["origin_x"].as_f64(), read["origin_y"].as_f64()),
        (Some(207750.0), Some(457250.0))
    );
    assert_eq!(
        (
            read["upper_bound_x"].as_f64(),
            read["upper_bound_y"].as_f64()
        ),
        (Some(230500.0), Some(473500.0))
    );
    assert_eq!(read["pixelsize_x"], 250.0);
    assert_eq!(read["first_value_timestamp"], "1970-01-01T00:00:00Z");
    assert!(read["size"].as_u64().unwrap() > 0);
    assert_eq!(read["dtype"], "float32");
    // temporal cannot change now that data exists.
    let resp = root()
        .send(
            "PATCH",
            &source_path(&src),
            Some(&json!({"temporal": true, "interval": "PT5M"})),
        )
        .expect_status(400);
    let d = &json(&resp)["detail"];
    assert!(
        d.get("temporal").is_some() && d.get("interval").is_some(),
        "{d}"
    );
    // A layer over it renders the uploaded values.
    layer_over(server(), &id, "rs-lochem-layer");
    let resp = wms_values("rs-lochem-layer", LOCHEM_BBOX, 91, 65, None).expect_status(200);
    assert_same_values(&resp, "p_lochem_kwel_wegzijging_2050.tif");
    let read = root().get_json(&source_path(&src));
    assert_eq!(read["layers"].as_array().unwrap().len(), 1);
    // A second upload replaces the one frame.
    let dem_task = upload_and_wait(&id, None, "rain.tif", &fixture("rain/rain_03.tif"));
    assert_eq!(dem_task["status"], "SUCCESS", "{dem_task}");
    let read = root().get_json(&source_path(&src));
    assert_eq!(read["origin_x"], 120000.0, "the new file's grid");
    let resp = wms_values("rs-lochem-layer", RAIN_BBOX, 120, 100, None).expect_status(200);
    assert_same_values(&resp, "rain/rain_03.tif");
}

#[test]
fn temporal_uploads_then_flush_by_range_and_all() {
    let org = org_uuid(server());
    let src = create_source(json!({
        "name": "rs-rain", "organisation": org, "access_modifier": "Public",
        "temporal": true, "interval": "PT5M",
    }));
    let id = src["uuid"].as_str().unwrap().to_string();
    let path = source_path(&src);
    let resp = upload(&id, None, "rain_00.tif", &fixture("rain/rain_00.tif")).expect_status(400);
    assert_eq!(
        json(&resp)["detail"]["timestamp"].as_array().map(Vec::len),
        Some(1)
    );
    let resp = upload(
        &id,
        Some("yesterday"),
        "rain_00.tif",
        &fixture("rain/rain_00.tif"),
    )
    .expect_status(400);
    assert!(json(&resp)["detail"].get("timestamp").is_some());
    for k in 0..3 {
        let stamp = format!("2024-06-01T12:{:02}:00Z", k * 5);
        let name = format!("rain/rain_{k:02}.tif");
        let task = upload_and_wait(&id, Some(&stamp), &name, &fixture(&name));
        assert_eq!(task["status"], "SUCCESS", "{task}");
    }
    let read = root().get_json(&path);
    assert_eq!(read["first_value_timestamp"], "2024-06-01T12:00:00Z");
    assert_eq!(read["last_value_timestamp"], "2024-06-01T12:10:00Z");
    layer_over(server(), &id, "rs-rain-layer");
    let at = |t: &str| {
        let resp = wms_values("rs-rain-layer", RAIN_BBOX, 120, 100, Some(t)).expect_status(200);
        assert_eq!(resp.content_type(), "image/tiff", "{}", resp.text());
        resp
    };
    assert_same_values(&at("2024-06-01T12:05:00Z"), "rain/rain_01.tif");
    // The tasks list holds the caller's uploads.
    let tasks = root().get_json("/api/v4/tasks/?page_size=100");
    assert!(tasks["count"].as_u64().unwrap() >= 3);
    // A file on another grid fails its task with the reason.
    let task = upload_and_wait(
        &id,
        Some("2024-06-01T12:15:00Z"),
        "lochem.tif",
        &fixture("p_lochem_kwel_wegzijging_2050.tif"),
    );
    assert_eq!(task["status"], "FAILURE");
    let error = task["error"].as_str().unwrap();
    assert!(error.contains("does not match the grid"), "{error}");
    // Flush the middle frame: the range is closed.
    let flush = |body: Option<&Value>| root().send("DELETE", &format!("{path}data/"), body);
    let resp = flush(Some(
        &json!({"start": "2024-06-01T12:05:00Z", "stop": "2024-06-01T12:05:00Z"}),
    ));
    resp.expect_status(204);
    let read = root().get_json(&path);
    assert_eq!(read["last_value_timestamp"], "2024-06-01T12:10:00Z");
    assert_same_values(&at("2024-06-01T12:04:00Z"), "rain/rain_00.tif");
    assert_same_values(&at("2024-06-01T12:06:00Z"), "rain/rain_02.tif");
    flush(Some(&json!({"start": "2024-06-01T12:10:00Z"}))).expect_status(400);
    // Flush everything: metadata resets; the temporal layer then has no
    // TIME extent and WMS says so.
    flush(Some(&json!({}))).expect_status(204);
    let read = root().get_json(&path);
    for k in [
        "first_value_timestamp",
        "last_value_timestamp",
        "projection",
        "origin_x",
        "dtype",
    ] {
        assert_eq!(read[k], Value::Null, "{k}");
    }
    assert_eq!(read["size"], 0);
    assert_eq!(read["layers"].as_array().unwrap().len(), 1);
    for time in [None, Some("2024-06-01T12:00:00Z")] {
        let resp = wms_values("rs-rain-layer", RAIN_BBOX, 120, 100, time);
        assert!(resp.content_type().contains("xml"), "{time:?}");
        assert!(resp.text().contains("no data yet"), "{}", resp.text());
    }
    // Now temporal and interval may change again.
    root()
        .send("PATCH", &path, Some(&json!({"interval": "PT10M"})))
        .expect_status(200);
}

#[test]
fn a_file_that_is_not_a_geotiff_fails_its_task() {
    let org = org_uuid(server());
    let src = create_source(json!({"name": "rs-bad", "organisation": org}));
    let id = src["uuid"].as_str().unwrap();
    let task = upload_and_wait(id, None, "notes.txt", b"this is not a TIFF at all");
    assert_eq!(task["status"], "FAILURE");
    let error = task["error"].as_str().unwrap();
    assert!(
        error.contains("notes.txt") && error.contains("GeoTIFF"),
        "{error}"
    );
    assert!(!error.contains("/uploads/"), "no server paths: {error}");
    // Missing file part.
    let resp = upload_to(server(), root_key(), id, &[("file_id", "1")], None).expect_status(400);
    assert_eq!(
        json(&resp)["detail"],
        json!({"file": ["No file was submitted."]})
    );
}

#[test]
fn tasks_are_seen_only_by_their_user() {
    let org = org_uuid(server());
    let src = create_source(json!({"name": "rs-task", "organisation": org}));
    let id = src["uuid"].as_str().unwrap();
    let resp = upload(id, None, "rain.tif", &fixture("rain/rain_05.tif")).expect_status(200);
    let url = json(&resp)["url"].as_str().unwrap().to_string();
    let path = format!("/api/v4/{}", url.split_once("/api/v4/").unwrap().1);
    let other = user_key(server(), "rs-other", false);
    Client::with_key(server(), &other)
        .get(&path)
        .expect_status(404);
    Client::anonymous(server()).get(&path).expect_status(401);
    assert_eq!(
        Client::with_key(server(), &other).get_json("/api/v4/tasks/")["count"],
        0
    );
    let task = finished_task(&root(), &url);
    let keys: Vec<&str> = task
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "url", "uuid", "status", "result", "error", "created", "started", "finished", "object"
        ]
    );
}

#[test]
fn deleting_a_source_in_use_needs_force_and_breaks_the_layer() {
    let org = org_uuid(server());
    let src = create_source(
        json!({"name": "rs-doomed", "organisation": org, "access_modifier": "Public"}),
    );
    let id = src["uuid"].as_str().unwrap().to_string();
    let task = upload_and_wait(&id, None, "rain.tif", &fixture("rain/rain_07.tif"));
    assert_eq!(task["status"], "SUCCESS", "{task}");
    layer_over(server(), &id, "rs-doomed-layer");
    wms_values("rs-doomed-layer", RAIN_BBOX, 120, 100, None).expect_status(200);
    let path = source_path(&src);
    let resp = root().send("DELETE", &path, None).expect_status(412);
    assert_eq!(json(&resp)["status"], 412);
    root()
        .send("DELETE", &path, Some(&json!({"force": "maybe"})))
        .expect_status(400);
    root().get(&path).expect_status(200);
    root()
        .send("DELETE", &path, Some(&json!({"force": true})))
        .expect_status(204);
    root().get(&path).expect_status(404);
    assert!(
        !server().data_dir.join("sources").join(&id).exists(),
        "frames removed"
    );
    // The layer now renders a clear error, not a crash, and the server lives.
    // (WMS reports it as an OGC service exception.)
    let resp = wms_values("rs-doomed-layer", RAIN_BBOX, 120, 100, None);
    assert_ne!(resp.status, 500, "{}", resp.text());
    assert!(
        resp.content_type().contains("xml"),
        "{}",
        resp.content_type()
    );
    assert!(resp.text().contains("broken"), "{}", resp.text());
    root().get_json("/api/v4/rastersources/");
}

#[test]
fn an_upload_over_the_limit_is_413_and_leaves_nothing() {
    // rain_00 (5 074 bytes) is over the limit, rain_11 (4 119) under it.
    let mut config = test_config("api-upload-limit");
    config.storage.max_upload_bytes = tegel::config::ByteSize(4700);
    let small = TestServer::start(config);
    let key = user_key(&small, "limit-root", true);
    let c = Client::with_key(&small, &key);
    let org = org_uuid(&small);
    let resp = c
        .send(
            "POST",
            "/api/v4/rastersources/",
            Some(&json!({"name": "s", "organisation": org})),
        )
        .expect_status(201);
    let id = json(&resp)["uuid"].as_str().unwrap().to_string();
    let resp = upload_to(
        &small,
        &key,
        &id,
        &[],
        Some(("rain.tif", &fixture("rain/rain_00.tif"))),
    );
    assert_eq!(resp.status, 413, "{}", resp.text());
    assert_eq!(json(&resp)["status"], 413);
    let uploads = |server: &TestServer| {
        std::fs::read_dir(server.data_dir.join("uploads")).map_or(0, |d| d.count())
    };
    assert_eq!(uploads(&small), 0);
    // Without Content-Length the limit holds while streaming.
    let over = chunked_upload(&small, &key, &id, &fixture("rain/rain_00.tif"));
    assert!(over.starts_with("HTTP/1.1 413"), "{over}");
    assert_eq!(uploads(&small), 0);
    // Under the limit it goes through, and the upload file is removed after.
    let resp = upload_to(
        &small,
        &key,
        &id,
        &[],
        Some(("rain.tif", &fixture("rain/rain_11.tif"))),
    )
    .expect_status(200);
    let task = finished_task(&c, json(&resp)["url"].as_str().unwrap());
    assert_eq!(task["status"], "SUCCESS", "{task}");
    assert_eq!(uploads(&small), 0);
}

#[test]
fn uploads_left_pending_or_started_are_ingested_after_a_restart() {
    use tegel::catalogue::worker::{UploadParams, upload_task};
    use tegel::catalogue::{Organisation, RasterSource, TaskStatus, admin};
    let mut config = test_config("api-upload-recovery");
    config.demo.ingest_on_empty = false;
    let dir = config.server.data_dir.clone();
    // The state a crash leaves: a task STARTED and one PENDING, their files
    // waiting under uploads/.
    let cat = Catalogue::open(&dir).expect("catalogue");
    let (user, key) =
        admin::create_user_with_key(&cat, "recovery-root", true, "tests").expect("user");
    std::fs::create_dir_all(dir.join("uploads")).expect("uploads");
    let source = Uuid::new_v4();
    let mut tasks = Vec::new();
    for (k, status) in [(0, TaskStatus::Started), (1, TaskStatus::Pending)] {
        let file = dir.join("uploads").join(format!("left-{k}.upload"));
        std::fs::write(&file, fixture(&format!("rain/rain_{k:02}.tif"))).expect("copy");
        let params = UploadParams {
            file,
            file_name: Some(format!("rain_{k:02}.tif")),
            timestamp: Some(
                format!("2024-06-01T12:0{}:00Z", k * 5)
                    .parse()
                    .expect("time"),
            ),
        };
        let mut task = upload_task(Some(user.id), source, &params);
        task.status = status;
        tasks.push(task);
    }
    cat.update(|data, rev| {
        let now = chrono::Utc::now();
        let org = Uuid::new_v4();
        data.organisations.push(Organisation {
            uuid: org,
            name: "Recovery".into(),
            slug: "recovery".into(),
            geoblocks: true,
            created: now,
            last_modified: now,
        });
        data.sources.push(RasterSource {
            uuid: source,
            name: "recovered".into(),
            description: String::new(),
            organisation: org,
            access_modifier: AccessModifier::Private,
            supplier: None,
            supplier_code: None,
            temporal: true,
            interval_ms: Some(300_000),
            grid: None,
            frames: Vec::new(),
            created: now,
            last_modified: now,
            revision: rev,
        });
        data.tasks.extend(tasks.clone());
        Ok(())
    })
    .expect("seed");
    drop(cat);
    let server = TestServer::start(config);
    let c = Client::with_key(&server, &key);
    for task in &tasks {
        let url = format!("http://{}/api/v4/tasks/{}/", server.addr, task.id);
        let done = finished_task(&c, &url);
        assert_eq!(done["status"], "SUCCESS", "{done}");
    }
    let src = c.get_json(&format!("/api/v4/rastersources/{source}/"));
    assert_eq!(src["first_value_timestamp"], "2024-06-01T12:00:00Z");
    assert_eq!(src["last_value_timestamp"], "2024-06-01T12:05:00Z");
    let left = std::fs::read_dir(dir.join("uploads")).map_or(0, |d| d.count());
    assert_eq!(left, 0);
}

#[test]
fn uploads_are_refused_before_the_body_is_stored() {
    let src = rain_demo();
    let uuid = src["uuid"].as_str().expect("uuid").to_string();
    let uploads = server().data_dir.join("uploads");
    let before = std::fs::read_dir(&uploads).map_or(0, |d| d.count());
    // Small enough to be sent whole before the early answer arrives.
    let (ct, body) = multipart(&[], Some(("x.tif", b"II*\0 not really a tiff")));
    // Anonymous: 401 without writing the body anywhere.
    let resp = server().send(
        "POST",
        &format!("/api/v4/rastersources/{uuid}/data/"),
        &[("Content-Type", &ct), ("Accept", "application/json")],
        &body,
    );
    assert_eq!(resp.status, 401, "{}", resp.text());
    // Multipart anywhere else: 415.
    let auth = basic(root_key());
    let resp = server().send(
        "POST",
        "/api/v4/rasters/",
        &[("Authorization", &auth), ("Content-Type", &ct)],
        &body,
    );
    assert_eq!(resp.status, 415, "{}", resp.text());
    let after = std::fs::read_dir(&uploads).map_or(0, |d| d.count());
    assert_eq!(before, after, "an upload file was left behind");
}
