//! Sign in: username and a masked password; errors as a banner line.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::{block, centred, styled};
use crate::state::{LoginForm, State};
use crate::theme::Theme;

fn form_lines(s: &State, form: &LoginForm, theme: &Theme) -> Vec<Line<'static>> {
    let field = |label: &str, value: String, focused: bool| {
        let marker = if focused { ">" } else { " " };
        let cursor = if focused { "_" } else { "" };
        Line::from(vec![
            styled(format!("{marker} {label:<10}"), theme.text),
            styled(
                format!("{value}{cursor}"),
                if focused {
                    theme.selection
                } else {
                    theme.input
                },
            ),
        ])
    };
    let mut out = vec![
        Line::from(styled(format!(" Server: {}", s.server_label), theme.muted)),
        Line::from(""),
        field("Username", form.username.clone(), form.focus == 0),
        field(
            "Password",
            "*".repeat(form.password.chars().count().min(40)),
            form.focus == 1,
        ),
        Line::from(""),
    ];
    if let Some(r) = &form.reason {
        out.push(Line::from(styled(format!(" {r}"), theme.warn)));
    }
    if let Some(e) = &form.error {
        out.push(Line::from(styled(format!(" {e}"), theme.error)));
    }
    if form.busy {
        out.push(Line::from(styled(" signing in…", theme.muted)));
    }
    let hint = if s.locked {
        " Enter unlock · Ctrl-C keep drafts and quit"
    } else {
        " Enter sign in · Tab next field · Esc quit · Ctrl-C quit"
    };
    out.push(Line::from(styled(hint, theme.muted)));
    out
}

pub fn render_screen(s: &State, theme: &Theme, f: &mut Frame, area: Rect) {
    let Some(form) = &s.login else { return };
    let mut out = vec![Line::from(styled(
        " jarterm · Joint Agency Response — sign in",
        theme.title,
    ))];
    out.push(Line::from(""));
    out.extend(form_lines(s, form, theme));
    f.render_widget(Paragraph::new(out).wrap(Wrap { trim: false }), area);
}

/// The idle lock: the sign-in form alone, its reason saying why.
pub fn render_locked(s: &State, theme: &Theme, f: &mut Frame, area: Rect) {
    let Some(form) = &s.login else { return };
    let mut out = vec![Line::from(styled(" jarterm is locked", theme.title))];
    out.push(Line::from(""));
    out.extend(form_lines(s, form, theme));
    f.render_widget(Paragraph::new(out).wrap(Wrap { trim: false }), area);
}

pub fn render_overlay(s: &State, theme: &Theme, f: &mut Frame, area: Rect) {
    let Some(form) = &s.login else { return };
    let rect = centred(area, 70, 13);
    f.render_widget(Clear, rect);
    let b = block(theme, " Sign in again ");
    let inner = b.inner(rect);
    f.render_widget(b, rect);
    f.render_widget(
        Paragraph::new(form_lines(s, form, theme)).wrap(Wrap { trim: false }),
        inner,
    );
}
