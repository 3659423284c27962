//! The HTTP API. `api_router` is the whole API in one place: one `router()` per resource,
//! merged, then the layers every request passes through.

pub mod audit;
pub mod case_list;
pub mod cases;
pub mod checklists;
pub mod contacts;
pub mod deadlines;
pub mod error;
pub mod events;
pub mod exports;
pub mod extract;
pub mod guard;
pub mod handovers;
pub mod health;
pub mod identity;
pub mod involvements;
pub mod openapi;
pub mod people;
pub mod questions;
pub mod reply;
pub mod review;
pub mod session;
pub mod templates;
pub mod timeline;
pub mod users;
pub mod write;

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
    /// Bereavement services per area (`--support-services`; national defaults otherwise).
    pub support: jar_core::support::AreaCatalogues,
    pub throttle: crate::auth::Throttle,
    /// Proxies whose `X-Forwarded-For` is believed (`--trusted-proxy`).
    pub trusted_proxies: Vec<ipnet::IpNet>,
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
        .merge(deadlines::router())
        .merge(identity::router())
        .merge(people::router())
        .merge(exports::router())
        .merge(timeline::router())
        .merge(checklists::router())
        .merge(contacts::router())
        .merge(templates::router())
        .merge(events::router())
        .merge(audit::router())
        .merge(users::router())
        .merge(handovers::router())
        .merge(questions::router())
        .merge(review::router())
        .merge(involvements::router())
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
        .layer(axum::middleware::from_fn(edge_checks))
        .layer(axum::middleware::map_response(problem_for_bare_errors))
        // Spans record the method and the path only: no query (a search may hold a name), no
        // bodies, no headers, no tokens.
        .layer(TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
            tracing::info_span!("request", method = %req.method(), path = %req.uri().path())
        }))
        .with_state(ctx)
}

/// The longest address we read. hyper itself answers longer ones (above 64 KiB) with a bare 414
/// before any of our code runs; between the two, the 414 is ours and problem+json.
pub const MAX_URI: usize = 8 * 1024;

/// Checks on the address before any route sees it (issue 13 §1): too long is 414; a control
/// character (NUL, escape, a bidi override) decoded from the path or the query is 400. Such
/// bytes must never reach the database: PostgreSQL refuses NUL in text with an error.
async fn edge_checks(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let uri = req.uri();
    let len = uri.path().len() + uri.query().map_or(0, |q| q.len() + 1);
    if len > MAX_URI {
        return error::Error::UriTooLong.into_response();
    }
    let has_control = |s: &str| {
        lenient_decode(s)
            .chars()
            .any(|c| c.is_control() || jar_core::text::is_forbidden_char(c))
    };
    if has_control(uri.path()) || uri.query().is_some_and(has_control) {
        return error::Error::BadRequest(
            "the address contains a control character (such as NUL); remove it".into(),
        )
        .into_response();
    }
    next.run(req).await
}

/// Percent-decode what can be decoded and keep the rest as it is; invalid UTF-8 becomes U+FFFD.
fn lenient_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = (bytes[i] == b'%' && i + 2 < bytes.len())
            .then(|| std::str::from_utf8(&bytes[i + 1..i + 3]).ok())
            .flatten()
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match hex {
            Some(b) => {
                out.push(b);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
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
        StatusCode::URI_TOO_LONG => (
            "uri-too-long",
            "Address too long",
            "the address is too long",
        ),
        StatusCode::BAD_REQUEST => (
            "bad-request",
            "Bad request",
            "the request could not be read",
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
