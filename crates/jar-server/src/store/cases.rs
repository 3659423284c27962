//! Case records and their board projection (indexed columns + a stored summary), so that the
//! case list is one indexed query with 100,000 cases.

use super::{Conn, ms};
use crate::projection::{Bundle, Projection};
use jar_core::Case;
use sqlx::Row;

/// Allocate the next reference for `year` (JAR-2026-0042), inside the write transaction.
pub async fn allocate_ref(conn: &mut Conn, year: i32) -> anyhow::Result<String> {
    sqlx::query("INSERT INTO ref_seq (year, next) VALUES ($1, 0) ON CONFLICT (year) DO NOTHING")
        .bind(i64::from(year))
        .execute(&mut *conn)
        .await?;
    let next: i64 =
        sqlx::query_scalar("UPDATE ref_seq SET next = next + 1 WHERE year = $1 RETURNING next")
            .bind(i64::from(year))
            .fetch_one(&mut *conn)
            .await?;
    Ok(jar_core::case::case_ref(year, u32::try_from(next)?))
}

pub async fn find(conn: &mut Conn, reference: &str) -> anyhow::Result<Option<(i64, Case)>> {
    let row = sqlx::query("SELECT id, record FROM cases WHERE reference = $1")
        .bind(reference)
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|r| {
        let record: String = r.try_get("record")?;
        Ok((r.try_get("id")?, serde_json::from_str(&record)?))
    })
    .transpose()
}

/// A value to bind, for statements built at run time (the case list, the demo's bulk insert).
#[derive(Debug, Clone)]
pub enum Val {
    I(i64),
    T(String),
    NullI,
    NullT,
}

/// The `cases` columns written from a case and its projection, in [`case_values`] order.
pub const CASE_COLUMNS: [&str; 15] = [
    "reference",
    "area",
    "stage",
    "active",
    "version",
    "lead_paediatrician",
    "police_lead",
    "social_worker",
    "key_worker",
    "next_due_at",
    "sort_due",
    "search",
    "record",
    "summary",
    "family_due_at",
];

/// The values of [`CASE_COLUMNS`] for a case: the one place the board columns and the search
/// text are derived (writes and the demo seeder's bulk insert both use it).
pub fn case_values(case: &Case, p: &Projection) -> anyhow::Result<Vec<Val>> {
    let c = columns(case, p)?;
    let text = |v: Option<String>| v.map_or(Val::NullT, Val::T);
    let [lp, pl, sw, kw] = c.people;
    Ok(vec![
        Val::T(case.reference.clone()),
        Val::T(case.area.clone()),
        Val::T(c.stage),
        Val::I(c.active),
        Val::I(c.version),
        text(lp),
        text(pl),
        text(sw),
        text(kw),
        c.next_due_at.map_or(Val::NullI, Val::I),
        Val::I(c.sort_due),
        Val::T(c.search),
        Val::T(c.record),
        Val::T(c.summary),
        c.family_due_at.map_or(Val::NullI, Val::I),
    ])
}

