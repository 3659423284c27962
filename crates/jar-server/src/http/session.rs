//! `/session` (sign in, sign out) and `/me`.

use super::ApiContext;
use super::error::{Error, Result};
use super::extract::{AuthUser, Client, RawBody};
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
    security(()),
    responses((status = 201, body = LoginResponse, description = "signed in: a bearer token"),
        (status = 401, description = "the username or password is not right"),
        (status = 429, description = "too many failed sign-ins; `Retry-After` says how long to wait")))]
pub async fn login(
    State(ctx): State<Arc<ApiContext>>,
    client: Client,
    body: RawBody,
) -> Result<Reply> {
    let req: LoginRequest = body.json()?;
    let now = ctx.now();
    if let Some(wait) = ctx.throttle.check(&req.username, client.ip, now) {
        return Err(Error::RateLimited(wait.seconds()));
    }
    // A username with a control character (a NUL breaks PostgreSQL) is refused before the
    // database, and counts as a failed sign-in from this address.
    if let Err(e) = req.validate() {
        ctx.throttle.fail_address(client.ip, now);
        audit_failure(&ctx, &req.username, None, "invalid username", &client).await?;
        return Err(e.into());
    }
    let record = users::find(&mut *ctx.store.read().await?, &req.username).await?;
    let phc = record.as_ref().map(|r| r.password_hash.clone());
    let ok = crate::auth::verify_password(req.password, phc).await?;
    let user = match record {
        Some(r) if ok && !r.summary.disabled => r.summary,
        other => {
            ctx.throttle.fail(&req.username, client.ip, now);
            let (role, why) = match &other {
                None => (None, "unknown user"),
                Some(r) if r.summary.disabled => (Some(r.summary.role), "user disabled"),
                Some(r) => (Some(r.summary.role), "wrong password"),
            };
            audit_failure(&ctx, &req.username, role, why, &client).await?;
            return Err(Error::BadCredentials);
        }
    };
    ctx.throttle.succeed(&req.username);
    let (token, hash) = crate::auth::new_token();
    let expires_at = now + ctx.token_ttl;
    let principal = Principal {
        username: user.username,
        role: user.role,
        areas: user.areas,
    };
    let mut tx = ctx.store.begin().await?;
    users::insert_token(tx.conn(), &hash, &principal.username, expires_at).await?;
    let record = AuditRecord::by(&principal, Action::SessionCreate, None, "", &client.remote);
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

/// Audit a refused sign-in (issue 13 §2). A username nobody has is written as a hash: it may
/// be a password typed into the wrong box, or a stranger's guess.
async fn audit_failure(
    ctx: &ApiContext,
    username: &str,
    role: Option<jar_core::Role>,
    why: &str,
    client: &Client,
) -> Result<()> {
    let name = match role {
        Some(_) => username.to_string(),
        None => format!(
            "unknown:{}",
            &crate::auth::sha256_hex(username.to_lowercase().as_bytes())[..16]
        ),
    };
    let mut tx = ctx.store.begin().await?;
    let record = AuditRecord {
        username: &name,
        role,
        action: Action::SessionFail,
        case_ref: None,
        detail: why,
        remote: &client.remote,
    };
    audit::record(tx.conn(), record, ctx.now()).await?;
    ctx.store.commit(tx).await?;
    Ok(())
}

#[utoipa::path(delete, path = "/api/v1/session", tag = "session",
    responses((status = 204, description = "signed out: the token no longer works")))]
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

#[utoipa::path(get, path = "/api/v1/me", tag = "session",
    responses((status = 200, body = Principal, description = "who the token belongs to")))]
pub async fn me(user: AuthUser) -> axum::Json<Principal> {
    axum::Json(user.principal)
}
