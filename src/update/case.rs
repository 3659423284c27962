//! The case screen: tabs, selection, checklist marks, and the conflict dialog.

use jar_core::checklist::ItemStatus;
use jar_core::permissions;
use jar_core::wire::ItemUpdate;

use super::api::refetch_case;
use super::{forms, moved};
use crate::effect::Effect;
use crate::keymap::Action;
use crate::state::{
    BannerKind, CaseRef, Conflict, Dialog, Form, FormKind, ItemAddr, Screen, State, Tab, Write,
};

fn ref_of(s: &State) -> Option<CaseRef> {
    s.case.as_ref().map(|c| c.reference.clone())
}

pub fn on_action(s: &mut State, action: Action) -> Vec<Effect> {
    let Some(case_ref) = ref_of(s) else {
        s.screen = Screen::Board;
        return Vec::new();
    };
    let page = usize::from(s.size.1.saturating_sub(8)).max(1);
    match action {
        Action::Back | Action::Quit => {
            // Leaving the case drops it, identity and messages about it included.
            s.case = None;
            s.forget_other_cases_banner(None);
            s.screen = Screen::Board;
            Vec::new()
        }
        Action::NextTab | Action::PrevTab | Action::Tab(_) => {
            if let Some(c) = s.case.as_mut() {
                let i = c.tab.tab.index();
                let next = match action {
                    Action::NextTab => (i + 1) % Tab::ALL.len(),
                    Action::PrevTab => (i + Tab::ALL.len() - 1) % Tab::ALL.len(),
                    Action::Tab(n) => usize::from(n.clamp(1, 5)) - 1,
                    _ => i,
                };
                c.tab.tab = Tab::ALL[next];
            }
            Vec::new()
        }
        Action::Up
        | Action::Down
        | Action::PageUp
        | Action::PageDown
        | Action::Top
        | Action::Bottom => {
            if let Some(c) = s.case.as_mut() {
                let len = c.row_count();
                let len = if len == usize::MAX { 200 } else { len };
                let row = moved(c.tab.row(), len, action, page);
                c.tab.set_row(row);
            }
            Vec::new()
        }
        Action::Refresh => refetch_case(s, &case_ref),
        // Permissions are checked with the key's binding (`keymap::table`).
        Action::Reveal => {
            forms::open(
                s,
                FormKind::Reveal {
                    case_ref: case_ref.clone(),
                },
                Form::reveal(&case_ref),
            );
            Vec::new()
        }
        Action::EditIdentity => crate::update::identity::edit(s, &case_ref),
        Action::Assign => crate::update::assign::start(s, &case_ref),
        Action::CorrectFacts => crate::update::facts::correct(s, &case_ref),
        Action::DeadlineNotApplicable => crate::update::facts::not_applicable(s, &case_ref),
        Action::Withdraw | Action::LinkDuplicate => {
            crate::update::desk::case_form(s, &case_ref, action)
        }
        Action::Add => add(s, &case_ref),
        Action::Correct => {
            let Some(ev) = s.case.as_ref().and_then(|c| c.selected_event()).cloned() else {
                return Vec::new();
            };
            let kind = FormKind::Correction {
                case_ref: case_ref.clone(),
                corrects: ev.id,
            };
            forms::open(s, kind, Form::correction(&case_ref, ev.id, ev.kind.label()));
            Vec::new()
        }
        Action::NextStep => next_step(s, &case_ref),
        Action::Amend => {
            let Some(id) = s
                .case
                .as_ref()
                .and_then(|c| c.selected_contact())
                .map(|c| c.id)
            else {
                return Vec::new();
            };
            let kind = FormKind::Amend {
                case_ref: case_ref.clone(),
                contact_id: id,
            };
            forms::open(s, kind, Form::amend(&case_ref, id));
            Vec::new()
        }
        Action::ItemDone
        | Action::ItemNotApplicable
        | Action::ItemUnable
        | Action::ItemNote
        | Action::ItemDeferred
        | Action::ItemReopen => mark_item(s, &case_ref, action),
        Action::StartChecklist => start_checklist(s, &case_ref),
        _ => Vec::new(),
    }
}

