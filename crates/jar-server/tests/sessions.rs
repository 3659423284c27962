//! Issue G: sessions and secrets. The database never holds a raw token or password; tokens
//! expire, die on sign-out and when the user is disabled; sign-in is rate-limited per username
//! and per client address; TLS works with a certificate the client really trusts.

mod common;

use common::*;
use jar_core::Role;
use jar_server::clock::Clock;
use reqwest::Method;
use serde_json::{Value, json};
use sqlx::{Column, Connection, Row};
use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

const PASSWORD: &str = "correct-horse-PW-48213";

async fn sqlite_harness(ttl: Option<chrono::Duration>) -> (Harness, String) {
    sqlite_harness_at(ttl, Clock::system()).await
}

/// A server whose time is `clock` (a manual clock moves only when the test says).
async fn sqlite_harness_at(ttl: Option<chrono::Duration>, clock: Clock) -> (Harness, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}", dir.path().join("s.db").display());
    let mut config = jar_server::ServerConfig::loopback(&url);
    if let Some(ttl) = ttl {
        config.token_ttl = ttl;
    }
    config.clock = clock;
    (Harness::with_config(config, Some(dir)).await, url)
}

/// A client whose connections come from `127.0.0.<last>`: a different client address.
fn client_from(last: u8) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(IpAddr::V4(Ipv4Addr::new(127, 0, 0, last)))
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client")
}

async fn login(http: &reqwest::Client, h: &Harness, user: &str, pw: &str) -> (u16, Value) {
    let r = http
        .post(format!("{}/session", h.base))
        .header("content-type", "application/json")
        .body(json!({"username": user, "password": pw}).to_string())
        .send()
        .await
        .expect("send");
    let status = r.status().as_u16();
    let body = r.text().await.expect("body");
    (status, serde_json::from_str(&body).unwrap_or(Value::Null))
}

async fn add_user(mgr: &Person, name: &str) {
    let r = mgr
        .post(
            "/users",
            &json!({"username": name, "password": PASSWORD, "role": "police", "areas": [NORTH]}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
}

fn as_person(h: &Harness, name: &str, token: &str) -> Person {
    Person {
        name: name.into(),
        role: Role::Police,
        token: token.into(),
        http: h.http.clone(),
        base: h.base.clone(),
    }
}

/// Every cell of every table, as text.
async fn dump_tables(url: &str) -> String {
    let mut conn = sqlx::SqliteConnection::connect(url).await.expect("db");
    let tables: Vec<String> =
        sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table'")
            .fetch_all(&mut conn)
            .await
            .expect("tables");
    let mut out = String::new();
    for t in &tables {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT * FROM \"{t}\"")))
            .fetch_all(&mut conn)
            .await
            .expect("rows");
        for row in rows {
            for col in row.columns() {
                let i = col.ordinal();
                let cell = row
                    .try_get::<String, _>(i)
                    .ok()
                    .or_else(|| {
                        row.try_get::<Vec<u8>, _>(i)
                            .ok()
                            .map(|b| String::from_utf8_lossy(&b).into_owned())
                    })
                    .or_else(|| row.try_get::<i64, _>(i).ok().map(|n| n.to_string()))
                    .unwrap_or_default();
                out.push_str(&format!("{t}.{}={cell}\n", col.name()));
            }
        }
    }
    conn.close().await.expect("close");
    assert!(tables.iter().any(|t| t == "tokens"), "tables: {tables:?}");
    out
}

