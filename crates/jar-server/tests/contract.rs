//! The OpenAPI document tells the truth (issue 13, §3): real answers of a real server, for every
//! operation and the errors they document, are checked against the schemas of the document the
//! same server serves (status documented, media type documented, body valid), and the text
//! patterns in it are held to the rules `jar_core::text` applies. Schemathesis, in CI
//! (`scripts/schemathesis/run`), then generates requests from the same document.

mod common;

use common::fixture::{self, CHILD_NAME};
use common::*;
use jar_core::Role;
use reqwest::Method;
use serde_json::{Value, json};

/// The served document, and a validator for any schema inside it.
struct Document {
    doc: Value,
}

/// JSON Pointer escaping (RFC 6901).
fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

impl Document {
    async fn fetch(h: &Harness) -> Document {
        let res = reqwest::get(format!("{}/openapi.json", h.base))
            .await
            .expect("document");
        assert_eq!(res.status().as_u16(), 200);
        Document {
            doc: res.json().await.expect("JSON"),
        }
    }

    /// Validate `value` against the schema at `pointer` (a JSON Pointer into the document),
    /// with the document's components beside it so that its `$ref`s resolve as a client's would.
    fn errors(&self, pointer: &str, value: &Value) -> Vec<String> {
        let mut root = self
            .doc
            .pointer(pointer)
            .unwrap_or_else(|| panic!("the document has nothing at {pointer}"))
            .clone();
        root["components"] = self.doc["components"].clone();
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .build(&root)
            .unwrap_or_else(|e| panic!("the schema at {pointer} does not compile: {e}"));
        validator
            .iter_errors(value)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect()
    }

    fn check(&self, pointer: &str, value: &Value, what: &str) {
        let errors = self.errors(pointer, value);
        assert!(
            errors.is_empty(),
            "{what}: the answer does not match the document ({pointer}):\n{}\n{value:#}",
            errors.join("\n")
        );
    }

    /// The operation at `path` (the document's template, e.g. `/api/v1/cases/{reference}`).
    fn operation(&self, method: &Method, path: &str) -> &Value {
        let op = &self.doc["paths"][path][method.as_str().to_lowercase()];
        assert!(op.is_object(), "the document has no {method} {path}");
        op
    }

    /// An answer to `method path`: its status is listed, its media type is the one listed for
    /// that status, and its body matches that schema.
    fn answer(&self, method: &Method, path: &str, r: &Resp) {
        let what = format!("{method} {path} → {}", r.status);
        let status = r.status.to_string();
        let response = &self.operation(method, path)["responses"][&status];
        assert!(
            response.is_object(),
            "{what}: status not in the document; body: {}",
            r.body
        );
        let content = &response["content"];
        if r.body.is_empty() {
            assert!(
                content.is_null(),
                "{what}: the document promises a body, none came"
            );
            return;
        }
        let media = r
            .header("content-type")
            .unwrap_or_default()
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_string();
        assert!(
            content[&media].is_object(),
            "{what}: {media} is not a documented media type ({content})"
        );
        if !media.ends_with("json") {
            // A text answer (the CSV export): its media type is documented; no JSON to check.
            return;
        }
        if media == "application/problem+json" {
            let body = r.json();
            assert_eq!(body["status"], r.status, "{what}: problem status");
        }
        let pointer = format!(
            "/paths/{}/{}/responses/{status}/content/{}/schema",
            escape(path),
            method.as_str().to_lowercase(),
            escape(&media)
        );
        self.check(&pointer, &r.json(), &what);
    }

    /// A request body that the server accepted matches the documented request schema.
    fn request(&self, method: &Method, path: &str, body: &Value) {
        let pointer = format!(
            "/paths/{}/{}/requestBody/content/application~1json/schema",
            escape(path),
            method.as_str().to_lowercase()
        );
        self.check(&pointer, body, &format!("request body of {method} {path}"));
    }
}

/// One call and its check against the document.
async fn call(
    d: &Document,
    p: &Person,
    method: Method,
    template: &str,
    path: &str,
    body: Option<&Value>,
    headers: &[(&str, &str)],
) -> Resp {
    let r = p
        .send(method.clone(), path, body.map(|b| b.to_string()), headers)
        .await;
    d.answer(&method, &format!("/api/v1{template}"), &r);
    if let Some(b) = body
        && (200..300).contains(&r.status)
    {
        d.request(&method, &format!("/api/v1{template}"), b);
    }
    r
}

