//! Faults from the network side: 500s, garbage JSON, a server that vanishes. Each becomes
//! words on the screen, never a crash. A tiny loopback HTTP responder stands in for the API.

mod common;

use common::*;
use jar_core::Role;
use jarterm::api::{ApiError, Client};
use jarterm::msg::ApiMsg;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Answer every request with `status` and `body`; returns the base URL.
async fn responder(status: &'static str, content_type: &'static str, body: &'static str) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = vec![0u8; 8192];
                let _ = sock.read(&mut buf).await;
                let reply = format!(
                    "HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = sock.write_all(reply.as_bytes()).await;
                let _ = sock.shutdown().await;
            });
        }
    });
    format!("http://{addr}")
}

#[tokio::test]
async fn a_server_error_is_shown_in_plain_words() {
    let base = responder(
        "500 Internal Server Error",
        "application/problem+json",
        r#"{"type":"https://jarterm.invalid/problems/internal","title":"Internal error","status":500,"detail":""}"#,
    )
    .await;
    let client = Client::new(&base).expect("client");
    let err = client.all_cases().await.expect_err("a 500");
    assert_eq!(err.status(), Some(500));
    let mut s = board_state(Role::Paediatrician);
    api(&mut s, ApiMsg::Cases(Err(err)));
    let text = screen(&s, 80, 24);
    assert!(text.contains("The server had a problem"), "{text}");
    // The cases already shown stay.
    assert!(text.contains("JAR-2026-0042"));
}

#[tokio::test]
async fn garbage_json_is_an_error_not_a_crash() {
    let base = responder(
        "200 OK",
        "application/json",
        "{\"items\": [ {\"reference\": 42 ",
    )
    .await;
    let client = Client::new(&base).expect("client");
    let err = client.all_cases().await.expect_err("garbage");
    assert!(matches!(err, ApiError::Decode(_)), "{err:?}");
    let mut s = board_state(Role::Paediatrician);
    api(&mut s, ApiMsg::Cases(Err(err)));
    assert!(screen(&s, 80, 24).contains("could not be read"));
}

#[tokio::test]
async fn a_403_on_contacts_reads_as_not_available() {
    let base = responder(
        "403 Forbidden",
        "application/problem+json",
        r#"{"type":"https://jarterm.invalid/problems/forbidden","title":"Forbidden","status":403,"detail":"Your role may not read the contact log."}"#,
    )
    .await;
    let client = Client::new(&base).expect("client");
    let err = client.contacts("JAR-2026-0042").await.expect_err("403");
    let (mut s, _) = case_state(Role::KeyWorker);
    api(
        &mut s,
        ApiMsg::Contacts {
            case_ref: "JAR-2026-0042".into(),
            result: Err(err),
            catalogue: None,
        },
    );
    press(&mut s, ch('4'));
    assert!(screen(&s, 80, 24).contains("Not available to your role"));
}

#[tokio::test]
async fn a_refused_write_gives_the_form_back_with_the_reason() {
    let base = responder(
        "422 Unprocessable Entity",
        "application/problem+json",
        r#"{"type":"https://jarterm.invalid/problems/invalid","title":"Invalid","status":422,"detail":"summary is longer than 20000 characters"}"#,
    )
    .await;
    let client = Client::new(&base).expect("client");
    let (mut s, _) = case_state(Role::KeyWorker);
    press(&mut s, ch('4'));
    press(&mut s, ch('a'));
    while s.form.as_ref().and_then(|f| f.focused()).map(|f| f.key) != Some("summary") {
        press(&mut s, key(crossterm::event::KeyCode::Tab));
    }
    type_text(&mut s, "Visited");
    let fx = press(&mut s, ctrl('s'));
    let pending = fx
        .iter()
        .find_map(|e| match e {
            jarterm::effect::Effect::Send(p) => Some((**p).clone()),
            _ => None,
        })
        .expect("a write");
    let result = client.send(&pending.write, pending.key).await;
    api(
        &mut s,
        ApiMsg::WriteDone {
            key: pending.key,
            result,
        },
    );
    let form = s.form.as_ref().expect("the form is back");
    assert_eq!(form.text("summary"), "Visited");
    assert!(form.error.as_deref().unwrap_or_default().contains("20000"));
    assert_eq!(s.waiting(), 0);
}
