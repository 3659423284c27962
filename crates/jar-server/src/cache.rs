//! Two small in-memory caches for the hottest paths: who holds a token, and rendered case-list
//! pages. Both are only shortcuts: the database stays the truth.
//!
//! - A principal is cached for at most [`PRINCIPAL_TTL`]. Sign-out and disabling a user clear
//!   it at once on this server; other servers sharing a PostgreSQL database notice within the TTL.
//! - A list page is valid only while no change has been committed since it was built (the
//!   change sequence) and for at most [`LIST_TTL`], because `overdue=true` depends on the clock.
//!   It is kept as plain JSON and gzipped: a page of 100 summaries is ~100 KB and ~3-15 KB
//!   gzipped, which matters on a phone link and is what lets the list keep up with `/healthz`
//!   under load (docs/benchmarks.md). Compressing once per page built, not per request, keeps
//!   the cost off the hot path.

use axum::body::Bytes;
use chrono::{DateTime, Utc};
use jar_core::permissions::Principal;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

pub const PRINCIPAL_TTL: Duration = Duration::from_secs(5);
pub const LIST_TTL: Duration = Duration::from_secs(1);
const MAX_PRINCIPALS: usize = 10_000;
const MAX_PAGES: usize = 128;

#[derive(Default)]
pub struct PrincipalCache {
    map: Mutex<HashMap<String, (Principal, DateTime<Utc>)>>,
}

impl PrincipalCache {
    pub fn get(&self, token_hash: &str, now: DateTime<Utc>) -> Option<Principal> {
        let map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        map.get(token_hash)
            .filter(|(_, until)| now < *until)
            .map(|(p, _)| p.clone())
    }

    pub fn put(
        &self,
        token_hash: &str,
        principal: Principal,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) {
        let ttl = chrono::Duration::from_std(PRINCIPAL_TTL).unwrap_or_default();
        let until = expires_at.min(now + ttl);
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= MAX_PRINCIPALS {
            map.clear();
        }
        map.insert(token_hash.to_string(), (principal, until));
    }

    pub fn forget_token(&self, token_hash: &str) {
        self.map
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(token_hash);
    }

    pub fn forget_user(&self, username: &str) {
        self.map
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|_, (p, _)| p.username != username);
    }
}

/// A rendered list page, plain and gzipped.
#[derive(Clone)]
pub struct Page {
    pub json: Bytes,
    pub gzip: Bytes,
}

impl Page {
    pub fn new(json: Bytes) -> Page {
        use std::io::Write;
        // Level 1: most of the gain for a fraction of the time (JSON summaries repeat a lot).
        let mut gz = flate2::write::GzEncoder::new(
            Vec::with_capacity(json.len() / 8),
            flate2::Compression::fast(),
        );
        let gzip = gz
            .write_all(&json)
            .and_then(|()| gz.finish())
            .map(Bytes::from)
            // Writing to memory cannot fail; if it ever did, the plain page is served.
            .unwrap_or_default();
        Page { json, gzip }
    }
}

type CachedPage = (i64, DateTime<Utc>, Page);

#[derive(Default)]
pub struct ListCache {
    /// key → (change seq it was built at, when it was built, the page).
    map: Mutex<HashMap<String, CachedPage>>,
}

impl ListCache {
    /// The page for `key` if it was built at change `seq` less than [`LIST_TTL`] ago.
    pub fn get(&self, key: &str, seq: i64, now: DateTime<Utc>) -> Option<Page> {
        let map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        map.get(key)
            .filter(|(at_seq, built, _)| *at_seq == seq && fresh(*built, now))
            .map(|(_, _, page)| page.clone())
    }

    pub fn put(&self, key: String, seq: i64, body: Page, now: DateTime<Utc>) {
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= MAX_PAGES {
            map.retain(|_, (at_seq, built, _)| *at_seq == seq && fresh(*built, now));
            if map.len() >= MAX_PAGES {
                map.clear();
            }
        }
        map.insert(key, (seq, now, body));
    }
}

/// Built less than [`LIST_TTL`] ago (a clock moved backwards counts as stale).
fn fresh(built: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    (now - built).to_std().is_ok_and(|age| age < LIST_TTL)
}
