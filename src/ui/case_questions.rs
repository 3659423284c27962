//! Questions tab: the family's questions (issue 16 §2), listed for the review meeting with
//! the agency asked and how far each has got; the selected one with its history below.

use jar_core::time::uk_datetime;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

use super::case::not_ready;
use super::{fit, styled, window_start};
use crate::state::{CaseState, State};
use crate::theme::Theme;

pub fn render(s: &State, c: &CaseState, theme: &Theme, f: &mut Frame, area: Rect) {
    if let Some(l) = not_ready(&c.questions, theme) {
        f.render_widget(Paragraph::new(l), area);
        return;
    }
    let Some(questions) = c.questions.ready() else {
        return;
    };
    let width = usize::from(area.width);
    if questions.is_empty() {
        let key = s.keymap.key_for(
            crate::keymap::Ctx::CaseQuestions,
            crate::keymap::Action::Add,
        );
        let words = if s.allows(jar_core::permissions::Permission::RaiseFamilyQuestion) {
            format!("  No questions from the family yet. Press {key} to raise one.")
        } else {
            "  No questions for your agency.".to_string()
        };
        f.render_widget(
            Paragraph::new(styled(fit(&words, width), theme.muted)),
            area,
        );
        return;
    }
    let list_h = (area.height / 2).clamp(1, 10).min(area.height);
    let sel = c.tab.row();
    let start = window_start(sel, usize::from(list_h));
    let mut out = Vec::new();
    for (i, q) in questions
        .iter()
        .enumerate()
        .skip(start)
        .take(usize::from(list_h))
    {
        let marker = if i == sel { ">" } else { " " };
        // Status words, not colour alone (clinical-model.md §3.2 rules).
        let text = format!(
            "{marker}#{:<3} {} {} {}",
            q.id,
            fit(q.status.label(), 21),
            fit(q.agency.short(), 4),
            q.text.lines().next().unwrap_or("")
        );
        let mut line = Line::from(fit(&text, width));
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
    let Some(q) = questions.get(sel) else {
        return;
    };
    let mut d: Vec<Line> = vec![Line::from(styled(
        format!(
            " #{} asked of {} — {}",
            q.id,
            q.agency.label(),
            q.status.label()
        ),
        theme.title,
    ))];
    for l in q.text.lines() {
        d.push(Line::from(format!(" {l}")));
    }
    if let Some(contact) = q.from_contact {
        d.push(Line::from(styled(
            format!(" Raised in contact #{contact}"),
            theme.muted,
        )));
    }
    for step in &q.history {
        d.push(Line::from(styled(
            format!(
                " {} {} by {}",
                uk_datetime(step.at),
                step.status.label(),
                step.by
            ),
            theme.muted,
        )));
        for l in step.note.lines() {
            d.push(Line::from(format!("   {l}")));
        }
    }
    f.render_widget(
        Paragraph::new(d).wrap(Wrap { trim: false }),
        Rect {
            y: area.y + list_h,
            height: area.height.saturating_sub(list_h),
            ..area
        },
    );
}
