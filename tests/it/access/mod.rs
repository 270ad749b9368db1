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
//! once through the catalogue database; the helpers the tests share.

mod caching;
mod colormap;
mod scopes;
mod visibility;

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
/// Public, the demo rain (temporal) with [`OWN_POLICY`].
const RAIN_OWN: &str = "nelen-schuurmans:rain-own-policy";

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
            let mut rain = data
                .layers
                .iter()
                .find(|l| l.slug == "rain")
                .expect("demo rain")
                .clone();
            rain.uuid = Uuid::new_v4();
            rain.slug = "rain-own-policy".to_string();
            rain.name = rain.slug.clone();
            rain.revision = rev;
            rain.options
                .insert("cache_control".into(), json!(OWN_POLICY));
            let ids = (secret.uuid, repainted.uuid);
            data.layers
                .extend([secret, common, draft, painted, broken, repainted, rain]);
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
