//! Issue D in a real pseudo-terminal: `jarterm demo` (no server needed) under NO_COLOR and a
//! non-UTF-8 locale, resized to 20x6 and back, given a bracketed paste, suspended with
//! Ctrl-Z, and hung up (SIGHUP) with a half-typed contact note that the next run finds.

mod support;

use std::path::Path;
use std::time::Duration;
use support::pty::{Pty, terminal_restored};

const STARTUP: Duration = Duration::from_secs(60);
const STEP: Duration = Duration::from_secs(15);

fn board(pty: &Pty) {
    pty.wait_for("the board with demo cases", STARTUP, |s| {
        s.contains("JAR-") && s.contains("REF")
    });
}

fn key_worker(home: &Path, env: &[(&str, &str)], cols: u16, rows: u16) -> Pty {
    let pty = Pty::spawn(&["demo", "--as", "key-worker"], env, home, cols, rows);
    board(&pty);
    pty
}

/// From the board: open the first case, its Contacts tab, a new contact, and Tab to the
/// summary box.
fn contact_summary(pty: &mut Pty) {
    pty.send(b"\r");
    pty.wait_for_text("Summary", STEP);
    pty.send(b"4");
    pty.wait_for_text("add contact", STEP);
    pty.send(b"a");
    pty.wait_for_text("Log a contact", STEP);
    for _ in 0..5 {
        pty.send(b"\t");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn signal(pty: &Pty, sig: i32) {
    let pid = pty.pid().expect("pid") as i32;
    // SAFETY: kill(2) on our own child.
    let rc = unsafe { libc::kill(pid, sig) };
    assert_eq!(rc, 0, "kill {sig}");
}

/// SGR parameters that set a colour: 30-38 and 40-48 (38/48 extended), 90-97, 100-107.
fn colour_escapes(raw: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(raw);
    let mut found = Vec::new();
    for part in text.split("\u{1b}[").skip(1) {
        let end = part
            .find(|c: char| ('\u{40}'..='\u{7e}').contains(&c))
            .unwrap_or(part.len());
        if part[end..].starts_with('m') {
            let params = &part[..end];
            if params.split(';').any(|p| {
                matches!(
                    p.parse::<u16>(),
                    Ok(30..=38 | 40..=48 | 90..=97 | 100..=107)
                )
            }) {
                found.push(format!("ESC[{params}m"));
            }
        }
    }
    found
}

#[test]
fn no_color_and_a_c_locale_give_plain_ascii_with_no_colour_mouse_title_or_queries() {
    let home = tempfile::tempdir().expect("home");
    let mut pty = key_worker(
        home.path(),
        &[("NO_COLOR", "1"), ("LANG", "C"), ("TERM", "xterm-256color")],
        60,
        20,
    );
    // The person's work at 60x20: open a case and its contacts.
    pty.send(b"\r");
    pty.wait_for_text("Summary", STEP);
    pty.send(b"4");
    pty.wait_for_text("add contact", STEP);
    let screen = pty.contents();
    assert!(screen.is_ascii(), "ASCII mode under LANG=C:\n{screen}");
    pty.send(b"q");
    pty.wait_for("the board again", STEP, |s| s.contains("REF"));
    pty.send(b"q");
    assert_eq!(pty.wait_exit(STEP), 0, "{}", pty.contents());
    let raw = pty.raw();
    let colours = colour_escapes(&raw);
    assert!(colours.is_empty(), "NO_COLOR wrote {colours:?}");
    let text = String::from_utf8_lossy(&raw);
    for (needle, what) in [
        ("\u{1b}[?1000h", "mouse capture"),
        ("\u{1b}[?1002h", "mouse capture"),
        ("\u{1b}[?1003h", "mouse capture"),
        ("\u{1b}[?1006h", "mouse capture"),
        ("\u{1b}]0;", "a window title"),
        ("\u{1b}]1;", "an icon title"),
        ("\u{1b}]2;", "a window title"),
        ("\u{1b}[6n", "a cursor position query"),
        ("\u{1b}[c", "a device attributes query"),
        ("\u{1b}[>c", "a device attributes query"),
        ("\u{1b}[0c", "a device attributes query"),
        ("\u{1b}]11;?", "a background colour query"),
        ("\u{1b}[?u", "a keyboard protocol query"),
        ("\u{1b}[>1u", "keyboard enhancement flags"),
        ("\u{1b}]52;", "a clipboard write"),
    ] {
        assert!(!text.contains(needle), "jarterm wrote {what} ({needle:?})");
    }
    terminal_restored(&raw).expect("terminal restored");
}

#[test]
fn resizing_to_20x6_shows_too_small_and_back_shows_the_board_again() {
    let home = tempfile::tempdir().expect("home");
    let mut pty = key_worker(home.path(), &[], 80, 24);
    pty.resize(20, 6);
    pty.wait_for("the too-small screen", STEP, |s| s.contains("too small"));
    pty.resize(80, 24);
    pty.wait_for("the board again", STEP, |s| {
        s.contains("REF") && s.contains("JAR-") && !s.contains("too small")
    });
    let raw = pty.raw();
    assert!(
        !String::from_utf8_lossy(&raw).contains("\u{1b}[6n"),
        "a resize asks the terminal nothing"
    );
    pty.send(b"q");
    assert_eq!(pty.wait_exit(STEP), 0);
    terminal_restored(&pty.raw()).expect("terminal restored");
}

#[test]
fn a_bracketed_paste_lands_in_the_contact_summary_as_text() {
    let home = tempfile::tempdir().expect("home");
    let mut pty = key_worker(home.path(), &[], 100, 30);
    contact_summary(&mut pty);
    // Bracketed paste was switched on.
    assert!(String::from_utf8_lossy(&pty.raw()).contains("\u{1b}[?2004h"));
    pty.send(b"\x1b[200~Pasted line one\r\nPasted line two\r\n\x1b]52;c;ZXZpbA==\x07\x1b[201~");
    pty.wait_for("the pasted text in the form", STEP, |s| {
        s.contains("Pasted line one") && s.contains("Pasted line two")
    });
    // Not submitted: the form is still open, and nothing is waiting to be sent.
    std::thread::sleep(Duration::from_millis(300));
    let screen = pty.contents();
    assert!(screen.contains("Log a contact"), "{screen}");
    assert!(!screen.contains("unsent"), "{screen}");
    assert!(!String::from_utf8_lossy(&pty.raw()).contains("]52;"));
    // Ctrl-C keeps the draft and quits.
    pty.send(b"\x03");
    assert_eq!(pty.wait_exit(STEP), 0);
    terminal_restored(&pty.raw()).expect("terminal restored");
}

/// The key worker signed in (through the sign-in screen) to a real server, on the board.
#[cfg(feature = "demo")]
fn key_worker_on(base: &str, home: &Path) -> Pty {
    let mut pty = Pty::spawn(&["--server", base], &[], home, 100, 30);
    pty.wait_for_text("Username", STEP);
    pty.send(b"demo-keyworker\r");
    pty.send(b"demo\r");
    board(&pty);
    pty
}

// Issue 12 changed where this runs: a demo's drafts now stay in its temporary directory and
// go with it, so the next run that finds the words is a real sign-in to a real server.
#[cfg(feature = "demo")]
#[test]
fn sighup_with_a_half_typed_contact_note_keeps_it_for_the_next_run() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let home = tempfile::tempdir().expect("home");
    let db = format!("sqlite://{}", home.path().join("jar.db").display());
    let mut config = jar_server::ServerConfig::loopback(db);
    config.demo_cases = Some(4);
    let server = rt.block_on(jar_server::start(config)).expect("server");
    let base = server.base_url();
    let mut pty = key_worker_on(&base, home.path());
    contact_summary(&mut pty);
    pty.send(b"Mother asked about the post-mort");
    pty.wait_for_text("Mother asked about the post-mort", STEP);
    signal(&pty, libc::SIGHUP);
    pty.wait_exit(STEP);
    terminal_restored(&pty.raw()).expect("terminal restored after SIGHUP");
    drop(pty);

    // A new run (a new SSH session) of the same person finds the words.
    let mut pty = key_worker_on(&base, home.path());
    pty.wait_for_text("draft", STEP);
    contact_summary(&mut pty);
    pty.wait_for_text("Mother asked about the post-mort", STEP);
    pty.send(b"\x03");
    assert_eq!(pty.wait_exit(STEP), 0);
    rt.block_on(server.shutdown());
}

#[test]
fn sigterm_sigint_and_sigquit_restore_the_terminal_and_exit() {
    for sig in [libc::SIGTERM, libc::SIGINT, libc::SIGQUIT] {
        let home = tempfile::tempdir().expect("home");
        let mut pty = key_worker(home.path(), &[], 80, 24);
        signal(&pty, sig);
        pty.wait_exit(STEP);
        terminal_restored(&pty.raw()).unwrap_or_else(|e| panic!("signal {sig}: {e}"));
    }
}

fn stopped(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            s.rsplit(')')
                .next()
                .map(|r| r.trim_start().starts_with('T'))
        })
        .unwrap_or(false)
}

