//! Issue 17: the client's reads for the handover and the manager's desk, against a real
//! in-process jarterm-server with demo data.
#![cfg(feature = "demo")]

use jarterm::api::Client;
use jarterm::api::desk::AuditQuery;

async fn server() -> (jar_server::RunningServer, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("dir");
    let db = format!("sqlite://{}", dir.path().join("desk.db").display());
    let mut config = jar_server::ServerConfig::loopback(db);
    config.demo_cases = Some(8);
    (jar_server::start(config).await.expect("server starts"), dir)
}

async fn signed_in(server: &jar_server::RunningServer, who: &str) -> Client {
    let client = Client::new(&server.base_url()).expect("client");
    let login = client.login(who, "demo").await.expect("signs in");
    client.set_token(Some(login.token));
    client
}

#[tokio::test]
async fn the_paediatrician_reads_a_drafted_handover_and_the_manager_the_audit_and_users() {
    let (server, _dir) = server().await;
    let paed = signed_in(&server, "demo-paed").await;
    let draft = paed.handover_draft().await.expect("draft");
    assert!(
        !draft.entries.is_empty(),
        "demo-paed leads half the demo cases"
    );
    assert!(
        draft
            .entries
            .iter()
            .all(|e| e.awareness.iter().any(|a| a.starts_with("Lead: demo-paed"))),
        "{draft:?}"
    );
    assert!(
        draft.entries.iter().all(|e| e.synthesis.is_empty()),
        "the synthesis is left to the person"
    );
    assert!(paed.handovers().await.expect("handovers").is_empty());
    let refused = paed.audit(&AuditQuery::default()).await;
    assert_eq!(refused.err().and_then(|e| e.status()), Some(403));
    let mgr = signed_in(&server, "demo-manager").await;
    let sign_ins = mgr
        .audit(&AuditQuery {
            action: Some("session.create".into()),
            ..AuditQuery::default()
        })
        .await
        .expect("audit");
    assert!(
        sign_ins
            .items
            .iter()
            .any(|e| e.username == "demo-paed" && e.action == "session.create"),
        "{sign_ins:?}"
    );
    assert!(sign_ins.items.iter().all(|e| e.action == "session.create"));
    let users = mgr.users().await.expect("users");
    assert!(users.iter().any(|u| u.username == "demo-paed"));
    server.shutdown().await;
}

/// One write through the client as the outbox sends it (a fresh idempotency key).
async fn sent_by(
    c: &Client,
    w: jarterm::state::Write,
) -> Result<jarterm::msg::WriteOk, jarterm::api::ApiError> {
    c.send(&w, uuid::Uuid::new_v4()).await
}

