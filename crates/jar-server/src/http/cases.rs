//! `/cases`: notification of a death, the case detail and its PATCH (the list is in
//! `case_list.rs`). Scope and permission checks are in `guard.rs`, the write in `write.rs`.

use super::ApiContext;
use super::error::{Error, Result};
use super::extract::Path;
use super::extract::{AuthUser, IdemKey, IfMatch, RawBody};
use super::guard::{find_in_scope, require};
use super::reply::Reply;
use super::write::{Begun, CaseWrite, Change, Idem, Write};
use crate::audit::Action;
use crate::projection::Bundle;
use crate::store::changes::NewChange;
use crate::store::{cases, changes};
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use chrono::{DateTime, Datelike, Utc};
use jar_core::permissions::{self, Permission, Principal, allows};
use jar_core::timeline::EventKind;
use jar_core::wire::{CaseDetail, CasePatch, ChangeKind, NewCase};
use std::sync::Arc;

pub fn router() -> Router<Arc<ApiContext>> {
    Router::new()
        .route(
            "/cases",
            get(super::case_list::list_cases).post(create_case),
        )
        .route("/cases/{reference}", get(get_case).patch(patch_case))
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
        contact_count: allows(role, Permission::ReadContacts).then_some(b.contacts.len() as u32),
        last_family_contact: b.last_family_contact(),
    }
}

#[utoipa::path(post, path = "/api/v1/cases", tag = "cases", request_body = NewCase,
    params(super::openapi::params::IdempotencyKey),
    responses((status = 201, body = CaseDetail, description = "the case, notified (or the first answer again, on a retry)"),
        (status = 400, description = "no `Idempotency-Key`, or one that is malformed; or malformed JSON"),
        (status = 403, description = "your role may not notify a death, or the area is not one of yours"),
        (status = 409, description = "this death may already be notified: `current.candidates` lists the cases (reference, area, likelihood, times; never names); notify again with `not_a_duplicate_of` naming them if it is a different death"),
        (status = 422, description = "the body breaks a rule (the `detail` names it), or the `Idempotency-Key` was used for another request")))]
pub async fn create_case(
    State(ctx): State<Arc<ApiContext>>,
    user: AuthUser,
    key: IdemKey,
    body: RawBody,
) -> Result<Reply> {
    let need = (Permission::NotifyDeath, "notify a death");
    let mut w =
        match Write::begin(&ctx, &user, need, Idem::Required(key), &body, "POST /cases").await? {
            Begun::Replay(r, _) => return Ok(r),
            Begun::Fresh(w) => w,
        };
    let who = &user.principal;
    let new: NewCase = w.body(&body)?;
    if !who.areas.contains(&new.area) {
        let known = cases::known_areas(w.tx.conn(), &ctx.area_overrides).await?;
        if !known.contains(&new.area) {
            return Err(Error::Unprocessable(format!(
                "there is no such area; the areas this server knows are: {}",
                known.join(", ")
            )));
        }
        return Err(Error::Forbidden(format!(
            "you can notify deaths only in your areas ({})",
            who.areas.join(", ")
        )));
    }
    if let Some(id) = &new.identity {
        check_duplicates(&mut w, &new, id).await?;
    }
    // Whole seconds: every deadline on the board derives from this, and shorter times make
    // the hottest response (the case list) noticeably smaller.
    let now = chrono::SubsecRound::trunc_subsecs(w.now, 0);
    w.now = now;
    let reference = cases::allocate_ref(w.tx.conn(), now.year()).await?;
    let identity = new.identity.clone();
    let not_dup = new.not_a_duplicate_of.clone();
    let b = Bundle::notified(reference.clone(), new, who, now);
    super::error::refuse_implausible(jar_core::correction::implausible(&b.case, now))?;
    let id = cases::insert_new(
        w.tx.conn(),
        &b,
        identity.as_deref(),
        &ctx.area_overrides,
        now,
    )
    .await?;
    let b = Bundle { id, ..b };
    let change = NewChange {
        kind: jar_core::wire::ChangeKind::CaseCreated,
        case: Some(&b.case),
        version: Some(1),
        item: None,
        restricted: false,
    };
    changes::insert(w.tx.conn(), change, now).await?;
    let mut detail = format!(
        "category={} identity={}",
        b.case.category.label(),
        identity.is_some()
    );
    if !not_dup.is_empty() {
        detail.push_str(&format!(" not_a_duplicate_of={}", not_dup.join(",")));
    }
    w.audit(Action::CaseCreate, Some(&reference), &detail)
        .await?;
    let reply = Reply::json(StatusCode::CREATED, &detail_for(&ctx, who, &b, now))?
        .etag(1)
        .location(format!("{}/cases/{reference}", jar_core::wire::API_PREFIX));
    w.commit(reply).await
}

/// The same death notified twice (issue 15 §3): the same NHS number is certain; the same date
/// of birth and sex with deaths within two days, in any area, is likely. Candidates the
/// notifier has already looked at (`not_a_duplicate_of`) are not asked about again.
async fn check_duplicates(
    w: &mut Write<'_>,
    new: &NewCase,
    id: &jar_core::case::Identity,
) -> Result<()> {
    let death = new
        .times
        .death_confirmed_at
        .or(new.times.found_at)
        .unwrap_or(w.now);
    if !jar_core::identity::dob_before(id.date_of_birth, death) {
        return Err(Error::Unprocessable(
            "date_of_birth is after the death; check the year".into(),
        ));
    }
    let mut candidates = Vec::new();
    for (case, existing) in crate::store::people::open_cases_with_identity(w.tx.conn()).await? {
        if new.not_a_duplicate_of.contains(&case.reference) {
            continue;
        }
        if let Some(likelihood) =
            jar_core::identity::duplicate_likelihood(id, death, &case, &existing)
        {
            candidates.push(jar_core::identity::DuplicateCandidate {
                death_at: case.times.death_anchor(),
                notified_at: case.times.notified_at,
                reference: case.reference,
                area: case.area,
                likelihood,
            });
        }
    }
    if candidates.is_empty() {
        return Ok(());
    }
    let list = serde_json::to_value(&candidates).map_err(anyhow::Error::from)?;
    Err(Error::PossibleDuplicate(
        serde_json::json!({ "candidates": list }),
    ))
}

