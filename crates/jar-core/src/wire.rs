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
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{
    AdditionalProperties, KnownFormat, ObjectBuilder, OneOfBuilder, Schema, SchemaFormat,
    SchemaType, Type,
};

pub const API_PREFIX: &str = "/api/v1";
pub const DEFAULT_PORT: u16 = 8471;

/// RFC 9457 problem details: the body of every error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Problem {
    /// Stable identifier, e.g. `https://jarterm.invalid/problems/stale`.
    #[serde(rename = "type")]
    #[schema(format = "uri")]
    pub kind: String,
    pub title: String,
    /// The HTTP status of the response, repeated.
    #[schema(minimum = 400, maximum = 599)]
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
    #[schema(schema_with = crate::text::schema::sign_in_username)]
    pub username: String,
    #[schema(schema_with = crate::text::schema::sign_in_password)]
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
    /// The key worker's next planned contact, while it is not met (the FAMILY column;
    /// issue 16 §1). Not among `open_deadlines`: it counts as overdue for key workers only.
    #[serde(default)]
    pub family_contact_due: Option<DateTime<Utc>>,
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
    /// One of the areas the notifier works in.
    #[schema(schema_with = crate::text::schema::required_line)]
    pub area: String,
    /// Age in whole months: under 18 years (`jar_core::plausibility::MAX_AGE_MONTHS`).
    #[schema(minimum = 0, maximum = 215)]
    #[serde(deserialize_with = "integral::u16")]
    pub age_months: u16,
    pub sex: Sex,
    pub place_of_death: PlaceOfDeath,
    pub category: PresentingCategory,
    pub times: NewCaseTimes,
    /// At least one criterion.
    #[schema(min_items = 1)]
    pub criteria: Vec<JarCriterion>,
    /// Who decided the JAR criteria apply (a name or role as said on the call).
    #[schema(schema_with = crate::text::schema::required_line)]
    pub decided_by: String,
    #[serde(default)]
    #[schema(schema_with = crate::text::schema::note)]
    pub rationale: String,
    /// Identifying details if known now; stored apart and only revealed with a reason.
    /// Boxed: most of a notification's size, and often absent.
    #[serde(default)]
    pub identity: Option<Box<Identity>>,
    /// Possible duplicates the notifier has looked at and says are a different death
    /// (issue 15 §3); without it a likely duplicate is answered 409 with the candidates.
    #[serde(default)]
    #[schema(schema_with = crate::text::schema::case_refs)]
    pub not_a_duplicate_of: Vec<CaseRef>,
}

impl NewCase {
    pub fn validate(&self) -> Result<(), TextError> {
        text::check_required("area", &self.area, caps::SHORT)?;
        text::check_line("area", &self.area, caps::SHORT)?;
        text::check_required("decided_by", &self.decided_by, caps::SHORT)?;
        text::check_line("decided_by", &self.decided_by, caps::SHORT)?;
        text::check("rationale", &self.rationale, caps::NOTE)?;
        if self.criteria.is_empty() {
            return Err(TextError::Empty { field: "criteria" });
        }
        if let Some(id) = &self.identity {
            crate::identity::validate(id)?;
        }
        if self.not_a_duplicate_of.len() > caps::LIST_ITEMS {
            return Err(TextError::TooMany {
                field: "not_a_duplicate_of",
                cap: caps::LIST_ITEMS,
            });
        }
        // Each a case reference: they are kept in the audit detail, and a NUL there was a 500
        // on PostgreSQL (schemathesis).
        if !self
            .not_a_duplicate_of
            .iter()
            .all(|r| crate::case::is_case_ref(r))
        {
            return Err(TextError::Invalid {
                field: "not_a_duplicate_of",
                why: "must list case references such as JAR-2026-0042",
            });
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
    #[schema(min_items = 1)]
    pub criteria: Vec<JarCriterion>,
    #[schema(schema_with = crate::text::schema::required_line)]
    pub decided_by: String,
    #[serde(default)]
    #[schema(schema_with = crate::text::schema::note)]
    pub rationale: String,
}

/// `PATCH /cases/{ref}`: only the fields present change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CasePatch {
    /// A corrected presenting category (issue 14 §1). Checklists already started stay.
    #[serde(default)]
    pub category: Option<PresentingCategory>,
    /// The key times of the death as corrected: all three are replaced (an absent one becomes
    /// "not known"). Every deadline recomputes from them.
    #[serde(default)]
    pub times: Option<NewCaseTimes>,
    pub people: Option<Assignments>,
    pub flags: Option<Flags>,
    pub criteria: Option<CriteriaPatch>,
    #[schema(schema_with = crate::text::schema::note_or_null)]
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
            text::check_line("decided_by", &c.decided_by, caps::SHORT)?;
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
    /// Why the identity is needed, in words (it is kept in the audit log).
    #[schema(schema_with = crate::text::schema::reveal_reason)]
    pub reason: String,
}

impl RevealRequest {
    pub fn validate(&self) -> Result<(), TextError> {
        text::check_required("reason", &self.reason, caps::REASON)?;
        text::check_line("reason", &self.reason, caps::REASON)?;
        text::check_min(
            "reason",
            &self.reason,
            text::mins::REVEAL_REASON,
            text::mins::REVEAL_REASON_WHY,
        )?;
        if text::one_repeated_character(&self.reason) {
            return Err(TextError::Invalid {
                field: "reason",
                why: "must say why in words, not one character repeated (it is audited)",
            });
        }
        Ok(())
    }
}

/// The schema is written out (see the `PartialSchema` impl below) because one rule joins two
/// fields: a correction needs a note and the event it corrects, and only a correction may name one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewTimelineEvent {
    pub kind: EventKind,
    /// Defaults to the time the server receives it.
    #[serde(default)]
    pub occurred_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub note: String,
    /// Required for a correction: the event it corrects.
    #[serde(default, deserialize_with = "integral::option_i64")]
    pub corrects: Option<i64>,
}

