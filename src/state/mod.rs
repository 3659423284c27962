//! All application state, owned by the loop. Render reads it; only `update` changes it.

pub mod assign_form;
pub mod board;
pub mod case;
pub mod desk;
pub mod facts_form;
pub mod forms;
pub mod handover;
pub mod handover_form;
pub mod identity_form;
pub mod question_form;
pub mod refs;
pub mod retry;
pub mod withdraw_form;

use chrono::{DateTime, Utc};
use jar_core::permissions::{self, Permission, Principal};

pub use board::BoardState;
pub use case::{CaseState, Tab};
pub use forms::{Form, FormKind, LoginForm};
pub use refs::{CaseRef, ItemAddr};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Board,
    Case,
    /// The handover received (issue 17 §1): `State::handover`.
    Handover,
    /// The manager's audit log (issue 17 §2): `State::desk.audit`.
    Audit,
    /// The manager's users (issue 17 §2): `State::desk.users`.
    Users,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conn {
    /// Nothing has answered yet (the first request is on its way).
    Connecting,
    Live,
    Reconnecting,
    Offline,
}

impl Conn {
    pub fn label(self) -> &'static str {
        match self {
            Conn::Connecting => "connecting…",
            Conn::Live => "live",
            Conn::Reconnecting => "reconnecting",
            Conn::Offline => "offline",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BannerKind {
    Info,
    Notice,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Banner {
    pub kind: BannerKind,
    pub text: String,
    /// The case it is about: it goes when that case is left.
    pub case: Option<String>,
}

pub use crate::outbox::{Conflict, Outbox, PendingWrite, Write};

/// What can sit over the screen. Their order is one stack (`State::overlays`): the top one
/// gets the keys, names the hint line, and is drawn over the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overlay {
    Help,
    Form,
    Dialog,
    /// Sign-in over a session that expired: always on top.
    Login,
}

impl Overlay {
    /// Fills the body (the screen under it is not drawn), rather than a box over it.
    pub fn covers_body(self) -> bool {
        matches!(self, Overlay::Help | Overlay::Form)
    }
}

#[derive(Debug, Clone)]
pub enum Dialog {
    /// A stale checklist edit: both versions, and the note typed kept.
    Conflict(Conflict),
    /// "Sign out?" with how many changes are still waiting (they stay in the journal).
    SignOut {
        waiting: usize,
    },
    Error {
        title: String,
        detail: String,
    },
    /// "Are you sure?" before a write that needs it (issue 14 §3): closing a case lists what
    /// is still open; changing a closed checklist item says what it overwrites. `y` sends
    /// `write` (with `form`, kept as the draft while it is pending); any close key drops it.
    Confirm {
        title: String,
        lines: Vec<String>,
        write: Box<Write>,
        form: Option<Box<Form>>,
    },
    /// As `Confirm`, where `y` opens a form (a closed sample changed asks when, or why).
    ConfirmForm {
        title: String,
        lines: Vec<String>,
        form: Box<Form>,
    },
    /// Done, with something to read once (a one-time password, issue 17 §2).
    Notice {
        title: String,
        detail: String,
    },
}

#[derive(Debug)]
pub struct State {
    pub now: DateTime<Utc>,
    pub server_label: String,
    pub store_label: String,
    pub bell: bool,
    pub session: Option<Principal>,
    /// Some: the sign-in form is shown (as the screen, or over it when a session expired).
    pub login: Option<LoginForm>,
    pub screen: Screen,
    pub board: BoardState,
    pub case: Option<CaseState>,
    pub form: Option<Form>,
    /// Forms closed before saving, kept so reopening restores the text.
    pub drafts: Vec<Form>,
    /// Drafts from earlier runs were asked for (once per run).
    pub drafts_loaded: bool,
    pub dialog: Option<Dialog>,
    /// The order the overlays were opened in, oldest first (see `overlays`).
    pub overlay_order: Vec<Overlay>,
    pub help: bool,
    pub help_scroll: usize,
    pub banner: Option<Banner>,
    pub conn: Conn,
    /// The event stream has been live at least once: an offline spell after that is a gap.
    pub was_live: bool,
    /// Writes not yet confirmed, and their retry schedule (`crate::outbox`).
    pub outbox: Outbox,
    /// The local journal is written in clear (only by explicit choice, `KeySource::None`):
    /// said in the status bar.
    pub journal_unencrypted: bool,
    /// What the status bar says about the journal when it is not written as usual: "journal:
    /// memory only", "journal locked", "journal in use" (issue 12 §3, 18 §1).
    pub journal_note: Option<String>,
    /// The journal is being read (by its writer thread): until it is, nobody knows how many
    /// changes are waiting, and the status bar does not say "0 waiting".
    pub journal_opening: bool,
    /// Who the saved token belongs to is being asked.
    pub me_loading: bool,
    /// A start with a saved token that found no server: when to ask again who it is.
    pub me_retry: retry::Retry,
    /// The case from the last "new notification" banner (`g` opens it).
    pub goto: Option<String>,
    pub size: (u16, u16),
    /// Lock the screen after this many idle minutes (`None`: never).
    pub idle_lock_minutes: Option<u32>,
    pub last_input: DateTime<Utc>,
    /// Locked: nothing but the lock message is drawn.
    pub locked: bool,
    /// Keys in force (defaults patched by the config file).
    pub keymap: crate::keymap::Keymap,
    pub quit: bool,
    /// `q` was pressed once with unsent changes.
    pub quit_armed: bool,
    pub dirty: bool,
    /// The handovers I sent, received or manage (issue 17 §1), as the server last listed them;
    /// `overdue` is recomputed on every tick.
    pub handovers: Vec<jar_core::handover::Handover>,
    /// The handover received, on its screen.
    pub handover: Option<handover::HandoverView>,
    /// The manager's desk: audit log and users (issue 17 §2).
    pub desk: desk::DeskState,
}

impl Dialog {
    /// A stale checklist edit as its own type (kept in the journal until decided).
    pub fn conflict(&self) -> Option<Conflict> {
        match self {
            Dialog::Conflict(c) => Some(c.clone()),
            Dialog::Error { .. }
            | Dialog::SignOut { .. }
            | Dialog::Notice { .. }
            | Dialog::Confirm { .. }
            | Dialog::ConfirmForm { .. } => None,
        }
    }
}

impl From<Conflict> for Dialog {
    fn from(c: Conflict) -> Dialog {
        Dialog::Conflict(c)
    }
}

impl State {
    pub fn new(now: DateTime<Utc>, server_label: &str) -> State {
        State {
            now,
            server_label: server_label.to_string(),
            store_label: "memory only".to_string(),
            bell: false,
            session: None,
            login: Some(LoginForm::default()),
            screen: Screen::Board,
            board: BoardState::default(),
            case: None,
            form: None,
            drafts: Vec::new(),
            drafts_loaded: false,
            dialog: None,
            overlay_order: Vec::new(),
            help: false,
            help_scroll: 0,
            banner: None,
            conn: Conn::Connecting,
            was_live: false,
            outbox: Outbox::default(),
            journal_unencrypted: false,
            journal_note: None,
            journal_opening: false,
            me_loading: false,
            me_retry: retry::Retry::default(),
            goto: None,
            size: (80, 24),
            idle_lock_minutes: None,
            last_input: now,
            locked: false,
            keymap: crate::keymap::Keymap::default(),
            quit: false,
            quit_armed: false,
            dirty: true,
            handovers: Vec::new(),
            handover: None,
            desk: desk::DeskState::default(),
        }
    }

    /// A state already signed in (tests, `jarterm demo`, `JARTERM_TOKEN`).
    pub fn signed_in(now: DateTime<Utc>, server_label: &str, who: Principal) -> State {
        let mut s = State::new(now, server_label);
        s.board.family_overdue = who.role == jar_core::Role::KeyWorker;
        s.session = Some(who);
        s.login = None;
        s
    }

    pub fn allows(&self, p: Permission) -> bool {
        self.session
            .as_ref()
            .is_some_and(|who| permissions::allows(who.role, p))
    }

    /// [`Self::allows`], narrowed to what is selected: on the Checklists tab an item owned by
    /// another agency is locked for this role (`permissions::item_lock_reason`), so the hint
    /// line offers no item action on it (issue 14 §3).
    pub fn allows_here(&self, p: Permission) -> bool {
        if !self.allows(p) {
            return false;
        }
        let item_action = matches!(p, Permission::UpdateOwnAgencyItem);
        let on_checklists = self.screen == Screen::Case
            && self
                .case
                .as_ref()
                .is_some_and(|c| c.tab.tab == Tab::Checklists);
        if !(item_action && on_checklists) {
            return true;
        }
        let role = self.session.as_ref().map(|w| w.role);
        let selected = self.case.as_ref().and_then(|c| {
            c.selected_item()
                .map(|i| (i.view.item.clone(), i.view.state.status))
        });
        match (role, selected) {
            (Some(role), Some((item, _))) => permissions::item_lock_reason(role, &item).is_none(),
            // No item selected (no checklist yet): nothing to act on.
            _ => false,
        }
    }

    pub fn banner(&mut self, kind: BannerKind, text: impl Into<String>) {
        self.banner = Some(Banner {
            kind,
            text: text.into(),
            case: None,
        });
    }

    /// A message about one case: shown until that case is left.
    pub fn case_banner(&mut self, kind: BannerKind, case_ref: &str, text: impl Into<String>) {
        self.banner = Some(Banner {
            kind,
            text: text.into(),
            case: Some(case_ref.to_string()),
        });
    }

    /// The case on screen is now `open` (`None`: the board): messages about another go.
    pub fn forget_other_cases_banner(&mut self, open: Option<&str>) {
        if self
            .banner
            .as_ref()
            .and_then(|b| b.case.as_deref())
            .is_some_and(|c| Some(c) != open)
        {
            self.banner = None;
        }
    }

    fn has(&self, o: Overlay) -> bool {
        match o {
            Overlay::Help => self.help,
            Overlay::Form => self.form.is_some(),
            Overlay::Dialog => self.dialog.is_some(),
            Overlay::Login => self.login.is_some(),
        }
    }

    /// The overlay stack, bottom first: those open, in the order they were opened (one
    /// opened outside `update` goes above the others in this order), sign-in always last.
    pub fn overlays(&self) -> Vec<Overlay> {
        let mut out: Vec<Overlay> = self
            .overlay_order
            .iter()
            .copied()
            .filter(|o| *o != Overlay::Login && self.has(*o))
            .collect();
        for o in [Overlay::Help, Overlay::Form, Overlay::Dialog] {
            if self.has(o) && !out.contains(&o) {
                out.push(o);
            }
        }
        if self.has(Overlay::Login) {
            out.push(Overlay::Login);
        }
        out
    }

    /// The overlay on top: it gets the keys and the hint line, and is drawn last.
    pub fn top(&self) -> Option<Overlay> {
        self.overlays().last().copied()
    }

    /// Remember the stack as it is now (after each `update`): what was opened since goes on
    /// top, what was closed leaves.
    pub fn sync_overlays(&mut self) {
        self.overlay_order = self.overlays();
    }

    /// Something is on its way from the server (for "loading…"): derived from what is
    /// asked and not answered, never a hand-kept count.
    pub fn loading(&self) -> bool {
        self.board.loading
            || self.me_loading
            || self.login.as_ref().is_some_and(|l| l.busy)
            || self.case.as_ref().is_some_and(|c| !c.fetching.is_empty())
            || self.desk.loading
    }

    pub fn waiting(&self) -> usize {
        self.outbox.len()
    }
}