#[tokio::test]
async fn the_database_never_holds_a_raw_token_or_password() {
    let (h, url) = sqlite_harness(None).await;
    let mgr = h.person("mgr", Role::Manager, &[NORTH]).await;
    add_user(&mgr, "alice").await;
    let (status, v) = login(&h.http, &h, "alice", PASSWORD).await;
    assert_eq!(status, 201, "{v}");
    let token = v["token"].as_str().expect("token").to_string();
    // A second sign-in and a sign-out, so revoked rows are there too.
    let (_, v2) = login(&h.http, &h, "alice", PASSWORD).await;
    let token2 = v2["token"].as_str().expect("token").to_string();
    let alice = as_person(&h, "alice", &token2);
    assert_eq!(
        alice
            .send(Method::DELETE, "/session", None, &[])
            .await
            .status,
        204
    );
    let dump = dump_tables(&url).await;
    for secret in [PASSWORD, &token, &token2, &mgr.token] {
        assert!(!dump.contains(secret), "a table holds {secret:?}");
    }
    // What is held instead: the SHA-256 of each token and an argon2id PHC string.
    assert!(dump.contains(&jar_server::auth::token_hash(&token)));
    assert!(dump.contains(&jar_server::auth::token_hash(&token2)));
    assert!(dump.contains("password_hash=$argon2id$"), "{dump}");
    // And not in the raw file either (free pages, the write-ahead log).
    let path = url.trim_start_matches("sqlite://");
    for file in [path.to_string(), format!("{path}-wal")] {
        if let Ok(bytes) = std::fs::read(&file) {
            let raw = String::from_utf8_lossy(&bytes);
            for secret in [PASSWORD, &token, &token2] {
                assert!(!raw.contains(secret), "{file} holds {secret:?}");
            }
        }
    }
}

#[tokio::test]
async fn a_token_dies_when_its_time_to_live_runs_out() {
    let clock = Clock::manual(chrono::Utc::now());
    let (h, _) = sqlite_harness_at(Some(chrono::Duration::seconds(3)), clock.clone()).await;
    let mgr = h.person("mgr", Role::Manager, &[NORTH]).await;
    add_user(&mgr, "bob").await;
    let (status, v) = login(&h.http, &h, "bob", PASSWORD).await;
    assert_eq!(status, 201, "{v}");
    let bob = as_person(&h, "bob", v["token"].as_str().expect("token"));
    assert_eq!(bob.get("/me").await.status, 200);
    clock.advance(chrono::Duration::milliseconds(2900));
    assert_eq!(bob.get("/me").await.status, 200, "still alive just before");
    clock.advance(chrono::Duration::milliseconds(700));
    // Even though the server remembered the token a moment ago.
    bob.get("/me").await.assert_problem(401, "unauthorized");
    bob.get("/cases").await.assert_problem(401, "unauthorized");
}

