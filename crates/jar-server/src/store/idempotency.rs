//! Stored first responses for `Idempotency-Key`, scoped per user.

use super::{Conn, ms};
use chrono::{DateTime, Utc};
use sqlx::Row;

#[derive(Debug, Clone)]
pub struct Stored {
    pub request_hash: String,
    pub status: u16,
    pub body: String,
    pub etag: Option<String>,
    pub location: Option<String>,
}

pub async fn find(conn: &mut Conn, username: &str, key: &str) -> anyhow::Result<Option<Stored>> {
    let row = sqlx::query(
        "SELECT request_hash, status, body, etag, location FROM idempotency \
         WHERE username = $1 AND idem_key = $2",
    )
    .bind(username)
    .bind(key)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| {
        Ok(Stored {
            request_hash: r.try_get("request_hash")?,
            status: u16::try_from(r.try_get::<i64, _>("status")?)?,
            body: r.try_get("body")?,
            etag: r.try_get("etag")?,
            location: r.try_get("location")?,
        })
    })
    .transpose()
}

pub async fn save(
    conn: &mut Conn,
    username: &str,
    key: &str,
    s: &Stored,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO idempotency (username, idem_key, request_hash, status, body, etag, location, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(username)
    .bind(key)
    .bind(&s.request_hash)
    .bind(i64::from(s.status))
    .bind(&s.body)
    .bind(&s.etag)
    .bind(&s.location)
    .bind(ms(now))
    .execute(&mut *conn)
    .await?;
    Ok(())
}
