//! Summary tab: deadlines with UK due times and state words, criteria, people, flags.

use jar_core::case::age_label;
use jar_core::deadline::DeadlineState;
use jar_core::permissions::Permission;
use jar_core::time::{countdown, uk_clock, uk_datetime};
use jar_core::wire::owners_short;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use unicode_width::UnicodeWidthStr;

use super::case::not_ready;
use super::{fit, styled};
use crate::state::{CaseState, State};
use crate::theme::Theme;

/// The clock for today (UK), the date too for anything not today.
fn when(t: chrono::DateTime<chrono::Utc>, now: chrono::DateTime<chrono::Utc>) -> String {
    if jar_core::workdays::uk_date(t) == jar_core::workdays::uk_date(now) {
        uk_clock(t)
    } else {
        t.with_timezone(&chrono_tz::Europe::London)
            .format("%d %b %H:%M %Z")
            .to_string()
    }
}

pub fn render(s: &State, c: &CaseState, theme: &Theme, f: &mut Frame, area: Rect) {
    if let Some(l) = not_ready(&c.detail, theme) {
        f.render_widget(Paragraph::new(l), area);
        return;
    }
    let Some(d) = c.detail.ready() else {
        return;
    };
    let k = &d.case;
    let now = s.now;
    let mut out: Vec<Line> = Vec::new();
    if let Some(id) = &c.identity {
        out.push(Line::from(styled(
            " Identity (revealed; dropped when you leave the case)",
            theme.restricted,
        )));
        // Given and family names when recorded apart (issue 15 §1), else the name as given.
        let split = format!("{} {}", id.given_names, id.family_name);
        let name = if split.trim().is_empty() {
            id.child_name.clone()
        } else {
            split.trim().to_string()
        };
        out.push(Line::from(format!("  Name     {name}")));
        let nhs = match (&id.nhs_number, id.nhs_number_absent_reason) {
            (n, Some(r)) if n.trim().is_empty() => r.label().to_string(),
            (n, _) => n.clone(),
        };
        out.push(Line::from(format!("  NHS no.  {nhs}")));
        if let Some(dob) = id.date_of_birth {
            out.push(Line::from(format!("  Born     {}", dob.format("%d %b %Y"))));
        }
        out.push(Line::from(format!(
            "  Address  {}",
            id.address.replace('\n', ", ")
        )));
        for m in &id.family {
            out.push(Line::from(format!(
                "  {}: {} {} {}",
                m.relationship, m.name, m.phone, m.preferences
            )));
        }
    }
    out.push(Line::from(styled(" Deadlines", theme.title)));
    let width = usize::from(area.width);
    let owners_w = if width >= 70 { 11 } else { 0 };
    // Statutory / national guidance / local practice (issue 14): STAT, NATL, LOCL.
    let label_w = if width >= 70 { 5 } else { 0 };
    let title_w = width
        .saturating_sub(2 + 13 + 1 + 5 + label_w + owners_w + 21)
        .clamp(8, 40);
    for dl in &d.deadlines {
        let (word, style) = match (dl.state, dl.due_at, dl.met_at) {
            (DeadlineState::Met, _, _) if dl.late_by_minutes.is_some() => {
                (dl.late_words().unwrap_or_default(), theme.overdue)
            }
            (DeadlineState::Met, _, Some(m)) if when(m, now).len() <= 9 => {
                (format!("met {}", uk_clock(m)), theme.ok)
            }
            (DeadlineState::Met, _, _) => ("met".to_string(), theme.ok),
            (DeadlineState::Overdue, Some(due), _) => (countdown(due, now), theme.overdue),
            (DeadlineState::Due, Some(due), _) => (countdown(due, now), theme.text),
            (DeadlineState::NotStarted, _, _) => ("not started".to_string(), theme.muted),
            (DeadlineState::Paused, _, _) => ("paused".to_string(), theme.muted),
            (DeadlineState::NotApplicable, _, _) => ("n/a".to_string(), theme.muted),
            (_, None, _) => ("-".to_string(), theme.muted),
        };
        let due = match (dl.state, dl.due_at, dl.met_at) {
            (DeadlineState::NotStarted | DeadlineState::Paused, _, _) => {
                // The rule's words already say "waits for: …" (no "waits on waits for").
                if dl.waits_on.starts_with("waits") {
                    dl.waits_on.clone()
                } else {
                    format!("waits on {}", dl.waits_on)
                }
            }
            (DeadlineState::NotApplicable, _, _) => format!(
                "not applicable: {}",
                dl.not_applicable_reason.as_deref().unwrap_or("")
            ),
            (DeadlineState::Met, _, Some(m))
                if dl.late_by_minutes.is_some() || when(m, now).len() > 9 =>
            {
                format!("met {}", when(m, now))
            }
            (DeadlineState::Met, _, _) | (_, None, _) => String::new(),
            (_, Some(t), _) => format!("due {}", when(t, now)),
        };
        let mut spans = vec![
            Span::raw("  "),
            styled(fit(&word, 13), style),
            Span::raw(" "),
            // A title too long for the column shows its short form (issue 14 §4).
            Span::raw(fit(
                jar_core::deadline_titles::fitting(&dl.rule_id, &dl.title, title_w),
                title_w,
            )),
            Span::raw(" "),
            styled(
                fit(if dl.hard { "HARD" } else { "soft" }, 5),
                if dl.hard { theme.danger } else { theme.muted },
            ),
        ];
        if label_w > 0 {
            spans.push(styled(fit(dl.label.short(), label_w), theme.muted));
        }
        if owners_w > 0 {
            spans.push(Span::raw(fit(&owners_short(&dl.owners), owners_w)));
        }
        let used = 2 + 13 + 1 + title_w + 1 + 5 + label_w + owners_w;
        spans.push(Span::raw(fit(&due, width.saturating_sub(used))));
        out.push(Line::from(spans));
    }
    if d.deadlines.is_empty() {
        out.push(Line::from(styled("  none", theme.muted)));
    }
    out.extend(super::case_family::lines(c, d, now, theme));
    let cr = &k.criteria;
    let crit: Vec<&str> = cr.criteria.iter().map(|c| c.label()).collect();
    let mut field = |name: &str, text: String, style: ratatui::style::Style| {
        labelled(&mut out, name, &text, style, width, theme);
    };
    for (name, text, style) in super::case_review_summary::rows(s, c, theme) {
        field(name, text, style);
    }
    field(
        "Criteria",
        format!(
            "{} — decided by {} {}",
            crit.join(", "),
            cr.decided_by,
            when(cr.decided_at, now)
        ),
        theme.text,
    );
    if !cr.rationale.trim().is_empty() {
        field("Rationale", cr.rationale.clone(), theme.text);
    }
    let p = &k.people;
    let who = |v: &Option<String>| v.clone().unwrap_or_else(|| "unassigned".to_string());
    field(
        "People",
        format!(
            "lead paed {} · police {} · SW {} · KW {}",
            who(&p.lead_paediatrician),
            who(&p.police_lead),
            who(&p.social_worker),
            who(&p.key_worker)
        ),
        theme.text,
    );
    let t = &k.times;
    let opt = |v: Option<chrono::DateTime<chrono::Utc>>| {
        v.map(uk_datetime)
            .unwrap_or_else(|| "not known".to_string())
    };
    if t.last_seen_at.is_some() {
        field("Last seen", opt(t.last_seen_at), theme.text);
    }
    field(
        "Found",
        format!(
            "{} · confirmed {}",
            opt(t.found_at),
            opt(t.death_confirmed_at)
        ),
        theme.text,
    );
    // Who marked a deadline not applicable, and when (the reason is on its row).
    for na in &k.not_applicable {
        let title = d
            .deadlines
            .iter()
            .find(|dl| dl.rule_id == na.rule_id)
            .map_or(na.rule_id.as_str(), |dl| dl.title.as_str());
        field(
            "N/A",
            format!(
                "{title} — {} · by {} {}",
                na.reason,
                na.by,
                when(na.at, now)
            ),
            theme.muted,
        );
    }
    field(
        "Notified",
        format!("{} by {}", uk_datetime(t.notified_at), k.notified_by),
        theme.text,
    );
    field(
        "Child",
        format!(
            "{} · {} · died at {}",
            age_label(k.age_months),
            k.sex.label(),
            k.place_of_death.label()
        ),
        theme.text,
    );
    // Belt and braces: the server redacts these, and the client never draws them for roles
    // that may not read criminal-investigation detail.
    if s.allows(Permission::ReadCriminalDetail)
        && let Some(fl) = &k.flags
    {
        let mut v = Vec::new();
        if fl.criminal_investigation {
            v.push("criminal investigation");
        }
        if fl.s47_strategy {
            v.push("s47 strategy");
        }
        if fl.cspr_notified {
            v.push("CSPR notified");
        }
        if fl.looked_after {
            v.push("looked after");
        }
        let text = if v.is_empty() {
            "none".to_string()
        } else {
            v.join(", ")
        };
        field("Flags", text, theme.danger);
        if let Some(n) = k
            .investigation_note
            .as_deref()
            .filter(|n| !n.trim().is_empty())
        {
            field("Police note", n.to_string(), theme.text);
        }
    }
    if c.identity.is_none() {
        out.push(Line::from(styled(
            format!(
                " Identity   hidden — press {} to reveal (asks a reason; audited)",
                s.keymap.key_for(
                    crate::keymap::Ctx::CaseSummary,
                    crate::keymap::Action::Reveal
                )
            ),
            theme.muted,
        )));
    }
    // Scroll no further than the last screenful (wrapped lines may add a few rows).
    let max = out.len().saturating_sub(usize::from(area.height) / 2);
    let scroll = u16::try_from(c.tab.row().min(max)).unwrap_or(0);
    f.render_widget(
        Paragraph::new(out)
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0)),
        area,
    );
}

