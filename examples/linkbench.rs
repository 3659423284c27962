//! jarterm over a slow link, as someone on a poor connection meets it (issue 18 §3).
//!
//! Run: `cargo run --release --example linkbench -- --rate 9600 --rtt 500` (docs/benchmarks.md).
//! No root and no kernel netem: the link is emulated in this process. Bytes are serialised at
//! `--rate` bits/s (8 bits a byte, no framing or SSH overhead: those are in the SSH figures of
//! docs/terminals.md) in each direction and delayed by half of `--rtt`.
//!
//! 1. Terminal side (jarterm on the jump host next to the server, its screen far away): the real
//!    `jarterm` in a pty against `jarterm-server serve --demo` on loopback; the link sits
//!    between the pty and a vt100 parser standing for the person's terminal, and between their
//!    keys and the pty. For the board's first frame, a cursor move, opening a case, going back
//!    and typing 20 characters in a text box: bytes the terminal received and the time until
//!    the last of them arrived.
//! 2. API side (jarterm on the person's machine, the server far away): the client's HTTP goes
//!    through a rate-limited, delaying TCP proxy; time to the first rows, to "live" and to an
//!    opened case, and the bytes each way.
//!
//! `--draw classic` (or `--draw both`) runs the terminal side with `JARTERM_DRAW=classic`,
//! the encoding of ratatui's `CrosstermBackend`, for comparison. Lines starting with `RESULT`
//! are machine-readable.

use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

struct Args {
    rate: f64,
    rtt: Duration,
    cases: usize,
    cols: u16,
    rows: u16,
    build: bool,
    draws: Vec<&'static str>,
    api: bool,
    pty: bool,
    dump: Option<PathBuf>,
    /// Run the terminal side with the default theme's board selection set to this.
    selected_row: Option<String>,
}

fn args() -> Args {
    let mut a = Args {
        rate: 9600.0,
        rtt: Duration::from_millis(500),
        cases: 1000,
        cols: 80,
        rows: 24,
        build: true,
        draws: vec!["lean"],
        api: true,
        pty: true,
        dump: None,
        selected_row: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut val = || it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        let num = |v: String| -> f64 {
            v.replace([',', '_'], "")
                .parse()
                .unwrap_or_else(|_| panic!("not a number: {v}"))
        };
        match flag.as_str() {
            "--rate" => a.rate = num(val()),
            "--rtt" => a.rtt = Duration::from_secs_f64(num(val()) / 1000.0),
            "--cases" => a.cases = num(val()) as usize,
            "--cols" => a.cols = num(val()) as u16,
            "--rows" => a.rows = num(val()) as u16,
            "--no-build" => a.build = false,
            "--dump" => a.dump = Some(val().into()),
            "--selected-row" => a.selected_row = Some(val()),
            "--only" => match val().as_str() {
                "api" => a.pty = false,
                "pty" => a.api = false,
                o => panic!("--only api|pty, not {o}"),
            },
            "--draw" => {
                a.draws = match val().as_str() {
                    "lean" => vec!["lean"],
                    "classic" => vec!["classic"],
                    "both" => vec!["classic", "lean"],
                    o => panic!("--draw lean|classic|both, not {o}"),
                }
            }
            other => panic!(
                "unknown argument {other}; usage: linkbench [--rate BITS_PER_S] [--rtt MS] [--cases N] [--cols C] [--rows R] [--draw lean|classic|both] [--only api|pty] [--no-build] [--dump DIR] [--selected-row whole|reference]"
            ),
        }
    }
    a
}

// ---------------------------------------------------------------- the emulated link

/// One direction of a link: a queue drained at `rate` bits/s, then `delay` in flight.
struct Link {
    rate: f64,
    delay: Duration,
    free_at: Mutex<Instant>,
}

impl Link {
    fn new(rate: f64, delay: Duration) -> Arc<Link> {
        Arc::new(Link {
            rate,
            delay,
            free_at: Mutex::new(Instant::now()),
        })
    }

