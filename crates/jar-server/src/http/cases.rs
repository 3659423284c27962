//! `/cases`: the board list, notification of a death, the case detail and its PATCH.

use super::ApiContext;
use super::error::{Error, Result};
use super::extract::Path;
use super::extract::{AuthUser, IdemKey, IfMatch, Query, RawBody};
use super::reply::{self, Reply};
use crate::projection::Bundle;
use crate::store::audit::AuditRecord;
use crate::store::changes::NewChange;
use crate::store::{Conn, WriteTx, audit, cases, changes, ms, records};
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use chrono::{DateTime, Datelike, Utc};
use jar_core::case::{Assignments, CriteriaDecision, Flags};
use jar_core::case::{Case, CaseTimes, Stage};
use jar_core::checklist;
use jar_core::permissions::{self, Permission, Principal, allows};
use jar_core::wire::{CaseDetail, CaseList, CasePatch, CaseSummary, NewCase};
use serde::Deserialize;
use std::sync::Arc;

pub fn router() -> Router<Arc<ApiContext>> {
    Router::new()
        .route("/cases", get(list_cases).post(create_case))
        .route("/cases/{reference}", get(get_case).patch(patch_case))
}

/// Load a case the person may see. Anything else (no such case, another area, a key worker's
/// unassigned case, a malformed reference) is the same 404, so existence is not revealed.
pub async fn find_in_scope(
    conn: &mut Conn,
    who: &Principal,
    reference: &str,
) -> Result<(i64, Case)> {
    let not_found = || Error::NotFound(format!("there is no case {reference} that you can see"));
    if !jar_core::case::is_case_ref(reference) {
        return Err(not_found());
    }
    match cases::find(conn, reference).await? {
        Some((id, case)) if permissions::in_scope(who, &case) => Ok((id, case)),
        _ => Err(not_found()),
    }
}

pub fn require(who: &Principal, permission: Permission, what: &str) -> Result<()> {
    if allows(who.role, permission) {
        Ok(())
    } else {
        Err(Error::Forbidden(format!(
            "a {} cannot {what}",
            who.role.label()
        )))
    }
}

/// The case detail as this person may see it.
pub fn detail_for(ctx: &ApiContext, who: &Principal, b: &Bundle, now: DateTime<Utc>) -> CaseDetail {
    let role = who.role;
    CaseDetail {
        case: permissions::redact_case(role, b.case.clone()),
        deadlines: b.deadlines(&ctx.area_overrides, now),
        progress: b.progress(),
        checklists: b.checklists.iter().map(|(id, _)| id.clone()).collect(),
        timeline_count: b
            .events
            .iter()
            .filter(|e| permissions::may_see_event(role, e))
            .count() as u32,
        contact_count: allows(role, Permission::ReadContacts)
            .then_some(b.contact_times.len() as u32),
        last_family_contact: b.last_family_contact(),
    }
}

/// Recompute the stage and projection and write the case back, guarded by its old version.
pub async fn save_case(
    ctx: &ApiContext,
    tx: &mut WriteTx<'_>,
    b: &mut Bundle,
    old_version: i64,
) -> Result<()> {
    b.case.stage = b.stage();
    let p = b.project(&ctx.area_overrides, Utc::now());
    if !cases::update(tx.conn(), b.id, &b.case, &p, old_version).await? {
        return Err(Error::Conflict(
            "another server changed this case at the same moment; try again".into(),
        ));
    }
    Ok(())
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    /// A stage, e.g. `home_visit`.
    stage: Option<String>,
    area: Option<String>,
    /// `true`: only cases I am assigned to.
    mine: Option<String>,
    /// `true`: only cases with an open deadline past due.
    overdue: Option<String>,
    /// `true`: open cases; `false`: closed ones.
    active: Option<String>,
    /// Matches reference, area and category text.
    q: Option<String>,
    /// Default 100, at most 1000.
    limit: Option<String>,
    cursor: Option<String>,
}

fn parse_bool(name: &str, v: &Option<String>) -> Result<Option<bool>> {
    match v.as_deref() {
        None => Ok(None),
        Some("true") => Ok(Some(true)),
        Some("false") => Ok(Some(false)),
        Some(_) => Err(Error::BadRequest(format!("{name} must be true or false"))),
    }
}

