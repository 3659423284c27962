//! The Summary tab's lines about the months after the JAR (issue 16 §2, §4): the family's
//! questions counted ("3 family questions, 1 open") and, for the CDR manager, agency reports
//! overdue. Kept apart from `case_summary` so that other Summary additions merge cleanly.

use jar_core::permissions;
use jar_core::questions::QuestionCounts;
use ratatui::style::Style;

use crate::state::case::Remote;
use crate::state::{CaseState, State};
use crate::theme::Theme;

/// (label, text, style) rows for the Summary's labelled fields; none while nothing is known.
pub fn rows(s: &State, c: &CaseState, theme: &Theme) -> Vec<(&'static str, String, Style)> {
    let mut out = Vec::new();
    if let Remote::Ready(qs) = &c.questions
        && !qs.is_empty()
    {
        let counts = QuestionCounts::of(qs);
        let style = if counts.open > 0 {
            theme.warn
        } else {
            theme.text
        };
        out.push(("Questions", counts.words(), style));
    }
    // Chasing the agencies' reports is the CDR office's work (issue 16 §4): the manager sees
    // which are late.
    let manager = s
        .session
        .as_ref()
        .is_some_and(|p| permissions::manager_only(p.role));
    if manager
        && let Remote::Ready(items) = &c.involvements
        && let Some(words) = jar_core::reports::overdue_words(items, s.now)
    {
        out.push(("Reports", words, theme.overdue));
    }
    out
}
