//! `POST /cases/{ref}/identity/reveal`: the child's identity, only with a reason, always audited.
//! `PUT /cases/{ref}/identity`: add or correct it (issue 15 §1), audited by field names only.
//! `GET /cases/{ref}/family-contacts`: the key worker's view of the family's contact details.

use super::ApiContext;
use super::error::{Error, Result};
use super::extract::Path;
use super::extract::{AuthUser, IdemKey, IfMatch, RawBody};
use super::reply::Reply;
use super::write::{Begun, CaseWrite, Idem};
use crate::audit::Action;
use crate::store::records;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use jar_core::case::Identity;
use jar_core::identity::FamilyContacts;
use jar_core::permissions::Permission;
use jar_core::timeline::EventKind;
use jar_core::wire::{CaseDetail, RevealRequest};
use std::sync::Arc;

pub fn router() -> Router<Arc<ApiContext>> {
    Router::new()
        .route("/cases/{reference}/identity/reveal", post(reveal))
        .route("/cases/{reference}/identity", put(put_identity))
        .route("/cases/{reference}/family-contacts", get(family_contacts))
}

#[utoipa::path(put, path = "/api/v1/cases/{reference}/identity", tag = "identity",
    request_body = Identity,
    params(super::openapi::params::CasePath, super::openapi::params::IfMatch),
    responses((status = 200, body = CaseDetail, description = "the case after the identity was added or corrected (the identity itself is not sent back); audited by the names of the changed fields, and on the timeline as \"Identity corrected\" without values"),
        (status = 403, description = "your role may not change a case"),
        (status = 404, description = "no such case that you can see"),
        (status = 409, description = "another server changed this case at the same moment; try again"),
        (status = 412, description = "`If-Match` names another version; `current` holds the case as it is now"),
        (status = 422, description = "a field breaks a rule (an NHS number failing its check digit, an NHS number with an absent reason)"),
        (status = 428, description = "this write needs `If-Match` with the case's `ETag`")))]
pub async fn put_identity(
    State(ctx): State<Arc<ApiContext>>,
    user: AuthUser,
    Path(reference): Path<String>,
    if_match: IfMatch,
    body: RawBody,
) -> Result<Reply> {
    let who = &user.principal;
    let need = (Permission::UpdateCase, "add or correct an identity");
    let mut cw =
        match CaseWrite::begin(&ctx, &user, &reference, Some(need), Idem::None, &body, "").await? {
            Begun::Replay(r, _) => return Ok(r),
            Begun::Fresh(w) => w,
        };
    let now = cw.w.now;
    if if_match.required()? != Some(cw.read_version) {
        let current = serde_json::to_value(super::cases::detail_for(&ctx, who, &cw.b, now))
            .map_err(anyhow::Error::from)?;
        return Err(Error::Stale(current));
    }
    let new: Identity = cw.body(&body)?;
    if !jar_core::identity::dob_before(new.date_of_birth, cw.b.case.times.death_anchor()) {
        return Err(Error::Unprocessable(
            "date_of_birth is after the death; check the year".into(),
        ));
    }
    let before = records::identity(cw.w.tx.conn(), cw.b.id).await?;
    let fields = jar_core::identity::changed_fields(before.as_ref(), &new);
    if fields.is_empty() {
        let detail = super::cases::detail_for(&ctx, who, &cw.b, now);
        return Ok(Reply::json(StatusCode::OK, &detail)?.etag(cw.read_version));
    }
    crate::store::people::put_identity(cw.w.tx.conn(), cw.b.id, &new).await?;
    let note = format!("fields: {}", fields.join(", "));
    let change = super::people::system_event(&mut cw, EventKind::IdentityCorrected, note).await?;
    let detail = format!("fields={}", fields.join(","));
    let reply = Reply::json(
        StatusCode::OK,
        &super::cases::detail_for(&ctx, who, &cw.b, now),
    )?
    .etag(cw.b.case.version);
    cw.commit(Some(change), (Action::IdentityCorrect, &detail), reply)
        .await
}

#[utoipa::path(get, path = "/api/v1/cases/{reference}/family-contacts", tag = "identity",
    params(super::openapi::params::CasePath),
    responses((status = 200, body = FamilyContacts, description = "the family's names, phone numbers and language, for the key worker of the case (or of a case they cover); each read is audited"),
        (status = 403, description = "only the case's key worker reads these without a reveal; everyone else uses the identity reveal"),
        (status = 404, description = "no such case that you can see")))]
pub async fn family_contacts(
    State(ctx): State<Arc<ApiContext>>,
    user: AuthUser,
    Path(reference): Path<String>,
) -> Result<axum::Json<FamilyContacts>> {
    let who = &user.principal;
    let mut tx = ctx.store.begin().await?;
    let (id, _) = super::guard::find_in_scope(tx.conn(), who, &reference, ctx.now()).await?;
    if !jar_core::permissions::reads_family_contacts(who.role) {
        return Err(Error::Forbidden(format!(
            "a {} reads the family's details through the identity reveal, with a reason",
            who.role.label()
        )));
    }
    let contacts = FamilyContacts::of(records::identity(tx.conn(), id).await?.as_ref());
    let detail = format!("members={}", contacts.family.len());
    let record = crate::store::audit::AuditRecord::by(
        who,
        Action::FamilyContactsRead,
        Some(&reference),
        &detail,
        &user.remote,
    );
    crate::store::audit::record(tx.conn(), record, ctx.now()).await?;
    ctx.store.commit(tx).await?;
    Ok(axum::Json(contacts))
}

#[utoipa::path(post, path = "/api/v1/cases/{reference}/identity/reveal", tag = "identity",
    request_body = RevealRequest,
    params(super::openapi::params::CasePath, super::openapi::params::OptionalIdempotencyKey),
    responses((status = 200, body = Identity, description = "the child's identity; the reveal and its reason are audited"),
        (status = 403, description = "your role may not reveal an identity"),
        (status = 404, description = "no such case that you can see, or no identity recorded for it")))]
pub async fn reveal(
    State(ctx): State<Arc<ApiContext>>,
    user: AuthUser,
    Path(reference): Path<String>,
    key: IdemKey,
    body: RawBody,
) -> Result<Reply> {
    let need = (Permission::RevealIdentity, "reveal identity");
    let scope = format!("reveal {reference}");
    let mut cw = match CaseWrite::begin(
        &ctx,
        &user,
        &reference,
        Some(need),
        Idem::Optional(key),
        &body,
        &scope,
    )
    .await?
    {
        Begun::Replay(r, mut cw) => {
            // A retried reveal still shows the identity again, so it is audited again.
            cw.w.audit(Action::IdentityReveal, Some(&reference), "replayed")
                .await?;
            return cw.w.commit_replay(r).await;
        }
        Begun::Fresh(w) => w,
    };
    let req: RevealRequest = cw.body(&body)?;
    let identity = records::identity(cw.w.tx.conn(), cw.b.id)
        .await?
        .ok_or_else(|| Error::NotFound("no identity has been recorded for this case".into()))?;
    let detail = format!("reason: {}", req.reason);
    let reply = Reply::json(StatusCode::OK, &identity)?;
    // Reading is not a change: an audit row, no change row, the case untouched.
    cw.commit(None, (Action::IdentityReveal, &detail), reply)
        .await
}
