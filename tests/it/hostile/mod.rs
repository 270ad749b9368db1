//! Hostile HTTP input against the shared demo server: every bad request gets a
//! client error (or a WMS exception report), never a 5xx, never a hang, and
//! the server keeps answering afterwards.
//!
//! Uses its own raw HTTP client with a bounded read timeout, so a hanging
//! request fails the test instead of stalling it. Read-only: changes nothing
//! in the demo server's data.
//!
//! This file holds what the areas share: what an answer must be and the check
//! of it, running a corpus of requests, and the test that the corpora's
//! baseline requests are good ones. The corpora live in the submodules.

mod client;
mod http;
mod strict;
mod tiffs;
mod wms;
mod xyz;

use super::support::{self, Resp};
use client::request;
use std::time::Duration;
use wms::getmap;

const LAYER: &str = "nelen-schuurmans:p_lochem_kwel_wegzijging_2050";
/// The longest any single hostile request may take to be answered.
const DEADLINE: Duration = Duration::from_secs(8);

/// What a hostile request must get back.
#[derive(Clone, Copy, Debug)]
enum Want {
    /// A WMS exception report (200 with an XML type, or a 4xx), with this OGC
    /// `code` attribute when `Some`.
    Ogc(Option<&'static str>),
    /// Exactly this status with a JSON error body (`status` field equal to it).
    Json(u16),
    /// A WMTS (OWS 1.1) ExceptionReport with a 4xx status, with this
    /// `exceptionCode` when `Some`.
    Ows(Option<&'static str>),
    /// A Lizard validation error: this status and a `detail` object naming
    /// at least one field or parameter.
    JsonFields(u16),
    /// A drawn PNG, or else a WMS exception report (inputs that are absurd
    /// but well-formed may be answered either way, never with a 5xx).
    ImageOrOgc,
    /// 405 with an `Allow` header offering GET.
    MethodNotAllowed,
    /// Any 4xx: refused by the HTTP layer before any endpoint saw it.
    AnyClientError,
    /// 414 URI Too Long from the HTTP layer (hyper refuses targets of 64 KiB and
    /// more before routing), or else a WMS exception report.
    TooLongOrOgc,
}

/// Checks one answer against what it must be; `Err` says what is wrong.
fn check(resp: &Resp, want: Want) -> Result<(), String> {
    let status = resp.status;
    if status >= 500 {
        return Err(format!("server error {status}: {}", clip(&resp.text())));
    }
    let no_store = resp
        .header("cache-control")
        .is_some_and(|v| v.contains("no-store"));
    match want {
        Want::Ogc(code) => {
            let xml_type = resp.content_type().contains("xml");
            if !((status == 200 && xml_type) || (400..500).contains(&status)) {
                return Err(format!(
                    "status {status} with type {:?}, not an exception report",
                    resp.content_type()
                ));
            }
            let text = resp.text();
            if !xml_type || !text.contains("<ServiceExceptionReport") {
                return Err(format!("not a ServiceExceptionReport: {}", clip(&text)));
            }
            if let Some(code) = code
                && !text.contains(&format!("code=\"{code}\""))
            {
                return Err(format!("expected code=\"{code}\" in {}", clip(&text)));
            }
            if !no_store {
                return Err("an exception report without Cache-Control: no-store".into());
            }
        }
        Want::Json(expected) => {
            if status != expected {
                return Err(format!(
                    "status {status}, expected {expected}: {}",
                    clip(&resp.text())
                ));
            }
            if !resp.content_type().contains("json") {
                return Err(format!(
                    "content type {:?} is not JSON",
                    resp.content_type()
                ));
            }
            let body: serde_json::Value = serde_json::from_slice(&resp.body)
                .map_err(|e| format!("error body is not JSON ({e}): {}", clip(&resp.text())))?;
            if body.get("status").and_then(|s| s.as_u64()) != Some(u64::from(expected)) {
                return Err(format!("JSON status field does not say {expected}: {body}"));
            }
            if body
                .get("detail")
                .and_then(|s| s.as_str())
                .is_none_or(str::is_empty)
            {
                return Err(format!("JSON error without a detail: {body}"));
            }
            if !no_store {
                return Err("an error response without Cache-Control: no-store".into());
            }
        }
        Want::Ows(code) => {
            if !(400..500).contains(&status) {
                return Err(format!("status {status}, expected a 4xx OWS report"));
            }
            let text = resp.text();
            if !resp.content_type().contains("xml") || !text.contains("ExceptionReport") {
                return Err(format!("not an OWS ExceptionReport: {}", clip(&text)));
            }
            if let Some(code) = code
                && !text.contains(&format!("exceptionCode=\"{code}\""))
            {
                return Err(format!(
                    "expected exceptionCode=\"{code}\" in {}",
                    clip(&text)
                ));
            }
            if !no_store {
                return Err("an exception report without Cache-Control: no-store".into());
            }
        }
        Want::JsonFields(expected) => {
            if status != expected {
                return Err(format!(
                    "status {status}, expected {expected}: {}",
                    clip(&resp.text())
                ));
            }
            let body: serde_json::Value = serde_json::from_slice(&resp.body)
                .map_err(|e| format!("error body is not JSON ({e}): {}", clip(&resp.text())))?;
            if body.get("status").and_then(|s| s.as_u64()) != Some(u64::from(expected)) {
                return Err(format!("JSON status field does not say {expected}: {body}"));
            }
            let named = body["detail"].as_object().is_some_and(|m| {
                !m.is_empty()
                    && m.values().all(|v| {
                        v.as_array()
                            .is_some_and(|a| a.iter().all(|s| s.is_string()))
                    })
            });
            if !named {
                return Err(format!(
                    "detail is not a {{field: [messages]}} object: {body}"
                ));
            }
        }
        Want::ImageOrOgc => {
            if !(status == 200 && resp.content_type() == "image/png") {
                return check(resp, Want::Ogc(None));
            }
        }
        Want::MethodNotAllowed => {
            if status != 405 {
                return Err(format!("status {status}, expected 405"));
            }
            let allow = resp.header("allow").unwrap_or("");
            if !allow.split(',').any(|m| m.trim() == "GET") {
                return Err(format!("Allow header {allow:?} does not offer GET"));
            }
            if !no_store {
                return Err("405 without Cache-Control: no-store".into());
            }
        }
        Want::TooLongOrOgc => {
            if status != 414 {
                return check(resp, Want::Ogc(None));
            }
        }
        Want::AnyClientError => {
            if !(400..500).contains(&status) {
                return Err(format!("status {status}, expected a 4xx"));
            }
        }
    }
    Ok(())
}

fn clip(s: &str) -> String {
    s.chars().take(300).collect()
}

/// Runs every case, collects all failures, then checks the server still answers.
fn run(server: &support::TestServer, cases: Vec<(String, String, String, Want)>) {
    let mut failures = Vec::new();
    let count = cases.len();
    for (name, method, target, want) in cases {
        match request(server.addr, &method, &target).and_then(|r| check(&r, want)) {
            Ok(()) => {}
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {count} hostile requests were answered wrongly:\n{}",
        failures.len(),
        failures.join("\n")
    );
    still_healthy(server);
}

fn still_healthy(server: &support::TestServer) {
    let resp = request(server.addr, "GET", "/healthz").expect("healthz after the corpus");
    assert_eq!(
        resp.status,
        200,
        "healthz after the corpus: {}",
        resp.text()
    );
}

fn with_get(cases: Vec<(String, String, Want)>) -> Vec<(String, String, String, Want)> {
    cases
        .into_iter()
        .map(|(n, t, w)| (n, "GET".to_string(), t, w))
        .collect()
}

#[test]
fn the_baseline_requests_of_the_corpus_succeed() {
    // The corpus varies one parameter of these requests; they must be good ones,
    // or every case would fail for the wrong reason.
    let server = support::demo();
    let resp = request(server.addr, "GET", &getmap(&[])).expect("baseline GetMap");
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert_eq!(resp.content_type(), "image/png");
    let resp = request(server.addr, "GET", &format!("/tiles/{LAYER}/2/2/1.png")).expect("tile");
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert_eq!(resp.content_type(), "image/png");
}
