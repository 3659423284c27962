//! A ratatui backend that writes fewer bytes than `CrosstermBackend` for the same screen
//! (issue 18 §2: a screen change over a 9.6 kbit/s SSH link is seconds of waiting).
//!
//! What it saves, and why each is safe:
//! - one SGR sequence per change of style, holding only what changed (`ESC[1;7m`, not a reset
//!   followed by each attribute and both colours in the 256-colour form);
//! - the 16 named colours as `30–37`/`90–97` (crossterm writes `38;5;N`; the same colour on
//!   every terminal with 256 colours, and the only form a 16-colour terminal knows);
//! - no resets that change nothing: the pen and the cursor position are carried from one
//!   frame to the next (crossterm resets colours, underline colour and attributes after every
//!   frame and starts each with an absolute move); so nothing else may write to the terminal
//!   between frames without a clear or [`LeanBackend::forget`] (the bell moves nothing);
//! - the shortest VT100 cursor move to the next changed cell (`ESC[C` forward, `\r\n` to the
//!   start of the next row) instead of always an absolute `ESC[row;colH`;
//! - cursor hide/show only when it changes, and the whole frame in one `write(2)` so that an
//!   SSH channel sends it in as few packets as possible.
//!
//! Only VT100 sequences are used (CUP, CUF, CUB, CUD, CR, LF, SGR, ED, EL, DECTCEM), so
//! TERM=vt100 terminals draw the same as xterm. The encoder is checked against the `vt100`
//! parser in the tests below: the bytes reproduce the ratatui buffer cell for cell.

use std::io::{self, Write};

use ratatui::backend::{Backend, ClearType, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};
use ratatui::style::{Color, Modifier};

use super::seq::{PLAIN, Pen, push_move, push_sgr};
use unicode_width::UnicodeWidthStr;

pub struct LeanBackend<W: Write> {
    out: W,
    /// Bytes of the frame being built; written in one go by `flush`.
    pending: Vec<u8>,
    /// Whether the cursor is shown, when known (unknown after a clear: a suspend may have
    /// changed it behind our back).
    cursor_shown: Option<bool>,
    /// What the terminal shows.
    shadow: Shadow,
    /// The pen and cursor position the last frame left.
    left: Left,
    changed: Vec<Position>,
    /// The terminal size for tests (no tty to ask).
    fixed_size: Option<Size>,
    /// Encode as ratatui's `CrosstermBackend` does (`JARTERM_DRAW=classic`): for comparing
    /// in the link bench, and a way back should some terminal draw the lean bytes wrongly.
    classic: bool,
}

impl<W: Write> LeanBackend<W> {
    pub fn new(out: W) -> Self {
        LeanBackend {
            out,
            pending: Vec::with_capacity(8192),
            cursor_shown: None,
            shadow: Shadow::default(),
            left: Left::default(),
            changed: Vec::new(),
            fixed_size: None,
            classic: false,
        }
    }

    /// Encode frames exactly as ratatui's `CrosstermBackend` would.
    pub fn classic(mut self, on: bool) -> Self {
        self.classic = on;
        self
    }

    /// A backend of a known size that never asks the tty (tests, benches).
    pub fn with_size(out: W, width: u16, height: u16) -> Self {
        let mut b = Self::new(out);
        b.fixed_size = Some(Size { width, height });
        b
    }

    /// Something else wrote to the terminal: assume nothing about its pen or cursor.
    pub fn forget(&mut self) {
        push_sgr(&mut self.pending, self.left.pen, PLAIN);
        self.left = Left::default();
    }

    pub fn writer(&self) -> &W {
        &self.out
    }

    pub fn writer_mut(&mut self) -> &mut W {
        &mut self.out
    }
}

/// What the terminal shows, as far as this backend has drawn it since the last clear.
#[derive(Default)]
pub struct Shadow {
    width: u16,
    height: u16,
    cells: Vec<Cell>,
}

impl Shadow {
    pub fn new(width: u16, height: u16) -> Shadow {
        Shadow {
            width,
            height,
            cells: vec![Cell::default(); usize::from(width) * usize::from(height)],
        }
    }

    fn get(&self, x: u16, y: u16) -> Option<&Cell> {
        (x < self.width && y < self.height)
            .then(|| &self.cells[usize::from(y) * usize::from(self.width) + usize::from(x)])
    }
}

/// A cell that shows nothing but the default background: its colour and weight do not show,
/// so any pen without a background, reverse, underline or strike-through draws it.
fn blank(c: &Cell) -> bool {
    c.symbol() == " " && c.bg == Color::Reset && !c.modifier.intersects(INKED)
}

/// Attributes that show on a space.
const INKED: Modifier = Modifier::REVERSED
    .union(Modifier::UNDERLINED)
    .union(Modifier::CROSSED_OUT)
    .union(Modifier::SLOW_BLINK)
    .union(Modifier::RAPID_BLINK);

