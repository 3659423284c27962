//! The one permission matrix: who may read and write what, per resource and per field.
//!
//! The server enforces it on every request; the client uses the same table to avoid asking for
//! what a role cannot read and to explain why an item is read-only.

use crate::case::{Case, CriteriaDecision};
use crate::checklist::{ItemState, ItemStatus, TemplateItem};
use crate::deadline::Deadline;
use crate::role::Role;
use crate::timeline::{EventKind, TimelineEvent};
use crate::wire::{CasePatch, ChangeEvent};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Everything a role may or may not do, one line each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    ListCases,
    ReadCase,
    NotifyDeath,
    UpdateCase,
    RevealIdentity,
    ReadTimeline,
    WriteTimeline,
    ReadChecklistStatus,
    StartChecklist,
    /// Update an item owned by the role's own agency (any item for managers).
    UpdateOwnAgencyItem,
    UpdateAnyItem,
    ReadContacts,
    WriteContacts,
    ReadCriminalDetail,
    ReadMaltreatmentPointers,
    ReadAudit,
    ManageUsers,
    /// Send an on-call shift handover (issue 17 §1): the on-call rota is paediatricians'.
    HandOver,
    /// Raise one of the family's questions (issue 16 §2); a paediatrician only as the case's
    /// lead (`may_raise_question`).
    RaiseFamilyQuestion,
    /// Take a family question to its next step: every role answers some (its agency's);
    /// which question and which step is `may_advance_question`.
    AdvanceFamilyQuestion,
}

use Permission as P;

/// Rows: permission. Columns: paediatrician, police, social worker, key worker, manager.
/// Read it as a table; the test in `tests/permissions.rs` prints it back.
pub const MATRIX: [(Permission, [bool; 5]); 20] = [
    //                              paed   police social  keywk  mgr
    (P::ListCases, [true, true, true, true, true]),
    (P::ReadCase, [true, true, true, true, true]),
    (P::NotifyDeath, [true, true, true, false, true]),
    (P::UpdateCase, [true, true, true, false, true]),
    (P::RevealIdentity, [true, true, true, true, true]),
    (P::ReadTimeline, [true, true, true, true, true]),
    (P::WriteTimeline, [true, true, true, false, true]),
    (P::ReadChecklistStatus, [true, true, true, true, true]),
    (P::StartChecklist, [true, false, false, false, true]),
    (P::UpdateOwnAgencyItem, [true, true, true, true, true]),
    (P::UpdateAnyItem, [false, false, false, false, true]),
    (P::ReadContacts, [true, false, false, true, true]),
    (P::WriteContacts, [false, false, false, true, true]),
    (P::ReadCriminalDetail, [true, true, true, false, true]),
    (P::ReadMaltreatmentPointers, [true, true, true, false, true]),
    (P::ReadAudit, [false, false, false, false, true]),
    (P::ManageUsers, [false, false, false, false, true]),
    (P::HandOver, [true, false, false, false, false]),
    (P::RaiseFamilyQuestion, [true, false, false, true, true]),
    (P::AdvanceFamilyQuestion, [true, true, true, true, true]),
];

fn column(role: Role) -> usize {
    match role {
        Role::Paediatrician => 0,
        Role::Police => 1,
        Role::SocialWorker => 2,
        Role::KeyWorker => 3,
        Role::Manager => 4,
    }
}

/// Whether `role` holds `permission`.
pub fn allows(role: Role, permission: Permission) -> bool {
    MATRIX
        .iter()
        .find(|(p, _)| *p == permission)
        .is_some_and(|(_, cols)| cols[column(role)])
}

/// The person asking: enough to decide scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Principal {
    pub username: String,
    pub role: Role,
    pub areas: Vec<String>,
}

/// Whether a case is in this person's scope at all. Out-of-scope cases are answered with 404,
/// so that their existence is not revealed.
pub fn in_scope(who: &Principal, case: &Case) -> bool {
    in_area_scope(who, &case.area, case.people.key_worker.as_deref())
}

/// Why a person may not change a checklist item, or `None` if they may.
pub fn item_lock_reason(role: Role, item: &TemplateItem) -> Option<String> {
    if allows(role, P::UpdateAnyItem) {
        return None;
    }
    if allows(role, P::UpdateOwnAgencyItem) && item.owners.contains(&role.agency()) {
        return None;
    }
    let owners: Vec<&str> = item.owners.iter().map(|a| a.label()).collect();
    Some(format!("owned by {}", owners.join(" + ")))
}

