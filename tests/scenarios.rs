//! `update` scenarios: people doing things, with no terminal and no network.

mod common;

use common::*;
use crossterm::event::KeyCode;
use jar_core::Role;
use jar_core::checklist::{ItemState, ItemStatus};
use jar_core::wire::{ChangeEvent, ChangeKind, Problem};
use jarterm::api::ApiError;
use jarterm::effect::Effect;
use jarterm::msg::{ApiMsg, Msg, WriteOk};
use jarterm::state::case::Remote;
use jarterm::state::forms::Value;
use jarterm::state::{Dialog, Screen, State, Tab, Write};
use jarterm::update::update;

fn sent(fx: &[Effect]) -> Vec<jarterm::state::PendingWrite> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Send(p) => Some((**p).clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn police_liaison_cannot_open_the_contact_log() {
    let (mut s, fx) = case_state(Role::Police);
    assert!(
        !fx.iter().any(Effect::is_fetch_contacts),
        "the client must never ask for what the role cannot read"
    );
    assert!(fx.iter().any(|e| matches!(e, Effect::FetchChecklists(_))));
    press(&mut s, ch('4'));
    let c = s.case.as_ref().expect("case open");
    assert_eq!(c.tab.tab, Tab::Contacts);
    assert_eq!(c.contacts, Remote::NotAllowed);
    assert!(screen(&s, 80, 24).contains("Not available to your role"));
    // Adding a contact is refused with words, and nothing is sent.
    let fx = press(&mut s, ch('a'));
    assert!(fx.is_empty());
    assert!(s.form.is_none());
}

#[test]
fn social_workers_do_not_fetch_contacts_but_key_workers_do() {
    let (_, fx) = case_state(Role::SocialWorker);
    assert!(!fx.iter().any(Effect::is_fetch_contacts));
    let (s, fx) = case_state(Role::KeyWorker);
    assert!(fx.iter().any(Effect::is_fetch_contacts));
    assert!(matches!(
        s.case.as_ref().map(|c| &c.contacts),
        Some(Remote::Ready(_))
    ));
}

#[test]
fn a_key_worker_never_sees_the_criminal_investigation_flag() {
    // Even if a server sent the flags by mistake, the key worker's screens never show them.
    let mut s = board_state(Role::KeyWorker);
    let board = screen(&s, 120, 30);
    assert!(board.contains("JAR-2026-0042"));
    assert!(!board.contains("CRIM"), "{board}");
    open(&mut s, "JAR-2026-0042");
    let mut d = detail(Role::Manager);
    assert!(d.case.flags.is_some());
    d.case.investigation_note = Some("Suspect interviewed".into());
    api(
        &mut s,
        ApiMsg::Case {
            case_ref: "JAR-2026-0042".into(),
            result: Ok(d),
        },
    );
    let summary = screen(&s, 120, 40);
    assert!(summary.contains("Deadlines"), "{summary}");
    assert!(!summary.contains("CRIM"), "{summary}");
    assert!(!summary.to_lowercase().contains("criminal"), "{summary}");
    assert!(!summary.contains("Suspect"), "{summary}");
}

#[test]
fn a_paediatrician_sees_the_criminal_investigation_flag() {
    let (s, _) = case_state(Role::Paediatrician);
    assert!(screen(&s, 80, 24).contains("CRIMINAL INV"));
    let b = board_state(Role::Paediatrician);
    assert!(screen(&b, 80, 24).contains("CRIM"));
}

fn open_item_note(s: &mut jarterm::state::State, note: &str) {
    press(s, ch('3'));
    // Move to the first open item the paediatrician owns (item 5: index 4).
    for _ in 0..4 {
        press(s, key(KeyCode::Down));
    }
    press(s, ch('e'));
    assert!(s.form.is_some(), "the note form opens");
    type_text(s, note);
}

#[test]
fn a_stale_checklist_edit_shows_a_conflict_and_keeps_the_note_typed() {
    let (mut s, _) = case_state(Role::Paediatrician);
    open_item_note(&mut s, "Skeletal survey booked for 09:00");
    let fx = press(&mut s, ctrl('s'));
    let writes = sent(&fx);
    assert_eq!(writes.len(), 1);
    let (item, version) = match &writes[0].write {
        Write::ItemUpdate {
            addr,
            version,
            update,
        } => {
            assert_eq!(update.note, "Skeletal survey booked for 09:00");
            (addr.item.clone(), *version)
        }
        other => panic!("unexpected write {other:?}"),
    };
    assert_eq!(s.waiting(), 1);
    // Someone else got there first.
    let theirs = ItemState {
        item_id: item.clone(),
        status: ItemStatus::Done,
        note: Some("Done by the registrar".into()),
        updated_by: Some("demo-manager".into()),
        updated_at: Some(now()),
        version: version + 1,
        taken_at: None,
    };
    api(
        &mut s,
        ApiMsg::WriteDone {
            key: writes[0].key,
            result: Err(ApiError::Problem(Problem {
                kind: "https://jarterm.invalid/problems/stale".into(),
                title: "Stale".into(),
                status: 412,
                detail: "changed".into(),
                current: Some(serde_json::to_value(&theirs).expect("json")),
            })),
        },
    );
    match &s.dialog {
        Some(Dialog::Conflict(jarterm::state::Conflict {
            mine, theirs: t, ..
        })) => {
            assert_eq!(mine.note, "Skeletal survey booked for 09:00");
            assert_eq!(t.version, version + 1);
        }
        other => panic!("expected a conflict dialog, got {other:?}"),
    }
    let text = screen(&s, 80, 24);
    assert!(text.contains("Skeletal survey booked"), "{text}");
    assert!(text.contains("Done by the registrar"), "{text}");
    // Re-apply mine against their version.
    let fx = press(&mut s, ch('r'));
    let again = sent(&fx);
    match &again[0].write {
        Write::ItemUpdate {
            version: v, update, ..
        } => {
            assert_eq!(*v, version + 1);
            assert_eq!(update.note, "Skeletal survey booked for 09:00");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(s.dialog.is_none());
}

#[test]
fn closing_a_conflict_reopens_my_note_so_nothing_is_lost() {
    let (mut s, _) = case_state(Role::Paediatrician);
    open_item_note(&mut s, "My words");
    let fx = press(&mut s, ctrl('s'));
    let w = &sent(&fx)[0];
    let theirs = ItemState::new_open("SUDI-A05");
    api(
        &mut s,
        ApiMsg::WriteDone {
            key: w.key,
            result: Err(ApiError::Problem(Problem {
                kind: "stale".into(),
                title: "Stale".into(),
                status: 412,
                detail: String::new(),
                current: Some(serde_json::to_value(&theirs).expect("json")),
            })),
        },
    );
    press(&mut s, key(KeyCode::Esc));
    let form = s.form.as_ref().expect("note form back");
    assert_eq!(form.text("note"), "My words");
}

#[test]
fn pasting_text_into_the_summary_never_submits_the_form() {
    let (mut s, _) = case_state(Role::KeyWorker);
    press(&mut s, ch('4'));
    press(&mut s, ch('a'));
    assert!(s.form.is_some());
    // Tab to the summary text box.
    while s.form.as_ref().and_then(|f| f.focused()).map(|f| f.key) != Some("summary") {
        press(&mut s, key(KeyCode::Tab));
    }
    let fx = update(
        &mut s,
        Msg::Paste("Spoke to mother.\r\nShe asked about the PM.\n\u{1b}[2J\u{1b}]52;c;ZXZpbA==\u{7}Booked a visit.".into()),
    );
    assert!(fx.is_empty(), "a paste sends nothing");
    // Typing Enter in the summary is a newline, not a submit.
    let fx = press(&mut s, key(KeyCode::Enter));
    assert!(fx.is_empty());
    let form = s.form.as_ref().expect("form still open");
    let text = form.text("summary");
    assert_eq!(
        text,
        "Spoke to mother.\nShe asked about the PM.\nBooked a visit.\n"
    );
    assert_eq!(s.waiting(), 0);
}

#[test]
fn escape_sequences_from_the_server_are_not_drawn() {
    let mut s = board_state(Role::Paediatrician);
    let mut list = serde_json::to_value(jar_core::wire::CaseList {
        seq: Some(7),
        items: board_cases(),
        next_cursor: None,
    })
    .expect("json");
    list["items"][0]["area"] = "Bri\u{1b}[2J\u{1b}]0;owned\u{7}stol\u{202e}".into();
    let body = serde_json::to_vec(&list).expect("bytes");
    let decoded: jar_core::wire::CaseList = jarterm::sanitize::decode(&body).expect("decodes");
    api(&mut s, ApiMsg::Cases(Ok(rows(decoded.items))));
    let t = draw(&s, 120, 30);
    let text = buffer_text(t.backend().buffer());
    assert!(!text.contains('\u{1b}'));
    assert!(!text.contains('\u{202e}'));
    assert!(!text.contains("owned"));
    assert!(text.contains("Bristol"));
}

#[test]
fn the_board_is_sorted_by_urgency_and_hides_closed_cases() {
    let s = board_state(Role::Paediatrician);
    let refs: Vec<&str> = s
        .board
        .visible(now())
        .iter()
        .map(|c| &*c.reference)
        .collect();
    assert_eq!(
        refs,
        [
            "JAR-2026-0042",
            "JAR-2026-0039",
            "JAR-2026-0037",
            "JAR-2026-0031"
        ]
    );
}

#[test]
fn board_filters_narrow_the_rows_and_the_header_counts_stay() {
    let mut s = board_state(Role::Paediatrician);
    press(&mut s, ch('m'));
    assert_eq!(s.board.visible(now()).len(), 2);
    press(&mut s, ch('m'));
    press(&mut s, ch('o'));
    let v: Vec<String> = s
        .board
        .visible(now())
        .iter()
        .map(|c| c.reference.to_string())
        .collect();
    assert_eq!(v, ["JAR-2026-0042"]);
    press(&mut s, ch('o'));
    press(&mut s, ch('c'));
    let v: Vec<String> = s
        .board
        .visible(now())
        .iter()
        .map(|c| c.reference.to_string())
        .collect();
    assert_eq!(v, ["JAR-2026-0012"]);
    press(&mut s, ch('c'));
    press(&mut s, ch('a'));
    assert_eq!(s.board.filter.area.as_deref(), Some("Bristol"));
    assert_eq!(s.board.visible(now()).len(), 2);
    press(&mut s, key(KeyCode::Esc));
    press(&mut s, ch('/'));
    type_text(&mut s, "asth");
    press(&mut s, key(KeyCode::Enter));
    let v: Vec<String> = s
        .board
        .visible(now())
        .iter()
        .map(|c| c.reference.to_string())
        .collect();
    assert_eq!(v, ["JAR-2026-0037"]);
    let text = screen(&s, 80, 24);
    assert!(text.contains("Active 4"), "{text}");
    assert!(text.contains("Overdue 1"), "{text}");
    assert!(text.contains("Closed 1"), "{text}");
}

#[test]
fn a_new_notification_appears_live_and_g_opens_it() {
    let mut s = board_state(Role::Paediatrician);
    s.bell = true;
    let fx = api(
        &mut s,
        ApiMsg::Change(ChangeEvent {
            seq: 9,
            kind: ChangeKind::CaseCreated,
            case_ref: Some("JAR-2026-0043".into()),
            area: Some("Bristol".into()),
            category: Some(jar_core::case::PresentingCategory::Sudi),
            version: Some(1),
            item: None,
            at: now(),
        }),
    );
    assert!(fx.iter().any(|e| matches!(e, Effect::FetchCases)));
    assert!(fx.iter().any(|e| matches!(e, Effect::Bell)));
    let text = screen(&s, 80, 24);
    assert!(
        text.contains("New JAR notification: JAR-2026-0043 (Bristol, SUDI)"),
        "{text}"
    );
    let fx = press(&mut s, ch('g'));
    assert_eq!(s.screen, Screen::Case);
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::FetchCase(r) if r == "JAR-2026-0043"))
    );
}

