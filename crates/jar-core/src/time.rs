//! Time: everything is stored and computed in UTC and shown in UK local time.
//!
//! Deadlines are offsets in real elapsed time ("8 hours after death"), so they are computed on
//! UTC instants; only display converts to Europe/London, where GMT and BST alternate.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Europe::London;

pub type Instant = DateTime<Utc>;

/// The instant in UK local time, e.g. `03:12 GMT` or `14:05 BST`.
pub fn uk_clock(t: Instant) -> String {
    t.with_timezone(&London).format("%H:%M %Z").to_string()
}

/// Date and time in UK local time, e.g. `Sun 26 Oct 01:30 GMT`.
pub fn uk_datetime(t: Instant) -> String {
    t.with_timezone(&London)
        .format("%a %d %b %H:%M %Z")
        .to_string()
}

/// The UK zone abbreviation in force at `t`: "GMT" or "BST".
pub fn uk_zone(t: Instant) -> String {
    t.with_timezone(&London).format("%Z").to_string()
}

/// A duration in the words a tired person reads fastest: `40m`, `1h20m`, `3d`, `5w`.
pub fn short_duration(d: Duration) -> String {
    let mins = d.num_minutes().abs();
    if mins < 60 {
        format!("{mins}m")
    } else if mins < 24 * 60 {
        let (h, m) = (mins / 60, mins % 60);
        if m == 0 || h >= 10 {
            format!("{h}h")
        } else {
            format!("{h}h{m:02}m")
        }
    } else if mins < 14 * 24 * 60 {
        format!("{}d", mins / (24 * 60))
    } else {
        format!("{}w", mins / (7 * 24 * 60))
    }
}

/// "in 1h20m" for the future, "OVERDUE 3h" for the past.
pub fn countdown(due: Instant, now: Instant) -> String {
    if due >= now {
        format!("in {}", short_duration(due - now))
    } else {
        format!("OVERDUE {}", short_duration(now - due))
    }
}

/// "2d ago", "5m ago", "just now".
pub fn ago(t: Instant, now: Instant) -> String {
    let d = now - t;
    if d < Duration::minutes(1) {
        "just now".to_string()
    } else {
        format!("{} ago", short_duration(d))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn countdown_reads_as_words() {
        let now = Utc.with_ymd_and_hms(2026, 1, 10, 3, 0, 0).unwrap();
        assert_eq!(countdown(now + Duration::minutes(80), now), "in 1h20m");
        assert_eq!(countdown(now - Duration::hours(3), now), "OVERDUE 3h");
        assert_eq!(countdown(now + Duration::days(3), now), "in 3d");
        assert_eq!(countdown(now + Duration::weeks(5), now), "in 5w");
        assert_eq!(ago(now - Duration::days(2), now), "2d ago");
    }

    #[test]
    fn uk_clock_shows_gmt_in_winter_and_bst_in_summer() {
        let winter = Utc.with_ymd_and_hms(2026, 1, 10, 3, 12, 0).unwrap();
        let summer = Utc.with_ymd_and_hms(2026, 7, 10, 3, 12, 0).unwrap();
        assert_eq!(uk_clock(winter), "03:12 GMT");
        assert_eq!(uk_clock(summer), "04:12 BST");
    }
}
