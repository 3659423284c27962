//! The one permission matrix: who may read and write what, per resource and per field.
//!
//! The server enforces it on every request; the client uses the same table to avoid asking for
//! what a role cannot read and to explain why an item is read-only.

use crate::case::Case;
use crate::checklist::{ItemState, TemplateItem};
use crate::deadline::Deadline;
use crate::role::Role;
use crate::timeline::TimelineEvent;
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
}

use Permission as P;

/// Rows: permission. Columns: paediatrician, police, social worker, key worker, manager.
/// Read it as a table; the test in `tests/permissions.rs` prints it back.
pub const MATRIX: [(Permission, [bool; 5]); 17] = [
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
    if !who.areas.iter().any(|a| a == &case.area) {
        return false;
    }
    match who.role {
        Role::KeyWorker => case.people.key_worker.as_deref() == Some(who.username.as_str()),
        _ => true,
    }
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

/// Remove from a case what this role may not receive.
pub fn redact_case(role: Role, mut case: Case) -> Case {
    if !allows(role, P::ReadCriminalDetail) {
        case.flags = None;
        case.investigation_note = None;
    }
    case
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
