//! The time parser: every rule of issue 14 section 1 as a scenario, both UK clock changes, and
//! fuzzing with arbitrary Unicode and huge numbers.

use chrono::{DateTime, Duration, TimeZone, Timelike, Utc};
use chrono_tz::Europe::London;
use jar_core::timeparse::{
    CLOCK_SKEW_MINUTES, Tense, TimeError, describe, format_input, parse, parse_optional,
};
use proptest::prelude::*;

use Tense::{Due, Happened};

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0)
        .single()
        .expect("valid test instant")
}

/// A UK wall-clock time that exists exactly once.
fn uk(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    London
        .with_ymd_and_hms(y, mo, d, h, mi, 0)
        .single()
        .expect("an unambiguous UK time")
        .with_timezone(&Utc)
}

#[test]
fn at_one_in_the_morning_2330_is_yesterday_for_what_happened() {
    // The night shift: a tired paediatrician at 01:00 types the time of death.
    let now = uk(2026, 12, 2, 1, 0);
    let t = parse("23:30", now, Happened).expect("parses");
    assert_eq!(t, uk(2026, 12, 1, 23, 30));
    assert_eq!(describe(t, now), "yesterday 23:30 GMT, 1h30m ago");
}

#[test]
fn at_one_in_the_morning_2330_is_tonight_for_what_is_due() {
    let now = uk(2026, 12, 2, 1, 0);
    let t = parse("23:30", now, Due).expect("parses");
    assert_eq!(t, uk(2026, 12, 2, 23, 30));
    assert_eq!(describe(t, now), "today 23:30 GMT, in 22h");
}

#[test]
fn a_clock_time_earlier_today_is_today_and_a_due_one_already_past_is_tomorrow() {
    let now = uk(2026, 7, 10, 14, 0);
    assert_eq!(parse("09:15", now, Happened), Ok(uk(2026, 7, 10, 9, 15)));
    assert_eq!(parse("09:15", now, Due), Ok(uk(2026, 7, 11, 9, 15)));
    assert_eq!(parse("16:45", now, Due), Ok(uk(2026, 7, 10, 16, 45)));
    assert_eq!(parse("16:45", now, Happened), Ok(uk(2026, 7, 9, 16, 45)));
}

#[test]
fn five_minutes_of_clock_skew_still_reads_as_just_now() {
    let now = uk(2026, 12, 2, 1, 0);
    // Three minutes "ahead" of this machine's clock: the person's watch runs fast.
    assert_eq!(parse("01:03", now, Happened), Ok(uk(2026, 12, 2, 1, 3)));
    // Beyond the allowed skew it is yesterday's.
    assert_eq!(
        parse("01:06", now, Happened),
        Ok(uk(2026, 12, 1, 1, 6)),
        "skew allowed: {CLOCK_SKEW_MINUTES} minutes"
    );
}

#[test]
fn twelve_hour_clock_with_am_and_pm() {
    let now = uk(2026, 12, 1, 16, 0);
    assert_eq!(parse("2:30pm", now, Happened), Ok(uk(2026, 12, 1, 14, 30)));
    assert_eq!(parse("2:30 PM", now, Happened), Ok(uk(2026, 12, 1, 14, 30)));
    assert_eq!(parse("9:05am", now, Happened), Ok(uk(2026, 12, 1, 9, 5)));
    assert_eq!(parse("11pm", now, Happened), Ok(uk(2026, 11, 30, 23, 0)));
    assert_eq!(parse("12am", now, Happened), Ok(uk(2026, 12, 1, 0, 0)));
    assert_eq!(parse("12pm", now, Happened), Ok(uk(2026, 12, 1, 12, 0)));
    assert_eq!(parse("0:30am", now, Happened), Err(TimeError::BadClock));
}

#[test]
fn yesterday_today_and_tomorrow_name_the_uk_day() {
    let now = uk(2026, 12, 2, 1, 0);
    assert_eq!(
        parse("yesterday 23:30", now, Happened),
        Ok(uk(2026, 12, 1, 23, 30))
    );
    assert_eq!(parse("today 06:10", now, Due), Ok(uk(2026, 12, 2, 6, 10)));
    // "today 06:10" at 01:00 is in the future: the parser says what it means; whether a
    // future time is plausible for the field is the plausibility check's business.
    assert_eq!(
        parse("today 06:10", now, Happened),
        Ok(uk(2026, 12, 2, 6, 10))
    );
    assert_eq!(parse("Tomorrow 9am", now, Due), Ok(uk(2026, 12, 3, 9, 0)));
    assert_eq!(
        parse("23:30 yesterday", now, Happened),
        Ok(uk(2026, 12, 1, 23, 30))
    );
}