fn add(s: &mut State, case_ref: &CaseRef) -> Vec<Effect> {
    let tab = s.case.as_ref().map(|c| c.tab.tab);
    match tab {
        Some(Tab::Timeline) => {
            let kind = FormKind::AddEvent {
                case_ref: case_ref.clone(),
            };
            forms::open(s, kind, Form::add_event(case_ref, s.now));
        }
        Some(Tab::Contacts) => {
            // The area's services when the contact log brought them, else the national ones,
            // in the order for the case's presenting category.
            let services = s
                .case
                .as_ref()
                .map(|c| {
                    let category = c.detail.ready().map(|d| d.case.category);
                    let cat = c.support_catalogue.clone().unwrap_or_else(|| {
                        let national = jar_core::support::Catalogue::national();
                        category.map_or_else(|| national.clone(), |k| national.for_category(k))
                    });
                    crate::state::forms::service_choices(&cat)
                })
                .unwrap_or_default();
            let kind = FormKind::Contact {
                case_ref: case_ref.clone(),
                services: services.clone(),
            };
            forms::open(s, kind, Form::contact_offering(case_ref, services, s.now));
        }
        Some(Tab::Questions) => {
            let kind = FormKind::Question {
                case_ref: case_ref.clone(),
            };
            forms::open(s, kind, Form::question(case_ref));
        }
        _ => {}
    }
    Vec::new()
}

/// Open the step form for the selected question, or say why this person may not take it on.
fn next_step(s: &mut State, case_ref: &CaseRef) -> Vec<Effect> {
    let (Some(who), Some(c)) = (s.session.as_ref(), s.case.as_ref()) else {
        return Vec::new();
    };
    let (Some(q), Some(d)) = (c.selected_question(), c.detail.ready()) else {
        return Vec::new();
    };
    let Some(to) = q.status.next() else {
        s.case_banner(
            BannerKind::Info,
            case_ref,
            "This question has been fed back to the family already.",
        );
        return Vec::new();
    };
    if !permissions::may_advance_question(who, &d.case, q, to) {
        let why = match to {
            jar_core::questions::QuestionStatus::AnswerDrafted => {
                format!("The answer is drafted by {}.", q.agency.label())
            }
            jar_core::questions::QuestionStatus::AnsweredAtCdrm => {
                "The CDR manager records answers given at the meeting.".to_string()
            }
            _ => "The key worker records that the family was told.".to_string(),
        };
        s.case_banner(BannerKind::Info, case_ref, why);
        return Vec::new();
    }
    let id = q.id;
    let kind = FormKind::QuestionStep {
        case_ref: case_ref.clone(),
        question_id: id,
        status: to,
    };
    forms::open(
        s,
        kind,
        crate::state::question_form::step_form(case_ref, id, to),
    );
    Vec::new()
}

