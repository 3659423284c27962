//! The append-only audit table: who did what to which case, when and from where.

use super::{Conn, from_ms, ms};
use crate::audit::Action;
use chrono::{DateTime, Utc};
use jar_core::Role;
use jar_core::permissions::Principal;
use jar_core::wire::AuditEntry;
use sqlx::Row;

pub struct AuditRecord<'a> {
    pub username: &'a str,
    /// `None` only for a refused sign-in of a username nobody has (stored hashed).
    pub role: Option<Role>,
    pub action: Action,
    pub case_ref: Option<&'a str>,
    /// Ids, field names, the reveal reason: never names or contact text.
    pub detail: &'a str,
    pub remote: &'a str,
}

impl<'a> AuditRecord<'a> {
    /// What a signed-in person did.
    pub fn by(
        who: &'a Principal,
        action: Action,
        case_ref: Option<&'a str>,
        detail: &'a str,
        remote: &'a str,
    ) -> Self {
        AuditRecord {
            username: &who.username,
            role: Some(who.role),
            action,
            case_ref,
            detail,
            remote,
        }
    }
}

pub async fn record(conn: &mut Conn, r: AuditRecord<'_>, now: DateTime<Utc>) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO audit (at, username, role, action, case_ref, detail, remote) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(ms(now))
    .bind(r.username)
    .bind(r.role.map_or("", Role::as_str))
    .bind(r.action.as_str())
    .bind(r.case_ref)
    .bind(r.detail)
    .bind(r.remote)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[derive(Debug, Default)]
pub struct AuditFilter {
    pub case_ref: Option<String>,
    pub username: Option<String>,
    pub since: Option<DateTime<Utc>>,
    /// Entries with an id below this one (newest first paging).
    pub before_id: Option<i64>,
    pub limit: i64,
}

/// Newest first.
pub async fn list(conn: &mut Conn, f: &AuditFilter) -> anyhow::Result<Vec<AuditEntry>> {
    let mut sql = String::from(
        "SELECT id, at, username, role, action, case_ref, detail, remote FROM audit WHERE 1 = 1",
    );
    let mut n = 0;
    let mut next = || {
        n += 1;
        format!("${n}")
    };
    if f.case_ref.is_some() {
        sql += &format!(" AND case_ref = {}", next());
    }
    if f.username.is_some() {
        sql += &format!(" AND username = {}", next());
    }
    if f.since.is_some() {
        sql += &format!(" AND at >= {}", next());
    }
    if f.before_id.is_some() {
        sql += &format!(" AND id < {}", next());
    }
    sql += &format!(" ORDER BY id DESC LIMIT {}", next());
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    if let Some(c) = &f.case_ref {
        q = q.bind(c);
    }
    if let Some(u) = &f.username {
        q = q.bind(u);
    }
    if let Some(s) = f.since {
        q = q.bind(ms(s));
    }
    if let Some(b) = f.before_id {
        q = q.bind(b);
    }
    let rows = q.bind(f.limit).fetch_all(&mut *conn).await?;
    rows.iter()
        .map(|row| {
            Ok(AuditEntry {
                id: row.try_get("id")?,
                at: from_ms(row.try_get("at")?),
                username: row.try_get("username")?,
                role: match row.try_get::<String, _>("role")?.as_str() {
                    "" => None,
                    r => Some(r.parse()?),
                },
                action: row.try_get("action")?,
                case_ref: row.try_get("case_ref")?,
                detail: row.try_get("detail")?,
                remote: row.try_get("remote")?,
            })
        })
        .collect()
}

pub async fn count(conn: &mut Conn) -> anyhow::Result<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM audit")
        .fetch_one(&mut *conn)
        .await?)
}
