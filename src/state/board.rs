//! The board: every case in scope, filtered and sorted by urgency.

use chrono::{DateTime, Utc};
use jar_core::case::{Flags, PresentingCategory, Stage};
use jar_core::checklist::Progress;
use jar_core::wire::{CaseSummary, due_rank, urgency};
use std::sync::Arc;

/// One board row: what the board draws, sorts, filters and counts for a case, and no more.
/// A client may hold 10,000 of these, so the deadline titles and rule ids (shown only on the
/// case screen, which fetches its own) are dropped and area names are shared; a row is about
/// a quarter of a [`CaseSummary`] (docs/benchmarks.md).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoardRow {
    pub reference: Box<str>,
    pub area: Arc<str>,
    pub category: PresentingCategory,
    pub stage: Stage,
    /// Each open deadline as its due time and whether it is a hard window.
    pub deadlines: Box<[(DateTime<Utc>, bool)]>,
    pub progress: Progress,
    pub last_family_contact: Option<DateTime<Utc>>,
    /// The key worker's next planned contact while open (issue 16 §1).
    pub family_due: Option<DateTime<Utc>>,
    /// `None` for roles that may not see the parallel flags.
    pub flags: Option<Flags>,
    pub assigned_to_me: bool,
}

impl BoardRow {
    /// The row for `s`, sharing area names already held in `areas`.
    pub fn new(s: CaseSummary, areas: &mut AreaNames) -> BoardRow {
        BoardRow {
            reference: s.reference.into_boxed_str(),
            area: areas.share(&s.area),
            category: s.category,
            stage: s.stage,
            deadlines: s
                .open_deadlines
                .iter()
                .map(|d| (d.due_at, d.hard))
                .collect(),
            progress: s.progress,
            last_family_contact: s.last_family_contact,
            family_due: s.family_contact_due,
            flags: s.flags,
            assigned_to_me: s.assigned_to_me,
        }
    }

    /// The deadline the board shows at `now`, as `(due_at, hard)`.
    pub fn next_deadline(&self, now: DateTime<Utc>) -> Option<(DateTime<Utc>, bool)> {
        self.deadlines
            .iter()
            .copied()
            .min_by_key(|&(due, hard)| due_rank(due, hard, now))
    }

    /// The state of the deadline the board shows (Due or Overdue), for its row's style.
    pub fn deadline_state(&self, now: DateTime<Utc>) -> Option<jar_core::deadline::DeadlineState> {
        use jar_core::deadline::DeadlineState;
        self.next_deadline(now).map(|(due, _)| {
            if due < now {
                DeadlineState::Overdue
            } else {
                DeadlineState::Due
            }
        })
    }

    /// Sort key: lower is more urgent.
    pub fn urgency(&self, now: DateTime<Utc>) -> (u8, Option<DateTime<Utc>>) {
        urgency(self.next_deadline(now), self.stage, now)
    }
}

impl From<CaseSummary> for BoardRow {
    fn from(s: CaseSummary) -> BoardRow {
        BoardRow::new(s, &mut AreaNames::default())
    }
}

/// Area names seen so far: a site has a handful, shared by thousands of rows.
#[derive(Debug, Default)]
pub struct AreaNames(Vec<Arc<str>>);

