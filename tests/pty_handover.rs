//! Issue 17 §3 with the real `jarterm` binary in two ptys against a real jarterm-server (in
//! this process, temp SQLite file): paediatrician A hands over two cases to B with a synthesis
//! line; B, in another terminal, is told at once, opens the handover and acknowledges one
//! case; the server then holds one case acknowledged and one open.
#![cfg(all(unix, feature = "demo"))]

mod support;

use std::time::Duration;

use jarterm::api::Client;
use jarterm::msg::WriteOk;
use jarterm::state::Write;
use support::pty::Pty;

const STEP: Duration = Duration::from_secs(20);

#[test]
fn a_paediatrician_hands_over_two_cases_and_the_colleague_acknowledges_one_in_another_terminal() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let home_a = tempfile::tempdir().expect("home a");
    let home_b = tempfile::tempdir().expect("home b");
    let db = format!("sqlite://{}", home_a.path().join("jar.db").display());
    let mut config = jar_server::ServerConfig::loopback(db);
    // demo-paed leads every other demo case: two of four.
    config.demo_cases = Some(4);
    let server = rt.block_on(jar_server::start(config)).expect("server");
    let base = server.base_url();
    // The manager adds the night paediatrician (one-time password), who signs in with it.
    let (token_a, token_b, drafted) = rt.block_on(async {
        let a = Client::new(&base).expect("client");
        a.set_token(Some(a.login("demo-paed", "demo").await.expect("a").token));
        let areas = a.me().await.expect("me").areas;
        let m = Client::new(&base).expect("client");
        m.set_token(Some(
            m.login("demo-manager", "demo").await.expect("mgr").token,
        ));
        let add = Write::AddUser {
            username: "night-paed".into(),
            role: jar_core::Role::Paediatrician,
            areas,
        };
        let Ok(WriteOk::Password(otp)) = m.send(&add, uuid::Uuid::new_v4()).await else {
            panic!("the manager adds night-paed");
        };
        let b = Client::new(&base).expect("client");
        let token_b = b.login("night-paed", &otp.password).await.expect("b").token;
        let drafted = a.handover_draft().await.expect("draft").entries.len();
        (a.token().expect("token"), token_b, drafted)
    });
    assert_eq!(drafted, 2, "demo-paed leads two active cases");
    let mut a = Pty::spawn(
        &["--server", base.as_str()],
        &[("JARTERM_TOKEN", token_a.as_str())],
        home_a.path(),
        100,
        30,
    );
    let mut b = Pty::spawn(
        &["--server", base.as_str()],
        &[("JARTERM_TOKEN", token_b.as_str())],
        home_b.path(),
        100,
        30,
    );
    for (p, who) in [(&a, "demo-paed"), (&b, "night-paed")] {
        p.wait_for("the board", STEP, |s| {
            s.contains("JAR-")
                && s.contains("live")
                && s.contains(who)
                && !s.contains("journal opening")
        });
    }
    a.send(b"H");
    a.wait_for_text("Handover · 2 cases", STEP);
    a.send(b"night");
    a.wait_for_text("Ctrl-S hands over to night-paed", STEP);
    a.send(b"\x1b[B"); // Down: the first case's synthesis
    a.send(b"Ring the DD if the coroner calls");
    a.wait_for_text("Ring the DD if the coroner calls", STEP);
    a.send(b"\x13"); // Ctrl-S
    a.wait_for_text("Handover sent to night-paed", STEP);
    // B is told by the change stream, without doing anything.
    b.wait_for_text(
        "Handover from demo-paed — 2 of 2 cases to acknowledge",
        STEP,
    );
    b.send(b"H");
    b.wait_for_text("Handover from demo-paed — 2 cases", STEP);
    b.wait_for_text("Ring the DD if the coroner calls", STEP);
    b.send(b" ");
    b.wait_for_text("1 marked", STEP);
    b.send(b"a");
    b.wait_for("the first case acknowledged", STEP, |s| {
        s.contains(" ACK JAR-") && s.contains("1 open")
    });
    // The server holds it so, for both of them.
    let h = rt.block_on(async {
        let c = Client::new(&base).expect("client");
        c.set_token(Some(token_a.clone()));
        c.handovers().await.expect("list")
    });
    assert_eq!(h.len(), 1);
    let acked: Vec<bool> = h[0]
        .cases
        .iter()
        .map(|c| c.acknowledged_at.is_some())
        .collect();
    assert_eq!(acked, vec![true, false]);
    assert_eq!(
        h[0].cases[0].entry.synthesis,
        "Ring the DD if the coroner calls"
    );
    b.send(b"q");
    b.wait_for("the board again", STEP, |s| {
        !s.contains("Handover from demo-paed — 2 cases")
    });
    for p in [&mut a, &mut b] {
        p.send(b"q");
        assert_eq!(p.wait_exit(STEP), 0, "{}", p.contents());
    }
    rt.block_on(server.shutdown());
}
