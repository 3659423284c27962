//! Role × endpoint: every cell of the API table, plus area and assignment scoping and the
//! field-level filtering (forbidden text must be absent from the raw body).

mod common;

use common::fixture::{self, *};
use common::*;
use jar_core::{Agency, Role};
use reqwest::Method;
use serde_json::json;

const ROLES: [Role; 5] = [
    Role::Paediatrician,
    Role::Police,
    Role::SocialWorker,
    Role::KeyWorker,
    Role::Manager,
];

/// Expected status per role, in the order of `ROLES`.
type Row = [u16; 5];

struct Matrix {
    failures: Vec<String>,
}

impl Matrix {
    fn check(&mut self, what: &str, role: Role, got: &Resp, want: u16) {
        if got.status != want {
            self.failures.push(format!(
                "{what} as {role}: got {} want {want}: {}",
                got.status, got.body
            ));
        }
        if got.status >= 400
            && got.header("content-type").as_deref() != Some("application/problem+json")
        {
            self.failures
                .push(format!("{what} as {role}: error without problem+json"));
        }
    }
}

#[tokio::test]
async fn every_role_gets_the_answer_the_permission_matrix_gives_on_every_endpoint() {
    let h = Harness::sqlite().await;
    let f = fixture::build(&h).await;
    let mut m = Matrix {
        failures: Vec::new(),
    };
    let a = f.assigned.clone();
    let (_, police_item) = owned_item(&[Agency::Police]);
    let (_, health_item) = owned_item(&[Agency::Health]);
    let (_, social_item) = owned_item(&[Agency::SocialCare]);
    // Version 2 of the SUDI supplement left the key worker's item to the core response.
    let (kw_list, kw_item) = owned_item(&[Agency::CdrOffice, Agency::KeyWorker]);
    // Victims for the disable cell, one per role so each attempt has something to act on.
    for r in ROLES {
        h.person(&format!("victim-{r}"), Role::Police, &[NORTH])
            .await;
    }

    for (i, role) in ROLES.into_iter().enumerate() {
        let p = f.everyone()[i];
        let ok_all: Row = [200; 5];
        let cells: Vec<(&str, Resp, Row)> = vec![
            ("GET /me", p.get("/me").await, ok_all),
            ("GET /cases", p.get("/cases").await, ok_all),
            ("POST /cases", p.post("/cases", &new_case(NORTH, "trauma")).await, [201, 201, 201, 403, 201]),
            ("GET /cases/{assigned}", p.get(&format!("/cases/{a}")).await, ok_all),
            ("GET /cases/{unassigned}", p.get(&format!("/cases/{}", f.unassigned)).await, [200, 200, 200, 404, 200]),
            ("GET /cases/{south}", p.get(&format!("/cases/{}", f.south)).await, [404, 404, 404, 404, 200]),
            ("PATCH /cases/{assigned}", {
                let v = f.mgr.version(&a).await;
                p.patch(&format!("/cases/{a}"), &json!({"criteria": {"criteria": ["unclear"], "decided_by": "panel"}}), v).await
            }, [200, 200, 200, 403, 200]),
            ("POST reveal", p.post(&format!("/cases/{a}/identity/reveal"), &json!({"reason": "calling the family"})).await, ok_all),
            ("POST reveal (unassigned)", p.post(&format!("/cases/{}/identity/reveal", f.unassigned), &json!({"reason": "calling the GP"})).await, [200, 200, 200, 404, 200]),
            ("GET timeline", p.get(&format!("/cases/{a}/timeline")).await, ok_all),
            ("POST timeline", p.post(&format!("/cases/{a}/timeline"), &json!({"kind": "note", "note": "n"})).await, [201, 201, 201, 403, 201]),
            ("GET checklists", p.get(&format!("/cases/{a}/checklists")).await, ok_all),
            ("POST checklists", {
                let template = if role == Role::Manager { "suicide" } else { "asthma" };
                p.post(&format!("/cases/{a}/checklists"), &json!({"template": template})).await
            }, [201, 403, 403, 403, 201]),
            ("PUT police item", {
                let v = item_version(&f.mgr, &a, "sudi", &police_item).await;
                p.put(&format!("/cases/{a}/checklists/sudi/items/{police_item}"), &json!({"status": "done", "note": format!("by {role}")}), v).await
            }, [403, 200, 403, 403, 200]),
            ("PUT health item", {
                let v = item_version(&f.mgr, &a, "sudi", &health_item).await;
                p.put(&format!("/cases/{a}/checklists/sudi/items/{health_item}"), &json!({"status": "done", "note": format!("by {role}")}), v).await
            }, [200, 403, 403, 403, 200]),
            ("PUT social care item", {
                let v = item_version(&f.mgr, &a, "sudi", &social_item).await;
                p.put(&format!("/cases/{a}/checklists/sudi/items/{social_item}"), &json!({"status": "done", "note": format!("by {role}")}), v).await
            }, [403, 403, 200, 403, 200]),
            ("PUT CDR office + key worker item", {
                let v = item_version(&f.mgr, &a, &kw_list, &kw_item).await;
                p.put(&format!("/cases/{a}/checklists/{kw_list}/items/{kw_item}"), &json!({"status": "done", "note": format!("by {role}")}), v).await
            }, [403, 403, 403, 200, 200]),
            ("GET contacts", p.get(&format!("/cases/{a}/contacts")).await, [200, 403, 403, 200, 200]),
            ("POST contacts", p.post(&format!("/cases/{a}/contacts"), &new_contact("a call")).await, [403, 403, 403, 201, 201]),
            ("POST amendment", p.post(&format!("/cases/{a}/contacts/{}/amendments", f.contact_id), &json!({"reason": "typo", "text": "fixed"})).await, [403, 403, 403, 201, 201]),
            ("GET contacts (unassigned case)", p.get(&format!("/cases/{}/contacts", f.unassigned)).await, [200, 403, 403, 404, 200]),
            ("GET /templates", p.get("/templates").await, ok_all),
            ("GET /audit", p.get("/audit").await, [403, 403, 403, 403, 200]),
            ("GET /users", p.get("/users").await, [403, 403, 403, 403, 200]),
            ("POST /users", p.post("/users", &json!({"username": format!("new-{role}"), "password": "pw-long-enough-1", "role": "police", "areas": [NORTH]})).await, [403, 403, 403, 403, 201]),
            ("POST /users/{name}/disable", p.send(Method::POST, &format!("/users/victim-{role}/disable"), None, &[]).await, [403, 403, 403, 403, 204]),
        ];
        for (what, resp, row) in cells {
            m.check(what, role, &resp, row[i]);
        }
        // The event stream opens for everyone.
        let sse = Sse::open(p, None).await;
        drop(sse);
    }
    // Signing out works for every role, and the token is dead afterwards.
    for (i, role) in ROLES.into_iter().enumerate() {
        let p = f.everyone()[i];
        m.check(
            "DELETE /session",
            role,
            &p.send(Method::DELETE, "/session", None, &[]).await,
            204,
        );
        m.check("GET /me after sign-out", role, &p.get("/me").await, 401);
    }
    assert!(
        m.failures.is_empty(),
        "{} cells wrong:\n{}",
        m.failures.len(),
        m.failures.join("\n")
    );
}

