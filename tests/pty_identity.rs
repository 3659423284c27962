//! Issue 15 §5 with the real `jarterm` binary in a pty against a real jarterm-server (in this
//! process, temp SQLite file): a paediatrician notifies a death with who the child is, opens
//! it and reveals the identity with a reason; then a manager exports the day's notifications
//! and finds the record (the export is the server's: the terminal never writes one).
#![cfg(all(unix, feature = "demo"))]

mod support;

use std::time::Duration;

use jarterm::api::Client;
use support::pty::Pty;

const STEP: Duration = Duration::from_secs(15);

#[test]
fn notify_with_identity_reveal_it_and_export_it_as_a_manager() {
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
        c.login("demo-paed", "demo").await.expect("sign in").token
    });
    // A synthetic NHS number no demo case has.
    let nhs = jar_server::demo::nhs_test_number(900_001);
    let mut pty = Pty::spawn(
        &["--server", base.as_str()],
        &[("JARTERM_TOKEN", token.as_str())],
        home.path(),
        120,
        40,
    );
    pty.wait_for("the board", STEP, |s| {
        // The journal settles first (a late "journal loaded" must not meet a half-filled form).
        s.contains("JAR-") && s.contains("live") && !s.contains("journal opening")
    });
    pty.send(b"N");
    pty.wait_for_text("Notify a death", STEP);
    // found, confirmed, place, area, age
    // Each step waits for the screen to show it, so a loaded machine cannot run keys together.
    pty.send(b"\t\t\t\t");
    pty.send(b"4");
    pty.wait_for("the age typed", STEP, |s| {
        s.lines()
            .any(|l| l.contains("Age in months") && l.contains('4'))
    });
    // sex, category, criteria: tick "sudden, no apparent cause"
    pty.send(b"\t\t\t");
    pty.send(b"\x1b[B");
    pty.wait_for("the criterion under the cursor", STEP, |s| {
        s.contains("sudden, no apparent cause")
    });
    pty.send(b" ");
    pty.wait_for_text("1 ticked", STEP);
    // decided by, rationale, then the identity: family name, given names, NHS number
    pty.send(b"\t\t\t");
    pty.send(b"Examplefamily");
    pty.wait_for_text("Examplefamily", STEP);
    pty.send(b"\t");
    pty.send(b"Child Sample");
    pty.wait_for_text("Child Sample", STEP);
    pty.send(b"\t");
    pty.send(nhs.as_bytes());
    pty.wait_for_text(&nhs, STEP);
    pty.send(b"\x13"); // Ctrl-S
    pty.wait_for_text("press g to open", STEP);
    let screen = pty.contents();
    assert!(
        !screen.contains("Examplefamily"),
        "no name on the board: {screen}"
    );
    pty.send(b"g");
    pty.wait_for_text("Summary", STEP);
    pty.send(b"r");
    pty.wait_for_text("Reveal", STEP);
    pty.send(b"Calling the family about the home visit");
    pty.send(b"\x13");
    pty.wait_for_text("Child Sample Examplefamily", STEP);
    pty.send(b"q");
    pty.wait_for("the board again", STEP, |s| !s.contains("Child Sample"));
    pty.send(b"q");
    assert_eq!(pty.wait_exit(STEP), 0, "{}", pty.contents());

    // The manager's export has the record, with the identity as entered.
    let body = rt.block_on(async {
        let c = Client::new(&base).expect("client");
        let token = c
            .login("demo-manager", "demo")
            .await
            .expect("sign in")
            .token;
        let today = jar_core::timeparse::uk_date(chrono::Utc::now());
        reqwest::Client::new()
            .get(format!(
                "{base}/api/v1/exports/notifications?from={today}&to={today}"
            ))
            .bearer_auth(token)
            .send()
            .await
            .expect("export")
            .text()
            .await
            .expect("body")
    });
    let v: serde_json::Value = serde_json::from_str(&body).expect("json");
    let digits: String = nhs.chars().filter(char::is_ascii_digit).collect();
    let found = v["records"]
        .as_array()
        .expect("records")
        .iter()
        .find(|r| r["nhs_number"] == digits.as_str())
        .cloned()
        .unwrap_or_default();
    assert_eq!(found["family_name"], "Examplefamily", "{body}");
    assert_eq!(found["given_names"], "Child Sample");
    rt.block_on(server.shutdown());
}
