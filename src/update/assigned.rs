//! "You were assigned JAR-… as key worker" (issue 15 §4): when a new board list shows a case
//! assigned to me that the one before did not, say so and let `g` open it. The place follows
//! from the role (a key worker is assigned as key worker, police as police contact, …).

use crate::state::board::BoardRow;
use crate::state::{BannerKind, State};
use jar_core::people::Slot;

/// Compare the board before a refetch with the board now (in `s`).
pub fn announce(s: &mut State, before: &[BoardRow]) {
    let Some(role) = s.session.as_ref().map(|p| p.role) else {
        return;
    };
    let Some(slot) = Slot::ALL.into_iter().find(|sl| sl.role() == role) else {
        return;
    };
    let was_mine = |r: &str| {
        before
            .iter()
            .any(|b| &*b.reference == r && b.assigned_to_me)
    };
    let new: Vec<String> = s
        .board
        .cases
        .iter()
        .filter(|c| c.assigned_to_me && !was_mine(&c.reference))
        .map(|c| c.reference.to_string())
        .collect();
    if let Some(first) = new.first() {
        let more = match new.len() {
            1 => String::new(),
            n => format!(" (and {} more)", n - 1),
        };
        s.case_banner(
            BannerKind::Notice,
            first,
            format!(
                "You were assigned {first} as {}{more} — press g to open",
                slot.label()
            ),
        );
        s.goto = Some(first.clone());
    }
}