impl AreaNames {
    pub fn share(&mut self, name: &str) -> Arc<str> {
        if let Some(a) = self.0.iter().find(|a| &***a == name) {
            return a.clone();
        }
        let a: Arc<str> = Arc::from(name);
        // A server sending a different area on every row must not make this quadratic.
        if self.0.len() < 256 {
            self.0.push(a.clone());
        }
        a
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub text: String,
    pub mine: bool,
    pub overdue: bool,
    pub area: Option<String>,
    /// Show closed cases instead of active ones.
    pub closed: bool,
}

#[derive(Debug, Default)]
pub struct BoardState {
    pub cases: Vec<BoardRow>,
    pub loaded: bool,
    pub loading: bool,
    /// A change arrived while a fetch was in flight: fetch again when it lands.
    pub refetch: bool,
    /// The change sequence the first list reflected: where the event stream starts.
    pub seq: Option<i64>,
    pub filter: Filter,
    /// Typing into the text filter.
    pub editing_filter: bool,
    /// Index into `visible()`.
    pub selected: usize,
    /// Shown from the offline cache, as fetched at that time (issue 12 §3).
    pub offline_as_of: Option<DateTime<Utc>>,
    /// Only the first page(s) are here: the rest is on its way or failed and will be asked
    /// for again. Counts are then shown as "100+", never as the whole (issue 18 §1).
    pub partial: bool,
    /// When to ask again for a list that failed for lack of a server (back-off).
    pub retry: super::retry::Retry,
    /// A missed family contact makes a case overdue (for key workers: issue 16 §1).
    pub family_overdue: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub active: usize,
    pub mine: usize,
    pub overdue: usize,
    pub closed: usize,
}

/// Past an open deadline; with `family`, also past the key worker's planned contact.
pub fn is_overdue(c: &BoardRow, now: DateTime<Utc>, family: bool) -> bool {
    c.deadlines.iter().any(|&(due, _)| due < now)
        || (family && c.family_due.is_some_and(|d| d < now))
}

impl BoardState {
    /// The rows shown, most urgent first.
    pub fn visible(&self, now: DateTime<Utc>) -> Vec<&BoardRow> {
        // Each case's urgency is computed once, not at every comparison: with 10,000 cases the
        // comparison sort dominated every frame (docs/benchmarks.md). References are unique,
        // so an unstable sort gives the same order.
        let mut keyed: Vec<_> = self
            .matching(now)
            .map(|c| (c.urgency(now), &*c.reference, c))
            .collect();
        keyed.sort_unstable_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        keyed.into_iter().map(|(_, _, c)| c).collect()
    }

    /// The first `n` rows of `visible`, without sorting the rest (a frame draws one page).
    pub fn visible_top(&self, now: DateTime<Utc>, n: usize) -> Vec<&BoardRow> {
        let mut keyed: Vec<_> = self
            .matching(now)
            .map(|c| (c.urgency(now), &*c.reference, c))
            .collect();
        let cmp = |a: &(_, &str, _), b: &(_, &str, _)| (a.0, a.1).cmp(&(b.0, b.1));
        if n < keyed.len() {
            keyed.select_nth_unstable_by(n, cmp);
            keyed.truncate(n);
        }
        keyed.sort_unstable_by(cmp);
        keyed.into_iter().map(|(_, _, c)| c).collect()
    }

    /// How many rows `visible` would show, without sorting them.
    pub fn visible_len(&self, now: DateTime<Utc>) -> usize {
        self.matching(now).count()
    }

    fn matching(&self, now: DateTime<Utc>) -> impl Iterator<Item = &BoardRow> {
        let f = &self.filter;
        let needle = f.text.to_lowercase();
        self.cases
            .iter()
            .filter(move |c| c.stage.is_active() != f.closed)
            .filter(move |c| !f.mine || c.assigned_to_me)
            .filter(move |c| !f.overdue || is_overdue(c, now, self.family_overdue))
            .filter(move |c| f.area.as_ref().is_none_or(|a| *c.area == **a))
            .filter(move |c| {
                needle.is_empty()
                    || c.reference.to_lowercase().contains(&needle)
                    || c.area.to_lowercase().contains(&needle)
                    || c.category.label().to_lowercase().contains(&needle)
                    || c.stage.label().to_lowercase().contains(&needle)
            })
    }

    pub fn counts(&self, now: DateTime<Utc>) -> Counts {
        let active = |c: &&BoardRow| c.stage.is_active();
        Counts {
            active: self.cases.iter().filter(active).count(),
            mine: self
                .cases
                .iter()
                .filter(active)
                .filter(|c| c.assigned_to_me)
                .count(),
            overdue: self
                .cases
                .iter()
                .filter(active)
                .filter(|c| is_overdue(c, now, self.family_overdue))
                .count(),
            closed: self.cases.iter().filter(|c| !c.stage.is_active()).count(),
        }
    }

    pub fn areas(&self) -> Vec<String> {
        let mut areas: Vec<String> = self.cases.iter().map(|c| c.area.to_string()).collect();
        areas.sort();
        areas.dedup();
        areas
    }

    pub fn selected_ref(&self, now: DateTime<Utc>) -> Option<String> {
        self.visible(now)
            .get(self.selected)
            .map(|c| c.reference.to_string())
    }

    pub fn clamp(&mut self, now: DateTime<Utc>) {
        let n = self.visible_len(now);
        self.selected = self.selected.min(n.saturating_sub(1));
    }
}
