//! Issue 14 §1–2 through the API: case facts corrected after notification (audited, on the
//! timeline as "corrected from … to …", every deadline recomputed), the plausibility rules
//! enforced by the server (422 naming the field), deadlines marked not applicable and back,
//! the key worker's first contact counted from the key worker being named and met only by a
//! contact that reached the family.

mod common;

use common::*;
use jar_core::Role;
use jar_server::clock::Clock;
use serde_json::{Value, json};

/// A server on a manual clock at 2026-03-01 06:00 UTC (a Sunday, GMT), with a paediatrician,
/// a police officer, a key worker and a manager in the north.
async fn world() -> (Harness, Clock, [Person; 4]) {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}", dir.path().join("facts.db").display());
    let clock = Clock::manual("2026-03-01T06:00:00Z".parse().expect("time"));
    let mut config = jar_server::ServerConfig::loopback(&url);
    config.clock = clock.clone();
    let h = Harness::with_config(config, Some(dir)).await;
    let paed = h.person("paed", Role::Paediatrician, &[NORTH]).await;
    let police = h.person("police", Role::Police, &[NORTH]).await;
    let kw = h.person("kw", Role::KeyWorker, &[NORTH]).await;
    let mgr = h.person("mgr", Role::Manager, &[NORTH]).await;
    (h, clock, [paed, police, kw, mgr])
}

fn deadline<'a>(detail: &'a Value, id: &str) -> &'a Value {
    detail["deadlines"]
        .as_array()
        .expect("deadlines")
        .iter()
        .find(|d| d["rule_id"] == id)
        .unwrap_or_else(|| panic!("no deadline {id}: {detail}"))
}

async fn audit_rows(mgr: &Person, reference: &str, action: &str) -> Vec<Value> {
    let r = mgr.get(&format!("/audit?case={reference}")).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|e| e["action"] == action)
        .cloned()
        .collect()
}

async fn timeline(p: &Person, reference: &str) -> Vec<Value> {
    let r = p.get(&format!("/cases/{reference}/timeline")).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()["items"].as_array().expect("items").clone()
}

#[tokio::test]
async fn a_corrected_death_confirmation_moves_the_npa_window_and_says_so_on_the_timeline() {
    let (_h, _clock, [paed, _police, _kw, mgr]) = world().await;
    let mut body = new_case(NORTH, "sudi");
    body["times"] = json!({"last_seen_at": null, "found_at": "2026-03-01T05:30:00Z", "death_confirmed_at": "2026-03-01T05:50:00Z"});
    let r = paed.post("/cases", &body).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let case = r.json();
    let reference = case["case"]["reference"].as_str().expect("ref").to_string();
    assert_eq!(
        deadline(&case, "npa_window")["due_at"],
        "2026-03-01T13:30:00Z"
    );
    // The child was in fact found six hours earlier than first told.
    let patch = json!({"times": {"last_seen_at": "2026-02-28T22:00:00Z", "found_at": "2026-02-28T23:30:00Z", "death_confirmed_at": "2026-03-01T00:10:00Z"}});
    let r = paed.patch(&format!("/cases/{reference}"), &patch, 1).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header("etag").as_deref(), Some("\"2\""));
    let after = r.json();
    assert_eq!(
        deadline(&after, "npa_window")["due_at"],
        "2026-03-01T07:30:00Z",
        "the 8 h window counts from the corrected found time"
    );
    let entries = timeline(&paed, &reference).await;
    let corrected = entries
        .iter()
        .find(|e| e["kind"] == "facts_corrected")
        .expect("a timeline entry for the correction");
    let note = corrected["note"].as_str().expect("note");
    assert!(
        note.contains("found at corrected from Sun 01 Mar 05:30 GMT to Sat 28 Feb 23:30 GMT"),
        "{note}"
    );
    assert!(
        note.contains("last seen alive corrected from not known to"),
        "{note}"
    );
    let audit = audit_rows(&mgr, &reference, "case.update").await;
    assert_eq!(audit.len(), 1, "{audit:?}");
    let detail = audit[0]["detail"].as_str().expect("detail");
    assert!(detail.starts_with("fields=times"), "{detail}");
    assert!(detail.contains("corrected from"), "{detail}");
}

