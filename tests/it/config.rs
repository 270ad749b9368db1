//! Configuration through the binary: bad files, bad variables and bad
//! command-line values stop `tegel serve` with a message naming the culprit;
//! a good environment really starts it.
//!
//! Every `serve` here gets its own empty temp data dir and port 0, so a server
//! that starts when it should not cannot disturb anything (and is killed).

use super::cli::{run_for, tegel};
use super::support;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// `tegel serve` over a fresh data dir, with `args` and `env` added.
fn serve(args: &[&str], env: &[(&str, &str)]) -> (Command, std::path::PathBuf) {
    let data = support::temp_dir("config-serve");
    let mut cmd = tegel();
    cmd.arg("serve").arg("--data-dir").arg(&data).args(args);
    cmd.env("TEGEL_DEMO_INGEST_ON_EMPTY", "false");
    for (k, v) in env {
        cmd.env(k, v);
    }
    (cmd, data)
}

/// Runs a `serve` that must refuse to start; returns its stderr.
fn refused(args: &[&str], env: &[(&str, &str)]) -> String {
    let (cmd, data) = serve(args, env);
    let out: Output = run_for(cmd, Duration::from_secs(10));
    let _ = std::fs::remove_dir_all(&data);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        !out.status.success(),
        "serve {args:?} {env:?} should fail; stderr: {stderr}"
    );
    assert!(
        !stdout.contains("serving on"),
        "serve {args:?} {env:?} started serving: {stdout}"
    );
    stderr
}

fn write_config(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write config");
    path
}

fn assert_names(stderr: &str, what: &str) {
    assert!(
        stderr.contains(what),
        "the error does not name {what:?}: {stderr}"
    );
}

