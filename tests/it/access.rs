//! Who sees what on the map services: access modifiers on WMS, WMTS, XYZ/TMS
//! and the index page (Public/Common/Private/Hidden, `shared_with`,
//! superusers), credentials as Basic `__key__:<key>` or `username`/`password`
//! headers, 401 for wrong ones, caching headers of what depends on the caller
//! (EXT-03, per-layer `options.cache_control`), `/wms/<collection-slug>/`
//! scopes and a layer's own `colormap` as its default style (Lizard §1.1,
//! §6.1, §6.2).
//!
//! One server with the demo data plus organisations, users, keys, layer
//! collections and copies of the demo DEM under every access modifier, set up
//! once through the catalogue database.

use crate::support::{
    Resp, TestServer, decode_png, decode_tiff, ogc_exception_code, test_config, xml_texts, xmllint,
};
use base64::Engine;
use chrono::Utc;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::OnceLock;
use tegel::catalogue::{
    AccessModifier, KeyScope, LayerCollection, Organisation, Role, RoleKind, User, people,
};
use uuid::Uuid;

const DEM: &str = "nelen-schuurmans:dem";
/// Private, shared with the `friends` organisation; its own cache policy.
const SECRET: &str = "nelen-schuurmans:secret-dem";
const COMMON: &str = "nelen-schuurmans:common-dem";
/// Hidden, supplied by `sam`.
const DRAFT: &str = "nelen-schuurmans:draft-dem";
/// Public, painted with its own colormap, its own cache policy.
const PAINTED: &str = "nelen-schuurmans:painted-dem";
/// Public, with a colormap that is not valid.
const BROKEN: &str = "nelen-schuurmans:broken-colormap";
/// Public, its colormap changed by a test.
const REPAINTED: &str = "nelen-schuurmans:repainted-dem";
const MISSING: &str = "nelen-schuurmans:no-such-layer";

/// The cache policy `SECRET` and `PAINTED` set for themselves.
const OWN_POLICY: &str = "public, max-age=86400, s-maxage=604800, immutable";

/// The XYZ tile over the demo DEM other tests use.
const TILE: (u32, u32, u32) = (15, 16882, 10823);

const CAPS_XSD: &str = "schemas.opengis.net/sld/1.1.0/sld_capabilities.xsd";
const WMTS_XSD: &str = "schemas.opengis.net/wmts/1.0/wmtsGetCapabilities_response.xsd";

/// PAINTED's colormap: a three-stop gradient over the DEM's heights.
fn painted_colormap() -> Value {
    json!({
        "type": "GradientColormap",
        "data": [[-5, [0, 0, 255, 255]], [20, [0, 255, 0, 255]], [60, [255, 0, 0, 255]]],
        "masked": [0, 0, 0, 0],
    })
}

struct World {
    server: TestServer,
    /// Key text per username.
    keys: HashMap<&'static str, String>,
    secret: Uuid,
    repainted: Uuid,
}

