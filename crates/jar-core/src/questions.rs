//! The family's questions (issue 16 §2): a register per case of what the bereaved family
//! asked, which agency is asked to answer, and how far each question has got, from raised to
//! the answer fed back to the family after the child death review meeting (CDRM).
//!
//! Why a register: the Child Death Review Statutory and Operational Guidance (England) 2018
//! asks that parents are invited to contribute questions to the review and are told its
//! outcome by their key worker; jarterm v1 held "questions for the CDRM" as one untracked line
//! on a contact (clinical-model.md, "Case model": questions have no answered status).
//!
//! Who sees which question is decided in [`crate::permissions::may_read_question`].

use crate::role::Agency;
use crate::text::{self, TextError, caps};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// How far a question has got. Each step follows the one before (a question is never marked
/// fed back before it was answered at the meeting).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum QuestionStatus {
    Open,
    AnswerDrafted,
    AnsweredAtCdrm,
    FedBack,
}

impl QuestionStatus {
    pub const ALL: [QuestionStatus; 4] = [
        QuestionStatus::Open,
        QuestionStatus::AnswerDrafted,
        QuestionStatus::AnsweredAtCdrm,
        QuestionStatus::FedBack,
    ];

    pub fn label(self) -> &'static str {
        match self {
            QuestionStatus::Open => "open",
            QuestionStatus::AnswerDrafted => "answer drafted",
            QuestionStatus::AnsweredAtCdrm => "answered at the CDRM",
            QuestionStatus::FedBack => "fed back to the family",
        }
    }

    /// The step after this one, if any.
    pub fn next(self) -> Option<QuestionStatus> {
        match self {
            QuestionStatus::Open => Some(QuestionStatus::AnswerDrafted),
            QuestionStatus::AnswerDrafted => Some(QuestionStatus::AnsweredAtCdrm),
            QuestionStatus::AnsweredAtCdrm => Some(QuestionStatus::FedBack),
            QuestionStatus::FedBack => None,
        }
    }
}

/// A question as raised: by the key worker (from a contact, or directly), a CDR manager or the
/// lead paediatrician.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewQuestion {
    /// The family's question, in their words where possible.
    #[schema(schema_with = crate::text::schema::required_reason)]
    pub text: String,
    /// The agency asked to answer it.
    pub agency: Agency,
    /// The contact it was raised in, if any (an id on this case's contact log).
    #[serde(default, deserialize_with = "crate::wire::integral::option_i64")]
    #[schema(minimum = 1)]
    pub from_contact: Option<i64>,
}

impl NewQuestion {
    pub fn validate(&self) -> Result<(), TextError> {
        text::check_required("text", &self.text, caps::REASON)?;
        if self.from_contact.is_some_and(|c| c < 1) {
            return Err(TextError::Invalid {
                field: "from_contact",
                why: "must name a contact on this case",
            });
        }
        Ok(())
    }
}

/// A move to the next step, with what was done: the drafted answer, the meeting's answer, or
/// how it was fed back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuestionAdvance {
    /// The step the question moves to: the one after its current step.
    pub status: QuestionStatus,
    #[serde(default)]
    #[schema(schema_with = crate::text::schema::note)]
    pub note: String,
}

impl QuestionAdvance {
    pub fn validate(&self) -> Result<(), TextError> {
        text::check("note", &self.note, caps::NOTE)?;
        // "open" is never a next step: `FamilyQuestion::advance` refuses it (409) with the
        // step that would be.
        if self.status == QuestionStatus::AnswerDrafted && self.note.trim().is_empty() {
            return Err(TextError::Empty { field: "note" });
        }
        Ok(())
    }
}

/// One step of a question's history: when, by whom, what was done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct QuestionStep {
    pub status: QuestionStatus,
    pub at: DateTime<Utc>,
    pub by: String,
    pub note: String,
}

/// A question on the register, with its history (oldest first; the first step is "open").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FamilyQuestion {
    pub id: i64,
    pub text: String,
    pub agency: Agency,
    pub from_contact: Option<i64>,
    pub status: QuestionStatus,
    pub history: Vec<QuestionStep>,
}

