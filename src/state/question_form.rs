//! The form that raises one of the family's questions (issue 16 §2): the question in the
//! family's words and the agency asked to answer it.

use jar_core::Agency;
use jar_core::questions::{NewQuestion, QuestionAdvance, QuestionStatus};

use super::forms::{Choice, Form, FormKind, Text};

/// The agencies a question may be put to, the likeliest first.
const AGENCIES: [Agency; 9] = [
    Agency::Health,
    Agency::Police,
    Agency::SocialCare,
    Agency::Coroner,
    Agency::CdrOffice,
    Agency::PrimaryCare,
    Agency::Education,
    Agency::Ambulance,
    Agency::PublicHealth,
];

const QUESTION: Text = Text {
    key: "text",
    label: "Question",
    hint: "in the family's words; Enter is a newline, Ctrl-S saves",
    multi_line: true,
};

const AGENCY: Choice<Agency> = Choice {
    key: "agency",
    label: "Asked of",
    all: &AGENCIES,
    except: &[],
    words: Agency::label,
};

pub fn form(case_ref: &str) -> Form {
    Form {
        kind: FormKind::Question {
            case_ref: case_ref.into(),
        },
        title: format!("Raise a family question · {case_ref}"),
        fields: vec![QUESTION.field(""), AGENCY.field()],
        focus: 0,
        error: None,
        draft_from: None,
        after_cr: false,
    }
}

/// The question to send, or why not (shown in the form).
pub fn read(form: &Form) -> Result<NewQuestion, String> {
    let q = NewQuestion {
        text: QUESTION.get(form).trim().to_string(),
        agency: AGENCY.get(form),
        from_contact: None,
    };
    q.validate().map_err(|e| e.to_string())?;
    Ok(q)
}

const STEP_NOTE: Text = Text {
    key: "note",
    label: "Note",
    hint: "the answer drafted, or what was said; Ctrl-S saves",
    multi_line: true,
};

/// The note that goes with moving question `id` to `to`.
pub fn step_form(case_ref: &str, id: i64, to: QuestionStatus) -> Form {
    Form {
        kind: FormKind::QuestionStep {
            case_ref: case_ref.into(),
            question_id: id,
            status: to,
        },
        title: format!("Question #{id}: {} · {case_ref}", to.label()),
        fields: vec![STEP_NOTE.field("")],
        focus: 0,
        error: None,
        draft_from: None,
        after_cr: false,
    }
}

pub fn read_step(form: &Form, to: QuestionStatus) -> Result<QuestionAdvance, String> {
    let step = QuestionAdvance {
        status: to,
        note: STEP_NOTE.get(form).trim().to_string(),
    };
    step.validate().map_err(|e| e.to_string())?;
    Ok(step)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blank_question_is_refused_in_the_form() {
        let f = form("JAR-2026-0001");
        assert_eq!(read(&f), Err("text must not be empty".to_string()));
    }

    #[test]
    fn a_drafted_answer_needs_its_text_in_the_form() {
        let f = step_form("JAR-2026-0001", 3, QuestionStatus::AnswerDrafted);
        assert_eq!(
            read_step(&f, QuestionStatus::AnswerDrafted),
            Err("note must not be empty".to_string())
        );
    }
}
