//! The escape sequences the lean backend writes: SGR from one pen to another, and the
//! shortest VT100 cursor move. Only what a DEC VT100 knows, plus 256/24-bit colours when a
//! theme asks for them.

use std::io::Write;

use ratatui::buffer::Cell;
use ratatui::layout::Position;
use ratatui::style::{Color, Modifier};

/// The graphic rendition the terminal is drawing with.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) struct Pen {
    pub(super) fg: Color,
    pub(super) bg: Color,
    pub(super) underline: Color,
    pub(super) modifier: Modifier,
}

pub(super) const PLAIN: Pen = Pen {
    fg: Color::Reset,
    bg: Color::Reset,
    underline: Color::Reset,
    modifier: Modifier::empty(),
};

impl Pen {
    pub(super) fn of(cell: &Cell) -> Pen {
        Pen {
            fg: cell.fg,
            bg: cell.bg,
            underline: cell.underline_color,
            modifier: cell.modifier,
        }
    }
}
fn push_num(out: &mut Vec<u8>, n: u32) {
    let _ = write!(out, "{n}");
}

/// SGR parameters for a colour: `base` is 30 (foreground), 40 (background) or 50 (underline,
/// which has no short forms).
fn color_params(c: Color, base: u8, p: &mut Vec<u32>) {
    let base = u32::from(base);
    let named = |i: u32, p: &mut Vec<u32>| {
        if base == 50 {
            p.extend([58, 5, i]);
        } else if i < 8 {
            p.push(base + i);
        } else {
            p.push(base + 60 + i - 8);
        }
    };
    match c {
        Color::Reset => p.push(base + 9),
        Color::Black => named(0, p),
        Color::Red => named(1, p),
        Color::Green => named(2, p),
        Color::Yellow => named(3, p),
        Color::Blue => named(4, p),
        Color::Magenta => named(5, p),
        Color::Cyan => named(6, p),
        Color::Gray => named(7, p),
        Color::DarkGray => named(8, p),
        Color::LightRed => named(9, p),
        Color::LightGreen => named(10, p),
        Color::LightYellow => named(11, p),
        Color::LightBlue => named(12, p),
        Color::LightMagenta => named(13, p),
        Color::LightCyan => named(14, p),
        Color::White => named(15, p),
        Color::Indexed(i) => p.extend([base + 8, 5, u32::from(i)]),
        Color::Rgb(r, g, b) => p.extend([base + 8, 2, u32::from(r), u32::from(g), u32::from(b)]),
    }
}

const SETS: [(Modifier, u32); 9] = [
    (Modifier::BOLD, 1),
    (Modifier::DIM, 2),
    (Modifier::ITALIC, 3),
    (Modifier::UNDERLINED, 4),
    (Modifier::SLOW_BLINK, 5),
    (Modifier::RAPID_BLINK, 6),
    (Modifier::REVERSED, 7),
    (Modifier::HIDDEN, 8),
    (Modifier::CROSSED_OUT, 9),
];

/// Parameters taking the terminal from `from` to `to` attribute by attribute.
fn diff_params(from: Pen, to: Pen) -> Vec<u32> {
    let mut p = Vec::new();
    let removed = from.modifier - to.modifier;
    let mut add = to.modifier - from.modifier;
    // 22 ends both bold and faint, 25 both blinks: put back whichever stays.
    let groups: [(Modifier, u32); 7] = [
        (Modifier::BOLD | Modifier::DIM, 22),
        (Modifier::ITALIC, 23),
        (Modifier::UNDERLINED, 24),
        (Modifier::SLOW_BLINK | Modifier::RAPID_BLINK, 25),
        (Modifier::REVERSED, 27),
        (Modifier::HIDDEN, 28),
        (Modifier::CROSSED_OUT, 29),
    ];
    for (group, off) in groups {
        if removed.intersects(group) {
            p.push(off);
            add |= to.modifier & group;
        }
    }
    for (m, on) in SETS {
        if add.contains(m) {
            p.push(on);
        }
    }
    if from.fg != to.fg {
        color_params(to.fg, 30, &mut p);
    }
    if from.bg != to.bg {
        color_params(to.bg, 40, &mut p);
    }
    if from.underline != to.underline {
        color_params(to.underline, 50, &mut p);
    }
    p
}

/// Parameters from a reset: `0` then everything `to` has.
fn reset_params(to: Pen) -> Vec<u32> {
    let mut p = diff_params(PLAIN, to);
    p.insert(0, 0);
    p
}

fn sgr_len(p: &[u32]) -> usize {
    p.iter().map(|n| n.to_string().len() + 1).sum::<usize>() + 2
}

/// The shortest SGR sequence from `from` to `to` (nothing when they are equal).
pub(super) fn push_sgr(out: &mut Vec<u8>, from: Pen, to: Pen) {
    if from == to {
        return;
    }
    let mut p = diff_params(from, to);
    let r = reset_params(to);
    if sgr_len(&r) < sgr_len(&p) {
        p = r;
    }
    out.extend_from_slice(b"\x1b[");
    if p != [0] {
        for (i, n) in p.iter().enumerate() {
            if i > 0 {
                out.push(b';');
            }
            push_num(out, *n);
        }
    }
    out.push(b'm');
}

/// The shortest VT100 move from `at` (if known) to `to`.
pub(super) fn push_move(out: &mut Vec<u8>, at: Option<Position>, to: Position) {
    let cup = |out: &mut Vec<u8>| {
        out.extend_from_slice(b"\x1b[");
        if to.x == 0 {
            if to.y > 0 {
                push_num(out, u32::from(to.y) + 1);
            }
        } else {
            push_num(out, u32::from(to.y) + 1);
            out.push(b';');
            push_num(out, u32::from(to.x) + 1);
        }
        out.push(b'H');
    };
    let Some(at) = at else {
        return cup(out);
    };
    if at == to {
        return;
    }
    let mut rel = Vec::new();
    let seq = |rel: &mut Vec<u8>, n: u16, c: u8| {
        rel.extend_from_slice(b"\x1b[");
        if n > 1 {
            push_num(rel, u32::from(n));
        }
        rel.push(c);
    };
    if to.y == at.y {
        if to.x > at.x {
            seq(&mut rel, to.x - at.x, b'C');
        } else if to.x == 0 {
            rel.push(b'\r');
        } else {
            seq(&mut rel, at.x - to.x, b'D');
        }
    } else if to.y > at.y {
        if to.x == at.x {
        } else if to.x == 0 {
            rel.push(b'\r');
        } else if to.x > at.x {
            seq(&mut rel, to.x - at.x, b'C');
        } else if to.x < at.x {
            seq(&mut rel, at.x - to.x, b'D');
        }
        // LF moves down one row without scrolling here: the target row is on the screen.
        let down = to.y - at.y;
        if down <= 2 {
            rel.extend(std::iter::repeat_n(b'\n', usize::from(down)));
        } else {
            seq(&mut rel, down, b'B');
        }
    }
    let mut abs = Vec::new();
    cup(&mut abs);
    if !rel.is_empty() && rel.len() <= abs.len() {
        out.extend_from_slice(&rel);
    } else {
        out.extend_from_slice(&abs);
    }
}
