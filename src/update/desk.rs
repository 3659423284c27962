//! The manager's desk (issue 17 §2): `L` opens the audit log, `U` the users of the manager's
//! areas. Reads are effects; every change (add, disable, reset a password, cover) is a
//! write through the outbox after a form, and the screen is read again once it is confirmed.

use jar_core::people::EndCover;

use crate::effect::Effect;
use crate::keymap::Action;
use crate::state::desk::{self, UserChange};
use crate::state::{BannerKind, Form, FormKind, Screen, State, Write};

pub fn open_audit(s: &mut State) -> Vec<Effect> {
    s.screen = Screen::Audit;
    s.desk.audit = desk::AuditState::default();
    fetch_audit(s)
}

pub fn open_users(s: &mut State) -> Vec<Effect> {
    s.screen = Screen::Users;
    s.desk.users.selected = 0;
    fetch_users(s)
}

fn fetch_audit(s: &mut State) -> Vec<Effect> {
    s.desk.loading = true;
    vec![Effect::FetchAudit(s.desk.audit.page_query())]
}

fn fetch_users(s: &mut State) -> Vec<Effect> {
    s.desk.loading = true;
    vec![Effect::FetchUsers]
}

pub fn audit_page(s: &mut State, result: Result<jar_core::wire::AuditList, crate::api::ApiError>) {
    s.desk.loading = false;
    let a = &mut s.desk.audit;
    match result {
        Ok(list) => {
            a.items = list.items;
            a.next_cursor = list.next_cursor;
            a.selected = 0;
            a.error = None;
        }
        Err(e) => a.error = Some(e.describe()),
    }
}

pub fn users(
    s: &mut State,
    result: Result<
        (
            Vec<jar_core::wire::UserSummary>,
            Vec<jar_core::people::Cover>,
        ),
        crate::api::ApiError,
    >,
) {
    s.desk.loading = false;
    let areas = s
        .session
        .as_ref()
        .map(|p| p.areas.clone())
        .unwrap_or_default();
    let u = &mut s.desk.users;
    match result {
        Ok((items, covers)) => {
            u.items = desk::of_areas(items, &areas);
            u.covers = covers;
            u.selected = u.selected.min(u.items.len().saturating_sub(1));
            u.error = None;
        }
        Err(e) => u.error = Some(e.describe()),
    }
}

pub fn on_audit(s: &mut State, action: Action) -> Vec<Effect> {
    let a = &mut s.desk.audit;
    match action {
        Action::Back => {
            s.screen = Screen::Board;
            Vec::new()
        }
        Action::Refresh => {
            s.desk.audit.before.clear();
            s.desk.audit.cursor = None;
            fetch_audit(s)
        }
        Action::NextPage => match a.next_cursor.clone() {
            Some(next) => {
                let here = a.cursor.replace(next);
                a.before.push(here);
                fetch_audit(s)
            }
            None => {
                s.banner(BannerKind::Info, "This is the last (oldest) page.");
                Vec::new()
            }
        },
        Action::PrevPage => match a.before.pop() {
            Some(cursor) => {
                a.cursor = cursor;
                fetch_audit(s)
            }
            None => {
                s.banner(BannerKind::Info, "This is the first (newest) page.");
                Vec::new()
            }
        },
        Action::Filter => {
            s.form = Some(desk::audit_filter_form(&a.query));
            Vec::new()
        }
        Action::Up
        | Action::Down
        | Action::PageUp
        | Action::PageDown
        | Action::Top
        | Action::Bottom => {
            a.selected = super::moved(a.selected, a.items.len(), action, 10);
            Vec::new()
        }
        _ => Vec::new(),
    }
}

/// The filter form was saved: the first page with the new filters.
pub fn filtered(s: &mut State, form: Form) -> Vec<Effect> {
    match desk::read_audit_filter(&form, s.now) {
        Ok(q) => {
            let a = &mut s.desk.audit;
            a.query = q;
            a.before.clear();
            a.cursor = None;
            fetch_audit(s)
        }
        Err(e) => {
            let mut form = form;
            form.error = Some(e);
            s.form = Some(form);
            Vec::new()
        }
    }
}

pub fn on_users(s: &mut State, action: Action) -> Vec<Effect> {
    let areas = s
        .session
        .as_ref()
        .map(|p| p.areas.clone())
        .unwrap_or_default();
    let u = &mut s.desk.users;
    let current = u.current().cloned();
    match action {
        Action::Back => {
            s.screen = Screen::Board;
            Vec::new()
        }
        Action::Refresh => fetch_users(s),
        Action::Up
        | Action::Down
        | Action::PageUp
        | Action::PageDown
        | Action::Top
        | Action::Bottom => {
            u.selected = super::moved(u.selected, u.items.len(), action, 10);
            Vec::new()
        }
        Action::Add => {
            let kind = FormKind::AddUser {
                areas: areas.clone(),
            };
            super::forms::open(s, kind, desk::add_user_form(&areas));
            Vec::new()
        }
        Action::DisableUser | Action::ResetPassword => {
            let Some(user) = current else {
                return Vec::new();
            };
            if action == Action::DisableUser && user.disabled {
                s.banner(
                    BannerKind::Info,
                    format!("{} is disabled already.", user.username),
                );
                return Vec::new();
            }
            let change = if action == Action::DisableUser {
                UserChange::Disable
            } else {
                UserChange::ResetPassword
            };
            s.form = Some(desk::confirm_form(&user.username, change, &[]));
            Vec::new()
        }
        Action::SetCover | Action::EndCover => {
            let Some(user) = current.filter(|u| u.role == jar_core::Role::KeyWorker) else {
                s.banner(
                    BannerKind::Info,
                    "Cover is for key workers: select one (their cover colleague sees their cases).",
                );
                return Vec::new();
            };
            if action == Action::SetCover {
                let kws = u.key_workers();
                if kws.iter().all(|k| *k == user.username) {
                    s.banner(
                        BannerKind::Info,
                        "There is no other key worker in your areas to cover.",
                    );
                    return Vec::new();
                }
                s.form = Some(desk::cover_form(&user.username, &kws, s.now));
            } else {
                let covers: Vec<_> = u
                    .covers
                    .iter()
                    .filter(|c| c.covered == user.username)
                    .cloned()
                    .collect();
                if covers.is_empty() {
                    s.banner(
                        BannerKind::Info,
                        format!("{} has no cover in force or to come.", user.username),
                    );
                    return Vec::new();
                }
                s.form = Some(desk::confirm_form(
                    &user.username,
                    UserChange::EndCover,
                    &covers,
                ));
            }
            Vec::new()
        }
        _ => Vec::new(),
    }
}

