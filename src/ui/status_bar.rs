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
    let right = format!("{} ", uk_clock(s.now));
    let room = width.saturating_sub(right.len() + 1);
    let left = status_text(s, room);
    let left = cut(&left, room);
    out.push(spread(vec![Span::raw(left)], vec![Span::raw(right)], area.width).style(theme.status));
    let mut hint_spans: Vec<Span> = Vec::new();
    let mut used = 1;
    hint_spans.push(Span::raw(" "));
    for (key, words) in s.keymap.hints(&contexts(s), |p| s.allows(p)) {
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

/// The left of the status bar in `room` columns. The connection and a non-zero count of
/// changes waiting are never dropped, whatever the width or the role (issue 18 §1): they
/// come first when room is short; the rest (who, notes, server, token store) fill what is
/// left, most important first, whole parts only.
pub fn status_text(s: &State, room: usize) -> String {
    let who = s
        .session
        .as_ref()
        .map(|p| format!("{} ({})", p.username, p.role.label()))
        .unwrap_or_else(|| "not signed in".to_string());
    let conn = s.conn.label().to_string();
    let waiting = if s.journal_opening {
        "journal opening".to_string()
    } else {
        format!("{} waiting", s.waiting())
    };
    let note = match &s.journal_note {
        Some(note) => note.clone(),
        None if s.journal_unencrypted => "journal unencrypted".to_string(),
        None => String::new(),
    };
    let loading = if s.loading() { "loading…" } else { "" };
    let must = [conn, waiting];
    let mut left = format!(" {}", must.join(" · "));
    if left.width() > room {
        // Narrower than both: the waiting count, when there is one, wins over the words.
        let short = if s.waiting() > 0 {
            format!(" {}w {}", s.waiting(), s.conn.label())
        } else {
            format!(" {}", s.conn.label())
        };
        return cut(&short, room);
    }
    // Who goes before the essentials when it fits with them (the usual, wide case).
    let with_who = format!(" {who} ·{left}");
    if with_who.width() <= room {
        left = with_who;
    }
    for part in [loading, note.as_str(), s.server_label.as_str()] {
        if part.is_empty() {
            continue;
        }
        let next = format!("{left} · {part}");
        if next.width() <= room {
            left = next;
        }
    }
    let store = format!("token: {}", s.store_label);
    let next = format!("{left} · {store}");
    if next.width() <= room {
        left = next;
    }
    left
}
