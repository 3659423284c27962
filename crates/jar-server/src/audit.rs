//! The audit trail lives in `store::audit` (append-only table) and is written inside the same
//! transaction as the change it records; this module names the actions in one place.

/// Every action string written to the audit table.
pub const ACTIONS: [&str; 13] = [
    "session.create",
    "session.delete",
    "case.create",
    "case.update",
    "identity.reveal",
    "timeline.add",
    "checklist.start",
    "checklist.item",
    "contacts.read",
    "contacts.add",
    "contacts.amend",
    "user.add",
    "user.disable",
];