pub fn parse_limit(v: &Option<String>) -> Result<i64> {
    match v {
        None => Ok(100),
        Some(s) => s
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=1000).contains(n))
            .ok_or_else(|| Error::BadRequest("limit must be a number from 1 to 1000".into())),
    }
}

fn encode_cursor(sort_due: i64, reference: &str) -> String {
    hex::encode(format!("{sort_due}|{reference}"))
}

fn decode_cursor(c: &str) -> Result<(i64, String)> {
    let bad = || Error::BadRequest("the cursor is not one this server gave out".into());
    let text = String::from_utf8(hex::decode(c).map_err(|_| bad())?).map_err(|_| bad())?;
    let (due, reference) = text.split_once('|').ok_or_else(bad)?;
    Ok((due.parse().map_err(|_| bad())?, reference.to_string()))
}

#[utoipa::path(get, path = "/api/v1/cases", tag = "cases", params(ListParams),
    responses((status = 200, body = CaseList), (status = 401, body = jar_core::wire::Problem)))]
pub async fn list_cases(
    State(ctx): State<Arc<ApiContext>>,
    user: AuthUser,
    Query(p): Query<ListParams>,
    uri: axum::http::Uri,
) -> Result<axum::response::Response> {
    let who = &user.principal;
    require(who, Permission::ListCases, "list cases")?;
    // Read the change sequence before the query: a write landing meanwhile makes this page
    // stale at once rather than cached as current.
    let seq = ctx.store.latest_seq();
    let cache_key = format!(
        "{}\u{1f}{}\u{1f}{}\u{1f}{}",
        who.username,
        who.role,
        who.areas.join("\u{1e}"),
        uri.query().unwrap_or("")
    );
    if let Some(body) = ctx.pages.get(&cache_key, seq) {
        return Ok(json_response(body));
    }
    let stage = match &p.stage {
        Some(s) => Some(
            Stage::parse(s)
                .ok_or_else(|| Error::BadRequest(format!("unknown stage {s:?}")))?
                .as_str()
                .to_string(),
        ),
        None => None,
    };
    let limit = parse_limit(&p.limit)?;
    let filter = cases::ListFilter {
        areas: who.areas.clone(),
        key_worker: (who.role == jar_core::Role::KeyWorker).then(|| who.username.clone()),
        stage,
        area: p.area.clone(),
        mine: parse_bool("mine", &p.mine)?
            .filter(|m| *m)
            .map(|_| who.username.clone()),
        overdue_at: parse_bool("overdue", &p.overdue)?
            .filter(|o| *o)
            .map(|_| ms(Utc::now())),
        active: parse_bool("active", &p.active)?,
        q: p.q.clone().filter(|q| !q.trim().is_empty()),
        after: p.cursor.as_deref().map(decode_cursor).transpose()?,
        limit: limit + 1,
    };
    let mut rows = cases::list(&mut *ctx.store.read().await?, &filter).await?;
    let next_cursor = if rows.len() as i64 > limit {
        rows.truncate(limit as usize);
        rows.last().map(|r| encode_cursor(r.sort_due, &r.reference))
    } else {
        None
    };
    let see_flags = allows(who.role, Permission::ReadCriminalDetail);
    // The stored summaries are spliced into the answer as they are: the board is the hottest
    // read, and parsing and re-serialising a hundred summaries would dominate it. Only what
    // differs per reader is adjusted.
    let mut body =
        String::with_capacity(rows.iter().map(|r| r.summary_json.len() + 1).sum::<usize>() + 64);
    body.push_str("{\"items\":[");
    for (i, r) in rows.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        let mine = r
            .assigned
            .iter()
            .any(|a| a.as_deref() == Some(who.username.as_str()));
        if see_flags {
            // Safe on the raw text: inside a JSON string the quotes would be escaped.
            if mine {
                body.push_str(&r.summary_json.replacen(ASSIGNED_FALSE, ASSIGNED_TRUE, 1));
            } else {
                body.push_str(&r.summary_json);
            }
        } else {
            let mut s: CaseSummary =
                serde_json::from_str(&r.summary_json).map_err(anyhow::Error::from)?;
            s.flags = None;
            s.assigned_to_me = mine;
            body.push_str(&serde_json::to_string(&s).map_err(anyhow::Error::from)?);
        }
    }
    body.push_str("],\"next_cursor\":");
    body.push_str(&serde_json::to_string(&next_cursor).map_err(anyhow::Error::from)?);
    body.push('}');
    let body = axum::body::Bytes::from(body);
    ctx.pages.put(cache_key, seq, body.clone());
    Ok(json_response(body))
}