/// Why a person may not record a timeline event of this kind, or `None` if they may: only the
/// roles whose agency owns the step ([`EventKind::owners`]), and managers for the CDR office.
/// A correction is judged by the event it corrects (`corrected`): withdrawing "CDOP review
/// completed" reopens a case, which is the CDR office's alone (issue 14 §3).
pub fn event_lock_reason(
    role: Role,
    kind: EventKind,
    corrected: Option<EventKind>,
) -> Option<String> {
    if !allows(role, P::WriteTimeline) {
        return Some("your role does not write to the timeline".to_string());
    }
    let judged = match (kind, corrected) {
        (EventKind::Correction, Some(target)) => target,
        _ => kind,
    };
    if judged.is_system() {
        return Some("recorded by the server".to_string());
    }
    if role == Role::Manager || judged.owners().contains(&role.agency()) {
        return None;
    }
    let owners: Vec<&str> = judged.owners().iter().map(|a| a.label()).collect();
    let what = if judged.closes_case() {
        "closing the case is for the CDR manager".to_string()
    } else {
        format!(
            "\"{}\" is recorded by {}",
            judged.label(),
            owners.join(" or ")
        )
    };
    Some(what)
}

/// Whether this person may read a handover from `outgoing` to `incoming` covering cases in
/// `areas`: the two people, and managers of one of those areas (issue 17 §1).
pub fn may_read_handover(
    who: &Principal,
    outgoing: &str,
    incoming: &str,
    areas: &[String],
) -> bool {
    who.username == outgoing
        || who.username == incoming
        || (who.role == Role::Manager && areas.iter().any(|a| who.areas.contains(a)))
}

/// Remove from a case what this role may not receive.
pub fn redact_case(role: Role, mut case: Case) -> Case {
    if !allows(role, P::ReadCriminalDetail) {
        case.flags = None;
        case.investigation_note = None;
        // A reason on a safeguarding clock would reveal the track (tipping off).
        case.not_applicable
            .retain(|n| !crate::deadline::is_restricted_rule(&n.rule_id));
    }
    case
}

/// Why this role may not send this case patch, or `None` if it may: the flags and the
/// investigation note are criminal detail (issue 14 §1: "by the roles allowed to see them").
pub fn patch_refusal(role: Role, patch: &CasePatch) -> Option<&'static str> {
    let criminal = patch.flags.is_some() || patch.investigation_note.is_some();
    (criminal && !allows(role, P::ReadCriminalDetail)).then_some(
        "only roles that may read criminal detail change the flags or the investigation note",
    )
}

/// Remove from an item state what this role may not receive.
pub fn redact_item(role: Role, item: &TemplateItem, mut state: ItemState) -> ItemState {
    if item.restricted && !allows(role, P::ReadMaltreatmentPointers) {
        state.note = None;
    }
    state
}

/// Remove the deadlines that would reveal a safeguarding or criminal track to a role that may
/// not read criminal detail (the Panel notification, the rapid review): tipping off.
pub fn redact_deadlines(role: Role, mut deadlines: Vec<Deadline>) -> Vec<Deadline> {
    if !allows(role, P::ReadCriminalDetail) {
        deadlines.retain(|d| !d.restricted);
    }
    deadlines
}

/// Whether this role may receive this timeline event at all.
pub fn may_see_event(role: Role, event: &TimelineEvent) -> bool {
    !event.kind.is_investigative() || allows(role, P::ReadCriminalDetail)
}

/// Whether a case in `area`, with `key_worker` assigned, is in this person's scope. The one
/// copy of the scope rule: [`in_scope`] (reads and writes) and [`may_hear_change`] (the event
/// stream) both ask it.
pub fn in_area_scope(who: &Principal, area: &str, key_worker: Option<&str>) -> bool {
    if !who.areas.iter().any(|a| a == area) {
        return false;
    }
    match who.role {
        Role::KeyWorker => key_worker == Some(who.username.as_str()),
        _ => true,
    }
}

/// Whether this person may hear of a change on `GET /events`: the same scope and field rules
/// as the reads. `key_worker` is the case's key worker when the change was made; `restricted`
/// marks investigative detail (see [`restricted_case_change`], [`restricted_timeline_change`]).
pub fn may_hear_change(
    who: &Principal,
    change: &ChangeEvent,
    key_worker: Option<&str>,
    restricted: bool,
) -> bool {
    if !change.kind.visible_to(who.role) {
        return false;
    }
    if restricted && !allows(who.role, P::ReadCriminalDetail) {
        return false;
    }
    match (&change.area, &change.case_ref) {
        (Some(area), Some(_)) => in_area_scope(who, area, key_worker),
        (Some(area), None) => who.areas.iter().any(|a| a == area),
        (None, Some(_)) => who.role != Role::KeyWorker || key_worker == Some(who.username.as_str()),
        (None, None) => true,
    }
}

