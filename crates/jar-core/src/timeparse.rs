//! One parser for every time a person types, so that `23:30` means what a tired clinician at
//! 01:00 meant by it: yesterday 23:30, not tomorrow's.
//!
//! Accepted (case-insensitive, UK local time unless a zone is given):
//!
//! | input | meaning |
//! |---|---|
//! | `now` | now |
//! | `23:30`, `9:05`, `2:30pm`, `2pm`, `11.15 am` | the most recent past occurrence for things that happened ([`Tense::Happened`]); the next occurrence for things due ([`Tense::Due`]) |
//! | `yesterday 23:30`, `today 06:10`, `tomorrow 09:00` | that clock time on that UK day |
//! | `01/12/2026 14:30`, `1/12 14:30` | UK day/month order; without a year, the most recent (or next) such date |
//! | `1 Dec 14:30`, `1st December 2026 2:30pm`, `Dec 1 14:30` | the same with a month name |
//! | `2026-12-01 14:30`, `2026-12-01T14:30` | ISO |
//! | `2026-12-01T14:30:00Z`, `…+01:00` | RFC 3339: an exact instant |
//! | `-6h`, `+2d`, `-1h30m`, `+30m`, `+2w` | relative to now (at most 20 years either way) |
//! | any of the above + `GMT`, `BST` or `UTC` | that zone; GMT/BST must be the UK zone in force that day |
//!
//! A date without a time is accepted only for things due (09:00 that day): for something that
//! happened a guessed time would be a wrong time. Four-digit clock times without a colon
//! (`2330`) are refused: `2026` would otherwise read as 20:26.
//!
//! UK clock changes (decided with clinical safety in mind, each a test):
//! - A local time that does not exist (the hour skipped when clocks go forward, e.g. `01:30` on
//!   the last Sunday of March) is an error naming the day: the person misremembered or mistyped,
//!   and guessing either neighbour would move a clinical window by an hour.
//! - A local time that happens twice (the hour repeated when clocks go back) is resolved only
//!   when exactly one of the two instants fits the tense (happened: not in the future; due: not
//!   in the past); otherwise it is an error asking for `BST` or `GMT`.
//! - "Most recent past occurrence" allows [`CLOCK_SKEW_MINUTES`] of clock skew: at 01:00,
//!   `01:03` is three minutes from now, not yesterday.
//!
//! Nothing here panics, whatever the input (proptest-fuzzed), and every error message fits in
//! 60 columns so it shows whole beside a form field.

use crate::time::{Instant, short_duration};
use chrono::{
    DateTime, Datelike, Duration, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, NaiveTime,
    TimeZone, Timelike, Utc,
};
use chrono_tz::Europe::London;

/// Whether a field records something that happened or something that is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tense {
    /// A death, a contact, a sample: a bare clock time is its most recent past occurrence.
    Happened,
    /// A next contact, a meeting: a bare clock time is its next occurrence.
    Due,
}

/// Clock skew allowed when deciding whether a typed time is "already past".
pub const CLOCK_SKEW_MINUTES: i64 = 5;

/// Relative times (`+2d`) reach at most this many years either way.
pub const MAX_RELATIVE_YEARS: i64 = 20;

/// Inputs longer than this are not times (and are not looked at further).
const MAX_INPUT_CHARS: usize = 64;