impl NewTimelineEvent {
    pub fn validate(&self) -> Result<(), TextError> {
        text::check("note", &self.note, caps::NOTE)?;
        if self.kind.is_system() {
            return Err(TextError::Invalid {
                field: "kind",
                why: "is recorded by the server only",
            });
        }
        if self.kind == EventKind::Correction && self.note.trim().is_empty() {
            return Err(TextError::Empty { field: "note" });
        }
        Ok(())
    }
}

impl utoipa::PartialSchema for NewTimelineEvent {
    fn schema() -> RefOr<Schema> {
        let kinds = |correction: bool| {
            let names = EventKind::ALL
                .into_iter()
                .filter(move |k| (*k == EventKind::Correction) == correction)
                .map(|k| serde_json::to_value(k).unwrap_or_default());
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(names))
                .build()
        };
        let occurred_at = ObjectBuilder::new()
            .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
            .description(Some("Defaults to the time the server receives it."))
            .build();
        let ordinary = ObjectBuilder::new()
            .description(Some("Any event but a correction: `corrects` stays unset."))
            .property("kind", kinds(false))
            .required("kind")
            .property("occurred_at", occurred_at.clone())
            .property("note", text::schema::note())
            .property(
                "corrects",
                ObjectBuilder::new().schema_type(Type::Null).build(),
            )
            .additional_properties(Some(AdditionalProperties::FreeForm(false)));
        let correction = ObjectBuilder::new()
            .description(Some(
                "A correction: a note that is not blank, and the id of the event of this case it corrects.",
            ))
            .property("kind", kinds(true))
            .required("kind")
            .property("occurred_at", occurred_at)
            .property(
                "note",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .pattern(Some(text::patterns::REQUIRED_TEXT))
                    .min_length(Some(1))
                    .max_length(Some(caps::NOTE)),
            )
            .required("note")
            .property(
                "corrects",
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
                    .minimum(Some(1)),
            )
            .required("corrects")
            .additional_properties(Some(AdditionalProperties::FreeForm(false)));
        OneOfBuilder::new()
            .item(ordinary)
            .item(correction)
            .description(Some(
                "A new timeline event (`POST /cases/{reference}/timeline`).",
            ))
            .into()
    }
}

impl ToSchema for NewTimelineEvent {}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TimelineList {
    pub items: Vec<TimelineEvent>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartChecklist {
    /// The id of a built-in template (`GET /templates`).
    #[schema(schema_with = crate::checklist::template_id_schema)]
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

/// `PUT .../items/{item}` with `If-Match: "<item version>"`. The schema is written out (below)
/// because `unable` needs a note saying why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemUpdate {
    pub status: ItemStatus,
    #[serde(default)]
    pub note: String,
    /// For an item marked done: when the step was done; for a timed sample, when the sample was
    /// taken (issue 14 §2), which its window is judged by. Refused with any status but done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taken_at: Option<DateTime<Utc>>,
}

impl ItemUpdate {
    /// A status and note, with no sample time.
    pub fn new(status: ItemStatus, note: impl Into<String>) -> ItemUpdate {
        ItemUpdate {
            status,
            note: note.into(),
            taken_at: None,
        }
    }

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
        if self.taken_at.is_some() && self.status != ItemStatus::Done {
            return Err(TextError::Empty {
                field: "taken_at (only a sample marked done has a time taken)",
            });
        }
        Ok(())
    }
}

