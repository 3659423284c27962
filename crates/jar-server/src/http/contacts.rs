//! `/cases/{ref}/contacts`: the key worker's contact log. Append-only; amendments keep history.
//! Every read of contact text is audited.

use super::ApiContext;
use super::error::{Error, Result};
use super::extract::Path;
use super::extract::{AuthUser, IdemKey, RawBody};
use super::guard::{find_in_scope, require};
use super::reply::Reply;
use super::write::{Begun, CaseWrite, Change, Idem};
use crate::audit::Action;
use crate::store::audit::AuditRecord;
use crate::store::{audit, records};
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use jar_core::contact::{Amendment, Contact, NewAmendment, NewContact, SupportGiven};
use jar_core::deadline::FamilyContactFact;
use jar_core::permissions::Permission;
use jar_core::support::Catalogue;
use jar_core::text::TextError;
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
    let (id, case) = find_in_scope(tx.conn(), who, &reference, ctx.now()).await?;
    require(who, (Permission::ReadContacts, "read the contact log"))?;
    let catalogue = ctx.support.for_area(&case.area).for_category(case.category);
    let items = records::contacts(tx.conn(), id).await?;
    let detail = format!("contacts={}", items.len());
    let record = AuditRecord::by(
        who,
        Action::ContactsRead,
        Some(&reference),
        &detail,
        &user.remote,
    );
    audit::record(tx.conn(), record, ctx.now()).await?;
    ctx.store.commit(tx).await?;
    Ok(axum::Json(ContactList { items, catalogue }))
}

/// Every service must be in the case area's catalogue; its name is filled in from it, so
/// the record stays readable if the catalogue changes later.
fn resolve_support(catalogue: &Catalogue, support: &mut [SupportGiven]) -> Result<()> {
    for s in support {
        let known = catalogue.service(&s.service).ok_or(TextError::Invalid {
            field: "support",
            why: "names a service that is not in this area's catalogue (GET the contact log for the list)",
        })?;
        s.name = known.name.clone();
    }
    Ok(())
}

#[utoipa::path(post, path = "/api/v1/cases/{reference}/contacts", tag = "contacts", request_body = NewContact,
    params(super::openapi::params::CasePath, super::openapi::params::IdempotencyKey),
    responses((status = 201, body = Contact, description = "the contact, recorded"),
        (status = 400, description = "no `Idempotency-Key`, or one that is malformed; or malformed JSON"),
        (status = 403, description = "your role may not write to the contact log"),
        (status = 409, description = "another server changed this case at the same moment; try again"),
        (status = 422, description = "the body breaks a rule (the `detail` names the field): `occurred_at` in the future or before the child was born, `next_contact_due` not in the future")))]
pub async fn add_contact(
    State(ctx): State<Arc<ApiContext>>,
    user: AuthUser,
    Path(reference): Path<String>,
    key: IdemKey,
    body: RawBody,
) -> Result<Reply> {
    let need = (Permission::WriteContacts, "write to the contact log");
    let scope = format!("contacts {reference}");
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
    let mut entry: NewContact = cw.body(&body)?;
    let catalogue = ctx.support.for_area(&cw.b.case.area);
    resolve_support(&catalogue, &mut entry.support)?;
    let now = cw.w.now;
    let born = jar_core::plausibility::earliest_birth(
        cw.b.case.age_months,
        cw.b.case.times.death_anchor(),
    );
    let implausible =
        jar_core::plausibility::event_time("occurred_at", entry.occurred_at, born, now)
            .into_iter()
            .chain(
                entry
                    .next_contact_due
                    .and_then(|due| jar_core::plausibility::due("next_contact_due", due, now)),
            )
            .collect();
    super::error::refuse_implausible(implausible)?;
    let mut contact = Contact {
        id: 0,
        recorded_at: cw.w.now,
        author: user.principal.username.clone(),
        entry,
        amendments: Vec::new(),
    };
    contact.id = records::insert_contact(cw.w.tx.conn(), cw.b.id, &contact).await?;
    // The contact may meet the key worker's first-contact clock or set the next planned
    // contact: the board's summary follows.
    cw.b.contacts.push(FamilyContactFact::of(&contact));
    cw.save(false).await?;
    let change = Change {
        kind: ChangeKind::ContactAdded,
        version: cw.read_version,
        item: Some(contact.id.to_string()),
        restricted: false,
    };
    let detail = format!("contact={}", contact.id);
    let reply = Reply::json(StatusCode::CREATED, &contact)?;
    cw.commit(Some(change), (Action::ContactsAdd, &detail), reply)
        .await
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
    let need = (Permission::WriteContacts, "amend the contact log");
    let scope = format!("amend {reference} {contact_id}");
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
    let not_found = || Error::NotFound("there is no such contact on this case".into());
    let contact_id: i64 = contact_id.parse().map_err(|_| not_found())?;
    let mut contact = records::contacts(cw.w.tx.conn(), cw.b.id)
        .await?
        .into_iter()
        .find(|c| c.id == contact_id)
        .ok_or_else(not_found)?;
    let mut new: NewAmendment = cw.body(&body)?;
    let correct = new.correct.take().filter(|c| !c.is_empty());
    let mut correct = correct;
    if let Some(support) = correct.as_mut().and_then(|c| c.support.as_mut()) {
        let catalogue = ctx.support.for_area(&cw.b.case.area);
        resolve_support(&catalogue, support)?;
    }
    let corrects_fields = correct.is_some();
    let amendment_id = contact.amendments.iter().map(|a| a.id).max().unwrap_or(0) + 1;
    contact.amendments.push(Amendment {
        id: amendment_id,
        at: cw.w.now,
        by: user.principal.username.clone(),
        reason: new.reason,
        text: new.text,
        correct,
    });
    records::update_contact(cw.w.tx.conn(), &contact).await?;
    if corrects_fields {
        // A corrected time, outcome or plan moves the case's deadlines: save its summary.
        let fact = FamilyContactFact::of(&contact);
        if let Some(f) = cw.b.contacts.iter_mut().find(|f| f.id == contact.id) {
            *f = fact;
        }
        cw.save(false).await?;
    }
    let change = Change {
        kind: ChangeKind::ContactAmended,
        version: cw.read_version,
        item: Some(contact.id.to_string()),
        restricted: false,
    };
    let fields = contact
        .amendments
        .last()
        .and_then(|a| a.correct.as_ref())
        .map(|c| c.fields().join(","))
        .unwrap_or_default();
    // Field names only, never values (audit.rs: no contact text in the audit).
    let detail = if fields.is_empty() {
        format!("contact={} amendment={amendment_id}", contact.id)
    } else {
        format!(
            "contact={} amendment={amendment_id} corrects={fields}",
            contact.id
        )
    };
    let reply = Reply::json(StatusCode::CREATED, &contact)?;
    cw.commit(Some(change), (Action::ContactsAmend, &detail), reply)
        .await
}
