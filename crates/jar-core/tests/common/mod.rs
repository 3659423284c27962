//! Fixtures shared by the jar-core scenario tests.

use chrono::{DateTime, Utc};
use jar_core::case::*;

pub fn case_at(
    notified_at: DateTime<Utc>,
    death_confirmed_at: Option<DateTime<Utc>>,
    category: PresentingCategory,
) -> Case {
    Case {
        reference: case_ref(2026, 42),
        area: "North Wessex".into(),
        age_months: 4,
        sex: Sex::Female,
        place_of_death: PlaceOfDeath::Home,
        category,
        times: CaseTimes {
            last_seen_at: None,
            found_at: None,
            death_confirmed_at,
            notified_at,
        },
        criteria: CriteriaDecision {
            criteria: vec![JarCriterion::SuddenNoApparentCause],
            decided_by: "demo-paed".into(),
            decided_at: notified_at,
            rationale: String::new(),
        },
        stage: Stage::EdResponse,
        people: Assignments::default(),
        flags: Some(Flags::default()),
        investigation_note: None,
        notified_by: "demo-paed".into(),
        not_applicable: Vec::new(),
        version: 1,
    }
}
