//! The audit trail lives in `store::audit` (append-only table) and is written inside the same
//! transaction as the change it records; this module names the actions in one place.

/// Every action written to the audit table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    SessionCreate,
    SessionDelete,
    CaseCreate,
    CaseUpdate,
    IdentityReveal,
    TimelineAdd,
    ChecklistStart,
    ChecklistItem,
    ContactsRead,
    ContactsAdd,
    ContactsAmend,
    UserAdd,
    UserDisable,
}

impl Action {
    pub const ALL: [Action; 13] = [
        Action::SessionCreate,
        Action::SessionDelete,
        Action::CaseCreate,
        Action::CaseUpdate,
        Action::IdentityReveal,
        Action::TimelineAdd,
        Action::ChecklistStart,
        Action::ChecklistItem,
        Action::ContactsRead,
        Action::ContactsAdd,
        Action::ContactsAmend,
        Action::UserAdd,
        Action::UserDisable,
    ];

    /// The string stored in the `action` column and returned by `GET /audit`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Action::SessionCreate => "session.create",
            Action::SessionDelete => "session.delete",
            Action::CaseCreate => "case.create",
            Action::CaseUpdate => "case.update",
            Action::IdentityReveal => "identity.reveal",
            Action::TimelineAdd => "timeline.add",
            Action::ChecklistStart => "checklist.start",
            Action::ChecklistItem => "checklist.item",
            Action::ContactsRead => "contacts.read",
            Action::ContactsAdd => "contacts.add",
            Action::ContactsAmend => "contacts.amend",
            Action::UserAdd => "user.add",
            Action::UserDisable => "user.disable",
        }
    }
}

/// Every action string written to the audit table.
pub const ACTIONS: [&str; 13] = {
    let mut out = [""; 13];
    let mut i = 0;
    while i < Action::ALL.len() {
        out[i] = Action::ALL[i].as_str();
        i += 1;
    }
    out
};
