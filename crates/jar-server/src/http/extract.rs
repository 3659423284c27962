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
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

/// The person behind a valid bearer token, with where the request came from (for the audit).
pub struct AuthUser {
    pub principal: Principal,
    pub token_hash: String,
    pub remote: String,
}

/// Where a request came from: the client's address (for throttling) and how to write it in
/// the audit (`ip:port`, or `client via proxy:port` when a trusted proxy forwarded it).
#[derive(Debug, Clone)]
pub struct Client {
    pub ip: IpAddr,
    pub remote: String,
}

/// The client of a request. `X-Forwarded-For` is believed only when the connection comes from
/// a trusted proxy (`--trusted-proxy CIDR`); then the client is the right-most address in it
/// that is not itself a trusted proxy. Anyone else could write any address there.
pub fn client_of(parts: &Parts, trusted: &[ipnet::IpNet]) -> Client {
    let Some(peer) = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0)
    else {
        return Client {
            ip: IpAddr::from([0, 0, 0, 0]),
            remote: "unknown".to_string(),
        };
    };
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if is_trusted(&peer.ip()) {
        let forwarded: Vec<IpAddr> = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|a| a.trim().parse::<IpAddr>().ok())
            .collect();
        let client = forwarded
            .iter()
            .rev()
            .find(|ip| !is_trusted(ip))
            .or(forwarded.first())
            .copied();
        if let Some(ip) = client {
            return Client {
                ip,
                remote: format!("{ip} via {peer}"),
            };
        }
    }
    Client {
        ip: peer.ip(),
        remote: peer.to_string(),
    }
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
            remote: client_of(parts, &ctx.trusted_proxies).remote,
        })
    }
}

impl FromRequestParts<Arc<ApiContext>> for Client {
    type Rejection = Error;
    async fn from_request_parts(parts: &mut Parts, ctx: &Arc<ApiContext>) -> Result<Self> {
        Ok(client_of(parts, &ctx.trusted_proxies))
    }
}

/// The request body as bytes; parsed later with [`RawBody::json`] so that preconditions can be
/// checked before the body is looked at.
pub struct RawBody(pub Bytes);

/// `application/json`, with or without parameters (`; charset=utf-8`), or a `+json` type.
fn is_json(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

impl<S: Send + Sync> FromRequest<S> for RawBody {
    type Rejection = Error;
    async fn from_request(req: Request, state: &S) -> Result<Self> {
        // Bodies are JSON (issue 13 §1): another declared type, or a body with no type, is 415.
        // An empty body without a type falls through to the JSON parser (400 malformed-json).
        let declared = req
            .headers()
            .get(header::CONTENT_TYPE)
            .map(|v| v.to_str().map(is_json).unwrap_or(false));
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                Error::PayloadTooLarge
            } else {
                Error::BadRequest("the request body could not be read".into())
            }
        })?;
        match declared {
            Some(false) => Err(Error::UnsupportedMediaType),
            None if !bytes.is_empty() => Err(Error::UnsupportedMediaType),
            _ => Ok(RawBody(bytes)),
        }
    }
}

impl RawBody {
    /// Syntax errors are 400; well-formed JSON of the wrong shape (not an object, wrong types,
    /// unknown fields) is 422 naming the field, never repeating the text sent (issue 13 §1).
    pub fn json<T: DeserializeOwned>(&self) -> Result<T> {
        if let Err(e) = serde_json::from_slice::<serde::de::IgnoredAny>(&self.0) {
            return Err(Error::MalformedJson(syntax_detail(&e)));
        }
        let first = self.0.iter().find(|b| !b.is_ascii_whitespace());
        if first != Some(&b'{') {
            return Err(Error::InvalidBody("the body must be a JSON object".into()));
        }
        let de = &mut serde_json::Deserializer::from_slice(&self.0);
        serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            let what = shape_detail(&e.inner().to_string());
            if path.is_empty() || path == "." {
                Error::InvalidBody(what)
            } else {
                Error::InvalidBody(format!("`{path}`: {what}"))
            }
        })
    }

    pub fn hash(&self, scope: &str) -> String {
        let mut buf = scope.as_bytes().to_vec();
        buf.push(0);
        buf.extend_from_slice(&self.0);
        crate::auth::sha256_hex(&buf)
    }
}

/// A serde_json syntax error without the position suffix; serde_json's syntax messages name
/// what was expected, never the text sent.
fn syntax_detail(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.find(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

/// Words for a shape error (a wrong type, an unknown field or variant, a missing field) made
/// only of what the server expected: serde's messages quote the value sent ("invalid type:
/// string \"four\""), and a problem never repeats request text.
pub fn shape_detail(message: &str) -> String {
    let message = match message.find(" at line ") {
        Some(i) => &message[..i],
        None => message,
    };
    if message.starts_with("missing field") {
        // "missing field `area`": the name is the server's own.
        return message.to_string();
    }
    let kind = [
        ("invalid type", "wrong type"),
        ("invalid value", "value not allowed"),
        ("invalid length", "wrong number of entries"),
        ("unknown variant", "value not allowed"),
        ("unknown field", "unknown field"),
        ("duplicate field", "a field given twice"),
    ]
    .iter()
    .find(|(prefix, _)| message.starts_with(prefix))
    .map_or("wrong shape", |(_, words)| words);
    match message.find("expected ") {
        Some(i) => format!("{kind}; {}", &message[i..]),
        None => kind.to_string(),
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
                let bad = || {
                    Error::BadRequest(
                        "Idempotency-Key must be 1 to 200 visible ASCII characters".into(),
                    )
                };
                let key = v.to_str().map_err(|_| bad())?.trim();
                if key.is_empty()
                    || key.len() > 200
                    || !key.bytes().all(|b| b.is_ascii_graphic() || b == b' ')
                {
                    return Err(bad());
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
    serde_json::from_value(serde_json::Value::Object(map)).map_err(|e| {
        Error::BadRequest(format!(
            "bad query string: {}",
            shape_detail(&e.to_string())
        ))
    })
}

/// Decode `%XX` and `+`. Also used on paths by the edge check in `mod.rs`.
pub fn percent_decode(s: &str) -> Result<String> {
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
