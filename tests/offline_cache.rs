//! Reading offline and a journal no one else can read (issue 12 §3, issue 18 §1): the real
//! loop against a real in-process jarterm-server (temp SQLite file), stopped to make the
//! network go away. A case viewed earlier opens from the sealed cache with "as of HH:MM —
//! offline"; another person's cache is never shown; without a keyring the journal is sealed
//! under the password (no typed text in its bytes) and, where the password is not typed, kept
//! locked until a sign-in opens it; with neither, nothing is written; a second jarterm on the
//! same journal waits for the first and then takes its work in.
#![cfg(feature = "demo")]

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use futures::channel::mpsc::{UnboundedReceiver, UnboundedSender, unbounded};
use jarterm::api::Client;
use jarterm::app::App;
use jarterm::journal::{Journal, KeyMode, KeySource};
use jarterm::msg::{ApiMsg, Msg};
use jarterm::state::{Conn, State};
use jarterm::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const WAIT: Duration = Duration::from_secs(15);
const MANAGER: &str = "demo-manager";
const PAED: &str = "demo-paed";
const PASSWORD: &str = "demo";

type Keys = UnboundedSender<std::io::Result<Event>>;
type Input = UnboundedReceiver<std::io::Result<Event>>;

struct Server {
    addr: SocketAddr,
    running: Option<jar_server::RunningServer>,
}

