//! Everything that can happen to the app, as one message type.

use chrono::{DateTime, Utc};
use crossterm::event::KeyEvent;
use jar_core::case::Identity;
use jar_core::contact::Contact;
use jar_core::permissions::Principal;
use jar_core::timeline::TimelineEvent;
use jar_core::wire::{CaseDetail, ChangeEvent, ChecklistItemView, ChecklistView, LoginResponse};
use uuid::Uuid;

use crate::api::ApiError;
use crate::state::Conn;
use crate::state::board::BoardRow;

// Messages are moved once from a task to the loop; boxing would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Msg {
    Key(KeyEvent),
    Paste(String),
    Resize(u16, u16),
    /// The clock moved (once a second).
    Tick(DateTime<Utc>),
    /// SIGTERM or SIGHUP: keep drafts and quit.
    Terminate,
    Api(ApiMsg),
    /// What the journal writer found (how the journal is kept, its cached cases, another
    /// jarterm holding it): for the app, which owns the writer and the offline cache.
    Journal(crate::journal_writer::JournalEvent),
    /// A message from the journal writer of this generation (`App` opens one per person):
    /// one from a writer since let go is dropped, never applied to the next person.
    FromJournal(u64, Box<Msg>),
}

/// Results from background tasks.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum ApiMsg {
    LoggedIn(Result<LoginResponse, ApiError>),
    Me(Result<Principal, ApiError>),
    Cases(Result<Vec<BoardRow>, ApiError>),
    /// The first page of the board while the rest is still on its way.
    CasesFirstPage(Vec<BoardRow>),
    /// The change sequence the board's first page reflects: events are heard from there.
    CasesSeq(i64),
    Case {
        case_ref: String,
        result: Result<CaseDetail, ApiError>,
    },
    Timeline {
        case_ref: String,
        result: Result<Vec<TimelineEvent>, ApiError>,
    },
    Checklists {
        case_ref: String,
        result: Result<Vec<ChecklistView>, ApiError>,
    },
    Contacts {
        case_ref: String,
        result: Result<Vec<Contact>, ApiError>,
        /// The area's bereavement services, for the contact form (issue 16 §1); `None` when
        /// not fetched (offline, or an error): the form offers the national catalogue.
        catalogue: Option<jar_core::support::Catalogue>,
    },
    /// The family's contact details for the key worker (issue 15 §1).
    Questions {
        case_ref: String,
        result: Result<Vec<jar_core::questions::FamilyQuestion>, ApiError>,
    },
    Involvements {
        case_ref: String,
        result: Result<Vec<jar_core::reports::Involvement>, ApiError>,
    },
    FamilyContacts {
        case_ref: String,
        result: Result<jar_core::identity::FamilyContacts, ApiError>,
    },
    /// Who may fill each place on a case, for the assignment picker (issue 15 §4).
    Assignees {
        case_ref: String,
        result: Result<Vec<(jar_core::people::Slot, Vec<String>)>, ApiError>,
    },
    /// My handover as drafted by the server, and who may receive it (issue 17 §1).
    HandoverDraft(Result<(Vec<jar_core::handover::HandoverEntry>, Vec<String>), ApiError>),
    /// The handovers I sent, received or manage.
    Handovers(Result<Vec<jar_core::handover::Handover>, ApiError>),
    /// One page of the audit log (issue 17 §2).
    Audit(Result<jar_core::wire::AuditList, ApiError>),
    /// The users and the cover periods (issue 17 §2).
    Users(
        Result<
            (
                Vec<jar_core::wire::UserSummary>,
                Vec<jar_core::people::Cover>,
            ),
            ApiError,
        >,
    ),
    WriteDone {
        key: Uuid,
        result: Result<WriteOk, ApiError>,
    },
    Change(ChangeEvent),
    /// The event stream lost its place: refetch everything shown.
    Resync,
    Conn(Conn),
    /// The event stream was refused with 401: the token expired.
    SessionExpired,
    /// The journal could not be written (the kind of error): the writes are still sent.
    JournalNotSaved(String),
    /// Checklist conflicts left undecided in an earlier run (from the journal).
    ConflictsLoaded(Vec<crate::outbox::Conflict>),
    /// Drafts saved in an earlier run by the person now signed in.
    DraftsLoaded(Vec<crate::drafts::SavedDraft>),
    /// The local journal of the person now signed in: writes not yet confirmed in an
    /// earlier run (replayed first, in order) and their drafts.
    JournalLoaded {
        writes: Vec<crate::state::PendingWrite>,
        drafts: Vec<crate::drafts::SavedDraft>,
        encrypted: bool,
        /// The old journal could not be read (kept aside): words for a banner.
        problem: Option<String>,
    },
}

/// What a confirmed write returned.
#[derive(Debug, Clone)]
pub enum WriteOk {
    Item(Box<ChecklistItemView>),
    Event(Box<TimelineEvent>),
    Contact(Box<Contact>),
    Case(Box<CaseDetail>),
    Identity(Box<Identity>),
    Handover(Box<jar_core::handover::Handover>),
    /// A one-time password, to show once (never logged, never journaled).
    Password(jar_core::wire::OneTimePassword),
    Other,
}

impl ApiMsg {
    /// Whether this answer shows the server reachable (`Some(true)`: it answered, even with a
    /// refusal), unreachable (`Some(false)`: no answer, a gateway's 502–504), or says nothing
    /// of it (`None`: not an answer from the server). The status bar follows it, so that
    /// "live" and "offline" tell the truth between the event stream's own reports.
    pub fn reached(&self) -> Option<bool> {
        fn of<T>(r: &Result<T, ApiError>) -> Option<bool> {
            match r {
                Ok(_) => Some(true),
                // A 401 ends the session: sign-in decides what happens next, not the status.
                Err(e) if e.kind() == crate::api::ErrorKind::SignIn => None,
                Err(e) => Some(!crate::offline::unreachable(e)),
            }
        }
        match self {
            ApiMsg::LoggedIn(r) => of(r),
            ApiMsg::Me(r) => of(r),
            ApiMsg::Cases(r) => of(r),
            ApiMsg::CasesFirstPage(_) | ApiMsg::CasesSeq(_) => Some(true),
            ApiMsg::Case { result, .. } => of(result),
            ApiMsg::Timeline { result, .. } => of(result),
            ApiMsg::Checklists { result, .. } => of(result),
            ApiMsg::Contacts { result, .. } => of(result),
            ApiMsg::FamilyContacts { result, .. } => of(result),
            ApiMsg::Assignees { result, .. } => of(result),
            ApiMsg::WriteDone { result, .. } => of(result),
            _ => None,
        }
    }
}
