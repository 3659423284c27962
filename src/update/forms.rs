//! Forms: opening (restoring drafts), typing, pasting, submitting as a pending write.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use uuid::Uuid;

use crate::effect::Effect;
use crate::keymap::{Action, Ctx};
use crate::sanitize;
use crate::state::forms::Value;
use crate::state::{BannerKind, Form, FormKind, State, Write};

/// The most text one paste may add (64 KiB, after cleaning); a larger paste is refused
/// with a banner and the text already typed is kept.
pub const PASTE_CAP: usize = 64 * 1024;

/// Open a form, restoring the draft of the same form if one was kept: the person is told
/// (and how to start again), times they did not set show now, typing continues at the end.
pub fn open(s: &mut State, kind: FormKind, fresh: Form) {
    let form = match s.drafts.iter().position(|d| d.kind.same_draft(&kind)) {
        Some(i) => {
            let mut draft = s.drafts.remove(i);
            draft.refresh_times(s.now);
            if let Some(at) = draft.draft_from {
                s.banner(
                    BannerKind::Info,
                    format!(
                        "Draft from {} restored — {} to discard.",
                        at.with_timezone(&chrono_tz::Europe::London).format("%H:%M"),
                        s.keymap.key_for(Ctx::Form, Action::DiscardDraft)
                    ),
                );
            }
            draft
        }
        None => fresh,
    };
    s.form = Some(form);
}

/// Put a form away as a draft (one per kind of form), noting when if the person typed in it.
pub fn keep_draft(s: &mut State, mut form: Form) {
    // An identity form starts from a revealed identity, which goes when the case is left: it
    // is never kept as a draft (issue 15 §1). A sent correction waits in the outbox until the
    // server confirms it, like every write.
    if matches!(form.kind, FormKind::Identity { .. }) {
        return;
    }
    if form.touched() {
        form.draft_from = Some(s.now);
    }
    form.after_cr = false;
    s.drafts.retain(|d| !d.kind.same_draft(&form.kind));
    s.drafts.push(form);
}

/// Ctrl-R: the open form starts again from empty; the restored draft is dropped.
fn discard_draft(s: &mut State) {
    let Some(form) = s.form.as_ref().filter(|f| f.draft_from.is_some()) else {
        return;
    };
    let (areas, user) = s
        .session
        .as_ref()
        .map(|p| (p.areas.clone(), p.username.clone()))
        .unwrap_or_default();
    let fresh = Form::fresh(&form.kind, &areas, &user, s.now);
    s.drafts.retain(|d| !d.kind.same_draft(&fresh.kind));
    s.form = Some(fresh);
    s.banner(BannerKind::Info, "Draft discarded: the form starts again.");
}

/// One key in a text box. Only the text box's own actions and printable characters do
/// anything: no key deletes a line or takes back text (see the keymap's `TextBox`).
fn text_box_key(
    ta: &mut tui_textarea::TextArea<'static>,
    key: &KeyEvent,
    action: Option<Action>,
    after_cr: &mut bool,
) -> bool {
    use tui_textarea::CursorMove;
    let was_cr = std::mem::take(after_cr);
    match action {
        Some(Action::Newline) => {
            // CR LF (a paste typed in by the terminal) is one line ending.
            let line_feed = key.code != KeyCode::Enter;
            if line_feed && was_cr {
                return false;
            }
            *after_cr = !line_feed;
            ta.insert_newline();
            true
        }
        Some(Action::DeleteBack) => ta.delete_char(),
        Some(Action::DeleteForward) => ta.delete_next_char(),
        Some(Action::CursorLeft) => {
            ta.move_cursor(CursorMove::Back);
            false
        }
        Some(Action::CursorRight) => {
            ta.move_cursor(CursorMove::Forward);
            false
        }
        Some(Action::CursorUp) => {
            ta.move_cursor(CursorMove::Up);
            false
        }
        Some(Action::CursorDown) => {
            ta.move_cursor(CursorMove::Down);
            false
        }
        Some(Action::LineStart) => {
            ta.move_cursor(CursorMove::Head);
            false
        }
        Some(Action::LineEnd) => {
            ta.move_cursor(CursorMove::End);
            false
        }
        _ => match key.code {
            KeyCode::Char(c)
                if !key
                    .modifiers
                    .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
            {
                ta.insert_char(c);
                true
            }
            _ => false,
        },
    }
}

