//! The newcomer's first command, `jarterm demo`, run in a real pseudo-terminal: the board shows
//! cases, a case opens, quitting hands the terminal back and removes the temporary data.

mod support;

use std::time::Duration;
use support::pty::{Pty, terminal_restored};

const STARTUP: Duration = Duration::from_secs(60);
const STEP: Duration = Duration::from_secs(15);

#[test]
fn jarterm_demo_shows_the_board_opens_a_case_and_cleans_up_on_quit() {
    let home = tempfile::tempdir().expect("home");
    let mut pty = Pty::spawn(&["demo"], &[], home.path(), 80, 24);

    pty.wait_for("the board with demo cases", STARTUP, |s| {
        s.contains("JAR-") && s.contains("demo-paed")
    });
    // Temporary data exists while the demo runs.
    let tmp = home.path().join("tmp");
    assert!(
        std::fs::read_dir(&tmp).expect("tmp").next().is_some(),
        "the demo keeps its data in TMPDIR"
    );

    pty.send(b"\r");
    pty.wait_for_text("Summary", STEP);
    pty.wait_for_text("Deadlines", STEP);

    pty.send(b"\x1b"); // Esc back to the board
    pty.wait_for("the board again", STEP, |s| s.contains("REF"));
    pty.send(b"q");
    let code = pty.wait_exit(STEP);
    assert_eq!(
        code,
        0,
        "jarterm demo exits cleanly; screen:\n{}",
        pty.contents()
    );

    terminal_restored(&pty.raw()).expect("terminal restored");
    let left: Vec<_> = std::fs::read_dir(&tmp).expect("tmp").collect();
    assert!(
        left.is_empty(),
        "the demo removed its temporary data, found {left:?}"
    );
}
