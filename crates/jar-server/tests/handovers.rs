//! Issue 17: the on-call shift handover (visibility, acknowledgement, escalation after an hour
//! by the server's clock), users' one-time passwords, and the audit filters and CSV export.

mod common;

use common::*;
use jar_core::Role;
use jar_server::clock::Clock;
use serde_json::{Value, json};

const SYNTHESIS: &str = "SYNTH-2207 if the coroner's officer calls about the PM, ring the DD";

/// A server on a manual clock that starts two hours in the past, so the tokens the harness
/// issues (valid for an hour of real time) outlive the hour the tests move the clock on.
async fn harness_at(clock: &Clock) -> Harness {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}", dir.path().join("h.db").display());
    let mut config = jar_server::ServerConfig::loopback(&url);
    config.clock = clock.clone();
    Harness::with_config(config, Some(dir)).await
}

fn entry(reference: &str) -> Value {
    json!({
        "reference": reference,
        "severity": "WATCHER: Police informed OVERDUE 5h (soft)",
        "summary": "SUDI · ED response · 4 months · North Wessex · notified 5h ago",
        "actions": ["OVERDUE 5h Police informed [HLT]"],
        "awareness": ["Lead: day-paed · key worker: none", "Family: no contact recorded"],
        "synthesis": SYNTHESIS,
    })
}

struct Ward {
    h: Harness,
    clock: Clock,
    day: Person,
    night: Person,
    other_paed: Person,
    police: Person,
    kw: Person,
    mgr: Person,
    south_mgr: Person,
    a: String,
    b: String,
}

async fn ward() -> Ward {
    let clock = Clock::manual(chrono::Utc::now() - chrono::Duration::hours(2));
    let h = harness_at(&clock).await;
    let day = h.person("day-paed", Role::Paediatrician, &[NORTH]).await;
    let night = h.person("night-paed", Role::Paediatrician, &[NORTH]).await;
    let other_paed = h.person("other-paed", Role::Paediatrician, &[NORTH]).await;
    let police = h.person("police", Role::Police, &[NORTH]).await;
    let kw = h.person("kw", Role::KeyWorker, &[NORTH]).await;
    let mgr = h.person("mgr", Role::Manager, &[NORTH]).await;
    let south_mgr = h.person("south-mgr", Role::Manager, &[SOUTH]).await;
    let a = mgr.notify(NORTH, "sudi").await;
    let b = mgr.notify(NORTH, "asthma").await;
    Ward {
        h,
        clock,
        day,
        night,
        other_paed,
        police,
        kw,
        mgr,
        south_mgr,
        a,
        b,
    }
}

/// A new token for `p`, valid for an hour of the server's (moved) time.
async fn fresh_token(w: &Ward, p: &Person) -> Person {
    let store = w.h.server.store();
    let (token, hash) = jar_server::auth::new_token();
    let mut tx = store.begin().await.expect("begin");
    jar_server::store::users::insert_token(
        tx.conn(),
        &hash,
        &p.name,
        w.clock.now() + chrono::Duration::hours(1),
    )
    .await
    .expect("token");
    store.commit(tx).await.expect("commit");
    Person { token, ..p.clone() }
}

async fn send(from: &Person, to: &str, refs: &[&str]) -> Resp {
    let entries: Vec<Value> = refs.iter().map(|r| entry(r)).collect();
    from.post("/handovers", &json!({"incoming": to, "entries": entries}))
        .await
}

#[tokio::test]
async fn only_the_two_people_and_the_areas_managers_may_read_a_handover() {
    let w = ward().await;
    let r = send(&w.day, "night-paed", &[&w.a, &w.b]).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.json()["id"].as_i64().expect("id");
    assert_eq!(
        r.header("location").as_deref(),
        Some(format!("/api/v1/handovers/{id}").as_str())
    );
    let path = format!("/handovers/{id}");
    for (who, want) in [
        (&w.day, 200),
        (&w.night, 200),
        (&w.mgr, 200),
        (&w.other_paed, 404),
        (&w.police, 404),
        (&w.kw, 404),
        (&w.south_mgr, 404),
    ] {
        let r = who.get(&path).await;
        assert_eq!(
            r.status, want,
            "{} reading the handover: {}",
            who.name, r.body
        );
        let listed = who.get("/handovers").await;
        assert_eq!(listed.status, 200, "{}", listed.body);
        assert_eq!(
            listed.body.contains(SYNTHESIS),
            want == 200,
            "{} listing handovers: {}",
            who.name,
            listed.body
        );
    }
    let h = w.night.get(&path).await.json();
    assert_eq!(h["outgoing"], "day-paed");
    assert_eq!(h["incoming"], "night-paed");
    assert_eq!(h["areas"], json!([NORTH]));
    assert_eq!(h["cases"][0]["entry"]["synthesis"], SYNTHESIS);
    assert_eq!(h["acknowledged"], false);
    // Audited like a timeline note: one row per case, with the case reference.
    let audit = w
        .mgr
        .get(&format!("/audit?action=handover.send&case={}", w.a))
        .await;
    assert_eq!(audit.status, 200, "{}", audit.body);
    let items = audit.json()["items"].clone();
    assert_eq!(items.as_array().map(Vec::len), Some(1), "{items}");
    assert_eq!(
        items[0]["detail"],
        format!("handover={id} to=night-paed"),
        "{items}"
    );
    assert_eq!(items[0]["username"], "day-paed");
    // Text is never written to the audit log.
    assert!(!audit.body.contains("SYNTH-2207"));
}

