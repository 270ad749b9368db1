//! `ApiResponse`: a handler's answer — a status and a JSON body (or none);
//! `http` serialises it as JSON or as the browsable HTML page.

use serde_json::Value;

#[derive(Clone, Debug, PartialEq)]
pub struct ApiResponse {
    pub status: u16,
    pub body: Option<Value>,
}

impl ApiResponse {
    pub fn ok(body: Value) -> ApiResponse {
        ApiResponse {
            status: 200,
            body: Some(body),
        }
    }

    pub fn created(body: Value) -> ApiResponse {
        ApiResponse {
            status: 201,
            body: Some(body),
        }
    }

    pub fn no_content() -> ApiResponse {
        ApiResponse {
            status: 204,
            body: None,
        }
    }
}