#[test]
fn an_expired_session_brings_sign_in_back_and_retries_the_write_with_the_same_key() {
    let (mut s, _) = case_state(Role::KeyWorker);
    press(&mut s, ch('4'));
    press(&mut s, ch('a'));
    while s.form.as_ref().and_then(|f| f.focused()).map(|f| f.key) != Some("summary") {
        press(&mut s, key(KeyCode::Tab));
    }
    type_text(&mut s, "Visited the family home");
    let fx = press(&mut s, ctrl('s'));
    let w = sent(&fx).remove(0);
    let fx = api(
        &mut s,
        ApiMsg::WriteDone {
            key: w.key,
            result: Err(ApiError::Unauthorized),
        },
    );
    assert!(fx.iter().any(|e| matches!(e, Effect::StopEvents)));
    assert!(s.login.is_some(), "sign-in comes back");
    assert_eq!(s.waiting(), 1, "the write is kept");
    assert!(s.case.is_some(), "the case stays on screen");
    assert!(screen(&s, 80, 24).contains("Sign in again"));
    // Sign in again: the write is retried with the same idempotency key.
    type_text(&mut s, "demo");
    let fx = press(&mut s, key(KeyCode::Enter));
    assert!(fx.iter().any(|e| matches!(e, Effect::Login { .. })));
    let fx = api(
        &mut s,
        ApiMsg::LoggedIn(Ok(jar_core::wire::LoginResponse {
            token: "t2".into(),
            expires_at: now() + chrono::Duration::hours(12),
            user: principal(Role::KeyWorker),
        })),
    );
    let retried = sent(&fx);
    assert_eq!(retried.len(), 1);
    assert_eq!(retried[0].key, w.key);
    assert!(s.login.is_none());
    // Confirmed: the outbox empties.
    api(
        &mut s,
        ApiMsg::WriteDone {
            key: w.key,
            result: Ok(WriteOk::Contact(Box::new(contacts().remove(0)))),
        },
    );
    assert_eq!(s.waiting(), 0);
}

