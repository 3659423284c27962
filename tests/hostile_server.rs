//! Issue G: the TUI against a hostile server. Oversized bodies, deep JSON, wrong types, huge
//! strings and endless event streams give errors, bounded memory (the server counts what it
//! managed to send before the client hung up) and a loop that keeps taking keys.
//! The caps live in src/api/limits.rs and are documented in docs/security.md.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use futures::channel::mpsc::unbounded;
use jar_core::Role;
use jar_core::permissions::Principal;
use jarterm::api::limits::{MAX_BODY, MAX_SSE_EVENT};
use jarterm::api::{ApiError, Client};
use jarterm::app::App;
use jarterm::state::State;
use jarterm::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const MIB: u64 = 1024 * 1024;
/// What the kernel may buffer between the two ends of a loopback connection, and then some.
const SOCKET_SLACK: u64 = 16 * MIB;

/// How the hostile server answers `/cases` and `/events`.
#[derive(Clone, Copy, Debug)]
enum Mode {
    /// 50 MB case list with an honest Content-Length.
    HugeWithLength,
    /// 50 MB case list, no length: read until the server closes.
    HugeStreamed,
    /// 100,000 nested arrays.
    Deep,
    /// Fields of the wrong types.
    WrongTypes,
    /// A case whose fields hold a 10 MB string.
    HugeString,
    /// A gzip body of 40 KB that inflates to 32 MiB (a "zip bomb"), to a client asking for gzip.
    GzipBomb,
    /// A valid, empty list; the event stream sends changes forever, as fast as it can.
    EndlessEvents,
    /// A valid, empty list; the event stream sends one line that never ends.
    EndlessLine,
}

struct Hostile {
    base: String,
    /// Bytes the server managed to write (all connections).
    sent: Arc<AtomicU64>,
}

fn summary_json(big: &str) -> String {
    format!(
        r#"{{"reference":"JAR-2026-0042","area":"North Wessex{big}","age_band":"infant","category":"sudi","stage":"notified","key_times":{{}},"assigned_to_me":false,"open_deadlines":[],"progress":{{"done":0,"total":0}},"note":"{big}"}}"#
    )
}

async fn write_counted(sock: &mut tokio::net::TcpStream, sent: &AtomicU64, bytes: &[u8]) -> bool {
    match sock.write_all(bytes).await {
        Ok(()) => {
            sent.fetch_add(bytes.len() as u64, Ordering::Relaxed);
            true
        }
        Err(_) => false,
    }
}

