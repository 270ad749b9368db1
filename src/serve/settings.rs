//! `Settings`: what the service layer reads of the config, typed once at
//! start-up so no request parses a config string again.

use crate::config::Config;
use crate::protocol::wms::WmsLimits;

/// The request-path settings, from a validated `Config`.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Size and layer limits of WMS requests, enforced while parsing.
    pub wms_limits: WmsLimits,
    /// Largest width × height of any image (tiles included).
    pub max_pixels: u64,
    /// Status of WMS exception reports about the request (200 or 400).
    pub exception_status: u16,
    /// `Cache-Control` of successful maps and tiles; `None` = not sent.
    pub cache_control: Option<String>,
    /// `Cache-Control` of error responses; `None` = not sent.
    pub cache_control_errors: Option<String>,
    /// Seconds sent in `Retry-After` with a 503.
    pub retry_after_secs: u64,
    /// The WMS/WMTS service title and abstract.
    pub title: String,
    pub abstract_text: Option<String>,
}

impl Settings {
    pub fn from_config(config: &Config) -> Settings {
        let header = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        Settings {
            wms_limits: WmsLimits {
                max_width: config.render.max_width,
                max_height: config.render.max_height,
                max_pixels: config.render.max_pixels,
                layer_limit: config.render.layer_limit,
            },
            max_pixels: config.render.max_pixels,
            exception_status: config.wms.exception_status,
            cache_control: header(&config.cache.cache_control),
            cache_control_errors: header(&config.cache.cache_control_errors),
            retry_after_secs: config.render.retry_after_secs,
            title: config.wms.title.clone(),
            abstract_text: header(&config.wms.abstract_text),
        }
    }
}