/// A user: username, superuser, roles (organisation slug, role).
type UserSpec = (&'static str, bool, &'static [(&'static str, RoleKind)]);

const USERS: &[UserSpec] = &[
    ("member", false, &[("nelen-schuurmans", RoleKind::User)]),
    ("friend", false, &[("friends", RoleKind::User)]),
    ("stranger", false, &[("others", RoleKind::Admin)]),
    ("admin", false, &[("nelen-schuurmans", RoleKind::Admin)]),
    ("sam", false, &[("nelen-schuurmans", RoleKind::Supplier)]),
    ("boss", false, &[("nelen-schuurmans", RoleKind::Manager)]),
    ("root", true, &[]),
];

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let server = TestServer::start(test_config("access"));
        let (keys, secret, repainted) = server.update_catalogue(|data, rev| {
            let now = Utc::now();
            let mut orgs = HashMap::new();
            for o in &data.organisations {
                orgs.insert(o.slug.clone(), o.uuid);
            }
            for slug in ["friends", "others"] {
                let uuid = Uuid::new_v4();
                data.organisations.push(Organisation {
                    uuid,
                    name: slug.to_string(),
                    slug: slug.to_string(),
                    geoblocks: true,
                    created: now,
                    last_modified: now,
                });
                orgs.insert(slug.to_string(), uuid);
            }
            let mut keys = HashMap::new();
            for (i, (name, superuser, roles)) in USERS.iter().enumerate() {
                let id = 1000 + i as i64;
                data.users.push(User {
                    id,
                    username: name.to_string(),
                    email: format!("{name}@example.org"),
                    first_name: String::new(),
                    last_name: String::new(),
                    is_superuser: *superuser,
                    is_active: true,
                    created: now,
                    last_modified: now,
                });
                for (org, role) in roles.iter() {
                    data.roles.push(Role {
                        user: id,
                        organisation: orgs[*org],
                        role: *role,
                    });
                }
                let (text, record) = people::new_key(id, "maps", KeyScope::ReadWrite, None);
                data.api_keys.push(record);
                keys.insert(*name, text);
            }
            // A revoked key of the member: refused like a wrong one.
            let (text, mut record) = people::new_key(1000, "old", KeyScope::ReadWrite, None);
            record.revoked = true;
            data.api_keys.push(record);
            keys.insert("revoked", text);

            let ours = orgs["nelen-schuurmans"];
            let collection = |slug: &str, org: Uuid, access| LayerCollection {
                uuid: Uuid::new_v4(),
                slug: slug.to_string(),
                name: slug.to_string(),
                description: String::new(),
                organisation: org,
                access_modifier: access,
                supplier: None,
                created: now,
                last_modified: now,
            };
            let open = collection("open-maps", ours, AccessModifier::Public);
            let closed = collection("closed-maps", orgs["others"], AccessModifier::Private);
            let (open_id, closed_id) = (open.uuid, closed.uuid);
            data.layer_collections.extend([open, closed]);

            let dem = data
                .layers
                .iter()
                .find(|l| l.slug == "dem")
                .expect("demo DEM")
                .clone();
            let copy = |slug: &str, access| {
                let mut l = dem.clone();
                l.uuid = Uuid::new_v4();
                l.slug = slug.to_string();
                l.name = slug.to_string();
                l.access_modifier = access;
                l.revision = rev;
                l.created = now;
                l.last_modified = now;
                l
            };
            let mut secret = copy("secret-dem", AccessModifier::Private);
            secret.shared_with = vec![orgs["friends"]];
            secret.layer_collections = vec![open_id];
            secret
                .options
                .insert("cache_control".into(), json!(OWN_POLICY));
            let common = copy("common-dem", AccessModifier::Common);
            let mut draft = copy("draft-dem", AccessModifier::Hidden);
            draft.supplier = Some("sam".to_string());
            draft.layer_collections = vec![open_id];
            let mut painted = copy("painted-dem", AccessModifier::Public);
            painted.options = serde_json::Map::new();
            painted
                .options
                .insert("cache_control".into(), json!(OWN_POLICY));
            painted.colormap = Some(painted_colormap());
            painted.layer_collections = vec![open_id, closed_id];
            let mut broken = copy("broken-colormap", AccessModifier::Public);
            broken.options = serde_json::Map::new();
            broken.colormap = Some(json!({"type": "GradientColormap", "data": []}));
            let mut repainted = copy("repainted-dem", AccessModifier::Public);
            repainted.options = serde_json::Map::new();
            repainted.colormap = Some(painted_colormap());
            let ids = (secret.uuid, repainted.uuid);
            data.layers
                .extend([secret, common, draft, painted, broken, repainted]);
            Ok((keys, ids.0, ids.1))
        });
        World {
            server,
            keys,
            secret,
            repainted,
        }
    })
}

/// `Authorization: Basic` for a key.
fn basic(key: &str) -> String {
    let b = base64::engine::general_purpose::STANDARD.encode(format!("__key__:{key}"));
    format!("Basic {b}")
}

/// GET as `who` (`None`: anonymous; a username: Basic with their key).
fn get(path: &str, who: Option<&str>) -> Resp {
    let w = world();
    match who {
        None => w.server.get(path),
        Some(name) => {
            let auth = basic(&w.keys[name]);
            w.server.get_with(path, &[("Authorization", &auth)])
        }
    }
}

/// The WGS 84 / Pseudo-Mercator bounds of XYZ tile z/x/y.
fn tile_bbox(z: u32, x: u32, y: u32) -> String {
    let o = 20_037_508.342_789_244;
    let size = 2.0 * o / f64::from(1u32 << z);
    let (x0, y1) = (-o + f64::from(x) * size, o - f64::from(y) * size);
    format!("{x0},{},{},{y1}", y1 - size, x0 + size)
}

