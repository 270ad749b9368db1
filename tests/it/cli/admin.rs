//! `tegel admin …` run as the built binary against a data dir a server is
//! serving: the key a command prints (alone on the last line) works against
//! that server within seconds; refusals exit non-zero with a message and
//! print no key. Also `TEGEL_ADMIN_KEY` given to `tegel serve`.

use super::{run_for, server_over, stderr, tegel};
use crate::api::client::Client;
use crate::support::{self, TestServer};
use serde_json::{Value, json};
use std::path::Path;
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

/// `tegel admin <args> --data-dir D`.
fn admin(data: &Path, args: &[&str]) -> Output {
    let mut cmd = tegel();
    cmd.arg("admin").args(args).arg("--data-dir").arg(data);
    run_for(cmd, Duration::from_secs(20))
}

/// Runs a command that must succeed; returns its stdout lines.
fn admin_ok(data: &Path, args: &[&str]) -> Vec<String> {
    let out = admin(data, args);
    assert!(
        out.status.success(),
        "admin {args:?} failed: {}",
        stderr(&out)
    );
    String::from_utf8(out.stdout)
        .expect("UTF-8")
        .lines()
        .map(str::to_owned)
        .collect()
}

/// The key a command printed: the last line, and nothing else on it.
fn printed_key(lines: &[String]) -> String {
    let last = lines.last().expect("a last line").clone();
    assert_eq!(last.trim(), last, "the key line has nothing around it");
    let (prefix, secret) = last.split_once('.').expect("prefix.secret");
    assert!(!prefix.is_empty() && secret.len() >= 32, "{last:?}");
    assert!(
        last.chars().all(|c| c.is_ascii_alphanumeric() || c == '.'),
        "{last:?}"
    );
    last
}

