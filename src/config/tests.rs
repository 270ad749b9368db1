//! Tests of loading, merging, overriding and validating the configuration.

use super::*;
use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

const SHIPPED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/config/tegel.toml");

fn no_env() -> Vec<(String, String)> {
    Vec::new()
}

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// A config file with `text` in the temp directory, removed on drop.
struct TempFile(PathBuf);

impl TempFile {
    fn new(name: &str, text: &str) -> TempFile {
        let path =
            std::env::temp_dir().join(format!("tegel-config-{}-{name}.toml", std::process::id()));
        std::fs::write(&path, text).unwrap();
        TempFile(path)
    }
    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn keys(table: &toml::Table) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (section, body) in table {
        for key in body.as_table().unwrap().keys() {
            out.insert(format!("{section}.{key}"));
        }
    }
    out
}

#[test]
fn shipped_file_equals_builtin_defaults() {
    let from_file = Config::load(Some(Path::new(SHIPPED)), no_env()).unwrap();
    let builtin = Config::load(None, no_env()).unwrap();
    assert_eq!(from_file, builtin);
    assert_eq!(builtin, Config::default());
}

#[test]
fn shipped_file_lists_every_key() {
    let text = std::fs::read_to_string(SHIPPED).unwrap();
    let file: toml::Table = text.parse().unwrap();
    let defaults = toml::Table::try_from(Config::default()).unwrap();
    assert_eq!(keys(&file), keys(&defaults));
    assert_eq!(keys(&defaults).len(), 35);
    // Every key line has a comment above it (possibly shared by a group of keys).
    let lines: Vec<&str> = text.lines().collect();
    let is_key = |l: &str| !l.starts_with('#') && l.contains(" = ");
    for (i, line) in lines.iter().enumerate().filter(|(_, l)| is_key(l)) {
        let above = lines[..i].iter().rev().find(|l| !is_key(l));
        assert!(
            above.is_some_and(|l| l.starts_with('#')),
            "no comment above `{line}`"
        );
    }
}

#[test]
fn defaults_have_documented_values() {
    let c = Config::default();
    assert_eq!(
        c.server.listen,
        "127.0.0.1:8080".parse::<SocketAddr>().unwrap()
    );
    assert_eq!(c.server.public_url(), "http://127.0.0.1:8080");
    assert_eq!(c.server.data_dir, PathBuf::from("./data"));
    assert_eq!(c.cache.max_bytes, ByteSize(536_870_912));
    assert!(c.cache.enabled());
    assert_eq!(c.cache.cache_control, "public, max-age=3600");
    assert!(c.demo.ingest_on_empty);
    assert_eq!(c.wms.exception_status, 200);
    assert!(c.render.effective_threads() >= 1);
}

#[test]
fn partial_file_keeps_other_defaults() {
    let f = TempFile::new(
        "partial",
        "[render]\nmax_width = 2048\n[cache]\nmax_bytes = 1000\n",
    );
    let c = Config::load(Some(f.path()), no_env()).unwrap();
    assert_eq!(c.render.max_width, 2048);
    assert_eq!(c.render.max_height, 4096);
    assert_eq!(c.cache.max_bytes, ByteSize(1000));
    assert_eq!(c.server, ServerConfig::default());
}

