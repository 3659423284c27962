//! Times people type: `now`, `+7d`, `-2h`, `14:30`, `2026-11-23`, `2026-11-23 14:30` (UK local).

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Europe::London;

/// The editable text for `t` in UK local time: `2026-11-23 14:30`.
pub fn format_local(t: DateTime<Utc>) -> String {
    t.with_timezone(&London)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

fn local(naive: NaiveDateTime) -> Result<DateTime<Utc>, String> {
    London
        .from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| "that local time does not exist (clocks went forward)".to_string())
}

/// Parse a time typed by a person. Relative offsets count from `now`.
pub fn parse_when(input: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    let s = input.trim();
    if s.is_empty() || s.eq_ignore_ascii_case("now") {
        return Ok(now);
    }
    if let Some(rest) = s.strip_prefix('+').or_else(|| s.strip_prefix('-')) {
        let sign = if s.starts_with('-') { -1 } else { 1 };
        let (num, unit) = rest.split_at(rest.len().saturating_sub(1));
        let n: i64 = num
            .trim()
            .parse()
            .map_err(|_| format!("{s:?}: expected e.g. +7d, +2w, -3h, +30m"))?;
        let d = match unit {
            "m" => Duration::minutes(n),
            "h" => Duration::hours(n),
            "d" => Duration::days(n),
            "w" => Duration::weeks(n),
            _ => return Err(format!("{s:?}: the unit must be m, h, d or w")),
        };
        return Ok(now + d * sign);
    }
    if let Ok(dt) = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M") {
        return local(dt);
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return local(d.and_time(NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default()));
    }
    if let Ok(t) = NaiveTime::parse_from_str(s, "%H:%M") {
        let today = now.with_timezone(&London).date_naive();
        return local(today.and_time(t));
    }
    Err(format!(
        "{s:?}: expected now, +7d, 14:30, 2026-11-23 or 2026-11-23 14:30 (UK time)"
    ))
}

/// As [`parse_when`], but an empty field means "not given".
pub fn parse_optional(input: &str, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>, String> {
    if input.trim().is_empty() {
        Ok(None)
    } else {
        parse_when(input, now).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn people_can_type_relative_and_uk_local_times() {
        let now = Utc.with_ymd_and_hms(2026, 7, 10, 12, 0, 0).unwrap();
        assert_eq!(parse_when("+7d", now).unwrap(), now + Duration::days(7));
        assert_eq!(parse_when("-2h", now).unwrap(), now - Duration::hours(2));
        // 14:30 BST is 13:30 UTC.
        assert_eq!(
            parse_when("2026-07-10 14:30", now).unwrap(),
            Utc.with_ymd_and_hms(2026, 7, 10, 13, 30, 0).unwrap()
        );
        assert_eq!(
            parse_when("14:30", now).unwrap(),
            Utc.with_ymd_and_hms(2026, 7, 10, 13, 30, 0).unwrap()
        );
        assert!(parse_when("tomorrowish", now).is_err());
        assert_eq!(format_local(now), "2026-07-10 13:00");
    }
}
