//! Signing in: the first screen, or an overlay when the token expires mid-shift.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::effect::Effect;
use crate::keymap::Action;
use crate::state::{Conn, LoginForm, State};

pub fn on_key(s: &mut State, key: KeyEvent, action: Option<Action>) -> Vec<Effect> {
    let signed_in = s.session.is_some();
    let Some(form) = s.login.as_mut() else {
        return Vec::new();
    };
    match action {
        Some(Action::Submit) => {
            if form.focus == 0 && form.password.is_empty() {
                form.focus = 1;
                return Vec::new();
            }
            if form.username.trim().is_empty() || form.password.is_empty() {
                form.error = Some("Type your username and password, then press Enter.".into());
                return Vec::new();
            }
            if form.busy {
                return Vec::new();
            }
            form.busy = true;
            form.error = None;
            vec![Effect::Login {
                username: form.username.trim().to_string(),
                password: form.password.clone(),
            }]
        }
        // Locked: the username is the signed-in person's and cannot change.
        Some(Action::NextField) | Some(Action::PrevField) if s.locked => Vec::new(),
        Some(Action::NextField) | Some(Action::PrevField) => {
            form.focus = 1 - form.focus.min(1);
            Vec::new()
        }
        Some(Action::Quit) => {
            // With work on screen behind the overlay, Esc must not throw it away.
            if !signed_in {
                s.quit = true;
            }
            Vec::new()
        }
        _ => {
            let field = if form.focus == 0 {
                &mut form.username
            } else {
                &mut form.password
            };
            match key.code {
                KeyCode::Char(c)
                    if !key.modifiers.contains(KeyModifiers::CONTROL)
                        && field.chars().count() < 200 =>
                {
                    field.push(c);
                }
                KeyCode::Backspace => {
                    field.pop();
                }
                _ => {}
            }
            Vec::new()
        }
    }
}

/// The person confirmed "Sign out?": back to the sign-in screen. The app revokes the token,
/// forgets it and removes the offline copies (`Effect::Logout`); what was typed is saved as
/// drafts first, and changes still waiting stay in the journal for the next sign-in.
pub fn sign_out(s: &mut State) -> Vec<Effect> {
    let waiting = s.waiting();
    s.session = None;
    s.conn = Conn::Connecting;
    s.login = Some(LoginForm {
        reason: Some(if waiting > 0 {
            format!(
                "Signed out. {waiting} change(s) not sent yet are kept for your next sign-in here."
            )
        } else {
            "Signed out.".to_string()
        }),
        ..LoginForm::default()
    });
    vec![Effect::SaveDrafts, Effect::StopEvents, Effect::Logout]
}
