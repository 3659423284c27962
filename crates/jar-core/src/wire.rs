//! The API's wire types (JSON), shared by client and server. See docs/api.md.

use crate::case::{
    Assignments, Case, CaseRef, Flags, Identity, JarCriterion, PlaceOfDeath, PresentingCategory,
    Sex, Stage,
};
use crate::checklist::{ItemState, ItemStatus, Progress, Template, TemplateItem};
use crate::contact::Contact;
use crate::deadline::Deadline;
use crate::permissions::Principal;
use crate::role::{Agency, Role};
use crate::text::{self, TextError, caps};
use crate::timeline::{EventKind, TimelineEvent};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub const API_PREFIX: &str = "/api/v1";
pub const DEFAULT_PORT: u16 = 8471;

/// RFC 9457 problem details: the body of every error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Problem {
    /// Stable identifier, e.g. `https://jarterm.invalid/problems/stale`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// For 412: the current state of the resource, so the client can show both versions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current: Option<serde_json::Value>,
}

pub const PROBLEM_BASE: &str = "https://jarterm.invalid/problems/";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LoginResponse {
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub user: Principal,
}

/// A deadline still open, as carried on a case summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct OpenDeadline {
    pub rule_id: String,
    pub title: String,
    pub due_at: DateTime<Utc>,
    pub hard: bool,
}

/// One board row. Carries no names: a reference, an area and an age band only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CaseSummary {
    pub reference: CaseRef,
    pub area: String,
    pub category: PresentingCategory,
    pub stage: Stage,
    pub age_months: u16,
    pub notified_at: DateTime<Utc>,
    /// Open deadlines with a due time, soonest first.
    pub open_deadlines: Vec<OpenDeadline>,
    pub progress: Progress,
    pub last_family_contact: Option<DateTime<Utc>>,
    /// `None` for roles that may not see the parallel flags.
    pub flags: Option<Flags>,
    pub assigned_to_me: bool,
    pub version: i64,
}

impl CaseSummary {
    /// The deadline to show on the board at `now`: see [`due_rank`].
    pub fn next_deadline(&self, now: DateTime<Utc>) -> Option<&OpenDeadline> {
        self.open_deadlines
            .iter()
            .min_by_key(|d| due_rank(d.due_at, d.hard, now))
    }

    /// Sort key for the board: lower is more urgent.
    pub fn urgency(&self, now: DateTime<Utc>) -> (u8, Option<DateTime<Utc>>) {
        let next = self.next_deadline(now).map(|d| (d.due_at, d.hard));
        urgency(next, self.stage, now)
    }
}

/// Orders a case's open deadlines for the board at `now` (lowest first): overdue hard windows
/// first, then the most overdue, then the soonest. Clients that keep only due times and the
/// hard flag (the board does, to stay small) rank with this too.
pub fn due_rank(due_at: DateTime<Utc>, hard: bool, now: DateTime<Utc>) -> (bool, DateTime<Utc>) {
    (!(hard && due_at < now), due_at)
}

/// The board's sort key for a case in `stage` whose next deadline (by [`due_rank`]) is
/// `next` as `(due_at, hard)`: lower is more urgent.
pub fn urgency(
    next: Option<(DateTime<Utc>, bool)>,
    stage: Stage,
    now: DateTime<Utc>,
) -> (u8, Option<DateTime<Utc>>) {
    match next {
        Some((due, true)) if due < now => (0, Some(due)),
        Some((due, _)) if due < now => (1, Some(due)),
        Some((due, _)) => (2, Some(due)),
        None if stage.is_active() => (3, None),
        None => (4, None),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CaseList {
    pub items: Vec<CaseSummary>,
    pub next_cursor: Option<String>,
    /// The change sequence this page reflects at least. Pass it as `Last-Event-ID` to
    /// `GET /events` to hear of every change after it: list, then watch, with no gap and no
    /// second fetch (docs/api.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seq: Option<i64>,
}

/// Times given with a notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCaseTimes {
    pub last_seen_at: Option<DateTime<Utc>>,
    pub found_at: Option<DateTime<Utc>>,
    pub death_confirmed_at: Option<DateTime<Utc>>,
}

/// The notification of a death: the essentials known in the first hour.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCase {
    pub area: String,
    pub age_months: u16,
    pub sex: Sex,
    pub place_of_death: PlaceOfDeath,
    pub category: PresentingCategory,
    pub times: NewCaseTimes,
    pub criteria: Vec<JarCriterion>,
    /// Who decided the JAR criteria apply (a name or role as said on the call).
    pub decided_by: String,
    #[serde(default)]
    pub rationale: String,
    /// Identifying details if known now; stored apart and only revealed with a reason.
    #[serde(default)]
    pub identity: Option<Identity>,
}

