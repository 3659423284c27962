//! The binary refuses configurations that would expose data, and manages users offline.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_jarterm-server");

/// Run to completion with a time limit; returns (success, stderr).
fn run(args: &[&str], stdin: Option<&str>) -> (bool, String) {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env("RUST_LOG", "warn")
        .spawn()
        .expect("spawn");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            // A command refused before it reads standard input (a bad role) closes the pipe.
            .or_else(|e| match e.kind() {
                std::io::ErrorKind::BrokenPipe => Ok(()),
                _ => Err(e),
            })
            .expect("write");
    } else {
        drop(child.stdin.take());
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(_status) = child.try_wait().expect("wait") {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("jarterm-server {args:?} did not exit in 30 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().expect("output");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

fn db(dir: &tempfile::TempDir) -> String {
    format!("sqlite://{}", dir.path().join("cli.db").display())
}

#[test]
fn demo_data_is_refused_on_a_non_loopback_address() {
    let dir = tempfile::tempdir().expect("dir");
    let (ok, err) = run(
        &[
            "serve",
            "--demo",
            "--listen",
            "0.0.0.0:0",
            "--insecure-http",
            "--database",
            &db(&dir),
        ],
        None,
    );
    assert!(!ok);
    assert!(
        err.contains("--demo only listens on a loopback address"),
        "{err}"
    );
}

#[test]
fn plain_http_on_every_interface_is_refused_without_insecure_http() {
    let dir = tempfile::tempdir().expect("dir");
    let (ok, err) = run(
        &["serve", "--listen", "0.0.0.0:0", "--database", &db(&dir)],
        None,
    );
    assert!(!ok);
    assert!(err.contains("refusing plain HTTP"), "{err}");
    assert!(
        err.contains("--insecure-http"),
        "the message says what to do next: {err}"
    );
}

#[test]
fn users_are_added_listed_and_disabled_from_the_command_line() {
    let dir = tempfile::tempdir().expect("dir");
    let url = db(&dir);
    let (ok, err) = run(&["migrate", "--database", &url], None);
    assert!(ok, "{err}");
    let (ok, err) = run(
        &[
            "user",
            "add",
            "dr-example",
            "--role",
            "paediatrician",
            "--area",
            "North Wessex",
            "--area",
            "Wessex Coast",
            "--database",
            &url,
        ],
        Some("a good password\n"),
    );
    assert!(ok, "{err}");
    assert!(
        !err.contains("a good password"),
        "the password is never echoed"
    );
    let (ok, out) = run(&["user", "list", "--database", &url], None);
    assert!(ok, "{out}");
    assert!(
        out.contains("dr-example\tpaediatrician\tNorth Wessex, Wessex Coast"),
        "{out}"
    );
    let (ok, err) = run(
        &[
            "user",
            "add",
            "dr-example",
            "--role",
            "police",
            "--area",
            "X",
            "--database",
            &url,
        ],
        Some("pw12-long-enough\n"),
    );
    assert!(!ok && err.contains("already a user"), "{err}");
    let (ok, err) = run(&["user", "disable", "dr-example", "--database", &url], None);
    assert!(ok, "{err}");
    let (_, out) = run(&["user", "list", "--database", &url], None);
    assert!(out.contains("(disabled)"), "{out}");
}

#[test]
fn an_unknown_role_is_refused_with_the_list_of_roles() {
    let dir = tempfile::tempdir().expect("dir");
    let (ok, err) = run(
        &[
            "user",
            "add",
            "x",
            "--role",
            "wizard",
            "--area",
            "A",
            "--database",
            &db(&dir),
        ],
        Some("pw12\n"),
    );
    assert!(!ok);
    assert!(err.contains("paediatrician"), "{err}");
}

#[test]
fn a_deadlines_file_that_does_not_parse_is_refused_before_serving() {
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("deadlines.toml");
    std::fs::write(
        &file,
        "[area.\"North Wessex\".home_visit]\noffset_minuets = 5\n",
    )
    .expect("write");
    let (ok, err) = run(
        &[
            "serve",
            "--database",
            &db(&dir),
            "--deadlines",
            file.to_str().expect("utf8"),
        ],
        None,
    );
    assert!(!ok);
    assert!(err.contains("not a valid deadlines file"), "{err}");
}

#[test]
fn a_missing_tls_certificate_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("dir");
    let (ok, err) = run(
        &[
            "serve",
            "--listen",
            "0.0.0.0:0",
            "--tls-cert",
            "/nonexistent/cert.pem",
            "--tls-key",
            "/nonexistent/key.pem",
            "--database",
            &db(&dir),
        ],
        None,
    );
    assert!(!ok);
    assert!(
        err.contains("could not load the TLS certificate and key"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_added_from_the_command_line_while_the_server_runs_can_sign_in() {
    let dir = tempfile::tempdir().expect("dir");
    let url = db(&dir);
    let server = jar_server::start(jar_server::ServerConfig::loopback(url.clone()))
        .await
        .expect("start");
    let (ok, err) = tokio::task::spawn_blocking({
        let url = url.clone();
        move || {
            let args = [
                "user",
                "add",
                "late-joiner",
                "--role",
                "police",
                "--area",
                "North Wessex",
                "--database",
                url.as_str(),
            ];
            run(&args, Some("pass-phrase-long\n"))
        }
    })
    .await
    .expect("join");
    assert!(ok, "{err}");
    let res = reqwest::Client::new()
        .post(format!("{}/api/v1/session", server.base_url()))
        .header("content-type", "application/json")
        .body(r#"{"username": "late-joiner", "password": "pass-phrase-long"}"#)
        .timeout(Duration::from_secs(20))
        .send()
        .await
        .expect("sign in");
    assert_eq!(res.status().as_u16(), 201);
    server.shutdown().await;
}

#[test]
fn a_valid_deadlines_file_is_read_before_the_listen_checks() {
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("deadlines.toml");
    std::fs::write(
        &file,
        "[area.\"North Wessex\".home_visit]\noffset_minutes = 2880\n",
    )
    .expect("write");
    // The file parses, so the refusal that follows is about plain HTTP, not the file.
    let (ok, err) = run(
        &[
            "serve",
            "--listen",
            "0.0.0.0:0",
            "--database",
            &db(&dir),
            "--deadlines",
            file.to_str().expect("utf8"),
        ],
        None,
    );
    assert!(!ok);
    assert!(
        err.contains("refusing plain HTTP") && !err.contains("deadlines"),
        "{err}"
    );
}

/// A self-signed certificate for 127.0.0.1, made for this test only (tests/fixtures).
#[tokio::test]
async fn with_a_certificate_the_api_is_served_over_https() {
    let dir = tempfile::tempdir().expect("dir");
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut config = jar_server::ServerConfig::loopback(db(&dir));
    config.tls = Some((
        fixtures.join("test-cert.pem"),
        fixtures.join("test-key.pem"),
    ));
    let server = jar_server::start(config).await.expect("start with TLS");
    let base = server.base_url();
    assert!(base.starts_with("https://"), "{base}");
    let client = reqwest::Client::builder()
        .tls_danger_accept_invalid_certs(true)
        .timeout(Duration::from_secs(20))
        .build()
        .expect("client");
    let res = client
        .get(format!("{base}/healthz"))
        .send()
        .await
        .expect("https request");
    assert_eq!(res.status().as_u16(), 200);
    // Plain HTTP on the same port is not answered as HTTP.
    let plain = reqwest::Client::new()
        .get(format!("http://{}/healthz", server.addr))
        .timeout(Duration::from_secs(5))
        .send()
        .await;
    assert!(plain.map(|r| !r.status().is_success()).unwrap_or(true));
    server.shutdown().await;
}
