//! `/users`: managers list, add and disable users.

use super::ApiContext;
use super::cases::require;
use super::error::{Error, Result};
use super::extract::Path;
use super::extract::{AuthUser, IdemKey, RawBody};
use super::reply::{self, Reply};
use crate::store::audit::AuditRecord;
use crate::store::{audit, is_unique_violation, users};
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use chrono::Utc;
use jar_core::permissions::Permission;
use jar_core::wire::{NewUser, UserList, UserSummary};
use std::sync::Arc;

pub fn router() -> Router<Arc<ApiContext>> {
    Router::new()
        .route("/users", get(list_users).post(add_user))
        .route("/users/{name}/disable", post(disable_user))
}

#[utoipa::path(get, path = "/api/v1/users", tag = "users",
    responses((status = 200, body = UserList, description = "every user"),
        (status = 403, description = "your role may not manage users")))]
pub async fn list_users(
    State(ctx): State<Arc<ApiContext>>,
    user: AuthUser,
) -> Result<axum::Json<UserList>> {
    require(&user.principal, Permission::ManageUsers, "manage users")?;
    let items = users::list(&mut *ctx.store.read().await?).await?;
    Ok(axum::Json(UserList { items }))
}

#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = NewUser,
    params(super::openapi::params::IdempotencyKey),
    responses((status = 201, body = UserSummary, description = "the user, added"),
        (status = 400, description = "no `Idempotency-Key`, or one that is malformed; or malformed JSON"),
        (status = 403, description = "your role may not manage users"),
        (status = 409, description = "there is already a user with that name")))]
pub async fn add_user(
    State(ctx): State<Arc<ApiContext>>,
    user: AuthUser,
    key: IdemKey,
    body: RawBody,
) -> Result<Reply> {
    let who = &user.principal;
    require(who, Permission::ManageUsers, "manage users")?;
    let key = key.required()?;
    let hash = body.hash("POST /users");
    let new: NewUser = body.json()?;
    new.validate()?;
    // Hash before taking the write lock: it is deliberately slow.
    let phc = crate::auth::hash_password(new.password.clone()).await?;
    let mut tx = ctx.store.begin().await?;
    if let Some(r) = reply::replay(&mut tx, &who.username, &key, &hash).await? {
        return Ok(r);
    }
    let now = Utc::now();
    let created =
        match users::insert(tx.conn(), &new.username, &phc, new.role, &new.areas, now).await {
            Ok(u) => u,
            Err(e) if is_unique_violation(&e) => {
                return Err(Error::Conflict(format!(
                    "there is already a user called {}",
                    new.username
                )));
            }
            Err(e) => return Err(e.into()),
        };
    let detail = format!("user={} role={}", created.username, created.role);
    audit::record(
        tx.conn(),
        AuditRecord {
            who,
            action: "user.add",
            case_ref: None,
            detail: &detail,
            remote: &user.remote,
        },
        now,
    )
    .await?;
    let reply = Reply::json(StatusCode::CREATED, &created)?;
    reply::remember(&mut tx, &who.username, &key, &hash, &reply).await?;
    ctx.store.commit(tx).await?;
    Ok(reply)
}

#[utoipa::path(post, path = "/api/v1/users/{name}/disable", tag = "users",
    params(super::openapi::params::UserPath),
    responses((status = 204, description = "disabled: the user's tokens stop working"),
        (status = 403, description = "your role may not manage users"),
        (status = 404, description = "there is no user with that name")))]
pub async fn disable_user(
    State(ctx): State<Arc<ApiContext>>,
    user: AuthUser,
    Path(name): Path<String>,
) -> Result<Reply> {
    let who = &user.principal;
    require(who, Permission::ManageUsers, "manage users")?;
    let mut tx = ctx.store.begin().await?;
    if !users::disable(tx.conn(), &name).await? {
        return Err(Error::NotFound(format!("there is no user called {name}")));
    }
    let detail = format!("user={name}");
    audit::record(
        tx.conn(),
        AuditRecord {
            who,
            action: "user.disable",
            case_ref: None,
            detail: &detail,
            remote: &user.remote,
        },
        Utc::now(),
    )
    .await?;
    ctx.store.commit(tx).await?;
    // After the commit, so no request in between can cache the user again.
    ctx.principals.forget_user(&name);
    Ok(Reply::no_content())
}
