//! Run the real `jarterm` binary in a pseudo-terminal and read its screen back through a VT
//! parser, the way a person at a terminal would see it.

#![allow(dead_code)] // each test binary uses a different part of the harness

use portable_pty::{CommandBuilder, MasterPty, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn nz(n: u16) -> std::num::NonZeroU16 {
    std::num::NonZeroU16::new(n.max(1)).expect("at least 1")
}

/// One real terminal program at a time per test binary: several demo servers and clients
/// starting at once on a small machine make waits flaky, and the tests gain nothing from it.
/// A test that holds one Pty may start a second (a restart) without waiting for itself.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

thread_local! {
    static HELD: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

fn take_turn() -> Option<std::sync::MutexGuard<'static, ()>> {
    let guard = (HELD.get() == 0).then(|| ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner()));
    HELD.set(HELD.get() + 1);
    guard
}

pub struct Pty {
    _turn: Option<std::sync::MutexGuard<'static, ()>>,
    master: Box<dyn MasterPty + Send>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
    screen: Arc<Mutex<vt100::Parser>>,
    raw: Arc<Mutex<Vec<u8>>>,
}

impl Pty {
    /// Start `jarterm ARGS` in a `cols`x`rows` terminal with a clean, test-owned environment.
    pub fn spawn(args: &[&str], env: &[(&str, &str)], home: &Path, cols: u16, rows: u16) -> Pty {
        let turn = take_turn();
        let pair = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("openpty");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_jarterm"));
        cmd.args(args);
        cmd.env_clear();
        cmd.env("PATH", std::env::var("PATH").unwrap_or_default());
        cmd.env("HOME", home);
        cmd.env("TERM", "xterm-256color");
        cmd.env("LANG", "C.UTF-8");
        cmd.env("XDG_CONFIG_HOME", home.join("config"));
        cmd.env("XDG_STATE_HOME", home.join("state"));
        cmd.env("XDG_DATA_HOME", home.join("data"));
        cmd.env("TMPDIR", home.join("tmp"));
        std::fs::create_dir_all(home.join("tmp")).expect("tmp dir");
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.cwd(home);
        let child = pair.slave.spawn_command(cmd).expect("spawn jarterm");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("reader");
        let writer = pair.master.take_writer().expect("writer");
        let screen = Arc::new(Mutex::new(vt100::Parser::new(nz(rows), nz(cols), 0)));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let (s, r) = (screen.clone(), raw.clone());
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                s.lock().expect("screen").process(&buf[..n]);
                r.lock().expect("raw").extend_from_slice(&buf[..n]);
            }
        });
        Pty {
            _turn: turn,
            master: pair.master,
            writer,
            child,
            screen,
            raw,
        }
    }

    pub fn contents(&self) -> String {
        self.screen.lock().expect("screen").screen().contents()
    }

    pub fn raw(&self) -> Vec<u8> {
        self.raw.lock().expect("raw").clone()
    }

    /// Wait until the screen satisfies `pred`, or panic with what the screen showed.
    pub fn wait_for(&self, what: &str, timeout: Duration, pred: impl Fn(&str) -> bool) {
        let start = Instant::now();
        loop {
            let text = self.contents();
            if pred(&text) {
                return;
            }
            if start.elapsed() > timeout {
                panic!(
                    "timed out after {timeout:?} waiting for {what}; the screen showed:\n{text}"
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn wait_for_text(&self, needle: &str, timeout: Duration) {
        self.wait_for(needle, timeout, |s| s.contains(needle));
    }

    pub fn send(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).expect("write to pty");
        self.writer.flush().expect("flush pty");
    }

    pub fn resize(&self, cols: u16, rows: u16) {
        self.master
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("resize");
        self.screen
            .lock()
            .expect("screen")
            .screen_mut()
            .set_size(nz(rows), nz(cols));
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.process_id()
    }

    /// Wait for the program to exit and return its exit code.
    pub fn wait_exit(&mut self, timeout: Duration) -> u32 {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                // Let the reader thread drain the last bytes.
                std::thread::sleep(Duration::from_millis(100));
                return status.exit_code();
            }
            if start.elapsed() > timeout {
                let _ = self.child.kill();
                panic!(
                    "jarterm did not exit within {timeout:?}; the screen showed:\n{}",
                    self.contents()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        let _ = self.child.kill();
        HELD.set(HELD.get().saturating_sub(1));
    }
}

/// True when the bytes written end with the terminal handed back: alternate screen left,
/// bracketed paste off, cursor shown (each after its last "on").
pub fn terminal_restored(raw: &[u8]) -> Result<(), String> {
    let text = String::from_utf8_lossy(raw);
    for (on, off, what) in [
        ("\x1b[?1049h", "\x1b[?1049l", "alternate screen"),
        ("\x1b[?2004h", "\x1b[?2004l", "bracketed paste"),
        ("\x1b[?25l", "\x1b[?25h", "cursor visibility"),
    ] {
        let last_on = text.rfind(on);
        let last_off = text.rfind(off);
        match (last_on, last_off) {
            (Some(a), Some(b)) if b > a => {}
            (None, _) => {}
            _ => return Err(format!("{what} was not restored at exit")),
        }
    }
    Ok(())
}
