//! One error type for every handler. The status and problem type live in one match; internal
//! errors are logged without personal data and answered with a bare "internal error".

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jar_core::text::TextError;
use jar_core::wire::{PROBLEM_BASE, Problem};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("sign in first: the request has no valid bearer token")]
    Unauthorized,
    #[error("the username or password is not right")]
    BadCredentials,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    /// Issue 15 §3: the notification may be a death already notified; `current` lists the
    /// candidates (reference, area, times: never names).
    #[error(
        "this death may already be notified; look at the cases in `current`, then open one of them or notify again with `not_a_duplicate_of` naming them"
    )]
    PossibleDuplicate(serde_json::Value),
    #[error("this write needs an If-Match header with the version you last read")]
    PreconditionRequired,
    #[error("someone changed this since you read it; the current state is attached")]
    Stale(serde_json::Value),
    #[error("this request needs an Idempotency-Key header (any unique string, reused on retry)")]
    IdempotencyKeyRequired,
    #[error("this Idempotency-Key was already used for a different request; use a new key")]
    IdempotencyKeyReused,
    #[error("the body is not valid JSON: {0}")]
    MalformedJson(String),
    #[error("the body does not match what this endpoint expects: {0}")]
    InvalidBody(String),
    #[error("{0}")]
    Validation(#[from] TextError),
    #[error("{0}")]
    Unprocessable(String),
    /// A time or age that cannot be right (`jar_core::plausibility`): the detail names the
    /// field, as the form does before sending.
    #[error("{0}")]
    Implausible(String),
    #[error("the body is larger than 256 KiB")]
    PayloadTooLarge,
    #[error("send the body as application/json (Content-Type: application/json)")]
    UnsupportedMediaType,
    #[error("the address is longer than 8 KiB")]
    UriTooLong,
    #[error("{0}")]
    BadRequest(String),
    #[error("too many failed sign-ins; wait {0} seconds and try again")]
    RateLimited(u64),
    #[error("the database is not reachable")]
    Unavailable,
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
}

impl Error {
    fn status_and_slug(&self) -> (StatusCode, &'static str, &'static str) {
        use StatusCode as S;
        match self {
            Error::Unauthorized => (S::UNAUTHORIZED, "unauthorized", "Not signed in"),
            Error::BadCredentials => (S::UNAUTHORIZED, "bad-credentials", "Sign-in failed"),
            Error::Forbidden(_) => (S::FORBIDDEN, "forbidden", "Not allowed for your role"),
            Error::NotFound(_) => (S::NOT_FOUND, "not-found", "Not found"),
            Error::Conflict(_) => (S::CONFLICT, "conflict", "Already exists"),
            Error::PreconditionRequired => (
                S::PRECONDITION_REQUIRED,
                "if-match-required",
                "If-Match required",
            ),
            Error::PossibleDuplicate(_) => (
                S::CONFLICT,
                "possible-duplicate",
                "Possibly notified already",
            ),
            Error::Stale(_) => (S::PRECONDITION_FAILED, "stale", "Changed since you read it"),
            Error::IdempotencyKeyRequired => (
                S::BAD_REQUEST,
                "idempotency-key-required",
                "Idempotency-Key required",
            ),
            Error::IdempotencyKeyReused => (
                S::UNPROCESSABLE_ENTITY,
                "idempotency-key-reused",
                "Idempotency-Key reused",
            ),
            Error::MalformedJson(_) => (S::BAD_REQUEST, "malformed-json", "Malformed JSON"),
            Error::InvalidBody(_) => (S::UNPROCESSABLE_ENTITY, "invalid-body", "Invalid body"),
            Error::Validation(_) => (S::UNPROCESSABLE_ENTITY, "invalid-text", "Invalid text"),
            Error::Unprocessable(_) => (S::UNPROCESSABLE_ENTITY, "unprocessable", "Cannot do that"),
            Error::Implausible(_) => (S::UNPROCESSABLE_ENTITY, "implausible", "Implausible value"),
            Error::PayloadTooLarge => (S::PAYLOAD_TOO_LARGE, "payload-too-large", "Body too large"),
            Error::UnsupportedMediaType => (
                S::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "Body must be JSON",
            ),
            Error::UriTooLong => (S::URI_TOO_LONG, "uri-too-long", "Address too long"),
            Error::BadRequest(_) => (S::BAD_REQUEST, "bad-request", "Bad request"),
            Error::RateLimited(_) => (S::TOO_MANY_REQUESTS, "rate-limited", "Too many attempts"),
            Error::Unavailable => (S::SERVICE_UNAVAILABLE, "unavailable", "Not ready"),
            Error::Internal(_) => (S::INTERNAL_SERVER_ERROR, "internal", "Internal error"),
        }
    }
}

/// A problem+json response for any status, used by fallbacks and layers too.
pub fn problem_response(
    status: StatusCode,
    slug: &str,
    title: &str,
    detail: String,
    current: Option<serde_json::Value>,
) -> Response {
    let body = Problem {
        kind: format!("{PROBLEM_BASE}{slug}"),
        title: title.to_string(),
        status: status.as_u16(),
        detail,
        current,
    };
    let json = serde_json::to_vec(&body).unwrap_or_default();
    let mut res = (status, json).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    res
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        if let Error::Internal(e) = &self {
            // The chain names the failing operation (query, migration), never request data.
            tracing::error!(error = %format!("{e:#}"), "internal error");
        }
        let (status, slug, title) = self.status_and_slug();
        let detail = self.to_string();
        let current = match &self {
            Error::Stale(v) | Error::PossibleDuplicate(v) => Some(v.clone()),
            _ => None,
        };
        let mut res = problem_response(status, slug, title, detail, current);
        match &self {
            Error::RateLimited(secs) => {
                res.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(*secs));
            }
            // RFC 9110 §15.5.2: every 401 names the scheme (a failed sign-in too).
            Error::Unauthorized | Error::BadCredentials => {
                res.headers_mut()
                    .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            _ => {}
        }
        res
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The first implausible value as a 422, or nothing when every rule holds.
pub fn refuse_implausible(found: Vec<jar_core::plausibility::Implausible>) -> Result<()> {
    match found.into_iter().next() {
        Some(i) => Err(Error::Implausible(i.to_string())),
        None => Ok(()),
    }
}

/// Errors from sqlx arrive via anyhow in the store; this keeps `?` working on raw sqlx calls.
impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        Error::Internal(e.into())
    }
}
