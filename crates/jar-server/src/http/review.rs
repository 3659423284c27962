//! `/cases/{ref}/review`: the post-mortem, inquest, criminal proceedings, CDRM and feedback
//! track (issue 16 §4). Its milestone times go on the timeline too (appended when recorded,
//! corrected when changed; `jar_core::review::milestone_changes`), so the deadline rules
//! count from them and the stage moves with them.

use super::ApiContext;
use super::error::{Error, Result};
use super::extract::Path;
use super::extract::{AuthUser, IfMatch, RawBody};
use super::guard::find_in_scope;
use super::reply::Reply;
use super::write::{Begun, CaseWrite, Change, Idem};
use crate::audit::Action;
use crate::store::{records, review};
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use chrono::{DateTime, Utc};
use jar_core::permissions;
use jar_core::review::{ReviewPatch, ReviewTrack, Section, changed_sections, milestone_changes};
use jar_core::timeline::{self, EventKind, TimelineEvent};
use jar_core::wire::ChangeKind;
use std::sync::Arc;

pub fn router() -> Router<Arc<ApiContext>> {
    Router::new().route(
        "/cases/{reference}/review",
        get(get_review).patch(patch_review),
    )
}

#[utoipa::path(get, path = "/api/v1/cases/{reference}/review", tag = "review",
    params(super::openapi::params::CasePath),
    responses((status = 200, body = ReviewTrack, description = "the review track (criminal proceedings only for roles that may read criminal detail); `ETag` is the case's version"),
        (status = 404, description = "no such case that you can see")))]
pub async fn get_review(
    State(ctx): State<Arc<ApiContext>>,
    user: AuthUser,
    Path(reference): Path<String>,
) -> Result<Reply> {
    let who = &user.principal;
    let mut conn = ctx.store.read().await?;
    let (id, case) = find_in_scope(&mut conn, who, &reference, ctx.now()).await?;
    let track = permissions::redact_review(who.role, review::track(&mut conn, id).await?);
    Ok(Reply::json(StatusCode::OK, &track)?.etag(case.version))
}

#[utoipa::path(patch, path = "/api/v1/cases/{reference}/review", tag = "review",
    request_body = ReviewPatch,
    params(super::openapi::params::CasePath, super::openapi::params::IfMatch),
    responses((status = 200, body = ReviewTrack, description = "the track as stored; milestones recorded or changed are on the timeline; `ETag` is the case's version after it"),
        (status = 403, description = "your role may not change a part you changed (the CDRM is the CDR manager's, feedback the key worker's, proceedings police's)"),
        (status = 404, description = "no such case that you can see"),
        (status = 409, description = "another server changed this case at the same moment; try again"),
        (status = 412, description = "`If-Match` names another version; `current` holds the track as it is now"),
        (status = 422, description = "a field breaks a rule (steps out of order, a time in the future, feedback without who gave it)"),
        (status = 428, description = "this write needs `If-Match` with the case's `ETag`")))]
pub async fn patch_review(
    State(ctx): State<Arc<ApiContext>>,
    user: AuthUser,
    Path(reference): Path<String>,
    if_match: IfMatch,
    body: RawBody,
) -> Result<Reply> {
    let who = &user.principal;
    let mut cw =
        match CaseWrite::begin(&ctx, &user, &reference, None, Idem::None, &body, "").await? {
            Begun::Replay(r, _) => return Ok(r),
            Begun::Fresh(w) => w,
        };
    let old = review::track(cw.w.tx.conn(), cw.b.id).await?;
    if if_match.required()? != Some(cw.read_version) {
        let current = serde_json::to_value(permissions::redact_review(who.role, old))
            .map_err(anyhow::Error::from)?;
        return Err(Error::Stale(current));
    }
    let mut patch: ReviewPatch = cw.body(&body)?;
    // A role that does not receive the proceedings cannot touch them, and a refusal would
    // tell it that they exist (tipping off): what it sends there is ignored.
    if !permissions::allows(who.role, permissions::Permission::ReadCriminalDetail) {
        patch.proceedings = None;
    }
    let new = patch.apply(&old);
    new.validate()?;
    for (field, t) in new.happened_times() {
        if let Some(bad) = jar_core::plausibility::happened(field, t, cw.w.now) {
            return Err(Error::Unprocessable(format!(
                "{} {}",
                bad.field, bad.message
            )));
        }
    }
    let sections = changed_sections(&old, &new);
    if let Some(s) = sections
        .iter()
        .find(|s| !permissions::may_write_review_section(who.role, **s))
    {
        return Err(Error::Forbidden(format!(
            "a {} cannot change the {} part of the review track",
            who.role.label(),
            s.as_str()
        )));
    }
    if sections.is_empty() {
        let track = permissions::redact_review(who.role, new);
        return Ok(Reply::json(StatusCode::OK, &track)?.etag(cw.read_version));
    }
    let mut restricted = sections.iter().all(|s| *s == Section::Proceedings);
    for m in milestone_changes(&old, &new) {
        restricted &= m.kind.is_investigative();
        if let Some(from) = m.from {
            correct(&mut cw, m.kind, from).await?;
        }
        if let Some(to) = m.to {
            record(&mut cw, m.kind, to).await?;
        }
    }
    review::put_track(cw.w.tx.conn(), cw.b.id, &new).await?;
    // The track is part of the case: every change is a new version (If-Match guards it).
    cw.save(true).await?;
    let version = cw.b.case.version;
    let change = Change {
        kind: ChangeKind::ReviewUpdated,
        version,
        item: None,
        restricted,
    };
    let names: Vec<&str> = sections.iter().map(|s| s.as_str()).collect();
    let detail = format!("parts={}", names.join(","));
    let track = permissions::redact_review(who.role, new);
    let reply = Reply::json(StatusCode::OK, &track)?.etag(version);
    cw.commit(Some(change), (Action::ReviewUpdate, &detail), reply)
        .await
}

/// A milestone recorded on the track, on the timeline as the person recorded it.
async fn record(cw: &mut CaseWrite<'_>, kind: EventKind, at: DateTime<Utc>) -> Result<()> {
    let mut event = TimelineEvent {
        id: 0,
        kind,
        occurred_at: at,
        recorded_at: cw.w.now,
        recorded_by: cw.w.user.principal.username.clone(),
        note: "recorded on the review track".into(),
        corrects: None,
    };
    event.id = records::insert_event(cw.w.tx.conn(), cw.b.id, &event).await?;
    cw.b.events.push(event);
    Ok(())
}

/// A milestone changed or cleared on the track: the timeline event it had put there is
/// corrected (the timeline stays append-only).
async fn correct(cw: &mut CaseWrite<'_>, kind: EventKind, from: DateTime<Utc>) -> Result<()> {
    let target = timeline::effective(&cw.b.events)
        .find(|e| e.kind == kind && e.occurred_at == from)
        .map(|e| e.id);
    let Some(target) = target else {
        // Corrected on the timeline already: nothing left to withdraw.
        return Ok(());
    };
    let mut event = TimelineEvent {
        id: 0,
        kind: EventKind::Correction,
        occurred_at: cw.w.now,
        recorded_at: cw.w.now,
        recorded_by: cw.w.user.principal.username.clone(),
        note: format!("{} changed on the review track", kind.label()),
        corrects: Some(target),
    };
    event.id = records::insert_event(cw.w.tx.conn(), cw.b.id, &event).await?;
    cw.b.events.push(event);
    Ok(())
}
