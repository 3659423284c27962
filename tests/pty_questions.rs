//! Issue 16 §5 with the real `jarterm` binary in a pty against a real jarterm-server (in this
//! process, temp SQLite file): the key worker opens their case, raises a question the family
//! asked on the Questions tab, and sees it counted on the Summary.
#![cfg(all(unix, feature = "demo"))]

mod support;

use std::time::Duration;

use jarterm::api::Client;
use support::pty::Pty;

const STEP: Duration = Duration::from_secs(15);

#[test]
fn the_key_worker_raises_a_family_question_and_sees_it_counted_on_the_summary() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let home = tempfile::tempdir().expect("home");
    let db = format!("sqlite://{}", home.path().join("jar.db").display());
    let mut config = jar_server::ServerConfig::loopback(db);
    config.demo_cases = Some(3);
    let server = rt.block_on(jar_server::start(config)).expect("server");
    let base = server.base_url();
    let token = rt.block_on(async {
        let c = Client::new(&base).expect("client");
        c.login("demo-keyworker", "demo")
            .await
            .expect("sign in")
            .token
    });
    let mut pty = Pty::spawn(
        &["--server", base.as_str()],
        &[("JARTERM_TOKEN", token.as_str())],
        home.path(),
        120,
        40,
    );
    pty.wait_for("the board", STEP, |s| {
        s.contains("JAR-") && s.contains("live") && !s.contains("journal opening")
    });
    // The key worker's board holds only their own cases: open the first.
    pty.send(b"\r");
    pty.wait_for_text("Summary", STEP);
    pty.send(b"5");
    pty.wait_for_text("No questions from the family yet", STEP);
    pty.send(b"a");
    pty.wait_for_text("Raise a family question", STEP);
    pty.send(b"Could the cot mattress have played a part?");
    pty.wait_for_text("cot mattress", STEP);
    pty.send(b"\x13"); // Ctrl-S
    pty.wait_for_text("Saved: family question", STEP);
    pty.wait_for_text("Could the cot mattress", STEP);
    pty.send(b"1");
    pty.wait_for_text("1 family question, 1 open", STEP);
    pty.send(b"q");
    pty.wait_for("the board again", STEP, |s| !s.contains("family question"));
    pty.send(b"q");
    assert_eq!(pty.wait_exit(STEP), 0, "{}", pty.contents());
}
