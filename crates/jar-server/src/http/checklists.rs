//! `/cases/{ref}/checklists`: instances of the checklist templates and their items.

use super::ApiContext;
use super::error::{Error, Result};
use super::extract::Path;
use super::extract::{AuthUser, IdemKey, IfMatch, RawBody};
use super::guard::{find_in_scope, require, require_item};
use super::reply::Reply;
use super::write::{Begun, CaseWrite, Change, Idem};
use crate::audit::Action;
use crate::projection::Bundle;
use crate::store::{cases, records};
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, put};
use jar_core::checklist::{self, ItemState, Template};
use jar_core::permissions::{self, Permission, Principal};
use jar_core::wire::{
    ChangeKind, ChecklistItemView, ChecklistList, ChecklistView, ItemUpdate, StartChecklist,
};
use std::sync::Arc;

pub fn router() -> Router<Arc<ApiContext>> {
    Router::new()
        .route(
            "/cases/{reference}/checklists",
            get(list_checklists).post(start_checklist),
        )
        .route(
            "/cases/{reference}/checklists/{template}/items/{item}",
            put(update_item),
        )
}

fn state_of(b: &Bundle, template: &str, item_id: &str) -> ItemState {
    b.items
        .iter()
        .find(|(t, s)| t == template && s.item_id == item_id)
        .map(|(_, s)| s.clone())
        .unwrap_or_else(|| ItemState::new_open(item_id))
}

fn view(who: &Principal, b: &Bundle, t: &Template) -> ChecklistView {
    let states: Vec<ItemState> = t.items.iter().map(|i| state_of(b, &t.id, &i.id)).collect();
    let progress = checklist::progress(t, &states);
    let items = t
        .items
        .iter()
        .zip(states)
        .map(|(item, state)| ChecklistItemView {
            item: item.clone(),
            state: permissions::redact_item(who.role, item, state),
        })
        .collect();
    // `t` is the template at the version the case started with (`checklist::started`).
    ChecklistView {
        template: t.id.clone(),
        version: t.version,
        title: t.title.clone(),
        items,
        progress,
    }
}

#[utoipa::path(get, path = "/api/v1/cases/{reference}/checklists", tag = "checklists",
    params(super::openapi::params::CasePath),
    responses((status = 200, body = ChecklistList, description = "the checklists started on the case, with every item's state"),
        (status = 403, description = "your role may not read checklists")))]
pub async fn list_checklists(
    State(ctx): State<Arc<ApiContext>>,
    user: AuthUser,
    Path(reference): Path<String>,
) -> Result<axum::Json<ChecklistList>> {
    let who = &user.principal;
    let mut conn = ctx.store.read().await?;
    let (id, case) = find_in_scope(&mut conn, who, &reference, ctx.now()).await?;
    require(who, (Permission::ReadChecklistStatus, "read checklists"))?;
    let b = cases::bundle(&mut conn, id, case).await?;
    let checklists = checklist::started(&b.checklists)
        .map(|t| view(who, &b, t))
        .collect();
    Ok(axum::Json(ChecklistList { checklists }))
}

#[utoipa::path(post, path = "/api/v1/cases/{reference}/checklists", tag = "checklists",
    request_body = StartChecklist,
    params(super::openapi::params::CasePath, super::openapi::params::IdempotencyKey),
    responses((status = 201, body = ChecklistView, description = "the checklist, started"),
        (status = 400, description = "no `Idempotency-Key`, or one that is malformed; or malformed JSON"),
        (status = 403, description = "your role may not start a checklist"),
        (status = 409, description = "that checklist is already started on this case")))]
