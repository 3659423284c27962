//! Issue D, locked-down terminals and SSH: hostile server text on every screen (the drawn
//! buffer and the bytes a real backend writes), the idle lock, Ctrl-Z, paste, a closed input
//! stream, and running without a terminal. The pty tests of the real binary are in
//! tests/pty_terminals.rs.

mod common;

use common::*;
use crossterm::event::KeyCode;
use jar_core::Role;
use jarterm::effect::Effect;
use jarterm::msg::{ApiMsg, Msg};
use jarterm::state::State;
use jarterm::theme::Theme;
use jarterm::update::update;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::layout::Rect;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// What a hostile server might put in any string: clipboard writes (OSC 52), title changes
/// (OSC 0/2), screen clears, cursor moves, terminal queries, C1 controls, bidi overrides.
const CORPUS: &[&str] = &[
    "\u{1b}]52;c;ZXZpbA==\u{7}",
    "\u{1b}]52;p;ZXZpbA==\u{1b}\\",
    "\u{1b}]0;PWNED title\u{7}",
    "\u{1b}]2;PWNED title\u{1b}\\",
    "\u{1b}[2J",
    "\u{1b}[3J",
    "\u{1b}[H",
    "\u{1b}[10;10H",
    "\u{1b}[5A",
    "\u{1b}[?1049l",
    "\u{1b}[?1000h",
    "\u{1b}[?2004l",
    "\u{1b}[31;1m",
    "\u{1b}[6n",
    "\u{1b}[c",
    "\u{1b}]11;?\u{7}",
    "\u{1b}P+q544e\u{1b}\\",
    "\u{1b}c",
    "\u{1b}7\u{1b}8",
    "\u{9b}2J",
    "\u{9b}1;1H",
    "\u{9d}0;PWNED\u{9c}",
    "\u{90}PWNED\u{9c}",
    "\u{85}\u{84}\u{8d}",
    "\u{7}\u{8}\u{8}\u{7f}\u{0}",
    "\u{202e}\u{202d}\u{202a}\u{202b}\u{202c}",
    "\u{2066}\u{2067}\u{2068}\u{2069}\u{200e}\u{200f}",
];

fn payload() -> String {
    CORPUS.concat()
}

/// Every string leaf of `v` wrapped in the hostile corpus, sent through the API client's
/// decoder (as every response body is) and returned.
fn hostile<T: Serialize + DeserializeOwned>(v: &T) -> T {
    fn walk(v: &mut serde_json::Value, p: &str) {
        match v {
            serde_json::Value::String(s) => *s = format!("{p}{s}{p}"),
            serde_json::Value::Array(a) => a.iter_mut().for_each(|x| walk(x, p)),
            serde_json::Value::Object(m) => m.values_mut().for_each(|x| walk(x, p)),
            _ => {}
        }
    }
    let mut json = serde_json::to_value(v).expect("to json");
    walk(&mut json, &payload());
    let body = serde_json::to_vec(&json).expect("bytes");
    assert!(
        body.windows(4).any(|w| w == b"\\u00"),
        "the body carries the corpus"
    );
    jarterm::sanitize::decode(&body).expect("hostile body decodes")
}

/// A problem+json body with the corpus in every field, as the client reads it.
fn hostile_problem(status: u16, current: Option<serde_json::Value>) -> jarterm::api::ApiError {
    let p = payload();
    let body = serde_json::json!({
        "type": format!("{p}about:blank"),
        "title": format!("{p}Refused{p}"),
        "status": status,
        "detail": format!("{p}The server says no.{p}"),
        "current": current,
    });
    jarterm::api::client::problem(
        reqwest::StatusCode::from_u16(status).expect("status"),
        &serde_json::to_vec(&body).expect("bytes"),
    )
}

fn identity() -> jar_core::case::Identity {
    jar_core::case::Identity {
        child_name: "Test Child".into(),
        nhs_number: "999 000 0000".into(),
        address: "1 Example Road".into(),
        family: vec![],
        ..Default::default()
    }
}

