//! The records that hang off a case: identity, timeline, checklists and items, contacts.
//! Each is JSON text keyed by the case id; ids are assigned by the database.

use super::{Conn, ms};
use chrono::{DateTime, Utc};
use jar_core::case::Identity;
use jar_core::checklist::ItemState;
use jar_core::contact::Contact;
use jar_core::timeline::TimelineEvent;
use sqlx::Row;

pub async fn insert_identity(
    conn: &mut Conn,
    case_id: i64,
    identity: &Identity,
) -> anyhow::Result<()> {
    sqlx::query("INSERT INTO identities (case_id, record) VALUES ($1, $2)")
        .bind(case_id)
        .bind(serde_json::to_string(identity)?)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn identity(conn: &mut Conn, case_id: i64) -> anyhow::Result<Option<Identity>> {
    let record: Option<String> =
        sqlx::query_scalar("SELECT record FROM identities WHERE case_id = $1")
            .bind(case_id)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(record.map(|r| serde_json::from_str(&r)).transpose()?)
}

pub async fn timeline(conn: &mut Conn, case_id: i64) -> anyhow::Result<Vec<TimelineEvent>> {
    let rows = sqlx::query("SELECT id, record FROM timeline WHERE case_id = $1 ORDER BY id")
        .bind(case_id)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| {
            let mut e: TimelineEvent = serde_json::from_str(&r.try_get::<String, _>("record")?)?;
            e.id = r.try_get("id")?;
            Ok(e)
        })
        .collect()
}

/// Append an event; its `id` is ignored and the stored id returned.
pub async fn insert_event(
    conn: &mut Conn,
    case_id: i64,
    event: &TimelineEvent,
) -> anyhow::Result<i64> {
    Ok(
        sqlx::query_scalar("INSERT INTO timeline (case_id, record) VALUES ($1, $2) RETURNING id")
            .bind(case_id)
            .bind(serde_json::to_string(event)?)
            .fetch_one(&mut *conn)
            .await?,
    )
}

pub async fn checklists(conn: &mut Conn, case_id: i64) -> anyhow::Result<Vec<(String, u32)>> {
    let rows = sqlx::query(
        "SELECT template, template_version FROM checklists WHERE case_id = $1 ORDER BY started_at, template",
    )
    .bind(case_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("template")?,
                u32::try_from(r.try_get::<i64, _>("template_version")?)?,
            ))
        })
        .collect()
}

pub async fn insert_checklist(
    conn: &mut Conn,
    case_id: i64,
    template: &str,
    version: u32,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    sqlx::query("INSERT INTO checklists (case_id, template, template_version, started_at) VALUES ($1, $2, $3, $4)")
        .bind(case_id)
        .bind(template)
        .bind(i64::from(version))
        .bind(ms(now))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn items(conn: &mut Conn, case_id: i64) -> anyhow::Result<Vec<(String, ItemState)>> {
    let rows = sqlx::query("SELECT template, record FROM items WHERE case_id = $1")
        .bind(case_id)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("template")?,
                serde_json::from_str(&r.try_get::<String, _>("record")?)?,
            ))
        })
        .collect()
}

/// Insert or replace an item's state (its version is inside the record and in a column).
pub async fn put_item(
    conn: &mut Conn,
    case_id: i64,
    template: &str,
    state: &ItemState,
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO items (case_id, template, item_id, version, record) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (case_id, template, item_id) DO UPDATE SET version = excluded.version, record = excluded.record",
    )
    .bind(case_id)
    .bind(template)
    .bind(&state.item_id)
    .bind(state.version)
    .bind(serde_json::to_string(state)?)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn contacts(conn: &mut Conn, case_id: i64) -> anyhow::Result<Vec<Contact>> {
    let rows = sqlx::query("SELECT id, record FROM contacts WHERE case_id = $1 ORDER BY id")
        .bind(case_id)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| {
            let mut c: Contact = serde_json::from_str(&r.try_get::<String, _>("record")?)?;
            c.id = r.try_get("id")?;
            Ok(c)
        })
        .collect()
}

/// What the deadlines need of each contact, as amendments correct it.
pub async fn contact_facts(
    conn: &mut Conn,
    case_id: i64,
) -> anyhow::Result<Vec<jar_core::deadline::FamilyContactFact>> {
    Ok(contacts(conn, case_id)
        .await?
        .iter()
        .map(jar_core::deadline::FamilyContactFact::of)
        .collect())
}

pub async fn insert_contact(
    conn: &mut Conn,
    case_id: i64,
    contact: &Contact,
) -> anyhow::Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO contacts (case_id, occurred_at, record) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(case_id)
    .bind(ms(contact.entry.occurred_at))
    .bind(serde_json::to_string(contact)?)
    .fetch_one(&mut *conn)
    .await?)
}

pub async fn update_contact(conn: &mut Conn, contact: &Contact) -> anyhow::Result<()> {
    // An amendment may correct when it happened: the column follows the corrected time.
    sqlx::query("UPDATE contacts SET record = $1, occurred_at = $3 WHERE id = $2")
        .bind(serde_json::to_string(contact)?)
        .bind(contact.id)
        .bind(ms(contact.effective().occurred_at))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn count_rows(conn: &mut Conn, table: &str) -> anyhow::Result<i64> {
    // `table` is always one of our own literals, never user input.
    Ok(
        sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
            .fetch_one(&mut *conn)
            .await?,
    )
}
