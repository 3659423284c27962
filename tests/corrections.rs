//! Issue 14 §1–2 in the client: the Summary's case facts form (`f`) and the deadline
//! not-applicable form (`n`). Times are typed in words the one parser reads and shown back
//! before saving; only what changed is sent, through the outbox, with If-Match. The scenario
//! at the end runs the client against a real in-process jarterm-server.

mod common;

use chrono::{Duration, TimeZone, Utc};
use common::*;
use crossterm::event::KeyCode;
use jar_core::Role;
use jar_core::deadline::{DeadlineState, NotApplicable};
use jarterm::effect::Effect;
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
    for _ in 0..40 {
        if s.form.as_ref().and_then(|f| f.focused()).map(|f| f.key) == Some(key) {
            return;
        }
        press(s, common::key(KeyCode::Tab));
    }
    panic!("no field {key}");
}

/// Empty the focused line and type `text`.
fn retype(s: &mut State, text: &str) {
    for _ in 0..40 {
        press(s, common::key(KeyCode::Backspace));
    }
    type_text(s, text);
}

fn form_error(s: &State) -> String {
    s.form
        .as_ref()
        .and_then(|f| f.error.clone())
        .unwrap_or_default()
}

#[test]
fn a_key_worker_has_no_facts_form_and_a_paediatrician_corrects_only_what_changed() {
    let (mut s, _) = case_state(Role::KeyWorker);
    press(&mut s, ch('f'));
    assert!(s.form.is_none(), "key workers do not correct case facts");

    let (mut s, _) = case_state(Role::Paediatrician);
    press(&mut s, ch('f'));
    assert!(s.form.is_some(), "the facts form opens");
    let fx = press(&mut s, ctrl('s'));
    assert!(sent(&fx).is_empty());
    assert!(
        form_error(&s).starts_with("Nothing changed"),
        "{}",
        form_error(&s)
    );
    focus(&mut s, "confirmed");
    retype(&mut s, "-3h");
    let preview = s
        .form
        .as_ref()
        .and_then(|f| f.time_preview("confirmed", s.now))
        .expect("a time field");
    assert_eq!(preview, Ok("today 00:12 GMT, 3h ago".to_string()));
    let fx = press(&mut s, ctrl('s'));
    let w = sent(&fx);
    match &w[0].write {
        Write::CorrectFacts {
            case_ref,
            version,
            patch,
        } => {
            assert_eq!(&**case_ref, "JAR-2026-0042");
            assert_eq!(*version, 3);
            assert_eq!(patch.category, None, "unchanged facts are not sent");
            assert_eq!(patch.criteria, None);
            assert_eq!(patch.flags, None);
            let times = patch.times.clone().expect("the times");
            assert_eq!(times.death_confirmed_at, Some(now() - Duration::hours(3)));
            let case = common::case(None);
            assert_eq!(times.found_at, case.times.found_at, "kept to the second");
            assert_eq!(times.last_seen_at, case.times.last_seen_at);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn implausible_facts_are_shown_in_the_form_and_never_sent() {
    let (mut s, _) = case_state(Role::Paediatrician);
    press(&mut s, ch('f'));
    focus(&mut s, "found");
    retype(&mut s, "");
    let fx = press(&mut s, ctrl('s'));
    assert!(sent(&fx).is_empty());
    assert_eq!(form_error(&s), "Found at: is required for SUDI and SUDIC");
    focus(&mut s, "found");
    retype(&mut s, "+2h");
    let fx = press(&mut s, ctrl('s'));
    assert!(sent(&fx).is_empty());
    assert_eq!(form_error(&s), "Found at: is in the future");
    focus(&mut s, "found");
    retype(&mut s, "-1h");
    let fx = press(&mut s, ctrl('s'));
    assert!(sent(&fx).is_empty());
    assert_eq!(form_error(&s), "Death confirmed at: is before found");
}

#[test]
fn a_deadline_is_marked_not_applicable_with_a_reason_and_can_apply_again() {
    let (mut s, _) = case_state(Role::Police);
    press(&mut s, ch('n'));
    // The choices: every deadline not met (the met "Police informed" is not offered).
    focus(&mut s, "deadline");
    press(&mut s, common::key(KeyCode::Right));
    press(&mut s, common::key(KeyCode::Right));
    focus(&mut s, "reason");
    type_text(&mut s, "short");
    let fx = press(&mut s, ctrl('s'));
    assert!(sent(&fx).is_empty());
    assert!(form_error(&s).starts_with("Reason:"), "{}", form_error(&s));
    retype(&mut s, "Died in PICU: no home scene to visit");
    let fx = press(&mut s, ctrl('s'));
    match &sent(&fx)[0].write {
        Write::DeadlineNa { rule, reason, .. } => {
            assert_eq!(rule, "joint_home_visit");
            assert_eq!(
                reason.as_deref(),
                Some("Died in PICU: no home scene to visit")
            );
        }
        other => panic!("{other:?}"),
    }
    // "Applies again" on a deadline that is not marked is refused before sending.
    let (mut s, _) = case_state(Role::Police);
    press(&mut s, ch('n'));
    focus(&mut s, "mark");
    press(&mut s, common::key(KeyCode::Right));
    let fx = press(&mut s, ctrl('s'));
    assert!(sent(&fx).is_empty());
    assert_eq!(form_error(&s), "Mark: this deadline already applies");
}

/// The case with the home visit marked not applicable, as the server sends it.
fn with_home_visit_not_applicable(s: &mut State) {
    let c = s.case.as_mut().expect("case");
    let d = c.detail.ready_mut().expect("detail");
    let at = now() - Duration::minutes(25);
    d.case.not_applicable.push(NotApplicable {
        rule_id: "joint_home_visit".into(),
        reason: "Died in PICU: no home scene to visit".into(),
        by: "demo-police".into(),
        at,
    });
    for dl in &mut d.deadlines {
        if dl.rule_id == "joint_home_visit" {
            dl.state = DeadlineState::NotApplicable;
            dl.not_applicable_reason = Some("Died in PICU: no home scene to visit".into());
        }
    }
}

#[test]
fn the_facts_form_and_a_deadline_not_applicable_match_their_snapshots() {
    let (mut s, _) = case_state(Role::Paediatrician);
    press(&mut s, ch('f'));
    focus(&mut s, "found");
    retype(&mut s, "yesterday 23:30");
    insta::assert_snapshot!("facts_form_80x24", draw(&s, 80, 24).backend());
    insta::assert_snapshot!("facts_form_60x20", draw(&s, 60, 20).backend());
    let (mut s, _) = case_state(Role::Paediatrician);
    with_home_visit_not_applicable(&mut s);
    insta::assert_snapshot!("summary_not_applicable_80x24", draw(&s, 80, 24).backend());
    let text = screen(&s, 100, 40);
    assert!(
        text.contains("n/a           Joint home visit"),
        "the deadline's row says n/a: {text}"
    );
    assert!(
        text.contains("Joint home visit — Died in PICU: no home scene to visit · by demo-police"),
        "the reason, who and when, in full: {text}"
    );
}

/// The scenario of issue 14: a SUDI death notified at 06:00 with "found" left at the moment
/// of typing; the paediatrician learns the child was found and death confirmed six hours
/// earlier, corrects it on the Summary, and the HARD 8-hour aspirate window, which ran to
/// 14:00, now ends at 08:00.
#[tokio::test]
async fn a_death_confirmation_logged_six_hours_back_moves_the_npa_window() {
    let t0 = Utc
        .with_ymd_and_hms(2026, 12, 2, 6, 0, 0)
        .single()
        .expect("time");
    let dir = tempfile::tempdir().expect("dir");
    let db = format!("sqlite://{}", dir.path().join("facts.db").display());
    let mut config = jar_server::ServerConfig::loopback(db);
    config.clock = jar_server::clock::Clock::manual(t0);
    config.demo_cases = Some(1);
    let server = jar_server::start(config).await.expect("server starts");
    let client = jarterm::api::Client::new(&server.base_url()).expect("client");
    let login = client.login("demo-paed", "demo").await.expect("signs in");
    client.set_token(Some(login.token));
    let area = login.user.areas[0].clone();

    // The notification, as the notify form sends it: found at "now" (06:00).
    let new = jar_core::wire::NewCase {
        area,
        age_months: 3,
        sex: jar_core::case::Sex::Female,
        place_of_death: jar_core::case::PlaceOfDeath::Home,
        category: jar_core::case::PresentingCategory::Sudi,
        times: jar_core::wire::NewCaseTimes {
            last_seen_at: None,
            found_at: Some(t0),
            death_confirmed_at: None,
        },
        criteria: vec![jar_core::case::JarCriterion::SuddenNoApparentCause],
        decided_by: "demo-paed".into(),
        rationale: String::new(),
        identity: None,
        not_a_duplicate_of: Vec::new(),
    };
    let notified = client
        .send(&Write::Notify(new), uuid::Uuid::new_v4())
        .await
        .expect("notified");
    let jarterm::msg::WriteOk::Case(detail) = notified else {
        panic!("a case")
    };
    let npa = |d: &jar_core::wire::CaseDetail| {
        d.deadlines
            .iter()
            .find(|d| d.rule_id == "npa_window")
            .and_then(|d| d.due_at)
    };
    assert_eq!(npa(&detail), Some(t0 + Duration::hours(8)));
    let reference = detail.case.reference.clone();

    // The client: the board, the case opened, the Summary's facts form.
    let mut s = State::signed_in(t0, &server.base_url(), login.user.clone());
    s.conn = jarterm::state::Conn::Live;
    s.board.cases = rows(client.all_cases().await.expect("cases"));
    s.board.loaded = true;
    s.size = (80, 24);
    open(&mut s, &reference);
    api(
        &mut s,
        jarterm::msg::ApiMsg::Case {
            case_ref: reference.clone(),
            result: Ok((*detail).clone()),
        },
    );
    press(&mut s, ch('f'));
    focus(&mut s, "found");
    retype(&mut s, "-6h");
    focus(&mut s, "confirmed");
    retype(&mut s, "00:20");
    let form = s.form.as_ref().expect("form");
    assert_eq!(
        form.time_preview("found", t0),
        Some(Ok("today 00:00 GMT, 6h ago".to_string()))
    );
    assert_eq!(
        form.time_preview("confirmed", t0),
        Some(Ok("today 00:20 GMT, 5h40m ago".to_string()))
    );
    let fx = press(&mut s, ctrl('s'));
    let pending = sent(&fx).pop().expect("the correction is queued");
    let answer = client
        .send(&pending.write, pending.key)
        .await
        .expect("the server takes the correction");
    let jarterm::msg::WriteOk::Case(corrected) = answer else {
        panic!("a case")
    };
    assert_eq!(
        npa(&corrected),
        Some(t0 + Duration::hours(2)),
        "the HARD window counts from the corrected found time"
    );
    let timeline = client.timeline(&reference).await.expect("timeline");
    let entry = timeline
        .iter()
        .find(|e| e.kind == jar_core::timeline::EventKind::FactsCorrected)
        .expect("the correction is on the timeline");
    assert!(
        entry
            .note
            .contains("found at corrected from Wed 02 Dec 06:00 GMT to Wed 02 Dec 00:00 GMT"),
        "{}",
        entry.note
    );
    // The same form again is now stale: the server answers 412 and nothing changes.
    let again = client.send(&pending.write, uuid::Uuid::new_v4()).await;
    assert_eq!(again.err().and_then(|e| e.status()), Some(412));
    server.shutdown().await;
}
