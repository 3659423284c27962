//! Issue 15 against the real server: who the child is (identity added and corrected, the key
//! worker's view of the family's contact details), the same death notified twice, withdrawal,
//! assignment with its live event, key-worker cover, and the notification export.

mod common;

use common::fixture::{self, CHILD_NAME};
use common::*;
use jar_core::Role;
use serde_json::{Value, json};

const FAMILY_NAME: &str = "Quillwort-Example";
const PARENT_PHONE: &str = "07700 900123";

fn full_identity(nhs: &str) -> Value {
    json!({
        "child_name": CHILD_NAME,
        "family_name": FAMILY_NAME,
        "given_names": "Example Child",
        "other_names": ["Sample"],
        "nhs_number": nhs,
        "date_of_birth": "2025-11-01",
        "sex": "female",
        "ethnicity": "white_british",
        "address": "1 Example Street, Demo Town",
        "postcode": "ZZ99 1ZZ",
        "local_authority": "Demo Borough",
        "gp_practice": "Example Surgery",
        "school": "Example Nursery",
        "family": [{"relationship": "mother", "name": "Example Parent", "phone": PARENT_PHONE,
                    "preferences": "", "language": "Polish", "interpreter_needed": true}],
        "other_children": [{"first_name": "Sibling", "age_years": 4}]
    })
}

async fn audit_rows(mgr: &Person, case: &str) -> Vec<Value> {
    let r = mgr.get(&format!("/audit?case={case}")).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()["items"].as_array().cloned().unwrap_or_default()
}

