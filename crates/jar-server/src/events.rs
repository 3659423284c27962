//! Waking event streams across servers: PostgreSQL NOTIFY says "something changed"; the data
//! itself is always read from the `changes` table.

use crate::store::Store;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

pub fn spawn_pg_listener(store: Arc<Store>, url: String, cancel: CancellationToken) {
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = cancel.cancelled() => return,
                r = listen(&store, &url) => {
                    if let Err(e) = r {
                        tracing::warn!(error = %e, "change listener lost its connection; retrying");
                    }
                }
            }
            tokio::select! {
                _ = cancel.cancelled() => return,
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            }
        }
    });
}

async fn listen(store: &Store, url: &str) -> anyhow::Result<()> {
    let mut listener = sqlx::postgres::PgListener::connect(url).await?;
    listener.listen("jar_changes").await?;
    // Catch up on anything committed while we were not listening.
    store.refresh_latest().await?;
    loop {
        listener.recv().await?;
        store.refresh_latest().await?;
    }
}