/// Why a typed time was not understood. Every message fits in 60 columns.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    #[error("type a time, e.g. 14:30, yesterday 23:30 or -2h")]
    Empty,
    #[error("not a time: try 14:30, 1 Dec 14:30 or -6h")]
    NotATime,
    #[error("add a unit after the number: m, h, d or w (e.g. -6h)")]
    BadUnit,
    #[error("too far: relative times reach 20 years at most")]
    TooFar,
    #[error("hours 0-23, minutes 00-59: e.g. 23:30 or 11:30pm")]
    BadClock,
    #[error("no such date: check the day and the month")]
    NoSuchDate,
    #[error("write the year in full, e.g. 01/12/2026")]
    ShortYear,
    #[error("years from 1900 to 2200 only")]
    YearOutOfRange,
    #[error("add a time, e.g. 1 Dec 14:30")]
    NeedsTime,
    /// The hour skipped when UK clocks go forward.
    #[error("{time} did not exist on {day}: clocks went forward")]
    Skipped { time: String, day: String },
    /// The hour repeated when UK clocks go back, with both instants possible.
    #[error("{time} on {day} happened twice: add BST or GMT")]
    Twice { time: String, day: String },
    /// `14:30 BST` on a day the UK is on GMT (or the reverse).
    #[error("{time} {zone} is not UK time on {day}")]
    WrongZone {
        time: String,
        zone: &'static str,
        day: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Zone {
    Gmt,
    Bst,
    Utc,
}

impl Zone {
    fn name(self) -> &'static str {
        match self {
            Zone::Gmt => "GMT",
            Zone::Bst => "BST",
            Zone::Utc => "UTC",
        }
    }
}

/// A date as typed: fully given, or day and month with the year left to the tense.
#[derive(Debug, Clone, Copy)]
enum DateSpec {
    Full(NaiveDate),
    NoYear { day: u32, month: u32 },
}

fn short_day(d: NaiveDate) -> String {
    d.format("%a %-d %b").to_string()
}

fn hhmm(t: NaiveTime) -> String {
    t.format("%H:%M").to_string()
}

/// The UK local date of an instant.
pub fn uk_date(t: Instant) -> NaiveDate {
    t.with_timezone(&London).date_naive()
}