#[tokio::test]
async fn every_operation_answers_as_the_document_says_successes_and_errors() {
    let h = Harness::sqlite().await;
    let f = fixture::build(&h).await;
    let d = Document::fetch(&h).await;
    let case = f.assigned.clone();
    let c = |s: &str| s.replace("{reference}", &case);
    let first_key = key();
    let idem = [("idempotency-key", first_key.as_str())];

    // The board and a case, as the paediatrician and as the key worker (fields redacted).
    for who in [&f.paed, &f.kw, &f.mgr] {
        call(&d, who, Method::GET, "/cases", "/cases", None, &[]).await;
        call(
            &d,
            who,
            Method::GET,
            "/cases",
            "/cases?active=true&mine=false&limit=2&q=JAR&stage=reported",
            None,
            &[],
        )
        .await;
        for t in [
            "/cases/{reference}",
            "/cases/{reference}/timeline",
            "/cases/{reference}/checklists",
            "/cases/{reference}/contacts",
        ] {
            call(&d, who, Method::GET, t, &c(t), None, &[]).await;
        }
        call(&d, who, Method::GET, "/me", "/me", None, &[]).await;
        call(&d, who, Method::GET, "/templates", "/templates", None, &[]).await;
    }
    let page = call(
        &d,
        &f.mgr,
        Method::GET,
        "/cases",
        "/cases?limit=1",
        None,
        &[],
    )
    .await;
    let cursor = page.json()["next_cursor"]
        .as_str()
        .expect("a second page")
        .to_string();
    call(
        &d,
        &f.mgr,
        Method::GET,
        "/cases",
        &format!("/cases?limit=1&cursor={cursor}"),
        None,
        &[],
    )
    .await;

    // Writes that succeed.
    let new = new_case(NORTH, "sudi");
    let r = call(
        &d,
        &f.paed,
        Method::POST,
        "/cases",
        "/cases",
        Some(&new),
        &idem,
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let replay = call(
        &d,
        &f.paed,
        Method::POST,
        "/cases",
        "/cases",
        Some(&new),
        &idem,
    )
    .await;
    assert_eq!(replay.body, r.body, "a retry gets the first answer");
    let fresh = r.json()["case"]["reference"]
        .as_str()
        .expect("reference")
        .to_string();
    let patch = json!({"people": {"lead_paediatrician": "paed", "police_lead": null, "social_worker": null, "key_worker": "kw"},
        "criteria": {"criteria": ["unclear"], "decided_by": "designated doctor", "rationale": "second look"}});
    let v = f.paed.version(&fresh).await.to_string();
    let etag = format!("\"{v}\"");
    let r = call(
        &d,
        &f.paed,
        Method::PATCH,
        "/cases/{reference}",
        &format!("/cases/{fresh}"),
        Some(&patch),
        &[("if-match", &etag)],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let event =
        json!({"kind": "death_confirmed", "occurred_at": "2026-03-01T03:00:00Z", "note": "in ED"});
    let r = call(
        &d,
        &f.paed,
        Method::POST,
        "/cases/{reference}/timeline",
        &format!("/cases/{fresh}/timeline"),
        Some(&event),
        &[("idempotency-key", &key())],
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let target = r.json()["id"].as_i64().expect("event id");
    let correction = json!({"kind": "correction", "note": "wrong time", "corrects": target});
    let r = call(
        &d,
        &f.paed,
        Method::POST,
        "/cases/{reference}/timeline",
        &format!("/cases/{fresh}/timeline"),
        Some(&correction),
        &[("idempotency-key", &key())],
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let start = json!({"template": "asthma"});
    let r = call(
        &d,
        &f.paed,
        Method::POST,
        "/cases/{reference}/checklists",
        &format!("/cases/{fresh}/checklists"),
        Some(&start),
        &[("idempotency-key", &key())],
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let r = call(
        &d,
        &f.paed,
        Method::POST,
        "/cases/{reference}/checklists",
        &format!("/cases/{fresh}/checklists"),
        Some(&start),
        &[("idempotency-key", &key())],
    )
    .await;
    assert_eq!(r.status, 409, "already started");
    let item = fixture::item_owned_by("sudi", &[jar_core::Agency::Health]);
    let iv = fixture::item_version(&f.paed, &fresh, "sudi", &item).await;
    let unable = json!({"status": "unable", "note": "no carer present"});
    let item_path = format!("/cases/{fresh}/checklists/sudi/items/{item}");
    let t_item = "/cases/{reference}/checklists/{template}/items/{item}";
    let r = call(
        &d,
        &f.paed,
        Method::PUT,
        t_item,
        &item_path,
        Some(&unable),
        &[("if-match", &format!("\"{iv}\""))],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let contact = new_contact("phoned the mother");
    let r = call(
        &d,
        &f.kw,
        Method::POST,
        "/cases/{reference}/contacts",
        &c("/cases/{reference}/contacts"),
        Some(&contact),
        &[("idempotency-key", &key())],
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let amend = json!({"reason": "wrong date", "text": "it was the day before"});
    let t_amend = "/cases/{reference}/contacts/{id}/amendments";
    let r = call(
        &d,
        &f.kw,
        Method::POST,
        t_amend,
        &c(&format!(
            "/cases/{{reference}}/contacts/{}/amendments",
            f.contact_id
        )),
        Some(&amend),
        &[("idempotency-key", &key())],
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let reveal = json!({"reason": "the coroner's officer asked for the name"});
    let r = call(
        &d,
        &f.paed,
        Method::POST,
        "/cases/{reference}/identity/reveal",
        &c("/cases/{reference}/identity/reveal"),
        Some(&reveal),
        &[],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["child_name"], CHILD_NAME);

    // The manager's operations.
    call(
        &d,
        &f.mgr,
        Method::GET,
        "/audit",
        "/audit?limit=5&since=2020-01-01T00:00:00Z",
        None,
        &[],
    )
    .await;
    call(&d, &f.mgr, Method::GET, "/users", "/users", None, &[]).await;
    let user = json!({"username": "new-police", "password": "correct horse battery", "role": "police", "areas": [NORTH]});
    let r = call(
        &d,
        &f.mgr,
        Method::POST,
        "/users",
        "/users",
        Some(&user),
        &[("idempotency-key", &key())],
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let r = call(
        &d,
        &f.mgr,
        Method::POST,
        "/users",
        "/users",
        Some(&user),
        &[("idempotency-key", &key())],
    )
    .await;
    assert_eq!(r.status, 409, "{}", r.body);
    let r = call(
        &d,
        &f.mgr,
        Method::POST,
        "/users/{name}/disable",
        "/users/new-police/disable",
        None,
        &[],
    )
    .await;
    assert_eq!(r.status, 204);
    let r = call(
        &d,
        &f.mgr,
        Method::POST,
        "/users/{name}/disable",
        "/users/nobody/disable",
        None,
        &[],
    )
    .await;
    assert_eq!(r.status, 404);
    let r = call(
        &d,
        &f.mgr,
        Method::POST,
        "/users/{name}/password",
        "/users/new-police/password",
        None,
        &[],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);

    // The on-call handover (issue 17): sent, read, listed, acknowledged, refused.
    h.person("night-paed", Role::Paediatrician, &[NORTH]).await;
    let handover = json!({"incoming": "night-paed", "entries": [{
        "reference": case, "severity": "STABLE: no hard or overdue deadline",
        "summary": "SUDI · Reported · 4 months", "actions": ["DUE 04:00 GMT (in 2h) NPA"],
        "awareness": [], "synthesis": "ring the DD if the coroner calls"}]});
    let r = call(
        &d,
        &f.paed,
        Method::POST,
        "/handovers",
        "/handovers",
        Some(&handover),
        &[("idempotency-key", &key())],
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let hid = r.json()["id"].to_string();
    let r = call(
        &d,
        &f.paed,
        Method::POST,
        "/handovers",
        "/handovers",
        Some(&json!({"incoming": "paed", "entries": handover["entries"]})),
        &[("idempotency-key", &key())],
    )
    .await;
    assert_eq!(r.status, 422, "{}", r.body);
    for who in [&f.paed, &f.mgr, &f.kw] {
        call(&d, who, Method::GET, "/handovers", "/handovers", None, &[]).await;
        call(
            &d,
            who,
            Method::GET,
            "/handovers/draft",
            "/handovers/draft",
            None,
            &[],
        )
        .await;
    }
    let one = format!("/handovers/{hid}");
    let r = call(&d, &f.mgr, Method::GET, "/handovers/{id}", &one, None, &[]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = call(
        &d,
        &f.police,
        Method::GET,
        "/handovers/{id}",
        &one,
        None,
        &[],
    )
    .await;
    assert_eq!(r.status, 404, "{}", r.body);
    let ack = format!("/handovers/{hid}/acknowledgements");
    let r = call(
        &d,
        &f.paed,
        Method::POST,
        "/handovers/{id}/acknowledgements",
        &ack,
        Some(&json!({})),
        &[],
    )
    .await;
    assert_eq!(r.status, 403, "{}", r.body);

    // Errors, each as documented.
    let stale = call(
        &d,
        &f.paed,
        Method::PATCH,
        "/cases/{reference}",
        &format!("/cases/{fresh}"),
        Some(&json!({})),
        &[("if-match", "\"1\"")],
    )
    .await;
    assert_eq!(stale.status, 412);
    let r = call(
        &d,
        &f.paed,
        Method::PATCH,
        "/cases/{reference}",
        &format!("/cases/{fresh}"),
        Some(&json!({})),
        &[],
    )
    .await;
    assert_eq!(r.status, 428);
    let r = call(
        &d,
        &f.paed,
        Method::PUT,
        t_item,
        &item_path,
        Some(&unable),
        &[("if-match", "\"999\"")],
    )
    .await;
    assert_eq!(r.status, 412);
    let r = call(
        &d,
        &f.paed,
        Method::GET,
        "/cases/{reference}",
        "/cases/JAR-1999-0001",
        None,
        &[],
    )
    .await;
    assert_eq!(r.status, 404);
    let r = call(
        &d,
        &f.paed,
        Method::GET,
        "/cases",
        "/cases?limit=0",
        None,
        &[],
    )
    .await;
    assert_eq!(r.status, 400);
    let r = call(
        &d,
        &f.paed,
        Method::POST,
        "/cases",
        "/cases",
        Some(&new),
        &[],
    )
    .await;
    assert_eq!(r.status, 400, "no Idempotency-Key");
    let r = call(
        &d,
        &f.paed,
        Method::POST,
        "/cases",
        "/cases",
        Some(&json!({"area": NORTH})),
        &[("idempotency-key", &key())],
    )
    .await;
    assert_eq!(r.status, 422);
    let r = call(
        &d,
        &f.kw,
        Method::POST,
        "/cases",
        "/cases",
        Some(&new),
        &[("idempotency-key", &key())],
    )
    .await;
    assert_eq!(r.status, 403);
    let r = call(&d, &f.paed, Method::GET, "/audit", "/audit", None, &[]).await;
    assert_eq!(r.status, 403);
    let nobody = Person {
        token: "never-issued".into(),
        ..f.paed.clone()
    };
    let r = call(&d, &nobody, Method::GET, "/cases", "/cases", None, &[]).await;
    assert_eq!(r.status, 401);

    // Signing in and out.
    let login = json!({"username": "nobody", "password": "wrong"});
    let r = call(
        &d,
        &nobody,
        Method::POST,
        "/session",
        "/session",
        Some(&login),
        &[],
    )
    .await;
    assert_eq!(r.status, 401);
    let r = call(
        &d,
        &f.police,
        Method::DELETE,
        "/session",
        "/session",
        None,
        &[],
    )
    .await;
    assert_eq!(r.status, 204);

    // Health, and the document itself.
    for t in ["/healthz", "/readyz"] {
        let res = reqwest::get(format!("{}{t}", h.server.base_url()))
            .await
            .expect("health");
        let r = Resp {
            status: res.status().as_u16(),
            headers: res.headers().clone(),
            body: res.text().await.expect("body"),
        };
        d.answer(&Method::GET, t, &r);
    }
}

#[tokio::test]
async fn every_operation_declares_its_security_and_answers_errors_as_problems() {
    let h = Harness::sqlite().await;
    let d = Document::fetch(&h).await;
    let public = [
        "GET /healthz",
        "GET /readyz",
        "POST /api/v1/session",
        "GET /api/v1/openapi.json",
    ];
    let paths = d.doc["paths"].as_object().expect("paths");
    let mut operations = 0;
    for (path, item) in paths {
        for (method, op) in item.as_object().expect("path item") {
            operations += 1;
            let name = format!("{} {path}", method.to_uppercase());
            let security = op["security"]
                .as_array()
                .unwrap_or_else(|| panic!("{name}: no security"));
            if public.contains(&name.as_str()) {
                assert!(security.is_empty(), "{name} needs no token");
            } else {
                assert_eq!(security, &vec![json!({"bearer": []})], "{name}");
                assert!(op["responses"]["401"].is_object(), "{name}: 401");
            }
            for (status, response) in op["responses"].as_object().expect("responses") {
                assert!(
                    response["description"]
                        .as_str()
                        .is_some_and(|s| !s.is_empty()),
                    "{name} {status}: a description"
                );
                if status.starts_with('4') || status.starts_with('5') {
                    let media: Vec<&String> = response["content"]
                        .as_object()
                        .expect("content")
                        .keys()
                        .collect();
                    assert_eq!(media, ["application/problem+json"], "{name} {status}");
                }
            }
            if op["requestBody"].is_object() {
                for status in ["400", "413", "415", "422"] {
                    assert!(op["responses"][status].is_object(), "{name}: {status}");
                }
            }
        }
    }
    assert_eq!(operations, 52, "every route is in the document");
    let events = &d.doc["paths"]["/api/v1/events"]["get"]["responses"]["200"]["content"];
    assert!(events["text/event-stream"].is_object(), "{events}");
}

#[tokio::test]
async fn the_check_catches_an_answer_that_breaks_the_document() {
    let h = Harness::sqlite().await;
    let d = Document::fetch(&h).await;
    assert!(
        !d.errors("/components/schemas/CaseDetail", &json!({}))
            .is_empty(),
        "a case detail without its fields"
    );
    let contact = json!({"id": 1, "recorded_at": "2026-03-01T10:00:00Z", "author": "kw",
        "amendments": [], "occurred_at": "2026-03-01T10:00:00Z", "direction": "outbound",
        "mode": "phone", "participants": ["mother"], "purpose": "initial_contact",
        "summary": "phoned", "outcome": "reached", "next_contact_due": null});
    let schema = "/components/schemas/Contact";
    assert_eq!(
        d.errors(schema, &contact),
        Vec::<String>::new(),
        "a real contact matches"
    );
    let mut extra = contact.clone();
    extra["surprise"] = json!(true);
    assert!(
        !d.errors(schema, &extra).is_empty(),
        "a contact has no other fields"
    );
    let mut bell = contact;
    bell["summary"] = json!("ring \u{7}");
    assert!(
        !d.errors(schema, &bell).is_empty(),
        "a control character breaks the pattern"
    );
}

#[tokio::test]
async fn the_change_stream_sends_events_as_the_document_says() {
    let h = Harness::sqlite().await;
    let f = fixture::build(&h).await;
    let d = Document::fetch(&h).await;
    let mut sse = Sse::open(&f.mgr, Some("0")).await;
    assert!(
        sse.until(20, |frames| frames.len() >= 2).await,
        "events replayed"
    );
    let op = d.operation(&Method::GET, "/api/v1/events");
    assert!(op["responses"]["200"]["content"]["text/event-stream"].is_object());
    for frame in &sse.frames {
        let event = json!({"event": frame.event, "data": frame.data, "id": frame.id});
        d.check(
            "/paths/~1api~1v1~1events/get/responses/200/content/text~1event-stream/schema",
            &event,
            "an event",
        );
        if frame.event == "change" {
            let data: Value = serde_json::from_str(&frame.data).expect("JSON data");
            d.check("/components/schemas/ChangeEvent", &data, "a change");
        }
    }
}

#[tokio::test]
async fn the_demo_data_matches_the_document_for_every_role() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = jar_server::ServerConfig::loopback(format!(
        "sqlite://{}",
        dir.path().join("demo.db").display()
    ));
    config.demo_cases = Some(12);
    let h = Harness::with_config(config, Some(dir)).await;
    let d = Document::fetch(&h).await;
    let areas = jar_server::demo::DEMO_AREAS;
    for (name, role) in jar_server::demo::DEMO_USERS {
        // Sign in as the demo user, as a client would.
        let res = h
            .http
            .post(format!("{}/session", h.base))
            .json(&json!({"username": name, "password": jar_server::demo::DEMO_PASSWORD}))
            .send()
            .await
            .expect("sign in");
        let r = Resp {
            status: res.status().as_u16(),
            headers: res.headers().clone(),
            body: res.text().await.expect("body"),
        };
        d.answer(&Method::POST, "/api/v1/session", &r);
        assert_eq!(r.status, 201, "{}", r.body);
        let who = Person {
            name: name.into(),
            role,
            token: r.json()["token"].as_str().expect("token").into(),
            http: h.http.clone(),
            base: h.base.clone(),
        };
        let list = call(
            &d,
            &who,
            Method::GET,
            "/cases",
            "/cases?active=false",
            None,
            &[],
        )
        .await;
        let list = call(&d, &who, Method::GET, "/cases", "/cases", None, &[])
            .await
            .json()["items"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .chain(list.json()["items"].as_array().cloned().unwrap_or_default());
        for summary in list {
            let reference = summary["reference"].as_str().expect("reference");
            assert!(areas.contains(&summary["area"].as_str().unwrap_or_default()));
            for t in [
                "/cases/{reference}",
                "/cases/{reference}/timeline",
                "/cases/{reference}/checklists",
                "/cases/{reference}/contacts",
            ] {
                call(
                    &d,
                    &who,
                    Method::GET,
                    t,
                    &t.replace("{reference}", reference),
                    None,
                    &[],
                )
                .await;
            }
        }
        if role == Role::Manager {
            call(&d, &who, Method::GET, "/audit", "/audit", None, &[]).await;
            call(&d, &who, Method::GET, "/users", "/users", None, &[]).await;
        }
    }
}

/// Every character, alone and inside text, is accepted by the document's patterns exactly
/// when `jar_core::text` accepts it: the schemas say what the server does.
#[test]
fn the_text_patterns_are_the_text_rules() {
    use jar_core::text::{self, patterns};
    let compile = |p: &str| {
        jsonschema::validator_for(&json!({"type": "string", "pattern": p})).expect("pattern")
    };
    let (t, l, rt, rl) = (
        compile(patterns::TEXT),
        compile(patterns::LINE),
        compile(patterns::REQUIRED_TEXT),
        compile(patterns::REQUIRED_LINE),
    );
    let chars = (0u32..=0x3100)
        .chain([0xFEFF, 0xFFFD, 0x1F600, 0xE0001])
        .filter_map(char::from_u32);
    for c in chars {
        for s in [
            c.to_string(),
            format!("a{c}b"),
            format!(" {c} "),
            format!("{c}{c}"),
        ] {
            let v = json!(s);
            let cap = 1000;
            assert_eq!(
                t.is_valid(&v),
                text::check("f", &s, cap).is_ok(),
                "TEXT {s:?}"
            );
            assert_eq!(
                l.is_valid(&v),
                text::check_line("f", &s, cap).is_ok(),
                "LINE {s:?}"
            );
            assert_eq!(
                rt.is_valid(&v),
                text::check_required("f", &s, cap).is_ok(),
                "REQUIRED_TEXT {s:?}"
            );
            assert_eq!(
                rl.is_valid(&v),
                text::check_required("f", &s, cap).is_ok()
                    && text::check_line("f", &s, cap).is_ok(),
                "REQUIRED_LINE {s:?}"
            );
        }
    }
    for min in [text::mins::REVEAL_REASON, text::mins::PASSWORD] {
        let v = compile(&patterns::line_with_at_least(min));
        let rule = |s: &str| {
            text::check_line("f", s, 1000).is_ok() && text::check_min("f", s, min, "").is_ok()
        };
        let solid = "a".repeat(min - 1);
        let mut samples: Vec<String> = (0..min + 3)
            .flat_map(|k| {
                let a = "a".repeat(k);
                [a.clone(), format!(" {a} "), format!("a{}b", " ".repeat(k))]
            })
            .collect();
        for c in (0u32..=0x3100).filter_map(char::from_u32) {
            samples.push(format!("{c}{solid}"));
            samples.push(format!("{solid}{c}"));
            samples.push(format!("a{c}{solid}"));
        }
        for s in samples {
            assert_eq!(v.is_valid(&json!(s)), rule(&s), "at least {min}: {s:?}");
        }
    }
    for blank in ["", " ", "\n\t ", "\u{3000}\u{A0}"] {
        assert!(
            !rt.is_valid(&json!(blank)),
            "blank {blank:?} is not required text"
        );
    }
}

/// Every `$ref` in the served document names a schema it holds: a path parameter typed by a
/// Rust enum (`{slot}` of the assignments, issue 15) once pointed at a missing
/// `#/components/schemas/Slot`, and schemathesis could not test those operations at all.
#[tokio::test]
async fn every_reference_in_the_document_resolves() {
    fn refs<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
        match v {
            Value::Object(map) => {
                if let Some(Value::String(r)) = map.get("$ref") {
                    out.push(r);
                }
                map.values().for_each(|v| refs(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }
    let h = Harness::sqlite().await;
    let d = Document::fetch(&h).await;
    let mut found = Vec::new();
    refs(&d.doc, &mut found);
    assert!(found.contains(&"#/components/schemas/Slot"), "{found:?}");
    for r in found {
        let pointer = r.strip_prefix('#').expect("a local reference");
        assert!(d.doc.pointer(pointer).is_some(), "{r} does not resolve");
    }
    let slot = "/components/schemas/Slot";
    assert!(d.errors(slot, &json!("key_worker")).is_empty());
    assert!(!d.errors(slot, &json!("chaplain")).is_empty());
}

/// The reasons that are audited (a reveal, a withdrawal, a duplicate link) refuse one
/// character repeated (issue 15 §1), and their pattern says so: schemathesis sent
/// `"0000000000"`, valid by the document, and the server refused it.
#[test]
fn the_reason_pattern_refuses_one_character_repeated_as_the_server_does() {
    use jar_core::text::{mins, patterns};
    use jar_core::wire::RevealRequest;
    let v = jsonschema::validator_for(&json!({
        "type": "string",
        "pattern": patterns::words_with_at_least(mins::REVEAL_REASON)
    }))
    .expect("pattern");
    let mut samples: Vec<String> = [
        "0000000000",
        " 0 0 0 0 0 0 0 0 0 0 ",
        "..........",
        "\u{3000}aaaaaaaaaa\u{A0}",
        "aaaaaaaaab",
        "baaaaaaaaa",
        "the coroner's officer asked",
        "a a a a a a",
        "ab",
        "",
        "          ",
        "abcdefghi\n",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for c in (0u32..=0x3100).filter_map(char::from_u32) {
        samples.push(c.to_string().repeat(10));
        samples.push(format!("{}{c}", "a".repeat(9)));
        samples.push(format!("{c}{}", "é".repeat(9)));
    }
    for s in samples {
        let server = RevealRequest { reason: s.clone() }.validate().is_ok();
        assert_eq!(v.is_valid(&json!(s)), server, "reason {s:?}");
    }
}

/// An NHS number's pattern takes what `identity::validate` takes in shape (blank, or ten
/// digits with spaces and hyphens); the check digit is stated in words (no pattern can sum).
#[test]
fn the_nhs_number_pattern_is_its_shape() {
    use jar_core::identity::{nhs_digits, nhs_number_valid};
    use jar_core::text::patterns;
    let v = jsonschema::validator_for(&json!({"type": "string", "pattern": patterns::NHS_NUMBER}))
        .expect("pattern");
    let shape = |s: &str| {
        (s.trim().is_empty() && jar_core::text::check_line("n", s, 20).is_ok())
            || (s
                .chars()
                .all(|c| c.is_ascii_digit() || c == ' ' || c == '-')
                && nhs_digits(s).len() == 10)
    };
    let mut samples: Vec<String> = [
        "999 000 0018",
        "9990000018",
        "999-000-0018",
        " 999 000 0018 ",
        "99900000",
        "999 000 001X",
        "99900000181",
        "-",
        "",
        "   ",
        "\u{3000}",
        "\t",
        "９９９０００００１８",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for c in (0u32..=0x3100).filter_map(char::from_u32) {
        samples.push(format!("999000001{c}"));
        samples.push(format!("{c}"));
    }
    for s in samples {
        assert_eq!(v.is_valid(&json!(s)), shape(&s), "nhs_number {s:?}");
        if nhs_number_valid(&s) {
            assert!(v.is_valid(&json!(s)), "a valid number fits: {s:?}");
        }
    }
}

/// Every text in an identity follows the text rules, `other_names` too: schemathesis sent a
/// control character inside one, valid by the document, and the server refused it.
#[tokio::test]
async fn an_identity_states_the_line_rule_of_every_other_name() {
    let h = Harness::sqlite().await;
    let d = Document::fetch(&h).await;
    let schema = "/components/schemas/Identity";
    assert!(
        d.errors(schema, &json!({"other_names": ["Jay", "J"]}))
            .is_empty()
    );
    assert!(
        !d.errors(schema, &json!({"other_names": ["J\u{1}"]}))
            .is_empty()
    );
    assert!(
        !d.errors(schema, &json!({"other_names": ["a\nb"]}))
            .is_empty()
    );
    let many: Vec<String> = (0..51).map(|i| format!("name {i}")).collect();
    assert!(!d.errors(schema, &json!({"other_names": many})).is_empty());
}

/// The manager's notification export answers JSON or, with `format=csv`, CSV, and the document
/// lists both media types (it listed only JSON); a new handover's `Location` is documented and
/// matches; a conflicting assignment or identity write is a documented 409 (issue 15, 17).
#[tokio::test]
async fn exports_and_handovers_answer_with_the_media_types_and_headers_documented() {
    let h = Harness::sqlite().await;
    let f = fixture::build(&h).await;
    let d = Document::fetch(&h).await;
    let t = "/exports/notifications";
    let range = "from=2020-01-01&to=2030-12-31";
    let r = call(
        &d,
        &f.mgr,
        Method::GET,
        t,
        &format!("{t}?{range}"),
        None,
        &[],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header("cache-control").as_deref(), Some("no-store"));
    let csv = call(
        &d,
        &f.mgr,
        Method::GET,
        t,
        &format!("{t}?{range}&format=csv"),
        None,
        &[],
    )
    .await;
    assert_eq!(csv.status, 200, "{}", csv.body);
    assert!(
        csv.header("content-type")
            .unwrap_or_default()
            .starts_with("text/csv")
    );
    for bad in [
        "format=xml",
        "from=2026-02-01&to=2026-01-01",
        "from=yesterday&to=2026-01-01",
    ] {
        let r = call(&d, &f.mgr, Method::GET, t, &format!("{t}?{bad}"), None, &[]).await;
        assert_eq!(r.status, 400, "{bad}: {}", r.body);
    }
    let format = &d.operation(&Method::GET, "/api/v1/exports/notifications")["parameters"];
    let format = format
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["name"] == "format"))
        .expect("a format parameter");
    assert_eq!(format["schema"]["enum"], json!(["json", "csv"]));

    h.person("night-paed", Role::Paediatrician, &[NORTH]).await;
    let handover = json!({"incoming": "night-paed", "entries": [{
        "reference": f.assigned, "severity": "STABLE", "summary": "SUDI",
        "actions": [], "awareness": [], "synthesis": "nothing pending"}]});
    let r = call(
        &d,
        &f.paed,
        Method::POST,
        "/handovers",
        "/handovers",
        Some(&handover),
        &[("idempotency-key", &key())],
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let header =
        &d.operation(&Method::POST, "/api/v1/handovers")["responses"]["201"]["headers"]["Location"];
    let pattern = header["schema"]["pattern"]
        .as_str()
        .expect("a documented Location");
    let location = r.header("location").expect("Location");
    let v =
        jsonschema::validator_for(&json!({"type": "string", "pattern": pattern})).expect("pattern");
    assert!(v.is_valid(&json!(location)), "{location} against {pattern}");
    assert_eq!(location, format!("/api/v1/handovers/{}", r.json()["id"]));
    for (method, path) in [
        (Method::PUT, "/api/v1/cases/{reference}/assignments/{slot}"),
        (Method::PUT, "/api/v1/cases/{reference}/identity"),
    ] {
        assert!(
            d.operation(&method, path)["responses"]["409"].is_object(),
            "{method} {path}: 409"
        );
    }
}
