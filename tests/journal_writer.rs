//! Issue 12 §1 "Outbox": `update` hands the journal's contents over (`Effect::PersistJournal`)
//! before a write is sent; a conflict is kept as its own entry; the writer thread writes
//! what it is given, newest first, and brings back what an earlier run left.

mod common;

use common::*;
use crossterm::event::KeyCode;
use jar_core::Role;
use jar_core::checklist::{ItemState, ItemStatus};
use jar_core::wire::Problem;
use jarterm::api::ApiError;
use jarterm::effect::Effect;
use jarterm::journal::{Contents, Journal, KeySource};
use jarterm::journal_writer::{JournalWriter, OpenJournal};
use jarterm::msg::{ApiMsg, Msg};
use jarterm::state::{State, Write};

fn persisted(fx: &[Effect]) -> Option<&Contents> {
    fx.iter().find_map(|e| match e {
        Effect::PersistJournal(c) => Some(&**c),
        _ => None,
    })
}

fn sent_key(fx: &[Effect]) -> Option<uuid::Uuid> {
    fx.iter().find_map(|e| match e {
        Effect::Send(p) => Some(p.key),
        _ => None,
    })
}

/// The paediatrician's note on the first open checklist item, saved (one write sent).
fn item_note_sent(s: &mut State) -> Vec<Effect> {
    press(s, ch('3'));
    let idx = s
        .case
        .as_ref()
        .and_then(|c| {
            c.items()
                .iter()
                .position(|i| i.view.state.status == ItemStatus::Open)
        })
        .expect("an open item");
    for _ in 0..idx {
        press(s, key(KeyCode::Down));
    }
    press(s, ch('e'));
    type_text(s, "Booked");
    press(s, ctrl('s'))
}

#[test]
fn a_write_is_handed_to_the_journal_before_it_is_sent() {
    let (mut s, _) = case_state(Role::Paediatrician);
    let fx = item_note_sent(&mut s);
    let persist_at = fx
        .iter()
        .position(|e| matches!(e, Effect::PersistJournal(_)))
        .expect("the journal is written");
    let send_at = fx
        .iter()
        .position(|e| matches!(e, Effect::Send(_)))
        .expect("sent");
    assert!(persist_at < send_at);
    let c = persisted(&fx).expect("contents");
    assert_eq!(c.writes.len(), 1);
    assert_eq!(Some(c.writes[0].key), sent_key(&fx));
    // Typing in a form is not a reason to write at once (drafts wait for a pause).
    press(&mut s, ch('e'));
    assert!(persisted(&type_text(&mut s, "x")).is_none());
}

