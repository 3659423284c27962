//! The board: one row per case, most urgent first. No names, ever.

use chrono::{DateTime, Utc};
use jar_core::time::countdown;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::{fit, lines, spread, styled};
use crate::state::State;
use crate::state::board::BoardRow;
use crate::theme::Theme;

pub fn render_header(s: &State, theme: &Theme, f: &mut Frame, area: Rect) {
    let c = s.board.counts(s.now);
    // A partial board's counts are lower bounds: "Active 100+", never the whole.
    let plus = if s.board.partial { "+" } else { "" };
    let fl = &s.board.filter;
    let tag = |on: bool, text: String| {
        if on {
            styled(format!("[{text}]"), theme.title)
        } else {
            styled(format!(" {text} "), theme.muted)
        }
    };
    let mut left = vec![
        styled(" jarterm · Board ", theme.title),
        tag(!fl.closed, format!("Active {}{plus}", c.active)),
        tag(fl.mine, format!("Mine {}{plus}", c.mine)),
        tag(fl.overdue, format!("Overdue {}{plus}", c.overdue)),
        tag(fl.closed, format!("Closed {}{plus}", c.closed)),
    ];
    if let Some(a) = &fl.area {
        left.push(styled(format!(" area: {a}"), theme.accent));
    }
    if !fl.text.is_empty() || s.board.editing_filter {
        let cursor = if s.board.editing_filter { "_" } else { "" };
        left.push(styled(format!(" /{}{cursor}", fl.text), theme.input));
    }
    let right = if let Some(t) = s.board.offline_as_of {
        vec![styled(
            format!("{} ", crate::offline::as_of_label(t, s.now)),
            theme.error,
        )]
    } else if s.board.loading {
        vec![styled("loading… ", theme.muted)]
    } else if s.board.partial {
        vec![styled("incomplete ", theme.error)]
    } else {
        Vec::new()
    };
    lines(f, area, vec![spread(left, right, area.width)]);
}

const DUE: usize = 13;

/// The first row of the page of `height` rows that holds `selected`.
fn page_start(selected: usize, height: usize) -> usize {
    match height {
        0 => 0,
        h => selected / h * h,
    }
}

/// "40m", "5h", "2d", "3w": coarse, for the FAMILY column.
fn coarse(mins: i64) -> String {
    match mins {
        0..=59 => format!("{}m", mins.max(1)),
        60..=1439 => format!("{}h", mins / 60),
        1440..=20159 => format!("{}d", mins / 1440),
        _ => format!("{}w", mins / 10080),
    }
}

/// The key worker's next planned contact (issue 16 §1): `due in 2d` / `OVERDUE 1d` in ten
/// columns, `in 2d` / `OVER 1d` in seven, `-` when none is planned.
fn family_due(due: Option<DateTime<Utc>>, now: DateTime<Utc>, width: usize) -> (String, bool) {
    let Some(due) = due else {
        return ("-".to_string(), false);
    };
    let mins = (due - now).num_minutes();
    let wide = width >= 10;
    if due < now {
        let by = coarse(-mins);
        let w = if wide { "OVERDUE" } else { "OVER" };
        (format!("{w} {by}"), true)
    } else {
        let w = if wide { "due in" } else { "in" };
        (format!("{w} {}", coarse(mins)), false)
    }
}

/// Shorten an area name to `width` the way people write them on a whiteboard: leading words
/// become initials ("North Wessex" -> "N Wessex") before anything is cut.
fn abbreviate(area: &str, width: usize) -> String {
    let mut words: Vec<String> = area.split_whitespace().map(str::to_string).collect();
    let len = |w: &[String]| {
        w.iter().map(|x| x.chars().count()).sum::<usize>() + w.len().saturating_sub(1)
    };
    for i in 0..words.len().saturating_sub(1) {
        if len(&words) <= width {
            break;
        }
        words[i] = words[i].chars().take(1).collect();
    }
    words.join(" ")
}

struct Cols {
    wide: bool,
    area: usize,
    flags: usize,
    /// The FAMILY column: 10 where there is room, else 7; none below 80 columns.
    family: usize,
}

