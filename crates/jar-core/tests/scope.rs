//! Who sees which case, and what of it.

mod common;

use chrono::{TimeZone, Utc};
use common::case_at;
use jar_core::Role;
use jar_core::case::{Flags, PresentingCategory};
use jar_core::checklist::{ItemState, template};
use jar_core::permissions::{Principal, in_scope, item_lock_reason, redact_case, redact_item};

fn who(role: Role, areas: &[&str]) -> Principal {
    Principal {
        username: format!("u-{role}"),
        role,
        areas: areas.iter().map(|a| a.to_string()).collect(),
    }
}

fn a_case() -> jar_core::Case {
    let t = Utc
        .with_ymd_and_hms(2026, 11, 20, 2, 0, 0)
        .single()
        .expect("valid");
    let mut c = case_at(t, Some(t), PresentingCategory::Sudi);
    c.flags = Some(Flags {
        criminal_investigation: true,
        ..Flags::default()
    });
    c.investigation_note = Some("Operation Example: scene retained".into());
    c
}

#[test]
fn nobody_sees_a_case_outside_their_areas() {
    assert!(!in_scope(&who(Role::Manager, &["Wessex Coast"]), &a_case()));
    assert!(in_scope(&who(Role::Police, &["North Wessex"]), &a_case()));
}

#[test]
fn a_key_worker_sees_only_cases_they_are_assigned_to() {
    let kw = who(Role::KeyWorker, &["North Wessex"]);
    let mut c = a_case();
    assert!(!in_scope(&kw, &c));
    c.people.key_worker = Some(kw.username.clone());
    assert!(in_scope(&kw, &c));
}

#[test]
fn a_key_worker_never_sees_the_criminal_investigation_flag() {
    let c = redact_case(Role::KeyWorker, a_case());
    assert_eq!(c.flags, None);
    assert_eq!(c.investigation_note, None);
    let c = redact_case(Role::Police, a_case());
    assert!(c.flags.expect("police see flags").criminal_investigation);
}

#[test]
fn police_may_tick_police_items_but_not_health_items() {
    let sudi = template("sudi").expect("sudi");
    let npa = sudi.item("SUDI-B05").expect("npa");
    let scene = sudi.item("SUDI-C03").expect("scene");
    assert!(item_lock_reason(Role::Police, scene).is_none());
    assert_eq!(
        item_lock_reason(Role::Police, npa).as_deref(),
        Some("owned by health")
    );
    assert!(item_lock_reason(Role::Manager, npa).is_none());
}

#[test]
fn a_key_worker_gets_the_status_but_not_the_note_of_a_maltreatment_pointer() {
    let sudi = template("sudi").expect("sudi");
    let a13 = sudi.item("SUDI-A13").expect("A13");
    let mut state = ItemState::new_open("SUDI-A13");
    state.note = Some("pointer noted".into());
    assert_eq!(redact_item(Role::KeyWorker, a13, state.clone()).note, None);
    assert_eq!(
        redact_item(Role::Paediatrician, a13, state).note.as_deref(),
        Some("pointer noted")
    );
}

fn change_on(c: &jar_core::Case) -> jar_core::wire::ChangeEvent {
    jar_core::wire::ChangeEvent {
        seq: 1,
        kind: jar_core::wire::ChangeKind::CaseUpdated,
        case_ref: Some(c.reference.clone()),
        area: Some(c.area.clone()),
        category: Some(c.category),
        version: Some(2),
        item: None,
        at: c.times.notified_at,
    }
}

#[test]
fn the_event_stream_uses_the_same_scope_as_the_reads() {
    use jar_core::permissions::may_hear_change;
    let mut c = a_case();
    let kw = who(Role::KeyWorker, &["North Wessex"]);
    let police = who(Role::Police, &["North Wessex"]);
    let elsewhere = who(Role::Manager, &["Wessex Coast"]);
    for (p, kw_assigned) in [
        (&kw, false),
        (&kw, true),
        (&police, false),
        (&elsewhere, false),
    ] {
        c.people.key_worker = kw_assigned.then(|| kw.username.clone());
        let hears = may_hear_change(p, &change_on(&c), c.people.key_worker.as_deref(), false);
        assert_eq!(hears, in_scope(p, &c), "{p:?} assigned={kw_assigned}");
    }
    // Investigative detail never reaches a key worker, even on their own case.
    c.people.key_worker = Some(kw.username.clone());
    assert!(!may_hear_change(
        &kw,
        &change_on(&c),
        Some(&kw.username),
        true
    ));
    assert!(may_hear_change(
        &police,
        &change_on(&c),
        Some(&kw.username),
        true
    ));
}

#[test]
fn a_patch_that_changes_nothing_names_no_field_and_investigative_fields_alone_are_restricted() {
    use jar_core::permissions::{CaseField, apply_case_patch, restricted_case_change};
    use jar_core::wire::CasePatch;
    let mut c = a_case();
    let now = c.times.notified_at;
    assert!(apply_case_patch(&mut c, CasePatch::default(), now).is_empty());
    let same = CasePatch {
        flags: c.flags.clone(),
        investigation_note: c.investigation_note.clone(),
        ..CasePatch::default()
    };
    assert!(apply_case_patch(&mut c, same, now).is_empty());
    let mut people = c.people.clone();
    people.key_worker = Some("kw".into());
    let fields = apply_case_patch(
        &mut c,
        CasePatch {
            people: Some(people),
            investigation_note: Some("new note".into()),
            ..CasePatch::default()
        },
        now,
    );
    assert_eq!(fields, [CaseField::People, CaseField::InvestigationNote]);
    assert!(
        !restricted_case_change(&fields),
        "assignments must reach key workers"
    );
    assert!(restricted_case_change(&[CaseField::Flags]));
    assert!(!restricted_case_change(&[]));
}