    /// When `n` bytes sent now arrive at the far end.
    fn arrival(&self, n: usize) -> Instant {
        let now = Instant::now();
        let mut free = self.free_at.lock().expect("link");
        let start = (*free).max(now);
        let serialise = if self.rate > 0.0 {
            Duration::from_secs_f64(n as f64 * 8.0 / self.rate)
        } else {
            Duration::ZERO
        };
        *free = start + serialise;
        *free + self.delay
    }
}

/// Carry everything read from `from` over `link` to `deliver`, in order, each chunk at its
/// arrival time. `deliver(None)` at the end of the stream.
fn carry(
    mut from: impl Read + Send + 'static,
    link: Arc<Link>,
    counter: Arc<AtomicUsize>,
    mut deliver: impl FnMut(Option<&[u8]>) + Send + 'static,
) {
    let (tx, rx) = mpsc::channel::<(Instant, Vec<u8>)>();
    std::thread::spawn(move || {
        let mut buf = vec![0u8; 16384];
        loop {
            let n = match from.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            counter.fetch_add(n, Ordering::SeqCst);
            if tx.send((link.arrival(n), buf[..n].to_vec())).is_err() {
                break;
            }
        }
    });
    std::thread::spawn(move || {
        while let Ok((at, bytes)) = rx.recv() {
            let now = Instant::now();
            if at > now {
                std::thread::sleep(at - now);
            }
            deliver(Some(&bytes));
        }
        deliver(None);
    });
}

/// A TCP proxy from a local port to `target` over an emulated link; counts bytes each way.
struct Proxy {
    port: u16,
    up: Arc<AtomicUsize>,
    down: Arc<AtomicUsize>,
}

fn proxy(target: u16, rate: f64, rtt: Duration) -> Proxy {
    let listener = TcpListener::bind("127.0.0.1:0").expect("proxy listen");
    let port = listener.local_addr().expect("proxy addr").port();
    let (up, down) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    // One link shared by every connection, as on a real line.
    let (uplink, downlink) = (Link::new(rate, rtt / 2), Link::new(rate, rtt / 2));
    let (u, d) = (up.clone(), down.clone());
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let Ok(server) = TcpStream::connect(("127.0.0.1", target)) else {
                continue;
            };
            let _ = client.set_nodelay(true);
            let _ = server.set_nodelay(true);
            let pipe =
                |from: &TcpStream, to: &TcpStream, link: &Arc<Link>, n: &Arc<AtomicUsize>| {
                    let (from, mut to) = (
                        from.try_clone().expect("clone"),
                        to.try_clone().expect("clone"),
                    );
                    carry(from, link.clone(), n.clone(), move |bytes| match bytes {
                        Some(b) => {
                            let _ = to.write_all(b);
                        }
                        None => {
                            let _ = to.shutdown(Shutdown::Write);
                        }
                    });
                };
            pipe(&client, &server, &uplink, &u);
            pipe(&server, &client, &downlink, &d);
        }
    });
    Proxy { port, up, down }
}

// ---------------------------------------------------------------- server and client

fn bin_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("current exe");
    exe.parent()
        .and_then(Path::parent)
        .expect("target/<profile>/examples")
        .to_path_buf()
}

fn build_binaries() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.args(["build", "--workspace", "--bins"]);
    if !cfg!(debug_assertions) {
        cmd.arg("--release");
    }
    assert!(cmd.status().expect("cargo build").success(), "build failed");
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

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
    let child = Command::new(bin.join("jarterm-server"))
        .args(["serve", "--demo", "--demo-cases", &cases.to_string()])
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .args([
            "--database",
            &format!("sqlite://{}", dir.join("bench.db").display()),
        ])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("start jarterm-server");
    let mut server = Server { child, port };
    let started = Instant::now();
    while !matches!(http(port, "GET", "/healthz", ""), Ok((200, _))) {
        if let Ok(Some(st)) = server.child.try_wait() {
            panic!("jarterm-server exited ({st})");
        }
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "server never ready"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
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
    v["token"].as_str().expect("token").to_string()
}

