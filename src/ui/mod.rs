//! Render functions of `&State` only: they draw and change nothing. Every coordinate is
//! clamped, so no terminal size can panic.

mod board;
mod case;
mod case_checklists;
mod case_contacts;
mod case_family;
mod case_questions;
mod case_review_summary;
mod case_summary;
mod case_timeline;
mod desk;
mod dialog;
mod form;
pub mod handover;
mod help;
mod login;
pub mod status_bar;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::symbols::border;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::state::{Overlay, Screen, State};
use crate::theme::Theme;
use crate::update::{MIN_HEIGHT, MIN_WIDTH};

pub const ASCII_BORDER: border::Set<'static> = border::Set {
    top_left: "+",
    top_right: "+",
    bottom_left: "+",
    bottom_right: "+",
    vertical_left: "|",
    vertical_right: "|",
    horizontal_top: "-",
    horizontal_bottom: "-",
};

/// The help screen's text, as the widest screen shows it (tests and docs read it): every
/// key of every screen.
pub fn help_text() -> String {
    help::help_lines(
        &Theme::mono(),
        &crate::keymap::Keymap::default(),
        200,
        &|_| true,
        &help::ORDER,
    )
    .iter()
    .map(|l| {
        l.spans
            .iter()
            .map(|s| s.content.as_ref())
            .collect::<String>()
    })
    .collect::<Vec<_>>()
    .join("\n")
}

pub fn render(s: &State, theme: &Theme, f: &mut Frame) {
    draw(s, theme, f);
    if theme.ascii {
        asciify(f.buffer_mut());
    }
}

/// ASCII mode: the few non-ASCII marks the UI itself uses become ASCII (box drawing is
/// already ASCII through the border set).
fn asciify(buf: &mut ratatui::buffer::Buffer) {
    for cell in buf.content.iter_mut() {
        let replacement = match cell.symbol() {
            "·" => "-",
            "—" | "–" => "-",
            "…" => ".",
            "┌" | "┐" | "└" | "┘" => "+",
            "─" => "-",
            "│" => "|",
            _ => continue,
        };
        cell.set_symbol(replacement);
    }
}

fn draw(s: &State, theme: &Theme, f: &mut Frame) {
    let area = f.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small(s, theme, f, area);
        return;
    }
    if s.locked {
        // Nothing from a case: only the password prompt (the whole screen is redrawn).
        login::render_locked(s, theme, f, area);
        return;
    }
    if s.login.is_some() && s.session.is_none() {
        login::render_screen(s, theme, f, area);
        return;
    }
    let footer = 2 + u16::from(s.banner.is_some());
    let header = Rect { height: 1, ..area };
    let body = Rect {
        y: area.y + 1,
        height: area.height.saturating_sub(1 + footer),
        ..area
    };
    let foot = Rect {
        y: area.y + area.height.saturating_sub(footer),
        height: footer,
        ..area
    };
    match (s.screen, s.case.as_ref()) {
        (Screen::Case, Some(c)) => case::render_header(s, c, theme, f, header),
        (Screen::Audit, _) => desk::render_audit_header(s, theme, f, header),
        (Screen::Users, _) => desk::render_users_header(s, theme, f, header),
        _ => board::render_header(s, theme, f, header),
    }
    // The overlay stack, bottom first: the screen under the highest one that fills the
    // body is not drawn; everything from there up is, in order.
    let stack = s.overlays();
    let from = stack.iter().rposition(|o| o.covers_body());
    if from.is_none() {
        match (s.screen, s.case.as_ref(), s.handover.as_ref()) {
            (Screen::Case, Some(c), _) => case::render_body(s, c, theme, f, body),
            (Screen::Handover, _, Some(v)) => handover::render(v, theme, f, body),
            (Screen::Audit, _, _) => desk::render_audit(s, theme, f, body),
            (Screen::Users, _, _) => desk::render_users(s, theme, f, body),
            _ => board::render_body(s, theme, f, body),
        }
    }
    status_bar::render(s, theme, f, foot);
    for o in &stack[from.unwrap_or(0)..] {
        match o {
            Overlay::Help => help::render(s, theme, f, body),
            Overlay::Form => match &s.form {
                Some(form) if matches!(form.kind, crate::state::FormKind::Handover { .. }) => {
                    handover::render_compose(form, theme, f, body)
                }
                Some(form) => form::render(form, s.now, theme, f, body),
                None => {}
            },
            Overlay::Dialog => {
                if let Some(d) = &s.dialog {
                    dialog::render(d, theme, f, body);
                }
            }
            Overlay::Login => login::render_overlay(s, theme, f, area),
        }
    }
}

fn too_small(s: &State, theme: &Theme, f: &mut Frame, area: Rect) {
    let quit = s
        .keymap
        .key_for(crate::keymap::Ctx::Board, crate::keymap::Action::Quit);
    let text = format!(
        "Terminal too small (need {MIN_WIDTH}x{MIN_HEIGHT}, have {}x{}) — {quit} quits",
        area.width, area.height
    );
    f.render_widget(
        Paragraph::new(text)
            .style(theme.warn)
            .wrap(Wrap { trim: true }),
        area,
    );
}

/// A block with the theme's border (ASCII when asked).
pub fn block<'a>(theme: &Theme, title: &'a str) -> Block<'a> {
    let b = Block::bordered()
        .border_style(theme.border)
        .title(Span::styled(title, theme.title));
    if theme.ascii {
        b.border_set(ASCII_BORDER)
    } else {
        b
    }
}

/// `s` cut to `width` display columns and padded with spaces to exactly `width`.
pub fn fit(s: &str, width: usize) -> String {
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > width {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push_str(&" ".repeat(width.saturating_sub(used)));
    out
}

/// `s` cut to `width` display columns, no padding.
pub fn cut(s: &str, width: usize) -> String {
    fit(s, width).trim_end().to_string()
}

/// One line with `left` and `right` (right-aligned) in `width` columns.
pub fn spread<'a>(left: Vec<Span<'a>>, right: Vec<Span<'a>>, width: u16) -> Line<'a> {
    let lw: usize = left.iter().map(|s| s.content.width()).sum();
    let rw: usize = right.iter().map(|s| s.content.width()).sum();
    let mut spans = left;
    if lw + rw < usize::from(width) {
        spans.push(Span::raw(" ".repeat(usize::from(width) - lw - rw)));
        spans.extend(right);
    }
    Line::from(spans)
}

/// A list window: the first row to draw so that `selected` is visible in `height` rows.
pub fn window_start(selected: usize, height: usize) -> usize {
    if height == 0 {
        return 0;
    }
    selected.saturating_sub(height - 1)
}

pub fn styled(text: impl Into<String>, style: Style) -> Span<'static> {
    Span::styled(text.into(), style)
}

/// Draw lines in `area`, clipped.
pub fn lines(f: &mut Frame, area: Rect, lines: Vec<Line<'_>>) {
    f.render_widget(Paragraph::new(lines), area);
}

/// A rectangle of at most `w`x`h` centred in `area` (clamped to it).
pub fn centred(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}
