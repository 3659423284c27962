//! Issue 15 storage: identity records written after notification, duplicate look-ups, the
//! withdrawn mark, key-worker cover periods, people who may be assigned, and the export's
//! case records.

use super::{Conn, from_ms, ms};
use chrono::{DateTime, Utc};
use jar_core::case::Identity;
use jar_core::people::Cover;
use jar_core::{Case, Role};
use sqlx::Row;

/// Insert or replace a case's identity record.
pub async fn put_identity(
    conn: &mut Conn,
    case_id: i64,
    identity: &Identity,
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO identities (case_id, record) VALUES ($1, $2) \
         ON CONFLICT (case_id) DO UPDATE SET record = excluded.record",
    )
    .bind(case_id)
    .bind(serde_json::to_string(identity)?)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Every case still on the board that has an identity record, with it: the duplicate check
/// compares a new notification with each (a footprint sees tens of deaths a year, so this is
/// a short list in real use).
pub async fn open_cases_with_identity(conn: &mut Conn) -> anyhow::Result<Vec<(Case, Identity)>> {
    let rows = sqlx::query(
        "SELECT c.record AS case_record, i.record AS identity_record FROM cases c \
         JOIN identities i ON i.case_id = c.id WHERE c.withdrawn = 0 ORDER BY c.id",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                serde_json::from_str(&r.try_get::<String, _>("case_record")?)?,
                serde_json::from_str(&r.try_get::<String, _>("identity_record")?)?,
            ))
        })
        .collect()
}

/// Take a case off the board (withdrawn, or closed as a duplicate).
pub async fn set_withdrawn(conn: &mut Conn, case_id: i64) -> anyhow::Result<()> {
    sqlx::query("UPDATE cases SET withdrawn = 1 WHERE id = $1")
        .bind(case_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn is_withdrawn(conn: &mut Conn, case_id: i64) -> anyhow::Result<bool> {
    let w: i64 = sqlx::query_scalar("SELECT withdrawn FROM cases WHERE id = $1")
        .bind(case_id)
        .fetch_one(&mut *conn)
        .await?;
    Ok(w != 0)
}

pub async fn insert_cover(
    conn: &mut Conn,
    cover: &Cover,
    set_by: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO covers (covered, cover, starts_at, ends_at, set_by, set_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(&cover.covered)
    .bind(&cover.cover)
    .bind(ms(cover.from))
    .bind(ms(cover.to))
    .bind(set_by)
    .bind(ms(now))
    .fetch_one(&mut *conn)
    .await?)
}

/// The key workers `username` covers at `now`.
pub async fn covering(
    conn: &mut Conn,
    username: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT DISTINCT covered FROM covers WHERE cover = $1 AND starts_at <= $2 AND ends_at > $2 ORDER BY covered",
    )
    .bind(username)
    .bind(ms(now))
    .fetch_all(&mut *conn)
    .await?)
}

/// End early the cover periods of `cover` for `covered` not yet ended at `now`: one in force
/// ends now, one still to come ends as it starts (so it never is in force). How many.
pub async fn end_cover(
    conn: &mut Conn,
    covered: &str,
    cover: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<u64> {
    let done = sqlx::query(
        "UPDATE covers SET ends_at = CASE WHEN starts_at > $3 THEN starts_at ELSE $3 END \
         WHERE covered = $1 AND cover = $2 AND ends_at > $3",
    )
    .bind(covered)
    .bind(cover)
    .bind(ms(now))
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected())
}

/// Cover periods in force or to come, for the manager's view.
pub async fn covers(conn: &mut Conn, now: DateTime<Utc>) -> anyhow::Result<Vec<Cover>> {
    let rows = sqlx::query(
        "SELECT covered, cover, starts_at, ends_at FROM covers WHERE ends_at > $1 ORDER BY starts_at, id",
    )
    .bind(ms(now))
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Cover {
                covered: r.try_get("covered")?,
                cover: r.try_get("cover")?,
                from: from_ms(r.try_get("starts_at")?),
                to: from_ms(r.try_get("ends_at")?),
            })
        })
        .collect()
}

/// Enabled people with `role` who work in `area`.
pub async fn people_in_area(
    conn: &mut Conn,
    area: &str,
    role: Role,
) -> anyhow::Result<Vec<String>> {
    let users = super::users::list(conn).await?;
    Ok(users
        .into_iter()
        .filter(|u| !u.disabled && u.role == role && u.areas.iter().any(|a| a == area))
        .map(|u| u.username)
        .collect())
}

/// Case records (with their ids) notified in the years `from_year..=to_year` in `areas`,
/// withdrawn ones included (the export says so); the caller filters by exact time.
pub async fn cases_for_export(
    conn: &mut Conn,
    areas: &[String],
    from_year: i32,
    to_year: i32,
) -> anyhow::Result<Vec<(i64, Case, bool)>> {
    let rows = sqlx::query(
        "SELECT id, record, withdrawn FROM cases WHERE reference >= $1 AND reference < $2 ORDER BY reference",
    )
    .bind(format!("JAR-{from_year:04}"))
    .bind(format!("JAR-{:04}", to_year + 1))
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::new();
    for r in &rows {
        let case: Case = serde_json::from_str(&r.try_get::<String, _>("record")?)?;
        if areas.contains(&case.area) {
            out.push((
                r.try_get("id")?,
                case,
                r.try_get::<i64, _>("withdrawn")? != 0,
            ));
        }
    }
    Ok(out)
}
