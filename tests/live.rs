//! The real loop against a real in-process jarterm-server (127.0.0.1:0, temp SQLite, demo
//! data): sign in by typing, open a case, tick an item, log a contact, and see both arrive at
//! a second client through the event stream.
#![cfg(feature = "demo")]

use std::time::Duration;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use futures::channel::mpsc::{UnboundedSender, unbounded};
use jar_core::checklist::ItemStatus;
use jar_core::permissions::item_lock_reason;
use jarterm::api::Client;
use jarterm::app::App;
use jarterm::state::State;
use jarterm::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

// A bound for a loaded CI machine (the live tests ran in 17 s there, 7 s here), not a timing claim.
const WAIT: Duration = Duration::from_secs(30);

type Keys = UnboundedSender<std::io::Result<Event>>;

fn send_key(keys: &Keys, code: KeyCode, mods: KeyModifiers) {
    keys.unbounded_send(Ok(Event::Key(KeyEvent::new(code, mods))))
        .expect("keyboard channel");
}

fn send_text(keys: &Keys, text: &str) {
    for c in text.chars() {
        send_key(keys, KeyCode::Char(c), KeyModifiers::NONE);
    }
}

fn app(server: &str, state: State) -> App<TestBackend> {
    let client = Client::new(server).expect("client");
    let terminal = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
    App::new(state, terminal, Theme::default_theme(), client)
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tick_and_a_contact_reach_a_second_client_live() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = format!("sqlite://{}", dir.path().join("live.db").display());
    let mut config = jar_server::ServerConfig::loopback(db);
    config.demo_cases = Some(8);
    let server = jar_server::start(config).await.expect("server starts");
    let base = server.base_url();

    // Client A: the CDR manager signs in through the sign-in screen.
    let mut a = app(&base, State::new(chrono::Utc::now(), "test"));
    let (keys_a, mut input_a) = unbounded();
    send_text(&keys_a, "demo-manager");
    send_key(&keys_a, KeyCode::Enter, KeyModifiers::NONE);
    send_text(&keys_a, "demo");
    send_key(&keys_a, KeyCode::Enter, KeyModifiers::NONE);
    a.run_until(
        &mut input_a,
        |s| s.session.is_some() && s.board.loaded && !s.board.cases.is_empty(),
        Some(WAIT),
    )
    .await
    .unwrap_or_else(|e| panic!("A signs in and sees the board: {e}\n{}", screen(&a)));
    assert!(screen(&a).contains("JAR-"), "{}", screen(&a));

    // Pick an active case with a checklist.
    let now = a.state.now;
    let visible = a.state.board.visible(now);
    let (row, reference) = visible
        .iter()
        .enumerate()
        .find(|(_, c)| c.progress.total > 0 && c.progress.done < c.progress.total)
        .map(|(i, c)| (i, c.reference.clone()))
        .expect("a case with open checklist items");

    // Client B: the paediatrician, already signed in, with the same case open.
    let mut b = {
        let client = Client::new(&base).expect("client");
        let login = client.login("demo-paed", "demo").await.expect("B signs in");
        client.set_token(Some(login.token));
        let terminal = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
        App::new(
            State::signed_in(chrono::Utc::now(), "test", login.user),
            terminal,
            Theme::default_theme(),
            client,
        )
    };
    let (keys_b, mut input_b) = unbounded();
    b.start();
    b.run_until(
        &mut input_b,
        |s| s.board.loaded && s.conn == jarterm::state::Conn::Live,
        Some(WAIT),
    )
    .await
    .expect("B's board loads and the event stream is live");
    let b_row = b
        .state
        .board
        .visible(b.state.now)
        .iter()
        .position(|c| c.reference == reference)
        .expect("B sees the case");
    for _ in 0..b_row {
        send_key(&keys_b, KeyCode::Down, KeyModifiers::NONE);
    }
    send_key(&keys_b, KeyCode::Enter, KeyModifiers::NONE);
    b.run_until(
        &mut input_b,
        |s| {
            s.case
                .as_ref()
                .is_some_and(|c| c.checklists.ready().is_some() && c.contacts.ready().is_some())
        },
        Some(WAIT),
    )
    .await
    .expect("B opens the case");
    let b_contacts_before = b
        .state
        .case
        .as_ref()
        .and_then(|c| c.contacts.ready())
        .map_or(0, Vec::len);

    // A opens the case and ticks the first open item.
    for _ in 0..row {
        send_key(&keys_a, KeyCode::Down, KeyModifiers::NONE);
    }
    send_key(&keys_a, KeyCode::Enter, KeyModifiers::NONE);
    send_key(&keys_a, KeyCode::Char('3'), KeyModifiers::NONE);
    a.run_until(
        &mut input_a,
        |s| {
            s.case
                .as_ref()
                .is_some_and(|c| c.checklists.ready().is_some() && c.detail.ready().is_some())
        },
        Some(WAIT),
    )
    .await
    .expect("A opens the case");
    let (item_idx, item_id) = {
        let c = a.state.case.as_ref().expect("case");
        c.items()
            .iter()
            .enumerate()
            .find(|(_, i)| {
                i.view.state.status == ItemStatus::Open
                    && item_lock_reason(jar_core::Role::Manager, &i.view.item).is_none()
            })
            .map(|(n, i)| (n, i.view.item.id.clone()))
            .expect("an open item")
    };
    for _ in 0..item_idx {
        send_key(&keys_a, KeyCode::Down, KeyModifiers::NONE);
    }
    send_key(&keys_a, KeyCode::Char('d'), KeyModifiers::NONE);
    let done = |s: &State, id: &str| {
        s.case.as_ref().is_some_and(|c| {
            c.items()
                .iter()
                .any(|i| i.view.item.id == id && i.view.state.status == ItemStatus::Done)
        })
    };
    a.run_until(
        &mut input_a,
        |s| s.waiting() == 0 && done(s, &item_id),
        Some(WAIT),
    )
    .await
    .unwrap_or_else(|e| panic!("A's tick is saved: {e}\n{}", screen(&a)));

    // A logs a contact.
    send_key(&keys_a, KeyCode::Char('4'), KeyModifiers::NONE);
    send_key(&keys_a, KeyCode::Char('a'), KeyModifiers::NONE);
    for _ in 0..5 {
        send_key(&keys_a, KeyCode::Tab, KeyModifiers::NONE);
    }
    a.run_until(
        &mut input_a,
        |s| s.form.as_ref().and_then(|f| f.focused()).map(|f| f.key) == Some("summary"),
        Some(WAIT),
    )
    .await
    .expect("the summary box has focus");
    send_text(&keys_a, "Visited the family home");
    send_key(&keys_a, KeyCode::Enter, KeyModifiers::NONE);
    send_text(&keys_a, "Left the CDR leaflet");
    send_key(&keys_a, KeyCode::Char('s'), KeyModifiers::CONTROL);
    let has_contact = |s: &State| {
        s.case
            .as_ref()
            .and_then(|c| c.contacts.ready())
            .is_some_and(|v| {
                v.iter()
                    .any(|c| c.entry.summary == "Visited the family home\nLeft the CDR leaflet")
            })
    };
    a.run_until(
        &mut input_a,
        |s| s.form.is_none() && s.waiting() == 0 && has_contact(s),
        Some(WAIT),
    )
    .await
    .unwrap_or_else(|e| panic!("A's contact is saved: {e}\n{}", screen(&a)));

    // B sees both without refreshing.
    b.run_until(
        &mut input_b,
        |s| {
            done(s, &item_id)
                && s.case
                    .as_ref()
                    .and_then(|c| c.contacts.ready())
                    .map_or(0, Vec::len)
                    > b_contacts_before
                && has_contact(s)
        },
        Some(WAIT),
    )
    .await
    .unwrap_or_else(|e| panic!("B sees the tick and the contact live: {e}\n{}", screen(&b)));
    // Select the new contact (the list may hold earlier ones) to see its text.
    let new_row = b
        .state
        .case
        .as_ref()
        .and_then(|c| c.contacts.ready())
        .and_then(|v| {
            v.iter()
                .position(|c| c.entry.summary.starts_with("Visited the family home"))
        })
        .expect("the new contact is in B's list");
    send_key(&keys_b, KeyCode::Char('4'), KeyModifiers::NONE);
    for _ in 0..new_row {
        send_key(&keys_b, KeyCode::Down, KeyModifiers::NONE);
    }
    b.run_until(
        &mut input_b,
        |s| {
            s.case.as_ref().is_some_and(|c| {
                c.tab.tab == jarterm::state::Tab::Contacts && c.tab.row() == new_row
            })
        },
        Some(WAIT),
    )
    .await
    .expect("B shows contacts");
    b.draw().expect("draw");
    assert!(
        screen(&b).contains("Visited the family home"),
        "{}",
        screen(&b)
    );

    drop(a);
    drop(b);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_shows_a_banner_and_nothing_crashes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = format!("sqlite://{}", dir.path().join("live.db").display());
    let mut config = jar_server::ServerConfig::loopback(db);
    config.demo_cases = Some(1);
    let server = jar_server::start(config).await.expect("server starts");
    let mut a = app(&server.base_url(), State::new(chrono::Utc::now(), "test"));
    let (keys, mut input) = unbounded();
    send_text(&keys, "demo-paed");
    send_key(&keys, KeyCode::Enter, KeyModifiers::NONE);
    send_text(&keys, "wrong");
    send_key(&keys, KeyCode::Enter, KeyModifiers::NONE);
    a.run_until(
        &mut input,
        |s| s.login.as_ref().is_some_and(|l| l.error.is_some()),
        Some(WAIT),
    )
    .await
    .expect("an error appears");
    a.draw().expect("draw");
    assert!(
        screen(&a).contains("Wrong username or password"),
        "{}",
        screen(&a)
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_server_is_a_message_not_a_crash() {
    // Nothing listens on port 9 of loopback.
    let mut a = app("http://127.0.0.1:9", State::new(chrono::Utc::now(), "test"));
    let (keys, mut input) = unbounded();
    send_text(&keys, "demo-paed");
    send_key(&keys, KeyCode::Enter, KeyModifiers::NONE);
    send_text(&keys, "demo");
    send_key(&keys, KeyCode::Enter, KeyModifiers::NONE);
    a.run_until(
        &mut input,
        |s| s.login.as_ref().is_some_and(|l| l.error.is_some()),
        Some(WAIT),
    )
    .await
    .expect("an error appears");
    a.draw().expect("draw");
    assert!(
        screen(&a).contains("Cannot reach the server"),
        "{}",
        screen(&a)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_token_brings_sign_in_back_and_the_tick_is_sent_after_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = format!("sqlite://{}", dir.path().join("live.db").display());
    let mut config = jar_server::ServerConfig::loopback(db);
    config.demo_cases = Some(4);
    config.token_ttl = chrono::Duration::seconds(6);
    let server = jar_server::start(config).await.expect("server starts");
    let mut a = app(&server.base_url(), State::new(chrono::Utc::now(), "test"));
    let (keys, mut input) = unbounded();
    send_text(&keys, "demo-manager");
    send_key(&keys, KeyCode::Enter, KeyModifiers::NONE);
    send_text(&keys, "demo");
    send_key(&keys, KeyCode::Enter, KeyModifiers::NONE);
    a.run_until(
        &mut input,
        |s| s.board.loaded && !s.board.cases.is_empty(),
        Some(WAIT),
    )
    .await
    .expect("signed in");
    let row = a
        .state
        .board
        .visible(a.state.now)
        .iter()
        .position(|c| c.progress.total > c.progress.done)
        .expect("a case with open items");
    for _ in 0..row {
        send_key(&keys, KeyCode::Down, KeyModifiers::NONE);
    }
    send_key(&keys, KeyCode::Enter, KeyModifiers::NONE);
    send_key(&keys, KeyCode::Char('3'), KeyModifiers::NONE);
    a.run_until(
        &mut input,
        |s| {
            s.case
                .as_ref()
                .is_some_and(|c| c.checklists.ready().is_some())
        },
        Some(WAIT),
    )
    .await
    .expect("checklists shown");
    let (idx, id) = {
        let c = a.state.case.as_ref().expect("case");
        c.items()
            .iter()
            .enumerate()
            .find(|(_, i)| i.view.state.status == ItemStatus::Open)
            .map(|(n, i)| (n, i.view.item.id.clone()))
            .expect("open item")
    };
    // Let the token expire while the person reads.
    tokio::time::sleep(Duration::from_millis(6500)).await;
    for _ in 0..idx {
        send_key(&keys, KeyCode::Down, KeyModifiers::NONE);
    }
    send_key(&keys, KeyCode::Char('d'), KeyModifiers::NONE);
    a.run_until(&mut input, |s| s.login.is_some(), Some(WAIT))
        .await
        .expect("sign-in comes back");
    assert!(a.state.case.is_some(), "the case is still on screen");
    a.draw().expect("draw");
    assert!(screen(&a).contains("Sign in again"), "{}", screen(&a));
    // Wait for the refused write to be back in the outbox, then sign in again.
    a.run_until(
        &mut input,
        |s| s.outbox.iter().all(|w| !w.in_flight) && s.waiting() == 1,
        Some(WAIT),
    )
    .await
    .expect("the tick waits");
    send_text(&keys, "demo");
    send_key(&keys, KeyCode::Enter, KeyModifiers::NONE);
    let done = |s: &State| {
        s.case.as_ref().is_some_and(|c| {
            c.items()
                .iter()
                .any(|i| i.view.item.id == id && i.view.state.status == ItemStatus::Done)
        })
    };
    a.run_until(
        &mut input,
        |s| s.login.is_none() && s.waiting() == 0 && done(s),
        Some(WAIT),
    )
    .await
    .unwrap_or_else(|e| panic!("the tick is sent after signing in: {e}\n{}", screen(&a)));
    server.shutdown().await;
}
