//! Who may do what on a case, in the terminal (issue 14 §3): only the roles that own a step
//! record it, closing a case asks first and lists what is open, a closed item is not
//! overwritten without asking, and a sample records when it was taken.

mod common;

use chrono::{DateTime, TimeZone, Utc};
use common::*;
use crossterm::event::KeyCode;
use jar_core::Role;
use jar_core::checklist::ItemStatus;
use jar_core::timeline::EventKind;
use jarterm::effect::Effect;
use jarterm::state::{Dialog, State, Write};

fn sent(fx: &[Effect]) -> Vec<jarterm::state::PendingWrite> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Send(p) => Some((**p).clone()),
            _ => None,
        })
        .collect()
}

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0)
        .single()
        .expect("valid instant")
}

/// The Checklists tab with `id` selected.
fn select_item(s: &mut State, id: &str) {
    press(s, ch('3'));
    press(s, key(KeyCode::Home));
    let idx = s
        .case
        .as_ref()
        .expect("case")
        .items()
        .iter()
        .position(|i| i.view.item.id == id)
        .unwrap_or_else(|| panic!("{id} on the tab"));
    for _ in 0..idx {
        press(s, key(KeyCode::Down));
    }
}

/// The add-event form on the Timeline tab with `kind` chosen.
fn event_form(s: &mut State, kind: EventKind) {
    press(s, ch('2'));
    press(s, ch('a'));
    assert!(s.form.is_some(), "the add-event form opens");
    let offered: Vec<EventKind> = EventKind::ALL
        .into_iter()
        .filter(|k| *k != EventKind::Correction)
        .collect();
    let n = offered.iter().position(|k| *k == kind).expect("offered");
    for _ in 0..n {
        press(s, key(KeyCode::Right));
    }
}

fn hint_line(s: &State) -> String {
    screen(s, 80, 24)
        .lines()
        .last()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn police_trying_to_close_a_case_are_told_it_is_the_cdr_managers_and_nothing_is_sent() {
    let (mut s, _) = case_state(Role::Police);
    event_form(&mut s, EventKind::CdopReviewCompleted);
    let fx = press(&mut s, ctrl('s'));
    assert!(sent(&fx).is_empty(), "nothing is sent");
    let error = s.form.as_ref().and_then(|f| f.error.clone());
    assert_eq!(
        error.as_deref(),
        Some("Not yours to record: closing the case is for the CDR manager.")
    );
    assert!(s.dialog.is_none());
}

#[test]
fn a_social_worker_cannot_log_samples_taken() {
    let (mut s, _) = case_state(Role::SocialWorker);
    event_form(&mut s, EventKind::SamplesTaken);
    let fx = press(&mut s, ctrl('s'));
    assert!(sent(&fx).is_empty());
    let error = s
        .form
        .as_ref()
        .and_then(|f| f.error.clone())
        .unwrap_or_default();
    assert!(error.contains("recorded by health"), "{error}");
}

#[test]
fn the_cdr_manager_closing_a_case_sees_what_is_still_open_and_must_say_yes() {
    let (mut s, _) = case_state(Role::Manager);
    event_form(&mut s, EventKind::CdopReviewCompleted);
    let fx = press(&mut s, ctrl('s'));
    assert!(sent(&fx).is_empty(), "not sent before the confirmation");
    let Some(Dialog::Confirm { title, lines, .. }) = s.dialog.clone() else {
        panic!("a confirmation: {:?}", s.dialog);
    };
    assert_eq!(title, "Close JAR-2026-0042?");
    let text = lines.join("\n");
    // The fixture case: 3 items done, one unable (not done: still open), the rest open.
    let total = s
        .case
        .as_ref()
        .and_then(|c| c.detail.ready())
        .map(|d| d.progress)
        .expect("detail");
    assert!(
        text.contains(&format!(
            "Checklist items still open: {} of {}",
            total.total - total.done,
            total.total
        )),
        "{text}"
    );
    assert!(
        text.contains("(unable)"),
        "unable is listed as open: {text}"
    );
    let shown = screen(&s, 80, 24);
    assert!(shown.contains("Are you sure?"), "{shown}");
    assert!(shown.contains("y yes, go ahead"), "{shown}");
    let fx = press(&mut s, ch('y'));
    match &sent(&fx)[..] {
        [w] => match &w.write {
            Write::AddEvent { event, .. } => {
                assert_eq!(event.kind, EventKind::CdopReviewCompleted)
            }
            other => panic!("{other:?}"),
        },
        other => panic!("one write: {other:?}"),
    }
}

#[test]
fn saying_no_to_closing_sends_nothing_and_keeps_the_form_as_a_draft() {
    let (mut s, _) = case_state(Role::Manager);
    event_form(&mut s, EventKind::CdopReviewCompleted);
    press(&mut s, ctrl('s'));
    assert!(s.dialog.is_some());
    let fx = press(&mut s, key(KeyCode::Esc));
    assert!(sent(&fx).is_empty());
    assert!(s.dialog.is_none());
    assert_eq!(s.drafts.len(), 1, "the form is kept as a draft");
}

#[test]
fn reopening_a_done_item_asks_first_then_sends_open() {
    let (mut s, _) = case_state(Role::Paediatrician);
    let first = s
        .case
        .as_ref()
        .and_then(|c| c.items().first().map(|i| i.view.item.id.clone()))
        .expect("an item");
    select_item(&mut s, &first);
    let fx = press(&mut s, ch('o'));
    assert!(sent(&fx).is_empty(), "asks first");
    let Some(Dialog::Confirm { lines, .. }) = s.dialog.clone() else {
        panic!("a confirmation: {:?}", s.dialog);
    };
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("It is done by demo-paed")),
        "{lines:?}"
    );
    assert!(lines.iter().any(|l| l.contains("audit trail")), "{lines:?}");
    let fx = press(&mut s, ch('y'));
    match &sent(&fx)[..] {
        [w] => match &w.write {
            Write::ItemUpdate { addr, update, .. } => {
                assert_eq!(&addr.item, &first);
                assert_eq!(update.status, ItemStatus::Open);
            }
            other => panic!("{other:?}"),
        },
        other => panic!("one write: {other:?}"),
    }
}

