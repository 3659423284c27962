//! Reads: the board's list and the open case's four parts. One request per thing at a time;
//! what changes again while it is on its way is asked for once more when it arrives (the
//! latest wins), so a burst of changes costs two fetches, not one per change.

use jar_core::contact::Contact;
use jar_core::permissions::Permission;
use jar_core::timeline::TimelineEvent;
use jar_core::wire::{CaseDetail, ChecklistView};

use super::session::listen_after_list;
use super::{is_current, read_failed};
use crate::api::{ApiError, ErrorKind};
use crate::effect::Effect;
use crate::state::State;
use crate::state::board::BoardRow;
use crate::state::case::{Part, Remote};

/// Refetch the board, at most one request at a time: a burst of changes costs two fetches.
pub fn fetch_cases(s: &mut State) -> Vec<Effect> {
    if s.board.loading {
        s.board.refetch = true;
        return Vec::new();
    }
    s.board.loading = true;
    vec![Effect::FetchCases]
}

fn fetch_effect(part: Part, case_ref: &str) -> Effect {
    let r = crate::state::CaseRef::from(case_ref);
    match part {
        Part::Detail => Effect::FetchCase(r),
        Part::Timeline => Effect::FetchTimeline(r),
        Part::Checklists => Effect::FetchChecklists(r),
        Part::Contacts => Effect::FetchContacts(r),
        Part::Questions => Effect::FetchQuestions(r),
        Part::Involvements => Effect::FetchInvolvements(r),
    }
}

/// Fetch these parts of the open case `case_ref`, one request per part at a time: a part
/// already on its way is asked for again when it arrives.
pub fn fetch_case_parts(s: &mut State, case_ref: &str, parts: &[Part]) -> Vec<Effect> {
    let Some(c) = s.case.as_mut().filter(|c| c.reference == case_ref) else {
        return Vec::new();
    };
    let mut fx = Vec::new();
    for &part in parts {
        if c.fetching.contains(part) {
            c.refetch.insert(part);
        } else {
            c.fetching.insert(part);
            fx.push(fetch_effect(part, case_ref));
        }
    }
    fx
}

/// Refetch everything the open case shows (what the role may read).
pub fn refetch_case(s: &mut State, case_ref: &str) -> Vec<Effect> {
    // Everyone in scope reads the questions (their own agency's, for police and social care)
    // and the professionals involved (issue 16).
    let mut parts = vec![
        Part::Detail,
        Part::Timeline,
        Part::Checklists,
        Part::Questions,
        Part::Involvements,
    ];
    if s.allows(Permission::ReadContacts) {
        parts.push(Part::Contacts);
    }
    fetch_case_parts(s, case_ref, &parts)
}

/// A part of `case_ref` arrived: it is no longer on its way; if it changed meanwhile it is
/// asked for again. `None` when the case is no longer open (the answer is dropped).
fn arrived(s: &mut State, case_ref: &str, part: Part) -> Option<Vec<Effect>> {
    if !is_current(s, case_ref) {
        return None;
    }
    let c = s.case.as_mut()?;
    c.fetching.remove(part);
    if c.refetch.remove(part) {
        c.fetching.insert(part);
        return Some(vec![fetch_effect(part, case_ref)]);
    }
    Some(Vec::new())
}

pub(super) fn first_page(s: &mut State, cases: Vec<BoardRow>) -> Vec<Effect> {
    // Only the very first load shows a part: a refetch keeps the whole board it has
    // until the whole new one arrives. The header still says "loading".
    if !s.board.loaded {
        s.board.cases = cases;
        s.board.loaded = true;
        s.board.partial = true;
        let now = s.now;
        s.board.clamp(now);
    }
    Vec::new()
}

pub(super) fn cases_seq(s: &mut State, seq: i64) -> Vec<Effect> {
    s.board.seq.get_or_insert(seq);
    listen_after_list(s)
}

