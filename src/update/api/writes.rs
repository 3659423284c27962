//! The outbox's answers: a write confirmed, to be tried again, stale (a conflict of its own)
//! or refused (the form comes back with the reason). Sending is one at a time, in order.

use jar_core::checklist::ItemState;

use super::is_current;
use super::reads::{fetch_case_parts, fetch_cases, refetch_case};
use super::session::expire_session;
use crate::api::{ApiError, ErrorKind};
use crate::effect::Effect;
use crate::msg::WriteOk;
use crate::state::case::Part;
use crate::state::{BannerKind, Dialog, State, Write};

/// Send the oldest waiting write, one at a time and in order, with its own idempotency key.
/// Nothing is sent while signed out, while a write is already on its way, or during a wait.
pub(crate) fn pump(s: &mut State) -> Vec<Effect> {
    if s.login.is_some() || s.session.is_none() {
        return Vec::new();
    }
    match s.outbox.next_to_send(s.now) {
        Some(w) => vec![Effect::Send(Box::new(w))],
        None => Vec::new(),
    }
}

/// Send again now (the connection came back, or the person signed in again).
pub(crate) fn resend_unsent(s: &mut State) -> Vec<Effect> {
    s.outbox.retry_now();
    pump(s)
}

/// A write that could not be sent stays first in line; it is tried again after a while
/// (sooner if the event stream comes back first).
fn retry_later(s: &mut State, key: uuid::Uuid, why: String) {
    s.outbox.failed_for_now(key, s.now);
    s.banner(
        BannerKind::Error,
        format!(
            "Not sent yet: {why} {} waiting, kept on this device and sent when the server answers.",
            s.outbox.len()
        ),
    );
}

pub(super) fn write_done(
    s: &mut State,
    key: uuid::Uuid,
    result: Result<WriteOk, ApiError>,
) -> Vec<Effect> {
    let mut fx = write_result(s, key, result);
    fx.extend(pump(s));
    fx
}

fn write_result(s: &mut State, key: uuid::Uuid, result: Result<WriteOk, ApiError>) -> Vec<Effect> {
    if !s.outbox.contains(key) {
        return Vec::new();
    }
    let mut fx = Vec::new();
    match result {
        Ok(ok) => {
            let Some(pending) = s.outbox.confirmed(key) else {
                return fx;
            };
            // A copy of this very text kept as a draft goes; another draft of the same
            // kind of form (typed since) stays.
            if let Some(sent) = pending.form.as_ref().map(crate::drafts::to_saved) {
                s.drafts.retain(|d| {
                    let d = crate::drafts::to_saved(d);
                    (d.kind, d.fields) != (sent.kind.clone(), sent.fields.clone())
                });
            }
            apply_ok(s, &pending.write, ok, &mut fx);
        }
        Err(e) if e.kind() == ErrorKind::SignIn => {
            s.outbox.held(key);
            fx.extend(expire_session(s));
        }
        Err(ApiError::Network(e)) => retry_later(s, key, format!("cannot reach the server ({e}).")),
        // A server in trouble, or an answer that could not be read: the write may or may
        // not have been applied, so it is sent again with the same key (applied once).
        Err(e) if e.kind() == ErrorKind::Retryable => retry_later(s, key, e.describe()),
        Err(e) if e.kind() == ErrorKind::Stale => {
            let Some(pending) = s.outbox.refused(key) else {
                return fx;
            };
            let current = match &e {
                ApiError::Problem(p) => p.current.clone(),
                _ => None,
            };
            let theirs: Option<ItemState> = current.and_then(|v| serde_json::from_value(v).ok());
            match (pending.write, theirs) {
                (
                    Write::ItemUpdate {
                        case_ref,
                        template,
                        item,
                        update,
                        ..
                    },
                    Some(theirs),
                ) => {
                    let item_text = s
                        .case
                        .as_ref()
                        .and_then(|c| {
                            c.items()
                                .into_iter()
                                .find(|i| i.template == template && i.view.item.id == item)
                                .map(|i| i.view.item.text.clone())
                        })
                        .unwrap_or_default();
                    s.dialog = Some(Dialog::Conflict {
                        case_ref: case_ref.into(),
                        template,
                        item,
                        item_text,
                        mine: update,
                        theirs,
                    });
                }
                (write, _) => {
                    s.dialog = Some(Dialog::Error {
                        title: format!("Someone else changed this {} first", write.what()),
                        detail: "The case was refetched; look again and redo the change.".into(),
                    });
                    if let Some(r) = s.case.as_ref().map(|c| c.reference.clone()) {
                        fx.extend(refetch_case(s, &r));
                    }
                }
            }
        }
        Err(e) => {
            // Refused for good (403, 404, 422, 5xx...): give the form back with the reason.
            let Some(pending) = s.outbox.refused(key) else {
                return fx;
            };
            let text = e.describe();
            if let (Write::Reveal { case_ref, .. }, Some(404)) = (&pending.write, e.status())
                && let Some(c) = s.case.as_mut().filter(|c| &c.reference == case_ref)
            {
                // No identity recorded yet: `i` on the Summary adds one.
                c.identity_absent = true;
            }
            match pending.form {
                Some(mut form) if s.form.is_none() => {
                    // The same death notified twice (issue 15 §3): candidates and choices.
                    let text = match crate::state::identity_form::on_duplicate(&mut form, &e) {
                        Some((words, first)) => {
                            s.case_banner(
                                BannerKind::Notice,
                                &first,
                                format!(
                                    "Possibly notified already as {first} — press g to open it"
                                ),
                            );
                            words
                        }
                        None => text,
                    };
                    form.error = Some(text);
                    s.form = Some(form);
                }
                Some(form) => {
                    crate::update::forms::keep_draft(s, form);
                    s.dialog = Some(Dialog::Error {
                        title: format!("The {} was not saved", pending.write.what()),
                        detail: format!("{text} Your text is kept as a draft."),
                    });
                }
                None => {
                    s.dialog = Some(Dialog::Error {
                        title: format!("The {} was not saved", pending.write.what()),
                        detail: text,
                    });
                }
            }
        }
    }
    fx
}

