//! Plausibility of the times and ages people record (issue 14, section 1): an event that
//! happened is not in the future and not implausibly far back; found is not before last seen;
//! confirmed is not before found; a child is under 18; a next contact is due in the future.
//!
//! One set of rules for the form (shown before sending) and the case API (a 422 naming the
//! field). Every message names the field and fits in 60 columns.

use crate::time::Instant;
use chrono::Duration;

/// Clock skew allowed before a time that happened counts as "in the future".
pub const SKEW_MINUTES: i64 = 5;

/// Children are under 18: nothing about a child's death happened more than this long ago.
pub const MAX_AGE_MONTHS: u16 = 18 * 12;

/// One implausible value: the field (as the API names it) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Implausible {
    pub field: &'static str,
    pub message: String,
}

fn implausible(field: &'static str, message: &str) -> Implausible {
    Implausible {
        field,
        message: message.to_string(),
    }
}

/// A time something happened: not in the future (beyond the skew) and not more than 18
/// years back.
pub fn happened(field: &'static str, t: Instant, now: Instant) -> Option<Implausible> {
    if t > now + Duration::minutes(SKEW_MINUTES) {
        Some(implausible(field, "is in the future"))
    } else if t < now - Duration::days(366 * 18) {
        Some(implausible(field, "is more than 18 years ago"))
    } else {
        None
    }
}

/// A time something is due: in the future.
pub fn due(field: &'static str, t: Instant, now: Instant) -> Option<Implausible> {
    (t <= now).then(|| implausible(field, "must be in the future"))
}

/// The key times of a death, as entered: each happened, and in order (last seen, found,
/// confirmed); the age is under 18.
pub fn death_times(
    last_seen: Option<Instant>,
    found: Option<Instant>,
    confirmed: Option<Instant>,
    age_months: u16,
    now: Instant,
) -> Vec<Implausible> {
    let mut out: Vec<Implausible> = [
        ("last_seen_at", last_seen),
        ("found_at", found),
        ("death_confirmed_at", confirmed),
    ]
    .into_iter()
    .filter_map(|(field, t)| t.and_then(|t| happened(field, t, now)))
    .collect();
    if let (Some(seen), Some(found)) = (last_seen, found)
        && found < seen
    {
        out.push(implausible("found_at", "is before last seen alive"));
    }
    if let (Some(found), Some(confirmed)) = (found, confirmed)
        && confirmed < found
    {
        out.push(implausible("death_confirmed_at", "is before found"));
    }
    if age_months >= MAX_AGE_MONTHS {
        out.push(implausible(
            "age_months",
            "must be under 18 years (216 months)",
        ));
    }
    out
}

/// A SUDI or SUDIC case needs the time the child was found: the NPA window and the other
/// clocks count from it (issue 14 §2), never from the moment the case was typed in.
pub fn found_required(
    category: crate::case::PresentingCategory,
    found: Option<Instant>,
) -> Option<Implausible> {
    use crate::case::PresentingCategory as C;
    (matches!(category, C::Sudi | C::Sudic) && found.is_none())
        .then(|| implausible("found_at", "is required for SUDI and SUDIC"))
}

/// The earliest the child can have been born, from the age in whole months at `death`: no
/// date of birth is on the case (it is identifying), so one month more than the age is
/// allowed for.
pub fn earliest_birth(age_months: u16, death: Instant) -> Instant {
    death - Duration::days((i64::from(age_months) + 1) * 31)
}

/// A timeline event or a contact: it happened (not in the future beyond the skew, not more
/// than 18 years back) and not before the child was born (see [`earliest_birth`]).
pub fn event_time(
    field: &'static str,
    t: Instant,
    earliest_birth: Instant,
    now: Instant,
) -> Option<Implausible> {
    happened(field, t, now).or_else(|| {
        (t < earliest_birth).then(|| implausible(field, "is before the child was born"))
    })
}

impl std::fmt::Display for Implausible {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.field, self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn now() -> Instant {
        Utc.with_ymd_and_hms(2026, 12, 2, 1, 0, 0)
            .single()
            .expect("valid")
    }

    #[test]
    fn each_rule_names_its_field() {
        let n = now();
        let h = Duration::hours;
        assert_eq!(happened("found_at", n + Duration::minutes(4), n), None);
        assert_eq!(
            happened("found_at", n + Duration::minutes(6), n).map(|i| i.to_string()),
            Some("found_at is in the future".to_string())
        );
        assert!(happened("found_at", n - Duration::days(366 * 19), n).is_some());
        assert!(due("next_contact_due", n - h(1), n).is_some());
        assert!(due("next_contact_due", n + h(1), n).is_none());
        let found_before_seen = death_times(Some(n - h(2)), Some(n - h(3)), None, 4, n);
        assert_eq!(found_before_seen[0].field, "found_at");
        let confirmed_before_found = death_times(None, Some(n - h(2)), Some(n - h(3)), 4, n);
        assert_eq!(confirmed_before_found[0].field, "death_confirmed_at");
        assert_eq!(death_times(None, None, None, 216, n)[0].field, "age_months");
        assert!(death_times(Some(n - h(5)), Some(n - h(2)), Some(n - h(1)), 215, n).is_empty());
        for i in death_times(Some(n + h(9)), Some(n - h(2)), Some(n - h(3)), 999, n) {
            assert!(i.to_string().chars().count() <= 60, "{i}");
        }
        use crate::case::PresentingCategory as C;
        assert_eq!(
            found_required(C::Sudi, None).map(|i| i.field),
            Some("found_at")
        );
        assert_eq!(found_required(C::Sudi, Some(n)), None);
        assert_eq!(found_required(C::Trauma, None), None);
        let born = earliest_birth(4, n);
        assert_eq!(
            event_time("occurred_at", born - h(1), born, n).map(|i| i.to_string()),
            Some("occurred_at is before the child was born".to_string())
        );
        assert_eq!(event_time("occurred_at", n - h(1), born, n), None);
        assert!(event_time("occurred_at", n + h(1), born, n).is_some());
    }
}
