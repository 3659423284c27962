//! Issue 17 in `update` and on screen, with no terminal and no network: the on-call handover
//! drafted from a fixed state, sent and acknowledged; the manager's audit and users screens;
//! help that offers only what the role can do on the screen shown.

mod common;

use chrono::Duration;
use common::*;
use crossterm::event::KeyCode;
use jar_core::Role;
use jar_core::handover::{self, DraftCase, Handover, HandoverCase, HandoverEntry};
use jar_core::people::Cover;
use jar_core::wire::{AuditEntry, AuditList, OneTimePassword, UserSummary};
use jarterm::effect::Effect;
use jarterm::msg::{ApiMsg, WriteOk};
use jarterm::state::{Dialog, Screen, State, Write};
use uuid::Uuid;

fn sent(fx: &[Effect]) -> Vec<jarterm::state::PendingWrite> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Send(p) => Some((**p).clone()),
            _ => None,
        })
        .collect()
}

/// The fixture case drafted by jar-core at the fixed clock, and a second one changed in the
/// shift with nothing due.
fn drafted() -> Vec<HandoverEntry> {
    let d = detail(Role::Paediatrician);
    let mut quiet = d.case.clone();
    quiet.reference = "JAR-2026-0043".into();
    quiet.people.lead_paediatrician = Some("demo-paed".into());
    let cases = [
        DraftCase {
            case: &d.case,
            deadlines: &d.deadlines,
            open_time_critical: &["Nasopharyngeal aspirate (within 4 hours)".to_string()],
            last_family_contact: None,
        },
        DraftCase {
            case: &quiet,
            deadlines: &[],
            open_time_critical: &[],
            last_family_contact: Some(now() - Duration::hours(20)),
        },
    ];
    handover::draft(&cases, now())
}

fn write_done(s: &mut State, key: Uuid, ok: WriteOk) -> Vec<Effect> {
    api(
        s,
        ApiMsg::WriteDone {
            key,
            result: Ok(ok),
        },
    )
}

#[test]
fn the_outgoing_paediatrician_writes_a_synthesis_per_case_picks_the_colleague_and_sends() {
    let mut s = board_state(Role::Paediatrician);
    let fx = press(&mut s, ch('H'));
    assert!(
        fx.iter().any(|e| matches!(e, Effect::FetchHandoverDraft)),
        "{fx:?}"
    );
    let candidates = vec![
        "demo-paed".to_string(),
        "night-paed".to_string(),
        "nina-paed".to_string(),
    ];
    api(&mut s, ApiMsg::HandoverDraft(Ok((drafted(), candidates))));
    assert!(s.form.is_some(), "the drafted handover opens as a form");
    type_text(&mut s, "nig");
    press(&mut s, key(KeyCode::Down));
    type_text(
        &mut s,
        "If the coroner's officer calls about the PM, ring the DD.",
    );
    insta::assert_snapshot!("handover_compose_80x24", draw(&s, 80, 24).backend());
    // Put away and opened again (a new draft from the server): what was typed comes back.
    press(&mut s, key(KeyCode::Esc));
    assert!(s.form.is_none());
    press(&mut s, ch('H'));
    api(
        &mut s,
        ApiMsg::HandoverDraft(Ok((
            drafted(),
            vec!["night-paed".into(), "nina-paed".into()],
        ))),
    );
    assert_eq!(
        s.form.as_ref().map(|f| f.text("syn-00")).as_deref(),
        Some("If the coroner's officer calls about the PM, ring the DD.")
    );
    let fx = press(&mut s, ctrl('s'));
    let w = sent(&fx);
    let Some(Write::SendHandover(h)) = w.first().map(|p| &p.write) else {
        panic!("the handover goes through the outbox: {fx:?}");
    };
    assert_eq!(h.incoming, "night-paed");
    assert!(
        fx.iter().any(|e| matches!(e, Effect::PersistJournal(_))),
        "journaled before it is sent"
    );
    insta::assert_snapshot!(
        "handover_sent_text",
        handover::render("demo-paed", &h.incoming, &h.entries, now())
    );
    // The server's answer: said, and kept for the overdue watch.
    let answer = Handover {
        id: 7,
        outgoing: "demo-paed".into(),
        incoming: h.incoming.clone(),
        areas: vec!["Bristol".into()],
        sent_at: now(),
        cases: h
            .entries
            .iter()
            .map(|e| HandoverCase {
                entry: e.clone(),
                acknowledged_at: None,
                became_lead: false,
            })
            .collect(),
        acknowledged: false,
        overdue: false,
    };
    write_done(&mut s, w[0].key, WriteOk::Handover(Box::new(answer)));
    assert!(
        s.banner
            .as_ref()
            .is_some_and(|b| b.text.starts_with("Handover sent to night-paed — 2 cases")),
        "{:?}",
        s.banner
    );
    // An hour later, still not acknowledged: the outgoing person is told at once.
    update_tick(&mut s, now() + Duration::minutes(60));
    assert_eq!(
        s.banner.as_ref().map(|b| b.text.as_str()),
        Some("OVERDUE: handover from demo-paed to night-paed not acknowledged after an hour")
    );
}