/// A case open on `tab` with every part fed through the hostile decoder.
fn hostile_case(role: Role, tab: char) -> State {
    let mut s = board_state(role);
    s.board.cases = rows(hostile(&board_cases()));
    let fx = open(&mut s, "JAR-2026-0042");
    let r = "JAR-2026-0042".to_string();
    api(
        &mut s,
        ApiMsg::Case {
            case_ref: r.clone(),
            result: Ok(hostile(&detail(role))),
        },
    );
    api(
        &mut s,
        ApiMsg::Timeline {
            case_ref: r.clone(),
            result: Ok(hostile(&timeline())),
        },
    );
    api(
        &mut s,
        ApiMsg::Checklists {
            case_ref: r.clone(),
            result: Ok(hostile(&checklists())),
        },
    );
    // As `case_state`: the family's questions and the professionals involved, none yet.
    api(
        &mut s,
        ApiMsg::Questions {
            case_ref: r.clone(),
            result: Ok(Vec::new()),
        },
    );
    api(
        &mut s,
        ApiMsg::Involvements {
            case_ref: r.clone(),
            result: Ok(Vec::new()),
        },
    );
    if fx.iter().any(Effect::is_fetch_contacts) {
        api(
            &mut s,
            ApiMsg::Contacts {
                case_ref: r,
                result: Ok(hostile(&contacts())),
                catalogue: None,
            },
        );
    }
    press(&mut s, ch(tab));
    s
}

/// Every screen that shows text from the server, built from hostile bodies.
fn hostile_screens() -> Vec<(&'static str, State)> {
    let mut out = Vec::new();
    let mut board = board_state(Role::Paediatrician);
    api(&mut board, ApiMsg::Cases(Ok(rows(hostile(&board_cases())))));
    out.push(("board", board));
    out.push(("summary", hostile_case(Role::Paediatrician, '1')));
    out.push(("timeline", hostile_case(Role::Paediatrician, '2')));
    let mut checklists = hostile_case(Role::Paediatrician, '3');
    for _ in 0..3 {
        press(&mut checklists, key(KeyCode::Down));
    }
    out.push(("checklists", checklists));
    out.push(("contacts", hostile_case(Role::KeyWorker, '4')));
    let mut ident = hostile_case(Role::Paediatrician, '1');
    if let Some(c) = ident.case.as_mut() {
        c.identity = Some(hostile(&identity()));
    }
    out.push(("identity", ident));
    // A banner from a server error (problem+json).
    let mut banner = board_state(Role::Paediatrician);
    api(&mut banner, ApiMsg::Cases(Err(hostile_problem(409, None))));
    assert!(banner.banner.is_some());
    out.push(("banner", banner));
    // A live notification from the event stream (decoded the same way).
    let mut live = board_state(Role::Paediatrician);
    let ev = jar_core::wire::ChangeEvent {
        seq: 1,
        kind: jar_core::wire::ChangeKind::CaseCreated,
        case_ref: Some("JAR-2026-0099".into()),
        area: Some("Bristol".into()),
        category: None,
        version: Some(1),
        item: None,
        at: now(),
    };
    api(&mut live, ApiMsg::Change(hostile(&ev)));
    assert!(
        live.banner
            .as_ref()
            .is_some_and(|b| b.text.contains("JAR-2026-0099"))
    );
    out.push(("notification", live));
    // A refused write: the form comes back with the server's reason.
    let mut refused = hostile_case(Role::KeyWorker, '4');
    press(&mut refused, ch('a'));
    while refused
        .form
        .as_ref()
        .and_then(|f| f.focused())
        .map(|f| f.key)
        != Some("summary")
    {
        press(&mut refused, key(KeyCode::Tab));
    }
    type_text(&mut refused, "Spoke to mother");
    let fx = press(&mut refused, ctrl('s'));
    let key_of = |fx: &[Effect]| {
        fx.iter().find_map(|e| match e {
            Effect::Send(p) => Some(p.key),
            _ => None,
        })
    };
    if let Some(k) = key_of(&fx) {
        api(
            &mut refused,
            ApiMsg::WriteDone {
                key: k,
                result: Err(hostile_problem(422, None)),
            },
        );
        out.push(("refused_write", refused));
    }
    // A stale checklist edit: the conflict dialog shows the server's version.
    let mut conflict = hostile_case(Role::Paediatrician, '3');
    for _ in 0..3 {
        press(&mut conflict, key(KeyCode::Down));
    }
    press(&mut conflict, ch('e'));
    type_text(&mut conflict, "My note");
    let fx = press(&mut conflict, ctrl('s'));
    if let Some(k) = key_of(&fx) {
        let theirs = jar_core::checklist::ItemState {
            item_id: "x".into(),
            status: jar_core::checklist::ItemStatus::NotApplicable,
            note: Some("Their note".into()),
            updated_by: Some("demo-manager".into()),
            updated_at: Some(now()),
            version: 9,
            taken_at: None,
        };
        let current = serde_json::to_value(&theirs).expect("json");
        let mut poisoned = current.clone();
        if let Some(o) = poisoned.as_object_mut() {
            for f in ["note", "updated_by"] {
                o.insert(
                    f.into(),
                    format!("{}{}", payload(), current[f].as_str().unwrap_or("")).into(),
                );
            }
        }
        api(
            &mut conflict,
            ApiMsg::WriteDone {
                key: k,
                result: Err(hostile_problem(412, Some(poisoned))),
            },
        );
        out.push(("conflict", conflict));
    }
    out
}

