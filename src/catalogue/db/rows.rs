//! How each record type maps onto its table: the key, the queryable columns
//! and the JSON document. Frames are rows of their own, so adding a frame to
//! a source with thousands writes one row, not the whole source.

use super::super::people::{ApiKey, Role, User};
use super::super::records::{LayerCollection, ObservationType, Organisation, RasterLayer, Task};
use super::super::source::{Frame, RasterSource};
use rusqlite::types::Value as Sql;
use serde::Serialize;
use serde::de::DeserializeOwned;
use uuid::Uuid;

/// A record stored as one row.
pub trait Row: Serialize + DeserializeOwned + PartialEq {
    const TABLE: &'static str;
    /// The columns besides `key` and `doc`, in the order of [`Row::columns`].
    const COLUMNS: &'static [&'static str];
    fn key(&self) -> Key;
    fn columns(&self) -> Vec<Sql>;
}

/// A row's primary key.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Key {
    Int(i64),
    Text(String),
}

impl Key {
    fn text(s: impl ToString) -> Key {
        Key::Text(s.to_string())
    }

    pub fn sql(&self) -> Sql {
        match self {
            Key::Int(i) => Sql::Integer(*i),
            Key::Text(t) => Sql::Text(t.clone()),
        }
    }
}

fn text(s: impl ToString) -> Sql {
    Sql::Text(s.to_string())
}

impl Row for Organisation {
    const TABLE: &'static str = "organisations";
    const COLUMNS: &'static [&'static str] = &["slug", "name"];
    fn key(&self) -> Key {
        Key::text(self.uuid)
    }
    fn columns(&self) -> Vec<Sql> {
        vec![text(&self.slug), text(&self.name)]
    }
}

impl Row for User {
    const TABLE: &'static str = "users";
    const COLUMNS: &'static [&'static str] = &["username"];
    fn key(&self) -> Key {
        Key::Int(self.id)
    }
    fn columns(&self) -> Vec<Sql> {
        vec![text(&self.username)]
    }
}

impl Row for Role {
    const TABLE: &'static str = "roles";
    const COLUMNS: &'static [&'static str] = &["user_id", "organisation", "role"];
    fn key(&self) -> Key {
        Key::text(format!(
            "{}/{}/{}",
            self.user,
            self.organisation,
            self.role.name()
        ))
    }
    fn columns(&self) -> Vec<Sql> {
        vec![
            Sql::Integer(self.user),
            text(self.organisation),
            text(self.role.name()),
        ]
    }
}

impl Row for ApiKey {
    const TABLE: &'static str = "api_keys";
    const COLUMNS: &'static [&'static str] = &["user_id"];
    fn key(&self) -> Key {
        Key::text(&self.prefix)
    }
    fn columns(&self) -> Vec<Sql> {
        vec![Sql::Integer(self.user)]
    }
}

impl Row for ObservationType {
    const TABLE: &'static str = "observation_types";
    const COLUMNS: &'static [&'static str] = &["code"];
    fn key(&self) -> Key {
        Key::Int(self.id)
    }
    fn columns(&self) -> Vec<Sql> {
        vec![text(&self.code)]
    }
}

impl Row for LayerCollection {
    const TABLE: &'static str = "layer_collections";
    const COLUMNS: &'static [&'static str] = &["slug", "organisation"];
    fn key(&self) -> Key {
        Key::text(self.uuid)
    }
    fn columns(&self) -> Vec<Sql> {
        vec![text(&self.slug), text(self.organisation)]
    }
}

/// A source row holds the source without its frames.
impl Row for RasterSource {
    const TABLE: &'static str = "raster_sources";
    const COLUMNS: &'static [&'static str] = &["organisation", "name"];
    fn key(&self) -> Key {
        Key::text(self.uuid)
    }
    fn columns(&self) -> Vec<Sql> {
        vec![text(self.organisation), text(&self.name)]
    }
}

/// One frame of one source.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
pub struct FrameRow {
    pub source: Uuid,
    #[serde(flatten)]
    pub frame: Frame,
}

impl Row for FrameRow {
    const TABLE: &'static str = "frames";
    const COLUMNS: &'static [&'static str] = &["source", "timestamp"];
    fn key(&self) -> Key {
        Key::text(format!("{}/{}", self.source, self.frame.file))
    }
    fn columns(&self) -> Vec<Sql> {
        vec![
            text(self.source),
            match self.frame.timestamp {
                Some(t) => text(t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)),
                None => Sql::Null,
            },
        ]
    }
}

impl Row for RasterLayer {
    const TABLE: &'static str = "raster_layers";
    const COLUMNS: &'static [&'static str] = &["organisation", "slug", "name"];
    fn key(&self) -> Key {
        Key::text(self.uuid)
    }
    fn columns(&self) -> Vec<Sql> {
        vec![text(self.organisation), text(&self.slug), text(&self.name)]
    }
}

impl Row for Task {
    const TABLE: &'static str = "tasks";
    const COLUMNS: &'static [&'static str] = &["status", "created"];
    fn key(&self) -> Key {
        Key::text(self.id)
    }
    fn columns(&self) -> Vec<Sql> {
        vec![
            text(self.status.name()),
            text(
                self.created
                    .to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            ),
        ]
    }
}

/// Sources without frames, and the frames as rows.
pub fn split_sources(sources: &[RasterSource]) -> (Vec<RasterSource>, Vec<FrameRow>) {
    let mut bare = Vec::with_capacity(sources.len());
    let mut frames = Vec::new();
    for s in sources {
        frames.extend(s.frames.iter().map(|f| FrameRow {
            source: s.uuid,
            frame: f.clone(),
        }));
        bare.push(RasterSource {
            frames: Vec::new(),
            ..s.clone()
        });
    }
    (bare, frames)
}
