//! The database schema as numbered migrations. `PRAGMA user_version` holds
//! the number of migrations applied; opening a database runs the rest, each
//! in the transaction that also records it.
//!
//! Every object table keeps the whole record as a JSON document (`doc`) plus
//! the columns people query and the constraints the database should guard
//! (unique slugs and usernames) — DESIGN §6.

/// Migration `i` brings a database from version `i` to `i + 1`.
pub const MIGRATIONS: &[&str] = &[
    // 1: the first schema.
    "
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    INSERT INTO meta (key, value) VALUES ('revision', '0');
    CREATE TABLE organisations (
        key  TEXT PRIMARY KEY,
        slug TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        doc  TEXT NOT NULL
    );
    CREATE TABLE users (
        key      INTEGER PRIMARY KEY,
        username TEXT NOT NULL UNIQUE COLLATE NOCASE,
        doc      TEXT NOT NULL
    );
    CREATE TABLE roles (
        key          TEXT PRIMARY KEY,
        user_id      INTEGER NOT NULL,
        organisation TEXT NOT NULL,
        role         TEXT NOT NULL,
        doc          TEXT NOT NULL
    );
    CREATE TABLE api_keys (
        key     TEXT PRIMARY KEY,
        user_id INTEGER NOT NULL,
        doc     TEXT NOT NULL
    );
    CREATE TABLE observation_types (
        key  INTEGER PRIMARY KEY,
        code TEXT NOT NULL,
        doc  TEXT NOT NULL
    );
    CREATE TABLE layer_collections (
        key          TEXT PRIMARY KEY,
        slug         TEXT NOT NULL UNIQUE,
        organisation TEXT NOT NULL,
        doc          TEXT NOT NULL
    );
    CREATE TABLE raster_sources (
        key          TEXT PRIMARY KEY,
        organisation TEXT NOT NULL,
        name         TEXT NOT NULL,
        doc          TEXT NOT NULL
    );
    CREATE TABLE frames (
        key       TEXT PRIMARY KEY,
        source    TEXT NOT NULL,
        timestamp TEXT,
        doc       TEXT NOT NULL
    );
    CREATE INDEX frames_by_source ON frames (source, timestamp);
    CREATE TABLE raster_layers (
        key          TEXT PRIMARY KEY,
        organisation TEXT NOT NULL,
        slug         TEXT NOT NULL,
        name         TEXT NOT NULL,
        doc          TEXT NOT NULL,
        UNIQUE (organisation, slug)
    );
    CREATE TABLE tasks (
        key     TEXT PRIMARY KEY,
        status  TEXT NOT NULL,
        created TEXT NOT NULL,
        doc     TEXT NOT NULL
    );
    ",
];