/// The escape sequences ratatui's crossterm backend writes for its own drawing: cursor
/// moves (`H`), styles (`m`), cursor hide/show (`?25l`/`?25h`). Anything else came from
/// content.
fn foreign_escapes(bytes: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    let mut bad = Vec::new();
    let mut rest: &str = &text;
    while let Some(i) = rest.find('\u{1b}') {
        let seq = &rest[i + 1..];
        let ok = if let Some(body) = seq.strip_prefix('[') {
            let end = body
                .find(|c: char| ('\u{40}'..='\u{7e}').contains(&c))
                .unwrap_or(body.len());
            let params = &body[..end];
            let fin = body[end..].chars().next();
            match fin {
                Some('H') | Some('m') => params.chars().all(|c| c.is_ascii_digit() || c == ';'),
                Some('l') | Some('h') => params == "?25",
                _ => false,
            }
        } else {
            false
        };
        if !ok {
            bad.push(seq.chars().take(12).collect());
        }
        rest = seq;
    }
    bad
}

/// A `Write` whose bytes the test can read after the backend has written them.
#[derive(Clone, Default)]
struct Bytes(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Bytes {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("bytes").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn crossterm_bytes(s: &State, theme: &Theme, w: u16, h: u16) -> Vec<u8> {
    let bytes = Bytes::default();
    let backend = CrosstermBackend::new(bytes.clone());
    let mut t = Terminal::with_options(
        backend,
        ratatui::TerminalOptions {
            viewport: ratatui::Viewport::Fixed(Rect::new(0, 0, w, h)),
        },
    )
    .expect("terminal");
    t.draw(|f| jarterm::ui::render(s, theme, f)).expect("draw");
    drop(t);
    bytes.0.lock().expect("bytes").clone()
}

fn forbidden(c: char) -> bool {
    jar_core::text::is_forbidden_char(c) || c == '\u{1b}'
}

#[test]
fn hostile_server_text_never_reaches_the_screen_or_the_terminal() {
    let screens = hostile_screens();
    let names: Vec<_> = screens.iter().map(|(n, _)| *n).collect();
    for want in [
        "board",
        "summary",
        "timeline",
        "checklists",
        "contacts",
        "identity",
        "banner",
        "notification",
        "refused_write",
        "conflict",
    ] {
        assert!(names.contains(&want), "{want} missing from {names:?}");
    }
    let themes = [
        Theme::default_theme(),
        Theme::mono(),
        Theme::mono().with_ascii(true),
    ];
    for (name, s) in &screens {
        for theme in &themes {
            for (w, h) in [(120u16, 40u16), (80, 24), (60, 20)] {
                let buf = draw_with(s, theme, w, h);
                let text = buffer_text(buf.backend().buffer());
                assert!(
                    !text.chars().any(forbidden),
                    "{name} at {w}x{h} drew a control character:\n{text}"
                );
                assert!(!text.contains("PWNED"), "{name}: {text}");
                let bytes = crossterm_bytes(s, theme, w, h);
                let bad = foreign_escapes(&bytes);
                assert!(bad.is_empty(), "{name} at {w}x{h} wrote {bad:?}");
                let out = String::from_utf8_lossy(&bytes);
                for needle in [
                    "]52;",
                    "]0;",
                    "]2;",
                    "\u{1b}[2J",
                    "\u{1b}[3J",
                    "\u{1b}P",
                    "PWNED",
                ] {
                    assert!(!out.contains(needle), "{name} wrote {needle:?}");
                }
                assert!(
                    !out.chars()
                        .any(|c| forbidden(c) && c != '\u{1b}' && c != '\u{7f}'),
                    "{name} wrote a control character"
                );
            }
        }
    }
    // What the server meant to say still shows, cleaned.
    let s = &screens
        .iter()
        .find(|(n, _)| *n == "banner")
        .expect("banner")
        .1;
    assert!(screen(s, 120, 30).contains("The server says no."));
    let s = &screens
        .iter()
        .find(|(n, _)| *n == "identity")
        .expect("id")
        .1;
    assert!(screen(s, 120, 40).contains("Test Child"));
}

#[test]
fn hostile_text_draws_exactly_as_the_same_text_without_the_sequences() {
    // Nothing the corpus carried changes a single cell: widths and wrapping are unaffected.
    let (clean, _) = case_state(Role::KeyWorker);
    let mut clean = clean;
    press(&mut clean, ch('4'));
    let dirty = hostile_case(Role::KeyWorker, '4');
    assert_eq!(screen(&clean, 80, 24), screen(&dirty, 80, 24));
    let mut clean_board = board_state(Role::Paediatrician);
    api(&mut clean_board, ApiMsg::Cases(Ok(rows(board_cases()))));
    let mut dirty_board = board_state(Role::Paediatrician);
    api(
        &mut dirty_board,
        ApiMsg::Cases(Ok(rows(hostile(&board_cases())))),
    );
    assert_eq!(screen(&clean_board, 80, 24), screen(&dirty_board, 80, 24));
}

fn logged_in(role: Role) -> ApiMsg {
    ApiMsg::LoggedIn(Ok(jar_core::wire::LoginResponse {
        token: "new-token".into(),
        expires_at: now() + chrono::Duration::hours(8),
        user: principal(role),
    }))
}

#[test]
fn the_idle_lock_clears_the_screen_and_only_the_password_unlocks_keeping_drafts_and_place() {
    let (mut s, _) = case_state(Role::KeyWorker);
    s.idle_lock_minutes = Some(10);
    press(&mut s, ch('4'));
    press(&mut s, ch('a'));
    while s.form.as_ref().and_then(|f| f.focused()).map(|f| f.key) != Some("summary") {
        press(&mut s, key(KeyCode::Tab));
    }
    type_text(&mut s, "Half a note");
    let before = screen(&s, 80, 24);
    assert!(before.contains("Half a note"));
    update(&mut s, Msg::Tick(now() + chrono::Duration::minutes(10)));
    assert!(s.locked);
    // Every cell is redrawn: nothing of the case or the note is left on screen.
    let locked = screen(&s, 80, 24);
    for gone in ["Half a note", "JAR-2026-0042", "Bristol", "demo-paed"] {
        assert!(!locked.contains(gone), "{gone} still shown:\n{locked}");
    }
    assert!(
        locked.contains("locked") && locked.contains("password"),
        "{locked}"
    );
    // Keys do nothing but type the password; Tab cannot switch to another username.
    press(&mut s, key(KeyCode::Tab));
    press(&mut s, key(KeyCode::Esc));
    assert!(s.locked && !s.quit);
    type_text(&mut s, "wrong");
    let fx = press(&mut s, key(KeyCode::Enter));
    assert!(matches!(
        &fx[..],
        [Effect::Login { username, password }] if username == "demo-keyworker" && password == "wrong"
    ));
    assert!(
        !screen(&s, 80, 24).contains("wrong"),
        "the password is masked"
    );
    api(
        &mut s,
        ApiMsg::LoggedIn(Err(jarterm::api::ApiError::Unauthorized)),
    );
    assert!(s.locked, "a wrong password keeps it locked");
    assert!(!screen(&s, 80, 24).contains("Half a note"));
    for _ in 0.."wrong".len() {
        press(&mut s, key(KeyCode::Backspace));
    }
    type_text(&mut s, "right");
    let fx = press(&mut s, key(KeyCode::Enter));
    assert!(matches!(&fx[..], [Effect::Login { password, .. }] if password == "right"));
    api(&mut s, logged_in(Role::KeyWorker));
    assert!(!s.locked && s.login.is_none());
    // The same case, the same tab, the same form with the same words.
    assert_eq!(
        s.case.as_ref().map(|c| c.reference.as_str()),
        Some("JAR-2026-0042")
    );
    assert_eq!(
        s.form.as_ref().map(|f| f.text("summary")).as_deref(),
        Some("Half a note")
    );
    assert!(screen(&s, 80, 24).contains("Half a note"));
}

#[test]
fn the_idle_lock_is_ten_minutes_by_default() {
    assert_eq!(
        jarterm::config::Config::default().idle_lock_minutes,
        Some(10)
    );
}

#[test]
fn ctrl_z_keeps_drafts_then_suspends_and_the_state_is_untouched() {
    let (mut s, _) = case_state(Role::KeyWorker);
    press(&mut s, ch('4'));
    press(&mut s, ch('a'));
    type_text(&mut s, "x");
    let fx = press(&mut s, ctrl('z'));
    assert!(
        matches!(&fx[..], [Effect::SaveDrafts, Effect::Suspend]),
        "{fx:?}"
    );
    assert!(s.form.is_some() && !s.quit && s.dirty);
    // Without a form too, and with caps lock on.
    let mut b = board_state(Role::Paediatrician);
    let fx = press(&mut b, ctrl('Z'));
    assert!(fx.iter().any(|e| matches!(e, Effect::Suspend)));
}

#[test]
fn no_emoji_and_no_double_width_marks_are_drawn_by_the_ui() {
    use unicode_width::UnicodeWidthStr;
    let mut seen = std::collections::BTreeSet::new();
    for (name, s) in hostile_screens() {
        for (w, h) in [(120u16, 40u16), (80, 24), (60, 20)] {
            let t = draw_with(&s, &Theme::default_theme(), w, h);
            for cell in t.backend().buffer().content() {
                let sym = cell.symbol();
                if sym.is_ascii() {
                    continue;
                }
                seen.insert(sym.to_string());
                let emoji = sym.chars().any(
                    |c| matches!(c as u32, 0x1F000..=0x1FAFF | 0x2600..=0x27BF | 0xFE0F | 0x200D),
                );
                assert!(!emoji, "{name}: emoji {sym:?}");
                assert_eq!(sym.width(), 1, "{name}: {sym:?} is not one column");
            }
        }
    }
    // The UI's own marks: box drawing and a few punctuation marks, all ASCII in ASCII mode.
    assert!(seen.len() < 20, "{seen:?}");
}

#[test]
fn key_release_events_are_ignored_as_windows_sends_them_too() {
    let mut s = board_state(Role::Paediatrician);
    let mut release = ch('q');
    release.kind = crossterm::event::KeyEventKind::Release;
    let fx = press(&mut s, release);
    assert!(fx.is_empty() && !s.quit);
    let mut down = key(KeyCode::Down);
    down.kind = crossterm::event::KeyEventKind::Release;
    press(&mut s, down);
    assert_eq!(s.board.selected, 0);
}

fn contact_summary(role: Role) -> State {
    let (mut s, _) = case_state(role);
    press(&mut s, ch('4'));
    press(&mut s, ch('a'));
    while s.form.as_ref().and_then(|f| f.focused()).map(|f| f.key) != Some("summary") {
        press(&mut s, key(KeyCode::Tab));
    }
    s
}

#[test]
fn a_paste_is_normalised_stripped_and_never_submits() {
    let mut s = contact_summary(Role::KeyWorker);
    let fx = update(
        &mut s,
        Msg::Paste(format!(
            "one\r\ntwo\rthree\n{}four\u{1b}[201~\r\n",
            payload()
        )),
    );
    assert!(fx.is_empty());
    assert_eq!(
        s.form.as_ref().map(|f| f.text("summary")).as_deref(),
        Some("one\ntwo\nthree\nfour\n")
    );
    assert_eq!(s.waiting(), 0);
    assert!(s.form.is_some());
}

#[test]
fn a_paste_over_64_kib_is_refused_with_a_banner_and_typed_text_kept() {
    assert_eq!(jarterm::update::PASTE_CAP, 64 * 1024);
    let mut s = contact_summary(Role::KeyWorker);
    type_text(&mut s, "kept ");
    // Exactly at the cap is taken.
    update(&mut s, Msg::Paste("y".repeat(64 * 1024)));
    let len = s.form.as_ref().map(|f| f.text("summary").len());
    assert_eq!(len, Some(5 + 64 * 1024));
    let mut s = contact_summary(Role::KeyWorker);
    type_text(&mut s, "kept");
    let fx = update(&mut s, Msg::Paste("z".repeat(64 * 1024 + 1)));
    assert!(fx.is_empty());
    assert_eq!(
        s.form.as_ref().map(|f| f.text("summary")).as_deref(),
        Some("kept")
    );
    let text = screen(&s, 100, 30);
    assert!(text.contains("over 64 KiB"), "{text}");
}

/// The form typed into is kept as a draft (saved to disk by `Effect::SaveDrafts`, which
/// `force_quit` returns; the pty tests check the file survives a restart).
fn kept_as_draft(s: &State, text: &str) -> bool {
    s.form.is_none() && s.drafts.iter().any(|d| d.text("summary") == text)
}

#[tokio::test]
async fn a_closed_input_stream_keeps_drafts_and_stops_without_spinning() {
    for ending in [None, Some(std::io::Error::from_raw_os_error(5))] {
        let mut s = contact_summary(Role::KeyWorker);
        type_text(&mut s, "typed before the link dropped");
        let term = Terminal::new(ratatui::backend::TestBackend::new(80, 24)).expect("terminal");
        let client = jarterm::api::Client::new("http://127.0.0.1:9").expect("client");
        let mut app = jarterm::app::App::new(s, term, Theme::default_theme(), client);
        app.live_clock = false;
        // The stream ends (EOF), or fails as a read does with EIO after a hang-up.
        let mut input = futures::stream::iter(ending.map(Err));
        tokio::time::timeout(std::time::Duration::from_secs(10), app.run(&mut input))
            .await
            .expect("stops at once")
            .expect("no error");
        assert!(app.state.quit);
        assert!(kept_as_draft(&app.state, "typed before the link dropped"));
    }
    let mut s = contact_summary(Role::KeyWorker);
    type_text(&mut s, "words");
    let fx = update(&mut s, Msg::Terminate);
    assert!(fx.iter().any(|e| matches!(e, Effect::SaveDrafts)));
    assert!(s.quit && kept_as_draft(&s, "words"));
}

#[test]
fn without_a_terminal_jarterm_says_so_in_one_line_and_exits_2() {
    let home = tempfile::tempdir().expect("home");
    for args in [
        &[][..],
        &["demo"][..],
        &["--server", "http://127.0.0.1:9"][..],
    ] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_jarterm"))
            .args(args)
            .env("HOME", home.path())
            .env("XDG_CONFIG_HOME", home.path().join("config"))
            .env("XDG_STATE_HOME", home.path().join("state"))
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .output()
            .expect("run jarterm");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.contains("needs an interactive terminal; use ssh -t"),
            "{err}"
        );
        assert!(
            out.stdout.is_empty(),
            "nothing on stdout: no escape sequences either"
        );
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]
    /// Any size from 1x1 to 200x60, any screen with server text, any theme: no panic, and
    /// nothing is drawn outside the frame.
    #[test]
    fn no_screen_panics_at_any_size_from_1x1_to_200x60(
        w in 1u16..=200,
        h in 1u16..=60,
        which in 0usize..10,
        ascii in proptest::bool::ANY,
    ) {
        thread_local! {
            static SCREENS: Vec<(&'static str, State)> = hostile_screens();
        }
        let theme = if ascii { Theme::mono().with_ascii(true) } else { Theme::default_theme() };
        SCREENS.with(|screens| {
            let (_, s) = &screens[which % screens.len()];
            let t = draw_with(s, &theme, w, h);
            assert_eq!(t.backend().buffer().area.width, w);
        });
    }
}
