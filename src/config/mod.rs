//! Settings: `config/tegel.toml` (or built-in defaults) plus `TEGEL_*` overrides,
//! validated into a typed [`Config`].
//!
//! Parts: `settings` (the typed sections and their defaults), `bytesize` (sizes such
//! as `"512MiB"`), `load` (file → env → merged value), `validate` (ranges), `error`.
//! This module reads only the config file it is given; it touches no other state and
//! imports only `model`.

mod bytesize;
mod error;
mod load;
mod settings;
mod validate;

pub use bytesize::ByteSize;
pub use error::ConfigError;
pub use load::{ENV_PREFIX, NON_CONFIG_VARS};
pub use settings::{
    CacheConfig, Config, DemoConfig, GraphConfig, RenderConfig, ServerConfig, StorageConfig,
    WmsConfig, WmtsConfig,
};

#[cfg(test)]
mod tests;