/// The fields of a case that `PATCH /cases/{ref}` can change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseField {
    Category,
    Times,
    People,
    Flags,
    Criteria,
    InvestigationNote,
}

impl CaseField {
    pub fn as_str(self) -> &'static str {
        match self {
            CaseField::Category => "category",
            CaseField::Times => "times",
            CaseField::People => "people",
            CaseField::Flags => "flags",
            CaseField::Criteria => "criteria",
            CaseField::InvestigationNote => "investigation_note",
        }
    }

    /// Investigative detail: only roles with `ReadCriminalDetail` receive it (see
    /// [`redact_case`]).
    pub fn is_restricted(self) -> bool {
        matches!(self, CaseField::Flags | CaseField::InvestigationNote)
    }
}

/// Apply a patch and name the fields that really changed. A patch that changes nothing (`{}`,
/// or every field as it already is) returns no fields: no new version, no audit row, no change
/// event, as an unchanged checklist item ([`item_update_changes`]).
pub fn apply_case_patch(case: &mut Case, patch: CasePatch, now: DateTime<Utc>) -> Vec<CaseField> {
    let mut changed = Vec::new();
    if let Some(category) = patch.category
        && category != case.category
    {
        case.category = category;
        changed.push(CaseField::Category);
    }
    if let Some(t) = patch.times {
        let times = crate::case::CaseTimes {
            last_seen_at: t.last_seen_at,
            found_at: t.found_at,
            death_confirmed_at: t.death_confirmed_at,
            notified_at: case.times.notified_at,
        };
        if times != case.times {
            case.times = times;
            changed.push(CaseField::Times);
        }
    }
    if let Some(people) = patch.people
        && people != case.people
    {
        case.people = people;
        changed.push(CaseField::People);
    }
    if let Some(flags) = patch.flags
        && case.flags.as_ref() != Some(&flags)
    {
        case.flags = Some(flags);
        changed.push(CaseField::Flags);
    }
    if let Some(c) = patch.criteria {
        let same = c.criteria == case.criteria.criteria
            && c.decided_by == case.criteria.decided_by
            && c.rationale == case.criteria.rationale;
        if !same {
            case.criteria = CriteriaDecision {
                criteria: c.criteria,
                decided_by: c.decided_by,
                decided_at: now,
                rationale: c.rationale,
            };
            changed.push(CaseField::Criteria);
        }
    }
    if let Some(note) = patch.investigation_note
        && case.investigation_note.as_deref() != Some(note.as_str())
    {
        case.investigation_note = Some(note);
        changed.push(CaseField::InvestigationNote);
    }
    changed
}

/// Whether a case change is hidden from roles without `ReadCriminalDetail` on the event
/// stream: only a change made of investigative fields alone. Assignments must reach key workers.
pub fn restricted_case_change(fields: &[CaseField]) -> bool {
    !fields.is_empty() && fields.iter().all(|f| f.is_restricted())
}

/// Whether a new timeline event is hidden from roles without `ReadCriminalDetail` on the event
/// stream: an investigative event, or a correction of one.
pub fn restricted_timeline_change(kind: EventKind, corrected: Option<&TimelineEvent>) -> bool {
    kind.is_investigative() || corrected.is_some_and(|e| e.kind.is_investigative())
}

/// Whether an item update changes anything. Saving the same status and note again is not a
/// change: no new item version, no audit row, no change event.
pub fn item_update_changes(current: &ItemState, status: ItemStatus, note: &str) -> bool {
    current.status != status || current.note.as_deref().unwrap_or("") != note
}

/// Who sees the family's contact details (names of parents, phone numbers, language) on the
/// Contacts tab without a reveal: the key worker of an assigned case (issue 15 §1). Every other
/// role reads them through the audited identity reveal. Scope (the key worker's own or covered
/// cases) is checked first, as for every read.
pub fn reads_family_contacts(role: Role) -> bool {
    role == Role::KeyWorker
}

/// Who may assign people to a case: a manager, or the case's lead paediatrician (any
/// paediatrician in the area while none is assigned, so that the on-call paediatrician can
/// take the case). Source: issue 15 §4.
pub fn may_assign(who: &Principal, case: &Case) -> bool {
    match who.role {
        Role::Manager => true,
        Role::Paediatrician => case
            .people
            .lead_paediatrician
            .as_deref()
            .is_none_or(|lead| lead == who.username),
        _ => false,
    }
}

/// Who may withdraw a notification made in error: its notifier or a manager (issue 15 §3).
pub fn may_withdraw(who: &Principal, case: &Case) -> bool {
    who.role == Role::Manager || case.notified_by == who.username
}

