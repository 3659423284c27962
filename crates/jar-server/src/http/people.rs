//! Who is on the case (issue 15 §3–4): assignment by place, key-worker cover, withdrawal of a
//! notification made in error and the link of two cases found to be the same death. The rules
//! are in `jar_core::permissions` and `jar_core::people`; each handler is one `CaseWrite`.

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
use crate::store::{cases, changes, people, records};
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use jar_core::Role;
use jar_core::people::{Assign, Candidate, Cover, EndCover, LinkDuplicate, Slot, Withdraw};
use jar_core::permissions::{self, Permission};
use jar_core::timeline::{EventKind, TimelineEvent};
use jar_core::wire::{CaseDetail, ChangeKind};
use std::sync::Arc;

pub fn router() -> Router<Arc<ApiContext>> {
    Router::new()
        .route(
            "/cases/{reference}/assignments/{slot}",
            get(candidates).put(assign),
        )
        .route("/cases/{reference}/withdraw", post(withdraw))
        .route("/cases/{reference}/duplicates", post(link_duplicate))
        .route("/covers", get(list_covers).post(set_cover))
        .route("/covers/end", post(end_cover))
}

/// Append a server-recorded event (see `EventKind::is_system`) to the case in `cw`, save the
/// case with a new version, and name the change for the event stream.
pub async fn system_event(cw: &mut CaseWrite<'_>, kind: EventKind, note: String) -> Result<Change> {
    record_event(cw, kind, note).await?;
    cw.save(true).await?;
    Ok(Change {
        kind: ChangeKind::CaseUpdated,
        version: cw.b.case.version,
        item: None,
        restricted: false,
    })
}

/// Append a server-recorded event to the case in `cw`, happening now, without saving.
pub async fn record_event(cw: &mut CaseWrite<'_>, kind: EventKind, note: String) -> Result<()> {
    let now = cw.w.now;
    let mut event = TimelineEvent {
        id: 0,
        kind,
        occurred_at: now,
        recorded_at: now,
        recorded_by: cw.w.user.principal.username.clone(),
        note,
        corrects: None,
    };
    event.id = records::insert_event(cw.w.tx.conn(), cw.b.id, &event).await?;
    cw.b.events.push(event);
    Ok(())
}

fn parse_slot(s: &str) -> Result<Slot> {
    serde_json::from_value(serde_json::Value::String(s.to_string()))
        .map_err(|_| Error::NotFound("there is nothing at this address".into()))
}

fn check_version(
    ctx: &ApiContext,
    cw: &CaseWrite<'_>,
    if_match: IfMatch,
) -> Result<chrono::DateTime<chrono::Utc>> {
    let now = cw.w.now;
    if if_match.required()? != Some(cw.read_version) {
        let current = serde_json::to_value(super::cases::detail_for(
            ctx,
            &cw.w.user.principal,
            &cw.b,
            now,
        ))
        .map_err(anyhow::Error::from)?;
        return Err(Error::Stale(current));
    }
    Ok(now)
}

#[utoipa::path(get, path = "/api/v1/cases/{reference}/assignments/{slot}", tag = "people",
    params(super::openapi::params::CasePath, ("slot" = Slot, Path, description = "lead_paediatrician, police_contact, social_worker or key_worker")),
    responses((status = 200, body = [Candidate], description = "the people who may fill this place: enabled, in the case's area, with the place's role"),
        (status = 403, description = "only a manager or the case's lead paediatrician assigns"),
        (status = 404, description = "no such case that you can see")))]
pub async fn candidates(
    State(ctx): State<Arc<ApiContext>>,
    user: AuthUser,
    Path((reference, slot)): Path<(String, String)>,
) -> Result<axum::Json<Vec<Candidate>>> {
    let who = &user.principal;
    let slot = parse_slot(&slot)?;
    let mut conn = ctx.store.read().await?;
    let (_, case) = find_in_scope(&mut conn, who, &reference, ctx.now()).await?;
    if !permissions::may_assign(who, &case) {
        return Err(Error::Forbidden(
            "only a manager or the case's lead paediatrician assigns people".into(),
        ));
    }
    let role = slot.role();
    let names = people::people_in_area(&mut conn, &case.area, role).await?;
    Ok(axum::Json(
        names
            .into_iter()
            .map(|username| Candidate { username, role })
            .collect(),
    ))
}

