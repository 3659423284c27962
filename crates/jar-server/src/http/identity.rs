//! `POST /cases/{ref}/identity/reveal`: the child's identity, only with a reason, always audited.

use super::ApiContext;
use super::cases::{find_in_scope, require};
use super::error::{Error, Result};
use super::extract::Path;
use super::extract::{AuthUser, IdemKey, RawBody};
use super::reply::{self, Reply};
use crate::store::audit::AuditRecord;
use crate::store::{audit, records};
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use chrono::Utc;
use jar_core::case::Identity;
use jar_core::permissions::Permission;
use jar_core::wire::RevealRequest;
use std::sync::Arc;

pub fn router() -> Router<Arc<ApiContext>> {
    Router::new().route("/cases/{reference}/identity/reveal", post(reveal))
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
    let who = &user.principal;
    let mut tx = ctx.store.begin().await?;
    let (id, _) = find_in_scope(tx.conn(), who, &reference).await?;
    require(who, Permission::RevealIdentity, "reveal identity")?;
    let hash = body.hash(&format!("reveal {reference}"));
    if let Some(k) = &key.0
        && let Some(r) = reply::replay(&mut tx, &who.username, k, &hash).await?
    {
        // A retried reveal still shows the identity again, so it is audited again.
        audit::record(
            tx.conn(),
            AuditRecord {
                who,
                action: "identity.reveal",
                case_ref: Some(&reference),
                detail: "replayed",
                remote: &user.remote,
            },
            Utc::now(),
        )
        .await?;
        ctx.store.commit(tx).await?;
        return Ok(r);
    }
    let req: RevealRequest = body.json()?;
    req.validate()?;
    let identity = records::identity(tx.conn(), id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("no identity has been recorded for {reference}")))?;
    let detail = format!("reason: {}", req.reason);
    audit::record(
        tx.conn(),
        AuditRecord {
            who,
            action: "identity.reveal",
            case_ref: Some(&reference),
            detail: &detail,
            remote: &user.remote,
        },
        Utc::now(),
    )
    .await?;
    let reply = Reply::json(StatusCode::OK, &identity)?;
    if let Some(k) = &key.0 {
        reply::remember(&mut tx, &who.username, k, &hash, &reply).await?;
    }
    ctx.store.commit(tx).await?;
    Ok(reply)
}
