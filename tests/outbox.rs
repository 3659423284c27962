//! The outbox as `update` sees it (no I/O): pending then saved, one write on its way at a
//! time and in order, writes from the journal first, server trouble retried with backoff,
//! the status bar's "journal unencrypted".

mod common;

use common::*;
use crossterm::event::KeyCode;
use jar_core::Role;
use jarterm::api::ApiError;
use jarterm::effect::Effect;
use jarterm::msg::{ApiMsg, Msg, WriteOk};
use jarterm::state::{PendingWrite, State};
use jarterm::update::update;

fn sent(fx: &[Effect]) -> Vec<PendingWrite> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Send(p) => Some((**p).clone()),
            _ => None,
        })
        .collect()
}

fn log_contact(s: &mut State, text: &str) -> Vec<Effect> {
    press(s, ch('a'));
    while s.form.as_ref().and_then(|f| f.focused()).map(|f| f.key) != Some("summary") {
        press(s, key(KeyCode::Tab));
    }
    type_text(s, text);
    press(s, ctrl('s'))
}

fn contact_ok(s: &mut State, key: uuid::Uuid) -> Vec<Effect> {
    let c = contacts().remove(0);
    api(
        s,
        ApiMsg::WriteDone {
            key,
            result: Ok(WriteOk::Contact(Box::new(c))),
        },
    )
}

#[test]
fn writes_show_as_pending_then_saved_and_go_one_at_a_time_in_order() {
    let (mut s, _) = case_state(Role::KeyWorker);
    press(&mut s, ch('4'));
    let first = sent(&log_contact(&mut s, "First visit"));
    assert_eq!(first.len(), 1);
    assert!(screen(&s, 80, 24).contains("Pending: contact"));
    // The second waits behind the first (never two on the way at once).
    let second = log_contact(&mut s, "Second call");
    assert!(sent(&second).is_empty());
    assert_eq!(s.waiting(), 2);
    assert!(screen(&s, 80, 24).contains("2 waiting"));
    // Navigation never waits on the network.
    press(&mut s, ch('1'));
    assert_eq!(
        s.case.as_ref().map(|c| c.tab.tab),
        Some(jarterm::state::Tab::Summary)
    );
    let next = sent(&contact_ok(&mut s, first[0].key));
    assert_eq!(next.len(), 1);
    assert_ne!(next[0].key, first[0].key);
    assert!(
        matches!(&next[0].write, jarterm::state::Write::AddContact { contact, .. } if contact.summary == "Second call")
    );
    contact_ok(&mut s, next[0].key);
    assert_eq!(s.waiting(), 0);
    assert!(screen(&s, 80, 24).contains("Saved: contact"));
}

#[test]
fn a_server_error_keeps_the_write_and_retries_it_with_the_same_key() {
    let (mut s, _) = case_state(Role::KeyWorker);
    press(&mut s, ch('4'));
    let w = sent(&log_contact(&mut s, "Visited")).remove(0);
    let problem = jar_core::wire::Problem {
        kind: "about:blank".into(),
        title: "Internal error".into(),
        status: 500,
        detail: String::new(),
        current: None,
    };
    api(
        &mut s,
        ApiMsg::WriteDone {
            key: w.key,
            result: Err(ApiError::Problem(problem)),
        },
    );
    assert_eq!(s.waiting(), 1, "a 500 never drops the write");
    assert!(screen(&s, 80, 24).contains("The server had a problem"));
    assert!(sent(&update(&mut s, Msg::Tick(now()))).is_empty());
    let again = sent(&update(
        &mut s,
        Msg::Tick(now() + chrono::Duration::seconds(2)),
    ));
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].key, w.key);
}

#[test]
fn writes_from_the_journal_go_first_and_an_unencrypted_journal_is_said() {
    let (mut s, _) = case_state(Role::KeyWorker);
    press(&mut s, ch('4'));
    let fresh = log_contact(&mut s, "Typed this run");
    let fresh_key = sent(&fresh)[0].key;
    let mut write = sent(&fresh)[0].write.clone();
    if let jarterm::state::Write::AddContact { contact, .. } = &mut write {
        contact.summary = "From last time".into();
    }
    let old = PendingWrite {
        key: uuid::Uuid::new_v4(),
        write,
        in_flight: true,
        form: None,
    };
    api(
        &mut s,
        ApiMsg::JournalLoaded {
            writes: vec![old.clone()],
            drafts: vec![],
            encrypted: false,
            problem: None,
        },
    );
    assert_eq!(s.outbox[0].key, old.key);
    assert_eq!(s.outbox[1].key, fresh_key);
    assert!(!s.outbox[0].in_flight);
    assert!(screen(&s, 100, 24).contains("journal unencrypted"));
    // When the write on its way is confirmed, the old one goes next.
    let next = sent(&contact_ok(&mut s, fresh_key));
    assert_eq!(next[0].key, old.key);
}

#[test]
fn another_person_signing_in_over_an_expired_session_never_sends_the_last_ones_writes() {
    let (mut s, _) = case_state(Role::KeyWorker);
    press(&mut s, ch('4'));
    let w = sent(&log_contact(&mut s, "Mine, not theirs")).remove(0);
    api(
        &mut s,
        ApiMsg::WriteDone {
            key: w.key,
            result: Err(ApiError::Unauthorized),
        },
    );
    assert!(s.login.is_some());
    let other = principal(Role::Paediatrician);
    let fx = api(
        &mut s,
        ApiMsg::LoggedIn(Ok(jar_core::wire::LoginResponse {
            token: "t".into(),
            user: other.clone(),
            expires_at: now() + chrono::Duration::hours(8),
        })),
    );
    assert!(sent(&fx).is_empty(), "nothing of the last person is sent");
    assert_eq!(s.waiting(), 0);
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::LoadDrafts(u) if *u == other.username)),
        "the new person's own journal is opened"
    );
}

#[test]
fn a_tick_shows_at_once_as_pending_on_the_item_until_confirmed() {
    let (mut s, _) = case_state(Role::Paediatrician);
    press(&mut s, ch('3'));
    for _ in 0..4 {
        press(&mut s, key(KeyCode::Down));
    }
    assert!(!screen(&s, 80, 24).contains("pending"));
    let fx = press(&mut s, ch('d'));
    let w = sent(&fx).remove(0);
    let text = screen(&s, 80, 24);
    assert!(text.contains("pending"), "{text}");
    // Still pending while the network is away.
    api(
        &mut s,
        ApiMsg::WriteDone {
            key: w.key,
            result: Err(ApiError::Network("timed out".into())),
        },
    );
    assert!(screen(&s, 80, 24).contains("pending"));
}
