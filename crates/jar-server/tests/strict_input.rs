//! Issue 13 §1: the API as a contract. Strict input everywhere, every error problem+json, and
//! a problem's `detail` never repeats what was sent. (Control characters are also run on
//! PostgreSQL by the storage suite: `storage.rs`.)

mod common;

use common::fixture::{self, *};
use common::*;
use reqwest::Method;
use serde_json::json;

/// Rows that must not move when a request is refused or changes nothing.
async fn counts(h: &Harness) -> Vec<i64> {
    let mut out = Vec::new();
    for t in [
        "cases",
        "timeline",
        "changes",
        "audit",
        "users",
        "idempotency",
    ] {
        out.push(h.count(t).await);
    }
    out
}

#[tokio::test]
async fn well_formed_json_of_the_wrong_shape_is_422_naming_the_field_without_echoing_it() {
    let h = Harness::sqlite().await;
    let f = fixture::build(&h).await;
    let before = counts(&h).await;
    let a = &f.assigned;
    // A number where an event kind belongs: 422, the field named, the value not repeated.
    let r = f
        .paed
        .post(&format!("/cases/{a}/timeline"), &json!({"kind": 5}))
        .await;
    r.assert_problem(422, "invalid-body");
    let detail = r.json()["detail"].as_str().unwrap_or_default().to_string();
    assert!(detail.contains("`kind`"), "{detail}");
    // A value nobody offered is named by field, and the value sent is not repeated.
    let r = f
        .paed
        .post(
            &format!("/cases/{a}/timeline"),
            &json!({"kind": "gardening-XYZZY"}),
        )
        .await;
    r.assert_problem(422, "invalid-body");
    assert!(!r.body.contains("XYZZY"), "{}", r.body);
    // Arrays are not objects, even where serde would read one as a struct.
    for body in [json!([null]), json!([]), json!(5), json!("case")] {
        f.mgr
            .post("/cases", &body)
            .await
            .assert_problem(422, "invalid-body");
    }
    let v = f.mgr.version(a).await;
    for body in [json!([null, null, null, null]), json!([null]), json!(7)] {
        f.mgr
            .patch(&format!("/cases/{a}"), &body, v)
            .await
            .assert_problem(422, "invalid-body");
    }
    assert_eq!(counts(&h).await, before);
}

#[tokio::test]
async fn an_empty_or_unchanged_patch_is_a_no_op_with_no_version_audit_or_event() {
    let h = Harness::sqlite().await;
    let f = fixture::build(&h).await;
    let a = &f.assigned;
    let v = f.mgr.version(a).await;
    let before = counts(&h).await;
    let r = f.mgr.patch(&format!("/cases/{a}"), &json!({}), v).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header("etag"), Some(format!("\"{v}\"")));
    // The same assignments and note again: nothing changes either.
    let same = json!({
        "people": {"lead_paediatrician": "paed", "police_lead": "police", "social_worker": "social", "key_worker": "kw"},
        "investigation_note": INVESTIGATION_NOTE
    });
    let r = f.mgr.patch(&format!("/cases/{a}"), &same, v).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(f.mgr.version(a).await, v);
    assert_eq!(counts(&h).await, before, "no version, audit row or change");
    // A real change still is one.
    let r = f
        .mgr
        .patch(
            &format!("/cases/{a}"),
            &json!({"investigation_note": "a new note"}),
            v,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(f.mgr.version(a).await, v + 1);
}

#[tokio::test]
async fn bodies_must_be_json_and_every_error_is_problem_json_even_414_and_bad_keys() {
    let h = Harness::sqlite().await;
    let f = fixture::build(&h).await;
    let before = counts(&h).await;
    let url = format!("{}/cases", f.mgr.base);
    let auth = format!("Bearer {}", f.mgr.token);
    for ctype in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        None,
    ] {
        let mut req = f
            .mgr
            .http
            .post(&url)
            .header("authorization", &auth)
            .header("idempotency-key", key())
            .body(new_case(NORTH, "sudi").to_string());
        if let Some(t) = ctype {
            req = req.header("content-type", t);
        }
        let res = req.send().await.expect("send");
        let r = Resp {
            status: res.status().as_u16(),
            headers: res.headers().clone(),
            body: res.text().await.expect("body"),
        };
        r.assert_problem(415, "unsupported-media-type");
    }
    // With a charset it is still JSON.
    let r = f
        .mgr
        .send(
            Method::POST,
            "/cases",
            Some(new_case(NORTH, "sudi").to_string()),
            &[
                ("idempotency-key", &key()),
                ("content-type", "application/json; charset=utf-8"),
            ],
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let after_one = counts(&h).await;
    assert_ne!(after_one, before);
    // An address longer than 8 KiB.
    let long = format!("/cases?q={}", "a".repeat(9000));
    f.mgr.get(&long).await.assert_problem(414, "uri-too-long");
    // Idempotency-Keys that are empty, too long or hold a tab.
    let long_key = "k".repeat(201);
    for bad in ["", "  ", long_key.as_str(), "a\tb"] {
        f.mgr
            .send(
                Method::POST,
                "/cases",
                Some(new_case(NORTH, "sudi").to_string()),
                &[("idempotency-key", bad)],
            )
            .await
            .assert_problem(400, "bad-request");
    }
    assert_eq!(counts(&h).await, after_one);
}

