//! Users and their bearer tokens. Tokens are stored only as SHA-256 hashes.

use super::{Conn, from_ms, ms};
use chrono::{DateTime, Utc};
use jar_core::Role;
use jar_core::permissions::Principal;
use jar_core::wire::UserSummary;
use sqlx::Row;

pub struct UserRecord {
    pub summary: UserSummary,
    pub password_hash: String,
}

fn parse_role(s: &str) -> anyhow::Result<Role> {
    Ok(s.parse::<Role>()?)
}

fn row_to_user(row: &sqlx::any::AnyRow) -> anyhow::Result<UserRecord> {
    let areas: String = row.try_get("areas")?;
    Ok(UserRecord {
        summary: UserSummary {
            username: row.try_get("username")?,
            role: parse_role(&row.try_get::<String, _>("role")?)?,
            areas: serde_json::from_str(&areas)?,
            disabled: row.try_get::<i64, _>("disabled")? != 0,
            created_at: from_ms(row.try_get("created_at")?),
        },
        password_hash: row.try_get("password_hash")?,
    })
}

const USER_COLUMNS: &str = "username, password_hash, role, areas, disabled, created_at";

pub async fn find(conn: &mut Conn, username: &str) -> anyhow::Result<Option<UserRecord>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {USER_COLUMNS} FROM users WHERE username = $1"
    )))
    .bind(username)
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(row_to_user).transpose()
}

pub async fn list(conn: &mut Conn) -> anyhow::Result<Vec<UserSummary>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {USER_COLUMNS} FROM users ORDER BY username"
    )))
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| row_to_user(r).map(|u| u.summary))
        .collect()
}

pub async fn insert(
    conn: &mut Conn,
    username: &str,
    password_hash: &str,
    role: Role,
    areas: &[String],
    now: DateTime<Utc>,
) -> anyhow::Result<UserSummary> {
    sqlx::query(
        "INSERT INTO users (username, password_hash, role, areas, disabled, created_at) \
         VALUES ($1, $2, $3, $4, 0, $5)",
    )
    .bind(username)
    .bind(password_hash)
    .bind(role.as_str())
    .bind(serde_json::to_string(areas)?)
    .bind(ms(now))
    .execute(&mut *conn)
    .await?;
    Ok(UserSummary {
        username: username.to_string(),
        role,
        areas: areas.to_vec(),
        disabled: false,
        created_at: from_ms(ms(now)),
    })
}

/// Disable a user and revoke every token they hold. Returns false if there is no such user.
pub async fn disable(conn: &mut Conn, username: &str) -> anyhow::Result<bool> {
    let done = sqlx::query("UPDATE users SET disabled = 1 WHERE username = $1")
        .bind(username)
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE tokens SET revoked = 1 WHERE username = $1")
        .bind(username)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Set a new password and revoke every token the user holds. Returns false if there is no
/// such user.
pub async fn set_password(
    conn: &mut Conn,
    username: &str,
    password_hash: &str,
) -> anyhow::Result<bool> {
    let done = sqlx::query("UPDATE users SET password_hash = $1 WHERE username = $2")
        .bind(password_hash)
        .bind(username)
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE tokens SET revoked = 1 WHERE username = $1")
        .bind(username)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

pub async fn insert_token(
    conn: &mut Conn,
    token_hash: &str,
    username: &str,
    expires_at: DateTime<Utc>,
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO tokens (token_hash, username, expires_at, revoked) VALUES ($1, $2, $3, 0)",
    )
    .bind(token_hash)
    .bind(username)
    .bind(ms(expires_at))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn revoke_token(conn: &mut Conn, token_hash: &str) -> anyhow::Result<()> {
    sqlx::query("UPDATE tokens SET revoked = 1 WHERE token_hash = $1")
        .bind(token_hash)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The person holding a live token: not revoked, not expired, user not disabled. The lookup is
/// by the token's hash, so no secret is compared byte by byte in our code.
pub async fn principal_for_token(
    conn: &mut Conn,
    token_hash: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<Option<(Principal, DateTime<Utc>)>> {
    let row = sqlx::query(
        "SELECT u.username, u.role, u.areas, t.expires_at FROM tokens t JOIN users u ON u.username = t.username \
         WHERE t.token_hash = $1 AND t.revoked = 0 AND t.expires_at > $2 AND u.disabled = 0",
    )
    .bind(token_hash)
    .bind(ms(now))
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let areas: String = row.try_get("areas")?;
    let principal = Principal {
        username: row.try_get("username")?,
        role: parse_role(&row.try_get::<String, _>("role")?)?,
        areas: serde_json::from_str(&areas)?,
    };
    Ok(Some((principal, from_ms(row.try_get("expires_at")?))))
}
