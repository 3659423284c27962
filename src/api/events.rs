//! The server's change stream (`GET /events`, SSE), resumed with `Last-Event-ID`. Reports
//! each change, resyncs and the connection state as messages; reconnects with backoff.

use std::time::Duration;

use eventsource_stream::Eventsource;
use futures::StreamExt;
use jar_core::wire::ChangeEvent;
use tokio::sync::mpsc::UnboundedSender;
use tokio_util::sync::CancellationToken;

use super::Client;
use crate::msg::{ApiMsg, Msg};
use crate::sanitize;
use crate::state::Conn;

/// The longest wait between two tries to reach the event stream.
pub const BACKOFF_CAP: Duration = Duration::from_secs(8);
/// Failed tries in a row after which the connection is shown as offline.
pub const OFFLINE_AFTER: u32 = 3;

/// `backoff` plus up to half again, at random, so clients do not all come back together.
fn jittered(backoff: Duration) -> Duration {
    use rand::Rng;
    let extra = rand::rng().random_range(0..=backoff.as_millis() as u64 / 2);
    backoff + Duration::from_millis(extra)
}

/// Run until cancelled (sign-out, session expiry, quit), hearing changes after the change
/// sequence `after` (that of the board's list), or asking for a refetch (`Resync`) first
/// when there is none.
/// Live → reconnecting (exponential backoff with jitter, capped) → offline after
/// `OFFLINE_AFTER` failed tries in a row; tries go on while offline.
pub async fn run(
    client: Client,
    tx: UnboundedSender<Msg>,
    cancel: CancellationToken,
    after: Option<i64>,
) {
    let mut last_id: Option<String> = after.map(|seq| seq.to_string());
    let mut backoff = Duration::from_millis(500);
    let mut failures: u32 = 0;
    loop {
        let outcome = tokio::select! {
            _ = cancel.cancelled() => return,
            o = listen(&client, &tx, &mut last_id) => o,
        };
        match outcome {
            Outcome::Unauthorized => {
                // Sign-in comes back over the screen; the stream restarts after it.
                let _ = tx.send(Msg::Api(ApiMsg::SessionExpired));
                return;
            }
            Outcome::Ended { was_live } => {
                if was_live {
                    backoff = Duration::from_millis(500);
                    failures = 0;
                } else {
                    failures = failures.saturating_add(1);
                }
                let conn = if failures >= OFFLINE_AFTER {
                    Conn::Offline
                } else {
                    Conn::Reconnecting
                };
                let _ = tx.send(Msg::Api(ApiMsg::Conn(conn)));
            }
        }
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tokio::time::sleep(jittered(backoff)) => {}
        }
        backoff = (backoff * 2).min(BACKOFF_CAP);
    }
}

enum Outcome {
    Unauthorized,
    Ended { was_live: bool },
}

async fn listen(
    client: &Client,
    tx: &UnboundedSender<Msg>,
    last_id: &mut Option<String>,
) -> Outcome {
    let mut rb = client
        .stream_request("/events")
        .header("Accept", "text/event-stream");
    if let Some(id) = last_id.as_deref() {
        rb = rb.header("Last-Event-ID", id);
    }
    let resp = match rb.send().await {
        Ok(r) => r,
        Err(e) => {
            tracing::debug!(error_kind = %if e.is_timeout() { "timeout" } else { "connect" }, "events: connect failed");
            return Outcome::Ended { was_live: false };
        }
    };
    if resp.status() == reqwest::StatusCode::UNAUTHORIZED {
        return Outcome::Unauthorized;
    }
    if !resp.status().is_success() {
        tracing::warn!(status = resp.status().as_u16(), "events: refused");
        return Outcome::Ended { was_live: false };
    }
    let _ = tx.send(Msg::Api(ApiMsg::Conn(Conn::Live)));
    // Anything missed while we were away is replayed from Last-Event-ID; without one, refetch.
    if last_id.is_none() {
        let _ = tx.send(Msg::Api(ApiMsg::Resync));
    }
    // Capped: an endless line or event ends the stream (then it reconnects with backoff).
    let mut stream = super::limits::capped_sse(resp.bytes_stream()).eventsource();
    while let Some(item) = stream.next().await {
        let Ok(ev) = item else {
            break;
        };
        if !ev.id.is_empty() {
            *last_id = Some(ev.id.clone());
        }
        match ev.event.as_str() {
            "resync" => {
                let _ = tx.send(Msg::Api(ApiMsg::Resync));
            }
            "change" | "message" | "" => {
                match sanitize::decode::<ChangeEvent>(ev.data.as_bytes()) {
                    Ok(change) => {
                        let _ = tx.send(Msg::Api(ApiMsg::Change(change)));
                    }
                    Err(e) => tracing::warn!(error = %e, "events: unreadable change"),
                }
            }
            _ => {}
        }
    }
    Outcome::Ended { was_live: true }
}
