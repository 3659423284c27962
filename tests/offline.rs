//! Never lose a write: the real loop against a real in-process jarterm-server (temp SQLite
//! file), with faults made by stopping and restarting the server on the same port and file,
//! by dropping the client without any shutdown path, and by a small TCP proxy that refuses,
//! hangs, answers 500 or garbage, or cuts the reply to a request the server has handled.
//! Every test counts the server's rows at the end: none lost, none doubled.
#![cfg(feature = "demo")]

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use futures::channel::mpsc::{UnboundedReceiver, UnboundedSender, unbounded};
use jar_core::checklist::ItemStatus;
use jarterm::api::Client;
use jarterm::app::App;
use jarterm::journal::{Journal, KeySource};
use jarterm::state::{Conn, Dialog, State};
use jarterm::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

const WAIT: Duration = Duration::from_secs(15);

type Keys = UnboundedSender<std::io::Result<Event>>;
type Input = UnboundedReceiver<std::io::Result<Event>>;

fn send_key(keys: &Keys, code: KeyCode, mods: KeyModifiers) {
    keys.unbounded_send(Ok(Event::Key(KeyEvent::new(code, mods))))
        .expect("keyboard channel");
}

fn send_text(keys: &Keys, text: &str) {
    for c in text.chars() {
        send_key(keys, KeyCode::Char(c), KeyModifiers::NONE);
    }
}

fn screen(app: &App<TestBackend>) -> String {
    let buf = app.terminal.backend().buffer();
    let mut out = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            out.push_str(buf[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

// ---------------------------------------------------------------- the server

struct Server {
    db: String,
    addr: SocketAddr,
    running: Option<jar_server::RunningServer>,
}

impl Server {
    async fn start(dir: &Path) -> Server {
        let db = format!("sqlite://{}", dir.join("jar.db").display());
        let mut config = jar_server::ServerConfig::loopback(db.clone());
        config.demo_cases = Some(4);
        let running = jar_server::start(config).await.expect("server starts");
        let addr: SocketAddr = running
            .base_url()
            .trim_start_matches("http://")
            .parse()
            .expect("addr");
        Server {
            db,
            addr,
            running: Some(running),
        }
    }

    fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    async fn stop(&mut self) {
        if let Some(r) = self.running.take() {
            r.shutdown().await;
        }
    }

    /// Again on the same port and the same SQLite file.
    async fn restart(&mut self) {
        let mut config = jar_server::ServerConfig::loopback(self.db.clone());
        config.listen = self.addr;
        let mut last = None;
        for _ in 0..50 {
            match jar_server::start(config.clone()).await {
                Ok(r) => {
                    self.running = Some(r);
                    return;
                }
                Err(e) => last = Some(e),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("server restarts on the same port: {last:?}");
    }
}

/// A signed-in API client straight to the server, to count rows.
async fn counter(base: &str) -> Client {
    let c = Client::new(base).expect("client");
    let login = c.login("demo-manager", "demo").await.expect("sign in");
    c.set_token(Some(login.token));
    c
}

async fn contact_summaries(c: &Client, case_ref: &str) -> Vec<String> {
    c.contacts(case_ref)
        .await
        .expect("contacts")
        .into_iter()
        .map(|c| c.entry.summary)
        .collect()
}

// ---------------------------------------------------------------- the proxy

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Forward,
    /// Accept and close at once.
    Refuse,
    /// Accept, read, never answer.
    Hang,
    Answer500,
    Garbage,
    /// Forward; the next POST reaches the server but its reply is dropped (then Forward).
    CutNextPostReply,
}

struct Proxy {
    addr: SocketAddr,
    mode: Arc<watch::Sender<Mode>>,
    cuts: Arc<AtomicUsize>,
    posts: Arc<AtomicUsize>,
}

impl Proxy {
    async fn start(upstream: SocketAddr) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let mode = Arc::new(watch::channel(Mode::Forward).0);
        let cuts = Arc::new(AtomicUsize::new(0));
        let posts = Arc::new(AtomicUsize::new(0));
        let (m, c, p) = (mode.clone(), cuts.clone(), posts.clone());
        tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                tokio::spawn(handle(sock, upstream, m.clone(), c.clone(), p.clone()));
            }
        });
        Proxy {
            addr,
            mode,
            cuts,
            posts,
        }
    }

    fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn set(&self, m: Mode) {
        self.mode.send_replace(m);
    }
}

