//! Replies to writes, which an `Idempotency-Key` may need to replay byte for byte (the replay
//! itself is part of the unit of work in `write.rs`).

use super::error::Result;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
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
