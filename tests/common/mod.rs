//! Fixtures built from jar-core types, with a fixed clock: 2026-01-10 03:12 UTC (GMT).
#![allow(dead_code)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use jar_core::Role;
use jar_core::case::{
    Assignments, Case, CaseTimes, CriteriaDecision, Flags, JarCriterion, PlaceOfDeath,
    PresentingCategory, Sex, Stage,
};
use jar_core::checklist::{self, ItemState, ItemStatus};
use jar_core::contact::{
    Amendment, Contact, ContactMode, ContactPurpose, Direction, NewContact, Outcome, Support,
};
use jar_core::deadline::{Deadline, DeadlineState};
use jar_core::permissions::Principal;
use jar_core::role::Agency;
use jar_core::timeline::{EventKind, TimelineEvent};
use jar_core::wire::{CaseDetail, CaseSummary, ChecklistItemView, ChecklistView, OpenDeadline};
use jarterm::effect::Effect;
use jarterm::msg::{ApiMsg, Msg};
use jarterm::state::State;
use jarterm::update::update;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 10, 3, 12, 0).unwrap()
}

pub fn username(role: Role) -> &'static str {
    match role {
        Role::Paediatrician => "demo-paed",
        Role::Police => "demo-police",
        Role::SocialWorker => "demo-social",
        Role::KeyWorker => "demo-keyworker",
        Role::Manager => "demo-manager",
    }
}

pub fn principal(role: Role) -> Principal {
    Principal {
        username: username(role).to_string(),
        role,
        areas: vec!["Bristol".into(), "N Somerset".into(), "S Glos".into()],
    }
}

fn open_deadline(title: &str, due: DateTime<Utc>, hard: bool) -> OpenDeadline {
    OpenDeadline {
        rule_id: title.to_lowercase().replace(' ', "_"),
        title: title.to_string(),
        due_at: due,
        hard,
    }
}

pub fn summary(
    reference: &str,
    area: &str,
    category: PresentingCategory,
    stage: Stage,
    due_in_minutes: Option<i64>,
    progress: (u32, u32, u32),
    family_days_ago: Option<i64>,
) -> CaseSummary {
    CaseSummary {
        reference: reference.to_string(),
        area: area.to_string(),
        category,
        stage,
        age_months: 4,
        notified_at: now() - Duration::hours(1),
        open_deadlines: due_in_minutes
            .map(|m| {
                vec![open_deadline(
                    "Information-sharing discussion",
                    now() + Duration::minutes(m),
                    false,
                )]
            })
            .unwrap_or_default(),
        progress: checklist::Progress {
            done: progress.0,
            total: progress.1,
            open_time_critical: progress.2,
        },
        last_family_contact: family_days_ago.map(|d| now() - Duration::days(d)),
        // The key worker planned the next contact five days after the last (issue 16 §1).
        family_contact_due: family_days_ago.map(|d| now() - Duration::days(d) + Duration::days(5)),
        flags: Some(Flags::default()),
        assigned_to_me: false,
        version: 1,
    }
}

/// Summaries as the board keeps them.
pub fn rows(cases: Vec<CaseSummary>) -> Vec<jarterm::state::board::BoardRow> {
    cases.into_iter().map(Into::into).collect()
}

/// The board of the design sketch, plus a closed case and a case flagged for a criminal
/// investigation.
pub fn board_cases() -> Vec<CaseSummary> {
    use PresentingCategory::*;
    let mut a = summary(
        "JAR-2026-0042",
        "Bristol",
        Sudi,
        Stage::EdResponse,
        Some(-40),
        (6, 44, 2),
        None,
    );
    a.assigned_to_me = true;
    a.flags = Some(Flags {
        criminal_investigation: true,
        ..Flags::default()
    });
    let b = summary(
        "JAR-2026-0039",
        "N Somerset",
        SuspectedSuicide,
        Stage::HomeVisit,
        Some(125),
        (11, 18, 0),
        Some(1),
    );
    let c = summary(
        "JAR-2026-0037",
        "S Glos",
        Asthma,
        Stage::PostMortemPending,
        Some(3 * 24 * 60),
        (14, 17, 0),
        Some(2),
    );
    let mut d = summary(
        "JAR-2026-0031",
        "Bristol",
        Sudic,
        Stage::Cdrm,
        Some(5 * 7 * 24 * 60),
        (40, 44, 0),
        Some(6),
    );
    d.assigned_to_me = true;
    let e = summary(
        "JAR-2026-0012",
        "S Glos",
        Trauma,
        Stage::Closed,
        None,
        (0, 0, 0),
        Some(60),
    );
    vec![c, e, a, d, b]
}

