//! Sign-in, who the token belongs to, and a session that expired.

use jar_core::permissions::Principal;
use jar_core::wire::LoginResponse;

use super::reads::{fetch_cases, refetch_case};
use super::writes::resend_unsent;
use crate::api::{ApiError, ErrorKind};
use crate::effect::Effect;
use crate::state::{BannerKind, Conn, LoginForm, State};

/// A 401: bring sign-in back over whatever is on screen. Nothing is dropped.
pub(super) fn expire_session(s: &mut State) -> Vec<Effect> {
    if s.login.is_none() {
        let username = s
            .session
            .as_ref()
            .map(|p| p.username.clone())
            .unwrap_or_default();
        let focus = usize::from(!username.is_empty());
        s.login = Some(LoginForm {
            username,
            focus,
            reason: Some(
                "Your session has expired. Sign in again: nothing on screen or in a form is lost."
                    .into(),
            ),
            ..LoginForm::default()
        });
    }
    s.conn = Conn::Offline;
    vec![Effect::StopEvents]
}

pub(super) fn expired(s: &mut State) -> Vec<Effect> {
    if s.session.is_some() {
        expire_session(s)
    } else {
        Vec::new()
    }
}

/// Once the board's list has come (or failed) for a known person, listen for changes after
/// the sequence it reflected: nothing between the list and the stream is missed, and the list
/// is not fetched twice. Without a sequence (a failed list, an older server) the stream asks
/// for a refetch when it connects. A no-op when already listening.
pub(super) fn listen_after_list(s: &State) -> Vec<Effect> {
    let ready = s.session.is_some() && s.login.is_none();
    if !ready || (s.board.loading && s.board.seq.is_none()) {
        return Vec::new();
    }
    vec![Effect::EnsureEvents { after: s.board.seq }]
}

pub(super) fn logged_in(s: &mut State, result: Result<LoginResponse, ApiError>) -> Vec<Effect> {
    let mut fx = Vec::new();
    match result {
        Ok(resp) => {
            if s.session
                .as_ref()
                .is_some_and(|p| p.username != resp.user.username)
            {
                // Someone else signed in over an expired session: the last person's
                // unsent work stays in their own journal, never sent as this person.
                s.outbox.clear();
                s.drafts.clear();
                s.form = None;
                s.dialog = None;
                s.drafts_loaded = false;
            }
            fx.extend(load_drafts(s, &resp.user.username));
            s.board.family_overdue = resp.user.role == jar_core::Role::KeyWorker;
            s.session = Some(resp.user);
            s.login = None;
            fx.push(Effect::Authenticated { token: resp.token });
            fx.push(Effect::StartEvents);
            // A new token: the board is asked for again even if a list is on its way.
            s.board.loading = false;
            fx.extend(fetch_cases(s));
            if let Some(r) = s.case.as_ref().map(|c| c.reference.clone()) {
                fx.extend(refetch_case(s, &r));
            }
            fx.extend(resend_unsent(s));
        }
        Err(e) => {
            if let Some(form) = s.login.as_mut() {
                form.busy = false;
                form.password.clear();
                form.focus = 1;
                form.error = Some(match e.kind() {
                    ErrorKind::SignIn | ErrorKind::Refused => {
                        "Wrong username or password. Try again.".to_string()
                    }
                    _ => e.describe(),
                });
            }
        }
    }
    fx
}

pub(super) fn me(s: &mut State, result: Result<Principal, ApiError>) -> Vec<Effect> {
    s.me_loading = false;
    let mut fx = Vec::new();
    match result {
        Ok(who) => {
            s.me_retry = Default::default();
            fx.extend(load_drafts(s, &who.username));
            s.board.family_overdue = who.role == jar_core::Role::KeyWorker;
            s.session = Some(who);
            s.login = None;
            // The board was asked for with this question; ask again only if that failed.
            if !s.board.loading && !s.board.loaded {
                fx.extend(fetch_cases(s));
            }
            fx.extend(listen_after_list(s));
        }
        Err(e) if e.kind() == ErrorKind::SignIn => {
            s.session = None;
            s.login = Some(LoginForm {
                reason: Some("The saved sign-in has expired. Sign in again.".into()),
                ..LoginForm::default()
            });
        }
        Err(e) if crate::offline::unreachable(&e) => {
            // No answer is not a refusal: only a 401 may drop a saved token (issue 18 §1).
            // Keep it, say so, and ask again with back-off until the server answers.
            s.conn = Conn::Offline;
            s.me_retry.failed(s.now);
            s.banner(
                BannerKind::Notice,
                "Can't reach the server yet. Your sign-in is kept; trying again.",
            );
        }
        Err(e) => {
            // The server answered with something other than who this is: offer sign-in.
            s.login = Some(LoginForm {
                error: Some(e.describe()),
                ..LoginForm::default()
            });
        }
    }
    fx
}

/// Ask once per run for this person's drafts from earlier runs.
pub fn load_drafts(s: &mut State, username: &str) -> Vec<Effect> {
    if s.drafts_loaded {
        return Vec::new();
    }
    s.drafts_loaded = true;
    vec![Effect::LoadDrafts(username.to_string())]
}
