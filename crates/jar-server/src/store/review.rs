//! Issue 16's records on a case: the family's questions, the review track and the
//! professionals involved with their agency reports. JSON records keyed by the case id.

use super::Conn;
use jar_core::questions::FamilyQuestion;
use jar_core::reports::Involvement;
use jar_core::review::ReviewTrack;
use sqlx::Row;

pub async fn questions(conn: &mut Conn, case_id: i64) -> anyhow::Result<Vec<FamilyQuestion>> {
    let rows =
        sqlx::query("SELECT id, record FROM family_questions WHERE case_id = $1 ORDER BY id")
            .bind(case_id)
            .fetch_all(&mut *conn)
            .await?;
    rows.iter()
        .map(|r| {
            let mut q: FamilyQuestion = serde_json::from_str(&r.try_get::<String, _>("record")?)?;
            q.id = r.try_get("id")?;
            Ok(q)
        })
        .collect()
}

pub async fn insert_question(
    conn: &mut Conn,
    case_id: i64,
    q: &FamilyQuestion,
) -> anyhow::Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO family_questions (case_id, agency, record) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(case_id)
    .bind(
        serde_json::to_value(q.agency)?
            .as_str()
            .unwrap_or_default()
            .to_string(),
    )
    .bind(serde_json::to_string(q)?)
    .fetch_one(&mut *conn)
    .await?)
}

pub async fn update_question(conn: &mut Conn, q: &FamilyQuestion) -> anyhow::Result<()> {
    sqlx::query("UPDATE family_questions SET record = $1 WHERE id = $2")
        .bind(serde_json::to_string(q)?)
        .bind(q.id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The track as recorded; an empty one when nothing was.
pub async fn track(conn: &mut Conn, case_id: i64) -> anyhow::Result<ReviewTrack> {
    let record: Option<String> =
        sqlx::query_scalar("SELECT record FROM review_tracks WHERE case_id = $1")
            .bind(case_id)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(record
        .map(|r| serde_json::from_str(&r))
        .transpose()?
        .unwrap_or_default())
}

pub async fn put_track(conn: &mut Conn, case_id: i64, track: &ReviewTrack) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO review_tracks (case_id, record) VALUES ($1, $2) \
         ON CONFLICT (case_id) DO UPDATE SET record = excluded.record",
    )
    .bind(case_id)
    .bind(serde_json::to_string(track)?)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn involvements(conn: &mut Conn, case_id: i64) -> anyhow::Result<Vec<Involvement>> {
    let rows = sqlx::query("SELECT id, record FROM involvements WHERE case_id = $1 ORDER BY id")
        .bind(case_id)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| {
            let mut i: Involvement = serde_json::from_str(&r.try_get::<String, _>("record")?)?;
            i.id = r.try_get("id")?;
            Ok(i)
        })
        .collect()
}

pub async fn insert_involvement(
    conn: &mut Conn,
    case_id: i64,
    i: &Involvement,
) -> anyhow::Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO involvements (case_id, record) VALUES ($1, $2) RETURNING id",
    )
    .bind(case_id)
    .bind(serde_json::to_string(i)?)
    .fetch_one(&mut *conn)
    .await?)
}

pub async fn update_involvement(conn: &mut Conn, i: &Involvement) -> anyhow::Result<()> {
    sqlx::query("UPDATE involvements SET record = $1 WHERE id = $2")
        .bind(serde_json::to_string(i)?)
        .bind(i.id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
