//! An API client for the tests: JSON requests with a personal API key, and
//! users made directly in a test server's catalogue.

#![allow(dead_code)] // a toolbox: not every test module uses every helper

use crate::support::{Resp, TestServer};
use base64::Engine;
use serde_json::Value;
use std::time::{Duration, Instant};
use tegel::catalogue::{Catalogue, RoleKind, admin};
use uuid::Uuid;

/// `Authorization: Basic base64("__key__:<key>")`.
pub fn basic(key: &str) -> String {
    let token = base64::engine::general_purpose::STANDARD.encode(format!("__key__:{key}"));
    format!("Basic {token}")
}

/// Requests as one caller (anonymous without a key).
pub struct Client<'a> {
    pub server: &'a TestServer,
    pub key: Option<String>,
}

impl<'a> Client<'a> {
    pub fn anonymous(server: &'a TestServer) -> Client<'a> {
        Client { server, key: None }
    }

    pub fn with_key(server: &'a TestServer, key: &str) -> Client<'a> {
        Client {
            server,
            key: Some(key.to_owned()),
        }
    }

    fn auth(&self) -> Option<String> {
        self.key.as_deref().map(basic)
    }

    pub fn get(&self, path: &str) -> Resp {
        let auth = self.auth();
        let mut headers = vec![("Accept", "application/json")];
        if let Some(a) = auth.as_deref() {
            headers.push(("Authorization", a));
        }
        self.server.request("GET", path, &headers)
    }

    /// GET, expecting 200 and a JSON body.
    pub fn get_json(&self, path: &str) -> Value {
        let resp = self.get(path).expect_status(200);
        serde_json::from_slice(&resp.body).expect("a JSON body")
    }

    /// A request with a JSON body (`None`: no body).
    pub fn send(&self, method: &str, path: &str, body: Option<&Value>) -> Resp {
        let auth = self.auth();
        let mut headers = vec![("Accept", "application/json")];
        if let Some(a) = auth.as_deref() {
            headers.push(("Authorization", a));
        }
        match body {
            Some(b) => {
                headers.push(("Content-Type", "application/json"));
                let bytes = serde_json::to_vec(b).expect("json");
                self.server.send(method, path, &headers, &bytes)
            }
            None => self.server.send(method, path, &headers, b""),
        }
    }
}

/// The JSON body of a response.
pub fn json(resp: &Resp) -> Value {
    serde_json::from_slice(&resp.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", resp.text()))
}

/// Creates a user (superuser when asked) in the server's catalogue and
/// returns a key the server already accepts.
pub fn user_key(server: &TestServer, username: &str, superuser: bool) -> String {
    let cat = Catalogue::open(&server.data_dir).expect("catalogue");
    let (_, key) =
        admin::create_user_with_key(&cat, username, superuser, "tests").expect("create user");
    wait_until_known(server, &key);
    key
}

/// Gives `username` a role in an organisation, and waits until the server
/// has read the change.
pub fn grant(server: &TestServer, username: &str, org: Uuid, role: RoleKind) {
    let cat = Catalogue::open(&server.data_dir).expect("catalogue");
    admin::grant(&cat, username, org, role).expect("grant");
    let revision = cat.snapshot().revision();
    wait_for_revision(server, revision);
}

/// Waits (≤ 5 s) until the server's snapshot has `revision` or later, read
/// through the server's own catalogue reload.
pub fn wait_for_revision(server: &TestServer, revision: u64) {
    let started = Instant::now();
    loop {
        let cat = Catalogue::open(&server.data_dir).expect("catalogue");
        // The server polls the database each second; give it two polls.
        if cat.snapshot().revision() >= revision && started.elapsed() > Duration::from_millis(2100)
        {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the server did not see revision {revision}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn wait_until_known(server: &TestServer, key: &str) {
    let started = Instant::now();
    while Client::with_key(server, key).get("/api/v4/").status == 401 {
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the server did not pick up the new key"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}
