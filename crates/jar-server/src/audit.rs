//! The audit trail lives in `store::audit` (append-only table) and is written inside the same
//! transaction as the change it records; this module names the actions in one place.

/// Every action written to the audit table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    SessionCreate,
    /// A refused sign-in (wrong password, unknown or disabled user, invalid username); issue
    /// 13 §2. Throttled attempts (429) are not written: they cost an attacker nothing.
    SessionFail,
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
    /// A manager set a new one-time password (issue 17 §2).
    UserPasswordReset,
    /// A handover sent: one row per case, like a timeline note (issue 17 §1).
    HandoverSend,
    /// A handover case acknowledged by the incoming person.
    HandoverAck,
    /// Identity added or corrected: the names of the changed fields, never values (issue 15 §1).
    IdentityCorrect,
    /// The key worker read the family's contact details (issue 15 §1).
    FamilyContactsRead,
    CaseAssign,
    CaseWithdraw,
    /// Two cases linked as one death: written on both (issue 15 §3).
    CaseDuplicate,
    CoverSet,
    /// A key worker's cover ended early (issue 15 §4, issue 17 §2).
    CoverEnd,
    /// The notification export, with the count of records (issue 15 §2).
    NotificationExport,
    /// A deadline marked not applicable for a case, with the reason (issue 14 §2).
    DeadlineNotApplicable,
    /// A not-applicable mark taken back: the deadline counts again.
    DeadlineReinstated,
    /// A closed checklist item set back to open (issue 14 §3: reopening is audited as such).
    ChecklistReopen,
    /// Issue 16 §2: the family-question register read (a count, never the text).
    QuestionsRead,
    QuestionRaise,
    QuestionAdvance,
    /// Issue 16 §4: the review track changed (the names of the changed parts).
    ReviewUpdate,
    InvolvementAdd,
    ReportStep,
}

impl Action {
    pub const ALL: [Action; 34] = [
        Action::SessionCreate,
        Action::SessionFail,
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
        Action::UserPasswordReset,
        Action::HandoverSend,
        Action::HandoverAck,
        Action::IdentityCorrect,
        Action::FamilyContactsRead,
        Action::CaseAssign,
        Action::CaseWithdraw,
        Action::CaseDuplicate,
        Action::CoverSet,
        Action::NotificationExport,
        Action::DeadlineNotApplicable,
        Action::DeadlineReinstated,
        Action::ChecklistReopen,
        Action::CoverEnd,
        Action::QuestionsRead,
        Action::QuestionRaise,
        Action::QuestionAdvance,
        Action::ReviewUpdate,
        Action::InvolvementAdd,
        Action::ReportStep,
    ];

    /// The string stored in the `action` column and returned by `GET /audit`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Action::SessionCreate => "session.create",
            Action::SessionFail => "session.fail",
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
            Action::UserPasswordReset => "user.password_reset",
            Action::HandoverSend => "handover.send",
            Action::HandoverAck => "handover.ack",
            Action::IdentityCorrect => "identity.correct",
            Action::FamilyContactsRead => "identity.family_contacts",
            Action::CaseAssign => "case.assign",
            Action::CaseWithdraw => "case.withdraw",
            Action::CaseDuplicate => "case.duplicate",
            Action::CoverSet => "cover.set",
            Action::CoverEnd => "cover.end",
            Action::NotificationExport => "export.notifications",
            Action::DeadlineNotApplicable => "deadline.not_applicable",
            Action::DeadlineReinstated => "deadline.reinstated",
            Action::ChecklistReopen => "checklist.reopen",
            Action::QuestionsRead => "questions.read",
            Action::QuestionRaise => "questions.raise",
            Action::QuestionAdvance => "questions.advance",
            Action::ReviewUpdate => "review.update",
            Action::InvolvementAdd => "involvements.add",
            Action::ReportStep => "involvements.report",
        }
    }
}

/// Every action string written to the audit table.
pub const ACTIONS: [&str; 34] = {
    let mut out = [""; 34];
    let mut i = 0;
    while i < Action::ALL.len() {
        out[i] = Action::ALL[i].as_str();
        i += 1;
    }
    out
};
