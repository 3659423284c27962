//! The board: moving, filtering, opening a case, notifying a death.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use jar_core::permissions::Permission;

use super::{forms, moved};
use crate::effect::Effect;
use crate::keymap::Action;
use crate::state::{BannerKind, CaseState, Form, FormKind, Screen, State};

pub fn on_action(s: &mut State, action: Action) -> Vec<Effect> {
    let now = s.now;
    match action {
        Action::Up
        | Action::Down
        | Action::PageUp
        | Action::PageDown
        | Action::Top
        | Action::Bottom => {
            let len = s.board.visible_len(now);
            let page = usize::from(s.size.1.saturating_sub(6)).max(1);
            s.board.selected = moved(s.board.selected, len, action, page);
            Vec::new()
        }
        Action::Open => match s.board.selected_ref(now) {
            Some(r) => open_case(s, &r),
            None => Vec::new(),
        },
        Action::Filter => {
            s.board.editing_filter = true;
            Vec::new()
        }
        Action::ToggleMine => {
            s.board.filter.mine = !s.board.filter.mine;
            reset_selection(s);
            Vec::new()
        }
        Action::ToggleOverdue => {
            s.board.filter.overdue = !s.board.filter.overdue;
            reset_selection(s);
            Vec::new()
        }
        Action::CycleArea => {
            let areas = s.board.areas();
            s.board.filter.area = match &s.board.filter.area {
                None => areas.first().cloned(),
                Some(a) => areas
                    .iter()
                    .position(|x| x == a)
                    .and_then(|i| areas.get(i + 1))
                    .cloned(),
            };
            reset_selection(s);
            Vec::new()
        }
        Action::ToggleClosed => {
            s.board.filter.closed = !s.board.filter.closed;
            reset_selection(s);
            Vec::new()
        }
        Action::Back => {
            s.board.filter = Default::default();
            s.banner = None;
            reset_selection(s);
            Vec::new()
        }
        // Permissions are checked with the key's binding (`keymap::table`).
        Action::Notify => {
            let areas = s
                .session
                .as_ref()
                .map(|p| p.areas.clone())
                .unwrap_or_default();
            let user = s
                .session
                .as_ref()
                .map(|p| p.username.clone())
                .unwrap_or_default();
            let fresh = Form::notify(&areas, &user, now);
            forms::open(s, FormKind::Notify, fresh);
            Vec::new()
        }
        Action::GotoNew => match s.goto.clone() {
            Some(r) => {
                s.banner = None;
                open_case(s, &r)
            }
            None => Vec::new(),
        },
        Action::Refresh => super::api::fetch_cases(s),
        Action::SignOut => {
            s.dialog = Some(crate::state::Dialog::SignOut {
                waiting: s.waiting(),
            });
            Vec::new()
        }
        Action::Quit => {
            // Unsent changes: say so once; a second q quits (their text is kept as drafts).
            if !s.outbox.is_empty() && !s.quit_armed {
                s.quit_armed = true;
                s.banner(
                    BannerKind::Error,
                    format!(
                        "{} change(s) not sent yet. Press {} again to quit anyway (typed text is kept as drafts).",
                        s.outbox.len(),
                        s.keymap.key_for(crate::keymap::Ctx::Board, Action::Quit)
                    ),
                );
                return Vec::new();
            }
            s.quit = true;
            vec![Effect::SaveDrafts]
        }
        _ => Vec::new(),
    }
}

fn reset_selection(s: &mut State) {
    s.board.selected = 0;
}

pub fn on_filter_key(s: &mut State, key: KeyEvent, action: Option<Action>) -> Vec<Effect> {
    match action {
        Some(Action::Submit) => s.board.editing_filter = false,
        Some(Action::Cancel) => {
            s.board.editing_filter = false;
            s.board.filter.text.clear();
        }
        _ => match key.code {
            KeyCode::Char(c)
                if !key.modifiers.contains(KeyModifiers::CONTROL)
                    && s.board.filter.text.chars().count() < 100 =>
            {
                s.board.filter.text.push(c);
            }
            KeyCode::Backspace => {
                s.board.filter.text.pop();
            }
            _ => {}
        },
    }
    reset_selection(s);
    Vec::new()
}

/// Open a case: fetch what the role may read, and nothing else.
pub fn open_case(s: &mut State, reference: &str) -> Vec<Effect> {
    use crate::state::case::{Part, Remote};
    let mut case = CaseState::new(reference);
    // The family's questions and the professionals involved (issue 16): every role in scope
    // reads them (the server filters the questions by agency).
    let mut parts = vec![
        Part::Detail,
        Part::Timeline,
        Part::Checklists,
        Part::Questions,
        Part::Involvements,
    ];
    case.detail = Remote::Loading;
    case.timeline = Remote::Loading;
    case.checklists = Remote::Loading;
    case.questions = Remote::Loading;
    case.involvements = Remote::Loading;
    if s.allows(Permission::ReadContacts) {
        case.contacts = Remote::Loading;
        parts.push(Part::Contacts);
    } else {
        case.contacts = Remote::NotAllowed;
    }
    // The family's contact details for the key worker (issue 15 §1): quietly, beside the log
    // (not counted as loading; nothing is said if they do not come).
    let family = s
        .session
        .as_ref()
        .is_some_and(|p| jar_core::permissions::reads_family_contacts(p.role));
    s.forget_other_cases_banner(Some(reference));
    s.case = Some(case);
    s.screen = Screen::Case;
    let mut effects = super::api::fetch_case_parts(s, reference, &parts);
    if family {
        effects.push(Effect::FetchFamilyContacts(reference.to_string()));
    }
    effects
}