fn update_tick(s: &mut State, t: chrono::DateTime<chrono::Utc>) {
    jarterm::update::update(s, jarterm::msg::Msg::Tick(t));
}

fn received() -> Handover {
    let entries = drafted();
    Handover {
        id: 9,
        outgoing: "day-paed".into(),
        incoming: "demo-paed".into(),
        areas: vec!["Bristol".into()],
        sent_at: now() - Duration::minutes(5),
        cases: entries
            .into_iter()
            .map(|entry| HandoverCase {
                entry: HandoverEntry {
                    synthesis: "Family asked for the chaplain; KW visiting at 10.".into(),
                    ..entry
                },
                acknowledged_at: None,
                became_lead: false,
            })
            .collect(),
        acknowledged: false,
        overdue: false,
    }
}

#[test]
fn the_incoming_paediatrician_is_told_and_acknowledges_one_case_becoming_its_lead() {
    let mut s = board_state(Role::Paediatrician);
    api(&mut s, ApiMsg::Handovers(Ok(vec![received()])));
    assert_eq!(
        s.banner.as_ref().map(|b| b.text.as_str()),
        Some("Handover from day-paed — 2 of 2 cases to acknowledge (press H)")
    );
    let fx = press(&mut s, ch('H'));
    assert!(
        fx.is_empty(),
        "a handover waiting opens, nothing is drafted"
    );
    assert_eq!(s.screen, Screen::Handover);
    press(&mut s, ch(' '));
    press(&mut s, ch('l'));
    insta::assert_snapshot!("handover_received_80x24", draw(&s, 80, 24).backend());
    let fx = press(&mut s, ch('a'));
    let w = sent(&fx);
    let Some(Write::AckHandover { id, ack }) = w.first().map(|p| &p.write) else {
        panic!("the acknowledgement goes through the outbox: {fx:?}");
    };
    assert_eq!(*id, 9);
    assert_eq!(ack.cases, vec![drafted()[0].reference.clone()]);
    assert!(ack.become_lead);
    let mut answer = received();
    answer.cases[0].acknowledged_at = Some(now());
    answer.cases[0].became_lead = true;
    write_done(&mut s, w[0].key, WriteOk::Handover(Box::new(answer)));
    assert_eq!(
        s.banner.as_ref().map(|b| b.text.as_str()),
        Some("Acknowledged; 1 case still open.")
    );
    let v = s.handover.as_ref().expect("still on the screen");
    assert_eq!(v.open_count(), 1);
    assert!(screen(&s, 80, 24).contains("ACK"));
}

#[test]
fn a_manager_sees_an_overdue_handover_of_their_area_and_cannot_hand_over() {
    let mut s = board_state(Role::Manager);
    let mut late = received();
    late.sent_at = now() - Duration::hours(2);
    api(&mut s, ApiMsg::Handovers(Ok(vec![late])));
    assert_eq!(
        s.banner.as_ref().map(|b| b.text.as_str()),
        Some("OVERDUE: handover from day-paed to demo-paed not acknowledged after an hour")
    );
    let fx = press(&mut s, ch('H'));
    assert!(fx.is_empty());
    assert!(s.banner.as_ref().is_some_and(|b| {
        b.text
            .starts_with("Only the on-call paediatricians hand over")
    }));
}

