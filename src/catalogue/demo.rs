//! The demo data set: `fixtures/demo/demo.json` and the GeoTIFFs beside it,
//! ingested by `tegel serve` into an empty data dir. A layer may name its
//! observation type (made when no type has its code yet).

use super::durable::Catalogue;
use super::error::CatalogueError;
use super::ingest::{IngestOutcome, IngestRequest, ingest};
use super::records::{AccessModifier, ObservationType};
use crate::storage::{Limits, Store};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use std::path::Path;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    organisation: ManifestOrg,
    layers: Vec<ManifestLayer>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ManifestOrg {
    name: String,
    slug: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ManifestLayer {
    name: String,
    #[serde(default)]
    description: String,
    style: String,
    files: Vec<String>,
    timestamps: Option<Vec<DateTime<Utc>>>,
    #[serde(default)]
    observation_type: Option<ManifestObservationType>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ManifestObservationType {
    code: String,
    parameter: String,
    unit: String,
    scale: String,
    #[serde(default)]
    description: String,
}

/// Ingests every layer of the manifest in `fixtures_dir`; returns what was made.
pub fn ingest_demo(
    catalogue: &Catalogue,
    store: &Store,
    fixtures_dir: &Path,
    limits: &Limits,
) -> Result<Vec<IngestOutcome>, CatalogueError> {
    let path = fixtures_dir.join("demo.json");
    let text = std::fs::read(&path).map_err(|e| CatalogueError::Io {
        path: path.display().to_string(),
        source: e,
    })?;
    let manifest: Manifest =
        serde_json::from_slice(&text).map_err(|e| CatalogueError::Corrupt {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
    let mut made = Vec::new();
    let mut kinds = Vec::new();
    for layer in &manifest.layers {
        let req = IngestRequest {
            files: layer.files.iter().map(|f| fixtures_dir.join(f)).collect(),
            timestamps: layer.timestamps.clone().unwrap_or_default(),
            source: None,
            name: Some(layer.name.clone()),
            description: layer.description.clone(),
            organisation: manifest.organisation.slug.clone(),
            organisation_name: Some(manifest.organisation.name.clone()),
            access_modifier: AccessModifier::Public,
            style: Some(layer.style.clone()),
        };
        let outcome = ingest(catalogue, store, &req, limits, &mut |_, _, _| {})?;
        if let (Some(uuid), Some(kind)) = (outcome.layer, &layer.observation_type) {
            kinds.push((uuid, kind));
        }
        made.push(outcome);
    }
    if !kinds.is_empty() {
        set_observation_types(catalogue, &kinds)?;
    }
    Ok(made)
}

/// Gives each layer the observation type with its `code`, made when
/// missing; one catalogue update for all.
fn set_observation_types(
    catalogue: &Catalogue,
    kinds: &[(uuid::Uuid, &ManifestObservationType)],
) -> Result<(), CatalogueError> {
    catalogue.update(|data, rev| {
        for (layer, kind) in kinds {
            set_one(data, rev, *layer, kind);
        }
        Ok(())
    })
}

fn set_one(
    data: &mut super::snapshot::CatalogueData,
    rev: u64,
    layer: uuid::Uuid,
    kind: &ManifestObservationType,
) {
    let id = match data.observation_types.iter().find(|o| o.code == kind.code) {
        Some(o) => o.id,
        None => {
            let now = Utc::now();
            let id = data
                .observation_types
                .iter()
                .map(|o| o.id)
                .max()
                .unwrap_or(0)
                + 1;
            data.observation_types.push(ObservationType {
                id,
                code: kind.code.clone(),
                parameter: kind.parameter.clone(),
                unit: kind.unit.clone(),
                scale: kind.scale.clone(),
                description: kind.description.clone(),
                domain_values: None,
                reference_frame: None,
                compartment: None,
                created: now,
                last_modified: now,
            });
            id
        }
    };
    if let Some(l) = data.layers.iter_mut().find(|l| l.uuid == layer) {
        l.observation_type = Some(id);
        l.revision = rev;
        l.last_modified = Utc::now();
    }
}