#[test]
fn a_dropped_link_keeps_the_write_and_sends_it_again_when_live() {
    let (mut s, _) = case_state(Role::Paediatrician);
    press(&mut s, ch('3'));
    for _ in 0..4 {
        press(&mut s, key(KeyCode::Down));
    }
    let fx = press(&mut s, ch('d'));
    let w = sent(&fx).remove(0);
    api(
        &mut s,
        ApiMsg::WriteDone {
            key: w.key,
            result: Err(ApiError::Network("timed out".into())),
        },
    );
    assert_eq!(s.waiting(), 1);
    assert!(screen(&s, 80, 24).contains("1 waiting"));
    // The event stream coming back sends it again, with the same key...
    api(&mut s, ApiMsg::Conn(jarterm::state::Conn::Reconnecting));
    let fx = api(&mut s, ApiMsg::Conn(jarterm::state::Conn::Live));
    let again = sent(&fx);
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].key, w.key);
    // ...and so does the retry timer, when the stream never dropped.
    api(
        &mut s,
        ApiMsg::WriteDone {
            key: w.key,
            result: Err(ApiError::Network("timed out".into())),
        },
    );
    // (second failure in a row: 2 s backoff plus at most a quarter of jitter)
    let fx = update(&mut s, Msg::Tick(now() + chrono::Duration::seconds(1)));
    assert!(sent(&fx).is_empty());
    let fx = update(&mut s, Msg::Tick(now() + chrono::Duration::seconds(3)));
    assert_eq!(sent(&fx)[0].key, w.key);
}