/// Manager-only actions of issue 15: linking two cases found to be the same death, setting a
/// key worker's cover, and the notification export (clinical-model.md §9: the export is
/// special-category data for the CDOP path only).
pub fn manager_only(role: Role) -> bool {
    role == Role::Manager
}

/// Scope with cover (issue 15 §4): a key worker also sees the cases of the key workers they
/// cover now. `covering` lists those key workers' usernames (from the cover periods in force).
pub fn in_scope_covering(who: &Principal, case: &Case, covering: &[String]) -> bool {
    in_scope(who, case)
        || (who.role == Role::KeyWorker
            && who.areas.contains(&case.area)
            && case
                .people
                .key_worker
                .as_deref()
                .is_some_and(|kw| covering.iter().any(|c| c == kw)))
}

/// Who sees a family question (issue 16 §2): the case's key worker, the CDR manager and the
/// case's lead paediatrician see the whole register; police and social care see only the
/// questions their agency is asked to answer (a question about a police matter is not shown
/// to social care, and the reverse). Scope is checked first, as for every read.
pub fn may_read_question(
    who: &Principal,
    case: &Case,
    question: &crate::questions::FamilyQuestion,
) -> bool {
    use crate::role::Agency;
    match who.role {
        Role::KeyWorker | Role::Manager => true,
        Role::Paediatrician => is_lead_paediatrician(who, case),
        Role::Police => question.agency == Agency::Police,
        Role::SocialWorker => question.agency == Agency::SocialCare,
    }
}

fn is_lead_paediatrician(who: &Principal, case: &Case) -> bool {
    case.people.lead_paediatrician.as_deref() == Some(who.username.as_str())
}

/// Who may raise a family question: those who see the whole register.
pub fn may_raise_question(who: &Principal, case: &Case) -> bool {
    allows(who.role, P::RaiseFamilyQuestion)
        && (who.role != Role::Paediatrician || is_lead_paediatrician(who, case))
}

/// Who may move a question to `to`: an answer is drafted by the agency asked (health by the
/// lead paediatrician) or the CDR manager; it is answered at the meeting by the CDR manager,
/// who runs it; it is fed back by the key worker (or the manager).
pub fn may_advance_question(
    who: &Principal,
    case: &Case,
    question: &crate::questions::FamilyQuestion,
    to: crate::questions::QuestionStatus,
) -> bool {
    use crate::questions::QuestionStatus as S;
    if !may_read_question(who, case, question) {
        return false;
    }
    match to {
        S::Open => false,
        S::AnswerDrafted => {
            who.role == Role::Manager
                || (who.role.agency() == question.agency
                    && (who.role != Role::Paediatrician || is_lead_paediatrician(who, case)))
        }
        S::AnsweredAtCdrm => who.role == Role::Manager,
        S::FedBack => matches!(who.role, Role::KeyWorker | Role::Manager),
    }
}

/// Who writes each part of the review track (issue 16 §4): the post-mortem and inquest by the
/// JAR agencies that hear from the coroner (health, police, social care) and the CDR manager;
/// criminal proceedings by police and the manager only (investigative detail); the meeting by
/// the CDR manager, who convenes it; feedback to the family by the key worker or the manager.
pub fn may_write_review_section(role: Role, section: crate::review::Section) -> bool {
    use crate::review::Section as S;
    match section {
        S::PostMortem | S::Inquest => allows(role, P::UpdateCase),
        S::Proceedings => matches!(role, Role::Police | Role::Manager),
        S::Cdrm => role == Role::Manager,
        S::Feedback => matches!(role, Role::KeyWorker | Role::Manager),
    }
}

/// Remove from the review track what this role may not receive: criminal proceedings are
/// investigative (tipping off), like their timeline events.
pub fn redact_review(
    role: Role,
    mut track: crate::review::ReviewTrack,
) -> crate::review::ReviewTrack {
    if !allows(role, P::ReadCriminalDetail) {
        track.proceedings = crate::review::Proceedings::default();
    }
    track
}

/// Who adds professionals and agencies involved with the child: anyone on the case (issue 16
/// §4: named on it, or the CDR manager).
pub fn may_add_involvement(who: &Principal, case: &Case) -> bool {
    who.role == Role::Manager || case.people.includes(&who.username)
}

/// Who records that an agency's report was requested, chased or returned: the CDR office,
/// which sends the reporting forms and collates them (gov.uk "Child death reviews: forms for
/// reporting child deaths": the CDOP secretariat asks each agency).
pub fn may_record_report_step(role: Role) -> bool {
    role == Role::Manager
}
