//! `f` and `n` on the Summary (issue 14 §1–2): open the case facts correction form, or the
//! form that marks a deadline not applicable. Both start from the case as loaded; the server
//! refuses either (412) if the case changed meanwhile.

use crate::state::facts_form;
use crate::state::forms::FormKind;
use crate::state::{BannerKind, State};

pub fn correct(s: &mut State, case_ref: &str) -> Vec<crate::effect::Effect> {
    let Some(case) = s
        .case
        .as_ref()
        .and_then(|c| c.detail.ready())
        .map(|d| d.case.clone())
    else {
        s.case_banner(BannerKind::Notice, case_ref, "The case is still loading.");
        return Vec::new();
    };
    let base = facts_form::base_of(&case);
    let kind = FormKind::CaseFacts {
        case_ref: case_ref.to_string(),
        version: case.version,
        base: Box::new(base.clone()),
    };
    super::forms::open(s, kind, facts_form::form(case_ref, case.version, base));
    Vec::new()
}

pub fn not_applicable(s: &mut State, case_ref: &str) -> Vec<crate::effect::Effect> {
    let Some(d) = s.case.as_ref().and_then(|c| c.detail.ready()) else {
        s.case_banner(BannerKind::Notice, case_ref, "The case is still loading.");
        return Vec::new();
    };
    let version = d.case.version;
    let choices = facts_form::na_choices(&d.deadlines);
    if choices.is_empty() {
        s.case_banner(
            BannerKind::Notice,
            case_ref,
            "Every deadline of this case is met: none to mark.",
        );
        return Vec::new();
    }
    let kind = FormKind::DeadlineNa {
        case_ref: case_ref.to_string(),
        version,
        deadlines: choices.clone(),
    };
    super::forms::open(s, kind, facts_form::na_form(case_ref, version, choices));
    Vec::new()
}
