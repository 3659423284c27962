//! Write semantics: idempotent replay, preconditions, same-value writes, sign-in rate limiting
//! and the audit trail.

mod common;

use common::fixture::{self, *};
use common::*;
use jar_core::Role;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn the_same_idempotency_key_and_body_replays_the_first_response_and_writes_once() {
    let h = Harness::sqlite().await;
    let mgr = h.person("mgr", Role::Manager, &[NORTH]).await;
    let body = new_case(NORTH, "sudi");
    let first = mgr.post_with_key("/cases", &body, "k-1").await;
    assert_eq!(first.status, 201, "{}", first.body);
    let second = mgr.post_with_key("/cases", &body, "k-1").await;
    assert_eq!(second.status, 201);
    assert_eq!(second.body, first.body);
    assert_eq!(second.header("etag"), first.header("etag"));
    assert_eq!(second.header("location"), first.header("location"));
    assert_eq!(h.count("cases").await, 1);
    assert_eq!(h.count("changes").await, 1);
}

#[tokio::test]
async fn idempotency_keys_are_scoped_per_user() {
    let h = Harness::sqlite().await;
    let a = h.person("mgr-a", Role::Manager, &[NORTH]).await;
    let b = h.person("mgr-b", Role::Manager, &[NORTH]).await;
    // Two deaths (each `new_case` has its own NHS number: the same number twice is one death,
    // answered 409 since issue 15), under the same key by two people.
    let body_a = new_case(NORTH, "sudi");
    let body_b = new_case(NORTH, "sudi");
    assert_eq!(
        a.post_with_key("/cases", &body_a, "shared").await.status,
        201
    );
    assert_eq!(
        b.post_with_key("/cases", &body_b, "shared").await.status,
        201
    );
    assert_eq!(h.count("cases").await, 2);
}

#[tokio::test]
async fn the_same_key_with_a_different_body_is_refused_and_changes_nothing() {
    let h = Harness::sqlite().await;
    let mgr = h.person("mgr", Role::Manager, &[NORTH]).await;
    assert_eq!(
        mgr.post_with_key("/cases", &new_case(NORTH, "sudi"), "k-2")
            .await
            .status,
        201
    );
    let r = mgr
        .post_with_key("/cases", &new_case(NORTH, "asthma"), "k-2")
        .await;
    r.assert_problem(422, "idempotency-key-reused");
    assert_eq!(h.count("cases").await, 1);
}

#[tokio::test]
async fn a_creating_post_without_an_idempotency_key_is_refused() {
    let h = Harness::sqlite().await;
    let f = fixture::build(&h).await;
    let a = &f.assigned;
    let before = h.count("changes").await;
    let cases: [(&Person, String, serde_json::Value); 6] = [
        (&f.mgr, "/cases".to_string(), new_case(NORTH, "sudi")),
        (
            &f.mgr,
            format!("/cases/{a}/timeline"),
            json!({"kind": "note", "note": "x"}),
        ),
        (
            &f.mgr,
            format!("/cases/{a}/checklists"),
            json!({"template": "asthma"}),
        ),
        (&f.kw, format!("/cases/{a}/contacts"), new_contact("x")),
        (
            &f.kw,
            format!("/cases/{a}/contacts/{}/amendments", f.contact_id),
            json!({"reason": "r", "text": "t"}),
        ),
        (
            &f.mgr,
            "/users".to_string(),
            json!({"username": "x", "password": "long-enough-pass", "role": "police", "areas": [NORTH]}),
        ),
    ];
    for (p, path, body) in cases {
        let r = p
            .send(Method::POST, &path, Some(body.to_string()), &[])
            .await;
        r.assert_problem(400, "idempotency-key-required");
    }
    assert_eq!(h.count("changes").await, before);
}

#[tokio::test]
async fn a_patch_without_if_match_needs_a_precondition() {
    let h = Harness::sqlite().await;
    let f = fixture::build(&h).await;
    let r = f
        .mgr
        .send(
            Method::PATCH,
            &format!("/cases/{}", f.assigned),
            Some("{}".into()),
            &[],
        )
        .await;
    r.assert_problem(428, "if-match-required");
}

