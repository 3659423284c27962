//! Working days in England and Wales: bank holidays from the published list, weekends, and
//! both UK clock changes (issue 14, section 2).

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Timelike, Utc, Weekday};
use chrono_tz::Europe::London;
use jar_core::time::uk_datetime;
use jar_core::workdays::{Calendar, end_of_day, uk_date};
use proptest::prelude::*;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

fn uk(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    London
        .with_ymd_and_hms(y, mo, d, h, mi, 0)
        .single()
        .expect("an unambiguous UK time")
        .with_timezone(&Utc)
}

fn cal() -> &'static Calendar {
    Calendar::embedded()
}

#[test]
fn the_published_bank_holidays_are_not_working_days() {
    // A sample from each year of the embedded gov.uk list.
    for (d, name) in [
        (date(2024, 12, 26), "Boxing Day"),
        (date(2025, 4, 18), "Good Friday"),
        (date(2026, 12, 28), "Boxing Day"),
        (date(2027, 3, 29), "Easter Monday"),
        (date(2027, 12, 27), "Christmas Day"),
        (date(2028, 1, 3), "New Year’s Day"),
        (date(2028, 8, 28), "Summer bank holiday"),
    ] {
        assert_eq!(cal().bank_holiday(d), Some(name), "{d}");
        assert!(!cal().is_working_day(d), "{d}");
    }
    assert!(cal().is_working_day(date(2026, 12, 1)));
    assert!(!cal().is_working_day(date(2026, 12, 5)), "a Saturday");
}

#[test]
fn christmas_2026_one_working_day_after_christmas_eve_is_tuesday_29th() {
    // Thu 24 Dec; Fri 25 Christmas; weekend; Mon 28 Boxing Day (substitute).
    assert_eq!(
        cal().next_working_day(date(2026, 12, 24)),
        date(2026, 12, 29)
    );
    let due = cal().working_days_after(uk(2026, 12, 24, 10, 0), 1);
    assert_eq!(uk_datetime(due), "Tue 29 Dec 23:59 GMT");
}

#[test]
fn five_working_days_across_easter_2027_and_the_march_clock_change() {
    // Wed 24 Mar 2027: Thu 25 (1), Good Friday 26, weekend (clocks go forward Sun 28),
    // Easter Monday 29, Tue 30 (2), Wed 31 (3), Thu 1 Apr (4), Fri 2 Apr (5).
    let due = cal().working_days_after(uk(2027, 3, 24, 15, 0), 5);
    assert_eq!(uk_datetime(due), "Fri 02 Apr 23:59 BST");
    // Fifteen working days: the rapid review clock.
    let due = cal().working_days_after(uk(2027, 3, 24, 15, 0), 15);
    assert_eq!(uk_datetime(due), "Fri 16 Apr 23:59 BST");
}

#[test]
fn within_24_hours_or_the_next_working_day_if_that_is_a_weekend_or_bank_holiday() {
    // Wednesday 10:00 + 24 h = Thursday 10:00, a working day: exactly 24 h.
    let wed = uk(2026, 12, 2, 10, 0);
    assert_eq!(
        cal().elapsed_or_next_working_day(wed, 24 * 60),
        wed + Duration::hours(24)
    );
    // Friday 10:00 + 24 h = Saturday: the end of Monday.
    let fri = uk(2026, 12, 4, 10, 0);
    let due = cal().elapsed_or_next_working_day(fri, 24 * 60);
    assert_eq!(uk_datetime(due), "Mon 07 Dec 23:59 GMT");
    // Christmas Eve 2026 + 24 h = Christmas Day: the end of Tuesday 29th.
    let due = cal().elapsed_or_next_working_day(uk(2026, 12, 24, 9, 0), 24 * 60);
    assert_eq!(uk_datetime(due), "Tue 29 Dec 23:59 GMT");
}

#[test]
fn the_calendar_says_when_it_runs_out() {
    assert_eq!(cal().covers_until(), date(2028, 12, 31));
    assert_eq!(cal().runs_out_within(date(2026, 12, 1), 90), None);
    assert_eq!(
        cal().runs_out_within(date(2028, 10, 15), 90),
        Some(date(2028, 12, 31))
    );
    assert!(cal().covers(date(2027, 6, 1)));
    assert!(!cal().covers(date(2029, 1, 1)));
    // Beyond the list only weekends are known.
    assert!(cal().is_working_day(date(2029, 1, 1)));
}

