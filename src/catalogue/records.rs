//! The catalogue's records: organisations, raster layers, observation types,
//! layer collections and tasks. Plain serialisable values; raster sources live
//! in `source.rs`, users and keys in `people.rs`, rules in `access.rs`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

/// An organisation: owner of sources and layers; its slug namespaces WMS layer names.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Organisation {
    pub uuid: Uuid,
    pub name: String,
    pub slug: String,
    /// May its raster layers use graphs beyond a single source?
    #[serde(default = "yes")]
    pub geoblocks: bool,
    #[serde(default = "epoch")]
    pub created: DateTime<Utc>,
    #[serde(default = "epoch")]
    pub last_modified: DateTime<Utc>,
}

fn yes() -> bool {
    true
}

/// 1970-01-01: the creation time of records that predate the field.
pub fn epoch() -> DateTime<Utc> {
    DateTime::<Utc>::UNIX_EPOCH
}

/// Who may see an object (Lizard's `access_modifier`); see `access.rs` for
/// what each means.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
pub enum AccessModifier {
    #[default]
    Public,
    Common,
    Private,
    Hidden,
}

impl AccessModifier {
    /// Parses Lizard's names (any case) and numeric codes (0/100/200/300).
    pub fn parse(s: &str) -> Option<AccessModifier> {
        match s.trim().to_ascii_lowercase().as_str() {
            "public" | "0" => Some(AccessModifier::Public),
            "common" | "100" => Some(AccessModifier::Common),
            "private" | "200" => Some(AccessModifier::Private),
            "hidden" | "300" => Some(AccessModifier::Hidden),
            _ => None,
        }
    }

    /// Lizard's name, as the API shows it.
    pub fn name(self) -> &'static str {
        match self {
            AccessModifier::Public => "Public",
            AccessModifier::Common => "Common",
            AccessModifier::Private => "Private",
            AccessModifier::Hidden => "Hidden",
        }
    }

    /// Readable by anonymous callers.
    pub fn is_public(self) -> bool {
        self == AccessModifier::Public
    }
}

/// A raster layer: the published, styled view of a graph over raster sources.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RasterLayer {
    pub uuid: Uuid,
    pub name: String,
    /// Unique within the organisation; `<org slug>:<slug>` is the WMS name.
    pub slug: String,
    pub description: String,
    pub organisation: Uuid,
    pub access_modifier: AccessModifier,
    /// The username of the user who supplies the data.
    pub supplier: Option<String>,
    /// Organisations whose members may read the layer too.
    pub shared_with: Vec<Uuid>,
    pub weight: i64,
    /// The `source` field: `{"name": key, "graph": {key: node, …}}`.
    pub graph: Value,
    pub observation_type: Option<i64>,
    pub layer_collections: Vec<Uuid>,
    /// WMS parameters for viewers; `styles` is the default STYLES string.
    pub options: Map<String, Value>,
    /// A custom colormap in Lizard's JSON, or `None`.
    pub colormap: Option<Value>,
    pub rescalable: bool,
    pub aggregation_type: String,
    pub created: DateTime<Utc>,
    pub last_modified: DateTime<Utc>,
    /// Catalogue revision of the last change to this layer.
    pub revision: u64,
}

impl RasterLayer {
    /// The default STYLES string: `options.styles`, else `viridis`.
    pub fn default_style(&self) -> &str {
        self.options
            .get("styles")
            .and_then(Value::as_str)
            .filter(|s| !s.trim().is_empty())
            .unwrap_or("viridis")
    }
}

/// What a raster's values measure (`/api/v4/observationtypes/`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ObservationType {
    pub id: i64,
    pub code: String,
    pub parameter: String,
    pub unit: String,
    /// `interval`, `ratio`, `nominal` or `ordinal`.
    pub scale: String,
    pub description: String,
    pub domain_values: Option<String>,
    pub reference_frame: Option<String>,
    pub compartment: Option<String>,
    pub created: DateTime<Utc>,
    pub last_modified: DateTime<Utc>,
}

/// A named group of layers; its slug is also a WMS scope (`/wms/<slug>/`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LayerCollection {
    pub uuid: Uuid,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub organisation: Uuid,
    pub access_modifier: AccessModifier,
    pub supplier: Option<String>,
    pub created: DateTime<Utc>,
    pub last_modified: DateTime<Utc>,
}

/// Where a background task is (Celery's names, as Lizard clients poll them).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TaskStatus {
    Pending,
    Started,
    Success,
    Failure,
}

impl TaskStatus {
    pub fn name(self) -> &'static str {
        match self {
            TaskStatus::Pending => "PENDING",
            TaskStatus::Started => "STARTED",
            TaskStatus::Success => "SUCCESS",
            TaskStatus::Failure => "FAILURE",
        }
    }

    pub fn finished(self) -> bool {
        matches!(self, TaskStatus::Success | TaskStatus::Failure)
    }
}

/// A background job (an upload's ingest); `params` and `result` are the
/// job's own JSON.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Task {
    pub id: Uuid,
    /// What the task does, e.g. `raster_upload`.
    pub kind: String,
    pub status: TaskStatus,
    /// The user who started it (only they and superusers may see it).
    pub user: Option<i64>,
    /// The object the task works on.
    pub object: Option<Uuid>,
    pub params: Value,
    pub result: Value,
    /// Why it failed, for the client.
    pub error: Option<String>,
    pub created: DateTime<Utc>,
    pub started: Option<DateTime<Utc>>,
    pub finished: Option<DateTime<Utc>>,
}
