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