fn audit_entries() -> Vec<AuditEntry> {
    let e = |id: i64,
             mins: i64,
             who: &str,
             role: Role,
             action: &str,
             case: Option<&str>,
             detail: &str| {
        AuditEntry {
            id,
            at: now() - Duration::minutes(mins),
            username: who.into(),
            role: Some(role),
            action: action.into(),
            case_ref: case.map(str::to_string),
            detail: detail.into(),
            remote: "127.0.0.1".into(),
        }
    };
    vec![
        e(
            41,
            3,
            "demo-police",
            Role::Police,
            "identity.reveal",
            Some("JAR-2026-0042"),
            "reason: strategy meeting at 10, need the address",
        ),
        e(
            40,
            9,
            "demo-paed",
            Role::Paediatrician,
            "case.assign",
            Some("JAR-2026-0042"),
            "key_worker=demo-keyworker",
        ),
        e(
            39,
            30,
            "demo-paed",
            Role::Paediatrician,
            "session.create",
            None,
            "",
        ),
    ]
}

#[test]
fn the_manager_reads_who_revealed_identity_and_why_filters_and_pages_the_audit_log() {
    let mut s = board_state(Role::Manager);
    let fx = press(&mut s, ch('L'));
    let Some(Effect::FetchAudit(q)) = fx.first() else {
        panic!("{fx:?}");
    };
    assert_eq!(q.limit, Some(50));
    assert_eq!(q.cursor, None);
    api(
        &mut s,
        ApiMsg::Audit(Ok(AuditList {
            items: audit_entries(),
            next_cursor: Some("39".into()),
        })),
    );
    insta::assert_snapshot!("audit_80x24", draw(&s, 80, 24).backend());
    let fx = press(&mut s, ch('n'));
    assert!(
        matches!(fx.first(), Some(Effect::FetchAudit(q)) if q.cursor.as_deref() == Some("39")),
        "{fx:?}"
    );
    let fx = press(&mut s, ch('p'));
    assert!(matches!(fx.first(), Some(Effect::FetchAudit(q)) if q.cursor.is_none()));
    press(&mut s, ch('/'));
    type_text(&mut s, "JAR-2026-0042");
    press(&mut s, key(KeyCode::Tab));
    press(&mut s, key(KeyCode::Tab));
    type_text(&mut s, "identity.reveal");
    press(&mut s, key(KeyCode::Tab));
    type_text(&mut s, "-24h");
    let fx = press(&mut s, ctrl('s'));
    let Some(Effect::FetchAudit(q)) = fx.first() else {
        panic!("{fx:?}");
    };
    assert_eq!(q.case_ref.as_deref(), Some("JAR-2026-0042"));
    assert_eq!(q.action.as_deref(), Some("identity.reveal"));
    assert_eq!(q.since, Some(now() - Duration::hours(24)));
    assert!(sent(&fx).is_empty(), "a filter is read, never written");
}

#[test]
fn a_key_worker_has_no_audit_or_users_screen() {
    let mut s = board_state(Role::KeyWorker);
    assert!(press(&mut s, ch('L')).is_empty());
    assert!(press(&mut s, ch('U')).is_empty());
    assert_eq!(s.screen, Screen::Board);
}

fn users() -> (Vec<UserSummary>, Vec<Cover>) {
    let u = |name: &str, role: Role, areas: &[&str], disabled: bool| UserSummary {
        username: name.into(),
        role,
        areas: areas.iter().map(|a| a.to_string()).collect(),
        disabled,
        created_at: now() - Duration::days(30),
    };
    (
        vec![
            u("demo-keyworker", Role::KeyWorker, &["Bristol"], false),
            u("kw-cover", Role::KeyWorker, &["Bristol", "S Glos"], false),
            u("demo-paed", Role::Paediatrician, &["Bristol"], false),
            u("old-police", Role::Police, &["N Somerset"], true),
            u("north-kw", Role::KeyWorker, &["North Wessex"], false),
        ],
        vec![Cover {
            covered: "demo-keyworker".into(),
            cover: "kw-cover".into(),
            from: now() - Duration::hours(2),
            to: now() + Duration::days(3),
        }],
    )
}