impl utoipa::PartialSchema for ItemUpdate {
    fn schema() -> RefOr<Schema> {
        let statuses = |pick: &[ItemStatus]| {
            let names = pick
                .iter()
                .map(|s| serde_json::to_value(s).unwrap_or_default())
                .collect::<Vec<_>>();
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(names))
                .build()
        };
        let taken_at = ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
                Type::String,
                Type::Null,
            ]))
            .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                utoipa::openapi::KnownFormat::DateTime,
            )))
            .description(Some(
                "when the step was done (a sample: when it was taken), not when it was ticked",
            ));
        // Done may say when a sample was taken; open and n/a may not.
        let done = ObjectBuilder::new()
            .property("status", statuses(&[ItemStatus::Done]))
            .required("status")
            .property("note", text::schema::note())
            .property("taken_at", taken_at)
            .additional_properties(Some(AdditionalProperties::FreeForm(false)));
        let other = ObjectBuilder::new()
            .property(
                "status",
                statuses(&[ItemStatus::Open, ItemStatus::NotApplicable]),
            )
            .required("status")
            .property("note", text::schema::note())
            .additional_properties(Some(AdditionalProperties::FreeForm(false)));
        let unable = ObjectBuilder::new()
            .description(Some(
                "`unable` and `deferred_to_post_mortem` need a note saying why.",
            ))
            .property(
                "status",
                statuses(&[ItemStatus::Unable, ItemStatus::DeferredToPostMortem]),
            )
            .required("status")
            .property(
                "note",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .pattern(Some(text::patterns::REQUIRED_TEXT))
                    .min_length(Some(1))
                    .max_length(Some(caps::NOTE)),
            )
            .required("note")
            .additional_properties(Some(AdditionalProperties::FreeForm(false)));
        OneOfBuilder::new()
            .item(done)
            .item(other)
            .item(unable)
            .into()
    }
}

impl ToSchema for ItemUpdate {}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ContactList {
    pub items: Vec<Contact>,
    /// The bereavement services of the case's area, those suggested for its presenting
    /// category first (the contact form's choices; issue 16 §1).
    #[serde(default)]
    pub catalogue: crate::support::Catalogue,
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
    /// `None` for a refused sign-in under a username nobody has (the username is then hashed).
    pub role: Option<Role>,
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

/// A new one-time password, shown once to the manager who reset it (issue 17 §2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct OneTimePassword {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    #[schema(schema_with = crate::text::schema::username)]
    pub username: String,
    #[schema(schema_with = crate::text::schema::password)]
    pub password: String,
    pub role: Role,
    #[schema(schema_with = crate::text::schema::areas)]
    pub areas: Vec<String>,
}

impl NewUser {
    pub fn validate(&self) -> Result<(), TextError> {
        text::check_required("username", &self.username, 64)?;
        text::check_line("username", &self.username, 64)?;
        check_password(&self.password)?;
        if self.areas.is_empty() {
            return Err(TextError::Empty { field: "areas" });
        }
        text::check_list("areas", &self.areas, caps::SHORT)
    }
}

/// A new password: at least [`text::mins::PASSWORD`] characters (NCSC guidance), one line, no
/// control characters. The API (`POST /users`) and `jarterm-server user add` both ask it.
pub fn check_password(password: &str) -> Result<(), TextError> {
    text::check_line("password", password, caps::SHORT)?;
    text::check_min(
        "password",
        password,
        text::mins::PASSWORD,
        text::mins::PASSWORD_WHY,
    )
}