impl NewCase {
    pub fn validate(&self) -> Result<(), TextError> {
        text::check_required("area", &self.area, caps::SHORT)?;
        text::check_line("area", &self.area, caps::SHORT)?;
        text::check_required("decided_by", &self.decided_by, caps::SHORT)?;
        text::check("rationale", &self.rationale, caps::NOTE)?;
        if self.criteria.is_empty() {
            return Err(TextError::Empty { field: "criteria" });
        }
        if let Some(id) = &self.identity {
            text::check_line("child_name", &id.child_name, caps::SHORT)?;
            text::check_line("nhs_number", &id.nhs_number, 20)?;
            text::check("address", &id.address, caps::REASON)?;
            if id.family.len() > caps::LIST_ITEMS {
                return Err(TextError::TooMany {
                    field: "family",
                    cap: caps::LIST_ITEMS,
                });
            }
            for m in &id.family {
                text::check_line("family.relationship", &m.relationship, caps::SHORT)?;
                text::check_line("family.name", &m.name, caps::SHORT)?;
                text::check_line("family.phone", &m.phone, caps::SHORT)?;
                text::check("family.preferences", &m.preferences, caps::REASON)?;
            }
        }
        Ok(())
    }
}

/// The case as one person may see it, with everything computed for the Summary tab.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CaseDetail {
    pub case: Case,
    pub deadlines: Vec<Deadline>,
    pub progress: Progress,
    /// Template ids of the checklists started on this case.
    pub checklists: Vec<String>,
    pub timeline_count: u32,
    /// `None` for roles that may not read the contact log.
    pub contact_count: Option<u32>,
    pub last_family_contact: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CriteriaPatch {
    pub criteria: Vec<JarCriterion>,
    pub decided_by: String,
    #[serde(default)]
    pub rationale: String,
}

/// `PATCH /cases/{ref}`: only the fields present change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CasePatch {
    pub people: Option<Assignments>,
    pub flags: Option<Flags>,
    pub criteria: Option<CriteriaPatch>,
    pub investigation_note: Option<String>,
}