/// A 256×256 GetMap of `layer` over [`TILE`] (`extra` appended).
fn map(layer: &str, extra: &str) -> String {
    let (z, x, y) = TILE;
    format!(
        "/wms/?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS={layer}&STYLES=&CRS=EPSG:3857&BBOX={}&WIDTH=256&HEIGHT=256&FORMAT=image/png{extra}",
        tile_bbox(z, x, y)
    )
}

/// Every kind of request that names one layer, on every map service.
fn requests(layer: &str) -> Vec<String> {
    let (z, x, y) = TILE;
    let bbox = tile_bbox(z, x, y);
    vec![
        map(layer, ""),
        map(layer, "&FORMAT=image/tiff").replace("FORMAT=image/png&", ""),
        format!(
            "/wms/?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetFeatureInfo&LAYERS={layer}&QUERY_LAYERS={layer}&STYLES=&CRS=EPSG:3857&BBOX={bbox}&WIDTH=256&HEIGHT=256&FORMAT=image/png&INFO_FORMAT=application/json&I=100&J=100"
        ),
        format!(
            "/wms/?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetLegendGraphic&LAYER={layer}&STYLE=&FORMAT=image/png&SLD_VERSION=1.1.0"
        ),
        format!("/wms/?request=getlegend&layer={layer}&steps=5"),
        format!(
            "/wms/?request=getlimits&version=1.1.1&layers={layer}&width=16&height=16&srs=EPSG:3857&bbox={bbox}"
        ),
        format!("/tiles/{layer}/{z}/{x}/{y}.png"),
        format!("/tms/1.0.0/{layer}/{z}/{x}/{}.png", (1 << z) - 1 - y),
        format!(
            "/wmts/?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER={layer}&STYLE=default&FORMAT=image%2Fpng&TILEMATRIXSET=WebMercatorQuad&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}"
        ),
        format!("/wmts/1.0.0/{layer}/default/WebMercatorQuad/{z}/{y}/{x}.png"),
        format!(
            "/wmts/?SERVICE=WMTS&REQUEST=GetFeatureInfo&VERSION=1.0.0&LAYER={layer}&STYLE=default&FORMAT=image%2Fpng&TILEMATRIXSET=WebMercatorQuad&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&I=10&J=10&INFOFORMAT=application/json"
        ),
    ]
}

/// Asserts `layer` answers `who` exactly as a layer that does not exist:
/// same status, headers that matter and body (the name swapped).
fn assert_nonexistent(layer: &str, who: Option<&str>) {
    for (asked, missing) in requests(layer).into_iter().zip(requests(MISSING)) {
        let a = get(&asked, who);
        let b = get(&missing, who);
        // An error: a status, or an OGC exception with the configured status.
        assert!(
            a.status >= 400 || a.text().contains("ServiceException"),
            "{asked} as {who:?}: {}",
            a.status
        );
        assert_eq!(a.status, b.status, "{asked} as {who:?}");
        for h in ["content-type", "cache-control", "vary", "www-authenticate"] {
            assert_eq!(a.header(h), b.header(h), "{h} of {asked} as {who:?}");
        }
        assert_eq!(
            a.text().replace(layer, MISSING),
            b.text(),
            "{asked} as {who:?}"
        );
    }
}

/// Asserts `who` gets every request about `layer` answered with success.
fn assert_readable(layer: &str, who: Option<&str>) {
    for path in requests(layer) {
        let resp = get(&path, who);
        assert_eq!(resp.status, 200, "{path} as {who:?}: {}", resp.text());
    }
}

/// The layer names in the WMS 1.3.0 capabilities `who` gets (validated).
fn wms_layers(who: Option<&str>, path: &str) -> Vec<String> {
    let resp = get(
        &format!("{path}?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0"),
        who,
    );
    let resp = resp.expect_status(200);
    xmllint(
        &resp.body,
        Some(CAPS_XSD),
        &format!("access-caps-{}", who.unwrap_or("anonymous")),
    );
    xml_texts(&resp.text(), "Name")
}

/// The layer identifiers in the WMTS capabilities `who` gets (validated).
fn wmts_layers(who: Option<&str>) -> Vec<String> {
    let resp = get("/wmts/1.0.0/WMTSCapabilities.xml", who).expect_status(200);
    xmllint(
        &resp.body,
        Some(WMTS_XSD),
        &format!("access-wmts-{}", who.unwrap_or("anonymous")),
    );
    xml_texts(&resp.text(), "ows:Identifier")
}