pub fn on_key(s: &mut State, key: KeyEvent, action: Option<Action>) -> Vec<Effect> {
    match action {
        Some(Action::Submit) => return submit_form(s),
        Some(Action::Cancel) => {
            if let Some(form) = s.form.take() {
                keep_draft(s, form);
            }
            return Vec::new();
        }
        Some(Action::DiscardDraft) => {
            discard_draft(s);
            return Vec::new();
        }
        Some(Action::NextField) => {
            if let Some(f) = s.form.as_mut() {
                f.after_cr = false;
                f.focus = (f.focus + 1) % f.fields.len().max(1);
            }
            return Vec::new();
        }
        Some(Action::PrevField) => {
            if let Some(f) = s.form.as_mut() {
                f.after_cr = false;
                let n = f.fields.len().max(1);
                f.focus = (f.focus + n - 1) % n;
            }
            return Vec::new();
        }
        _ => {}
    }
    let Some(form) = s.form.as_mut() else {
        return Vec::new();
    };
    let nfields = form.fields.len();
    let focus = form.focus;
    let Some(field) = form.fields.get_mut(focus) else {
        return Vec::new();
    };
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let mut next_field = 0i32;
    let mut edited = false;
    // Text boxes take their own keys and text; lines take text; lists and choices act on
    // the keymap's Form actions.
    match (&mut field.value, action) {
        (Value::Text(ta), a) => edited = text_box_key(ta, &key, a, &mut form.after_cr),
        (Value::Line(_) | Value::Secret(_), Some(Action::FieldEnter | Action::Down)) => {
            next_field = 1
        }
        (Value::Line(_) | Value::Secret(_), Some(Action::Up)) => next_field = -1,
        (Value::Line(text) | Value::Secret(text), _) => match key.code {
            KeyCode::Char(c) if !ctrl && text.chars().count() < 500 => {
                text.push(c);
                edited = true;
            }
            KeyCode::Backspace => edited = text.pop().is_some(),
            _ => {}
        },
        (Value::Choice { options, index }, Some(a)) => {
            let n = options.len().max(1);
            match a {
                Action::ChoiceNext | Action::Toggle => {
                    *index = (*index + 1) % n;
                    edited = true;
                }
                Action::ChoicePrev => {
                    *index = (*index + n - 1) % n;
                    edited = true;
                }
                Action::FieldEnter | Action::Down => next_field = 1,
                Action::Up => next_field = -1,
                _ => {}
            }
        }
        (
            Value::Multi {
                options,
                chosen,
                cursor,
            },
            Some(a),
        ) => match a {
            Action::Toggle => {
                if let Some(c) = chosen.get_mut(*cursor) {
                    *c = !*c;
                    edited = true;
                }
            }
            Action::Down if *cursor + 1 < options.len() => *cursor += 1,
            Action::Up if *cursor > 0 => *cursor -= 1,
            Action::Down | Action::FieldEnter => next_field = 1,
            Action::Up => next_field = -1,
            _ => {}
        },
        (Value::Check(b), Some(a)) => match a {
            Action::Toggle => {
                *b = !*b;
                edited = true;
            }
            Action::FieldEnter | Action::Down => next_field = 1,
            Action::Up => next_field = -1,
            _ => {}
        },
        _ => {}
    }
    if edited && let Some(f) = form.fields.get_mut(focus) {
        f.edited = true;
    }
    match next_field {
        1 => form.focus = (form.focus + 1).min(nfields.saturating_sub(1)),
        -1 => form.focus = form.focus.saturating_sub(1),
        _ => {}
    }
    Vec::new()
}

/// A paste goes into the focused text field as text: it never submits, and newlines in a
/// one-line field become spaces.
pub fn on_paste(s: &mut State, raw: &str) {
    let text = sanitize::clean(raw);
    if text.len() > PASTE_CAP {
        s.banner(
            crate::state::BannerKind::Error,
            format!(
                "That paste is over {} KiB; nothing was pasted (what you typed is kept).",
                PASTE_CAP / 1024
            ),
        );
        return;
    }
    if let Some(login) = s.login.as_mut() {
        let one_line = text.replace('\n', "");
        if login.focus == 0 {
            login.username.push_str(&one_line);
        } else {
            login.password.push_str(&one_line);
        }
        return;
    }
    if s.board.editing_filter {
        s.board.filter.text.push_str(&text.replace('\n', " "));
        return;
    }
    let Some(field) = s.form.as_mut().and_then(|f| f.focused_mut()) else {
        return;
    };
    match &mut field.value {
        Value::Text(ta) => {
            ta.insert_str(&text);
            field.edited |= !text.is_empty();
        }
        Value::Line(l) | Value::Secret(l) => {
            l.push_str(&text.replace('\n', " "));
            field.edited |= !text.is_empty();
        }
        _ => {}
    }
}

