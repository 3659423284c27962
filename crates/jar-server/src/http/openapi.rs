//! `GET /openapi.json`: OpenAPI 3.1 of every route, generated from the handlers' annotations.

use super::ApiContext;
use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use std::sync::Arc;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(title = "jarterm case API", description = "The central case API for the Joint Agency Response. See docs/api.md."),
    paths(
        super::session::login, super::session::logout, super::session::me,
        super::case_list::list_cases, super::cases::create_case, super::cases::get_case, super::cases::patch_case,
        super::identity::reveal,
        super::timeline::list_events, super::timeline::add_event,
        super::checklists::list_checklists, super::checklists::start_checklist, super::checklists::update_item,
        super::contacts::list_contacts, super::contacts::add_contact, super::contacts::amend_contact,
        super::templates::list_templates,
        super::events::events,
        super::audit::list_audit,
        super::users::list_users, super::users::add_user, super::users::disable_user,
        super::health::healthz, super::health::readyz,
        openapi_json,
    ),
    components(schemas(jar_core::wire::ChangeEvent, jar_core::wire::Problem)),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub fn router() -> Router<Arc<ApiContext>> {
    Router::new().route("/openapi.json", get(openapi_json))
}

#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "meta", security(()),
    responses((status = 200, description = "this document")))]
pub async fn openapi_json() -> impl IntoResponse {
    let body = ApiDoc::openapi().to_json().unwrap_or_default();
    ([(header::CONTENT_TYPE, "application/json")], body)
}
