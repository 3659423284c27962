//! Every default deadline rule in one table (anchor, timing, label, source), and the
//! scenarios of issue 14 section 2: deadlines count from real events, in working days where
//! the rule says so, and can be met late, not applicable, paused or waiting.

mod common;

use chrono::{DateTime, Duration, TimeZone, Utc};
use chrono_tz::Europe::London;
use common::case_at;
use jar_core::case::PresentingCategory;
use jar_core::checklist::{ItemState, ItemStatus};
use jar_core::deadline::{
    self, Anchor, AreaOverrides, CaseFacts, Counting, DeadlineState, DeathTime, Extras,
    FamilyContactFact, MetBy, NotApplicable, RuleLabel, RuleOverride,
};
use jar_core::permissions::redact_deadlines;
use jar_core::role::{Agency, Role};
use jar_core::time::uk_datetime;
use jar_core::timeline::{EventKind, TimelineEvent};
use jar_core::workdays::Calendar;

use Anchor::{Death, Event, FamilyContactPlan};
use Counting::{Elapsed, ElapsedOrNextWorkingDay, WorkingDays};
use EventKind as E;
use RuleLabel::{LocalPractice, NationalGuidance, Statutory};

fn uk(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    London
        .with_ymd_and_hms(y, mo, d, h, mi, 0)
        .single()
        .expect("an unambiguous UK time")
        .with_timezone(&Utc)
}

