//! `/cases/{ref}/timeline`: append-only events; milestones move the stage.

use super::ApiContext;
use super::cases::{find_in_scope, require, save_case};
use super::error::{Error, Result};
use super::extract::Path;
use super::extract::{AuthUser, IdemKey, RawBody};
use super::reply::{self, Reply};
use crate::store::audit::AuditRecord;
use crate::store::changes::NewChange;
use crate::store::{audit, cases, changes, records};
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use chrono::Utc;
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
    let (id, _) = find_in_scope(&mut conn, who, &reference).await?;
    require(who, Permission::ReadTimeline, "read the timeline")?;
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
        (status = 403, description = "your role may not add to the timeline"),
        (status = 409, description = "another server changed this case at the same moment; try again"),
        (status = 422, description = "the body breaks a rule: a correction must name an event of this case in `corrects`")))]
pub async fn add_event(
    State(ctx): State<Arc<ApiContext>>,
    user: AuthUser,
    Path(reference): Path<String>,
    key: IdemKey,
    body: RawBody,
) -> Result<Reply> {
    let who = &user.principal;
    let reply::CaseWrite {
        mut tx,
        id,
        case,
        key,
        hash,
    } = match reply::begin_case_write(
        &ctx.store,
        who,
        &reference,
        (Permission::WriteTimeline, "add to the timeline"),
        key,
        &body,
        &format!("timeline {reference}"),
    )
    .await?
    {
        reply::Begun::Replay(r) => return Ok(r),
        reply::Begun::Fresh(w) => *w,
    };
    let new: NewTimelineEvent = body.json()?;
    new.validate()?;
    let mut b = cases::bundle(tx.conn(), id, case).await?;
    match (new.kind, new.corrects) {
        (EventKind::Correction, Some(target)) if b.events.iter().any(|e| e.id == target) => {}
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
    let now = Utc::now();
    let mut event = TimelineEvent {
        id: 0,
        kind: new.kind,
        occurred_at: new.occurred_at.unwrap_or(now),
        recorded_at: now,
        recorded_by: who.username.clone(),
        note: new.note,
        corrects: new.corrects,
    };
    event.id = records::insert_event(tx.conn(), id, &event).await?;
    b.events.push(event.clone());
    let old_version = b.case.version;
    // A milestone (or a correction, which may withdraw one) can move the stage: new version.
    if new.kind.opens_stage().is_some() || new.kind == EventKind::Correction {
        b.case.version += 1;
    }
    save_case(&ctx, &mut tx, &mut b, old_version).await?;
    let restricted = new.kind.is_investigative()
        || b.events
            .iter()
            .any(|e| Some(e.id) == new.corrects && e.kind.is_investigative());
    let change = NewChange {
        kind: ChangeKind::TimelineAdded,
        case: Some(&b.case),
        version: Some(b.case.version),
        item: Some(event.id.to_string()),
        restricted,
    };
    changes::insert(tx.conn(), change, now).await?;
    let detail = format!("event={} kind={:?}", event.id, event.kind);
    audit::record(
        tx.conn(),
        AuditRecord {
            who,
            action: "timeline.add",
            case_ref: Some(&reference),
            detail: &detail,
            remote: &user.remote,
        },
        now,
    )
    .await?;
    let reply = Reply::json(StatusCode::CREATED, &event)?.etag(b.case.version);
    reply::remember(&mut tx, &who.username, &key, &hash, &reply).await?;
    ctx.store.commit(tx).await?;
    Ok(reply)
}