#[test]
fn police_cannot_tick_a_health_item_and_are_told_why() {
    let (mut s, _) = case_state(Role::Police);
    press(&mut s, ch('3'));
    // The nasopharyngeal aspirate is a health item.
    let idx = s
        .case
        .as_ref()
        .expect("case")
        .items()
        .iter()
        .position(|i| i.view.item.id == "SUDI-B05")
        .expect("B05");
    for _ in 0..idx {
        press(&mut s, key(KeyCode::Down));
    }
    let fx = press(&mut s, ch('d'));
    assert!(fx.is_empty());
    let text = screen(&s, 80, 24);
    assert!(text.contains("read-only"), "{text}");
    assert!(text.contains("owned by health"), "{text}");
}

#[test]
fn marking_unable_asks_for_a_reason() {
    let (mut s, _) = case_state(Role::Paediatrician);
    press(&mut s, ch('3'));
    for _ in 0..4 {
        press(&mut s, key(KeyCode::Down));
    }
    let fx = press(&mut s, ch('u'));
    assert!(fx.is_empty());
    let fx = press(&mut s, ctrl('s'));
    assert!(fx.is_empty(), "no reason, no write");
    assert!(s.form.as_ref().and_then(|f| f.error.as_ref()).is_some());
    type_text(&mut s, "Sample lost in transit");
    let fx = press(&mut s, ctrl('s'));
    match &sent(&fx)[0].write {
        Write::ItemUpdate { update, .. } => {
            assert_eq!(update.status, ItemStatus::Unable);
            assert_eq!(update.note, "Sample lost in transit");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_key_worker_cannot_notify_a_death_but_a_paediatrician_can() {
    let mut s = board_state(Role::KeyWorker);
    press(&mut s, ch('N'));
    assert!(s.form.is_none());
    assert!(screen(&s, 80, 24).contains("cannot notify"));
    let mut s = board_state(Role::Paediatrician);
    press(&mut s, ch('N'));
    assert!(s.form.is_some());
}

#[test]
fn a_notification_needs_an_age_and_a_criterion_then_sends_a_new_case() {
    let mut s = board_state(Role::Paediatrician);
    press(&mut s, ch('N'));
    let fx = press(&mut s, ctrl('s'));
    assert!(fx.is_empty());
    assert!(
        s.form
            .as_ref()
            .and_then(|f| f.error.clone())
            .unwrap_or_default()
            .contains("Age")
    );
    while s.form.as_ref().and_then(|f| f.focused()).map(|f| f.key) != Some("age") {
        press(&mut s, key(KeyCode::Tab));
    }
    type_text(&mut s, "4");
    press(&mut s, key(KeyCode::Tab)); // sex
    press(&mut s, key(KeyCode::Tab)); // category
    press(&mut s, key(KeyCode::Tab)); // criteria
    press(&mut s, key(KeyCode::Down));
    press(&mut s, ch(' ')); // sudden, no apparent cause
    let fx = press(&mut s, ctrl('s'));
    match &sent(&fx)[0].write {
        Write::Notify(c) => {
            assert_eq!(c.age_months, 4);
            assert_eq!(c.area, "Bristol");
            assert_eq!(
                c.criteria,
                vec![jar_core::case::JarCriterion::SuddenNoApparentCause]
            );
            assert_eq!(c.times.found_at, Some(now()));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn identity_is_shown_after_a_reveal_and_dropped_on_leaving_the_case() {
    let (mut s, _) = case_state(Role::Paediatrician);
    press(&mut s, ch('r'));
    type_text(&mut s, "Calling the family to arrange the home visit");
    let fx = press(&mut s, ctrl('s'));
    let w = sent(&fx).remove(0);
    assert!(matches!(&w.write, Write::Reveal { reason, .. } if reason.contains("home visit")));
    api(
        &mut s,
        ApiMsg::WriteDone {
            key: w.key,
            result: Ok(WriteOk::Identity(Box::new(jar_core::case::Identity {
                child_name: "Test Child".into(),
                nhs_number: "999 000 0000".into(),
                address: "1 Example Road".into(),
                family: vec![],
                ..Default::default()
            }))),
        },
    );
    assert!(screen(&s, 80, 40).contains("Test Child"));
    press(&mut s, ch('q'));
    assert!(s.case.is_none());
    open(&mut s, "JAR-2026-0042");
    assert!(s.case.as_ref().and_then(|c| c.identity.as_ref()).is_none());
}

#[test]
fn a_closed_form_keeps_its_draft_and_ctrl_c_quits_keeping_it() {
    let (mut s, _) = case_state(Role::Paediatrician);
    press(&mut s, ch('2'));
    press(&mut s, ch('a'));
    press(&mut s, key(KeyCode::Tab));
    press(&mut s, key(KeyCode::Tab));
    type_text(&mut s, "Half a note");
    press(&mut s, key(KeyCode::Esc));
    assert!(s.form.is_none());
    press(&mut s, ch('a'));
    assert_eq!(
        s.form.as_ref().map(|f| f.text("note")).as_deref(),
        Some("Half a note")
    );
    let fx = press(&mut s, ctrl('c'));
    assert!(s.quit);
    assert!(fx.iter().any(|e| matches!(e, Effect::SaveDrafts)));
    assert_eq!(s.drafts.len(), 1);
}

#[test]
fn a_correction_points_at_the_selected_event() {
    let (mut s, _) = case_state(Role::Paediatrician);
    press(&mut s, ch('2'));
    press(&mut s, key(KeyCode::Down));
    press(&mut s, ch('x'));
    type_text(&mut s, "Wrong time recorded");
    let fx = press(&mut s, ctrl('s'));
    match &sent(&fx)[0].write {
        Write::AddEvent { event, .. } => {
            assert_eq!(event.corrects, Some(2));
            assert_eq!(event.kind, jar_core::timeline::EventKind::Correction);
        }
        other => panic!("{other:?}"),
    }
}

fn focus_on(s: &mut jarterm::state::State, field: &str) {
    for _ in 0..40 {
        if s.form.as_ref().and_then(|f| f.focused()).map(|f| f.key) == Some(field) {
            return;
        }
        press(s, key(KeyCode::Tab));
    }
    panic!("no field {field} in the form");
}

#[test]
fn support_offered_is_a_multi_select_toggled_with_space() {
    let (mut s, _) = case_state(Role::KeyWorker);
    press(&mut s, ch('4'));
    press(&mut s, ch('a'));
    focus_on(&mut s, "support_offered");
    press(&mut s, key(KeyCode::Down));
    press(&mut s, ch(' '));
    press(&mut s, ch(' '));
    press(&mut s, key(KeyCode::Down));
    press(&mut s, ch(' '));
    let form = s.form.as_ref().expect("form");
    assert_eq!(form.chosen("support_offered"), vec![2]);
    assert!(matches!(
        form.focused().map(|f| &f.value),
        Some(Value::Multi { .. })
    ));
}

#[test]
fn a_contact_with_an_interpreter_a_referral_and_the_leaflet_is_sent_as_such() {
    use jar_core::contact::SupportResponse;
    let (mut s, _) = case_state(Role::KeyWorker);
    press(&mut s, ch('4'));
    press(&mut s, ch('a'));
    focus_on(&mut s, "summary");
    type_text(&mut s, "Home visit with an interpreter");
    focus_on(&mut s, "interpreter");
    press(&mut s, ch(' '));
    // The case is SUDI: infant-death services come first; accept and refer the second (CONI).
    focus_on(&mut s, "support_accepted");
    press(&mut s, key(KeyCode::Down));
    press(&mut s, ch(' '));
    focus_on(&mut s, "support_referred");
    press(&mut s, key(KeyCode::Down));
    press(&mut s, ch(' '));
    focus_on(&mut s, "leaflet");
    press(&mut s, ch(' '));
    let fx = press(&mut s, ctrl('s'));
    match &sent(&fx)[0].write {
        Write::AddContact { contact, .. } => {
            assert!(contact.interpreter);
            assert!(contact.cdr_leaflet_given);
            assert_eq!(contact.support.len(), 1, "{:?}", contact.support);
            let coni = &contact.support[0];
            assert_eq!(coni.service, "coni");
            assert_eq!(coni.response, SupportResponse::Accepted);
            assert!(coni.referral_made);
            assert!(
                contact.support_offered.is_empty(),
                "the leaflet is not support"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_service_both_accepted_and_declined_is_not_sent() {
    let (mut s, _) = case_state(Role::KeyWorker);
    press(&mut s, ch('4'));
    press(&mut s, ch('a'));
    focus_on(&mut s, "summary");
    type_text(&mut s, "Phone call");
    focus_on(&mut s, "support_accepted");
    press(&mut s, ch(' '));
    focus_on(&mut s, "support_declined");
    press(&mut s, ch(' '));
    let fx = press(&mut s, ctrl('s'));
    assert!(sent(&fx).is_empty());
    let err = s
        .form
        .as_ref()
        .and_then(|f| f.error.clone())
        .unwrap_or_default();
    assert!(err.contains("both accepted and declined"), "{err}");
}

#[test]
fn on_a_too_small_terminal_only_q_works_and_state_is_kept() {
    let mut s = board_state(Role::Paediatrician);
    update(&mut s, Msg::Resize(30, 8));
    press(&mut s, ch('m'));
    assert!(!s.board.filter.mine);
    assert!(screen(&s, 30, 8).contains("Terminal too small"));
    update(&mut s, Msg::Resize(80, 24));
    press(&mut s, ch('m'));
    assert!(s.board.filter.mine);
    update(&mut s, Msg::Resize(30, 8));
    press(&mut s, ch('q'));
    assert!(s.quit);
}

#[test]
fn wrong_password_is_a_banner_on_the_sign_in_screen() {
    let mut s = jarterm::state::State::new(now(), "127.0.0.1:8471");
    type_text(&mut s, "demo-paed");
    press(&mut s, key(KeyCode::Enter));
    type_text(&mut s, "nope");
    let fx = press(&mut s, key(KeyCode::Enter));
    assert!(
        matches!(&fx[0], Effect::Login { username, password } if username == "demo-paed" && password == "nope")
    );
    api(&mut s, ApiMsg::LoggedIn(Err(ApiError::Unauthorized)));
    let text = screen(&s, 80, 24);
    assert!(text.contains("Wrong username or password"), "{text}");
    assert!(!text.contains("nope"));
}

#[test]
fn the_clock_tick_redraws_only_when_the_minute_changes() {
    let mut s = board_state(Role::Paediatrician);
    s.dirty = false;
    update(&mut s, Msg::Tick(now() + chrono::Duration::seconds(20)));
    assert!(!s.dirty);
    update(&mut s, Msg::Tick(now() + chrono::Duration::seconds(70)));
    assert!(s.dirty);
}

#[test]
fn help_is_generated_from_the_keymap() {
    let mut s = board_state(Role::Paediatrician);
    press(&mut s, ch('?'));
    assert!(s.help);
    let lines = jarterm::ui::help_text();
    for b in jarterm::keymap::KEYMAP {
        assert!(lines.contains(b.help), "help lacks {}", b.help);
    }
    press(&mut s, ch('q'));
    assert!(!s.help);
    assert!(!s.quit);
}

#[test]
fn a_burst_of_changes_refetches_the_board_at_most_once_more() {
    let mut s = board_state(Role::Paediatrician);
    let change = |seq| {
        ApiMsg::Change(ChangeEvent {
            seq,
            kind: ChangeKind::CaseUpdated,
            case_ref: Some("JAR-2026-0039".into()),
            area: None,
            category: None,
            version: Some(2),
            item: None,
            at: now(),
        })
    };
    let mut fetches = 0;
    for seq in 1..=20 {
        fetches += api(&mut s, change(seq))
            .iter()
            .filter(|e| matches!(e, Effect::FetchCases))
            .count();
    }
    assert_eq!(fetches, 1);
    let fx = api(&mut s, ApiMsg::Cases(Ok(rows(board_cases()))));
    assert_eq!(
        fx.iter()
            .filter(|e| matches!(e, Effect::FetchCases))
            .count(),
        1
    );
    let fx = api(&mut s, ApiMsg::Cases(Ok(rows(board_cases()))));
    assert!(!fx.iter().any(|e| matches!(e, Effect::FetchCases)));
}

fn fetches_cases(fx: &[Effect]) -> bool {
    fx.iter().any(|e| matches!(e, Effect::FetchCases))
}

#[test]
fn at_start_up_the_board_is_listed_once_and_changes_are_heard_from_where_the_list_left_off() {
    let mut s = State::signed_in(now(), "127.0.0.1:8471", principal(Role::Paediatrician));
    s.board.loading = true;
    // The first page says which change it reflects: the event stream starts from there.
    let fx = api(&mut s, ApiMsg::CasesSeq(42));
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::EnsureEvents { after: Some(42) })),
        "{fx:?}"
    );
    let fx = api(&mut s, ApiMsg::Cases(Ok(rows(board_cases()))));
    assert!(!fetches_cases(&fx), "{fx:?}");
    // Its first connection is not a gap: no second list.
    let fx = api(&mut s, ApiMsg::Conn(jarterm::state::Conn::Live));
    assert!(!fetches_cases(&fx), "{fx:?}");
    // A real gap later is.
    api(&mut s, ApiMsg::Conn(jarterm::state::Conn::Offline));
    let fx = api(&mut s, ApiMsg::Conn(jarterm::state::Conn::Live));
    assert!(fetches_cases(&fx), "{fx:?}");
}

#[test]
fn with_a_saved_token_events_wait_for_both_the_person_and_the_list() {
    let me = || ApiMsg::Me(Ok(principal(Role::Paediatrician)));
    // The person first: nothing to listen from yet.
    let mut s = State::new(now(), "127.0.0.1:8471");
    s.board.loading = true;
    let fx = api(&mut s, me());
    assert!(
        !fx.iter().any(|e| matches!(e, Effect::EnsureEvents { .. })),
        "{fx:?}"
    );
    assert!(
        !fetches_cases(&fx),
        "the board is already on its way: {fx:?}"
    );
    let fx = api(&mut s, ApiMsg::CasesSeq(7));
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::EnsureEvents { after: Some(7) }))
    );
    // The list first: the person's arrival starts the stream from the list's sequence.
    let mut s = State::new(now(), "127.0.0.1:8471");
    s.board.loading = true;
    api(&mut s, ApiMsg::CasesSeq(9));
    api(&mut s, ApiMsg::Cases(Ok(rows(board_cases()))));
    let fx = api(&mut s, me());
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::EnsureEvents { after: Some(9) })),
        "{fx:?}"
    );
    assert!(!fetches_cases(&fx));
    // A list that failed still leaves a stream, which asks for the list again when it connects.
    let mut s = State::new(now(), "127.0.0.1:8471");
    s.board.loading = true;
    api(&mut s, me());
    let fx = api(
        &mut s,
        ApiMsg::Cases(Err(ApiError::Network("connection refused".into()))),
    );
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::EnsureEvents { after: None })),
        "{fx:?}"
    );
}

