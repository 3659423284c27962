//! Issue 16 §2 and §4 against the real server: the family's questions (who sees which, each
//! step and who may take it), the review track (post-mortem, inquest, criminal proceedings,
//! the CDRM, feedback) moving the deadlines through the timeline, closing only after feedback
//! or with a reason, and the professionals involved with their agency reports.

mod common;

use common::fixture;
use common::*;
use jar_core::Role;
use serde_json::{Value, json};

fn deadline<'a>(detail: &'a Value, id: &str) -> &'a Value {
    detail["deadlines"]
        .as_array()
        .expect("deadlines")
        .iter()
        .find(|d| d["rule_id"] == id)
        .unwrap_or_else(|| panic!("no deadline {id}"))
}

async fn questions(p: &Person, case: &str) -> Vec<Value> {
    let r = p.get(&format!("/cases/{case}/questions")).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()["items"].as_array().cloned().unwrap_or_default()
}

async fn raise(p: &Person, case: &str, text: &str, agency: &str) -> i64 {
    let r = p
        .post(
            &format!("/cases/{case}/questions"),
            &json!({"text": text, "agency": agency}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    r.json()["id"].as_i64().expect("id")
}

async fn step(p: &Person, case: &str, id: i64, status: &str, note: &str) -> Resp {
    p.post(
        &format!("/cases/{case}/questions/{id}/steps"),
        &json!({"status": status, "note": note}),
    )
    .await
}

async fn audit_actions(mgr: &Person, case: &str) -> Vec<String> {
    let r = mgr.get(&format!("/audit?case={case}")).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(|a| a["action"].as_str().map(str::to_string))
        .collect()
}

async fn patch_review(p: &Person, case: &str, track: &Value) -> Resp {
    let v = p.version(case).await;
    p.patch(&format!("/cases/{case}/review"), track, v).await
}

async fn timeline_kinds(p: &Person, case: &str) -> Vec<String> {
    let r = p.get(&format!("/cases/{case}/timeline")).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(|e| e["kind"].as_str().map(str::to_string))
        .collect()
}

#[tokio::test]
async fn police_liaison_sees_only_questions_for_the_police() {
    let h = Harness::sqlite().await;
    let f = fixture::build(&h).await;
    let a = &f.assigned;
    let for_police = raise(
        &f.kw,
        a,
        "Will we get the things back from the house?",
        "police",
    )
    .await;
    let for_social = raise(&f.kw, a, "Will the other children be seen?", "social_care").await;
    raise(&f.kw, a, "Could the cot have caused it?", "health").await;
    let ids = |qs: Vec<Value>| -> Vec<i64> { qs.iter().filter_map(|q| q["id"].as_i64()).collect() };
    assert_eq!(ids(questions(&f.police, a).await), vec![for_police]);
    assert_eq!(ids(questions(&f.social, a).await), vec![for_social]);
    // The key worker, the CDR manager and the lead paediatrician see the whole register.
    for p in [&f.kw, &f.mgr, &f.paed] {
        assert_eq!(questions(p, a).await.len(), 3, "{}", p.name);
    }
    // Another paediatrician in the area is not the lead: none.
    let other = h.person("paed2", Role::Paediatrician, &[NORTH]).await;
    assert!(questions(&other, a).await.is_empty());
    // A question of another agency is as absent as one that does not exist.
    let r = step(&f.police, a, for_social, "answer_drafted", "x").await;
    r.assert_problem(404, "not-found");
    // Every read is audited by count, never with the text.
    let actions = audit_actions(&f.mgr, a).await;
    assert!(actions.iter().filter(|a| *a == "questions.read").count() >= 6);
    let r = f.mgr.get(&format!("/audit?case={a}")).await;
    assert!(!r.body.contains("the cot"), "question text in the audit");
}

#[tokio::test]
async fn a_question_goes_from_open_to_fed_back_each_step_by_its_own_people() {
    let h = Harness::sqlite().await;
    let f = fixture::build(&h).await;
    let a = &f.assigned;
    // Police and social care answer questions; they do not raise them.
    let r = f
        .police
        .post(
            &format!("/cases/{a}/questions"),
            &json!({"text": "a question", "agency": "police"}),
        )
        .await;
    r.assert_problem(403, "forbidden");
    let changes_before = h.count("changes").await;
    let id = raise(&f.kw, a, "Why did it take so long to be told?", "police").await;
    assert_eq!(
        h.count("changes").await,
        changes_before + 1,
        "a change event"
    );
    // The next step only: not straight to fed back.
    step(&f.kw, a, id, "fed_back", "told them")
        .await
        .assert_problem(409, "conflict");
    // The agency asked drafts the answer; the key worker may not.
    step(&f.kw, a, id, "answer_drafted", "the officer explains")
        .await
        .assert_problem(403, "forbidden");
    let r = step(
        &f.police,
        a,
        id,
        "answer_drafted",
        "The scene had to be examined first.",
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["status"], "answer_drafted");
    // Answered at the meeting: the CDR manager, who runs it.
    step(&f.police, a, id, "answered_at_cdrm", "")
        .await
        .assert_problem(403, "forbidden");
    let r = step(&f.mgr, a, id, "answered_at_cdrm", "Agreed at the CDRM.").await;
    assert_eq!(r.status, 200, "{}", r.body);
    // Fed back by the key worker.
    let r = step(&f.kw, a, id, "fed_back", "Explained at a home visit.").await;
    assert_eq!(r.status, 200, "{}", r.body);
    let q = r.json();
    assert_eq!(q["status"], "fed_back");
    let who: Vec<&str> = q["history"]
        .as_array()
        .expect("history")
        .iter()
        .filter_map(|s| s["by"].as_str())
        .collect();
    assert_eq!(who, vec!["kw", "police", "mgr", "kw"]);
    step(&f.kw, a, id, "fed_back", "again")
        .await
        .assert_problem(409, "conflict");
    let actions = audit_actions(&f.mgr, a).await;
    assert_eq!(
        actions.iter().filter(|a| *a == "questions.advance").count(),
        3
    );
    assert_eq!(
        actions.iter().filter(|a| *a == "questions.raise").count(),
        1
    );
}

#[tokio::test]
async fn a_question_from_a_contact_names_a_contact_of_the_case_and_refuses_control_characters() {
    let h = Harness::sqlite().await;
    let f = fixture::build(&h).await;
    let a = &f.assigned;
    let path = format!("/cases/{a}/questions");
    let r =
        f.kw.post(
            &path,
            &json!({"text": "From the visit", "agency": "health", "from_contact": f.contact_id}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.json()["from_contact"], f.contact_id);
    let r =
        f.kw.post(
            &path,
            &json!({"text": "x", "agency": "health", "from_contact": 99_999}),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("from_contact"));
    let r =
        f.kw.post(&path, &json!({"text": "bad\u{7}bell", "agency": "health"}))
            .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("text"));
    let r =
        f.kw.post(&path, &json!({"text": "   ", "agency": "health"}))
            .await;
    assert_eq!(r.status, 422, "{}", r.body);
}

#[tokio::test]
async fn the_pm_track_moves_the_post_pm_discussion_and_the_cdrm_through_the_timeline() {
    let h = Harness::sqlite().await;
    let f = fixture::build(&h).await;
    let a = &f.assigned;
    let detail = f.paed.get(&format!("/cases/{a}")).await.json();
    assert_eq!(
        deadline(&detail, "post_pm_discussion")["state"],
        "not_started"
    );
    assert_eq!(deadline(&detail, "cdrm")["state"], "not_started");
    // Preliminary results on Monday 9 March: the discussion counts 5 working days from them.
    let mut track = json!({"post_mortem": {"kind": "coronial",
        "examined_at": "2026-03-05T09:00:00Z", "preliminary_results_at": "2026-03-09T10:00:00Z"}});
    let r = patch_review(&f.paed, a, &track).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let detail = f.paed.get(&format!("/cases/{a}")).await.json();
    assert_eq!(
        deadline(&detail, "post_pm_discussion")["due_at"],
        "2026-03-16T23:59:59Z"
    );
    assert!(
        timeline_kinds(&f.paed, a)
            .await
            .contains(&"post_mortem_preliminary_results".to_string())
    );
    // Corrected a day later: the event is corrected on the timeline and the clock moves.
    track["post_mortem"]["preliminary_results_at"] = json!("2026-03-10T10:00:00Z");
    let r = patch_review(&f.paed, a, &track).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let detail = f.paed.get(&format!("/cases/{a}")).await.json();
    assert_eq!(
        deadline(&detail, "post_pm_discussion")["due_at"],
        "2026-03-17T23:59:59Z"
    );
    assert!(
        timeline_kinds(&f.paed, a)
            .await
            .contains(&"correction".to_string())
    );
    // The CDRM waits for the final report: 12 weeks from the death, not sooner than 4
    // weeks after the report.
    track["post_mortem"]["final_report_at"] = json!("2026-04-01T10:00:00Z");
    assert_eq!(patch_review(&f.paed, a, &track).await.status, 200);
    let detail = f.paed.get(&format!("/cases/{a}")).await.json();
    assert_eq!(deadline(&detail, "cdrm")["due_at"], "2026-05-24T03:00:00Z");
    // An inquest opens: the CDRM clock pauses.
    track["inquest"] = json!({"opened_at": "2026-04-10T10:00:00Z"});
    assert_eq!(patch_review(&f.paed, a, &track).await.status, 200);
    let detail = f.paed.get(&format!("/cases/{a}")).await.json();
    let cdrm = deadline(&detail, "cdrm");
    assert_eq!(
        (&cdrm["state"], &cdrm["due_at"]),
        (&json!("paused"), &Value::Null)
    );
    // It concludes ten days later: due ten days later than before.
    track["inquest"]["concluded_at"] = json!("2026-04-20T10:00:00Z");
    track["inquest"]["outcome"] = json!("natural causes");
    assert_eq!(patch_review(&f.paed, a, &track).await.status, 200);
    let detail = f.paed.get(&format!("/cases/{a}")).await.json();
    assert_eq!(deadline(&detail, "cdrm")["due_at"], "2026-06-03T03:00:00Z");
    let actions = audit_actions(&f.mgr, a).await;
    assert_eq!(actions.iter().filter(|a| *a == "review.update").count(), 5);
}

#[tokio::test]
async fn the_review_track_needs_if_match_and_refuses_steps_out_of_order_or_in_the_future() {
    let h = Harness::sqlite().await;
    let f = fixture::build(&h).await;
    let a = &f.assigned;
    let path = format!("/cases/{a}/review");
    let body = json!({"inquest": {"opened_at": "2026-04-10T10:00:00Z"}});
    let r = f
        .paed
        .send(reqwest::Method::PATCH, &path, Some(body.to_string()), &[])
        .await;
    r.assert_problem(428, "if-match-required");
    f.paed
        .patch(&path, &body, 1)
        .await
        .assert_problem(412, "stale");
    let r = patch_review(
        &f.paed,
        a,
        &json!({"inquest": {"concluded_at": "2026-04-10T10:00:00Z"}}),
    )
    .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("inquest.concluded_at"));
    let r = patch_review(
        &f.paed,
        a,
        &json!({"post_mortem": {"body_released_at": "2099-01-01T00:00:00Z"}}),
    )
    .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("post_mortem.body_released_at"));
    let r = patch_review(
        &f.paed,
        a,
        &json!({"post_mortem": {"tissue_decision": "return_to_family"}}),
    )
    .await;
    assert_eq!(r.status, 422, "{}", r.body);
    let r = patch_review(&f.paed, a, &json!({"post_mortem": {"tissue_retained": true, "tissue_decision": "return_to_family", "body_released_at": "2026-03-06T12:00:00Z"}})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = f.kw.get(&path).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.json()["post_mortem"]["tissue_decision"],
        "return_to_family"
    );
}

