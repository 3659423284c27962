//! The client as a person meets it: `jarterm` in a pseudo-terminal against a real
//! `jarterm-server` seeded with N demo cases.
//!
//! Run: `cargo run --release --example ptybench -- --cases 1000` (see docs/benchmarks.md).
//! It builds the release binaries first, starts `target/release/jarterm-server serve --demo
//! --demo-cases N` on a free 127.0.0.1 port with a temporary SQLite file, signs in as
//! `demo-paed`, and starts `target/release/jarterm --server URL` with `JARTERM_TOKEN` in an
//! 80x24 pty. It reports:
//! - time from spawn to the first complete board frame (median of `--starts` starts): the
//!   whole list loaded, nothing "loading";
//! - time from spawn to the first screenful of case rows (the first page, drawn while the
//!   rest loads), and in how many starts those rows were the complete board's first rows;
//! - key→frame latency (key written until the output settles; the figure is the time of the
//!   last byte) median and p99 over `--keys` j/k cursor moves;
//! - bytes written per cursor move and per tab switch;
//! - the client's peak RSS (`VmHWM` just before quitting), and its anonymous and file-backed
//!   parts at that moment (`RssAnon`, `RssFile`).
//!
//! Output lines starting with `RESULT` are machine-readable (`scripts/bench-all` reads them).

use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

struct Args {
    cases: usize,
    starts: usize,
    keys: usize,
    cols: u16,
    rows: u16,
    build: bool,
    dump: Option<std::path::PathBuf>,
}

fn args() -> Args {
    let mut a = Args {
        cases: 1000,
        starts: 10,
        keys: 240,
        cols: 80,
        rows: 24,
        build: true,
        dump: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut num = || -> usize {
            it.next()
                .and_then(|v| v.replace([',', '_'], "").parse().ok())
                .unwrap_or_else(|| panic!("{flag} needs a number"))
        };
        match flag.as_str() {
            "--cases" => a.cases = num(),
            "--starts" => a.starts = num().max(1),
            "--keys" => a.keys = num().max(2),
            "--cols" => a.cols = num() as u16,
            "--rows" => a.rows = num() as u16,
            "--no-build" => a.build = false,
            "--dump" => a.dump = it.next().map(Into::into),
            other => panic!(
                "unknown argument {other}; usage: ptybench [--cases N] [--starts N] [--keys N] [--cols C] [--rows R] [--no-build] [--dump DIR]"
            ),
        }
    }
    a
}

/// `target/release`, from `target/release/examples/ptybench`.
fn bin_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("current exe");
    exe.parent()
        .and_then(Path::parent)
        .expect("target/<profile>/examples")
        .to_path_buf()
}

fn build_binaries() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args(["build", "--release", "--workspace", "--bins"])
        .status()
        .expect("run cargo build");
    assert!(status.success(), "cargo build --release failed");
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

/// One HTTP/1.1 request over a plain socket (loopback only); returns (status, body).
fn http(port: u16, method: &str, path: &str, body: &str) -> std::io::Result<(u16, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(Duration::from_secs(30)))?;
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut out = String::new();
    s.read_to_string(&mut out)?;
    let status = out
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = out
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    Ok((status, body))
}

