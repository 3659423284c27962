//! Computing every deadline for 10,000 cases (the server does this for each case it writes; the
//! board reads the result). Run: `cargo bench -p jar-core --bench deadlines`.

use chrono::{Duration, TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use jar_core::case::*;
use jar_core::checklist::ItemState;
use jar_core::deadline::{self, CaseFacts};
use jar_core::timeline::{EventKind, TimelineEvent};
use std::hint::black_box;

fn cases(n: usize) -> Vec<(Case, Vec<TimelineEvent>, Vec<ItemState>)> {
    let t0 = Utc
        .with_ymd_and_hms(2026, 10, 1, 0, 0, 0)
        .single()
        .expect("valid");
    (0..n)
        .map(|i| {
            let notified = t0 + Duration::minutes(i as i64 * 7);
            let case = Case {
                reference: case_ref(2026, i as u32),
                area: ["North Wessex", "South Wessex", "Wessex Coast"][i % 3].into(),
                age_months: (i % 200) as u16,
                sex: Sex::NotKnown,
                place_of_death: PlaceOfDeath::Home,
                category: PresentingCategory::ALL[i % 6],
                times: CaseTimes {
                    last_seen_at: None,
                    found_at: None,
                    death_confirmed_at: Some(notified),
                    notified_at: notified,
                },
                criteria: CriteriaDecision {
                    criteria: vec![JarCriterion::Unclear],
                    decided_by: "x".into(),
                    decided_at: notified,
                    rationale: String::new(),
                },
                stage: Stage::EdResponse,
                people: Assignments::default(),
                flags: None,
                investigation_note: None,
                notified_by: "x".into(),
                not_applicable: Vec::new(),
                version: 1,
            };
            let events = EventKind::ALL[..(i % 8)]
                .iter()
                .enumerate()
                .map(|(j, k)| TimelineEvent {
                    id: j as i64,
                    kind: *k,
                    occurred_at: notified + Duration::minutes(j as i64 * 30),
                    recorded_at: notified,
                    recorded_by: "x".into(),
                    note: String::new(),
                    corrects: None,
                })
                .collect();
            (case, events, vec![ItemState::new_open("SUDI-B05")])
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let data = cases(10_000);
    let rules = deadline::default_rules();
    let now = Utc
        .with_ymd_and_hms(2026, 11, 23, 3, 0, 0)
        .single()
        .expect("valid");
    c.bench_function("deadlines for 10,000 cases", |b| {
        b.iter(|| {
            let mut open = 0usize;
            for (case, events, items) in &data {
                let facts = CaseFacts {
                    case,
                    events,
                    items,
                    first_family_contact: None,
                };
                open += deadline::compute(&facts, &rules, black_box(now)).len();
            }
            black_box(open)
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
