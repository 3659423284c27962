//! The event stream: delivery to other people, resumption with Last-Event-ID, and the same
//! scope and field rules as the reads.

mod common;

use common::fixture;
use common::*;
use serde_json::{Value, json};

fn changes(frames: &[Frame]) -> Vec<Value> {
    frames
        .iter()
        .filter(|f| f.event == "change")
        .filter_map(|f| serde_json::from_str(&f.data).ok())
        .collect()
}

fn has(frames: &[Frame], kind: &str, reference: &str) -> bool {
    changes(frames)
        .iter()
        .any(|c| c["kind"] == kind && c["case_ref"] == reference)
}

#[tokio::test]
async fn a_change_by_one_person_reaches_another_over_the_event_stream() {
    let h = Harness::sqlite().await;
    let f = fixture::build(&h).await;
    let mut police = Sse::open(&f.police, None).await;
    let r = f
        .paed
        .post(
            &format!("/cases/{}/timeline", f.assigned),
            &json!({"kind": "police_informed"}),
        )
        .await;
    assert_eq!(r.status, 201);
    assert!(
        police
            .until(10, |fr| has(fr, "timeline_added", &f.assigned))
            .await,
        "{:?}",
        police.frames
    );
    let frame = police
        .frames
        .iter()
        .find(|f| f.event == "change")
        .cloned()
        .expect("frame");
    let c: Value = serde_json::from_str(&frame.data).expect("json");
    assert_eq!(
        frame.id.as_deref(),
        Some(c["seq"].to_string().as_str()),
        "the SSE id is the change seq"
    );
    assert_eq!(c["area"], NORTH);
    // Ids and versions only: no note text, no names.
    assert!(!frame.data.contains("Quillwort"));
}

#[tokio::test]
async fn a_reconnect_with_last_event_id_replays_what_was_missed_in_order() {
    let h = Harness::sqlite().await;
    let f = fixture::build(&h).await;
    let mut first = Sse::open(&f.mgr, None).await;
    f.paed
        .post(
            &format!("/cases/{}/timeline", f.assigned),
            &json!({"kind": "note", "note": "one"}),
        )
        .await;
    assert!(first.until(10, |fr| !changes(fr).is_empty()).await);
    let last_id = first
        .frames
        .iter()
        .rev()
        .find_map(|f| f.id.clone())
        .expect("id");
    drop(first);
    // Missed while disconnected:
    let created = f.mgr.notify(NORTH, "asthma").await;
    f.paed
        .post(
            &format!("/cases/{}/timeline", f.assigned),
            &json!({"kind": "note", "note": "two"}),
        )
        .await;
    let mut again = Sse::open(&f.mgr, Some(&last_id)).await;
    assert!(
        again.until(10, |fr| changes(fr).len() >= 2).await,
        "{:?}",
        again.frames
    );
    let got = changes(&again.frames);
    assert_eq!(got[0]["kind"], "case_created");
    assert_eq!(got[0]["case_ref"], created.as_str());
    assert_eq!(got[1]["kind"], "timeline_added");
    let seqs: Vec<i64> = got.iter().filter_map(|c| c["seq"].as_i64()).collect();
    assert!(
        seqs.windows(2).all(|w| w[0] < w[1]),
        "monotonic ids: {seqs:?}"
    );
    assert!(seqs[0] > last_id.parse::<i64>().expect("numeric id"));
}