fn json_response(body: axum::body::Bytes) -> axum::response::Response {
    use axum::response::IntoResponse;
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response()
}

const ASSIGNED_FALSE: &str = "\"assigned_to_me\":false";
const ASSIGNED_TRUE: &str = "\"assigned_to_me\":true";

#[utoipa::path(post, path = "/api/v1/cases", tag = "cases", request_body = NewCase,
    params(("Idempotency-Key" = String, Header, description = "required")),
    responses((status = 201, body = CaseDetail), (status = 403, body = jar_core::wire::Problem),
        (status = 422, body = jar_core::wire::Problem)))]
pub async fn create_case(
    State(ctx): State<Arc<ApiContext>>,
    user: AuthUser,
    key: IdemKey,
    body: RawBody,
) -> Result<Reply> {
    let who = &user.principal;
    require(who, Permission::NotifyDeath, "notify a death")?;
    let key = key.required()?;
    let hash = body.hash("POST /cases");
    let mut tx = ctx.store.begin().await?;
    if let Some(r) = reply::replay(&mut tx, &who.username, &key, &hash).await? {
        return Ok(r);
    }
    let new: NewCase = body.json()?;
    new.validate()?;
    if !who.areas.contains(&new.area) {
        return Err(Error::Forbidden(format!(
            "you can notify deaths only in your areas ({})",
            who.areas.join(", ")
        )));
    }
    let now = Utc::now();
    let reference = cases::allocate_ref(tx.conn(), now.year()).await?;
    let case = Case {
        reference: reference.clone(),
        area: new.area,
        age_months: new.age_months,
        sex: new.sex,
        place_of_death: new.place_of_death,
        category: new.category,
        times: CaseTimes {
            last_seen_at: new.times.last_seen_at,
            found_at: new.times.found_at,
            death_confirmed_at: new.times.death_confirmed_at,
            notified_at: now,
        },
        criteria: CriteriaDecision {
            criteria: new.criteria,
            decided_by: new.decided_by,
            decided_at: now,
            rationale: new.rationale,
        },
        stage: Stage::Reported,
        people: Assignments::default(),
        flags: Some(Flags::default()),
        investigation_note: None,
        notified_by: who.username.clone(),
        version: 1,
    };
    let mut b = Bundle {
        id: 0,
        case,
        events: Vec::new(),
        checklists: Vec::new(),
        items: Vec::new(),
        contact_times: Vec::new(),
    };
    if let Some(t) = new
        .category
        .default_template()
        .and_then(checklist::template)
    {
        b.checklists.push((t.id.clone(), t.version));
    }
    b.id = cases::insert(tx.conn(), &b.case, &b.project(&ctx.area_overrides, now)).await?;
    for (template, version) in &b.checklists {
        records::insert_checklist(tx.conn(), b.id, template, *version, now).await?;
    }
    if let Some(identity) = &new.identity {
        records::insert_identity(tx.conn(), b.id, identity).await?;
    }
    let change = NewChange {
        kind: jar_core::wire::ChangeKind::CaseCreated,
        case: Some(&b.case),
        version: Some(1),
        item: None,
        restricted: false,
    };
    changes::insert(tx.conn(), change, now).await?;
    let detail = format!(
        "category={} identity={}",
        b.case.category.label(),
        new.identity.is_some()
    );
    let record = AuditRecord {
        who,
        action: "case.create",
        case_ref: Some(&reference),
        detail: &detail,
        remote: &user.remote,
    };
    audit::record(tx.conn(), record, now).await?;
    let reply = Reply::json(StatusCode::CREATED, &detail_for(&ctx, who, &b, now))?
        .etag(1)
        .location(format!("{}/cases/{reference}", jar_core::wire::API_PREFIX));
    reply::remember(&mut tx, &who.username, &key, &hash, &reply).await?;
    ctx.store.commit(tx).await?;
    Ok(reply)
}

#[utoipa::path(get, path = "/api/v1/cases/{reference}", tag = "cases",
    params(("reference" = String, Path, description = "e.g. JAR-2026-0042")),
    responses((status = 200, body = CaseDetail), (status = 404, body = jar_core::wire::Problem)))]