#[test]
fn a_conflict_is_kept_as_a_conflict_not_as_a_write_that_cannot_match() {
    let (mut s, _) = case_state(Role::Paediatrician);
    let fx = item_note_sent(&mut s);
    let key = sent_key(&fx).expect("sent");
    let Write::ItemUpdate { addr, version, .. } = &s.outbox[0].write else {
        panic!("an item update");
    };
    let theirs = ItemState {
        item_id: addr.item.clone(),
        status: ItemStatus::Done,
        note: Some("Done by the registrar".into()),
        updated_by: Some("demo-manager".into()),
        updated_at: Some(now()),
        version: version + 1,
    };
    let fx = api(
        &mut s,
        ApiMsg::WriteDone {
            key,
            result: Err(ApiError::Problem(Problem {
                kind: "https://jarterm.invalid/problems/stale".into(),
                title: "Stale".into(),
                status: 412,
                detail: "changed".into(),
                current: Some(serde_json::to_value(&theirs).expect("json")),
            })),
        },
    );
    let c = persisted(&fx).expect("the journal is written");
    assert!(c.writes.is_empty(), "{:?}", c.writes);
    assert_eq!(c.conflicts.len(), 1);
    assert_eq!(c.conflicts[0].mine.note, "Booked");
    assert_eq!(c.conflicts[0].theirs.version, theirs.version);
    // Decided: it leaves the journal.
    let fx = press(&mut s, ch('d'));
    assert!(persisted(&fx).expect("written again").conflicts.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_writer_thread_writes_the_newest_contents_and_brings_back_a_conflict() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("journal");
    let keys = KeySource::Fixed([3; 32]);
    let open = |tx| {
        JournalWriter::open(
            OpenJournal {
                dir: dir.clone(),
                user: "demo-paed".into(),
                server: "http://a".into(),
                keys: keys.clone(),
                areas: vec![],
                now: now(),
            },
            tx,
        )
    };
    // Contents with a conflict, as update hands them over.
    let (mut s, _) = case_state(Role::Paediatrician);
    let fx = item_note_sent(&mut s);
    let key = sent_key(&fx).expect("sent");
    let Write::ItemUpdate { addr, version, .. } = &s.outbox[0].write else {
        panic!("an item update");
    };
    let theirs = ItemState {
        item_id: addr.item.clone(),
        status: ItemStatus::Done,
        note: None,
        updated_by: Some("demo-manager".into()),
        updated_at: Some(now()),
        version: version + 1,
    };
    let fx = api(
        &mut s,
        ApiMsg::WriteDone {
            key,
            result: Err(ApiError::Problem(Problem {
                kind: "https://jarterm.invalid/problems/stale".into(),
                title: "Stale".into(),
                status: 412,
                detail: "changed".into(),
                current: Some(serde_json::to_value(&theirs).expect("json")),
            })),
        },
    );
    let with_conflict = persisted(&fx).expect("contents").clone();

    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Msg>();
    let mut w = open(tx);
    // Several saves in a row: the last one is what the file holds.
    w.save(Contents::default());
    w.save(with_conflict.clone());
    w.until_written().await;
    let on_disk = Journal::open(&dir, "demo-paed", "http://a", &keys);
    assert_eq!(on_disk.contents, with_conflict);
    assert!(matches!(
        rx.recv().await,
        Some(Msg::Api(ApiMsg::JournalLoaded { .. }))
    ));
    drop(w);

    // The next run gets the box back as it was.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Msg>();
    let _w = open(tx);
    let mut next = State::signed_in(now(), "127.0.0.1:8471", principal(Role::Paediatrician));
    for _ in 0..2 {
        let msg = rx.recv().await.expect("a message from the writer");
        jarterm::update::update(&mut next, msg);
    }
    assert!(matches!(
        next.dialog,
        Some(jarterm::state::Dialog::Conflict { .. })
    ));
}

/// Issue 12 §1: a burst of change events for the open case costs one fetch of each part
/// changed while it is on its way, and one more when it arrives (the latest wins).
#[test]
fn a_burst_of_changes_to_the_open_case_fetches_each_part_once_then_once_more() {
    use jar_core::wire::{ChangeEvent, ChangeKind};
    let (mut s, _) = case_state(Role::Paediatrician);
    let change = |seq: i64| ChangeEvent {
        seq,
        kind: ChangeKind::ChecklistItemUpdated,
        case_ref: Some("JAR-2026-0042".into()),
        area: Some("Bristol".into()),
        category: None,
        version: None,
        item: None,
        at: now(),
    };
    let mut fx = Vec::new();
    for seq in 1..=6 {
        fx.extend(api(&mut s, ApiMsg::Change(change(seq))));
    }
    let count = |fx: &[Effect], f: fn(&Effect) -> bool| fx.iter().filter(|e| f(e)).count();
    assert_eq!(count(&fx, |e| matches!(e, Effect::FetchCase(_))), 1);
    assert_eq!(count(&fx, |e| matches!(e, Effect::FetchChecklists(_))), 1);
    assert_eq!(count(&fx, |e| matches!(e, Effect::FetchCases)), 1);
    assert!(
        s.loading(),
        "the status bar says loading while parts are on their way"
    );
    // The answers come: each part is asked for once more, then the case is settled.
    let again = api(
        &mut s,
        ApiMsg::Checklists {
            case_ref: "JAR-2026-0042".into(),
            result: Ok(checklists()),
        },
    );
    assert_eq!(
        count(&again, |e| matches!(e, Effect::FetchChecklists(_))),
        1
    );
    let settled = api(
        &mut s,
        ApiMsg::Checklists {
            case_ref: "JAR-2026-0042".into(),
            result: Ok(checklists()),
        },
    );
    assert!(settled.is_empty());
    for _ in 0..2 {
        api(
            &mut s,
            ApiMsg::Case {
                case_ref: "JAR-2026-0042".into(),
                result: Ok(detail(Role::Paediatrician)),
            },
        );
    }
    api(&mut s, ApiMsg::Cases(Ok(rows(board_cases()))));
    api(&mut s, ApiMsg::Cases(Ok(rows(board_cases()))));
    assert!(!s.loading());
}

/// The next message from a writer (bounded: a writer that says nothing fails the test).
async fn next_msg(rx: &mut tokio::sync::mpsc::UnboundedReceiver<Msg>) -> Msg {
    tokio::time::timeout(std::time::Duration::from_secs(15), rx.recv())
        .await
        .expect("the writer answers")
        .expect("the writer is there")
}

/// Issue 12 §1 with §3 and issue 18 §1: the one writer thread runs the journal's key, lock and
/// unlock. A second writer on a held journal says so and writes nothing; once the lock is
/// free it takes the journal over and reads what the first left. A journal sealed under a
/// password and opened without it is locked, and the password (given later, as at a sign-in)
/// opens it in the same thread.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_writer_thread_waits_for_the_lock_takes_the_journal_over_and_unlocks_it() {
    use jarterm::journal::KeyMode;
    use jarterm::journal_writer::JournalEvent;
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("journal");
    let what = || OpenJournal {
        dir: dir.clone(),
        user: "demo-paed".into(),
        server: "http://a".into(),
        keys: KeySource::NoKeyring,
        areas: vec![],
        now: now(),
    };
    let password = jarterm::journal::derive_password_key(&dir, "demo-paed", "http://a", "demo")
        .expect("derived");
    // A write waiting for the server, as update hands it over.
    let (mut s, _) = case_state(Role::Paediatrician);
    let contents = persisted(&item_note_sent(&mut s))
        .expect("contents")
        .clone();

    // The first writer, with the password: sealed, and the only writer.
    let (tx, mut first_rx) = tokio::sync::mpsc::unbounded_channel::<Msg>();
    let mut first = JournalWriter::open_with(what(), Some(password.clone()), tx);
    assert!(matches!(
        next_msg(&mut first_rx).await,
        Msg::Api(ApiMsg::JournalLoaded { .. })
    ));
    assert!(matches!(
        next_msg(&mut first_rx).await,
        Msg::Journal(JournalEvent::Opened {
            mode: KeyMode::Sealed,
            writer: true,
            ..
        })
    ));
    first.save(contents.clone());
    first.until_written().await;

    // A second one, with the password too: the journal is in use; it writes nothing.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Msg>();
    let mut second = JournalWriter::open_with(what(), Some(password.clone()), tx);
    match next_msg(&mut rx).await {
        Msg::Journal(JournalEvent::InUse { holder, .. }) => {
            assert!(holder.contains("another jarterm"), "{holder}");
        }
        other => panic!("expected the journal in use, got {other:?}"),
    }
    second.save(Contents::default());
    second.until_written().await;
    let sealed =
        |keys: &KeySource, pk| Journal::locate_with(&dir, "demo-paed", "http://a", keys, pk);
    assert_eq!(
        sealed(&KeySource::NoKeyring, Some(&password)).read(),
        Ok(contents.clone()),
        "the first one is the only writer"
    );

    // The first goes; asked again, the second takes the journal over with the first's write.
    drop(first);
    second.retry_lock();
    match next_msg(&mut rx).await {
        Msg::Api(ApiMsg::JournalLoaded { writes, .. }) => assert_eq!(writes.len(), 1),
        other => panic!("expected the journal read, got {other:?}"),
    }
    assert!(matches!(
        next_msg(&mut rx).await,
        Msg::Journal(JournalEvent::Opened { writer: true, .. })
    ));
    drop(second);

    // Without the password (a token, no keyring): locked, kept as it is; the password, given
    // at a later sign-in, opens it.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Msg>();
    let third = JournalWriter::open(what(), tx);
    match next_msg(&mut rx).await {
        Msg::Api(ApiMsg::JournalLoaded {
            writes, problem, ..
        }) => {
            assert!(writes.is_empty());
            assert!(problem.is_some_and(|p| p.contains("locked")));
        }
        other => panic!("expected the locked journal, got {other:?}"),
    }
    assert!(matches!(
        next_msg(&mut rx).await,
        Msg::Journal(JournalEvent::Opened {
            mode: KeyMode::Locked,
            writer: false,
            ..
        })
    ));
    third.unlock(password);
    match next_msg(&mut rx).await {
        Msg::Api(ApiMsg::JournalLoaded { writes, .. }) => assert_eq!(writes.len(), 1),
        other => panic!("expected the unlocked journal, got {other:?}"),
    }
    assert!(matches!(
        next_msg(&mut rx).await,
        Msg::Journal(JournalEvent::Opened {
            mode: KeyMode::Sealed,
            writer: true,
            ..
        })
    ));
}

