//! `update(&mut State, Msg) -> Vec<Effect>`: every state change, with no I/O and no clock
//! reads (the time arrives as `Msg::Tick`). Permission checks live here, through jar-core.

mod api;
pub(crate) mod assign;
mod assigned;
mod board;
mod case;
mod close;
pub(crate) mod desk;
mod facts;
mod forms;
pub(crate) mod handover;
mod identity;
mod login;

use crossterm::event::{KeyEvent, KeyEventKind};

use crate::effect::Effect;
use crate::keymap::{Action, Ctx};
use crate::msg::Msg;
use crate::state::{BannerKind, Overlay, Screen, State, Tab};

pub use api::load_drafts;
pub use forms::{PASTE_CAP, submit_form};

/// The smallest screen anything but the "too small" message is drawn on.
pub const MIN_WIDTH: u16 = 40;
pub const MIN_HEIGHT: u16 = 12;

pub fn update(s: &mut State, msg: Msg) -> Vec<Effect> {
    // Overlays opened outside `update` (tests, start-up) are placed first.
    s.sync_overlays();
    let durable = crate::outbox::durable_fingerprint(s);
    let mut fx = update_inner(s, msg);
    s.sync_overlays();
    if crate::outbox::durable_fingerprint(s) != durable {
        // First, so a write is handed to the journal before it is sent.
        fx.insert(
            0,
            Effect::PersistJournal(Box::new(crate::outbox::journal_contents(s))),
        );
    }
    fx
}

fn update_inner(s: &mut State, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Key(key) => {
            if key.kind == KeyEventKind::Release {
                return Vec::new();
            }
            s.dirty = true;
            on_key(s, key)
        }
        Msg::Paste(text) => {
            s.dirty = true;
            forms::on_paste(s, &text);
            Vec::new()
        }
        Msg::Resize(w, h) => {
            s.size = (w, h);
            s.dirty = true;
            Vec::new()
        }
        Msg::Tick(now) => {
            if let Some(m) = s.idle_lock_minutes
                && !s.locked
                && s.session.is_some()
                && now - s.last_input >= chrono::Duration::minutes(i64::from(m))
            {
                lock(s);
            }
            // Redraw only when the visible minute changed.
            if now.timestamp() / 60 != s.now.timestamp() / 60 {
                s.dirty = true;
            }
            s.now = now;
            handover::tick(s);
            if s.session.is_none() && s.login.is_none() && s.me_retry.take_due(now) {
                s.me_loading = true;
                s.board.loading = true;
                return vec![Effect::FetchMe, Effect::FetchCases];
            }
            if s.session.is_some() && s.login.is_none() && s.board.retry.take_due(now) {
                return api::fetch_cases(s);
            }
            if s.outbox.retry_due(now) && s.login.is_none() {
                return api::resend_unsent(s);
            }
            Vec::new()
        }
        Msg::Terminate => force_quit(s),
        Msg::Api(m) => {
            s.dirty = true;
            // The password typed on the lock screen was right: back to where the person was.
            if matches!(&m, crate::msg::ApiMsg::LoggedIn(Ok(_))) {
                s.locked = false;
            }
            let reached = m.reached();
            let mut fx = api::on_api(s, m);
            fx.extend(api::note_reached(s, reached));
            fx
        }
        // The app's own: it owns the journal writer and the offline cache (`App::dispatch`).
        Msg::Journal(_) | Msg::FromJournal(..) => Vec::new(),
    }
}

/// The contexts whose keymaps apply now, most specific first (`Always` last, everywhere).
pub fn contexts(s: &State) -> Vec<Ctx> {
    let mut out = focus_contexts(s);
    out.push(Ctx::Always);
    out
}

fn focus_contexts(s: &State) -> Vec<Ctx> {
    match s.top() {
        Some(Overlay::Login) => return vec![Ctx::Login],
        Some(Overlay::Dialog) => return vec![Ctx::Dialog],
        Some(Overlay::Form) => {
            let text_box = matches!(
                s.form.as_ref().and_then(|f| f.focused()).map(|f| &f.value),
                Some(crate::state::forms::Value::Text(_))
            );
            return if text_box {
                vec![Ctx::TextBox, Ctx::Form]
            } else {
                vec![Ctx::Form]
            };
        }
        Some(Overlay::Help) => return vec![Ctx::Help, Ctx::Global],
        None => {}
    }
    if s.board.editing_filter && s.screen == Screen::Board {
        return vec![Ctx::Filter];
    }
    screen_contexts(s)
}

/// The contexts of the screen itself, under any overlay (the help shows these).
pub fn screen_contexts(s: &State) -> Vec<Ctx> {
    match s.screen {
        Screen::Handover => return vec![Ctx::Handover, Ctx::Global],
        Screen::Audit => return vec![Ctx::Audit, Ctx::Global],
        Screen::Users => return vec![Ctx::Users, Ctx::Global],
        Screen::Board | Screen::Case => {}
    }
    match (s.screen, s.case.as_ref()) {
        (Screen::Case, Some(c)) => {
            let tab = match c.tab.tab {
                Tab::Summary => Ctx::CaseSummary,
                Tab::Timeline => Ctx::CaseTimeline,
                Tab::Checklists => Ctx::CaseChecklists,
                Tab::Contacts => Ctx::CaseContacts,
                Tab::Questions => Ctx::CaseQuestions,
            };
            vec![tab, Ctx::Case, Ctx::Global]
        }
        _ => vec![Ctx::Board, Ctx::Global],
    }
}

