//! Test harness: a real server on 127.0.0.1:0 over a temporary SQLite file (or a fresh
//! PostgreSQL database), and people who talk to it.
#![allow(dead_code)]

pub mod fixture;

use jar_core::Role;
use jar_server::{RunningServer, ServerConfig};
use reqwest::Method;
use serde_json::{Value, json};
use std::time::Duration;

pub const NORTH: &str = "North Wessex";
pub const SOUTH: &str = "South Wessex";

pub struct Harness {
    pub server: RunningServer,
    pub http: reqwest::Client,
    pub base: String,
    _dir: Option<tempfile::TempDir>,
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .expect("client")
}

impl Harness {
    pub async fn sqlite() -> Harness {
        let dir = tempfile::tempdir().expect("tempdir");
        let url = format!("sqlite://{}", dir.path().join("jar.db").display());
        Self::with_config(ServerConfig::loopback(url), Some(dir)).await
    }

    pub async fn with_url(url: &str) -> Harness {
        Self::with_config(ServerConfig::loopback(url), None).await
    }

    pub async fn with_config(config: ServerConfig, dir: Option<tempfile::TempDir>) -> Harness {
        let server = jar_server::start(config).await.expect("server starts");
        let base = format!("{}/api/v1", server.base_url());
        Harness {
            server,
            http: client(),
            base,
            _dir: dir,
        }
    }

    /// A user with a token, created straight in the store: no password hashing, so tests stay
    /// fast. Sign-in itself is tested in writes.rs.
    pub async fn person(&self, name: &str, role: Role, areas: &[&str]) -> Person {
        let store = self.server.store();
        let areas: Vec<String> = areas.iter().map(|a| a.to_string()).collect();
        let mut tx = store.begin().await.expect("begin");
        jar_server::store::users::insert(
            tx.conn(),
            name,
            "not-a-hash",
            role,
            &areas,
            chrono::Utc::now(),
        )
        .await
        .expect("insert user");
        let (token, hash) = jar_server::auth::new_token();
        jar_server::store::users::insert_token(
            tx.conn(),
            &hash,
            name,
            chrono::Utc::now() + chrono::Duration::hours(1),
        )
        .await
        .expect("token");
        store.commit(tx).await.expect("commit");
        Person {
            name: name.to_string(),
            role,
            token,
            http: self.http.clone(),
            base: self.base.clone(),
        }
    }

    pub async fn count(&self, table: &str) -> i64 {
        let store = self.server.store();
        let mut conn = store.read().await.expect("conn");
        jar_server::store::records::count_rows(&mut conn, table)
            .await
            .expect("count")
    }
}

#[derive(Clone)]
pub struct Person {
    pub name: String,
    pub role: Role,
    pub token: String,
    pub http: reqwest::Client,
    pub base: String,
}

#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }
    /// Assert this is a problem+json with the given status and type slug.
    pub fn assert_problem(&self, status: u16, slug: &str) {
        assert_eq!(self.status, status, "status; body: {}", self.body);
        assert_eq!(
            self.header("content-type").as_deref(),
            Some("application/problem+json"),
            "{}",
            self.body
        );
        let p = self.json();
        assert_eq!(
            p["type"],
            format!("{}{slug}", jar_core::wire::PROBLEM_BASE),
            "{}",
            self.body
        );
        assert_eq!(p["status"], status);
        assert!(p["title"].as_str().is_some_and(|t| !t.is_empty()));
        assert!(p["detail"].as_str().is_some_and(|t| !t.is_empty()));
    }
}

pub fn key() -> String {
    uuid::Uuid::new_v4().to_string()
}

impl Person {
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<String>,
        headers: &[(&str, &str)],
    ) -> Resp {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header("authorization", format!("Bearer {}", self.token));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(b) = body {
            req = req.header("content-type", "application/json").body(b);
        }
        let res = req.send().await.expect("request");
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let body = res.text().await.expect("body");
        Resp {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.send(Method::GET, path, None, &[]).await
    }

    /// POST with a fresh Idempotency-Key.
    pub async fn post(&self, path: &str, body: &Value) -> Resp {
        self.send(
            Method::POST,
            path,
            Some(body.to_string()),
            &[("idempotency-key", &key())],
        )
        .await
    }

    pub async fn post_with_key(&self, path: &str, body: &Value, key: &str) -> Resp {
        self.send(
            Method::POST,
            path,
            Some(body.to_string()),
            &[("idempotency-key", key)],
        )
        .await
    }

    pub async fn patch(&self, path: &str, body: &Value, version: i64) -> Resp {
        let etag = format!("\"{version}\"");
        self.send(
            Method::PATCH,
            path,
            Some(body.to_string()),
            &[("if-match", &etag)],
        )
        .await
    }

    pub async fn put(&self, path: &str, body: &Value, version: i64) -> Resp {
        let etag = format!("\"{version}\"");
        self.send(
            Method::PUT,
            path,
            Some(body.to_string()),
            &[("if-match", &etag)],
        )
        .await
    }

    /// Notify a death in `area`; returns the new reference.
    pub async fn notify(&self, area: &str, category: &str) -> String {
        let r = self.post("/cases", &new_case(area, category)).await;
        assert_eq!(r.status, 201, "{}", r.body);
        r.json()["case"]["reference"]
            .as_str()
            .expect("reference")
            .to_string()
    }

    pub async fn version(&self, reference: &str) -> i64 {
        let r = self.get(&format!("/cases/{reference}")).await;
        assert_eq!(r.status, 200, "{}", r.body);
        r.json()["case"]["version"].as_i64().expect("version")
    }
}

