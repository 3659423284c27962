//! The real `jarterm` binary in a pty against a real jarterm-server (in this process, temp
//! SQLite file): the server goes away, a contact is saved and another half typed, the client
//! is killed with SIGKILL (no shutdown path at all), the server comes back on the same port
//! and file, and the next run sends the contact exactly once and has the draft back.
//!
//! The person signs in with their password (issue 12 §3: the journal key is derived from it
//! where no keyring works; with `JARTERM_TOKEN` and no keyring nothing would be kept, see
//! tests/offline_cache.rs).
#![cfg(all(unix, feature = "demo"))]

mod support;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use jarterm::api::Client;
use jarterm::journal::{Journal, KeySource};
use support::pty::Pty;

const STEP: Duration = Duration::from_secs(15);

fn sigkill(pty: &Pty) {
    let pid = pty.pid().expect("pid") as i32;
    // SAFETY: kill(2) on our own child.
    let rc = unsafe { libc::kill(pid, libc::SIGKILL) };
    assert_eq!(rc, 0, "kill -9");
}

/// From the board: the first case, its Contacts tab, a new contact, Tab to the summary.
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

/// At the sign-in screen: the manager's username and password, then the board.
fn sign_in(pty: &mut Pty) {
    pty.wait_for_text("Password", STEP);
    pty.send(b"demo-manager\tdemo\r");
    pty.wait_for("the board", STEP, |s| {
        s.contains("JAR-") && s.contains("REF")
    });
}

#[test]
fn sigkill_with_a_queued_contact_and_a_half_typed_one_loses_and_doubles_nothing() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let home = tempfile::tempdir().expect("home");
    let db = format!("sqlite://{}", home.path().join("jar.db").display());
    let mut config = jar_server::ServerConfig::loopback(db.clone());
    config.demo_cases = Some(4);
    let server = rt.block_on(jar_server::start(config)).expect("server");
    let base = server.base_url();
    let addr: SocketAddr = base.trim_start_matches("http://").parse().expect("addr");
    let count = rt.block_on(async {
        let c = Client::new(&base).expect("client");
        let login = c.login("demo-manager", "demo").await.expect("sign in");
        c.set_token(Some(login.token));
        c
    });
    let env: [(&str, &str); 0] = [];
    let args = ["--server", base.as_str()];

    let mut pty = Pty::spawn(&args, &env, home.path(), 100, 30);
    sign_in(&mut pty);
    let case_ref = {
        let screen = pty.contents();
        let at = screen.find("JAR-").expect("a case");
        screen[at..at + 13].to_string()
    };
    let before = rt
        .block_on(count.contacts(&case_ref))
        .expect("contacts")
        .len();

    // The server goes away.
    rt.block_on(server.shutdown());
    contact_summary(&mut pty);
    pty.send(b"Saved while the server was down");
    pty.wait_for_text("Saved while the server was down", STEP);
    pty.send(b"\x13"); // Ctrl-S
    pty.wait_for_text("1 waiting", STEP);
    pty.send(b"a");
    pty.wait_for_text("Log a contact", STEP);
    for _ in 0..5 {
        pty.send(b"\t");
        std::thread::sleep(Duration::from_millis(50));
    }
    pty.send(b"Half typed when the laptop di");
    pty.wait_for_text("Half typed when the laptop di", STEP);

    // Wait (bounded) until a pause in typing has put the draft in the journal (opened here
    // with the keyring if one works, else with the password, as the next sign-in will).
    let dir = home.path().join("state").join("jarterm").join("journal");
    let server = jarterm::api::client::api_base(&base);
    let password = jarterm::journal::derive_password_key(&dir, "demo-manager", &server, "demo");
    let journal = Journal::locate_with(
        &dir,
        "demo-manager",
        &server,
        &KeySource::Keyring,
        password.as_ref(),
    );
    let start = Instant::now();
    loop {
        if let Ok(c) = journal.read()
            && c.writes.len() == 1
            && c.drafts.iter().any(|d| {
                d.fields.iter().any(|(_, v)| {
                    matches!(v, jarterm::drafts::Saved::Text(t) if t == "Half typed when the laptop di")
                })
            })
        {
            break;
        }
        assert!(
            start.elapsed() < STEP,
            "the journal holds the write and the draft"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    sigkill(&pty);
    pty.wait_exit(STEP);
    drop(pty);

    // The server comes back on the same port and file; the person starts jarterm again.
    let mut config = jar_server::ServerConfig::loopback(db);
    config.listen = addr;
    let server = rt.block_on(async {
        for _ in 0..50 {
            if let Ok(s) = jar_server::start(config.clone()).await {
                return s;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("server restarts on the same port");
    });
    let mut pty = Pty::spawn(&args, &env, home.path(), 100, 30);
    sign_in(&mut pty);
    pty.wait_for("the contact is sent", STEP, |s| s.contains("0 waiting"));
    let after: Vec<String> = rt
        .block_on(count.contacts(&case_ref))
        .expect("contacts")
        .into_iter()
        .map(|c| c.entry.summary)
        .collect();
    assert_eq!(after.len(), before + 1, "zero lost, zero doubled");
    assert_eq!(
        after
            .iter()
            .filter(|s| *s == "Saved while the server was down")
            .count(),
        1
    );
    // The draft is back in the same form.
    contact_summary(&mut pty);
    pty.wait_for_text("Half typed when the laptop di", STEP);
    pty.send(b"\x03");
    pty.wait_exit(STEP);
    rt.block_on(server.shutdown());
}