/// Waits (≤ 5 s) until `key` gives `status` on `path`.
fn until(server: &TestServer, key: &str, path: &str, status: u16) {
    let started = Instant::now();
    loop {
        let got = Client::with_key(server, key).get(path).status;
        if got == status {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{path} still answers {got}, not {status}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn create_superuser_prints_a_key_the_running_server_accepts() {
    let data = support::temp_dir("cli-admin-su");
    let server = server_over(&data);
    let lines = admin_ok(&data, &["create-superuser", "--username", "ops"]);
    let key = printed_key(&lines);
    until(&server, &key, "/api/v4/users/", 200);
    let me = Client::with_key(&server, &key).get_json("/api/v4/users/?username=ops");
    assert_eq!(me["results"][0]["is_superuser"], true, "{me}");
    // A superuser can do superuser things.
    Client::with_key(&server, &key)
        .send(
            "POST",
            "/api/v4/organisations/",
            Some(&json!({"name": "Ops Org"})),
        )
        .expect_status(201);
    // The name is taken now (any case): a clear refusal, no key printed.
    for name in ["ops", "OPS"] {
        let out = admin(&data, &["create-superuser", "--username", name]);
        assert!(!out.status.success());
        assert!(
            out.stdout.is_empty(),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
        assert!(stderr(&out).contains("exists"), "{}", stderr(&out));
    }
    let out = admin(
        &data,
        &["create-superuser", "--username", "no spaces please"],
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("valid username"), "{}", stderr(&out));
    drop(server);
}

#[test]
fn users_keys_roles_and_revocation_through_the_cli() {
    let data = support::temp_dir("cli-admin-users");
    let server = server_over(&data);
    let root = printed_key(&admin_ok(
        &data,
        &["create-superuser", "--username", "root"],
    ));
    until(&server, &root, "/api/v4/users/", 200);
    let org = json(
        &Client::with_key(&server, &root)
            .send(
                "POST",
                "/api/v4/organisations/",
                Some(&json!({"name": "Hunze en Aa's"})),
            )
            .expect_status(201),
    );
    assert_eq!(org["slug"], "hunze-en-aas");
    let ann = printed_key(&admin_ok(&data, &["create-user", "--username", "ann"]));
    until(&server, &ann, "/api/v4/users/", 200);
    let me = Client::with_key(&server, &ann).get_json("/api/v4/users/");
    assert_eq!(me["results"][0]["is_superuser"], false);
    // A second key for ann; both work.
    let second = printed_key(&admin_ok(
        &data,
        &["create-key", "--username", "ann", "--name", "qgis"],
    ));
    assert_ne!(second, ann);
    until(&server, &second, "/api/v4/personalapikeys/", 200);
    let out = admin(&data, &["create-key", "--username", "nobody"]);
    assert!(
        !out.status.success() && stderr(&out).contains("nobody"),
        "{}",
        stderr(&out)
    );
    // Grant by slug, then by uuid: ann may write in the organisation.
    admin_ok(
        &data,
        &[
            "grant",
            "--username",
            "ann",
            "--organisation",
            "hunze-en-aas",
            "--role",
            "admin",
        ],
    );
    let uuid = org["uuid"].as_str().unwrap();
    admin_ok(
        &data,
        &[
            "grant",
            "--username",
            "ann",
            "--organisation",
            uuid,
            "--role",
            "manager",
        ],
    );
    let body = json!({"name": "Drenthe", "organisation": uuid});
    let started = Instant::now();
    loop {
        let resp =
            Client::with_key(&server, &ann).send("POST", "/api/v4/layercollections/", Some(&body));
        if resp.status == 201 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{}",
            resp.text()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    for (args, says) in [
        (
            vec![
                "grant",
                "--username",
                "ann",
                "--organisation",
                "nope",
                "--role",
                "admin",
            ],
            "nope",
        ),
        (
            vec![
                "grant",
                "--username",
                "ann",
                "--organisation",
                "hunze-en-aas",
                "--role",
                "king",
            ],
            "king",
        ),
    ] {
        let out = admin(&data, &args);
        assert!(
            !out.status.success() && stderr(&out).contains(says),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    // list-users: one JSON object a line, roles by slug, keys without secrets.
    let lines = admin_ok(&data, &["list-users"]);
    let users: Vec<Value> = lines
        .iter()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(users.len(), 2);
    let ann_row = users.iter().find(|u| u["username"] == "ann").expect("ann");
    let roles: Vec<&str> = ann_row["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["admin", "manager"]);
    assert_eq!(ann_row["roles"][0]["organisation"], "hunze-en-aas");
    assert_eq!(ann_row["keys"].as_array().unwrap().len(), 2);
    let all = lines.join("\n");
    for key in [&root, &ann, &second] {
        assert!(
            !all.contains(key.split_once('.').unwrap().1),
            "a secret in list-users"
        );
    }
    // revoke-key: that key stops working, the other goes on.
    let prefix = second.split_once('.').unwrap().0;
    admin_ok(&data, &["revoke-key", "--prefix", prefix]);
    until(&server, &second, "/api/v4/users/", 401);
    assert_eq!(
        Client::with_key(&server, &ann).get("/api/v4/users/").status,
        200
    );
    let out = admin(&data, &["revoke-key", "--prefix", "doesnotexist"]);
    assert!(!out.status.success());
    // revoke (a role).
    admin_ok(
        &data,
        &[
            "revoke",
            "--username",
            "ann",
            "--organisation",
            "hunze-en-aas",
            "--role",
            "admin",
        ],
    );
    let body = json!({"name": "Groningen", "organisation": uuid});
    let started = Instant::now();
    while Client::with_key(&server, &ann)
        .send("POST", "/api/v4/layercollections/", Some(&body))
        .status
        != 403
    {
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the role was not revoked"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    drop(server);
}

fn json(resp: &crate::support::Resp) -> Value {
    crate::api::client::json(resp)
}

#[test]
fn tegel_admin_key_makes_an_admin_superuser_at_start() {
    let data = support::temp_dir("cli-admin-env");
    let key = "ops.0123456789abcdef0123456789";
    let mut cmd = tegel();
    cmd.args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(&data)
        .env("TEGEL_DEMO_INGEST_ON_EMPTY", "false")
        .env("TEGEL_ADMIN_KEY", key)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn tegel serve");
    let Some(addr) = support::announced_addr(&mut child, Duration::from_secs(15)) else {
        let _ = child.kill();
        let out = child.wait_with_output().expect("output");
        panic!(
            "tegel serve did not start: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let auth = crate::api::client::basic(key);
    let resp = support::http_request(
        addr,
        "GET",
        "/api/v4/users/",
        &[("Authorization", &auth), ("Accept", "application/json")],
    );
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(resp.status, 200, "{}", resp.text());
    let body: Value = serde_json::from_slice(&resp.body).expect("JSON");
    assert_eq!(body["count"], 1, "{body}");
    assert_eq!(body["results"][0]["username"], "admin");
    assert_eq!(body["results"][0]["is_superuser"], true);
    // A malformed key stops the start with a message naming the variable,
    // and adds nobody.
    let mut cmd = tegel();
    cmd.args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(&data)
        .env("TEGEL_DEMO_INGEST_ON_EMPTY", "false")
        .env("TEGEL_ADMIN_KEY", "short");
    let out = run_for(cmd, Duration::from_secs(15));
    assert!(!out.status.success());
    assert!(stderr(&out).contains("TEGEL_ADMIN_KEY"), "{}", stderr(&out));
    let users = admin_ok(&data, &["list-users"]);
    assert_eq!(users.len(), 1, "{users:?}");
    let _ = std::fs::remove_dir_all(&data);
}
