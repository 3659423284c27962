//! The manager's desk (issue 17 §2): the audit log, filtered and paged newest first, and the
//! users of the manager's areas with the key-worker cover periods. Pure data and the forms
//! that change it; `update::desk` sends what the forms build through the outbox.

use chrono::{DateTime, Utc};
use jar_core::Role;
use jar_core::people::Cover;
use jar_core::wire::{AuditEntry, UserSummary};

use super::forms::{Field, Form, FormKind, Value};
use crate::api::desk::AuditQuery;
use crate::timeparse::{Tense, parse_optional};

/// One page of the audit log at a time (the board's page size, `api::limits`).
pub const AUDIT_PAGE: u32 = 50;

#[derive(Debug, Clone, Default)]
pub struct AuditState {
    /// The filters in force (the cursor is the page's, below).
    pub query: AuditQuery,
    /// The cursors of the pages before this one (newest first): `PrevPage` pops one.
    pub before: Vec<Option<String>>,
    /// This page's cursor (`None`: the newest).
    pub cursor: Option<String>,
    pub items: Vec<AuditEntry>,
    pub next_cursor: Option<String>,
    pub selected: usize,
    pub error: Option<String>,
}

impl AuditState {
    /// The query for the page shown.
    pub fn page_query(&self) -> AuditQuery {
        AuditQuery {
            cursor: self.cursor.clone(),
            limit: Some(AUDIT_PAGE),
            ..self.query.clone()
        }
    }

    /// The filters in words for the header ("case JAR-2026-0042 · action identity.reveal").
    pub fn filter_words(&self) -> String {
        let q = &self.query;
        let time = |t: &DateTime<Utc>| jar_core::time::uk_datetime(*t);
        let parts: Vec<String> = [
            q.case_ref.as_ref().map(|v| format!("case {v}")),
            q.user.as_ref().map(|v| format!("user {v}")),
            q.action.as_ref().map(|v| format!("action {v}")),
            q.since.as_ref().map(|v| format!("from {}", time(v))),
            q.until.as_ref().map(|v| format!("before {}", time(v))),
        ]
        .into_iter()
        .flatten()
        .collect();
        if parts.is_empty() {
            "everything".to_string()
        } else {
            parts.join(" · ")
        }
    }

    /// The page number shown, from 1.
    pub fn page(&self) -> usize {
        self.before.len() + 1
    }
}

#[derive(Debug, Clone, Default)]
pub struct UsersState {
    /// The users sharing an area with the manager, by username.
    pub items: Vec<UserSummary>,
    /// Cover periods in force or to come.
    pub covers: Vec<Cover>,
    pub selected: usize,
    pub error: Option<String>,
}

impl UsersState {
    pub fn current(&self) -> Option<&UserSummary> {
        self.items.get(self.selected)
    }

    /// The key workers of the manager's areas (cover is between two of them).
    pub fn key_workers(&self) -> Vec<String> {
        self.items
            .iter()
            .filter(|u| u.role == Role::KeyWorker && !u.disabled)
            .map(|u| u.username.clone())
            .collect()
    }

    /// What is said of a user's cover at `now`: "covers demo-kw until 12 Jan 08:00", "covered
    /// by kw2 from …".
    pub fn cover_words(&self, username: &str, now: DateTime<Utc>) -> Vec<String> {
        let when = |c: &Cover| {
            if c.in_force(now) {
                format!("until {}", jar_core::time::uk_datetime(c.to))
            } else {
                format!(
                    "{} to {}",
                    jar_core::time::uk_datetime(c.from),
                    jar_core::time::uk_datetime(c.to)
                )
            }
        };
        self.covers
            .iter()
            .filter_map(|c| {
                if c.cover == username {
                    Some(format!("covers {} {}", c.covered, when(c)))
                } else if c.covered == username {
                    Some(format!("covered by {} {}", c.cover, when(c)))
                } else {
                    None
                }
            })
            .collect()
    }
}

#[derive(Debug, Clone, Default)]
pub struct DeskState {
    pub audit: AuditState,
    pub users: UsersState,
    /// A read of the desk is on its way.
    pub loading: bool,
}

