//! Issue G: access control beyond the matrix. The route list comes from the server's own
//! OpenAPI document, so a route added without a cell here fails the test. Every route is
//! exercised as every role, with no token and with a made-up token; each answer is checked for
//! its status and for marker strings the caller must never receive (contact text, the
//! investigation note, strategy notes, restricted item notes, identity names, other areas'
//! references, other people's tokens, password hashes). The event stream is checked the same
//! way, and every successful write must leave an audit row.

mod common;

use common::fixture::{self, *};
use common::*;
use jar_core::{Agency, Role};
use reqwest::Method;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::time::Duration;

/// Column order of every expectation row: the five roles, no token, a made-up token.
const WHO: [&str; 7] = [
    "paediatrician",
    "police",
    "social_worker",
    "key_worker",
    "manager",
    "no token",
    "made-up token",
];
const ROLES: [Role; 5] = [
    Role::Paediatrician,
    Role::Police,
    Role::SocialWorker,
    Role::KeyWorker,
    Role::Manager,
];

const SOUTH_NOTE: &str = "SOUTH-NOTE-6620 south investigation";
const SOUTH_CONTACT: &str = "SOUTH-CONTACT-8812 south family call";
const SOUTH_CHILD: &str = "SOUTH-CHILD-Marigold";
const UNASSIGNED_CONTACT: &str = "UNASSIGNED-CONTACT-3391 other family";
const WALKER_PASSWORD: &str = "walker-password-5521";
const HANDOVER_TEXT: &str = "HANDOVER-SYNTH-7719 ring the DD if the coroner calls";

/// Every route (method and path template) the test knows how to exercise. Must equal the
/// OpenAPI document's list.
const KNOWN: [&str; 52] = [
    "POST /api/v1/session",
    "DELETE /api/v1/session",
    "GET /api/v1/me",
    "GET /api/v1/cases",
    "POST /api/v1/cases",
    "GET /api/v1/cases/{reference}",
    "PATCH /api/v1/cases/{reference}",
    "PUT /api/v1/cases/{reference}/deadlines/{rule}/not-applicable",
    "DELETE /api/v1/cases/{reference}/deadlines/{rule}/not-applicable",
    "POST /api/v1/cases/{reference}/identity/reveal",
    "PUT /api/v1/cases/{reference}/identity",
    "GET /api/v1/cases/{reference}/family-contacts",
    "GET /api/v1/cases/{reference}/assignments/{slot}",
    "PUT /api/v1/cases/{reference}/assignments/{slot}",
    "POST /api/v1/cases/{reference}/withdraw",
    "POST /api/v1/cases/{reference}/duplicates",
    "GET /api/v1/covers",
    "POST /api/v1/covers",
    "POST /api/v1/covers/end",
    "GET /api/v1/exports/notifications",
    "GET /api/v1/exports/notifications/{reference}",
    "GET /api/v1/cases/{reference}/timeline",
    "POST /api/v1/cases/{reference}/timeline",
    "GET /api/v1/cases/{reference}/checklists",
    "POST /api/v1/cases/{reference}/checklists",
    "PUT /api/v1/cases/{reference}/checklists/{template}/items/{item}",
    "GET /api/v1/cases/{reference}/contacts",
    "POST /api/v1/cases/{reference}/contacts",
    "POST /api/v1/cases/{reference}/contacts/{id}/amendments",
    "GET /api/v1/cases/{reference}/questions",
    "POST /api/v1/cases/{reference}/questions",
    "POST /api/v1/cases/{reference}/questions/{id}/steps",
    "GET /api/v1/cases/{reference}/review",
    "PATCH /api/v1/cases/{reference}/review",
    "GET /api/v1/cases/{reference}/involvements",
    "POST /api/v1/cases/{reference}/involvements",
    "POST /api/v1/cases/{reference}/involvements/{id}/steps",
    "GET /api/v1/templates",
    "GET /api/v1/events",
    "GET /api/v1/audit",
    "GET /api/v1/users",
    "POST /api/v1/users",
    "POST /api/v1/users/{name}/disable",
    "POST /api/v1/users/{name}/password",
    "GET /api/v1/handovers",
    "POST /api/v1/handovers",
    "GET /api/v1/handovers/{id}",
    "GET /api/v1/handovers/draft",
    "POST /api/v1/handovers/{id}/acknowledgements",
    "GET /api/v1/openapi.json",
    "GET /healthz",
    "GET /readyz",
];

struct World {
    h: Harness,
    f: Fixture,
    db_url: String,
    /// Tokens by column; `None` for "no token".
    tokens: [Option<String>; 7],
    south_child_ref: String,
    /// A handover from `night-paed` to the walk's paediatrician, on the assigned case.
    handover_id: i64,
}