#[test]
fn an_unknown_key_in_the_config_file_is_refused_by_name() {
    let dir = support::temp_dir("config-files");
    let cases = [
        ("key.toml", "[cache]\nmax_bytess = 1\n", "cache.max_bytess"),
        ("section.toml", "[caches]\nmax_bytes = 1\n", "caches"),
        (
            "nested.toml",
            "[server]\nlisten = \"127.0.0.1:0\"\n[render]\nthreads = 1\nqueue_dpth = 4\n",
            "render.queue_dpth",
        ),
    ];
    for (name, text, key) in cases {
        let path = write_config(&dir, name, text);
        let stderr = refused(&["--config", path.to_str().expect("path")], &[]);
        assert_names(&stderr, key);
        assert_names(&stderr, name);
    }
    // Known keys with values of the wrong type or range name the key too.
    let bad_type = write_config(&dir, "type.toml", "[render]\nmax_width = \"wide\"\n");
    assert_names(
        &refused(&["--config", bad_type.to_str().expect("path")], &[]),
        "render.max_width",
    );
    let bad_range = write_config(&dir, "range.toml", "[render]\nqueue_depth = 0\n");
    assert_names(
        &refused(&["--config", bad_range.to_str().expect("path")], &[]),
        "render.queue_depth",
    );
    let not_toml = write_config(&dir, "broken.toml", "[server\nlisten = \n");
    assert_names(
        &refused(&["--config", not_toml.to_str().expect("path")], &[]),
        "broken.toml",
    );
    let missing = dir.join("missing.toml");
    assert_names(
        &refused(&["--config", missing.to_str().expect("path")], &[]),
        "missing.toml",
    );
    // The shipped file is itself valid (it holds every key with its default).
    let shipped = support::repo().join("config/tegel.toml");
    let (mut cmd, data) = serve(
        &[
            "--config",
            shipped.to_str().expect("path"),
            "--listen",
            "127.0.0.1:0",
        ],
        &[],
    );
    let child = spawn(&mut cmd);
    let (mut child, addr) = wait_for_serving(child);
    healthz(addr);
    stop(&mut child);
    let _ = std::fs::remove_dir_all(&data);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_misspelt_variable_is_refused_by_name() {
    let stderr = refused(&[], &[("TEGEL_CACHE_MAX_BYTESS", "1")]);
    assert_names(&stderr, "TEGEL_CACHE_MAX_BYTESS");
    let stderr = refused(&[], &[("TEGEL_NOSECTION", "1")]);
    assert_names(&stderr, "TEGEL_NOSECTION");
    // A known variable with a bad value names the variable.
    let stderr = refused(&[], &[("TEGEL_RENDER_MAX_WIDTH", "wide")]);
    assert_names(&stderr, "TEGEL_RENDER_MAX_WIDTH");
    let stderr = refused(&[], &[("TEGEL_CACHE_MAX_BYTES", "12 parsecs")]);
    assert_names(&stderr, "TEGEL_CACHE_MAX_BYTES");
    // Well-typed values out of range name both the key and the variable.
    for (var, value, key) in [
        ("TEGEL_CACHE_MAX_BYTES", "-1", "TEGEL_CACHE_MAX_BYTES"),
        ("TEGEL_WMS_EXCEPTION_STATUS", "500", "wms.exception_status"),
        ("TEGEL_SERVER_PUBLIC_URL", "ftp://x", "server.public_url"),
        ("TEGEL_RENDER_MAX_WIDTH", "0", "render.max_width"),
        (
            "TEGEL_SERVER_MAX_CONNECTIONS",
            "0",
            "server.max_connections",
        ),
        ("TEGEL_GRAPH_MAX_NODES", "0", "graph.max_nodes"),
        ("TEGEL_GRAPH_MAX_STEPS", "0", "graph.max_steps"),
    ] {
        let stderr = refused(&[], &[(var, value)]);
        assert_names(&stderr, var);
        assert_names(&stderr, key);
    }
}

#[test]
fn a_bad_listen_address_is_refused() {
    for bad in [
        "nonsense",
        "127.0.0.1",
        "127.0.0.1:99999",
        "300.1.1.1:80",
        "",
    ] {
        let stderr = refused(&["--listen", bad], &[]);
        assert_names(&stderr, "--listen");
    }
    let stderr = refused(&[], &[("TEGEL_SERVER_LISTEN", "localhost-ish:80")]);
    assert_names(&stderr, "TEGEL_SERVER_LISTEN");
    // A valid address already taken fails to bind, naming it.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = taken.local_addr().expect("addr").to_string();
    let stderr = refused(&["--listen", &addr], &[]);
    assert_names(&stderr, &addr);
}

fn spawn(cmd: &mut Command) -> Child {
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    cmd.spawn().expect("spawn tegel serve")
}

/// Reads stdout until the "serving on http://ADDR" line; kills the child and
/// fails when it does not come within 10 s.
fn wait_for_serving(mut child: Child) -> (Child, std::net::SocketAddr) {
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(rest) = line.split("serving on http://").nth(1) {
                let _ = tx.send(rest.trim().to_string());
            }
        }
    });
    match rx.recv_timeout(Duration::from_secs(10)) {
        Ok(addr) => {
            let addr = addr.parse().unwrap_or_else(|e| {
                let _ = child.kill();
                panic!("the serving line names {addr:?}, not an address: {e}")
            });
            (child, addr)
        }
        Err(_) => {
            let _ = child.kill();
            let out = child.wait_with_output().expect("output");
            panic!(
                "no \"serving on\" line within 10 s; stderr: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}

fn healthz(addr: std::net::SocketAddr) {
    let resp = support::http_request(addr, "GET", "/healthz", &[]);
    assert_eq!(resp.status, 200);
    assert_eq!(resp.text().trim(), "ok");
}

/// SIGTERM, then a clean exit within 10 s (killed and failed otherwise).
fn stop(child: &mut Child) {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill -TERM");
    assert!(status.success());
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            assert!(status.success(), "tegel exited with {status} after SIGTERM");
            return;
        }
        if started.elapsed() > Duration::from_secs(10) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("tegel did not stop within 10 s of SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn serve_starts_on_the_address_from_the_environment() {
    let (mut cmd, data) = serve(&[], &[("TEGEL_SERVER_LISTEN", "127.0.0.1:0")]);
    let child = spawn(&mut cmd);
    let (mut child, addr) = wait_for_serving(child);
    assert!(addr.ip().is_loopback());
    assert_ne!(addr.port(), 0, "the real port is printed, not 0");
    healthz(addr);
    // The catalogue is empty (no demo ingest asked for): capabilities has no layer.
    let caps = support::http_request(
        addr,
        "GET",
        "/wms/?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetCapabilities",
        &[],
    );
    assert_eq!(caps.status, 200);
    assert!(!caps.text().contains("nelen-schuurmans"));
    stop(&mut child);
    // Stopped means stopped: nothing listens there any more.
    assert!(std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_err());
    let _ = std::fs::remove_dir_all(&data);
}

#[test]
fn serve_stops_gracefully_on_sigterm_right_after_announcing() {
    // A supervisor may stop tegel as soon as it said where it listens: that
    // must already be a graceful shutdown (exit 0), not death by signal.
    for _ in 0..5 {
        let (mut cmd, data) = serve(&["--listen", "127.0.0.1:0"], &[]);
        let child = spawn(&mut cmd);
        let (mut child, _addr) = wait_for_serving(child);
        stop(&mut child);
        let _ = std::fs::remove_dir_all(&data);
    }
}