/// Insert a newly notified case with its checklists and identity; returns its id.
pub async fn insert_new(
    conn: &mut Conn,
    b: &Bundle,
    identity: Option<&jar_core::case::Identity>,
    overrides: &jar_core::deadline::AreaOverrides,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<i64> {
    let id = insert(conn, &b.case, &b.project(overrides, now)).await?;
    for (template, version) in &b.checklists {
        super::records::insert_checklist(conn, id, template, *version, now).await?;
    }
    if let Some(identity) = identity {
        super::records::insert_identity(conn, id, identity).await?;
    }
    Ok(id)
}

/// The columns derived from a case and its projection, in the order the SQL below binds them.
struct Columns {
    stage: String,
    active: i64,
    version: i64,
    people: [Option<String>; 4],
    next_due_at: Option<i64>,
    sort_due: i64,
    search: String,
    record: String,
    summary: String,
    /// The key worker's planned contact (issue 16 §1): overdue on a key worker's board.
    family_due_at: Option<i64>,
}

fn columns(case: &Case, p: &Projection) -> anyhow::Result<Columns> {
    let next_due_at = p.next_due_at.map(ms);
    Ok(Columns {
        stage: case.stage.as_str().to_string(),
        active: i64::from(case.stage.is_active()),
        version: case.version,
        people: [
            case.people.lead_paediatrician.clone(),
            case.people.police_lead.clone(),
            case.people.social_worker.clone(),
            case.people.key_worker.clone(),
        ],
        next_due_at,
        // Cases with no open deadline sort last.
        sort_due: next_due_at.unwrap_or(i64::MAX),
        // What `q` matches: reference, area and category words; never identity.
        search: format!(
            "{} {} {} {}",
            case.reference,
            case.area,
            case.category.label(),
            serde_json::to_value(case.category)?
                .as_str()
                .unwrap_or_default()
        )
        .to_lowercase(),
        record: serde_json::to_string(case)?,
        summary: serde_json::to_string(&p.summary)?,
        family_due_at: p.family_contact_due.map(ms),
    })
}

pub async fn insert(conn: &mut Conn, case: &Case, p: &Projection) -> anyhow::Result<i64> {
    let c = columns(case, p)?;
    let [lp, pl, sw, kw] = c.people;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO cases (reference, area, stage, active, version, lead_paediatrician, police_lead, \
         social_worker, key_worker, next_due_at, sort_due, search, record, summary, family_due_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id",
    )
    .bind(&case.reference)
    .bind(&case.area)
    .bind(c.stage)
    .bind(c.active)
    .bind(c.version)
    .bind(lp)
    .bind(pl)
    .bind(sw)
    .bind(kw)
    .bind(c.next_due_at)
    .bind(c.sort_due)
    .bind(c.search)
    .bind(c.record)
    .bind(c.summary)
    .bind(c.family_due_at)
    .fetch_one(&mut *conn)
    .await?;
    Ok(id)
}

/// Rewrite a case and its projection. `expected_version` guards against a concurrent writer
/// on another server: false means someone else got there first.
pub async fn update(
    conn: &mut Conn,
    id: i64,
    case: &Case,
    p: &Projection,
    expected_version: i64,
) -> anyhow::Result<bool> {
    let c = columns(case, p)?;
    let [lp, pl, sw, kw] = c.people;
    let done = sqlx::query(
        "UPDATE cases SET stage = $1, active = $2, version = $3, lead_paediatrician = $4, police_lead = $5, \
         social_worker = $6, key_worker = $7, next_due_at = $8, sort_due = $9, search = $10, record = $11, \
         summary = $12, family_due_at = $15 WHERE id = $13 AND version = $14",
    )
    .bind(c.stage)
    .bind(c.active)
    .bind(c.version)
    .bind(lp)
    .bind(pl)
    .bind(sw)
    .bind(kw)
    .bind(c.next_due_at)
    .bind(c.sort_due)
    .bind(c.search)
    .bind(c.record)
    .bind(c.summary)
    .bind(id)
    .bind(expected_version)
    .bind(c.family_due_at)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Filters for the case list; scope (areas, key worker) is always applied.
#[derive(Debug, Default, Clone)]
pub struct ListFilter {
    pub areas: Vec<String>,
    /// Key workers see only the cases they are assigned to...
    pub key_worker: Option<String>,
    /// ...and those of the key workers they cover now.
    pub covering: Vec<String>,
    pub stage: Option<String>,
    pub area: Option<String>,
    pub mine: Option<String>,
    pub overdue_at: Option<i64>,
    pub active: Option<bool>,
    pub q: Option<String>,
    /// Keyset cursor: (sort_due, reference) of the last row seen.
    pub after: Option<(i64, String)>,
    pub limit: i64,
}

pub struct ListedCase {
    pub reference: String,
    /// The stored `CaseSummary` JSON, as written (flags present, `assigned_to_me` false).
    pub summary_json: String,
    pub assigned: [Option<String>; 4],
    pub sort_due: i64,
}

pub async fn list(conn: &mut Conn, f: &ListFilter) -> anyhow::Result<Vec<ListedCase>> {
    if f.areas.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = String::from(
        "SELECT reference, sort_due, summary, lead_paediatrician, police_lead, social_worker, key_worker FROM ",
    );
    let mut binds: Vec<Bind> = Vec::new();
    let push = |b: Bind, binds: &mut Vec<Bind>| {
        binds.push(b);
        format!("${}", binds.len())
    };
    let sparse_mine = match &f.mine {
        Some(me) => assigned_count(conn, me, DENSE_MINE).await? < DENSE_MINE,
        None => false,
    };
    if let (Some(me), false) = (&f.mine, sparse_mine) {
        // Assigned to many cases: walking the board order finds a page of them quickly.
        sql += "cases WHERE ";
        let marks: Vec<String> = (0..4)
            .map(|_| push(Bind::Text(me.clone()), &mut binds))
            .collect();
        sql += &format!(
            "(lead_paediatrician = {} OR police_lead = {} OR social_worker = {} OR key_worker = {}) AND ",
            marks[0], marks[1], marks[2], marks[3]
        );
    } else if let Some(me) = &f.mine {
        // Assigned to few: start from those (one index each) rather than walking the board
        // order over every case looking for them; CROSS JOIN makes SQLite keep that order.
        let marks: Vec<String> = (0..4)
            .map(|_| push(Bind::Text(me.clone()), &mut binds))
            .collect();
        sql += &format!(
            "(SELECT id AS mine_id FROM cases WHERE lead_paediatrician = {} \
             UNION SELECT id FROM cases WHERE police_lead = {} \
             UNION SELECT id FROM cases WHERE social_worker = {} \
             UNION SELECT id FROM cases WHERE key_worker = {}) AS mine CROSS JOIN cases WHERE id = mine_id AND ",
            marks[0], marks[1], marks[2], marks[3]
        );
    } else {
        sql += "cases WHERE ";
    }
    let area_marks: Vec<String> = f
        .areas
        .iter()
        .map(|a| push(Bind::Text(a.clone()), &mut binds))
        .collect();
    // Withdrawn notifications and cases closed as duplicates leave the board (issue 15 §3).
    sql += &format!("area IN ({}) AND withdrawn = 0", area_marks.join(", "));
    if let Some(kw) = &f.key_worker {
        // A key worker's own cases and those of the key workers they cover now (issue 15 §4).
        let marks: Vec<String> = std::iter::once(kw)
            .chain(&f.covering)
            .map(|k| push(Bind::Text(k.clone()), &mut binds))
            .collect();
        sql += &format!(" AND key_worker IN ({})", marks.join(", "));
    }
    if let Some(s) = &f.stage {
        sql += &format!(" AND stage = {}", push(Bind::Text(s.clone()), &mut binds));
    }
    if let Some(a) = &f.area {
        sql += &format!(" AND area = {}", push(Bind::Text(a.clone()), &mut binds));
    }
    if let Some(now) = f.overdue_at {
        let now = push(Bind::Int(now), &mut binds);
        if f.key_worker.is_some() {
            // For a key worker a missed family contact is overdue too (issue 16 §1).
            sql += &format!(" AND (next_due_at < {now} OR family_due_at < {now})");
        } else {
            sql += &format!(" AND next_due_at < {now}");
        }
    }
    if let Some(active) = f.active {
        sql += &format!(
            " AND active = {}",
            push(Bind::Int(i64::from(active)), &mut binds)
        );
    }
    if let Some(q) = &f.q {
        let escaped = q
            .to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        sql += &format!(
            " AND search LIKE {} ESCAPE '\\'",
            push(Bind::Text(format!("%{escaped}%")), &mut binds)
        );
    }
    if let Some((due, reference)) = &f.after {
        let a = push(Bind::Int(*due), &mut binds);
        let b = push(Bind::Int(*due), &mut binds);
        let c = push(Bind::Text(reference.clone()), &mut binds);
        sql += &format!(" AND (sort_due > {a} OR (sort_due = {b} AND reference > {c}))");
    }
    sql += &format!(
        " ORDER BY sort_due, reference LIMIT {}",
        push(Bind::Int(f.limit), &mut binds)
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for b in binds {
        q = match b {
            Bind::Text(s) => q.bind(s),
            Bind::Int(i) => q.bind(i),
        };
    }
    let rows = q.fetch_all(&mut *conn).await?;
    rows.iter()
        .map(|r| {
            let summary: String = r.try_get("summary")?;
            Ok(ListedCase {
                reference: r.try_get("reference")?,
                summary_json: summary,
                assigned: [
                    r.try_get("lead_paediatrician")?,
                    r.try_get("police_lead")?,
                    r.try_get("social_worker")?,
                    r.try_get("key_worker")?,
                ],
                sort_due: r.try_get("sort_due")?,
            })
        })
        .collect()
}

/// Above this many assignments, `mine=true` walks the board order instead of gathering them.
const DENSE_MINE: i64 = 2000;

/// How many cases name `username` in any role, counting no further than `cap`.
async fn assigned_count(conn: &mut Conn, username: &str, cap: i64) -> anyhow::Result<i64> {
    let mut total = 0;
    for column in [
        "lead_paediatrician",
        "police_lead",
        "social_worker",
        "key_worker",
    ] {
        // `column` is one of our literals above, never input.
        let sql =
            format!("SELECT COUNT(*) FROM (SELECT 1 FROM cases WHERE {column} = $1 LIMIT $2) AS a");
        let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(username)
            .bind(cap)
            .fetch_one(&mut *conn)
            .await?;
        total += n;
        if total >= cap {
            break;
        }
    }
    Ok(total)
}

enum Bind {
    Text(String),
    Int(i64),
}

pub async fn count(conn: &mut Conn) -> anyhow::Result<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM cases")
        .fetch_one(&mut *conn)
        .await?)
}

/// Load a case with everything its computed fields depend on.
pub async fn bundle(conn: &mut Conn, id: i64, case: Case) -> anyhow::Result<Bundle> {
    let events = super::records::timeline(conn, id).await?;
    let checklists = super::records::checklists(conn, id).await?;
    let items = super::records::items(conn, id).await?;
    let contacts = super::records::contact_facts(conn, id).await?;
    Ok(Bundle {
        id,
        case,
        events,
        checklists,
        items,
        contacts,
    })
}

/// Every area the server knows: those of cases and of users, and those with deadline
/// overrides. Sorted, without duplicates.
pub async fn known_areas(
    conn: &mut Conn,
    overrides: &jar_core::deadline::AreaOverrides,
) -> anyhow::Result<Vec<String>> {
    let mut known: std::collections::BTreeSet<String> = overrides.keys().cloned().collect();
    let from_cases: Vec<String> = sqlx::query_scalar("SELECT DISTINCT area FROM cases")
        .fetch_all(&mut *conn)
        .await?;
    known.extend(from_cases);
    let user_areas: Vec<String> = sqlx::query_scalar("SELECT areas FROM users")
        .fetch_all(&mut *conn)
        .await?;
    for json in user_areas {
        known.extend(serde_json::from_str::<Vec<String>>(&json)?);
    }
    Ok(known.into_iter().collect())
}
