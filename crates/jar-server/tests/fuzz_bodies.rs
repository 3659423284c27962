//! Issue G fuzzing (proptest on the stable toolchain): request body decoding. Arbitrary bytes,
//! arbitrary JSON and mutated valid bodies go through the server's own body extractor
//! (`RawBody::json`) and each type's `validate` for every wire request type: it never panics,
//! and every refusal is a 400 or 422 application/problem+json. A short live run sends mutated
//! bodies to every write route of a running server: never a 5xx. The corpus in
//! `fuzz/corpus/wire_bodies/` is replayed every run. Cases: `JARTERM_FUZZ_CASES` (default 256).

mod common;

use axum::response::IntoResponse;
use common::fixture::{self, item_version};
use common::*;
use jar_core::contact::{NewAmendment, NewContact};
use jar_core::text::TextError;
use jar_core::wire::*;
use jar_server::http::error::Error;
use jar_server::http::extract::RawBody;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::path::PathBuf;

fn cases() -> u32 {
    std::env::var("JARTERM_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}

fn corpus(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target);
    let mut out: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .map(|p| {
            let bytes = std::fs::read(&p).expect("read corpus file");
            (p, bytes)
        })
        .collect();
    out.sort();
    out
}

/// Decode and validate as the handlers do; a refusal must be a well-formed problem.
fn one<T: DeserializeOwned + serde::Serialize>(
    bytes: &[u8],
    validate: fn(&T) -> Result<(), TextError>,
) {
    let result = RawBody(axum::body::Bytes::copy_from_slice(bytes))
        .json::<T>()
        .and_then(|v| validate(&v).map_err(Error::from));
    let Err(e) = result else { return };
    let res = e.into_response();
    let status = res.status().as_u16();
    assert!(status == 400 || status == 422, "status {status}");
    assert_eq!(
        res.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/problem+json")
    );
    let body = futures::executor::block_on(axum::body::to_bytes(res.into_body(), 1 << 20))
        .expect("problem body");
    let p: Value = serde_json::from_slice(&body).expect("problem is JSON");
    assert_eq!(p["status"], status);
    assert!(
        p["type"]
            .as_str()
            .is_some_and(|t| t.starts_with(PROBLEM_BASE))
    );
    assert!(p["detail"].as_str().is_some_and(|d| !d.is_empty()));
}

fn ok<T>(_: &T) -> Result<(), TextError> {
    Ok(())
}

/// Every request type the API decodes.
fn every_type(bytes: &[u8]) {
    one::<LoginRequest>(bytes, ok);
    one::<NewCase>(bytes, NewCase::validate);
    one::<CasePatch>(bytes, CasePatch::validate);
    one::<RevealRequest>(bytes, RevealRequest::validate);
    one::<NewTimelineEvent>(bytes, NewTimelineEvent::validate);
    one::<StartChecklist>(bytes, ok);
    one::<ItemUpdate>(bytes, ItemUpdate::validate);
    one::<NewContact>(bytes, NewContact::validate);
    one::<NewAmendment>(bytes, NewAmendment::validate);
    one::<NewUser>(bytes, NewUser::validate);
}

/// Valid bodies, one or more per type, to mutate.
fn seeds() -> Vec<String> {
    vec![
        json!({"username": "u", "password": "p"}).to_string(),
        new_case(NORTH, "sudi").to_string(),
        json!({"people": {"lead_paediatrician": "paed", "police_lead": null, "social_worker": null, "key_worker": "kw"},
               "flags": {"criminal_investigation": true, "s47_strategy": false, "cspr_notified": false},
               "criteria": {"criteria": ["unclear"], "decided_by": "panel"}, "investigation_note": "n"}).to_string(),
        json!({"reason": "calling the family"}).to_string(),
        json!({"kind": "note", "note": "n", "occurred_at": "2026-03-01T03:00:00Z"}).to_string(),
        json!({"template": "sudi"}).to_string(),
        json!({"status": "done", "note": "n"}).to_string(),
        new_contact("a call").to_string(),
        json!({"reason": "typo", "text": "fixed"}).to_string(),
        json!({"username": "x", "password": "pw-long", "role": "police", "areas": [NORTH]}).to_string(),
    ]
}

const DICT: [&str; 22] = [
    "null",
    "true",
    "-0",
    "1e999",
    "18446744073709551616",
    "\"\"",
    "[]",
    "{}",
    "\\u0000",
    "\\ud800",
    "\\u001b[2J",
    "\\u202e",
    "\u{1b}",
    "\u{0}",
    "\"2026-13-45T99:99:99Z\"",
    "\"police\"",
    "\"manager\"",
    ",",
    ":",
    "\"unknown_field\": 1",
    "[[[[[[[[",
    "\u{feff}",
];

fn mutate(seed: &str, ops: &[(u8, usize, usize, String)]) -> Vec<u8> {
    let mut b = seed.as_bytes().to_vec();
    for (op, at, len, data) in ops {
        let at = at % (b.len() + 1);
        let end = (at + len % 32).min(b.len());
        match op % 6 {
            0 => {
                b.drain(at..end);
            }
            1 => {
                b.splice(at..at, data.bytes());
            }
            2 => {
                b.splice(at..at, DICT[len % DICT.len()].bytes());
            }
            3 => {
                if at < b.len() {
                    b[at] ^= 1 << (len % 8);
                }
            }
            4 => {
                let piece = b[at..end].to_vec();
                b.splice(end..end, piece);
            }
            _ => {
                b.splice(at..end, data.bytes());
            }
        }
    }
    b
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        "\\PC{0,24}".prop_map(Value::from),
        prop::sample::select(vec![
            "police",
            "manager",
            "sudi",
            "done",
            "note",
            "2026-03-01T03:00:00Z",
            NORTH
        ])
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::btree_map(
                prop::sample::select(vec![
                    "username",
                    "password",
                    "role",
                    "areas",
                    "area",
                    "age_months",
                    "sex",
                    "place_of_death",
                    "category",
                    "times",
                    "criteria",
                    "decided_by",
                    "rationale",
                    "identity",
                    "people",
                    "flags",
                    "investigation_note",
                    "reason",
                    "kind",
                    "note",
                    "occurred_at",
                    "corrects",
                    "template",
                    "status",
                    "direction",
                    "mode",
                    "participants",
                    "purpose",
                    "summary",
                    "outcome",
                    "next_contact_due",
                    "text",
                    "x",
                ])
                .prop_map(String::from),
                inner,
                0..8
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

#[test]
fn wire_body_corpus_replays_without_panics() {
    let files = corpus("wire_bodies");
    assert!(!files.is_empty(), "the corpus must not be empty");
    for (path, bytes) in files {
        let r = std::panic::catch_unwind(|| every_type(&bytes));
        assert!(r.is_ok(), "{} panicked", path.display());
    }
}

#[test]
fn deeply_nested_json_is_refused_not_a_stack_overflow() {
    for depth in [200usize, 100_000] {
        every_type(format!("{}{}", "[".repeat(depth), "]".repeat(depth)).as_bytes());
        every_type(format!("{}{}", "{\"a\":".repeat(depth), "}".repeat(depth)).as_bytes());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn fuzz_wire_bodies_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        every_type(&bytes);
    }

    #[test]
    fn fuzz_wire_bodies_arbitrary_json(v in json_value()) {
        every_type(v.to_string().as_bytes());
    }

    #[test]
    fn fuzz_wire_bodies_mutated_valid_bodies(
        seed in 0usize..10,
        ops in prop::collection::vec((any::<u8>(), any::<usize>(), any::<usize>(), "\\PC{0,8}"), 1..8),
    ) {
        every_type(&mutate(&seeds()[seed], &ops));
    }
}

/// Mutated bodies against a running server's write routes: answers are never 5xx, and every
/// refusal is problem+json. Short: this is a smoke run beside the decoding fuzz above.
#[tokio::test]
async fn fuzz_wire_bodies_live_server_never_answers_5xx() {
    let h = Harness::sqlite().await;
    let f = fixture::build(&h).await;
    let a = f.assigned.clone();
    let strategy = (
        0usize..10,
        prop::collection::vec(
            (any::<u8>(), any::<usize>(), any::<usize>(), "\\PC{0,8}"),
            1..6,
        ),
    );
    let mut runner = TestRunner::deterministic();
    let n = (cases() / 8).clamp(16, 4096);
    let seeds = seeds();
    for i in 0..n {
        let (seed, ops) = strategy.new_tree(&mut runner).expect("value").current();
        let body = mutate(&seeds[seed], &ops);
        let (method, path, version) = match i % 9 {
            0 => (Method::POST, "/session".to_string(), None),
            1 => (Method::POST, "/cases".to_string(), None),
            2 => (
                Method::PATCH,
                format!("/cases/{a}"),
                Some(f.mgr.version(&a).await),
            ),
            3 => (Method::POST, format!("/cases/{a}/identity/reveal"), None),
            4 => (Method::POST, format!("/cases/{a}/timeline"), None),
            5 => (Method::POST, format!("/cases/{a}/checklists"), None),
            6 => (
                Method::PUT,
                format!("/cases/{a}/checklists/sudi/items/SUDI-A01"),
                Some(item_version(&f.mgr, &a, "sudi", "SUDI-A01").await),
            ),
            7 => (Method::POST, format!("/cases/{a}/contacts"), None),
            _ => (
                Method::POST,
                format!("/cases/{a}/contacts/{}/amendments", f.contact_id),
                None,
            ),
        };
        let mut req = f
            .mgr
            .http
            .request(method, format!("{}{path}", f.mgr.base))
            .header("authorization", format!("Bearer {}", f.mgr.token))
            .header("content-type", "application/json")
            .header("idempotency-key", key())
            .body(body.clone());
        if let Some(v) = version {
            req = req.header("if-match", format!("\"{v}\""));
        }
        let res = req.send().await.expect("send");
        let status = res.status().as_u16();
        let ctype = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        assert!(
            status < 500,
            "{path}: {status} for body {:?}",
            String::from_utf8_lossy(&body)
        );
        if status >= 400 {
            assert_eq!(ctype.as_deref(), Some("application/problem+json"), "{path}");
        }
    }
}

/// Found by the sanitiser fuzz test: U+061C ARABIC LETTER MARK (a bidirectional control) was
/// accepted in text fields. It is now refused like the other bidi controls.
#[test]
fn regression_arabic_letter_mark_in_text_is_refused() {
    let req = RevealRequest {
        reason: "calling\u{061C} the family".into(),
    };
    assert!(matches!(
        req.validate(),
        Err(TextError::ControlCharacter { .. })
    ));
}