#[test]
fn uk_dates_iso_dates_and_month_names() {
    let now = uk(2026, 12, 2, 1, 0);
    let expected = uk(2026, 12, 1, 14, 30);
    for typed in [
        "01/12/2026 14:30",
        "1/12/2026 14:30",
        "1 Dec 14:30",
        "1st December 2026 2:30pm",
        "Dec 1 14:30",
        "1 dec, 14:30",
        "2026-12-01 14:30",
        "2026-12-01T14:30",
        "2026-12-01T14:30:00Z",
        "2026-12-01 14:30 GMT",
        "01/12 14:30",
    ] {
        assert_eq!(parse(typed, now, Happened), Ok(expected), "{typed}");
    }
    // 12/01 is 12 January in the UK, never 1 December.
    assert_eq!(
        parse("12/01/2026 10:00", now, Happened),
        Ok(uk(2026, 1, 12, 10, 0))
    );
}

#[test]
fn a_date_without_a_year_is_the_most_recent_for_what_happened_and_the_next_for_what_is_due() {
    let now = uk(2026, 12, 2, 1, 0);
    assert_eq!(
        parse("24 Dec 10:00", now, Happened),
        Ok(uk(2025, 12, 24, 10, 0))
    );
    assert_eq!(parse("24 Dec 10:00", now, Due), Ok(uk(2026, 12, 24, 10, 0)));
    assert_eq!(parse("1 Nov 10:00", now, Due), Ok(uk(2027, 11, 1, 10, 0)));
    // 29 Feb: the most recent one that existed.
    assert_eq!(parse("29 Feb 10:00", now, Due), Err(TimeError::NoSuchDate));
    assert_eq!(
        parse("29 Feb 10:00", uk(2028, 3, 1, 9, 0), Happened),
        Ok(uk(2028, 2, 29, 10, 0))
    );
}

#[test]
fn a_date_alone_is_nine_in_the_morning_when_due_and_refused_when_it_happened() {
    let now = uk(2026, 12, 2, 1, 0);
    assert_eq!(parse("2026-12-09", now, Due), Ok(uk(2026, 12, 9, 9, 0)));
    assert_eq!(parse("9/12/2026", now, Due), Ok(uk(2026, 12, 9, 9, 0)));
    assert_eq!(parse("1 Dec", now, Happened), Err(TimeError::NeedsTime));
}

#[test]
fn relative_times_count_from_now() {
    let now = utc(2026, 12, 2, 1, 0);
    assert_eq!(parse("-6h", now, Happened), Ok(now - Duration::hours(6)));
    assert_eq!(parse("+2d", now, Due), Ok(now + Duration::days(2)));
    assert_eq!(parse("+2w", now, Due), Ok(now + Duration::weeks(2)));
    assert_eq!(
        parse("-1h30m", now, Happened),
        Ok(now - Duration::minutes(90))
    );
    assert_eq!(
        parse("- 45 min", now, Happened),
        Ok(now - Duration::minutes(45))
    );
    assert_eq!(parse("now", now, Happened), Ok(now));
    assert_eq!(parse(" NOW ", now, Happened), Ok(now));
}

#[test]
fn the_inputs_that_crashed_v1_are_errors() {
    let now = utc(2026, 12, 2, 1, 0);
    assert_eq!(parse("+7£", now, Due), Err(TimeError::BadUnit));
    assert_eq!(parse("+999999999d", now, Due), Err(TimeError::TooFar));
    assert_eq!(
        parse("+99999999999999999w", now, Due),
        Err(TimeError::TooFar)
    );
    assert_eq!(parse("+7", now, Due), Err(TimeError::BadUnit));
    assert_eq!(parse("+", now, Due), Err(TimeError::NotATime));
    assert_eq!(parse("+21y", now, Due), Err(TimeError::BadUnit));
    assert_eq!(parse("+1100w", now, Due), Err(TimeError::TooFar));
}