fn pen_draws_blank(p: Pen) -> bool {
    p.bg == Color::Reset && !p.modifier.intersects(INKED)
}

/// A cell that can be printed to move the cursor over it: one column, one ASCII byte.
fn printable(c: &Cell) -> bool {
    let b = c.symbol().as_bytes();
    b.len() == 1 && (0x20..0x7f).contains(&b[0])
}

/// Where the terminal's cursor is.
#[derive(Clone, Copy, PartialEq)]
enum At {
    Unknown,
    Here(Position),
    /// Printed in the last column of row `y`: the next printable wraps; only CR is safe.
    PendingWrap(u16),
}

struct Encoder<'s> {
    out: &'s mut Vec<u8>,
    pen: Pen,
    at: At,
    shadow: &'s Shadow,
}

impl Encoder<'_> {
    fn pen(&mut self, want: Pen) {
        push_sgr(self.out, self.pen, want);
        self.pen = want;
    }

    /// The bytes of cells `from..to` of row `y`, if they can be printed as they are with the
    /// current pen (plain ASCII, unchanged or blank).
    fn gap(&self, y: u16, from: u16, to: u16) -> Option<Vec<u8>> {
        (from..to)
            .map(|x| {
                let c = self.shadow.get(x, y)?;
                let same = Pen::of(c) == self.pen || blank(c) && pen_draws_blank(self.pen);
                (printable(c) && same).then(|| c.symbol().as_bytes()[0])
            })
            .collect()
    }

    /// Go to `to` by the shortest of: an absolute or relative move, printing the cells in
    /// between on the same row, or CR LF then printing the first cells of the next row.
    fn go(&mut self, to: Position) {
        let mut best = Vec::new();
        match self.at {
            At::Here(at) => push_move(&mut best, Some(at), to),
            // CR ends the pending wrap on every VT100-like terminal: only moves after one.
            At::PendingWrap(y) if to.y > y => {
                let mut rel = vec![b'\r'];
                push_move(&mut rel, Some(Position { x: 0, y }), to);
                push_move(&mut best, None, to);
                if rel.len() <= best.len() && !rel[1..].ends_with(b"H") {
                    best = rel;
                }
            }
            _ => push_move(&mut best, None, to),
        }
        let row = match self.at {
            At::Here(at) => Some(at.y),
            At::PendingWrap(y) => Some(y),
            At::Unknown => None,
        };
        if let At::Here(at) = self.at
            && at.y == to.y
            && to.x > at.x
            && usize::from(to.x - at.x) < best.len()
            && let Some(g) = self.gap(to.y, at.x, to.x)
            && g.len() < best.len()
        {
            best = g;
        }
        if row.is_some_and(|r| r + 1 == to.y)
            && to.x < 4
            && let Some(g) = self.gap(to.y, 0, to.x)
            && g.len() + 2 < best.len()
        {
            best = [b"\r\n".as_slice(), &g].concat();
        }
        self.out.extend_from_slice(&best);
    }

    fn print(&mut self, x: u16, y: u16, cell: &Cell) {
        let want = Pen::of(cell);
        if !(blank(cell) && pen_draws_blank(self.pen)) {
            self.pen(want);
        }
        let sym = cell.symbol();
        self.out.extend_from_slice(sym.as_bytes());
        let w = sym.width() as u16;
        // After a wide or zero-width symbol terminals may disagree on where the cursor is.
        self.at = if w != 1 || sym.chars().count() != 1 {
            At::Unknown
        } else if x + 1 >= self.shadow.width {
            At::PendingWrap(y)
        } else {
            At::Here(Position { x: x + 1, y })
        };
    }
}

/// The pen and cursor the terminal was left with: kept from one frame to the next, so a
/// typed character costs a short relative move and no resets.
#[derive(Clone, Copy)]
pub struct Left {
    pen: Pen,
    at: At,
}

impl Default for Left {
    fn default() -> Self {
        Left {
            pen: PLAIN,
            at: At::Unknown,
        }
    }
}

/// Encode one frame: `changed` are the cells that differ from the last frame, `shadow` already
/// holds the new frame. Rows whose changed cells end in blanks to the end of the line are
/// finished with an erase (EL) instead of spaces.
pub fn encode(out: &mut Vec<u8>, shadow: &Shadow, changed: &[Position], left: &mut Left) {
    let mut e = Encoder {
        out,
        pen: left.pen,
        at: left.at,
        shadow,
    };
    let mut i = 0;
    while i < changed.len() {
        let y = changed[i].y;
        let row_end = changed[i..]
            .iter()
            .position(|p| p.y != y)
            .map_or(changed.len(), |n| i + n);
        // The row is blank from `tail` to its end in the new frame.
        let mut tail = shadow.width;
        while tail > 0 && shadow.get(tail - 1, y).is_some_and(blank) {
            tail -= 1;
        }
        let in_tail = changed[i..row_end].iter().filter(|p| p.x >= tail).count();
        // EL costs three bytes and perhaps a pen change; spaces one byte each.
        let erase = in_tail > 4;
        for p in &changed[i..row_end] {
            if erase && p.x >= tail {
                e.go(*p);
                if !pen_draws_blank(e.pen) {
                    e.pen(PLAIN);
                }
                e.out.extend_from_slice(b"\x1b[K");
                e.at = At::Here(*p);
                break;
            }
            if let Some(cell) = shadow.get(p.x, p.y) {
                e.go(*p);
                e.print(p.x, p.y, cell);
            }
        }
        i = row_end;
    }
    *left = Left {
        pen: e.pen,
        at: e.at,
    };
}

