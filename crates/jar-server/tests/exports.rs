//! Issue 15 §2: the notification export, over the API and from the command line, held to
//! golden files (`tests/fixtures/export_notifications.{json,csv}`). Set
//! `JARTERM_UPDATE_GOLDEN=1` to rewrite them after a deliberate change, then read the diff.

mod common;

use common::*;
use jar_core::Role;
use jar_server::clock::Clock;
use serde_json::json;
use std::path::PathBuf;

const BIN: &str = env!("CARGO_BIN_EXE_jarterm-server");

fn golden(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    if std::env::var_os("JARTERM_UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).expect("write golden");
    }
    let expected = std::fs::read_to_string(&path).expect("golden file");
    assert_eq!(actual, expected, "{name} differs from the golden file");
}

/// Two synthetic notifications on a fixed clock: one with a full identity, one with only the
/// reason there is no NHS number. Returns the harness and its database URL.
async fn world() -> (Harness, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}", dir.path().join("export.db").display());
    let clock = Clock::manual("2026-03-01T05:00:00Z".parse().expect("time"));
    let mut config = jar_server::ServerConfig::loopback(&url);
    config.clock = clock.clone();
    let h = Harness::with_config(config, Some(dir)).await;
    let paed = h.person("paed", Role::Paediatrician, &[NORTH]).await;
    let mut full = new_case(NORTH, "sudi");
    full["identity"] = json!({
        "family_name": "Example", "given_names": "Child Sample", "other_names": ["Sam"],
        "nhs_number": jar_server::demo::nhs_test_number(3), "date_of_birth": "2025-11-01",
        "sex": "female", "ethnicity": "mixed_white_and_asian",
        "address": "1 Example Street, Demo Town", "postcode": "ZZ99 1ZZ",
        "local_authority": "Demo Borough", "gp_practice": "Example Surgery, Demo Town",
        "school": "", "family": [{"relationship": "mother", "name": "Example Parent",
            "phone": "+44 7700 900123", "preferences": "", "language": "Polish",
            "interpreter_needed": true}],
        "other_children": [{"first_name": "Sibling", "age_years": 4}]
    });
    let r = paed.post("/cases", &full).await;
    assert_eq!(r.status, 201, "{}", r.body);
    clock.advance(chrono::Duration::minutes(40));
    let mut absent = new_case(NORTH, "trauma");
    absent["times"] = json!({"last_seen_at": null, "found_at": null, "death_confirmed_at": null});
    absent["identity"] =
        json!({"nhs_number": "", "nhs_number_absent_reason": "child_not_resident_in_england"});
    let r = paed.post("/cases", &absent).await;
    assert_eq!(r.status, 201, "{}", r.body);
    // Notified the next day: outside the range exported below.
    clock.advance(chrono::Duration::days(1));
    let r = paed.post("/cases", &new_case(NORTH, "asthma")).await;
    assert_eq!(r.status, 201, "{}", r.body);
    (h, url)
}

#[tokio::test]
async fn a_manager_exports_the_days_notifications_as_json_and_csv_matching_the_golden_files() {
    let (h, _) = world().await;
    let mgr = h.person("mgr", Role::Manager, &[NORTH]).await;
    let r = mgr
        .get("/exports/notifications?from=2026-03-01&to=2026-03-01")
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header("cache-control").as_deref(), Some("no-store"));
    golden("export_notifications.json", &r.body);
    let v = r.json();
    assert_eq!(v["records"].as_array().map(Vec::len), Some(2));
    assert_eq!(v["records"][1]["nhs_number"], serde_json::Value::Null);
    assert_eq!(
        v["records"][1]["nhs_number_absent_reason"],
        "child_not_resident_in_england"
    );
    let r = mgr
        .get("/exports/notifications?from=2026-03-01&to=2026-03-01&format=csv")
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("text/csv; charset=utf-8")
    );
    golden("export_notifications.csv", &r.body);
    // Audited with the count, never the content.
    let audit = mgr.get("/audit?user=mgr").await.json();
    let rows: Vec<&serde_json::Value> = audit["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|a| a["action"] == "export.notifications")
        .collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(
        rows[1]["detail"],
        "records=2 from=2026-03-01 to=2026-03-01 format=json"
    );
}

