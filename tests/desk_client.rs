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