impl FamilyQuestion {
    pub fn raised(new: NewQuestion, by: &str, at: DateTime<Utc>) -> FamilyQuestion {
        FamilyQuestion {
            id: 0,
            text: new.text,
            agency: new.agency,
            from_contact: new.from_contact,
            status: QuestionStatus::Open,
            history: vec![QuestionStep {
                status: QuestionStatus::Open,
                at,
                by: by.to_string(),
                note: String::new(),
            }],
        }
    }

    /// Who raised it and when.
    pub fn raised_at(&self) -> Option<DateTime<Utc>> {
        self.history.first().map(|s| s.at)
    }

    /// Move to the next step, or say why not (the words are sent as a 409).
    pub fn advance(
        &mut self,
        step: QuestionAdvance,
        by: &str,
        at: DateTime<Utc>,
    ) -> Result<(), String> {
        match self.status.next() {
            Some(next) if next == step.status => {
                self.status = next;
                self.history.push(QuestionStep {
                    status: next,
                    at,
                    by: by.to_string(),
                    note: step.note,
                });
                Ok(())
            }
            Some(next) => Err(format!(
                "this question is {}: its next step is {}",
                self.status.label(),
                next.label()
            )),
            None => Err("this question has already been fed back to the family".into()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct QuestionList {
    pub items: Vec<FamilyQuestion>,
}

/// The Summary's count: "3 family questions, 1 open".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct QuestionCounts {
    pub total: u32,
    /// Still at "open": nobody has drafted an answer.
    pub open: u32,
    /// Answered at the CDRM but not yet fed back to the family.
    pub awaiting_feedback: u32,
}

impl QuestionCounts {
    pub fn of(questions: &[FamilyQuestion]) -> QuestionCounts {
        let n = |s: QuestionStatus| questions.iter().filter(|q| q.status == s).count() as u32;
        QuestionCounts {
            total: questions.len() as u32,
            open: n(QuestionStatus::Open),
            awaiting_feedback: n(QuestionStatus::AnsweredAtCdrm),
        }
    }

    /// "3 family questions, 1 open" (and how many wait for feedback, when any do).
    pub fn words(&self) -> String {
        let plural = if self.total == 1 { "" } else { "s" };
        let mut s = format!("{} family question{plural}, {} open", self.total, self.open);
        if self.awaiting_feedback > 0 {
            s.push_str(&format!(", {} to feed back", self.awaiting_feedback));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, 10, 0, 0).unwrap()
    }

    fn q() -> FamilyQuestion {
        let new = NewQuestion {
            text: "Could anything have been done?".into(),
            agency: Agency::Health,
            from_contact: None,
        };
        FamilyQuestion::raised(new, "kw", t())
    }

    fn step(status: QuestionStatus) -> QuestionAdvance {
        QuestionAdvance {
            status,
            note: "answer".into(),
        }
    }

    #[test]
    fn a_question_moves_one_step_at_a_time_to_fed_back() {
        let mut q = q();
        let err = q.advance(step(QuestionStatus::FedBack), "kw", t());
        assert_eq!(
            err,
            Err("this question is open: its next step is answer drafted".into())
        );
        for s in [
            QuestionStatus::AnswerDrafted,
            QuestionStatus::AnsweredAtCdrm,
            QuestionStatus::FedBack,
        ] {
            q.advance(step(s), "mgr", t()).expect("next step");
        }
        assert_eq!(q.status, QuestionStatus::FedBack);
        assert_eq!(q.history.len(), 4);
        assert!(q.advance(step(QuestionStatus::FedBack), "kw", t()).is_err());
    }

    #[test]
    fn the_summary_counts_questions_and_open_ones() {
        let mut answered = q();
        answered
            .advance(step(QuestionStatus::AnswerDrafted), "p", t())
            .expect("drafted");
        let counts = QuestionCounts::of(&[q(), answered, q()]);
        assert_eq!(counts.words(), "3 family questions, 2 open");
        assert_eq!(
            QuestionCounts::of(&[q()]).words(),
            "1 family question, 1 open"
        );
    }

    #[test]
    fn a_drafted_answer_needs_its_text_and_nothing_goes_back_to_open() {
        let mut s = step(QuestionStatus::AnswerDrafted);
        s.note = "  ".into();
        assert_eq!(s.validate(), Err(TextError::Empty { field: "note" }));
        let mut q = q();
        q.advance(step(QuestionStatus::AnswerDrafted), "p", t())
            .expect("drafted");
        assert!(q.advance(step(QuestionStatus::Open), "p", t()).is_err());
    }
}
