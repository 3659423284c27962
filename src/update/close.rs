//! Closing a case (issue 14 §3): the CDR manager records "CDOP review completed", and the TUI
//! first shows what is still open (checklist items, time-critical ones, deadlines not met) and
//! asks. Unable items count as open: unable is not done.

use jar_core::deadline::DeadlineState;

use crate::state::{Dialog, Form, State, Write};

/// At most this many open items are named; the rest are counted.
const NAMED: usize = 3;

/// The lines that say what is still open on the case on screen.
pub fn still_open(s: &State) -> Vec<String> {
    let Some(c) = s.case.as_ref() else {
        return vec!["The case is not loaded: what is open is not known.".to_string()];
    };
    let mut lines = Vec::new();
    if let Some(d) = c.detail.ready() {
        let p = d.progress;
        let open = p.total.saturating_sub(p.done);
        lines.push(format!(
            "Checklist items still open: {open} of {} ({} time-critical).",
            p.total, p.open_time_critical
        ));
        let missed: Vec<&str> = d
            .deadlines
            .iter()
            .filter(|dl| matches!(dl.state, DeadlineState::Due | DeadlineState::Overdue))
            .map(|dl| dl.title.as_str())
            .collect();
        if !missed.is_empty() {
            lines.push(format!(
                "Deadlines not met: {}{}.",
                missed
                    .iter()
                    .take(NAMED)
                    .copied()
                    .collect::<Vec<_>>()
                    .join("; "),
                more(missed.len())
            ));
        }
    }
    let open_items: Vec<String> = c
        .items()
        .iter()
        .filter(|i| !i.view.state.status.is_closed())
        .map(|i| format!("{} ({})", i.view.item.id, i.view.state.status.label()))
        .collect();
    if !open_items.is_empty() {
        lines.push(format!(
            "Open: {}{}.",
            open_items
                .iter()
                .take(NAMED)
                .cloned()
                .collect::<Vec<_>>()
                .join(", "),
            more(open_items.len())
        ));
    }
    if lines.is_empty() {
        lines.push("Nothing is recorded as open.".to_string());
    }
    lines
}

fn more(n: usize) -> String {
    if n > NAMED {
        format!(" and {} more", n - NAMED)
    } else {
        String::new()
    }
}

/// The confirmation before the closing event is sent.
pub fn confirm(s: &State, write: Write, form: Form) -> Dialog {
    let reference = s
        .case
        .as_ref()
        .map(|c| c.reference.to_string())
        .unwrap_or_default();
    let mut lines = still_open(s);
    lines.push("Closing takes the case off the board.".to_string());
    Dialog::Confirm {
        title: format!("Close {reference}?"),
        lines,
        write: Box::new(write),
        form: Some(Box::new(form)),
    }
}
