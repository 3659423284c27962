//! Issue 15 in the client: the notify form takes who the child is (every field optional),
//! and a notification refused as a possible duplicate shows the candidates (references, areas
//! and times only) with the two ways on: notify it as a different death, or open the existing
//! case.

mod common;

use common::*;
use crossterm::event::KeyCode;
use jar_core::Role;
use jar_core::wire::Problem;
use jarterm::api::ApiError;
use jarterm::effect::Effect;
use jarterm::msg::{ApiMsg, WriteOk};
use jarterm::state::{PendingWrite, State, Write};

fn sent(fx: &[Effect]) -> Vec<PendingWrite> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Send(w) => Some((**w).clone()),
            _ => None,
        })
        .collect()
}

fn focus(s: &mut State, key: &str) {
    for _ in 0..60 {
        if s.form.as_ref().and_then(|f| f.focused()).map(|f| f.key) == Some(key) {
            return;
        }
        press(s, common::key(KeyCode::Tab));
    }
    panic!("no field {key}");
}

/// The essentials of a notification typed in: age 4 months, sudden with no apparent cause.
fn essentials(s: &mut State) {
    press(s, ch('N'));
    focus(s, "age");
    type_text(s, "4");
    focus(s, "criteria");
    press(s, common::key(KeyCode::Down));
    press(s, ch(' '));
}