#[test]
fn the_manager_lists_the_users_of_their_areas_adds_one_and_sees_the_password_once() {
    let mut s = board_state(Role::Manager);
    let fx = press(&mut s, ch('U'));
    assert!(matches!(fx.first(), Some(Effect::FetchUsers)));
    api(&mut s, ApiMsg::Users(Ok(users())));
    let names: Vec<&str> = s
        .desk
        .users
        .items
        .iter()
        .map(|u| u.username.as_str())
        .collect();
    assert!(!names.contains(&"north-kw"), "not of the manager's areas");
    insta::assert_snapshot!("users_80x24", draw(&s, 80, 24).backend());
    press(&mut s, ch('a'));
    type_text(&mut s, "kw-bristol-3");
    let fx = press(&mut s, ctrl('s'));
    assert!(sent(&fx).is_empty(), "no area ticked yet");
    assert!(
        s.form
            .as_ref()
            .and_then(|f| f.error.as_deref())
            .is_some_and(|e| e.starts_with("Areas:"))
    );
    press(&mut s, key(KeyCode::Tab));
    press(&mut s, key(KeyCode::Tab));
    press(&mut s, ch(' '));
    let fx = press(&mut s, ctrl('s'));
    let w = sent(&fx);
    assert!(
        matches!(&w[0].write, Write::AddUser { username, role: Role::KeyWorker, areas }
            if username == "kw-bristol-3" && areas == &vec!["Bristol".to_string()]),
        "{:?}",
        w[0].write
    );
    let journal = format!("{:?}", w[0].write);
    assert!(!journal.contains("password"), "no password is journaled");
    let fx = write_done(
        &mut s,
        w[0].key,
        WriteOk::Password(OneTimePassword {
            username: "kw-bristol-3".into(),
            password: "tulip-orbit-anchor-71".into(),
        }),
    );
    assert!(fx.iter().any(|e| matches!(e, Effect::FetchUsers)));
    assert!(
        matches!(&s.dialog, Some(Dialog::Notice { detail, .. }) if detail.contains("tulip-orbit-anchor-71"))
    );
    press(&mut s, key(KeyCode::Enter));
    assert!(s.dialog.is_none());
    assert!(
        !screen(&s, 80, 24).contains("tulip-orbit-anchor-71"),
        "shown once"
    );
}

#[test]
fn the_manager_disables_resets_and_ends_a_key_workers_cover_only_once_confirmed() {
    let mut s = board_state(Role::Manager);
    press(&mut s, ch('U'));
    api(&mut s, ApiMsg::Users(Ok(users())));
    // demo-keyworker is first: covered by kw-cover until in 3 days.
    press(&mut s, ch('C'));
    let fx = press(&mut s, ctrl('s'));
    assert!(sent(&fx).is_empty(), "not confirmed");
    press(&mut s, key(KeyCode::Tab));
    press(&mut s, ch(' '));
    let fx = press(&mut s, ctrl('s'));
    assert!(
        matches!(&sent(&fx)[0].write, Write::EndCover(e) if e.covered == "demo-keyworker" && e.cover == "kw-cover")
    );
    press(&mut s, ch('d'));
    press(&mut s, ch(' '));
    let fx = press(&mut s, ctrl('s'));
    assert!(sent(&fx).is_empty(), "one write on its way at a time");
    assert_eq!(s.outbox.len(), 2);
    assert!(
        matches!(&s.outbox[1].write, Write::DisableUser { username } if username == "demo-keyworker")
    );
    // Cover for a paediatrician (next in the list) is refused with words.
    press(&mut s, key(KeyCode::Down));
    press(&mut s, ch('c'));
    assert!(s.form.is_none());
    assert!(
        s.banner
            .as_ref()
            .is_some_and(|b| b.text.starts_with("Cover is for key workers"))
    );
}