fn index_lists(who: Option<&str>, layer: &str) -> bool {
    let page = get("/", who).expect_status(200);
    page.text().contains(&format!("<code>{layer}</code>"))
}

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

#[test]
fn ext_03_private_layers_are_not_stored_by_shared_caches() {
    let varies = |r: &Resp| {
        r.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("vary"))
            .any(|(_, v)| v.contains("Authorization"))
    };
    // A private layer's tiles and maps: its own policy made private.
    for path in [
        map(SECRET, ""),
        requests(SECRET)[6].clone(),
        requests(SECRET)[8].clone(),
    ] {
        let resp = get(&path, Some("member")).expect_status(200);
        assert_eq!(
            resp.header("cache-control"),
            Some("private, max-age=86400, immutable"),
            "{path}"
        );
        assert!(varies(&resp), "{path}");
    }
    // Common: the configured policy, private.
    let resp = get(&map(COMMON, ""), Some("stranger")).expect_status(200);
    assert_eq!(resp.header("cache-control"), Some("private, max-age=3600"));
    assert!(varies(&resp));
    // Its legend and feature info too.
    let legend = get(&requests(COMMON)[3], Some("stranger")).expect_status(200);
    assert_eq!(
        legend.header("cache-control"),
        Some("private, max-age=3600")
    );
    assert!(varies(&legend));
    let info = get(&requests(COMMON)[2], Some("stranger")).expect_status(200);
    assert_eq!(info.header("cache-control"), Some("private, no-cache"));
    assert!(varies(&info));
    // A public layer with its own policy: exactly that, for maps and tiles.
    for path in [
        map(PAINTED, ""),
        requests(PAINTED)[6].clone(),
        requests(PAINTED)[9].clone(),
    ] {
        let resp = get(&path, None).expect_status(200);
        assert_eq!(resp.header("cache-control"), Some(OWN_POLICY), "{path}");
        assert!(!varies(&resp), "{path}");
    }
    // A public layer without one: the configured default, anyone may store it,
    // whoever asks.
    for who in [None, Some("member")] {
        let resp = get(&map(DEM, ""), who).expect_status(200);
        assert_eq!(resp.header("cache-control"), Some("public, max-age=3600"));
        assert!(!varies(&resp));
    }
    // Capabilities depend on the caller: Vary, private when authenticated,
    // and tags that never let one caller's copy validate another's.
    let caps = "/wms/?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0";
    let anon = get(caps, None).expect_status(200);
    let member = get(caps, Some("member")).expect_status(200);
    assert!(varies(&anon) && varies(&member));
    assert_eq!(anon.header("cache-control"), Some("no-cache"));
    assert_eq!(member.header("cache-control"), Some("private, no-cache"));
    let (ta, tm) = (anon.header("etag").unwrap(), member.header("etag").unwrap());
    assert_ne!(ta, tm);
    let w = world();
    let auth = basic(&w.keys["member"]);
    let revalidated = w
        .server
        .get_with(caps, &[("Authorization", &auth), ("If-None-Match", ta)]);
    assert_eq!(revalidated.status, 200);
    assert_eq!(revalidated.body, member.body);
    let again = w
        .server
        .get_with(caps, &[("Authorization", &auth), ("If-None-Match", tm)]);
    assert_eq!(again.status, 304);
    let wmts = get("/wmts/1.0.0/WMTSCapabilities.xml", Some("member")).expect_status(200);
    assert!(varies(&wmts));
    assert_eq!(wmts.header("cache-control"), Some("private, no-cache"));
    assert!(varies(&get("/", None)));
}

