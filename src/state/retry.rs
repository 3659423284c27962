//! When to ask the server again for something a start-up needs (who the saved token belongs
//! to) after the network failed: the outbox's back-off (1 s doubling to 30 s), kept in state
//! so `update` stays pure and the tick decides.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::outbox::retry_delay;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Retry {
    attempts: u32,
    at: Option<DateTime<Utc>>,
}

impl Retry {
    /// The last try failed at `now`: schedule the next one.
    pub fn failed(&mut self, now: DateTime<Utc>) {
        self.attempts = self.attempts.saturating_add(1);
        // Jitter from a fixed key: one client, one schedule; the outbox's writes differ.
        self.at = Some(now + retry_delay(self.attempts, Uuid::nil()));
    }

    /// A try is due at `now` (it is then taken: the schedule waits for the next failure).
    pub fn take_due(&mut self, now: DateTime<Utc>) -> bool {
        if self.at.is_some_and(|t| now >= t) {
            self.at = None;
            return true;
        }
        false
    }

    pub fn waiting(&self) -> bool {
        self.at.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn a_failed_start_is_tried_again_later_and_only_once_per_failure() {
        let t0 = DateTime::parse_from_rfc3339("2026-12-01T03:00:00Z")
            .expect("time")
            .with_timezone(&Utc);
        let mut r = Retry::default();
        assert!(!r.take_due(t0));
        r.failed(t0);
        assert!(!r.take_due(t0));
        assert!(r.take_due(t0 + Duration::seconds(2)));
        assert!(!r.take_due(t0 + Duration::seconds(3)), "taken once");
        r.failed(t0 + Duration::seconds(3));
        assert!(
            !r.take_due(t0 + Duration::seconds(4)),
            "the second wait is longer"
        );
        assert!(r.take_due(t0 + Duration::seconds(6)));
    }
}