pub fn case(flags: Option<Flags>) -> Case {
    Case {
        reference: "JAR-2026-0042".into(),
        area: "Bristol".into(),
        age_months: 4,
        sex: Sex::Male,
        place_of_death: PlaceOfDeath::Home,
        category: PresentingCategory::Sudi,
        times: CaseTimes {
            last_seen_at: Some(now() - Duration::hours(4)),
            found_at: Some(now() - Duration::minutes(200)),
            death_confirmed_at: Some(now() - Duration::minutes(160)),
            notified_at: now() - Duration::minutes(130),
        },
        criteria: CriteriaDecision {
            criteria: vec![JarCriterion::SuddenNoApparentCause],
            decided_by: "demo-paed".into(),
            decided_at: now() - Duration::minutes(52),
            rationale: "Infant found unresponsive in bed; no apparent cause.".into(),
        },
        stage: Stage::EdResponse,
        people: Assignments {
            lead_paediatrician: Some("demo-paed".into()),
            police_lead: Some("demo-police".into()),
            social_worker: None,
            key_worker: Some("demo-keyworker".into()),
        },
        flags,
        investigation_note: None,
        notified_by: "demo-paed".into(),
        not_applicable: Vec::new(),
        version: 3,
    }
}

fn deadline(
    title: &str,
    owners: &[Agency],
    due: Option<i64>,
    state: DeadlineState,
    hard: bool,
) -> Deadline {
    Deadline {
        rule_id: title.to_lowercase().replace(' ', "_"),
        title: title.into(),
        hard,
        owners: owners.to_vec(),
        due_at: due.map(|m| now() + Duration::minutes(m)),
        state,
        met_at: (state == DeadlineState::Met).then(|| now() - Duration::minutes(41)),
        waits_on: "the event being recorded".into(),
        source: "domain.md".into(),
        label: jar_core::deadline::RuleLabel::LocalPractice,
        timing: String::new(),
        late_by_minutes: None,
        not_applicable_reason: None,
        restricted: false,
    }
}

pub fn detail(role: Role) -> CaseDetail {
    use Agency::*;
    let may_see =
        jar_core::permissions::allows(role, jar_core::permissions::Permission::ReadCriminalDetail);
    let flags = Some(Flags {
        criminal_investigation: true,
        ..Flags::default()
    });
    CaseDetail {
        case: jar_core::permissions::redact_case(role, case(if may_see { flags } else { None })),
        deadlines: vec![
            deadline(
                "Information-sharing discussion",
                &[Health, Police, SocialCare],
                Some(-40),
                DeadlineState::Overdue,
                false,
            ),
            deadline(
                "Nasopharyngeal aspirate window",
                &[Health],
                Some(260),
                DeadlineState::Due,
                true,
            ),
            deadline(
                "Joint home visit",
                &[Police, Health],
                Some(20 * 60),
                DeadlineState::Due,
                false,
            ),
            deadline(
                "Police informed",
                &[Health],
                None,
                DeadlineState::Met,
                false,
            ),
            // The key worker's plan: the next contact due on the contact below (issue 16 §1).
            Deadline {
                rule_id: "family_contact".into(),
                ..deadline(
                    "Family contact (key worker's plan)",
                    &[KeyWorker],
                    Some(7 * 24 * 60),
                    DeadlineState::Due,
                    false,
                )
            },
        ],
        progress: checklist::Progress {
            done: 6,
            total: 44,
            open_time_critical: 2,
        },
        checklists: vec!["sudi".into()],
        timeline_count: 3,
        contact_count: jar_core::permissions::allows(
            role,
            jar_core::permissions::Permission::ReadContacts,
        )
        .then_some(1),
        last_family_contact: Some(now() - Duration::hours(2)),
    }
}

/// The SUDI checklist with the first few items closed by different agencies.
pub fn checklists() -> Vec<ChecklistView> {
    let t = checklist::template("sudi").expect("sudi template");
    let items: Vec<ChecklistItemView> = t
        .items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let mut state = ItemState::new_open(&item.id);
            if i < 3 {
                state.status = ItemStatus::Done;
                state.updated_by = Some("demo-paed".into());
                state.updated_at = Some(now() - Duration::minutes(30));
                state.version = 2;
            }
            if i == 3 {
                state.status = ItemStatus::Unable;
                state.note = Some("Carer too distressed; to retry at the home visit.".into());
                state.updated_by = Some("demo-police".into());
                state.updated_at = Some(now() - Duration::minutes(20));
                state.version = 2;
            }
            ChecklistItemView {
                item: item.clone(),
                state,
            }
        })
        .collect();
    let states: Vec<ItemState> = items.iter().map(|i| i.state.clone()).collect();
    vec![ChecklistView {
        template: t.id.clone(),
        version: t.version,
        title: t.title.clone(),
        progress: checklist::progress(t, &states),
        items,
    }]
}

pub fn timeline() -> Vec<TimelineEvent> {
    let ev = |id: i64, kind: EventKind, mins_ago: i64, note: &str, corrects: Option<i64>| {
        TimelineEvent {
            id,
            kind,
            occurred_at: now() - Duration::minutes(mins_ago),
            recorded_at: now() - Duration::minutes(mins_ago.saturating_sub(5)),
            recorded_by: "demo-paed".into(),
            note: note.into(),
            corrects,
        }
    };
    vec![
        ev(
            1,
            EventKind::DeathConfirmed,
            160,
            "Confirmed in ED by the registrar.",
            None,
        ),
        ev(2, EventKind::PoliceInformed, 150, "", None),
        ev(3, EventKind::HomeVisitDone, 60, "Entered by mistake.", None),
        ev(
            4,
            EventKind::Correction,
            55,
            "The home visit has not happened yet.",
            Some(3),
        ),
    ]
}

