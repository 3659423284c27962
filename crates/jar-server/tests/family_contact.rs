//! The key worker's plan and the family's support through the API (issue 16 §1): "next
//! contact due" becomes the case's family-contact deadline (on the case, on the board, in a
//! key worker's overdue list), contacts record an interpreter, catalogue support and the CDR
//! leaflet apart, and an amendment can correct the structured fields.

mod common;

use chrono::{DateTime, Duration, TimeZone, Utc};
use common::*;
use jar_core::Role;
use jar_server::ServerConfig;
use jar_server::clock::Clock;
use serde_json::{Value, json};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
}

struct World {
    /// Keeps the server running for the test.
    _h: Harness,
    clock: Clock,
    kw: Person,
    mgr: Person,
    police: Person,
    /// An "other" case with no time of death known yet, so no other deadline is open: only
    /// the family contact can make it overdue.
    case: String,
}

async fn world_with(support: jar_core::support::AreaCatalogues) -> World {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}", dir.path().join("jar.db").display());
    let clock = Clock::manual(t0());
    let mut config = ServerConfig::loopback(url);
    config.clock = clock.clone();
    config.support = support;
    let h = Harness::with_config(config, Some(dir)).await;
    let kw = h.person("kw", Role::KeyWorker, &[NORTH]).await;
    let mgr = h.person("mgr", Role::Manager, &[NORTH, SOUTH]).await;
    let police = h.person("police", Role::Police, &[NORTH]).await;
    let mut body = new_case(NORTH, "other");
    body["times"] = json!({"last_seen_at": null, "found_at": null, "death_confirmed_at": null});
    let r = mgr.post("/cases", &body).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let case = r.json()["case"]["reference"]
        .as_str()
        .expect("reference")
        .to_string();
    let v = mgr.version(&case).await;
    let r = mgr
        .patch(
            &format!("/cases/{case}"),
            &json!({"people": {"key_worker": "kw"}}),
            v,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    World {
        _h: h,
        clock,
        kw,
        mgr,
        police,
        case,
    }
}

async fn world() -> World {
    world_with(Default::default()).await
}

fn contact(at: DateTime<Utc>, outcome: &str, next: Option<DateTime<Utc>>) -> Value {
    json!({
        "occurred_at": at,
        "direction": "outbound",
        "mode": "home_visit",
        "participants": ["mother", "interpreter"],
        "purpose": "initial_contact",
        "summary": "Visited the family with an interpreter (synthetic).",
        "outcome": outcome,
        "next_contact_due": next,
        "interpreter": true
    })
}

fn summary_of<'a>(list: &'a Value, reference: &str) -> Option<&'a Value> {
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|c| c["reference"] == reference)
}

fn family_deadline(detail: &Value) -> Option<Value> {
    detail["deadlines"]
        .as_array()
        .expect("deadlines")
        .iter()
        .find(|d| d["rule_id"] == "family_contact")
        .cloned()
}

async fn overdue_refs(p: &Person) -> Vec<String> {
    let r = p.get("/cases?overdue=true").await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|c| c["reference"].as_str().unwrap_or("").to_string())
        .collect()
}

#[tokio::test]
async fn the_next_contact_due_becomes_the_family_contact_deadline_on_the_case_and_the_board() {
    let w = world().await;
    let c = &w.case;
    let detail = w.kw.get(&format!("/cases/{c}")).await.json();
    assert!(family_deadline(&detail).is_none(), "no plan, no deadline");
    assert!(overdue_refs(&w.kw).await.is_empty(), "nothing overdue yet");

    let planned = t0() + Duration::days(2);
    let r =
        w.kw.post(
            &format!("/cases/{c}/contacts"),
            &contact(t0() - Duration::hours(1), "reached", Some(planned)),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);

    let detail = w.kw.get(&format!("/cases/{c}")).await.json();
    let d = family_deadline(&detail).expect("the plan is a deadline");
    assert_eq!(d["state"], "due");
    assert_eq!(d["label"], "local_practice");
    assert!(
        d["source"]
            .as_str()
            .unwrap_or("")
            .contains("key worker's own plan")
    );
    assert_eq!(d["due_at"], json!(planned));

    // On the board: its own field, not among the open deadlines every role counts.
    let board = w.mgr.get("/cases").await.json();
    let row = summary_of(&board, c).expect("on the board");
    assert_eq!(row["family_contact_due"], json!(planned));
    assert!(
        row["open_deadlines"]
            .as_array()
            .expect("open")
            .iter()
            .all(|d| d["rule_id"] != "family_contact")
    );

    // A day after the planned contact: overdue for the key worker, not for the manager.
    w.clock.set(planned + Duration::days(1));
    assert_eq!(overdue_refs(&w.kw).await, vec![c.clone()]);
    assert!(
        overdue_refs(&w.mgr).await.is_empty(),
        "the family contact counts as overdue for key workers only"
    );
    let detail = w.kw.get(&format!("/cases/{c}")).await.json();
    assert_eq!(family_deadline(&detail).expect("plan")["state"], "overdue");
}