#[tokio::test]
async fn each_part_of_the_track_is_written_by_its_own_roles_and_proceedings_never_reach_the_key_worker()
 {
    let h = Harness::sqlite().await;
    let f = fixture::build(&h).await;
    let a = &f.assigned;
    let path = format!("/cases/{a}/review");
    // Criminal proceedings: police (and the manager) only.
    let proceedings = json!({"proceedings": {"opened_at": "2026-04-01T10:00:00Z"}});
    patch_review(&f.social, a, &proceedings)
        .await
        .assert_problem(403, "forbidden");
    let r = patch_review(&f.police, a, &proceedings).await;
    assert_eq!(r.status, 200, "{}", r.body);
    // The key worker receives no trace of them, on the track or on the timeline.
    let r = f.kw.get(&path).await;
    assert_eq!(r.json()["proceedings"]["opened_at"], Value::Null);
    assert!(
        !timeline_kinds(&f.kw, a)
            .await
            .contains(&"criminal_proceedings_opened".to_string())
    );
    // The CDRM is the manager's; feedback the key worker's.
    let cdrm = json!({"cdrm": {"date": "2026-06-01T09:00:00Z", "invitees": ["police", "health", "social_care"],
        "held_at": "2026-06-01T09:00:00Z", "summary": "Reviewed.", "modifiable_factors": false}});
    patch_review(&f.kw, a, &cdrm)
        .await
        .assert_problem(403, "forbidden");
    let r = patch_review(&f.mgr, a, &cdrm).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let mut with_feedback = cdrm.clone();
    with_feedback["feedback"] = json!({"at": "2026-06-10T15:00:00Z", "by": "kw"});
    // The key worker sends what they see (no proceedings): ignored, neither refused (which
    // would tell them proceedings exist) nor cleared.
    with_feedback["proceedings"] = json!({"opened_at": null});
    let r = patch_review(&f.kw, a, &with_feedback).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = f.police.get(&path).await;
    assert_eq!(r.json()["proceedings"]["opened_at"], "2026-04-01T10:00:00Z");
    assert_eq!(r.json()["feedback"]["by"], "kw");
    let kinds = timeline_kinds(&f.mgr, a).await;
    assert!(kinds.contains(&"cdrm_held".to_string()));
    let detail = f.mgr.get(&format!("/cases/{a}")).await.json();
    assert_eq!(deadline(&detail, "cdrm")["state"], "met");
}

