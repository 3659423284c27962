//! `/users`: managers list, add and disable users.

use super::ApiContext;
use super::error::{Error, Result};
use super::extract::Path;
use super::extract::{AuthUser, IdemKey, RawBody};
use super::guard::require;
use super::reply::Reply;
use super::write::{Begun, Body, Idem, Write};
use crate::audit::Action;
use crate::store::{is_unique_violation, users};
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use jar_core::permissions::Permission;
use jar_core::wire::{NewUser, OneTimePassword, UserList, UserSummary};
use std::sync::Arc;

const MANAGE: super::guard::Need = (Permission::ManageUsers, "manage users");

pub fn router() -> Router<Arc<ApiContext>> {
    Router::new()
        .route("/users", get(list_users).post(add_user))
        .route("/users/{name}/disable", post(disable_user))
        .route("/users/{name}/password", post(reset_password))
}

#[utoipa::path(get, path = "/api/v1/users", tag = "users",
    responses((status = 200, body = UserList, description = "every user"),
        (status = 403, description = "your role may not manage users")))]
pub async fn list_users(
    State(ctx): State<Arc<ApiContext>>,
    user: AuthUser,
) -> Result<axum::Json<UserList>> {
    require(&user.principal, MANAGE)?;
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
    require(&user.principal, MANAGE)?;
    let key = IdemKey(Some(key.required()?));
    let new: NewUser = body.json()?;
    new.check()?;
    // Hash before taking the write lock: it is deliberately slow.
    let phc = crate::auth::hash_password(new.password.clone()).await?;
    let mut w = match Write::begin(
        &ctx,
        &user,
        MANAGE,
        Idem::Required(key),
        &body,
        "POST /users",
    )
    .await?
    {
        Begun::Replay(r, _) => return Ok(r),
        Begun::Fresh(w) => w,
    };
    let inserted = users::insert(
        w.tx.conn(),
        &new.username,
        &phc,
        new.role,
        &new.areas,
        w.now,
    )
    .await;
    let created = match inserted {
        Ok(u) => u,
        Err(e) if is_unique_violation(&e) => {
            return Err(Error::Conflict(
                "there is already a user with that username".into(),
            ));
        }
        Err(e) => return Err(e.into()),
    };
    let detail = format!("user={} role={}", created.username, created.role);
    w.audit(Action::UserAdd, None, &detail).await?;
    w.commit(Reply::json(StatusCode::CREATED, &created)?).await
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
    let empty = RawBody(Default::default());
    let mut w = match Write::begin(&ctx, &user, MANAGE, Idem::None, &empty, "").await? {
        Begun::Replay(r, _) => return Ok(r),
        Begun::Fresh(w) => w,
    };
    if !users::disable(w.tx.conn(), &name).await? {
        return Err(Error::NotFound(
            "there is no user with that username".into(),
        ));
    }
    w.audit(Action::UserDisable, None, &format!("user={name}"))
        .await?;
    let reply = w.commit(Reply::no_content()).await?;
    // After the commit, so no request in between can cache the user again.
    ctx.principals.forget_user(&name);
    Ok(reply)
}

#[utoipa::path(post, path = "/api/v1/users/{name}/password", tag = "users",
    params(super::openapi::params::UserPath),
    responses((status = 200, body = OneTimePassword, description = "a new one-time password, shown this once; the user's tokens stop working"),
        (status = 403, description = "your role may not manage users"),
        (status = 404, description = "there is no user with that name")))]
pub async fn reset_password(
    State(ctx): State<Arc<ApiContext>>,
    user: AuthUser,
    Path(name): Path<String>,
) -> Result<Reply> {
    require(&user.principal, MANAGE)?;
    let password = crate::auth::one_time_password();
    // Hash before taking the write lock: it is deliberately slow.
    let phc = crate::auth::hash_password(password.clone()).await?;
    let empty = RawBody(Default::default());
    let mut w = match Write::begin(&ctx, &user, MANAGE, Idem::None, &empty, "").await? {
        Begun::Replay(r, _) => return Ok(r),
        Begun::Fresh(w) => w,
    };
    if !users::set_password(w.tx.conn(), &name, &phc).await? {
        return Err(Error::NotFound(
            "there is no user with that username".into(),
        ));
    }
    w.audit(Action::UserPasswordReset, None, &format!("user={name}"))
        .await?;
    let body = OneTimePassword {
        username: name.clone(),
        password,
    };
    let reply = w.commit(Reply::json(StatusCode::OK, &body)?).await?;
    ctx.principals.forget_user(&name);
    Ok(reply)
}