#[tokio::test]
async fn a_stale_patch_gets_412_with_the_current_case_before_its_body_is_checked() {
    let h = Harness::sqlite().await;
    let f = fixture::build(&h).await;
    let a = &f.assigned;
    let v = f.mgr.version(a).await;
    // A malformed body with a stale version: "stale" is what the client hears first.
    let r = f
        .mgr
        .send(
            Method::PATCH,
            &format!("/cases/{a}"),
            Some("{not json".into()),
            &[("if-match", "\"1\"")],
        )
        .await;
    r.assert_problem(412, "stale");
    let current = &r.json()["current"];
    assert_eq!(current["case"]["version"], v);
    assert_eq!(current["case"]["reference"], a.as_str());
    let r = f.mgr.patch(&format!("/cases/{a}"), &json!({"flags": {"criminal_investigation": false, "s47_strategy": false, "cspr_notified": true}}), v).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header("etag"), Some(format!("\"{}\"", v + 1)));
}

#[tokio::test]
async fn an_item_write_needs_if_match_and_a_stale_one_gets_the_current_item() {
    let h = Harness::sqlite().await;
    let f = fixture::build(&h).await;
    let path = format!("/cases/{}/checklists/sudi/items/SUDI-B05", f.assigned);
    let body = json!({"status": "done", "note": "taken at 02:10"}).to_string();
    f.paed
        .send(Method::PUT, &path, Some(body.clone()), &[])
        .await
        .assert_problem(428, "if-match-required");
    let r = f
        .paed
        .send(Method::PUT, &path, Some(body), &[("if-match", "\"7\"")])
        .await;
    r.assert_problem(412, "stale");
    assert_eq!(r.json()["current"]["item_id"], "SUDI-B05");
    assert_eq!(r.json()["current"]["version"], 1);
}

#[tokio::test]
async fn setting_an_item_to_the_value_it_already_has_returns_200_without_a_new_version() {
    let h = Harness::sqlite().await;
    let f = fixture::build(&h).await;
    let path = format!("/cases/{}/checklists/sudi/items/SUDI-B05", f.assigned);
    let body = json!({"status": "done", "note": "taken"});
    let r = f.paed.put(&path, &body, 1).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["state"]["version"], 2);
    let changes = h.count("changes").await;
    let r = f.paed.put(&path, &body, 2).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["state"]["version"], 2);
    assert_eq!(r.header("etag").as_deref(), Some("\"2\""));
    assert_eq!(h.count("changes").await, changes);
}