pub async fn start_checklist(
    State(ctx): State<Arc<ApiContext>>,
    user: AuthUser,
    Path(reference): Path<String>,
    key: IdemKey,
    body: RawBody,
) -> Result<Reply> {
    let need = (Permission::StartChecklist, "start a checklist");
    let scope = format!("checklists {reference}");
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
    let req: StartChecklist = cw.body(&body)?;
    let t = checklist::template(&req.template).ok_or_else(|| {
        Error::Unprocessable(
            "there is no checklist template with that id; GET /templates lists them".into(),
        )
    })?;
    if cw.b.checklists.iter().any(|(tid, _)| tid == &t.id) {
        return Err(Error::Conflict(format!(
            "the {} checklist is already started on this case",
            t.title
        )));
    }
    records::insert_checklist(cw.w.tx.conn(), cw.b.id, &t.id, t.version, cw.w.now).await?;
    cw.b.checklists.push((t.id.clone(), t.version));
    cw.save(false).await?;
    let change = Change {
        kind: ChangeKind::ChecklistStarted,
        version: cw.read_version,
        item: Some(t.id.clone()),
        restricted: false,
    };
    let detail = format!("template={} version={}", t.id, t.version);
    let reply = Reply::json(StatusCode::CREATED, &view(&user.principal, &cw.b, t))?;
    cw.commit(Some(change), (Action::ChecklistStart, &detail), reply)
        .await
}

#[utoipa::path(put, path = "/api/v1/cases/{reference}/checklists/{template}/items/{item}", tag = "checklists",
    request_body = ItemUpdate,
    params(super::openapi::params::ItemPath, super::openapi::params::IfMatch),
    responses((status = 200, body = ChecklistItemView, description = "the item after the change; `ETag` is the item's version"),
        (status = 403, description = "the item is owned by another agency: you can see its status but not change it"),
        (status = 404, description = "no such case that you can see, or no such item in a checklist started on it"),
        (status = 409, description = "another server changed this case at the same moment; try again"),
        (status = 412, description = "`If-Match` names another item version; `current` holds the item as it is now"),
        (status = 422, description = "the body breaks a rule: `unable` or `deferred_to_post_mortem` without a note; `taken_at` in the future, or before the child was last seen or found"),
        (status = 428, description = "this write needs `If-Match` with the item's `ETag`")))]
pub async fn update_item(
    State(ctx): State<Arc<ApiContext>>,
    user: AuthUser,
    Path((reference, template, item_id)): Path<(String, String, String)>,
    if_match: IfMatch,
    body: RawBody,
) -> Result<Reply> {
    let who = &user.principal;
    // The permission depends on the item (its owning agencies), so it is checked below.
    let mut cw =
        match CaseWrite::begin(&ctx, &user, &reference, None, Idem::None, &body, "").await? {
            Begun::Replay(r, _) => return Ok(r),
            Begun::Fresh(w) => w,
        };
    let not_found = || Error::NotFound("there is no such checklist item on this case".into());
    // The item as the case's own version of the template has it, never the newest version's.
    let version =
        cw.b.checklists
            .iter()
            .find(|(t, _)| t == &template)
            .map(|(_, v)| *v)
            .ok_or_else(not_found)?;
    let t = checklist::template_version(&template, version).ok_or_else(not_found)?;
    let item = t.item(&item_id).ok_or_else(not_found)?;
    require_item(who, item)?;
    let expected = if_match.required()?;
    let current = state_of(&cw.b, &template, &item_id);
    if expected != Some(current.version) {
        let shown = permissions::redact_item(who.role, item, current);
        return Err(Error::Stale(
            serde_json::to_value(shown).map_err(anyhow::Error::from)?,
        ));
    }
    let update: ItemUpdate = cw.body(&body)?;
    if let Some(t) = update.taken_at {
        sample_time_plausible(&cw.b.case, t, cw.w.now)?;
    }
    // The sample's time is part of the change: the same time again is no change.
    let same_time = update.taken_at == current.taken_at || update.taken_at.is_none();
    if !permissions::item_update_changes(&current, update.status, &update.note) && same_time {
        let view = ChecklistItemView {
            item: item.clone(),
            state: permissions::redact_item(who.role, item, current.clone()),
        };
        return Reply::json(StatusCode::OK, &view).map(|r| r.etag(current.version));
    }
    let reopened = current.status.is_closed() && !update.status.is_closed();
    let state = ItemState {
        item_id: item_id.clone(),
        status: update.status,
        note: Some(update.note),
        updated_by: Some(who.username.clone()),
        updated_at: Some(cw.w.now),
        version: current.version + 1,
        // A sample keeps its time only while it is done.
        taken_at: update
            .taken_at
            .or(current.taken_at)
            .filter(|_| update.status == jar_core::checklist::ItemStatus::Done),
    };
    records::put_item(cw.w.tx.conn(), cw.b.id, &template, &state).await?;
    cw.b.items
        .retain(|(tid, s)| !(tid == &template && s.item_id == item_id));
    cw.b.items.push((template.clone(), state.clone()));
    cw.save(false).await?;
    let change = Change {
        kind: ChangeKind::ChecklistItemUpdated,
        version: state.version,
        item: Some(format!("{template}/{item_id}")),
        restricted: false,
    };
    let taken = state
        .taken_at
        .map(|t| format!(" taken_at={}", t.to_rfc3339()))
        .unwrap_or_default();
    let detail = format!(
        "item={template}/{item_id} status={:?} version={}{taken}",
        state.status, state.version
    );
    let action = if reopened {
        Action::ChecklistReopen
    } else {
        Action::ChecklistItem
    };
    let view = ChecklistItemView {
        item: item.clone(),
        state: permissions::redact_item(who.role, item, state.clone()),
    };
    let reply = Reply::json(StatusCode::OK, &view)?.etag(state.version);
    cw.commit(Some(change), (action, &detail), reply).await
}