fn ev(id: i64, kind: EventKind, at: DateTime<Utc>) -> TimelineEvent {
    TimelineEvent {
        id,
        kind,
        occurred_at: at,
        recorded_at: at,
        recorded_by: "demo-paed".into(),
        note: String::new(),
        corrects: None,
    }
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

/// (id, anchor, counting, offset hours, hard, label, a phrase of its source)
type Row = (
    &'static str,
    Anchor,
    Counting,
    i64,
    bool,
    RuleLabel,
    &'static str,
);

#[test]
fn every_default_rule_has_its_anchor_timing_label_and_source() {
    let table: Vec<Row> = vec![
        (
            "police_informed",
            Death,
            Elapsed,
            1,
            false,
            LocalPractice,
            "RCEM SUDIC protocol",
        ),
        (
            "ed_response",
            Death,
            Elapsed,
            4,
            false,
            LocalPractice,
            "first 2-4 h",
        ),
        (
            "coroner_informed",
            Death,
            Elapsed,
            4,
            false,
            LocalPractice,
            "as soon as possible",
        ),
        (
            "social_care_informed",
            Death,
            Elapsed,
            4,
            false,
            LocalPractice,
            "within the first hours",
        ),
        (
            "npa_window",
            Death,
            Elapsed,
            8,
            true,
            NationalGuidance,
            "under 8 h after death",
        ),
        (
            "information_sharing",
            Death,
            Elapsed,
            4,
            false,
            LocalPractice,
            "before the family leaves the ED",
        ),
        (
            "information_sharing_meeting",
            Death,
            WorkingDays(3),
            0,
            false,
            LocalPractice,
            "1-3 working days",
        ),
        (
            "designated_doctor_informed",
            Death,
            WorkingDays(1),
            0,
            false,
            LocalPractice,
            "next working day",
        ),
        (
            "home_visit",
            Death,
            ElapsedOrNextWorkingDay,
            24,
            false,
            LocalPractice,
            "else the next working day",
        ),
        (
            "cdop_notified",
            Death,
            Elapsed,
            24,
            false,
            LocalPractice,
            "within 24 h",
        ),
        (
            "ncmd_notified",
            Death,
            Elapsed,
            48,
            false,
            NationalGuidance,
            "ncmd.info/notification-guidance",
        ),
        (
            "key_worker_first_contact",
            Event(E::KeyWorkerNamed),
            Elapsed,
            48,
            false,
            LocalPractice,
            "24-48 h",
        ),
        (
            "family_contact",
            FamilyContactPlan,
            Elapsed,
            0,
            false,
            LocalPractice,
            "key worker's own plan",
        ),
        (
            "post_pm_discussion",
            Event(E::PostMortemPreliminaryResults),
            WorkingDays(5),
            0,
            false,
            LocalPractice,
            "phase 2 within 5-7 days",
        ),
        (
            "cdrm",
            Death,
            Elapsed,
            12 * 7 * 24,
            false,
            LocalPractice,
            "8-12 weeks",
        ),
        (
            "cspr_panel_notified",
            Event(E::AbuseOrNeglectSuspected),
            WorkingDays(5),
            0,
            false,
            Statutory,
            "Children Act 2004 s16C",
        ),
        (
            "rapid_review",
            Event(E::AbuseOrNeglectSuspected),
            WorkingDays(15),
            0,
            false,
            NationalGuidance,
            "15 working days",
        ),
        (
            "ofsted_dfe_notified",
            Death,
            WorkingDays(5),
            0,
            false,
            Statutory,
            "looked-after child",
        ),
    ];
    let rules = deadline::default_rules();
    assert_eq!(
        rules.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
        table.iter().map(|r| r.0).collect::<Vec<_>>(),
        "every rule is in the table, in order"
    );
    for (rule, (id, anchor, counting, hours, hard, label, source)) in rules.iter().zip(&table) {
        assert_eq!(rule.anchor, *anchor, "{id} anchor");
        assert_eq!(rule.counting, *counting, "{id} counting");
        assert_eq!(rule.offset_minutes, hours * 60, "{id} offset");
        assert_eq!(rule.hard, *hard, "{id} hard");
        assert_eq!(rule.label, *label, "{id} label");
        assert!(rule.source.contains(source), "{id} source: {}", rule.source);
        // No default rule counts from the moment the case was typed in.
        assert_ne!(rule.anchor, Anchor::Notification, "{id}");
    }
}

#[test]
fn a_death_confirmed_six_hours_back_moves_the_npa_window() {
    // Notified now, with no found or confirmed time on the case; the paediatrician then logs
    // "Death confirmed" six hours back. v1 counted 8 h from the notification.
    let now = uk(2026, 11, 20, 9, 0);
    let mut case = case_at(now, None, PresentingCategory::Sudi);
    case.times.found_at = None;
    let ds = deadline::compute(&facts(&case, &[], &[]), &deadline::default_rules(), now);
    let npa = find(&ds, "npa_window");
    assert_eq!(npa.state, DeadlineState::NotStarted);
    assert!(npa.waits_on.contains("found or death confirmed"));
    let events = [ev(1, E::DeathConfirmed, now - Duration::hours(6))];
    let ds = deadline::compute(&facts(&case, &events, &[]), &deadline::default_rules(), now);
    let npa = find(&ds, "npa_window");
    assert_eq!(npa.due_at, Some(now + Duration::hours(2)));
    assert_eq!(npa.state, DeadlineState::Due);
}

#[test]
fn the_death_time_is_found_else_confirmed_and_an_area_may_choose_last_seen() {
    let found = uk(2026, 11, 20, 6, 0);
    let mut case = case_at(
        found + Duration::hours(2),
        Some(found + Duration::hours(1)),
        PresentingCategory::Sudi,
    );
    case.times.found_at = Some(found);
    case.times.last_seen_at = Some(found - Duration::hours(5));
    let now = found + Duration::hours(4);
    let ds = deadline::compute(&facts(&case, &[], &[]), &deadline::default_rules(), now);
    assert_eq!(
        find(&ds, "npa_window").due_at,
        Some(found + Duration::hours(8))
    );
    let mut overrides = AreaOverrides::new();
    overrides.entry(case.area.clone()).or_default().insert(
        "npa_window".into(),
        RuleOverride {
            death_time: Some(DeathTime::LastSeenElseFound),
            ..RuleOverride::default()
        },
    );
    let rules = deadline::rules_for_area(&case.area, &overrides);
    let ds = deadline::compute(&facts(&case, &[], &[]), &rules, now);
    assert_eq!(
        find(&ds, "npa_window").due_at,
        Some(found + Duration::hours(3))
    );
    assert_eq!(find(&ds, "npa_window").state, DeadlineState::Overdue);
}

#[test]
fn a_deadline_met_late_says_by_how_much() {
    let death = uk(2026, 11, 20, 2, 0);
    let case = case_at(death, Some(death), PresentingCategory::Other);
    let events = [ev(1, E::PoliceInformed, death + Duration::minutes(82))];
    let ds = deadline::compute(
        &facts(&case, &events, &[]),
        &deadline::default_rules(),
        death + Duration::hours(3),
    );
    let police = find(&ds, "police_informed");
    assert_eq!(police.state, DeadlineState::Met);
    assert_eq!(police.late_words().as_deref(), Some("late by 22m"));
    let on_time = [ev(1, E::PoliceInformed, death + Duration::minutes(30))];
    let ds = deadline::compute(
        &facts(&case, &on_time, &[]),
        &deadline::default_rules(),
        death + Duration::hours(3),
    );
    assert_eq!(find(&ds, "police_informed").late_by_minutes, None);
}

#[test]
fn a_home_visit_can_be_not_applicable_with_a_reason() {
    let death = uk(2026, 11, 20, 2, 0);
    let case = case_at(death, Some(death), PresentingCategory::Sudic);
    let na = [NotApplicable {
        rule_id: "home_visit".into(),
        reason: "died in PICU after 3 weeks; no home scene".into(),
        by: "demo-manager".into(),
        at: death + Duration::hours(1),
    }];
    let extras = Extras {
        not_applicable: &na,
        ..Extras::default()
    };
    let now = death + Duration::days(3);
    let ds = deadline::compute_with(
        &facts(&case, &[], &[]),
        &extras,
        &deadline::default_rules(),
        now,
    );
    let hv = find(&ds, "home_visit");
    assert_eq!(hv.state, DeadlineState::NotApplicable);
    assert_eq!(
        hv.not_applicable_reason.as_deref(),
        Some("died in PICU after 3 weeks; no home scene")
    );
    assert_eq!(
        ds.last().map(|d| d.state),
        Some(DeadlineState::NotApplicable),
        "sorted last"
    );
    assert!(deadline::next_open(&ds).is_none_or(|d| d.rule_id != "home_visit"));
}

#[test]
fn a_home_visit_after_a_friday_death_is_due_by_the_end_of_monday() {
    let death = uk(2026, 12, 4, 10, 0); // Friday
    let case = case_at(death, Some(death), PresentingCategory::Sudi);
    let ds = deadline::compute(&facts(&case, &[], &[]), &deadline::default_rules(), death);
    let hv = find(&ds, "home_visit");
    assert_eq!(uk_datetime(hv.due_at.expect("due")), "Mon 07 Dec 23:59 GMT");
    let dd = find(&ds, "designated_doctor_informed");
    assert_eq!(uk_datetime(dd.due_at.expect("due")), "Mon 07 Dec 23:59 GMT");
}

#[test]
fn key_worker_first_contact_is_met_only_by_reaching_the_family() {
    let death = uk(2026, 11, 20, 2, 0);
    let case = case_at(death, Some(death), PresentingCategory::Sudi);
    let named = death + Duration::hours(20);
    let events = [ev(1, E::KeyWorkerNamed, named)];
    let attempted = named + Duration::hours(2);
    let mut f = facts(&case, &events, &[]);
    f.first_family_contact = Some(attempted);
    // An attempt that did not reach the family does not meet it.
    let not_reached = Extras {
        first_family_reached: Some(None),
        ..Extras::default()
    };
    let now = named + Duration::hours(50);
    let ds = deadline::compute_with(&f, &not_reached, &deadline::default_rules(), now);
    let kw = find(&ds, "key_worker_first_contact");
    assert_eq!(kw.state, DeadlineState::Overdue);
    assert_eq!(
        kw.due_at,
        Some(named + Duration::hours(48)),
        "from the naming"
    );
    let reached = Extras {
        first_family_reached: Some(Some(named + Duration::hours(30))),
        ..Extras::default()
    };
    let ds = deadline::compute_with(&f, &reached, &deadline::default_rules(), now);
    assert_eq!(
        find(&ds, "key_worker_first_contact").state,
        DeadlineState::Met
    );
    // Before a key worker is named the clock runs from the death.
    let ds = deadline::compute(&facts(&case, &[], &[]), &deadline::default_rules(), death);
    assert_eq!(
        find(&ds, "key_worker_first_contact").due_at,
        Some(death + Duration::hours(48))
    );
}

#[test]
fn the_cdrm_waits_for_the_final_pm_report_and_pauses_for_an_inquest() {
    let death = uk(2026, 1, 10, 2, 0);
    let case = case_at(death, Some(death), PresentingCategory::Sudi);
    let rules = deadline::default_rules();
    let now = death + Duration::weeks(13);
    let ds = deadline::compute(&facts(&case, &[], &[]), &rules, now);
    let cdrm = find(&ds, "cdrm");
    assert_eq!(cdrm.state, DeadlineState::NotStarted);
    assert_eq!(cdrm.waits_on, "waits for: Final PM report received");
    // Report in at 6 weeks: due 12 weeks after death.
    let report = death + Duration::weeks(6);
    let mut events = vec![ev(1, E::FinalPmReportReceived, report)];
    let ds = deadline::compute(
        &facts(&case, &events, &[]),
        &rules,
        death + Duration::weeks(7),
    );
    assert_eq!(find(&ds, "cdrm").due_at, Some(death + Duration::weeks(12)));
    // An inquest opens at 8 weeks: paused, no due time.
    events.push(ev(2, E::InquestOpened, death + Duration::weeks(8)));
    let ds = deadline::compute(
        &facts(&case, &events, &[]),
        &rules,
        death + Duration::weeks(20),
    );
    let cdrm = find(&ds, "cdrm");
    assert_eq!((cdrm.state, cdrm.due_at), (DeadlineState::Paused, None));
    assert_eq!(cdrm.waits_on, "paused while proceedings are open");
    // It concludes at 18 weeks: ten weeks paused, so due at 22 weeks.
    events.push(ev(3, E::InquestConcluded, death + Duration::weeks(18)));
    let ds = deadline::compute(
        &facts(&case, &events, &[]),
        &rules,
        death + Duration::weeks(20),
    );
    let cdrm = find(&ds, "cdrm");
    assert_eq!(cdrm.state, DeadlineState::Due);
    assert_eq!(cdrm.due_at, Some(death + Duration::weeks(22)));
    // A report that arrives late leaves at least four weeks to convene.
    let late = [ev(1, E::FinalPmReportReceived, death + Duration::weeks(11))];
    let ds = deadline::compute(
        &facts(&case, &late, &[]),
        &rules,
        death + Duration::weeks(11),
    );
    assert_eq!(find(&ds, "cdrm").due_at, Some(death + Duration::weeks(15)));
}

#[test]
fn the_panel_clocks_start_when_abuse_or_neglect_is_suspected_and_key_workers_never_see_them() {
    let death = uk(2027, 3, 22, 3, 0);
    let case = case_at(death, Some(death), PresentingCategory::Sudi);
    let rules = deadline::default_rules();
    let ds = deadline::compute(&facts(&case, &[], &[]), &rules, death);
    assert!(
        ds.iter()
            .all(|d| d.rule_id != "cspr_panel_notified" && d.rule_id != "rapid_review")
    );
    // The local authority becomes aware on Wednesday 24 March 2027 (Easter follows).
    let aware = uk(2027, 3, 24, 15, 0);
    let events = [ev(1, E::AbuseOrNeglectSuspected, aware)];
    let ds = deadline::compute(&facts(&case, &events, &[]), &rules, aware);
    let panel = find(&ds, "cspr_panel_notified");
    assert_eq!(
        uk_datetime(panel.due_at.expect("due")),
        "Fri 02 Apr 23:59 BST"
    );
    assert_eq!(panel.label, Statutory);
    let rapid = find(&ds, "rapid_review");
    assert_eq!(
        uk_datetime(rapid.due_at.expect("due")),
        "Fri 16 Apr 23:59 BST"
    );
    assert_eq!(rapid.label, NationalGuidance);
    // Tipping off: a key worker's copy has neither; the police lead's has both.
    let kw = redact_deadlines(Role::KeyWorker, ds.clone());
    assert!(kw.iter().all(|d| !d.restricted));
    assert_eq!(kw.len() + 2, ds.len());
    assert_eq!(redact_deadlines(Role::Police, ds.clone()).len(), ds.len());
}

#[test]
fn ofsted_and_the_dfe_are_notified_only_for_a_looked_after_child() {
    let death = uk(2026, 11, 20, 2, 0);
    let mut case = case_at(death, Some(death), PresentingCategory::SuspectedSuicide);
    let rules = deadline::default_rules();
    let ds = deadline::compute(&facts(&case, &[], &[]), &rules, death);
    assert!(ds.iter().all(|d| d.rule_id != "ofsted_dfe_notified"));
    if let Some(f) = case.flags.as_mut() {
        f.looked_after = true;
    }
    let ds = deadline::compute(&facts(&case, &[], &[]), &rules, death);
    let lac = find(&ds, "ofsted_dfe_notified");
    // Friday 20 Nov + 5 working days = Friday 27 Nov.
    assert_eq!(
        uk_datetime(lac.due_at.expect("due")),
        "Fri 27 Nov 23:59 GMT"
    );
    assert_eq!(lac.owners, vec![Agency::SocialCare]);
}

#[test]
fn an_unable_sample_does_not_meet_the_npa_window() {
    let death = uk(2026, 11, 20, 2, 0);
    let case = case_at(death, Some(death), PresentingCategory::Sudi);
    let mut item = ItemState::new_open("SUDI-B05");
    item.status = ItemStatus::Unable;
    item.updated_at = Some(death + Duration::hours(2));
    let items = [item];
    let ds = deadline::compute(
        &facts(&case, &[], &items),
        &deadline::default_rules(),
        death + Duration::hours(9),
    );
    assert_eq!(find(&ds, "npa_window").state, DeadlineState::Overdue);
}

#[test]
fn an_area_can_change_a_working_day_count() {
    let mut overrides = AreaOverrides::new();
    overrides.entry("North Wessex".into()).or_default().insert(
        "information_sharing_meeting".into(),
        RuleOverride {
            working_days: Some(1),
            ..RuleOverride::default()
        },
    );
    let rules = deadline::rules_for_area("North Wessex", &overrides);
    let r = rules
        .iter()
        .find(|r| r.id == "information_sharing_meeting")
        .expect("rule");
    assert_eq!(r.counting, WorkingDays(1));
    assert_eq!(r.met_by, MetBy::Event(E::InformationSharingMeetingHeld));
}

#[test]
fn every_rule_reads_its_timing_in_words() {
    let rules = deadline::default_rules();
    let timing = |id: &str| rules.iter().find(|r| r.id == id).expect("rule").timing();
    assert_eq!(
        timing("npa_window"),
        "8 h after death (found, else death confirmed)"
    );
    assert_eq!(
        timing("cspr_panel_notified"),
        "5 working days after Abuse or neglect known or suspected"
    );
    assert_eq!(
        timing("home_visit"),
        "24 h after death (found, else death confirmed), or the next working day if that is not one"
    );
    assert!(timing("cdrm").contains("starts once Final PM report received is recorded"));
    assert!(
        rules
            .iter()
            .all(|r| !r.timing().is_empty() && !r.source.is_empty())
    );
    // The calendar behind working-day rules is the embedded gov.uk list.
    assert!(Calendar::embedded().source().contains("gov.uk"));
}

#[test]
fn the_clinical_model_lists_every_rule() {
    // docs/clinical-model.md is what the designated doctor signs off: every rule, its label
    // and its source must be there.
    let doc = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/clinical-model.md"),
    )
    .expect("docs/clinical-model.md");
    for r in deadline::default_rules() {
        let row = doc
            .lines()
            .find(|l| l.starts_with(&format!("| `{}` |", r.id)))
            .unwrap_or_else(|| panic!("{} is not in docs/clinical-model.md", r.id));
        assert!(
            row.to_lowercase().contains(r.label.label()),
            "{}: the doc's label differs from {:?}",
            r.id,
            r.label
        );
    }
}