#[test]
fn lizard_6_1_layer_collection_scopes() {
    // Anonymous: only the public member of the collection.
    let names = |who, path: &str| -> Vec<String> {
        wms_layers(who, path)
            .into_iter()
            .filter(|n| n.starts_with("nelen-schuurmans:"))
            .collect()
    };
    assert_eq!(names(None, "/wms/open-maps/"), [PAINTED]);
    assert_eq!(names(Some("member"), "/wms/open-maps/"), [SECRET, PAINTED]);
    assert_eq!(
        names(Some("admin"), "/wms/open-maps/"),
        [SECRET, DRAFT, PAINTED]
    );
    // Without the final slash, in 1.1.1 (DTD-valid), operation URLs at the scope.
    let v111 = get(
        "/wms/open-maps?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.1.1",
        Some("member"),
    )
    .expect_status(200);
    xmllint(&v111.body, None, "access-collection-caps111");
    let text = v111.text();
    assert!(text.contains(&format!("<Name>{SECRET}</Name>")));
    assert!(!text.contains(&format!("<Name>{DEM}</Name>")));
    let href = format!("xlink:href=\"http://{}/wms/open-maps/", world().server.addr);
    assert!(text.contains(&href), "OnlineResource at the scope");
    // GetMap through the scope works as at /wms/ (any readable layer).
    let scoped = get(
        &map(SECRET, "").replacen("/wms/", "/wms/open-maps/", 1),
        Some("member"),
    )
    .expect_status(200);
    assert_eq!(
        scoped.body,
        get(&map(DEM, ""), None).expect_status(200).body
    );
    // A private collection of another organisation, and an unknown slug:
    // the same 404 as any unknown path.
    let closed = get("/wms/closed-maps/?request=GetCapabilities", Some("member"));
    let unknown = get("/wms/no-such-maps/?request=GetCapabilities", Some("member"));
    let nowhere = get("/nothing/at/all", None);
    for r in [&closed, &unknown, &nowhere] {
        assert_eq!(r.status, 404);
        assert_eq!(r.content_type(), "application/json");
    }
    assert_eq!(closed.body, unknown.body);
    assert_eq!(unknown.body, nowhere.body);
    // Its own organisation's users and superusers see it.
    assert_eq!(names(Some("stranger"), "/wms/closed-maps/"), [PAINTED]);
    assert_eq!(names(Some("root"), "/wms/closed-maps/"), [PAINTED]);
    // Raster scopes keep working.
    assert_eq!(
        names(None, &format!("/wms/raster_{}/", world().repainted)),
        [REPAINTED]
    );
}

/// Colour of `v` under PAINTED's colormap, computed here: the gradient
/// sampled at 256 entries over its stops' domain [-5, 60] (entry
/// `trunc(t·256)`, sampled at `k/255`), as every Lizard gradient is painted.
fn painted_color(v: f64) -> [f64; 4] {
    let stops = [
        (-5.0, [0.0, 0.0, 255.0]),
        (20.0, [0.0, 255.0, 0.0]),
        (60.0, [255.0, 0.0, 0.0]),
    ];
    let (min, max) = (-5.0, 60.0);
    let t = ((v - min) / (max - min)).clamp(0.0, 1.0);
    let k = ((t * 256.0) as usize).min(255);
    let at = min + k as f64 / 255.0 * (max - min);
    let i = if at <= 20.0 { 0 } else { 1 };
    let (a, b) = (stops[i], stops[i + 1]);
    let f = ((at - a.0) / (b.0 - a.0)).clamp(0.0, 1.0);
    let c = |j: usize| a.1[j] + f * (b.1[j] - a.1[j]);
    [c(0), c(1), c(2), 255.0]
}

