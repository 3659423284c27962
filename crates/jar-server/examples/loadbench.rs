//! Server throughput on loopback: requests per second and p50/p99 latency of
//! `GET /api/v1/cases` (first page, limit 100) and `GET /api/v1/cases/{ref}` at 1, 16 and 64
//! concurrent clients beside `/healthz` (the ceiling), on SQLite and PostgreSQL; and the time
//! for one change to reach 1,000 `/events` subscribers. Requests ask for gzip, as the TUI does
//! (only list pages are sent compressed); `list-plain` is the first page without it.
//!
//! Run: `cargo run --release -p jar-server --example loadbench` (see docs/benchmarks.md).
//! It starts `target/release/jarterm-server serve --demo --demo-cases N` as a separate process
//! (built first) on a free 127.0.0.1 port. PostgreSQL runs when `DATABASE_URL` (or `--pg-url`)
//! is set: a fresh database `jarbench_<pid>` is created next to it and dropped afterwards.
//! Only 127.0.0.1 is ever targeted; each cell runs for `--seconds` (default 5).
//! 1,000 subscribers need about 1,100 file descriptors in each process: `ulimit -n 4096`.
//!
//! Output lines starting with `RESULT` are machine-readable (`scripts/bench-all` reads them).

use futures::StreamExt;
use sqlx::Connection;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

struct Args {
    seconds: f64,
    cases: usize,
    subscribers: usize,
    pg_url: Option<String>,
    sqlite: bool,
    build: bool,
}

fn args() -> Args {
    let mut a = Args {
        seconds: 5.0,
        cases: 10_000,
        subscribers: 1000,
        pg_url: std::env::var("DATABASE_URL")
            .ok()
            .filter(|u| u.starts_with("postgres")),
        sqlite: true,
        build: true,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut val = || {
            it.next()
                .unwrap_or_else(|| panic!("{flag} needs a value"))
                .replace([',', '_'], "")
        };
        match flag.as_str() {
            "--seconds" => a.seconds = val().parse().expect("--seconds N"),
            "--cases" => a.cases = val().parse().expect("--cases N"),
            "--subscribers" => a.subscribers = val().parse().expect("--subscribers N"),
            "--pg-url" => a.pg_url = Some(val()),
            "--no-postgres" => a.pg_url = None,
            "--no-sqlite" => a.sqlite = false,
            "--no-build" => a.build = false,
            other => panic!(
                "unknown argument {other}; usage: loadbench [--seconds S] [--cases N] [--subscribers N] \
                 [--pg-url URL | --no-postgres] [--no-sqlite] [--no-build]"
            ),
        }
    }
    a
}

fn bin_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("current exe");
    exe.parent()
        .and_then(Path::parent)
        .expect("target/<profile>/examples")
        .to_path_buf()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

fn fd_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    limits
        .lines()
        .find(|l| l.starts_with("Max open files"))?
        .split_whitespace()
        .nth(3)?
        .parse()
        .ok()
}

struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start_server(bin: &Path, log: &Path, database: &str, cases: usize) -> Server {
    let port = free_port();
    let started = Instant::now();
    let child = Command::new(bin.join("jarterm-server"))
        .args([
            "serve",
            "--demo",
            "--demo-cases",
            &cases.to_string(),
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--database",
            database,
        ])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(log).expect("server log"))
        .spawn()
        .expect("start jarterm-server");
    let mut server = Server {
        child,
        base: format!("http://127.0.0.1:{port}"),
    };
    let http = reqwest::Client::new();
    loop {
        if let Ok(r) = http.get(format!("{}/healthz", server.base)).send().await
            && r.status().is_success()
        {
            break;
        }
        if let Ok(Some(status)) = server.child.try_wait() {
            panic!("jarterm-server exited ({status}); see {}", log.display());
        }
        assert!(
            started.elapsed() < Duration::from_secs(900),
            "jarterm-server did not answer /healthz within 15 minutes"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    eprintln!(
        "server with {cases} demo cases ready in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    server
}

async fn login(base: &str) -> String {
    let r = reqwest::Client::new()
        .post(format!("{base}/api/v1/session"))
        .json(&serde_json::json!({"username": "demo-paed", "password": "demo"}))
        .send()
        .await
        .expect("sign in");
    assert_eq!(r.status().as_u16(), 201, "sign-in failed");
    let v: serde_json::Value = r.json().await.expect("login JSON");
    v["token"].as_str().expect("token").to_string()
}

struct Cell {
    /// Mean bytes of a response body, as sent (compressed when gzip was asked for).
    body_bytes: usize,
    requests: usize,
    errors: usize,
    rps: f64,
    p50: f64,
    p99: f64,
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[(((sorted.len() - 1) as f64) * p).round() as usize]
}

/// `concurrency` clients, each on its own connection, each sending its next request as soon as
/// the last one is read in full, for `seconds`. With `gzip`, each asks for gzip as the TUI
/// does and reads the body as sent, without inflating it (as `wrk` or `oha` would).
async fn cell(
    paths: Arc<Vec<String>>,
    token: &str,
    concurrency: usize,
    seconds: f64,
    gzip: bool,
) -> Cell {
    let start = Instant::now();
    let end = start + Duration::from_secs_f64(seconds);
    let mut tasks = Vec::new();
    for w in 0..concurrency {
        let paths = paths.clone();
        let auth = format!("Bearer {token}");
        tasks.push(tokio::spawn(async move {
            let http = reqwest::Client::builder()
                .pool_max_idle_per_host(1)
                .no_gzip()
                .build()
                .expect("client");
            let encoding = if gzip { "gzip" } else { "identity" };
            let mut lat = Vec::new();
            let mut errors = 0usize;
            let mut bytes = 0usize;
            let mut i = w;
            while Instant::now() < end {
                let url = &paths[i % paths.len()];
                i += concurrency;
                let t = Instant::now();
                let sent = http
                    .get(url)
                    .header("authorization", &auth)
                    .header("accept-encoding", encoding)
                    .send()
                    .await;
                let ok = match sent {
                    Ok(r) => {
                        let ok = r.status().is_success();
                        match r.bytes().await {
                            Ok(b) => {
                                bytes += b.len();
                                ok
                            }
                            Err(_) => false,
                        }
                    }
                    Err(_) => false,
                };
                if ok {
                    lat.push(t.elapsed().as_secs_f64() * 1000.0);
                } else {
                    errors += 1;
                }
            }
            (lat, errors, bytes)
        }));
    }
    let mut all = Vec::new();
    let (mut errors, mut bytes) = (0, 0);
    for t in tasks {
        let (lat, e, b) = t.await.expect("worker");
        all.extend(lat);
        errors += e;
        bytes += b;
    }
    let elapsed = start.elapsed().as_secs_f64();
    all.sort_by(f64::total_cmp);
    Cell {
        body_bytes: bytes / all.len().max(1),
        requests: all.len(),
        errors,
        rps: all.len() as f64 / elapsed,
        p50: pct(&all, 0.5),
        p99: pct(&all, 0.99),
    }
}

/// Open `n` event streams, make one write, and time until every stream has seen it.
async fn fanout(backend: &str, base: &str, token: &str, case_ref: &str, n: usize) {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .expect("client");
    let connected = Arc::new(AtomicUsize::new(0));
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Instant>();
    let mut tasks = Vec::new();
    let open_started = Instant::now();
    for _ in 0..n {
        let (http, connected, tx) = (http.clone(), connected.clone(), tx.clone());
        let url = format!("{base}/api/v1/events");
        let auth = format!("Bearer {token}");
        tasks.push(tokio::spawn(async move {
            let r = match http.get(&url).header("authorization", auth).send().await {
                Ok(r) if r.status().is_success() => r,
                Ok(r) => {
                    eprintln!("subscriber refused: {}", r.status());
                    return;
                }
                Err(e) => {
                    eprintln!("subscriber failed: {e}");
                    return;
                }
            };
            connected.fetch_add(1, Ordering::SeqCst);
            let mut stream = r.bytes_stream();
            let mut seen = Vec::new();
            while let Some(Ok(chunk)) = stream.next().await {
                seen.extend_from_slice(&chunk);
                if seen.windows(13).any(|w| w == b"event: change") {
                    let _ = tx.send(Instant::now());
                    return;
                }
            }
        }));
    }
    drop(tx);
    while connected.load(Ordering::SeqCst) < n && open_started.elapsed() < Duration::from_secs(60) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let open = connected.load(Ordering::SeqCst);
    eprintln!(
        "{open} of {n} subscribers connected in {:.2} s",
        open_started.elapsed().as_secs_f64()
    );
    // Let every stream reach its wait for changes.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let t0 = Instant::now();
    let r = http
        .post(format!("{base}/api/v1/cases/{case_ref}/timeline"))
        .header("authorization", format!("Bearer {token}"))
        .header("idempotency-key", uuid::Uuid::new_v4().to_string())
        .json(&serde_json::json!({"kind": "note", "note": "loadbench"}))
        .send()
        .await
        .expect("write");
    let write_ms = t0.elapsed().as_secs_f64() * 1000.0;
    assert!(r.status().is_success(), "write failed: {}", r.status());
    let mut times = Vec::new();
    while times.len() < open {
        match tokio::time::timeout(Duration::from_secs(30), rx.recv()).await {
            Ok(Some(t)) => times.push((t - t0).as_secs_f64() * 1000.0),
            _ => break,
        }
    }
    times.sort_by(f64::total_cmp);
    println!(
        "RESULT fanout backend={backend} subscribers={n} connected={open} received={} write_ms={write_ms:.1} \
         p50_ms={:.1} all_ms={:.1}",
        times.len(),
        pct(&times, 0.5),
        times.last().copied().unwrap_or(f64::NAN)
    );
    for t in tasks {
        t.abort();
    }
}

async fn bench_backend(name: &str, bin: &Path, database: &str, log: &Path, a: &Args) {
    let server = start_server(bin, log, database, a.cases).await;
    let token = login(&server.base).await;
    let first: serde_json::Value = reqwest::Client::new()
        .get(format!("{}/api/v1/cases?limit=100", server.base))
        .bearer_auth(&token)
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("list JSON");
    let refs: Vec<String> = first["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|c| c["reference"].as_str().map(str::to_string))
        .collect();
    assert!(!refs.is_empty(), "no cases listed");
    // The first page as the TUI asks for it (gzip), and the same without gzip for context.
    let list = vec![format!("{}/api/v1/cases?limit=100", server.base)];
    let targets: [(&str, Vec<String>, bool); 4] = [
        ("healthz", vec![format!("{}/healthz", server.base)], true),
        ("list", list.clone(), true),
        ("list-plain", list, false),
        (
            "detail",
            refs.iter()
                .map(|r| format!("{}/api/v1/cases/{r}", server.base))
                .collect(),
            true,
        ),
    ];
    for conc in [1usize, 16, 64] {
        for (what, paths, gzip) in &targets {
            let c = cell(Arc::new(paths.clone()), &token, conc, a.seconds, *gzip).await;
            println!(
                "RESULT load backend={name} endpoint={what} clients={conc} rps={:.0} p50_ms={:.2} \
                 p99_ms={:.2} requests={} errors={} body_bytes={}",
                c.rps, c.p50, c.p99, c.requests, c.errors, c.body_bytes
            );
        }
    }
    if a.subscribers > 0 {
        let need = a.subscribers as u64 + 200;
        if fd_limit().is_some_and(|l| l < need) {
            eprintln!(
                "file-descriptor limit below {need}: raise it with `ulimit -n 4096` (scripts/bench-all does)"
            );
        }
        fanout(name, &server.base, &token, &refs[0], a.subscribers).await;
    }
    drop(server);
}

#[tokio::main]
async fn main() {
    let a = args();
    if a.build {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let ok = Command::new(cargo)
            .args([
                "build",
                "--release",
                "-p",
                "jar-server",
                "--bin",
                "jarterm-server",
            ])
            .status()
            .expect("cargo build")
            .success();
        assert!(ok, "cargo build --release -p jar-server failed");
    }
    let bin = bin_dir();
    let dir = tempfile::tempdir().expect("temp dir");
    if a.sqlite {
        let db = format!("sqlite://{}", dir.path().join("bench.db").display());
        bench_backend("sqlite", &bin, &db, &dir.path().join("sqlite.log"), &a).await;
    }
    if let Some(url) = a.pg_url.clone() {
        let (admin, _) = url.rsplit_once('/').expect("postgres://host/db");
        assert!(
            admin.contains("@127.0.0.1")
                || admin.contains("@localhost")
                || admin.ends_with("//127.0.0.1"),
            "loadbench only targets 127.0.0.1"
        );
        let name = format!("jarbench_{}", std::process::id());
        let mut conn = sqlx::postgres::PgConnection::connect(&url)
            .await
            .expect("connect to PostgreSQL");
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut conn)
            .await
            .expect("create bench database");
        let db = format!("{admin}/{name}");
        bench_backend("postgres", &bin, &db, &dir.path().join("pg.log"), &a).await;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
        )))
        .execute(&mut conn)
        .await
        .expect("drop bench database");
        let _ = conn.close().await;
    }
}