#[tokio::test]
async fn sign_out_and_disabling_revoke_real_tokens_at_once_and_end_the_event_stream() {
    let (h, _) = sqlite_harness(None).await;
    let mgr = h.person("mgr", Role::Manager, &[NORTH]).await;
    add_user(&mgr, "carol").await;
    add_user(&mgr, "dave").await;
    // Sign-out: the token is dead on the next request, though it was just used (and cached).
    let (_, v) = login(&h.http, &h, "carol", PASSWORD).await;
    let carol = as_person(&h, "carol", v["token"].as_str().expect("token"));
    assert_eq!(carol.get("/me").await.status, 200);
    assert_eq!(
        carol
            .send(Method::DELETE, "/session", None, &[])
            .await
            .status,
        204
    );
    carol.get("/me").await.assert_problem(401, "unauthorized");
    // A second sign-out with the dead token is refused too.
    carol
        .send(Method::DELETE, "/session", None, &[])
        .await
        .assert_problem(401, "unauthorized");

    // Disabling: every token of that user dies, and their open event stream ends.
    let (_, v1) = login(&h.http, &h, "dave", PASSWORD).await;
    let (_, v2) = login(&h.http, &h, "dave", PASSWORD).await;
    let dave1 = as_person(&h, "dave", v1["token"].as_str().expect("token"));
    let dave2 = as_person(&h, "dave", v2["token"].as_str().expect("token"));
    assert_eq!(dave1.get("/me").await.status, 200);
    assert_eq!(dave2.get("/me").await.status, 200);
    let mut stream = Sse::open(&dave1, None).await;
    assert_eq!(
        mgr.send(Method::POST, "/users/dave/disable", None, &[])
            .await
            .status,
        204
    );
    dave1.get("/me").await.assert_problem(401, "unauthorized");
    dave2
        .get("/cases")
        .await
        .assert_problem(401, "unauthorized");
    // A change after the disable must not reach dave's stream; the stream ends instead.
    let reference = mgr.notify(NORTH, "sudi").await;
    let got = stream
        .until(6, |frames| {
            frames.iter().any(|f| f.data.contains(&reference))
        })
        .await;
    assert!(!got, "a disabled user heard of {reference}");
    // And a disabled user cannot sign in again.
    let (status, _) = login(&h.http, &h, "dave", PASSWORD).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn sign_in_is_rate_limited_per_username_and_per_address_separately() {
    let (h, _) = sqlite_harness(None).await;
    let mgr = h.person("mgr", Role::Manager, &[NORTH]).await;
    add_user(&mgr, "erin").await;
    add_user(&mgr, "frank").await;
    add_user(&mgr, "grace").await;

    // Per username: five failures for erin from one address ...
    let a = client_from(2);
    for _ in 0..5 {
        assert_eq!(login(&a, &h, "erin", "wrong").await.0, 401);
    }
    // ... and erin is locked out from another address, even with the right password,
    let b = client_from(3);
    let (status, problem) = login(&b, &h, "erin", PASSWORD).await;
    assert_eq!(status, 429, "{problem}");
    assert_eq!(
        problem["type"],
        format!("{}rate-limited", jar_core::wire::PROBLEM_BASE)
    );
    // while someone else signs in from that other address (usernames are case-folded too).
    assert_eq!(login(&b, &h, "frank", PASSWORD).await.0, 201);
    assert_eq!(login(&b, &h, "ERIN", PASSWORD).await.0, 429);

    // Per address: a spray of failures over invented usernames from one address (issue 13 §2:
    // an address is blocked only at a much higher rate than one account's typos) ...
    let c = client_from(4);
    for i in 0..jar_server::auth::ADDRESS_MAX_FAILURES {
        assert_eq!(login(&c, &h, &format!("nobody-{i}"), "wrong").await.0, 401);
    }
    // ... locks that address out, even for a good user with the right password,
    let (status, _) = login(&c, &h, "grace", PASSWORD).await;
    assert_eq!(status, 429);
    // while the same user signs in from elsewhere.
    assert_eq!(login(&client_from(5), &h, "grace", PASSWORD).await.0, 201);
}

/// A server behind `proxy` (trusted for `X-Forwarded-For`), on a manual clock.
async fn behind_proxy(proxy: &str) -> (Harness, Clock) {
    let clock = Clock::manual(chrono::Utc::now());
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}", dir.path().join("p.db").display());
    let mut config = jar_server::ServerConfig::loopback(&url);
    config.clock = clock.clone();
    config.trusted_proxies = vec![proxy.parse().expect("cidr")];
    (Harness::with_config(config, Some(dir)).await, clock)
}

async fn login_via(
    http: &reqwest::Client,
    h: &Harness,
    forwarded_for: &str,
    user: &str,
    pw: &str,
) -> (u16, Value) {
    let r = http
        .post(format!("{}/session", h.base))
        .header("content-type", "application/json")
        .header("x-forwarded-for", forwarded_for)
        .body(json!({"username": user, "password": pw}).to_string())
        .send()
        .await
        .expect("send");
    let status = r.status().as_u16();
    let body = r.text().await.expect("body");
    (status, serde_json::from_str(&body).unwrap_or(Value::Null))
}

#[tokio::test]
async fn ten_users_behind_one_jump_host_one_mistyping_the_other_nine_sign_in() {
    let (h, clock) = behind_proxy("127.0.0.1/32").await;
    let mgr = h.person("mgr", Role::Manager, &[NORTH]).await;
    let team: Vec<String> = (0..10).map(|i| format!("oncall-{i}")).collect();
    for name in &team {
        add_user(&mgr, name).await;
    }
    // Everyone reaches the server through the jump host; it says who the client is ...
    let jump_host = client_from(1);
    let typist = &team[0];
    let mut statuses = Vec::new();
    for _ in 0..20 {
        statuses.push(
            login_via(&jump_host, &h, "10.20.0.9", typist, "wrong")
                .await
                .0,
        );
    }
    assert_eq!(&statuses[..5], &[401; 5], "the first typos are free");
    assert!(statuses[5..].iter().all(|s| *s == 429), "{statuses:?}");
    // ... and the same one address for the whole team: the other nine sign in at once.
    for name in &team[1..] {
        let (status, v) = login_via(&jump_host, &h, "10.20.0.9", name, PASSWORD).await;
        assert_eq!(status, 201, "{name}: {v}");
    }
    // Even with nothing forwarded (the jump host's own address), the team is not locked out.
    assert_eq!(login(&jump_host, &h, &team[1], PASSWORD).await.0, 201);
    // The typist waits out a back-off, not a lockout: a second later the right password works.
    let (status, problem) = login_via(&jump_host, &h, "10.20.0.9", typist, PASSWORD).await;
    assert_eq!(status, 429, "{problem}");
    clock.advance(chrono::Duration::seconds(1));
    assert_eq!(
        login_via(&jump_host, &h, "10.20.0.9", typist, PASSWORD)
            .await
            .0,
        201
    );
}

