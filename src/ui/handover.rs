//! The incoming colleague's handover screen (issue 17 §1): the cases on the left with their
//! acknowledgement, the selected case's I-PASS parts on the right. Status words, never colour
//! alone (clinical-model.md §3.2).

use jar_core::time::uk_clock;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

use super::{fit, styled, window_start};
use crate::state::forms::{Form, FormKind};
use crate::state::handover::HandoverView;
use crate::state::handover_form::{focused_entry, synthesis};
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
        let mut lines = vec![
            Line::from(styled(
                e.severity.clone(),
                severity_style(&e.severity, theme),
            )),
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
    let lead = if v.become_lead { "ON" } else { "off" };
    let keys = format!(
        " {} marked · become lead when acknowledging: {lead}",
        v.marked.len()
    );
    f.render_widget(
        Paragraph::new(styled(fit(&keys, usize::from(area.width)), theme.key)),
        Rect {
            y: area.y + area.height - 1,
            height: 1,
            ..area
        },
    );
}

/// The outgoing person's handover form (`state::handover_form`): who to hand over to and the
/// matches, one row per case with its severity and the synthesis typed, and the focused
/// case's I-PASS parts below, so each line is written with the case in view.
pub fn render_compose(form: &Form, theme: &Theme, f: &mut Frame, area: Rect) {
    let FormKind::Handover { entries, .. } = &form.kind else {
        return;
    };
    let w = usize::from(area.width);
    let mut out = vec![Line::from(styled(
        fit(&format!(" {}", form.title), w),
        theme.title,
    ))];
    if let Some(e) = &form.error {
        out.push(Line::from(styled(format!(" Not sent: {e}"), theme.error)));
    }
    let cursor = |i: usize| if form.focus == i { "_" } else { "" };
    let marker = |i: usize| if form.focus == i { ">" } else { " " };
    let incoming = form.text("incoming");
    let line = Line::from(vec![
        styled(format!("{}Hand over to: ", marker(0)), theme.title),
        styled(format!("{incoming}{}", cursor(0)), theme.input),
    ]);
    out.push(if form.focus == 0 {
        line.style(theme.selection)
    } else {
        line
    });
    let preview = match form.time_preview("incoming", chrono::DateTime::UNIX_EPOCH) {
        Some(Ok(t)) => styled(format!("   {t}"), theme.muted),
        Some(Err(t)) => styled(format!("   {t}"), theme.warn),
        None => styled("", theme.muted),
    };
    out.push(Line::from(preview));
    // The cases: as many rows as leave room for the focused case below.
    let detail_h = 9usize;
    let fixed = out.len() + 1;
    let room = usize::from(area.height)
        .saturating_sub(fixed + detail_h)
        .max(3);
    let focus_case = form.focus.saturating_sub(1);
    let start = window_start(focus_case, room);
    for (i, e) in entries.iter().enumerate().skip(start).take(room) {
        let word = e.severity.split(':').next().unwrap_or_default();
        let typed = synthesis(form, i);
        let text = if typed.is_empty() && form.focus != i + 1 {
            "(no synthesis yet)".to_string()
        } else {
            format!("{typed}{}", cursor(i + 1))
        };
        let row = format!("{}{} {} {}", marker(i + 1), e.reference, fit(word, 8), text);
        let style = if typed.is_empty() {
            theme.muted
        } else {
            theme.text
        };
        let line = Line::from(styled(fit(&row, w), style));
        out.push(if form.focus == i + 1 {
            line.style(theme.selection)
        } else {
            line
        });
    }
    let (_, e) = match focused_entry(form) {
        Some(x) => x,
        None => return f.render_widget(Paragraph::new(out), area),
    };
    out.push(Line::from(styled(
        fit(&format!(" {} ", e.reference), w),
        theme.accent,
    )));
    out.push(Line::from(styled(
        format!(" {}", e.severity),
        severity_style(&e.severity, theme),
    )));
    out.push(Line::from(format!(" {}", e.summary)));
    if e.actions.is_empty() {
        out.push(Line::from(styled(
            " Actions: none in the next 24h",
            theme.muted,
        )));
    }
    out.extend(
        e.actions
            .iter()
            .map(|a| Line::from(format!(" Action: {a}"))),
    );
    out.extend(e.awareness.iter().map(|a| Line::from(format!(" {a}"))));
    let body = Rect {
        height: area.height.saturating_sub(1),
        ..area
    };
    f.render_widget(Paragraph::new(out), body);
    let hint = form
        .focused()
        .map(|fl| format!(" {}: {}", fl.label, fl.hint))
        .unwrap_or_default();
    f.render_widget(
        Paragraph::new(styled(fit(&hint, w), theme.muted)),
        Rect {
            y: area.y + area.height.saturating_sub(1),
            height: 1,
            ..area
        },
    );
}

fn severity_style(severity: &str, theme: &Theme) -> ratatui::style::Style {
    if severity.starts_with("UNSTABLE") {
        theme.overdue
    } else if severity.starts_with("WATCHER") {
        theme.warn
    } else {
        theme.ok
    }
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
