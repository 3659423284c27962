//! Every form (contact, notify, timeline event, amendment, reveal reason, item note): a
//! column of labelled fields, the focused one marked, scrolled so it is always visible.
//! Under every time field, what it will save in words ("yesterday 23:30 GMT, 1h30m ago") or
//! why it will not parse, so a misread time is caught before it is sent.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::{block, fit, styled};
use crate::state::Form;
use crate::state::forms::{Field, Value};
use crate::theme::Theme;

const LABEL_W: usize = 24;

fn height(form: &Form, field: &Field, focused: bool) -> u16 {
    match &field.value {
        Value::Line(_) if form.time_field(field.key).is_some() => 2,
        // The assignment picker's matches (issue 15 §4).
        Value::Line(_) if crate::state::assign_form::has_preview(form, field.key) => 2,
        Value::Line(_) if crate::state::handover_form::preview(form, field.key).is_some() => 2,
        Value::Text(_) => 6,
        Value::Multi { options, .. } if focused => 1 + options.len() as u16,
        _ => 1,
    }
}

pub fn render(form: &Form, now: DateTime<Utc>, theme: &Theme, f: &mut Frame, area: Rect) {
    if area.height < 3 {
        return;
    }
    let mut top = vec![Line::from(styled(format!(" {}", form.title), theme.title))];
    if let Some(e) = &form.error {
        top.push(Line::from(styled(format!(" Not saved: {e}"), theme.error)));
    }
    let top_h = top.len() as u16;
    f.render_widget(
        Paragraph::new(top).wrap(Wrap { trim: false }),
        Rect {
            height: top_h.min(area.height),
            ..area
        },
    );
    let hint_h = 1;
    let body = Rect {
        y: area.y + top_h,
        height: area.height.saturating_sub(top_h + hint_h),
        ..area
    };
    // Scroll so the focused field is fully visible.
    let mut heights: Vec<u16> = form
        .fields
        .iter()
        .enumerate()
        .map(|(i, fl)| height(form, fl, i == form.focus))
        .collect();
    // Room left over goes to the first text box (a contact's summary): on a tall terminal
    // the person sees what they write, not three lines of it (issue 16 §1).
    let used: u16 = heights.iter().sum();
    if let Some(i) = form
        .fields
        .iter()
        .position(|fl| matches!(fl.value, Value::Text(_)))
    {
        heights[i] += body.height.saturating_sub(used);
    }
    let focus_end: u16 = heights.iter().take(form.focus + 1).sum();
    let focus_start = focus_end.saturating_sub(heights.get(form.focus).copied().unwrap_or(1));
    // Start at a field boundary: the first field from which the focused one fits.
    let mut offset = focus_start;
    let mut start = 0u16;
    for h in heights.iter().take(form.focus + 1) {
        if focus_end - start <= body.height {
            offset = start;
            break;
        }
        start += h;
    }
    let mut y: u16 = 0;
    for (i, field) in form.fields.iter().enumerate() {
        let h = heights[i];
        let start = y;
        y += h;
        if start < offset {
            continue;
        }
        let rel = start - offset;
        if rel + h.min(body.height) > body.height || rel >= body.height {
            break;
        }
        let rect = Rect {
            y: body.y + rel,
            height: h.min(body.height - rel),
            ..body
        };
        draw_field(field, i == form.focus, theme, f, rect);
        if let Some(preview) = form.time_preview(field.key, now) {
            draw_preview(preview, theme, f, rect);
        }
    }
    let hint = form
        .focused()
        .map(|fl| format!(" {}: {}", fl.label, fl.hint))
        .unwrap_or_default();
    f.render_widget(
        Paragraph::new(styled(hint, theme.muted)),
        Rect {
            y: area.y + area.height.saturating_sub(1),
            height: 1,
            ..area
        },
    );
}

fn label(field: &Field, focused: bool, theme: &Theme) -> Span<'static> {
    let marker = if focused { ">" } else { " " };
    let style = if focused { theme.title } else { theme.text };
    styled(format!("{marker}{}", fit(field.label, LABEL_W - 1)), style)
}