fn mark_item(s: &mut State, case_ref: &CaseRef, action: Action) -> Vec<Effect> {
    let Some(role) = s.session.as_ref().map(|p| p.role) else {
        return Vec::new();
    };
    let Some((template, item, state)) = s.case.as_ref().and_then(|c| {
        c.selected_item().map(|i| {
            (
                i.template.to_string(),
                i.view.item.clone(),
                i.view.state.clone(),
            )
        })
    }) else {
        return Vec::new();
    };
    if let Some(reason) = permissions::item_lock_reason(role, &item) {
        s.case_banner(
            BannerKind::Error,
            case_ref,
            format!("{} is read-only for you: {reason}.", item.id),
        );
        return Vec::new();
    }
    let note = state.note.clone().unwrap_or_default();
    let status = match action {
        Action::ItemDone => ItemStatus::Done,
        Action::ItemNotApplicable => ItemStatus::NotApplicable,
        Action::ItemUnable => ItemStatus::Unable,
        Action::ItemDeferred => ItemStatus::DeferredToPostMortem,
        Action::ItemReopen => ItemStatus::Open,
        _ => state.status,
    };
    if action == Action::ItemReopen && !state.status.is_closed() {
        s.case_banner(
            BannerKind::Info,
            case_ref,
            format!("{} is not closed: nothing to reopen.", item.id),
        );
        return Vec::new();
    }
    let addr = ItemAddr {
        case_ref: case_ref.clone(),
        template: template.clone(),
        item: item.id.clone(),
    };
    // A sample marked done asks when it was taken; unable and deferred ask why.
    let sample_done = item.sample && status == ItemStatus::Done && action == Action::ItemDone;
    let form = if sample_done {
        Some(Form::sample_taken(&addr, state.version, &note, s.now))
    } else if status.needs_note() && action != Action::ItemNote || action == Action::ItemNote {
        let note = if status.needs_note() && state.status != status {
            String::new()
        } else {
            note.clone()
        };
        Some(Form::item_note(&addr, state.version, status, &note))
    } else {
        None
    };
    // Changing an item someone closed asks first (issue 14 §3): it overwrites their record.
    let overwrites = state.status.is_closed() && status != state.status;
    if let Some(form) = form {
        if overwrites {
            s.dialog = Some(overwrite_dialog(&item, &state, status, None, Some(form)));
            return Vec::new();
        }
        let kind = form.kind.clone();
        forms::open(s, kind, form);
        return Vec::new();
    }
    let write = Write::ItemUpdate {
        addr: ItemAddr {
            case_ref: case_ref.clone(),
            template,
            item: item.id.clone(),
        },
        version: state.version,
        update: ItemUpdate::new(status, note),
    };
    if overwrites {
        s.dialog = Some(overwrite_dialog(&item, &state, status, Some(write), None));
        return Vec::new();
    }
    forms::send(s, write, None)
}

/// The question before a closed item is changed: what it says now, by whom, and what it
/// becomes. `y` sends the write, or opens the form that asks for the rest.
fn overwrite_dialog(
    item: &jar_core::checklist::TemplateItem,
    state: &jar_core::checklist::ItemState,
    to: ItemStatus,
    write: Option<Write>,
    form: Option<Form>,
) -> Dialog {
    let by = match (&state.updated_by, state.updated_at) {
        (Some(b), Some(t)) => format!(" by {b}, {}", jar_core::time::uk_datetime(t)),
        _ => String::new(),
    };
    let mut lines = vec![
        format!("{} {}", item.id, item.text),
        format!("It is {}{by}.", state.status.label()),
        format!("Change it to {}?", to.label()),
    ];
    if to == ItemStatus::Open {
        lines.push("Reopening is recorded in the audit trail.".to_string());
    }
    match (write, form) {
        (Some(w), _) => Dialog::Confirm {
            title: "This item is closed".to_string(),
            lines,
            write: Box::new(w),
            form: None,
        },
        (None, Some(f)) => Dialog::ConfirmForm {
            title: "This item is closed".to_string(),
            lines,
            form: Box::new(f),
        },
        (None, None) => Dialog::Error {
            title: "Nothing to change".to_string(),
            detail: String::new(),
        },
    }
}

fn start_checklist(s: &mut State, case_ref: &CaseRef) -> Vec<Effect> {
    let Some(c) = s.case.as_ref() else {
        return Vec::new();
    };
    let Some(detail) = c.detail.ready() else {
        return Vec::new();
    };
    // Every case starts with the core response and its supplement (issue 14 §3); a case
    // notified before that may lack one: `s` starts the first that is missing.
    let Some(template) = detail
        .case
        .category
        .templates()
        .into_iter()
        .find(|t| !detail.checklists.iter().any(|have| have == t))
    else {
        s.banner(
            BannerKind::Info,
            "Every checklist for this case is started.",
        );
        return Vec::new();
    };
    let write = Write::StartChecklist {
        case_ref: case_ref.clone(),
        template: template.to_string(),
    };
    forms::send(s, write, None)
}

