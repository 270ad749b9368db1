//! `/api/v4/rasters/`: the rasterlayer endpoint over HTTP — the SEED's
//! shape, derived fields, filters, ordering, paging, access, and writes.

mod reads;
mod timesteps;
mod writes;

use super::client::{Client, wait_for_revision};
use crate::support::{TestServer, test_config};
use serde_json::Value;
use tegel::catalogue::{Catalogue, CatalogueData, Organisation, RoleKind, admin};
use uuid::Uuid;

/// A demo server with a second organisation and one user per role.
pub struct Fixture {
    pub server: TestServer,
    pub org: Uuid,
    /// Another organisation, without the geoblocks permission.
    pub other: Uuid,
    /// Layer uuids by demo name.
    pub lochem: Uuid,
    pub dem: Uuid,
    pub rain: Uuid,
    /// Keys: superuser, org admin, org supplier (`<tag>-supplier`), org
    /// member, admin of the other organisation.
    pub root: String,
    pub admin: String,
    pub supplier: String,
    pub supplier_name: String,
    pub member: String,
    pub stranger: String,
}

impl Fixture {
    /// Starts the server and adds users and the second organisation;
    /// `extra` changes the catalogue further in the same write.
    pub fn start(tag: &str, extra: impl FnOnce(&mut CatalogueData, &Fixture)) -> Fixture {
        let server = TestServer::start(test_config(tag));
        let cat = Catalogue::open(&server.data_dir).expect("catalogue");
        let snap = cat.snapshot();
        let layer = |name: &str| {
            snap.layers()
                .iter()
                .find(|l| l.name == name)
                .unwrap_or_else(|| panic!("demo layer {name}"))
                .uuid
        };
        let org = snap
            .organisation_by_slug("nelen-schuurmans")
            .expect("demo org")
            .uuid;
        let (lochem, dem, rain) = (
            layer("p_lochem_kwel_wegzijging_2050"),
            layer("dem"),
            layer("rain"),
        );
        let key = |name: &str, superuser: bool| {
            admin::create_user_with_key(&cat, &format!("{tag}-{name}"), superuser, "tests")
                .expect("user")
                .1
        };
        let f = Fixture {
            org,
            other: Uuid::new_v4(),
            lochem,
            dem,
            rain,
            root: key("root", true),
            admin: key("admin", false),
            supplier: key("supplier", false),
            supplier_name: format!("{tag}-supplier"),
            member: key("member", false),
            stranger: key("stranger", false),
            server,
        };
        let other = f.other;
        cat.update(|d, _| {
            d.organisations.push(Organisation {
                uuid: other,
                name: "Other Waterboard".into(),
                slug: "other".into(),
                geoblocks: false,
                created: chrono::Utc::now(),
                last_modified: chrono::Utc::now(),
            });
            Ok(())
        })
        .expect("org");
        for (name, o, role) in [
            ("admin", org, RoleKind::Admin),
            ("supplier", org, RoleKind::Supplier),
            ("member", org, RoleKind::User),
            ("stranger", other, RoleKind::Admin),
        ] {
            admin::grant(&cat, &format!("{tag}-{name}"), o, role).expect("grant");
        }
        let fixture = &f;
        cat.update(|d, _| {
            extra(d, fixture);
            Ok(())
        })
        .expect("extra");
        wait_for_revision(&f.server, cat.snapshot().revision());
        f
    }

    pub fn client(&self, key: Option<&str>) -> Client<'_> {
        match key {
            Some(k) => Client::with_key(&self.server, k),
            None => Client::anonymous(&self.server),
        }
    }

    /// Changes the server's catalogue directly and waits until it serves it.
    pub fn change(&self, f: impl FnOnce(&mut CatalogueData)) {
        let cat = Catalogue::open(&self.server.data_dir).expect("catalogue");
        cat.update(|d, rev| {
            f(d);
            let _ = rev;
            Ok(())
        })
        .expect("change");
        wait_for_revision(&self.server, cat.snapshot().revision());
    }

    /// The uuid of the one source a demo layer reads.
    pub fn source_of(&self, layer: Uuid) -> Uuid {
        let cat = Catalogue::open(&self.server.data_dir).expect("catalogue");
        let snap = cat.snapshot();
        let l = snap.layer(layer).expect("layer");
        snap.single_source(l).expect("plain layer").uuid
    }
}

/// The names of a list response's results, in order.
pub fn names(list: &Value) -> Vec<String> {
    list["results"]
        .as_array()
        .unwrap_or_else(|| panic!("a list: {list}"))
        .iter()
        .map(|r| r["name"].as_str().expect("name").to_string())
        .collect()
}