impl<W: Write> Backend for LeanBackend<W> {
    type Error = io::Error;

    fn draw<'a, I>(&mut self, content: I) -> io::Result<()>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        if self.classic {
            return ratatui::backend::CrosstermBackend::new(&mut self.pending).draw(content);
        }
        self.changed.clear();
        for (x, y, cell) in content {
            if self.shadow.get(x, y).is_none() {
                // First frame, or a size the last clear did not know: start from blank.
                let size = self.size()?;
                self.shadow = Shadow::new(size.width.max(x + 1), size.height.max(y + 1));
            }
            let i = usize::from(y) * usize::from(self.shadow.width) + usize::from(x);
            self.shadow.cells[i] = cell.clone();
            self.changed.push(Position { x, y });
        }
        encode(
            &mut self.pending,
            &self.shadow,
            &self.changed,
            &mut self.left,
        );
        Ok(())
    }

    fn append_lines(&mut self, n: u16) -> io::Result<()> {
        self.pending
            .extend(std::iter::repeat_n(b'\n', usize::from(n)));
        self.left.at = At::Unknown;
        self.flush()
    }

    fn hide_cursor(&mut self) -> io::Result<()> {
        if self.classic || self.cursor_shown != Some(false) {
            self.pending.extend_from_slice(b"\x1b[?25l");
            self.cursor_shown = Some(false);
        }
        Ok(())
    }

    fn show_cursor(&mut self) -> io::Result<()> {
        if self.classic || self.cursor_shown != Some(true) {
            self.pending.extend_from_slice(b"\x1b[?25h");
            self.cursor_shown = Some(true);
        }
        Ok(())
    }

    fn get_cursor_position(&mut self) -> io::Result<Position> {
        self.flush()?;
        crossterm::cursor::position()
            .map(|(x, y)| Position { x, y })
            .map_err(io::Error::other)
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> io::Result<()> {
        let to = position.into();
        push_move(&mut self.pending, None, to);
        self.left.at = At::Here(to);
        Ok(())
    }

    fn clear(&mut self) -> io::Result<()> {
        self.clear_region(ClearType::All)
    }

    fn clear_region(&mut self, clear_type: ClearType) -> io::Result<()> {
        // Erases fill with the pen's background: plain first.
        push_sgr(&mut self.pending, self.left.pen, PLAIN);
        self.left = Left::default();
        let seq: &[u8] = match clear_type {
            ClearType::All => b"\x1b[2J",
            ClearType::AfterCursor => b"\x1b[J",
            ClearType::BeforeCursor => b"\x1b[1J",
            ClearType::CurrentLine => b"\x1b[2K",
            ClearType::UntilNewLine => b"\x1b[K",
        };
        self.pending.extend_from_slice(seq);
        // ratatui forgets its last frame after a full clear, and so does the shadow; after a
        // partial one (inline viewports only) ratatui keeps it, and so does the shadow.
        if matches!(clear_type, ClearType::All) {
            let size = self.size()?;
            self.shadow = Shadow::new(size.width, size.height);
        }
        // A clear follows a resume from Ctrl-Z: whatever ran meanwhile may have shown it.
        self.cursor_shown = None;
        self.flush()
    }

    fn size(&self) -> io::Result<Size> {
        let size = match self.fixed_size {
            Some(s) => s,
            None => {
                let (width, height) = crossterm::terminal::size()?;
                Size { width, height }
            }
        };
        Ok(size)
    }

    fn window_size(&mut self) -> io::Result<WindowSize> {
        if let Some(s) = self.fixed_size {
            return Ok(WindowSize {
                columns_rows: s,
                pixels: Size::default(),
            });
        }
        let w = crossterm::terminal::window_size()?;
        Ok(WindowSize {
            columns_rows: Size {
                width: w.columns,
                height: w.rows,
            },
            pixels: Size {
                width: w.width,
                height: w.height,
            },
        })
    }

    fn flush(&mut self) -> io::Result<()> {
        if !self.pending.is_empty() {
            self.out.write_all(&self.pending)?;
            self.pending.clear();
        }
        self.out.flush()
    }
}

#[cfg(test)]
#[path = "lean_tests.rs"]
mod tests;