#[test]
fn lizard_1_1_layer_colormap_is_the_default_style() {
    let png = get(&map(PAINTED, "&TRANSPARENT=TRUE"), None).expect_status(200);
    let tiff = get(
        &map(PAINTED, "").replace("FORMAT=image/png", "FORMAT=image/tiff"),
        None,
    )
    .expect_status(200);
    let img = decode_png(&png.body);
    let values = decode_tiff(&tiff.body);
    assert_eq!((img.width, values.width), (256, 256));
    let (mut painted, mut colours) = (0, std::collections::BTreeSet::new());
    for (i, &v) in values.values.iter().enumerate() {
        let (x, y) = ((i % 256) as u32, (i / 256) as u32);
        let got = img.pixel(x, y);
        if v.is_nan() || values.nodata == Some(v) {
            assert_eq!(got[3], 0, "nodata at {x},{y}");
            continue;
        }
        let want = painted_color(v);
        for c in 0..4 {
            assert!(
                (f64::from(got[c]) - want[c]).abs() <= 1.0,
                "pixel {x},{y} value {v}: {got:?} vs {want:?}"
            );
        }
        painted += 1;
        colours.insert(got);
    }
    assert!(
        painted > 30_000 && colours.len() > 20,
        "{painted} {}",
        colours.len()
    );
    // Tiles (XYZ, WMTS) show the same pixels; STYLES=default names it.
    for path in [
        requests(PAINTED)[6].clone(),
        requests(PAINTED)[8].clone(),
        map(PAINTED, "&TRANSPARENT=TRUE").replace("STYLES=&", "STYLES=default&"),
    ] {
        let other = decode_png(&get(&path, None).expect_status(200).body);
        assert!(other.rgba == img.rgba, "{path} differs from the map");
    }
    // Capabilities advertise it as the style `default`, with a legend that works.
    let caps = get(
        "/wms/?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0",
        None,
    )
    .expect_status(200)
    .text();
    let entry = caps
        .split("<Layer")
        .find(|l| l.contains(&format!("<Name>{PAINTED}</Name>")))
        .expect("PAINTED advertised")
        .to_string();
    assert_eq!(xml_texts(&entry, "Name")[1], "default");
    let legend_url = entry
        .split("<LegendURL")
        .nth(1)
        .and_then(|s| s.split("xlink:href=\"").nth(1))
        .and_then(|s| s.split('"').next())
        .expect("LegendURL")
        .replace("&amp;", "&");
    let path = legend_url
        .split_once(&world().server.addr.to_string())
        .unwrap()
        .1;
    let legend = get(path, None).expect_status(200);
    assert_eq!(legend.content_type(), "image/png");
    let wmts = get("/wmts/1.0.0/WMTSCapabilities.xml", None).text();
    let block = wmts
        .split("<Layer>")
        .find(|l| l.contains(&format!("<ows:Identifier>{PAINTED}</ows:Identifier>")))
        .expect("PAINTED in WMTS");
    assert!(block.contains("<ows:Identifier>default</ows:Identifier>"));
    // getlegend reads the colormap: its stops' domain and colours.
    let doc: Value = serde_json::from_slice(
        &get(
            &format!("/wms/?request=getlegend&layer={PAINTED}&steps=3"),
            None,
        )
        .expect_status(200)
        .body,
    )
    .unwrap();
    assert_eq!(doc["limits"], json!([-5.0, 60.0]));
    assert_eq!(doc["colormap_type"], "gradient");
    assert_eq!(doc["legend"][0]["color"], "#0000ff");
    assert_eq!(doc["legend"][2]["color"], "#ff0000");
    // Other styles still apply to the layer.
    let viridis = get(
        &map(PAINTED, "").replace("STYLES=&", "STYLES=viridis:-5:60&"),
        None,
    );
    assert_eq!(viridis.expect_status(200).content_type(), "image/png");
    // Clients cannot send colormap definitions as STYLES.
    let sent = get(
        &map(DEM, "").replace(
            "STYLES=&",
            "STYLES=%7B%22type%22%3A%22GradientColormap%22%7D&",
        ),
        None,
    );
    assert_eq!(ogc_exception_code(&sent), "StyleNotDefined");
}

#[test]
fn lizard_1_1_invalid_layer_colormap_is_a_clear_error() {
    let resp = get(&map(BROKEN, ""), None);
    assert_eq!(ogc_exception_code(&resp), "StyleNotDefined");
    assert!(resp.text().contains("default style"), "{}", resp.text());
    assert!(
        resp.text().contains("colormap definition"),
        "{}",
        resp.text()
    );
    let tile = get(&requests(BROKEN)[6], None);
    assert_eq!(tile.status, 400);
    // The server goes on serving.
    get(&map(DEM, ""), None).expect_status(200);
}

#[test]
fn lizard_1_1_changing_a_layer_colormap_changes_its_tiles() {
    let w = world();
    let tile = requests(REPAINTED)[6].clone();
    let before = get(&tile, None).expect_status(200);
    let id = w.repainted;
    w.server.update_catalogue(|data, rev| {
        let layer = data.layers.iter_mut().find(|l| l.uuid == id).unwrap();
        layer.colormap = Some(json!({
            "type": "GradientColormap",
            "data": [[-5, [255, 255, 0, 255]], [60, [128, 0, 128, 255]]],
        }));
        layer.revision = rev;
        Ok(())
    });
    let after = get(&tile, None).expect_status(200);
    assert_ne!(before.header("etag"), after.header("etag"));
    assert_ne!(before.body, after.body);
    let img = decode_png(&after.body);
    // Every opaque pixel lies on the new yellow–purple ramp (red ≥ 128).
    assert!(
        img.rgba
            .chunks_exact(4)
            .filter(|p| p[3] == 255)
            .all(|p| p[0] >= 127),
        "new colours"
    );
}
