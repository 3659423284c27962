//! `/session` (sign in, sign out) and `/me`.

use super::ApiContext;
use super::error::{Error, Result};
use super::extract::{AuthUser, RawBody, Remote};
use super::reply::Reply;
use crate::audit::Action;
use crate::store::audit::AuditRecord;
use crate::store::{audit, users};
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use jar_core::permissions::Principal;
use jar_core::wire::{LoginRequest, LoginResponse};
use std::sync::Arc;

pub fn router() -> Router<Arc<ApiContext>> {
    Router::new()
        .route("/session", post(login).delete(logout))
        .route("/me", get(me))
}

#[utoipa::path(post, path = "/api/v1/session", tag = "session", request_body = LoginRequest,
    responses((status = 201, body = LoginResponse), (status = 401, body = jar_core::wire::Problem),
        (status = 429, body = jar_core::wire::Problem)))]
pub async fn login(
    State(ctx): State<Arc<ApiContext>>,
    Remote(remote): Remote,
    body: RawBody,
) -> Result<Reply> {
    let req: LoginRequest = body.json()?;
    // The address alone, not the port: one client opens many connections.
    let ip = remote
        .rsplit_once(':')
        .map_or(remote.as_str(), |(ip, _)| ip)
        .to_string();
    let keys = [
        format!("user:{}", req.username.to_lowercase()),
        format!("addr:{ip}"),
    ];
    if let Some(wait) = ctx.limiter.check(&keys, ctx.now()) {
        return Err(Error::RateLimited(wait));
    }
    // A username with a control character (a NUL breaks PostgreSQL) is refused before the
    // database, and counts as a failed sign-in from this address.
    if let Err(e) = req.validate() {
        ctx.limiter.fail(&keys[1..], ctx.now());
        return Err(e.into());
    }
    let record = users::find(&mut *ctx.store.read().await?, &req.username).await?;
    let phc = record.as_ref().map(|r| r.password_hash.clone());
    let ok = crate::auth::verify_password(req.password, phc).await?;
    let user = match record {
        Some(r) if ok && !r.summary.disabled => r.summary,
        _ => {
            ctx.limiter.fail(&keys, ctx.now());
            return Err(Error::BadCredentials);
        }
    };
    ctx.limiter.succeed(&keys[0]);
    let (token, hash) = crate::auth::new_token();
    let now = ctx.now();
    let expires_at = now + ctx.token_ttl;
    let principal = Principal {
        username: user.username,
        role: user.role,
        areas: user.areas,
    };
    let mut tx = ctx.store.begin().await?;
    users::insert_token(tx.conn(), &hash, &principal.username, expires_at).await?;
    let record = AuditRecord::by(&principal, Action::SessionCreate, None, "", &remote);
    audit::record(tx.conn(), record, now).await?;
    ctx.store.commit(tx).await?;
    Reply::json(
        StatusCode::CREATED,
        &LoginResponse {
            token,
            expires_at,
            user: principal,
        },
    )
}

#[utoipa::path(delete, path = "/api/v1/session", tag = "session", responses((status = 204)))]
pub async fn logout(State(ctx): State<Arc<ApiContext>>, user: AuthUser) -> Result<Reply> {
    let mut tx = ctx.store.begin().await?;
    users::revoke_token(tx.conn(), &user.token_hash).await?;
    let record = AuditRecord::by(
        &user.principal,
        Action::SessionDelete,
        None,
        "",
        &user.remote,
    );
    audit::record(tx.conn(), record, ctx.now()).await?;
    ctx.store.commit(tx).await?;
    ctx.principals.forget_token(&user.token_hash);
    Ok(Reply::no_content())
}

#[utoipa::path(get, path = "/api/v1/me", tag = "session", responses((status = 200, body = Principal)))]
pub async fn me(user: AuthUser) -> axum::Json<Principal> {
    axum::Json(user.principal)
}