#[tokio::test]
async fn a_list_then_a_stream_from_its_seq_misses_nothing_in_between() {
    // The client lists the board, then listens from the sequence the list reflects: a change
    // landing between the two must still arrive, without a second list.
    let h = Harness::sqlite().await;
    let f = fixture::build(&h).await;
    let list = f.mgr.get("/cases?limit=1").await;
    assert_eq!(list.status, 200);
    let seq = list.json()["seq"]
        .as_i64()
        .expect("the list carries its seq");
    // The same page again, from the page cache, says the same.
    assert_eq!(f.mgr.get("/cases?limit=1").await.json()["seq"], seq);
    f.paed
        .post(
            &format!("/cases/{}/timeline", f.assigned),
            &json!({"kind": "note", "note": "between"}),
        )
        .await;
    let after = f.mgr.get("/cases?limit=1").await.json()["seq"]
        .as_i64()
        .expect("seq");
    assert!(
        after > seq,
        "a write moves the list's seq: {seq} -> {after}"
    );
    let mut stream = Sse::open(&f.mgr, Some(&seq.to_string())).await;
    assert!(
        stream
            .until(10, |fr| has(fr, "timeline_added", &f.assigned))
            .await,
        "{:?}",
        stream.frames
    );
    assert!(
        !stream.frames.iter().any(|fr| fr.event == "resync"),
        "a current seq resumes; it does not ask for a refetch"
    );
}

#[tokio::test]
async fn an_id_from_beyond_the_retained_changes_gets_a_resync() {
    let h = Harness::sqlite().await;
    let f = fixture::build(&h).await;
    let mut s = Sse::open(&f.mgr, Some("999999")).await;
    assert!(
        s.until(10, |fr| fr.iter().any(|f| f.event == "resync"))
            .await,
        "{:?}",
        s.frames
    );
}

#[tokio::test]
async fn police_never_receive_contact_events() {
    let h = Harness::sqlite().await;
    let f = fixture::build(&h).await;
    let mut police = Sse::open(&f.police, Some("0")).await;
    let mut mgr = Sse::open(&f.mgr, Some("0")).await;
    // A later change the police do see marks the end of what they will be sent.
    f.kw.post(
        &format!("/cases/{}/contacts", f.assigned),
        &new_contact("another call"),
    )
    .await;
    f.paed
        .post(
            &format!("/cases/{}/timeline", f.assigned),
            &json!({"kind": "note", "note": "marker"}),
        )
        .await;
    assert!(
        mgr.until(10, |fr| changes(fr)
            .iter()
            .filter(|c| c["kind"] == "contact_added")
            .count()
            == 2)
            .await
    );
    let marker = |fr: &[Frame]| {
        changes(fr)
            .iter()
            .filter(|c| c["kind"] == "timeline_added")
            .count()
            >= 2
    };
    assert!(police.until(10, marker).await, "{:?}", police.frames);
    assert!(
        changes(&police.frames)
            .iter()
            .all(|c| c["kind"] != "contact_added" && c["kind"] != "contact_amended")
    );
}

#[tokio::test]
async fn key_worker_hears_only_of_cases_assigned_to_them_and_no_investigative_events() {
    let h = Harness::sqlite().await;
    let f = fixture::build(&h).await;
    let mut kw = Sse::open(&f.kw, Some("0")).await;
    // A contact on the unassigned case (by the manager) and a strategy discussion on the
    // assigned case: neither may reach the key worker; the final note marks the end.
    f.mgr
        .post(
            &format!("/cases/{}/contacts", f.unassigned),
            &new_contact("unassigned call"),
        )
        .await;
    f.police
        .post(
            &format!("/cases/{}/timeline", f.assigned),
            &json!({"kind": "strategy_discussion_held", "note": "s"}),
        )
        .await;
    let r = f
        .paed
        .post(
            &format!("/cases/{}/timeline", f.assigned),
            &json!({"kind": "note", "note": "marker"}),
        )
        .await;
    let marker_id = r.json()["id"].to_string();
    assert!(
        kw.until(10, |fr| changes(fr)
            .iter()
            .any(|c| c["item"] == marker_id.as_str()))
            .await,
        "{:?}",
        kw.frames
    );
    let got = changes(&kw.frames);
    assert!(
        got.iter().all(|c| c["case_ref"] == f.assigned.as_str()),
        "only the assigned case: {got:?}"
    );
    let timeline: Vec<&Value> = got
        .iter()
        .filter(|c| c["kind"] == "timeline_added")
        .collect();
    // The fixture's strategy discussion and the new one are both withheld: only the marker.
    assert_eq!(timeline.len(), 1, "{got:?}");
    assert!(
        got.iter().any(|c| c["kind"] == "contact_added"),
        "their own case's contacts do reach them"
    );
}

