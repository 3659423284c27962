//! `p` on the Summary (issue 15 §4): fetch who may fill each place, then open the picker.
//! Only a manager or the case's lead paediatrician assigns (`jar_core::permissions::may_assign`).

use crate::effect::Effect;
use crate::state::{BannerKind, State};
use jar_core::people::Slot;

pub fn start(s: &mut State, case_ref: &str) -> Vec<Effect> {
    let case = s
        .case
        .as_ref()
        .and_then(|c| c.detail.ready())
        .map(|d| d.case.clone());
    let (Some(case), Some(who)) = (case, s.session.clone()) else {
        return Vec::new();
    };
    if !jar_core::permissions::may_assign(&who, &case) {
        s.case_banner(
            BannerKind::Notice,
            case_ref,
            "Only a manager or the case's lead paediatrician assigns people.",
        );
        return Vec::new();
    }
    vec![Effect::FetchAssignees(case_ref.to_string())]
}

/// The candidates came: open the picker on the case still on screen.
pub fn open(s: &mut State, case_ref: &str, people: Vec<(Slot, Vec<String>)>) {
    let Some(version) = s
        .case
        .as_ref()
        .filter(|c| c.reference == case_ref)
        .and_then(|c| c.detail.ready())
        .map(|d| d.case.version)
    else {
        return;
    };
    let form = crate::state::assign_form::form(case_ref, version, people.clone());
    let kind = crate::state::forms::FormKind::Assign {
        case_ref: case_ref.to_string(),
        version,
        candidates: people,
    };
    super::forms::open(s, kind, form);
}
