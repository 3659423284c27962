//! Issue 16 §1 with the real `jarterm` binary in a pty against a real jarterm-server (in this
//! process, temp SQLite file): the key worker records a home visit with an interpreter, a
//! service accepted with a referral and the CDR leaflet; sees it on the Contacts tab, and the
//! next contact due as the family-contact deadline on the Summary. The server's record is
//! checked afterwards.
#![cfg(all(unix, feature = "demo"))]

mod support;

use std::time::Duration;

use jarterm::api::Client;
use support::pty::Pty;

const STEP: Duration = Duration::from_secs(15);

#[test]
fn a_key_worker_records_a_visit_with_an_interpreter_and_a_referral_and_sees_the_plan() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let home = tempfile::tempdir().expect("home");
    let db = format!("sqlite://{}", home.path().join("jar.db").display());
    let mut config = jar_server::ServerConfig::loopback(db);
    // Three demo cases: the second is demo-keyworker's.
    config.demo_cases = Some(3);
    let server = rt.block_on(jar_server::start(config)).expect("server");
    let base = server.base_url();
    let client = Client::new(&base).expect("client");
    let token = rt
        .block_on(client.login("demo-keyworker", "demo"))
        .expect("sign in")
        .token;
    client.set_token(Some(token.clone()));
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
    pty.send(b"\r");
    pty.wait_for_text("Summary", STEP);
    pty.send(b"4");
    pty.wait_for_text("Demo contact", STEP);
    pty.send(b"a");
    pty.wait_for_text("Log a contact with the family", STEP);
    // when, direction, mode (home visit), who was present, purpose, then the summary box.
    pty.send(b"\t\t\t");
    pty.send(b"mother, interpreter");
    pty.wait_for_text("mother, interpreter", STEP);
    pty.send(b"\t\t");
    pty.send(b"Home visit with a Polish interpreter");
    pty.wait_for_text("Home visit with a Polish interpreter", STEP);
    // Interpreter used.
    pty.send(b"\t ");
    pty.wait_for("the interpreter ticked", STEP, |s| {
        s.lines()
            .any(|l| l.contains("Interpreter used") && l.contains("[x] yes"))
    });
    // Outcome (reached), support offered, then accepted: the first service of the list.
    pty.send(b"\t\t\t ");
    pty.wait_for("a service accepted", STEP, |s| {
        s.lines()
            .any(|l| l.contains("Support accepted") && l.contains("1 ticked"))
    });
    // Declined, then the referral for the same service.
    pty.send(b"\t\t ");
    pty.wait_for("a referral ticked", STEP, |s| {
        s.lines()
            .any(|l| l.contains("Referrals made") && l.contains("1 ticked"))
    });
    pty.send(b"\t ");
    pty.wait_for("the leaflet ticked", STEP, |s| {
        s.lines()
            .any(|l| l.contains("CDR leaflet given") && l.contains("[x] yes"))
    });
    // Next contact due stays "+7d".
    pty.send(b"\x13"); // Ctrl-S
    pty.wait_for("the contact in the list", STEP, |s| {
        s.contains("home visit + interpreter")
    });
    // Select it (the newest is last).
    pty.send(b"\x1b[B");
    pty.wait_for("the contact on the Contacts tab", STEP, |s| {
        s.contains("interpreter used") && s.contains("(referred)")
    });
    let screen = pty.contents();
    assert!(screen.contains("CDR parents' leaflet given"), "{screen}");
    pty.send(b"1");
    pty.wait_for("the plan on the Summary", STEP, |s| {
        s.contains("Family contact (key worker") && s.contains("Next contact")
    });
    let screen = pty.contents();
    assert!(screen.contains("1 referred"), "{screen}");
    pty.send(b"q");
    pty.wait_for_text("JAR-", STEP);
    pty.send(b"q");
    assert_eq!(pty.wait_exit(STEP), 0, "{}", pty.contents());

    // The server holds it as recorded: interpreter, the referral, the leaflet apart.
    let contacts = rt.block_on(async {
        let cases = client.all_cases().await.expect("cases");
        let reference = cases.first().expect("a case").reference.clone();
        client.contacts(&reference).await.expect("contacts")
    });
    let mine = contacts
        .iter()
        .find(|c| c.entry.summary.contains("Polish interpreter"))
        .expect("the new contact");
    assert!(mine.entry.interpreter);
    assert!(mine.entry.cdr_leaflet_given);
    assert_eq!(mine.entry.support.len(), 1, "{:?}", mine.entry.support);
    assert!(mine.entry.support[0].referral_made);
    assert!(mine.entry.next_contact_due.is_some());
    rt.block_on(server.shutdown());
}