#[tokio::test]
async fn a_correction_needs_the_current_version_and_the_same_facts_again_change_nothing() {
    let (_h, _clock, [paed, _police, _kw, mgr]) = world().await;
    let reference = paed.notify(NORTH, "asthma").await;
    let path = format!("/cases/{reference}");
    let patch = json!({"category": "trauma"});
    paed.patch(&path, &patch, 7)
        .await
        .assert_problem(412, "stale");
    let r = paed
        .send(reqwest::Method::PATCH, &path, Some(patch.to_string()), &[])
        .await;
    r.assert_problem(428, "if-match-required");
    let r = paed.patch(&path, &patch, 1).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["case"]["category"], "trauma");
    let r = paed.patch(&path, &patch, 2).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header("etag").as_deref(), Some("\"2\""), "no new version");
    assert_eq!(audit_rows(&mgr, &reference, "case.update").await.len(), 1);
    let entries = timeline(&paed, &reference).await;
    let notes: Vec<&str> = entries
        .iter()
        .filter(|e| e["kind"] == "facts_corrected")
        .filter_map(|e| e["note"].as_str())
        .collect();
    assert_eq!(
        notes,
        ["presenting category corrected from Asthma to Trauma"]
    );
}

#[tokio::test]
async fn implausible_facts_are_refused_with_the_field_named() {
    let (_h, _clock, [paed, _police, _kw, _mgr]) = world().await;
    let cases: [(&str, Value, &str); 5] = [
        (
            "sudi",
            json!({"last_seen_at": null, "found_at": "2026-03-01T07:00:00Z", "death_confirmed_at": null}),
            "found_at is in the future",
        ),
        (
            "sudi",
            json!({"last_seen_at": "2026-03-01T05:00:00Z", "found_at": "2026-03-01T04:00:00Z", "death_confirmed_at": null}),
            "found_at is before last seen alive",
        ),
        (
            "trauma",
            json!({"last_seen_at": null, "found_at": "2026-03-01T04:00:00Z", "death_confirmed_at": "2026-03-01T03:00:00Z"}),
            "death_confirmed_at is before found",
        ),
        (
            "sudic",
            json!({"last_seen_at": null, "found_at": null, "death_confirmed_at": "2026-03-01T03:00:00Z"}),
            "found_at is required for SUDI and SUDIC",
        ),
        (
            "other",
            json!({"last_seen_at": null, "found_at": "1990-03-01T03:00:00Z", "death_confirmed_at": null}),
            "found_at is more than 18 years ago",
        ),
    ];
    for (category, times, detail) in cases {
        let mut body = new_case(NORTH, category);
        body["times"] = times;
        let r = paed.post("/cases", &body).await;
        r.assert_problem(422, "implausible");
        assert_eq!(r.json()["detail"], detail);
    }
    let mut old = new_case(NORTH, "other");
    old["age_months"] = json!(216);
    let r = paed.post("/cases", &old).await;
    r.assert_problem(422, "implausible");
    assert_eq!(
        r.json()["detail"],
        "age_months must be under 18 years (216 months)"
    );
    // The same rules on a correction: five minutes of clock skew are allowed, six are not.
    let reference = paed.notify(NORTH, "sudi").await;
    let path = format!("/cases/{reference}");
    let skew = json!({"times": {"last_seen_at": null, "found_at": "2026-03-01T06:04:00Z", "death_confirmed_at": null}});
    let r = paed.patch(&path, &skew, 1).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let future = json!({"times": {"last_seen_at": null, "found_at": "2026-03-01T06:06:00Z", "death_confirmed_at": null}});
    let r = paed.patch(&path, &future, 2).await;
    r.assert_problem(422, "implausible");
    assert_eq!(r.json()["detail"], "found_at is in the future");
    let no_found = json!({"times": {"last_seen_at": null, "found_at": null, "death_confirmed_at": "2026-03-01T03:00:00Z"}});
    let r = paed.patch(&path, &no_found, 2).await;
    assert_eq!(
        r.json()["detail"],
        "found_at is required for SUDI and SUDIC"
    );
    assert_eq!(paed.version(&reference).await, 2, "nothing was saved");
}