async fn serve(mut sock: tokio::net::TcpStream, mode: Mode, sent: Arc<AtomicU64>) {
    let mut buf = vec![0u8; 16 * 1024];
    let n = sock.read(&mut buf).await.unwrap_or(0);
    let req = String::from_utf8_lossy(&buf[..n]).to_string();
    let path = req.split_whitespace().nth(1).unwrap_or("/").to_string();
    let head = |ctype: &str, len: Option<u64>| {
        let len = len
            .map(|l| format!("content-length: {l}\r\n"))
            .unwrap_or_default();
        format!("HTTP/1.1 200 OK\r\ncontent-type: {ctype}\r\n{len}connection: close\r\n\r\n")
    };
    if path.starts_with("/api/v1/events") {
        match mode {
            Mode::EndlessEvents => {
                if !write_counted(&mut sock, &sent, head("text/event-stream", None).as_bytes())
                    .await
                {
                    return;
                }
                for seq in 1u64.. {
                    let ev = format!(
                        "id: {seq}\nevent: change\ndata: {{\"seq\":{seq},\"kind\":\"case_updated\",\"case_ref\":\"JAR-2026-0042\",\"area\":\"North Wessex\",\"category\":null,\"version\":{seq},\"item\":null,\"at\":\"2026-03-01T03:00:00Z\"}}\n\n"
                    );
                    if !write_counted(&mut sock, &sent, ev.as_bytes()).await {
                        return;
                    }
                }
            }
            Mode::EndlessLine => {
                if !write_counted(&mut sock, &sent, head("text/event-stream", None).as_bytes())
                    .await
                {
                    return;
                }
                let chunk = vec![b'x'; 64 * 1024];
                let _ = write_counted(&mut sock, &sent, b"data: ").await;
                // At most 256 MiB, so a client without caps fails the test rather than the machine.
                for _ in 0..4096 {
                    if !write_counted(&mut sock, &sent, &chunk).await {
                        return;
                    }
                }
            }
            _ => {
                // Hold the stream open quietly.
                let _ = write_counted(&mut sock, &sent, head("text/event-stream", None).as_bytes())
                    .await;
                tokio::time::sleep(Duration::from_secs(30)).await;
            }
        }
        return;
    }
    if path.starts_with("/api/v1/cases") {
        match mode {
            Mode::HugeWithLength | Mode::HugeStreamed => {
                let total: u64 = 50 * 1_000_000;
                let len = matches!(mode, Mode::HugeWithLength).then_some(total);
                if !write_counted(&mut sock, &sent, head("application/json", len).as_bytes()).await
                {
                    return;
                }
                let item = summary_json("");
                let mut body = String::from("{\"items\":[");
                while body.len() < 1_000_000 {
                    body.push_str(&item);
                    body.push(',');
                }
                let mut left = total;
                while left > 0 {
                    let take = left.min(body.len() as u64) as usize;
                    if !write_counted(&mut sock, &sent, &body.as_bytes()[..take]).await {
                        return;
                    }
                    left -= take as u64;
                }
            }
            Mode::Deep => {
                let body = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
                let reply = format!(
                    "{}{body}",
                    head("application/json", Some(body.len() as u64))
                );
                let _ = write_counted(&mut sock, &sent, reply.as_bytes()).await;
            }
            Mode::WrongTypes => {
                let body = r#"{"items":[{"reference":42,"area":["x"],"age_band":{},"stage":7}],"next_cursor":false}"#;
                let reply = format!(
                    "{}{body}",
                    head("application/json", Some(body.len() as u64))
                );
                let _ = write_counted(&mut sock, &sent, reply.as_bytes()).await;
            }
            Mode::HugeString => {
                let big = "A".repeat(10 * 1_000_000);
                let body = format!(
                    "{{\"items\":[{}],\"next_cursor\":null}}",
                    summary_json(&big)
                );
                let reply = format!(
                    "{}{body}",
                    head("application/json", Some(body.len() as u64))
                );
                let _ = write_counted(&mut sock, &sent, reply.as_bytes()).await;
            }
            Mode::GzipBomb => {
                // Only to a client that asks for gzip, as the TUI does (else the test fails).
                if !req.to_ascii_lowercase().contains("accept-encoding: gzip") {
                    let body = r#"{"items":[],"next_cursor":null}"#;
                    let reply = format!(
                        "{}{body}",
                        head("application/json", Some(body.len() as u64))
                    );
                    let _ = write_counted(&mut sock, &sent, reply.as_bytes()).await;
                    return;
                }
                let body = gzip_bomb();
                let reply = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-encoding: gzip\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    body.len()
                );
                if write_counted(&mut sock, &sent, reply.as_bytes()).await {
                    let _ = write_counted(&mut sock, &sent, &body).await;
                }
            }
            Mode::EndlessEvents | Mode::EndlessLine => {
                let body = r#"{"items":[],"next_cursor":null}"#;
                let reply = format!(
                    "{}{body}",
                    head("application/json", Some(body.len() as u64))
                );
                let _ = write_counted(&mut sock, &sent, reply.as_bytes()).await;
            }
        }
        return;
    }
    let body = r#"{"type":"https://jarterm.invalid/problems/not-found","title":"Not found","status":404,"detail":"nothing here"}"#;
    let reply = format!(
        "HTTP/1.1 404 Not Found\r\ncontent-type: application/problem+json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = write_counted(&mut sock, &sent, reply.as_bytes()).await;
}

/// `{"items":[` and 32 MiB of spaces (valid JSON so far), gzipped.
fn gzip_bomb() -> Vec<u8> {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(br#"{"items":["#).expect("gzip");
    let spaces = vec![b' '; 1024 * 1024];
    for _ in 0..32 {
        gz.write_all(&spaces).expect("gzip");
    }
    gz.finish().expect("gzip")
}

async fn hostile(mode: Mode) -> Hostile {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let sent = Arc::new(AtomicU64::new(0));
    let counter = sent.clone();
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            tokio::spawn(serve(sock, mode, counter.clone()));
        }
    });
    Hostile {
        base: format!("http://{addr}"),
        sent,
    }
}

fn who() -> Principal {
    Principal {
        username: "hostile-test".into(),
        role: Role::Paediatrician,
        areas: vec!["North Wessex".into()],
    }
}

/// The case list from this server: an error, quickly, having read little.
async fn client_refuses(mode: Mode) -> (ApiError, u64) {
    let h = hostile(mode).await;
    let client = Client::new(&h.base).expect("client");
    client.set_token(Some("t".repeat(64)));
    let started = Instant::now();
    let err = tokio::time::timeout(Duration::from_secs(20), client.all_cases())
        .await
        .unwrap_or_else(|_| panic!("{mode:?}: the client hung"))
        .expect_err("a hostile answer is an error");
    assert!(started.elapsed() < Duration::from_secs(15), "{mode:?}");
    // Let the server notice the hang-up.
    tokio::time::sleep(Duration::from_millis(200)).await;
    (err, h.sent.load(Ordering::Relaxed))
}

