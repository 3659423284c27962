//! The manager's desk (issue 17 §2): the audit log (newest first, one page at a time, the
//! filters said in the header) and the users of the manager's areas with role, status and
//! cover. Pure: drawn from `State::desk`.

use jar_core::time::uk_datetime;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

use super::{fit, lines, spread, styled, window_start};
use crate::state::State;
use crate::theme::Theme;

pub fn render_audit_header(s: &State, theme: &Theme, f: &mut Frame, area: Rect) {
    let a = &s.desk.audit;
    let left = vec![
        styled(" jarterm · Audit log ", theme.title),
        styled(format!(" {} ", a.filter_words()), theme.accent),
    ];
    let more = if a.next_cursor.is_some() {
        " · older pages"
    } else {
        ""
    };
    let right = vec![styled(
        if s.desk.loading {
            "loading… ".to_string()
        } else {
            format!("page {}{more} ", a.page())
        },
        theme.muted,
    )];
    lines(f, area, vec![spread(left, right, area.width)]);
}

/// One row per entry: UK time, who (role), action, case, what (a reveal's reason is in
/// `detail`, so who read identity and why is on the row).
pub fn render_audit(s: &State, theme: &Theme, f: &mut Frame, area: Rect) {
    let a = &s.desk.audit;
    if let Some(e) = &a.error {
        let p = Paragraph::new(styled(format!(" {e}"), theme.error)).wrap(Wrap { trim: true });
        f.render_widget(p, area);
        return;
    }
    if a.items.is_empty() {
        let words = if s.desk.loading {
            " Reading the audit log…"
        } else {
            " Nothing in the audit log matches these filters."
        };
        f.render_widget(Paragraph::new(styled(words, theme.muted)), area);
        return;
    }
    let w = usize::from(area.width);
    let head = format!(
        " {} {} {} {} ",
        fit("When (UK)", 17),
        fit("Who", 16),
        fit("Action", 24),
        fit("Case", 14)
    );
    let mut out = vec![Line::from(styled(fit(&head, w), theme.muted))];
    let rows = usize::from(area.height.saturating_sub(2)).max(1);
    let start = window_start(a.selected, rows);
    for (i, e) in a.items.iter().enumerate().skip(start).take(rows) {
        let who = e.username.clone();
        let text = format!(
            " {} {} {} {} {}",
            fit(&uk_datetime(e.at), 17),
            fit(&who, 16),
            fit(&e.action, 24),
            fit(e.case_ref.as_deref().unwrap_or("-"), 14),
            e.detail
        );
        let line = Line::from(styled(fit(&text, w), theme.text));
        out.push(if i == a.selected {
            line.style(theme.selection)
        } else {
            line
        });
    }
    // The selected entry in full: a long reason or detail is never cut off.
    if let Some(e) = a.items.get(a.selected) {
        let role = e.role.map(|r| r.label()).unwrap_or("no such user");
        let text = format!(
            " {} ({role}) · {} · {} · from {}",
            e.username,
            e.action,
            if e.detail.is_empty() { "-" } else { &e.detail },
            e.remote
        );
        out.push(Line::from(styled(text, theme.accent)));
    }
    f.render_widget(Paragraph::new(out).wrap(Wrap { trim: false }), area);
}

pub fn render_users_header(s: &State, theme: &Theme, f: &mut Frame, area: Rect) {
    let areas = s
        .session
        .as_ref()
        .map(|p| p.areas.join(", "))
        .unwrap_or_default();
    let left = vec![
        styled(" jarterm · Users ", theme.title),
        styled(format!(" of {areas} "), theme.accent),
    ];
    let right = vec![styled(
        if s.desk.loading {
            "loading… ".to_string()
        } else {
            format!("{} users ", s.desk.users.items.len())
        },
        theme.muted,
    )];
    lines(f, area, vec![spread(left, right, area.width)]);
}

/// One row per user: username, role, status (words, not colour), areas, cover.
pub fn render_users(s: &State, theme: &Theme, f: &mut Frame, area: Rect) {
    let u = &s.desk.users;
    if let Some(e) = &u.error {
        let p = Paragraph::new(styled(format!(" {e}"), theme.error)).wrap(Wrap { trim: true });
        f.render_widget(p, area);
        return;
    }
    let w = usize::from(area.width);
    let head = format!(
        " {} {} {} {}",
        fit("User", 18),
        fit("Role", 16),
        fit("Status", 9),
        "Areas · cover"
    );
    let mut out = vec![Line::from(styled(fit(&head, w), theme.muted))];
    let rows = usize::from(area.height.saturating_sub(1)).max(1);
    let start = window_start(u.selected, rows);
    for (i, user) in u.items.iter().enumerate().skip(start).take(rows) {
        let mut tail = user.areas.join(", ");
        for c in u.cover_words(&user.username, s.now) {
            tail.push_str(" · ");
            tail.push_str(&c);
        }
        let text = format!(
            " {} {} {} {}",
            fit(&user.username, 18),
            fit(user.role.label(), 16),
            fit(if user.disabled { "DISABLED" } else { "active" }, 9),
            tail
        );
        let style = if user.disabled {
            theme.muted
        } else {
            theme.text
        };
        let line = Line::from(styled(fit(&text, w), style));
        out.push(if i == u.selected {
            line.style(theme.selection)
        } else {
            line
        });
    }
    f.render_widget(Paragraph::new(out), area);
}