pub(super) fn cases(s: &mut State, result: Result<Vec<BoardRow>, ApiError>) -> Vec<Effect> {
    let mut fx = Vec::new();
    s.board.loading = false;
    fx.extend(listen_after_list(s));
    if std::mem::take(&mut s.board.refetch) {
        // Changes arrived while this list was on its way: the latest wins.
        fx.extend(fetch_cases(s));
    }
    match result {
        Ok(cases) => {
            s.board.partial = false;
            s.board.retry = Default::default();
            let before = std::mem::replace(&mut s.board.cases, cases);
            if s.board.loaded {
                crate::update::assigned::announce(s, &before);
            } else if crate::update::handover::watches(s) {
                // With the first board: a handover waiting or overdue (issue 17 §1).
                fx.push(Effect::FetchHandovers);
            }
            s.board.loaded = true;
            let now = s.now;
            s.board.clamp(now);
        }
        Err(e) => {
            if e.kind() == ErrorKind::Retryable {
                // Never a silently short board: ask again (1 s doubling to 30 s) until whole.
                s.board.retry.failed(s.now);
            }
            read_failed(s, &e, &mut fx);
        }
    }
    fx
}

pub(super) fn detail(
    s: &mut State,
    case_ref: &str,
    result: Result<CaseDetail, ApiError>,
) -> Vec<Effect> {
    let Some(mut fx) = arrived(s, case_ref, Part::Detail) else {
        return Vec::new();
    };
    let v = match result {
        Ok(d) => Remote::Ready(d),
        Err(e) => Remote::Failed(read_failed(s, &e, &mut fx)),
    };
    if let Some(c) = s.case.as_mut() {
        c.detail = v;
    }
    fx
}

pub(super) fn timeline(
    s: &mut State,
    case_ref: &str,
    result: Result<Vec<TimelineEvent>, ApiError>,
) -> Vec<Effect> {
    let Some(mut fx) = arrived(s, case_ref, Part::Timeline) else {
        return Vec::new();
    };
    let v = match result {
        Ok(d) => Remote::Ready(d),
        Err(e) => Remote::Failed(read_failed(s, &e, &mut fx)),
    };
    if let Some(c) = s.case.as_mut() {
        c.timeline = v;
        clamp_rows(c);
    }
    fx
}

pub(super) fn checklists(
    s: &mut State,
    case_ref: &str,
    result: Result<Vec<ChecklistView>, ApiError>,
) -> Vec<Effect> {
    let Some(mut fx) = arrived(s, case_ref, Part::Checklists) else {
        return Vec::new();
    };
    let v = match result {
        Ok(d) => Remote::Ready(d),
        Err(e) => Remote::Failed(read_failed(s, &e, &mut fx)),
    };
    if let Some(c) = s.case.as_mut() {
        c.checklists = v;
        clamp_rows(c);
    }
    fx
}

pub(super) fn contacts(
    s: &mut State,
    case_ref: &str,
    result: Result<Vec<Contact>, ApiError>,
    catalogue: Option<jar_core::support::Catalogue>,
) -> Vec<Effect> {
    let Some(mut fx) = arrived(s, case_ref, Part::Contacts) else {
        return Vec::new();
    };
    let v = match result {
        Ok(d) => Remote::Ready(d),
        Err(e) if e.kind() == ErrorKind::Forbidden => Remote::NotAllowed,
        Err(e) => Remote::Failed(read_failed(s, &e, &mut fx)),
    };
    if let Some(c) = s.case.as_mut() {
        c.contacts = v;
        if catalogue.is_some() {
            c.support_catalogue = catalogue;
        }
        clamp_rows(c);
    }
    fx
}

pub(super) fn questions(
    s: &mut State,
    case_ref: &str,
    result: Result<Vec<jar_core::questions::FamilyQuestion>, ApiError>,
) -> Vec<Effect> {
    let Some(mut fx) = arrived(s, case_ref, Part::Questions) else {
        return Vec::new();
    };
    let v = match result {
        Ok(d) => Remote::Ready(d),
        Err(e) if e.kind() == ErrorKind::Forbidden => Remote::NotAllowed,
        Err(e) => Remote::Failed(read_failed(s, &e, &mut fx)),
    };
    if let Some(c) = s.case.as_mut() {
        c.questions = v;
        clamp_rows(c);
    }
    fx
}

pub(super) fn involvements(
    s: &mut State,
    case_ref: &str,
    result: Result<Vec<jar_core::reports::Involvement>, ApiError>,
) -> Vec<Effect> {
    let Some(mut fx) = arrived(s, case_ref, Part::Involvements) else {
        return Vec::new();
    };
    let v = match result {
        Ok(d) => Remote::Ready(d),
        Err(e) if e.kind() == ErrorKind::Forbidden => Remote::NotAllowed,
        Err(e) => Remote::Failed(read_failed(s, &e, &mut fx)),
    };
    if let Some(c) = s.case.as_mut() {
        c.involvements = v;
    }
    fx
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