#[test]
fn other_mistakes_are_named() {
    let now = utc(2026, 12, 2, 1, 0);
    assert_eq!(parse("", now, Happened), Err(TimeError::Empty));
    assert_eq!(parse("   ", now, Happened), Err(TimeError::Empty));
    assert_eq!(
        parse("tomorrowish", now, Happened),
        Err(TimeError::NotATime)
    );
    assert_eq!(parse("25:00", now, Happened), Err(TimeError::BadClock));
    assert_eq!(
        parse("31/02/2026 10:00", now, Happened),
        Err(TimeError::NoSuchDate)
    );
    assert_eq!(
        parse("01/12/26 10:00", now, Happened),
        Err(TimeError::ShortYear)
    );
    assert_eq!(
        parse("01/12/1850 10:00", now, Happened),
        Err(TimeError::YearOutOfRange)
    );
    assert_eq!(parse("2330", now, Happened), Err(TimeError::NotATime));
    assert_eq!(
        parse("14:30 14:45", now, Happened),
        Err(TimeError::NotATime)
    );
    assert_eq!(parse_optional("  ", now, Due), Ok(None));
}

#[test]
fn a_time_skipped_when_clocks_go_forward_is_an_error_naming_the_day() {
    // Sun 29 Mar 2026: 01:00 GMT becomes 02:00 BST; 01:30 never happened in the UK.
    let now = uk(2026, 3, 29, 3, 0);
    let err = parse("01:30", now, Happened).expect_err("01:30 did not exist");
    assert_eq!(
        err.to_string(),
        "01:30 did not exist on Sun 29 Mar: clocks went forward"
    );
    assert!(parse("29/03/2026 01:30", now, Happened).is_err());
    // Before the change, 01:30 was yesterday's, which did exist.
    let before = uk(2026, 3, 29, 0, 30);
    assert_eq!(parse("01:30", before, Happened), Ok(uk(2026, 3, 28, 1, 30)));
    // An hour either side reads normally, in the zone then in force.
    let t = parse("02:30", now, Happened).expect("exists");
    assert_eq!(describe(t, now), "today 02:30 BST, 30m ago");
    let t = parse("00:30", now, Happened).expect("exists");
    assert_eq!(describe(t, now), "today 00:30 GMT, 1h30m ago");
}

#[test]
fn a_time_repeated_when_clocks_go_back_needs_a_zone_unless_only_one_fits() {
    // Sun 25 Oct 2026: 02:00 BST becomes 01:00 GMT; 01:00-01:59 happens twice.
    let first_0130 = utc(2026, 10, 25, 0, 30); // 01:30 BST
    let second_0130 = utc(2026, 10, 25, 1, 30); // 01:30 GMT
    // At 01:40 GMT both have happened: ask.
    let now = utc(2026, 10, 25, 1, 40);
    let err = parse("01:30", now, Happened).expect_err("ambiguous");
    assert_eq!(
        err.to_string(),
        "01:30 on Sun 25 Oct happened twice: add BST or GMT"
    );
    assert_eq!(parse("01:30 BST", now, Happened), Ok(first_0130));
    assert_eq!(parse("01:30 GMT", now, Happened), Ok(second_0130));
    // At 01:10 GMT only the BST one has happened: no question.
    let now = utc(2026, 10, 25, 1, 10);
    assert_eq!(parse("01:30", now, Happened), Ok(first_0130));
    assert_eq!(describe(first_0130, now), "today 01:30 BST, 40m ago");
    // Due at 01:40 BST (00:40 UTC): both are still ahead: ask.
    let now = utc(2026, 10, 25, 0, 40);
    assert!(matches!(
        parse("01:50", now, Due),
        Err(TimeError::Twice { .. })
    ));
    // An explicit date in the past with the repeated hour: both happened: ask.
    let later = utc(2026, 11, 1, 12, 0);
    assert!(matches!(
        parse("25/10/2026 01:30", later, Happened),
        Err(TimeError::Twice { .. })
    ));
}

#[test]
fn a_zone_that_was_not_in_force_is_refused() {
    let now = uk(2026, 12, 2, 1, 0);
    let err = parse("1 Dec 14:30 BST", now, Happened).expect_err("UK is on GMT in December");
    assert_eq!(err.to_string(), "14:30 BST is not UK time on Tue 1 Dec");
    assert_eq!(
        parse("1 Dec 14:30 UTC", now, Happened),
        Ok(utc(2026, 12, 1, 14, 30))
    );
}

