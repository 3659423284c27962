//! The case screen: tabs, selection, checklist marks, and the conflict dialog.

use jar_core::checklist::ItemStatus;
use jar_core::permissions;
use jar_core::wire::ItemUpdate;

use super::api::refetch_case;
use super::{forms, moved};
use crate::effect::Effect;
use crate::keymap::Action;
use crate::state::{
    BannerKind, CaseRef, Dialog, Form, FormKind, ItemAddr, Screen, State, Tab, Write,
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
                    Action::NextTab => (i + 1) % 4,
                    Action::PrevTab => (i + 3) % 4,
                    Action::Tab(n) => usize::from(n.clamp(1, 4)) - 1,
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
        Action::ItemDone | Action::ItemNotApplicable | Action::ItemUnable | Action::ItemNote => {
            mark_item(s, &case_ref, action)
        }
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
        _ => {}
    }
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
        _ => state.status,
    };
    if matches!(action, Action::ItemUnable | Action::ItemNote) {
        let addr = ItemAddr {
            case_ref: case_ref.clone(),
            template: template.clone(),
            item: item.id.clone(),
        };
        let kind = FormKind::ItemNote {
            addr: addr.clone(),
            version: state.version,
            status,
        };
        let note = if action == Action::ItemUnable && state.status != ItemStatus::Unable {
            String::new()
        } else {
            note
        };
        let fresh = Form::item_note(&addr, state.version, status, &note);
        forms::open(s, kind, fresh);
        return Vec::new();
    }
    let write = Write::ItemUpdate {
        case_ref: case_ref.clone(),
        template,
        item: item.id,
        version: state.version,
        update: ItemUpdate { status, note },
    };
    forms::send(s, write, None)
}

fn start_checklist(s: &mut State, case_ref: &CaseRef) -> Vec<Effect> {
    let Some(c) = s.case.as_ref() else {
        return Vec::new();
    };
    let Some(detail) = c.detail.ready() else {
        return Vec::new();
    };
    let Some(template) = detail.case.category.default_template() else {
        s.banner(
            BannerKind::Info,
            "No standard checklist for this presentation.",
        );
        return Vec::new();
    };
    if detail.checklists.iter().any(|t| t == template) {
        s.banner(BannerKind::Info, "The checklist is already started.");
        return Vec::new();
    }
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
        Dialog::Error { .. } => {
            if !matches!(action, Some(Action::Close)) {
                s.dialog = Some(dialog);
            }
            Vec::new()
        }
        Dialog::Conflict {
            case_ref,
            template,
            item,
            item_text,
            mine,
            theirs,
        } => {
            let addr = ItemAddr {
                case_ref: case_ref.into(),
                template,
                item,
            };
            on_conflict(s, action, addr, item_text, mine, theirs)
        }
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
                case_ref: addr.case_ref,
                template: addr.template.clone(),
                item: addr.item,
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
            let kind = FormKind::ItemNote {
                addr: addr.clone(),
                version: theirs.version,
                status: mine.status,
            };
            let form = Form::item_note(&addr, theirs.version, mine.status, &mine.note);
            if let Some(c) = s.case.as_mut() {
                c.set_item_state(&addr.template, theirs);
            }
            s.drafts.retain(|d| d.kind != kind);
            s.form = Some(form);
            Vec::new()
        }
        _ => {
            s.dialog = Some(Dialog::Conflict {
                case_ref: addr.case_ref.into(),
                template: addr.template,
                item: addr.item,
                item_text,
                mine,
                theirs,
            });
            Vec::new()
        }
    }
}
