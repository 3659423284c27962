//! Extractors: the signed-in user, the raw JSON body, `Idempotency-Key`, `If-Match` and query
//! strings. Each rejects with our problem+json, so axum's plain-text rejections never leak.

use super::ApiContext;
use super::error::{Error, Result};
use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use jar_core::permissions::Principal;
use serde::de::DeserializeOwned;
use std::net::SocketAddr;
use std::sync::Arc;

/// The person behind a valid bearer token, with where the request came from (for the audit).
pub struct AuthUser {
    pub principal: Principal,
    pub token_hash: String,
    pub remote: String,
}

pub fn remote_of(parts: &Parts) -> String {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.to_string())
        .unwrap_or_else(|| "unknown".to_string())
}

impl FromRequestParts<Arc<ApiContext>> for AuthUser {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, ctx: &Arc<ApiContext>) -> Result<Self> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(Error::Unauthorized)?;
        let token_hash = crate::auth::token_hash(token);
        let principal = ctx
            .principal(&token_hash)
            .await?
            .ok_or(Error::Unauthorized)?;
        Ok(AuthUser {
            principal,
            token_hash,
            remote: remote_of(parts),
        })
    }
}

/// The client's address, for handlers without a signed-in user (sign-in).
pub struct Remote(pub String);

impl<S: Send + Sync> FromRequestParts<S> for Remote {
    type Rejection = Error;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self> {
        Ok(Remote(remote_of(parts)))
    }
}

/// The request body as bytes; parsed later with [`RawBody::json`] so that preconditions can be
/// checked before the body is looked at.
pub struct RawBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for RawBody {
    type Rejection = Error;
    async fn from_request(req: Request, state: &S) -> Result<Self> {
        Bytes::from_request(req, state)
            .await
            .map(RawBody)
            .map_err(|e| {
                if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    Error::PayloadTooLarge
                } else {
                    Error::BadRequest("the request body could not be read".into())
                }
            })
    }
}

impl RawBody {
    /// Syntax errors are 400; well-formed JSON of the wrong shape (types, unknown fields) 422.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T> {
        serde_json::from_slice(&self.0).map_err(|e| match e.classify() {
            serde_json::error::Category::Data => Error::InvalidBody(e.to_string()),
            _ => Error::MalformedJson(e.to_string()),
        })
    }

    pub fn hash(&self, scope: &str) -> String {
        let mut buf = scope.as_bytes().to_vec();
        buf.push(0);
        buf.extend_from_slice(&self.0);
        crate::auth::sha256_hex(&buf)
    }
}

/// `Idempotency-Key`, if sent.
pub struct IdemKey(pub Option<String>);

impl IdemKey {
    pub fn required(self) -> Result<String> {
        self.0.ok_or(Error::IdempotencyKeyRequired)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for IdemKey {
    type Rejection = Error;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self> {
        match parts.headers.get("idempotency-key") {
            None => Ok(IdemKey(None)),
            Some(v) => {
                let key = v
                    .to_str()
                    .map_err(|_| Error::BadRequest("Idempotency-Key must be ASCII".into()))?
                    .trim();
                if key.is_empty() || key.len() > 200 {
                    return Err(Error::BadRequest(
                        "Idempotency-Key must be 1 to 200 characters".into(),
                    ));
                }
                Ok(IdemKey(Some(key.to_string())))
            }
        }
    }
}

/// `If-Match: "<version>"`. `Some(None)` means present but not a version we could ever have
/// issued, which is simply stale.
pub struct IfMatch(pub Option<Option<i64>>);

impl IfMatch {
    pub fn required(self) -> Result<Option<i64>> {
        self.0.ok_or(Error::PreconditionRequired)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = Error;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self> {
        Ok(IfMatch(parts.headers.get(header::IF_MATCH).map(|v| {
            v.to_str()
                .ok()
                .map(|s| s.trim().trim_start_matches("W/").trim_matches('"'))
                .and_then(|s| s.parse::<i64>().ok())
        })))
    }
}

/// A query string parsed into `T`, rejecting with a problem.
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = Error;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self> {
        let q = parts.uri.query().unwrap_or("");
        serde_urlencoded_like(q).map(Query)
    }
}

/// Parse `a=1&b=x` into `T` through a JSON object of strings, so we need no extra crate;
/// typed fields parse from their string form in the handlers.
fn serde_urlencoded_like<T: DeserializeOwned>(q: &str) -> Result<T> {
    let mut map = serde_json::Map::new();
    for pair in q.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        map.insert(
            percent_decode(k)?,
            serde_json::Value::String(percent_decode(v)?),
        );
    }
    serde_json::from_value(serde_json::Value::Object(map))
        .map_err(|e| Error::BadRequest(format!("bad query string: {e}")))
}

fn percent_decode(s: &str) -> Result<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => {
                        return Err(Error::BadRequest(
                            "bad percent-encoding in the query string".into(),
                        ));
                    }
                }
            }
            b'%' => {
                return Err(Error::BadRequest(
                    "bad percent-encoding in the query string".into(),
                ));
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| Error::BadRequest("the query string is not UTF-8".into()))
}

/// Path parameters; a segment that cannot be decoded is simply not found.
pub struct Path<T>(pub T);

impl<T, S> FromRequestParts<S> for Path<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = Error;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(v)| Path(v))
            .map_err(|_| Error::NotFound("there is nothing at this address".into()))
    }
}