/// Someone else signed in: what the last person's journal writer still says (its journal read
/// after an unlock or a take-over) is dropped by the loop, never applied to the next person.
/// Only the current writer's generation is heard.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_loop_hears_only_the_current_journal_writer() {
    use futures::channel::mpsc::unbounded;
    use jarterm::state::PendingWrite;
    let tmp = tempfile::tempdir().expect("tempdir");
    let state = State::signed_in(now(), "test", principal(Role::Paediatrician));
    // Nothing listens there: reads and sends fail, which this test does not look at.
    let client = jarterm::api::Client::new("http://127.0.0.1:9").expect("client");
    let terminal =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(100, 30)).expect("terminal");
    let mut app = jarterm::app::App::new(
        state,
        terminal,
        jarterm::theme::Theme::default_theme(),
        client,
    );
    app.drafts_dir = Some(tmp.path().join("journal"));
    app.journal_keys = KeySource::Fixed([5; 32]);
    app.live_clock = false;
    app.start();
    let (_keys, mut input) = unbounded::<std::io::Result<crossterm::event::Event>>();
    app.run_until(
        &mut input,
        |s| !s.journal_opening,
        Some(std::time::Duration::from_secs(15)),
    )
    .await
    .expect("the journal opens");

    let (mut s, _) = case_state(Role::Paediatrician);
    let _ = item_note_sent(&mut s);
    let write = s.outbox[0].write.clone();
    let loaded = |summary: &str| {
        let mut write = write.clone();
        if let Write::ItemUpdate { update, .. } = &mut write {
            update.note = summary.into();
        }
        Msg::Api(ApiMsg::JournalLoaded {
            writes: vec![PendingWrite {
                key: uuid::Uuid::new_v4(),
                write,
                in_flight: false,
                form: None,
            }],
            drafts: vec![],
            encrypted: true,
            problem: None,
        })
    };
    // The first writer of this run is generation 1; an earlier one's words come first.
    let tx = app.sender();
    tx.send(Msg::FromJournal(0, Box::new(loaded("the last person's"))))
        .expect("send");
    tx.send(Msg::FromJournal(1, Box::new(loaded("this person's"))))
        .expect("send");
    app.run_until(
        &mut input,
        |s| s.waiting() > 0,
        Some(std::time::Duration::from_secs(15)),
    )
    .await
    .expect("this writer's write is taken in");
    assert_eq!(app.state.waiting(), 1);
    let Write::ItemUpdate { update, .. } = &app.state.outbox[0].write else {
        panic!("an item update");
    };
    assert_eq!(update.note, "this person's");
}
