//! `ApiRequest`: one API call as the handlers see it — method, path
//! segments, decoded query, caller, body, and the snapshot it reads.

use super::format::Format;
use crate::catalogue::{Caller, Snapshot};
use serde_json::Value;
use std::path::PathBuf;
use std::sync::Arc;

/// The HTTP methods the API knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Head,
    Post,
    Put,
    Patch,
    Delete,
}

impl Method {
    pub fn parse(m: &str) -> Option<Method> {
        Some(match m {
            "GET" => Method::Get,
            "HEAD" => Method::Head,
            "POST" => Method::Post,
            "PUT" => Method::Put,
            "PATCH" => Method::Patch,
            "DELETE" => Method::Delete,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Head => "HEAD",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }

    /// GET or HEAD.
    pub fn is_read(self) -> bool {
        matches!(self, Method::Get | Method::Head)
    }
}

/// An uploaded file, already streamed to disk, and the form's other fields.
#[derive(Clone, Debug, PartialEq)]
pub struct Upload {
    pub file: PathBuf,
    /// The file name the client gave, if any.
    pub file_name: Option<String>,
    pub fields: Vec<(String, String)>,
}

/// The request body.
#[derive(Clone, Debug, PartialEq)]
pub enum ApiBody {
    Empty,
    Json(Value),
    Upload(Upload),
}

#[derive(Clone, Debug)]
pub struct ApiRequest {
    pub method: Method,
    /// The path after `/api/v4/`, split on `/`, empty segments dropped.
    pub segments: Vec<String>,
    /// The query, percent-decoded, in order.
    pub params: Vec<(String, String)>,
    pub caller: Caller,
    pub body: ApiBody,
    /// The public base URL, without a trailing slash.
    pub base: String,
    pub format: Format,
    /// The catalogue as it was when the request arrived.
    pub snapshot: Arc<Snapshot>,
}

impl ApiRequest {
    /// The last value of query parameter `name`.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Whether `?dry-run` (any value but `false`/`0`) was given.
    pub fn dry_run(&self) -> bool {
        self.params.iter().any(|(k, v)| {
            (k == "dry-run" || k == "dry_run")
                && !matches!(v.to_ascii_lowercase().as_str(), "false" | "0")
        })
    }

    /// The absolute URL of an API path such as `rasters/<uuid>/`; with
    /// `?format=api` when the request is browsing, as Lizard links.
    pub fn url(&self, path: &str) -> String {
        let mut url = format!("{}/api/v4/{path}", self.base);
        if self.format == Format::Api {
            url.push_str("?format=api");
        }
        url
    }

    /// The URL of this request's collection (for paging links), no query.
    pub fn collection_url(&self) -> String {
        format!("{}/api/v4/{}/", self.base, self.segments.join("/"))
    }

    /// The JSON object body once it passed `rules` (the write rules of its
    /// object, `api::rules`), or a 400 naming every refused field.
    pub fn write_object(
        &self,
        rules: &[super::rules::Rule],
    ) -> Result<&serde_json::Map<String, Value>, super::ApiError> {
        let map = self.json_object()?;
        super::rules::check(rules, map)?;
        Ok(map)
    }

    /// The JSON object body, or a 400 naming the problem.
    pub fn json_object(&self) -> Result<&serde_json::Map<String, Value>, super::ApiError> {
        match &self.body {
            ApiBody::Json(Value::Object(map)) => Ok(map),
            ApiBody::Json(_) => Err(super::ApiError::field(
                "non_field_errors",
                "Invalid data. Expected a dictionary.",
            )),
            ApiBody::Empty => Err(super::ApiError::field(
                "non_field_errors",
                "No data provided.",
            )),
            ApiBody::Upload(_) => Err(super::ApiError::UnsupportedMediaType(
                "multipart/form-data".into(),
            )),
        }
    }
}