#[tokio::test]
async fn south_wessex_changes_do_not_reach_north_wessex_police() {
    let h = Harness::sqlite().await;
    let f = fixture::build(&h).await;
    let mut police = Sse::open(&f.police, Some("0")).await;
    f.mgr
        .post(
            &format!("/cases/{}/timeline", f.south),
            &json!({"kind": "note", "note": "south"}),
        )
        .await;
    f.mgr
        .post(
            &format!("/cases/{}/timeline", f.assigned),
            &json!({"kind": "note", "note": "north marker"}),
        )
        .await;
    assert!(
        police
            .until(10, |fr| changes(fr)
                .iter()
                .filter(|c| c["kind"] == "timeline_added")
                .count()
                >= 2)
            .await
    );
    assert!(changes(&police.frames).iter().all(|c| c["area"] == NORTH));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_change_reaches_a_hundred_subscribers() {
    let h = Harness::sqlite().await;
    let f = fixture::build(&h).await;
    let mut streams = Vec::new();
    for _ in 0..100 {
        streams.push(Sse::open(&f.mgr, None).await);
    }
    let r = f
        .paed
        .post(
            &format!("/cases/{}/timeline", f.assigned),
            &json!({"kind": "note", "note": "to all"}),
        )
        .await;
    let id = r.json()["id"].to_string();
    let waits = streams.into_iter().map(|mut s| {
        let id = id.clone();
        tokio::spawn(async move {
            s.until(20, |fr| {
                changes(fr).iter().any(|c| c["item"] == id.as_str())
            })
            .await
        })
    });
    let got = futures::future::join_all(waits).await;
    assert!(
        got.iter().all(|r| matches!(r, Ok(true))),
        "every subscriber hears the change"
    );
}

#[tokio::test]
async fn a_client_behind_the_retained_changes_is_told_to_resync() {
    let h = Harness::sqlite().await;
    let f = fixture::build(&h).await;
    f.mgr.notify(NORTH, "sudi").await;
    let store = h.server.store();
    {
        let mut tx = store.begin().await.expect("begin");
        // Everything is "old": only the newest change survives.
        jar_server::store::changes::prune(
            tx.conn(),
            chrono::Utc::now() + chrono::Duration::days(1),
        )
        .await
        .expect("prune");
        store.commit(tx).await.expect("commit");
    }
    let latest = store.latest_seq();
    let mut s = Sse::open(&f.mgr, Some("1")).await;
    assert!(
        s.until(10, |fr| fr.iter().any(|f| f.event == "resync"))
            .await,
        "{:?}",
        s.frames
    );
    let resync = s
        .frames
        .iter()
        .find(|f| f.event == "resync")
        .cloned()
        .expect("resync");
    assert_eq!(
        resync.id,
        Some(latest.to_string()),
        "resume from the newest change after refetching"
    );
    // A client that is only just behind still gets a plain replay.
    let mut ok = Sse::open(&f.mgr, Some(&(latest - 1).to_string())).await;
    assert!(ok.until(10, |fr| !changes(fr).is_empty()).await);
    assert!(ok.frames.iter().all(|f| f.event != "resync"));
}

#[tokio::test]
async fn the_server_stops_promptly_with_event_streams_open() {
    let h = Harness::sqlite().await;
    let f = fixture::build(&h).await;
    let _open = Sse::open(&f.mgr, None).await;
    let _another = Sse::open(&f.kw, None).await;
    let Harness { server, .. } = h;
    let started = std::time::Instant::now();
    server.shutdown().await;
    assert!(
        started.elapsed() < std::time::Duration::from_secs(3),
        "took {:?}",
        started.elapsed()
    );
}