impl LoginRequest {
    /// Sign-in text is checked before it reaches the database (a NUL byte breaks PostgreSQL):
    /// the username is one line without control characters; the password only has a cap.
    pub fn validate(&self) -> Result<(), TextError> {
        text::check_line("username", &self.username, caps::SHORT)?;
        if self.password.chars().count() > caps::SHORT {
            return Err(TextError::TooLong {
                field: "password",
                cap: caps::SHORT,
            });
        }
        Ok(())
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
    /// A handover was sent (`item`: its id); issue 17 §1.
    HandoverSent,
    /// A handover case was acknowledged (`item`: the handover id).
    HandoverAcknowledged,
    /// A family question raised or moved on (`item`: its id); issue 16 §2. Who may read the
    /// question itself is checked again on the read.
    FamilyQuestionChanged,
    /// The review track changed (post-mortem, inquest, proceedings, CDRM, feedback).
    ReviewUpdated,
    /// A professional involved added, or their agency report requested/chased/returned.
    InvolvementChanged,
}

impl ChangeKind {
    /// Whether a subscriber with this role may hear of the change at all.
    pub fn visible_to(self, role: Role) -> bool {
        match self {
            ChangeKind::ContactAdded | ChangeKind::ContactAmended => {
                crate::permissions::allows(role, crate::permissions::Permission::ReadContacts)
            }
            // Only the on-call rota and managers take part in handovers; the event carries
            // the handover id, and reading it is checked again (`may_read_handover`).
            ChangeKind::HandoverSent | ChangeKind::HandoverAcknowledged => {
                matches!(role, Role::Paediatrician | Role::Manager)
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

/// Integers in request bodies as JSON Schema reads them: by value, so `7.0` (or `7e0`) is the
/// integer 7 (JSON Schema 2020-12 validation §6.1.1, the document's dialect); serde alone refuses
/// any number written with a fraction or exponent. Found by schemathesis (issue 13, §3): a
/// client generated from the document may send either spelling.
pub mod integral {
    use serde::de::{Deserialize, Deserializer, Error};

    fn whole<'de, D: Deserializer<'de>>(d: D) -> Result<i128, D::Error> {
        let n = serde_json::Number::deserialize(d)?;
        if let Some(i) = n.as_i64() {
            return Ok(i128::from(i));
        }
        if let Some(u) = n.as_u64() {
            return Ok(i128::from(u));
        }
        match n.as_f64() {
            // Exactly representable in an i64's range: the value is a whole number.
            Some(f) if f.fract() == 0.0 && f.abs() < 9.2e18 => Ok(f as i128),
            _ => Err(D::Error::custom(format!("expected an integer, found {n}"))),
        }
    }

    pub fn u16<'de, D: Deserializer<'de>>(d: D) -> Result<u16, D::Error> {
        let i = whole(d)?;
        u16::try_from(i).map_err(|_| D::Error::custom(format!("{i} is not from 0 to 65535")))
    }

    /// An optional small count (another child's age in years): `null`, absent, or 0 to 255.
    pub fn option_u8<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u8>, D::Error> {
        match Option::<serde_json::Number>::deserialize(d)? {
            None => Ok(None),
            Some(n) => {
                let i = whole(serde_json::Value::Number(n)).map_err(D::Error::custom)?;
                u8::try_from(i)
                    .map(Some)
                    .map_err(|_| D::Error::custom(format!("{i} is not from 0 to 255")))
            }
        }
    }

    pub fn option_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
        match Option::<serde_json::Number>::deserialize(d)? {
            None => Ok(None),
            Some(n) => {
                let i = whole(serde_json::Value::Number(n)).map_err(D::Error::custom)?;
                i64::try_from(i)
                    .map(Some)
                    .map_err(|_| D::Error::custom(format!("{i} is out of range")))
            }
        }
    }
}

/// Agencies as a compact string for narrow columns: `HLT+POL`.
pub fn owners_short(owners: &[Agency]) -> String {
    owners
        .iter()
        .map(|a| a.short())
        .collect::<Vec<_>>()
        .join("+")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_case(age: &str) -> Result<NewCase, serde_json::Error> {
        serde_json::from_str(&format!(
            r#"{{"area":"North Wessex","age_months":{age},"sex":"male","place_of_death":"home",
                "category":"sudi","times":{{}},"criteria":["unclear"],"decided_by":"on call"}}"#
        ))
    }

    #[test]
    fn an_integer_may_be_written_with_a_zero_fraction_as_json_schema_reads_it() {
        assert_eq!(new_case("9209").expect("plain").age_months, 9209);
        assert_eq!(new_case("9209.0").expect("zero fraction").age_months, 9209);
        assert_eq!(new_case("4e1").expect("exponent").age_months, 40);
        assert!(new_case("3.5").is_err(), "a fraction is not an integer");
        assert!(new_case("65536").is_err(), "beyond u16");
        assert!(new_case("-1").is_err(), "below zero");
        let event: NewTimelineEvent =
            serde_json::from_str(r#"{"kind":"correction","note":"wrong","corrects":4.0}"#)
                .expect("zero fraction");
        assert_eq!(event.corrects, Some(4));
        let event: NewTimelineEvent =
            serde_json::from_str(r#"{"kind":"note","corrects":null}"#).expect("null stays none");
        assert_eq!(event.corrects, None);
        assert!(
            serde_json::from_str::<NewTimelineEvent>(r#"{"kind":"note","corrects":1.5}"#).is_err()
        );
    }
}