/// What the far terminal has received.
#[derive(Default)]
struct Seen {
    /// Bytes jarterm wrote (counted when written, before the link).
    written: usize,
    /// When jarterm last wrote.
    last_write: Option<Instant>,
    /// Everything jarterm wrote (for `--dump`).
    raw: Vec<u8>,
    /// Bytes delivered to the far terminal, and when the last arrived.
    delivered: usize,
    last_arrival: Option<Instant>,
}

struct Client {
    child: Box<dyn portable_pty::Child + Send + Sync>,
    writer: Arc<Mutex<Box<dyn Write + Send>>>,
    seen: Arc<Mutex<Seen>>,
    screen: Arc<Mutex<vt100::Parser>>,
    uplink: Arc<Link>,
    _master: Box<dyn portable_pty::MasterPty + Send>,
}

struct Spawn<'a> {
    bin: &'a Path,
    home: &'a Path,
    port: u16,
    token: &'a str,
    cols: u16,
    rows: u16,
    draw: &'a str,
    /// The terminal's link: (rate, one-way delay); `None` for a local terminal.
    link: Option<(f64, Duration)>,
}

fn spawn(s: &Spawn) -> Client {
    let pair = native_pty_system()
        .openpty(PtySize {
            rows: s.rows,
            cols: s.cols,
            pixel_width: 0,
            pixel_height: 0,
        })
        .expect("openpty");
    let mut cmd = CommandBuilder::new(s.bin.join("jarterm"));
    cmd.args(["--server", &format!("http://127.0.0.1:{}", s.port)]);
    cmd.env_clear();
    cmd.env("PATH", std::env::var("PATH").unwrap_or_default());
    cmd.env("HOME", s.home);
    cmd.env("TERM", "xterm-256color");
    cmd.env("LANG", "C.UTF-8");
    cmd.env("XDG_CONFIG_HOME", s.home.join("config"));
    cmd.env("XDG_STATE_HOME", s.home.join("state"));
    cmd.env("XDG_DATA_HOME", s.home.join("data"));
    cmd.env("JARTERM_TOKEN", s.token);
    cmd.env("JARTERM_DRAW", s.draw);
    if s.home.join("config/jarterm/themes/bench.toml").exists() {
        cmd.args(["--theme", "bench"]);
    }
    cmd.cwd(s.home);
    let nz = |n: u16| std::num::NonZeroU16::new(n).expect("size");
    let screen = Arc::new(Mutex::new(vt100::Parser::new(nz(s.rows), nz(s.cols), 0)));
    let seen = Arc::new(Mutex::new(Seen::default()));
    let (rate, delay) = s.link.unwrap_or((0.0, Duration::ZERO));
    let (downlink, uplink) = (Link::new(rate, delay), Link::new(rate, delay));
    let reader = pair.master.try_clone_reader().expect("pty reader");
    let writer = pair.master.take_writer().expect("pty writer");
    let child = pair.slave.spawn_command(cmd).expect("spawn jarterm");
    drop(pair.slave);
    // Count what jarterm writes as it writes it, then carry it over the link to the screen.
    let counted = Arc::new(AtomicUsize::new(0));
    let tap = Tap {
        inner: reader,
        seen: seen.clone(),
    };
    let (sc, se) = (screen.clone(), seen.clone());
    carry(tap, downlink, counted, move |bytes| {
        if let Some(b) = bytes {
            sc.lock().expect("screen").process(b);
            let mut s = se.lock().expect("seen");
            s.delivered += b.len();
            s.last_arrival = Some(Instant::now());
        }
    });
    Client {
        child,
        writer: Arc::new(Mutex::new(writer)),
        seen,
        screen,
        uplink,
        _master: pair.master,
    }
}

/// Records jarterm's writes as they leave it.
struct Tap {
    inner: Box<dyn Read + Send>,
    seen: Arc<Mutex<Seen>>,
}

