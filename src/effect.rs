//! What `update` asks the outside world to do. The app runs each one in a task.

use crate::state::{CaseRef, PendingWrite};

#[derive(Debug, Clone)]
pub enum Effect {
    Login {
        username: String,
        password: String,
    },
    /// A token was obtained: give it to the API client and the token store.
    Authenticated {
        token: String,
    },
    Logout,
    FetchMe,
    FetchCases,
    FetchCase(CaseRef),
    FetchTimeline(CaseRef),
    FetchChecklists(CaseRef),
    FetchContacts(CaseRef),
    /// The family's questions the reader may see (issue 16 §2).
    FetchQuestions(CaseRef),
    /// The professionals involved and their agency reports (issue 16 §4).
    FetchInvolvements(CaseRef),
    /// The people who may be assigned to each place on a case (issue 15 §4).
    FetchAssignees(String),
    /// The family's contact details, for the key worker of the case (issue 15 §1).
    FetchFamilyContacts(String),
    /// My handover as drafted from the data, and who may receive it (issue 17 §1).
    FetchHandoverDraft,
    FetchHandovers,
    /// One page of the audit log (issue 17 §2).
    FetchAudit(crate::api::desk::AuditQuery),
    /// The users and the cover periods (issue 17 §2).
    FetchUsers,
    Send(Box<PendingWrite>),
    StartEvents,
    /// Start listening for changes after `after` (the board list's sequence) unless already
    /// listening: list, then watch, without fetching the list a second time.
    EnsureEvents {
        after: Option<i64>,
    },
    StopEvents,
    Bell,
    /// Ctrl-C and hang-ups: keep what was typed.
    SaveDrafts,
    /// What must survive a crash changed (a write queued, confirmed or refused, a conflict
    /// opened or decided): hand the journal's new contents to the writer.
    PersistJournal(Box<crate::journal::Contents>),
    /// Ctrl-Z: hand the terminal back, stop (SIGTSTP), and take it again on `fg`.
    Suspend,
    /// Once the person is known: bring back their drafts from last time.
    LoadDrafts(String),
}

impl Effect {
    /// For the log: what, and the case reference at most (never names or text).
    pub fn describe(&self) -> String {
        match self {
            Effect::Login { .. } => "login".into(),
            Effect::Authenticated { .. } => "authenticated".into(),
            Effect::Logout => "logout".into(),
            Effect::FetchMe => "fetch me".into(),
            Effect::FetchCases => "fetch cases".into(),
            Effect::FetchCase(r) => format!("fetch case {r}"),
            Effect::FetchTimeline(r) => format!("fetch timeline {r}"),
            Effect::FetchChecklists(r) => format!("fetch checklists {r}"),
            Effect::FetchContacts(r) => format!("fetch contacts {r}"),
            Effect::FetchQuestions(r) => format!("fetch questions {r}"),
            Effect::FetchInvolvements(r) => format!("fetch involvements {r}"),
            Effect::FetchAssignees(r) => format!("fetch assignees {r}"),
            Effect::FetchFamilyContacts(r) => format!("fetch family contacts {r}"),
            Effect::FetchHandoverDraft => "fetch handover draft".into(),
            Effect::FetchHandovers => "fetch handovers".into(),
            // The filters may name a person: only that there are some.
            Effect::FetchAudit(_) => "fetch audit page".into(),
            Effect::FetchUsers => "fetch users".into(),
            Effect::Send(p) => format!("send {} {}", p.write.what(), p.key),
            Effect::StartEvents => "start events".into(),
            Effect::EnsureEvents { after } => format!("ensure events after {after:?}"),
            Effect::StopEvents => "stop events".into(),
            Effect::Bell => "bell".into(),
            Effect::SaveDrafts => "save drafts".into(),
            Effect::PersistJournal(c) => format!("persist journal ({} waiting)", c.writes.len()),
            Effect::Suspend => "suspend".into(),
            Effect::LoadDrafts(_) => "load drafts".into(),
        }
    }

    pub fn is_fetch_contacts(&self) -> bool {
        matches!(self, Effect::FetchContacts(_))
    }
}