/// Keep only the users who share an area with the manager (issue 17 §2: "users of their
/// areas"), by username.
pub fn of_areas(mut users: Vec<UserSummary>, areas: &[String]) -> Vec<UserSummary> {
    users.retain(|u| u.areas.iter().any(|a| areas.contains(a)));
    users.sort_by(|a, b| a.username.cmp(&b.username));
    users
}

fn line(key: &'static str, label: &'static str, hint: &'static str, v: &str) -> Field {
    Field {
        key,
        label,
        hint,
        value: Value::Line(v.to_string()),
        follows_now: false,
        edited: false,
    }
}

fn blank_form(kind: FormKind, title: String, fields: Vec<Field>) -> Form {
    Form {
        kind,
        title,
        fields,
        focus: 0,
        error: None,
        draft_from: None,
        after_cr: false,
    }
}

/// `/` on the audit screen: the filters, empty for "any".
pub fn audit_filter_form(q: &AuditQuery) -> Form {
    let time =
        |t: &Option<DateTime<Utc>>| t.map(crate::timeparse::format_local).unwrap_or_default();
    blank_form(
        FormKind::AuditFilter,
        "Filter the audit log (empty: any)".to_string(),
        vec![
            line(
                "case",
                "Case",
                "a reference, e.g. JAR-2026-0042",
                q.case_ref.as_deref().unwrap_or(""),
            ),
            line(
                "user",
                "User",
                "a username",
                q.user.as_deref().unwrap_or(""),
            ),
            line(
                "action",
                "Action",
                "e.g. identity.reveal, case.assign, handover.send",
                q.action.as_deref().unwrap_or(""),
            ),
            line(
                "since",
                "From",
                "UK time: yesterday 08:00, -24h, 1 Dec",
                &time(&q.since),
            ),
            line("until", "Before", "UK time; empty for now", &time(&q.until)),
        ],
    )
}

/// The filters typed, or why one does not read.
pub fn read_audit_filter(form: &Form, now: DateTime<Utc>) -> Result<AuditQuery, String> {
    let text = |k: &str| {
        let t = form.text(k).trim().to_string();
        (!t.is_empty()).then_some(t)
    };
    let time = |k: &str, label: &str| {
        parse_optional(&form.text(k), now, Tense::Happened).map_err(|e| format!("{label}: {e}"))
    };
    let q = AuditQuery {
        case_ref: text("case"),
        user: text("user"),
        action: text("action"),
        since: time("since", "From")?,
        until: time("until", "Before")?,
        cursor: None,
        limit: None,
    };
    if let (Some(a), Some(b)) = (q.since, q.until)
        && b <= a
    {
        return Err("Before: must be after From".to_string());
    }
    Ok(q)
}

/// The roles a manager may add, in the order offered.
pub const ROLES: [Role; 5] = [
    Role::KeyWorker,
    Role::Paediatrician,
    Role::Police,
    Role::SocialWorker,
    Role::Manager,
];

/// `a` on the users screen: a new user of one or more of the manager's areas. There is no
/// password field: the server makes a one-time password, shown once.
pub fn add_user_form(areas: &[String]) -> Form {
    let n = areas.len();
    blank_form(
        FormKind::AddUser {
            areas: areas.to_vec(),
        },
        "Add a user (a one-time password is shown once)".to_string(),
        vec![
            line("username", "Username", "e.g. kw-south-2", ""),
            Field {
                key: "role",
                label: "Role",
                hint: "Left/Right or Space to change",
                value: Value::Choice {
                    options: ROLES.iter().map(|r| r.label().to_string()).collect(),
                    index: 0,
                },
                follows_now: false,
                edited: false,
            },
            Field {
                key: "areas",
                label: "Areas",
                hint: "Up/Down to move, Space to tick",
                value: Value::Multi {
                    options: areas.to_vec(),
                    // One area: ticked already.
                    chosen: vec![n == 1; n],
                    cursor: 0,
                },
                follows_now: false,
                edited: false,
            },
        ],
    )
}