fn draw_field(field: &Field, focused: bool, theme: &Theme, f: &mut Frame, rect: Rect) {
    let input = if focused {
        theme.selection
    } else {
        theme.input
    };
    let width = usize::from(rect.width).saturating_sub(LABEL_W + 1);
    match &field.value {
        Value::Line(s) => {
            let shown = if focused { format!("{s}_") } else { s.clone() };
            // Show the end of a long line (where the typing happens).
            let chars: Vec<char> = shown.chars().collect();
            let tail: String = chars[chars.len().saturating_sub(width)..].iter().collect();
            line(
                f,
                rect,
                vec![label(field, focused, theme), Span::styled(tail, input)],
            );
        }
        Value::Secret(s) => {
            let shown = "*".repeat(s.chars().count().min(width));
            line(
                f,
                rect,
                vec![label(field, focused, theme), Span::styled(shown, input)],
            );
        }
        Value::Check(b) => {
            let shown = if *b { "[x] yes" } else { "[ ] no" };
            line(
                f,
                rect,
                vec![label(field, focused, theme), Span::styled(shown, input)],
            );
        }
        Value::Choice { options, index } => {
            let current = options
                .get(*index)
                .cloned()
                .unwrap_or_else(|| "(none)".into());
            let shown = format!("< {current} >  ({}/{})", index + 1, options.len());
            line(
                f,
                rect,
                vec![label(field, focused, theme), Span::styled(shown, input)],
            );
        }
        Value::Multi {
            options,
            chosen,
            cursor,
        } => {
            let picked: Vec<&str> = options
                .iter()
                .zip(chosen)
                .filter(|(_, c)| **c)
                .map(|(o, _)| o.as_str())
                .collect();
            let summary = if picked.is_empty() {
                "none ticked".to_string()
            } else {
                format!("{} ticked: {}", picked.len(), picked.join(", "))
            };
            let mut out = vec![Line::from(vec![
                label(field, focused, theme),
                Span::styled(summary, theme.input),
            ])];
            if focused {
                for (i, o) in options.iter().enumerate() {
                    let mark = if chosen.get(i).copied().unwrap_or(false) {
                        "[x]"
                    } else {
                        "[ ]"
                    };
                    let style = if i == *cursor {
                        theme.selection
                    } else {
                        Style::default()
                    };
                    out.push(Line::from(vec![
                        Span::raw(" ".repeat(LABEL_W)),
                        Span::styled(format!("{mark} {o}"), style),
                    ]));
                }
            }
            f.render_widget(Paragraph::new(out), rect);
        }
        Value::Text(ta) => {
            line(
                f,
                Rect { height: 1, ..rect },
                vec![
                    label(field, focused, theme),
                    styled(field.hint, theme.muted),
                ],
            );
            let boxed = Rect {
                x: rect.x + 1,
                y: rect.y + 1,
                width: rect.width.saturating_sub(2),
                height: rect.height.saturating_sub(1),
            };
            let b = block(theme, "");
            let inner = b.inner(boxed);
            f.render_widget(b, boxed);
            if focused {
                f.render_widget(&**ta, inner);
            } else {
                let mut quiet = (**ta).clone();
                quiet.set_cursor_style(Style::default());
                quiet.set_cursor_line_style(Style::default());
                f.render_widget(&quiet, inner);
            }
        }
    }
}

/// The second row of a time field: the parsed time in words, or why it does not parse.
fn draw_preview(preview: Result<String, String>, theme: &Theme, f: &mut Frame, rect: Rect) {
    if rect.height < 2 {
        return;
    }
    let width = usize::from(rect.width).saturating_sub(LABEL_W + 1);
    let (text, style) = match preview {
        Ok(words) => (format!("= {words}"), theme.muted),
        Err(why) => (format!("! {why}"), theme.error),
    };
    line(
        f,
        Rect {
            y: rect.y + 1,
            ..rect
        },
        vec![
            Span::raw(" ".repeat(LABEL_W)),
            styled(fit(&text, width), style),
        ],
    );
}

fn line(f: &mut Frame, rect: Rect, spans: Vec<Span<'static>>) {
    f.render_widget(
        Paragraph::new(Line::from(spans)),
        Rect { height: 1, ..rect },
    );
}
