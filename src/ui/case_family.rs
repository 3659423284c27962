//! The family part of the Summary tab (issue 16 §1): the key worker's next planned contact
//! as a deadline, the last contact, and the support offered so far. Its own module so the
//! Summary's other sections (family questions, post-mortem, reviews) merge beside it.

use chrono::{DateTime, Utc};
use jar_core::contact::SupportResponse;
use jar_core::deadline::{DeadlineState, FAMILY_CONTACT};
use jar_core::time::{countdown, uk_datetime};
use jar_core::wire::CaseDetail;
use ratatui::text::{Line, Span};

use super::styled;
use crate::state::CaseState;
use crate::theme::Theme;

fn row(name: &str, text: String, style: ratatui::style::Style, theme: &Theme) -> Line<'static> {
    Line::from(vec![
        styled(format!("  {name:<14}"), theme.muted),
        Span::styled(text, style),
    ])
}

/// The lines, or none when nothing is known about contact with the family.
pub fn lines(
    c: &CaseState,
    d: &CaseDetail,
    now: DateTime<Utc>,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let plan = d.deadlines.iter().find(|dl| dl.rule_id == FAMILY_CONTACT);
    let contacts = c.contacts.ready();
    if plan.is_none() && d.last_family_contact.is_none() && contacts.is_none_or(Vec::is_empty) {
        return Vec::new();
    }
    let mut out = vec![Line::from(styled(" Family", theme.title))];
    let (text, style) = match plan.map(|p| (p.state, p.due_at, p.met_at)) {
        Some((DeadlineState::Overdue, Some(due), _)) => (
            format!("{} (planned {})", countdown(due, now), uk_datetime(due)),
            theme.overdue,
        ),
        Some((DeadlineState::Due, Some(due), _)) => (
            format!("{} ({})", countdown(due, now), uk_datetime(due)),
            theme.text,
        ),
        Some((DeadlineState::Met, _, Some(m))) => {
            (format!("planned contact made {}", uk_datetime(m)), theme.ok)
        }
        _ => ("none planned".to_string(), theme.muted),
    };
    out.push(row("Next contact", text, style, theme));
    let Some(contacts) = contacts else {
        if let Some(t) = d.last_family_contact {
            out.push(row("Last contact", uk_datetime(t), theme.text, theme));
        }
        return out;
    };
    let effective: Vec<_> = contacts.iter().map(|c| c.effective()).collect();
    if let Some(last) = effective.iter().max_by_key(|e| e.occurred_at) {
        let interp = if last.used_interpreter() {
            " + interpreter"
        } else {
            ""
        };
        out.push(row(
            "Last contact",
            format!(
                "{} · {}{interp} · {}",
                uk_datetime(last.occurred_at),
                last.mode.label(),
                last.outcome.label()
            ),
            theme.text,
            theme,
        ));
    }
    // Each service once, at its latest response: what the family has been offered so far.
    let mut latest: Vec<(String, SupportResponse, bool)> = Vec::new();
    let mut ordered = effective.clone();
    ordered.sort_by_key(|e| e.occurred_at);
    for e in &ordered {
        for s in e.all_support() {
            match latest.iter_mut().find(|(id, _, _)| *id == s.service) {
                Some(l) => {
                    l.1 = s.response;
                    l.2 |= s.referral_made;
                }
                None => latest.push((s.service.clone(), s.response, s.referral_made)),
            }
        }
    }
    let count = |r: SupportResponse| latest.iter().filter(|l| l.1 == r).count();
    let referrals = latest.iter().filter(|l| l.2).count();
    let support = if latest.is_empty() {
        "none offered yet".to_string()
    } else {
        // Short enough for one row at 60 columns.
        format!(
            "{} offered: {} accepted, {} declined; {} referred",
            latest.len(),
            count(SupportResponse::Accepted),
            count(SupportResponse::Declined),
            referrals
        )
    };
    out.push(row("Support", support, theme.text, theme));
    let leaflet = if effective.iter().any(|e| e.leaflet_given()) {
        "given"
    } else {
        "not recorded as given"
    };
    out.push(row("CDR leaflet", leaflet.to_string(), theme.text, theme));
    out
}