#[test]
fn ctrl_z_hands_the_terminal_back_and_resuming_redraws_everything() {
    let home = tempfile::tempdir().expect("home");
    let mut pty = key_worker(home.path(), &[], 80, 24);
    let before = pty.raw().len();
    pty.send(b"\x1a");
    let pid = pty.pid().expect("pid");
    // Stopped (a job-control shell would show its prompt); `fg` sends SIGCONT. Without job
    // control (this pty's process group is orphaned) the kernel drops the stop instead.
    let start = std::time::Instant::now();
    while start.elapsed() < Duration::from_secs(2) {
        if stopped(pid) {
            signal(&pty, libc::SIGCONT);
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    pty.wait_for("the board drawn again", STEP, |_| {
        let raw = pty.raw();
        let after = String::from_utf8_lossy(&raw[before..]).to_string();
        let left = after.find("\u{1b}[?1049l");
        let back = after.rfind("\u{1b}[?1049h");
        matches!((left, back), (Some(l), Some(b)) if b > l) && after.contains("JAR-")
    });
    let raw = pty.raw();
    let after = String::from_utf8_lossy(&raw[before..]).to_string();
    let left = after
        .find("\u{1b}[?1049l")
        .expect("left the alternate screen");
    // Before stopping: bracketed paste off and the cursor shown; after: on and hidden again.
    let (stop, resume) = after.split_at(left);
    assert!(stop.contains("\u{1b}[?2004l"), "paste off before stopping");
    assert!(resume.contains("\u{1b}[?25h"), "cursor shown while stopped");
    assert!(resume.contains("\u{1b}[?2004h"), "paste on again");
    // Everything is redrawn: the screen was cleared after resuming, without asking the
    // terminal anything (ESC [6n would stall a terminal that never answers).
    assert!(resume.contains("\u{1b}[2J"), "a full redraw after resuming");
    assert!(!after.contains("\u{1b}[6n"), "no cursor position query");
    board(&pty);
    pty.send(b"q");
    assert_eq!(pty.wait_exit(STEP), 0);
    terminal_restored(&pty.raw()).expect("terminal restored");
}

#[test]
fn a_broken_theme_or_keymap_file_is_a_banner_and_the_defaults_are_used() {
    let home = tempfile::tempdir().expect("home");
    let config = home.path().join("config").join("jarterm");
    std::fs::create_dir_all(config.join("themes")).expect("config dir");
    std::fs::write(
        config.join("themes").join("night.toml"),
        "name = 'night'\n[roles\n",
    )
    .expect("theme");
    let mut pty = key_worker(home.path(), &[("JARTERM_THEME", "night")], 100, 30);
    // The banner may already have given way to another one: what was drawn counts.
    pty.wait_for("using the default theme", STEP, |screen| {
        screen.contains("using the default theme")
            || String::from_utf8_lossy(&pty.raw()).contains("using the default theme")
    });
    pty.send(b"q");
    assert_eq!(pty.wait_exit(STEP), 0);

    std::fs::write(config.join("keys.toml"), "\"board.toggle-mine\" = \"q\"\n").expect("keys");
    let mut pty = key_worker(home.path(), &[], 100, 30);
    // The banner may already have given way to another one: what was drawn counts.
    pty.wait_for("default keys are in force", STEP, |screen| {
        screen.contains("default keys are in force")
            || String::from_utf8_lossy(&pty.raw()).contains("default keys are in force")
    });
    // The defaults are in force: q still quits.
    pty.send(b"q");
    assert_eq!(pty.wait_exit(STEP), 0);
}

#[test]
fn an_idle_screen_writes_nothing_until_something_changes() {
    let home = tempfile::tempdir().expect("home");
    let mut pty = key_worker(home.path(), &[], 80, 24);
    // Started: the change stream is live (no guess at how long start-up takes).
    pty.wait_for("the stream live", STARTUP, |s| s.contains(" live "));
    let minute = || chrono::Utc::now().timestamp() / 60;
    let mut quiet = false;
    // The clock on screen shows minutes: a window that crosses a minute is tried again.
    for _ in 0..3 {
        let (m, before) = (minute(), pty.raw().len());
        std::thread::sleep(Duration::from_millis(2500));
        if minute() != m {
            continue;
        }
        assert_eq!(pty.raw().len(), before, "no redraw without a change");
        quiet = true;
        break;
    }
    assert!(quiet, "no quiet window found");
    // A key that changes something is drawn at once.
    let before = pty.raw().len();
    pty.send(b"j");
    pty.wait_for("a redraw after a key", STEP, |_| pty.raw().len() > before);
    pty.send(b"q");
    assert_eq!(pty.wait_exit(STEP), 0);
}