/// Parallel-process flags, only for roles that may read criminal-investigation detail (the
/// server already redacts them; the client never draws them either way). Every flag is
/// shown in `width` columns: in words when they fit, else by letter (C, S, P; help says so).
fn flags_text(c: &BoardRow, may_see: bool, width: usize) -> String {
    let Some(fl) = c.flags.as_ref().filter(|_| may_see) else {
        return String::new();
    };
    let all = [
        (fl.criminal_investigation, "CRIM", "C"),
        (fl.s47_strategy, "S47", "S"),
        (fl.cspr_notified, "CSPR", "P"),
    ];
    let set = || all.iter().filter(|(on, _, _)| *on);
    let words = set().map(|(_, w, _)| *w).collect::<Vec<_>>().join(" ");
    if words.len() <= width {
        return words;
    }
    let letters = set().map(|(_, _, l)| *l).collect::<Vec<_>>().join(" ");
    if letters.len() <= width {
        letters
    } else {
        letters.replace(' ', "")
    }
}

/// The CHECKS column: the one count (`Progress::short`) the Checklists tab also shows.
fn checks(c: &BoardRow) -> String {
    c.progress.short()
}

pub fn render_body(s: &State, theme: &Theme, f: &mut Frame, area: Rect) {
    if area.height == 0 {
        return;
    }
    let may_see = s.allows(jar_core::permissions::Permission::ReadCriminalDetail);
    let width = usize::from(area.width);
    let two_line = width < 60;
    let wide = width >= 80;
    // Fixed columns: marker 1, ref 13, type 7, stage, due 13, checks 8 (+ gaps).
    let stage_w = if wide { 12 } else { 9 };
    let fixed = 1 + 13 + 1 + 7 + 1 + stage_w + 1 + DUE + 1 + 8 + 1;
    let cols = if wide {
        // Family + gap; then area and flags share the rest (flags at least 4).
        let family = if width >= 90 { 10 } else { 7 };
        let rest = width.saturating_sub(fixed + family + 1 + 1);
        let area_w = rest.saturating_sub(4).clamp(4, 14);
        Cols {
            wide,
            area: area_w,
            flags: rest.saturating_sub(area_w),
            family,
        }
    } else {
        Cols {
            wide,
            area: 0,
            flags: width.saturating_sub(fixed),
            family: 0,
        }
    };
    let mut out: Vec<Line> = Vec::new();
    let header = if two_line {
        " REF           TYPE    NEXT DUE".to_string()
    } else {
        let mut h = format!(" {}", fit("REF", 13));
        if cols.wide {
            h.push(' ');
            h.push_str(&fit("AREA", cols.area));
        }
        h.push_str(&format!(
            " {} {} {} {}",
            fit("TYPE", 7),
            fit("STAGE", stage_w),
            fit("NEXT DUE", DUE),
            fit("CHECKS", 8)
        ));
        if cols.wide {
            h.push_str(&format!(" {}", fit("FAMILY", cols.family)));
        }
        h.push_str(&format!(" {}", fit("FLAGS", cols.flags)));
        h
    };
    out.push(Line::from(styled(fit(&header, width), theme.muted)));
    let per_row = if two_line { 2 } else { 1 };
    let room = usize::from(area.height).saturating_sub(1) / per_row;
    // Whole pages, as mutt's index does: a move within the page rewrites two rows (about
    // 350 bytes at 80x24), where scrolling row by row rewrote every row on every move past
    // the bottom (about 750 bytes); see docs/benchmarks.md.
    let start = page_start(s.board.selected, room);
    // Only the rows up to this page are put in order.
    let rows = s.board.visible_top(s.now, start + room);
    if rows.is_empty() {
        let msg = if !s.board.loaded {
            "  loading cases…".to_string()
        } else if s.board.cases.is_empty() {
            "  No cases in your areas.".to_string()
        } else {
            format!(
                "  No cases match the filters ({} clears them).",
                s.keymap
                    .key_for(crate::keymap::Ctx::Board, crate::keymap::Action::Back)
            )
        };
        out.push(Line::from(styled(msg, theme.muted)));
    }
    for (i, c) in rows.iter().enumerate().skip(start).take(room) {
        let selected = i == s.board.selected;
        let due = c
            .next_deadline(s.now)
            .map(|(due, _)| countdown(due, s.now))
            .unwrap_or_else(|| "-".to_string());
        let overdue = c.deadline_state(s.now) == Some(jar_core::deadline::DeadlineState::Overdue);
        let due_style = if overdue { theme.overdue } else { theme.text };
        let marker = if selected { ">" } else { " " };
        let (family, family_late) = family_due(c.family_due, s.now, cols.family);
        let mut spans: Vec<Span> = vec![Span::raw(format!("{marker}{} ", fit(&c.reference, 13)))];
        // A theme may mark only the reference: a cursor move then restyles ~30 cells, not two
        // whole rows (fewer bytes on a slow link; the marker still shows the row in mono).
        let whole_row = !theme.select_reference_only;
        if selected && !whole_row {
            spans[0] = spans[0].clone().style(theme.selection);
        }
        if two_line {
            spans.push(Span::raw(format!("{} ", fit(c.category.label(), 7))));
            spans.push(Span::styled(fit(&due, DUE), due_style));
            let line1 = Line::from(spans);
            let line2 = Line::from(vec![Span::raw(format!(
                "   {} {} {}",
                fit(c.stage.label(), 12),
                fit(&checks(c), 8),
                flags_text(c, may_see, width.saturating_sub(3 + 12 + 1 + 8 + 1))
            ))]);
            for mut l in [line1, line2] {
                if selected && whole_row {
                    l = l.style(theme.selection);
                }
                out.push(l);
            }
            continue;
        }
        if cols.wide {
            spans.push(Span::raw(format!(
                "{} ",
                fit(&abbreviate(&c.area, cols.area), cols.area)
            )));
        }
        spans.push(Span::raw(format!(
            "{} {} ",
            fit(c.category.label(), 7),
            fit(c.stage.label(), stage_w)
        )));
        spans.push(Span::styled(fit(&due, DUE), due_style));
        let chk = checks(c);
        let chk_style = if c.progress.open_time_critical > 0 {
            theme.warn
        } else {
            theme.text
        };
        spans.push(Span::raw(" "));
        spans.push(Span::styled(fit(&chk, 8), chk_style));
        if cols.wide {
            let style = if family_late {
                theme.overdue
            } else {
                theme.text
            };
            spans.push(Span::raw(" "));
            spans.push(Span::styled(fit(&family, cols.family), style));
        }
        spans.push(Span::raw(" "));
        spans.push(Span::styled(
            fit(&flags_text(c, may_see, cols.flags), cols.flags),
            theme.danger,
        ));
        let mut line = Line::from(spans);
        if selected && whole_row {
            line = line.style(theme.selection);
        }
        out.push(line);
    }
    lines(f, area, out);
}

#[cfg(test)]
mod tests {
    use super::{abbreviate, family_due};
    use chrono::{Duration, TimeZone, Utc};

    #[test]
    fn the_family_column_says_due_or_overdue_in_the_room_it_has() {
        let now = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
        let in2d = Some(now + Duration::days(2));
        let late1d = Some(now - Duration::hours(30));
        assert_eq!(family_due(in2d, now, 10), ("due in 2d".into(), false));
        assert_eq!(family_due(late1d, now, 10), ("OVERDUE 1d".into(), true));
        assert_eq!(family_due(in2d, now, 7), ("in 2d".into(), false));
        assert_eq!(family_due(late1d, now, 7), ("OVER 1d".into(), true));
        assert_eq!(family_due(None, now, 10), ("-".into(), false));
    }

    #[test]
    fn long_area_names_keep_their_last_word() {
        assert_eq!(abbreviate("North Wessex", 8), "N Wessex");
        assert_eq!(abbreviate("Wessex Coast", 8), "W Coast");
        assert_eq!(abbreviate("Bristol", 8), "Bristol");
        assert_eq!(abbreviate("North Wessex", 12), "North Wessex");
    }
}
