//! Results from the network: fill state, show errors as banners or dialogs, never crash.

use jar_core::checklist::ItemState;
use jar_core::permissions::Permission;
use jar_core::wire::ChangeKind;

use super::case::refetch_case;
use crate::api::ApiError;
use crate::effect::Effect;
use crate::msg::{ApiMsg, WriteOk};
use crate::state::case::Remote;
use crate::state::{BannerKind, Conn, Dialog, LoginForm, State, Write};

fn done_loading(s: &mut State) {
    s.loading = s.loading.saturating_sub(1);
}

fn is_current(s: &State, case_ref: &str) -> bool {
    s.case.as_ref().is_some_and(|c| c.reference == case_ref)
}

/// A 401: bring sign-in back over whatever is on screen. Nothing is dropped.
fn expire_session(s: &mut State) -> Vec<Effect> {
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

/// Once the board's list has come (or failed) for a known person, listen for changes after
/// the sequence it reflected: nothing between the list and the stream is missed, and the list
/// is not fetched twice. Without a sequence (a failed list, an older server) the stream asks
/// for a refetch when it connects. A no-op when already listening.
fn listen_after_list(s: &State) -> Vec<Effect> {
    let ready = s.session.is_some() && s.login.is_none();
    if !ready || (s.board.loading && s.board.seq.is_none()) {
        return Vec::new();
    }
    vec![Effect::EnsureEvents { after: s.board.seq }]
}

/// Common handling of a failed read; returns the words to show in place of the data.
fn read_failed(s: &mut State, e: &ApiError, effects: &mut Vec<Effect>) -> String {
    match e {
        ApiError::Unauthorized => {
            effects.extend(expire_session(s));
            "Sign in again to see this.".to_string()
        }
        ApiError::Problem(p) if p.status == 404 => "Not found, or not in your areas.".to_string(),
        ApiError::Problem(p) if p.status == 403 => "Not available to your role.".to_string(),
        other => {
            let text = other.describe();
            s.banner(BannerKind::Error, text.clone());
            text
        }
    }
}

pub fn on_api(s: &mut State, m: ApiMsg) -> Vec<Effect> {
    let mut fx = Vec::new();
    match m {
        ApiMsg::LoggedIn(result) => {
            done_loading(s);
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
                        s.retry_at = None;
                        s.retry_attempts = 0;
                        s.drafts_loaded = false;
                    }
                    fx.extend(load_drafts(s, &resp.user.username));
                    s.session = Some(resp.user);
                    s.login = None;
                    fx.push(Effect::Authenticated { token: resp.token });
                    fx.push(Effect::StartEvents);
                    s.loading += 1;
                    s.board.loading = true;
                    fx.push(Effect::FetchCases);
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
                        form.error = Some(match &e {
                            ApiError::Unauthorized => {
                                "Wrong username or password. Try again.".to_string()
                            }
                            ApiError::Problem(p) if p.status == 401 || p.status == 400 => {
                                "Wrong username or password. Try again.".to_string()
                            }
                            other => other.describe(),
                        });
                    }
                }
            }
        }
        ApiMsg::Me(result) => {
            done_loading(s);
            match result {
                Ok(who) => {
                    fx.extend(load_drafts(s, &who.username));
                    s.session = Some(who);
                    s.login = None;
                    // The board was asked for with this question; ask again only if that failed.
                    if !s.board.loading && !s.board.loaded {
                        s.loading += 1;
                        s.board.loading = true;
                        fx.push(Effect::FetchCases);
                    }
                    fx.extend(listen_after_list(s));
                }
                Err(ApiError::Unauthorized) => {
                    s.session = None;
                    s.login = Some(LoginForm {
                        reason: Some("The saved sign-in has expired. Sign in again.".into()),
                        ..LoginForm::default()
                    });
                }
                Err(e) => {
                    // Without knowing who this is, nothing can be shown: offer sign-in.
                    s.login = Some(LoginForm {
                        error: Some(e.describe()),
                        ..LoginForm::default()
                    });
                }
            }
        }
        ApiMsg::CasesFirstPage(cases) => {
            // Only the very first load shows a part: a refetch keeps the whole board it has
            // until the whole new one arrives. The header still says "loading".
            if !s.board.loaded {
                s.board.cases = cases;
                s.board.loaded = true;
                let now = s.now;
                s.board.clamp(now);
            }
        }
        ApiMsg::CasesSeq(seq) => {
            s.board.seq.get_or_insert(seq);
            fx.extend(listen_after_list(s));
        }
        ApiMsg::Cases(result) => {
            done_loading(s);
            s.board.loading = false;
            fx.extend(listen_after_list(s));
            if std::mem::take(&mut s.board.refetch) {
                // Changes arrived while this list was on its way: the latest wins.
                fx.extend(fetch_cases(s));
            }
            match result {
                Ok(cases) => {
                    let before = std::mem::replace(&mut s.board.cases, cases);
                    if s.board.loaded {
                        super::assigned::announce(s, &before);
                    }
                    s.board.loaded = true;
                    let now = s.now;
                    s.board.clamp(now);
                }
                Err(e) => {
                    read_failed(s, &e, &mut fx);
                }
            }
        }
        ApiMsg::Case { case_ref, result } => {
            done_loading(s);
            if is_current(s, &case_ref) {
                let v = match result {
                    Ok(d) => Remote::Ready(d),
                    Err(e) => Remote::Failed(read_failed(s, &e, &mut fx)),
                };
                if let Some(c) = s.case.as_mut() {
                    c.detail = v;
                }
            }
        }
        ApiMsg::Timeline { case_ref, result } => {
            done_loading(s);
            if is_current(s, &case_ref) {
                let v = match result {
                    Ok(d) => Remote::Ready(d),
                    Err(e) => Remote::Failed(read_failed(s, &e, &mut fx)),
                };
                if let Some(c) = s.case.as_mut() {
                    c.timeline = v;
                    clamp_rows(c);
                }
            }
        }
        ApiMsg::Checklists { case_ref, result } => {
            done_loading(s);
            if is_current(s, &case_ref) {
                let v = match result {
                    Ok(d) => Remote::Ready(d),
                    Err(e) => Remote::Failed(read_failed(s, &e, &mut fx)),
                };
                if let Some(c) = s.case.as_mut() {
                    c.checklists = v;
                    clamp_rows(c);
                }
            }
        }
        ApiMsg::Contacts { case_ref, result } => {
            done_loading(s);
            if is_current(s, &case_ref) {
                let v = match result {
                    Ok(d) => Remote::Ready(d),
                    Err(ApiError::Problem(p)) if p.status == 403 => Remote::NotAllowed,
                    Err(e) => Remote::Failed(read_failed(s, &e, &mut fx)),
                };
                if let Some(c) = s.case.as_mut() {
                    c.contacts = v;
                    clamp_rows(c);
                }
            }
        }
        ApiMsg::FamilyContacts { case_ref, result } => {
            // Not shown is not an error: the Contacts tab says nothing of it.
            if let (Ok(fc), Some(c)) = (result, s.case.as_mut())
                && c.reference == case_ref
            {
                c.family_contacts = Some(fc);
            }
        }
        ApiMsg::Assignees { case_ref, result } => match result {
            Ok(people) => super::assign::open(s, &case_ref, people),
            Err(e) => {
                done_loading(s);
                let text = e.describe();
                s.case_banner(BannerKind::Error, &case_ref, text);
            }
        },
        ApiMsg::WriteDone { key, result } => fx.extend(write_done(s, key, result)),
        ApiMsg::Change(ev) => {
            if let Some(role) = s.session.as_ref().map(|p| p.role)
                && !ev.kind.visible_to(role)
            {
                return fx;
            }
            if ev.kind == ChangeKind::CaseCreated
                && let Some(r) = &ev.case_ref
            {
                let area = ev.area.clone().unwrap_or_default();
                let cat = ev.category.map(|c| c.label()).unwrap_or("JAR");
                s.banner(
                    BannerKind::Notice,
                    format!("New JAR notification: {r} ({area}, {cat}) — press g to open"),
                );
                s.goto = Some(r.clone());
                if s.bell {
                    fx.push(Effect::Bell);
                }
            }
            fx.extend(fetch_cases(s));
            if let Some(r) = ev.case_ref.as_deref()
                && is_current(s, r)
            {
                let r = r.to_string();
                let mut parts = vec![Effect::FetchCase(r.clone())];
                match ev.kind {
                    ChangeKind::TimelineAdded => parts.push(Effect::FetchTimeline(r)),
                    ChangeKind::ChecklistStarted | ChangeKind::ChecklistItemUpdated => {
                        parts.push(Effect::FetchChecklists(r))
                    }
                    ChangeKind::ContactAdded | ChangeKind::ContactAmended
                        if s.allows(Permission::ReadContacts) =>
                    {
                        parts.push(Effect::FetchContacts(r))
                    }
                    _ => {}
                }
                s.loading += parts.len() as u32;
                fx.extend(parts);
            }
        }
        ApiMsg::Resync => {
            fx.extend(fetch_cases(s));
            if let Some(r) = s.case.as_ref().map(|c| c.reference.clone()) {
                fx.extend(refetch_case(s, &r));
            }
        }
        ApiMsg::Conn(c) => {
            let was = s.conn;
            s.conn = c;
            let after_a_gap = s.was_live;
            if c == Conn::Live {
                s.was_live = true;
            }
            if c == Conn::Live && was != Conn::Live && s.session.is_some() {
                fx.extend(resend_unsent(s));
                // The first connection is not a gap: the stream starts from the list's
                // sequence, or asks for a refetch itself when there is none.
                if after_a_gap {
                    // Back after a gap: what failed to load while away is fetched again.
                    if s.banner
                        .as_ref()
                        .is_some_and(|b| b.kind == BannerKind::Error)
                    {
                        s.banner = None;
                    }
                    fx.extend(fetch_cases(s));
                    if let Some(r) = s.case.as_ref().map(|c| c.reference.clone()) {
                        fx.extend(refetch_case(s, &r));
                    }
                }
            }
        }
        ApiMsg::DraftsLoaded(saved) => {
            let (areas, user) = s
                .session
                .as_ref()
                .map(|p| (p.areas.clone(), p.username.clone()))
                .unwrap_or_default();
            let now = s.now;
            for d in &saved {
                let form = crate::drafts::to_form(d, &areas, &user, now);
                if !s.drafts.iter().any(|x| x.kind == form.kind) {
                    s.drafts.push(form);
                }
            }
            if !saved.is_empty() {
                s.banner(
                    BannerKind::Info,
                    format!(
                        "{} unsaved draft(s) from last time: open the same form to continue.",
                        saved.len()
                    ),
                );
            }
        }
        ApiMsg::JournalLoaded {
            writes,
            drafts,
            encrypted,
            problem,
        } => {
            s.journal_unencrypted = !encrypted;
            let n = writes.len();
            // Older writes go first, ahead of anything made since this run began.
            let fresh = std::mem::take(&mut s.outbox);
            let mut older: Vec<_> = writes
                .into_iter()
                .filter(|w| !fresh.iter().any(|f| f.key == w.key))
                .map(|mut w| {
                    w.in_flight = false;
                    w
                })
                .collect();
            older.extend(fresh);
            s.outbox = older;
            if !drafts.is_empty() {
                fx.extend(on_api(s, ApiMsg::DraftsLoaded(drafts)));
            }
            if n > 0 {
                s.banner(
                    BannerKind::Info,
                    format!("{n} change(s) from last time were not confirmed: sending them now."),
                );
            }
            if let Some(p) = problem {
                s.banner(BannerKind::Error, p);
            }
            fx.extend(pump(s));
        }
        ApiMsg::SessionExpired => {
            if s.session.is_some() {
                fx.extend(expire_session(s));
            }
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

/// Refetch the board, at most one request at a time: a burst of changes costs two fetches.
pub(crate) fn fetch_cases(s: &mut State) -> Vec<Effect> {
    if s.board.loading {
        s.board.refetch = true;
        return Vec::new();
    }
    s.board.loading = true;
    s.loading += 1;
    vec![Effect::FetchCases]
}

fn clamp_rows(c: &mut crate::state::CaseState) {
    let tab = c.tab.tab;
    for t in crate::state::Tab::ALL {
        c.tab.tab = t;
        let n = c.row_count();
        if n != usize::MAX {
            let row = c.tab.row().min(n.saturating_sub(1));
            c.tab.set_row(row);
        }
    }
    c.tab.tab = tab;
}

/// The longest wait between two tries of a write that met a network or server error.
pub const RETRY_CAP_SECONDS: i64 = 30;

/// Wait before try number `attempt` (1, 2, …) of the write `key`: 1 s doubling to 30 s,
/// with up to a quarter more as jitter (taken from the key, so `update` stays pure and
/// many clients do not come back in step).
pub fn retry_delay(attempt: u32, key: uuid::Uuid) -> chrono::Duration {
    let base_ms = (1000i64 << attempt.saturating_sub(1).min(10)).min(RETRY_CAP_SECONDS * 1000);
    let seed = key.as_u128() as u64 ^ u64::from(attempt).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let jitter = (seed % 1000) as i64 * base_ms / 4000;
    chrono::Duration::milliseconds(base_ms + jitter)
}

/// Send the oldest waiting write, one at a time and in order, with its own idempotency key.
/// Nothing is sent while signed out or while a write is already on its way.
pub(crate) fn pump(s: &mut State) -> Vec<Effect> {
    if s.login.is_some() || s.session.is_none() || s.outbox.iter().any(|w| w.in_flight) {
        return Vec::new();
    }
    if s.retry_at.is_some_and(|t| s.now < t) {
        return Vec::new();
    }
    s.retry_at = None;
    match s.outbox.first_mut() {
        Some(w) => {
            w.in_flight = true;
            vec![Effect::Send(Box::new(w.clone()))]
        }
        None => Vec::new(),
    }
}

/// Send again now (the connection came back, or the person signed in again).
pub(crate) fn resend_unsent(s: &mut State) -> Vec<Effect> {
    s.retry_at = None;
    pump(s)
}

/// A write that could not be sent stays first in line; it is tried again after a while
/// (sooner if the event stream comes back first).
fn retry_later(s: &mut State, pos: usize, why: String) {
    s.outbox[pos].in_flight = false;
    s.retry_attempts = s.retry_attempts.saturating_add(1);
    let key = s.outbox[pos].key;
    s.retry_at = Some(s.now + retry_delay(s.retry_attempts, key));
    s.banner(
        BannerKind::Error,
        format!(
            "Not sent yet: {why} {} waiting, kept on this device and sent when the server answers.",
            s.outbox.len()
        ),
    );
}

fn write_done(s: &mut State, key: uuid::Uuid, result: Result<WriteOk, ApiError>) -> Vec<Effect> {
    let mut fx = write_result(s, key, result);
    fx.extend(pump(s));
    fx
}

fn write_result(s: &mut State, key: uuid::Uuid, result: Result<WriteOk, ApiError>) -> Vec<Effect> {
    let Some(pos) = s.outbox.iter().position(|w| w.key == key) else {
        return Vec::new();
    };
    let mut fx = Vec::new();
    match result {
        Ok(ok) => {
            s.retry_attempts = 0;
            let pending = s.outbox.remove(pos);
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
        Err(ApiError::Unauthorized) => {
            s.outbox[pos].in_flight = false;
            fx.extend(expire_session(s));
        }
        Err(ApiError::Network(e)) => retry_later(s, pos, format!("cannot reach the server ({e})."))
,
        // A server in trouble, or an answer that could not be read: the write may or may
        // not have been applied, so it is sent again with the same key (applied once).
        Err(e @ ApiError::Problem(_)) if e.status().is_some_and(|c| c >= 500 || c == 408 || c == 429) => {
            retry_later(s, pos, e.describe())
        }
        Err(e @ ApiError::Decode(_)) => retry_later(s, pos, e.describe()),
        Err(ApiError::Problem(p)) if p.status == 412 => {
            let pending = s.outbox.remove(pos);
            let theirs: Option<ItemState> = p
                .current
                .clone()
                .and_then(|v| serde_json::from_value(v).ok());
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
                        case_ref,
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
            let pending = s.outbox.remove(pos);
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
                                format!("Possibly notified already as {first} — press g to open it"),
                            );
                            words
                        }
                        None => text,
                    };
                    form.error = Some(text);
                    s.form = Some(form);
                }
                Some(form) => {
                    super::forms::keep_draft(s, form);
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
            if is_current(s, case_ref) {
                s.loading += 1;
                fx.push(Effect::FetchCase(case_ref.clone()));
            }
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
                format!("Notified: {r} created — press g to open"),
            );
            s.goto = Some(r);
            fx.extend(fetch_cases(s));
        }
        (w, _) => {
            let case_ref = match w {
                Write::AddEvent { case_ref, .. }
                | Write::AddContact { case_ref, .. }
                | Write::Amend { case_ref, .. }
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
