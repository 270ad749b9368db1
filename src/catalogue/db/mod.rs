//! The durable catalogue: one SQLite database (`catalogue.sqlite` in the data
//! dir), opened by the server and by `tegel ingest`/`tegel admin` alike.
//!
//! * WAL journal, `synchronous=FULL`: a committed write survives a crash or
//!   power loss; a crash mid-write leaves the previous state.
//! * Writes are `BEGIN IMMEDIATE` transactions, so writers in different
//!   processes take turns (waiting up to [`BUSY_WAIT`]); each write bumps the
//!   `revision` in `meta`, which readers poll to notice other processes'
//!   writes.
//! * A write stores only the rows that differ between the state before and
//!   after the change (see [`sync`]).

mod rows;
mod schema;

use super::error::CatalogueError;
use super::snapshot::CatalogueData;
use super::source::RasterSource;
use rows::{FrameRow, Row};
use rusqlite::types::Value as Sql;
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub const FILE_NAME: &str = "catalogue.sqlite";
/// How long a writer waits for another process's transaction.
pub const BUSY_WAIT: Duration = Duration::from_secs(60);

pub struct Db {
    conn: Connection,
    path: PathBuf,
}

impl Db {
    /// Opens (creating when absent) the database and applies pending migrations.
    pub fn open(path: &Path) -> Result<Db, CatalogueError> {
        let mut db = Db {
            conn: Connection::open(path).map_err(|e| db_err(path, e))?,
            path: path.to_owned(),
        };
        db.conn
            .busy_timeout(BUSY_WAIT)
            .and_then(|()| use_wal(&db.conn))
            .and_then(|()| db.conn.pragma_update(None, "synchronous", "FULL"))
            .map_err(|e| db_err(path, e))?;
        db.migrate()?;
        Ok(db)
    }

    fn migrate(&mut self) -> Result<(), CatalogueError> {
        let path = self.path.clone();
        let err = |e| db_err(&path, e);
        // Up to date: no write lock needed (another process may hold it).
        let version: usize = self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(err)?;
        if version == schema::MIGRATIONS.len() {
            return Ok(());
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(err)?;
        let version: usize = tx
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(err)?;
        if version > schema::MIGRATIONS.len() {
            return Err(CatalogueError::Corrupt {
                path: path.display().to_string(),
                message: format!(
                    "schema version {version} is newer than this tegel understands ({})",
                    schema::MIGRATIONS.len()
                ),
            });
        }
        for (i, sql) in schema::MIGRATIONS.iter().enumerate().skip(version) {
            tx.execute_batch(sql).map_err(err)?;
            tx.pragma_update(None, "user_version", i + 1).map_err(err)?;
            tracing::info!(path = %path.display(), version = i + 1, "catalogue schema migrated");
        }
        tx.commit().map_err(err)
    }

    /// The revision of the last committed write.
    pub fn revision(&self) -> Result<u64, CatalogueError> {
        read_revision(&self.conn).map_err(|e| db_err(&self.path, e))
    }

    /// Everything, as committed.
    pub fn load(&self) -> Result<CatalogueData, CatalogueError> {
        load(&self.conn).map_err(|e| db_err(&self.path, e))
    }

    /// Runs `change` on the committed state (`current` when it is still the
    /// newest, else re-read) in one transaction with a new revision, and
    /// stores what it changed. Returns the new state and `change`'s value;
    /// nothing is stored when `change` fails.
    pub fn write<T>(
        &mut self,
        current: &CatalogueData,
        change: impl FnOnce(&mut CatalogueData, u64) -> Result<T, CatalogueError>,
    ) -> Result<(CatalogueData, T), CatalogueError> {
        let path = self.path.clone();
        let err = |e| db_err(&path, e);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(err)?;
        let committed = read_revision(&tx).map_err(err)?;
        let fresh;
        let before = if committed == current.revision {
            current
        } else {
            fresh = load(&tx).map_err(err)?;
            &fresh
        };
        let mut after = before.clone();
        after.revision = committed + 1;
        let revision = after.revision;
        let out = change(&mut after, revision)?;
        sync_all(&tx, before, &after).map_err(err)?;
        tx.execute(
            "UPDATE meta SET value = ?1 WHERE key = 'revision'",
            params![after.revision.to_string()],
        )
        .map_err(err)?;
        tx.commit().map_err(err)?;
        Ok((after, out))
    }
}

/// Puts the database in WAL mode (a property of the file, so only its first
/// opener changes anything). Switching needs the file to itself, and SQLite
/// answers `SQLITE_BUSY` to a switch that finds another connection reading
/// without consulting the busy handler; processes opening a new data dir at
/// the same moment would fail. So a busy switch is retried here, for as long
/// as a writer would wait.
fn use_wal(conn: &Connection) -> rusqlite::Result<()> {
    let started = std::time::Instant::now();
    let mut pause = Duration::from_millis(1);
    loop {
        match conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get::<_, String>(0)) {
            Ok(mode) if mode.eq_ignore_ascii_case("wal") => return Ok(()),
            Ok(mode) => {
                return Err(rusqlite::Error::SqliteFailure(
                    rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CANTOPEN),
                    Some(format!("the journal mode stays {mode:?}; WAL is needed")),
                ));
            }
            Err(e)
                if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy)
                    && started.elapsed() < BUSY_WAIT =>
            {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(50));
            }
            Err(e) => return Err(e),
        }
    }
}

fn read_revision(conn: &Connection) -> rusqlite::Result<u64> {
    let text: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = 'revision'", [], |r| {
            r.get(0)
        })
        .optional()?;
    Ok(text.and_then(|t| t.parse().ok()).unwrap_or(0))
}

