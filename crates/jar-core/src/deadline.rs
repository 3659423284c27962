//! Deadlines as data: each rule names an anchor, an offset, whether it is hard, its source,
//! and what meets it. `compute` turns a case and `now` into every deadline with its state.
//!
//! Everything is computed on UTC instants: "8 hours after death" is eight real hours, across a
//! clock change too. Only the display converts to UK local time.

use crate::case::{Case, PresentingCategory};
use crate::checklist::ItemState;
use crate::role::Agency;
use crate::timeline::{self, EventKind, TimelineEvent};
use chrono::Duration;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// What a deadline counts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case", tag = "type", content = "event")]
pub enum Anchor {
    /// Death confirmed (else found, else notified: the best-known time of death).
    Death,
    /// The JAR notification in jarterm.
    Notification,
    /// The first (uncorrected) timeline event of a kind; not started until it is recorded.
    Event(EventKind),
}

/// What meets a deadline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case", tag = "type", content = "value")]
pub enum MetBy {
    Event(EventKind),
    /// A checklist item closed (done, not applicable or unable), by item id.
    ChecklistItem(String),
    /// Any contact with the family logged by the key worker.
    FamilyContact,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeadlineRule {
    pub id: String,
    pub title: String,
    pub anchor: Anchor,
    pub offset_minutes: i64,
    pub hard: bool,
    pub met_by: MetBy,
    pub owners: Vec<Agency>,
    /// Presenting categories the rule applies to; empty means all.
    #[serde(default)]
    pub applies_to: Vec<PresentingCategory>,
    /// Where the default comes from, so people can check it.
    pub source: String,
}

/// Per-area changes to the defaults (set in the server's config).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleOverride {
    pub offset_minutes: Option<i64>,
    pub hard: Option<bool>,
    #[serde(default)]
    pub disabled: bool,
}

/// Area name → rule id → override.
pub type AreaOverrides = BTreeMap<String, BTreeMap<String, RuleOverride>>;

/// `when` is (anchor, hours after it, hard?): the timing of a rule reads as one unit.
fn rule(
    id: &str,
    title: &str,
    when: (Anchor, i64, bool),
    met_by: MetBy,
    owners: &[Agency],
    source: &str,
) -> DeadlineRule {
    let (anchor, hours, hard) = when;
    DeadlineRule {
        id: id.into(),
        title: title.into(),
        anchor,
        offset_minutes: hours * 60,
        hard,
        met_by,
        owners: owners.to_vec(),
        applies_to: Vec::new(),
        source: source.into(),
    }
}

/// The national defaults (domain.md section 4). Areas override them, they never edit them.
pub fn default_rules() -> Vec<DeadlineRule> {
    use Agency::*;
    use Anchor::*;
    use EventKind as E;
    let mut npa = rule(
        "npa_window",
        "Nasopharyngeal aspirate window",
        (Death, 8, true),
        MetBy::ChecklistItem("SUDI-B05".into()),
        &[Health],
        "RCEM SUDIC protocol: NPA only under 8 h after death",
    );
    npa.applies_to = vec![PresentingCategory::Sudi, PresentingCategory::Sudic];
    vec![
        rule(
            "police_informed",
            "Police informed",
            (Death, 1, false),
            MetBy::Event(E::PoliceInformed),
            &[Health],
            "Local procedures: police told when resuscitation stops",
        ),
        rule(
            "ed_response",
            "ED response completed",
            (Notification, 4, false),
            MetBy::Event(E::EdResponseCompleted),
            &[Health, Police],
            "Local procedures: first 2-4 h",
        ),
        rule(
            "coroner_informed",
            "Coroner informed",
            (Death, 4, false),
            MetBy::Event(E::CoronerInformed),
            &[Health],
            "Local procedures: as soon as possible, within the first hours",
        ),
        rule(
            "social_care_informed",
            "Social care informed",
            (Death, 4, false),
            MetBy::Event(E::SocialCareInformed),
            &[Health],
            "Local procedures: within the first hours",
        ),
        npa,
        rule(
            "designated_doctor_informed",
            "Designated doctor informed",
            (Notification, 24, false),
            MetBy::Event(E::DesignatedDoctorInformed),
            &[Health],
            "Local procedures: next working day",
        ),
        rule(
            "home_visit",
            "Joint home visit",
            (Notification, 24, false),
            MetBy::Event(E::HomeVisitDone),
            &[Police, Health],
            "Local procedures: within 24 h (working hours) or next working day",
        ),
        rule(
            "cdop_notified",
            "CDOP notified",
            (Notification, 24, false),
            MetBy::Event(E::CdopNotified),
            &[Health, CdrOffice],
            "Local procedures: notification within 24 h",
        ),
        rule(
            "information_sharing",
            "Information-sharing discussion",
            (Notification, 48, false),
            MetBy::Event(E::InformationSharingHeld),
            &[Health, Police, SocialCare],
            "Statutory guidance via local procedures: before the family leaves ED, 48 h at most",
        ),
        rule(
            "key_worker_first_contact",
            "Key worker first contact",
            (Notification, 48, false),
            MetBy::FamilyContact,
            &[KeyWorker],
            "NIHR toolkit / Child Bereavement UK: within 24-48 h",
        ),
        rule(
            "post_pm_discussion",
            "Post-PM discussion",
            (Notification, 7 * 24, false),
            MetBy::Event(E::PostPmDiscussionHeld),
            &[CdrOffice, Health],
            "Local procedures: about one week",
        ),
        rule(
            "cdrm",
            "Child death review meeting",
            (Notification, 12 * 7 * 24, false),
            MetBy::Event(E::CdrmHeld),
            &[CdrOffice],
            "Local procedures: usually 8-12 weeks",
        ),
    ]
}

