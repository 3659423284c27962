//! `POST /cases/{ref}/identity/reveal`: the child's identity, only with a reason, always audited.

use super::ApiContext;
use super::error::{Error, Result};
use super::extract::Path;
use super::extract::{AuthUser, IdemKey, RawBody};
use super::reply::Reply;
use super::write::{Begun, CaseWrite, Idem};
use crate::audit::Action;
use crate::store::records;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
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