pub async fn get_case(
    State(ctx): State<Arc<ApiContext>>,
    user: AuthUser,
    Path(reference): Path<String>,
) -> Result<Reply> {
    require(&user.principal, Permission::ReadCase, "read cases")?;
    let mut conn = ctx.store.read().await?;
    let (id, case) = find_in_scope(&mut conn, &user.principal, &reference).await?;
    let b = cases::bundle(&mut conn, id, case).await?;
    let version = b.case.version;
    Ok(Reply::json(
        StatusCode::OK,
        &detail_for(&ctx, &user.principal, &b, Utc::now()),
    )?
    .etag(version))
}

#[utoipa::path(patch, path = "/api/v1/cases/{reference}", tag = "cases", request_body = CasePatch,
    params(("reference" = String, Path), ("If-Match" = String, Header, description = "\"<case version>\"")),
    responses((status = 200, body = CaseDetail), (status = 412, body = jar_core::wire::Problem),
        (status = 428, body = jar_core::wire::Problem)))]
pub async fn patch_case(
    State(ctx): State<Arc<ApiContext>>,
    user: AuthUser,
    Path(reference): Path<String>,
    if_match: IfMatch,
    body: RawBody,
) -> Result<Reply> {
    let who = &user.principal;
    let mut tx = ctx.store.begin().await?;
    let (id, case) = find_in_scope(tx.conn(), who, &reference).await?;
    require(who, Permission::UpdateCase, "change a case")?;
    let expected = if_match.required()?;
    let mut b = cases::bundle(tx.conn(), id, case).await?;
    let now = Utc::now();
    let old_version = b.case.version;
    if expected != Some(old_version) {
        let current =
            serde_json::to_value(detail_for(&ctx, who, &b, now)).map_err(anyhow::Error::from)?;
        return Err(Error::Stale(current));
    }
    let patch: CasePatch = body.json()?;
    patch.validate()?;
    let mut fields = Vec::new();
    if let Some(people) = patch.people {
        b.case.people = people;
        fields.push("people");
    }
    if let Some(flags) = patch.flags {
        b.case.flags = Some(flags);
        fields.push("flags");
    }
    if let Some(c) = patch.criteria {
        b.case.criteria = CriteriaDecision {
            criteria: c.criteria,
            decided_by: c.decided_by,
            decided_at: now,
            rationale: c.rationale,
        };
        fields.push("criteria");
    }
    if let Some(note) = patch.investigation_note {
        b.case.investigation_note = Some(note);
        fields.push("investigation_note");
    }
    b.case.version = old_version + 1;
    save_case(&ctx, &mut tx, &mut b, old_version).await?;
    // Only an investigative change is hidden from key workers; assignments must reach them.
    let restricted = fields
        .iter()
        .all(|f| matches!(*f, "flags" | "investigation_note"))
        && !fields.is_empty();
    let change = NewChange {
        kind: jar_core::wire::ChangeKind::CaseUpdated,
        case: Some(&b.case),
        version: Some(b.case.version),
        item: None,
        restricted,
    };
    changes::insert(tx.conn(), change, now).await?;
    let detail = format!("fields={}", fields.join(","));
    audit::record(
        tx.conn(),
        AuditRecord {
            who,
            action: "case.update",
            case_ref: Some(&reference),
            detail: &detail,
            remote: &user.remote,
        },
        now,
    )
    .await?;
    let reply = Reply::json(StatusCode::OK, &detail_for(&ctx, who, &b, now))?.etag(b.case.version);
    ctx.store.commit(tx).await?;
    Ok(reply)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stored_summary_spells_assigned_to_me_as_the_splice_expects() {
        let s = CaseSummary {
            reference: "JAR-2026-0001".into(),
            area: "\"assigned_to_me\":false".into(),
            category: jar_core::case::PresentingCategory::Sudi,
            stage: Stage::Reported,
            age_months: 3,
            notified_at: Utc::now(),
            open_deadlines: Vec::new(),
            progress: Default::default(),
            last_family_contact: None,
            flags: None,
            assigned_to_me: false,
            version: 1,
        };
        let json = serde_json::to_string(&s).expect("json");
        let spliced = json.replacen(ASSIGNED_FALSE, ASSIGNED_TRUE, 1);
        let back: CaseSummary = serde_json::from_str(&spliced).expect("still JSON");
        assert!(back.assigned_to_me, "{spliced}");
        assert_eq!(back.area, s.area, "text inside a string is never touched");
    }
}
