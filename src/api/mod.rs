//! The only place that speaks HTTP. Knows nothing of the terminal or of `State`.

pub mod client;
pub mod desk;
pub mod events;
pub mod limits;

pub use client::Client;

use jar_core::wire::Problem;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApiError {
    #[error("cannot reach the server: {0}")]
    Network(String),
    /// 401: the token is missing, wrong or expired.
    #[error("session expired")]
    Unauthorized,
    /// Any other error status, with the server's problem details.
    #[error("{}", .0.title)]
    Problem(Problem),
    #[error("unexpected answer from the server: {0}")]
    Decode(String),
}

/// What a failed request means for the client, whatever the HTTP status was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Not reached, a server in trouble (5xx, 408, 429) or an answer that could not be
    /// read: it may or may not have been applied, so a write is sent again with its key.
    Retryable,
    /// 401: the session expired; sign in again.
    SignIn,
    /// 412: someone else changed it first.
    Stale,
    /// 403: not for this role.
    Forbidden,
    /// 404, 410: not there, or not in the person's areas.
    Gone,
    /// Refused for good (400, 409, 422…): the person has to change something.
    Refused,
}

impl ApiError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            ApiError::Network(_) | ApiError::Decode(_) => ErrorKind::Retryable,
            ApiError::Unauthorized => ErrorKind::SignIn,
            ApiError::Problem(p) => match p.status {
                401 => ErrorKind::SignIn,
                412 => ErrorKind::Stale,
                403 => ErrorKind::Forbidden,
                404 | 410 => ErrorKind::Gone,
                408 | 429 => ErrorKind::Retryable,
                s if s >= 500 => ErrorKind::Retryable,
                _ => ErrorKind::Refused,
            },
        }
    }

    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Unauthorized => Some(401),
            ApiError::Problem(p) => Some(p.status),
            _ => None,
        }
    }

    /// Plain words for a banner or dialog: what happened and what to do next.
    pub fn describe(&self) -> String {
        match self {
            ApiError::Network(e) => {
                format!(
                    "Cannot reach the server ({e}). Check the connection; jarterm keeps trying."
                )
            }
            ApiError::Unauthorized => "Your session has expired: sign in again.".to_string(),
            ApiError::Problem(p) if p.status >= 500 => format!(
                "The server had a problem ({} {}). Try again in a minute.",
                p.status, p.title
            ),
            ApiError::Problem(p) if p.detail.is_empty() => format!("{} ({}).", p.title, p.status),
            ApiError::Problem(p) => format!("{}: {}", p.title, p.detail),
            ApiError::Decode(e) => format!("The server's answer could not be read ({e})."),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(status: u16) -> ApiError {
        ApiError::Problem(Problem {
            kind: "about:blank".into(),
            title: "t".into(),
            status,
            detail: String::new(),
            current: None,
        })
    }

    #[test]
    fn every_failure_has_one_meaning_for_the_client() {
        use ErrorKind::*;
        assert_eq!(ApiError::Network("reset".into()).kind(), Retryable);
        assert_eq!(ApiError::Decode("cut".into()).kind(), Retryable);
        assert_eq!(ApiError::Unauthorized.kind(), SignIn);
        for (status, kind) in [
            (401, SignIn),
            (412, Stale),
            (403, Forbidden),
            (404, Gone),
            (410, Gone),
            (408, Retryable),
            (429, Retryable),
            (500, Retryable),
            (503, Retryable),
            (400, Refused),
            (409, Refused),
            (422, Refused),
        ] {
            assert_eq!(problem(status).kind(), kind, "{status}");
        }
    }
}
