//! `/cases/{ref}/contacts`: the key worker's contact log. Append-only; amendments keep history.
//! Every read of contact text is audited.

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
use axum::routing::{get, post};
use chrono::Utc;
use jar_core::contact::{Amendment, Contact, NewAmendment, NewContact};
use jar_core::permissions::Permission;
use jar_core::wire::{ChangeKind, ContactList};
use std::sync::Arc;

pub fn router() -> Router<Arc<ApiContext>> {
    Router::new()
        .route(
            "/cases/{reference}/contacts",
            get(list_contacts).post(add_contact),
        )
        .route(
            "/cases/{reference}/contacts/{id}/amendments",
            post(amend_contact),
        )
}

#[utoipa::path(get, path = "/api/v1/cases/{reference}/contacts", tag = "contacts",
    params(super::openapi::params::CasePath),
    responses((status = 200, body = ContactList, description = "the contact log, oldest first; the read is audited"),
        (status = 403, description = "your role may not read the contact log")))]
pub async fn list_contacts(
    State(ctx): State<Arc<ApiContext>>,
    user: AuthUser,
    Path(reference): Path<String>,
) -> Result<axum::Json<ContactList>> {
    let who = &user.principal;
    let mut tx = ctx.store.begin().await?;
    let (id, _) = find_in_scope(tx.conn(), who, &reference).await?;
    require(who, Permission::ReadContacts, "read the contact log")?;
    let items = records::contacts(tx.conn(), id).await?;
    let detail = format!("contacts={}", items.len());
    audit::record(
        tx.conn(),
        AuditRecord {
            who,
            action: "contacts.read",
            case_ref: Some(&reference),
            detail: &detail,
            remote: &user.remote,
        },
        Utc::now(),
    )
    .await?;
    ctx.store.commit(tx).await?;
    Ok(axum::Json(ContactList { items }))
}

#[utoipa::path(post, path = "/api/v1/cases/{reference}/contacts", tag = "contacts", request_body = NewContact,
    params(super::openapi::params::CasePath, super::openapi::params::IdempotencyKey),
    responses((status = 201, body = Contact, description = "the contact, recorded"),
        (status = 400, description = "no `Idempotency-Key`, or one that is malformed; or malformed JSON"),
        (status = 403, description = "your role may not write to the contact log"),
        (status = 409, description = "another server changed this case at the same moment; try again")))]
pub async fn add_contact(
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
        (Permission::WriteContacts, "write to the contact log"),
        key,
        &body,
        &format!("contacts {reference}"),
    )
    .await?
    {
        reply::Begun::Replay(r) => return Ok(r),
        reply::Begun::Fresh(w) => *w,
    };
    let entry: NewContact = body.json()?;
    entry.validate()?;
    let now = Utc::now();
    let mut contact = Contact {
        id: 0,
        recorded_at: now,
        author: who.username.clone(),
        entry,
        amendments: Vec::new(),
    };
    contact.id = records::insert_contact(tx.conn(), id, &contact).await?;
    let mut b = cases::bundle(tx.conn(), id, case).await?;
    let version = b.case.version;
    save_case(&ctx, &mut tx, &mut b, version).await?;
    let change = NewChange {
        kind: ChangeKind::ContactAdded,
        case: Some(&b.case),
        version: Some(version),
        item: Some(contact.id.to_string()),
        restricted: false,
    };
    changes::insert(tx.conn(), change, now).await?;
    let detail = format!("contact={}", contact.id);
    audit::record(
        tx.conn(),
        AuditRecord {
            who,
            action: "contacts.add",
            case_ref: Some(&reference),
            detail: &detail,
            remote: &user.remote,
        },
        now,
    )
    .await?;
    let reply = Reply::json(StatusCode::CREATED, &contact)?;
    reply::remember(&mut tx, &who.username, &key, &hash, &reply).await?;
    ctx.store.commit(tx).await?;
    Ok(reply)
}

#[utoipa::path(post, path = "/api/v1/cases/{reference}/contacts/{id}/amendments", tag = "contacts",
    request_body = NewAmendment,
    params(super::openapi::params::ContactPath, super::openapi::params::IdempotencyKey),
    responses((status = 201, body = Contact, description = "the contact with the amendment added"),
        (status = 400, description = "no `Idempotency-Key`, or one that is malformed; or malformed JSON"),
        (status = 403, description = "your role may not amend the contact log"),
        (status = 404, description = "no such case that you can see, or no such contact on it")))]
pub async fn amend_contact(
    State(ctx): State<Arc<ApiContext>>,
    user: AuthUser,
    Path((reference, contact_id)): Path<(String, String)>,
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
        (Permission::WriteContacts, "amend the contact log"),
        key,
        &body,
        &format!("amend {reference} {contact_id}"),
    )
    .await?
    {
        reply::Begun::Replay(r) => return Ok(r),
        reply::Begun::Fresh(w) => *w,
    };
    let not_found = || Error::NotFound(format!("there is no contact {contact_id} on {reference}"));
    let contact_id: i64 = contact_id.parse().map_err(|_| not_found())?;
    let mut contact = records::contacts(tx.conn(), id)
        .await?
        .into_iter()
        .find(|c| c.id == contact_id)
        .ok_or_else(not_found)?;
    let new: NewAmendment = body.json()?;
    new.validate()?;
    let now = Utc::now();
    let amendment_id = contact.amendments.iter().map(|a| a.id).max().unwrap_or(0) + 1;
    contact.amendments.push(Amendment {
        id: amendment_id,
        at: now,
        by: who.username.clone(),
        reason: new.reason,
        text: new.text,
    });
    records::update_contact(tx.conn(), &contact).await?;
    let change = NewChange {
        kind: ChangeKind::ContactAmended,
        case: Some(&case),
        version: Some(case.version),
        item: Some(contact.id.to_string()),
        restricted: false,
    };
    changes::insert(tx.conn(), change, now).await?;
    let detail = format!("contact={} amendment={amendment_id}", contact.id);
    audit::record(
        tx.conn(),
        AuditRecord {
            who,
            action: "contacts.amend",
            case_ref: Some(&reference),
            detail: &detail,
            remote: &user.remote,
        },
        now,
    )
    .await?;
    let reply = Reply::json(StatusCode::CREATED, &contact)?;
    reply::remember(&mut tx, &who.username, &key, &hash, &reply).await?;
    ctx.store.commit(tx).await?;
    Ok(reply)
}