#[utoipa::path(get, path = "/api/v1/cases/{reference}", tag = "cases",
    params(super::openapi::params::CasePath),
    responses((status = 200, body = CaseDetail, description = "the case as your role may see it"),
        (status = 403, description = "your role may not read cases"),
        (status = 404, description = "no such case that you can see")))]
pub async fn get_case(
    State(ctx): State<Arc<ApiContext>>,
    user: AuthUser,
    Path(reference): Path<String>,
) -> Result<Reply> {
    require(&user.principal, (Permission::ReadCase, "read cases"))?;
    let mut conn = ctx.store.read().await?;
    let (id, case) = find_in_scope(&mut conn, &user.principal, &reference, ctx.now()).await?;
    let b = cases::bundle(&mut conn, id, case).await?;
    let version = b.case.version;
    Ok(Reply::json(
        StatusCode::OK,
        &detail_for(&ctx, &user.principal, &b, ctx.now()),
    )?
    .etag(version))
}

#[utoipa::path(patch, path = "/api/v1/cases/{reference}", tag = "cases", request_body = CasePatch,
    params(super::openapi::params::CasePath, super::openapi::params::IfMatch),
    responses((status = 200, body = CaseDetail, description = "the case after the change"),
        (status = 403, description = "your role may not change a case, or may not change the flags or the investigation note (criminal detail)"),
        (status = 404, description = "no such case that you can see"),
        (status = 409, description = "another server changed this case at the same moment; try again"),
        (status = 412, description = "`If-Match` names another version; `current` holds the case as it is now"),
        (status = 422, description = "the corrected facts break a rule (the `detail` names the field): a time in the future or out of order, an age of 18 or more, no `found_at` for SUDI or SUDIC"),
        (status = 428, description = "this write needs `If-Match` with the case's `ETag`")))]
pub async fn patch_case(
    State(ctx): State<Arc<ApiContext>>,
    user: AuthUser,
    Path(reference): Path<String>,
    if_match: IfMatch,
    body: RawBody,
) -> Result<Reply> {
    let who = &user.principal;
    let need = (Permission::UpdateCase, "change a case");
    let mut cw =
        match CaseWrite::begin(&ctx, &user, &reference, Some(need), Idem::None, &body, "").await? {
            Begun::Replay(r, _) => return Ok(r),
            Begun::Fresh(w) => w,
        };
    let expected = if_match.required()?;
    let now = cw.w.now;
    if expected != Some(cw.read_version) {
        let current =
            serde_json::to_value(detail_for(&ctx, who, &cw.b, now)).map_err(anyhow::Error::from)?;
        return Err(Error::Stale(current));
    }
    let patch: CasePatch = cw.body(&body)?;
    if let Some(why) = permissions::patch_refusal(who.role, &patch) {
        return Err(Error::Forbidden(why.into()));
    }
    let before = cw.b.case.clone();
    let fields = permissions::apply_case_patch(&mut cw.b.case, patch, now);
    if fields.is_empty() {
        // Nothing changes: no new version, no audit row, no change event.
        return Ok(
            Reply::json(StatusCode::OK, &detail_for(&ctx, who, &cw.b, now))?.etag(cw.read_version),
        );
    }
    // The corrected facts keep the rules the notification kept (issue 14 §1).
    super::error::refuse_implausible(jar_core::correction::implausible(&cw.b.case, now))?;
    // What changed goes on the timeline as "corrected from … to …"; the flags on an entry of
    // their own, which key workers never receive (tipping off).
    if before.people.key_worker != cw.b.case.people.key_worker
        && let Some(kw) = cw.b.case.people.key_worker.clone()
    {
        let note = format!("key worker: {kw}");
        super::people::record_event(&mut cw, EventKind::KeyWorkerNamed, note).await?;
    }
    let facts = jar_core::correction::fact_lines(&before, &cw.b.case);
    let flags = jar_core::correction::flag_lines(&before, &cw.b.case);
    for (kind, lines) in [
        (EventKind::FactsCorrected, &facts),
        (EventKind::FlagsCorrected, &flags),
    ] {
        if !lines.is_empty() {
            super::people::record_event(&mut cw, kind, lines.join("; ")).await?;
        }
    }
    cw.save(true).await?;
    let version = cw.b.case.version;
    let change = Change {
        kind: ChangeKind::CaseUpdated,
        version,
        item: None,
        restricted: permissions::restricted_case_change(&fields),
    };
    let names: Vec<&str> = fields.iter().map(|f| f.as_str()).collect();
    let mut detail = format!("fields={}", names.join(","));
    for l in facts.iter().chain(&flags) {
        detail.push_str("; ");
        detail.push_str(l);
    }
    let reply = Reply::json(StatusCode::OK, &detail_for(&ctx, who, &cw.b, now))?.etag(version);
    cw.commit(Some(change), (Action::CaseUpdate, &detail), reply)
        .await
}