#[test]
fn an_admin_can_load_a_newer_gov_uk_download() {
    let newer = r#"{
        "england-and-wales": {"division": "england-and-wales", "events": [
            {"title": "New Year’s Day", "date": "2029-01-01", "notes": "", "bunting": true}
        ]},
        "scotland": {"division": "scotland", "events": []}
    }"#;
    let c = Calendar::from_json(newer, "/etc/jarterm/bank-holidays.json").expect("parses");
    assert_eq!(c.covers_until(), date(2029, 12, 31));
    assert!(!c.is_working_day(date(2029, 1, 1)));
    assert_eq!(c.source(), "/etc/jarterm/bank-holidays.json");
    // The division alone is accepted too.
    let division =
        r#"{"division": "england-and-wales", "events": [{"title": "x", "date": "2030-05-06"}]}"#;
    assert!(Calendar::from_json(division, "test").is_ok());
}

#[test]
fn a_broken_calendar_file_is_refused_with_a_reason() {
    assert!(Calendar::from_json("not json", "t").is_err());
    assert!(Calendar::from_json(r#"{"events": []}"#, "t").is_err());
    let bad_date = r#"{"events": [{"title": "x", "date": "01/01/2029"}]}"#;
    assert!(
        Calendar::from_json(bad_date, "t")
            .expect_err("bad date")
            .to_string()
            .contains("YYYY-MM-DD")
    );
    // Every day a holiday: not a bank-holiday list (and would stall working-day counts).
    let events: Vec<String> = (0..365)
        .map(|i| {
            let d = date(2030, 1, 1) + Duration::days(i);
            format!(r#"{{"title": "x", "date": "{d}"}}"#)
        })
        .collect();
    let every_day = format!(r#"{{"events": [{}]}}"#, events.join(","));
    assert!(Calendar::from_json(&every_day, "t").is_err());
}

/// Instants within a few days of both clock changes, 2024-2028.
fn around_clock_changes() -> impl Strategy<Value = DateTime<Utc>> {
    (2024i32..=2028, any::<bool>(), -5 * 24 * 60i64..5 * 24 * 60).prop_map(|(y, october, mins)| {
        let month = if october { 10 } else { 3 };
        let mut d = date(y, month + 1, 1) - Duration::days(1);
        while d.weekday() != Weekday::Sun {
            d -= Duration::days(1);
        }
        Utc.from_utc_datetime(&d.and_hms_opt(1, 0, 0).expect("valid")) + Duration::minutes(mins)
    })
}

/// Instants across the whole embedded list, to the minute.
fn any_instant_2024_2028() -> impl Strategy<Value = DateTime<Utc>> {
    (0i64..5 * 366 * 24 * 60).prop_map(|m| uk(2024, 1, 1, 0, 0) + Duration::minutes(m))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    /// N working days after a date is a working day, exactly N working days on.
    #[test]
    fn adding_working_days_lands_on_a_working_day_exactly_n_on(
        t in any_instant_2024_2028(), n in 0u32..40,
    ) {
        let d = uk_date(t);
        let r = cal().add_working_days(d, n);
        prop_assert_eq!(cal().working_days_between(d, r), n);
        if n > 0 {
            prop_assert!(cal().is_working_day(r));
            prop_assert!(r > d);
            // No working day is skipped: the day before is not yet the Nth.
            prop_assert_eq!(cal().working_days_between(d, r.pred_opt().expect("date")), n - 1);
        }
    }

    /// Across both clock changes: "within N working days" ends at 23:59:59 UK time on a
    /// working day, never before the anchor, and later anchors never fall due earlier.
    #[test]
    fn working_day_deadlines_hold_across_clock_changes(
        t in around_clock_changes(), later_by in 0i64..3 * 24 * 60, n in 1u32..16,
    ) {
        let due = cal().working_days_after(t, n);
        let local = due.with_timezone(&London);
        prop_assert_eq!((local.hour(), local.minute(), local.second()), (23, 59, 59));
        prop_assert!(cal().is_working_day(uk_date(due)));
        prop_assert!(due > t);
        prop_assert_eq!(cal().working_days_between(uk_date(t), uk_date(due)), n);
        let later = cal().working_days_after(t + Duration::minutes(later_by), n);
        prop_assert!(later >= due);
    }

    /// "Within 24 h or the next working day": exactly 24 real hours when that lands on a
    /// working day, otherwise the end of the next working day after it; never earlier.
    #[test]
    fn hours_or_next_working_day_across_clock_changes_and_holidays(
        t in prop_oneof![around_clock_changes(), any_instant_2024_2028()],
    ) {
        let plain = t + Duration::hours(24);
        let due = cal().elapsed_or_next_working_day(t, 24 * 60);
        if cal().is_working_day(uk_date(plain)) {
            prop_assert_eq!(due, plain);
        } else {
            prop_assert!(due > plain);
            prop_assert_eq!(uk_date(due), cal().next_working_day(uk_date(plain)));
            prop_assert_eq!(due, end_of_day(uk_date(due)));
        }
    }
}
