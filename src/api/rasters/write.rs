//! Creating, changing and deleting rasterlayers inside one catalogue
//! transaction: the write forms of each field (lizard-api.md §1.1), the
//! permission rules and the graph rules (`graph.rs`).
//!
//! Write forms: `organisation` a uuid (or the read object); `shared_with` a
//! list of those; `observation_type` an id (or the read object) or null;
//! `layer_collections` slugs or uuids (or read objects); `access_modifier`
//! a name or code; `colormap` a Lizard colormap definition, or null/`{}` for
//! none; `aggregation_type` one of `none, counts, curve, sum, average` or
//! the API v3 codes 0–4 in that order; `supplier` a username (admins only;
//! others always supply their own layers); `supplier_code` is copied onto
//! the layer's single raster source. Read-only and unknown keys are ignored,
//! as DRF does. POST and PUT need `name`, `organisation` and `source`; PUT
//! leaves other absent fields as they are.
//!
//! A new layer's slug (its WMS name within the organisation) is made from
//! its name once; renaming keeps it, moving to another organisation makes it
//! unique there.

use super::graph;
use super::serialize::collection_readable;
use crate::api::error::ApiError;
use crate::api::fields::{parse_access, parse_uuid_ref};
use crate::api::request::ApiRequest;
use crate::catalogue::{
    AccessModifier, CatalogueData, Guard, RasterLayer, RoleKind, Snapshot, graphref,
    unique_layer_slug,
};
use crate::style::lizard::Definition;
use chrono::{SubsecRound, Utc};
use serde_json::{Map, Value};
use uuid::Uuid;

/// `aggregation_type` names, in the order of their API v3 codes.
const AGGREGATIONS: &[&str] = &["none", "counts", "curve", "sum", "average"];

type Body = Map<String, Value>;

/// Adds layer `uuid` from a POST body.
pub fn create(
    data: &mut CatalogueData,
    rev: u64,
    req: &ApiRequest,
    body: &Body,
    uuid: Uuid,
) -> Result<Uuid, ApiError> {
    let snap = Snapshot::with_graph_limits(data.clone(), req.snapshot.graph_limits());
    let t = now();
    let mut layer = RasterLayer {
        uuid,
        name: String::new(),
        slug: String::new(),
        description: String::new(),
        organisation: Uuid::nil(),
        access_modifier: AccessModifier::Private,
        supplier: req.caller.username().map(str::to_owned),
        shared_with: Vec::new(),
        weight: 0,
        graph: Value::Null,
        observation_type: None,
        layer_collections: Vec::new(),
        options: Map::new(),
        colormap: None,
        rescalable: true,
        aggregation_type: "none".into(),
        created: t,
        last_modified: t,
        revision: rev,
    };
    let supplier_code = apply(&snap, req, body, &mut layer, true)?;
    if !req.caller.may_create_in(layer.organisation) {
        return Err(ApiError::permission_denied());
    }
    check(&snap, req, body, &mut layer)?;
    layer.slug = unique_layer_slug(data, layer.organisation, &layer.name);
    copy_supplier_code(data, &snap, req, &layer, supplier_code, rev)?;
    data.layers.push(layer);
    Ok(uuid)
}

/// Changes layer `uuid` from a PUT (`partial` false) or PATCH body.
pub fn update(
    data: &mut CatalogueData,
    rev: u64,
    req: &ApiRequest,
    body: &Body,
    uuid: Uuid,
    partial: bool,
) -> Result<(), ApiError> {
    let snap = Snapshot::with_graph_limits(data.clone(), req.snapshot.graph_limits());
    let old = snap.layer(uuid).ok_or(ApiError::NotFound)?;
    let guard = |l: &RasterLayer| Guard::layer(l).can_write(&req.caller);
    if !guard(old) {
        return Err(ApiError::permission_denied());
    }
    let mut layer = old.clone();
    let supplier_code = apply(&snap, req, body, &mut layer, !partial)?;
    if layer.organisation != old.organisation {
        if !req.caller.may_create_in(layer.organisation) {
            return Err(ApiError::permission_denied());
        }
        layer.slug = unique_layer_slug(data, layer.organisation, &layer.slug);
    }
    check(&snap, req, body, &mut layer)?;
    if !guard(&layer) {
        return Err(ApiError::permission_denied());
    }
    copy_supplier_code(data, &snap, req, &layer, supplier_code, rev)?;
    layer.last_modified = now();
    layer.revision = rev;
    let slot = data
        .layers
        .iter_mut()
        .find(|l| l.uuid == uuid)
        .ok_or(ApiError::NotFound)?;
    *slot = layer;
    Ok(())
}

