//! `/cases/{ref}/checklists`: instances of the checklist templates and their items.

use super::ApiContext;
use super::cases::{find_in_scope, require, save_case};
use super::error::{Error, Result};
use super::extract::Path;
use super::extract::{AuthUser, IdemKey, IfMatch, RawBody};
use super::reply::{self, Reply};
use crate::projection::Bundle;
use crate::store::audit::AuditRecord;
use crate::store::changes::NewChange;
use crate::store::{audit, cases, changes, records};
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, put};
use chrono::Utc;
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
    let version = b
        .checklists
        .iter()
        .find(|(id, _)| id == &t.id)
        .map_or(t.version, |(_, v)| *v);
    ChecklistView {
        template: t.id.clone(),
        version,
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
    let (id, case) = find_in_scope(&mut conn, who, &reference).await?;
    require(who, Permission::ReadChecklistStatus, "read checklists")?;
    let b = cases::bundle(&mut conn, id, case).await?;
    let checklists = b
        .checklists
        .iter()
        .filter_map(|(tid, _)| checklist::template(tid))
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
        (Permission::StartChecklist, "start a checklist"),
        key,
        &body,
        &format!("checklists {reference}"),
    )
    .await?
    {
        reply::Begun::Replay(r) => return Ok(r),
        reply::Begun::Fresh(w) => *w,
    };
    let req: StartChecklist = body.json()?;
    let t = checklist::template(&req.template).ok_or_else(|| {
        Error::Unprocessable(format!("there is no checklist template {:?}", req.template))
    })?;
    let mut b = cases::bundle(tx.conn(), id, case).await?;
    if b.checklists.iter().any(|(tid, _)| tid == &t.id) {
        return Err(Error::Conflict(format!(
            "the {} checklist is already started on this case",
            t.title
        )));
    }
    let now = Utc::now();
    records::insert_checklist(tx.conn(), id, &t.id, t.version, now).await?;
    b.checklists.push((t.id.clone(), t.version));
    let version = b.case.version;
    save_case(&ctx, &mut tx, &mut b, version).await?;
    let change = NewChange {
        kind: ChangeKind::ChecklistStarted,
        case: Some(&b.case),
        version: Some(version),
        item: Some(t.id.clone()),
        restricted: false,
    };
    changes::insert(tx.conn(), change, now).await?;
    let detail = format!("template={} version={}", t.id, t.version);
    audit::record(
        tx.conn(),
        AuditRecord {
            who,
            action: "checklist.start",
            case_ref: Some(&reference),
            detail: &detail,
            remote: &user.remote,
        },
        now,
    )
    .await?;
    let reply = Reply::json(StatusCode::CREATED, &view(who, &b, t))?;
    reply::remember(&mut tx, &who.username, &key, &hash, &reply).await?;
    ctx.store.commit(tx).await?;
    Ok(reply)
}

#[utoipa::path(put, path = "/api/v1/cases/{reference}/checklists/{template}/items/{item}", tag = "checklists",
    request_body = ItemUpdate,
    params(super::openapi::params::ItemPath, super::openapi::params::IfMatch),
    responses((status = 200, body = ChecklistItemView, description = "the item after the change; `ETag` is the item's version"),
        (status = 403, description = "the item is owned by another agency: you can see its status but not change it"),
        (status = 404, description = "no such case that you can see, or no such item in a checklist started on it"),
        (status = 409, description = "another server changed this case at the same moment; try again"),
        (status = 412, description = "`If-Match` names another item version; `current` holds the item as it is now"),
        (status = 428, description = "this write needs `If-Match` with the item's `ETag`")))]
pub async fn update_item(
    State(ctx): State<Arc<ApiContext>>,
    user: AuthUser,
    Path((reference, template, item_id)): Path<(String, String, String)>,
    if_match: IfMatch,
    body: RawBody,
) -> Result<Reply> {
    let who = &user.principal;
    let mut tx = ctx.store.begin().await?;
    let (id, case) = find_in_scope(tx.conn(), who, &reference).await?;
    let mut b = cases::bundle(tx.conn(), id, case).await?;
    let not_found = || {
        Error::NotFound(format!(
            "no item {item_id} in a {template} checklist on {reference}"
        ))
    };
    if !b.checklists.iter().any(|(t, _)| t == &template) {
        return Err(not_found());
    }
    let t = checklist::template(&template).ok_or_else(not_found)?;
    let item = t.item(&item_id).ok_or_else(not_found)?;
    if let Some(reason) = permissions::item_lock_reason(who.role, item) {
        return Err(Error::Forbidden(format!(
            "item {item_id} is {reason}; you can see its status but not change it"
        )));
    }
    let expected = if_match.required()?;
    let current = state_of(&b, &template, &item_id);
    if expected != Some(current.version) {
        let shown = permissions::redact_item(who.role, item, current);
        return Err(Error::Stale(
            serde_json::to_value(shown).map_err(anyhow::Error::from)?,
        ));
    }
    let update: ItemUpdate = body.json()?;
    update.validate()?;
    let same =
        current.status == update.status && current.note.as_deref().unwrap_or("") == update.note;
    if same {
        let view = ChecklistItemView {
            item: item.clone(),
            state: permissions::redact_item(who.role, item, current.clone()),
        };
        return Reply::json(StatusCode::OK, &view).map(|r| r.etag(current.version));
    }
    let now = Utc::now();
    let state = ItemState {
        item_id: item_id.clone(),
        status: update.status,
        note: Some(update.note),
        updated_by: Some(who.username.clone()),
        updated_at: Some(now),
        version: current.version + 1,
    };
    records::put_item(tx.conn(), id, &template, &state).await?;
    b.items
        .retain(|(tid, s)| !(tid == &template && s.item_id == item_id));
    b.items.push((template.clone(), state.clone()));
    let version = b.case.version;
    save_case(&ctx, &mut tx, &mut b, version).await?;
    let change = NewChange {
        kind: ChangeKind::ChecklistItemUpdated,
        case: Some(&b.case),
        version: Some(state.version),
        item: Some(format!("{template}/{item_id}")),
        restricted: false,
    };
    changes::insert(tx.conn(), change, now).await?;
    let detail = format!(
        "item={template}/{item_id} status={:?} version={}",
        state.status, state.version
    );
    audit::record(
        tx.conn(),
        AuditRecord {
            who,
            action: "checklist.item",
            case_ref: Some(&reference),
            detail: &detail,
            remote: &user.remote,
        },
        now,
    )
    .await?;
    let view = ChecklistItemView {
        item: item.clone(),
        state: permissions::redact_item(who.role, item, state.clone()),
    };
    let reply = Reply::json(StatusCode::OK, &view)?.etag(state.version);
    ctx.store.commit(tx).await?;
    Ok(reply)
}