#[utoipa::path(put, path = "/api/v1/cases/{reference}/assignments/{slot}", tag = "people",
    request_body = Assign,
    params(super::openapi::params::CasePath, ("slot" = Slot, Path, description = "lead_paediatrician, police_contact, social_worker or key_worker"), super::openapi::params::IfMatch),
    responses((status = 200, body = CaseDetail, description = "the case with the place filled (or cleared); audited, on the timeline, and heard at once by the person assigned"),
        (status = 403, description = "only a manager or the case's lead paediatrician assigns"),
        (status = 404, description = "no such case that you can see"),
        (status = 409, description = "another server changed this case at the same moment; try again"),
        (status = 412, description = "`If-Match` names another version; `current` holds the case as it is now"),
        (status = 422, description = "that person cannot fill this place (not enabled, another role, or not in the case's area)"),
        (status = 428, description = "this write needs `If-Match` with the case's `ETag`")))]
pub async fn assign(
    State(ctx): State<Arc<ApiContext>>,
    user: AuthUser,
    Path((reference, slot)): Path<(String, String)>,
    if_match: IfMatch,
    body: RawBody,
) -> Result<Reply> {
    let who = &user.principal;
    let slot = parse_slot(&slot)?;
    let mut cw =
        match CaseWrite::begin(&ctx, &user, &reference, None, Idem::None, &body, "").await? {
            Begun::Replay(r, _) => return Ok(r),
            Begun::Fresh(w) => w,
        };
    if !permissions::may_assign(who, &cw.b.case) {
        return Err(Error::Forbidden(
            "only a manager or the case's lead paediatrician assigns people".into(),
        ));
    }
    let now = check_version(&ctx, &cw, if_match)?;
    let req: Assign = cw.body(&body)?;
    if let Some(name) = &req.username {
        let fits = people::people_in_area(cw.w.tx.conn(), &cw.b.case.area, slot.role())
            .await?
            .contains(name);
        if !fits {
            return Err(Error::Unprocessable(format!(
                "the {} must be an enabled {} in the case's area",
                slot.label(),
                slot.role().label()
            )));
        }
    }
    if slot.get(&cw.b.case.people) == req.username.as_deref() {
        let detail = super::cases::detail_for(&ctx, who, &cw.b, now);
        return Ok(Reply::json(StatusCode::OK, &detail)?.etag(cw.read_version));
    }
    slot.set(&mut cw.b.case.people, req.username.clone());
    let assignee = req.username.as_deref().unwrap_or("nobody");
    let note = format!("{}: {assignee}", slot.label());
    if slot == Slot::KeyWorker && req.username.is_some() {
        // The key worker's first contact counts from this (issue 14 §2): recorded by the
        // server, so the clock starts when the family has someone to call.
        record_event(&mut cw, EventKind::KeyWorkerNamed, note.clone()).await?;
    }
    let change = system_event(&mut cw, EventKind::Assigned, note).await?;
    let detail = format!("slot={} assignee={assignee}", slot.label());
    let reply = Reply::json(
        StatusCode::OK,
        &super::cases::detail_for(&ctx, who, &cw.b, now),
    )?
    .etag(cw.b.case.version);
    cw.commit(Some(change), (Action::CaseAssign, &detail), reply)
        .await
}

#[utoipa::path(post, path = "/api/v1/cases/{reference}/withdraw", tag = "people",
    request_body = Withdraw,
    params(super::openapi::params::CasePath, super::openapi::params::IfMatch),
    responses((status = 200, body = CaseDetail, description = "the notification withdrawn: the case is closed and leaves the board; it stays readable by reference and in the audit trail"),
        (status = 403, description = "only the notifier or a manager withdraws a notification"),
        (status = 404, description = "no such case that you can see"),
        (status = 409, description = "the case is already withdrawn or closed as a duplicate"),
        (status = 412, description = "`If-Match` names another version; `current` holds the case as it is now"),
        (status = 422, description = "the reason is missing, shorter than 10 characters or one character repeated"),
        (status = 428, description = "this write needs `If-Match` with the case's `ETag`")))]
pub async fn withdraw(
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
    if !permissions::may_withdraw(who, &cw.b.case) {
        return Err(Error::Forbidden(
            "only the person who notified this death or a manager can withdraw it".into(),
        ));
    }
    let now = check_version(&ctx, &cw, if_match)?;
    let req: Withdraw = cw.body(&body)?;
    if people::is_withdrawn(cw.w.tx.conn(), cw.b.id).await? {
        return Err(Error::Conflict(
            "this notification is already withdrawn".into(),
        ));
    }
    let change = system_event(&mut cw, EventKind::Withdrawn, req.reason.clone()).await?;
    people::set_withdrawn(cw.w.tx.conn(), cw.b.id).await?;
    let detail = format!("reason: {}", req.reason);
    let reply = Reply::json(
        StatusCode::OK,
        &super::cases::detail_for(&ctx, who, &cw.b, now),
    )?
    .etag(cw.b.case.version);
    cw.commit(Some(change), (Action::CaseWithdraw, &detail), reply)
        .await
}