impl Read for Tap {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut s = self.seen.lock().expect("seen");
        s.written += n;
        s.raw.extend_from_slice(&buf[..n]);
        s.last_write = Some(Instant::now());
        Ok(n)
    }
}

/// The figure for one step: bytes received and time until the last arrived.
struct Step {
    bytes: usize,
    time: Duration,
    /// The bytes themselves.
    raw: Option<Vec<u8>>,
}

impl Client {
    fn text(&self) -> String {
        self.screen.lock().expect("screen").screen().contents()
    }

    fn written(&self) -> usize {
        self.seen.lock().expect("seen").written
    }

    /// Wait until `done(screen)` holds and nothing has been written or is in flight for
    /// `quiet`; the step ends at the last arrival.
    fn until(
        &self,
        t0: Instant,
        from: usize,
        quiet: Duration,
        done: impl Fn(&str) -> bool,
    ) -> Step {
        let deadline = Instant::now() + Duration::from_secs(180);
        loop {
            let (written, delivered, last_w, last_a) = {
                let s = self.seen.lock().expect("seen");
                (s.written, s.delivered, s.last_write, s.last_arrival)
            };
            let raw = || self.seen.lock().expect("seen").raw[from..].to_vec();
            let idle = |t: Option<Instant>| t.is_none_or(|t| t.elapsed() >= quiet);
            if written == delivered && idle(last_w) && idle(last_a) && done(&self.text()) {
                let end = last_a.unwrap_or(t0).max(t0);
                return Step {
                    bytes: written - from,
                    time: end - t0,
                    raw: Some(raw()),
                };
            }
            assert!(
                Instant::now() < deadline,
                "step did not finish in 180 s; the screen shows:\n{}",
                self.text()
            );
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    /// Type `keys` at the far terminal; they reach jarterm over the link. Returns the time
    /// of typing.
    fn type_keys(&self, keys: &[u8]) -> Instant {
        let t0 = Instant::now();
        let at = self.uplink.arrival(keys.len());
        let (w, keys) = (self.writer.clone(), keys.to_vec());
        std::thread::spawn(move || {
            let now = Instant::now();
            if at > now {
                std::thread::sleep(at - now);
            }
            let mut w = w.lock().expect("writer");
            let _ = w.write_all(&keys);
            let _ = w.flush();
        });
        t0
    }

    fn step(&self, keys: &[u8], quiet: Duration, done: impl Fn(&str) -> bool) -> Step {
        let from = self.written();
        let t0 = self.type_keys(keys);
        // Wait for the key's first output (a key that changes nothing gives up after a while).
        let give_up = t0 + self.uplink.delay * 4 + Duration::from_secs(2);
        while self.written() == from && Instant::now() < give_up {
            std::thread::sleep(Duration::from_millis(1));
        }
        self.until(t0, from, quiet, done)
    }

    fn quit(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn board_complete(text: &str) -> bool {
    text.contains("REF") && text.contains("JAR-") && !text.contains("loading")
}

fn rows_shown(text: &str) -> usize {
    text.lines()
        .filter(|l| l.trim_start_matches(['>', ' ', '▶']).starts_with("JAR-"))
        .count()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

fn report(label: &str, key: &str, draw: &str, a: &Args, s: &Step) {
    if let (Some(dir), Some(raw)) = (&a.dump, &s.raw) {
        std::fs::write(dir.join(format!("{draw}-{key}.bin")), raw).expect("write dump");
    }
    println!(
        "{label:<40} {:>7} B {:>8.2} s",
        s.bytes,
        s.time.as_secs_f64()
    );
    println!(
        "RESULT link_{key} draw={draw} rate={} rtt_ms={} bytes={} seconds={:.3}",
        a.rate,
        a.rtt.as_millis(),
        s.bytes,
        s.time.as_secs_f64()
    );
}

/// Terminal side: jarterm next to the server, its screen across the link.
fn terminal_side(a: &Args, bin: &Path, home: &Path, port: u16, token: &str, draw: &str) {
    let c = spawn(&Spawn {
        bin,
        home,
        port,
        token,
        cols: a.cols,
        rows: a.rows,
        draw,
        link: Some((a.rate, a.rtt / 2)),
    });
    // A settled screen: nothing written or in flight for a round trip and a bit.
    let quiet = a.rtt + Duration::from_millis(300);
    println!(
        "terminal side, {}x{}, draw={draw}, selected_row={}, {} bit/s, {} ms round trip:",
        a.cols,
        a.rows,
        a.selected_row.as_deref().unwrap_or("theme's"),
        a.rate,
        a.rtt.as_millis()
    );
    let t0 = Instant::now();
    let first = c.until(t0, 0, quiet, board_complete);
    report("board's first frame", "first_frame", draw, a, &first);

    let mut moves = Vec::new();
    let mut move_bytes = Vec::new();
    let mut sample = None;
    for i in 0..10 {
        let key: &[u8] = if i < 5 { b"j" } else { b"k" };
        let s = c.step(key, quiet, |_| true);
        move_bytes.push(s.bytes as f64);
        moves.push(s.time.as_secs_f64());
        sample = sample.or(s.raw);
    }
    let mv = Step {
        bytes: median(move_bytes) as usize,
        time: Duration::from_secs_f64(median(moves)),
        raw: sample,
    };
    report("cursor move (median of 10)", "cursor_move", draw, a, &mv);

    let open = c.step(b"\r", quiet, |t| t.contains("Timeline"));
    report("open case", "open_case", draw, a, &open);
    let back = c.step(b"\x1b", quiet, board_complete);
    report("back to the board", "back", draw, a, &back);

    // A text box: the note of a new timeline event (open, Timeline tab, add, two fields on).
    let _ = c.step(b"\r", quiet, |t| t.contains("Timeline"));
    let _ = c.step(b"2", quiet, |_| true);
    let _ = c.step(b"a", quiet, |t| t.contains("Add a timeline event"));
    let _ = c.step(b"\t", quiet, |_| true);
    let _ = c.step(b"\t", quiet, |_| true);
    let from = c.written();
    let text = b"seen by the paediatri";
    let (mut per_char, mut echo) = (Vec::new(), Vec::new());
    let mut sample = None;
    // One character at a time, each echo waited for: bytes and echo time per character.
    for ch in &text[..20] {
        let s = c.step(&[*ch], Duration::from_millis(200), |_| true);
        per_char.push(s.bytes as f64);
        echo.push(s.time.as_secs_f64());
        sample = sample.or(s.raw);
    }
    assert!(
        c.text().contains("seen by the paediatr"),
        "typed text not on screen:\n{}",
        c.text()
    );
    let typed = Step {
        bytes: c.written() - from,
        time: Duration::from_secs_f64(median(echo)),
        raw: None,
    };
    report(
        "typing 20 characters (bytes; echo median)",
        "typing_20",
        draw,
        a,
        &typed,
    );
    let one = Step {
        bytes: median(per_char) as usize,
        time: typed.time,
        raw: sample,
    };
    report(
        "  one typed character (median)",
        "typed_char",
        draw,
        a,
        &one,
    );
    c.quit();
}

/// API side: jarterm on the person's machine, its HTTP across the link.
fn api_side(a: &Args, bin: &Path, home: &Path, port: u16, token: &str) {
    let p = proxy(port, a.rate, a.rtt);
    let c = spawn(&Spawn {
        bin,
        home,
        port: p.port,
        token,
        cols: a.cols,
        rows: a.rows,
        draw: "lean",
        link: None,
    });
    let t0 = Instant::now();
    let full = usize::from(a.rows).saturating_sub(4);
    // Each milestone within 180 s, or reported as not reached (the screen is printed).
    let wait = |what: &str, cond: &dyn Fn(&str) -> bool| -> Option<Duration> {
        let deadline = Instant::now() + Duration::from_secs(180);
        while !cond(&c.text()) {
            if Instant::now() > deadline {
                eprintln!("no {what} within 180 s; the screen shows:\n{}", c.text());
                return None;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        Some(t0.elapsed())
    };
    let secs = |d: Option<Duration>| {
        d.map_or("not within 180 s".to_string(), |d| {
            format!("{:.2} s", d.as_secs_f64())
        })
    };
    let num =
        |d: Option<Duration>| d.map_or("none".to_string(), |d| format!("{:.2}", d.as_secs_f64()));
    let rows = wait("rows", &|t| t.contains("REF") && rows_shown(t) >= full);
    let live = wait("live", &|t| t.contains("live"));
    let whole = wait("complete board", &|t| {
        board_complete(t) && t.contains("live")
    });
    let (up0, down0) = (p.up.load(Ordering::SeqCst), p.down.load(Ordering::SeqCst));
    println!(
        "API side through a proxy, {} bit/s, {} ms round trip:",
        a.rate,
        a.rtt.as_millis()
    );
    println!("{:<40} {:>12}", "first board rows", secs(rows));
    println!("{:<40} {:>12}", "\"live\"", secs(live));
    println!(
        "{:<40} {:>12}  ({} B up, {} B down so far)",
        "whole board",
        secs(whole),
        up0,
        down0
    );
    // Open a case: until its detail (the deadlines of the Summary tab) is drawn.
    std::thread::sleep(Duration::from_millis(500));
    let t1 = Instant::now();
    {
        let mut w = c.writer.lock().expect("writer");
        let _ = w.write_all(b"\r");
        let _ = w.flush();
    }
    let deadline = Instant::now() + Duration::from_secs(120);
    let opened = |t: &str| t.contains("Timeline") && !t.contains("loading");
    while !opened(&c.text()) {
        assert!(
            Instant::now() < deadline,
            "case never opened:\n{}",
            c.text()
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    let open = t1.elapsed();
    let (up1, down1) = (p.up.load(Ordering::SeqCst), p.down.load(Ordering::SeqCst));
    println!(
        "{:<40} {:>8.2} s  ({} B up, {} B down)",
        "open case",
        open.as_secs_f64(),
        up1 - up0,
        down1 - down0
    );
    println!(
        "RESULT api rate={} rtt_ms={} rows_s={} live_s={} board_s={} board_up={up0} board_down={down0} open_s={:.2} open_up={} open_down={}",
        a.rate,
        a.rtt.as_millis(),
        num(rows),
        num(live),
        num(whole),
        open.as_secs_f64(),
        up1 - up0,
        down1 - down0
    );
    c.quit();
}

fn main() {
    let a = args();
    if a.build {
        build_binaries();
    }
    let bin = bin_dir();
    let dir = tempfile::tempdir().expect("temp dir");
    let home = dir.path().join("home");
    for d in ["config", "state", "data"] {
        std::fs::create_dir_all(home.join(d)).expect("home dirs");
    }
    if let Some(row) = &a.selected_row {
        // The default theme with the board's selection drawn over the whole row or the
        // reference only.
        let themes = home.join("config/jarterm/themes");
        std::fs::create_dir_all(&themes).expect("themes dir");
        let default = include_str!("../themes/default.toml")
            .lines()
            .filter(|l| !l.starts_with("selected_row"))
            .collect::<Vec<_>>()
            .join("\n")
            .replacen(
                "\n[roles]",
                &format!("\nselected_row = \"{row}\"\n\n[roles]"),
                1,
            )
            .replacen("name = \"default\"", "name = \"bench\"", 1);
        std::fs::write(themes.join("bench.toml"), default).expect("bench theme");
    }
    let server = start_server(&bin, dir.path(), a.cases);
    let token = login(server.port);
    if a.pty {
        for draw in &a.draws {
            terminal_side(&a, &bin, &home, server.port, &token, draw);
        }
    }
    if a.api {
        api_side(&a, &bin, &home, server.port, &token);
    }
}