/// Every key goes through the keymap first (quitting and suspending too); the binding says
/// what it does and which permission that needs.
fn on_key(s: &mut State, key: KeyEvent) -> Vec<Effect> {
    let ctx = if s.locked {
        // Only the password opens it again (sign-in with the username fixed).
        vec![Ctx::Login, Ctx::Always]
    } else {
        contexts(s)
    };
    let binding = s.keymap.binding(&ctx, &key);
    let action = binding.map(|b| b.action);
    match action {
        Some(Action::ForceQuit) => return force_quit(s),
        Some(Action::Suspend) => {
            // Keep what is typed first: a stopped job can be killed.
            s.dirty = true;
            return vec![Effect::SaveDrafts, Effect::Suspend];
        }
        _ => {}
    }
    s.last_input = s.now;
    if action != Some(Action::Quit) {
        s.quit_armed = false;
    }
    if s.locked {
        return login::on_key(s, key, action);
    }
    if s.size.0 < MIN_WIDTH || s.size.1 < MIN_HEIGHT {
        // Only quitting works on the "too small" screen; everything else is kept as it is.
        let quits = s.keymap.lookup(&[Ctx::Board], &key) == Some(Action::Quit);
        if quits && s.form.is_none() && s.login.is_none() {
            s.quit = true;
        }
        return Vec::new();
    }
    match s.top() {
        Some(Overlay::Login) => return login::on_key(s, key, action),
        Some(Overlay::Dialog) => return case::on_dialog(s, action),
        Some(Overlay::Form) => return forms::on_key(s, key, action),
        Some(Overlay::Help) => return help_key(s, action),
        None => {}
    }
    if s.board.editing_filter && s.screen == Screen::Board {
        return board::on_filter_key(s, key, action);
    }
    let Some(binding) = binding else {
        return Vec::new();
    };
    if let Some(p) = binding.needs
        && !s.allows(p)
    {
        s.banner(BannerKind::Error, binding.denied);
        return Vec::new();
    }
    match binding.action {
        Action::Help => {
            s.help = true;
            s.help_scroll = 0;
            Vec::new()
        }
        action => match s.screen {
            Screen::Board => match action {
                Action::Handover => handover::start(s),
                Action::AuditLog => desk::open_audit(s),
                Action::Users => desk::open_users(s),
                _ => board::on_action(s, action),
            },
            Screen::Case => case::on_action(s, action),
            Screen::Handover => handover::on_action(s, action),
            Screen::Audit => desk::on_audit(s, action),
            Screen::Users => desk::on_users(s, action),
        },
    }
}

/// Help on top: scroll or close.
fn help_key(s: &mut State, action: Option<Action>) -> Vec<Effect> {
    match action {
        Some(Action::Close) => s.help = false,
        Some(a @ (Action::Up | Action::Down | Action::PageUp | Action::PageDown | Action::Top)) => {
            s.help_scroll = moved(s.help_scroll, 200, a, 10);
        }
        _ => {}
    }
    Vec::new()
}

/// Idle lock: hide everything; a revealed identity is dropped (reveal again if needed).
/// Forms stay as they are.
fn lock(s: &mut State) {
    s.locked = true;
    s.dirty = true;
    s.help = false;
    if let Some(c) = s.case.as_mut() {
        c.identity = None;
    }
    let username = s
        .session
        .as_ref()
        .map(|p| p.username.clone())
        .unwrap_or_default();
    let reason = format!(
        "Locked after {} idle minutes. Type the password for {username} and press Enter: \
         your place and drafts are kept.",
        s.idle_lock_minutes.unwrap_or_default()
    );
    let form = s.login.get_or_insert_with(Default::default);
    form.username = username;
    form.password.clear();
    form.focus = 1;
    form.busy = false;
    form.reason = Some(reason);
}

/// Ctrl-C: keep the open form as a draft, save drafts, quit.
pub fn force_quit(s: &mut State) -> Vec<Effect> {
    if let Some(form) = s.form.take() {
        forms::keep_draft(s, form);
    }
    s.quit = true;
    vec![Effect::SaveDrafts]
}

/// Move a selection by an action; `len` rows.
fn moved(sel: usize, len: usize, action: Action, page: usize) -> usize {
    let last = len.saturating_sub(1);
    match action {
        Action::Up => sel.saturating_sub(1),
        Action::Down => (sel + 1).min(last),
        Action::PageUp => sel.saturating_sub(page),
        Action::PageDown => sel.saturating_add(page).min(last),
        Action::Top => 0,
        Action::Bottom => last,
        _ => sel,
    }
}
