//! Timeline tab: what happened when, by whom; corrections point at what they correct.

use std::collections::HashMap;

use jar_core::time::uk_datetime;
use jar_core::timeline::EventKind;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::case::not_ready;
use super::{fit, styled, window_start};
use crate::state::{CaseState, State};
use crate::theme::Theme;

pub fn render(s: &State, c: &CaseState, theme: &Theme, f: &mut Frame, area: Rect) {
    if let Some(l) = not_ready(&c.timeline, theme) {
        f.render_widget(Paragraph::new(l), area);
        return;
    }
    let Some(events) = c.timeline.ready() else {
        return;
    };
    if events.is_empty() {
        f.render_widget(
            Paragraph::new(styled(
                if s.allows(jar_core::permissions::Permission::WriteTimeline) {
                    format!(
                        "  No events yet. Press {} to add one.",
                        s.keymap
                            .key_for(crate::keymap::Ctx::CaseTimeline, crate::keymap::Action::Add)
                    )
                } else {
                    "  No events yet.".to_string()
                },
                theme.muted,
            )),
            area,
        );
        return;
    }
    let corrected_by: HashMap<i64, i64> = events
        .iter()
        .filter_map(|e| e.corrects.map(|old| (old, e.id)))
        .collect();
    let detail_h = (area.height / 3).clamp(0, 6);
    let list_h = area.height.saturating_sub(detail_h);
    let width = usize::from(area.width);
    let sel = c.tab.row();
    let start = window_start(sel, usize::from(list_h));
    let mut out: Vec<Line> = Vec::new();
    for (i, e) in events
        .iter()
        .enumerate()
        .skip(start)
        .take(usize::from(list_h))
    {
        let what = match (e.kind, corrected_by.get(&e.id)) {
            (EventKind::Correction, _) => {
                format!("Correction of #{}", e.corrects.unwrap_or_default())
            }
            (k, Some(by)) => format!("{} (withdrawn #{by})", k.label()),
            (k, None) => k.label().to_string(),
        };
        let marker = if i == sel { ">" } else { " " };
        let text = format!(
            "{marker}#{:<4} {} {} {}",
            e.id,
            fit(&uk_datetime(e.occurred_at), 20),
            fit(&what, width.saturating_sub(6 + 21 + 1 + 15).clamp(10, 60)),
            e.recorded_by
        );
        let style = if corrected_by.contains_key(&e.id) {
            theme.muted
        } else {
            theme.text
        };
        let mut line = Line::from(Span::styled(fit(&text, width), style));
        if i == sel {
            line = line.style(theme.selection);
        }
        out.push(line);
    }
    f.render_widget(
        Paragraph::new(out),
        Rect {
            height: list_h,
            ..area
        },
    );
    if let Some(e) = events.get(sel) {
        let note = if e.note.trim().is_empty() {
            "(no note)".to_string()
        } else {
            e.note.clone()
        };
        let detail = vec![
            Line::from(styled(
                format!(
                    " #{} recorded {} by {}",
                    e.id,
                    uk_datetime(e.recorded_at),
                    e.recorded_by
                ),
                theme.muted,
            )),
            Line::from(format!(" {note}")),
        ];
        f.render_widget(
            Paragraph::new(detail).wrap(Wrap { trim: false }),
            Rect {
                y: area.y + list_h,
                height: detail_h,
                ..area
            },
        );
    }
}