#[utoipa::path(post, path = "/api/v1/cases/{reference}/duplicates", tag = "people",
    request_body = LinkDuplicate,
    params(super::openapi::params::CasePath, super::openapi::params::IfMatch),
    responses((status = 200, body = CaseDetail, description = "this case stays the record; the case named in the body is closed as its duplicate and leaves the board; both are audited and on their timelines"),
        (status = 403, description = "only a manager links two cases"),
        (status = 404, description = "no such case that you can see (either of the two)"),
        (status = 409, description = "the duplicate is this case, or is already withdrawn or closed"),
        (status = 412, description = "`If-Match` (of this case) names another version"),
        (status = 428, description = "this write needs `If-Match` with the case's `ETag`")))]
pub async fn link_duplicate(
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
    if !permissions::manager_only(who.role) {
        return Err(Error::Forbidden("only a manager links two cases".into()));
    }
    let now = check_version(&ctx, &cw, if_match)?;
    let req: LinkDuplicate = cw.body(&body)?;
    if req.duplicate == reference {
        return Err(Error::Conflict("a case cannot be its own duplicate".into()));
    }
    let (dup_id, dup_case) = find_in_scope(cw.w.tx.conn(), who, &req.duplicate, now).await?;
    if people::is_withdrawn(cw.w.tx.conn(), dup_id).await? {
        return Err(Error::Conflict(
            "that case is already withdrawn or closed as a duplicate".into(),
        ));
    }
    // The duplicate: closed, on its timeline, off the board, its own change and audit rows.
    let mut dup: Bundle = cases::bundle(cw.w.tx.conn(), dup_id, dup_case).await?;
    let mut event = TimelineEvent {
        id: 0,
        kind: EventKind::ClosedAsDuplicate,
        occurred_at: now,
        recorded_at: now,
        recorded_by: who.username.clone(),
        note: format!("same death as {reference}: {}", req.reason),
        corrects: None,
    };
    event.id = records::insert_event(cw.w.tx.conn(), dup_id, &event).await?;
    dup.events.push(event);
    let dup_version = dup.case.version;
    dup.case.version += 1;
    dup.case.stage = dup.stage();
    let p = dup.project(&ctx.area_overrides, now);
    if !cases::update(cw.w.tx.conn(), dup_id, &dup.case, &p, dup_version).await? {
        return Err(Error::Conflict(
            "another server changed that case at the same moment; try again".into(),
        ));
    }
    people::set_withdrawn(cw.w.tx.conn(), dup_id).await?;
    let row = NewChange {
        kind: ChangeKind::CaseUpdated,
        case: Some(&dup.case),
        version: Some(dup.case.version),
        item: None,
        restricted: false,
    };
    changes::insert(cw.w.tx.conn(), row, now).await?;
    let dup_detail = format!(
        "closed as a duplicate of {reference}; reason: {}",
        req.reason
    );
    cw.w.audit(Action::CaseDuplicate, Some(&req.duplicate), &dup_detail)
        .await?;
    // The record: a note naming the duplicate.
    let note = format!("{} closed as a duplicate of this case", req.duplicate);
    let mut event = TimelineEvent {
        id: 0,
        kind: EventKind::Note,
        occurred_at: now,
        recorded_at: now,
        recorded_by: who.username.clone(),
        note,
        corrects: None,
    };
    event.id = records::insert_event(cw.w.tx.conn(), cw.b.id, &event).await?;
    cw.b.events.push(event);
    cw.save(true).await?;
    let change = Change {
        kind: ChangeKind::TimelineAdded,
        version: cw.b.case.version,
        item: None,
        restricted: false,
    };
    let detail = format!("record of the same death as {}", req.duplicate);
    let reply = Reply::json(
        StatusCode::OK,
        &super::cases::detail_for(&ctx, who, &cw.b, now),
    )?
    .etag(cw.b.case.version);
    cw.commit(Some(change), (Action::CaseDuplicate, &detail), reply)
        .await
}

#[utoipa::path(get, path = "/api/v1/covers", tag = "people",
    responses((status = 200, body = [Cover], description = "key-worker cover periods in force or to come"),
        (status = 403, description = "only a manager sets and lists cover")))]