pub fn contacts() -> Vec<Contact> {
    vec![Contact {
        id: 7,
        recorded_at: now() - Duration::hours(2),
        author: "demo-keyworker".into(),
        entry: NewContact {
            occurred_at: now() - Duration::hours(2),
            direction: Direction::Outbound,
            mode: ContactMode::Phone,
            participants: vec!["mother".into(), "KW".into()],
            purpose: ContactPurpose::InitialContact,
            summary: "Introduced myself as key worker.\nExplained what happens next.".into(),
            family_questions: vec!["Why was a post-mortem needed?".into()],
            // v1's support list: an older record, still read (issue 16 §1).
            support_offered: vec![Support::LullabyTrust, Support::Gp],
            safeguarding_concern: false,
            outcome: Outcome::Reached,
            next_contact_due: Some(now() + Duration::days(7)),
            interpreter: false,
            support: Vec::new(),
            cdr_leaflet_given: false,
        },
        amendments: vec![Amendment {
            id: 1,
            at: now() - Duration::hours(1),
            by: "demo-keyworker".into(),
            reason: "Wrong participant".into(),
            text: "Father was also present.".into(),
            correct: None,
        }],
    }]
}

/// A signed-in state on the board with the fixture cases loaded.
pub fn board_state(role: Role) -> State {
    let mut s = State::signed_in(now(), "127.0.0.1:8471", principal(role));
    s.conn = jarterm::state::Conn::Live;
    s.was_live = true;
    s.board.cases = rows(board_cases());
    s.board.loaded = true;
    s.size = (80, 24);
    s.dirty = false;
    s
}

/// The case JAR-2026-0042 open with every part the role may read loaded.
pub fn case_state(role: Role) -> (State, Vec<Effect>) {
    let mut s = board_state(role);
    let fx = open(&mut s, "JAR-2026-0042");
    let r = "JAR-2026-0042".to_string();
    api(
        &mut s,
        ApiMsg::Case {
            case_ref: r.clone(),
            result: Ok(detail(role)),
        },
    );
    api(
        &mut s,
        ApiMsg::Timeline {
            case_ref: r.clone(),
            result: Ok(timeline()),
        },
    );
    api(
        &mut s,
        ApiMsg::Checklists {
            case_ref: r.clone(),
            result: Ok(checklists()),
        },
    );
    // The family's questions and the professionals involved (issue 16): none yet.
    api(
        &mut s,
        ApiMsg::Questions {
            case_ref: r.clone(),
            result: Ok(Vec::new()),
        },
    );
    api(
        &mut s,
        ApiMsg::Involvements {
            case_ref: r.clone(),
            result: Ok(Vec::new()),
        },
    );
    if fx.iter().any(Effect::is_fetch_contacts) {
        api(
            &mut s,
            ApiMsg::Contacts {
                case_ref: r,
                result: Ok(contacts()),
                catalogue: None,
            },
        );
    }
    (s, fx)
}

/// Open a case from the board by moving to it and pressing Enter.
pub fn open(s: &mut State, reference: &str) -> Vec<Effect> {
    let idx = s
        .board
        .visible(s.now)
        .iter()
        .position(|c| &*c.reference == reference)
        .expect("case on the board");
    for _ in 0..idx {
        update(s, Msg::Key(key(KeyCode::Down)));
    }
    update(s, Msg::Key(key(KeyCode::Enter)))
}

pub fn api(s: &mut State, m: ApiMsg) -> Vec<Effect> {
    update(s, Msg::Api(m))
}

pub fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

pub fn ch(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
}

pub fn ctrl(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
}

pub fn press(s: &mut State, k: KeyEvent) -> Vec<Effect> {
    update(s, Msg::Key(k))
}

pub fn type_text(s: &mut State, text: &str) -> Vec<Effect> {
    let mut fx = Vec::new();
    for c in text.chars() {
        fx.extend(press(s, ch(c)));
    }
    fx
}

/// Render the state with the default theme at `w`x`h` and return the terminal.
pub fn draw(s: &State, w: u16, h: u16) -> Terminal<TestBackend> {
    draw_with(s, &jarterm::theme::Theme::default_theme(), w, h)
}

pub fn draw_with(
    s: &State,
    theme: &jarterm::theme::Theme,
    w: u16,
    h: u16,
) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("test terminal");
    t.draw(|f| jarterm::ui::render(s, theme, f)).expect("draw");
    t
}

/// The screen as plain text, one line per row.
pub fn screen(s: &State, w: u16, h: u16) -> String {
    let t = draw(s, w, h);
    buffer_text(t.backend().buffer())
}

pub fn buffer_text(buf: &ratatui::buffer::Buffer) -> String {
    let mut out = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            out.push_str(buf[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}