/// A timeline event that stands for checklist steps closes them too (issue 14 §2): "Samples
/// taken" marks the items that name it (`closed_by`) done if still open (or unable), with the
/// event's time as the time taken. Each item gets its own new version, change event and audit row inside the
/// event's write; the closed items are returned as `template/item` for the event's audit row.
pub async fn close_by_event(
    cw: &mut CaseWrite<'_>,
    event: &jar_core::timeline::TimelineEvent,
) -> Result<Vec<String>> {
    use jar_core::checklist::ItemStatus;
    let targets: Vec<(String, String)> = checklist::started(&cw.b.checklists)
        .flat_map(|t| {
            t.items
                .iter()
                .filter(|i| i.closed_by == Some(event.kind))
                .map(|i| (t.id.clone(), i.id.clone()))
                .collect::<Vec<_>>()
        })
        .filter(|(t, i)| {
            matches!(
                state_of(&cw.b, t, i).status,
                ItemStatus::Open | ItemStatus::Unable
            )
        })
        .collect();
    let mut closed = Vec::new();
    for (template, item_id) in targets {
        let current = state_of(&cw.b, &template, &item_id);
        let state = ItemState {
            item_id: item_id.clone(),
            status: ItemStatus::Done,
            note: Some(format!(
                "Closed by the timeline event \"{}\" (#{}).",
                event.kind.label(),
                event.id
            )),
            updated_by: Some(event.recorded_by.clone()),
            updated_at: Some(event.recorded_at),
            version: current.version + 1,
            taken_at: Some(event.occurred_at),
        };
        records::put_item(cw.w.tx.conn(), cw.b.id, &template, &state).await?;
        cw.b.items
            .retain(|(tid, s)| !(tid == &template && s.item_id == item_id));
        cw.b.items.push((template.clone(), state.clone()));
        let addr = format!("{template}/{item_id}");
        let row = crate::store::changes::NewChange {
            kind: ChangeKind::ChecklistItemUpdated,
            case: Some(&cw.b.case),
            version: Some(state.version),
            item: Some(addr.clone()),
            restricted: false,
        };
        crate::store::changes::insert(cw.w.tx.conn(), row, cw.w.now).await?;
        let detail = format!(
            "item={addr} status=Done version={} taken_at={} by_event={}",
            state.version,
            event.occurred_at.to_rfc3339(),
            event.id
        );
        let reference = cw.reference.clone();
        cw.w.audit(Action::ChecklistItem, Some(&reference), &detail)
            .await?;
        closed.push(addr);
    }
    Ok(closed)
}

/// A sample was taken after death and not in the future (issue 14 §1 plausibility, with its
/// clock skew): not before the child was last seen alive, or found when that is not known.
fn sample_time_plausible(
    case: &jar_core::Case,
    t: chrono::DateTime<chrono::Utc>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<()> {
    if let Some(p) = jar_core::plausibility::happened("taken_at", t, now) {
        return Err(Error::Unprocessable(format!("{}: {}", p.field, p.message)));
    }
    let earliest = case.times.last_seen_at.or(case.times.found_at);
    if earliest.is_some_and(|e| t < e) {
        return Err(Error::Unprocessable(
            "taken_at: is before the child was last seen or found".into(),
        ));
    }
    Ok(())
}
