//! Dialogs: errors, and the checklist conflict showing both versions.

use jar_core::time::uk_clock;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::{block, centred, styled};
use crate::state::{Conflict, Dialog};
use crate::theme::Theme;

pub fn render(d: &Dialog, theme: &Theme, f: &mut Frame, area: Rect) {
    let (title, body): (&str, Vec<Line>) = match d {
        Dialog::SignOut { waiting } => (
            " Sign out? ",
            vec![
                Line::from("Sign out of jarterm on this computer?"),
                Line::from("Your sign-in is revoked and offline copies of cases are removed."),
                Line::from(if *waiting > 0 {
                    styled(
                        format!(
                            "{waiting} change(s) not sent yet stay here for your next sign-in."
                        ),
                        theme.warn,
                    )
                } else {
                    styled("Nothing is waiting to be sent.", theme.muted)
                }),
                Line::from(""),
                Line::from(styled("y signs out · Esc or q stays", theme.muted)),
            ],
        ),
        Dialog::Confirm { title, lines, .. } | Dialog::ConfirmForm { title, lines, .. } => {
            let mut body = vec![Line::from(styled(title.clone(), theme.warn))];
            body.extend(lines.iter().map(|l| Line::from(l.clone())));
            body.push(Line::from(""));
            body.push(Line::from(styled(
                "y yes, go ahead · Esc, q or Enter: no",
                theme.muted,
            )));
            (" Are you sure? ", body)
        }
        Dialog::Error { title, detail } => (
            " Not done ",
            vec![
                Line::from(styled(title.clone(), theme.danger)),
                Line::from(detail.clone()),
                Line::from(""),
                Line::from(styled("Enter, Esc or q closes", theme.muted)),
            ],
        ),
        Dialog::Notice { title, detail } => (
            " Done ",
            vec![
                Line::from(styled(title.clone(), theme.title)),
                Line::from(detail.clone()),
                Line::from(""),
                Line::from(styled("Enter, Esc or q closes", theme.muted)),
            ],
        ),
        Dialog::Conflict(Conflict {
            addr,
            item_text,
            mine,
            theirs,
        }) => {
            let item = &addr.item;
            let by = match (&theirs.updated_by, theirs.updated_at) {
                (Some(b), Some(t)) => format!(" by {b} at {}", uk_clock(t)),
                _ => String::new(),
            };
            (
                " Changed by someone else ",
                vec![
                    Line::from(styled(format!("{item} {item_text}"), theme.title)),
                    Line::from("Someone changed this item before your change arrived."),
                    Line::from(styled(format!("Theirs{by}:"), theme.warn)),
                    Line::from(format!(
                        "  {} {}",
                        theirs.status.mark(),
                        theirs.note.clone().unwrap_or_default()
                    )),
                    Line::from(styled("Yours (kept):", theme.accent)),
                    Line::from(format!("  {} {}", mine.status.mark(), mine.note)),
                    Line::from(""),
                    Line::from(styled(
                        "r re-apply mine · d discard mine · e/Esc edit my note",
                        theme.muted,
                    )),
                ],
            )
        }
    };
    // Height after wrapping, so the last line (the keys) is never cut off.
    let inner_w = usize::from(area.width.min(72).saturating_sub(2)).max(1);
    let rows: usize = body
        .iter()
        .map(|l| l.width().div_ceil(inner_w).max(1))
        .sum();
    // Word wrapping can take a row more than the division says.
    let rows = rows + usize::from(body.iter().any(|l| l.width() > inner_w));
    let rect = centred(area, 72, u16::try_from(rows + 2).unwrap_or(u16::MAX));
    f.render_widget(Clear, rect);
    let b = block(theme, title);
    let inner = b.inner(rect);
    f.render_widget(b, rect);
    f.render_widget(Paragraph::new(body).wrap(Wrap { trim: false }), inner);
}