#[test]
fn coming_back_after_a_dropped_link_refetches_what_is_shown() {
    let (mut s, _) = case_state(Role::Paediatrician);
    api(&mut s, ApiMsg::Conn(jarterm::state::Conn::Reconnecting));
    assert!(screen(&s, 80, 24).contains("reconnecting"));
    let fx = api(&mut s, ApiMsg::Conn(jarterm::state::Conn::Live));
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::FetchCase(r) if r == "JAR-2026-0042"))
    );
    assert!(fx.iter().any(|e| matches!(e, Effect::FetchCases)));
    assert!(screen(&s, 80, 24).contains("live"));
}

#[test]
fn an_idle_screen_locks_hides_everything_and_drops_a_revealed_identity() {
    let (mut s, _) = case_state(Role::Paediatrician);
    s.idle_lock_minutes = Some(15);
    if let Some(c) = s.case.as_mut() {
        c.identity = Some(jar_core::case::Identity {
            child_name: "Test Child".into(),
            nhs_number: "999".into(),
            address: "1 Road".into(),
            family: vec![],
            ..Default::default()
        });
    }
    update(&mut s, Msg::Tick(now() + chrono::Duration::minutes(14)));
    assert!(!s.locked);
    update(&mut s, Msg::Tick(now() + chrono::Duration::minutes(15)));
    assert!(s.locked);
    let text = screen(&s, 80, 24);
    assert!(text.contains("locked"), "{text}");
    assert!(!text.contains("JAR-2026-0042"));
    press(&mut s, ch('q'));
    assert!(s.locked && !s.quit && s.case.is_some());
    // Unlocking asks for the password again (the lock tests in tests/terminals.rs).
    press(&mut s, key(KeyCode::Backspace));
    type_text(&mut s, "pw");
    let fx = press(&mut s, key(KeyCode::Enter));
    assert!(matches!(&fx[0], Effect::Login { password, .. } if password == "pw"));
    assert!(s.locked);
    api(
        &mut s,
        ApiMsg::LoggedIn(Ok(jar_core::wire::LoginResponse {
            token: "t".into(),
            expires_at: now(),
            user: principal(Role::Paediatrician),
        })),
    );
    assert!(!s.locked);
    assert!(s.case.as_ref().and_then(|c| c.identity.as_ref()).is_none());
}

