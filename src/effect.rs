//! What `update` asks the outside world to do. The app runs each one in a task.

use crate::state::PendingWrite;

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
    FetchCase(String),
    FetchTimeline(String),
    FetchChecklists(String),
    FetchContacts(String),
    Send(Box<PendingWrite>),
    StartEvents,
    StopEvents,
    Bell,
    /// Ctrl-C and hang-ups: keep what was typed.
    SaveDrafts,
}

impl Effect {
    pub fn is_fetch_contacts(&self) -> bool {
        matches!(self, Effect::FetchContacts(_))
    }
}
