//! The incoming colleague's handover screen (issue 17 §1): the cases on the left with their
//! acknowledgement, the selected case's I-PASS parts on the right. Status words, never colour
//! alone (clinical-model.md §3.2).

use jar_core::time::uk_clock;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

use super::{fit, styled, window_start};
use crate::state::handover::HandoverView;
use crate::theme::Theme;

/// Width of the case list.
const LIST_W: u16 = 26;

pub fn render(v: &HandoverView, theme: &Theme, f: &mut Frame, area: Rect) {
    if area.height < 4 || area.width < LIST_W + 20 {
        f.render_widget(Paragraph::new(styled(v.title(), theme.title)), area);
        return;
    }
    let head = Line::from(vec![
        styled(fit(&v.title(), usize::from(area.width) - 30), theme.title),
        styled(
            format!(
                "  sent {} · {} open",
                uk_clock(v.handover.sent_at),
                v.open_count()
            ),
            theme.muted,
        ),
    ]);
    f.render_widget(Paragraph::new(head), Rect { height: 1, ..area });
    let body_h = area.height - 2;
    let start = window_start(v.selected, usize::from(body_h));
    let rows: Vec<Line> = v
        .handover
        .cases
        .iter()
        .enumerate()
        .skip(start)
        .take(usize::from(body_h))
        .map(|(i, c)| {
            let mark = match (c.acknowledged_at, v.marked.contains(&c.entry.reference)) {
                (Some(_), _) => "ACK",
                (None, true) => "[x]",
                (None, false) => "[ ]",
            };
            let sel = if i == v.selected { ">" } else { " " };
            let text = fit(
                &format!("{sel}{mark} {}", c.entry.reference),
                usize::from(LIST_W),
            );
            let style = if c.acknowledged_at.is_some() {
                theme.muted
            } else {
                theme.text
            };
            let line = Line::from(styled(text, style));
            if i == v.selected {
                line.style(theme.selection)
            } else {
                line
            }
        })
        .collect();
    f.render_widget(
        Paragraph::new(rows),
        Rect {
            y: area.y + 1,
            width: LIST_W,
            height: body_h,
            ..area
        },
    );
    if let Some(c) = v.current() {
        let e = &c.entry;
        let severity_style = if e.severity.starts_with("UNSTABLE") {
            theme.overdue
        } else if e.severity.starts_with("WATCHER") {
            theme.warn
        } else {
            theme.ok
        };
        let mut lines = vec![
            Line::from(styled(e.severity.clone(), severity_style)),
            Line::from(e.summary.clone()),
            Line::from(styled("Actions", theme.title)),
        ];
        if e.actions.is_empty() {
            lines.push(Line::from(styled(" none in the next 24h", theme.muted)));
        }
        lines.extend(e.actions.iter().map(|a| Line::from(format!(" {a}"))));
        lines.push(Line::from(styled("Awareness", theme.title)));
        lines.extend(e.awareness.iter().map(|a| Line::from(format!(" {a}"))));
        lines.push(Line::from(styled("Synthesis", theme.title)));
        let synthesis = if e.synthesis.trim().is_empty() {
            "(none written)".to_string()
        } else {
            e.synthesis.clone()
        };
        lines.push(Line::from(format!(" {synthesis}")));
        if let Some(at) = c.acknowledged_at {
            let lead = if c.became_lead { ", became lead" } else { "" };
            lines.push(Line::from(styled(
                format!("Acknowledged {}{lead}", uk_clock(at)),
                theme.muted,
            )));
        }
        f.render_widget(
            Paragraph::new(lines).wrap(Wrap { trim: false }),
            Rect {
                x: area.x + LIST_W + 1,
                y: area.y + 1,
                width: area.width - LIST_W - 1,
                height: body_h,
            },
        );
    }
    let lead = if v.become_lead { "on" } else { "off" };
    let keys = format!(" space mark  a acknowledge marked  A all  l become lead: {lead}  Esc back");
    f.render_widget(
        Paragraph::new(styled(fit(&keys, usize::from(area.width)), theme.key)),
        Rect {
            y: area.y + area.height - 1,
            height: 1,
            ..area
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::handover::tests::handover;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    fn draw(v: &HandoverView, w: u16, h: u16) -> Terminal<TestBackend> {
        let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
        t.draw(|f| render(v, &Theme::mono(), f, f.area()))
            .expect("draw");
        t
    }

    #[test]
    fn the_incoming_colleague_sees_each_case_its_ipass_parts_and_what_is_acknowledged() {
        let mut v = HandoverView::new(handover());
        v.toggle_mark();
        insta::assert_snapshot!("handover_80x24", draw(&v, 80, 24).backend());
        for (w, h) in [(1, 1), (30, 10), (46, 4), (200, 60)] {
            draw(&v, w, h);
        }
    }
}
