//! A status you can trust on a bad link (issue 18 §1), as scenarios on the pure state: the
//! connection and the waiting count are never dropped from the status bar; "connecting…"
//! until the server first answers and "live" as soon as it does; a board whose later pages
//! failed says it is partial ("Active 100+") and is asked for again until it is whole.
//! The real-network halves (a stream gone silent, a start with the server away) are in
//! `tests/link_proxy.rs` and `tests/offline_cache.rs`.

mod common;

use common::*;
use jar_core::Role;
use jarterm::api::ApiError;
use jarterm::effect::Effect;
use jarterm::msg::{ApiMsg, Msg};
use jarterm::state::{Conn, State, Write};
use jarterm::update::update;
use uuid::Uuid;

fn queue_three(s: &mut State) {
    for n in 0..3 {
        s.outbox.queue(
            Uuid::from_u128(n + 1),
            Write::StartChecklist {
                case_ref: "JAR-2026-0042".into(),
                template: "sudi".into(),
            },
            None,
        );
    }
}

fn status_line(s: &State, width: u16) -> String {
    let text = screen(s, width, 24);
    text.lines().nth(22).unwrap_or_default().to_string()
}

#[test]
fn offline_with_three_changes_waiting_every_role_sees_both_at_every_width() {
    for role in Role::ALL {
        for width in [120u16, 80, 60, 40] {
            let mut s = board_state(role);
            s.conn = Conn::Offline;
            s.journal_unencrypted = true;
            queue_three(&mut s);
            s.size = (width, 24);
            let line = status_line(&s, width);
            assert!(line.contains("offline"), "{role:?} at {width}: {line:?}");
            assert!(line.contains("3 waiting"), "{role:?} at {width}: {line:?}");
        }
    }
}

#[test]
fn on_a_screen_too_narrow_for_words_the_count_still_shows() {
    let mut s = board_state(Role::Police);
    s.conn = Conn::Offline;
    queue_three(&mut s);
    let text = jarterm::ui::status_bar::status_text(&s, 12);
    assert!(text.contains('3'), "{text:?}");
    assert!(text.contains("off"), "{text:?}");
}

#[test]
fn until_the_server_first_answers_the_status_says_connecting_then_live_on_the_first_answer() {
    let mut s = board_state(Role::Paediatrician);
    s.conn = Conn::Connecting;
    s.was_live = false;
    assert!(status_line(&s, 80).contains("connecting…"));
    // The first page of the board is an answer: live, without waiting for the stream.
    update(
        &mut s,
        Msg::Api(ApiMsg::CasesFirstPage(rows(board_cases()))),
    );
    assert_eq!(s.conn, Conn::Live);
    assert!(status_line(&s, 80).contains("live"));
}

#[test]
fn a_first_request_that_finds_no_server_says_offline_not_connecting_forever() {
    let mut s = board_state(Role::KeyWorker);
    s.conn = Conn::Connecting;
    s.was_live = false;
    update(
        &mut s,
        Msg::Api(ApiMsg::Cases(Err(ApiError::Network("timed out".into())))),
    );
    assert_eq!(s.conn, Conn::Offline);
}

#[test]
fn a_write_saved_after_an_outage_makes_the_status_live_at_once() {
    let mut s = board_state(Role::Paediatrician);
    s.conn = Conn::Offline;
    update(
        &mut s,
        Msg::Api(ApiMsg::WriteDone {
            key: Uuid::from_u128(9),
            result: Ok(jarterm::msg::WriteOk::Other),
        }),
    );
    assert_eq!(s.conn, Conn::Live, "the server just answered");
}

#[test]
fn a_401_does_not_claim_the_link_is_live() {
    let mut s = board_state(Role::Police);
    s.conn = Conn::Offline;
    let refused = ApiError::Problem(jar_core::wire::Problem {
        kind: "https://jarterm.invalid/problems/unauthorized".into(),
        title: "Unauthorized".into(),
        status: 401,
        detail: "expired".into(),
        current: None,
    });
    update(&mut s, Msg::Api(ApiMsg::Cases(Err(refused))));
    assert!(s.login.is_some(), "sign-in comes back");
    assert_ne!(s.conn, Conn::Live);
}

#[test]
fn a_board_whose_later_pages_failed_counts_as_partial_and_is_asked_for_again() {
    let mut s = board_state(Role::Manager);
    s.board.cases.clear();
    s.board.loaded = false;
    s.board.loading = true;
    let first: Vec<_> = rows(board_cases());
    let shown = first.iter().filter(|r| r.stage.is_active()).count();
    update(&mut s, Msg::Api(ApiMsg::CasesFirstPage(first)));
    let header = screen(&s, 80, 24);
    assert!(header.contains(&format!("Active {shown}+")), "{header}");
    assert!(header.contains("loading…"), "{header}");

    // The rest never came: the partial board stays, says so, and a retry is scheduled.
    let fx = update(
        &mut s,
        Msg::Api(ApiMsg::Cases(Err(ApiError::Network("timed out".into())))),
    );
    assert!(!fx.iter().any(|e| matches!(e, Effect::FetchCases)));
    let header = screen(&s, 80, 24);
    assert!(header.contains(&format!("Active {shown}+")), "{header}");
    assert!(header.contains("incomplete"), "{header}");
    assert!(!s.board.cases.is_empty(), "what came is kept");

    // A second later the board is asked for again (once).
    let t = now() + chrono::Duration::seconds(2);
    let fx = update(&mut s, Msg::Tick(t));
    assert!(fx.iter().any(|e| matches!(e, Effect::FetchCases)), "{fx:?}");
    let fx = update(&mut s, Msg::Tick(t + chrono::Duration::seconds(1)));
    assert!(!fx.iter().any(|e| matches!(e, Effect::FetchCases)));

    // The whole list lands: counts are whole again.
    let mut all = rows(board_cases());
    all.extend(rows(board_cases()).into_iter().map(|mut r| {
        r.reference = format!("{}-B", r.reference).into();
        r
    }));
    update(&mut s, Msg::Api(ApiMsg::Cases(Ok(all))));
    let header = screen(&s, 80, 24);
    assert!(
        header.contains(&format!("Active {}", shown * 2)),
        "{header}"
    );
    assert!(!header.contains('+'), "{header}");
    assert!(!header.contains("incomplete"), "{header}");
}