impl World {
    async fn call(
        &self,
        who: usize,
        method: Method,
        path: &str,
        body: Option<Value>,
        headers: &[(&str, String)],
    ) -> Resp {
        let mut req = self
            .h
            .http
            .request(method, format!("{}{path}", self.h.server.base_url()))
            .timeout(Duration::from_secs(20));
        if let Some(t) = &self.tokens[who] {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        for (k, v) in headers {
            req = req.header(*k, v.as_str());
        }
        if let Some(b) = body {
            req = req
                .header("content-type", "application/json")
                .body(b.to_string());
        }
        let res = req.send().await.expect("request");
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let body = res.text().await.expect("body");
        Resp {
            status,
            headers,
            body,
        }
    }

    fn role(who: usize) -> Option<Role> {
        ROLES.get(who).copied()
    }

    /// Strings `who` must never receive. `reveal_ok` lifts the identity-name ban for a reveal.
    fn forbidden(&self, who: usize, reveal_ok: bool) -> Vec<String> {
        let mut out: Vec<String> = vec!["$argon2".into()];
        // Nobody ever receives anyone's bearer token except in their own login answer.
        out.extend(self.tokens[..5].iter().flatten().cloned());
        let role = Self::role(who);
        if !reveal_ok || role.is_none() {
            out.push(CHILD_NAME.into());
        }
        if !(reveal_ok && role == Some(Role::Manager)) {
            out.push(SOUTH_CHILD.into());
        }
        match role {
            None => out.extend(
                [
                    CONTACT_TEXT,
                    INVESTIGATION_NOTE,
                    STRATEGY_NOTE,
                    RESTRICTED_NOTE,
                    SOUTH_NOTE,
                    SOUTH_CONTACT,
                    UNASSIGNED_CONTACT,
                    &self.f.south,
                    &self.south_child_ref,
                    HANDOVER_TEXT,
                ]
                .map(String::from),
            ),
            Some(Role::Manager) => {}
            Some(r) => {
                out.extend(
                    [
                        SOUTH_NOTE,
                        SOUTH_CONTACT,
                        &self.f.south,
                        &self.south_child_ref,
                    ]
                    .map(String::from),
                );
                if r != Role::Paediatrician {
                    out.push(HANDOVER_TEXT.into());
                }
                if matches!(r, Role::Police | Role::SocialWorker) {
                    out.push(CONTACT_TEXT.into());
                    out.push(UNASSIGNED_CONTACT.into());
                }
                if r == Role::KeyWorker {
                    out.extend(
                        [
                            INVESTIGATION_NOTE,
                            STRATEGY_NOTE,
                            RESTRICTED_NOTE,
                            UNASSIGNED_CONTACT,
                            &self.f.unassigned,
                        ]
                        .map(String::from),
                    );
                }
            }
        }
        out
    }
}

async fn build_world() -> World {
    let dir = tempfile::tempdir().expect("tempdir");
    let db_url = format!("sqlite://{}", dir.path().join("walk.db").display());
    let h = Harness::with_config(jar_server::ServerConfig::loopback(&db_url), Some(dir)).await;
    let f = fixture::build(&h).await;
    // More sensitive text in places only some people may reach.
    let v = f.mgr.version(&f.south).await;
    let r = f
        .mgr
        .patch(
            &format!("/cases/{}", f.south),
            &json!({"investigation_note": SOUTH_NOTE}),
            v,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = f
        .mgr
        .post(
            &format!("/cases/{}/contacts", f.south),
            &new_contact(SOUTH_CONTACT),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let r = f
        .mgr
        .post(
            &format!("/cases/{}/contacts", f.unassigned),
            &new_contact(UNASSIGNED_CONTACT),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let mut south_case = new_case(SOUTH, "other");
    south_case["identity"]["child_name"] = json!(SOUTH_CHILD);
    let r = f.mgr.post("/cases", &south_case).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let south_child_ref = r.json()["case"]["reference"]
        .as_str()
        .expect("ref")
        .to_string();
    // A second key worker in North, to cover the first (issue 15 §4).
    h.person("kw-cover", Role::KeyWorker, &[NORTH]).await;
    // Someone to sign in as, with a real password.
    let r = f
        .mgr
        .post(
            "/users",
            &json!({"username": "walker", "password": WALKER_PASSWORD, "role": "police", "areas": [NORTH]}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    // A handover to the walk's paediatrician, for the read and acknowledgement cells.
    let night = h.person("night-paed", Role::Paediatrician, &[NORTH]).await;
    let r = night
        .post(
            "/handovers",
            &json!({"incoming": "paed", "entries": [handover_entry(&f.assigned, HANDOVER_TEXT)]}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let handover_id = r.json()["id"].as_i64().expect("handover id");
    // Victims for the disable and password cells and throwaway sessions for the sign-out cell.
    for i in 0..WHO.len() {
        h.person(&format!("reset-{i}"), Role::Police, &[NORTH])
            .await;
        let role = ROLES.get(i).copied().unwrap_or(Role::Police);
        h.person(&format!("victim-{i}"), Role::Police, &[NORTH])
            .await;
        h.person(&format!("bye-{i}"), role, &[NORTH]).await;
    }
    let tokens = [
        Some(f.paed.token.clone()),
        Some(f.police.token.clone()),
        Some(f.social.token.clone()),
        Some(f.kw.token.clone()),
        Some(f.mgr.token.clone()),
        None,
        Some("f".repeat(64)),
    ];
    World {
        h,
        f,
        db_url,
        tokens,
        south_child_ref,
        handover_id,
    }
}

fn handover_entry(reference: &str, synthesis: &str) -> Value {
    json!({
        "reference": reference,
        "severity": "STABLE: no hard or overdue deadline",
        "summary": "SUDI · Reported · 4 months",
        "actions": [],
        "awareness": ["Family: no contact recorded"],
        "synthesis": synthesis,
    })
}

/// One exercised request: a label, the answer, the expected status per column, and whether an
/// identity reveal is the point of it.
struct Cell {
    label: String,
    resp: Resp,
    want: [u16; 7],
    reveal: bool,
}

fn authed(row: [u16; 5]) -> [u16; 7] {
    [row[0], row[1], row[2], row[3], row[4], 401, 401]
}

const ALL_OK: [u16; 5] = [200; 5];
const MGR_ONLY: [u16; 5] = [403, 403, 403, 403, 200];
const SOUTH_SCOPE: [u16; 5] = [404, 404, 404, 404, 200];

/// Exercise one route as `who`; the variants cover area and assignment scope.
async fn exercise(w: &World, route: &str, who: usize) -> Vec<Cell> {
    let f = &w.f;
    let (a, un, so) = (&f.assigned, &f.unassigned, &f.south);
    let p = "/api/v1";
    let mut cells = Vec::new();
    let mut push = |label: &str, resp: Resp, want: [u16; 7], reveal: bool| {
        cells.push(Cell {
            label: label.to_string(),
            resp,
            want,
            reveal,
        })
    };
    let idem = || vec![("idempotency-key", key())];
    let if_match = |v: i64| vec![("if-match", format!("\"{v}\""))];
    match route {
        "POST /api/v1/session" => {
            let body = json!({"username": "walker", "password": WALKER_PASSWORD});
            let r = w
                .call(who, Method::POST, &format!("{p}/session"), Some(body), &[])
                .await;
            push(route, r, [201; 7], false);
            // A wrong password: refused alike for everyone, and audited (session.fail).
            let body = json!({"username": "walker", "password": "not-the-password"});
            let r = w
                .call(who, Method::POST, &format!("{p}/session"), Some(body), &[])
                .await;
            push(&format!("{route} (wrong password)"), r, [401; 7], false);
        }
        "DELETE /api/v1/session" => {
            // A throwaway session of the same role, so the walk keeps its own tokens.
            let role = ROLES.get(who).copied();
            let token = match role {
                Some(_) => {
                    let store = w.h.server.store();
                    let (token, hash) = jar_server::auth::new_token();
                    let mut tx = store.begin().await.expect("begin");
                    jar_server::store::users::insert_token(
                        tx.conn(),
                        &hash,
                        &format!("bye-{who}"),
                        chrono::Utc::now() + chrono::Duration::hours(1),
                    )
                    .await
                    .expect("token");
                    store.commit(tx).await.expect("commit");
                    Some(token)
                }
                None => w.tokens[who].clone(),
            };
            let mut req =
                w.h.http
                    .delete(format!("{}{p}/session", w.h.server.base_url()));
            if let Some(t) = &token {
                req = req.header("authorization", format!("Bearer {t}"));
            }
            let res = req.send().await.expect("send");
            let resp = Resp {
                status: res.status().as_u16(),
                headers: res.headers().clone(),
                body: res.text().await.expect("body"),
            };
            push(route, resp, authed([204; 5]), false);
            if let Some(t) = token
                && role.is_some()
            {
                let after =
                    w.h.http
                        .get(format!("{}{p}/me", w.h.server.base_url()))
                        .header("authorization", format!("Bearer {t}"))
                        .send()
                        .await
                        .expect("send");
                assert_eq!(after.status().as_u16(), 401, "token alive after sign-out");
            }
        }
        "GET /api/v1/me" | "GET /api/v1/cases" | "GET /api/v1/templates" => {
            let path = route.split_once(' ').map(|x| x.1).unwrap_or_default();
            push(
                route,
                w.call(who, Method::GET, path, None, &[]).await,
                authed(ALL_OK),
                false,
            );
            if route == "GET /api/v1/cases" {
                for q in [
                    "?mine=true",
                    "?q=Quillwort",
                    "?q=Marigold",
                    "?area=South%20Wessex",
                ] {
                    push(
                        &format!("{route}{q}"),
                        w.call(who, Method::GET, &format!("{path}{q}"), None, &[])
                            .await,
                        authed(ALL_OK),
                        false,
                    );
                }
            }
        }
        "POST /api/v1/cases" => {
            push(
                &format!("{route} (north)"),
                w.call(
                    who,
                    Method::POST,
                    &format!("{p}/cases"),
                    Some(new_case(NORTH, "trauma")),
                    &idem(),
                )
                .await,
                authed([201, 201, 201, 403, 201]),
                false,
            );
            push(
                &format!("{route} (south)"),
                w.call(
                    who,
                    Method::POST,
                    &format!("{p}/cases"),
                    Some(new_case(SOUTH, "trauma")),
                    &idem(),
                )
                .await,
                authed([403, 403, 403, 403, 201]),
                false,
            );
        }
        "GET /api/v1/cases/{reference}" => {
            for (label, r, row) in [
                ("assigned", a, ALL_OK),
                ("unassigned", un, [200, 200, 200, 404, 200]),
                ("south", so, SOUTH_SCOPE),
                ("south with identity", &w.south_child_ref, SOUTH_SCOPE),
                ("unknown", &"JAR-1999-9999".to_string(), [404; 5]),
            ] {
                push(
                    &format!("{route} ({label})"),
                    w.call(who, Method::GET, &format!("{p}/cases/{r}"), None, &[])
                        .await,
                    authed(row),
                    false,
                );
            }
        }
        "PATCH /api/v1/cases/{reference}" => {
            for (label, r, row) in [
                ("assigned", a, [200, 200, 200, 403, 200]),
                ("unassigned", un, [200, 200, 200, 404, 200]),
                ("south", so, SOUTH_SCOPE),
            ] {
                let v = f.mgr.version(r).await;
                let body = json!({"criteria": {"criteria": ["unclear"], "decided_by": format!("panel {who}")}});
                push(
                    &format!("{route} ({label})"),
                    w.call(
                        who,
                        Method::PATCH,
                        &format!("{p}/cases/{r}"),
                        Some(body),
                        &if_match(v),
                    )
                    .await,
                    authed(row),
                    false,
                );
            }
        }
        "PUT /api/v1/cases/{reference}/deadlines/{rule}/not-applicable" => {
            for (label, r, row) in [
                ("assigned", a, [200, 200, 200, 403, 200]),
                ("unassigned", un, [200, 200, 200, 404, 200]),
                ("south", so, SOUTH_SCOPE),
            ] {
                let v = f.mgr.version(r).await;
                // A different reason each time, so each allowed call is a real change.
                let body = json!({"reason": format!("no home to visit (walk {who})")});
                push(
                    &format!("{route} ({label})"),
                    w.call(
                        who,
                        Method::PUT,
                        &format!("{p}/cases/{r}/deadlines/home_visit/not-applicable"),
                        Some(body),
                        &if_match(v),
                    )
                    .await,
                    authed(row),
                    false,
                );
            }
        }
        "DELETE /api/v1/cases/{reference}/deadlines/{rule}/not-applicable" => {
            for (label, r, row) in [
                ("assigned", a, [200, 200, 200, 403, 200]),
                ("unassigned", un, [200, 200, 200, 404, 200]),
                ("south", so, SOUTH_SCOPE),
            ] {
                // Marked first by the manager, so that each allowed call takes a real mark back.
                let path = format!("/cases/{r}/deadlines/cdop_notified/not-applicable");
                let v = f.mgr.version(r).await;
                let reason = json!({"reason": format!("notified by the other area (walk {who})")});
                assert_eq!(f.mgr.put(&path, &reason, v).await.status, 200);
                let v = f.mgr.version(r).await;
                push(
                    &format!("{route} ({label})"),
                    w.call(
                        who,
                        Method::DELETE,
                        &format!("{p}{path}"),
                        None,
                        &if_match(v),
                    )
                    .await,
                    authed(row),
                    false,
                );
            }
        }
        "POST /api/v1/cases/{reference}/identity/reveal" => {
            for (label, r, row) in [
                ("assigned", a, ALL_OK),
                ("unassigned", un, [200, 200, 200, 404, 200]),
                ("south", &w.south_child_ref, SOUTH_SCOPE),
            ] {
                let resp = w
                    .call(
                        who,
                        Method::POST,
                        &format!("{p}/cases/{r}/identity/reveal"),
                        Some(json!({"reason": "calling the family"})),
                        &idem(),
                    )
                    .await;
                push(&format!("{route} ({label})"), resp, authed(row), true);
            }
        }
        "PUT /api/v1/cases/{reference}/identity" => {
            for (label, r, row) in [
                ("assigned", a, [200, 200, 200, 403, 200]),
                ("unassigned", un, [200, 200, 200, 404, 200]),
                ("south", so, SOUTH_SCOPE),
            ] {
                let v = f.mgr.version(r).await;
                // A different postcode each time, so each allowed call is a real correction.
                let body = json!({"child_name": CHILD_NAME, "postcode": format!("ZZ{who} 1ZZ")});
                push(
                    &format!("{route} ({label})"),
                    w.call(
                        who,
                        Method::PUT,
                        &format!("{p}/cases/{r}/identity"),
                        Some(body),
                        &if_match(v),
                    )
                    .await,
                    authed(row),
                    false,
                );
            }
        }
        "GET /api/v1/cases/{reference}/family-contacts" => {
            for (label, r, row) in [
                ("assigned", a, [403, 403, 403, 200, 403]),
                ("unassigned", un, [403, 403, 403, 404, 403]),
                ("south", so, [404, 404, 404, 404, 403]),
            ] {
                push(
                    &format!("{route} ({label})"),
                    w.call(
                        who,
                        Method::GET,
                        &format!("{p}/cases/{r}/family-contacts"),
                        None,
                        &[],
                    )
                    .await,
                    authed(row),
                    false,
                );
            }
        }
        "GET /api/v1/cases/{reference}/assignments/{slot}" => {
            // The assigned case's lead paediatrician is `paed`; the unassigned case has none.
            for (label, r, row) in [
                ("assigned", a, [200, 403, 403, 403, 200]),
                ("unassigned", un, [200, 403, 403, 404, 200]),
                ("south", so, SOUTH_SCOPE),
            ] {
                push(
                    &format!("{route} ({label})"),
                    w.call(
                        who,
                        Method::GET,
                        &format!("{p}/cases/{r}/assignments/key_worker"),
                        None,
                        &[],
                    )
                    .await,
                    authed(row),
                    false,
                );
            }
        }
        "PUT /api/v1/cases/{reference}/assignments/{slot}" => {
            // The paediatrician takes the lead of the unassigned case; the manager clears it.
            // In South nobody is a paediatrician: the manager is refused `paed` there (422).
            let un_name = if who == 4 { Value::Null } else { json!("paed") };
            for (label, r, row, name) in [
                ("unassigned", un, [200, 403, 403, 404, 200], un_name),
                ("south", so, [404, 404, 404, 404, 422], json!("paed")),
            ] {
                let v = f.mgr.version(r).await;
                push(
                    &format!("{route} ({label})"),
                    w.call(
                        who,
                        Method::PUT,
                        &format!("{p}/cases/{r}/assignments/lead_paediatrician"),
                        Some(json!({ "username": name })),
                        &if_match(v),
                    )
                    .await,
                    authed(row),
                    false,
                );
            }
        }
        "POST /api/v1/cases/{reference}/withdraw" => {
            // A fresh notification by the paediatrician for each caller: its notifier or a
            // manager may withdraw it.
            let r = f.paed.notify(NORTH, "other").await;
            let v = f.paed.version(&r).await;
            push(
                route,
                w.call(
                    who,
                    Method::POST,
                    &format!("{p}/cases/{r}/withdraw"),
                    Some(json!({"reason": "notified on the wrong record"})),
                    &if_match(v),
                )
                .await,
                authed([200, 403, 403, 404, 200]),
                false,
            );
        }
        "POST /api/v1/cases/{reference}/duplicates" => {
            let record = f.mgr.notify(NORTH, "other").await;
            let dup = f.mgr.notify(NORTH, "other").await;
            let v = f.mgr.version(&record).await;
            push(
                route,
                w.call(
                    who,
                    Method::POST,
                    &format!("{p}/cases/{record}/duplicates"),
                    Some(json!({"duplicate": dup, "reason": "the same death notified twice"})),
                    &if_match(v),
                )
                .await,
                authed([403, 403, 403, 404, 200]),
                false,
            );
        }
        "GET /api/v1/covers" => {
            push(
                route,
                w.call(who, Method::GET, &format!("{p}/covers"), None, &[])
                    .await,
                authed(MGR_ONLY),
                false,
            );
        }
        "POST /api/v1/covers" => {
            let now = chrono::Utc::now();
            let body = json!({"covered": "kw", "cover": "kw-cover",
                "from": now.to_rfc3339(), "to": (now + chrono::Duration::hours(1)).to_rfc3339()});
            push(
                route,
                w.call(
                    who,
                    Method::POST,
                    &format!("{p}/covers"),
                    Some(body),
                    &idem(),
                )
                .await,
                authed([403, 403, 403, 403, 201]),
                false,
            );
        }
        "POST /api/v1/covers/end" => {
            // The cover the manager set on the route before: ended early, by a manager only.
            push(
                route,
                w.call(
                    who,
                    Method::POST,
                    &format!("{p}/covers/end"),
                    Some(json!({"covered": "kw", "cover": "kw-cover"})),
                    &idem(),
                )
                .await,
                authed([403, 403, 403, 403, 204]),
                false,
            );
        }
        "GET /api/v1/exports/notifications" => {
            // The export carries identities: a disclosure like a reveal, for managers only.
            push(
                route,
                w.call(
                    who,
                    Method::GET,
                    &format!("{p}/exports/notifications?from=2000-01-01&to=2100-12-31"),
                    None,
                    &[],
                )
                .await,
                authed(MGR_ONLY),
                true,
            );
        }
        "GET /api/v1/exports/notifications/{reference}" => {
            // One case's notification: a disclosure like a reveal, for managers only.
            push(
                route,
                w.call(
                    who,
                    Method::GET,
                    &format!("{p}/exports/notifications/{a}"),
                    None,
                    &[],
                )
                .await,
                authed(MGR_ONLY),
                true,
            );
        }
        "GET /api/v1/cases/{reference}/timeline" | "GET /api/v1/cases/{reference}/checklists" => {
            let tail = route.rsplit('/').next().unwrap_or_default();
            for (label, r, row) in [
                ("assigned", a, ALL_OK),
                ("unassigned", un, [200, 200, 200, 404, 200]),
                ("south", so, SOUTH_SCOPE),
            ] {
                push(
                    &format!("{route} ({label})"),
                    w.call(
                        who,
                        Method::GET,
                        &format!("{p}/cases/{r}/{tail}"),
                        None,
                        &[],
                    )
                    .await,
                    authed(row),
                    false,
                );
            }
        }
        "POST /api/v1/cases/{reference}/timeline" => {
            for (label, r, row) in [
                ("assigned", a, [201, 201, 201, 403, 201]),
                (
                    "south",
                    so,
                    SOUTH_SCOPE.map(|s| if s == 200 { 201 } else { s }),
                ),
            ] {
                push(
                    &format!("{route} ({label})"),
                    w.call(
                        who,
                        Method::POST,
                        &format!("{p}/cases/{r}/timeline"),
                        Some(json!({"kind": "note", "note": format!("walk note {who}")})),
                        &idem(),
                    )
                    .await,
                    authed(row),
                    false,
                );
            }
        }
        "POST /api/v1/cases/{reference}/checklists" => {
            // Each allowed role starts a different template, so no start conflicts.
            let template = match who {
                0 => "asthma",
                4 => "suicide",
                _ => "asthma",
            };
            push(
                route,
                w.call(
                    who,
                    Method::POST,
                    &format!("{p}/cases/{a}/checklists"),
                    Some(json!({"template": template})),
                    &idem(),
                )
                .await,
                authed([201, 403, 403, 403, 201]),
                false,
            );
        }
        "PUT /api/v1/cases/{reference}/checklists/{template}/items/{item}" => {
            for (owners, row) in [
                (&[Agency::Police][..], [403, 200, 403, 403, 200]),
                (&[Agency::Health][..], [200, 403, 403, 403, 200]),
                (&[Agency::SocialCare][..], [403, 403, 200, 403, 200]),
                (
                    &[Agency::CdrOffice, Agency::KeyWorker][..],
                    [403, 403, 403, 200, 200],
                ),
            ] {
                let (list, item) = owned_item(owners);
                let v = item_version(&f.mgr, a, &list, &item).await;
                push(
                    &format!("{route} ({owners:?})"),
                    w.call(
                        who,
                        Method::PUT,
                        &format!("{p}/cases/{a}/checklists/{list}/items/{item}"),
                        Some(json!({"status": "done", "note": format!("walk {who}")})),
                        &if_match(v),
                    )
                    .await,
                    authed(row),
                    false,
                );
            }
            // The restricted item: its note is for those who may read maltreatment pointers.
            let v = item_version(&f.mgr, a, "sudi", "SUDI-A13").await;
            push(
                &format!("{route} (restricted)"),
                w.call(
                    who,
                    Method::PUT,
                    &format!("{p}/cases/{a}/checklists/sudi/items/SUDI-A13"),
                    Some(json!({"status": "done", "note": format!("{RESTRICTED_NOTE} {who}")})),
                    &if_match(v),
                )
                .await,
                authed([200, 200, 403, 403, 200]),
                false,
            );
            // Reopening the item just closed: the owners and managers, audited as its own
            // action (issue 14 §3).
            let v = item_version(&f.mgr, a, "sudi", "SUDI-A13").await;
            push(
                &format!("{route} (reopen)"),
                w.call(
                    who,
                    Method::PUT,
                    &format!("{p}/cases/{a}/checklists/sudi/items/SUDI-A13"),
                    Some(json!({"status": "open", "note": format!("{RESTRICTED_NOTE} {who}")})),
                    &if_match(v),
                )
                .await,
                authed([200, 200, 403, 403, 200]),
                false,
            );
        }
        "GET /api/v1/cases/{reference}/contacts" => {
            for (label, r, row) in [
                ("assigned", a, [200, 403, 403, 200, 200]),
                ("unassigned", un, [200, 403, 403, 404, 200]),
                ("south", so, SOUTH_SCOPE),
            ] {
                push(
                    &format!("{route} ({label})"),
                    w.call(
                        who,
                        Method::GET,
                        &format!("{p}/cases/{r}/contacts"),
                        None,
                        &[],
                    )
                    .await,
                    authed(row),
                    false,
                );
            }
        }
        "POST /api/v1/cases/{reference}/contacts" => {
            for (label, r, row) in [
                ("assigned", a, [403, 403, 403, 201, 201]),
                ("unassigned", un, [403, 403, 403, 404, 201]),
            ] {
                push(
                    &format!("{route} ({label})"),
                    w.call(
                        who,
                        Method::POST,
                        &format!("{p}/cases/{r}/contacts"),
                        Some(new_contact("walk contact")),
                        &idem(),
                    )
                    .await,
                    authed(row),
                    false,
                );
            }
        }
        "POST /api/v1/cases/{reference}/contacts/{id}/amendments" => {
            push(
                route,
                w.call(
                    who,
                    Method::POST,
                    &format!("{p}/cases/{a}/contacts/{}/amendments", f.contact_id),
                    Some(json!({"reason": "typo", "text": "walk amendment"})),
                    &idem(),
                )
                .await,
                authed([403, 403, 403, 201, 201]),
                false,
            );
        }
        "GET /api/v1/cases/{reference}/questions"
        | "GET /api/v1/cases/{reference}/review"
        | "GET /api/v1/cases/{reference}/involvements" => {
            // Everyone in scope reads these (questions filtered by agency: tests/review.rs).
            let tail = route.rsplit('/').next().unwrap_or_default();
            for (label, r, row) in [
                ("assigned", a, ALL_OK),
                ("unassigned", un, [200, 200, 200, 404, 200]),
                ("south", so, SOUTH_SCOPE),
            ] {
                push(
                    &format!("{route} ({label})"),
                    w.call(
                        who,
                        Method::GET,
                        &format!("{p}/cases/{r}/{tail}"),
                        None,
                        &[],
                    )
                    .await,
                    authed(row),
                    false,
                );
            }
        }
        "POST /api/v1/cases/{reference}/questions" => {
            // The key worker, the manager and the lead paediatrician (the walk's) raise them.
            push(
                route,
                w.call(
                    who,
                    Method::POST,
                    &format!("{p}/cases/{a}/questions"),
                    Some(json!({"text": "walk question", "agency": "police"})),
                    &idem(),
                )
                .await,
                authed([201, 403, 403, 201, 201]),
                false,
            );
        }
        "POST /api/v1/cases/{reference}/questions/{id}/steps" => {
            // A police question: police draft its answer; social care cannot see it (404).
            let r = f
                .mgr
                .post(
                    &format!("/cases/{a}/questions"),
                    &json!({"text": "walk question", "agency": "police"}),
                )
                .await;
            let id = r.json()["id"].as_i64().expect("question id");
            push(
                route,
                w.call(
                    who,
                    Method::POST,
                    &format!("{p}/cases/{a}/questions/{id}/steps"),
                    Some(json!({"status": "answer_drafted", "note": "walk answer"})),
                    &idem(),
                )
                .await,
                authed([403, 200, 404, 403, 200]),
                false,
            );
        }
        "PATCH /api/v1/cases/{reference}/review" => {
            // A different examination time per caller, so that every call is a change.
            let v = f.mgr.version(a).await;
            let at = format!("2026-03-0{}T09:00:00Z", who + 2);
            push(
                route,
                w.call(
                    who,
                    Method::PATCH,
                    &format!("{p}/cases/{a}/review"),
                    Some(json!({"post_mortem": {"kind": "coronial", "examined_at": at}})),
                    &if_match(v),
                )
                .await,
                authed([200, 200, 200, 403, 200]),
                false,
            );
        }
        "POST /api/v1/cases/{reference}/involvements" => {
            // Everyone named on the assigned case, and the manager.
            push(
                route,
                w.call(
                    who,
                    Method::POST,
                    &format!("{p}/cases/{a}/involvements"),
                    Some(json!({"agency": "education", "professional": "Example Nursery"})),
                    &idem(),
                )
                .await,
                authed([201, 201, 201, 201, 201]),
                false,
            );
        }
        "POST /api/v1/cases/{reference}/involvements/{id}/steps" => {
            let r = f
                .mgr
                .post(
                    &format!("/cases/{a}/involvements"),
                    &json!({"agency": "police", "professional": "Police CID"}),
                )
                .await;
            let id = r.json()["id"].as_i64().expect("involvement id");
            push(
                route,
                w.call(
                    who,
                    Method::POST,
                    &format!("{p}/cases/{a}/involvements/{id}/steps"),
                    Some(json!({"step": "requested", "at": "2026-03-05T10:00:00Z",
                        "due_by": "2026-04-02T17:00:00Z"})),
                    &idem(),
                )
                .await,
                authed(MGR_ONLY),
                false,
            );
        }
        "GET /api/v1/events" => {
            // The stream's content is checked in `stream_check`; here only who may open it.
            let mut req =
                w.h.http
                    .get(format!("{}{p}/events", w.h.server.base_url()))
                    .timeout(Duration::from_secs(5));
            if let Some(t) = &w.tokens[who] {
                req = req.header("authorization", format!("Bearer {t}"));
            }
            let res = req.send().await.expect("events");
            let resp = Resp {
                status: res.status().as_u16(),
                headers: res.headers().clone(),
                body: if res.status().is_success() {
                    String::new()
                } else {
                    res.text().await.expect("body")
                },
            };
            push(route, resp, authed(ALL_OK), false);
        }
        "GET /api/v1/audit" | "GET /api/v1/users" => {
            let path = route.split_once(' ').map(|x| x.1).unwrap_or_default();
            push(
                route,
                w.call(who, Method::GET, path, None, &[]).await,
                authed(MGR_ONLY),
                false,
            );
        }
        "POST /api/v1/users" => {
            push(
                route,
                w.call(
                    who,
                    Method::POST,
                    &format!("{p}/users"),
                    Some(json!({"username": format!("new-{who}"), "password": "pw-long-enough-1", "role": "police", "areas": [NORTH]})),
                    &idem(),
                )
                .await,
                authed([403, 403, 403, 403, 201]),
                false,
            );
        }
        "POST /api/v1/users/{name}/disable" => {
            push(
                route,
                w.call(
                    who,
                    Method::POST,
                    &format!("{p}/users/victim-{who}/disable"),
                    None,
                    &[],
                )
                .await,
                authed([403, 403, 403, 403, 204]),
                false,
            );
        }
        "POST /api/v1/users/{name}/password" => {
            push(
                route,
                w.call(
                    who,
                    Method::POST,
                    &format!("{p}/users/reset-{who}/password"),
                    None,
                    &[],
                )
                .await,
                authed([403, 403, 403, 403, 200]),
                false,
            );
        }
        "GET /api/v1/handovers" => {
            push(
                route,
                w.call(who, Method::GET, &format!("{p}/handovers"), None, &[])
                    .await,
                authed(ALL_OK),
                false,
            );
        }
        "GET /api/v1/handovers/draft" => {
            push(
                route,
                w.call(who, Method::GET, &format!("{p}/handovers/draft"), None, &[])
                    .await,
                authed([200, 403, 403, 403, 403]),
                false,
            );
        }
        "GET /api/v1/handovers/{id}" => {
            // The incoming paediatrician and the area's manager; nobody else learns it exists.
            push(
                route,
                w.call(
                    who,
                    Method::GET,
                    &format!("{p}/handovers/{}", w.handover_id),
                    None,
                    &[],
                )
                .await,
                authed([200, 404, 404, 404, 200]),
                false,
            );
        }
        "POST /api/v1/handovers" => {
            push(
                route,
                w.call(
                    who,
                    Method::POST,
                    &format!("{p}/handovers"),
                    Some(json!({"incoming": "night-paed", "entries": [handover_entry(a, "walk")]})),
                    &idem(),
                )
                .await,
                authed([201, 403, 403, 403, 403]),
                false,
            );
        }
        "POST /api/v1/handovers/{id}/acknowledgements" => {
            push(
                route,
                w.call(
                    who,
                    Method::POST,
                    &format!("{p}/handovers/{}/acknowledgements", w.handover_id),
                    Some(json!({"become_lead": true})),
                    &[],
                )
                .await,
                authed([200, 403, 403, 403, 403]),
                false,
            );
        }
        "GET /api/v1/openapi.json" | "GET /healthz" | "GET /readyz" => {
            let path = route.split_once(' ').map(|x| x.1).unwrap_or_default();
            push(
                route,
                w.call(who, Method::GET, path, None, &[]).await,
                [200; 7],
                false,
            );
        }
        other => panic!("no cell for {other}: add one to access_walk.rs"),
    }
    cells
}

/// Every "METHOD /path" in the server's OpenAPI document.
async fn openapi_routes(h: &Harness) -> BTreeSet<String> {
    let doc: Value = h
        .http
        .get(format!("{}/openapi.json", h.base))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    let mut out = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in [
            "get", "post", "put", "patch", "delete", "head", "options", "trace",
        ] {
            if item.get(method).is_some() {
                out.insert(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    out
}

async fn audit_rows(db_url: &str) -> Vec<String> {
    use sqlx::Connection;
    let mut conn = sqlx::SqliteConnection::connect(db_url).await.expect("db");
    let rows: Vec<String> = sqlx::query_scalar("SELECT action FROM audit ORDER BY id")
        .fetch_all(&mut conn)
        .await
        .expect("audit");
    conn.close().await.expect("close");
    rows
}

#[tokio::test]
async fn every_route_in_the_openapi_document_has_a_cell_here() {
    let h = Harness::sqlite().await;
    let documented = openapi_routes(&h).await;
    let known: BTreeSet<String> = KNOWN.iter().map(|s| s.to_string()).collect();
    let missing: Vec<_> = documented.difference(&known).collect();
    let stale: Vec<_> = known.difference(&documented).collect();
    assert!(
        missing.is_empty() && stale.is_empty(),
        "routes in the OpenAPI document without a cell in access_walk.rs: {missing:?}; \
         cells for routes no longer documented: {stale:?}"
    );
}

#[tokio::test]
async fn every_route_as_every_role_and_without_a_token_answers_right_and_leaks_nothing() {
    let w = build_world().await;
    let routes = openapi_routes(&w.h).await;
    let mut failures = Vec::new();
    let mut audited_writes: BTreeSet<String> = BTreeSet::new();
    // Reads before writes, sign-out last; otherwise the document's order.
    let mut order: Vec<&String> = routes.iter().collect();
    order.sort_by_key(|r| {
        (
            !r.starts_with("GET "),
            r.starts_with("DELETE "),
            r.to_string(),
        )
    });
    for route in order {
        for (who, _) in WHO.iter().enumerate() {
            let audit_before = audit_rows(&w.db_url).await.len();
            let cells = exercise(&w, route, who).await;
            assert!(!cells.is_empty(), "{route}: no cell");
            let audit_after = audit_rows(&w.db_url).await.len();
            let is_write = !route.starts_with("GET ");
            let mut succeeded = 0;
            for c in &cells {
                let r = &c.resp;
                if r.status != c.want[who] {
                    failures.push(format!(
                        "{} as {}: got {} want {}: {}",
                        c.label,
                        WHO[who],
                        r.status,
                        c.want[who],
                        r.body.chars().take(300).collect::<String>()
                    ));
                }
                if r.status >= 400
                    && r.header("content-type").as_deref() != Some("application/problem+json")
                {
                    failures.push(format!(
                        "{} as {}: error without problem+json",
                        c.label, WHO[who]
                    ));
                }
                if r.status == 401 && r.header("www-authenticate").is_none() {
                    failures.push(format!(
                        "{} as {}: 401 without WWW-Authenticate",
                        c.label, WHO[who]
                    ));
                }
                for marker in w.forbidden(who, c.reveal) {
                    // A 404 may echo the reference the caller asked for, and no more.
                    let echoed = r.status == 404 && marker.starts_with("JAR-");
                    if !echoed && r.body.contains(&marker) {
                        failures.push(format!(
                            "{} as {}: body carries forbidden text {marker:?}",
                            c.label, WHO[who]
                        ));
                    }
                }
                if (200..300).contains(&r.status) {
                    succeeded += 1;
                }
            }
            // Every successful write leaves at least one audit row per success.
            if is_write && succeeded > 0 {
                if audit_after < audit_before + succeeded {
                    failures.push(format!(
                        "{route} as {}: {succeeded} successful writes but {} audit rows",
                        WHO[who],
                        audit_after - audit_before
                    ));
                } else {
                    audited_writes.insert(route.clone());
                }
            }
        }
    }
    // The audit table, driven from the route list: every write route was audited at least once.
    let writes: BTreeSet<String> = routes
        .iter()
        .filter(|r| !r.starts_with("GET "))
        .cloned()
        .collect();
    let unaudited: Vec<_> = writes.difference(&audited_writes).collect();
    assert!(
        unaudited.is_empty(),
        "write routes never audited: {unaudited:?}"
    );
    let actions: BTreeSet<String> = audit_rows(&w.db_url).await.into_iter().collect();
    for action in jar_server::audit::ACTIONS {
        assert!(
            actions.contains(action),
            "no audit row with action {action}"
        );
    }
    failures.extend(stream_check(&w).await);
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Replay the whole change history to every role and check it for forbidden text and scope.
async fn stream_check(w: &World) -> Vec<String> {
    let people = w.f.everyone();
    let mut failures = Vec::new();
    // A last change every role may hear (a plain note on the key worker's case) marks the end
    // of the history, so each stream is read to the end without waiting a fixed time.
    let r =
        w.f.paed
            .post(
                &format!("/cases/{}/timeline", w.f.assigned),
                &json!({"kind": "note", "note": "end of the walk"}),
            )
            .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let end = format!("\"item\":\"{}\"", r.json()["id"]);
    let streams = futures::future::join_all(people.iter().map(|p| {
        let end = end.clone();
        async move {
            let mut sse = Sse::open(p, Some("0")).await;
            let reached = sse
                .until(30, |fr| fr.iter().any(|f| f.data.contains(&end)))
                .await;
            (reached, sse.frames)
        }
    }))
    .await;
    for (who, (reached, frames)) in streams.into_iter().enumerate() {
        if !reached {
            failures.push(format!(
                "{}: the stream never reached the end marker",
                WHO[who]
            ));
        }
        if frames.is_empty() {
            failures.push(format!("{}: no events replayed at all", WHO[who]));
        }
        let text: String = frames
            .iter()
            .map(|f| format!("{} {:?} {}\n", f.event, f.id, f.data))
            .collect();
        for marker in w.forbidden(who, false) {
            if text.contains(&marker) {
                failures.push(format!("/events as {}: carries {marker:?}", WHO[who]));
            }
        }
    }
    failures
}