#[tokio::test]
async fn a_manager_adds_a_paediatrician_who_receives_a_handover_and_acknowledges_one_case() {
    use jarterm::msg::WriteOk;
    use jarterm::state::Write;
    let (server, _dir) = server().await;
    let mgr = signed_in(&server, "demo-manager").await;
    let paed = signed_in(&server, "demo-paed").await;
    let areas = paed.me().await.expect("me").areas;
    // The manager adds the night paediatrician: a one-time password comes back, once.
    let added = sent_by(
        &mgr,
        Write::AddUser {
            username: "night-paed".into(),
            role: jar_core::Role::Paediatrician,
            areas: areas.clone(),
        },
    )
    .await
    .expect("added");
    let WriteOk::Password(otp) = added else {
        panic!("a one-time password: {added:?}");
    };
    assert_eq!(otp.username, "night-paed");
    let night = Client::new(&server.base_url()).expect("client");
    let login = night
        .login("night-paed", &otp.password)
        .await
        .expect("the one-time password signs in");
    night.set_token(Some(login.token));
    // The day paediatrician drafts: the night paediatrician may receive it.
    let (entries, candidates) = paed.handover_draft_with_candidates().await.expect("draft");
    assert!(
        candidates.contains(&"night-paed".to_string()),
        "{candidates:?}"
    );
    let two: Vec<_> = entries.into_iter().take(2).collect();
    assert_eq!(two.len(), 2, "demo-paed leads several cases");
    let refs: Vec<String> = two.iter().map(|e| e.reference.clone()).collect();
    let sent = sent_by(
        &paed,
        Write::SendHandover(jar_core::handover::NewHandover {
            incoming: "night-paed".into(),
            entries: two,
        }),
    )
    .await
    .expect("sent");
    let WriteOk::Handover(h) = sent else {
        panic!("{sent:?}");
    };
    let received = night.handovers().await.expect("list");
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].outgoing, "demo-paed");
    let acked = sent_by(
        &night,
        Write::AckHandover {
            id: h.id,
            ack: jar_core::handover::HandoverAck {
                cases: vec![refs[0].clone()],
                become_lead: true,
            },
        },
    )
    .await
    .expect("acknowledged");
    let WriteOk::Handover(h) = acked else {
        panic!("{acked:?}");
    };
    assert!(h.cases[0].acknowledged_at.is_some() && h.cases[0].became_lead);
    assert!(h.cases[1].acknowledged_at.is_none());
    assert!(!h.acknowledged);
    // The manager's audit shows both steps against the first case.
    let audit = mgr
        .audit(&AuditQuery {
            case_ref: Some(refs[0].clone()),
            ..AuditQuery::default()
        })
        .await
        .expect("audit");
    let actions: Vec<&str> = audit.items.iter().map(|e| e.action.as_str()).collect();
    assert!(
        actions.contains(&"handover.send") && actions.contains(&"handover.ack"),
        "{actions:?}"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn a_manager_sets_and_ends_a_key_workers_cover_and_disables_and_resets_users() {
    use jarterm::msg::WriteOk;
    use jarterm::state::Write;
    let (server, _dir) = server().await;
    let mgr = signed_in(&server, "demo-manager").await;
    let kw = signed_in(&server, "demo-keyworker").await;
    let areas = kw.me().await.expect("me").areas;
    sent_by(
        &mgr,
        Write::AddUser {
            username: "kw-cover".into(),
            role: jar_core::Role::KeyWorker,
            areas,
        },
    )
    .await
    .expect("added");
    let now = chrono::Utc::now();
    let cover = jar_core::people::Cover {
        covered: "demo-keyworker".into(),
        cover: "kw-cover".into(),
        from: now - chrono::Duration::minutes(1),
        to: now + chrono::Duration::days(7),
    };
    sent_by(&mgr, Write::SetCover(cover))
        .await
        .expect("cover set");
    let (_, covers) = mgr.users_and_covers().await.expect("covers");
    assert_eq!(covers.len(), 1);
    let end = jar_core::people::EndCover {
        covered: "demo-keyworker".into(),
        cover: "kw-cover".into(),
    };
    sent_by(&mgr, Write::EndCover(end.clone()))
        .await
        .expect("cover ended");
    let (_, covers) = mgr.users_and_covers().await.expect("covers");
    assert!(covers.is_empty(), "{covers:?}");
    let again = sent_by(&mgr, Write::EndCover(end)).await;
    assert_eq!(
        again.err().and_then(|e| e.status()),
        Some(404),
        "nothing left to end"
    );
    // A key worker may not end cover.
    let refused = sent_by(
        &kw,
        Write::EndCover(jar_core::people::EndCover {
            covered: "kw-cover".into(),
            cover: "demo-keyworker".into(),
        }),
    )
    .await;
    assert_eq!(refused.err().and_then(|e| e.status()), Some(403));
    let reset = sent_by(
        &mgr,
        Write::ResetPassword {
            username: "kw-cover".into(),
        },
    )
    .await
    .expect("reset");
    assert!(
        matches!(reset, WriteOk::Password(p) if p.username == "kw-cover" && p.password.len() >= 12)
    );
    sent_by(
        &mgr,
        Write::DisableUser {
            username: "kw-cover".into(),
        },
    )
    .await
    .expect("disabled");
    let users = mgr.users().await.expect("users");
    assert!(users.iter().any(|u| u.username == "kw-cover" && u.disabled));
    let audit = mgr
        .audit(&AuditQuery {
            action: Some("cover.end".into()),
            ..AuditQuery::default()
        })
        .await
        .expect("audit");
    assert_eq!(audit.items.len(), 1, "{audit:?}");
    assert!(audit.items[0].detail.contains("covered=demo-keyworker"));
    server.shutdown().await;
}
