//! The demo data set: `fixtures/demo/demo.json` and the GeoTIFFs beside it,
//! ingested by `tegel serve` into an empty data dir.

use super::durable::Catalogue;
use super::error::CatalogueError;
use super::ingest::{IngestOutcome, IngestRequest, ingest};
use super::records::AccessModifier;
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
        made.push(ingest(catalogue, store, &req, limits, &mut |_, _, _| {})?);
    }
    Ok(made)
}
