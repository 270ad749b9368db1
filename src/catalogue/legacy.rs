//! The catalogue file of earlier tegel versions (`catalogue.json`, format 1),
//! read once into the database when a data dir is first opened by this one.
//! The file is then renamed `catalogue.json.imported`, never deleted.

use super::error::CatalogueError;
use super::graphref::single_source_graph;
use super::records::{AccessModifier, Organisation, RasterLayer, epoch};
use super::snapshot::CatalogueData;
use super::source::RasterSource;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Map, Value};
use std::path::Path;
use uuid::Uuid;

pub const FILE_NAME: &str = "catalogue.json";

#[derive(Deserialize)]
struct File {
    format: u32,
    #[serde(default)]
    revision: u64,
    #[serde(default)]
    organisations: Vec<Organisation>,
    #[serde(default)]
    sources: Vec<RasterSource>,
    #[serde(default)]
    layers: Vec<Layer>,
}

/// A format-1 layer: one source and a style string.
#[derive(Deserialize)]
struct Layer {
    uuid: Uuid,
    name: String,
    slug: String,
    #[serde(default)]
    description: String,
    organisation: Uuid,
    access_modifier: AccessModifier,
    source: Uuid,
    style: String,
    created: DateTime<Utc>,
    last_modified: DateTime<Utc>,
    revision: u64,
}

/// The old file's content as catalogue data, or `None` when there is none.
/// `frame_bytes(source, file)` sizes a frame in the store.
pub fn read(
    data_dir: &Path,
    frame_bytes: impl Fn(Uuid, &str) -> u64,
) -> Result<Option<CatalogueData>, CatalogueError> {
    let path = data_dir.join(FILE_NAME);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(CatalogueError::Io {
                path: path.display().to_string(),
                source,
            });
        }
    };
    let corrupt = |message: String| CatalogueError::Corrupt {
        path: path.display().to_string(),
        message,
    };
    let file: File = serde_json::from_slice(&bytes).map_err(|e| corrupt(e.to_string()))?;
    if file.format != 1 {
        return Err(corrupt(format!(
            "unknown catalogue file format {}",
            file.format
        )));
    }
    let mut sources = file.sources;
    for s in &mut sources {
        for f in &mut s.frames {
            f.bytes = frame_bytes(s.uuid, &f.file);
        }
    }
    let organisations = file
        .organisations
        .into_iter()
        .map(|mut o| {
            if o.created == epoch() {
                o.created = Utc::now();
                o.last_modified = o.created;
            }
            o
        })
        .collect();
    let layers = file.layers.into_iter().map(upgrade_layer).collect();
    Ok(Some(CatalogueData {
        revision: file.revision,
        organisations,
        sources,
        layers,
        ..CatalogueData::default()
    }))
}

fn upgrade_layer(l: Layer) -> RasterLayer {
    let mut options = Map::new();
    options.insert("styles".into(), Value::String(l.style));
    RasterLayer {
        uuid: l.uuid,
        name: l.name,
        slug: l.slug,
        description: l.description,
        organisation: l.organisation,
        access_modifier: l.access_modifier,
        supplier: None,
        shared_with: Vec::new(),
        weight: 0,
        graph: single_source_graph(l.source),
        observation_type: None,
        layer_collections: Vec::new(),
        options,
        colormap: None,
        rescalable: true,
        aggregation_type: "none".into(),
        created: l.created,
        last_modified: l.last_modified,
        revision: l.revision,
    }
}

/// Marks the old file as imported by renaming it.
pub fn retire(data_dir: &Path) -> Result<(), CatalogueError> {
    let path = data_dir.join(FILE_NAME);
    let to = data_dir.join(format!("{FILE_NAME}.imported"));
    std::fs::rename(&path, &to).map_err(|source| CatalogueError::Io {
        path: path.display().to_string(),
        source,
    })
}
