//! Everything computed about a case from its records: stage, deadlines, progress and the
//! board summary. Pure functions, so the same code serves writes, reads and demo seeding.

use chrono::{DateTime, Utc};
use jar_core::checklist::{self, ItemState, Progress};
use jar_core::deadline::{
    self, AreaOverrides, CaseFacts, Deadline, DeadlineState, Extras, FamilyContactFact,
};
use jar_core::timeline::{self, TimelineEvent};
use jar_core::wire::{CaseSummary, OpenDeadline};
use jar_core::{Case, Stage};

/// A case with the records its computed fields depend on.
#[derive(Debug, Clone)]
pub struct Bundle {
    pub id: i64,
    pub case: Case,
    pub events: Vec<TimelineEvent>,
    /// (template id, template version) of every checklist started, in start order.
    pub checklists: Vec<(String, u32)>,
    /// (template id, state) of every item written at least once; others are open.
    pub items: Vec<(String, ItemState)>,
    /// Each family contact as its amendments correct it: when, whether the family was
    /// reached, and the next contact planned.
    pub contacts: Vec<FamilyContactFact>,
}

pub struct Projection {
    pub stage: Stage,
    pub deadlines: Vec<Deadline>,
    pub progress: Progress,
    /// Stored form: flags present, `assigned_to_me` false; adjusted per reader.
    pub summary: CaseSummary,
    pub next_due_at: Option<DateTime<Utc>>,
    /// The key worker's planned contact while open (stored for the key worker's overdue view).
    pub family_contact_due: Option<DateTime<Utc>>,
}

impl Bundle {
    /// A case as notified (`POST /cases`): stage Reported, version 1, the core JAR checklist
    /// and its category's supplement started at their newest versions (issue 14 §3), which
    /// the case keeps from then on. Its `id` is 0 until stored.
    pub fn notified(
        reference: String,
        new: jar_core::wire::NewCase,
        who: &jar_core::permissions::Principal,
        now: DateTime<Utc>,
    ) -> Bundle {
        use jar_core::case::{Assignments, CaseTimes, CriteriaDecision, Flags};
        let case = Case {
            reference,
            area: new.area,
            age_months: new.age_months,
            sex: new.sex,
            place_of_death: new.place_of_death,
            category: new.category,
            times: CaseTimes {
                last_seen_at: new.times.last_seen_at,
                found_at: new.times.found_at,
                death_confirmed_at: new.times.death_confirmed_at,
                notified_at: now,
            },
            criteria: CriteriaDecision {
                criteria: new.criteria,
                decided_by: new.decided_by,
                decided_at: now,
                rationale: new.rationale,
            },
            stage: Stage::Reported,
            people: Assignments::default(),
            flags: Some(Flags::default()),
            investigation_note: None,
            notified_by: who.username.clone(),
            not_applicable: Vec::new(),
            version: 1,
        };
        let checklists = new
            .category
            .templates()
            .into_iter()
            .filter_map(checklist::template)
            .map(|t| (t.id.clone(), t.version))
            .collect();
        Bundle {
            id: 0,
            case,
            events: Vec::new(),
            checklists,
            items: Vec::new(),
            contacts: Vec::new(),
        }
    }

    pub fn stage(&self) -> Stage {
        timeline::current_stage(&self.events)
    }

    /// The one count (`checklist::case_progress`), each checklist at its started version.
    pub fn progress(&self) -> Progress {
        checklist::case_progress(&self.checklists, &self.items)
    }

    pub fn deadlines(&self, overrides: &AreaOverrides, now: DateTime<Utc>) -> Vec<Deadline> {
        let states: Vec<ItemState> = self.items.iter().map(|(_, s)| s.clone()).collect();
        let facts = CaseFacts {
            case: &self.case,
            events: &self.events,
            items: &states,
            first_family_contact: self.contacts.iter().map(|c| c.occurred_at).min(),
        };
        let rules = deadline::rules_for_area(&self.case.area, overrides);
        let extras = Extras {
            not_applicable: &self.case.not_applicable,
            // The key worker's first contact is met only by reaching the family.
            first_family_reached: Some(deadline::first_reached(&self.contacts)),
            family_contacts: &self.contacts,
            ..Extras::default()
        };
        deadline::compute_with(&facts, &extras, &rules, now)
    }

    pub fn last_family_contact(&self) -> Option<DateTime<Utc>> {
        self.contacts.iter().map(|c| c.occurred_at).max()
    }

    pub fn project(&self, overrides: &AreaOverrides, now: DateTime<Utc>) -> Projection {
        let deadlines = self.deadlines(overrides, now);
        let mut open: Vec<OpenDeadline> = deadlines
            .iter()
            .filter(|d| matches!(d.state, DeadlineState::Due | DeadlineState::Overdue))
            // The board is one summary for every reader: a clock that reveals a safeguarding
            // track (tipping off) is shown only in the case detail, to those allowed.
            .filter(|d| !d.restricted)
            // The family contact has its own column, and is overdue for key workers only.
            .filter(|d| d.rule_id != deadline::FAMILY_CONTACT)
            .filter_map(|d| {
                d.due_at.map(|due_at| OpenDeadline {
                    rule_id: d.rule_id.clone(),
                    title: d.title.clone(),
                    due_at,
                    hard: d.hard,
                })
            })
            .collect();
        open.sort_by_key(|d| d.due_at);
        if !self.case.stage.is_active() {
            // A closed JAR has nothing more due: the board neither counts nor sorts it by a
            // deadline (it comes after every open case, also in the list's pages). The case
            // screen still lists every deadline, met or missed.
            open.clear();
        }
        let next_due_at = open.first().map(|d| d.due_at);
        let family_contact_due = deadlines
            .iter()
            .filter(|_| self.case.stage.is_active())
            .find(|d| {
                d.rule_id == deadline::FAMILY_CONTACT
                    && matches!(d.state, DeadlineState::Due | DeadlineState::Overdue)
            })
            .and_then(|d| d.due_at);
        let progress = self.progress();
        let c = &self.case;
        let summary = CaseSummary {
            reference: c.reference.clone(),
            area: c.area.clone(),
            category: c.category,
            stage: c.stage,
            age_months: c.age_months,
            notified_at: c.times.notified_at,
            open_deadlines: open,
            progress,
            last_family_contact: self.last_family_contact(),
            family_contact_due,
            flags: c.flags.clone(),
            assigned_to_me: false,
            version: c.version,
        };
        Projection {
            stage: c.stage,
            deadlines,
            progress,
            summary,
            next_due_at,
            family_contact_due,
        }
    }
}
