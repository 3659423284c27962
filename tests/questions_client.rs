//! Issue 16 §2 in the terminal, as `update` scenarios and screen snapshots (no network): the key
//! worker raises a family question through the outbox, the Summary counts the register, the
//! manager sees overdue agency reports, and each step is offered only to its own people.

mod common;

use chrono::Duration;
use common::*;
use jar_core::questions::{FamilyQuestion, NewQuestion, QuestionAdvance, QuestionStatus};
use jar_core::reports::{Involvement, NewInvolvement, ReportStep};
use jar_core::{Agency, Role};
use jarterm::effect::Effect;
use jarterm::msg::ApiMsg;
use jarterm::state::{State, Write};

const CASE: &str = "JAR-2026-0042";

fn sent(fx: &[Effect]) -> Vec<Write> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Send(p) => Some(p.write.clone()),
            _ => None,
        })
        .collect()
}

fn question(id: i64, text: &str, agency: Agency, steps: &[QuestionStatus]) -> FamilyQuestion {
    let new = NewQuestion {
        text: text.into(),
        agency,
        from_contact: None,
    };
    let mut q = FamilyQuestion::raised(new, "demo-keyworker", now() - Duration::days(20));
    q.id = id;
    for s in steps {
        let step = QuestionAdvance {
            status: *s,
            note: "Answered by the agency.".into(),
        };
        q.advance(step, "demo-manager", now() - Duration::days(5))
            .expect("step");
    }
    q
}

fn register() -> Vec<FamilyQuestion> {
    vec![
        question(
            1,
            "Could the cot mattress have played a part?",
            Agency::Health,
            &[],
        ),
        question(
            2,
            "Why were the police at the house?",
            Agency::Police,
            &[QuestionStatus::AnswerDrafted],
        ),
        question(
            3,
            "Will our other child be checked?",
            Agency::Health,
            &[
                QuestionStatus::AnswerDrafted,
                QuestionStatus::AnsweredAtCdrm,
            ],
        ),
    ]
}

fn with_register(role: Role) -> State {
    let (mut s, _) = case_state(role);
    api(
        &mut s,
        ApiMsg::Questions {
            case_ref: CASE.into(),
            result: Ok(register()),
        },
    );
    api(
        &mut s,
        ApiMsg::Involvements {
            case_ref: CASE.into(),
            result: Ok(Vec::new()),
        },
    );
    s
}

#[test]
fn the_key_worker_raises_a_question_and_it_goes_through_the_outbox() {
    let (mut s, fx) = case_state(Role::KeyWorker);
    assert!(
        fx.iter().any(|e| matches!(e, Effect::FetchQuestions(_))),
        "the register is fetched with the case"
    );
    api(
        &mut s,
        ApiMsg::Questions {
            case_ref: CASE.into(),
            result: Ok(Vec::new()),
        },
    );
    press(&mut s, ch('5'));
    assert!(screen(&s, 80, 24).contains("No questions from the family yet"));
    press(&mut s, ch('a'));
    assert!(s.form.is_some(), "the raise form opens");
    type_text(&mut s, "Could anything have been done?");
    press(&mut s, key(crossterm::event::KeyCode::Tab));
    press(&mut s, key(crossterm::event::KeyCode::Right));
    let fx = press(&mut s, ctrl('s'));
    let writes = sent(&fx);
    assert_eq!(writes.len(), 1, "{fx:?}");
    match &writes[0] {
        Write::RaiseQuestion { case_ref, question } => {
            assert_eq!(case_ref.to_string(), CASE);
            assert_eq!(question.text, "Could anything have been done?");
            assert_eq!(question.agency, Agency::Police);
        }
        other => panic!("not a question: {other:?}"),
    }
}

#[test]
fn police_liaison_cannot_raise_a_question_and_is_told_whose_step_it_is() {
    let mut s = with_register(Role::Police);
    press(&mut s, ch('5'));
    let fx = press(&mut s, ch('a'));
    assert!(s.form.is_none() && sent(&fx).is_empty());
    // The first question is health's: police may not draft its answer, and are told who does.
    let fx = press(&mut s, ch('n'));
    assert!(s.form.is_none() && sent(&fx).is_empty());
    assert!(
        screen(&s, 80, 24).contains("The answer is drafted by health"),
        "{}",
        screen(&s, 80, 24)
    );
}

#[test]
fn the_key_worker_feeds_back_an_answered_question() {
    let mut s = with_register(Role::KeyWorker);
    press(&mut s, ch('5'));
    press(&mut s, key(crossterm::event::KeyCode::Down));
    press(&mut s, key(crossterm::event::KeyCode::Down));
    press(&mut s, ch('n'));
    assert!(s.form.is_some(), "the step form opens for the key worker");
    type_text(&mut s, "Explained at the home visit.");
    let fx = press(&mut s, ctrl('s'));
    match sent(&fx).first() {
        Some(Write::AdvanceQuestion {
            question_id, step, ..
        }) => {
            assert_eq!(*question_id, 3);
            assert_eq!(step.status, QuestionStatus::FedBack);
        }
        other => panic!("not a step: {other:?}"),
    }
}

#[test]
fn the_questions_tab_and_the_summary_count_match_their_snapshots() {
    let mut s = with_register(Role::KeyWorker);
    let summary = screen(&s, 80, 24);
    assert!(
        summary.contains("3 family questions, 1 open, 1 to feed back"),
        "{summary}"
    );
    press(&mut s, ch('5'));
    insta::assert_snapshot!("questions_80x24", draw(&s, 80, 24).backend());
    insta::assert_snapshot!("questions_60x20", draw(&s, 60, 20).backend());
}

#[test]
fn the_manager_sees_overdue_agency_reports_on_the_summary() {
    let mut s = with_register(Role::Manager);
    let mut late = Involvement::added(
        NewInvolvement {
            agency: Agency::Education,
            professional: "Example Nursery".into(),
        },
        "demo-manager",
        now() - Duration::days(40),
    );
    late.record(
        ReportStep::Requested {
            at: now() - Duration::days(40),
            due_by: now() - Duration::days(12),
        },
        "demo-manager",
    )
    .expect("request");
    api(
        &mut s,
        ApiMsg::Involvements {
            case_ref: CASE.into(),
            result: Ok(vec![late]),
        },
    );
    insta::assert_snapshot!("summary_manager_reports_80x24", draw(&s, 80, 24).backend());
    assert!(screen(&s, 80, 24).contains("1 agency report overdue (education)"));
    // Not the key worker's work: not on their Summary.
    let kw = with_register(Role::KeyWorker);
    assert!(!screen(&kw, 80, 24).contains("agency report"));
}
