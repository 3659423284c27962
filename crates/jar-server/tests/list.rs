//! The case list as a board reads it: compressed pages for slow links, and closed cases after
//! every open one.

mod common;

use common::fixture;
use common::*;
use serde_json::{Value, json};
use std::io::Read;

/// GET the first page with `accept-encoding` as given, without letting the client inflate it.
async fn raw_list(p: &Person, encoding: &str) -> reqwest::Response {
    reqwest::Client::builder()
        .no_gzip()
        .build()
        .expect("client")
        .get(format!("{}/cases?limit=100", p.base))
        .bearer_auth(&p.token)
        .header("accept-encoding", encoding)
        .send()
        .await
        .expect("list")
}

#[tokio::test]
async fn a_client_that_takes_gzip_gets_the_same_page_in_fewer_bytes() {
    let h = Harness::sqlite().await;
    let f = fixture::build(&h).await;
    for _ in 0..20 {
        f.mgr.notify(NORTH, "sudi").await;
    }
    let plain = raw_list(&f.mgr, "identity").await;
    assert_eq!(plain.status(), 200);
    assert!(plain.headers().get("content-encoding").is_none());
    let plain = plain.bytes().await.expect("body");

    let zipped = raw_list(&f.mgr, "br;q=1.0, gzip;q=0.8").await;
    assert_eq!(zipped.status(), 200);
    assert_eq!(zipped.headers()["content-encoding"], "gzip");
    assert_eq!(zipped.headers()["vary"], "accept-encoding");
    let zipped = zipped.bytes().await.expect("body");
    let mut inflated = Vec::new();
    flate2::read::GzDecoder::new(&zipped[..])
        .read_to_end(&mut inflated)
        .expect("valid gzip");
    assert_eq!(inflated, plain, "the same page, byte for byte");
    assert!(
        zipped.len() * 4 < plain.len(),
        "{} bytes gzipped against {} plain",
        zipped.len(),
        plain.len()
    );

    // Refused with q=0: plain.
    let refused = raw_list(&f.mgr, "gzip;q=0").await;
    assert!(refused.headers().get("content-encoding").is_none());
}

#[tokio::test]
async fn closed_cases_come_after_every_open_case_and_show_nothing_due() {
    let h = Harness::sqlite().await;
    let f = fixture::build(&h).await;
    // The oldest case, with every deadline missed, is then closed.
    let closed = f.assigned.clone();
    // Only the CDR manager closes a case (issue 14 §3).
    let r = f
        .mgr
        .post(
            &format!("/cases/{closed}/timeline"),
            &json!({"kind": "cdop_review_completed", "note": "closed for the test: no family to feed back to"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let later = f.mgr.notify(NORTH, "sudi").await;
    let list = f.mgr.get("/cases?limit=100").await.json();
    let items = list["items"].as_array().expect("items");
    let refs: Vec<&str> = items
        .iter()
        .filter_map(|c| c["reference"].as_str())
        .collect();
    let at = |r: &str| refs.iter().position(|x| *x == r).expect("listed");
    assert!(at(&later) < at(&closed), "{refs:?}");
    let first_closed = items
        .iter()
        .position(|c| c["stage"] == "closed")
        .expect("a closed case");
    assert!(
        items[first_closed..]
            .iter()
            .all(|c: &Value| c["stage"] == "closed"),
        "closed cases are last: {refs:?}"
    );
    assert_eq!(items[at(&closed)]["open_deadlines"], json!([]));
    // The case itself still lists its deadlines.
    let detail = f.mgr.get(&format!("/cases/{closed}")).await.json();
    assert!(
        !detail["deadlines"]
            .as_array()
            .expect("deadlines")
            .is_empty()
    );
}