#[tokio::test]
async fn timeline_events_and_contacts_must_have_happened_and_a_next_contact_must_be_due() {
    let (_h, _clock, [paed, _police, kw, mgr]) = world().await;
    let reference = paed.notify(NORTH, "sudi").await;
    let v = mgr.version(&reference).await;
    let r = mgr
        .patch(
            &format!("/cases/{reference}"),
            &json!({"people": {"lead_paediatrician": "paed", "police_lead": null, "social_worker": null, "key_worker": "kw"}}),
            v,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let path = format!("/cases/{reference}/timeline");
    for (at, detail) in [
        ("2026-03-01T09:00:00Z", "occurred_at is in the future"),
        (
            "2025-01-01T09:00:00Z",
            "occurred_at is before the child was born",
        ),
        (
            "2026-03-01T02:00:00Z",
            "occurred_at is before the child was found",
        ),
    ] {
        let r = paed
            .post(
                &path,
                &json!({"kind": "death_confirmed", "occurred_at": at, "note": ""}),
            )
            .await;
        r.assert_problem(422, "implausible");
        assert_eq!(r.json()["detail"], detail, "{at}");
    }
    let r = paed
        .post(
            &path,
            &json!({"kind": "police_informed", "occurred_at": "2026-03-01T04:00:00Z", "note": ""}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let contacts = format!("/cases/{reference}/contacts");
    let mut future = new_contact("Spoke to mother");
    future["occurred_at"] = json!("2026-03-01T08:00:00Z");
    let r = kw.post(&contacts, &future).await;
    r.assert_problem(422, "implausible");
    assert_eq!(r.json()["detail"], "occurred_at is in the future");
    let mut overdue = new_contact("Spoke to mother");
    overdue["occurred_at"] = json!("2026-03-01T05:00:00Z");
    overdue["next_contact_due"] = json!("2026-03-01T05:30:00Z");
    let r = kw.post(&contacts, &overdue).await;
    assert_eq!(r.json()["detail"], "next_contact_due must be in the future");
    overdue["next_contact_due"] = json!("2026-03-08T10:00:00Z");
    let r = kw.post(&contacts, &overdue).await;
    assert_eq!(r.status, 201, "{}", r.body);
}

#[tokio::test]
async fn a_key_worker_may_not_correct_facts_and_flags_are_corrected_out_of_their_sight() {
    let (_h, _clock, [paed, police, kw, mgr]) = world().await;
    let reference = paed.notify(NORTH, "sudi").await;
    let path = format!("/cases/{reference}");
    let v = mgr.version(&reference).await;
    let r = mgr
        .patch(
            &path,
            &json!({"people": {"lead_paediatrician": "paed", "police_lead": "police", "social_worker": null, "key_worker": "kw"}}),
            v,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let v = v + 1;
    kw.patch(&path, &json!({"category": "other"}), v)
        .await
        .assert_problem(403, "forbidden");
    let flags = json!({"flags": {"criminal_investigation": true, "s47_strategy": false, "cspr_notified": false, "looked_after": false}});
    let r = police.patch(&path, &flags, v).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let police_sees = timeline(&police, &reference).await;
    let entry = police_sees
        .iter()
        .find(|e| e["kind"] == "flags_corrected")
        .expect("the flags' correction on the police timeline");
    assert_eq!(
        entry["note"],
        "flags corrected from none to criminal investigation"
    );
    let kw_sees = serde_json::to_string(&timeline(&kw, &reference).await).expect("json");
    assert!(!kw_sees.contains("flags_corrected"), "{kw_sees}");
    assert!(!kw_sees.contains("criminal"), "{kw_sees}");
}

#[tokio::test]
async fn a_home_visit_marked_not_applicable_leaves_the_overdue_counts_and_can_apply_again() {
    let (_h, clock, [paed, _police, kw, mgr]) = world().await;
    let reference = paed.notify(NORTH, "trauma").await;
    let path = format!("/cases/{reference}/deadlines/home_visit/not-applicable");
    let reason = json!({"reason": "Died in PICU after transfer: no home scene to visit"});
    // Two days on, the home visit is overdue and on the board.
    clock.advance(chrono::Duration::days(2));
    let board = paed.get("/cases").await.json();
    let row = &board["items"][0];
    assert!(
        row["open_deadlines"]
            .as_array()
            .expect("open")
            .iter()
            .any(|d| d["rule_id"] == "home_visit")
    );
    kw.put(&path, &reason, 1)
        .await
        .assert_problem(404, "not-found");
    paed.put(&path, &json!({"reason": "xxxxxxxxxxxx"}), 1)
        .await
        .assert_problem(422, "invalid-text");
    paed.put(&path, &reason, 9)
        .await
        .assert_problem(412, "stale");
    paed.put(
        &format!("/cases/{reference}/deadlines/npa_window/not-applicable"),
        &reason,
        1,
    )
    .await
    .assert_problem(404, "not-found");
    let r = paed.put(&path, &reason, 1).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let detail = r.json();
    let hv = deadline(&detail, "home_visit");
    assert_eq!(hv["state"], "not_applicable");
    assert_eq!(
        hv["not_applicable_reason"],
        "Died in PICU after transfer: no home scene to visit"
    );
    assert_eq!(detail["case"]["not_applicable"][0]["by"], "paed");
    let board = paed.get("/cases").await.json();
    assert!(
        !board["items"][0]["open_deadlines"]
            .as_array()
            .expect("open")
            .iter()
            .any(|d| d["rule_id"] == "home_visit"),
        "no longer counted as overdue"
    );
    let marked = audit_rows(&mgr, &reference, "deadline.not_applicable").await;
    assert_eq!(marked.len(), 1);
    assert!(
        marked[0]["detail"]
            .as_str()
            .unwrap_or("")
            .contains("rule=home_visit; reason: Died in PICU")
    );
    // Taken back: it counts (and is overdue) again, and that is audited too.
    let r = paed
        .send(
            reqwest::Method::DELETE,
            &path,
            None,
            &[("if-match", "\"2\"")],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(deadline(&r.json(), "home_visit")["state"], "overdue");
    assert_eq!(
        audit_rows(&mgr, &reference, "deadline.reinstated")
            .await
            .len(),
        1
    );
}

#[tokio::test]
async fn key_worker_first_contact_counts_from_naming_and_is_met_only_when_the_family_is_reached() {
    let (_h, clock, [paed, _police, kw, mgr]) = world().await;
    let reference = paed.notify(NORTH, "sudi").await;
    clock.advance(chrono::Duration::hours(2));
    let v = mgr.version(&reference).await;
    let r = mgr
        .put(
            &format!("/cases/{reference}/assignments/key_worker"),
            &json!({"username": "kw"}),
            v,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let first = deadline(&r.json(), "key_worker_first_contact").clone();
    assert_eq!(
        first["due_at"], "2026-03-03T08:00:00Z",
        "48 h from the key worker being named at 08:00"
    );
    assert!(
        timeline(&paed, &reference)
            .await
            .iter()
            .any(|e| e["kind"] == "key_worker_named" && e["occurred_at"] == "2026-03-01T08:00:00Z")
    );
    clock.advance(chrono::Duration::hours(2));
    let contacts = format!("/cases/{reference}/contacts");
    let mut missed = new_contact("Rang, no answer; left a message");
    missed["occurred_at"] = json!("2026-03-01T08:30:00Z");
    missed["outcome"] = json!("not_reached");
    assert_eq!(kw.post(&contacts, &missed).await.status, 201);
    let detail = kw.get(&format!("/cases/{reference}")).await.json();
    assert_eq!(
        deadline(&detail, "key_worker_first_contact")["state"],
        "due"
    );
    let mut reached = new_contact("Spoke to mother");
    reached["occurred_at"] = json!("2026-03-01T09:00:00Z");
    assert_eq!(kw.post(&contacts, &reached).await.status, 201);
    let detail = kw.get(&format!("/cases/{reference}")).await.json();
    let met = deadline(&detail, "key_worker_first_contact");
    assert_eq!(met["state"], "met");
    assert_eq!(met["met_at"], "2026-03-01T09:00:00Z");
}
