//! `GET /events`: server-sent events of every change the subscriber may see. The stream reads
//! the `changes` table, so a reconnect with `Last-Event-ID` replays exactly what was missed.

use super::ApiContext;
use super::error::Result;
use super::extract::AuthUser;
use crate::store::changes::{self, StoredChange};
use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::get;
use futures::channel::mpsc;
use futures::{SinkExt, Stream, StreamExt};
use jar_core::permissions::{self, Principal};
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

/// A heartbeat (an SSE comment) this often: a client whose read waits longer than about two
/// of these knows the stream is dead (jarterm's is 12 s; issue 18 §1: noticed within 15 s).
/// Costs ~3 bytes per 5 s per client.
pub const KEEP_ALIVE: Duration = Duration::from_secs(5);
const BATCH: i64 = 500;

pub fn router() -> Router<Arc<ApiContext>> {
    Router::new().route("/events", get(events))
}

/// Whether this person may hear of this change: `jar_core::permissions::may_hear_change`, the
/// same scope rule as the reads.
pub fn visible(who: &Principal, c: &StoredChange) -> bool {
    permissions::may_hear_change(who, &c.event, c.key_worker.as_deref(), c.restricted)
}

#[utoipa::path(get, path = "/api/v1/events", tag = "events",
    params(super::openapi::params::LastEventId),
    responses((status = 200, content_type = "text/event-stream", body = super::openapi::StreamEvent,
        description = "server-sent events: a `change` (data: a `ChangeEvent`) for every change you may see, and `resync` when the changes you missed are no longer kept")))]
pub async fn events(
    State(ctx): State<Arc<ApiContext>>,
    user: AuthUser,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = std::result::Result<Event, Infallible>>>> {
    let last = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<i64>().ok());
    let (tx, rx) = mpsc::channel(64);
    tokio::spawn(async move {
        // The stream ends on any error; the client reconnects with Last-Event-ID.
        let _ = pump(ctx, user, last, tx).await;
    });
    Ok(Sse::new(rx.map(Ok)).keep_alive(KeepAlive::new().interval(KEEP_ALIVE)))
}

async fn pump(
    ctx: Arc<ApiContext>,
    user: AuthUser,
    last: Option<i64>,
    mut tx: mpsc::Sender<Event>,
) -> anyhow::Result<()> {
    let mut watch = ctx.store.subscribe();
    let latest = *watch.borrow_and_update();
    let mut cursor = match last {
        None => latest,
        Some(id) => {
            let mut conn = ctx.store.read().await?;
            let min = changes::min_seq(&mut conn).await?;
            let max = changes::max_seq(&mut conn).await?;
            // Older than what we keep, or from another database: the client must refetch.
            if id > max || min.is_some_and(|m| id < m - 1) {
                tx.send(
                    Event::default()
                        .event("resync")
                        .id(max.to_string())
                        .data("{}"),
                )
                .await?;
                max
            } else {
                id
            }
        }
    };
    loop {
        // A key worker also hears of the cases of those they cover now (issue 15 §4): the same
        // rule, asked as the covered key worker within the cover's own areas.
        let covering: Vec<Principal> = if user.principal.role == jar_core::Role::KeyWorker {
            let mut conn = ctx.store.read().await?;
            crate::store::people::covering(&mut conn, &user.principal.username, ctx.now())
                .await?
                .into_iter()
                .map(|username| Principal {
                    username,
                    ..user.principal.clone()
                })
                .collect()
        } else {
            Vec::new()
        };
        loop {
            let batch = ctx.store.changes_after(cursor, BATCH).await?;
            if batch.is_empty() {
                break;
            }
            for c in batch.iter() {
                cursor = c.event.seq;
                if visible(&user.principal, c) || covering.iter().any(|p| visible(p, c)) {
                    let data = serde_json::to_string(&c.event)?;
                    tx.send(
                        Event::default()
                            .event("change")
                            .id(cursor.to_string())
                            .data(data),
                    )
                    .await?;
                }
            }
        }
        tokio::select! {
            _ = ctx.shutdown.cancelled() => return Ok(()),
            changed = watch.changed() => changed?,
            _ = tokio::time::sleep(KEEP_ALIVE) => {
                if tx.is_closed() {
                    return Ok(());
                }
            }
        }
        // A revoked token or disabled user stops hearing changes.
        if ctx.principal(&user.token_hash).await?.is_none() {
            return Ok(());
        }
    }
}
