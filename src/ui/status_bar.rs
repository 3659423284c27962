//! Banner, status bar (who, server, connection, writes waiting, UK time) and key hints.

use jar_core::time::uk_clock;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

use super::{cut, spread, styled};
use crate::state::{BannerKind, State};
use crate::theme::Theme;
use crate::update::contexts;

pub fn render(s: &State, theme: &Theme, f: &mut Frame, area: Rect) {
    let width = usize::from(area.width);
    let mut out: Vec<Line> = Vec::new();
    if let Some(b) = &s.banner {
        let style = match b.kind {
            BannerKind::Error => theme.error,
            BannerKind::Notice => theme.banner,
            BannerKind::Info => theme.accent,
        };
        out.push(Line::from(Span::styled(
            cut(&format!(" {}", b.text), width),
            style,
        )));
    }
    let who = s
        .session
        .as_ref()
        .map(|p| format!(" {} ({})", p.username, p.role.label()))
        .unwrap_or_else(|| " not signed in".to_string());
    let loading = if s.loading() { " · loading…" } else { "" };
    // Most important first: a narrow screen drops whole parts from the end, never the
    // connection state.
    let right = format!("{} ", uk_clock(s.now));
    let room = width.saturating_sub(right.len() + 1);
    let conn = s.conn.label().to_string();
    let unencrypted = match &s.journal_note {
        Some(note) => format!(" · {note}"),
        None if s.journal_unencrypted => " · journal unencrypted".to_string(),
        None => String::new(),
    };
    let waiting = if s.journal_opening {
        format!("journal opening{loading}")
    } else {
        format!("{} waiting{unencrypted}{loading}", s.waiting())
    };
    let parts = if width >= 60 {
        [
            who,
            conn,
            waiting,
            s.server_label.clone(),
            format!("token: {}", s.store_label),
        ]
    } else {
        // Narrow: the connection and the queue come first.
        [
            format!(" {conn}"),
            waiting,
            who.trim_start().to_string(),
            s.server_label.clone(),
            String::new(),
        ]
    };
    let mut left = String::new();
    for (i, p) in parts.iter().enumerate().filter(|(_, p)| !p.is_empty()) {
        let next = if i == 0 {
            p.clone()
        } else {
            format!("{left} · {p}")
        };
        if next.width() > room && i > 0 {
            break;
        }
        left = next;
    }
    let left = cut(&left, room);
    out.push(spread(vec![Span::raw(left)], vec![Span::raw(right)], area.width).style(theme.status));
    let mut hint_spans: Vec<Span> = Vec::new();
    let mut used = 1;
    hint_spans.push(Span::raw(" "));
    // A dialog's keys are its own: a confirmation answers y or no, a conflict has no "yes".
    let confirm = matches!(
        s.dialog,
        Some(crate::state::Dialog::Confirm { .. } | crate::state::Dialog::ConfirmForm { .. })
    );
    let dialog_keys = |words: &str| match (&s.dialog, s.top()) {
        (Some(_), Some(crate::state::Overlay::Dialog)) if confirm => {
            matches!(words, "yes" | "close")
        }
        (Some(_), Some(crate::state::Overlay::Dialog)) => words != "yes",
        _ => true,
    };
    for (key, words) in s
        .keymap
        .hints(&contexts(s), |p| s.allows_here(p))
        .into_iter()
        .filter(|(_, words)| dialog_keys(words))
    {
        let w = key.len() + words.len() + 3;
        if used + w > width {
            break;
        }
        used += w;
        hint_spans.push(styled(key, theme.key));
        hint_spans.push(Span::raw(format!(" {words}  ")));
    }
    out.push(Line::from(hint_spans));
    f.render_widget(Paragraph::new(out), area);
}