#[tokio::test]
async fn back_off_grows_exponentially_and_a_success_clears_it() {
    let (h, clock) = behind_proxy("127.0.0.1/32").await;
    let mgr = h.person("mgr", Role::Manager, &[NORTH]).await;
    add_user(&mgr, "heidi").await;
    let a = client_from(9);
    let mut waits = Vec::new();
    for _ in 0..5 {
        assert_eq!(login(&a, &h, "heidi", "wrong").await.0, 401);
    }
    for _ in 0..4 {
        // Each wrong password after the free ones doubles the wait before the next attempt.
        let r = a
            .post(format!("{}/session", h.base))
            .header("content-type", "application/json")
            .body(json!({"username": "heidi", "password": "wrong"}).to_string())
            .send()
            .await
            .expect("send");
        assert_eq!(r.status().as_u16(), 429);
        let wait: i64 = r.headers()["retry-after"]
            .to_str()
            .expect("ascii")
            .parse()
            .expect("seconds");
        waits.push(wait);
        clock.advance(chrono::Duration::seconds(wait));
        assert_eq!(login(&a, &h, "heidi", "wrong").await.0, 401);
    }
    assert_eq!(waits, vec![1, 2, 4, 8]);
    clock.advance(chrono::Duration::seconds(16));
    assert_eq!(login(&a, &h, "heidi", PASSWORD).await.0, 201);
    // Cleared: the next typo is free again.
    assert_eq!(login(&a, &h, "heidi", "wrong").await.0, 401);
    assert_eq!(login(&a, &h, "heidi", PASSWORD).await.0, 201);
}