#[test]
fn a_notification_carries_the_identity_typed_and_none_when_nothing_was() {
    let mut s = board_state(Role::Paediatrician);
    essentials(&mut s);
    let fx = press(&mut s, ctrl('s'));
    match &sent(&fx)[0].write {
        Write::Notify(c) => assert!(c.identity.is_none()),
        other => panic!("{other:?}"),
    }

    let mut s = board_state(Role::Paediatrician);
    essentials(&mut s);
    focus(&mut s, "id_family_name");
    type_text(&mut s, "Example");
    focus(&mut s, "id_nhs");
    type_text(&mut s, "999 000 0019");
    let fx = press(&mut s, ctrl('s'));
    assert!(
        sent(&fx).is_empty(),
        "a wrong check digit is caught before sending"
    );
    let error = s
        .form
        .as_ref()
        .and_then(|f| f.error.clone())
        .unwrap_or_default();
    assert!(error.contains("NHS number"), "{error}");
    press(&mut s, common::key(KeyCode::Backspace));
    type_text(&mut s, "8");
    focus(&mut s, "id_dob");
    type_text(&mut s, "01/11/2025");
    focus(&mut s, "id_parent_phone");
    type_text(&mut s, "07700 900123");
    focus(&mut s, "id_interpreter");
    press(&mut s, ch(' '));
    focus(&mut s, "id_children");
    type_text(&mut s, "Sam 4, Ali 7");
    let fx = press(&mut s, ctrl('s'));
    match &sent(&fx)[0].write {
        Write::Notify(c) => {
            let id = c.identity.as_ref().expect("identity");
            assert_eq!(id.family_name, "Example");
            assert_eq!(id.nhs_number, "999 000 0018");
            assert_eq!(
                id.date_of_birth,
                chrono::NaiveDate::from_ymd_opt(2025, 11, 1)
            );
            assert_eq!(id.family[0].phone, "07700 900123");
            assert_eq!(id.family[0].interpreter_needed, Some(true));
            assert_eq!(id.other_children.len(), 2);
            assert_eq!(id.other_children[1].first_name, "Ali");
            assert_eq!(id.other_children[1].age_years, Some(7));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_possible_duplicate_shows_the_candidates_and_ctrl_s_then_notifies_a_different_death() {
    let mut s = board_state(Role::Paediatrician);
    essentials(&mut s);
    let fx = press(&mut s, ctrl('s'));
    let w = sent(&fx)[0].clone();
    let candidates = serde_json::json!({"candidates": [{
        "reference": "JAR-2026-0007", "area": "Bristol", "likelihood": "certain",
        "notified_at": "2026-03-01T05:00:00Z", "death_at": "2026-03-01T03:00:00Z"}]});
    api(
        &mut s,
        ApiMsg::WriteDone {
            key: w.key,
            result: Err(ApiError::Problem(Problem {
                kind: "https://jarterm.invalid/problems/possible-duplicate".into(),
                title: "Possibly notified already".into(),
                status: 409,
                detail: "this death may already be notified".into(),
                current: Some(candidates),
            })),
        },
    );
    let text = screen(&s, 100, 30);
    assert!(text.contains("JAR-2026-0007"), "{text}");
    assert!(text.contains("Not the same death as"), "{text}");
    assert!(text.contains("different death"), "{text}");
    // The banner offers the existing case (g opens it once the form is put away).
    let banner = s.banner.as_ref().expect("banner");
    assert_eq!(banner.case.as_deref(), Some("JAR-2026-0007"));
    // Ctrl-S: a different death, saying which case it is not.
    let fx = press(&mut s, ctrl('s'));
    match &sent(&fx)[0].write {
        Write::Notify(c) => assert_eq!(c.not_a_duplicate_of, vec!["JAR-2026-0007".to_string()]),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_key_worker_newly_assigned_a_case_is_told_and_g_opens_it() {
    let mut s = board_state(Role::KeyWorker);
    let mut cases = board_cases();
    let newly = cases
        .iter_mut()
        .find(|c| !c.assigned_to_me)
        .expect("a case not mine");
    newly.assigned_to_me = true;
    let reference = newly.reference.clone();
    api(&mut s, ApiMsg::Cases(Ok(rows(cases.clone()))));
    let banner = s.banner.as_ref().expect("banner");
    assert_eq!(
        banner.text,
        format!("You were assigned {reference} as key worker — press g to open")
    );
    assert_eq!(s.goto.as_deref(), Some(reference.as_str()));
    // The same list again says nothing new.
    s.banner = None;
    api(&mut s, ApiMsg::Cases(Ok(rows(cases))));
    assert!(s.banner.is_none());
    // A manager is never "assigned as" anything.
    let mut s = board_state(Role::Manager);
    let mut cases = board_cases();
    cases.iter_mut().for_each(|c| c.assigned_to_me = true);
    api(&mut s, ApiMsg::Cases(Ok(rows(cases))));
    assert!(s.banner.is_none());
}

/// Reveal on the open case; the server answers with `answer`.
fn reveal(s: &mut State, answer: Result<WriteOk, ApiError>) {
    press(s, ch('r'));
    type_text(s, "Correcting the postcode for the coroner");
    let fx = press(s, ctrl('s'));
    let w = sent(&fx).remove(0);
    api(
        s,
        ApiMsg::WriteDone {
            key: w.key,
            result: answer,
        },
    );
}

#[test]
fn the_summary_corrects_the_identity_starting_from_the_revealed_record() {
    let (mut s, _) = case_state(Role::Paediatrician);
    press(&mut s, ch('i'));
    assert!(s.form.is_none(), "not before a reveal");
    let text = screen(&s, 100, 30);
    assert!(text.contains("Reveal the identity first"), "{text}");
    let held = jar_core::case::Identity {
        family_name: "Example".into(),
        nhs_number: "999 000 0018".into(),
        postcode: "ZZ99 1ZZ".into(),
        ..Default::default()
    };
    reveal(&mut s, Ok(WriteOk::Identity(Box::new(held))));
    press(&mut s, ch('i'));
    assert_eq!(
        s.form.as_ref().map(|f| f.text("id_family_name")).as_deref(),
        Some("Example")
    );
    focus(&mut s, "id_postcode");
    for _ in 0.."ZZ99 1ZZ".len() {
        press(&mut s, common::key(KeyCode::Backspace));
    }
    type_text(&mut s, "ZZ99 9ZZ");
    let fx = press(&mut s, ctrl('s'));
    match &sent(&fx)[0].write {
        Write::PutIdentity {
            case_ref, identity, ..
        } => {
            assert_eq!(case_ref, "JAR-2026-0042");
            assert_eq!(identity.family_name, "Example", "nothing held is lost");
            assert_eq!(identity.nhs_number, "999 000 0018");
            assert_eq!(identity.postcode, "ZZ99 9ZZ");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_case_with_no_identity_recorded_gets_one_added_and_a_key_worker_cannot() {
    let (mut s, _) = case_state(Role::Paediatrician);
    let none = Problem {
        kind: "https://jarterm.invalid/problems/not-found".into(),
        title: "Not found".into(),
        status: 404,
        detail: "no identity has been recorded for this case".into(),
        current: None,
    };
    reveal(&mut s, Err(ApiError::Problem(none)));
    press(&mut s, common::key(KeyCode::Esc));
    press(&mut s, ch('i'));
    let form = s.form.as_ref().expect("an empty identity form");
    assert_eq!(form.text("id_family_name"), "");
    let (mut s, _) = case_state(Role::KeyWorker);
    press(&mut s, ch('i'));
    assert!(s.form.is_none());
}

fn people() -> Vec<(jar_core::people::Slot, Vec<String>)> {
    use jar_core::people::Slot;
    vec![
        (Slot::LeadPaediatrician, vec!["demo-paed".into()]),
        (Slot::PoliceContact, vec!["demo-police".into()]),
        (Slot::SocialWorker, vec![]),
        (
            Slot::KeyWorker,
            vec!["kw-ash".into(), "kw-birch".into(), "kw-bay".into()],
        ),
    ]
}

#[test]
fn the_lead_paediatrician_picks_a_key_worker_by_typing_part_of_the_name() {
    let (mut s, _) = case_state(Role::Paediatrician);
    let fx = press(&mut s, ch('p'));
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::FetchAssignees(r) if r == "JAR-2026-0042")),
        "{fx:?}"
    );
    api(
        &mut s,
        ApiMsg::Assignees {
            case_ref: "JAR-2026-0042".into(),
            result: Ok(people()),
        },
    );
    assert!(s.form.is_some(), "the picker opens");
    // Place: key worker (the fourth).
    focus(&mut s, "slot");
    for _ in 0..3 {
        press(&mut s, common::key(KeyCode::Right));
    }
    focus(&mut s, "person");
    type_text(&mut s, "b");
    let text = screen(&s, 100, 30);
    assert!(text.contains("2 match: kw-birch, kw-bay"), "{text}");
    let fx = press(&mut s, ctrl('s'));
    assert!(sent(&fx).is_empty(), "two match: type more");
    type_text(&mut s, "ir");
    let text = screen(&s, 100, 30);
    assert!(text.contains("Ctrl-S assigns kw-birch"), "{text}");
    let fx = press(&mut s, ctrl('s'));
    match &sent(&fx)[0].write {
        Write::Assign {
            case_ref,
            slot,
            username,
            ..
        } => {
            assert_eq!(case_ref, "JAR-2026-0042");
            assert_eq!(*slot, jar_core::people::Slot::KeyWorker);
            assert_eq!(username.as_deref(), Some("kw-birch"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn police_cannot_open_the_assignment_picker() {
    let (mut s, _) = case_state(Role::Police);
    let fx = press(&mut s, ch('p'));
    assert!(!fx.iter().any(|e| matches!(e, Effect::FetchAssignees(_))));
    assert!(s.form.is_none());
}

#[test]
fn the_key_worker_sees_the_familys_phone_and_language_on_the_contacts_tab() {
    let (mut s, fx) = case_state(Role::KeyWorker);
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::FetchFamilyContacts(r) if r == "JAR-2026-0042")),
        "{fx:?}"
    );
    let family = jar_core::identity::FamilyContacts {
        family: vec![jar_core::case::FamilyMember {
            relationship: "mother".into(),
            name: "Example Parent".into(),
            phone: "07700 900123".into(),
            language: "Polish".into(),
            interpreter_needed: Some(true),
            ..Default::default()
        }],
    };
    api(
        &mut s,
        ApiMsg::FamilyContacts {
            case_ref: "JAR-2026-0042".into(),
            result: Ok(family),
        },
    );
    press(&mut s, ch('4'));
    let text = screen(&s, 100, 30);
    assert!(
        text.contains("Example Parent (mother) 07700 900123 · Polish · interpreter needed"),
        "{text}"
    );
    // Other roles do not ask: they reveal, with a reason.
    let (_, fx) = case_state(Role::Paediatrician);
    assert!(
        !fx.iter()
            .any(|e| matches!(e, Effect::FetchFamilyContacts(_)))
    );
}

#[test]
fn an_identity_form_put_away_is_not_kept_as_a_draft() {
    let (mut s, _) = case_state(Role::Paediatrician);
    let held = jar_core::case::Identity {
        family_name: "Example".into(),
        ..Default::default()
    };
    reveal(&mut s, Ok(WriteOk::Identity(Box::new(held))));
    press(&mut s, ch('i'));
    focus(&mut s, "id_postcode");
    type_text(&mut s, "ZZ99 9ZZ");
    press(&mut s, common::key(KeyCode::Esc));
    assert!(s.form.is_none());
    assert!(
        !s.drafts
            .iter()
            .any(|d| matches!(d.kind, jarterm::state::forms::FormKind::Identity { .. })),
        "a revealed identity never outlives the case in a draft"
    );
}
