//! `i` on the Summary: add or correct who the child is (issue 15 §1). A correction starts from
//! what the reveal showed, so that saving (which replaces the record) loses nothing; a case
//! whose reveal found no identity starts from an empty form.

use crate::state::forms::FormKind;
use crate::state::{BannerKind, State};

pub fn edit(s: &mut State, case_ref: &str) -> Vec<crate::effect::Effect> {
    let Some(c) = s.case.as_ref() else {
        return Vec::new();
    };
    let Some(version) = c.detail.ready().map(|d| d.case.version) else {
        s.case_banner(BannerKind::Notice, case_ref, "The case is still loading.");
        return Vec::new();
    };
    if c.identity.is_none() && !c.identity_absent {
        s.case_banner(
            BannerKind::Notice,
            case_ref,
            "Reveal the identity first (r): a correction starts from what is held.",
        );
        return Vec::new();
    }
    let form = crate::state::identity_form::form(case_ref, version, c.identity.as_ref());
    let kind = FormKind::Identity {
        case_ref: case_ref.to_string(),
        version,
    };
    super::forms::open(s, kind, form);
    Vec::new()
}
