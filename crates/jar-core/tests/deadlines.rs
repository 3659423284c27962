//! Deadlines: computed on UTC instants so that a clock change never moves a clinical window.

mod common;

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};
use common::case_at;
use jar_core::case::PresentingCategory;
use jar_core::checklist::{ItemState, ItemStatus};
use jar_core::deadline::{self, AreaOverrides, CaseFacts, DeadlineState, RuleOverride};
use jar_core::time::{uk_clock, uk_zone};
use jar_core::timeline::{EventKind, TimelineEvent};
use proptest::prelude::*;

fn last_sunday(year: i32, month: u32) -> NaiveDate {
    let mut d = NaiveDate::from_ymd_opt(year, month + 1, 1).expect("valid") - Duration::days(1);
    while d.weekday() != Weekday::Sun {
        d -= Duration::days(1);
    }
    d
}

/// 01:00 UTC on the last Sunday of March or October: the instant UK clocks change.
fn clock_change(year: i32, month: u32) -> DateTime<Utc> {
    Utc.from_utc_datetime(
        &last_sunday(year, month)
            .and_hms_opt(1, 0, 0)
            .expect("valid"),
    )
}

fn facts<'a>(
    case: &'a jar_core::Case,
    events: &'a [TimelineEvent],
    items: &'a [ItemState],
) -> CaseFacts<'a> {
    CaseFacts {
        case,
        events,
        items,
        first_family_contact: None,
    }
}

fn find<'a>(ds: &'a [deadline::Deadline], id: &str) -> &'a deadline::Deadline {
    ds.iter()
        .find(|d| d.rule_id == id)
        .unwrap_or_else(|| panic!("no deadline {id}"))
}

#[test]
fn the_npa_window_closes_eight_real_hours_after_death_even_when_clocks_go_back() {
    // Death confirmed 22:30 BST on the Saturday before the October change.
    let change = clock_change(2026, 10);
    let death = change - Duration::hours(3) - Duration::minutes(30);
    let case = case_at(death, Some(death), PresentingCategory::Sudi);
    let ds = deadline::compute(&facts(&case, &[], &[]), &deadline::default_rules(), death);
    let npa = find(&ds, "npa_window");
    assert_eq!(npa.due_at, Some(death + Duration::hours(8)));
    assert!(npa.hard);
    // On the wall clock that is 22:30 BST -> 05:30 GMT: nine hours by the clock, eight in fact.
    assert_eq!(uk_clock(death), "22:30 BST");
    assert_eq!(uk_clock(npa.due_at.expect("due")), "05:30 GMT");
}

#[test]
fn an_overdue_deadline_is_reported_and_a_met_one_is_not() {
    let t0 = Utc
        .with_ymd_and_hms(2026, 11, 20, 2, 0, 0)
        .single()
        .expect("valid");
    let case = case_at(t0, Some(t0), PresentingCategory::Sudi);
    let events = vec![TimelineEvent {
        id: 1,
        kind: EventKind::PoliceInformed,
        occurred_at: t0 + Duration::minutes(20),
        recorded_at: t0 + Duration::minutes(25),
        recorded_by: "demo-paed".into(),
        note: String::new(),
        corrects: None,
    }];
    let now = t0 + Duration::hours(9);
    let ds = deadline::compute(&facts(&case, &events, &[]), &deadline::default_rules(), now);
    assert_eq!(find(&ds, "police_informed").state, DeadlineState::Met);
    assert_eq!(find(&ds, "npa_window").state, DeadlineState::Overdue);
    assert_eq!(find(&ds, "home_visit").state, DeadlineState::Due);
    // Most urgent first: the overdue hard window leads.
    assert_eq!(ds[0].rule_id, "npa_window");
}

#[test]
fn closing_the_npa_checklist_item_meets_the_window() {
    let t0 = Utc
        .with_ymd_and_hms(2026, 11, 20, 2, 0, 0)
        .single()
        .expect("valid");
    let case = case_at(t0, Some(t0), PresentingCategory::Sudic);
    let mut item = ItemState::new_open("SUDI-B05");
    item.status = ItemStatus::NotApplicable;
    item.updated_at = Some(t0 + Duration::hours(2));
    let items = [item];
    let ds = deadline::compute(
        &facts(&case, &[], &items),
        &deadline::default_rules(),
        t0 + Duration::hours(10),
    );
    assert_eq!(find(&ds, "npa_window").state, DeadlineState::Met);
}