struct Server {
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_server(bin: &Path, dir: &Path, cases: usize) -> Server {
    let port = free_port();
    let log = std::fs::File::create(dir.join("server.log")).expect("server log");
    let started = Instant::now();
    let child = Command::new(bin.join("jarterm-server"))
        .args([
            "serve",
            "--demo",
            "--demo-cases",
            &cases.to_string(),
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--database",
            &format!("sqlite://{}", dir.join("bench.db").display()),
        ])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("start jarterm-server (build it with cargo build --release)");
    let mut server = Server { child, port };
    loop {
        if let Ok((200, _)) = http(port, "GET", "/healthz", "") {
            break;
        }
        if let Ok(Some(status)) = server.child.try_wait() {
            panic!(
                "jarterm-server exited ({status}); see {}",
                dir.join("server.log").display()
            );
        }
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "jarterm-server did not answer /healthz within 10 minutes"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    eprintln!(
        "server with {cases} demo cases ready in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    server
}

fn login(port: u16) -> String {
    let (status, body) = http(
        port,
        "POST",
        "/api/v1/session",
        r#"{"username":"demo-paed","password":"demo"}"#,
    )
    .expect("sign in");
    assert_eq!(status, 201, "sign-in failed: {body}");
    let v: serde_json::Value = serde_json::from_str(&body).expect("login JSON");
    v["token"]
        .as_str()
        .expect("token in LoginResponse")
        .to_string()
}

/// What the reader thread has seen so far.
#[derive(Default)]
struct Seen {
    bytes: usize,
    raw: Vec<u8>,
    last_output: Option<Instant>,
    /// When the screen first showed a complete board.
    board_at: Option<Instant>,
    /// When the screen first showed a screenful of case rows (perhaps while still loading),
    /// and the references it showed then and on the complete board.
    rows_at: Option<Instant>,
    rows_refs: Vec<String>,
    board_refs: Vec<String>,
}

struct Client {
    child: Box<dyn portable_pty::Child + Send + Sync>,
    writer: Box<dyn Write + Send>,
    seen: Arc<Mutex<Seen>>,
    screen: Arc<Mutex<vt100::Parser>>,
    spawned: Instant,
    _master: Box<dyn portable_pty::MasterPty + Send>,
}

/// The board is complete when its column header, case rows and the status bar are drawn and
/// nothing is loading.
fn board_complete(text: &str) -> bool {
    text.contains("REF") && text.contains("JAR-") && !text.contains("loading")
}

/// The case references on the screen, top to bottom.
fn refs_shown(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| {
            let l = l.trim_start_matches(['>', ' ']);
            l.starts_with("JAR-")
                .then(|| l.split_whitespace().next().unwrap_or("").to_string())
        })
        .collect()
}

fn spawn_client(bin: &Path, home: &Path, port: u16, token: &str, cols: u16, rows: u16) -> Client {
    let pair = native_pty_system()
        .openpty(PtySize {
            rows,
            cols,
            pixel_width: 0,
            pixel_height: 0,
        })
        .expect("openpty");
    let mut cmd = CommandBuilder::new(bin.join("jarterm"));
    cmd.args(["--server", &format!("http://127.0.0.1:{port}")]);
    cmd.env_clear();
    cmd.env("PATH", std::env::var("PATH").unwrap_or_default());
    cmd.env("HOME", home);
    cmd.env("TERM", "xterm-256color");
    cmd.env("LANG", "C.UTF-8");
    cmd.env("XDG_CONFIG_HOME", home.join("config"));
    cmd.env("XDG_STATE_HOME", home.join("state"));
    cmd.env("XDG_DATA_HOME", home.join("data"));
    cmd.env("JARTERM_TOKEN", token);
    cmd.cwd(home);
    let screen = Arc::new(Mutex::new(vt100::Parser::new(
        std::num::NonZeroU16::new(rows).expect("rows"),
        std::num::NonZeroU16::new(cols).expect("cols"),
        0,
    )));
    let seen = Arc::new(Mutex::new(Seen::default()));
    let mut reader = pair.master.try_clone_reader().expect("pty reader");
    let writer = pair.master.take_writer().expect("pty writer");
    let spawned = Instant::now();
    let child = pair.slave.spawn_command(cmd).expect("spawn jarterm");
    drop(pair.slave);
    let (sc, se) = (screen.clone(), seen.clone());
    std::thread::spawn(move || {
        let mut buf = [0u8; 16384];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            let now = Instant::now();
            let mut p = sc.lock().expect("screen");
            p.process(&buf[..n]);
            let mut s = se.lock().expect("seen");
            s.bytes += n;
            s.raw.extend_from_slice(&buf[..n]);
            s.last_output = Some(now);
            let text = p.screen().contents();
            // A screenful: every line but the header, column titles, status and key hints.
            let full = usize::from(p.screen().size().0.get()).saturating_sub(4);
            if s.rows_at.is_none() && text.contains("REF") && refs_shown(&text).len() >= full {
                s.rows_at = Some(now);
                s.rows_refs = refs_shown(&text);
            }
            if s.board_at.is_none() && board_complete(&text) {
                s.board_at = Some(now);
                s.board_refs = refs_shown(&text);
            }
        }
    });
    Client {
        child,
        writer,
        seen,
        screen,
        spawned,
        _master: pair.master,
    }
}

impl Client {
    fn wait_board(&self, timeout: Duration) -> Duration {
        let start = Instant::now();
        loop {
            if let Some(t) = self.seen.lock().expect("seen").board_at {
                return t - self.spawned;
            }
            if start.elapsed() > timeout {
                panic!(
                    "no complete board within {timeout:?}; the screen showed:\n{}",
                    self.screen.lock().expect("screen").screen().contents()
                );
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    /// Spawn to the first screenful of rows, and whether those rows were the complete
    /// board's first rows (call after `wait_board`).
    fn first_rows(&self) -> Option<(Duration, bool)> {
        let s = self.seen.lock().expect("seen");
        let at = s.rows_at?;
        let n = s.rows_refs.len().min(s.board_refs.len());
        Some((at - self.spawned, s.rows_refs[..n] == s.board_refs[..n]))
    }

    fn snapshot(&self) -> (usize, Option<Instant>) {
        let s = self.seen.lock().expect("seen");
        (s.bytes, s.last_output)
    }

    /// Wait until no output has arrived for `quiet` (or `timeout` passed).
    fn settle(&self, quiet: Duration, timeout: Duration) {
        let start = Instant::now();
        loop {
            let (_, last) = self.snapshot();
            let idle = last.map_or(start.elapsed(), |t| t.elapsed());
            if idle >= quiet || start.elapsed() > timeout {
                return;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    /// Write `key`, wait for output and for it to settle; return (time of the last byte since
    /// the write, bytes written), or `None` when nothing was drawn within `timeout`.
    fn key(&mut self, key: &[u8], quiet: Duration, timeout: Duration) -> Option<(Duration, usize)> {
        let (before, _) = self.snapshot();
        let t0 = Instant::now();
        self.writer.write_all(key).expect("write key");
        self.writer.flush().expect("flush");
        loop {
            let (bytes, last) = self.snapshot();
            if bytes > before
                && let Some(last) = last
                && last.elapsed() >= quiet
            {
                return Some((last - t0, bytes - before));
            }
            if t0.elapsed() > timeout {
                return None;
            }
            std::thread::sleep(Duration::from_micros(200));
        }
    }

    /// The bytes written from offset `from` on.
    fn raw_since(&self, from: usize) -> Vec<u8> {
        self.seen.lock().expect("seen").raw[from..].to_vec()
    }

    /// A `/proc/PID/status` field in KiB: `VmHWM` (peak RSS), `RssAnon` (heap and stacks now),
    /// `RssFile` (the binary and libraries now).
    fn status_kib(&self, field: &str) -> Option<u64> {
        let pid = self.child.process_id()?;
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
        status
            .lines()
            .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
    }

    fn quit(mut self) {
        let _ = self.writer.write_all(b"q");
        let _ = self.writer.flush();
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(5) {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let a = args();
    if a.build {
        build_binaries();
    }
    let bin = bin_dir();
    for b in ["jarterm", "jarterm-server"] {
        assert!(
            bin.join(b).exists(),
            "{} missing: run cargo build --release --workspace --bins",
            bin.join(b).display()
        );
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let home = dir.path().join("home");
    for d in ["config", "state", "data"] {
        std::fs::create_dir_all(home.join(d)).expect("home dirs");
    }
    let server = start_server(&bin, dir.path(), a.cases);
    let token = login(server.port);
    let n = a.cases;
    let size = format!("{}x{}", a.cols, a.rows);

    // 1. Spawn to first complete board frame.
    let mut firsts = Vec::new();
    let (mut rows_firsts, mut rows_same) = (Vec::new(), 0);
    for i in 0..a.starts {
        let c = spawn_client(&bin, &home, server.port, &token, a.cols, a.rows);
        let t = c.wait_board(Duration::from_secs(60));
        let rows = c.first_rows();
        eprintln!(
            "start {}: complete board after {:.1} ms; first screenful of rows after {}",
            i + 1,
            ms(t),
            rows.map(|(r, same)| format!(
                "{:.1} ms ({})",
                ms(r),
                if same { "the same rows" } else { "OTHER rows" }
            ))
            .unwrap_or_else(|| "-".into())
        );
        firsts.push(ms(t));
        if let Some((r, same)) = rows {
            rows_firsts.push(ms(r));
            rows_same += usize::from(same);
        }
        c.settle(Duration::from_millis(100), Duration::from_secs(5));
        c.quit();
    }
    firsts.sort_by(f64::total_cmp);
    println!(
        "RESULT first_frame_ms cases={n} size={size} median={:.1} min={:.1} max={:.1} starts={}",
        percentile(&firsts, 0.5),
        firsts[0],
        firsts[firsts.len() - 1],
        firsts.len()
    );

    if !rows_firsts.is_empty() {
        rows_firsts.sort_by(f64::total_cmp);
        println!(
            "RESULT first_rows_ms cases={n} size={size} median={:.1} min={:.1} max={:.1} same_as_complete={rows_same}/{}",
            percentile(&rows_firsts, 0.5),
            rows_firsts[0],
            rows_firsts[rows_firsts.len() - 1],
            rows_firsts.len()
        );
    }

    // 2. Key→frame latency and bytes per cursor move: down then back up, so every key moves.
    let mut c = spawn_client(&bin, &home, server.port, &token, a.cols, a.rows);
    c.wait_board(Duration::from_secs(60));
    c.settle(Duration::from_millis(500), Duration::from_secs(10));
    let quiet = Duration::from_millis(20);
    let half = a.keys.div_ceil(2);
    let mut lat = Vec::new();
    let mut bytes = Vec::new();
    let mut missed = 0;
    for i in 0..half * 2 {
        let key: &[u8] = if i < half { b"j" } else { b"k" };
        let from = c.snapshot().0;
        match c.key(key, quiet, Duration::from_secs(2)) {
            Some((t, b)) => {
                lat.push(ms(t));
                bytes.push(b as f64);
            }
            None => missed += 1,
        }
        if let Some(dir) = &a.dump {
            // The raw bytes of a few moves, for reading what a move costs.
            if [1, 2, 30, 31, half + 1, half + 30].contains(&i) {
                std::fs::write(dir.join(format!("move-{i}.bin")), c.raw_since(from))
                    .expect("write dump");
            }
        }
    }
    lat.sort_by(f64::total_cmp);
    bytes.sort_by(f64::total_cmp);
    let mean_bytes = bytes.iter().sum::<f64>() / bytes.len().max(1) as f64;
    println!(
        "RESULT key_latency_ms cases={n} size={size} median={:.2} p99={:.2} max={:.2} keys={} no_output={missed}",
        percentile(&lat, 0.5),
        percentile(&lat, 0.99),
        lat.last().copied().unwrap_or(f64::NAN),
        lat.len()
    );
    println!(
        "RESULT bytes_per_move cases={n} size={size} median={:.0} mean={:.0} max={:.0}",
        percentile(&bytes, 0.5),
        mean_bytes,
        bytes.last().copied().unwrap_or(f64::NAN)
    );

    // 3. Bytes per tab switch: open the selected case, then Tab through the four tabs twice.
    let quiet_net = Duration::from_millis(150);
    let _ = c.key(b"\r", quiet_net, Duration::from_secs(5));
    c.settle(Duration::from_millis(300), Duration::from_secs(5));
    let mut tab_bytes = Vec::new();
    let mut tab_lat = Vec::new();
    for _ in 0..8 {
        if let Some((t, b)) = c.key(b"\t", quiet_net, Duration::from_secs(5)) {
            tab_bytes.push(b as f64);
            tab_lat.push(ms(t));
        }
    }
    tab_bytes.sort_by(f64::total_cmp);
    tab_lat.sort_by(f64::total_cmp);
    println!(
        "RESULT bytes_per_tab cases={n} size={size} median={:.0} max={:.0} switches={} latency_median_ms={:.1}",
        percentile(&tab_bytes, 0.5),
        tab_bytes.last().copied().unwrap_or(f64::NAN),
        tab_bytes.len(),
        percentile(&tab_lat, 0.5)
    );
    let _ = c.key(b"\x1b", quiet_net, Duration::from_secs(2));

    // 4. Peak RSS just before quitting.
    let mib = |field| c.status_kib(field).map_or(f64::NAN, |k| k as f64 / 1024.0);
    println!(
        "RESULT peak_rss_mib cases={n} size={size} value={:.1} anon_now={:.1} file_now={:.1}",
        mib("VmHWM"),
        mib("RssAnon"),
        mib("RssFile")
    );
    c.quit();
    drop(server);
}
