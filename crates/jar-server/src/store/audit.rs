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
    /// Only entries before this time.
    pub until: Option<DateTime<Utc>>,
    /// An action string (`crate::audit::ACTIONS`).
    pub action: Option<String>,
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
    if f.until.is_some() {
        sql += &format!(" AND at < {}", next());
    }
    if f.action.is_some() {
        sql += &format!(" AND action = {}", next());
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
    if let Some(u) = f.until {
        q = q.bind(ms(u));
    }
    if let Some(a) = &f.action {
        q = q.bind(a);
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

/// The audit entries as CSV (RFC 4180): a header, then one row per entry, newest first. A
/// field that starts with `=`, `+`, `-` or `@` is prefixed with `'` so that a spreadsheet
/// never runs it as a formula (OWASP "CSV Injection").
pub fn to_csv(entries: &[AuditEntry]) -> String {
    fn field(s: &str) -> String {
        let s = if s.starts_with(['=', '+', '-', '@']) {
            format!("'{s}")
        } else {
            s.to_string()
        };
        if s.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s
        }
    }
    let mut out = String::from("id,at,username,role,action,case_ref,detail,remote\r\n");
    for e in entries {
        let row = [
            e.id.to_string(),
            e.at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            e.username.clone(),
            e.role.map_or_else(String::new, |r| r.as_str().to_string()),
            e.action.clone(),
            e.case_ref.clone().unwrap_or_default(),
            e.detail.clone(),
            e.remote.clone(),
        ];
        let cells: Vec<String> = row.iter().map(|c| field(c)).collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_what_needs_quoting_and_defuses_formulas() {
        let e = AuditEntry {
            id: 7,
            at: from_ms(0),
            username: "demo-mgr".into(),
            role: Some(Role::Manager),
            action: "identity.reveal".into(),
            case_ref: Some("JAR-2026-0001".into()),
            detail: "reason=\"call the family, now\"".into(),
            remote: "=cmd".into(),
        };
        assert_eq!(
            to_csv(&[e]),
            "id,at,username,role,action,case_ref,detail,remote\r\n\
             7,1970-01-01T00:00:00.000Z,demo-mgr,manager,identity.reveal,JAR-2026-0001,\
             \"reason=\"\"call the family, now\"\"\",'=cmd\r\n"
        );
    }
}
