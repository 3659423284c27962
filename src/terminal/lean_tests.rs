//! The encoder's bytes, fed to a VT100 parser, must give back the ratatui buffer cell for
//! cell: contents, colours and the attributes the parser tracks.

use super::*;
use proptest::prelude::*;
use ratatui::Terminal;
use ratatui::backend::Backend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

const W: u16 = 12;
const H: u16 = 5;

fn vt_color(c: Color) -> vt100::Color {
    let idx = |i| vt100::Color::Idx(i);
    match c {
        Color::Reset => vt100::Color::Default,
        Color::Black => idx(0),
        Color::Red => idx(1),
        Color::Green => idx(2),
        Color::Yellow => idx(3),
        Color::Blue => idx(4),
        Color::Magenta => idx(5),
        Color::Cyan => idx(6),
        Color::Gray => idx(7),
        Color::DarkGray => idx(8),
        Color::LightRed => idx(9),
        Color::LightGreen => idx(10),
        Color::LightYellow => idx(11),
        Color::LightBlue => idx(12),
        Color::LightMagenta => idx(13),
        Color::LightCyan => idx(14),
        Color::White => idx(15),
        Color::Indexed(i) => idx(i),
        Color::Rgb(r, g, b) => vt100::Color::Rgb(r, g, b),
    }
}

/// Every cell of the parsed screen against the buffer.
fn assert_same(screen: &vt100::Screen, buf: &Buffer) {
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            let want = &buf[(x, y)];
            let got = screen.cell(y, x).expect("cell on screen");
            let at = format!("cell ({x},{y})");
            if blank(want) {
                // Only the background shows on a space: it must look blank.
                let empty = got.contents().is_empty() || got.contents() == " ";
                assert!(empty, "{at} blank, got {:?}", got.contents());
                assert_eq!(got.bgcolor(), vt100::Color::Default, "{at} bg of a blank");
                assert!(!got.inverse() && !got.underline(), "{at} blank shows ink");
                continue;
            }
            // A printed space and a cell never written are both blank.
            let got_text = if got.contents().is_empty() {
                " "
            } else {
                got.contents()
            };
            assert_eq!(got_text, want.symbol(), "{at} text");
            assert_eq!(got.fgcolor(), vt_color(want.fg), "{at} fg");
            assert_eq!(got.bgcolor(), vt_color(want.bg), "{at} bg");
            let m = want.modifier;
            assert_eq!(got.bold(), m.contains(Modifier::BOLD), "{at} bold");
            assert_eq!(got.dim(), m.contains(Modifier::DIM), "{at} dim");
            assert_eq!(got.italic(), m.contains(Modifier::ITALIC), "{at} italic");
            assert_eq!(
                got.underline(),
                m.contains(Modifier::UNDERLINED),
                "{at} underline"
            );
            assert_eq!(
                got.inverse(),
                m.contains(Modifier::REVERSED),
                "{at} reverse"
            );
        }
    }
}

fn color() -> impl Strategy<Value = Color> {
    prop_oneof![
        Just(Color::Reset),
        Just(Color::Red),
        Just(Color::Gray),
        Just(Color::DarkGray),
        Just(Color::White),
        Just(Color::LightCyan),
        (0u8..=255).prop_map(Color::Indexed),
        (any::<u8>(), any::<u8>(), any::<u8>()).prop_map(|(r, g, b)| Color::Rgb(r, g, b)),
    ]
}

fn style() -> impl Strategy<Value = Style> {
    (color(), color(), any::<u16>()).prop_map(|(fg, bg, bits)| {
        // The vt100 parser keeps one intensity (bold or faint, as a VT100 did); xterm keeps
        // both. Test the combinations the parser can tell apart.
        let mut m = Modifier::from_bits_truncate(bits);
        if m.contains(Modifier::BOLD) {
            m.remove(Modifier::DIM);
        }
        Style::default().fg(fg).bg(bg).add_modifier(m)
    })
}

/// A buffer drawn from a few symbols and styles, with runs so that styles repeat as on a
/// real screen.
fn buffer() -> impl Strategy<Value = Buffer> {
    let sym = prop_oneof![
        Just(" "),
        Just("a"),
        Just("Z"),
        Just("│"),
        Just("é"),
        Just("─")
    ];
    proptest::collection::vec((sym, style(), 1usize..8), 1..20).prop_map(|runs| {
        let mut b = Buffer::empty(Rect::new(0, 0, W, H));
        let mut i = 0usize;
        let n = usize::from(W * H);
        'runs: for (s, st, len) in runs.iter().cycle().take(200) {
            for _ in 0..*len {
                if i >= n {
                    break 'runs;
                }
                let (x, y) = ((i % usize::from(W)) as u16, (i / usize::from(W)) as u16);
                b[(x, y)].set_symbol(s).set_style(*st);
                i += 1;
            }
        }
        b
    })
}

fn frames(bufs: &[Buffer]) -> (Vec<u8>, vt100::Parser) {
    let mut backend = LeanBackend::with_size(Vec::new(), W, H);
    let mut prev = Buffer::empty(Rect::new(0, 0, W, H));
    let mut parser = vt100::Parser::new(
        std::num::NonZeroU16::new(H).expect("rows"),
        std::num::NonZeroU16::new(W).expect("cols"),
        0,
    );
    for b in bufs {
        let from = backend.writer().len();
        backend.draw(prev.diff(b).into_iter()).expect("draw");
        Backend::flush(&mut backend).expect("flush");
        parser.process(&backend.writer()[from..]);
        assert_same(parser.screen(), b);
        prev = b.clone();
    }
    (backend.writer().clone(), parser)
}

