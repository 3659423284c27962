//! Raw mode, the alternate screen and bracketed paste on; restored on every exit path,
//! panics included (the hook restores first, then reports).

use std::io::{Write, stdout};

use crossterm::event::{DisableBracketedPaste, EnableBracketedPaste};
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use crossterm::{cursor, execute};
use ratatui::Terminal;

mod lean;
mod seq;
pub use lean::LeanBackend;

/// Where frames go: standard output, unbuffered, so a frame is one `write(2)` (the standard
/// library's line buffering would cut it at every newline and every 1 KiB, and an SSH channel
/// sends each piece as its own packet).
#[cfg(unix)]
pub type Out = std::fs::File;
#[cfg(not(unix))]
pub type Out = std::io::Stdout;

pub type Tui = Terminal<LeanBackend<Out>>;

#[cfg(unix)]
fn frame_out() -> std::io::Result<Out> {
    use std::os::fd::AsFd;
    Ok(std::fs::File::from(stdout().as_fd().try_clone_to_owned()?))
}

#[cfg(not(unix))]
fn frame_out() -> std::io::Result<Out> {
    Ok(stdout())
}

/// Enter the TUI. Bracketed paste is optional (legacy consoles refuse it).
pub fn enter() -> std::io::Result<Tui> {
    enable_raw_mode()?;
    let mut out = stdout();
    execute!(out, EnterAlternateScreen, cursor::Hide)?;
    let _ = execute!(out, EnableBracketedPaste);
    let classic = std::env::var_os("JARTERM_DRAW").is_some_and(|v| v == "classic");
    Terminal::new(LeanBackend::new(frame_out()?).classic(classic))
}

/// Ctrl-Z: give the terminal back, stop as a shell job would, and take the terminal again
/// when continued (`fg`). The caller then clears and redraws everything.
pub fn suspend() -> std::io::Result<()> {
    restore();
    #[cfg(unix)]
    // SAFETY: raise(3) only sends a signal to this process; SIGTSTP's default action
    // stops it until SIGCONT, and jarterm installs no handler for it.
    unsafe {
        libc::raise(libc::SIGTSTP);
    }
    enable_raw_mode()?;
    let mut out = stdout();
    execute!(out, EnterAlternateScreen, cursor::Hide)?;
    let _ = execute!(out, EnableBracketedPaste);
    Ok(())
}

/// Idempotent: safe to call from Drop, the panic hook and signal paths.
pub fn restore() {
    let mut out = stdout();
    let _ = execute!(out, DisableBracketedPaste);
    // The lean backend leaves its pen set between frames: plain before handing back.
    let _ = out.write_all(b"\x1b[m");
    let _ = execute!(out, LeaveAlternateScreen, cursor::Show);
    let _ = disable_raw_mode();
    let _ = out.flush();
}

/// Restores the terminal when dropped, whatever the exit path.
pub struct Guard;

impl Drop for Guard {
    fn drop(&mut self) {
        restore();
    }
}

/// Restore the terminal before the panic message is printed. The message names no data.
pub fn install_panic_hook() {
    install_panic_hook_with(restore);
}

/// As [`install_panic_hook`], with the restoring step given (tests record the order).
pub fn install_panic_hook_with(restore: impl Fn() + Send + Sync + 'static) {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous(info);
    }));
}