fn load_table<T: Row>(conn: &Connection) -> rusqlite::Result<Vec<T>> {
    let mut stmt = conn.prepare(&format!("SELECT doc FROM {} ORDER BY rowid", T::TABLE))?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    rows.map(|doc| {
        let doc = doc?;
        serde_json::from_str(&doc).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
        })
    })
    .collect()
}

fn load(conn: &Connection) -> rusqlite::Result<CatalogueData> {
    let mut sources: Vec<RasterSource> = load_table(conn)?;
    let frames: Vec<FrameRow> = load_table(conn)?;
    let at: HashMap<_, _> = sources
        .iter()
        .enumerate()
        .map(|(i, s)| (s.uuid, i))
        .collect();
    for row in frames {
        if let Some(&i) = at.get(&row.source) {
            sources[i].frames.push(row.frame);
        }
    }
    for s in &mut sources {
        s.frames.sort_by_key(|f| f.timestamp);
    }
    Ok(CatalogueData {
        revision: read_revision(conn)?,
        organisations: load_table(conn)?,
        users: load_table(conn)?,
        roles: load_table(conn)?,
        api_keys: load_table(conn)?,
        observation_types: load_table(conn)?,
        layer_collections: load_table(conn)?,
        sources,
        layers: load_table(conn)?,
        tasks: load_table(conn)?,
    })
}

fn sync_all(
    tx: &Transaction,
    before: &CatalogueData,
    after: &CatalogueData,
) -> rusqlite::Result<()> {
    sync(tx, &before.organisations, &after.organisations)?;
    sync(tx, &before.users, &after.users)?;
    sync(tx, &before.roles, &after.roles)?;
    sync(tx, &before.api_keys, &after.api_keys)?;
    sync(tx, &before.observation_types, &after.observation_types)?;
    sync(tx, &before.layer_collections, &after.layer_collections)?;
    sync_sources(tx, &before.sources, &after.sources)?;
    sync(tx, &before.layers, &after.layers)?;
    sync(tx, &before.tasks, &after.tasks)
}

/// Stores the rows of `after` that differ from `before` and deletes the
/// rows `after` no longer has. Upserts keep a row's `rowid`, so load order
/// stays creation order.
fn sync<T: Row>(tx: &Transaction, before: &[T], after: &[T]) -> rusqlite::Result<()> {
    let old: HashMap<rows::Key, &T> = before.iter().map(|r| (r.key(), r)).collect();
    let mut kept = std::collections::HashSet::new();
    let cols = T::COLUMNS;
    let names = cols.join(", ");
    let marks: Vec<String> = (0..cols.len() + 2).map(|i| format!("?{}", i + 1)).collect();
    let updates: Vec<String> = cols
        .iter()
        .chain(&["doc"])
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    let upsert = format!(
        "INSERT INTO {t} (key, {names}{sep}doc) VALUES ({marks}) \
         ON CONFLICT(key) DO UPDATE SET {updates}",
        t = T::TABLE,
        sep = if cols.is_empty() { "" } else { ", " },
        marks = marks.join(", "),
        updates = updates.join(", "),
    );
    for row in after {
        let key = row.key();
        if old.get(&key).is_none_or(|o| *o != row) {
            let doc = serde_json::to_string(row)
                .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
            let mut values = vec![key.sql()];
            values.extend(row.columns());
            values.push(Sql::Text(doc));
            tx.prepare_cached(&upsert)?
                .execute(rusqlite::params_from_iter(values))?;
        }
        kept.insert(key);
    }
    let delete = format!("DELETE FROM {} WHERE key = ?1", T::TABLE);
    for key in old.keys().filter(|k| !kept.contains(*k)) {
        tx.prepare_cached(&delete)?.execute([key.sql()])?;
    }
    Ok(())
}

/// Sources are stored bare, their frames as rows; only changed sources are
/// compared frame by frame.
fn sync_sources(
    tx: &Transaction,
    before: &[RasterSource],
    after: &[RasterSource],
) -> rusqlite::Result<()> {
    let old: HashMap<_, _> = before.iter().map(|s| (s.uuid, s)).collect();
    let changed: Vec<&RasterSource> = after
        .iter()
        .filter(|s| old.get(&s.uuid).is_none_or(|o| *o != *s))
        .collect();
    let gone: Vec<&RasterSource> = {
        let now: std::collections::HashSet<_> = after.iter().map(|s| s.uuid).collect();
        before.iter().filter(|s| !now.contains(&s.uuid)).collect()
    };
    let was: Vec<RasterSource> = changed
        .iter()
        .filter_map(|s| old.get(&s.uuid).map(|o| (*o).clone()))
        .chain(gone.iter().map(|s| (*s).clone()))
        .collect();
    let is: Vec<RasterSource> = changed.iter().map(|s| (*s).clone()).collect();
    let (was_bare, was_frames) = rows::split_sources(&was);
    let (is_bare, is_frames) = rows::split_sources(&is);
    // Rows of sources neither changed nor gone are untouched: `sync` only
    // deletes keys present in its `before`.
    sync(tx, &was_bare, &is_bare)?;
    sync(tx, &was_frames, &is_frames)
}

fn db_err(path: &Path, e: rusqlite::Error) -> CatalogueError {
    if let rusqlite::Error::SqliteFailure(f, msg) = &e {
        if f.code == rusqlite::ErrorCode::ConstraintViolation {
            return CatalogueError::Conflict(format!(
                "the change conflicts with a stored object ({})",
                msg.as_deref().unwrap_or("a unique value is taken")
            ));
        }
    }
    CatalogueError::Database {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}