/// Removes layer `uuid` (its sources stay). Refused while other layers nest
/// it, unless `force`; those layers then change (their revision is
/// stamped, so cached renderings of them go).
pub fn delete(data: &mut CatalogueData, rev: u64, uuid: Uuid, force: bool) -> Result<(), ApiError> {
    let i = data
        .layers
        .iter()
        .position(|l| l.uuid == uuid)
        .ok_or(ApiError::NotFound)?;
    let nesting =
        |l: &RasterLayer| l.uuid != uuid && graphref::references(&l.graph).contains(&uuid);
    let users: Vec<String> = data
        .layers
        .iter()
        .filter(|l| nesting(l))
        .map(|l| l.uuid.to_string())
        .collect();
    if !users.is_empty() && !force {
        return Err(ApiError::PreconditionFailed(format!(
            "This raster layer is used by other raster layers ({}); send {{\"force\": true}} to delete it anyway.",
            users.join(", ")
        )));
    }
    for l in data.layers.iter_mut().filter(|l| nesting(l)) {
        l.revision = rev;
    }
    data.layers.remove(i);
    Ok(())
}

/// The rules that depend on several fields: the supplier and the graph.
fn check(
    snap: &Snapshot,
    req: &ApiRequest,
    body: &Body,
    layer: &mut RasterLayer,
) -> Result<(), ApiError> {
    let caller = &req.caller;
    let admin = caller.is_superuser() || caller.has_role(layer.organisation, &[RoleKind::Admin]);
    if !admin {
        layer.supplier = caller.username().map(str::to_owned);
    } else if let Some(v) = body.get("supplier") {
        layer.supplier = match v {
            Value::Null => None,
            Value::String(s) if s.trim().is_empty() => None,
            Value::String(s) => Some(
                snap.user_by_name(s.trim())
                    .map(|u| u.username.clone())
                    .ok_or_else(|| {
                        ApiError::field("supplier", format!("User \"{s}\" does not exist."))
                    })?,
            ),
            _ => return Err(ApiError::field("supplier", "Not a valid string.")),
        };
    }
    let org = snap
        .organisation(layer.organisation)
        .ok_or_else(|| ApiError::field("organisation", "This field is required."))?;
    graph::check(snap, caller, org, layer.uuid, &layer.graph)
        .map_err(|m| ApiError::field("source", m))
}

/// Reads the body's fields into `layer`; all field errors at once. Returns
/// the `supplier_code` when given (`Some(None)`: cleared).
fn apply(
    snap: &Snapshot,
    req: &ApiRequest,
    body: &Body,
    layer: &mut RasterLayer,
    full: bool,
) -> Result<Option<Option<String>>, ApiError> {
    let mut errors = ApiError::Validation(Map::new());
    let mut failed = false;
    let mut fail = |name: &str, msg: String| {
        failed = true;
        errors = std::mem::replace(&mut errors, ApiError::NotFound).with_field(name, msg);
    };
    if full {
        for name in ["name", "organisation", "source"] {
            if body.get(name).is_none_or(Value::is_null) {
                fail(name, "This field is required.".into());
            }
        }
    }
    let mut supplier_code = None;
    for (key, v) in body {
        let result: Result<(), String> = (|| {
            match key.as_str() {
                "name" => {
                    let s = v.as_str().ok_or("Not a valid string.")?.trim();
                    if s.is_empty() {
                        return Err("This field may not be blank.".into());
                    }
                    layer.name = s.to_owned();
                }
                "description" => {
                    layer.description = match v {
                        Value::Null => String::new(),
                        Value::String(s) => s.clone(),
                        _ => return Err("Not a valid string.".into()),
                    }
                }
                "organisation" => {
                    let id = parse_uuid_ref(v)?;
                    snap.organisation(id)
                        .ok_or_else(|| format!("Organisation {id} does not exist."))?;
                    layer.organisation = id;
                }
                "access_modifier" => layer.access_modifier = parse_access(v)?,
                "shared_with" => {
                    let list = v
                        .as_array()
                        .ok_or("Expected a list of organisation uuids.")?;
                    let mut ids = Vec::new();
                    for item in list {
                        let id = parse_uuid_ref(item)?;
                        snap.organisation(id)
                            .ok_or_else(|| format!("Organisation {id} does not exist."))?;
                        if !ids.contains(&id) {
                            ids.push(id);
                        }
                    }
                    layer.shared_with = ids;
                }
                "weight" => layer.weight = int(v).ok_or("A valid integer is required.")?,
                "source" => {
                    if !v.is_object() {
                        return Err(
                            "The source must be an object with \"name\" and \"graph\".".into()
                        );
                    }
                    layer.graph = v.clone();
                }
                "observation_type" => {
                    layer.observation_type = match v {
                        Value::Null => None,
                        Value::Object(m) => {
                            Some(m.get("id").and_then(int).ok_or("Expected an id.")?)
                        }
                        other => Some(int(other).ok_or("Expected an observation type id.")?),
                    };
                    if let Some(id) = layer.observation_type {
                        snap.observation_type(id)
                            .ok_or_else(|| format!("Observation type {id} does not exist."))?;
                    }
                }
                "layer_collections" => {
                    let list = v
                        .as_array()
                        .ok_or("Expected a list of layer collection slugs.")?;
                    let mut ids = Vec::new();
                    for item in list {
                        let key = match item {
                            Value::Object(m) => m.get("slug").or_else(|| m.get("uuid")),
                            other => Some(other),
                        }
                        .and_then(Value::as_str)
                        .ok_or("Expected a layer collection slug.")?;
                        let c = Uuid::try_parse(key)
                            .ok()
                            .and_then(|u| snap.layer_collection(u))
                            .or_else(|| snap.layer_collection_by_slug(key))
                            .filter(|c| collection_readable(req, c))
                            .ok_or_else(|| format!("Layer collection \"{key}\" does not exist."))?;
                        if !ids.contains(&c.uuid) {
                            ids.push(c.uuid);
                        }
                    }
                    layer.layer_collections = ids;
                }
                "options" => {
                    layer.options = match v {
                        Value::Null => Map::new(),
                        Value::Object(m) => m.clone(),
                        _ => return Err("Expected an object.".into()),
                    }
                }
                "colormap" => layer.colormap = colormap(v)?,
                "rescalable" => layer.rescalable = boolean(v).ok_or("Must be a valid boolean.")?,
                "aggregation_type" => layer.aggregation_type = aggregation(v)?,
                "supplier_code" => {
                    supplier_code = Some(match v {
                        Value::Null => None,
                        Value::String(s) => Some(s.clone()).filter(|s| !s.is_empty()),
                        _ => return Err("Not a valid string.".into()),
                    })
                }
                _ => {}
            }
            Ok(())
        })();
        if let Err(msg) = result {
            fail(key, msg);
        }
    }
    if failed {
        Err(errors)
    } else {
        Ok(supplier_code)
    }
}

