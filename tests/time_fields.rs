//! Time fields in the forms: what a tired clinician types is read the way they meant it, and
//! shown back in words before anything is saved (issue 14, section 1).

mod common;

use chrono::{DateTime, TimeZone, Utc};
use common::*;
use crossterm::event::KeyCode;
use jar_core::Role;
use jarterm::effect::Effect;
use jarterm::state::{State, Write};

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

fn focus(s: &mut State, field: &str) {
    // The notify form also holds who the child is (issue 15): enough tabs to go round it.
    for _ in 0..80 {
        if s.form.as_ref().and_then(|f| f.focused()).map(|f| f.key) == Some(field) {
            return;
        }
        press(s, key(KeyCode::Tab));
    }
    panic!("no field {field}");
}

fn clear(s: &mut State) {
    for _ in 0..40 {
        press(s, key(KeyCode::Backspace));
    }
}

#[test]
fn at_one_in_the_morning_a_death_found_at_2330_is_yesterday_and_says_so_before_saving() {
    let mut s = board_state(Role::Paediatrician);
    // 01:00 GMT on Wednesday 2 December: the night shift.
    s.now = utc(2026, 12, 2, 1, 0);
    press(&mut s, ch('N'));
    focus(&mut s, "found");
    clear(&mut s);
    type_text(&mut s, "23:30");
    let shown = screen(&s, 80, 24);
    assert!(
        shown.contains("= yesterday 23:30 GMT, 1h30m ago"),
        "the form reads the time back:\n{shown}"
    );
    focus(&mut s, "age");
    type_text(&mut s, "4");
    focus(&mut s, "criteria");
    press(&mut s, key(KeyCode::Down));
    press(&mut s, ch(' '));
    let fx = press(&mut s, ctrl('s'));
    match &sent(&fx)[0].write {
        Write::Notify(c) => assert_eq!(c.times.found_at, Some(utc(2026, 12, 1, 23, 30))),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_next_contact_due_at_a_clock_time_already_past_today_is_tomorrow() {
    let (mut s, _) = case_state(Role::KeyWorker);
    s.now = utc(2026, 12, 2, 15, 0);
    press(&mut s, ch('4'));
    press(&mut s, ch('a'));
    focus(&mut s, "next");
    clear(&mut s);
    type_text(&mut s, "10am");
    assert!(screen(&s, 80, 30).contains("= tomorrow 10:00 GMT, in 19h"));
}

#[test]
fn a_time_that_crashed_v1_shows_why_it_cannot_be_read_and_nothing_is_sent() {
    let (mut s, _) = case_state(Role::KeyWorker);
    press(&mut s, ch('4'));
    press(&mut s, ch('a'));
    focus(&mut s, "next");
    clear(&mut s);
    type_text(&mut s, "+999999999d");
    let shown = screen(&s, 80, 30);
    assert!(
        shown.contains("! too far: relative times reach 20 years at most"),
        "{shown}"
    );
    let fx = press(&mut s, ctrl('s'));
    assert!(sent(&fx).is_empty());
    let error = s
        .form
        .as_ref()
        .and_then(|f| f.error.clone())
        .unwrap_or_default();
    assert!(error.starts_with("Next contact due: too far"), "{error}");
}

#[test]
fn a_death_found_in_the_future_or_confirmed_before_it_was_found_is_not_sent() {
    let mut s = board_state(Role::Paediatrician);
    s.now = utc(2026, 12, 2, 1, 0);
    press(&mut s, ch('N'));
    focus(&mut s, "found");
    clear(&mut s);
    type_text(&mut s, "today 06:10");
    assert!(
        screen(&s, 80, 24).contains("! today 06:10 GMT, in 5h10m: is in the future"),
        "shown before sending"
    );
    focus(&mut s, "age");
    type_text(&mut s, "4");
    focus(&mut s, "criteria");
    press(&mut s, key(KeyCode::Down));
    press(&mut s, ch(' '));
    let fx = press(&mut s, ctrl('s'));
    assert!(sent(&fx).is_empty());
    let error = s
        .form
        .as_ref()
        .and_then(|f| f.error.clone())
        .unwrap_or_default();
    assert_eq!(error, "Found at: is in the future");
    // Found 23:30, confirmed 23:10 the same night: confirmed before found.
    focus(&mut s, "found");
    clear(&mut s);
    type_text(&mut s, "23:30");
    focus(&mut s, "confirmed");
    clear(&mut s);
    type_text(&mut s, "23:10");
    let fx = press(&mut s, ctrl('s'));
    assert!(sent(&fx).is_empty());
    let error = s
        .form
        .as_ref()
        .and_then(|f| f.error.clone())
        .unwrap_or_default();
    assert_eq!(error, "Death confirmed at: is before found");
}
