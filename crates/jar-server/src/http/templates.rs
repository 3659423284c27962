//! `GET /templates`: the checklist templates built into this server.

use super::ApiContext;
use super::error::Result;
use super::extract::AuthUser;
use axum::Router;
use axum::routing::get;
use jar_core::wire::TemplateList;
use std::sync::Arc;

pub fn router() -> Router<Arc<ApiContext>> {
    Router::new().route("/templates", get(list_templates))
}

#[utoipa::path(get, path = "/api/v1/templates", tag = "templates",
    responses((status = 200, body = TemplateList, description = "the checklist templates built into this server")))]
pub async fn list_templates(_user: AuthUser) -> Result<axum::Json<TemplateList>> {
    Ok(axum::Json(TemplateList {
        templates: jar_core::checklist::templates().to_vec(),
    }))
}
