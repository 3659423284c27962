//! Every key through the keymap (issue 12 §1 "Keys"): quitting, Ctrl-C and Ctrl-Z included;
//! each action's permission decides the hint line, help and the answer to the key.

mod common;

use std::collections::BTreeMap;

use common::*;
use crossterm::event::KeyCode;
use jar_core::Role;
use jarterm::effect::Effect;
use jarterm::keymap::{Action, Ctx, KEYMAP, Keymap};
use jarterm::state::{State, Write};

fn rebound(s: &mut State, name: &str, keys: &[&str]) {
    let mut t = BTreeMap::new();
    t.insert(
        name.to_string(),
        keys.iter().map(|k| k.to_string()).collect(),
    );
    s.keymap = Keymap::from_config(&t).expect("valid keys");
}

fn one_unsent_change(s: &mut State) {
    s.outbox.queue(
        uuid::Uuid::new_v4(),
        Write::StartChecklist {
            case_ref: "JAR-2026-0042".into(),
            template: "sudi".into(),
        },
        None,
    );
}

/// The hint line (the last row) at 80x24.
fn hint_line(s: &State) -> String {
    screen(s, 80, 24)
        .lines()
        .last()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn with_quit_rebound_to_x_and_an_unsent_change_x_twice_quits() {
    let mut s = board_state(Role::Paediatrician);
    rebound(&mut s, "board.quit", &["x"]);
    one_unsent_change(&mut s);
    press(&mut s, ch('x'));
    assert!(!s.quit, "the first x warns");
    let banner = s
        .banner
        .as_ref()
        .map(|b| b.text.clone())
        .unwrap_or_default();
    assert!(banner.contains("not sent yet"), "{banner}");
    press(&mut s, ch('x'));
    assert!(s.quit, "the second x quits");
}

#[test]
fn another_key_between_the_two_quits_asks_again() {
    let mut s = board_state(Role::Paediatrician);
    one_unsent_change(&mut s);
    press(&mut s, ch('q'));
    press(&mut s, key(KeyCode::Down));
    press(&mut s, ch('q'));
    assert!(!s.quit);
    press(&mut s, ch('q'));
    assert!(s.quit);
}

#[test]
fn on_a_too_small_terminal_the_rebound_quit_key_quits() {
    let mut s = board_state(Role::Paediatrician);
    rebound(&mut s, "board.quit", &["x"]);
    s.size = (30, 10);
    press(&mut s, ch('q'));
    assert!(!s.quit, "q is no longer quit");
    press(&mut s, ch('x'));
    assert!(s.quit);
}

#[test]
fn ctrl_c_and_ctrl_z_are_bindings_that_work_even_in_a_text_box_or_at_sign_in() {
    let ev = ctrl('z');
    assert_eq!(
        Keymap::default().lookup(&[Ctx::Always], &ev),
        Some(Action::Suspend)
    );
    let (mut s, _) = case_state(Role::KeyWorker);
    press(&mut s, ch('4'));
    press(&mut s, ch('a'));
    while s.form.as_ref().and_then(|f| f.focused()).map(|f| f.key) != Some("summary") {
        press(&mut s, key(KeyCode::Tab));
    }
    type_text(&mut s, "Half");
    let fx = press(&mut s, ctrl('z'));
    assert!(fx.iter().any(|e| matches!(e, Effect::Suspend)));
    assert!(fx.iter().any(|e| matches!(e, Effect::SaveDrafts)));
    assert_eq!(
        s.form.as_ref().map(|f| f.text("summary")).as_deref(),
        Some("Half")
    );
    let mut login = State::new(now(), "127.0.0.1:8471");
    type_text(&mut login, "demo");
    press(&mut login, ctrl('c'));
    assert!(login.quit);
    // Help lists them, in their own section.
    let help = jarterm::ui::help_text();
    assert!(help.contains("Always (even while typing)"), "{help}");
    assert!(help.contains("Ctrl-Z"), "{help}");
}

#[test]
fn ctrl_c_and_ctrl_z_cannot_be_rebound() {
    for name in ["always.force-quit", "always.suspend"] {
        let mut t = BTreeMap::new();
        t.insert(name.to_string(), vec!["Q".to_string()]);
        let err = Keymap::from_config(&t).unwrap_err();
        assert!(err.contains("cannot be changed"), "{err}");
    }
}

#[test]
fn every_action_that_writes_names_the_permission_it_needs() {
    for b in KEYMAP {
        let writes = matches!(
            b.action,
            Action::Notify
                | Action::Add
                | Action::Correct
                | Action::Amend
                | Action::Reveal
                | Action::StartChecklist
                | Action::ItemDone
                | Action::ItemNotApplicable
                | Action::ItemUnable
                | Action::ItemNote
                | Action::NextStep
        );
        if writes {
            assert!(b.needs.is_some(), "{} names no permission", b.name);
            assert!(!b.denied.is_empty(), "{} says nothing when refused", b.name);
        }
    }
}

#[test]
fn a_key_worker_sees_no_timeline_hints_and_the_key_says_why() {
    let (mut s, _) = case_state(Role::KeyWorker);
    press(&mut s, ch('2'));
    let hints = hint_line(&s);
    assert!(!hints.contains("add event"), "{hints}");
    assert!(!hints.contains("correct"), "{hints}");
    press(&mut s, ch('a'));
    assert!(s.form.is_none());
    let banner = s
        .banner
        .as_ref()
        .map(|b| b.text.clone())
        .unwrap_or_default();
    assert!(banner.contains("cannot write to the timeline"), "{banner}");
    // The paediatrician sees them.
    let (mut s, _) = case_state(Role::Paediatrician);
    press(&mut s, ch('2'));
    assert!(hint_line(&s).contains("add event"));
}

#[test]
fn help_leaves_out_the_actions_that_are_not_for_the_role() {
    // Issue 17 §2: help shows only the keys the role can use on the screen shown.
    let mut s = board_state(Role::KeyWorker);
    press(&mut s, ch('?'));
    let text = screen(&s, 80, 24);
    assert!(!text.contains("notify a death"), "{text}");
    assert!(
        text.lines().any(|l| l.contains("open the selected case")),
        "{text}"
    );
}

/// Issue 12 §1 "Overlays": help opened while a contact is sending; the server refuses it;
/// the form comes back on top of help, is drawn, and gets the keys; closing it shows help.
#[test]
fn a_refused_contact_comes_back_over_help_and_the_keys_go_to_what_is_drawn() {
    use jarterm::msg::ApiMsg;
    use jarterm::state::Overlay;
    let (mut s, _) = case_state(Role::KeyWorker);
    press(&mut s, ch('4'));
    press(&mut s, ch('a'));
    while s.form.as_ref().and_then(|f| f.focused()).map(|f| f.key) != Some("summary") {
        press(&mut s, key(KeyCode::Tab));
    }
    type_text(&mut s, "Visited");
    let fx = press(&mut s, ctrl('s'));
    let sent = fx
        .iter()
        .find_map(|e| match e {
            Effect::Send(p) => Some(p.key),
            _ => None,
        })
        .expect("sending");
    press(&mut s, ch('?'));
    assert!(s.help);
    assert_eq!(s.top(), Some(Overlay::Help));
    api(
        &mut s,
        ApiMsg::WriteDone {
            key: sent,
            result: Err(jarterm::api::ApiError::Problem(jar_core::wire::Problem {
                kind: "https://jarterm.invalid/problems/invalid".into(),
                status: 422,
                title: "Not valid".into(),
                detail: "Who was present is needed".into(),
                current: None,
            })),
        },
    );
    // One stack: the form is on top, drawn, and named by the hint line.
    assert_eq!(s.top(), Some(Overlay::Form));
    let text = screen(&s, 80, 24);
    assert!(text.contains("Log a contact"), "{text}");
    assert!(!text.contains("Help for this screen"), "{text}");
    assert!(hint_line(&s).contains("save"), "{}", hint_line(&s));
    // Keys go to the form that is drawn.
    type_text(&mut s, " twice");
    assert_eq!(
        s.form.as_ref().map(|f| f.text("summary")).as_deref(),
        Some("Visited twice")
    );
    // Closing it shows help again, which then gets the keys.
    press(&mut s, key(KeyCode::Esc));
    assert_eq!(s.top(), Some(Overlay::Help));
    assert!(screen(&s, 80, 24).contains("Help for this screen"));
    press(&mut s, key(KeyCode::Esc));
    assert!(!s.help);
    assert_eq!(s.top(), None);
}

/// Words on screen name the key in force, so a rebound key is what the screen says.
#[test]
fn words_on_screen_name_the_rebound_key() {
    use jarterm::msg::ApiMsg;
    let mut t = BTreeMap::new();
    t.insert("board.quit".to_string(), vec!["x".to_string()]);
    t.insert(
        "checklists.start-checklist".to_string(),
        vec!["S".to_string()],
    );
    let keymap = Keymap::from_config(&t).expect("valid keys");
    // Too small: the quit key in force.
    let mut s = board_state(Role::Paediatrician);
    s.keymap = keymap.clone();
    let small = screen(&s, 30, 10);
    assert!(small.contains("x quits"), "{small}");
    // Unsent changes: press the quit key in force again.
    one_unsent_change(&mut s);
    press(&mut s, ch('x'));
    let banner = s
        .banner
        .as_ref()
        .map(|b| b.text.clone())
        .unwrap_or_default();
    assert!(banner.contains("Press x again"), "{banner}");
    // No checklist yet: the start key in force.
    let (mut s, _) = case_state(Role::Paediatrician);
    s.keymap = keymap;
    api(
        &mut s,
        ApiMsg::Checklists {
            case_ref: "JAR-2026-0042".into(),
            result: Ok(vec![]),
        },
    );
    press(&mut s, ch('3'));
    let text = screen(&s, 80, 24);
    assert!(text.contains("Press S to start"), "{text}");
}

#[test]
fn an_empty_timeline_offers_adding_only_to_roles_that_may() {
    use jarterm::msg::ApiMsg;
    for (role, offered) in [(Role::Paediatrician, true), (Role::KeyWorker, false)] {
        let (mut s, _) = case_state(role);
        api(
            &mut s,
            ApiMsg::Timeline {
                case_ref: "JAR-2026-0042".into(),
                result: Ok(vec![]),
            },
        );
        press(&mut s, ch('2'));
        let text = screen(&s, 80, 24);
        assert!(text.contains("No events yet"), "{text}");
        assert_eq!(
            text.contains("Press a to add one"),
            offered,
            "{role:?}: {text}"
        );
    }
}