/// LMC sends `supplier_code` with the layer; it belongs to the layer's one
/// raster source, which the caller must be allowed to change.
fn copy_supplier_code(
    data: &mut CatalogueData,
    snap: &Snapshot,
    req: &ApiRequest,
    layer: &RasterLayer,
    code: Option<Option<String>>,
    rev: u64,
) -> Result<(), ApiError> {
    let Some(code) = code else { return Ok(()) };
    let source = snap.single_source(layer).ok_or_else(|| {
        ApiError::field(
            "supplier_code",
            "Only a layer over one raster source has a supplier code.",
        )
    })?;
    let guard = Guard::source(source);
    if !guard.can_write(&req.caller) {
        return Err(ApiError::field(
            "supplier_code",
            "You may not change the raster source of this layer.",
        ));
    }
    if let Some(s) = data.sources.iter_mut().find(|s| s.uuid == source.uuid) {
        if s.supplier_code != code {
            s.supplier_code = code;
            s.last_modified = now();
            s.revision = rev;
        }
    }
    Ok(())
}

/// The current time at the API's precision (microseconds, as Lizard's database).
fn now() -> chrono::DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

fn int(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn boolean(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "1" => Some(true),
            "false" | "0" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

fn aggregation(v: &Value) -> Result<String, String> {
    let name = match v {
        Value::Number(_) => int(v)
            .and_then(|i| usize::try_from(i).ok())
            .and_then(|i| AGGREGATIONS.get(i).copied()),
        Value::String(s) => AGGREGATIONS
            .iter()
            .find(|a| a.eq_ignore_ascii_case(s.trim()))
            .copied()
            .or_else(|| {
                int(v)
                    .and_then(|i| usize::try_from(i).ok())
                    .and_then(|i| AGGREGATIONS.get(i).copied())
            }),
        _ => None,
    };
    name.map(str::to_owned).ok_or_else(|| {
        format!(
            "\"{}\" is not a valid choice: use one of {}.",
            v.as_str().map_or_else(|| v.to_string(), str::to_owned),
            AGGREGATIONS.join(", ")
        )
    })
}

/// A custom colormap: null or `{}` for none, else a valid Lizard colormap
/// definition.
fn colormap(v: &Value) -> Result<Option<Value>, String> {
    match v {
        Value::Null => Ok(None),
        Value::Object(m) if m.is_empty() => Ok(None),
        Value::Object(_) => {
            let bytes = serde_json::to_vec(v).map_err(|e| e.to_string())?;
            Definition::from_json(&bytes).map_err(|e| e.to_string())?;
            Ok(Some(v.clone()))
        }
        _ => Err("Expected a colormap object or null.".into()),
    }
}