#[test]
fn a_huge_paste_is_refused_with_a_banner_and_the_text_is_kept() {
    let (mut s, _) = case_state(Role::KeyWorker);
    press(&mut s, ch('4'));
    press(&mut s, ch('a'));
    while s.form.as_ref().and_then(|f| f.focused()).map(|f| f.key) != Some("summary") {
        press(&mut s, key(KeyCode::Tab));
    }
    type_text(&mut s, "kept");
    let fx = update(&mut s, Msg::Paste("x".repeat(1_000_000)));
    assert!(fx.is_empty());
    assert_eq!(
        s.form.as_ref().map(|f| f.text("summary")).as_deref(),
        Some("kept")
    );
    assert!(screen(&s, 80, 24).contains("nothing was pasted"));
}

#[test]
fn ascii_mode_draws_only_ascii() {
    let (s, _) = case_state(Role::Paediatrician);
    let theme = jarterm::theme::Theme::mono().with_ascii(true);
    for t in ['1', '3'] {
        let mut s2 = case_state(Role::Paediatrician).0;
        press(&mut s2, ch(t));
        let text = buffer_text(draw_with(&s2, &theme, 80, 24).backend().buffer());
        assert!(text.is_ascii(), "{text}");
    }
    let text = buffer_text(draw_with(&s, &theme, 80, 24).backend().buffer());
    assert!(text.is_ascii(), "{text}");
}