/// ` Label      text that wraps
///              under itself` — a hanging indent, so labels stay readable.
fn labelled(
    out: &mut Vec<Line<'static>>,
    name: &str,
    text: &str,
    style: ratatui::style::Style,
    width: usize,
    theme: &Theme,
) {
    const INDENT: usize = 12;
    let room = width.saturating_sub(INDENT).max(10);
    let mut rows: Vec<String> = Vec::new();
    let mut row = String::new();
    for word in text.split_whitespace() {
        let needed = if row.is_empty() { 0 } else { 1 } + word.width();
        if !row.is_empty() && row.width() + needed > room {
            rows.push(std::mem::take(&mut row));
        }
        if !row.is_empty() {
            row.push(' ');
        }
        row.push_str(word);
    }
    rows.push(row);
    // A label as wide as the indent gets its own row, so it never runs into the text.
    if name.width() >= INDENT - 1 {
        out.push(Line::from(styled(format!(" {name}"), theme.muted)));
    }
    let inline = name.width() < INDENT - 1;
    for (i, r) in rows.into_iter().enumerate() {
        let head = if i == 0 && inline {
            styled(format!(" {}", fit(name, INDENT - 1)), theme.muted)
        } else {
            Span::raw(" ".repeat(INDENT))
        };
        out.push(Line::from(vec![head, styled(r, style)]));
    }
}