impl CasePatch {
    pub fn validate(&self) -> Result<(), TextError> {
        if let Some(p) = &self.people {
            for v in [
                &p.lead_paediatrician,
                &p.police_lead,
                &p.social_worker,
                &p.key_worker,
            ]
            .into_iter()
            .flatten()
            {
                text::check_line("people", v, caps::SHORT)?;
            }
        }
        if let Some(c) = &self.criteria {
            text::check_required("decided_by", &c.decided_by, caps::SHORT)?;
            text::check("rationale", &c.rationale, caps::NOTE)?;
            if c.criteria.is_empty() {
                return Err(TextError::Empty { field: "criteria" });
            }
        }
        if let Some(n) = &self.investigation_note {
            text::check("investigation_note", n, caps::NOTE)?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevealRequest {
    pub reason: String,
}

impl RevealRequest {
    pub fn validate(&self) -> Result<(), TextError> {
        text::check_required("reason", &self.reason, caps::REASON)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTimelineEvent {
    pub kind: EventKind,
    /// Defaults to the time the server receives it.
    #[serde(default)]
    pub occurred_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub note: String,
    /// Required for a correction: the event it corrects.
    #[serde(default)]
    pub corrects: Option<i64>,
}

impl NewTimelineEvent {
    pub fn validate(&self) -> Result<(), TextError> {
        text::check("note", &self.note, caps::NOTE)?;
        if self.kind == EventKind::Correction && self.note.trim().is_empty() {
            return Err(TextError::Empty { field: "note" });
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TimelineList {
    pub items: Vec<TimelineEvent>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartChecklist {
    pub template: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ChecklistItemView {
    pub item: TemplateItem,
    pub state: ItemState,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ChecklistView {
    pub template: String,
    pub version: u32,
    pub title: String,
    pub items: Vec<ChecklistItemView>,
    pub progress: Progress,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ChecklistList {
    pub checklists: Vec<ChecklistView>,
}

/// `PUT .../items/{item}` with `If-Match: "<item version>"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemUpdate {
    pub status: ItemStatus,
    #[serde(default)]
    pub note: String,
}

impl ItemUpdate {
    pub fn validate(&self) -> Result<(), TextError> {
        text::check("note", &self.note, caps::NOTE)?;
        if self.status == ItemStatus::Unable && self.note.trim().is_empty() {
            return Err(TextError::Empty {
                field: "note (a reason is needed for 'unable')",
            });
        }
        if self.status == ItemStatus::DeferredToPostMortem && self.note.trim().is_empty() {
            return Err(TextError::Empty {
                field: "note (say what the pathologist is to take)",
            });
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ContactList {
    pub items: Vec<Contact>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TemplateList {
    pub templates: Vec<Template>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub username: String,
    pub role: Role,
    /// e.g. `case.create`, `identity.reveal`, `contacts.read`.
    pub action: String,
    pub case_ref: Option<CaseRef>,
    /// What was done, without personal data (ids, fields, the reveal reason).
    pub detail: String,
    /// The peer address the request came from.
    pub remote: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AuditList {
    pub items: Vec<AuditEntry>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct UserSummary {
    pub username: String,
    pub role: Role,
    pub areas: Vec<String>,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct UserList {
    pub items: Vec<UserSummary>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    pub username: String,
    pub password: String,
    pub role: Role,
    pub areas: Vec<String>,
}

impl NewUser {
    pub fn validate(&self) -> Result<(), TextError> {
        text::check_required("username", &self.username, 64)?;
        text::check_line("username", &self.username, 64)?;
        if self.password.chars().count() < 4 {
            return Err(TextError::Empty {
                field: "password (at least 4 characters)",
            });
        }
        text::check("password", &self.password, caps::SHORT)?;
        if self.areas.is_empty() {
            return Err(TextError::Empty { field: "areas" });
        }
        text::check_list("areas", &self.areas, caps::SHORT)
    }
}

/// What changed, as sent on `GET /events` (SSE `data:`; the SSE `id:` is `seq`).
/// It carries ids and versions only: the client refetches what it shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ChangeEvent {
    pub seq: i64,
    pub kind: ChangeKind,
    pub case_ref: Option<CaseRef>,
    pub area: Option<String>,
    pub category: Option<PresentingCategory>,
    pub version: Option<i64>,
    /// For checklist changes: `template/item`; for contacts: the contact id.
    pub item: Option<String>,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    CaseCreated,
    CaseUpdated,
    TimelineAdded,
    ChecklistStarted,
    ChecklistItemUpdated,
    ContactAdded,
    ContactAmended,
}

impl ChangeKind {
    /// Whether a subscriber with this role may hear of the change at all.
    pub fn visible_to(self, role: Role) -> bool {
        match self {
            ChangeKind::ContactAdded | ChangeKind::ContactAmended => {
                crate::permissions::allows(role, crate::permissions::Permission::ReadContacts)
            }
            _ => true,
        }
    }
}

/// Health answers for `/healthz` and `/readyz`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Health {
    pub status: String,
}

/// Agencies as a compact string for narrow columns: `HLT+POL`.
pub fn owners_short(owners: &[Agency]) -> String {
    owners
        .iter()
        .map(|a| a.short())
        .collect::<Vec<_>>()
        .join("+")
}