/// A synthetic NHS number (999 prefix, valid check digit), different on every call: two
/// notifications with the same NHS number are the same death (issue 15 §3), answered 409.
pub fn fresh_nhs_number() -> String {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    jar_server::demo::nhs_test_number(
        500_000 + NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
    )
}

pub fn new_case(area: &str, category: &str) -> Value {
    json!({
        "area": area,
        "age_months": 4,
        "sex": "female",
        "place_of_death": "home",
        "category": category,
        "times": {"last_seen_at": null, "found_at": "2026-03-01T03:00:00Z", "death_confirmed_at": "2026-03-01T03:00:00Z"},
        "criteria": ["sudden_no_apparent_cause"],
        "decided_by": "on-call paediatrician",
        "rationale": "",
        "identity": {
            "child_name": "Example Child Quillwort",
            "nhs_number": fresh_nhs_number(),
            "address": "1 Example Street",
            "family": []
        }
    })
}

pub fn new_contact(summary: &str) -> Value {
    json!({
        "occurred_at": "2026-03-01T10:00:00Z",
        "direction": "outbound",
        "mode": "phone",
        "participants": ["mother"],
        "purpose": "initial_contact",
        "summary": summary,
        "outcome": "reached",
        "next_contact_due": null
    })
}

/// A fresh PostgreSQL database for one scenario, dropped by [`drop_pg_database`].
pub async fn create_pg_database(admin_url: &str) -> anyhow::Result<(String, String)> {
    use sqlx::Connection;
    let name = format!("jar_test_{}", uuid::Uuid::new_v4().simple());
    let mut conn = sqlx::PgConnection::connect(admin_url).await?;
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await?;
    conn.close().await?;
    let base = admin_url.rsplit_once('/').map_or(admin_url, |(b, _)| b);
    Ok((format!("{base}/{name}"), name))
}

pub async fn drop_pg_database(admin_url: &str, name: &str) -> anyhow::Result<()> {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(admin_url).await?;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
    )))
    .execute(&mut conn)
    .await?;
    conn.close().await?;
    Ok(())
}

/// Read SSE frames from a response until `pred` holds for the frames so far, or time runs out.
pub struct Sse {
    res: reqwest::Response,
    buf: String,
    pub frames: Vec<Frame>,
}

#[derive(Debug, Clone, Default)]
pub struct Frame {
    pub event: String,
    pub id: Option<String>,
    pub data: String,
}

impl Sse {
    pub async fn open(p: &Person, last_event_id: Option<&str>) -> Sse {
        let mut req = p
            .http
            .get(format!("{}/events", p.base))
            .header("authorization", format!("Bearer {}", p.token))
            .timeout(Duration::from_secs(60));
        if let Some(id) = last_event_id {
            req = req.header("last-event-id", id);
        }
        let res = req.send().await.expect("events");
        assert_eq!(res.status().as_u16(), 200);
        Sse {
            res,
            buf: String::new(),
            frames: Vec::new(),
        }
    }

    /// Wait (at most `secs`) until `pred(frames)`; returns whether it held.
    pub async fn until(&mut self, secs: u64, pred: impl Fn(&[Frame]) -> bool) -> bool {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
        while !pred(&self.frames) {
            let chunk = match tokio::time::timeout_at(deadline, self.res.chunk()).await {
                Ok(Ok(Some(c))) => c,
                _ => return pred(&self.frames),
            };
            self.buf.push_str(&String::from_utf8_lossy(&chunk));
            while let Some(end) = self.buf.find("\n\n") {
                let raw: String = self.buf.drain(..end + 2).collect();
                let mut f = Frame::default();
                for line in raw.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        f.event = v.trim().to_string();
                    } else if let Some(v) = line.strip_prefix("id:") {
                        f.id = Some(v.trim().to_string());
                    } else if let Some(v) = line.strip_prefix("data:") {
                        f.data.push_str(v.trim_start());
                    }
                }
                if !f.event.is_empty() || !f.data.is_empty() {
                    self.frames.push(f);
                }
            }
        }
        true
    }
}
