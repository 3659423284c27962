//! `/cases`: notification of a death, the case detail and its PATCH (the list is in
//! `case_list.rs`), and the scope and permission checks every case route shares.

use super::ApiContext;
use super::error::{Error, Result};
use super::extract::Path;
use super::extract::{AuthUser, IdemKey, IfMatch, RawBody};
use super::reply::{self, Reply};
use crate::projection::Bundle;
use crate::store::audit::AuditRecord;
use crate::store::changes::NewChange;
use crate::store::{Conn, WriteTx, audit, cases, changes, records};
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use chrono::{DateTime, Datelike, Utc};
use jar_core::case::{Assignments, CriteriaDecision, Flags};
use jar_core::case::{Case, CaseTimes, Stage};
use jar_core::checklist;
use jar_core::permissions::{self, Permission, Principal, allows};
use jar_core::wire::{CaseDetail, CasePatch, NewCase};
use std::sync::Arc;

pub fn router() -> Router<Arc<ApiContext>> {
    Router::new()
        .route(
            "/cases",
            get(super::case_list::list_cases).post(create_case),
        )
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
        deadlines: permissions::redact_deadlines(role, b.deadlines(&ctx.area_overrides, now)),
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
    // Whole seconds: every deadline on the board derives from this, and shorter times make
    // the hottest response (the case list) noticeably smaller.
    let now = chrono::SubsecRound::trunc_subsecs(Utc::now(), 0);
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