async fn timeline(p: &Person, case: &str) -> Vec<Value> {
    let r = p.get(&format!("/cases/{case}/timeline")).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()["items"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn an_identity_added_after_notification_is_audited_by_field_names_and_timelined_without_values()
 {
    let h = Harness::sqlite().await;
    let paed = h.person("paed", Role::Paediatrician, &[NORTH]).await;
    let mgr = h.person("mgr", Role::Manager, &[NORTH]).await;
    let mut body = new_case(NORTH, "sudi");
    body["identity"] = Value::Null;
    let r = paed.post("/cases", &body).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let case = r.json()["case"]["reference"]
        .as_str()
        .expect("ref")
        .to_string();
    // Without If-Match: 428; with an old version: 412.
    let path = format!("/cases/{case}/identity");
    let nhs = fresh_nhs_number();
    let r = paed
        .send(
            reqwest::Method::PUT,
            &path,
            Some(full_identity(&nhs).to_string()),
            &[],
        )
        .await;
    r.assert_problem(428, "if-match-required");
    let r = paed.put(&path, &full_identity(&nhs), 7).await;
    r.assert_problem(412, "stale");
    let v = paed.version(&case).await;
    let r = paed.put(&path, &full_identity(&nhs), v).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        !r.body.contains(FAMILY_NAME),
        "the identity is not sent back"
    );
    assert_eq!(r.header("etag"), Some(format!("\"{}\"", v + 1)));
    // The same record again changes nothing.
    let r = paed.put(&path, &full_identity(&nhs), v + 1).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(paed.version(&case).await, v + 1);
    // A correction of one field.
    let mut corrected = full_identity(&nhs);
    corrected["postcode"] = json!("ZZ99 9ZZ");
    let r = paed.put(&path, &corrected, v + 1).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let events = timeline(&paed, &case).await;
    let corrections: Vec<&Value> = events
        .iter()
        .filter(|e| e["kind"] == "identity_corrected")
        .collect();
    assert_eq!(corrections.len(), 2);
    assert!(
        corrections[1]["note"]
            .as_str()
            .expect("note")
            .contains("postcode")
    );
    let all = serde_json::to_string(&events).expect("json");
    assert!(!all.contains("ZZ99") && !all.contains(FAMILY_NAME), "{all}");
    let audit = audit_rows(&mgr, &case).await;
    let corrects: Vec<&Value> = audit
        .iter()
        .filter(|a| a["action"] == "identity.correct")
        .collect();
    assert_eq!(corrects.len(), 2, "{audit:?}");
    assert_eq!(corrects[0]["detail"], "fields=postcode");
    let audit_text = serde_json::to_string(&audit).expect("json");
    assert!(!audit_text.contains("ZZ99") && !audit_text.contains(FAMILY_NAME));
    // The reveal now shows it.
    let r = paed
        .post(
            &format!("/cases/{case}/identity/reveal"),
            &json!({"reason": "calling the GP surgery"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["postcode"], "ZZ99 9ZZ");
    assert_eq!(r.json()["ethnicity"], "white_british");
    // A key worker may not correct it; a person may not post a server-only timeline kind.
    let kw = h.person("kw", Role::KeyWorker, &[NORTH]).await;
    let r = paed
        .post(
            &format!("/cases/{case}/timeline"),
            &json!({"kind": "identity_corrected"}),
        )
        .await;
    r.assert_problem(422, "invalid-text");
    let r = kw.put(&path, &corrected, v + 2).await;
    assert_eq!(r.status, 404, "not the key worker's case: {}", r.body);
}

#[tokio::test]
async fn nhs_numbers_are_checked_and_an_absent_number_needs_its_reason_alone() {
    let h = Harness::sqlite().await;
    let paed = h.person("paed", Role::Paediatrician, &[NORTH]).await;
    let mut body = new_case(NORTH, "sudi");
    body["identity"]["nhs_number"] = json!("999 000 0019");
    let r = paed.post("/cases", &body).await;
    r.assert_problem(422, "invalid-text");
    assert!(!r.body.contains("0019"), "the value is never echoed");
    body["identity"]["nhs_number"] = json!(fresh_nhs_number());
    body["identity"]["nhs_number_absent_reason"] = json!("not_currently_available");
    paed.post("/cases", &body)
        .await
        .assert_problem(422, "invalid-text");
    body["identity"]["nhs_number"] = json!("");
    body["identity"]["nhs_number_absent_reason"] = json!("child_not_resident_in_england");
    let r = paed.post("/cases", &body).await;
    assert_eq!(r.status, 201, "{}", r.body);
    // Every field optional: an empty identity is a notification too.
    let mut body = new_case(NORTH, "sudi");
    body["identity"] = json!({});
    assert_eq!(paed.post("/cases", &body).await.status, 201);
}

#[tokio::test]
async fn a_reveal_reason_of_one_repeated_character_is_refused() {
    let h = Harness::sqlite().await;
    let paed = h.person("paed", Role::Paediatrician, &[NORTH]).await;
    let case = paed.notify(NORTH, "sudi").await;
    let path = format!("/cases/{case}/identity/reveal");
    for reason in ["aaaaaaaaaaaa", "............", "x x x x x x x"] {
        let r = paed.post(&path, &json!({ "reason": reason })).await;
        r.assert_problem(422, "invalid-text");
    }
    let r = paed
        .post(&path, &json!({"reason": "home visit planning"}))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
}

#[tokio::test]
async fn the_key_worker_reads_the_family_contacts_of_an_assigned_case_each_read_audited() {
    let h = Harness::sqlite().await;
    let f = fixture::build(&h).await;
    let v = f.mgr.version(&f.assigned).await;
    let r = f
        .mgr
        .put(
            &format!("/cases/{}/identity", f.assigned),
            &full_identity(&fresh_nhs_number()),
            v,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let path = format!("/cases/{}/family-contacts", f.assigned);
    for _ in 0..2 {
        let r = f.kw.get(&path).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let family = &r.json()["family"][0];
        assert_eq!(family["phone"], PARENT_PHONE);
        assert_eq!(family["language"], "Polish");
        assert_eq!(family["interpreter_needed"], true);
        assert!(
            !r.body.contains(CHILD_NAME) && !r.body.contains("ZZ99"),
            "{}",
            r.body
        );
    }
    let reads = audit_rows(&f.mgr, &f.assigned)
        .await
        .into_iter()
        .filter(|a| a["action"] == "identity.family_contacts" && a["username"] == "kw")
        .count();
    assert_eq!(reads, 2);
    // Others reveal with a reason; a key worker's unassigned case is not there at all.
    f.paed.get(&path).await.assert_problem(403, "forbidden");
    f.police.get(&path).await.assert_problem(403, "forbidden");
    let r =
        f.kw.get(&format!("/cases/{}/family-contacts", f.unassigned))
            .await;
    r.assert_problem(404, "not-found");
}

#[tokio::test]
async fn the_same_death_notified_twice_is_answered_409_with_candidates_unless_confirmed_different()
{
    let h = Harness::sqlite().await;
    let paed = h.person("paed", Role::Paediatrician, &[NORTH]).await;
    let south = h.person("south-paed", Role::Paediatrician, &[SOUTH]).await;
    let nhs = fresh_nhs_number();
    let mut first = new_case(NORTH, "sudi");
    first["identity"] = full_identity(&nhs);
    let r = paed.post("/cases", &first).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let existing = r.json()["case"]["reference"]
        .as_str()
        .expect("ref")
        .to_string();
    // The same NHS number (written differently), in another area: certain.
    let mut again = new_case(SOUTH, "sudi");
    again["identity"] = json!({"nhs_number": nhs.replace(' ', "")});
    let r = south.post("/cases", &again).await;
    r.assert_problem(409, "possible-duplicate");
    let c = &r.json()["current"]["candidates"][0];
    assert_eq!(c["reference"], existing.as_str());
    assert_eq!(c["area"], NORTH);
    assert_eq!(c["likelihood"], "certain");
    assert!(c["notified_at"].is_string() && c["death_at"].is_string());
    assert!(!r.body.contains(CHILD_NAME) && !r.body.contains(FAMILY_NAME));
    // Same date of birth and sex, death a day later, no NHS number: likely.
    let mut likely = new_case(SOUTH, "sudi");
    likely["times"]["death_confirmed_at"] = json!("2026-03-02T03:00:00Z");
    likely["identity"] = json!({"date_of_birth": "2025-11-01", "sex": "female",
        "nhs_number_absent_reason": "not_currently_available"});
    let r = south.post("/cases", &likely).await;
    r.assert_problem(409, "possible-duplicate");
    assert_eq!(r.json()["current"]["candidates"][0]["likelihood"], "likely");
    // Three days apart is another death.
    let mut later = likely.clone();
    later["times"]["death_confirmed_at"] = json!("2026-03-04T04:00:00Z");
    assert_eq!(south.post("/cases", &later).await.status, 201);
    // The notifier looked and says it is a different death.
    likely["not_a_duplicate_of"] = json!([existing]);
    let r = south.post("/cases", &likely).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let created = r.json()["case"]["reference"]
        .as_str()
        .expect("ref")
        .to_string();
    let mgr = h.person("mgr", Role::Manager, &[NORTH, SOUTH]).await;
    let audit = audit_rows(&mgr, &created).await;
    assert!(
        audit.iter().any(|a| a["action"] == "case.create"
            && a["detail"].as_str().is_some_and(|d| d.contains(&existing))),
        "{audit:?}"
    );
}

#[tokio::test]
async fn a_notification_made_in_error_is_withdrawn_by_its_notifier_or_a_manager_and_leaves_the_board()
 {
    let h = Harness::sqlite().await;
    let paed = h.person("paed", Role::Paediatrician, &[NORTH]).await;
    let other = h.person("paed2", Role::Paediatrician, &[NORTH]).await;
    let mgr = h.person("mgr", Role::Manager, &[NORTH]).await;
    let case = paed.notify(NORTH, "sudi").await;
    let second = paed.notify(NORTH, "asthma").await;
    let path = format!("/cases/{case}/withdraw");
    let reason = json!({"reason": "notified on the wrong record, see the ward log"});
    let v = paed.version(&case).await;
    let r = other
        .send(
            reqwest::Method::POST,
            &path,
            Some(reason.to_string()),
            &[("if-match", &format!("\"{v}\""))],
        )
        .await;
    r.assert_problem(403, "forbidden");
    let r = paed
        .send(
            reqwest::Method::POST,
            &path,
            Some(json!({"reason": "zzzzzzzzzzzz"}).to_string()),
            &[("if-match", &format!("\"{v}\""))],
        )
        .await;
    r.assert_problem(422, "invalid-text");
    let r = paed
        .send(
            reqwest::Method::POST,
            &path,
            Some(reason.to_string()),
            &[("if-match", &format!("\"{v}\""))],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["case"]["stage"], "closed");
    let board = paed.get("/cases").await.json();
    let refs: Vec<&str> = board["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|c| c["reference"].as_str())
        .collect();
    assert_eq!(
        refs,
        vec![second.as_str()],
        "the withdrawn case left the board"
    );
    // Still readable by reference, and in the audit trail with its reason.
    assert_eq!(paed.get(&format!("/cases/{case}")).await.status, 200);
    assert!(
        timeline(&paed, &case)
            .await
            .iter()
            .any(|e| e["kind"] == "withdrawn")
    );
    let audit = audit_rows(&mgr, &case).await;
    assert!(audit.iter().any(|a| a["action"] == "case.withdraw"));
    // Twice is a conflict; a manager may withdraw another's notification.
    let v = paed.version(&case).await;
    let r = mgr
        .send(
            reqwest::Method::POST,
            &path,
            Some(reason.to_string()),
            &[("if-match", &format!("\"{v}\""))],
        )
        .await;
    r.assert_problem(409, "conflict");
    let v = mgr.version(&second).await;
    let r = mgr
        .send(
            reqwest::Method::POST,
            &format!("/cases/{second}/withdraw"),
            Some(reason.to_string()),
            &[("if-match", &format!("\"{v}\""))],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
}

#[tokio::test]
async fn a_manager_links_two_cases_of_the_same_death_and_the_duplicate_closes() {
    let h = Harness::sqlite().await;
    let paed = h.person("paed", Role::Paediatrician, &[NORTH]).await;
    let mgr = h.person("mgr", Role::Manager, &[NORTH]).await;
    let record = paed.notify(NORTH, "sudi").await;
    let dup = paed.notify(NORTH, "sudi").await;
    let path = format!("/cases/{record}/duplicates");
    let body = json!({"duplicate": dup, "reason": "same child, notified by ED and the ward"});
    let v = paed.version(&record).await;
    let etag = format!("\"{v}\"");
    let r = paed
        .send(
            reqwest::Method::POST,
            &path,
            Some(body.to_string()),
            &[("if-match", &etag)],
        )
        .await;
    r.assert_problem(403, "forbidden");
    let r = mgr
        .send(
            reqwest::Method::POST,
            &path,
            Some(body.to_string()),
            &[("if-match", &etag)],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.json()["case"]["stage"],
        "reported",
        "the record stays open"
    );
    let d = mgr.get(&format!("/cases/{dup}")).await.json();
    assert_eq!(d["case"]["stage"], "closed");
    assert!(
        timeline(&mgr, &dup)
            .await
            .iter()
            .any(|e| e["kind"] == "closed_as_duplicate"
                && e["note"].as_str().is_some_and(|n| n.contains(&record)))
    );
    assert!(
        timeline(&mgr, &record)
            .await
            .iter()
            .any(|e| e["note"].as_str().is_some_and(|n| n.contains(&dup)))
    );
    for case in [&record, &dup] {
        let audit = audit_rows(&mgr, case).await;
        assert!(
            audit.iter().any(|a| a["action"] == "case.duplicate"),
            "{case}"
        );
    }
    let board = mgr.get("/cases").await.body;
    assert!(board.contains(&record) && !board.contains(&dup));
    // Linking again is a conflict.
    let v = mgr.version(&record).await;
    let r = mgr
        .send(
            reqwest::Method::POST,
            &path,
            Some(body.to_string()),
            &[("if-match", &format!("\"{v}\""))],
        )
        .await;
    r.assert_problem(409, "conflict");
}

#[tokio::test]
async fn the_lead_paediatrician_assigns_a_key_worker_who_hears_it_at_once_and_sees_it_in_mine() {
    let h = Harness::sqlite().await;
    let paed = h.person("paed", Role::Paediatrician, &[NORTH]).await;
    let police = h.person("police", Role::Police, &[NORTH]).await;
    let kw = h.person("kw", Role::KeyWorker, &[NORTH]).await;
    h.person("kw-south", Role::KeyWorker, &[SOUTH]).await;
    let case = paed.notify(NORTH, "sudi").await;
    // The picker: key workers in the case's area only.
    let r = paed
        .get(&format!("/cases/{case}/assignments/key_worker"))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json(), json!([{"username": "kw", "role": "key_worker"}]));
    police
        .get(&format!("/cases/{case}/assignments/key_worker"))
        .await
        .assert_problem(403, "forbidden");
    // The paediatrician takes the lead, then assigns the key worker.
    let mut sse = Sse::open(&kw, None).await;
    let v = paed.version(&case).await;
    let r = paed
        .put(
            &format!("/cases/{case}/assignments/lead_paediatrician"),
            &json!({"username": "paed"}),
            v,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = paed
        .put(
            &format!("/cases/{case}/assignments/key_worker"),
            &json!({"username": "kw-south"}),
            v + 1,
        )
        .await;
    r.assert_problem(422, "unprocessable");
    let r = paed
        .put(
            &format!("/cases/{case}/assignments/key_worker"),
            &json!({"username": "kw"}),
            v + 1,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["case"]["people"]["key_worker"], "kw");
    let heard = sse
        .until(20, |frames| frames.iter().any(|f| f.data.contains(&case)))
        .await;
    assert!(heard, "the key worker hears of the assignment at once");
    let mine = kw.get("/cases?mine=true").await.json();
    assert_eq!(mine["items"][0]["reference"], case.as_str());
    assert_eq!(mine["items"][0]["assigned_to_me"], true);
    let events = timeline(&paed, &case).await;
    assert!(
        events
            .iter()
            .any(|e| e["kind"] == "assigned" && e["note"] == "key worker: kw")
    );
    let mgr = h.person("mgr", Role::Manager, &[NORTH]).await;
    assert!(
        audit_rows(&mgr, &case)
            .await
            .iter()
            .any(|a| a["action"] == "case.assign" && a["detail"] == "slot=key worker assignee=kw")
    );
    // Another paediatrician is not the lead: refused. Police may never assign.
    let other = h.person("paed2", Role::Paediatrician, &[NORTH]).await;
    let v = paed.version(&case).await;
    let r = other
        .put(
            &format!("/cases/{case}/assignments/police_contact"),
            &json!({"username": "police"}),
            v,
        )
        .await;
    r.assert_problem(403, "forbidden");
    let r = mgr
        .put(
            &format!("/cases/{case}/assignments/police_contact"),
            &json!({"username": "police"}),
            v,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
}

#[tokio::test]
async fn a_key_workers_cover_sees_their_cases_for_the_period_set_by_a_manager() {
    let h = Harness::sqlite().await;
    let mgr = h.person("mgr", Role::Manager, &[NORTH]).await;
    let kw = h.person("kw", Role::KeyWorker, &[NORTH]).await;
    let cover = h.person("kw2", Role::KeyWorker, &[NORTH]).await;
    let case = mgr.notify(NORTH, "sudi").await;
    let v = mgr.version(&case).await;
    let r = mgr
        .put(
            &format!("/cases/{case}/assignments/key_worker"),
            &json!({"username": "kw"}),
            v,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(cover.get(&format!("/cases/{case}")).await.status, 404);
    let now = chrono::Utc::now();
    let period = json!({"covered": "kw", "cover": "kw2",
        "from": (now - chrono::Duration::hours(1)).to_rfc3339(),
        "to": (now + chrono::Duration::days(7)).to_rfc3339()});
    kw.post("/covers", &period)
        .await
        .assert_problem(403, "forbidden");
    let r = mgr.post("/covers", &period).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(cover.get(&format!("/cases/{case}")).await.status, 200);
    let board = cover.get("/cases").await.json();
    assert_eq!(board["items"][0]["reference"], case.as_str());
    assert_eq!(mgr.get("/covers").await.json()[0]["cover"], "kw2");
    // The cover hears of changes to the case at once, as its key worker does.
    let mut sse = Sse::open(&cover, None).await;
    let r = mgr
        .post(
            &format!("/cases/{case}/timeline"),
            &json!({"kind": "note", "note": "cover walk"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let heard = sse
        .until(20, |frames| frames.iter().any(|f| f.data.contains(&case)))
        .await;
    assert!(heard, "the cover hears of the covered case");
    // A period that has not started gives nothing.
    let h2 = h.person("kw3", Role::KeyWorker, &[NORTH]).await;
    let future = json!({"covered": "kw", "cover": "kw3",
        "from": (now + chrono::Duration::days(1)).to_rfc3339(),
        "to": (now + chrono::Duration::days(2)).to_rfc3339()});
    assert_eq!(mgr.post("/covers", &future).await.status, 201);
    assert_eq!(h2.get(&format!("/cases/{case}")).await.status, 404);
}

/// An integer may be written `4.0`, as JSON Schema (the document's dialect) reads it: another
/// child's age too. Schemathesis sent `"age_years": 15.0` to `PUT /cases/{ref}/identity` and
/// the server refused a body the document calls valid (422, "expected u8").
#[tokio::test]
async fn another_childs_age_may_be_written_with_a_zero_fraction() {
    let h = Harness::sqlite().await;
    let paed = h.person("paed", Role::Paediatrician, &[NORTH]).await;
    let mut body = new_case(NORTH, "sudi");
    body["identity"]["other_children"] = json!([{"first_name": "Sibling", "age_years": 4.0}]);
    let r = paed.post("/cases", &body).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let case = r.json()["case"]["reference"]
        .as_str()
        .expect("reference")
        .to_string();
    let mut identity = full_identity("");
    identity["other_children"] = json!([{"first_name": "Sibling", "age_years": 15.0}, {"first_name": "Baby", "age_years": null}]);
    let v = paed.version(&case).await;
    let r = paed
        .send(
            reqwest::Method::PUT,
            &format!("/cases/{case}/identity"),
            Some(identity.to_string()),
            &[("if-match", &format!("\"{v}\""))],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let reveal = json!({"reason": "checking the household for the review"});
    let r = paed
        .post(&format!("/cases/{case}/identity/reveal"), &reveal)
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["other_children"][0]["age_years"], 15);
    identity["other_children"] = json!([{"first_name": "Sibling", "age_years": 4.5}]);
    let v = paed.version(&case).await;
    paed.send(
        reqwest::Method::PUT,
        &format!("/cases/{case}/identity"),
        Some(identity.to_string()),
        &[("if-match", &format!("\"{v}\""))],
    )
    .await
    .assert_problem(422, "invalid-body");
}

/// `not_a_duplicate_of` lists case references and nothing else: it goes into the audit detail,
/// and schemathesis's NUL inside one was a 500 on PostgreSQL (invalid byte sequence).
#[tokio::test]
async fn not_a_duplicate_of_takes_case_references_only() {
    let h = Harness::sqlite().await;
    let paed = h.person("paed", Role::Paediatrician, &[NORTH]).await;
    for bad in ["\u{0}ab", "fd", ""] {
        let mut body = new_case(NORTH, "sudi");
        body["not_a_duplicate_of"] = json!([bad]);
        paed.post("/cases", &body)
            .await
            .assert_problem(422, "invalid-text");
    }
    let mut body = new_case(NORTH, "sudi");
    body["not_a_duplicate_of"] = json!(["JAR-2026-0001"]);
    let r = paed.post("/cases", &body).await;
    assert_eq!(r.status, 201, "{}", r.body);
}
