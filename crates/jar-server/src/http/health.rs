//! `/healthz` (the process answers) and `/readyz` (the database answers).

use super::ApiContext;
use super::error::{Error, Result};
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use jar_core::wire::Health;
use std::sync::Arc;

pub fn router() -> Router<Arc<ApiContext>> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
}

#[utoipa::path(get, path = "/healthz", tag = "health", security(()),
    responses((status = 200, body = Health, description = "the process answers")))]
pub async fn healthz() -> axum::Json<Health> {
    axum::Json(Health {
        status: "ok".into(),
    })
}

#[utoipa::path(get, path = "/readyz", tag = "health", security(()),
    responses((status = 200, body = Health, description = "the database answers"),
        (status = 503, description = "the database is not reachable")))]
pub async fn readyz(State(ctx): State<Arc<ApiContext>>) -> Result<axum::Json<Health>> {
    ctx.store.ping().await.map_err(|_| Error::Unavailable)?;
    Ok(axum::Json(Health {
        status: "ready".into(),
    }))
}