/// The new user typed: username, role and the areas ticked.
pub fn read_add_user(form: &Form) -> Result<(String, Role, Vec<String>), String> {
    let FormKind::AddUser { areas } = &form.kind else {
        return Err("not the add-user form".to_string());
    };
    let username = form.text("username").trim().to_string();
    jar_core::text::check_required("username", &username, 64)
        .and_then(|()| jar_core::text::check_line("username", &username, 64))
        .map_err(|e| format!("Username: {e}"))?;
    let role = ROLES[form.choice("role").min(ROLES.len() - 1)];
    let chosen: Vec<String> = form
        .chosen("areas")
        .into_iter()
        .filter_map(|i| areas.get(i).cloned())
        .collect();
    if chosen.is_empty() {
        return Err("Areas: tick at least one (Space)".to_string());
    }
    Ok((username, role, chosen))
}

/// What a confirmation form confirms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum UserChange {
    Disable,
    ResetPassword,
    EndCover,
}

/// `d`, `P` or `C` on a user: say what will happen; Space ticks "yes", Ctrl-S does it.
pub fn confirm_form(username: &str, change: UserChange, covers: &[Cover]) -> Form {
    let title = match change {
        UserChange::Disable => {
            format!("Disable {username}? Their sign-ins stop working at once (audited)")
        }
        UserChange::ResetPassword => format!(
            "New one-time password for {username}? Their sign-ins stop working; the password is shown once"
        ),
        UserChange::EndCover => format!(
            "End the cover of {username} now? ({} period{} in force or to come)",
            covers.len(),
            if covers.len() == 1 { "" } else { "s" }
        ),
    };
    let mut fields = vec![Field {
        key: "sure",
        label: "Yes, do it",
        hint: "Space to tick, then Ctrl-S",
        value: Value::Check(false),
        follows_now: false,
        edited: false,
    }];
    if change == UserChange::EndCover {
        let who: Vec<String> = covers.iter().map(|c| c.cover.clone()).collect();
        fields.insert(
            0,
            Field {
                key: "cover",
                label: "Covered by",
                hint: "Left/Right to choose whose cover ends",
                value: Value::Choice {
                    options: who,
                    index: 0,
                },
                follows_now: false,
                edited: false,
            },
        );
    }
    blank_form(
        FormKind::ConfirmUser {
            username: username.to_string(),
            change,
        },
        title,
        fields,
    )
}

/// `c` on a key worker: who covers them, from when until when.
pub fn cover_form(covered: &str, key_workers: &[String], now: DateTime<Utc>) -> Form {
    let others: Vec<String> = key_workers
        .iter()
        .filter(|k| *k != covered)
        .cloned()
        .collect();
    blank_form(
        FormKind::SetCover {
            covered: covered.to_string(),
            candidates: others.clone(),
        },
        format!("Cover for {covered}: another key worker sees their cases for a period"),
        vec![
            Field {
                key: "cover",
                label: "Covered by",
                hint: "Left/Right or Space to change",
                value: Value::Choice {
                    options: others,
                    index: 0,
                },
                follows_now: false,
                edited: false,
            },
            line(
                "from",
                "From",
                "UK time: now, 08:00 (next one), 2 Jan 08:00",
                &crate::timeparse::format_local(now),
            ),
            line("to", "Until", "UK time: +7d, 2 Jan 08:00", "+7d"),
        ],
    )
}

pub fn read_cover(form: &Form, now: DateTime<Utc>) -> Result<Cover, String> {
    let FormKind::SetCover {
        covered,
        candidates,
    } = &form.kind
    else {
        return Err("not the cover form".to_string());
    };
    let cover = candidates
        .get(form.choice("cover"))
        .cloned()
        .ok_or("Covered by: there is no other key worker in your areas")?;
    let from = crate::timeparse::parse_when(&form.text("from"), now, Tense::Due)
        .map_err(|e| format!("From: {e}"))?;
    let to = crate::timeparse::parse_when(&form.text("to"), now, Tense::Due)
        .map_err(|e| format!("Until: {e}"))?;
    let c = Cover {
        covered: covered.clone(),
        cover,
        from,
        to,
    };
    c.validate().map_err(|e| e.to_string())?;
    Ok(c)
}
