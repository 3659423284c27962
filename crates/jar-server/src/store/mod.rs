//! The case store: one implementation over `sqlx::AnyPool`, so SQLite and PostgreSQL share every
//! query. Only portable SQL is used (`$1` placeholders, `RETURNING`, `ON CONFLICT`); what differs
//! per backend (DDL, connection pragmas, NOTIFY) is chosen from [`Backend`].

pub mod audit;
pub mod cases;
pub mod changes;
pub mod handovers;
pub mod idempotency;
pub mod migrate;
pub mod people;
pub mod records;
pub mod review;
pub mod users;

use anyhow::Context;
use chrono::{DateTime, TimeZone, Utc};
use sqlx::AnyConnection;
use sqlx::any::AnyPoolOptions;
use sqlx::{Any, AnyPool, Transaction};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, MutexGuard, watch};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub type Conn = AnyConnection;

/// The store shared by every request.
pub struct Store {
    pub pool: AnyPool,
    pub backend: Backend,
    /// Writes are serialised within one server: SQLite allows one writer anyway, and it keeps the
    /// `changes` sequence in commit order, which `Last-Event-ID` resumption relies on.
    write_lock: Mutex<()>,
    /// The highest committed change sequence this server knows of; SSE subscribers watch it.
    latest: watch::Sender<i64>,
    /// The last batch read for the event streams, shared: after a change, a thousand
    /// subscribers waiting at the same point need one query, not a thousand.
    recent: std::sync::Mutex<Option<RecentBatch>>,
}

/// Every committed change with `from < seq <= to`, as one query saw them. Writers are
/// serialised, so commits land in `seq` order and a query sees a complete prefix.
struct RecentBatch {
    from: i64,
    to: i64,
    rows: Arc<Vec<changes::StoredChange>>,
}

/// A write transaction holding the server's write lock until it commits or drops.
pub struct WriteTx<'a> {
    pub tx: Transaction<'static, Any>,
    pub backend: Backend,
    _guard: MutexGuard<'a, ()>,
}

impl WriteTx<'_> {
    pub fn conn(&mut self) -> &mut Conn {
        &mut self.tx
    }
}

/// SQLite URLs are given to the driver with `mode=rwc` so a new file is created on first start.
fn normalise_url(url: &str) -> (Backend, String) {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return (Backend::Postgres, url.to_string());
    }
    let mut url = url.to_string();
    if !url.starts_with("sqlite:") {
        url = format!("sqlite://{url}");
    }
    if !url.contains("mode=") && !url.contains(":memory:") {
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str("mode=rwc");
    }
    (Backend::Sqlite, url)
}

impl Store {
    pub async fn connect(database_url: &str) -> anyhow::Result<Arc<Store>> {
        sqlx::any::install_default_drivers();
        let (backend, url) = normalise_url(database_url);
        let mut options = AnyPoolOptions::new().acquire_timeout(Duration::from_secs(10));
        if backend == Backend::Sqlite {
            // WAL lets readers run beside the single writer; the busy timeout covers the
            // moments when another process (a CLI `user add`) holds the lock.
            options = options.max_connections(8).after_connect(|conn, _| {
                Box::pin(async move {
                    for pragma in [
                        "PRAGMA journal_mode = WAL",
                        "PRAGMA busy_timeout = 5000",
                        "PRAGMA synchronous = NORMAL",
                    ] {
                        sqlx::query(pragma).execute(&mut *conn).await?;
                    }
                    Ok(())
                })
            });
        } else {
            options = options.max_connections(16);
        }
        let pool = options
            .connect(&url)
            .await
            .context("could not open the database")?;
        let (latest, _) = watch::channel(0);
        let store = Arc::new(Store {
            pool,
            backend,
            write_lock: Mutex::new(()),
            latest,
            recent: std::sync::Mutex::new(None),
        });
        migrate::run(&store).await?;
        let seq = changes::max_seq(&mut *store.pool.acquire().await?).await?;
        store.latest.send_replace(seq);
        Ok(store)
    }

    pub async fn begin(&self) -> anyhow::Result<WriteTx<'_>> {
        let guard = self.write_lock.lock().await;
        let mut tx = match self.backend {
            // Take SQLite's write lock at the start, so that a writer in another process (the
            // `user` CLI) makes us wait out the busy timeout instead of failing mid-transaction.
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        if self.backend == Backend::Postgres {
            // Several servers may share the database: one writer at a time across all of them
            // keeps `changes.seq` in commit order, so no event stream can skip a change that
            // commits late. Writes are rare next to reads; the lock ends with the transaction.
            // (It also keeps two servers starting together from migrating at once.)
            sqlx::query("SELECT 1 FROM (SELECT pg_advisory_xact_lock(8471)) AS l")
                .execute(&mut *tx)
                .await?;
        }
        Ok(WriteTx {
            tx,
            backend: self.backend,
            _guard: guard,
        })
    }

    /// Commit, then wake the event streams (and, on PostgreSQL, the other servers).
    pub async fn commit(&self, mut tx: WriteTx<'_>) -> anyhow::Result<()> {
        let seq = changes::max_seq(tx.conn()).await?;
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT pg_notify('jar_changes', '')")
                .execute(tx.conn())
                .await?;
        }
        tx.tx.commit().await?;
        self.latest.send_if_modified(|cur| {
            let newer = seq > *cur;
            if newer {
                *cur = seq;
            }
            newer
        });
        Ok(())
    }

    pub async fn read(&self) -> anyhow::Result<sqlx::pool::PoolConnection<Any>> {
        Ok(self.pool.acquire().await?)
    }

    /// The newest committed change this server knows of.
    pub fn latest_seq(&self) -> i64 {
        *self.latest.borrow()
    }

    pub fn subscribe(&self) -> watch::Receiver<i64> {
        self.latest.subscribe()
    }

    /// Called when another server announced a change (PostgreSQL NOTIFY).
    pub async fn refresh_latest(&self) -> anyhow::Result<()> {
        let seq = changes::max_seq(&mut *self.read().await?).await?;
        self.latest.send_if_modified(|cur| {
            let newer = seq > *cur;
            if newer {
                *cur = seq;
            }
            newer
        });
        Ok(())
    }

    /// Changes after `cursor` (at most `limit`), for the event streams.
    pub async fn changes_after(
        &self,
        cursor: i64,
        limit: i64,
    ) -> anyhow::Result<Arc<Vec<changes::StoredChange>>> {
        let latest = self.latest_seq();
        {
            let recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(b) = recent.as_ref()
                && b.from == cursor
                && b.to >= latest
            {
                return Ok(b.rows.clone());
            }
        }
        let rows = Arc::new(changes::after(&mut *self.read().await?, cursor, limit).await?);
        // A full batch may have more behind it; only a complete answer can be shared.
        if (rows.len() as i64) < limit {
            let to = rows.last().map_or(cursor, |c| c.event.seq);
            let mut recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
            *recent = Some(RecentBatch {
                from: cursor,
                to,
                rows: rows.clone(),
            });
        }
        Ok(rows)
    }

    pub async fn ping(&self) -> anyhow::Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }
}

pub fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

pub fn from_ms(v: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(v).single().unwrap_or_default()
}

/// Whether an error is a unique-constraint violation (a duplicate name or key).
pub fn is_unique_violation(e: &anyhow::Error) -> bool {
    e.downcast_ref::<sqlx::Error>()
        .and_then(|e| e.as_database_error())
        .is_some_and(|d| d.is_unique_violation())
}