pub async fn list_covers(
    State(ctx): State<Arc<ApiContext>>,
    user: AuthUser,
) -> Result<axum::Json<Vec<Cover>>> {
    require_manager(&user)?;
    let mut conn = ctx.store.read().await?;
    Ok(axum::Json(people::covers(&mut conn, ctx.now()).await?))
}

fn require_manager(user: &AuthUser) -> Result<()> {
    require(&user.principal, (Permission::ListCases, "list cases"))?;
    if permissions::manager_only(user.principal.role) {
        Ok(())
    } else {
        Err(Error::Forbidden(format!(
            "a {} cannot set key-worker cover; a manager does",
            user.principal.role.label()
        )))
    }
}

#[utoipa::path(post, path = "/api/v1/covers", tag = "people", request_body = Cover,
    params(super::openapi::params::IdempotencyKey),
    responses((status = 201, body = Cover, description = "the cover period: between `from` and `to` the cover sees the covered key worker's cases"),
        (status = 400, description = "no `Idempotency-Key`, or one that is malformed; or malformed JSON"),
        (status = 403, description = "only a manager sets key-worker cover"),
        (status = 422, description = "both must be enabled key workers sharing an area of yours; `to` after `from`")))]
pub async fn set_cover(
    State(ctx): State<Arc<ApiContext>>,
    user: AuthUser,
    key: IdemKey,
    body: RawBody,
) -> Result<Reply> {
    require_manager(&user)?;
    let need = (Permission::ListCases, "list cases");
    let mut w = match Write::begin(
        &ctx,
        &user,
        need,
        Idem::Required(key),
        &body,
        "POST /covers",
    )
    .await?
    {
        Begun::Replay(r, _) => return Ok(r),
        Begun::Fresh(w) => w,
    };
    let cover: Cover = w.body(&body)?;
    let mut shared = false;
    for area in &user.principal.areas {
        let kws = people::people_in_area(w.tx.conn(), area, Role::KeyWorker).await?;
        shared |= kws.contains(&cover.cover) && kws.contains(&cover.covered);
    }
    if !shared {
        return Err(Error::Unprocessable(
            "both must be enabled key workers in one of your areas".into(),
        ));
    }
    let id = people::insert_cover(w.tx.conn(), &cover, &user.principal.username, w.now).await?;
    let detail = format!(
        "cover={} covered={} from={} to={} id={id}",
        cover.cover,
        cover.covered,
        cover.from.to_rfc3339(),
        cover.to.to_rfc3339()
    );
    w.audit(Action::CoverSet, None, &detail).await?;
    let reply = Reply::json(StatusCode::CREATED, &cover)?;
    w.commit(reply).await
}

#[utoipa::path(post, path = "/api/v1/covers/end", tag = "people", request_body = EndCover,
    params(super::openapi::params::IdempotencyKey),
    responses((status = 204, description = "every cover period of `cover` for `covered` not yet ended is ended now (one still to come never starts)"),
        (status = 400, description = "no `Idempotency-Key`, or one that is malformed; or malformed JSON"),
        (status = 403, description = "only a manager ends key-worker cover"),
        (status = 404, description = "no cover period of these two key workers in one of your areas is in force or to come")))]
pub async fn end_cover(
    State(ctx): State<Arc<ApiContext>>,
    user: AuthUser,
    key: IdemKey,
    body: RawBody,
) -> Result<Reply> {
    require_manager(&user)?;
    let need = (Permission::ListCases, "list cases");
    let mut w = match Write::begin(
        &ctx,
        &user,
        need,
        Idem::Required(key),
        &body,
        "POST /covers/end",
    )
    .await?
    {
        Begun::Replay(r, _) => return Ok(r),
        Begun::Fresh(w) => w,
    };
    let end: EndCover = w.body(&body)?;
    // The same rule as setting it: both key workers of one of the manager's areas.
    let mut shared = false;
    for area in &user.principal.areas {
        let kws = people::people_in_area(w.tx.conn(), area, Role::KeyWorker).await?;
        shared |= kws.contains(&end.cover) && kws.contains(&end.covered);
    }
    let ended = if shared {
        people::end_cover(w.tx.conn(), &end.covered, &end.cover, w.now).await?
    } else {
        0
    };
    if ended == 0 {
        return Err(Error::NotFound(
            "no cover period of these two key workers in your areas is in force or to come".into(),
        ));
    }
    let detail = format!(
        "cover={} covered={} ended={ended} at={}",
        end.cover,
        end.covered,
        w.now.to_rfc3339()
    );
    w.audit(Action::CoverEnd, None, &detail).await?;
    w.commit(Reply::no_content()).await
}