#[test]
fn a_refused_event_stream_brings_sign_in_back_over_the_screen() {
    let (mut s, _) = case_state(Role::Police);
    let fx = api(&mut s, ApiMsg::SessionExpired);
    assert!(fx.iter().any(|e| matches!(e, Effect::StopEvents)));
    assert!(s.login.is_some());
    assert!(s.session.is_some(), "the screen behind stays");
    let text = screen(&s, 80, 24);
    assert!(text.contains("Sign in again"), "{text}");
    assert!(text.contains("JAR-2026-0042"), "{text}");
}

#[test]
fn drafts_from_last_time_come_back_for_the_same_person_only_once() {
    let mut s = jarterm::state::State::new(now(), "127.0.0.1:8471");
    type_text(&mut s, "demo-keyworker");
    press(&mut s, key(KeyCode::Enter));
    type_text(&mut s, "demo");
    press(&mut s, key(KeyCode::Enter));
    let login = |s: &mut jarterm::state::State| {
        api(
            s,
            ApiMsg::LoggedIn(Ok(jar_core::wire::LoginResponse {
                token: "t".into(),
                expires_at: now() + chrono::Duration::hours(1),
                user: principal(Role::KeyWorker),
            })),
        )
    };
    let fx = login(&mut s);
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::LoadDrafts(u) if u == "demo-keyworker"))
    );
    // A later sign-in (session expiry) does not load them again.
    let fx = login(&mut s);
    assert!(!fx.iter().any(|e| matches!(e, Effect::LoadDrafts(_))));
    let mut form = jarterm::state::Form::contact("JAR-2026-0042", now());
    if let Some(f) = form.field_mut("present")
        && let Value::Line(l) = &mut f.value
    {
        l.push_str("mother");
    }
    api(
        &mut s,
        ApiMsg::DraftsLoaded(vec![jarterm::drafts::to_saved(&form)]),
    );
    assert!(screen(&s, 80, 24).contains("1 unsaved draft"));
    api(&mut s, ApiMsg::Cases(Ok(rows(board_cases()))));
    open(&mut s, "JAR-2026-0042");
    press(&mut s, ch('4'));
    press(&mut s, ch('a'));
    assert_eq!(
        s.form.as_ref().map(|f| f.text("present")).as_deref(),
        Some("mother")
    );
}

