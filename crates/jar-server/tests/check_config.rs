//! `jarterm-server check-config`: the bank-holiday calendar in force, and a warning 90 days
//! before it runs out (issue 14, section 2). "Today" is injected with the hidden `--today`.

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_jarterm-server");

/// Run `jarterm-server check-config ARGS`: (success, stdout, stderr).
fn check(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(BIN)
        .arg("check-config")
        .args(args)
        .env("RUST_LOG", "warn")
        .env_remove("JARTERM_BANK_HOLIDAYS")
        .output()
        .expect("run jarterm-server");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_built_in_calendar_is_reported_and_quiet_while_it_has_time_left() {
    let (ok, out, err) = check(&["--today", "2026-12-01"]);
    assert!(ok, "{err}");
    assert!(out.contains("bank holidays: gov.uk"), "{out}");
    assert!(out.contains("to 2028-12-31"), "{out}");
    assert!(!err.contains("warning"), "{err}");
}

#[test]
fn ninety_days_before_the_list_runs_out_check_config_warns() {
    let (ok, _, err) = check(&["--today", "2028-10-15"]);
    assert!(ok, "a warning is not a failure: {err}");
    assert!(
        err.contains("warning: the bank-holiday list runs out on 2028-12-31"),
        "{err}"
    );
    assert!(err.contains("--bank-holidays"), "says what to do: {err}");
}

#[test]
fn an_admin_supplied_newer_list_replaces_the_built_in_one() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("bank-holidays.json");
    std::fs::write(
        &path,
        r#"{"england-and-wales": {"division": "england-and-wales", "events": [
            {"title": "New Year’s Day", "date": "2029-01-01", "notes": "", "bunting": true}
        ]}}"#,
    )
    .expect("write");
    let p = path.display().to_string();
    let (ok, out, err) = check(&["--bank-holidays", &p, "--today", "2028-10-15"]);
    assert!(ok, "{err}");
    assert!(out.contains("to 2029-12-31"), "{out}");
    assert!(!err.contains("warning"), "{err}");
}

#[test]
fn a_broken_list_is_refused() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("bank-holidays.json");
    std::fs::write(
        &path,
        "{\"events\": [{\"title\": \"x\", \"date\": \"1/1/2029\"}]}",
    )
    .expect("write");
    let p = path.display().to_string();
    let (ok, _, err) = check(&["--bank-holidays", &p]);
    assert!(!ok);
    assert!(err.contains("not a usable bank-holiday list"), "{err}");
}