impl Server {
    async fn start(dir: &Path) -> Server {
        Server::start_on(dir, SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// The same database on a chosen address (a server coming back where it was).
    async fn start_on(dir: &Path, listen: SocketAddr) -> Server {
        let db = format!("sqlite://{}", dir.join("jar.db").display());
        let mut config = jar_server::ServerConfig::loopback(db);
        config.listen = listen;
        config.demo_cases = Some(4);
        let running = jar_server::start(config).await.expect("server starts");
        let addr = running
            .base_url()
            .trim_start_matches("http://")
            .parse()
            .expect("addr");
        Server {
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
}

struct Tui {
    app: App<TestBackend>,
    keys: Keys,
    input: Input,
}

impl Tui {
    fn build(base: &str, journal: &Path, keys: KeySource, state: State) -> Tui {
        let client = Client::new(base).expect("client");
        let terminal = Terminal::new(TestBackend::new(100, 30)).expect("terminal");
        let mut app = App::new(state, terminal, Theme::default_theme(), client);
        app.drafts_dir = Some(journal.to_path_buf());
        app.journal_keys = keys;
        let (k, input) = unbounded();
        Tui {
            app,
            keys: k,
            input,
        }
    }

    /// Started with a token (as with `JARTERM_TOKEN` or a stored one): no password typed.
    async fn with_token(base: &str, user: &str, journal: &Path, keys: KeySource) -> Tui {
        let login = Client::new(base)
            .expect("client")
            .login(user, PASSWORD)
            .await
            .expect("sign in");
        let state = State::signed_in(chrono::Utc::now(), "test", login.user);
        let mut t = Tui::build(base, journal, keys, state);
        t.app.client.set_token(Some(login.token));
        t.app.start();
        t
    }

    /// Started at the sign-in screen; the person types their username and password.
    async fn signing_in(base: &str, user: &str, journal: &Path, keys: KeySource) -> Tui {
        let mut t = Tui::build(base, journal, keys, State::new(chrono::Utc::now(), "test"));
        t.app.start();
        t.text(user);
        t.press(KeyCode::Tab);
        t.text(PASSWORD);
        t.press(KeyCode::Enter);
        let u = user.to_string();
        t.until("signed in", move |s| {
            s.login.is_none() && s.session.as_ref().is_some_and(|p| p.username == u)
        })
        .await;
        t
    }

    async fn until(&mut self, what: &str, done: impl Fn(&State) -> bool) {
        if let Err(e) = self.app.run_until(&mut self.input, done, Some(WAIT)).await {
            let _ = self.app.draw();
            panic!("{what}: {e}\n{}", self.screen());
        }
    }

    /// Let the loop run for a moment (saves on a pause in typing, the cache writer).
    async fn settle(&mut self, d: Duration) {
        let _ = self
            .app
            .run_until(&mut self.input, |_| false, Some(d))
            .await;
    }

    /// Run the loop until `check` holds (bounded), for what lands on disk off the loop.
    async fn until_on_disk(&mut self, what: &str, check: impl Fn() -> bool) {
        for _ in 0..100 {
            if check() {
                return;
            }
            self.settle(Duration::from_millis(100)).await;
        }
        panic!("{what}");
    }

    fn press(&self, code: KeyCode) {
        self.keys
            .unbounded_send(Ok(Event::Key(KeyEvent::new(code, KeyModifiers::NONE))))
            .expect("keyboard");
    }

    fn text(&self, text: &str) {
        for c in text.chars() {
            self.press(KeyCode::Char(c));
        }
    }

    fn screen(&mut self) -> String {
        let _ = self.app.draw();
        let buf = self.app.terminal.backend().buffer();
        let mut out = String::new();
        for y in 0..buf.area.height {
            for x in 0..buf.area.width {
                out.push_str(buf[(x, y)].symbol());
            }
            out.push('\n');
        }
        out
    }

    async fn board(&mut self) -> Vec<String> {
        self.until("the board loads", |s| {
            s.board.loaded && !s.board.cases.is_empty()
        })
        .await;
        let now = self.app.state.now;
        self.app
            .state
            .board
            .visible(now)
            .iter()
            .map(|r| r.reference.to_string())
            .collect()
    }

    /// Open the case in row `row` of the board at its Contacts tab.
    async fn open(&mut self, row: usize) -> String {
        let reference = self.board().await[row].clone();
        for _ in 0..row {
            self.press(KeyCode::Down);
        }
        self.press(KeyCode::Enter);
        self.press(KeyCode::Char('4'));
        let r = reference.clone();
        self.until("the case opens", move |s| {
            s.case
                .as_ref()
                .is_some_and(|c| c.reference == r && c.detail.ready().is_some())
        })
        .await;
        reference
    }

    /// Back to the board (the selection stays on the case's row).
    async fn back(&mut self) {
        self.press(KeyCode::Esc);
        self.until("back on the board", |s| s.case.is_none()).await;
    }

    /// Type a contact's summary on the Contacts tab without saving it (a draft).
    fn type_contact(&self, summary: &str) {
        self.press(KeyCode::Char('a'));
        for _ in 0..5 {
            self.press(KeyCode::Tab);
        }
        self.text(summary);
    }

    fn journal(&self, user: &str, keys: &KeySource) -> Journal {
        let dir = self.app.drafts_dir.clone().expect("journal dir");
        Journal::locate(&dir, user, self.app.client.base(), keys)
    }
}

/// Every byte of every file in `dir`, as text (lossy), to look for what must not be there.
fn all_bytes(dir: &Path) -> String {
    let mut out = String::new();
    for e in std::fs::read_dir(dir).expect("dir").filter_map(|e| e.ok()) {
        if e.path().is_file() {
            out.push_str(&String::from_utf8_lossy(
                &std::fs::read(e.path()).expect("read"),
            ));
        }
    }
    out
}

fn files_ending(dir: &Path, end: &str) -> usize {
    std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .filter(|e| e.file_name().to_string_lossy().ends_with(end))
                .count()
        })
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_case_viewed_earlier_opens_from_the_cache_with_the_server_stopped() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut server = Server::start(dir.path()).await;
    let base = server.base();
    let journal = dir.path().join("journal");
    let keys = KeySource::Fixed([8; 32]);
    let mut t = Tui::with_token(&base, MANAGER, &journal, keys.clone()).await;
    t.until("live", |s| s.conn == Conn::Live).await;
    let case_ref = t.open(0).await;
    let r = case_ref.clone();
    t.until("every part of the case is shown", move |s| {
        s.case.as_ref().is_some_and(|c| {
            c.reference == r
                && c.timeline.ready().is_some()
                && c.checklists.ready().is_some()
                && c.contacts.ready().is_some()
        })
    })
    .await;
    let live = {
        let c = t.app.state.case.as_ref().expect("case");
        (
            c.detail.ready().cloned(),
            c.contacts.ready().cloned(),
            c.checklists.ready().cloned(),
        )
    };
    assert!(!t.screen().contains("offline"), "live: no offline mark");
    t.back().await;
    // The copy is on disk, sealed: the reference is not in the file's bytes.
    let j = t.journal(MANAGER, &keys);
    let r = case_ref.clone();
    t.until_on_disk("the case is in the cache file", move || {
        j.load_cache()
            .case(&r)
            .is_some_and(|c| c.contacts.is_some() && c.detail.is_some())
    })
    .await;
    assert!(!all_bytes(&journal).contains(&case_ref));

    // The server goes away; the same case opens from the cache, marked as such.
    server.stop().await;
    let again = t.open(0).await;
    assert_eq!(again, case_ref);
    let r = case_ref.clone();
    t.until("the cached copy is shown as offline", move |s| {
        s.case.as_ref().is_some_and(|c| {
            c.reference == r
                && c.offline_as_of.is_some()
                && c.contacts.ready().is_some()
                && c.checklists.ready().is_some()
        })
    })
    .await;
    {
        let c = t.app.state.case.as_ref().expect("case");
        assert_eq!(c.detail.ready().cloned(), live.0);
        assert_eq!(c.contacts.ready().cloned(), live.1);
        assert_eq!(c.checklists.ready().cloned(), live.2);
    }
    let screen = t.screen();
    assert!(screen.contains("as of "), "{screen}");
    assert!(screen.contains(" — offline"), "{screen}");
    assert!(screen.contains(&case_ref), "{screen}");
    let who = t.app.state.session.clone().expect("signed in");
    let j = t.journal(MANAGER, &keys);
    t.until_on_disk("the board is in the cache file", move || {
        j.load_cache().board.is_some()
    })
    .await;
    drop(t);

    // A new run with the server still away (signed in as `jarterm demo` is): the board and
    // the case come from the cache.
    let state = State::signed_in(chrono::Utc::now(), "test", who);
    let mut t = Tui::build(&base, &journal, keys, state);
    t.app.start();
    t.until("the cached board is shown", |s| {
        s.board.loaded && s.board.offline_as_of.is_some()
    })
    .await;
    let screen = t.screen();
    assert!(screen.contains(" — offline"), "{screen}");
    let row = t.board().await.iter().position(|r| *r == case_ref);
    let again = t.open(row.expect("the case is on the cached board")).await;
    assert_eq!(again, case_ref);
    t.until("the case is shown from the cache", |s| {
        s.case
            .as_ref()
            .is_some_and(|c| c.offline_as_of.is_some() && c.contacts.ready().is_some())
    })
    .await;
    let c = t.app.state.case.as_ref().expect("case");
    assert_eq!(c.contacts.ready().cloned(), live.1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_persons_cache_is_never_shown() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut server = Server::start(dir.path()).await;
    let base = server.base();
    let journal = dir.path().join("journal");
    let keys = KeySource::Fixed([7; 32]);
    // The manager views a case, in the same window where the paediatrician then signs in.
    let mut t = Tui::signing_in(&base, MANAGER, &journal, keys.clone()).await;
    let case_ref = t.open(0).await;
    let j = t.journal(MANAGER, &keys);
    let r = case_ref.clone();
    t.until_on_disk("the manager's copy is cached", move || {
        j.load_cache().case(&r).is_some()
    })
    .await;
    // The session ends with the case on screen; someone else signs in over it.
    t.app
        .sender()
        .send(Msg::Api(ApiMsg::SessionExpired))
        .expect("send");
    t.until("sign-in is asked for", |s| s.login.is_some()).await;
    t.press(KeyCode::Tab);
    for _ in 0..MANAGER.len() {
        t.press(KeyCode::Backspace);
    }
    t.text(PAED);
    t.press(KeyCode::Tab);
    t.text(PASSWORD);
    t.press(KeyCode::Enter);
    t.until("the paediatrician is signed in", |s| {
        s.login.is_none() && s.session.as_ref().is_some_and(|p| p.username == PAED)
    })
    .await;
    // Nothing fetched for the manager stays on screen: the board is the paediatrician's own.
    assert!(t.app.state.case.is_none());
    let board = t.board().await;
    let row = board
        .iter()
        .position(|r| *r == case_ref)
        .expect("the paediatrician sees the case too");
    // The server goes away; the paediatrician never viewed this case: nothing is shown.
    server.stop().await;
    for _ in 0..row {
        t.press(KeyCode::Down);
    }
    t.press(KeyCode::Enter);
    let r = case_ref.clone();
    t.until("the case fails to load", move |s| {
        s.case.as_ref().is_some_and(|c| {
            c.reference == r && matches!(c.detail, jarterm::state::case::Remote::Failed(_))
        })
    })
    .await;
    let c = t.app.state.case.as_ref().expect("case");
    assert!(c.offline_as_of.is_none());
    assert!(c.contacts.ready().is_none());
    let screen = t.screen();
    assert!(!screen.contains("— offline"), "{screen}");
    let paed = t.app.state.session.clone().expect("signed in");
    let j = t.journal(PAED, &keys);
    t.until_on_disk("the paediatrician's own board is cached", move || {
        j.load_cache().board.is_some()
    })
    .await;
    drop(t);

    // A new run as the paediatrician, server away: their own cached board, and still not
    // the manager's copy of the case.
    let mut t = Tui::build(
        &base,
        &journal,
        keys.clone(),
        State::signed_in(chrono::Utc::now(), "test", paed),
    );
    t.app.start();
    let row = t
        .board()
        .await
        .iter()
        .position(|r| *r == case_ref)
        .expect("on the paediatrician's cached board");
    assert!(t.app.state.board.offline_as_of.is_some());
    for _ in 0..row {
        t.press(KeyCode::Down);
    }
    t.press(KeyCode::Enter);
    let r = case_ref.clone();
    t.until("the case fails to load", move |s| {
        s.case.as_ref().is_some_and(|c| {
            c.reference == r && matches!(c.detail, jarterm::state::case::Remote::Failed(_))
        })
    })
    .await;
    assert!(
        t.app
            .state
            .case
            .as_ref()
            .is_some_and(|c| c.offline_as_of.is_none())
    );
    // The manager's cache is still theirs, and intact.
    let mine = Journal::locate(&journal, MANAGER, t.app.client.base(), &keys).load_cache();
    assert!(mine.case(&case_ref).is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_keyring_the_journal_holds_no_plaintext_of_a_typed_note() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut server = Server::start(dir.path()).await;
    let base = server.base();
    let journal = dir.path().join("journal");
    let note = "Mother said the baby was fine at 2am";
    let mut t = Tui::signing_in(&base, MANAGER, &journal, KeySource::NoKeyring).await;
    t.open(0).await;
    // One contact saved while the server is away (a write in the journal) and one half typed
    // (a draft in the journal).
    server.stop().await;
    t.type_contact(&format!("{note} (saved)"));
    t.keys
        .unbounded_send(Ok(Event::Key(KeyEvent::new(
            KeyCode::Char('s'),
            KeyModifiers::CONTROL,
        ))))
        .expect("keyboard");
    t.until("the contact waits", |s| {
        s.form.is_none() && s.waiting() == 1
    })
    .await;
    t.type_contact(note);
    // Without the password nothing opens it; with it, it holds the write and the draft.
    let locked = t.journal(MANAGER, &KeySource::NoKeyring);
    assert_eq!(locked.mode(), KeyMode::Locked);
    assert!(locked.read().is_err());
    let api = t.app.client.base().to_string();
    let pk =
        jarterm::journal::derive_password_key(&journal, MANAGER, &api, PASSWORD).expect("derived");
    let j = Journal::locate_with(&journal, MANAGER, &api, &KeySource::NoKeyring, Some(&pk));
    t.until_on_disk("the journal holds the write and the draft", move || {
        j.read().is_ok_and(|c| {
            c.writes.len() == 1
                && c.drafts.iter().any(|d| {
                    d.fields
                        .iter()
                        .any(|(_, v)| matches!(v, jarterm::drafts::Saved::Text(t) if t == note))
                })
        })
    })
    .await;
    // Not a word of it, nor the username or password, in any file's bytes.
    let bytes = all_bytes(&journal);
    assert!(!bytes.contains("Mother"), "no typed text on disk");
    assert!(!bytes.contains("baby"), "no typed text on disk");
    assert!(!bytes.contains("demo"), "no username or password on disk");
    assert!(files_ending(&journal, ".journal") == 1 && files_ending(&journal, ".key") == 1);
    let screen = t.screen();
    assert!(!screen.contains("journal unencrypted"), "{screen}");
    assert!(!screen.contains("journal: memory only"), "{screen}");
    assert!(!screen.contains("journal locked"), "{screen}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_journal_whose_key_is_not_here_is_kept_and_unlocked_at_sign_in() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start(dir.path()).await;
    let base = server.base();
    let journal = dir.path().join("journal");
    let note = "Draft typed before the link dropped";
    // A run with no keyring, signed in with the password, leaves a draft.
    let mut t = Tui::signing_in(&base, MANAGER, &journal, KeySource::NoKeyring).await;
    t.open(0).await;
    t.type_contact(note);
    let path = t
        .journal(MANAGER, &KeySource::NoKeyring)
        .path()
        .to_path_buf();
    let p = path.clone();
    t.until_on_disk("the draft is in the journal", move || p.exists())
        .await;
    drop(t);
    let sealed = std::fs::read(&path).expect("journal");

    // The next run starts with a token (no password typed) and no keyring: locked, kept.
    let mut t = Tui::with_token(&base, MANAGER, &journal, KeySource::NoKeyring).await;
    t.until("it says the journal is locked", |s| {
        s.journal_note.as_deref() == Some("journal locked")
            && s.banner.as_ref().is_some_and(|b| b.text.contains("locked"))
    })
    .await;
    t.board().await;
    let screen = t.screen();
    assert!(screen.contains("journal locked"), "{screen}");
    assert!(t.app.state.drafts.is_empty());
    t.settle(Duration::from_millis(800)).await;
    assert_eq!(
        std::fs::read(&path).expect("kept"),
        sealed,
        "kept as it was"
    );
    assert_eq!(files_ending(&journal, ".corrupt"), 0);
    assert_eq!(files_ending(&journal, ".locked"), 0);

    // Signing in (here over an expired session) unlocks it: the draft is back.
    t.app
        .sender()
        .send(Msg::Api(ApiMsg::SessionExpired))
        .expect("send");
    t.until("sign-in is asked for", |s| s.login.is_some()).await;
    t.text(PASSWORD);
    t.press(KeyCode::Enter);
    t.until("the draft from the locked journal is back", move |s| {
        s.login.is_none() && s.drafts.iter().any(|d| d.text("summary") == note)
    })
    .await;
    assert_eq!(t.app.state.journal_note, None);
    assert!(!t.screen().contains("journal locked"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_token_and_no_keyring_drafts_stay_in_memory_and_the_status_bar_says_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start(dir.path()).await;
    let base = server.base();
    let journal = dir.path().join("journal");
    let mut t = Tui::with_token(&base, MANAGER, &journal, KeySource::NoKeyring).await;
    t.open(0).await;
    t.type_contact("Kept only in memory");
    t.until("typed", |s| {
        s.form
            .as_ref()
            .is_some_and(|f| f.text("summary") == "Kept only in memory")
    })
    .await;
    t.settle(Duration::from_millis(1000)).await;
    let screen = t.screen();
    assert!(screen.contains("journal: memory only"), "{screen}");
    for kind in [".journal", ".cache", ".key"] {
        assert_eq!(files_ending(&journal, kind), 0, "no {kind} file");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_jarterm_on_the_same_journal_waits_and_then_takes_the_first_ones_work_in() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start(dir.path()).await;
    let base = server.base();
    let journal = dir.path().join("journal");
    let keys = KeySource::Fixed([6; 32]);
    let mut first = Tui::with_token(&base, MANAGER, &journal, keys.clone()).await;
    first.open(0).await;
    first.type_contact("Typed in the first window");
    let j = first.journal(MANAGER, &keys);
    first
        .until_on_disk("the first one's draft is in the journal", move || {
            j.read().is_ok_and(|c| !c.drafts.is_empty())
        })
        .await;

    // A second jarterm for the same person and server (a new SSH login, the old one still
    // running): it says so and keeps its work in memory.
    let mut second = Tui::with_token(&base, MANAGER, &journal, keys.clone()).await;
    second
        .until("the second one says the journal is in use", |s| {
            s.journal_note.as_deref() == Some("journal in use")
                && s.banner.as_ref().is_some_and(|b| {
                    b.text
                        .contains(&format!("another jarterm (process {}", std::process::id()))
                })
        })
        .await;
    assert!(second.screen().contains("journal in use"));
    assert!(
        second.app.state.drafts.is_empty(),
        "nothing taken meanwhile"
    );
    second.open(1).await;
    second.type_contact("Typed in the second window");
    second.settle(Duration::from_millis(900)).await;
    let on_disk = first.journal(MANAGER, &keys).read().expect("journal");
    assert_eq!(on_disk.drafts.len(), 1, "the first one is the only writer");

    // The first one goes (quit, killed, or hung up): the second takes the journal over,
    // with the first one's draft, and writes both.
    drop(first);
    second
        .until("the first one's draft is taken in", |s| {
            s.journal_note.is_none()
                && s.drafts
                    .iter()
                    .any(|d| d.text("summary") == "Typed in the first window")
        })
        .await;
    let j = second.journal(MANAGER, &keys);
    second
        .until_on_disk("both drafts are in the journal", move || {
            j.read().is_ok_and(|c| c.drafts.len() == 2)
        })
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saved_token_survives_a_start_with_no_server_and_signs_in_when_it_returns() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut server = Server::start(dir.path()).await;
    let base = server.base();
    let token = Client::new(&base)
        .expect("client")
        .login(PAED, PASSWORD)
        .await
        .expect("sign in")
        .token;
    let addr = server.addr;
    server.stop().await;

    // Started as with a stored token, the server away: no sign-in screen, the token kept.
    let journal = dir.path().join("journal");
    let mut state = State::new(chrono::Utc::now(), "test");
    state.login = None; // as `main` starts with a stored token
    let mut t = Tui::build(&base, &journal, KeySource::Fixed([3; 32]), state);
    t.app.client.set_token(Some(token.clone()));
    t.app.start();
    t.until("the first try fails", |s| s.me_retry.waiting())
        .await;
    assert!(t.app.state.login.is_none(), "{}", t.screen());
    assert_eq!(t.app.client.token().as_deref(), Some(token.as_str()));
    let screen = t.screen();
    assert!(screen.contains("offline"), "{screen}");
    // Still no sign-in screen after several tries.
    t.settle(Duration::from_secs(4)).await;
    assert!(t.app.state.login.is_none(), "{}", t.screen());

    // The server comes back where it was: the same token is who it was.
    let _server = Server::start_on(dir.path(), addr).await;
    t.until("signed in with the saved token", |s| {
        s.session.as_ref().is_some_and(|p| p.username == PAED) && s.login.is_none()
    })
    .await;
    t.until("live", |s| s.conn == Conn::Live).await;
    assert!(!t.board().await.is_empty());
}

#[test]
fn signing_out_removes_every_offline_copy_and_keeps_the_journals() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("aa.cache"), b"sealed copy").expect("write");
    std::fs::write(dir.path().join("bb.cache"), b"sealed copy").expect("write");
    std::fs::write(dir.path().join("aa.journal"), b"unsent work").expect("write");
    assert_eq!(
        jarterm::journal::remove_caches(dir.path()).expect("remove"),
        2
    );
    assert_eq!(files_ending(dir.path(), ".cache"), 0);
    assert_eq!(
        files_ending(dir.path(), ".journal"),
        1,
        "typed work is kept"
    );
    // Nothing there (never signed in here): nothing to do, no error.
    assert_eq!(
        jarterm::journal::remove_caches(&dir.path().join("none")).expect("ok"),
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_out_from_the_board_asks_first_then_revokes_the_token_and_removes_the_copies() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start(dir.path()).await;
    let base = server.base();
    let journal = dir.path().join("journal");
    let keys = KeySource::Fixed([5; 32]);
    let mut t = Tui::with_token(&base, PAED, &journal, keys.clone()).await;
    t.until("live", |s| s.conn == Conn::Live).await;
    let token = t.app.client.token().expect("a token");
    t.open(0).await;
    t.back().await;
    t.until_on_disk("a copy is on disk", || {
        files_ending(&journal, ".cache") == 1
    })
    .await;

    // Asked first: Esc keeps the person signed in.
    t.press(KeyCode::Char('S'));
    t.until("asked", |s| s.dialog.is_some()).await;
    assert!(t.screen().contains("Sign out?"));
    t.press(KeyCode::Esc);
    t.until("still signed in", |s| s.dialog.is_none()).await;
    assert!(t.app.state.session.is_some());

    t.press(KeyCode::Char('S'));
    t.press(KeyCode::Char('y'));
    t.until("signed out", |s| s.login.is_some() && s.session.is_none())
        .await;
    assert!(t.screen().contains("Signed out."), "{}", t.screen());
    assert!(t.app.client.token().is_none(), "forgotten here");
    t.until_on_disk("the offline copy is removed", || {
        files_ending(&journal, ".cache") == 0
    })
    .await;
    // And revoked on the server: the old token no longer works.
    let old = Client::new(&base).expect("client");
    old.set_token(Some(token));
    let mut refused = false;
    for _ in 0..50 {
        if old.me().await.is_err() {
            refused = true;
            break;
        }
        t.settle(Duration::from_millis(100)).await;
    }
    assert!(refused, "the token was revoked");
}