#[test]
fn unknown_file_key_is_named_with_its_section() {
    let f = TempFile::new(
        "unknown",
        "[server]\nlisten = \"127.0.0.1:1\"\nlisten_port = 8080\n",
    );
    match Config::load(Some(f.path()), no_env()) {
        Err(ConfigError::UnknownKey { key, .. }) => assert_eq!(key, "server.listen_port"),
        other => panic!("{other:?}"),
    }
    let f = TempFile::new("unknown-section", "[srever]\nlisten = \"127.0.0.1:1\"\n");
    match Config::load(Some(f.path()), no_env()) {
        Err(e @ ConfigError::UnknownKey { .. }) => {
            assert!(e.to_string().contains("`srever`"), "{e}")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn ill_typed_file_value_is_named() {
    let f = TempFile::new("typed", "[render]\nmax_width = \"wide\"\n");
    let e = Config::load(Some(f.path()), no_env()).unwrap_err();
    assert!(matches!(e, ConfigError::BadValue { .. }), "{e:?}");
    assert!(e.to_string().contains("`render.max_width`"), "{e}");
    let f = TempFile::new("notoml", "[render\n");
    assert!(matches!(
        Config::load(Some(f.path()), no_env()),
        Err(ConfigError::Parse { .. })
    ));
    let missing = Config::load(Some(Path::new("/nonexistent/tegel.toml")), no_env()).unwrap_err();
    assert!(matches!(missing, ConfigError::Read { .. }));
    assert_eq!(missing.class(), crate::model::ErrorClass::Internal);
}

#[test]
fn env_overrides_are_typed() {
    let c = Config::load(
        None,
        env(&[
            ("TEGEL_CACHE_MAX_BYTES", "0"),
            ("TEGEL_SERVER_LISTEN", "0.0.0.0:9000"),
            ("TEGEL_DEMO_INGEST_ON_EMPTY", "false"),
            ("TEGEL_WMS_ABSTRACT", "Kwel en wegzijging"),
            ("TEGEL_STORAGE_MAX_UPLOAD_BYTES", "1.5GiB"),
            ("TEGEL_RENDER_THREADS", " 3 "),
            ("PATH", "/usr/bin"),
        ]),
    )
    .unwrap();
    assert_eq!(c.cache.max_bytes, ByteSize(0));
    assert!(!c.cache.enabled());
    assert_eq!(
        c.server.listen,
        "0.0.0.0:9000".parse::<SocketAddr>().unwrap()
    );
    assert_eq!(c.server.public_url(), "http://127.0.0.1:9000");
    assert!(!c.demo.ingest_on_empty);
    assert_eq!(c.wms.abstract_text, "Kwel en wegzijging");
    assert_eq!(c.storage.max_upload_bytes, ByteSize(1_610_612_736));
    assert_eq!(c.render.threads, 3);
    assert_eq!(c.render.effective_threads(), 3);
}

#[test]
fn env_wins_over_file() {
    let f = TempFile::new("precedence", "[cache]\nmax_bytes = \"1GB\"\n");
    let c = Config::load(Some(f.path()), env(&[("TEGEL_CACHE_MAX_BYTES", "64MiB")])).unwrap();
    assert_eq!(c.cache.max_bytes, ByteSize(64 << 20));
}

#[test]
fn bad_env_value_names_the_variable() {
    for (var, value) in [
        ("TEGEL_RENDER_MAX_WIDTH", "abc"),
        ("TEGEL_RENDER_MAX_WIDTH", "-5"),
        ("TEGEL_SERVER_LISTEN", "localhost"),
        ("TEGEL_CACHE_MAX_BYTES", "lots"),
        ("TEGEL_DEMO_INGEST_ON_EMPTY", "maybe"),
    ] {
        let e = Config::load(None, env(&[(var, value)])).unwrap_err();
        match &e {
            ConfigError::BadValue { origin, .. } => assert_eq!(origin, var),
            other => panic!("{var}={value}: {other:?}"),
        }
        assert!(e.to_string().contains(var), "{e}");
    }
}

#[test]
fn unknown_env_variable_is_an_error_except_non_config_ones() {
    for var in [
        "TEGEL_CACHE_MAXBYTES",
        "TEGEL_NOPE",
        "TEGEL_",
        "TEGEL_SERVER",
    ] {
        match Config::load(None, env(&[(var, "1")])) {
            Err(ConfigError::UnknownVar { var: named }) => assert_eq!(named, var),
            other => panic!("{var}: {other:?}"),
        }
    }
    let ok = env(&[
        ("TEGEL_ADMIN_KEY", "secret"),
        ("TEGEL_LOG", "debug"),
        ("TEGEL_BLESS", "1"),
        ("HOME", "/root"),
    ]);
    assert_eq!(Config::load(None, ok).unwrap(), Config::default());
}

#[test]
fn ranges_are_checked_and_name_the_origin() {
    let f = TempFile::new("range", "[render]\nmax_width = 0\n");
    match Config::load(Some(f.path()), no_env()) {
        Err(ConfigError::Invalid { key, origin, .. }) => {
            assert_eq!(key, "render.max_width");
            assert!(origin.contains("`render.max_width` in "), "{origin}");
        }
        other => panic!("{other:?}"),
    }
    for (var, value, key) in [
        ("TEGEL_WMS_EXCEPTION_STATUS", "500", "wms.exception_status"),
        ("TEGEL_RENDER_QUEUE_DEPTH", "0", "render.queue_depth"),
        (
            "TEGEL_STORAGE_MAX_UPLOAD_BYTES",
            "0",
            "storage.max_upload_bytes",
        ),
        (
            "TEGEL_SERVER_PUBLIC_URL",
            "ftp://example.org",
            "server.public_url",
        ),
        (
            "TEGEL_SERVER_PUBLIC_URL",
            "https://example.org/tegel?x=1",
            "server.public_url",
        ),
        (
            "TEGEL_SERVER_PUBLIC_URL",
            "example.org/tegel",
            "server.public_url",
        ),
        (
            "TEGEL_SERVER_PUBLIC_URL",
            "https://user@example.org",
            "server.public_url",
        ),
        (
            "TEGEL_CACHE_CACHE_CONTROL",
            "max-age=1\r\nX-Evil: 1",
            "cache.cache_control",
        ),
    ] {
        match Config::load(None, env(&[(var, value)])) {
            Err(ConfigError::Invalid { key: k, origin, .. }) => {
                assert_eq!(k, key);
                assert_eq!(origin, var);
            }
            other => panic!("{var}={value}: {other:?}"),
        }
    }
}

#[test]
fn public_url_is_normalised_and_derived() {
    let c = Config::load(
        None,
        env(&[("TEGEL_SERVER_PUBLIC_URL", "https://maps.example.org/tegel/")]),
    )
    .unwrap();
    assert_eq!(c.server.public_url, "https://maps.example.org/tegel");
    assert_eq!(
        c.server.public_url_for("127.0.0.1:1234".parse().unwrap()),
        "https://maps.example.org/tegel"
    );
    let d = ServerConfig::default();
    assert_eq!(
        d.public_url_for("0.0.0.0:4321".parse().unwrap()),
        "http://127.0.0.1:4321"
    );
    assert_eq!(
        d.public_url_for("[::]:80".parse().unwrap()),
        "http://[::1]:80"
    );
    assert_eq!(
        d.public_url_for("192.168.1.2:80".parse().unwrap()),
        "http://192.168.1.2:80"
    );
}

#[test]
fn tile_matrix_sets_are_a_list_from_file_or_env() {
    let f = TempFile::new("tms", "[wmts]\ntile_matrix_sets = [\"a.json\", \"sets\"]\n");
    let c = Config::load(Some(f.path()), no_env()).unwrap();
    assert_eq!(
        c.wmts.tile_matrix_sets,
        [PathBuf::from("a.json"), PathBuf::from("sets")]
    );
    let c = Config::load(
        None,
        env(&[("TEGEL_WMTS_TILE_MATRIX_SETS", " x.json, dir ,")]),
    )
    .unwrap();
    assert_eq!(
        c.wmts.tile_matrix_sets,
        [PathBuf::from("x.json"), PathBuf::from("dir")]
    );
    let f = TempFile::new("tms-empty", "[wmts]\ntile_matrix_sets = [\"\"]\n");
    let err = Config::load(Some(f.path()), no_env())
        .unwrap_err()
        .to_string();
    assert!(err.contains("wmts.tile_matrix_sets"), "{err}");
}

#[test]
fn graph_limits_load_with_defaults_and_change_by_file_and_env() {
    let c = Config::load(None, no_env()).unwrap();
    assert_eq!(
        c.graph,
        GraphConfig {
            max_nodes: 256,
            max_depth: 64,
            max_nesting: 8,
            max_values: 1 << 26,
            max_steps: 1 << 20,
            max_cost: 1 << 32,
        }
    );
    let f = TempFile::new(
        "graph",
        "[graph]\nmax_nodes = 12\nmax_depth = 3\nmax_nesting = 2\nmax_values = 1000\nmax_steps = 50\n",
    );
    let c = Config::load(Some(f.path()), no_env()).unwrap();
    assert_eq!(
        c.graph,
        GraphConfig {
            max_nodes: 12,
            max_depth: 3,
            max_nesting: 2,
            max_values: 1000,
            max_steps: 50,
            max_cost: 1 << 32,
        }
    );
    // Each variable overrides its key, over the file's value too.
    for (var, value, read) in [
        (
            "TEGEL_GRAPH_MAX_NODES",
            "7",
            (|g: &GraphConfig| g.max_nodes) as fn(&GraphConfig) -> usize,
        ),
        ("TEGEL_GRAPH_MAX_DEPTH", "7", |g| g.max_depth),
        ("TEGEL_GRAPH_MAX_NESTING", "7", |g| g.max_nesting),
        ("TEGEL_GRAPH_MAX_VALUES", "7", |g| g.max_values),
        ("TEGEL_GRAPH_MAX_STEPS", "7", |g| g.max_steps),
    ] {
        let c = Config::load(Some(f.path()), env(&[(var, value)])).unwrap();
        assert_eq!(read(&c.graph), 7, "{var}");
        let c = Config::load(None, env(&[(var, value)])).unwrap();
        assert_eq!(read(&c.graph), 7, "{var}");
    }
}

#[test]
fn graph_limits_out_of_range_are_refused_by_key() {
    for key in [
        "max_nodes",
        "max_depth",
        "max_nesting",
        "max_values",
        "max_steps",
    ] {
        let dotted = format!("graph.{key}");
        let f = TempFile::new(
            &format!("graph-zero-{key}"),
            &format!("[graph]\n{key} = 0\n"),
        );
        let e = Config::load(Some(f.path()), no_env()).unwrap_err();
        match &e {
            ConfigError::Invalid { key: k, origin, .. } => {
                assert_eq!(k, &dotted);
                assert!(origin.contains(&format!("`{dotted}` in ")), "{origin}");
            }
            other => panic!("{key} = 0: {other:?}"),
        }
        assert!(e.to_string().contains(&dotted), "{e}");
        assert!(e.to_string().contains("at least 1"), "{e}");
        let var = format!("TEGEL_GRAPH_{}", key.to_ascii_uppercase());
        for bad in ["0", "4294967297000"] {
            match Config::load(None, env(&[(&var, bad)])) {
                Err(ConfigError::Invalid { key: k, origin, .. }) => {
                    assert_eq!(k, dotted);
                    assert_eq!(origin, var);
                }
                other => panic!("{var}={bad}: {other:?}"),
            }
        }
        match Config::load(None, env(&[(&var, "-1")])) {
            Err(ConfigError::BadValue { origin, .. }) => assert_eq!(origin, var),
            other => panic!("{var}=-1: {other:?}"),
        }
    }
    // The upper bounds themselves are allowed.
    let c = Config::load(
        None,
        env(&[
            ("TEGEL_GRAPH_MAX_NODES", "65536"),
            ("TEGEL_GRAPH_MAX_DEPTH", "256"),
            ("TEGEL_GRAPH_MAX_NESTING", "32"),
            ("TEGEL_GRAPH_MAX_VALUES", "4294967296"),
            ("TEGEL_GRAPH_MAX_STEPS", "67108864"),
        ]),
    )
    .unwrap();
    assert_eq!(c.graph.max_values, 1 << 32);
    let e = Config::load(None, env(&[("TEGEL_GRAPH_MAX_DEPTH", "257")])).unwrap_err();
    assert!(e.to_string().contains("at most 256"), "{e}");
}

#[test]
fn connection_timeouts_are_between_one_second_and_an_hour() {
    for key in ["header_timeout_secs", "body_timeout_secs"] {
        let dotted = format!("server.{key}");
        let var = format!("TEGEL_SERVER_{}", key.to_ascii_uppercase());
        for bad in ["0", "3601"] {
            match Config::load(None, env(&[(&var, bad)])) {
                Err(ConfigError::Invalid { key: k, .. }) => assert_eq!(k, dotted),
                other => panic!("{var}={bad}: {other:?}"),
            }
        }
        let c = Config::load(None, env(&[(&var, "3600")])).unwrap();
        assert_eq!(
            (c.server.header_timeout(), c.server.body_timeout()),
            if key == "header_timeout_secs" {
                (Duration::from_secs(3600), Duration::from_secs(10))
            } else {
                (Duration::from_secs(10), Duration::from_secs(3600))
            }
        );
    }
}
