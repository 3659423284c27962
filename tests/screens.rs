//! Screen snapshots (TestBackend + insta) at 80x24 and 60x20 with a fixed clock, and every
//! screen drawn at sizes from 1x1 to 200x60 without a panic.

mod common;

use common::*;
use crossterm::event::KeyCode;
use jar_core::Role;
use jarterm::state::State;
use jarterm::theme::Theme;

/// Every screen worth drawing, by name.
fn screens() -> Vec<(&'static str, State)> {
    let mut out = Vec::new();
    out.push(("board", board_state(Role::Paediatrician)));
    for (name, tab) in [
        ("summary", '1'),
        ("timeline", '2'),
        ("checklists", '3'),
        ("contacts", '4'),
    ] {
        let role = if tab == '4' {
            Role::KeyWorker
        } else {
            Role::Paediatrician
        };
        let (mut s, _) = case_state(role);
        press(&mut s, ch(tab));
        if tab == '3' {
            for _ in 0..3 {
                press(&mut s, key(KeyCode::Down));
            }
        }
        out.push((name, s));
    }
    let (mut s, _) = case_state(Role::KeyWorker);
    press(&mut s, ch('4'));
    press(&mut s, ch('a'));
    press(&mut s, key(KeyCode::Tab));
    out.push(("contact_form", s));
    let mut s = board_state(Role::Paediatrician);
    press(&mut s, ch('N'));
    out.push(("notify_form", s));
    let mut s = board_state(Role::Paediatrician);
    press(&mut s, ch('?'));
    out.push(("help", s));
    let mut s = State::new(now(), "127.0.0.1:8471");
    type_text(&mut s, "demo-paed");
    out.push(("login", s));
    let (mut s, _) = case_state(Role::Paediatrician);
    press(&mut s, ch('3'));
    s.dialog = Some(jarterm::state::Dialog::Conflict(jarterm::state::Conflict {
        addr: jarterm::state::ItemAddr {
            case_ref: "JAR-2026-0042".into(),
            template: "sudi".into(),
            item: "SUDI-A05".into(),
        },
        item_text: "Record a 24-hour narrative".into(),
        mine: jar_core::wire::ItemUpdate::new(
            jar_core::checklist::ItemStatus::Done,
            "Narrative taken with the mother",
        ),
        theirs: jar_core::checklist::ItemState {
            item_id: "SUDI-A05".into(),
            status: jar_core::checklist::ItemStatus::NotApplicable,
            note: Some("Not needed: in hospital since birth".into()),
            updated_by: Some("demo-manager".into()),
            updated_at: Some(now()),
            version: 3,
            taken_at: None,
        },
    }));
    out.push(("conflict", s));
    out
}

#[test]
fn every_screen_matches_its_snapshot_at_80x24_and_60x20() {
    for (name, s) in screens() {
        for (w, h) in [(80u16, 24u16), (60, 20)] {
            let t = draw(&s, w, h);
            insta::assert_snapshot!(format!("{name}_{w}x{h}"), t.backend());
        }
    }
}

#[test]
fn the_police_contacts_tab_and_a_too_small_terminal_match_their_snapshots() {
    let (mut s, _) = case_state(Role::Police);
    press(&mut s, ch('4'));
    insta::assert_snapshot!("contacts_police_80x24", draw(&s, 80, 24).backend());
    insta::assert_snapshot!("too_small_30x10", draw(&s, 30, 10).backend());
    let b = board_state(Role::Paediatrician);
    insta::assert_snapshot!("board_two_lines_40x12", draw(&b, 40, 12).backend());
}

#[test]
fn the_family_plan_on_a_wide_board_and_a_tall_contact_form_match_their_snapshots() {
    // Ten columns for FAMILY at 100 wide: `due in 6d`, `OVERDUE 1d`.
    let b = board_state(Role::KeyWorker);
    insta::assert_snapshot!("board_key_worker_100x24", draw(&b, 100, 24).backend());
    // The summary box takes the room a tall terminal leaves (issue 16 §1).
    let (mut s, _) = case_state(Role::KeyWorker);
    press(&mut s, ch('4'));
    press(&mut s, ch('a'));
    for _ in 0..5 {
        press(&mut s, key(KeyCode::Tab));
    }
    type_text(&mut s, "Visited with an interpreter.");
    insta::assert_snapshot!("contact_form_120x40", draw(&s, 120, 40).backend());
    // The key worker's Summary: the family section under the deadlines.
    let (mut s, _) = case_state(Role::KeyWorker);
    press(&mut s, ch('1'));
    insta::assert_snapshot!("summary_key_worker_100x30", draw(&s, 100, 30).backend());
}

#[test]
fn no_screen_panics_at_any_size() {
    let widths = [
        1u16, 2, 3, 7, 10, 20, 39, 40, 41, 59, 60, 61, 79, 80, 81, 120, 200,
    ];
    let heights = [1u16, 2, 3, 5, 11, 12, 13, 19, 20, 24, 40, 60];
    let themes = [Theme::default_theme(), Theme::mono().with_ascii(true)];
    for (name, s) in screens() {
        for w in widths {
            for h in heights {
                for theme in &themes {
                    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        draw_with(&s, theme, w, h);
                    }));
                    assert!(result.is_ok(), "{name} panicked at {w}x{h}");
                }
            }
        }
    }
}

#[test]
fn mono_selection_is_reversed_so_nothing_depends_on_colour() {
    let s = board_state(Role::Paediatrician);
    let t = draw_with(&s, &Theme::mono(), 80, 24);
    let buf = t.backend().buffer();
    // Row 2 is the first case (after the title and the column headings).
    let cell = &buf[(2, 2)];
    assert!(cell.modifier.contains(ratatui::style::Modifier::REVERSED));
    let text = buffer_text(buf);
    assert!(text.contains("OVERDUE 40m"));
}