#[test]
fn marking_a_done_item_not_applicable_asks_first_and_no_sends_nothing() {
    let (mut s, _) = case_state(Role::Paediatrician);
    let first = s
        .case
        .as_ref()
        .and_then(|c| c.items().first().map(|i| i.view.item.id.clone()))
        .expect("an item");
    select_item(&mut s, &first);
    press(&mut s, ch('n'));
    assert!(matches!(s.dialog, Some(Dialog::Confirm { .. })));
    let fx = press(&mut s, ch('q'));
    assert!(sent(&fx).is_empty());
    assert!(s.dialog.is_none());
}

#[test]
fn an_open_item_cannot_be_reopened() {
    let (mut s, _) = case_state(Role::Paediatrician);
    select_item(&mut s, "SUDI-B05");
    let fx = press(&mut s, ch('o'));
    assert!(fx.is_empty());
    assert!(s.dialog.is_none());
    assert!(screen(&s, 80, 24).contains("not closed"));
}

#[test]
fn at_one_in_the_morning_a_sample_taken_at_2330_is_yesterdays_and_is_sent_as_the_time_taken() {
    let (mut s, _) = case_state(Role::Paediatrician);
    // 01:00 GMT on Wednesday 2 December: the night shift.
    s.now = utc(2026, 12, 2, 1, 0);
    select_item(&mut s, "SUDI-B05");
    press(&mut s, ch('d'));
    let form = s.form.as_ref().expect("the sample form opens");
    assert_eq!(form.title, "Sample SUDI-B05 taken: when?");
    for _ in 0..40 {
        press(&mut s, key(KeyCode::Backspace));
    }
    type_text(&mut s, "23:30");
    let shown = screen(&s, 80, 24);
    assert!(
        shown.contains("= yesterday 23:30 GMT, 1h30m ago"),
        "the form reads the time back:\n{shown}"
    );
    let fx = press(&mut s, ctrl('s'));
    match &sent(&fx)[..] {
        [w] => match &w.write {
            Write::ItemUpdate { addr, update, .. } => {
                assert_eq!(addr.item, "SUDI-B05");
                assert_eq!(update.status, ItemStatus::Done);
                assert_eq!(update.taken_at, Some(utc(2026, 12, 1, 23, 30)));
            }
            other => panic!("{other:?}"),
        },
        other => panic!("one write: {other:?}"),
    }
}

#[test]
fn deferring_a_sample_to_the_post_mortem_asks_what_the_pathologist_is_to_take() {
    let (mut s, _) = case_state(Role::Paediatrician);
    select_item(&mut s, "SUDI-B04");
    press(&mut s, ch('p'));
    let fx = press(&mut s, ctrl('s'));
    assert!(sent(&fx).is_empty(), "no note, no write");
    type_text(&mut s, "LP not possible; CSF at the post-mortem");
    let fx = press(&mut s, ctrl('s'));
    match &sent(&fx)[..] {
        [w] => match &w.write {
            Write::ItemUpdate { update, .. } => {
                assert_eq!(update.status, ItemStatus::DeferredToPostMortem);
            }
            other => panic!("{other:?}"),
        },
        other => panic!("one write: {other:?}"),
    }
}

#[test]
fn the_hint_line_offers_no_item_action_on_an_item_owned_by_another_agency() {
    let (mut s, _) = case_state(Role::Police);
    // The NPA is health's: police see its status but get no item keys.
    select_item(&mut s, "SUDI-B05");
    let hints = hint_line(&s);
    assert!(!hints.contains("done"), "{hints}");
    assert!(!hints.contains("unable"), "{hints}");
    // A police item (the scene examination) offers them.
    select_item(&mut s, "SUDI-C03");
    let hints = hint_line(&s);
    assert!(hints.contains("d done"), "{hints}");
}

#[test]
fn the_board_never_cuts_the_time_critical_count() {
    let p = jar_core::checklist::Progress {
        done: 22,
        total: 28,
        open_time_critical: 22,
    };
    // v1 cut "22/28 !22" to "22/28 !2" in its 8 columns.
    assert_eq!(p.short(), "22/28!22");
    let mut b = board_state(Role::Paediatrician);
    b.board.cases[0].progress = p;
    let shown = screen(&b, 80, 24);
    assert!(shown.contains("22/28!22"), "{shown}");
}
