//! What an earlier run left in the journal: unconfirmed writes, drafts, undecided conflicts.

use super::writes::pump;
use crate::drafts::SavedDraft;
use crate::effect::Effect;
use crate::outbox::Conflict;
use crate::state::{BannerKind, PendingWrite, State};

pub(super) fn drafts_loaded(s: &mut State, saved: Vec<SavedDraft>) -> Vec<Effect> {
    let (areas, user) = s
        .session
        .as_ref()
        .map(|p| (p.areas.clone(), p.username.clone()))
        .unwrap_or_default();
    let now = s.now;
    for d in &saved {
        let form = crate::drafts::to_form(d, &areas, &user, now);
        if !s.drafts.iter().any(|x| x.kind == form.kind) {
            s.drafts.push(form);
        }
    }
    if !saved.is_empty() {
        s.banner(
            BannerKind::Info,
            format!(
                "{} unsaved draft(s) from last time: open the same form to continue.",
                saved.len()
            ),
        );
    }
    Vec::new()
}

pub(super) fn loaded(
    s: &mut State,
    writes: Vec<PendingWrite>,
    drafts: Vec<SavedDraft>,
    encrypted: bool,
    problem: Option<String>,
) -> Vec<Effect> {
    let mut fx = Vec::new();
    s.journal_opening = false;
    s.journal_unencrypted = !encrypted;
    let n = writes.len();
    // Older writes go first, ahead of anything made since this run began.
    s.outbox.restore(writes);
    if !drafts.is_empty() {
        fx.extend(drafts_loaded(s, drafts));
    }
    if n > 0 {
        s.banner(
            BannerKind::Info,
            format!("{n} change(s) from last time were not confirmed: sending them now."),
        );
    }
    if let Some(p) = problem {
        s.banner(BannerKind::Error, p);
    }
    fx.extend(pump(s));
    fx
}

pub(super) fn not_saved(s: &mut State, kind: &str) -> Vec<Effect> {
    s.banner(
        BannerKind::Error,
        format!("Changes could not be kept on this device ({kind}); they are still being sent."),
    );
    Vec::new()
}

/// A box left open in an earlier run comes back as it was (unless another is open).
pub(super) fn conflicts_loaded(s: &mut State, conflicts: Vec<Conflict>) -> Vec<Effect> {
    if let Some(c) = conflicts.into_iter().next()
        && s.dialog.is_none()
    {
        s.dialog = Some(c.into());
    }
    Vec::new()
}