fn apply_ok(s: &mut State, write: &Write, ok: WriteOk, fx: &mut Vec<Effect>) {
    match (write, ok) {
        (
            Write::ItemUpdate {
                case_ref,
                template,
                item,
                ..
            },
            WriteOk::Item(view),
        ) => {
            if let Some(c) = s.case.as_mut().filter(|c| &c.reference == case_ref) {
                c.set_item_state(template, view.state.clone());
            }
            s.case_banner(
                BannerKind::Info,
                case_ref,
                format!("Saved: {item} is {}.", view.state.status.label()),
            );
            fx.extend(fetch_case_parts(s, case_ref, &[Part::Detail]));
        }
        (Write::Reveal { case_ref, .. }, WriteOk::Identity(id)) => {
            if let Some(c) = s.case.as_mut().filter(|c| &c.reference == case_ref) {
                c.identity = Some(*id);
                c.tab.tab = crate::state::Tab::Summary;
            }
            s.case_banner(
                BannerKind::Info,
                case_ref,
                "Identity shown until you leave the case. The reveal was recorded.",
            );
        }
        (
            Write::PutIdentity {
                case_ref, identity, ..
            },
            WriteOk::Case(_),
        ) => {
            // What was saved is what the person typed: shown as a reveal would, until they
            // leave the case (the correction, not a read, is what was recorded).
            if let Some(c) = s.case.as_mut().filter(|c| &c.reference == case_ref) {
                c.identity = Some((**identity).clone());
                c.identity_absent = false;
            }
            s.case_banner(
                BannerKind::Info,
                case_ref,
                "Identity saved; the timeline says it was corrected, without the values.",
            );
            if is_current(s, case_ref) {
                fx.extend(refetch_case(s, case_ref));
            }
        }
        (Write::Notify(_), WriteOk::Case(detail)) => {
            let r = detail.case.reference.clone();
            s.banner(
                BannerKind::Info,
                format!(
                    "Notified: {r} created — press {} to open",
                    s.keymap
                        .key_for(crate::keymap::Ctx::Board, crate::keymap::Action::GotoNew)
                ),
            );
            s.goto = Some(r);
            fx.extend(fetch_cases(s));
        }
        (w, _) => {
            let case_ref = match w {
                Write::AddEvent { case_ref, .. }
                | Write::AddContact { case_ref, .. }
                | Write::Amend { case_ref, .. }
                | Write::RaiseQuestion { case_ref, .. }
                | Write::AdvanceQuestion { case_ref, .. }
                | Write::StartChecklist { case_ref, .. }
                | Write::ItemUpdate { case_ref, .. }
                | Write::Reveal { case_ref, .. }
                | Write::PutIdentity { case_ref, .. }
                | Write::Assign { case_ref, .. } => Some(case_ref.clone()),
                Write::Notify(_) => None,
            };
            match &case_ref {
                Some(r) => s.case_banner(BannerKind::Info, r, format!("Saved: {}.", w.what())),
                None => s.banner(BannerKind::Info, format!("Saved: {}.", w.what())),
            }
            if let Some(r) = case_ref.filter(|r| is_current(s, r)) {
                fx.extend(refetch_case(s, &r));
            }
        }
    }
}