#[tokio::test]
async fn a_50_mb_case_list_is_refused_at_the_cap_with_or_without_a_length() {
    for mode in [Mode::HugeWithLength, Mode::HugeStreamed] {
        let (err, sent) = client_refuses(mode).await;
        assert!(
            matches!(&err, ApiError::Decode(m) if m.contains("larger than 8 MiB")),
            "{mode:?}: {err:?}"
        );
        assert!(
            err.describe().contains("could not be read"),
            "{}",
            err.describe()
        );
        assert!(
            sent < MAX_BODY as u64 + SOCKET_SLACK,
            "{mode:?}: the client let the server send {sent} bytes"
        );
    }
}

#[tokio::test]
async fn a_compressed_list_that_inflates_past_the_cap_is_refused() {
    let (err, sent) = client_refuses(Mode::GzipBomb).await;
    assert!(
        matches!(&err, ApiError::Decode(m) if m.contains("larger than 8 MiB")),
        "{err:?}"
    );
    assert!(sent < 1024 * 1024, "a small body on the wire: {sent} bytes");
}

#[tokio::test]
async fn deep_json_wrong_types_and_a_10_mb_string_are_errors_not_crashes() {
    for mode in [Mode::Deep, Mode::WrongTypes, Mode::HugeString] {
        let (err, _) = client_refuses(mode).await;
        assert!(matches!(err, ApiError::Decode(_)), "{mode:?}: {err:?}");
    }
}

#[tokio::test]
async fn an_endless_line_on_the_event_stream_is_cut_at_the_cap() {
    let h = hostile(Mode::EndlessLine).await;
    let client = Client::new(&h.base).expect("client");
    client.set_token(Some("t".repeat(64)));
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let cancel = tokio_util::sync::CancellationToken::new();
    let task = tokio::spawn(jarterm::api::events::run(client, tx, cancel.clone(), None));
    // Wait for the first connection to be cut (the client then backs off and reconnects).
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut ended = false;
    while Instant::now() < deadline {
        match tokio::time::timeout(Duration::from_millis(200), rx.recv()).await {
            Ok(Some(jarterm::msg::Msg::Api(jarterm::msg::ApiMsg::Conn(c))))
                if c != jarterm::state::Conn::Live =>
            {
                ended = true;
                break;
            }
            Ok(None) => break,
            _ => {}
        }
    }
    cancel.cancel();
    let _ = tokio::time::timeout(Duration::from_secs(5), task).await;
    let sent = h.sent.load(Ordering::Relaxed);
    assert!(ended, "the stream was not cut (server sent {sent} bytes)");
    assert!(
        sent < 2 * (MAX_SSE_EVENT as u64 + SOCKET_SLACK),
        "the client let the server send {sent} bytes of one line"
    );
}

/// The App loop with the keyboard as a channel: `?` must open the help within a few seconds
/// whatever the server does, and `Esc` close it again.
async fn app_stays_responsive(mode: Mode) {
    let h = hostile(mode).await;
    let client = Client::new(&h.base).expect("client");
    client.set_token(Some("t".repeat(64)));
    let terminal = Terminal::new(TestBackend::new(100, 30)).expect("terminal");
    let mut app = App::new(
        State::signed_in(chrono::Utc::now(), "hostile", who()),
        terminal,
        Theme::default_theme(),
        client,
    );
    let (keys, mut input) = unbounded();
    app.start();
    // Let the hostile answers arrive first.
    let _ = app
        .run_until(&mut input, |_| false, Some(Duration::from_millis(1500)))
        .await;
    for round in 0..3 {
        let started = Instant::now();
        keys.unbounded_send(Ok(Event::Key(KeyEvent::new(
            KeyCode::Char('?'),
            KeyModifiers::NONE,
        ))))
        .expect("keys");
        app.run_until(&mut input, |s| s.help, Some(Duration::from_secs(5)))
            .await
            .unwrap_or_else(|e| panic!("{mode:?}: help did not open in round {round}: {e}"));
        keys.unbounded_send(Ok(Event::Key(KeyEvent::new(
            KeyCode::Esc,
            KeyModifiers::NONE,
        ))))
        .expect("keys");
        app.run_until(&mut input, |s| !s.help, Some(Duration::from_secs(5)))
            .await
            .unwrap_or_else(|e| panic!("{mode:?}: help did not close in round {round}: {e}"));
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{mode:?}: a key took {:?}",
            started.elapsed()
        );
    }
    // Quit cleanly: the loop is still ours.
    keys.unbounded_send(Ok(Event::Key(KeyEvent::new(
        KeyCode::Char('q'),
        KeyModifiers::NONE,
    ))))
    .expect("keys");
    let _ = app
        .run_until(&mut input, |s| s.quit, Some(Duration::from_secs(2)))
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tui_keeps_taking_keys_against_every_hostile_answer() {
    for mode in [
        Mode::HugeWithLength,
        Mode::HugeStreamed,
        Mode::Deep,
        Mode::WrongTypes,
        Mode::HugeString,
        Mode::GzipBomb,
        Mode::EndlessLine,
        Mode::EndlessEvents,
    ] {
        app_stays_responsive(mode).await;
    }
}