/// One row of the review-track rule table: events, rule, expected state and due time.
type TrackRow = (
    Vec<TimelineEvent>,
    &'static str,
    DeadlineState,
    Option<DateTime<Utc>>,
);

/// Issue 16 §4 (and issue 14 §2's last bullet): the review track's events as the rules read
/// them, one row per anchor, wait or pause, with the rule's label.
#[test]
fn the_review_tracks_events_anchor_pause_and_release_the_post_pm_and_cdrm_clocks() {
    let death = uk(2026, 1, 10, 2, 0);
    let case = case_at(death, Some(death), PresentingCategory::Sudi);
    let rules = deadline::default_rules();
    let at = |w: i64| death + Duration::weeks(w);
    // (events, rule, state, due) — post-PM discussion counts 5 working days from the
    // preliminary results (Monday 2 Feb 2026 → Monday 9 Feb, end of day, GMT).
    let prelim = uk(2026, 2, 2, 11, 0);
    let rows: Vec<TrackRow> = vec![
        (
            vec![],
            "post_pm_discussion",
            DeadlineState::NotStarted,
            None,
        ),
        (
            vec![ev(1, E::PostMortemPreliminaryResults, prelim)],
            "post_pm_discussion",
            DeadlineState::Overdue,
            Some(uk(2026, 2, 9, 23, 59) + Duration::seconds(59)),
        ),
        // The CDRM waits for the final report …
        (
            vec![ev(1, E::PostMortemPreliminaryResults, prelim)],
            "cdrm",
            DeadlineState::NotStarted,
            None,
        ),
        // … pauses while criminal proceedings are open …
        (
            vec![
                ev(1, E::FinalPmReportReceived, at(6)),
                ev(2, E::CriminalProceedingsOpened, at(8)),
            ],
            "cdrm",
            DeadlineState::Paused,
            None,
        ),
        // … and resumes when they close, due later by the time they were open.
        (
            vec![
                ev(1, E::FinalPmReportReceived, at(6)),
                ev(2, E::CriminalProceedingsOpened, at(8)),
                ev(3, E::CriminalProceedingsConcluded, at(20)),
            ],
            "cdrm",
            DeadlineState::Due,
            Some(at(24)),
        ),
        // An inquest and proceedings open together pause once, not twice.
        (
            vec![
                ev(1, E::FinalPmReportReceived, at(6)),
                ev(2, E::InquestOpened, at(8)),
                ev(3, E::CriminalProceedingsOpened, at(9)),
                ev(4, E::InquestConcluded, at(12)),
                ev(5, E::CriminalProceedingsConcluded, at(20)),
            ],
            "cdrm",
            DeadlineState::Due,
            Some(at(24)),
        ),
        // Held: met.
        (
            vec![
                ev(1, E::FinalPmReportReceived, at(6)),
                ev(2, E::CdrmHeld, at(11)),
            ],
            "cdrm",
            DeadlineState::Met,
            Some(at(12)),
        ),
    ];
    let now = at(21);
    for (events, rule, state, due) in rows {
        let ds = deadline::compute(&facts(&case, &events, &[]), &rules, now);
        let d = find(&ds, rule);
        assert_eq!((d.state, d.due_at), (state, due), "{rule} with {events:?}");
        assert_eq!(d.label, LocalPractice, "{rule}");
        assert!(!d.source.is_empty(), "{rule} names its source");
    }
}
fn contact(
    id: i64,
    at: DateTime<Utc>,
    reached: bool,
    next: Option<DateTime<Utc>>,
) -> FamilyContactFact {
    FamilyContactFact {
        id,
        occurred_at: at,
        reached,
        next_contact_due: next,
    }
}

