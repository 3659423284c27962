//! Help: generated from the keymap, so it can never disagree with the keys.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{fit, styled};
use crate::keymap::{Ctx, KEYMAP, keys_label};
use crate::state::State;
use crate::theme::Theme;

pub const ORDER: [Ctx; 12] = [
    Ctx::Board,
    Ctx::Case,
    Ctx::CaseSummary,
    Ctx::CaseTimeline,
    Ctx::CaseChecklists,
    Ctx::CaseContacts,
    Ctx::Form,
    Ctx::Dialog,
    Ctx::Filter,
    Ctx::Login,
    Ctx::Help,
    Ctx::Global,
];

pub fn help_lines(theme: &Theme) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    for ctx in ORDER {
        out.push(Line::from(styled(format!(" {}", ctx.title()), theme.title)));
        for b in KEYMAP.iter().filter(|b| b.ctx == ctx) {
            out.push(Line::from(vec![
                Span::styled(format!("   {}", fit(&keys_label(b.keys), 22)), theme.key),
                Span::raw(b.help),
            ]));
        }
    }
    out
}

pub fn render(s: &State, theme: &Theme, f: &mut Frame, area: Rect) {
    let all = help_lines(theme);
    let max = all.len().saturating_sub(usize::from(area.height));
    let scroll = s.help_scroll.min(max);
    let mut out = vec![Line::from(styled(
        " Help — Up/Down scroll · Esc, q or ? closes",
        theme.accent,
    ))];
    out.extend(all.into_iter().skip(scroll));
    f.render_widget(Paragraph::new(out), area);
}
