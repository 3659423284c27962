//! Contacts tab: the key worker's log with the family. Amendments keep the original visible.

use jar_core::time::uk_datetime;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

use super::case::not_ready;
use super::{fit, styled, window_start};
use crate::state::{CaseState, State};
use crate::theme::Theme;

/// The family's contact details above the log, for the key worker (issue 15 §1).
fn family_lines(c: &CaseState, width: usize) -> Vec<Line<'static>> {
    let Some(fc) = c.family_contacts.as_ref().filter(|f| !f.family.is_empty()) else {
        return Vec::new();
    };
    let mut out = vec![Line::from(fit(
        " Family (your case; each view is recorded)",
        width,
    ))];
    for m in &fc.family {
        let interp = match m.interpreter_needed {
            Some(true) => " · interpreter needed",
            _ => "",
        };
        let lang = if m.language.is_empty() {
            String::new()
        } else {
            format!(" · {}", m.language)
        };
        let text = format!(
            "  {} ({}) {}{lang}{interp}",
            m.name, m.relationship, m.phone
        );
        out.push(Line::from(fit(&text, width)));
    }
    out
}

/// Support by response ("Support accepted: CONI (referred)"), old records' too.
fn support_lines(e: &jar_core::contact::NewContact) -> Vec<String> {
    use jar_core::contact::SupportResponse as R;
    let all = e.all_support();
    [R::Offered, R::Accepted, R::Declined]
        .into_iter()
        .filter_map(|r| {
            let names: Vec<String> = all
                .iter()
                .filter(|s| s.response == r)
                .map(|s| {
                    let name = if s.name.is_empty() {
                        &s.service
                    } else {
                        &s.name
                    };
                    if s.referral_made {
                        format!("{name} (referred)")
                    } else {
                        name.clone()
                    }
                })
                .collect();
            (!names.is_empty()).then(|| format!(" Support {}: {}", r.label(), names.join(", ")))
        })
        .collect()
}

pub fn render(_s: &State, c: &CaseState, theme: &Theme, f: &mut Frame, area: Rect) {
    let family = family_lines(c, usize::from(area.width));
    let area = if family.is_empty() || area.height <= family.len() as u16 + 3 {
        area
    } else {
        let h = family.len() as u16;
        f.render_widget(Paragraph::new(family), Rect { height: h, ..area });
        Rect {
            y: area.y + h + 1,
            height: area.height - h - 1,
            ..area
        }
    };
    if let Some(l) = not_ready(&c.contacts, theme) {
        f.render_widget(Paragraph::new(l), area);
        return;
    }
    let Some(contacts) = c.contacts.ready() else {
        return;
    };
    if contacts.is_empty() {
        f.render_widget(
            Paragraph::new(styled("  No contacts logged yet.", theme.muted)),
            area,
        );
        return;
    }
    let list_h = (area.height / 3).clamp(1, 8).min(area.height);
    let width = usize::from(area.width);
    let sel = c.tab.row();
    let start = window_start(sel, usize::from(list_h));
    let mut out = Vec::new();
    for (i, ct) in contacts
        .iter()
        .enumerate()
        .skip(start)
        .take(usize::from(list_h))
    {
        // The list shows the entry as its amendments correct it.
        let e = &ct.effective();
        let marker = if i == sel { ">" } else { " " };
        let amended = if ct.amendments.is_empty() {
            ""
        } else {
            " (amended)"
        };
        let interp = if e.used_interpreter() {
            " + interpreter"
        } else {
            ""
        };
        let text = format!(
            "{marker}{} {}{interp} · {} · {}{amended}",
            fit(&uk_datetime(e.occurred_at), 20),
            e.mode.label(),
            e.purpose.label(),
            ct.author
        );
        let mut line = Line::from(fit(&text, width));
        if i == sel {
            line = line.style(theme.selection);
        }
        out.push(line);
    }
    f.render_widget(
        Paragraph::new(out),
        Rect {
            height: list_h,
            ..area
        },
    );
    let Some(ct) = contacts.get(sel) else {
        return;
    };
    let e = &ct.entry;
    let interp = if e.used_interpreter() {
        " · interpreter used"
    } else {
        ""
    };
    let mut d: Vec<Line> = vec![Line::from(styled(
        format!(
            " #{} {} — {}{interp} · outcome: {}",
            ct.id,
            e.direction.label(),
            e.mode.label(),
            e.outcome.label()
        ),
        theme.title,
    ))];
    if !e.participants.is_empty() {
        d.push(Line::from(format!(
            " Present: {}",
            e.participants.join(", ")
        )));
    }
    for l in e.summary.lines() {
        d.push(Line::from(format!(" {l}")));
    }
    for line in support_lines(e) {
        d.push(Line::from(line));
    }
    if e.leaflet_given() {
        d.push(Line::from(" CDR parents' leaflet given"));
    }
    for q in &e.family_questions {
        d.push(Line::from(format!(" Question for the CDRM: {q}")));
    }
    if e.safeguarding_concern {
        d.push(Line::from(styled(
            " SAFEGUARDING CONCERN raised",
            theme.danger,
        )));
    }
    if let Some(n) = e.next_contact_due {
        d.push(Line::from(format!(" Next contact due {}", uk_datetime(n))));
    }
    for a in &ct.amendments {
        d.push(Line::from(styled(
            format!(" Amended {} by {} — {}", uk_datetime(a.at), a.by, a.reason),
            theme.warn,
        )));
        for l in a.text.lines() {
            d.push(Line::from(format!("   {l}")));
        }
        if let Some(c) = &a.correct {
            d.push(Line::from(styled(
                format!("   Corrects: {}", c.fields().join(", ")),
                theme.warn,
            )));
        }
    }
    if ct.amendments.iter().any(|a| a.correct.is_some()) {
        // What the corrections add up to, beside the original above.
        let now = ct.effective();
        let next = now
            .next_contact_due
            .map_or_else(|| "none planned".to_string(), uk_datetime);
        d.push(Line::from(styled(
            format!(
                " As corrected: {}{} · outcome: {} · next contact {next}",
                now.mode.label(),
                if now.used_interpreter() {
                    " + interpreter"
                } else {
                    ""
                },
                now.outcome.label()
            ),
            theme.title,
        )));
        for line in support_lines(&now) {
            d.push(Line::from(format!("  {line}")));
        }
    }
    f.render_widget(
        Paragraph::new(d).wrap(Wrap { trim: false }),
        Rect {
            y: area.y + list_h,
            height: area.height.saturating_sub(list_h),
            ..area
        },
    );
}