fn forwarding(m: Mode) -> bool {
    matches!(m, Mode::Forward | Mode::CutNextPostReply)
}

async fn handle(
    mut client: TcpStream,
    upstream: SocketAddr,
    mode: Arc<watch::Sender<Mode>>,
    cuts: Arc<AtomicUsize>,
    posts: Arc<AtomicUsize>,
) {
    let mut rx = mode.subscribe();
    let now = *rx.borrow_and_update();
    let mut buf = vec![0u8; 64 * 1024];
    match now {
        Mode::Refuse => {}
        Mode::Hang => {
            // Read whatever comes, answer nothing, until the mode changes.
            loop {
                tokio::select! {
                    r = client.read(&mut buf) => if matches!(r, Ok(0) | Err(_)) { return },
                    _ = rx.changed() => return,
                }
            }
        }
        Mode::Answer500 | Mode::Garbage => {
            let Ok(n) = client.read(&mut buf).await else {
                return;
            };
            if buf[..n].starts_with(b"POST ") {
                posts.fetch_add(1, Ordering::SeqCst);
            }
            let (status, body) = if now == Mode::Answer500 {
                (
                    "500 Internal Server Error",
                    r#"{"type":"about:blank","title":"Internal error","status":500,"detail":""}"#,
                )
            } else {
                ("201 Created", "{\"id\": [ garbage")
            };
            let ctype = if now == Mode::Answer500 {
                "application/problem+json"
            } else {
                "application/json"
            };
            let reply = format!(
                "HTTP/1.1 {status}\r\ncontent-type: {ctype}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = client.write_all(reply.as_bytes()).await;
            let _ = client.shutdown().await;
        }
        Mode::Forward | Mode::CutNextPostReply => {
            let Ok(mut server) = TcpStream::connect(upstream).await else {
                return;
            };
            let mut sbuf = vec![0u8; 64 * 1024];
            let mut cut_this = false;
            loop {
                tokio::select! {
                    r = client.read(&mut buf) => {
                        let n = match r { Ok(0) | Err(_) => return, Ok(n) => n };
                        // The mode may have changed while this read was ready.
                        if !forwarding(*rx.borrow()) { return }
                        if buf[..n].starts_with(b"POST ") {
                            posts.fetch_add(1, Ordering::SeqCst);
                            if *rx.borrow() == Mode::CutNextPostReply {
                                cut_this = true;
                                mode.send_replace(Mode::Forward);
                            }
                        }
                        if server.write_all(&buf[..n]).await.is_err() { return }
                    }
                    r = server.read(&mut sbuf) => {
                        let n = match r { Ok(0) | Err(_) => return, Ok(n) => n };
                        if !cut_this && !forwarding(*rx.borrow()) { return }
                        if cut_this {
                            // The server has handled the request and answered: drop the answer.
                            cuts.fetch_add(1, Ordering::SeqCst);
                            return;
                        }
                        if client.write_all(&sbuf[..n]).await.is_err() { return }
                    }
                    c = rx.changed() => {
                        if c.is_err() || !forwarding(*rx.borrow()) { return }
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------- the client

struct Tui {
    app: App<TestBackend>,
    keys: Keys,
    input: Input,
}

impl Tui {
    /// demo-manager, signed in with a token got straight from the server, journal in `dir`.
    async fn new(server: &str, via: &str, journal: &Path, keys: KeySource) -> Tui {
        let login = Client::new(server)
            .expect("client")
            .login("demo-manager", "demo")
            .await
            .expect("sign in");
        Tui::with_token(via, journal, keys, login.token, login.user, None).await
    }

    async fn with_token(
        via: &str,
        journal: &Path,
        keys: KeySource,
        token: String,
        user: jar_core::permissions::Principal,
        timeout: Option<Duration>,
    ) -> Tui {
        let client = match timeout {
            Some(t) => Client::with_timeout(via, t),
            None => Client::new(via),
        }
        .expect("client");
        client.set_token(Some(token));
        let terminal = Terminal::new(TestBackend::new(100, 30)).expect("terminal");
        let mut app = App::new(
            State::signed_in(chrono::Utc::now(), "test", user),
            terminal,
            Theme::default_theme(),
            client,
        );
        app.drafts_dir = Some(journal.to_path_buf());
        app.journal_keys = keys;
        let (k, input) = unbounded();
        app.start();
        Tui {
            app,
            keys: k,
            input,
        }
    }

    async fn until(&mut self, what: &str, done: impl Fn(&State) -> bool) {
        if let Err(e) = self.app.run_until(&mut self.input, done, Some(WAIT)).await {
            let _ = self.app.draw();
            panic!("{what}: {e}\n{}", screen(&self.app));
        }
    }

    /// Let the loop run for a moment (for saves on a pause in typing).
    async fn settle(&mut self, d: Duration) {
        let _ = self
            .app
            .run_until(&mut self.input, |_| false, Some(d))
            .await;
    }

    fn key(&self, c: char) {
        send_key(&self.keys, KeyCode::Char(c), KeyModifiers::NONE);
    }

    /// Open the first case on the board at the tab `tab` and wait until it is shown.
    async fn open_first_case(&mut self, tab: char) -> String {
        self.until("the board loads", |s| {
            s.board.loaded && !s.board.cases.is_empty()
        })
        .await;
        let reference = self.app.state.board.visible(self.app.state.now)[0]
            .reference
            .to_string();
        send_key(&self.keys, KeyCode::Enter, KeyModifiers::NONE);
        self.key(tab);
        let r = reference.clone();
        self.until("the case opens", move |s| {
            s.case.as_ref().is_some_and(|c| {
                c.reference == r && c.contacts.ready().is_some() && c.checklists.ready().is_some()
            })
        })
        .await;
        reference
    }

    /// Log a contact by typing (the contacts tab is shown).
    fn contact(&self, summary: &str) {
        self.key('a');
        for _ in 0..5 {
            send_key(&self.keys, KeyCode::Tab, KeyModifiers::NONE);
        }
        send_text(&self.keys, summary);
        send_key(&self.keys, KeyCode::Char('s'), KeyModifiers::CONTROL);
    }
}

fn assert_once(rows: &[String], texts: &[String]) {
    for t in texts {
        let n = rows.iter().filter(|r| *r == t).count();
        assert_eq!(n, 1, "{t:?} is on the server {n} times (want exactly once)");
    }
}

// ---------------------------------------------------------------- the tests

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_writes_made_while_the_server_is_down_arrive_once_after_it_restarts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut server = Server::start(dir.path()).await;
    let base = server.base();
    let journal = dir.path().join("journal");
    let mut t = Tui::new(&base, &base, &journal, KeySource::Fixed([9; 32])).await;
    t.until("live", |s| s.conn == Conn::Live).await;
    let case_ref = t.open_first_case('4').await;
    let count = counter(&base).await;
    let before = contact_summaries(&count, &case_ref).await;

    server.stop().await;
    let texts: Vec<String> = (0..20)
        .map(|i| format!("Offline visit note {i:02}"))
        .collect();
    for text in &texts {
        t.contact(text);
    }
    t.until("all 20 are queued, none lost", |s| {
        s.form.is_none() && s.waiting() == 20
    })
    .await;
    // Navigation works meanwhile, and the status bar says how many wait.
    t.app.draw().expect("draw");
    assert!(screen(&t.app).contains("20 waiting"), "{}", screen(&t.app));
    // All 20 are in the (encrypted) journal on disk, in order.
    let on_disk = Journal::open(
        &journal,
        "demo-manager",
        t.app.client.base(),
        &KeySource::Fixed([9; 32]),
    );
    assert!(on_disk.problem.is_none(), "{:?}", on_disk.problem);
    assert_eq!(on_disk.contents.writes.len(), 20);

    server.restart().await;
    t.until("all 20 are confirmed after the restart", |s| {
        s.waiting() == 0
    })
    .await;
    let after = contact_summaries(&count, &case_ref).await;
    assert_eq!(after.len(), before.len() + 20, "zero lost, zero doubled");
    assert_once(&after, &texts);
    // In the order they were made: ids rise with the note number.
    let mut ids: Vec<(i64, String)> = count
        .contacts(&case_ref)
        .await
        .expect("contacts")
        .into_iter()
        .filter(|c| texts.contains(&c.entry.summary))
        .map(|c| (c.id, c.entry.summary))
        .collect();
    ids.sort();
    let order: Vec<String> = ids.into_iter().map(|(_, s)| s).collect();
    assert_eq!(order, texts);
    // Nothing left in the journal: confirmed writes leave it, an empty journal is no file.
    let left = std::fs::read_dir(&journal)
        .expect("journal dir")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".journal"))
        .count();
    assert_eq!(left, 0);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_client_replays_its_writes_once_and_gets_its_draft_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut server = Server::start(dir.path()).await;
    let base = server.base();
    let proxy = Proxy::start(server.addr).await;
    let journal = dir.path().join("journal");
    let login = Client::new(&base)
        .expect("client")
        .login("demo-manager", "demo")
        .await
        .expect("sign in");
    let mut t = Tui::with_token(
        &proxy.base(),
        &journal,
        KeySource::None,
        login.token.clone(),
        login.user.clone(),
        None,
    )
    .await;
    let case_ref = t.open_first_case('4').await;
    let count = counter(&base).await;
    let before = contact_summaries(&count, &case_ref).await;

    // The network goes; three contacts are logged and a fourth is half typed.
    proxy.set(Mode::Refuse);
    let texts: Vec<String> = (0..3).map(|i| format!("Phoned the family {i}")).collect();
    for text in &texts {
        t.contact(text);
    }
    t.until("three wait", |s| s.form.is_none() && s.waiting() == 3)
        .await;
    t.key('a');
    for _ in 0..5 {
        send_key(&t.keys, KeyCode::Tab, KeyModifiers::NONE);
    }
    send_text(&t.keys, "Half a sentence about the");
    t.until("the draft is typed", |s| {
        s.form
            .as_ref()
            .is_some_and(|f| f.text("summary") == "Half a sentence about the")
    })
    .await;
    // A pause in typing saves the draft; wait (bounded) until the journal holds it.
    let mut saved = false;
    for _ in 0..40 {
        t.settle(Duration::from_millis(100)).await;
        let o = Journal::open(
            &journal,
            "demo-manager",
            t.app.client.base(),
            &KeySource::None,
        );
        if o.contents.writes.len() == 3 && !o.contents.drafts.is_empty() {
            saved = true;
            break;
        }
    }
    assert!(saved, "the journal holds the 3 writes and the draft");
    t.app.draw().expect("draw");
    assert!(
        screen(&t.app).contains("journal unencrypted"),
        "{}",
        screen(&t.app)
    );

    // Killed: no quit, no save, no shutdown path.
    drop(t);
    proxy.set(Mode::Forward);

    let mut t2 = Tui::with_token(
        &proxy.base(),
        &journal,
        KeySource::None,
        login.token,
        login.user,
        None,
    )
    .await;
    t2.until("the queued writes are replayed and confirmed", |s| {
        s.waiting() == 0 && !s.drafts.is_empty()
    })
    .await;
    let draft = t2
        .app
        .state
        .drafts
        .iter()
        .find(|d| d.text("summary") == "Half a sentence about the");
    assert!(draft.is_some(), "the half-typed draft is back");
    let after = contact_summaries(&count, &case_ref).await;
    assert_eq!(after.len(), before.len() + 3, "zero lost, zero doubled");
    assert_once(&after, &texts);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_lost_after_the_server_saved_the_write_does_not_double_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut server = Server::start(dir.path()).await;
    let base = server.base();
    let proxy = Proxy::start(server.addr).await;
    let journal = dir.path().join("journal");
    let mut t = Tui::new(&base, &proxy.base(), &journal, KeySource::Fixed([3; 32])).await;
    let case_ref = t.open_first_case('4').await;
    let count = counter(&base).await;
    let before = contact_summaries(&count, &case_ref).await;

    proxy.set(Mode::CutNextPostReply);
    let text = "Met the family at the hospital".to_string();
    t.contact(&text);
    let cuts = proxy.cuts.clone();
    t.until(
        "the reply was cut and the write is confirmed on a retry",
        move |s| cuts.load(Ordering::SeqCst) == 1 && s.waiting() == 0,
    )
    .await;
    assert!(
        proxy.posts.load(Ordering::SeqCst) >= 2,
        "sent twice (same key)"
    );
    let after = contact_summaries(&count, &case_ref).await;
    assert_eq!(after.len(), before.len() + 1, "zero lost, zero doubled");
    assert_once(&after, std::slice::from_ref(&text));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_answering_500_garbage_or_nothing_never_blocks_a_key_and_loses_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut server = Server::start(dir.path()).await;
    let base = server.base();
    let proxy = Proxy::start(server.addr).await;
    let journal = dir.path().join("journal");
    let login = Client::new(&base)
        .expect("client")
        .login("demo-manager", "demo")
        .await
        .expect("sign in");
    // A short total timeout stands in for the 15 s one against a server that never answers.
    let mut t = Tui::with_token(
        &proxy.base(),
        &journal,
        KeySource::Fixed([5; 32]),
        login.token,
        login.user,
        Some(Duration::from_millis(1500)),
    )
    .await;
    let case_ref = t.open_first_case('4').await;
    let count = counter(&base).await;
    let before = contact_summaries(&count, &case_ref).await;

    let cases = [
        (Mode::Answer500, "The server had a problem"),
        (Mode::Garbage, "could not be read"),
        (Mode::Hang, "timed out"),
    ];
    let mut texts = Vec::new();
    for (i, (mode, words)) in cases.iter().enumerate() {
        proxy.set(*mode);
        let text = format!("Note made while the server misbehaves {i}");
        t.contact(&text);
        texts.push(text);
        // Keys are taken at once while the write is stuck: help opens and closes.
        t.key('?');
        t.until("help opens while the server misbehaves", |s| s.help)
            .await;
        send_key(&t.keys, KeyCode::Esc, KeyModifiers::NONE);
        t.until("help closes", |s| !s.help).await;
        let w = words.to_string();
        t.until("the banner says what is wrong", move |s| {
            s.waiting() == 1 && s.banner.as_ref().is_some_and(|b| b.text.contains(&w))
        })
        .await;
        t.app.draw().expect("draw");
        assert!(screen(&t.app).contains("1 waiting"), "{}", screen(&t.app));
        proxy.set(Mode::Forward);
        t.until("sent once the server behaves", |s| s.waiting() == 0)
            .await;
    }
    let after = contact_summaries(&count, &case_ref).await;
    assert_eq!(after.len(), before.len() + 3, "zero lost, zero doubled");
    assert_once(&after, &texts);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_people_marking_one_item_one_wins_the_other_sees_both_versions() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut server = Server::start(dir.path()).await;
    let base = server.base();
    let proxy_b = Proxy::start(server.addr).await;
    let mut a = Tui::new(
        &base,
        &base,
        &dir.path().join("ja"),
        KeySource::Fixed([1; 32]),
    )
    .await;
    let mut b = Tui::new(
        &base,
        &proxy_b.base(),
        &dir.path().join("jb"),
        KeySource::Fixed([2; 32]),
    )
    .await;
    let case_ref = a.open_first_case('3').await;
    let case_b = b.open_first_case('3').await;
    assert_eq!(case_ref, case_b);
    let (idx, item, template, version) = {
        let c = a.app.state.case.as_ref().expect("case");
        c.items()
            .iter()
            .enumerate()
            .find(|(_, i)| i.view.state.status == ItemStatus::Open)
            .map(|(n, i)| {
                (
                    n,
                    i.view.item.id.clone(),
                    i.template.to_string(),
                    i.view.state.version,
                )
            })
            .expect("an open item")
    };
    // B's link is down when B marks it n/a: the change waits with the version B saw.
    proxy_b.set(Mode::Refuse);
    for _ in 0..idx {
        send_key(&b.keys, KeyCode::Down, KeyModifiers::NONE);
    }
    b.key('n');
    b.until("B's change waits", |s| s.waiting() == 1).await;
    // A ticks the same item and wins.
    for _ in 0..idx {
        send_key(&a.keys, KeyCode::Down, KeyModifiers::NONE);
    }
    a.key('d');
    let id = item.clone();
    a.until("A's tick is saved", move |s| {
        s.waiting() == 0
            && s.case.as_ref().is_some_and(|c| {
                c.items().iter().any(|i| {
                    i.view.item.id == id
                        && i.view.state.status == ItemStatus::Done
                        && i.view.state.version == version + 1
                })
            })
    })
    .await;
    // B comes back: the replay meets a 412 and B sees both versions.
    proxy_b.set(Mode::Forward);
    b.until("B sees the conflict", |s| {
        matches!(s.dialog, Some(Dialog::Conflict { .. }))
    })
    .await;
    b.app.draw().expect("draw");
    let text = screen(&b.app);
    assert!(text.contains("Theirs by demo-manager"), "{text}");
    assert!(text.contains("Yours (kept)"), "{text}");
    let count = counter(&base).await;
    let server_item = |lists: Vec<jar_core::wire::ChecklistView>| {
        lists
            .into_iter()
            .filter(|l| l.template == template)
            .flat_map(|l| l.items)
            .find(|i| i.item.id == item)
            .expect("item")
            .state
    };
    let now = server_item(count.checklists(&case_ref).await.expect("lists"));
    assert_eq!(now.version, version + 1, "exactly one change applied");
    assert_eq!(now.status, ItemStatus::Done);
    // B's laptop dies with the box open: the change is kept in the journal, and after a
    // restart it is sent again, meets the 412 again and the box is back.
    let parked = Journal::open(
        &dir.path().join("jb"),
        "demo-manager",
        b.app.client.base(),
        &KeySource::Fixed([2; 32]),
    );
    // Issue 12 §1: the change in the box is kept as a conflict of its own, no longer as a
    // write with a version that cannot match.
    assert_eq!(
        parked.contents.conflicts.len(),
        1,
        "the change in the box is kept"
    );
    assert!(parked.contents.writes.is_empty());
    drop(b);
    let mut b = Tui::new(
        &base,
        &proxy_b.base(),
        &dir.path().join("jb"),
        KeySource::Fixed([2; 32]),
    )
    .await;
    b.until("the conflict box is back after a restart", |s| {
        matches!(s.dialog, Some(Dialog::Conflict { .. }))
    })
    .await;
    let now = server_item(count.checklists(&case_ref).await.expect("lists"));
    assert_eq!(now.version, version + 1, "still only A's change");
    // B re-applies: written on top of A's version, nothing silently dropped.
    b.key('r');
    b.until("B's re-applied change is saved", |s| {
        s.waiting() == 0 && s.dialog.is_none()
    })
    .await;
    let now = server_item(count.checklists(&case_ref).await.expect("lists"));
    assert_eq!(
        now.version,
        version + 2,
        "A's change and B's re-applied one"
    );
    assert_eq!(now.status, ItemStatus::NotApplicable);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_journal_is_kept_aside_and_said_never_a_crash() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut server = Server::start(dir.path()).await;
    let base = server.base();
    let journal = dir.path().join("journal");
    std::fs::create_dir_all(&journal).expect("dir");
    let api_base = jarterm::api::client::api_base(&base);
    let path = journal.join(format!(
        "{}.journal",
        jarterm::journal::scope("demo-manager", &api_base)
    ));
    std::fs::write(&path, b"JARJ\x01\x01 not what it should be").expect("write");
    let mut t = Tui::new(&base, &base, &journal, KeySource::Fixed([4; 32])).await;
    t.until("the banner says the journal could not be read", |s| {
        s.banner
            .as_ref()
            .is_some_and(|b| b.text.contains("journal could not be read"))
    })
    .await;
    let aside = std::fs::read_dir(&journal)
        .expect("dir")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".corrupt"))
        .count();
    assert_eq!(aside, 1, "the damaged file is kept aside");
    // And work goes on: the board loads.
    t.until("the board loads", |s| s.board.loaded).await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drafts_from_before_the_journal_move_into_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut server = Server::start(dir.path()).await;
    let base = server.base();
    let journal = dir.path().join("journal");
    let legacy = jarterm::drafts::path_for(&dir.path().join("drafts"), "demo-manager");
    let mut form = jarterm::state::Form::contact("JAR-2026-0001", chrono::Utc::now());
    if let Some(f) = form.field_mut("summary")
        && let jarterm::state::forms::Value::Text(ta) = &mut f.value
    {
        ta.insert_str("Typed before the upgrade");
    }
    // The older plain file, as earlier versions wrote it.
    std::fs::create_dir_all(legacy.parent().expect("dir")).expect("legacy dir");
    let file = serde_json::json!({ "drafts": [jarterm::drafts::to_saved(&form)] });
    std::fs::write(&legacy, file.to_string()).expect("legacy");
    let mut t = Tui::new(&base, &base, &journal, KeySource::Fixed([6; 32])).await;
    t.until("the old draft is back", |s| {
        s.drafts
            .iter()
            .any(|d| d.text("summary") == "Typed before the upgrade")
    })
    .await;
    assert!(!legacy.exists(), "the old plain file is gone");
    let j = Journal::locate(
        &journal,
        "demo-manager",
        t.app.client.base(),
        &KeySource::Fixed([6; 32]),
    );
    assert_eq!(j.read().expect("journal").drafts.len(), 1);
    server.stop().await;
}
