//! The board: every case in scope, filtered and sorted by urgency.

use chrono::{DateTime, Utc};
use jar_core::wire::CaseSummary;

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
    pub cases: Vec<CaseSummary>,
    pub loaded: bool,
    pub loading: bool,
    /// A change arrived while a fetch was in flight: fetch again when it lands.
    pub refetch: bool,
    pub filter: Filter,
    /// Typing into the text filter.
    pub editing_filter: bool,
    /// Index into `visible()`.
    pub selected: usize,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub active: usize,
    pub mine: usize,
    pub overdue: usize,
    pub closed: usize,
}

pub fn is_overdue(c: &CaseSummary, now: DateTime<Utc>) -> bool {
    c.open_deadlines.iter().any(|d| d.due_at < now)
}

impl BoardState {
    /// The rows shown, most urgent first.
    pub fn visible(&self, now: DateTime<Utc>) -> Vec<&CaseSummary> {
        // Each case's urgency is computed once, not at every comparison: with 10,000 cases the
        // comparison sort dominated every frame (docs/benchmarks.md). References are unique,
        // so an unstable sort gives the same order.
        let mut keyed: Vec<_> = self
            .matching(now)
            .map(|c| (c.urgency(now), c.reference.as_str(), c))
            .collect();
        keyed.sort_unstable_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        keyed.into_iter().map(|(_, _, c)| c).collect()
    }

    /// The first `n` rows of `visible`, without sorting the rest (a frame draws one page).
    pub fn visible_top(&self, now: DateTime<Utc>, n: usize) -> Vec<&CaseSummary> {
        let mut keyed: Vec<_> = self
            .matching(now)
            .map(|c| (c.urgency(now), c.reference.as_str(), c))
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

    fn matching(&self, now: DateTime<Utc>) -> impl Iterator<Item = &CaseSummary> {
        let f = &self.filter;
        let needle = f.text.to_lowercase();
        self.cases
            .iter()
            .filter(move |c| c.stage.is_active() != f.closed)
            .filter(move |c| !f.mine || c.assigned_to_me)
            .filter(move |c| !f.overdue || is_overdue(c, now))
            .filter(move |c| f.area.as_ref().is_none_or(|a| &c.area == a))
            .filter(move |c| {
                needle.is_empty()
                    || c.reference.to_lowercase().contains(&needle)
                    || c.area.to_lowercase().contains(&needle)
                    || c.category.label().to_lowercase().contains(&needle)
                    || c.stage.label().to_lowercase().contains(&needle)
            })
    }

    pub fn counts(&self, now: DateTime<Utc>) -> Counts {
        let active = |c: &&CaseSummary| c.stage.is_active();
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
                .filter(|c| is_overdue(c, now))
                .count(),
            closed: self.cases.iter().filter(|c| !c.stage.is_active()).count(),
        }
    }

    pub fn areas(&self) -> Vec<String> {
        let mut areas: Vec<String> = self.cases.iter().map(|c| c.area.clone()).collect();
        areas.sort();
        areas.dedup();
        areas
    }

    pub fn selected_ref(&self, now: DateTime<Utc>) -> Option<String> {
        self.visible(now)
            .get(self.selected)
            .map(|c| c.reference.clone())
    }

    pub fn clamp(&mut self, now: DateTime<Utc>) {
        let n = self.visible_len(now);
        self.selected = self.selected.min(n.saturating_sub(1));
    }
}
