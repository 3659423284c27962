//! `/cases/{ref}/timeline`: append-only events; milestones move the stage.

use super::ApiContext;
use super::error::{Error, Result};
use super::extract::Path;
use super::extract::{AuthUser, IdemKey, RawBody};
use super::guard::{find_in_scope, require};
use super::reply::Reply;
use super::write::{Begun, CaseWrite, Change, Idem};
use crate::audit::Action;
use crate::store::records;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use jar_core::permissions::{self, Permission};
use jar_core::timeline::{EventKind, TimelineEvent};
use jar_core::wire::{ChangeKind, NewTimelineEvent, TimelineList};
use std::sync::Arc;

pub fn router() -> Router<Arc<ApiContext>> {
    Router::new().route(
        "/cases/{reference}/timeline",
        get(list_events).post(add_event),
    )
}

#[utoipa::path(get, path = "/api/v1/cases/{reference}/timeline", tag = "timeline",
    params(super::openapi::params::CasePath),
    responses((status = 200, body = TimelineList, description = "the events your role may see, oldest first"),
        (status = 403, description = "your role may not read the timeline")))]
pub async fn list_events(
    State(ctx): State<Arc<ApiContext>>,
    user: AuthUser,
    Path(reference): Path<String>,
) -> Result<axum::Json<TimelineList>> {
    let who = &user.principal;
    let mut conn = ctx.store.read().await?;
    let (id, _) = find_in_scope(&mut conn, who, &reference, ctx.now()).await?;
    require(who, (Permission::ReadTimeline, "read the timeline"))?;
    let items = records::timeline(&mut conn, id)
        .await?
        .into_iter()
        .filter(|e| permissions::may_see_event(who.role, e))
        .collect();
    Ok(axum::Json(TimelineList { items }))
}

#[utoipa::path(post, path = "/api/v1/cases/{reference}/timeline", tag = "timeline",
    request_body = NewTimelineEvent,
    params(super::openapi::params::CasePath, super::openapi::params::IdempotencyKey),
    responses((status = 201, body = TimelineEvent, description = "the event, recorded; `ETag` is the case's version after it"),
        (status = 400, description = "no `Idempotency-Key`, or one that is malformed; or malformed JSON"),
        (status = 403, description = "your role may not add to the timeline, or does not own this step (only the CDR manager closes a case; a correction is judged by the event it corrects)"),
        (status = 409, description = "another server changed this case at the same moment; try again"),
        (status = 422, description = "the body breaks a rule: a correction must name an event of this case in `corrects`; closing the case (`cdop_review_completed`) before the family was given feedback needs the reason in `note`")))]
pub async fn add_event(
    State(ctx): State<Arc<ApiContext>>,
    user: AuthUser,
    Path(reference): Path<String>,
    key: IdemKey,
    body: RawBody,
) -> Result<Reply> {
    let need = (Permission::WriteTimeline, "add to the timeline");
    let scope = format!("timeline {reference}");
    let mut cw = match CaseWrite::begin(
        &ctx,
        &user,
        &reference,
        Some(need),
        Idem::Required(key),
        &body,
        &scope,
    )
    .await?
    {
        Begun::Replay(r, _) => return Ok(r),
        Begun::Fresh(w) => w,
    };
    let new: NewTimelineEvent = cw.body(&body)?;
    let corrected = new
        .corrects
        .and_then(|target| cw.b.events.iter().find(|e| e.id == target).cloned());
    match (new.kind, new.corrects) {
        (EventKind::Correction, Some(_)) if corrected.is_some() => {}
        (EventKind::Correction, _) => {
            return Err(Error::Unprocessable(
                "a correction must name an event of this case in `corrects`".into(),
            ));
        }
        (_, Some(_)) => {
            return Err(Error::Unprocessable(
                "only a correction may set `corrects`".into(),
            ));
        }
        _ => {}
    }
    // Only the roles that own a step record it (issue 14 §3); a correction is judged by the
    // event it corrects, so withdrawing "CDOP review completed" (reopening) is a manager's.
    if let Some(reason) = permissions::event_lock_reason(
        user.principal.role,
        new.kind,
        corrected.as_ref().map(|e| e.kind),
    ) {
        return Err(Error::Forbidden(format!(
            "a {} cannot record this: {reason}",
            user.principal.role.label()
        )));
    }
    // Issue 16 §4: a case closes only after feedback to the family, or with a reason.
    if new.kind == EventKind::CdopReviewCompleted {
        let track = crate::store::review::track(cw.w.tx.conn(), cw.b.id).await?;
        if let Some(why) = jar_core::review::close_refusal(&track, &new.note) {
            return Err(Error::Unprocessable(why.into()));
        }
    }
    let now = cw.w.now;
    let occurred_at = new.occurred_at.unwrap_or(now);
    super::error::refuse_implausible(event_implausible(&cw.b.case, new.kind, occurred_at, now))?;
    let mut event = TimelineEvent {
        id: 0,
        kind: new.kind,
        occurred_at,
        recorded_at: now,
        recorded_by: user.principal.username.clone(),
        note: new.note,
        corrects: new.corrects,
    };
    event.id = records::insert_event(cw.w.tx.conn(), cw.b.id, &event).await?;
    cw.b.events.push(event.clone());
    let closed = super::checklists::close_by_event(&mut cw, &event).await?;
    // A milestone (or a correction, which may withdraw one) can move the stage: new version.
    let new_version = new.kind.opens_stage().is_some() || new.kind == EventKind::Correction;
    cw.save(new_version).await?;
    let version = cw.b.case.version;
    let change = Change {
        kind: ChangeKind::TimelineAdded,
        version,
        item: Some(event.id.to_string()),
        restricted: permissions::restricted_timeline_change(new.kind, corrected.as_ref()),
    };
    let detail = if closed.is_empty() {
        format!("event={} kind={:?}", event.id, event.kind)
    } else {
        format!(
            "event={} kind={:?} closed_items={}",
            event.id,
            event.kind,
            closed.join(",")
        )
    };
    let reply = Reply::json(StatusCode::CREATED, &event)?.etag(version);
    cw.commit(Some(change), (Action::TimelineAdd, &detail), reply)
        .await
}

/// A timeline event happened (not in the future, not before the child was born), and a death
/// confirmed is not before the child was found (issue 14 §1).
fn event_implausible(
    case: &jar_core::Case,
    kind: EventKind,
    at: chrono::DateTime<chrono::Utc>,
    now: chrono::DateTime<chrono::Utc>,
) -> Vec<jar_core::plausibility::Implausible> {
    use jar_core::plausibility::{Implausible, earliest_birth, event_time};
    let born = earliest_birth(case.age_months, case.times.death_anchor());
    let mut out: Vec<Implausible> = event_time("occurred_at", at, born, now)
        .into_iter()
        .collect();
    if kind == EventKind::DeathConfirmed
        && let Some(found) = case.times.found_at
        && at < found
    {
        out.push(Implausible {
            field: "occurred_at",
            message: "is before the child was found".into(),
        });
    }
    out
}
