//! The client's hot paths with 10,000 cases: drawing the board, one `update` for a cursor move
//! and for a filter keystroke, the sanitiser on long hostile strings, and decoding a page of
//! the case list into board rows.
//! Run: `cargo bench --bench tui` (figures and budgets: docs/benchmarks.md).

use chrono::{DateTime, Duration, TimeZone, Utc};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use jar_core::Role;
use jar_core::case::{Flags, PresentingCategory, Stage};
use jar_core::checklist::Progress;
use jar_core::permissions::Principal;
use jar_core::wire::{CaseSummary, OpenDeadline};
use jarterm::msg::Msg;
use jarterm::state::State;
use jarterm::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::hint::black_box;

const AREAS: [&str; 5] = ["Bristol", "N Somerset", "S Glos", "Bath", "Wessex Coast"];
const STAGES: [Stage; 4] = [
    Stage::EdResponse,
    Stage::HomeVisit,
    Stage::PostMortemPending,
    Stage::Cdrm,
];

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 10, 3, 12, 0)
        .single()
        .expect("valid time")
}

fn cases(n: usize) -> Vec<CaseSummary> {
    (0..n)
        .map(|i| {
            let due = now() + Duration::minutes((i as i64 * 37) % 20_000 - 2_000);
            let open_deadlines = (0..(i % 4))
                .map(|j| OpenDeadline {
                    rule_id: format!("rule_{j}"),
                    title: "Information-sharing discussion".to_string(),
                    due_at: due + Duration::hours(j as i64 * 5),
                    hard: j == 0 && i % 7 == 0,
                })
                .collect();
            CaseSummary {
                reference: format!("JAR-2026-{i:04}"),
                area: AREAS[i % AREAS.len()].to_string(),
                category: PresentingCategory::ALL[i % PresentingCategory::ALL.len()],
                stage: STAGES[i % STAGES.len()],
                age_months: (i % 200) as u16,
                notified_at: now() - Duration::hours((i % 500) as i64),
                open_deadlines,
                progress: Progress {
                    done: (i % 40) as u32,
                    total: 44,
                    open_time_critical: (i % 3) as u32,
                },
                last_family_contact: (i % 5 != 0)
                    .then(|| now() - Duration::hours((i % 300) as i64)),
                family_contact_due: (i % 5 != 0)
                    .then(|| now() + Duration::hours(168 - (i % 300) as i64)),
                flags: Some(Flags {
                    criminal_investigation: i % 11 == 0,
                    ..Flags::default()
                }),
                assigned_to_me: i % 9 == 0,
                version: 1,
            }
        })
        .collect()
}

fn state(cases: Vec<CaseSummary>, w: u16, h: u16) -> State {
    let who = Principal {
        username: "demo-paed".to_string(),
        role: Role::Paediatrician,
        areas: AREAS.iter().map(|a| a.to_string()).collect(),
    };
    let mut s = State::signed_in(now(), "127.0.0.1:8471", who);
    s.board.cases = cases.into_iter().map(Into::into).collect();
    s.board.loaded = true;
    s.size = (w, h);
    s
}

fn key(c: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

fn render(c: &mut Criterion) {
    let theme = Theme::default_theme();
    for (w, h) in [(80u16, 24u16), (200, 60)] {
        let s = state(cases(10_000), w, h);
        let mut term = Terminal::new(TestBackend::new(w, h)).expect("test terminal");
        c.bench_function(&format!("render board 10,000 cases {w}x{h}"), |b| {
            b.iter(|| {
                term.draw(|f| jarterm::ui::render(black_box(&s), &theme, f))
                    .expect("draw");
            })
        });
    }
}

fn update(c: &mut Criterion) {
    let data = cases(10_000);
    let mut s = state(data.clone(), 80, 24);
    let mut down = true;
    c.bench_function("update cursor move 10,000 cases", |b| {
        b.iter(|| {
            // j then k, so the cursor stays near the top like a person scanning the board.
            let k = if down {
                KeyCode::Char('j')
            } else {
                KeyCode::Char('k')
            };
            down = !down;
            black_box(jarterm::update::update(&mut s, key(k)))
        })
    });
    c.bench_function("update filter keystroke 10,000 cases", |b| {
        b.iter_batched_ref(
            || {
                let mut s = state(data.clone(), 80, 24);
                s.board.editing_filter = true;
                s.board.filter.text = "bris".to_string();
                s
            },
            |s| black_box(jarterm::update::update(s, key(KeyCode::Char('t')))),
            BatchSize::LargeInput,
        )
    });
}

fn sanitize(c: &mut Criterion) {
    // Escape sequences, C0/C1 controls, bidi overrides and combining marks, 64 KiB of each mix.
    let unit =
        "\u{1b}[2J\u{1b}]0;pwned\u{7}ok \u{202e}evil\u{202c} \u{9b}31m e\u{301}\u{200b}\r\n\t";
    let hostile: String = unit.repeat(65_536 / unit.len());
    let plain: String = "A plain note about a home visit. ".repeat(65_536 / 33);
    c.bench_function("sanitize 64 KiB hostile", |b| {
        b.iter(|| black_box(jarterm::sanitize::clean(black_box(&hostile))))
    });
    c.bench_function("sanitize 64 KiB plain", |b| {
        b.iter(|| black_box(jarterm::sanitize::clean(black_box(&plain))))
    });
    let json = serde_json::json!({ "items": vec![hostile.clone(); 4] }).to_string();
    c.bench_function("sanitize decode 256 KiB hostile JSON", |b| {
        b.iter(|| {
            let v: serde_json::Value =
                jarterm::sanitize::decode(black_box(json.as_bytes())).expect("json");
            black_box(v)
        })
    });
}

fn decode_page(c: &mut Criterion) {
    // A page of 500 summaries as the server sends it, into the rows the board keeps.
    let list = jar_core::wire::CaseList {
        items: cases(500),
        next_cursor: None,
        seq: Some(1),
    };
    let body = serde_json::to_vec(&list).expect("json");
    c.bench_function("decode a page of 500 cases into board rows", |b| {
        b.iter(|| {
            let page: jar_core::wire::CaseList =
                jarterm::sanitize::decode(black_box(&body)).expect("page");
            let mut areas = jarterm::state::board::AreaNames::default();
            let rows: Vec<_> = page
                .items
                .into_iter()
                .map(|s| jarterm::state::board::BoardRow::new(s, &mut areas))
                .collect();
            black_box(rows)
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(std::time::Duration::from_millis(500))
        .measurement_time(std::time::Duration::from_secs(2));
    targets = render, update, sanitize, decode_page
}
criterion_main!(benches);