#[test]
fn quitting_with_unsent_changes_asks_once_more() {
    let (mut s, _) = case_state(Role::Paediatrician);
    press(&mut s, ch('3'));
    for _ in 0..4 {
        press(&mut s, key(KeyCode::Down));
    }
    press(&mut s, ch('d'));
    press(&mut s, ch('q')); // back to the board
    press(&mut s, ch('q'));
    assert!(!s.quit);
    assert!(screen(&s, 80, 24).contains("not sent yet"));
    let fx = press(&mut s, ch('q'));
    assert!(s.quit);
    assert!(fx.iter().any(|e| matches!(e, Effect::SaveDrafts)));
}

#[test]
fn ctrl_s_saves_even_with_caps_lock_on() {
    let (mut s, _) = case_state(Role::Paediatrician);
    press(&mut s, ch('r'));
    type_text(&mut s, "Arranging the home visit");
    let caps = crossterm::event::KeyEvent::new(
        KeyCode::Char('S'),
        crossterm::event::KeyModifiers::CONTROL | crossterm::event::KeyModifiers::SHIFT,
    );
    let fx = press(&mut s, caps);
    assert_eq!(sent(&fx).len(), 1);
}

#[test]
fn the_first_page_of_the_board_shows_before_the_rest_and_a_refetch_never_shows_a_part() {
    let mut s =
        jarterm::state::State::signed_in(now(), "127.0.0.1:8471", principal(Role::Paediatrician));
    s.size = (80, 24);
    let all = rows(board_cases());
    // Over a slow link the soonest deadlines are on screen as soon as the first page lands.
    api(&mut s, ApiMsg::CasesFirstPage(all[..2].to_vec()));
    assert!(s.board.loaded);
    assert_eq!(s.board.cases.len(), 2);
    api(&mut s, ApiMsg::Cases(Ok(all.clone())));
    assert_eq!(s.board.cases.len(), all.len());
    // Later, a first page of a refetch does not shrink the board that is already there.
    api(&mut s, ApiMsg::CasesFirstPage(all[..1].to_vec()));
    assert_eq!(s.board.cases.len(), all.len());
}

#[test]
fn a_second_contact_typed_after_the_first_is_queued_shows_its_summary() {
    let (mut s, _) = case_state(Role::KeyWorker);
    s.size = (100, 30);
    press(&mut s, ch('4'));
    for text in ["First contact", "Half typed when the laptop di"] {
        press(&mut s, ch('a'));
        for _ in 0..5 {
            press(&mut s, key(KeyCode::Tab));
            let _ = screen(&s, 100, 30);
        }
        for c in text.chars() {
            press(&mut s, ch(c));
            let _ = screen(&s, 100, 30);
        }
        let shown = screen(&s, 100, 30);
        assert!(shown.contains(text), "{shown}");
        if text == "First contact" {
            press(&mut s, ctrl('s'));
        }
    }
}
