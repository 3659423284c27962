//! Bad input is answered with a clear problem+json and changes nothing.

mod common;

use common::fixture::{self, *};
use common::*;
use reqwest::Method;
use serde_json::json;

/// Row counts and the case version that must not move when a request is refused.
async fn snapshot(h: &Harness, f: &Fixture) -> Vec<i64> {
    let mut out = Vec::new();
    for t in [
        "cases",
        "timeline",
        "contacts",
        "items",
        "checklists",
        "changes",
        "users",
        "idempotency",
    ] {
        out.push(h.count(t).await);
    }
    out.push(f.mgr.version(&f.assigned).await);
    out
}

#[tokio::test]
async fn malformed_json_is_a_400_problem_and_changes_nothing() {
    let h = Harness::sqlite().await;
    let f = fixture::build(&h).await;
    let before = snapshot(&h, &f).await;
    for body in ["{", "{\"area\": }", "not json at all", ""] {
        let r = f
            .mgr
            .send(
                Method::POST,
                "/cases",
                Some(body.into()),
                &[("idempotency-key", &key())],
            )
            .await;
        r.assert_problem(400, "malformed-json");
    }
    assert_eq!(snapshot(&h, &f).await, before);
}

#[tokio::test]
async fn wrong_types_and_unknown_fields_are_422_problems_and_change_nothing() {
    let h = Harness::sqlite().await;
    let f = fixture::build(&h).await;
    let before = snapshot(&h, &f).await;
    let mut wrong_type = new_case(NORTH, "sudi");
    wrong_type["age_months"] = json!("four");
    let mut unknown = new_case(NORTH, "sudi");
    unknown["favourite_colour"] = json!("blue");
    let mut bad_enum = new_case(NORTH, "sudi");
    bad_enum["category"] = json!("gardening");
    for body in [wrong_type, unknown, bad_enum, json!([1, 2, 3])] {
        f.mgr
            .post("/cases", &body)
            .await
            .assert_problem(422, "invalid-body");
    }
    let v = f.mgr.version(&f.assigned).await;
    f.mgr
        .patch(
            &format!("/cases/{}", f.assigned),
            &json!({"colour": "red"}),
            v,
        )
        .await
        .assert_problem(422, "invalid-body");
    f.paed
        .post(
            &format!("/cases/{}/timeline", f.assigned),
            &json!({"kind": "note", "note": "x", "extra": 1}),
        )
        .await
        .assert_problem(422, "invalid-body");
    assert_eq!(snapshot(&h, &f).await, before);
}

#[tokio::test]
async fn a_body_over_256_kib_is_a_413_problem_and_changes_nothing() {
    let h = Harness::sqlite().await;
    let f = fixture::build(&h).await;
    let before = snapshot(&h, &f).await;
    let big = new_contact(&"x".repeat(300 * 1024));
    let r =
        f.kw.post(&format!("/cases/{}/contacts", f.assigned), &big)
            .await;
    r.assert_problem(413, "payload-too-large");
    assert_eq!(snapshot(&h, &f).await, before);
}

#[tokio::test]
async fn text_over_its_cap_is_a_422_problem_and_changes_nothing() {
    let h = Harness::sqlite().await;
    let f = fixture::build(&h).await;
    let before = snapshot(&h, &f).await;
    let a = &f.assigned;
    let note = "n".repeat(jar_core::text::caps::NOTE + 1);
    f.paed
        .post(
            &format!("/cases/{a}/timeline"),
            &json!({"kind": "note", "note": note}),
        )
        .await
        .assert_problem(422, "invalid-text");
    let summary = "s".repeat(jar_core::text::caps::SUMMARY + 1);
    f.kw.post(&format!("/cases/{a}/contacts"), &new_contact(&summary))
        .await
        .assert_problem(422, "invalid-text");
    let reason = "r".repeat(jar_core::text::caps::REASON + 1);
    f.paed
        .post(
            &format!("/cases/{a}/identity/reveal"),
            &json!({"reason": reason}),
        )
        .await
        .assert_problem(422, "invalid-text");
    let mut case = new_case(NORTH, "sudi");
    case["decided_by"] = json!("d".repeat(jar_core::text::caps::SHORT + 1));
    f.mgr
        .post("/cases", &case)
        .await
        .assert_problem(422, "invalid-text");
    let v = item_version(&f.paed, a, "sudi", "SUDI-B05").await;
    f.paed
        .put(
            &format!("/cases/{a}/checklists/sudi/items/SUDI-B05"),
            &json!({"status": "done", "note": note}),
            v,
        )
        .await
        .assert_problem(422, "invalid-text");
    assert_eq!(snapshot(&h, &f).await, before);
}

#[tokio::test]
async fn escape_c1_and_bidi_characters_in_text_are_422_problems_and_change_nothing() {
    let h = Harness::sqlite().await;
    let f = fixture::build(&h).await;
    let before = snapshot(&h, &f).await;
    let a = &f.assigned;
    for evil in [
        "clear \u{1b}[2J screen",
        "osc52 \u{1b}]52;c;aGk=\u{07}",
        "c1 \u{9b}2J",
        "bidi \u{202e}evil",
        "isolate \u{2066}x",
        "nul \u{0}",
    ] {
        f.paed
            .post(
                &format!("/cases/{a}/timeline"),
                &json!({"kind": "note", "note": evil}),
            )
            .await
            .assert_problem(422, "invalid-text");
        f.kw.post(&format!("/cases/{a}/contacts"), &new_contact(evil))
            .await
            .assert_problem(422, "invalid-text");
        let mut case = new_case(NORTH, "sudi");
        case["identity"]["child_name"] = json!(evil);
        f.mgr
            .post("/cases", &case)
            .await
            .assert_problem(422, "invalid-text");
        let v = f.mgr.version(a).await;
        f.mgr
            .patch(
                &format!("/cases/{a}"),
                &json!({"investigation_note": evil}),
                v,
            )
            .await
            .assert_problem(422, "invalid-text");
    }
    // Newline and tab are fine in notes.
    let r = f
        .paed
        .post(
            &format!("/cases/{a}/timeline"),
            &json!({"kind": "note", "note": "line one\n\tline two"}),
        )
        .await;
    assert_eq!(r.status, 201);
    let after = snapshot(&h, &f).await;
    assert_eq!(after[0], before[0], "no case was created");
    assert_eq!(after[2], before[2], "no contact was written");
}

#[tokio::test]
async fn unknown_addresses_methods_and_bad_queries_are_problems_too() {
    let h = Harness::sqlite().await;
    let f = fixture::build(&h).await;
    f.mgr.get("/nowhere").await.assert_problem(404, "not-found");
    f.mgr
        .get("/cases/not-a-reference")
        .await
        .assert_problem(404, "not-found");
    f.mgr
        .send(Method::DELETE, "/cases", None, &[])
        .await
        .assert_problem(405, "method-not-allowed");
    f.mgr
        .get("/cases?colour=red")
        .await
        .assert_problem(400, "bad-request");
    f.mgr
        .get("/cases?overdue=maybe")
        .await
        .assert_problem(400, "bad-request");
    f.mgr
        .get("/audit?since=yesterday")
        .await
        .assert_problem(400, "bad-request");
    let anon = Person {
        token: "nope".into(),
        ..f.mgr.clone()
    };
    let r = anon.get("/cases").await;
    r.assert_problem(401, "unauthorized");
    assert_eq!(r.header("www-authenticate").as_deref(), Some("Bearer"));
}
