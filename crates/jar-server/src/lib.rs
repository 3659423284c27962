//! jarterm-server: the central case API for the Joint Agency Response.
//!
//! [`start`] runs the whole server in-process (the binary, the TUI's `jarterm demo` and the
//! tests all use it). The library never installs a tracing subscriber: its host decides.

pub mod audit;
pub mod audit_cli;
pub mod auth;
pub mod cache;
pub mod clock;
pub mod demo;
pub mod events;
pub mod export;
pub mod http;
pub mod projection;
pub mod store;
pub mod users_cli;

use anyhow::Context;
use jar_core::deadline::AreaOverrides;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

pub use store::Store;

/// Everything `start` needs.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub listen: SocketAddr,
    pub database_url: String,
    /// `Some(n)`: seed `n` demo cases and the demo users.
    pub demo_cases: Option<usize>,
    /// (certificate, key) PEM files: serve HTTPS.
    pub tls: Option<(PathBuf, PathBuf)>,
    /// Allow plain HTTP on a non-loopback address.
    pub insecure_http: bool,
    pub token_ttl: chrono::Duration,
    pub area_overrides: AreaOverrides,
    /// Per-area changes to the national bereavement-services catalogue (issue 16 §1).
    pub support: jar_core::support::AreaCatalogues,
    /// The system clock in production; a manual one in tests (see `clock.rs`).
    pub clock: clock::Clock,
    /// Proxies (a jump host, a load balancer) whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<ipnet::IpNet>,
}

impl ServerConfig {
    /// 127.0.0.1 on a free port, 12-hour tokens, no demo data.
    pub fn loopback(database_url: impl Into<String>) -> Self {
        ServerConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            database_url: database_url.into(),
            demo_cases: None,
            tls: None,
            insecure_http: false,
            token_ttl: chrono::Duration::hours(12),
            area_overrides: AreaOverrides::new(),
            support: jar_core::support::AreaCatalogues::default(),
            clock: clock::Clock::system(),
            trusted_proxies: Vec::new(),
        }
    }

    /// Refuse configurations that would expose data: plain HTTP or demo data off loopback.
    pub fn check(&self) -> anyhow::Result<()> {
        let loopback = self.listen.ip().is_loopback();
        if self.demo_cases.is_some() && !loopback {
            anyhow::bail!(
                "refusing to serve demo data on {}: --demo only listens on a loopback address such as 127.0.0.1",
                self.listen
            );
        }
        if self.tls.is_none() && !loopback && !self.insecure_http {
            anyhow::bail!(
                "refusing plain HTTP on {}: give --tls-cert and --tls-key, listen on 127.0.0.1, \
                 or pass --insecure-http if a proxy in front terminates TLS",
                self.listen
            );
        }
        Ok(())
    }
}

/// A server running in a background task.
pub struct RunningServer {
    pub addr: SocketAddr,
    tls: bool,
    cancel: CancellationToken,
    task: JoinHandle<()>,
    store: Arc<Store>,
}

impl RunningServer {
    /// e.g. `http://127.0.0.1:8471`.
    pub fn base_url(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }

    /// The store behind the server (tests count rows through it).
    pub fn store(&self) -> Arc<Store> {
        self.store.clone()
    }

    /// Stop accepting, let requests in flight finish briefly, and wait for the task.
    pub async fn shutdown(self) {
        self.cancel.cancel();
        let _ = tokio::time::timeout(Duration::from_secs(5), self.task).await;
        self.store.pool.close().await;
    }
}

/// How long changes are kept for `Last-Event-ID` resumption; older clients get `resync`.
pub const CHANGE_RETENTION_DAYS: i64 = 7;

async fn prune_changes(store: &Store, clock: &clock::Clock) -> anyhow::Result<()> {
    let mut tx = store.begin().await?;
    let cutoff = clock.now() - chrono::Duration::days(CHANGE_RETENTION_DAYS);
    store::changes::prune(tx.conn(), cutoff).await?;
    tx.tx.commit().await?;
    Ok(())
}

fn spawn_pruner(store: Arc<Store>, clock: clock::Clock, cancel: CancellationToken) {
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = cancel.cancelled() => return,
                _ = tokio::time::sleep(Duration::from_secs(3600)) => {}
            }
            if let Err(e) = prune_changes(&store, &clock).await {
                tracing::warn!(error = %e, "pruning old changes failed");
            }
        }
    });
}

/// Migrate, seed if asked, bind and serve in a spawned task.
pub async fn start(config: ServerConfig) -> anyhow::Result<RunningServer> {
    config.check()?;
    let store = Store::connect(&config.database_url).await?;
    if let Some(n) = config.demo_cases {
        demo::seed_at(&store, n, &config.area_overrides, config.clock.now())
            .await
            .context("seeding demo data failed")?;
    }
    prune_changes(&store, &config.clock).await?;
    let cancel = CancellationToken::new();
    spawn_pruner(store.clone(), config.clock.clone(), cancel.clone());
    if store.backend == store::Backend::Postgres {
        events::spawn_pg_listener(store.clone(), config.database_url.clone(), cancel.clone());
    }
    let ctx = Arc::new(http::ApiContext {
        store: store.clone(),
        token_ttl: config.token_ttl,
        area_overrides: config.area_overrides.clone(),
        support: config.support.clone(),
        throttle: auth::Throttle::new(),
        trusted_proxies: config.trusted_proxies.clone(),
        principals: cache::PrincipalCache::default(),
        pages: cache::ListCache::default(),
        shutdown: cancel.clone(),
        clock: config.clock.clone(),
    });
    let app = http::api_router(ctx).into_make_service_with_connect_info::<SocketAddr>();
    let listener = std::net::TcpListener::bind(config.listen)
        .with_context(|| format!("could not listen on {}", config.listen))?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    let task = match &config.tls {
        None => {
            let listener = tokio::net::TcpListener::from_std(listener)?;
            let cancel = cancel.clone();
            tokio::spawn(async move {
                let serve =
                    axum::serve(listener, app).with_graceful_shutdown(cancel.cancelled_owned());
                if let Err(e) = serve.await {
                    tracing::error!(error = %e, "server stopped");
                }
            })
        }
        Some((cert, key)) => {
            let _ = rustls::crypto::ring::default_provider().install_default();
            let tls = axum_server::tls_rustls::RustlsConfig::from_pem_file(cert, key)
                .await
                .context("could not load the TLS certificate and key")?;
            let handle = axum_server::Handle::new();
            let server = axum_server::from_tcp_rustls(listener, tls)?.handle(handle.clone());
            let cancel = cancel.clone();
            tokio::spawn(async move {
                cancel.cancelled().await;
                handle.graceful_shutdown(Some(Duration::from_secs(5)));
            });
            tokio::spawn(async move {
                if let Err(e) = server.serve(app).await {
                    tracing::error!(error = %e, "server stopped");
                }
            })
        }
    };
    tracing::info!(%addr, "jarterm-server listening");
    Ok(RunningServer {
        addr,
        tls: config.tls.is_some(),
        cancel,
        task,
        store,
    })
}
