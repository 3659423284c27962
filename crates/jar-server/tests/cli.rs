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
    let (ok, out) = run(
        &["user", "reset-password", "dr-example", "--database", &url],
        None,
    );
    assert!(ok && out.contains("one-time password"), "{out}");
    // Standard output holds the password alone (first); the words go to standard error.
    let password = out.lines().next().expect("the password").to_string();
    let groups: Vec<&str> = password.split('-').collect();
    assert!(
        groups.len() == 4
            && groups
                .iter()
                .all(|g| g.len() == 5 && g.chars().all(|c| c.is_ascii_alphanumeric())),
        "four groups of five: {out}"
    );
    let (ok, err) = run(
        &["user", "reset-password", "nobody", "--database", &url],
        None,
    );
    assert!(!ok && err.contains("no user called nobody"), "{err}");
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
fn a_trusted_proxy_that_is_not_an_address_is_refused_and_a_short_password_is_explained() {
    let dir = tempfile::tempdir().expect("dir");
    let (ok, err) = run(
        &[
            "serve",
            "--trusted-proxy",
            "the-load-balancer",
            "--database",
            &db(&dir),
        ],
        None,
    );
    assert!(!ok);
    assert!(err.contains("CIDR"), "{err}");
    let (ok, err) = run(
        &[
            "user",
            "add",
            "short-pw",
            "--role",
            "police",
            "--area",
            "A",
            "--database",
            &db(&dir),
        ],
        Some("eleven-char\n"),
    );
    assert!(!ok);
    assert!(
        err.contains("at least 12 characters") && err.contains("NCSC"),
        "{err}"
    );
    assert!(!err.contains("eleven-char"), "the password is never echoed");
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

#[tokio::test]
async fn the_audit_log_is_exported_as_csv_filtered_by_case_user_action_and_time() {
    let dir = tempfile::tempdir().expect("dir");
    let url = db(&dir);
    let server = jar_server::start(jar_server::ServerConfig::loopback(&url))
        .await
        .expect("server");
    let base = format!("{}/api/v1", server.base_url());
    let store = server.store();
    let (token, hash) = jar_server::auth::new_token();
    let mut tx = store.begin().await.expect("begin");
    jar_server::store::users::insert(
        tx.conn(),
        "mgr",
        "not-a-hash",
        jar_core::Role::Manager,
        &["North Wessex".to_string()],
        chrono::Utc::now(),
    )
    .await
    .expect("user");
    jar_server::store::users::insert_token(
        tx.conn(),
        &hash,
        "mgr",
        chrono::Utc::now() + chrono::Duration::hours(1),
    )
    .await
    .expect("token");
    store.commit(tx).await.expect("commit");
    let http = reqwest::Client::new();
    let mut refs = Vec::new();
    // Two different (synthetic) children: the same NHS number twice would be a duplicate (409).
    for (category, nhs) in [("sudi", "999 000 0018"), ("other", "999 000 0026")] {
        let body = serde_json::json!({"area": "North Wessex", "age_months": 4, "sex": "male",
            "place_of_death": "home", "category": category,
            // SUDI needs the time the child was found (issue 14 §2).
            "times": {"found_at": "2026-03-01T03:00:00Z"},
            "criteria": ["unclear"], "decided_by": "on call",
            "identity": {"child_name": "Example Child", "nhs_number": nhs,
                "address": "1 Example Street", "family": []}});
        let r = http
            .post(format!("{base}/cases"))
            .bearer_auth(&token)
            .header("idempotency-key", uuid::Uuid::new_v4().to_string())
            .json(&body)
            .send()
            .await
            .expect("notify");
        assert_eq!(r.status().as_u16(), 201);
        let v: serde_json::Value = r.json().await.expect("json");
        refs.push(v["case"]["reference"].as_str().expect("ref").to_string());
    }
    let r = http
        .post(format!("{base}/cases/{}/identity/reveal", refs[0]))
        .bearer_auth(&token)
        .json(&serde_json::json!({"reason": "calling the family, as agreed"}))
        .send()
        .await
        .expect("reveal");
    assert_eq!(r.status().as_u16(), 200);
    server.shutdown().await;
    let export = |extra: &[&str]| {
        let mut args = vec!["audit", "export", "--format", "csv", "--database", &url];
        args.extend_from_slice(extra);
        let out = Command::new(BIN)
            .args(&args)
            .env("RUST_LOG", "warn")
            .output()
            .expect("run");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8")
    };
    let all = export(&[]);
    let lines: Vec<&str> = all.lines().collect();
    assert_eq!(
        lines[0], "id,at,username,role,action,case_ref,detail,remote",
        "{all}"
    );
    assert_eq!(
        lines.len(),
        4,
        "a header and three rows, newest first: {all}"
    );
    assert!(lines[1].contains(",identity.reveal,"), "{all}");
    let one_case = export(&["--case", &refs[0]]);
    assert_eq!(one_case.lines().count(), 3, "{one_case}");
    let reveals = export(&["--action", "identity.reveal", "--user", "mgr"]);
    assert_eq!(reveals.lines().count(), 2, "{reveals}");
    assert!(
        reveals.contains("calling the family, as agreed"),
        "the reason is exported: {reveals}"
    );
    assert!(
        !all.contains("Example Child"),
        "no identity in the audit: {all}"
    );
    let nobody = export(&["--user", "someone-else"]);
    assert_eq!(nobody.lines().count(), 1, "only the header: {nobody}");
    let future = export(&["--since", "2999-01-01T00:00:00Z"]);
    assert_eq!(future.lines().count(), 1, "{future}");
    let past = export(&["--until", "2000-01-01T00:00:00Z"]);
    assert_eq!(past.lines().count(), 1, "{past}");
    let (ok, err) = run(
        &[
            "audit",
            "export",
            "--action",
            "case.delete",
            "--database",
            &url,
        ],
        None,
    );
    assert!(
        !ok && err.contains("identity.reveal"),
        "lists the actions: {err}"
    );
}
