//! The statutory safeguarding clocks through the API (issue 14, section 2): they start when
//! abuse or neglect is recorded as known or suspected, carry their label, and never reach a
//! key worker, on the case or on the board (tipping off, hazard H39).

mod common;

use common::fixture;
use common::*;
use serde_json::json;

fn deadline<'a>(detail: &'a serde_json::Value, id: &str) -> Option<&'a serde_json::Value> {
    detail["deadlines"]
        .as_array()
        .expect("deadlines")
        .iter()
        .find(|d| d["rule_id"] == id)
}

#[tokio::test]
async fn the_panel_clocks_start_on_suspicion_and_never_reach_the_key_worker() {
    let h = Harness::sqlite().await;
    let f = fixture::build(&h).await;
    let a = &f.assigned;
    let before = f.police.get(&format!("/cases/{a}")).await.json();
    assert!(
        deadline(&before, "cspr_panel_notified").is_none(),
        "not before suspicion"
    );
    let r = f
        .social
        .post(
            &format!("/cases/{a}/timeline"),
            &json!({"kind": "abuse_or_neglect_suspected", "occurred_at": "2026-03-02T10:00:00Z", "note": "LA aware"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let police = f.police.get(&format!("/cases/{a}")).await.json();
    let panel = deadline(&police, "cspr_panel_notified").expect("panel clock for police");
    assert_eq!(panel["label"], "statutory");
    assert!(
        panel["source"]
            .as_str()
            .unwrap_or("")
            .contains("Children Act 2004")
    );
    // Monday 2 March 2026 + 5 working days = Monday 9 March, end of the day (GMT).
    assert_eq!(panel["due_at"], "2026-03-09T23:59:59Z");
    assert!(deadline(&police, "rapid_review").is_some());
    for path in [format!("/cases/{a}"), "/cases".to_string()] {
        let r = f.kw.get(&path).await;
        assert_eq!(r.status, 200, "{path}");
        for secret in [
            "cspr_panel_notified",
            "rapid_review",
            "Safeguarding Practice Review",
        ] {
            assert!(
                !r.body.contains(secret),
                "{path} leaked {secret} to the key worker"
            );
        }
    }
}