#[tokio::test]
async fn the_draft_holds_the_cases_the_outgoing_person_leads_or_wrote_to_in_their_shift() {
    let w = ward().await;
    let third = w.mgr.notify(NORTH, "trauma").await;
    let v = w.mgr.version(&w.a).await;
    let r = w
        .mgr
        .patch(
            &format!("/cases/{}", w.a),
            &json!({"people": {"lead_paediatrician": "day-paed"}}),
            v,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = w
        .day
        .post(
            &format!("/cases/{}/timeline", w.b),
            &json!({"kind": "note", "note": "spoke to the coroner's officer"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let r = w.day.get("/handovers/draft").await;
    assert_eq!(r.status, 200, "{}", r.body);
    let draft = r.json();
    let refs: Vec<&str> = draft["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .filter_map(|e| e["reference"].as_str())
        .collect();
    assert_eq!(refs.len(), 2, "{draft}");
    assert!(refs.contains(&w.a.as_str()) && refs.contains(&w.b.as_str()));
    assert!(!refs.contains(&third.as_str()), "neither led nor touched");
    let a = draft["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .find(|e| e["reference"] == w.a.as_str())
        .cloned()
        .expect("a");
    assert!(
        a["summary"]
            .as_str()
            .expect("summary")
            .starts_with("SUDI · "),
        "{a}"
    );
    assert!(!a["severity"].as_str().expect("severity").is_empty());
    assert!(
        a["actions"].as_array().expect("actions").iter().any(|x| x
            .as_str()
            .is_some_and(|t| t.starts_with("TIME-CRITICAL open: "))),
        "the SUDI checklist's open time-critical items are on the action list: {a}"
    );
    assert!(
        a["awareness"]
            .as_array()
            .expect("awareness")
            .contains(&json!("Lead: day-paed · key worker: none")),
        "{a}"
    );
    assert_eq!(a["synthesis"], "");
    // What is drafted can be sent as it is.
    let r = w
        .day
        .post(
            "/handovers",
            &json!({"incoming": "night-paed", "entries": draft["entries"]}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    // A day later, the note no longer counts as this shift's; the lead still does.
    w.clock.advance(chrono::Duration::hours(25));
    let day = fresh_token(&w, &w.day).await;
    let later = day.get("/handovers/draft").await.json();
    assert_eq!(
        later["entries"].as_array().map(Vec::len),
        Some(1),
        "{later}"
    );
    assert_eq!(later["entries"][0]["reference"], w.a.as_str());
    let other_paed = fresh_token(&w, &w.other_paed).await;
    let police = fresh_token(&w, &w.police).await;
    let none = other_paed.get("/handovers/draft").await.json();
    assert_eq!(none["entries"], json!([]));
    police
        .get("/handovers/draft")
        .await
        .assert_problem(403, "forbidden");
}

#[tokio::test]
async fn a_handover_that_breaks_a_rule_is_refused_before_anything_is_stored() {
    let w = ward().await;
    let south_paed =
        w.h.person("south-paed", Role::Paediatrician, &[SOUTH])
            .await;
    let south_case =
        w.h.person("south-boss", Role::Manager, &[SOUTH])
            .await
            .notify(SOUTH, "other")
            .await;
    send(&w.police, "night-paed", &[&w.a])
        .await
        .assert_problem(403, "forbidden");
    send(&w.mgr, "night-paed", &[&w.a])
        .await
        .assert_problem(403, "forbidden");
    for (to, refs, why) in [
        ("day-paed", vec![w.a.as_str()], "to oneself"),
        ("police", vec![w.a.as_str()], "to someone not on the rota"),
        ("nobody", vec![w.a.as_str()], "to nobody"),
        (
            "south-paed",
            vec![w.a.as_str()],
            "to someone outside the area",
        ),
        (
            "night-paed",
            vec![w.a.as_str(), w.a.as_str()],
            "a case twice",
        ),
        (
            "night-paed",
            vec![south_case.as_str()],
            "a case out of scope",
        ),
        (
            "night-paed",
            vec!["JAR-1999-9999"],
            "a case that does not exist",
        ),
    ] {
        let r = send(&w.day, to, &refs).await;
        assert_eq!(r.status, 422, "{why}: {}", r.body);
        r.assert_problem(422, "unprocessable");
    }
    let r = w
        .day
        .post(
            "/handovers",
            &json!({"incoming": "night-paed", "entries": []}),
        )
        .await;
    assert_eq!(r.status, 422, "no cases: {}", r.body);
    assert_eq!(w.h.count("handovers").await, 0);
    let _ = south_paed;
}

#[tokio::test]
async fn the_incoming_colleague_acknowledges_one_case_becoming_lead_then_all_the_rest() {
    let w = ward().await;
    let r = send(&w.day, "night-paed", &[&w.a, &w.b]).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.json()["id"].as_i64().expect("id");
    let ack = format!("/handovers/{id}/acknowledgements");
    // Only the incoming person acknowledges.
    w.day
        .post(&ack, &json!({}))
        .await
        .assert_problem(403, "forbidden");
    w.mgr
        .post(&ack, &json!({}))
        .await
        .assert_problem(403, "forbidden");
    w.other_paed
        .post(&ack, &json!({}))
        .await
        .assert_problem(404, "not-found");
    w.night
        .post(&ack, &json!({"cases": ["JAR-1999-9999"]}))
        .await
        .assert_problem(422, "unprocessable");
    let version_before = w.mgr.version(&w.a).await;
    let r = w
        .night
        .post(&ack, &json!({"cases": [w.a], "become_lead": true}))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let h = r.json();
    assert_eq!(h["acknowledged"], false, "one case is still open");
    let case_a = h["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .find(|c| c["entry"]["reference"] == w.a.as_str())
        .cloned()
        .expect("case a");
    assert!(case_a["acknowledged_at"].is_string(), "{case_a}");
    assert_eq!(case_a["became_lead"], true);
    let detail = w.mgr.get(&format!("/cases/{}", w.a)).await.json();
    assert_eq!(detail["case"]["people"]["lead_paediatrician"], "night-paed");
    assert_eq!(
        detail["case"]["version"].as_i64(),
        Some(version_before + 1),
        "becoming lead is a case change"
    );
    // The rest, without becoming lead; acknowledging again changes nothing.
    let r = w.night.post(&ack, &json!({})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["acknowledged"], true);
    let b = w.mgr.get(&format!("/cases/{}", w.b)).await.json();
    assert!(b["case"]["people"]["lead_paediatrician"].is_null(), "{b}");
    let audit = w.mgr.get("/audit?action=handover.ack").await.json();
    assert_eq!(audit["items"].as_array().map(Vec::len), Some(2), "{audit}");
    let r = w.night.post(&ack, &json!({})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let audit = w.mgr.get("/audit?action=handover.ack").await.json();
    assert_eq!(audit["items"].as_array().map(Vec::len), Some(2), "{audit}");
    let updates = w
        .mgr
        .get(&format!("/audit?action=case.update&case={}", w.a))
        .await
        .json();
    assert_eq!(
        updates["items"][0]["detail"],
        format!("fields=people handover={id}")
    );
}

#[tokio::test]
async fn an_unacknowledged_handover_is_overdue_after_an_hour_for_the_outgoing_person_and_the_manager()
 {
    let w = ward().await;
    let r = send(&w.day, "night-paed", &[&w.a]).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.json()["id"].as_i64().expect("id");
    let overdue = |p: &Person| {
        let p = p.clone();
        async move {
            let one = p.get(&format!("/handovers/{id}")).await.json()["overdue"].clone();
            let listed = p.get("/handovers").await.json()["items"][0]["overdue"].clone();
            assert_eq!(one, listed, "{}: the list and the handover agree", p.name);
            one
        }
    };
    w.clock.advance(chrono::Duration::minutes(59));
    assert_eq!(overdue(&w.day).await, false);
    assert_eq!(overdue(&w.mgr).await, false);
    w.clock.advance(chrono::Duration::minutes(1));
    assert_eq!(overdue(&w.day).await, true, "the outgoing person sees it");
    assert_eq!(overdue(&w.mgr).await, true, "the area's manager sees it");
    let r = w
        .night
        .post(&format!("/handovers/{id}/acknowledgements"), &json!({}))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        overdue(&w.day).await,
        false,
        "acknowledged: no longer overdue"
    );
}

#[tokio::test]
async fn the_change_stream_tells_the_rota_and_managers_of_a_handover_and_nobody_else() {
    let w = ward().await;
    let mut night = Sse::open(&w.night, Some("0")).await;
    let mut police = Sse::open(&w.police, Some("0")).await;
    let r = send(&w.day, "night-paed", &[&w.a]).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.json()["id"].as_i64().expect("id");
    let item = format!("\"item\":\"{id}\"");
    let heard = night
        .until(30, |fr| {
            fr.iter()
                .any(|f| f.data.contains("handover_sent") && f.data.contains(&item))
        })
        .await;
    assert!(heard, "the incoming colleague hears of the handover");
    assert!(!night.frames.iter().any(|f| f.data.contains("SYNTH-2207")));
    // A note everyone may hear marks the end of the police stream.
    let r = w
        .day
        .post(
            &format!("/cases/{}/timeline", w.a),
            &json!({"kind": "note", "note": "end"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let end = format!("\"item\":\"{}\"", r.json()["id"]);
    assert!(
        police
            .until(30, |fr| fr.iter().any(|f| f.data.contains(&end)))
            .await
    );
    assert!(
        !police.frames.iter().any(|f| f.data.contains("handover")),
        "police never hear of handovers"
    );
}

#[tokio::test]
async fn a_manager_resets_a_password_to_a_one_time_password_shown_once_and_audited() {
    let w = ward().await;
    let r = w
        .mgr
        .post(
            "/users",
            &json!({"username": "bob", "password": "first-password-1", "role": "police", "areas": [NORTH]}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let login = |pw: String| {
        let http = w.h.http.clone();
        let base = w.h.base.clone();
        async move {
            http.post(format!("{base}/session"))
                .header("content-type", "application/json")
                .body(json!({"username": "bob", "password": pw}).to_string())
                .send()
                .await
                .expect("send")
        }
    };
    let first = login("first-password-1".into()).await;
    assert_eq!(first.status().as_u16(), 201);
    let token = first.json::<Value>().await.expect("json")["token"]
        .as_str()
        .expect("token")
        .to_string();
    w.police
        .post("/users/bob/password", &json!({}))
        .await
        .assert_problem(403, "forbidden");
    w.mgr
        .post("/users/nobody-here/password", &json!({}))
        .await
        .assert_problem(404, "not-found");
    let r = w.mgr.post("/users/bob/password", &json!({})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let v = r.json();
    assert_eq!(v["username"], "bob");
    let one_time = v["password"].as_str().expect("password").to_string();
    assert!(one_time.chars().count() >= jar_core::text::mins::PASSWORD);
    // The old password and the old token stop working; the new one signs in.
    assert_eq!(
        login("first-password-1".into()).await.status().as_u16(),
        401
    );
    let old =
        w.h.http
            .get(format!("{}/me", w.h.base))
            .bearer_auth(&token)
            .send()
            .await
            .expect("send");
    assert_eq!(old.status().as_u16(), 401);
    assert_eq!(login(one_time.clone()).await.status().as_u16(), 201);
    let audit = w.mgr.get("/audit?action=user.password_reset").await;
    assert_eq!(audit.status, 200, "{}", audit.body);
    let items = audit.json()["items"].clone();
    assert_eq!(items[0]["detail"], "user=bob", "{items}");
    assert!(
        !audit.body.contains(&one_time),
        "the password is never audited"
    );
}

#[tokio::test]
async fn the_audit_list_filters_by_action_and_date_range() {
    let w = ward().await;
    let before = w.clock.now();
    w.clock.advance(chrono::Duration::minutes(10));
    let c = w.mgr.notify(NORTH, "trauma").await;
    w.clock.advance(chrono::Duration::minutes(10));
    let after = w.clock.now();
    let q = |s: chrono::DateTime<chrono::Utc>| s.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let r = w
        .mgr
        .get(&format!(
            "/audit?action=case.create&since={}&until={}",
            q(before + chrono::Duration::minutes(5)),
            q(after)
        ))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let items = r.json()["items"].clone();
    assert_eq!(items.as_array().map(Vec::len), Some(1), "{items}");
    assert_eq!(items[0]["case_ref"], c.as_str());
    let r = w
        .mgr
        .get(&format!(
            "/audit?action=case.create&until={}",
            q(before + chrono::Duration::minutes(1))
        ))
        .await;
    assert_eq!(
        r.json()["items"].as_array().map(Vec::len),
        Some(2),
        "the two before"
    );
    w.mgr
        .get("/audit?until=yesterday")
        .await
        .assert_problem(400, "bad-request");
}