#[test]
fn the_npa_window_applies_only_to_sudi_and_sudic() {
    let t0 = Utc
        .with_ymd_and_hms(2026, 11, 20, 2, 0, 0)
        .single()
        .expect("valid");
    let case = case_at(t0, Some(t0), PresentingCategory::Asthma);
    let ds = deadline::compute(&facts(&case, &[], &[]), &deadline::default_rules(), t0);
    assert!(ds.iter().all(|d| d.rule_id != "npa_window"));
}

#[test]
fn an_area_can_lengthen_or_switch_off_a_default_rule() {
    let mut overrides = AreaOverrides::new();
    let area = overrides.entry("North Wessex".to_string()).or_default();
    area.insert(
        "home_visit".into(),
        RuleOverride {
            offset_minutes: Some(72 * 60),
            hard: None,
            disabled: false,
            ..RuleOverride::default()
        },
    );
    area.insert(
        "cdrm".into(),
        RuleOverride {
            offset_minutes: None,
            hard: None,
            disabled: true,
            ..RuleOverride::default()
        },
    );
    let rules = deadline::rules_for_area("North Wessex", &overrides);
    let home = rules
        .iter()
        .find(|r| r.id == "home_visit")
        .expect("home visit");
    assert_eq!(home.offset_minutes, 72 * 60);
    assert!(rules.iter().all(|r| r.id != "cdrm"));
    // Other areas keep the defaults.
    let other = deadline::rules_for_area("Wessex Coast", &overrides);
    assert_eq!(
        other
            .iter()
            .find(|r| r.id == "home_visit")
            .expect("home")
            .offset_minutes,
        24 * 60
    );
}

#[test]
fn a_deadline_anchored_on_an_event_waits_until_the_event_is_recorded() {
    let t0 = Utc
        .with_ymd_and_hms(2026, 11, 20, 2, 0, 0)
        .single()
        .expect("valid");
    let case = case_at(t0, Some(t0), PresentingCategory::Other);
    let mut rules = deadline::default_rules();
    rules[0].anchor = deadline::Anchor::Event(EventKind::PostMortemOrdered);
    let ds = deadline::compute(&facts(&case, &[], &[]), &rules, t0);
    let d = find(&ds, &rules[0].id);
    assert_eq!((d.state, d.due_at), (DeadlineState::NotStarted, None));
    assert!(d.waits_on.contains("Post-mortem ordered"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Around both UK clock changes of several years, every deadline is exactly its offset
    /// after its anchor in real time, and its UK display uses the zone in force at that instant.
    #[test]
    fn deadlines_hold_across_uk_clock_changes(
        year in 2024i32..2032,
        october in any::<bool>(),
        minutes_from_change in -36i64 * 60..36 * 60,
        hours_since_death in 0i64..72,
    ) {
        let change = clock_change(year, if october { 10 } else { 3 });
        let death = change + Duration::minutes(minutes_from_change);
        let now = death + Duration::hours(hours_since_death);
        let case = case_at(death, Some(death), PresentingCategory::Sudi);
        let rules = deadline::default_rules();
        let ds = deadline::compute(&facts(&case, &[], &[]), &rules, now);
        for d in &ds {
            let rule = rules.iter().find(|r| r.id == d.rule_id).expect("rule");
            // Issue 14 moved some rules to working days and to events: this property holds
            // for the elapsed-time rules; working-day rules have theirs in tests/workdays.rs
            // and tests/deadline_rules.rs.
            let (deadline::Counting::Elapsed, Some(due)) = (rule.counting, d.due_at) else {
                continue;
            };
            prop_assert_eq!(due - death, Duration::minutes(rule.offset_minutes));
            prop_assert_eq!(d.state == DeadlineState::Overdue, due < now);
            let expected_zone = if (due >= clock_change(year, 3)) && (due < clock_change(year, 10)) { "BST" } else { "GMT" };
            prop_assert_eq!(uk_zone(due), expected_zone);
        }
    }
}
