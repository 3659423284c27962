//! The HTTP API. `api_router` is the whole API in one place: one `router()` per resource,
//! merged, then the layers every request passes through.

pub mod audit;
pub mod case_list;
pub mod cases;
pub mod checklists;
pub mod contacts;
pub mod error;
pub mod events;
pub mod extract;
pub mod guard;
pub mod health;
pub mod identity;
pub mod openapi;
pub mod reply;
pub mod session;
pub mod templates;
pub mod timeline;
pub mod users;
pub mod write;

use crate::auth::RateLimiter;
use crate::store::Store;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use chrono::Utc;
use jar_core::deadline::AreaOverrides;
use jar_core::permissions::Principal;
use std::sync::Arc;
use std::time::Duration;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub const BODY_LIMIT: usize = 256 * 1024;

/// What every handler shares.
pub struct ApiContext {
    pub store: Arc<Store>,
    pub token_ttl: chrono::Duration,
    pub area_overrides: AreaOverrides,
    pub limiter: RateLimiter,
    pub principals: crate::cache::PrincipalCache,
    pub pages: crate::cache::ListCache,
    /// Cancelled when the server stops, so long-lived event streams end and let it.
    pub shutdown: tokio_util::sync::CancellationToken,
    pub clock: crate::clock::Clock,
}

impl ApiContext {
    /// The time now, for everything time-based the server decides.
    pub fn now(&self) -> chrono::DateTime<Utc> {
        self.clock.now()
    }

    pub async fn principal(&self, token_hash: &str) -> anyhow::Result<Option<Principal>> {
        let now = self.now();
        if let Some(p) = self.principals.get(token_hash, now) {
            return Ok(Some(p));
        }
        let mut conn = self.store.read().await?;
        let found = crate::store::users::principal_for_token(&mut conn, token_hash, now).await?;
        Ok(found.map(|(principal, expires_at)| {
            self.principals
                .put(token_hash, principal.clone(), expires_at, now);
            principal
        }))
    }
}

pub fn api_router(ctx: Arc<ApiContext>) -> Router {
    let api = Router::new()
        .merge(session::router())
        .merge(cases::router())
        .merge(identity::router())
        .merge(timeline::router())
        .merge(checklists::router())
        .merge(contacts::router())
        .merge(templates::router())
        .merge(events::router())
        .merge(audit::router())
        .merge(users::router())
        .merge(openapi::router());
    Router::new()
        .nest(jar_core::wire::API_PREFIX, api)
        .merge(health::router())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            Duration::from_secs(30),
        ))
        .layer(axum::middleware::map_response(problem_for_bare_errors))
        // Spans record the method and the path only: no query (a search may hold a name), no
        // bodies, no headers, no tokens.
        .layer(TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
            tracing::info_span!("request", method = %req.method(), path = %req.uri().path())
        }))
        .with_state(ctx)
}

/// Layers and the router itself can answer with bare statuses (a timeout, a 405); give those
/// the same problem+json body as every other error.
async fn problem_for_bare_errors(res: axum::response::Response) -> axum::response::Response {
    let status = res.status();
    let is_problem = res
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    if status.as_u16() < 400 || is_problem {
        return res;
    }
    let (slug, title, detail) = match status {
        StatusCode::SERVICE_UNAVAILABLE => (
            "unavailable",
            "Not available",
            "the server took too long to answer; try again",
        ),
        StatusCode::METHOD_NOT_ALLOWED => (
            "method-not-allowed",
            "Method not allowed",
            "this address does not accept that method",
        ),
        StatusCode::PAYLOAD_TOO_LARGE => (
            "payload-too-large",
            "Body too large",
            "the body is larger than 256 KiB",
        ),
        _ => (
            "http-error",
            status.canonical_reason().unwrap_or("Error"),
            "the request could not be handled",
        ),
    };
    let mut out = error::problem_response(status, slug, title, detail.to_string(), None);
    if let Some(allow) = res.headers().get(axum::http::header::ALLOW) {
        out.headers_mut()
            .insert(axum::http::header::ALLOW, allow.clone());
    }
    out
}

async fn not_found() -> error::Error {
    error::Error::NotFound("there is nothing at this address".into())
}

async fn method_not_allowed() -> axum::response::Response {
    error::problem_response(
        StatusCode::METHOD_NOT_ALLOWED,
        "method-not-allowed",
        "Method not allowed",
        "this address does not accept that method".into(),
        None,
    )
}