/// Ctrl-S: validate, turn the form into a write, queue it with a new idempotency key.
pub fn submit_form(s: &mut State) -> Vec<Effect> {
    let Some(form) = s.form.take() else {
        return Vec::new();
    };
    let now = s.now;
    // The audit filters are read, not written.
    if form.kind == FormKind::AuditFilter {
        return super::desk::filtered(s, form);
    }
    let built: Result<Write, String> = match &form.kind {
        // The handover, the manager's desk, withdrawal and linking (issue 17, issue 15 §3).
        FormKind::Handover { .. }
        | FormKind::AddUser { .. }
        | FormKind::ConfirmUser { .. }
        | FormKind::SetCover { .. }
        | FormKind::Withdraw { .. }
        | FormKind::LinkDuplicate { .. }
        | FormKind::AuditFilter => super::desk::built(&form, now)
            .unwrap_or_else(|| Err("this form saves nothing".to_string())),
        FormKind::Contact { case_ref, .. } => {
            form.to_contact(now).map(|contact| Write::AddContact {
                case_ref: case_ref.clone(),
                contact,
            })
        }
        FormKind::Notify => form.to_new_case(now).map(Write::Notify),
        FormKind::AddEvent { case_ref } | FormKind::Correction { case_ref, .. } => {
            form.to_event(now).map(|event| Write::AddEvent {
                case_ref: case_ref.clone(),
                event,
            })
        }
        FormKind::Amend {
            case_ref,
            contact_id,
        } => form.to_amendment(now).map(|amendment| Write::Amend {
            case_ref: case_ref.clone(),
            contact_id: *contact_id,
            amendment,
        }),
        FormKind::Assign {
            case_ref, version, ..
        } => crate::state::assign_form::read(&form).map(|(slot, username)| Write::Assign {
            case_ref: case_ref.clone().into(),
            version: *version,
            slot,
            username,
        }),
        FormKind::Identity { case_ref, version } => {
            crate::state::identity_form::read(&form).map(|id| Write::PutIdentity {
                case_ref: case_ref.clone().into(),
                version: *version,
                identity: Box::new(id.unwrap_or_default()),
            })
        }
        FormKind::CaseFacts {
            case_ref, version, ..
        } => crate::state::facts_form::read(&form, now).map(|patch| Write::CorrectFacts {
            case_ref: case_ref.clone().into(),
            version: *version,
            patch: Box::new(patch),
        }),
        FormKind::DeadlineNa {
            case_ref, version, ..
        } => crate::state::facts_form::read_na(&form).map(|(rule, reason)| Write::DeadlineNa {
            case_ref: case_ref.clone().into(),
            version: *version,
            rule,
            reason,
        }),
        FormKind::Question { case_ref } => {
            crate::state::question_form::read(&form).map(|question| Write::RaiseQuestion {
                case_ref: case_ref.clone(),
                question,
            })
        }
        FormKind::QuestionStep {
            case_ref,
            question_id,
            status,
        } => crate::state::question_form::read_step(&form, *status).map(|step| {
            Write::AdvanceQuestion {
                case_ref: case_ref.clone(),
                question_id: *question_id,
                step,
            }
        }),
        FormKind::Reveal { case_ref } => {
            let reason = form.reveal_reason();
            if reason.trim().is_empty() {
                Err("Reason: say why you need the identity; it is recorded.".to_string())
            } else {
                Ok(Write::Reveal {
                    case_ref: case_ref.clone(),
                    reason,
                })
            }
        }
        FormKind::ItemNote { addr, version, .. } => {
            form.to_item_update(s.now).map(|update| Write::ItemUpdate {
                addr: addr.clone(),
                version: *version,
                update,
            })
        }
    };
    // Only the roles that own a step record it; closing the case asks first, listing what
    // is still open (issue 14 §3).
    if let Ok(Write::AddEvent { event, .. }) = &built {
        if let Some(reason) = s.session.as_ref().and_then(|who| {
            let corrected = form_corrected_kind(s, event.corrects);
            jar_core::permissions::event_lock_reason(who.role, event.kind, corrected)
        }) {
            let mut form = form;
            form.error = Some(format!("Not yours to record: {reason}."));
            s.form = Some(form);
            return Vec::new();
        }
        if event.kind.closes_case()
            && let Ok(write) = built
        {
            s.dialog = Some(crate::update::close::confirm(s, write, form));
            return Vec::new();
        }
    }
    match built {
        Ok(write) => send(s, write, Some(form)),
        Err(e) => {
            let mut form = form;
            form.error = Some(e);
            s.form = Some(form);
            Vec::new()
        }
    }
}

/// The kind of the event a correction corrects, from the timeline on screen.
fn form_corrected_kind(s: &State, corrects: Option<i64>) -> Option<jar_core::timeline::EventKind> {
    let id = corrects?;
    s.case
        .as_ref()
        .and_then(|c| c.timeline.ready())
        .and_then(|t| t.iter().find(|e| e.id == id))
        .map(|e| e.kind)
}

/// Queue a write in the outbox with a fresh idempotency key; it is sent (after the
/// journal has it) when the writes before it are confirmed.
pub fn send(s: &mut State, write: Write, form: Option<Form>) -> Vec<Effect> {
    let what = write.what();
    s.outbox.queue(Uuid::new_v4(), write, form);
    // Shown at once as pending; "Saved: …" replaces it when the server confirms.
    s.banner(
        BannerKind::Info,
        format!(
            "Pending: {what} kept on this device and sending ({} waiting).",
            s.outbox.len()
        ),
    );
    super::api::pump(s)
}