/// The rules in force for an area: defaults with that area's overrides applied.
pub fn rules_for_area(area: &str, overrides: &AreaOverrides) -> Vec<DeadlineRule> {
    let mut rules = default_rules();
    if let Some(area_overrides) = overrides.get(area) {
        rules.retain(|r| !area_overrides.get(&r.id).is_some_and(|o| o.disabled));
        for r in &mut rules {
            if let Some(o) = area_overrides.get(&r.id) {
                r.offset_minutes = o.offset_minutes.unwrap_or(r.offset_minutes);
                r.hard = o.hard.unwrap_or(r.hard);
            }
        }
    }
    rules
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineState {
    /// Done at `met_at`.
    Met,
    /// Not yet done, due in the future.
    Due,
    /// Not done, past its due time.
    Overdue,
    /// Its anchor has not happened yet, so no due time.
    NotStarted,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Deadline {
    pub rule_id: String,
    pub title: String,
    pub hard: bool,
    pub owners: Vec<Agency>,
    pub due_at: Option<DateTime<Utc>>,
    pub state: DeadlineState,
    pub met_at: Option<DateTime<Utc>>,
    /// In words: what would meet it, or what it waits for.
    pub waits_on: String,
    pub source: String,
}

/// What `compute` needs to know about a case beyond the case record itself.
pub struct CaseFacts<'a> {
    pub case: &'a Case,
    pub events: &'a [TimelineEvent],
    /// Item states of every checklist started on the case.
    pub items: &'a [ItemState],
    pub first_family_contact: Option<DateTime<Utc>>,
}

fn anchor_time(anchor: Anchor, facts: &CaseFacts<'_>) -> Option<DateTime<Utc>> {
    match anchor {
        Anchor::Death => Some(facts.case.times.death_anchor()),
        Anchor::Notification => Some(facts.case.times.notified_at),
        Anchor::Event(kind) => timeline::first_of(facts.events, kind),
    }
}

fn met_time(met_by: &MetBy, facts: &CaseFacts<'_>) -> Option<DateTime<Utc>> {
    match met_by {
        MetBy::Event(kind) => timeline::first_of(facts.events, *kind),
        MetBy::ChecklistItem(id) => facts
            .items
            .iter()
            .find(|s| &s.item_id == id && s.status.is_closed())
            .map(|s| s.updated_at.unwrap_or(facts.case.times.notified_at)),
        MetBy::FamilyContact => facts.first_family_contact,
    }
}

fn describe(met_by: &MetBy) -> String {
    match met_by {
        MetBy::Event(kind) => format!("timeline: {}", kind.label()),
        MetBy::ChecklistItem(id) => format!("checklist item {id}"),
        MetBy::FamilyContact => "a contact with the family".to_string(),
    }
}

/// Every deadline of a case at `now`, most urgent first: overdue hard, overdue, due soonest,
/// not started, met.
pub fn compute(facts: &CaseFacts<'_>, rules: &[DeadlineRule], now: DateTime<Utc>) -> Vec<Deadline> {
    let mut out: Vec<Deadline> = rules
        .iter()
        .filter(|r| r.applies_to.is_empty() || r.applies_to.contains(&facts.case.category))
        .map(|r| {
            let due_at =
                anchor_time(r.anchor, facts).map(|a| a + Duration::minutes(r.offset_minutes));
            let met_at = met_time(&r.met_by, facts);
            let state = match (met_at, due_at) {
                (Some(_), _) => DeadlineState::Met,
                (None, None) => DeadlineState::NotStarted,
                (None, Some(d)) if d < now => DeadlineState::Overdue,
                (None, Some(_)) => DeadlineState::Due,
            };
            let waits_on = match (state, r.anchor) {
                (DeadlineState::NotStarted, Anchor::Event(kind)) => {
                    format!("waits for: {}", kind.label())
                }
                _ => describe(&r.met_by),
            };
            Deadline {
                rule_id: r.id.clone(),
                title: r.title.clone(),
                hard: r.hard,
                owners: r.owners.clone(),
                due_at,
                state,
                met_at,
                waits_on,
                source: r.source.clone(),
            }
        })
        .collect();
    out.sort_by_key(urgency_key);
    out
}

/// Sort key: lower is more urgent.
pub fn urgency_key(d: &Deadline) -> (u8, Option<DateTime<Utc>>) {
    let rank = match (d.state, d.hard) {
        (DeadlineState::Overdue, true) => 0,
        (DeadlineState::Overdue, false) => 1,
        (DeadlineState::Due, _) => 2,
        (DeadlineState::NotStarted, _) => 3,
        (DeadlineState::Met, _) => 4,
    };
    (rank, d.due_at)
}

/// The deadline that matters most now: the first that is not met and has a due time.
pub fn next_open(deadlines: &[Deadline]) -> Option<&Deadline> {
    deadlines
        .iter()
        .find(|d| matches!(d.state, DeadlineState::Due | DeadlineState::Overdue))
}