#[tokio::test]
async fn a_contact_that_reaches_the_family_meets_the_plan_and_an_amendment_can_undo_that() {
    let w = world().await;
    let c = &w.case;
    let planned = t0() + Duration::days(1);
    let r =
        w.kw.post(
            &format!("/cases/{c}/contacts"),
            &contact(t0() - Duration::hours(2), "reached", Some(planned)),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let plan_id = r.json()["id"].as_i64().expect("id");

    // A call that did not reach them leaves the plan open.
    w.clock.set(planned + Duration::hours(1));
    let r =
        w.kw.post(
            &format!("/cases/{c}/contacts"),
            &contact(planned, "not_reached", None),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(overdue_refs(&w.kw).await, vec![c.clone()]);

    // A visit that reached them meets it: off the board's family column.
    let r =
        w.kw.post(
            &format!("/cases/{c}/contacts"),
            &contact(planned + Duration::minutes(30), "reached", None),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let visit_id = r.json()["id"].as_i64().expect("id");
    let detail = w.kw.get(&format!("/cases/{c}")).await.json();
    let d = family_deadline(&detail).expect("plan");
    assert_eq!(d["state"], "met");
    let board = w.kw.get("/cases").await.json();
    assert_eq!(
        summary_of(&board, c).expect("row")["family_contact_due"],
        Value::Null
    );

    // The visit's outcome was recorded wrongly: the amendment corrects it, and the plan is
    // open again. The original entry is kept as it was.
    let r =
        w.kw.post(
            &format!("/cases/{c}/contacts/{visit_id}/amendments"),
            &json!({"reason": "wrong outcome recorded", "text": "Nobody was home.",
                    "correct": {"outcome": "not_reached"}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let amended = r.json();
    assert_eq!(amended["outcome"], "reached", "the original stays");
    assert_eq!(
        amended["amendments"][0]["correct"]["outcome"],
        "not_reached"
    );
    let detail = w.kw.get(&format!("/cases/{c}")).await.json();
    assert_eq!(family_deadline(&detail).expect("plan")["state"], "overdue");

    // The plan itself is moved by correcting its next contact due.
    let later = planned + Duration::days(7);
    let r =
        w.kw.post(
            &format!("/cases/{c}/contacts/{plan_id}/amendments"),
            &json!({"reason": "family asked for next week", "text": "Visit moved.",
                    "correct": {"next_contact_due": later}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let board = w.kw.get("/cases").await.json();
    assert_eq!(
        summary_of(&board, c).expect("row")["family_contact_due"],
        json!(later)
    );
    assert!(overdue_refs(&w.kw).await.is_empty());

    // The audit names the corrected fields, never their values.
    let audit = w.mgr.get(&format!("/audit?case={c}")).await;
    assert_eq!(audit.status, 200, "{}", audit.body);
    assert!(audit.body.contains("corrects=outcome"), "{}", audit.body);
    assert!(audit.body.contains("corrects=next contact due"));
    assert!(!audit.body.contains("Nobody was home"));

    // Police may neither record nor correct the contact log.
    let r = w
        .police
        .post(
            &format!("/cases/{c}/contacts/{plan_id}/amendments"),
            &json!({"reason": "x", "text": "y", "correct": {"no_next_contact": true}}),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.body);
}

#[tokio::test]
async fn support_comes_from_the_areas_catalogue_and_the_leaflet_is_recorded_apart() {
    let area = jar_core::support::AreaCatalogues::from_toml(
        r#"
        [[area."North Wessex".category]]
        id = "all_bereaved_parents"
        title = "Bereaved parents"
        [[area."North Wessex".category.service]]
        id = "wessex_bereavement"
        name = "North Wessex child bereavement service (synthetic)"
        source = "test"
        "#,
    )
    .expect("catalogue");
    let w = world_with(area).await;
    let c = &w.case;
    let sudi = w.mgr.notify(NORTH, "sudi").await;
    let south = w.mgr.notify(SOUTH, "sudi").await;

    let list = w.mgr.get(&format!("/cases/{sudi}/contacts")).await.json();
    let cats = list["catalogue"]["category"].as_array().expect("catalogue");
    assert_eq!(cats[0]["id"], "infant_death", "SUDI services first");
    assert!(list.to_string().contains("Care of Next Infant (CONI)"));
    assert!(
        list.to_string().contains("wessex_bereavement"),
        "the area's own"
    );

    let mut body = contact(t0() - Duration::hours(1), "reached", None);
    body["support"] = json!([
        {"service": "coni", "response": "accepted", "referral_made": true},
        {"service": "wessex_bereavement", "response": "declined"}
    ]);
    body["cdr_leaflet_given"] = json!(true);
    let r = w.kw.post(&format!("/cases/{c}/contacts"), &body).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let stored = r.json();
    assert_eq!(stored["support"][0]["name"], "Care of Next Infant (CONI)");
    assert_eq!(stored["support"][0]["referral_made"], true);
    assert_eq!(stored["support"][1]["response"], "declined");
    assert_eq!(stored["cdr_leaflet_given"], true);
    assert_eq!(stored["interpreter"], true);

    // The area's own service is not known in another area.
    let mut elsewhere = body.clone();
    elsewhere["support"] = json!([{"service": "wessex_bereavement", "response": "offered"}]);
    let r = w
        .mgr
        .post(&format!("/cases/{south}/contacts"), &elsewhere)
        .await;
    r.assert_problem(422, "invalid-text");
    assert!(r.body.contains("support"), "{}", r.body);

    // v1's shapes are read from old records but refused on new ones, naming the field.
    for (field, value) in [
        ("mode", json!("via_interpreter")),
        ("mode", json!("attempted_no_answer")),
        ("support_offered", json!(["cdr_booklet_given"])),
    ] {
        let mut old = contact(t0() - Duration::hours(1), "reached", None);
        old[field] = value;
        let r = w.kw.post(&format!("/cases/{c}/contacts"), &old).await;
        r.assert_problem(422, "invalid-text");
        assert!(r.body.contains(field), "{field}: {}", r.body);
    }
    // The same service twice is one response too many.
    let mut twice = contact(t0() - Duration::hours(1), "reached", None);
    twice["support"] = json!([
        {"service": "coni", "response": "offered"},
        {"service": "coni", "response": "declined"}
    ]);
    let r = w.kw.post(&format!("/cases/{c}/contacts"), &twice).await;
    r.assert_problem(422, "invalid-text");
}