#[tokio::test]
async fn a_milestone_advances_the_stage_and_bumps_the_case_version() {
    let h = Harness::sqlite().await;
    let f = fixture::build(&h).await;
    let a = &f.assigned;
    let v = f.mgr.version(a).await;
    let r = f
        .paed
        .post(
            &format!("/cases/{a}/timeline"),
            &json!({"kind": "death_confirmed"}),
        )
        .await;
    assert_eq!(r.status, 201);
    let event_id = r.json()["id"].as_i64().expect("id");
    let d = f.mgr.get(&format!("/cases/{a}")).await.json();
    assert_eq!(d["case"]["stage"], "ed_response");
    assert_eq!(d["case"]["version"], v + 1);
    // A correction withdraws it.
    let r = f
        .paed
        .post(
            &format!("/cases/{a}/timeline"),
            &json!({"kind": "correction", "note": "wrong case", "corrects": event_id}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(
        f.mgr.get(&format!("/cases/{a}")).await.json()["case"]["stage"],
        "reported"
    );
}

#[tokio::test]
async fn a_correction_must_point_at_an_event_of_the_same_case() {
    let h = Harness::sqlite().await;
    let f = fixture::build(&h).await;
    let before = h.count("timeline").await;
    let r = f
        .paed
        .post(
            &format!("/cases/{}/timeline", f.assigned),
            &json!({"kind": "correction", "note": "x", "corrects": 9999}),
        )
        .await;
    r.assert_problem(422, "unprocessable");
    let r = f
        .paed
        .post(
            &format!("/cases/{}/timeline", f.assigned),
            &json!({"kind": "correction", "note": "x"}),
        )
        .await;
    r.assert_problem(422, "unprocessable");
    assert_eq!(h.count("timeline").await, before);
}

#[tokio::test]
async fn starting_a_checklist_twice_conflicts_and_an_unknown_template_is_refused() {
    let h = Harness::sqlite().await;
    let f = fixture::build(&h).await;
    let path = format!("/cases/{}/checklists", f.assigned);
    f.paed
        .post(&path, &json!({"template": "sudi"}))
        .await
        .assert_problem(409, "conflict");
    f.paed
        .post(&path, &json!({"template": "gardening"}))
        .await
        .assert_problem(422, "unprocessable");
    // A checklist started now is the newest version of its template.
    let r = f.paed.post(&path, &json!({"template": "asthma"})).await;
    assert_eq!(r.status, 201);
    assert_eq!(r.json()["version"], 2);
}

#[tokio::test]
async fn a_new_case_gets_a_sequential_reference_and_its_default_checklist() {
    let h = Harness::sqlite().await;
    let mgr = h.person("mgr", Role::Manager, &[NORTH]).await;
    let r = mgr.post("/cases", &new_case(NORTH, "sudi")).await;
    assert_eq!(r.status, 201);
    let year = chrono::Datelike::year(&chrono::Utc::now());
    let reference = format!("JAR-{year}-0001");
    assert_eq!(r.json()["case"]["reference"], reference.as_str());
    assert_eq!(
        r.header("location"),
        Some(format!("/api/v1/cases/{reference}"))
    );
    assert_eq!(r.header("etag").as_deref(), Some("\"1\""));
    // Every death starts the core response and its category supplement (issue 14 §3).
    assert_eq!(r.json()["checklists"], json!(["core", "sudi"]));
    let r2 = mgr.post("/cases", &new_case(NORTH, "trauma")).await.json();
    assert_eq!(r2["case"]["reference"], format!("JAR-{year}-0002"));
    assert_eq!(r2["checklists"], json!(["core", "trauma"]));
    let r3 = mgr.post("/cases", &new_case(NORTH, "other")).await.json();
    assert_eq!(r3["checklists"], json!(["core"]));
}

#[tokio::test]
async fn contacts_are_append_only_and_amendments_keep_the_original() {
    let h = Harness::sqlite().await;
    let f = fixture::build(&h).await;
    let path = format!("/cases/{}/contacts/{}/amendments", f.assigned, f.contact_id);
    let r =
        f.kw.post(
            &path,
            &json!({"reason": "wrong time", "text": "it was 11:00"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let c = r.json();
    assert_eq!(c["summary"], CONTACT_TEXT);
    assert_eq!(c["amendments"][0]["text"], "it was 11:00");
    f.kw.post(
        &format!("/cases/{}/contacts/999/amendments", f.assigned),
        &json!({"reason": "r", "text": "t"}),
    )
    .await
    .assert_problem(404, "not-found");
}

#[tokio::test]
async fn sign_in_works_with_the_right_password_and_fails_alike_for_unknown_users() {
    let dir = tempfile::tempdir().expect("dir");
    let mut config = jar_server::ServerConfig::loopback(format!(
        "sqlite://{}",
        dir.path().join("d.db").display()
    ));
    config.demo_cases = Some(0);
    let h = Harness::with_config(config, Some(dir)).await;
    let login = |u: &str, p: &str| {
        let http = h.http.clone();
        let url = format!("{}/session", h.base);
        let body = json!({"username": u, "password": p}).to_string();
        async move {
            http.post(url)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .expect("send")
        }
    };
    let ok = login("demo-police", jar_server::demo::DEMO_PASSWORD).await;
    assert_eq!(ok.status().as_u16(), 201);
    let v: serde_json::Value = ok.json().await.expect("json");
    assert_eq!(v["token"].as_str().map(str::len), Some(64));
    assert_eq!(v["user"]["role"], "police");
    let wrong = login("demo-police", "nope").await;
    let unknown = login("nobody", "nope").await;
    assert_eq!(wrong.status().as_u16(), 401);
    assert_eq!(unknown.status().as_u16(), 401);
    let (w, u) = (
        wrong.text().await.expect("t"),
        unknown.text().await.expect("t"),
    );
    assert_eq!(w, u, "unknown user and wrong password must read the same");
}

#[tokio::test]
async fn repeated_failed_sign_ins_are_rate_limited_with_retry_after() {
    let h = Harness::sqlite().await;
    let url = format!("{}/session", h.base);
    let body = json!({"username": "someone", "password": "wrong"}).to_string();
    let mut statuses = Vec::new();
    for _ in 0..6 {
        let r = h
            .http
            .post(&url)
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await
            .expect("send");
        statuses.push(r.status().as_u16());
        if r.status().as_u16() == 429 {
            let retry: u64 = r.headers()["retry-after"]
                .to_str()
                .expect("ascii")
                .parse()
                .expect("seconds");
            assert!((1..=900).contains(&retry));
            let p: serde_json::Value = r.json().await.expect("json");
            assert_eq!(
                p["type"],
                format!("{}rate-limited", jar_core::wire::PROBLEM_BASE)
            );
        }
    }
    assert_eq!(statuses, vec![401, 401, 401, 401, 401, 429]);
}

#[tokio::test]
async fn disabling_a_user_revokes_their_tokens() {
    let h = Harness::sqlite().await;
    let mgr = h.person("mgr", Role::Manager, &[NORTH]).await;
    let police = h.person("police", Role::Police, &[NORTH]).await;
    assert_eq!(police.get("/me").await.status, 200);
    assert_eq!(
        mgr.send(Method::POST, "/users/police/disable", None, &[])
            .await
            .status,
        204
    );
    police.get("/me").await.assert_problem(401, "unauthorized");
    mgr.send(Method::POST, "/users/nobody/disable", None, &[])
        .await
        .assert_problem(404, "not-found");
    let users = mgr.get("/users").await.json();
    let p = users["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|u| u["username"] == "police")
        .cloned()
        .expect("police");
    assert_eq!(p["disabled"], true);
}

#[tokio::test]
async fn a_manager_adds_a_user_once_and_a_duplicate_name_conflicts() {
    let h = Harness::sqlite().await;
    let mgr = h.person("mgr", Role::Manager, &[NORTH]).await;
    let body = json!({"username": "new-police", "password": "long-enough-pass", "role": "police", "areas": [NORTH]});
    let r = mgr.post_with_key("/users", &body, "u-1").await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert!(!r.body.contains("long-enough-pass"));
    assert_eq!(mgr.post_with_key("/users", &body, "u-1").await.body, r.body);
    mgr.post("/users", &body)
        .await
        .assert_problem(409, "conflict");
}

#[tokio::test]
async fn writes_reveals_and_contact_reads_leave_audit_rows() {
    let h = Harness::sqlite().await;
    let f = fixture::build(&h).await;
    let a = &f.assigned;
    assert_eq!(
        f.paed
            .post(
                &format!("/cases/{a}/identity/reveal"),
                &json!({"reason": "family liaison"})
            )
            .await
            .status,
        200
    );
    assert_eq!(
        f.paed.get(&format!("/cases/{a}/contacts")).await.status,
        200
    );
    let audit = f
        .mgr
        .get(&format!("/audit?case={a}&limit=1000"))
        .await
        .json();
    let actions: Vec<(String, String)> = audit["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap_or("").to_string(),
                e["username"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    for (action, user) in [
        ("case.create", "mgr"),
        ("case.update", "mgr"),
        ("timeline.add", "police"),
        ("checklist.item", "mgr"),
        ("contacts.add", "kw"),
        ("identity.reveal", "paed"),
        ("contacts.read", "paed"),
    ] {
        assert!(
            actions.contains(&(action.to_string(), user.to_string())),
            "no {action} by {user} in {actions:?}"
        );
    }
    for (action, _) in &actions {
        assert!(
            jar_server::audit::ACTIONS.contains(&action.as_str()),
            "{action} is not a documented action"
        );
    }
    // No contact text or names in the audit log.
    let raw = f.mgr.get("/audit?limit=1000").await.body;
    assert!(!raw.contains("CONTACT-TEXT-7731") && !raw.contains(CHILD_NAME));
    // Paging: newest first, with a cursor.
    let page = f.mgr.get("/audit?limit=2").await.json();
    assert_eq!(page["items"].as_array().map(Vec::len), Some(2));
    let cursor = page["next_cursor"].as_str().expect("cursor");
    let next = f
        .mgr
        .get(&format!("/audit?limit=2&cursor={cursor}"))
        .await
        .json();
    assert!(next["items"][0]["id"].as_i64() < page["items"][1]["id"].as_i64());
}

#[tokio::test]
async fn the_case_list_pages_with_a_cursor_in_deadline_order() {
    let h = Harness::sqlite().await;
    let mgr = h.person("mgr", Role::Manager, &[NORTH]).await;
    for _ in 0..5 {
        mgr.notify(NORTH, "trauma").await;
    }
    let mut seen = Vec::new();
    let mut path = "/cases?limit=2".to_string();
    loop {
        let page = mgr.get(&path).await.json();
        for c in page["items"].as_array().expect("items") {
            seen.push(c["reference"].as_str().expect("ref").to_string());
        }
        match page["next_cursor"].as_str() {
            Some(c) => path = format!("/cases?limit=2&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen.len(), 5);
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), 5, "no case twice");
    mgr.get("/cases?limit=0")
        .await
        .assert_problem(400, "bad-request");
    mgr.get("/cases?stage=nowhere")
        .await
        .assert_problem(400, "bad-request");
    mgr.get("/cases?cursor=zz")
        .await
        .assert_problem(400, "bad-request");
}

#[tokio::test]
async fn an_area_override_moves_that_areas_deadline_only() {
    let dir = tempfile::tempdir().expect("dir");
    let mut config = jar_server::ServerConfig::loopback(format!(
        "sqlite://{}",
        dir.path().join("d.db").display()
    ));
    let file: toml::Table =
        toml::from_str("[\"North Wessex\".home_visit]\noffset_minutes = 2880\n").expect("toml");
    config.area_overrides = toml::Value::Table(file).try_into().expect("overrides");
    let h = Harness::with_config(config, Some(dir)).await;
    let mgr = h.person("mgr", Role::Manager, &[NORTH, SOUTH]).await;
    let due = |detail: &serde_json::Value| {
        let d = detail["deadlines"]
            .as_array()
            .expect("deadlines")
            .iter()
            .find(|d| d["rule_id"] == "home_visit")
            .cloned()
            .expect("home visit");
        let due: chrono::DateTime<chrono::Utc> =
            serde_json::from_value(d["due_at"].clone()).expect("due");
        // Issue 14: deadlines count from the death (here: confirmed), not from notification.
        let death: chrono::DateTime<chrono::Utc> =
            serde_json::from_value(detail["case"]["times"]["death_confirmed_at"].clone())
                .expect("death confirmed");
        (due - death).num_minutes()
    };
    let north = mgr.post("/cases", &new_case(NORTH, "sudi")).await.json();
    let south = mgr.post("/cases", &new_case(SOUTH, "sudi")).await.json();
    assert_eq!(due(&north), 2880);
    assert_eq!(due(&south), 24 * 60);
}

#[tokio::test]
async fn the_same_list_asked_again_after_a_write_shows_the_write() {
    let h = Harness::sqlite().await;
    let mgr = h.person("mgr", Role::Manager, &[NORTH]).await;
    let reference = mgr.notify(NORTH, "sudi").await;
    let before = mgr.get("/cases?limit=10").await.json();
    assert_eq!(before["items"][0]["stage"], "reported");
    assert_eq!(
        mgr.get("/cases?limit=10").await.json(),
        before,
        "asked twice, same answer"
    );
    mgr.post(
        &format!("/cases/{reference}/timeline"),
        &json!({"kind": "death_confirmed"}),
    )
    .await;
    let after = mgr.get("/cases?limit=10").await.json();
    assert_eq!(after["items"][0]["stage"], "ed_response");
    // Another person asking the same question gets their own view.
    let kw = h.person("kw", Role::KeyWorker, &[NORTH]).await;
    assert_eq!(
        kw.get("/cases?limit=10").await.json()["items"]
            .as_array()
            .map(Vec::len),
        Some(0)
    );
}
