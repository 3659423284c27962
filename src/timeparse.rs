//! Times people type, for the forms: a thin wrapper over [`jar_core::timeparse`], the one
//! parser the client and the case API share (rules, clock changes and errors are documented
//! there). This layer only adds the forms' conventions: an empty "when" means now, and errors
//! are plain strings for the form's error line.

use chrono::{DateTime, Utc};
pub use jar_core::timeparse::Tense;
use jar_core::timeparse::{self as core, TimeError};

/// The editable text for `t` in UK local time: `2026-11-23 14:30`.
pub fn format_local(t: DateTime<Utc>) -> String {
    core::format_input(t)
}

/// Parse a time typed by a person; an empty field means now. Relative offsets count from
/// `now`; a bare clock time is its most recent past occurrence for [`Tense::Happened`] and
/// its next occurrence for [`Tense::Due`].
pub fn parse_when(input: &str, now: DateTime<Utc>, tense: Tense) -> Result<DateTime<Utc>, String> {
    match core::parse(input, now, tense) {
        Err(TimeError::Empty) => Ok(now),
        other => other.map_err(|e| e.to_string()),
    }
}

/// As [`parse_when`], but an empty field means "not given".
pub fn parse_optional(
    input: &str,
    now: DateTime<Utc>,
    tense: Tense,
) -> Result<Option<DateTime<Utc>>, String> {
    core::parse_optional(input, now, tense).map_err(|e| e.to_string())
}

/// What a time field will save, in words, shown under the field before saving:
/// `Ok("yesterday 23:30 GMT, 1h30m ago")`, or the reason it will not parse or is implausible
/// (something that happened in the future, something due in the past).
/// `empty` is what an empty field means ("now" or "not known").
pub fn preview(
    input: &str,
    now: DateTime<Utc>,
    tense: Tense,
    empty_is_now: bool,
) -> Result<String, String> {
    if input.trim().is_empty() && !empty_is_now {
        return Ok("not known".to_string());
    }
    let t = parse_when(input, now, tense)?;
    let words = core::describe(t, now);
    let problem = match tense {
        Tense::Happened => jar_core::plausibility::happened("", t, now),
        Tense::Due => jar_core::plausibility::due("", t, now),
    };
    match problem {
        Some(p) => Err(format!("{words}: {}", p.message)),
        None => Ok(words),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    #[test]
    fn people_can_type_relative_and_uk_local_times() {
        let now = Utc.with_ymd_and_hms(2026, 7, 10, 12, 0, 0).unwrap();
        assert_eq!(
            parse_when("+7d", now, Tense::Due).unwrap(),
            now + Duration::days(7)
        );
        assert_eq!(
            parse_when("-2h", now, Tense::Happened).unwrap(),
            now - Duration::hours(2)
        );
        assert_eq!(parse_when("", now, Tense::Happened).unwrap(), now);
        // 14:30 BST is 13:30 UTC.
        assert_eq!(
            parse_when("2026-07-10 14:30", now, Tense::Happened).unwrap(),
            Utc.with_ymd_and_hms(2026, 7, 10, 13, 30, 0).unwrap()
        );
        // Issue 14 changed this: at 13:00 BST a bare 14:30 that is due is today's; one that
        // happened is yesterday's (v1 gave today's, an hour and a half in the future).
        assert_eq!(
            parse_when("14:30", now, Tense::Due).unwrap(),
            Utc.with_ymd_and_hms(2026, 7, 10, 13, 30, 0).unwrap()
        );
        assert_eq!(
            parse_when("14:30", now, Tense::Happened).unwrap(),
            Utc.with_ymd_and_hms(2026, 7, 9, 13, 30, 0).unwrap()
        );
        assert!(parse_when("tomorrowish", now, Tense::Due).is_err());
        assert_eq!(format_local(now), "2026-07-10 13:00");
    }

    #[test]
    fn the_preview_reads_the_time_back_in_words() {
        let now = Utc.with_ymd_and_hms(2026, 12, 2, 1, 0, 0).unwrap();
        assert_eq!(
            preview("23:30", now, Tense::Happened, false),
            Ok("yesterday 23:30 GMT, 1h30m ago".to_string())
        );
        assert_eq!(
            preview("", now, Tense::Happened, false),
            Ok("not known".to_string())
        );
        assert_eq!(
            preview("", now, Tense::Happened, true),
            Ok("today 01:00 GMT, now".to_string())
        );
        assert_eq!(
            preview("today 06:10", now, Tense::Happened, false),
            Err("today 06:10 GMT, in 5h10m: is in the future".to_string())
        );
        assert_eq!(
            preview("-1h", now, Tense::Due, false),
            Err("today 00:00 GMT, 1h ago: must be in the future".to_string())
        );
        assert_eq!(
            preview("+7£", now, Tense::Due, false),
            Err("add a unit after the number: m, h, d or w (e.g. -6h)".to_string())
        );
    }
}
