//! `update(&mut State, Msg) -> Vec<Effect>`: every state change, with no I/O and no clock
//! reads (the time arrives as `Msg::Tick`). Permission checks live here, through jar-core.

mod api;
mod board;
mod case;
mod forms;
mod login;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use crate::effect::Effect;
use crate::keymap::{Action, Ctx};
use crate::msg::Msg;
use crate::state::{Screen, State, Tab};

pub use api::load_drafts;
pub use forms::submit_form;

/// The smallest screen anything but the "too small" message is drawn on.
pub const MIN_WIDTH: u16 = 40;
pub const MIN_HEIGHT: u16 = 12;

pub fn update(s: &mut State, msg: Msg) -> Vec<Effect> {
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
            if s.retry_at.is_some_and(|t| now >= t) && s.login.is_none() {
                return api::resend_unsent(s);
            }
            Vec::new()
        }
        Msg::Terminate => force_quit(s),
        Msg::Api(m) => {
            s.dirty = true;
            api::on_api(s, m)
        }
    }
}

/// The contexts whose keymaps apply now, most specific first.
pub fn contexts(s: &State) -> Vec<Ctx> {
    if s.login.is_some() {
        return vec![Ctx::Login];
    }
    if s.dialog.is_some() {
        return vec![Ctx::Dialog];
    }
    if s.form.is_some() {
        return vec![Ctx::Form];
    }
    if s.help {
        return vec![Ctx::Help, Ctx::Global];
    }
    if s.board.editing_filter && s.screen == Screen::Board {
        return vec![Ctx::Filter];
    }
    match (s.screen, s.case.as_ref()) {
        (Screen::Case, Some(c)) => {
            let tab = match c.tab.tab {
                Tab::Summary => Ctx::CaseSummary,
                Tab::Timeline => Ctx::CaseTimeline,
                Tab::Checklists => Ctx::CaseChecklists,
                Tab::Contacts => Ctx::CaseContacts,
            };
            vec![tab, Ctx::Case, Ctx::Global]
        }
        _ => vec![Ctx::Board, Ctx::Global],
    }
}

fn is_ctrl_c(key: &KeyEvent) -> bool {
    matches!(key.code, KeyCode::Char('c' | 'C')) && key.modifiers.contains(KeyModifiers::CONTROL)
}

fn on_key(s: &mut State, key: KeyEvent) -> Vec<Effect> {
    if is_ctrl_c(&key) {
        return force_quit(s);
    }
    s.last_input = s.now;
    if key.code != KeyCode::Char('q') {
        s.quit_armed = false;
    }
    if s.locked {
        if key.code == KeyCode::Enter {
            s.locked = false;
        }
        return Vec::new();
    }
    if s.size.0 < MIN_WIDTH || s.size.1 < MIN_HEIGHT {
        // Only quitting works on the "too small" screen; everything else is kept as it is.
        if key.code == KeyCode::Char('q') && s.form.is_none() && s.login.is_none() {
            s.quit = true;
        }
        return Vec::new();
    }
    let ctx = contexts(s);
    let action = s.keymap.lookup(&ctx, &key);
    if s.login.is_some() {
        return login::on_key(s, key, action);
    }
    if s.dialog.is_some() {
        return case::on_dialog(s, action);
    }
    if s.form.is_some() {
        return forms::on_key(s, key, action);
    }
    if s.help {
        match action {
            Some(Action::Close) => s.help = false,
            Some(
                a @ (Action::Up | Action::Down | Action::PageUp | Action::PageDown | Action::Top),
            ) => {
                s.help_scroll = moved(s.help_scroll, 200, a, 10);
            }
            _ => {}
        }
        return Vec::new();
    }
    if s.board.editing_filter && s.screen == Screen::Board {
        return board::on_filter_key(s, key, action);
    }
    let Some(action) = action else {
        return Vec::new();
    };
    match action {
        Action::Help => {
            s.help = true;
            s.help_scroll = 0;
            Vec::new()
        }
        Action::ForceQuit => force_quit(s),
        _ => match s.screen {
            Screen::Board => board::on_action(s, action),
            Screen::Case => case::on_action(s, action),
        },
    }
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
