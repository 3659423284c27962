//! The `changes` table: one row per committed write, in the same transaction. Its `seq` is the
//! SSE event id, so a client that reconnects with `Last-Event-ID` replays from here.

use super::{Conn, from_ms, ms};
use chrono::{DateTime, Utc};
use jar_core::wire::{ChangeEvent, ChangeKind};
use sqlx::Row;

/// A change as stored: the event plus what decides who may hear of it.
#[derive(Debug, Clone)]
pub struct StoredChange {
    pub event: ChangeEvent,
    pub key_worker: Option<String>,
    /// Investigative detail (e.g. a strategy discussion): not for key workers.
    pub restricted: bool,
}

pub struct NewChange<'a> {
    pub kind: ChangeKind,
    pub case: Option<&'a jar_core::Case>,
    pub version: Option<i64>,
    pub item: Option<String>,
    pub restricted: bool,
}

fn kind_str(kind: ChangeKind) -> anyhow::Result<String> {
    Ok(serde_json::to_value(kind)?
        .as_str()
        .unwrap_or_default()
        .to_string())
}

pub async fn insert(conn: &mut Conn, c: NewChange<'_>, now: DateTime<Utc>) -> anyhow::Result<i64> {
    let category = match c.case {
        Some(case) => Some(
            serde_json::to_value(case.category)?
                .as_str()
                .unwrap_or_default()
                .to_string(),
        ),
        None => None,
    };
    let seq: i64 = sqlx::query_scalar(
        "INSERT INTO changes (kind, case_ref, area, category, version, item, key_worker, restricted, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING seq",
    )
    .bind(kind_str(c.kind)?)
    .bind(c.case.map(|x| x.reference.clone()))
    .bind(c.case.map(|x| x.area.clone()))
    .bind(category)
    .bind(c.version)
    .bind(c.item)
    .bind(c.case.and_then(|x| x.people.key_worker.clone()))
    .bind(i64::from(c.restricted))
    .bind(ms(now))
    .fetch_one(&mut *conn)
    .await?;
    Ok(seq)
}

/// A change that is not on one case (a handover): heard by the area's people whose role may
/// hear its kind (`ChangeKind::visible_to`); it carries only the area and an id.
pub async fn insert_area(
    conn: &mut Conn,
    kind: ChangeKind,
    area: &str,
    item: String,
    now: DateTime<Utc>,
) -> anyhow::Result<i64> {
    let seq: i64 = sqlx::query_scalar(
        "INSERT INTO changes (kind, case_ref, area, category, version, item, key_worker, restricted, at) \
         VALUES ($1, NULL, $2, NULL, NULL, $3, NULL, 0, $4) RETURNING seq",
    )
    .bind(kind_str(kind)?)
    .bind(area)
    .bind(item)
    .bind(ms(now))
    .fetch_one(&mut *conn)
    .await?;
    Ok(seq)
}

pub async fn max_seq(conn: &mut Conn) -> anyhow::Result<i64> {
    let v: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM changes")
        .fetch_one(&mut *conn)
        .await?;
    Ok(v.unwrap_or(0))
}

pub async fn min_seq(conn: &mut Conn) -> anyhow::Result<Option<i64>> {
    Ok(sqlx::query_scalar("SELECT MIN(seq) FROM changes")
        .fetch_one(&mut *conn)
        .await?)
}

pub async fn after(conn: &mut Conn, seq: i64, limit: i64) -> anyhow::Result<Vec<StoredChange>> {
    let rows = sqlx::query(
        "SELECT seq, kind, case_ref, area, category, version, item, key_worker, restricted, at \
         FROM changes WHERE seq > $1 ORDER BY seq LIMIT $2",
    )
    .bind(seq)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            let kind: String = r.try_get("kind")?;
            let category: Option<String> = r.try_get("category")?;
            Ok(StoredChange {
                event: ChangeEvent {
                    seq: r.try_get("seq")?,
                    kind: serde_json::from_value(serde_json::Value::String(kind))?,
                    case_ref: r.try_get("case_ref")?,
                    area: r.try_get("area")?,
                    category: category
                        .map(|c| serde_json::from_value(serde_json::Value::String(c)))
                        .transpose()?,
                    version: r.try_get("version")?,
                    item: r.try_get("item")?,
                    at: from_ms(r.try_get("at")?),
                },
                key_worker: r.try_get("key_worker")?,
                restricted: r.try_get::<i64, _>("restricted")? != 0,
            })
        })
        .collect()
}

/// Drop changes (and stored idempotent replies) older than the retention window; event clients
/// further behind are told to resync, and a retry a week late is treated as a new request.
pub async fn prune(conn: &mut Conn, older_than: DateTime<Utc>) -> anyhow::Result<()> {
    // Keep the newest row whatever its age so the sequence never appears to restart.
    sqlx::query("DELETE FROM changes WHERE at < $1 AND seq < (SELECT MAX(seq) FROM changes)")
        .bind(ms(older_than))
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM idempotency WHERE created_at < $1")
        .bind(ms(older_than))
        .execute(&mut *conn)
        .await?;
    Ok(())
}