pub fn on_dialog(s: &mut State, action: Option<Action>) -> Vec<Effect> {
    let Some(dialog) = s.dialog.take() else {
        return Vec::new();
    };
    match dialog {
        Dialog::SignOut { waiting } => match action {
            Some(Action::Confirm) => super::login::sign_out(s),
            Some(Action::Close) => Vec::new(),
            _ => {
                s.dialog = Some(Dialog::SignOut { waiting });
                Vec::new()
            }
        },
        Dialog::Confirm {
            title,
            lines,
            write,
            form,
        } => match action {
            Some(Action::Confirm) => forms::send(s, *write, form.map(|f| *f)),
            Some(Action::Close) => {
                // No: a form that asked is kept as a draft, so nothing typed is lost.
                if let Some(f) = form {
                    forms::keep_draft(s, *f);
                }
                s.banner(BannerKind::Info, "Not sent.");
                Vec::new()
            }
            _ => {
                s.dialog = Some(Dialog::Confirm {
                    title,
                    lines,
                    write,
                    form,
                });
                Vec::new()
            }
        },
        Dialog::ConfirmForm { title, lines, form } => match action {
            Some(Action::Confirm) => {
                let kind = form.kind.clone();
                forms::open(s, kind, *form);
                Vec::new()
            }
            Some(Action::Close) => Vec::new(),
            _ => {
                s.dialog = Some(Dialog::ConfirmForm { title, lines, form });
                Vec::new()
            }
        },
        Dialog::Error { .. } | Dialog::Notice { .. } => {
            if !matches!(action, Some(Action::Close)) {
                s.dialog = Some(dialog);
            }
            Vec::new()
        }
        Dialog::Conflict(c) => on_conflict(s, action, c.addr, c.item_text, c.mine, c.theirs),
    }
}

/// The conflict box: re-apply mine on their version, keep theirs, or edit mine again.
fn on_conflict(
    s: &mut State,
    action: Option<Action>,
    addr: ItemAddr,
    item_text: String,
    mine: ItemUpdate,
    theirs: jar_core::checklist::ItemState,
) -> Vec<Effect> {
    match action {
        Some(Action::ReApply) => {
            let write = Write::ItemUpdate {
                addr: addr.clone(),
                version: theirs.version,
                update: mine,
            };
            if let Some(c) = s.case.as_mut() {
                c.set_item_state(&addr.template, theirs);
            }
            forms::send(s, write, None)
        }
        Some(Action::Discard) => {
            if let Some(c) = s.case.as_mut() {
                c.set_item_state(&addr.template, theirs);
            }
            s.banner(
                BannerKind::Info,
                format!("Kept the current version of {}.", addr.item),
            );
            Vec::new()
        }
        Some(Action::EditMine) | Some(Action::Close) => {
            // Nothing typed is lost: reopen my note against their version.
            // A sample's time is asked again (it shows the time of the form, to be set).
            let form = if mine.taken_at.is_some() {
                Form::sample_taken(&addr, theirs.version, &mine.note, s.now)
            } else {
                Form::item_note(&addr, theirs.version, mine.status, &mine.note)
            };
            let kind = form.kind.clone();
            if let Some(c) = s.case.as_mut() {
                c.set_item_state(&addr.template, theirs);
            }
            s.drafts.retain(|d| d.kind != kind);
            s.form = Some(form);
            Vec::new()
        }
        _ => {
            s.dialog = Some(Dialog::Conflict(Conflict {
                addr,
                item_text,
                mine,
                theirs,
            }));
            Vec::new()
        }
    }
}