#[tokio::test]
async fn x_forwarded_for_is_believed_only_from_a_trusted_proxy() {
    let (h, clock) = behind_proxy("127.0.0.2/32").await;
    let mgr = h.person("mgr", Role::Manager, &[NORTH]).await;
    add_user(&mgr, "ivan").await;
    let proxy = client_from(2);
    // A spray forwarded for one client blocks that client, not the proxy's other clients.
    for i in 0..jar_server::auth::ADDRESS_MAX_FAILURES {
        let (status, _) = login_via(&proxy, &h, "10.1.1.1", &format!("ghost-{i}"), "x").await;
        assert_eq!(status, 401);
    }
    assert_eq!(
        login_via(&proxy, &h, "10.1.1.1", "ivan", PASSWORD).await.0,
        429
    );
    assert_eq!(
        login_via(&proxy, &h, "10.1.1.2", "ivan", PASSWORD).await.0,
        201
    );
    // An untrusted client cannot dodge the address block by writing the header itself.
    let stranger = client_from(3);
    for i in 0..jar_server::auth::ADDRESS_MAX_FAILURES {
        let spoof = format!("10.9.9.{}", i % 250);
        let (status, _) = login_via(&stranger, &h, &spoof, &format!("ghost-{i}"), "x").await;
        assert_eq!(status, 401);
    }
    assert_eq!(
        login_via(&stranger, &h, "10.9.9.77", "ivan", PASSWORD)
            .await
            .0,
        429
    );
    // The audit names the forwarded client and the proxy.
    let audit = mgr.get("/audit?user=ivan&limit=10").await.json();
    let remotes: Vec<&str> = audit["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|e| e["remote"].as_str())
        .collect();
    assert!(
        remotes
            .iter()
            .any(|r| r.starts_with("10.1.1.2 via 127.0.0.2:")),
        "{remotes:?}"
    );
    // The block lifts when the window has passed.
    clock.advance(chrono::Duration::minutes(15));
    assert_eq!(
        login_via(&stranger, &h, "10.9.9.77", "ivan", PASSWORD)
            .await
            .0,
        201
    );
}

#[tokio::test]
async fn failed_sign_ins_are_audited_with_unknown_usernames_hashed() {
    let (h, _) = sqlite_harness(None).await;
    let mgr = h.person("mgr", Role::Manager, &[NORTH]).await;
    add_user(&mgr, "judy").await;
    let a = client_from(6);
    assert_eq!(login(&a, &h, "judy", "wrong").await.0, 401);
    assert_eq!(
        login(&a, &h, "Correct-Horse-Typed-In-Username", "x")
            .await
            .0,
        401
    );
    let r = a
        .post(format!("{}/session", h.base))
        .header("content-type", "application/json")
        .body(json!({"username": "ju\u{0}dy", "password": "x"}).to_string())
        .send()
        .await
        .expect("send");
    assert_eq!(r.status().as_u16(), 422);
    let raw = mgr.get("/audit?limit=50").await;
    let fails: Vec<Value> = raw.json()["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|e| e["action"] == "session.fail")
        .cloned()
        .collect();
    assert_eq!(fails.len(), 3, "{fails:?}");
    assert!(fails.iter().any(|e| e["username"] == "judy"
        && e["role"] == "police"
        && e["detail"] == "wrong password"));
    let unknown: Vec<&Value> = fails
        .iter()
        .filter(|e| e["detail"] == "unknown user")
        .collect();
    assert_eq!(unknown.len(), 1);
    assert!(
        unknown[0]["username"]
            .as_str()
            .is_some_and(|u| u.starts_with("unknown:"))
    );
    assert!(unknown[0]["role"].is_null());
    assert!(
        !raw.body
            .to_lowercase()
            .contains("correct-horse-typed-in-username"),
        "an unknown username is never written in the clear"
    );
    assert!(fails.iter().any(|e| e["detail"] == "invalid username"));
    assert!(!raw.body.contains("ju\\u0000dy"));
}

#[tokio::test]
async fn https_with_a_freshly_generated_certificate_that_the_client_trusts() {
    let cert =
        rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).expect("certificate");
    let dir = tempfile::tempdir().expect("dir");
    let cert_path = dir.path().join("cert.pem");
    let key_path = dir.path().join("key.pem");
    std::fs::write(&cert_path, cert.cert.pem()).expect("write cert");
    std::fs::write(&key_path, cert.signing_key.serialize_pem()).expect("write key");
    let mut config = jar_server::ServerConfig::loopback(format!(
        "sqlite://{}",
        dir.path().join("t.db").display()
    ));
    config.tls = Some((cert_path, key_path));
    let server = jar_server::start(config).await.expect("start with TLS");
    let port = server.addr.port();
    let root = reqwest::Certificate::from_pem(cert.cert.pem().as_bytes()).expect("root");
    // Full verification: the client trusts exactly this certificate, by name.
    let client = reqwest::Client::builder()
        .add_root_certificate(root)
        .resolve("localhost", server.addr)
        .timeout(Duration::from_secs(20))
        .build()
        .expect("client");
    let res = client
        .get(format!("https://localhost:{port}/api/v1/openapi.json"))
        .send()
        .await
        .expect("https request with a trusted certificate");
    assert_eq!(res.status().as_u16(), 200);
    // A client that does not trust it refuses the connection.
    let untrusting = reqwest::Client::builder()
        .resolve("localhost", server.addr)
        .timeout(Duration::from_secs(20))
        .build()
        .expect("client");
    assert!(
        untrusting
            .get(format!("https://localhost:{port}/healthz"))
            .send()
            .await
            .is_err(),
        "an untrusted certificate must not be accepted"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn plain_http_off_loopback_is_refused_by_the_library_too() {
    let dir = tempfile::tempdir().expect("dir");
    let mut config = jar_server::ServerConfig::loopback(format!(
        "sqlite://{}",
        dir.path().join("p.db").display()
    ));
    config.listen = "0.0.0.0:0".parse().expect("addr");
    let err = match jar_server::start(config.clone()).await {
        Ok(_) => panic!("plain HTTP on 0.0.0.0 must be refused"),
        Err(e) => e.to_string(),
    };
    assert!(err.contains("--insecure-http"), "{err}");
    // With the explicit flag it is the operator's choice.
    config.insecure_http = true;
    assert!(config.check().is_ok());
}