#[test]
fn the_key_workers_next_contact_due_becomes_the_family_contact_deadline() {
    let death = uk(2026, 11, 20, 2, 0);
    let case = case_at(death, Some(death), PresentingCategory::Sudi);
    let f = facts(&case, &[], &[]);
    let rules = deadline::default_rules();
    let first = death + Duration::days(1);
    let planned = first + Duration::days(7);
    let deadlines = |contacts: &[FamilyContactFact], now| {
        let extras = Extras {
            family_contacts: contacts,
            ..Extras::default()
        };
        deadline::compute_with(&f, &extras, &rules, now)
    };
    // No contact with a plan: no family-contact deadline at all.
    let ds = deadlines(&[contact(1, first, true, None)], first);
    assert!(ds.iter().all(|d| d.rule_id != "family_contact"));
    // The plan is the deadline: due, then overdue a day after.
    let plan = [contact(1, first, true, Some(planned))];
    let d = deadlines(&plan, first + Duration::days(2));
    let fc = find(&d, "family_contact");
    assert_eq!((fc.state, fc.due_at), (DeadlineState::Due, Some(planned)));
    assert_eq!(fc.label, RuleLabel::LocalPractice);
    let d = deadlines(&plan, planned + Duration::days(1));
    assert_eq!(find(&d, "family_contact").state, DeadlineState::Overdue);
    // A later call that did not reach the family does not meet it...
    let tried = [plan[0], contact(2, planned, false, None)];
    let d = deadlines(&tried, planned + Duration::days(1));
    assert_eq!(find(&d, "family_contact").state, DeadlineState::Overdue);
    // ...one that reached them does, late by the hours it was late.
    let met = [
        plan[0],
        contact(2, planned + Duration::hours(3), true, None),
    ];
    let d = deadlines(&met, planned + Duration::days(1));
    let fc = find(&d, "family_contact");
    assert_eq!(fc.state, DeadlineState::Met);
    assert_eq!(fc.late_by_minutes, Some(180));
    // A later contact with its own plan replaces the plan, whatever its outcome.
    let replanned = [
        plan[0],
        contact(
            2,
            first + Duration::days(6),
            false,
            Some(planned + Duration::days(3)),
        ),
    ];
    let d = deadlines(&replanned, planned + Duration::days(1));
    let fc = find(&d, "family_contact");
    assert_eq!(
        (fc.state, fc.due_at),
        (DeadlineState::Due, Some(planned + Duration::days(3)))
    );
}
