//! The case screen: title line, tab line, and the selected tab.

use jar_core::case::age_label;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::{
    case_checklists, case_contacts, case_questions, case_summary, case_timeline, lines, spread,
    styled,
};
use crate::state::case::Remote;
use crate::state::{CaseState, State, Tab};
use crate::theme::Theme;

pub fn render_header(s: &State, c: &CaseState, theme: &Theme, f: &mut Frame, area: Rect) {
    let (left, right) = match c.detail.ready() {
        Some(d) => {
            let k = &d.case;
            let left = format!(
                " {} · {} · {} · {} · {}",
                k.reference,
                k.area,
                k.category.label(),
                age_label(k.age_months),
                k.stage.label()
            );
            let mut right = Vec::new();
            let may_see = s.allows(jar_core::permissions::Permission::ReadCriminalDetail);
            if let Some(fl) = k.flags.as_ref().filter(|_| may_see) {
                if fl.criminal_investigation {
                    right.push("CRIMINAL INV");
                }
                if fl.s47_strategy {
                    right.push("S47");
                }
                if fl.cspr_notified {
                    right.push("CSPR");
                }
            }
            (left, right.join(" "))
        }
        None => (format!(" {}", c.reference), String::new()),
    };
    let mut right = if right.is_empty() {
        Vec::new()
    } else {
        vec![styled(format!("{right} "), theme.danger)]
    };
    if let Some(t) = c.offline_as_of {
        right.insert(
            0,
            styled(
                format!("{} ", crate::offline::as_of_label(t, s.now)),
                theme.error,
            ),
        );
    }
    // The flags and an "offline" mark always show: the left part gives way.
    let rw: usize = right
        .iter()
        .map(|s| unicode_width::UnicodeWidthStr::width(s.content.as_ref()))
        .sum();
    let left = if c.offline_as_of.is_some() {
        super::cut(&left, usize::from(area.width).saturating_sub(rw + 1))
    } else {
        left
    };
    lines(
        f,
        area,
        vec![spread(vec![styled(left, theme.title)], right, area.width)],
    );
}

fn tab_label(c: &CaseState, tab: Tab, short: bool) -> String {
    let count = match tab {
        Tab::Summary => String::new(),
        Tab::Timeline => match (&c.timeline, c.detail.ready()) {
            (Remote::Ready(t), _) => format!(" {}", t.len()),
            (_, Some(d)) => format!(" {}", d.timeline_count),
            _ => String::new(),
        },
        Tab::Checklists => c
            .detail
            .ready()
            .map(|d| format!(" {}/{}", d.progress.done, d.progress.total))
            .unwrap_or_default(),
        Tab::Contacts => match (&c.contacts, c.detail.ready()) {
            (Remote::NotAllowed, _) => " -".to_string(),
            (Remote::Ready(v), _) => format!(" {}", v.len()),
            (_, Some(d)) => d.contact_count.map(|n| format!(" {n}")).unwrap_or_default(),
            _ => String::new(),
        },
        Tab::Questions => match &c.questions {
            Remote::Ready(v) => format!(" {}", v.len()),
            _ => String::new(),
        },
    };
    let name = if short {
        tab.short_label()
    } else {
        tab.label()
    };
    format!("{name}{count}")
}

pub fn render_body(s: &State, c: &CaseState, theme: &Theme, f: &mut Frame, area: Rect) {
    if area.height == 0 {
        return;
    }
    // Every tab stays visible with its count: short names when the full ones do not fit.
    let wide: usize = Tab::ALL
        .iter()
        .map(|t| unicode_width::UnicodeWidthStr::width(tab_label(c, *t, false).as_str()) + 3)
        .sum::<usize>()
        + 1;
    let short = wide > usize::from(area.width);
    let mut spans: Vec<Span> = vec![Span::raw(" ")];
    for tab in Tab::ALL {
        let label = tab_label(c, tab, short);
        if tab == c.tab.tab {
            spans.push(styled(format!("[{label}]"), theme.title));
        } else {
            spans.push(styled(format!(" {label} "), theme.muted));
        }
        spans.push(Span::raw(" "));
    }
    lines(f, Rect { height: 1, ..area }, vec![Line::from(spans)]);
    let body = Rect {
        y: area.y + 1,
        height: area.height.saturating_sub(1),
        ..area
    };
    match c.tab.tab {
        Tab::Summary => case_summary::render(s, c, theme, f, body),
        Tab::Timeline => case_timeline::render(s, c, theme, f, body),
        Tab::Checklists => case_checklists::render(s, c, theme, f, body),
        Tab::Contacts => case_contacts::render(s, c, theme, f, body),
        Tab::Questions => case_questions::render(s, c, theme, f, body),
    }
}

/// The words shown while a tab's data is not ready.
pub fn not_ready<T>(r: &Remote<T>, theme: &Theme) -> Option<Line<'static>> {
    match r {
        Remote::Ready(_) => None,
        Remote::NotAsked | Remote::Loading => Some(Line::from(styled("  loading…", theme.muted))),
        Remote::NotAllowed => Some(Line::from(styled(
            "  Not available to your role",
            theme.restricted,
        ))),
        Remote::Failed(e) => Some(Line::from(styled(format!("  {e}"), theme.warn))),
    }
}