/// A few cells of `base` changed, as a cursor move or a typed character changes a screen:
/// the encoder then moves over unchanged cells, or prints them when that is shorter.
fn edited() -> impl Strategy<Value = Vec<Buffer>> {
    let sym = prop_oneof![Just(" "), Just("a"), Just("b"), Just("│")];
    let edit = (0..W, 0..H, sym, style(), 1u16..6);
    (
        buffer(),
        proptest::collection::vec(proptest::collection::vec(edit, 1..8), 1..4),
    )
        .prop_map(|(base, frames)| {
            let mut out = vec![base.clone()];
            let mut b = base;
            for edits in frames {
                for (x, y, s, st, len) in edits {
                    for dx in 0..len.min(W - x) {
                        // Replace the style (adding would mix bold and faint, see `style`).
                        let c = &mut b[(x + dx, y)];
                        c.reset();
                        c.set_symbol(s).set_style(st);
                    }
                }
                out.push(b.clone());
            }
            out
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn the_bytes_of_small_changes_redraw_each_buffer(bufs in edited()) {
        frames(&bufs);
    }

    #[test]
    fn the_bytes_of_any_sequence_of_frames_redraw_each_buffer(bufs in proptest::collection::vec(buffer(), 1..4)) {
        frames(&bufs);
    }
}

#[test]
fn a_style_change_is_one_sequence_holding_only_what_changed() {
    let mut a = Buffer::empty(Rect::new(0, 0, W, H));
    a[(0, 0)]
        .set_symbol("x")
        .set_style(Style::default().fg(Color::Red).add_modifier(Modifier::BOLD));
    a[(1, 0)].set_symbol("y").set_style(
        Style::default()
            .fg(Color::Red)
            .add_modifier(Modifier::BOLD | Modifier::REVERSED),
    );
    let (out, _) = frames(&[a]);
    assert_eq!(out, b"\x1b[H\x1b[1;31mx\x1b[7my");
}

#[test]
fn plain_text_costs_no_sequence_and_a_gap_is_a_relative_move() {
    let mut a = Buffer::empty(Rect::new(0, 0, W, H));
    a[(2, 1)].set_symbol("a");
    a[(8, 1)].set_symbol("b");
    a[(0, 2)].set_symbol("c");
    let (out, _) = frames(&[a]);
    assert_eq!(out, b"\x1b[2;3Ha\x1b[5Cb\r\nc");
}

#[test]
fn a_cell_in_the_last_column_is_followed_by_an_absolute_move() {
    let mut a = Buffer::empty(Rect::new(0, 0, W, H));
    a[(W - 1, 0)].set_symbol("a");
    a[(0, 1)].set_symbol("b");
    let (_, parser) = frames(&[a]);
    assert_eq!(parser.screen().cell(1, 0).map(|c| c.contents()), Some("b"));
}

#[test]
fn the_terminal_writes_a_frame_at_once_and_the_cursor_state_only_when_it_changes() {
    let backend = LeanBackend::with_size(Vec::new(), W, H);
    let mut t = Terminal::new(backend).expect("terminal");
    t.draw(|f| f.render_widget("hello", f.area()))
        .expect("draw");
    let first = t.backend().writer().len();
    assert!(first > 0, "the first frame is written when drawn");
    t.draw(|f| f.render_widget("hello", f.area()))
        .expect("draw");
    assert_eq!(
        t.backend().writer().len(),
        first,
        "an unchanged frame writes nothing, not even a cursor hide"
    );
    t.draw(|f| f.render_widget("help", f.area())).expect("draw");
    let tail = &t.backend().writer()[first..];
    // The cursor is known to be after "hello": two columns back, no reset of the pen.
    assert_eq!(tail, b"\x1b[2Dp ");
}

#[test]
fn a_short_gap_of_unchanged_plain_cells_is_printed_not_jumped() {
    let mut a = Buffer::empty(Rect::new(0, 0, W, H));
    a.set_string(0, 0, "abcdef", Style::default());
    let mut b = a.clone();
    b.set_string(0, 0, "X", Style::default());
    b.set_string(2, 0, "Y", Style::default());
    let (out, _) = frames(&[a, b]);
    assert!(
        out.ends_with(b"abcdef\rXbY"),
        "{:?}",
        String::from_utf8_lossy(&out)
    );
}

#[test]
fn a_row_that_ends_blank_is_erased_not_filled_with_spaces() {
    let mut a = Buffer::empty(Rect::new(0, 0, W, H));
    a.set_string(0, 1, "abcdefghij", Style::default().fg(Color::Red));
    let mut b = a.clone();
    b.set_string(0, 1, "ab        ", Style::default());
    let (out, parser) = frames(&[a, b]);
    // "ab" keeps its colour (a style without colour changes none): only the rest changes.
    assert!(
        out.ends_with(b"abcdefghij\x1b[8D\x1b[K"),
        "{:?}",
        String::from_utf8_lossy(&out)
    );
    assert_eq!(parser.screen().contents_between(1, 0, 1, W), "ab");
}

#[test]
fn after_the_last_column_a_carriage_return_starts_the_next_row() {
    let mut a = Buffer::empty(Rect::new(0, 0, W, H));
    a.set_string(0, 0, "abcdefghijkl", Style::default());
    a.set_string(0, 1, "m", Style::default());
    let (out, parser) = frames(&[a]);
    assert!(
        out.ends_with(b"abcdefghijkl\r\nm"),
        "{:?}",
        String::from_utf8_lossy(&out)
    );
    assert_eq!(parser.screen().contents_between(1, 0, 1, 1), "m");
}
