//! On-call handovers (issue 17 §1). One row per handover; its cases and their
//! acknowledgements are one JSON record, rewritten when the incoming person acknowledges.

use super::{Conn, from_ms, ms};
use chrono::{DateTime, Utc};
use jar_core::handover::{Handover, HandoverCase};
use sqlx::Row;

const COLUMNS: &str = "id, outgoing, incoming, areas, sent_at, record";

fn row_to_handover(row: &sqlx::any::AnyRow, now: DateTime<Utc>) -> anyhow::Result<Handover> {
    let areas: String = row.try_get("areas")?;
    let record: String = row.try_get("record")?;
    let mut h = Handover {
        id: row.try_get("id")?,
        outgoing: row.try_get("outgoing")?,
        incoming: row.try_get("incoming")?,
        areas: serde_json::from_str(&areas)?,
        sent_at: from_ms(row.try_get("sent_at")?),
        cases: serde_json::from_str(&record)?,
        acknowledged: false,
        overdue: false,
    };
    h.refresh(now);
    Ok(h)
}

pub async fn insert(
    conn: &mut Conn,
    outgoing: &str,
    incoming: &str,
    areas: &[String],
    cases: &[HandoverCase],
    now: DateTime<Utc>,
) -> anyhow::Result<Handover> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO handovers (outgoing, incoming, areas, sent_at, record) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(outgoing)
    .bind(incoming)
    .bind(serde_json::to_string(areas)?)
    .bind(ms(now))
    .bind(serde_json::to_string(cases)?)
    .fetch_one(&mut *conn)
    .await?;
    let mut h = Handover {
        id,
        outgoing: outgoing.to_string(),
        incoming: incoming.to_string(),
        areas: areas.to_vec(),
        sent_at: from_ms(ms(now)),
        cases: cases.to_vec(),
        acknowledged: false,
        overdue: false,
    };
    h.refresh(now);
    Ok(h)
}

pub async fn find(
    conn: &mut Conn,
    id: i64,
    now: DateTime<Utc>,
) -> anyhow::Result<Option<Handover>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM handovers WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(|r| row_to_handover(r, now)).transpose()
}

/// Every handover, newest first; the caller keeps those the reader may see.
pub async fn list(conn: &mut Conn, now: DateTime<Utc>) -> anyhow::Result<Vec<Handover>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM handovers ORDER BY id DESC LIMIT 1000"
    )))
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(|r| row_to_handover(r, now)).collect()
}

pub async fn save_cases(conn: &mut Conn, id: i64, cases: &[HandoverCase]) -> anyhow::Result<()> {
    sqlx::query("UPDATE handovers SET record = $1 WHERE id = $2")
        .bind(serde_json::to_string(cases)?)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The references of the active cases `username` leads, or wrote to (an audit row with the
/// case) at or after `since`: what goes into their handover
/// (`jar_core::handover::belongs_in_handover`). Scope is checked by the caller.
pub async fn draft_refs(
    conn: &mut Conn,
    username: &str,
    since: DateTime<Utc>,
) -> anyhow::Result<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT reference FROM cases WHERE active = 1 AND (lead_paediatrician = $1 OR reference IN \
         (SELECT case_ref FROM audit WHERE username = $1 AND at >= $2 AND case_ref IS NOT NULL)) \
         ORDER BY reference LIMIT 200",
    )
    .bind(username)
    .bind(ms(since))
    .fetch_all(&mut *conn)
    .await?)
}
