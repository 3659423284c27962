//! The real binary in a pty (issue 12 §2): the demo keeps its journal in its own temporary
//! directory, and with `JARTERM_TOKEN` the status bar says where the token came from.
#![cfg(all(unix, feature = "demo"))]

mod support;

use std::time::Duration;

use jarterm::api::Client;
use support::pty::Pty;

const STARTUP: Duration = Duration::from_secs(60);
const STEP: Duration = Duration::from_secs(15);

/// Every file under `dir`, however deep.
fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn the_demo_keeps_its_drafts_in_its_temporary_directory_and_leaves_none_behind() {
    let home = tempfile::tempdir().expect("home");
    for _ in 0..2 {
        let mut pty = Pty::spawn(&["demo"], &[], home.path(), 100, 30);
        pty.wait_for("the board with demo cases", STARTUP, |s| {
            s.contains("JAR-") && s.contains("live")
        });
        // The second run starts with no draft from the first.
        assert!(
            !pty.contents().contains("unsaved draft"),
            "{}",
            pty.contents()
        );
        pty.send(b"N");
        pty.wait_for_text("Notify a death", STEP);
        pty.send(b"\t\t\t\t");
        pty.send(b"4");
        pty.send(b"\x1b");
        pty.wait_for("the board again", STEP, |s| !s.contains("Notify a death"));
        pty.send(b"q");
        assert_eq!(pty.wait_exit(STEP), 0, "{}", pty.contents());
    }
    // The log stays (it holds no case text); no journal does.
    let state = home.path().join("state");
    let left: Vec<_> = files_under(&state)
        .into_iter()
        .filter(|p| !p.ends_with("jarterm/jarterm.log"))
        .collect();
    assert!(left.is_empty(), "the demo left {left:?}");
    let tmp = files_under(&home.path().join("tmp"));
    assert!(tmp.is_empty(), "the demo left {tmp:?}");
}

#[test]
fn with_jarterm_token_the_status_bar_names_the_environment_not_the_keyring() {
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
    let mut pty = Pty::spawn(
        &["--server", base.as_str()],
        &[("JARTERM_TOKEN", token.as_str())],
        home.path(),
        160,
        24,
    );
    // Where no keyring works, nothing typed with a token alone is written to disk (issue 12
    // §3), and the status bar says so too.
    let no_keyring = matches!(
        jarterm::token_store::TokenStore::choose(&jarterm::config::TokenStoreKind::Keyutils),
        jarterm::token_store::TokenStore::Memory
    );
    // The status bar is drawn in steps (sign-in, the journal opening, the board): wait for
    // its final words, not its first.
    pty.wait_for("the status bar naming the token's source", STEP, |s| {
        s.contains("token: JARTERM_TOKEN") && (!no_keyring || s.contains("journal: memory only"))
    });
    let screen = pty.contents();
    assert!(screen.contains("token: JARTERM_TOKEN"), "{screen}");
    assert!(!screen.contains("kernel keyring"), "{screen}");
    pty.send(b"q");
    assert_eq!(pty.wait_exit(STEP), 0, "{}", pty.contents());
    rt.block_on(server.shutdown());
}
