//! The server's clock (issue 12 §4). Everything time-based the server decides (token expiry,
//! sign-in back-off, cache lifetimes, deadlines computed on writes, change retention) asks the
//! [`Clock`] in the API context instead of the system, so tests move time forward instead of
//! sleeping. Production uses [`Clock::system`].

use chrono::{DateTime, Utc};
use std::sync::{Arc, Mutex};

/// A handle to the time: the system clock, or a manual one that only moves when told.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    manual: Option<Arc<Mutex<DateTime<Utc>>>>,
}

impl Clock {
    pub fn system() -> Clock {
        Clock::default()
    }

    /// A clock standing at `start` until [`Clock::advance`] or [`Clock::set`] moves it. Clones
    /// share the same time, so a test keeps one and hands one to the server.
    pub fn manual(start: DateTime<Utc>) -> Clock {
        Clock {
            manual: Some(Arc::new(Mutex::new(start))),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        match &self.manual {
            None => Utc::now(),
            Some(t) => *t.lock().unwrap_or_else(|p| p.into_inner()),
        }
    }

    /// Move a manual clock forward (or back, with a negative duration). The system clock
    /// cannot be moved: this does nothing to it.
    pub fn advance(&self, by: chrono::Duration) {
        if let Some(t) = &self.manual {
            let mut t = t.lock().unwrap_or_else(|p| p.into_inner());
            *t += by;
        }
    }

    pub fn set(&self, to: DateTime<Utc>) {
        if let Some(t) = &self.manual {
            *t.lock().unwrap_or_else(|p| p.into_inner()) = to;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_moves_only_when_told_and_clones_share_it() {
        let start = Utc::now();
        let clock = Clock::manual(start);
        let server_side = clock.clone();
        assert_eq!(server_side.now(), start);
        clock.advance(chrono::Duration::seconds(90));
        assert_eq!(server_side.now(), start + chrono::Duration::seconds(90));
    }
}
