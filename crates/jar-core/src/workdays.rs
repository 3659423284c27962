//! Working days in England and Wales: Monday to Friday except bank holidays, counted on UK
//! local dates (Europe/London), so a clock change never moves a day boundary.
//!
//! The bank holidays are data, not code: the published gov.uk list
//! (<https://www.gov.uk/bank-holidays.json>, England and Wales) is embedded at build time from
//! `crates/jar-core/data/bank-holidays-england-and-wales.json`, and a server admin can load a
//! newer download of the same file at run time ([`Calendar::from_json`]) without a rebuild.
//! The calendar knows where its list ends ([`Calendar::covers_until`]); beyond it only weekends
//! are known, so [`Calendar::runs_out_within`] lets `check-config` warn in time.
//!
//! Day-granular rules ("within 5 working days", "the next working day") fall due at the **end**
//! of the working day ([`end_of_day`], 23:59:59 UK time): the statutory wording counts days,
//! not hours, and an earlier cut-off (e.g. 17:00) is a local choice an area can make by
//! shortening the rule.

use crate::time::Instant;
use chrono::{Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Europe::London;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

/// The embedded England & Wales list (see the module docs for its source).
pub const EMBEDDED_JSON: &str = include_str!("../data/bank-holidays-england-and-wales.json");

/// Where the embedded list comes from, for docs and `check-config`.
pub const EMBEDDED_SOURCE: &str = "gov.uk bank holidays, England and Wales (https://www.gov.uk/bank-holidays.json), embedded at build time";

/// Working-day counts larger than this are refused by clamping: no rule needs more, and it
/// bounds every loop whatever a calendar file says.
pub const MAX_WORKING_DAYS: u32 = 366;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("not a bank-holiday list: {0}")]
    Json(String),
    #[error("no england-and-wales events in the file")]
    NoEvents,
    #[error("bad date {0:?}: expected YYYY-MM-DD")]
    BadDate(String),
    #[error("{0} lists {1} bank holidays: more than 20 in a year is not a bank-holiday list")]
    TooMany(i32, usize),
}

#[derive(Deserialize)]
struct Event {
    title: String,
    date: String,
}

#[derive(Deserialize)]
struct Division {
    events: Vec<Event>,
}

/// Either the whole gov.uk file (divisions by name) or just the England and Wales division.
#[derive(Deserialize)]
#[serde(untagged)]
enum File {
    Whole {
        #[serde(rename = "england-and-wales")]
        england_and_wales: Division,
    },
    Division(Division),
}

/// A bank-holiday calendar for England and Wales.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    holidays: BTreeMap<NaiveDate, String>,
    first_year: i32,
    last_year: i32,
    source: String,
}