/// The write a desk form asks for, or why not (`None`: not a desk form).
pub fn built(form: &Form, now: chrono::DateTime<chrono::Utc>) -> Option<Result<Write, String>> {
    Some(match &form.kind {
        FormKind::AddUser { .. } => {
            desk::read_add_user(form).map(|(username, role, areas)| Write::AddUser {
                username,
                role,
                areas,
            })
        }
        FormKind::ConfirmUser { username, change } => {
            if !form.checked("sure") {
                Err("Yes, do it: tick it (Space) to confirm, or Esc to leave it".to_string())
            } else {
                Ok(match change {
                    UserChange::Disable => Write::DisableUser {
                        username: username.clone(),
                    },
                    UserChange::ResetPassword => Write::ResetPassword {
                        username: username.clone(),
                    },
                    UserChange::EndCover => {
                        let cover = match form.field("cover").map(|f| &f.value) {
                            Some(crate::state::forms::Value::Choice { options, index }) => {
                                options.get(*index).cloned().unwrap_or_default()
                            }
                            _ => String::new(),
                        };
                        Write::EndCover(EndCover {
                            covered: username.clone(),
                            cover,
                        })
                    }
                })
            }
        }
        FormKind::SetCover { .. } => desk::read_cover(form, now).map(Write::SetCover),
        FormKind::Withdraw { case_ref, version } => {
            crate::state::withdraw_form::reason(form).map(|reason| Write::Withdraw {
                case_ref: case_ref.clone().into(),
                version: *version,
                reason,
            })
        }
        FormKind::LinkDuplicate { case_ref, version } => {
            crate::state::withdraw_form::read_link(form).map(|(duplicate, reason)| {
                Write::LinkDuplicate {
                    case_ref: case_ref.clone().into(),
                    version: *version,
                    duplicate,
                    reason,
                }
            })
        }
        FormKind::Handover { .. } => {
            crate::state::handover_form::read(form).map(Write::SendHandover)
        }
        _ => return None,
    })
}

/// A desk write confirmed: say so (a one-time password in a dialog, shown once), and read
/// the users again.
pub fn confirmed(s: &mut State, write: &Write, ok: crate::msg::WriteOk) -> Vec<Effect> {
    if let crate::msg::WriteOk::Password(p) = ok {
        s.dialog = Some(crate::state::Dialog::Notice {
            title: format!("One-time password for {}", p.username),
            detail: format!(
                "{}  — give it to them now by a safe route: it is shown this once.",
                p.password
            ),
        });
    } else {
        s.banner(BannerKind::Info, format!("Saved: {}.", write.what()));
    }
    if s.screen == Screen::Users {
        fetch_users(s)
    } else {
        Vec::new()
    }
}

/// `W` (withdraw) and `D` (link a duplicate) on the case Summary (issue 15 §3): who may is
/// checked as the server checks it (`jar_core::permissions`).
pub fn case_form(s: &mut State, case_ref: &str, action: Action) -> Vec<Effect> {
    let case = s
        .case
        .as_ref()
        .and_then(|c| c.detail.ready())
        .map(|d| d.case.clone());
    let (Some(case), Some(who)) = (case, s.session.clone()) else {
        return Vec::new();
    };
    let (kind, form) = if action == Action::Withdraw {
        if !jar_core::permissions::may_withdraw(&who, &case) {
            s.case_banner(
                BannerKind::Notice,
                case_ref,
                "Only the person who notified this death or a manager can withdraw it.",
            );
            return Vec::new();
        }
        (
            FormKind::Withdraw {
                case_ref: case_ref.to_string(),
                version: case.version,
            },
            crate::state::withdraw_form::withdraw(case_ref, case.version),
        )
    } else {
        if !jar_core::permissions::manager_only(who.role) {
            s.case_banner(
                BannerKind::Notice,
                case_ref,
                "Only a manager links two cases.",
            );
            return Vec::new();
        }
        (
            FormKind::LinkDuplicate {
                case_ref: case_ref.to_string(),
                version: case.version,
            },
            crate::state::withdraw_form::link(case_ref, case.version),
        )
    };
    super::forms::open(s, kind, form);
    Vec::new()
}
