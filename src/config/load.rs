//! `Config::load`: defaults, then the TOML file, then `TEGEL_*` variables, then validation.
//!
//! Values are merged one at a time onto a TOML table of the defaults, and each merge is
//! type-checked at once, so an error names the one `section.key` or variable at fault.
//! This file reads the config file only; it never reads the process environment itself.

use super::{Config, ConfigError, validate};
use std::collections::BTreeMap;
use std::path::Path;
use toml::{Table, Value};

/// `TEGEL_*` variables that are not config keys and are therefore ignored by
/// [`Config::load`]: the admin API key, the log filter and the golden-file bless switch.
pub const NON_CONFIG_VARS: &[&str] = &["TEGEL_ADMIN_KEY", "TEGEL_LOG", "TEGEL_BLESS"];

/// Prefix of the variables that override config keys: `TEGEL_<SECTION>_<KEY>`.
pub const ENV_PREFIX: &str = "TEGEL_";

impl Config {
    /// Load the configuration.
    ///
    /// * `file`: a TOML file; `None` = built-in defaults (equal to `config/tegel.toml`).
    ///   Missing keys keep their default; unknown sections or keys are an error naming
    ///   them as `section.key`.
    /// * `env`: the process environment (pass `std::env::vars()`), or any pairs in tests.
    ///   `TEGEL_<SECTION>_<KEY>` overrides `[section] key` (e.g. `TEGEL_CACHE_MAX_BYTES=0`);
    ///   values are typed like the key (integers, `true`/`false`, strings, byte sizes).
    ///   A `TEGEL_` variable naming no key is an error, except [`NON_CONFIG_VARS`].
    ///   Variables are applied in sorted order, so errors are deterministic.
    ///
    /// Then ranges are checked (see `validate.rs`). Cost: one file read and a few
    /// dozen small TOML conversions; call once at start-up.
    pub fn load(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Config, ConfigError> {
        let mut merger = Merger::new()?;
        if let Some(path) = file {
            let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                path: path.to_owned(),
                source,
            })?;
            let table: Table = text
                .parse()
                .map_err(|e: toml::de::Error| ConfigError::Parse {
                    path: path.to_owned(),
                    message: e.to_string(),
                })?;
            merger.apply_file(path, table)?;
        }
        let mut vars: Vec<(String, String)> = env
            .into_iter()
            .filter(|(k, _)| k.starts_with(ENV_PREFIX))
            .collect();
        vars.sort();
        for (name, raw) in vars {
            if !NON_CONFIG_VARS.contains(&name.as_str()) {
                merger.apply_env(&name, &raw)?;
            }
        }
        let mut config = merger.config;
        validate::validate(&mut config, &merger.origins)?;
        Ok(config)
    }
}

/// The defaults as a TOML table, with values merged in and where each came from.
struct Merger {
    table: Table,
    config: Config,
    /// `section.key` → description of who set it (file key or variable).
    origins: BTreeMap<String, String>,
}

impl Merger {
    fn new() -> Result<Merger, ConfigError> {
        let config = Config::default();
        let table = Table::try_from(&config).map_err(|e| ConfigError::BadValue {
            origin: "built-in defaults".to_owned(),
            message: e.to_string(),
        })?;
        Ok(Merger {
            table,
            config,
            origins: BTreeMap::new(),
        })
    }

    fn apply_file(&mut self, path: &Path, file: Table) -> Result<(), ConfigError> {
        let unknown = |key: String| ConfigError::UnknownKey {
            key,
            path: path.to_owned(),
        };
        for (section, body) in file {
            if !self.table.contains_key(&section) {
                return Err(unknown(section));
            }
            let Value::Table(body) = body else {
                return Err(ConfigError::BadValue {
                    origin: format!("`{section}` in {}", path.display()),
                    message: format!("expected a [{section}] table"),
                });
            };
            for (key, value) in body {
                let dotted = format!("{section}.{key}");
                if !self.has_key(&section, &key) {
                    return Err(unknown(dotted));
                }
                let origin = format!("`{dotted}` in {}", path.display());
                self.set(&section, &key, value, origin)?;
            }
        }
        Ok(())
    }

    fn apply_env(&mut self, var: &str, raw: &str) -> Result<(), ConfigError> {
        let unknown = || ConfigError::UnknownVar {
            var: var.to_owned(),
        };
        let rest = var.strip_prefix(ENV_PREFIX).ok_or_else(unknown)?;
        // Section names hold no underscore, so the first one separates section and key.
        let (section, key) = rest.split_once('_').ok_or_else(unknown)?;
        let (section, key) = (section.to_ascii_lowercase(), key.to_ascii_lowercase());
        let current = self
            .table
            .get(&section)
            .and_then(Value::as_table)
            .and_then(|t| t.get(&key))
            .ok_or_else(unknown)?;
        let value = typed_like(current, raw);
        self.set(&section, &key, value, var.to_owned())
    }

    fn has_key(&self, section: &str, key: &str) -> bool {
        self.table
            .get(section)
            .and_then(Value::as_table)
            .is_some_and(|t| t.contains_key(key))
    }

    /// Put one value in and re-read the whole config, so a type error is this value's.
    fn set(
        &mut self,
        section: &str,
        key: &str,
        value: Value,
        origin: String,
    ) -> Result<(), ConfigError> {
        let mut candidate = self.table.clone();
        if let Some(Value::Table(t)) = candidate.get_mut(section) {
            t.insert(key.to_owned(), value);
        }
        let config: Config =
            Value::Table(candidate.clone())
                .try_into()
                .map_err(|e: toml::de::Error| ConfigError::BadValue {
                    origin: origin.clone(),
                    message: e.message().to_owned(),
                })?;
        self.table = candidate;
        self.config = config;
        self.origins.insert(format!("{section}.{key}"), origin);
        Ok(())
    }
}

/// Read a variable's text as the TOML type the key has by default; text that does
/// not fit stays a string, so the key's own deserializer decides (byte sizes accept
/// `"512MiB"`; a `u32` rejects `"abc"` with a message).
fn typed_like(current: &Value, raw: &str) -> Value {
    let trimmed = raw.trim();
    match current {
        Value::Integer(_) => trimmed
            .parse::<i64>()
            .map(Value::Integer)
            .unwrap_or_else(|_| Value::String(raw.to_owned())),
        Value::Float(_) => trimmed
            .parse::<f64>()
            .map(Value::Float)
            .unwrap_or_else(|_| Value::String(raw.to_owned())),
        Value::Boolean(_) => match trimmed.to_ascii_lowercase().as_str() {
            "true" => Value::Boolean(true),
            "false" => Value::Boolean(false),
            _ => Value::String(raw.to_owned()),
        },
        // Lists (of paths) are comma-separated; empty text is the empty list.
        Value::Array(_) => Value::Array(
            raw.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| Value::String(s.to_owned()))
                .collect(),
        ),
        _ => Value::String(raw.to_owned()),
    }
}

impl Config {
    /// Checks the ranges again after `keys` (`section.key`) were set from the
    /// command line, so errors name the command line as their origin.
    pub fn revalidate(&mut self, keys: &[&str]) -> Result<(), ConfigError> {
        let origins = keys
            .iter()
            .map(|k| ((*k).to_owned(), "the command line".to_owned()))
            .collect();
        validate::validate(self, &origins)
    }
}
