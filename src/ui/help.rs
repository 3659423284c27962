//! Help: generated from the keymap, so it can never disagree with the keys.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{fit, styled};
use jar_core::permissions::Permission;

use crate::keymap::{Ctx, KEYMAP, Keymap, binding_name, keys_label};
use crate::state::State;
use crate::theme::Theme;

pub const ORDER: [Ctx; 18] = [
    Ctx::Board,
    Ctx::Handover,
    Ctx::Audit,
    Ctx::Users,
    Ctx::Case,
    Ctx::CaseSummary,
    Ctx::CaseTimeline,
    Ctx::CaseChecklists,
    Ctx::CaseContacts,
    Ctx::CaseQuestions,
    Ctx::Form,
    Ctx::TextBox,
    Ctx::Dialog,
    Ctx::Filter,
    Ctx::Login,
    Ctx::Help,
    Ctx::Global,
    Ctx::Always,
];

/// The bindings of `contexts` (in the help's order) that the role may use (`allows`): what
/// it may not do is left out, so a key worker is never offered "notify" (issue 17 §2).
pub fn help_lines(
    theme: &Theme,
    keymap: &Keymap,
    width: u16,
    allows: &dyn Fn(Permission) -> bool,
    contexts: &[Ctx],
) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    for ctx in ORDER.into_iter().filter(|c| contexts.contains(c)) {
        let usable: Vec<_> = KEYMAP
            .iter()
            .filter(|b| b.ctx == ctx && b.allowed(allows))
            .collect();
        if usable.is_empty() {
            continue;
        }
        out.push(Line::from(styled(format!(" {}", ctx.title()), theme.title)));
        for b in usable {
            let mut spans = vec![Span::styled(
                format!("   {}", fit(&keys_label(keymap.keys(b)), 22)),
                theme.key,
            )];
            let (words, style) = (b.help.to_string(), theme.text);
            // Wide screens also show the name to use in config.toml [keys].
            if width >= 100 {
                let help_w = KEYMAP.iter().map(|b| b.help.len()).max().unwrap_or(40) + 20;
                spans.push(styled(fit(&words, help_w), style));
                spans.push(styled(format!(" {}", binding_name(b)), theme.muted));
            } else {
                spans.push(styled(words, style));
            }
            out.push(Line::from(spans));
        }
    }
    out.push(Line::from(styled(
        " Board FLAGS: CRIM criminal investigation, S47 s47 strategy, CSPR CSPR notified;",
        theme.muted,
    )));
    out.push(Line::from(styled(
        " where they do not fit, the letters C S P.",
        theme.muted,
    )));
    out.push(Line::from(styled(
        " Keys can be changed in config.toml [keys], e.g. \"board.toggle-mine\" = [\"M\"];",
        theme.muted,
    )));
    out.push(Line::from(styled(
        " a screen 100 columns wide shows every action's name.",
        theme.muted,
    )));
    out
}

pub fn render(s: &State, theme: &Theme, f: &mut Frame, area: Rect) {
    let mut contexts = crate::update::screen_contexts(s);
    contexts.push(Ctx::Always);
    let all = help_lines(theme, &s.keymap, area.width, &|p| s.allows(p), &contexts);
    let max = all.len().saturating_sub(usize::from(area.height));
    let scroll = s.help_scroll.min(max);
    let mut out = vec![Line::from(styled(
        " Help for this screen and your role — Up/Down scroll · Esc, q or ? closes",
        theme.accent,
    ))];
    out.extend(all.into_iter().skip(scroll));
    f.render_widget(Paragraph::new(out), area);
}