#[tokio::test]
async fn anyone_may_read_the_openapi_document_and_it_lists_every_route() {
    let h = Harness::sqlite().await;
    let r = h
        .http
        .get(format!("{}/openapi.json", h.base))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status().as_u16(), 200);
    let doc: serde_json::Value = r.json().await.expect("json");
    assert!(
        doc["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1"))
    );
    for path in [
        "/api/v1/session",
        "/api/v1/me",
        "/api/v1/cases",
        "/api/v1/cases/{reference}",
        "/api/v1/cases/{reference}/identity/reveal",
        "/api/v1/cases/{reference}/timeline",
        "/api/v1/cases/{reference}/checklists",
        "/api/v1/cases/{reference}/checklists/{template}/items/{item}",
        "/api/v1/cases/{reference}/contacts",
        "/api/v1/cases/{reference}/contacts/{id}/amendments",
        "/api/v1/templates",
        "/api/v1/events",
        "/api/v1/audit",
        "/api/v1/users",
        "/api/v1/users/{name}/disable",
        "/api/v1/openapi.json",
        "/healthz",
        "/readyz",
    ] {
        assert!(
            doc["paths"][path].is_object(),
            "{path} missing from the OpenAPI document"
        );
    }
}

#[tokio::test]
async fn police_liaison_cannot_read_contact_text() {
    let h = Harness::sqlite().await;
    let f = fixture::build(&h).await;
    let a = &f.assigned;
    f.police
        .get(&format!("/cases/{a}/contacts"))
        .await
        .assert_problem(403, "forbidden");
    for path in [
        format!("/cases/{a}"),
        format!("/cases/{a}/timeline"),
        "/cases".to_string(),
        format!("/cases/{a}/checklists"),
    ] {
        let r = f.police.get(&path).await;
        assert_eq!(r.status, 200);
        assert!(
            !r.body.contains("CONTACT-TEXT-7731"),
            "{path} leaked contact text"
        );
    }
    let detail = f.police.get(&format!("/cases/{a}")).await.json();
    assert!(
        detail["contact_count"].is_null(),
        "police should not even get the contact count"
    );
}