impl Calendar {
    /// The calendar embedded at build time.
    pub fn embedded() -> &'static Calendar {
        static CAL: OnceLock<Calendar> = OnceLock::new();
        CAL.get_or_init(|| {
            // The embedded file is checked by a test; should it ever fail to parse, an empty
            // calendar (weekends only) that has already run out makes `check-config` warn.
            Calendar::from_json(EMBEDDED_JSON, EMBEDDED_SOURCE).unwrap_or_else(|_| Calendar {
                holidays: BTreeMap::new(),
                first_year: 1970,
                last_year: 1970,
                source: "none: the embedded list did not parse".to_string(),
            })
        })
    }

    /// Read a bank-holiday list in the gov.uk format (the whole file, or the
    /// `england-and-wales` division alone). `source` says where it came from.
    pub fn from_json(text: &str, source: &str) -> Result<Calendar, CalendarError> {
        let file: File = serde_json::from_str(text).map_err(|e| {
            let mut msg = e.to_string();
            msg.truncate(120);
            CalendarError::Json(msg)
        })?;
        let division = match file {
            File::Whole { england_and_wales } => england_and_wales,
            File::Division(d) => d,
        };
        let mut holidays = BTreeMap::new();
        for e in division.events {
            let d = NaiveDate::parse_from_str(e.date.trim(), "%Y-%m-%d")
                .map_err(|_| CalendarError::BadDate(e.date.chars().take(20).collect()))?;
            holidays.insert(d, e.title);
        }
        let (Some(first), Some(last)) = (holidays.keys().next(), holidays.keys().next_back())
        else {
            return Err(CalendarError::NoEvents);
        };
        let (first_year, last_year) = (first.year(), last.year());
        let mut per_year: HashMap<i32, usize> = HashMap::new();
        for d in holidays.keys() {
            *per_year.entry(d.year()).or_default() += 1;
        }
        if let Some((y, n)) = per_year.into_iter().find(|(_, n)| *n > 20) {
            return Err(CalendarError::TooMany(y, n));
        }
        Ok(Calendar {
            holidays,
            first_year,
            last_year,
            source: source.to_string(),
        })
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    /// The first day the list covers: 1 January of its first year.
    pub fn covers_from(&self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.first_year, 1, 1).unwrap_or(NaiveDate::MIN)
    }

    /// The last day the list covers: 31 December of the last year it lists. After it, bank
    /// holidays are unknown and only weekends are skipped.
    pub fn covers_until(&self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.last_year, 12, 31).unwrap_or(NaiveDate::MIN)
    }

    /// Whether bank holidays are known for `d`.
    pub fn covers(&self, d: NaiveDate) -> bool {
        d >= self.covers_from() && d <= self.covers_until()
    }

    /// `Some(last covered day)` when the list runs out within `days` of `today` (or already
    /// has): the warning `jarterm-server check-config` gives 90 days ahead.
    pub fn runs_out_within(&self, today: NaiveDate, days: i64) -> Option<NaiveDate> {
        let horizon = today
            .checked_add_signed(Duration::days(days.clamp(0, 3660)))
            .unwrap_or(NaiveDate::MAX);
        (self.covers_until() < horizon).then(|| self.covers_until())
    }

    /// The bank holiday's name, if `d` is one.
    pub fn bank_holiday(&self, d: NaiveDate) -> Option<&str> {
        self.holidays.get(&d).map(String::as_str)
    }

    /// Monday to Friday and not a bank holiday.
    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && !self.holidays.contains_key(&d)
    }

    /// The first working day strictly after `d`.
    pub fn next_working_day(&self, d: NaiveDate) -> NaiveDate {
        self.add_working_days(d, 1)
    }

    /// The `n`th working day after `d` (`d` itself never counts; `n = 0` gives `d`).
    /// `n` is clamped to [`MAX_WORKING_DAYS`].
    pub fn add_working_days(&self, d: NaiveDate, n: u32) -> NaiveDate {
        let n = n.min(MAX_WORKING_DAYS);
        let mut day = d;
        let mut counted = 0;
        // A calendar has at most 20 holidays a year, so this ends well within the bound.
        for _ in 0..(n as usize * 3 + 60) {
            if counted == n {
                break;
            }
            let Some(next) = day.succ_opt() else { break };
            day = next;
            if self.is_working_day(day) {
                counted += 1;
            }
        }
        day
    }

    /// Working days in `(from, to]`: how many working days after `from` the day `to` is.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        from.iter_days()
            .skip(1)
            .take_while(|d| *d <= to)
            .take(MAX_WORKING_DAYS as usize * 3 + 60)
            .filter(|d| self.is_working_day(*d))
            .count() as u32
    }

    /// The end of the `n`th working day after the UK date of `anchor` ("within n working days").
    pub fn working_days_after(&self, anchor: Instant, n: u32) -> Instant {
        end_of_day(self.add_working_days(uk_date(anchor), n))
    }

    /// `minutes` of real time after `anchor`, or, if that falls on a day that is not a working day, the end
    /// of the next working day ("within 24 hours, or the next working day if that falls on a
    /// weekend or bank holiday").
    pub fn elapsed_or_next_working_day(&self, anchor: Instant, minutes: i64) -> Instant {
        let due = anchor + Duration::minutes(minutes.clamp(-527_040 * 20, 527_040 * 20));
        let day = uk_date(due);
        if self.is_working_day(day) {
            due
        } else {
            end_of_day(self.next_working_day(day))
        }
    }
}

static INSTALLED: OnceLock<Calendar> = OnceLock::new();

/// Use `cal` for working days in this process from now on: the server's `--bank-holidays`
/// file, loaded once at start. Returns false (and changes nothing) if one was already installed.
pub fn install(cal: Calendar) -> bool {
    INSTALLED.set(cal).is_ok()
}

/// The calendar in force: the installed one, else the embedded one.
pub fn current() -> &'static Calendar {
    INSTALLED.get().unwrap_or_else(Calendar::embedded)
}

/// Days ahead of its end at which a bank-holiday list is reported as running out.
pub const WARN_DAYS: i64 = 90;

/// What `jarterm-server check-config` says about a calendar on `today`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarCheck {
    pub summary: String,
    /// Set when the list runs out within [`WARN_DAYS`] (or already has).
    pub warning: Option<String>,
}

impl Calendar {
    pub fn check(&self, today: NaiveDate) -> CalendarCheck {
        let summary = format!(
            "bank holidays: {} ({} to {})",
            self.source,
            self.covers_from(),
            self.covers_until()
        );
        let warning = self.runs_out_within(today, WARN_DAYS).map(|end| {
            let when = if end < today { "ran out" } else { "runs out" };
            format!(
                "the bank-holiday list {when} on {end}: working-day deadlines after it skip \
                 weekends only. Download https://www.gov.uk/bank-holidays.json and pass it \
                 with --bank-holidays"
            )
        });
        CalendarCheck { summary, warning }
    }
}

/// The UK local date of an instant.
pub fn uk_date(t: Instant) -> NaiveDate {
    t.with_timezone(&London).date_naive()
}

/// 23:59:59 UK local time on `d` (a time that exists exactly once on every UK day: clocks
/// change at 01:00 GMT).
pub fn end_of_day(d: NaiveDate) -> Instant {
    let t = NaiveTime::from_hms_opt(23, 59, 59).unwrap_or(NaiveTime::MIN);
    London
        .from_local_datetime(&d.and_time(t))
        .latest()
        .map(|x| x.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&d.and_time(t)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_list_parses_and_covers_through_2028() {
        let cal = Calendar::from_json(EMBEDDED_JSON, EMBEDDED_SOURCE).expect("embedded parses");
        assert_eq!(
            cal.covers_until(),
            NaiveDate::from_ymd_opt(2028, 12, 31).expect("date")
        );
        assert_eq!(Calendar::embedded(), &cal);
    }
}