#[tokio::test]
async fn only_a_manager_exports_and_the_range_must_be_dates() {
    let (h, _) = world().await;
    for role in [
        Role::Paediatrician,
        Role::Police,
        Role::SocialWorker,
        Role::KeyWorker,
    ] {
        let p = h.person(&format!("p-{role}"), role, &[NORTH]).await;
        p.get("/exports/notifications?from=2026-03-01&to=2026-03-01")
            .await
            .assert_problem(403, "forbidden");
    }
    let mgr = h.person("mgr", Role::Manager, &[NORTH]).await;
    for q in [
        "from=2026-03-01",
        "from=yesterday&to=2026-03-01",
        "from=2026-03-02&to=2026-03-01",
        "from=2026-03-01&to=2026-03-01&format=xml",
    ] {
        mgr.get(&format!("/exports/notifications?{q}"))
            .await
            .assert_problem(400, "bad-request");
    }
    // A manager of another area exports nothing of North's.
    let south = h.person("mgr-south", Role::Manager, &[SOUTH]).await;
    let r = south
        .get("/exports/notifications?from=2026-03-01&to=2026-03-01")
        .await;
    assert_eq!(r.json()["records"], json!([]));
}

#[tokio::test]
async fn the_command_line_export_matches_the_golden_files_and_is_audited() {
    let (h, url) = world().await;
    for (format, name) in [
        ("json", "export_notifications.json"),
        ("csv", "export_notifications.csv"),
    ] {
        let out = std::process::Command::new(BIN)
            .args([
                "export",
                "notifications",
                "--from",
                "2026-03-01",
                "--to",
                "2026-03-01",
                "--format",
                format,
                "--database",
                &url,
            ])
            .env("RUST_LOG", "warn")
            .output()
            .expect("run");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).expect("utf-8");
        // The CLI stamps the real time; the API's golden file has the server's clock.
        let text = match format {
            "json" => {
                text.lines()
                    .map(|l| {
                        if l.starts_with("  \"generated_at\": ") {
                            "  \"generated_at\": \"2026-03-02T05:40:00Z\",".to_string()
                        } else {
                            l.to_string()
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
                    + "\n"
            }
            _ => text,
        };
        golden(name, &text);
    }
    let mgr = h.person("mgr", Role::Manager, &[NORTH]).await;
    let audit = mgr.get("/audit?user=(cli)").await.json();
    assert_eq!(audit["items"].as_array().map(Vec::len), Some(2), "{audit}");
    let r = std::process::Command::new(BIN)
        .args([
            "export",
            "notifications",
            "--from",
            "2026-03-02",
            "--to",
            "2026-03-01",
            "--database",
            &url,
        ])
        .output()
        .expect("run");
    assert!(!r.status.success(), "a range ending before it starts");
}

#[tokio::test]
async fn a_manager_exports_one_cases_notification_the_same_record_as_the_range_and_audited() {
    let (h, _) = world().await;
    let mgr = h.person("mgr", Role::Manager, &[NORTH]).await;
    let range = mgr
        .get("/exports/notifications?from=2026-03-01&to=2026-03-01")
        .await
        .json();
    let first = &range["records"][0];
    let reference = first["local_reference"].as_str().expect("reference");
    let r = mgr
        .get(&format!("/exports/notifications/{reference}"))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header("cache-control").as_deref(), Some("no-store"));
    let one = r.json();
    assert_eq!(one["records"].as_array().map(Vec::len), Some(1));
    assert_eq!(&one["records"][0], first, "the same record as in the range");
    assert_eq!(one["from"], "2026-03-01");
    assert_eq!(one["to"], "2026-03-01");
    let csv = mgr
        .get(&format!("/exports/notifications/{reference}?format=csv"))
        .await;
    assert_eq!(csv.status, 200, "{}", csv.body);
    assert_eq!(csv.body.lines().count(), 2, "the header and one row");
    mgr.get(&format!("/exports/notifications/{reference}?format=xml"))
        .await
        .assert_problem(400, "bad-request");
    // Audited against the case, with the count and never the content.
    let audit = mgr
        .get(&format!(
            "/audit?case={reference}&action=export.notifications"
        ))
        .await
        .json();
    let details: Vec<&str> = audit["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|a| a["detail"].as_str())
        .collect();
    assert_eq!(
        details,
        vec!["records=1 format=csv", "records=1 format=json"]
    );
    // Another area's manager, and every other role, get nothing.
    let south = h.person("mgr-south", Role::Manager, &[SOUTH]).await;
    south
        .get(&format!("/exports/notifications/{reference}"))
        .await
        .assert_problem(404, "not-found");
    let paed = h.person("p2", Role::Paediatrician, &[NORTH]).await;
    paed.get(&format!("/exports/notifications/{reference}"))
        .await
        .assert_problem(403, "forbidden");
    mgr.get("/exports/notifications/JAR-2099-9999")
        .await
        .assert_problem(404, "not-found");
}