#[tokio::test]
async fn social_worker_cannot_read_contact_text() {
    let h = Harness::sqlite().await;
    let f = fixture::build(&h).await;
    f.social
        .get(&format!("/cases/{}/contacts", f.assigned))
        .await
        .assert_problem(403, "forbidden");
    let r = f.social.get(&format!("/cases/{}", f.assigned)).await;
    assert!(!r.body.contains("CONTACT-TEXT-7731"));
}

#[tokio::test]
async fn paediatrician_and_key_worker_read_contact_text() {
    let h = Harness::sqlite().await;
    let f = fixture::build(&h).await;
    for p in [&f.paed, &f.kw, &f.mgr] {
        let r = p.get(&format!("/cases/{}/contacts", f.assigned)).await;
        assert_eq!(r.status, 200);
        assert!(
            r.body.contains("CONTACT-TEXT-7731"),
            "{} should read the contact log",
            p.name
        );
    }
}

#[tokio::test]
async fn key_worker_never_receives_criminal_investigation_detail() {
    let h = Harness::sqlite().await;
    let f = fixture::build(&h).await;
    let a = &f.assigned;
    for path in [
        format!("/cases/{a}"),
        format!("/cases/{a}/timeline"),
        "/cases".to_string(),
        format!("/cases/{a}/checklists"),
    ] {
        let r = f.kw.get(&path).await;
        assert_eq!(r.status, 200, "{path}");
        for secret in [
            "INVESTIGATION-NOTE-4410",
            "STRATEGY-NOTE-5512",
            "RESTRICTED-NOTE-9921",
            "criminal_investigation",
            "strategy_discussion_held",
        ] {
            assert!(
                !r.body.contains(secret),
                "{path} leaked {secret} to the key worker"
            );
        }
    }
    // The police lead does receive them.
    let r = f.police.get(&format!("/cases/{a}")).await;
    assert!(r.body.contains("INVESTIGATION-NOTE-4410"));
    let r = f.police.get(&format!("/cases/{a}/timeline")).await;
    assert!(r.body.contains("STRATEGY-NOTE-5512"));
    let r = f.police.get(&format!("/cases/{a}/checklists")).await;
    assert!(r.body.contains("RESTRICTED-NOTE-9921"));
}

#[tokio::test]
async fn key_worker_sees_a_restricted_items_status_but_not_its_note() {
    let h = Harness::sqlite().await;
    let f = fixture::build(&h).await;
    let v =
        f.kw.get(&format!("/cases/{}/checklists", f.assigned))
            .await
            .json();
    let item = v["checklists"]
        .as_array()
        .expect("checklists")
        .iter()
        .filter(|c| c["template"] == "sudi")
        .flat_map(|c| c["items"].as_array().cloned().unwrap_or_default())
        .find(|i| i["item"]["id"] == "SUDI-A13")
        .expect("SUDI-A13");
    assert_eq!(item["state"]["status"], "done");
    assert!(item["state"]["note"].is_null());
}

