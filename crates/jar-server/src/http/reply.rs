//! Replies to writes, which an `Idempotency-Key` may need to replay byte for byte, and the
//! replay check itself.

use super::error::{Error, Result};
use crate::store::{WriteTx, idempotency};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde::Serialize;

#[derive(Debug, Clone)]
pub struct Reply {
    pub status: StatusCode,
    pub body: String,
    pub etag: Option<String>,
    pub location: Option<String>,
}

impl Reply {
    pub fn json<T: Serialize>(status: StatusCode, value: &T) -> Result<Reply> {
        Ok(Reply {
            status,
            body: serde_json::to_string(value).map_err(anyhow::Error::from)?,
            etag: None,
            location: None,
        })
    }

    pub fn etag(mut self, version: i64) -> Self {
        self.etag = Some(format!("\"{version}\""));
        self
    }

    pub fn location(mut self, path: String) -> Self {
        self.location = Some(path);
        self
    }

    pub fn no_content() -> Reply {
        Reply {
            status: StatusCode::NO_CONTENT,
            body: String::new(),
            etag: None,
            location: None,
        }
    }
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        let is_empty = self.body.is_empty();
        let mut res = (self.status, self.body).into_response();
        let h = res.headers_mut();
        if !is_empty {
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
        }
        for (name, value) in [(header::ETAG, self.etag), (header::LOCATION, self.location)] {
            if let Some(v) = value.and_then(|v| HeaderValue::from_str(&v).ok()) {
                h.insert(name, v);
            }
        }
        res
    }
}

/// The stored first response for this key, if the same request was made before. A different
/// request under the same key is refused.
pub async fn replay(
    tx: &mut WriteTx<'_>,
    username: &str,
    key: &str,
    request_hash: &str,
) -> Result<Option<Reply>> {
    let Some(stored) = idempotency::find(tx.conn(), username, key).await? else {
        return Ok(None);
    };
    if stored.request_hash != request_hash {
        return Err(Error::IdempotencyKeyReused);
    }
    Ok(Some(Reply {
        status: StatusCode::from_u16(stored.status).map_err(anyhow::Error::from)?,
        body: stored.body,
        etag: stored.etag,
        location: stored.location,
    }))
}

pub async fn remember(
    tx: &mut WriteTx<'_>,
    username: &str,
    key: &str,
    request_hash: &str,
    reply: &Reply,
) -> Result<()> {
    let stored = idempotency::Stored {
        request_hash: request_hash.to_string(),
        status: reply.status.as_u16(),
        body: reply.body.clone(),
        etag: reply.etag.clone(),
        location: reply.location.clone(),
    };
    idempotency::save(tx.conn(), username, key, &stored, Utc::now()).await?;
    Ok(())
}

/// A write on one case, begun: the write transaction, the case (found in the caller's scope,
/// with the permission checked) and the key and request hash to remember the reply under.
pub struct CaseWrite<'a> {
    pub tx: WriteTx<'a>,
    pub id: i64,
    pub case: jar_core::Case,
    pub key: String,
    pub hash: String,
}

pub enum Begun<'a> {
    /// The same key and body were seen before: send the first reply again, write nothing.
    Replay(Reply),
    Fresh(Box<CaseWrite<'a>>),
}

/// The common start of every idempotent write on a case. Scope first (404), then the role's
/// permission (403), then the key, so that nothing about an unseen case leaks.
pub async fn begin_case_write<'a>(
    store: &'a crate::store::Store,
    who: &jar_core::permissions::Principal,
    reference: &str,
    (permission, what): (jar_core::permissions::Permission, &str),
    key: super::extract::IdemKey,
    body: &super::extract::RawBody,
    scope: &str,
) -> Result<Begun<'a>> {
    let mut tx = store.begin().await?;
    let (id, case) = super::cases::find_in_scope(tx.conn(), who, reference).await?;
    super::cases::require(who, permission, what)?;
    let key = key.required()?;
    let hash = body.hash(scope);
    if let Some(r) = replay(&mut tx, &who.username, &key, &hash).await? {
        return Ok(Begun::Replay(r));
    }
    Ok(Begun::Fresh(Box::new(CaseWrite {
        tx,
        id,
        case,
        key,
        hash,
    })))
}