#[tokio::test]
async fn single_line_fields_reveal_reasons_passwords_and_areas_follow_their_rules() {
    let h = Harness::sqlite().await;
    let f = fixture::build(&h).await;
    let before = counts(&h).await;
    let a = &f.assigned;
    for decided_by in ["Dr Example\nInjected line", "Dr\tExample"] {
        let mut c = new_case(NORTH, "sudi");
        c["decided_by"] = json!(decided_by);
        let r = f.mgr.post("/cases", &c).await;
        r.assert_problem(422, "invalid-text");
        assert!(r.body.contains("single line"), "{}", r.body);
        let v = f.mgr.version(a).await;
        let patch = json!({"criteria": {"criteria": ["sudden_no_apparent_cause"], "decided_by": decided_by}});
        f.mgr
            .patch(&format!("/cases/{a}"), &patch, v)
            .await
            .assert_problem(422, "invalid-text");
    }
    // A reveal reason of a word or two is refused, saying how long it must be.
    let r = f
        .paed
        .post(
            &format!("/cases/{a}/identity/reveal"),
            &json!({"reason": "check"}),
        )
        .await;
    r.assert_problem(422, "invalid-text");
    assert!(r.body.contains("at least 10 characters"), "{}", r.body);
    // Passwords: at least 12 characters, and the message says why.
    let r = f
        .mgr
        .post(
            "/users",
            &json!({"username": "newbie", "password": "eleven-char", "role": "police", "areas": [NORTH]}),
        )
        .await;
    r.assert_problem(422, "invalid-text");
    assert!(
        r.body.contains("at least 12 characters") && r.body.contains("NCSC"),
        "{}",
        r.body
    );
    assert!(
        !r.body.contains("eleven-char"),
        "the password is never echoed"
    );
    // An area nobody has is refused with the list of the known ones ...
    let r = f.mgr.get("/cases?area=Atlantis").await;
    r.assert_problem(400, "bad-request");
    assert!(
        r.body.contains(NORTH) && r.body.contains(SOUTH),
        "{}",
        r.body
    );
    assert!(!r.body.contains("Atlantis"), "{}", r.body);
    let r = f.mgr.post("/cases", &new_case("Atlantis", "sudi")).await;
    r.assert_problem(422, "unprocessable");
    assert!(
        r.body.contains(NORTH) && !r.body.contains("Atlantis"),
        "{}",
        r.body
    );
    // ... while another team's area stays a plain empty answer (scope, not a mistake).
    let r = f
        .paed
        .get(&format!("/cases?area={}", SOUTH.replace(' ', "%20")))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(counts(&h).await, before);
}

#[tokio::test]
async fn a_problem_never_repeats_the_address_or_the_text_sent() {
    let h = Harness::sqlite().await;
    let f = fixture::build(&h).await;
    let marker = "ZQXJ";
    let probes = [
        format!("/cases/JAR-2026-9{marker}"),
        "/cases/JAR-2099-9999".to_string(),
        format!("/cases?stage=nowhere{marker}"),
        format!("/cases?colour{marker}=red"),
        format!("/cases/{}/checklists/sudi{marker}/items/x", f.assigned),
        format!("/nowhere{marker}"),
    ];
    for path in probes {
        let r = f.mgr.get(&path).await;
        assert!((400..500).contains(&r.status), "{path}: {}", r.status);
        assert_eq!(
            r.header("content-type").as_deref(),
            Some("application/problem+json"),
            "{path}"
        );
        assert!(!r.body.contains(marker), "{path} echoed: {}", r.body);
        assert!(
            !r.body.contains("JAR-2099-9999"),
            "{path} echoed: {}",
            r.body
        );
    }
    let r = f
        .mgr
        .send(
            Method::PUT,
            &format!("/cases/{}/checklists/sudi/items/NOPE{marker}", f.assigned),
            Some(json!({"status": "done"}).to_string()),
            &[("if-match", "\"1\"")],
        )
        .await;
    r.assert_problem(404, "not-found");
    assert!(!r.body.contains(marker), "{}", r.body);
    let mut c = new_case(NORTH, "sudi");
    c["age_months"] = json!(format!("four{marker}"));
    let r = f.mgr.post("/cases", &c).await;
    r.assert_problem(422, "invalid-body");
    assert!(
        r.body.contains("age_months") && !r.body.contains(marker),
        "{}",
        r.body
    );
}