#[tokio::test]
async fn key_worker_cannot_see_a_case_they_are_not_assigned_to() {
    let h = Harness::sqlite().await;
    let f = fixture::build(&h).await;
    f.kw.get(&format!("/cases/{}", f.unassigned))
        .await
        .assert_problem(404, "not-found");
    f.kw.get(&format!("/cases/{}/timeline", f.unassigned))
        .await
        .assert_problem(404, "not-found");
    let list = f.kw.get("/cases").await.json();
    let refs: Vec<&str> = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|c| c["reference"].as_str())
        .collect();
    assert_eq!(refs, vec![f.assigned.as_str()]);
}

#[tokio::test]
async fn police_in_another_area_get_not_found_rather_than_forbidden() {
    let h = Harness::sqlite().await;
    let f = fixture::build(&h).await;
    for path in [
        format!("/cases/{}", f.south),
        format!("/cases/{}/timeline", f.south),
        format!("/cases/{}/checklists", f.south),
    ] {
        f.police.get(&path).await.assert_problem(404, "not-found");
    }
    let r = f
        .police
        .post(
            &format!("/cases/{}/identity/reveal", f.south),
            &json!({"reason": "curious"}),
        )
        .await;
    r.assert_problem(404, "not-found");
    let list = f.police.get("/cases").await;
    assert!(!list.body.contains(&f.south));
    // Notifying a death outside one's areas is refused.
    f.police
        .post("/cases", &new_case(SOUTH, "sudi"))
        .await
        .assert_problem(403, "forbidden");
}

#[tokio::test]
async fn the_case_list_carries_no_names_and_search_never_matches_identity() {
    let h = Harness::sqlite().await;
    let f = fixture::build(&h).await;
    let r = f.mgr.get("/cases").await;
    assert_eq!(r.status, 200);
    assert!(!r.body.contains(CHILD_NAME));
    let r = f.mgr.get("/cases?q=Quillwort").await.json();
    assert_eq!(r["items"].as_array().map(Vec::len), Some(0));
    let r = f.mgr.get(&format!("/cases?q={}", f.assigned)).await.json();
    assert_eq!(r["items"][0]["reference"], f.assigned.as_str());
}

#[tokio::test]
async fn an_identity_reveal_needs_a_reason_and_is_audited_with_it() {
    let h = Harness::sqlite().await;
    let f = fixture::build(&h).await;
    let path = format!("/cases/{}/identity/reveal", f.assigned);
    f.paed
        .post(&path, &json!({"reason": "  "}))
        .await
        .assert_problem(422, "invalid-text");
    let r = f
        .paed
        .post(&path, &json!({"reason": "phoning the GP"}))
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["child_name"], CHILD_NAME);
    let audit = f
        .mgr
        .get(&format!("/audit?case={}&user=paed", f.assigned))
        .await
        .json();
    let reveal = audit["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|e| e["action"] == "identity.reveal")
        .cloned()
        .expect("audited");
    assert!(
        reveal["detail"]
            .as_str()
            .is_some_and(|d| d.contains("phoning the GP"))
    );
    assert!(
        reveal["remote"]
            .as_str()
            .is_some_and(|r| r.starts_with("127.0.0.1"))
    );
}

#[tokio::test]
async fn a_case_with_no_identity_recorded_reveals_not_found() {
    let h = Harness::sqlite().await;
    let mgr = h.person("mgr", Role::Manager, &[NORTH]).await;
    let mut body = new_case(NORTH, "sudi");
    body["identity"] = serde_json::Value::Null;
    let r = mgr.post("/cases", &body).await;
    let reference = r.json()["case"]["reference"]
        .as_str()
        .expect("ref")
        .to_string();
    mgr.post(
        &format!("/cases/{reference}/identity/reveal"),
        &json!({"reason": "calling the family"}),
    )
    .await
    .assert_problem(404, "not-found");
}

#[tokio::test]
async fn mine_lists_only_the_cases_i_am_assigned_to() {
    let h = Harness::sqlite().await;
    let f = fixture::build(&h).await;
    let r = f.police.get("/cases?mine=true").await.json();
    let items = r["items"].as_array().expect("items");
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["reference"], f.assigned.as_str());
    assert_eq!(items[0]["assigned_to_me"], true);
}