#[test]
fn help_offers_only_what_the_role_can_do_on_the_screen_shown() {
    let mut kw = board_state(Role::KeyWorker);
    press(&mut kw, ch('?'));
    let help = screen(&kw, 100, 60);
    assert!(help.contains("Board"), "{help}");
    assert!(
        !help.contains("notify"),
        "a key worker's help does not offer notify:\n{help}"
    );
    assert!(!help.contains("handover"), "{help}");
    assert!(!help.contains("audit log"), "{help}");
    assert!(
        !help.contains("Case: Timeline"),
        "only the screen shown: {help}"
    );
    let mut paed = board_state(Role::Paediatrician);
    press(&mut paed, ch('?'));
    let help = screen(&paed, 100, 60);
    assert!(help.contains("notify a death"), "{help}");
    assert!(help.contains("on-call handover"), "{help}");
    let (mut kw_case, _) = case_state(Role::KeyWorker);
    press(&mut kw_case, ch('?'));
    let help = screen(&kw_case, 100, 60);
    assert!(help.contains("Case: Summary"), "{help}");
    assert!(!help.contains("withdraw"), "{help}");
    assert!(!help.contains("cycle through areas"), "{help}");
    let mut mgr = board_state(Role::Manager);
    press(&mut mgr, ch('U'));
    press(&mut mgr, ch('?'));
    let help = screen(&mgr, 100, 60);
    assert!(help.contains("Users (managers)"), "{help}");
    assert!(help.contains("one-time password"), "{help}");
    assert!(!help.contains("cycle through areas"), "{help}");
}

#[test]
fn the_notifier_withdraws_a_case_with_a_reason_and_a_manager_links_a_duplicate() {
    // demo-paed notified the fixture case: the Summary's `W` asks a reason of ten characters.
    let (mut s, _) = case_state(Role::Paediatrician);
    press(&mut s, ch('W'));
    assert!(s.form.is_some(), "{:?}", s.banner);
    type_text(&mut s, "wrong");
    let fx = press(&mut s, ctrl('s'));
    assert!(sent(&fx).is_empty());
    assert!(
        s.form
            .as_ref()
            .and_then(|f| f.error.as_deref())
            .is_some_and(|e| e.starts_with("Reason:")),
        "{:?}",
        s.form.as_ref().map(|f| &f.error)
    );
    type_text(&mut s, " record, notified twice by the ED");
    let fx = press(&mut s, ctrl('s'));
    assert!(
        matches!(&sent(&fx)[0].write, Write::Withdraw { case_ref, reason, .. }
            if &**case_ref == "JAR-2026-0042" && reason.starts_with("wrong record")),
        "{fx:?}"
    );
    // A paediatrician does not link duplicates; a manager does.
    press(&mut s, ch('D'));
    assert!(s.form.is_none());
    let (mut m, _) = case_state(Role::Manager);
    press(&mut m, ch('D'));
    type_text(&mut m, "JAR-2026-0042");
    press(&mut m, key(KeyCode::Tab));
    type_text(&mut m, "same NHS number and time of death");
    press(&mut m, ctrl('s'));
    assert!(
        m.form
            .as_ref()
            .and_then(|f| f.error.as_deref())
            .is_some_and(|e| e.contains("its own duplicate"))
    );
    press(&mut m, key(KeyCode::BackTab));
    for _ in 0.."JAR-2026-0042".len() {
        press(&mut m, key(KeyCode::Backspace));
    }
    type_text(&mut m, "jar-2026-0043");
    let fx = press(&mut m, ctrl('s'));
    assert!(
        matches!(&sent(&fx)[0].write, Write::LinkDuplicate { case_ref, duplicate, .. }
            if &**case_ref == "JAR-2026-0042" && duplicate == "JAR-2026-0043"),
        "{fx:?}"
    );
}