#[tokio::test]
async fn a_case_closes_only_after_feedback_to_the_family_or_with_a_reason() {
    let h = Harness::sqlite().await;
    let f = fixture::build(&h).await;
    let close = |note: &str| json!({"kind": "cdop_review_completed", "note": note});
    let a = &f.assigned;
    let r = f
        .mgr
        .post(&format!("/cases/{a}/timeline"), &close(""))
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("feedback"));
    let r = f
        .mgr
        .post(
            &format!("/cases/{a}/timeline"),
            &close("The family asked for no further contact."),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    // Another case, with feedback recorded: closes with no reason.
    let b = &f.unassigned;
    let track = json!({"cdrm": {"held_at": "2026-06-01T09:00:00Z"},
        "feedback": {"at": "2026-06-02T09:00:00Z", "by": "mgr"}});
    assert_eq!(patch_review(&f.mgr, b, &track).await.status, 200);
    let r = f
        .mgr
        .post(&format!("/cases/{b}/timeline"), &close(""))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
}

#[tokio::test]
async fn professionals_are_added_by_anyone_on_the_case_and_reports_tracked_by_the_cdr_office() {
    let h = Harness::sqlite().await;
    let f = fixture::build(&h).await;
    let a = &f.assigned;
    let path = format!("/cases/{a}/involvements");
    let r =
        f.kw.post(
            &path,
            &json!({"agency": "primary_care", "professional": "GP, Example Surgery"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let gp = r.json()["id"].as_i64().expect("id");
    // Not named on the case: police on the unassigned case.
    let r = f
        .police
        .post(
            &format!("/cases/{}/involvements", f.unassigned),
            &json!({"agency": "education", "professional": "Example Nursery"}),
        )
        .await;
    r.assert_problem(403, "forbidden");
    let steps = format!("{path}/{gp}/steps");
    let requested = json!({"step": "requested", "at": "2026-03-05T10:00:00Z", "due_by": "2026-04-02T17:00:00Z"});
    f.kw.post(&steps, &requested)
        .await
        .assert_problem(403, "forbidden");
    f.mgr
        .post(
            &steps,
            &json!({"step": "chased", "at": "2026-03-04T10:00:00Z"}),
        )
        .await
        .assert_problem(409, "conflict");
    let bad = json!({"step": "requested", "at": "2026-03-05T10:00:00Z", "due_by": "2026-03-01T17:00:00Z"});
    let r = f.mgr.post(&steps, &bad).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("due_by"));
    assert_eq!(f.mgr.post(&steps, &requested).await.status, 200);
    let r = f
        .mgr
        .post(
            &steps,
            &json!({"step": "chased", "at": "2026-04-03T10:00:00Z"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = f
        .mgr
        .post(
            &steps,
            &json!({"step": "returned", "at": "2026-04-08T10:00:00Z"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = f.police.get(&path).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let item = &r.json()["items"][0];
    assert_eq!(item["requested_at"], "2026-03-05T10:00:00Z");
    assert_eq!(item["chased"], json!(["2026-04-03T10:00:00Z"]));
    assert_eq!(item["returned_at"], "2026-04-08T10:00:00Z");
    let actions = audit_actions(&f.mgr, a).await;
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "involvements.report")
            .count(),
        3
    );
    assert_eq!(
        actions.iter().filter(|a| *a == "involvements.add").count(),
        1
    );
}
