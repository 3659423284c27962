//! Checklists tab: grouped by section; each item with a status word and mark, owning agency,
//! who and when. Items the role may not change say why.

use jar_core::permissions::item_lock_reason;
use jar_core::time::uk_datetime;
use jar_core::wire::owners_short;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::case::not_ready;
use super::{fit, styled, window_start};
use crate::state::case::sections;
use crate::state::{CaseState, State};
use crate::theme::Theme;

/// One display row: a checklist or section heading, or an item (index into `items()`).
enum Row {
    Heading(String),
    Item(usize),
}

pub fn render(s: &State, c: &CaseState, theme: &Theme, f: &mut Frame, area: Rect) {
    if let Some(l) = not_ready(&c.checklists, theme) {
        f.render_widget(Paragraph::new(l), area);
        return;
    }
    let Some(lists) = c.checklists.ready() else {
        return;
    };
    if lists.is_empty() {
        // Only a presentation with a standard checklist is offered one (Trauma, Other: none).
        let standard = c
            .detail
            .ready()
            .map(|d| d.case.category.default_template().is_some());
        let hint = match standard {
            Some(false) => "  No standard checklist for this presentation.",
            _ if !s.allows(jar_core::permissions::Permission::StartChecklist) => {
                "  No checklist started yet."
            }
            Some(true) => &format!(
                "  No checklist started. Press {} to start the standard one.",
                s.keymap.key_for(
                    crate::keymap::Ctx::CaseChecklists,
                    crate::keymap::Action::StartChecklist
                )
            ),
            None => "  No checklist started yet.",
        };
        f.render_widget(Paragraph::new(styled(hint, theme.muted)), area);
        return;
    }
    let role = s.session.as_ref().map(|p| p.role);
    let items = c.items();
    let mut rows = Vec::new();
    let mut idx = 0;
    for list in lists {
        rows.push(Row::Heading(format!(
            "{} v{} — {}/{} done{}",
            list.title,
            list.version,
            list.progress.done,
            list.progress.total,
            if list.progress.open_time_critical > 0 {
                format!(", !{} time-critical open", list.progress.open_time_critical)
            } else {
                String::new()
            }
        )));
        for section in sections(list) {
            rows.push(Row::Heading(format!("  {section}")));
            for _ in list.items.iter().filter(|i| i.item.section == section) {
                rows.push(Row::Item(idx));
                idx += 1;
            }
        }
    }
    let sel = c.tab.row();
    let sel_row = rows
        .iter()
        .position(|r| matches!(r, Row::Item(i) if *i == sel))
        .unwrap_or(0);
    let detail_h = (area.height / 3).clamp(0, 5);
    let list_h = area.height.saturating_sub(detail_h);
    let width = usize::from(area.width);
    let start = window_start(sel_row, usize::from(list_h));
    let mut out: Vec<Line> = Vec::new();
    for row in rows.iter().skip(start).take(usize::from(list_h)) {
        match row {
            Row::Heading(h) => out.push(Line::from(styled(fit(h, width), theme.title))),
            Row::Item(i) => {
                let Some(it) = items.get(*i) else { continue };
                let st = &it.view.state;
                let item = &it.view.item;
                let locked = role.and_then(|r| item_lock_reason(r, item)).is_some();
                // A change not yet confirmed shows at once, marked pending.
                let pending = s.outbox.iter().rev().find_map(|w| match &w.write {
                    crate::state::Write::ItemUpdate { addr, update, .. }
                        if addr.case_ref == c.reference
                            && addr.template == it.template
                            && addr.item == item.id =>
                    {
                        Some(update.status)
                    }
                    _ => None,
                });
                let shown;
                let st = match pending {
                    Some(status) => {
                        shown = jar_core::checklist::ItemState {
                            status,
                            ..st.clone()
                        };
                        &shown
                    }
                    None => st,
                };
                let when = match (&st.updated_by, st.updated_at) {
                    _ if pending.is_some() => "pending".to_string(),
                    (Some(by), Some(at)) => format!("{} {}", fit(by, 10), hhmm(at)),
                    _ => String::new(),
                };
                let crit = if item.window.is_some() && !st.status.is_closed() {
                    "!"
                } else {
                    " "
                };
                let lock = if locked { "ro " } else { "   " };
                let status_style = match st.status {
                    jar_core::checklist::ItemStatus::Done => theme.ok,
                    jar_core::checklist::ItemStatus::Unable => theme.warn,
                    _ => theme.text,
                };
                let marker = if *i == sel { ">" } else { " " };
                let head = format!("{marker}{} ", st.status.mark());
                let word = fit(st.status.label(), 6);
                // Narrow screens drop who/when from the row (the detail pane keeps them).
                let when_w = if width >= 70 { 16 } else { 0 };
                let text_w = width.saturating_sub(5 + 6 + 1 + 1 + 1 + 8 + 3 + when_w);
                let mut line = Line::from(vec![
                    Span::raw(head),
                    styled(word, status_style),
                    styled(crit, theme.danger),
                    Span::raw(" "),
                    Span::raw(fit(&item.text, text_w.max(8))),
                    Span::raw(" "),
                    Span::raw(fit(&owners_short(&item.owners), 8)),
                    styled(lock, theme.muted),
                    styled(fit(&when, when_w), theme.muted),
                ]);
                if *i == sel {
                    line = line.style(theme.selection);
                }
                out.push(line);
            }
        }
    }
    f.render_widget(
        Paragraph::new(out),
        Rect {
            height: list_h,
            ..area
        },
    );
    if let Some(it) = items.get(sel) {
        let item = &it.view.item;
        let st = &it.view.state;
        let mut detail = vec![Line::from(vec![
            styled(format!(" {} ", item.id), theme.accent),
            Span::raw(format!(
                "{} · owned by {}",
                st.status.label(),
                item.owners
                    .iter()
                    .map(|a| a.label())
                    .collect::<Vec<_>>()
                    .join(" + ")
            )),
        ])];
        if let Some(w) = item.window {
            let from = match w.from {
                jar_core::checklist::WindowAnchor::Death => "death",
                jar_core::checklist::WindowAnchor::Notification => "notification",
            };
            detail.push(Line::from(styled(
                format!(
                    " time-critical: within {} h of {from}{}",
                    w.hours,
                    if w.hard { " (HARD)" } else { "" }
                ),
                theme.warn,
            )));
        }
        if let Some(reason) = role.and_then(|r| item_lock_reason(r, item)) {
            detail.push(Line::from(styled(
                format!(" read-only for you: {reason}"),
                theme.restricted,
            )));
        }
        if let (Some(by), Some(at)) = (&st.updated_by, st.updated_at) {
            detail.push(Line::from(styled(
                format!(" last changed by {by}, {}", uk_datetime(at)),
                theme.muted,
            )));
        }
        match st.note.as_deref() {
            Some(n) if !n.trim().is_empty() => {
                // Each line of the note on its own row, under the first.
                for (i, l) in n.lines().enumerate() {
                    let head = if i == 0 { " note: " } else { "       " };
                    detail.push(Line::from(format!("{head}{l}")));
                }
            }
            None if item.restricted => {
                detail.push(Line::from(styled(" note: (restricted)", theme.restricted)))
            }
            _ => detail.push(Line::from(styled(format!(" {}", item.help), theme.muted))),
        }
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

/// UK local hours and minutes, for a narrow column (the detail pane has the full time).
fn hhmm(t: chrono::DateTime<chrono::Utc>) -> String {
    t.with_timezone(&chrono_tz::Europe::London)
        .format("%H:%M")
        .to_string()
}