#[test]
fn describe_shows_dates_for_anything_not_near_today() {
    let now = uk(2026, 12, 2, 1, 0);
    assert_eq!(
        describe(uk(2026, 11, 28, 14, 30), now),
        "Sat 28 Nov 14:30 GMT, 3d ago"
    );
    assert_eq!(
        describe(uk(2027, 1, 5, 9, 0), now),
        "Tue 5 Jan 2027 09:00 GMT, in 4w"
    );
    assert_eq!(
        describe(uk(2026, 12, 3, 9, 0), now),
        "tomorrow 09:00 GMT, in 1d"
    );
}

#[test]
fn the_form_text_of_a_time_reads_back_as_the_same_time() {
    let t = uk(2026, 7, 10, 14, 30);
    assert_eq!(format_input(t), "2026-07-10 14:30");
    assert_eq!(parse(&format_input(t), t, Happened), Ok(t));
}

fn any_now() -> impl Strategy<Value = DateTime<Utc>> {
    // 2000 to 2100, to the second.
    (946_684_800i64..4_102_444_800).prop_map(|s| DateTime::from_timestamp(s, 0).expect("in range"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// No input ever panics, and every error fits in 60 columns.
    #[test]
    fn arbitrary_unicode_never_panics(input in any::<String>(), now in any_now(), due in any::<bool>()) {
        let tense = if due { Due } else { Happened };
        if let Err(e) = parse(&input, now, tense) {
            prop_assert!(e.to_string().chars().count() <= 60, "{e}");
        }
    }

    /// Inputs shaped like times, with huge numbers, odd units and stray symbols.
    #[test]
    fn time_shaped_junk_never_panics(
        input in r"[+\-−]?[0-9]{0,25}[:./ ]?[0-9]{0,25}(£|m|h|d|w|am|pm|st| dec| gmt| bst|é|😀)?[0-9]{0,6}",
        now in any_now(),
        due in any::<bool>(),
    ) {
        let tense = if due { Due } else { Happened };
        match parse(&input, now, tense) {
            Ok(t) => {
                let far = Duration::days(366 * 201);
                prop_assert!(t > now - far && t < now + far);
            }
            Err(e) => prop_assert!(e.to_string().chars().count() <= 60, "{e}"),
        }
    }

    /// A bare clock time that happened is never more than the skew ahead and never more than a
    /// day (plus the repeated hour) back, and reads back as the clock time typed.
    #[test]
    fn a_bare_clock_time_is_the_most_recent_past_occurrence(
        now in any_now(), h in 0u32..24, m in 0u32..60,
    ) {
        let typed = format!("{h:02}:{m:02}");
        match parse(&typed, now, Happened) {
            Ok(t) => {
                prop_assert!(t <= now + Duration::minutes(CLOCK_SKEW_MINUTES));
                prop_assert!(t > now - Duration::hours(25) - Duration::minutes(CLOCK_SKEW_MINUTES));
                let local = t.with_timezone(&London);
                prop_assert_eq!((local.hour(), local.minute()), (h, m));
            }
            Err(e) => prop_assert!(matches!(e, TimeError::Skipped { .. } | TimeError::Twice { .. }), "{e}"),
        }
    }

    /// A bare clock time that is due is never in the past and never more than a day ahead.
    #[test]
    fn a_bare_clock_time_due_is_the_next_occurrence(
        now in any_now(), h in 0u32..24, m in 0u32..60,
    ) {
        let typed = format!("{h:02}:{m:02}");
        match parse(&typed, now, Due) {
            Ok(t) => {
                prop_assert!(t >= now - Duration::minutes(1));
                prop_assert!(t < now + Duration::hours(25));
                let local = t.with_timezone(&London);
                prop_assert_eq!((local.hour(), local.minute()), (h, m));
            }
            Err(e) => prop_assert!(matches!(e, TimeError::Skipped { .. } | TimeError::Twice { .. }), "{e}"),
        }
    }

    /// What the form pre-fills always parses back to the same minute (outside the repeated hour).
    #[test]
    fn form_text_round_trips(now in any_now()) {
        let t = now.with_second(0).expect("valid");
        match parse(&format_input(t), now, Happened) {
            Ok(back) => prop_assert_eq!(back, t),
            Err(e) => prop_assert!(matches!(e, TimeError::Twice { .. }), "{e}"),
        }
    }
}