/// The editable text for `t` in UK local time, e.g. `2026-11-23 14:30`; [`parse`] reads it back.
pub fn format_input(t: Instant) -> String {
    t.with_timezone(&London)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// `t` in words relative to `now`, for showing a parsed time back before it is saved:
/// `yesterday 23:30 GMT, 1h30m ago`, `today 06:10 BST, in 2h`, `Tue 1 Dec 14:30 GMT, 3d ago`.
pub fn describe(t: Instant, now: Instant) -> String {
    let local = t.with_timezone(&London);
    let day = local.date_naive();
    let today = uk_date(now);
    let clock = local.format("%H:%M %Z");
    let when = match (day - today).num_days() {
        0 => format!("today {clock}"),
        -1 => format!("yesterday {clock}"),
        1 => format!("tomorrow {clock}"),
        _ if day.year() == today.year() => format!("{} {clock}", local.format("%a %-d %b")),
        _ => format!("{} {clock}", local.format("%a %-d %b %Y")),
    };
    let d = t - now;
    let rel = if d.num_minutes() == 0 {
        "now".to_string()
    } else if d < Duration::zero() {
        format!("{} ago", short_duration(-d))
    } else {
        format!("in {}", short_duration(d))
    };
    format!("{when}, {rel}")
}

/// As [`parse`], but an empty field means "not given".
pub fn parse_optional(
    input: &str,
    now: Instant,
    tense: Tense,
) -> Result<Option<Instant>, TimeError> {
    if input.trim().is_empty() {
        Ok(None)
    } else {
        parse(input, now, tense).map(Some)
    }
}

/// Parse a time typed by a person at `now` (injected: never the system clock).
pub fn parse(input: &str, now: Instant, tense: Tense) -> Result<Instant, TimeError> {
    if input.chars().count() > MAX_INPUT_CHARS {
        return Err(TimeError::NotATime);
    }
    let s = input.trim().to_lowercase();
    if s.is_empty() {
        return Err(TimeError::Empty);
    }
    if s == "now" {
        return Ok(now);
    }
    if let Some(rest) = s.strip_prefix('+') {
        return relative(rest, now, 1);
    }
    // Both the ASCII hyphen and the Unicode minus sign mean "ago".
    if let Some(rest) = s.strip_prefix('-').or_else(|| s.strip_prefix('\u{2212}')) {
        return relative(rest, now, -1);
    }
    if let Ok(exact) = DateTime::parse_from_rfc3339(input.trim()) {
        if !(1900..=2200).contains(&exact.year()) {
            return Err(TimeError::YearOutOfRange);
        }
        return Ok(exact.with_timezone(&Utc));
    }
    let mut tokens = tokenise(&s);
    let zone = match tokens.last().map(String::as_str) {
        Some("gmt") => Some(Zone::Gmt),
        Some("bst") => Some(Zone::Bst),
        Some("utc") | Some("z") => Some(Zone::Utc),
        _ => None,
    };
    if zone.is_some() {
        tokens.pop();
    }
    let (times, dates): (Vec<String>, Vec<String>) = tokens.into_iter().partition(|t| is_clock(t));
    let time = match times.as_slice() {
        [] => None,
        [one] => Some(clock(one)?),
        _ => return Err(TimeError::NotATime),
    };
    let today = uk_date(now);
    let date = date_spec(&dates, today)?;
    match (date, time) {
        (None, None) => Err(TimeError::NotATime),
        (None, Some(t)) => {
            let days = match tense {
                Tense::Happened => [today, today - Duration::days(1)],
                Tense::Due => [today, today + Duration::days(1)],
            };
            pick(&days.map(Some), t, zone, tense, now)
        }
        (Some(spec), time) => {
            let t = match (time, tense) {
                (Some(t), _) => t,
                (None, Tense::Due) => {
                    NaiveTime::from_hms_opt(9, 0, 0).ok_or(TimeError::BadClock)?
                }
                (None, Tense::Happened) => return Err(TimeError::NeedsTime),
            };
            match spec {
                DateSpec::Full(d) => resolve(d, t, zone, tense, now),
                DateSpec::NoYear { day, month } => {
                    let y = today.year();
                    let years = match tense {
                        Tense::Happened => [y, y - 1],
                        Tense::Due => [y, y + 1],
                    };
                    let dates = years.map(|y| NaiveDate::from_ymd_opt(y, month, day));
                    if dates.iter().all(Option::is_none) {
                        return Err(TimeError::NoSuchDate);
                    }
                    pick(&dates, t, zone, tense, now)
                }
            }
        }
    }
}

/// Words split on spaces and commas; `am`/`pm` joined to the number before them; an ISO
/// `2026-12-01t14:30` split at the `t`.
fn tokenise(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for raw in s.split(|c: char| c.is_whitespace() || c == ',') {
        if raw.is_empty() {
            continue;
        }
        if matches!(raw, "am" | "pm" | "a.m." | "p.m.")
            && let Some(prev) = out.last_mut()
        {
            prev.push_str(raw);
            continue;
        }
        if raw.starts_with(|c: char| c.is_ascii_digit())
            && raw.contains('-')
            && let Some((d, t)) = raw.split_once('t')
        {
            out.push(d.to_string());
            out.push(t.to_string());
            continue;
        }
        out.push(raw.to_string());
    }
    out
}

fn is_clock(token: &str) -> bool {
    token.contains(':')
        || ["am", "pm", "a.m.", "p.m."]
            .iter()
            .any(|suffix| token.ends_with(suffix))
}

/// A number of at most `max_len` ASCII digits.
fn digits(s: &str, max_len: usize) -> Option<u32> {
    if s.is_empty() || s.len() > max_len || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// `23:30`, `9:05`, `2:30pm`, `2pm`, `11.15am`, `12am` (midnight), `12pm` (noon).
fn clock(token: &str) -> Result<NaiveTime, TimeError> {
    let (body, meridiem) = if let Some(b) = token
        .strip_suffix("a.m.")
        .or_else(|| token.strip_suffix("am"))
    {
        (b, Some(false))
    } else if let Some(b) = token
        .strip_suffix("p.m.")
        .or_else(|| token.strip_suffix("pm"))
    {
        (b, Some(true))
    } else {
        (token, None)
    };
    let (h, m) = match body.split_once([':', '.']) {
        Some((h, m)) if m.len() == 2 => (
            digits(h, 2).ok_or(TimeError::BadClock)?,
            digits(m, 2).ok_or(TimeError::BadClock)?,
        ),
        Some(_) => return Err(TimeError::BadClock),
        None if meridiem.is_some() => (digits(body, 2).ok_or(TimeError::BadClock)?, 0),
        None => return Err(TimeError::NotATime),
    };
    let hour = match meridiem {
        None => h,
        Some(_) if !(1..=12).contains(&h) => return Err(TimeError::BadClock),
        Some(false) => h % 12,
        Some(true) => h % 12 + 12,
    };
    NaiveTime::from_hms_opt(hour, m, 0).ok_or(TimeError::BadClock)
}

fn month(word: &str) -> Option<u32> {
    const NAMES: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let w = word.trim_end_matches('.');
    if w == "sept" {
        return Some(9);
    }
    NAMES
        .iter()
        .position(|n| w.len() >= 3 && n.starts_with(w))
        .and_then(|i| u32::try_from(i + 1).ok())
}

/// `1`, `01`, `1st`, `22nd`, `3rd`, `4th`.
fn day_number(word: &str) -> Option<u32> {
    let w = ["st", "nd", "rd", "th"]
        .iter()
        .find_map(|s| word.strip_suffix(s))
        .unwrap_or(word);
    digits(w, 2)
}

fn year(word: &str) -> Result<i32, TimeError> {
    if word.len() < 4 && digits(word, 3).is_some() {
        return Err(TimeError::ShortYear);
    }
    let y = digits(word, 4).ok_or(TimeError::NotATime)?;
    let y = i32::try_from(y).map_err(|_| TimeError::YearOutOfRange)?;
    if (1900..=2200).contains(&y) {
        Ok(y)
    } else {
        Err(TimeError::YearOutOfRange)
    }
}

fn full(y: i32, m: u32, d: u32) -> Result<DateSpec, TimeError> {
    NaiveDate::from_ymd_opt(y, m, d)
        .map(DateSpec::Full)
        .ok_or(TimeError::NoSuchDate)
}

fn no_year(day: u32, month: u32) -> Result<DateSpec, TimeError> {
    // 29 Feb is a real date in a leap year: check against one.
    NaiveDate::from_ymd_opt(2028, month, day)
        .map(|_| DateSpec::NoYear { day, month })
        .ok_or(TimeError::NoSuchDate)
}

fn date_spec(words: &[String], today: NaiveDate) -> Result<Option<DateSpec>, TimeError> {
    let w: Vec<&str> = words.iter().map(String::as_str).collect();
    let spec = match w.as_slice() {
        [] => return Ok(None),
        ["today"] => DateSpec::Full(today),
        ["yesterday"] => DateSpec::Full(today - Duration::days(1)),
        ["tomorrow"] => DateSpec::Full(today + Duration::days(1)),
        [one] if one.contains('/') => {
            let parts: Vec<&str> = one.split('/').collect();
            let num = |s: &str| digits(s, 2).ok_or(TimeError::NotATime);
            match parts.as_slice() {
                [d, m] => no_year(num(d)?, num(m)?)?,
                [d, m, y] => full(year(y)?, num(m)?, num(d)?)?,
                _ => return Err(TimeError::NotATime),
            }
        }
        [one] if one.contains('-') => {
            let parts: Vec<&str> = one.split('-').collect();
            match parts.as_slice() {
                [y, m, d] if y.len() == 4 => full(
                    year(y)?,
                    digits(m, 2).ok_or(TimeError::NotATime)?,
                    digits(d, 2).ok_or(TimeError::NotATime)?,
                )?,
                _ => return Err(TimeError::NotATime),
            }
        }
        [a, b] | [a, b, _] => {
            let (d, m) = match (day_number(a), month(b), month(a), day_number(b)) {
                (Some(d), Some(m), _, _) | (_, _, Some(m), Some(d)) => (d, m),
                _ => return Err(TimeError::NotATime),
            };
            match w.get(2) {
                Some(y) => full(year(y)?, m, d)?,
                None => no_year(d, m)?,
            }
        }
        _ => return Err(TimeError::NotATime),
    };
    Ok(Some(spec))
}

/// Whether `x` can be the meaning of a typed time with this tense at `now`.
fn fits(x: Instant, tense: Tense, now: Instant) -> bool {
    match tense {
        Tense::Happened => x <= now + Duration::minutes(CLOCK_SKEW_MINUTES),
        Tense::Due => x >= floor_minute(now),
    }
}

fn floor_minute(t: Instant) -> Instant {
    t.with_second(0)
        .and_then(|t| t.with_nanosecond(0))
        .unwrap_or(t)
}

/// Whether a local wall-clock time is on the tense's side of now's wall clock (used only for
/// a skipped local time, which has no instant to compare).
fn wall_fits(local: NaiveDateTime, tense: Tense, now: Instant) -> bool {
    let wall = now.with_timezone(&London).naive_local();
    match tense {
        Tense::Happened => local <= wall + Duration::minutes(CLOCK_SKEW_MINUTES),
        Tense::Due => local >= wall - Duration::minutes(1),
    }
}

/// The first candidate day (in order of preference) on which the clock time fits the tense.
/// The last candidate is taken whatever: it is the fallback ("yesterday", "tomorrow").
fn pick(
    days: &[Option<NaiveDate>],
    t: NaiveTime,
    zone: Option<Zone>,
    tense: Tense,
    now: Instant,
) -> Result<Instant, TimeError> {
    let last = days.iter().rposition(Option::is_some);
    for (i, day) in days.iter().enumerate() {
        let Some(day) = *day else { continue };
        if Some(i) == last {
            return resolve(day, t, zone, tense, now);
        }
        let local = day.and_time(t);
        if let Some(z) = zone {
            let x = zoned(day, t, z)?;
            if fits(x, tense, now) {
                return Ok(x);
            }
            continue;
        }
        match London.from_local_datetime(&local) {
            LocalResult::Single(x) => {
                let x = x.with_timezone(&Utc);
                if fits(x, tense, now) {
                    return Ok(x);
                }
            }
            LocalResult::None => {
                if wall_fits(local, tense, now) {
                    return Err(TimeError::Skipped {
                        time: hhmm(t),
                        day: short_day(day),
                    });
                }
            }
            LocalResult::Ambiguous(a, b) => {
                let fitting: Vec<Instant> = [a, b]
                    .into_iter()
                    .map(|x| x.with_timezone(&Utc))
                    .filter(|x| fits(*x, tense, now))
                    .collect();
                match fitting.as_slice() {
                    [] => {}
                    [one] => return Ok(*one),
                    _ => {
                        return Err(TimeError::Twice {
                            time: hhmm(t),
                            day: short_day(day),
                        });
                    }
                }
            }
        }
    }
    Err(TimeError::NoSuchDate)
}

/// `t` on `day` in an explicit zone; GMT and BST must be the UK zone in force then.
fn zoned(day: NaiveDate, t: NaiveTime, zone: Zone) -> Result<Instant, TimeError> {
    let offset_hours = match zone {
        Zone::Gmt | Zone::Utc => 0,
        Zone::Bst => 1,
    };
    let offset = FixedOffset::east_opt(offset_hours * 3600).ok_or(TimeError::NotATime)?;
    let x = match offset.from_local_datetime(&day.and_time(t)) {
        LocalResult::Single(x) => x.with_timezone(&Utc),
        _ => return Err(TimeError::NotATime),
    };
    if zone != Zone::Utc && crate::time::uk_zone(x) != zone.name() {
        return Err(TimeError::WrongZone {
            time: hhmm(t),
            zone: zone.name(),
            day: short_day(day),
        });
    }
    Ok(x)
}

/// `t` on a given UK `day`; a repeated hour is resolved only if one instant fits the tense.
fn resolve(
    day: NaiveDate,
    t: NaiveTime,
    zone: Option<Zone>,
    tense: Tense,
    now: Instant,
) -> Result<Instant, TimeError> {
    if let Some(z) = zone {
        return zoned(day, t, z);
    }
    match London.from_local_datetime(&day.and_time(t)) {
        LocalResult::Single(x) => Ok(x.with_timezone(&Utc)),
        LocalResult::None => Err(TimeError::Skipped {
            time: hhmm(t),
            day: short_day(day),
        }),
        LocalResult::Ambiguous(a, b) => {
            let fitting: Vec<Instant> = [a, b]
                .into_iter()
                .map(|x| x.with_timezone(&Utc))
                .filter(|x| fits(*x, tense, now))
                .collect();
            match fitting.as_slice() {
                [one] => Ok(*one),
                _ => Err(TimeError::Twice {
                    time: hhmm(t),
                    day: short_day(day),
                }),
            }
        }
    }
}

/// `-6h`, `+2d`, `-1h30m`, `+ 2 w`: units m (min, mins), h (hr, hrs), d, w.
fn relative(rest: &str, now: Instant, sign: i64) -> Result<Instant, TimeError> {
    let compact: String = rest.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.is_empty() {
        return Err(TimeError::NotATime);
    }
    let limit = MAX_RELATIVE_YEARS * 366 * 24 * 60;
    let mut total: i64 = 0;
    let mut chars = compact.chars().peekable();
    while chars.peek().is_some() {
        let mut number = String::new();
        while let Some(c) = chars.peek().copied().filter(char::is_ascii_digit) {
            number.push(c);
            chars.next();
        }
        let mut unit = String::new();
        while let Some(c) = chars.peek().copied().filter(|c| !c.is_ascii_digit()) {
            unit.push(c);
            chars.next();
        }
        if number.is_empty() {
            return Err(TimeError::NotATime);
        }
        let minutes_per = match unit.as_str() {
            "m" | "min" | "mins" => 1,
            "h" | "hr" | "hrs" => 60,
            "d" => 24 * 60,
            "w" => 7 * 24 * 60,
            _ => return Err(TimeError::BadUnit),
        };
        // Eight digits of minutes is already beyond 20 years: longer numbers are too far.
        let n: i64 = if number.len() > 8 {
            return Err(TimeError::TooFar);
        } else {
            number.parse().map_err(|_| TimeError::TooFar)?
        };
        total = n
            .checked_mul(minutes_per)
            .and_then(|m| total.checked_add(m))
            .filter(|t| *t <= limit)
            .ok_or(TimeError::TooFar)?;
    }
    Ok(now + Duration::minutes(sign * total))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> Instant {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0)
            .single()
            .expect("valid test instant")
    }

    #[test]
    fn month_names_and_ordinals() {
        assert_eq!(month("dec"), Some(12));
        assert_eq!(month("December"), None, "callers lower-case first");
        assert_eq!(month("sept"), Some(9));
        assert_eq!(month("ju"), None, "too short to tell June from July");
        assert_eq!(day_number("22nd"), Some(22));
    }

    #[test]
    fn clock_forms() {
        let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).expect("valid");
        assert_eq!(clock("2:30pm"), Ok(t(14, 30)));
        assert_eq!(clock("12am"), Ok(t(0, 0)));
        assert_eq!(clock("12pm"), Ok(t(12, 0)));
        assert_eq!(clock("11.15a.m."), Ok(t(11, 15)));
        assert_eq!(clock("24:00"), Err(TimeError::BadClock));
        assert_eq!(clock("13pm"), Err(TimeError::BadClock));
        assert_eq!(clock("1:5"), Err(TimeError::BadClock));
    }

    #[test]
    fn describe_reads_back_in_words() {
        let now = at(2026, 12, 2, 1, 0);
        assert_eq!(
            describe(at(2026, 12, 1, 23, 30), now),
            "yesterday 23:30 GMT, 1h30m ago"
        );
        assert_eq!(describe(now, now), "today 01:00 GMT, now");
    }
}
