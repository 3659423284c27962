//! The on-call handover (issue 17 §1). `H` on the board: a handover received and not yet
//! acknowledged opens on its screen; otherwise the person's handover is drafted by the server
//! (`GET /handovers/draft`) and opened as a form (journaled like every draft) to write the
//! synthesis per case, pick the incoming colleague and send (through the outbox). The list of
//! handovers comes with the board and with every handover change event; whether one is
//! overdue (not acknowledged an hour after it was sent) is recomputed on every tick, so the
//! outgoing person and the managers see it when the hour passes, not at the next fetch.

use jar_core::handover::Handover;

use crate::effect::Effect;
use crate::keymap::Action;
use crate::state::handover::{AckScope, HandoverView, banner};
use crate::state::{BannerKind, Screen, State, Write};

/// Whether this role takes part in handovers (the rota sends and receives; managers watch).
pub fn watches(s: &State) -> bool {
    s.session.as_ref().is_some_and(|p| {
        matches!(
            p.role,
            jar_core::Role::Paediatrician | jar_core::Role::Manager
        )
    })
}

fn me(s: &State) -> String {
    s.session
        .as_ref()
        .map(|p| p.username.clone())
        .unwrap_or_default()
}

/// `H` on the board.
pub fn start(s: &mut State) -> Vec<Effect> {
    let me = me(s);
    if let Some(h) = s
        .handovers
        .iter()
        .find(|h| h.incoming == me && !h.acknowledged)
        .cloned()
    {
        s.handover = Some(HandoverView::new(h));
        s.screen = Screen::Handover;
        return Vec::new();
    }
    s.banner(BannerKind::Info, "Drafting your handover from the cases…");
    vec![Effect::FetchHandoverDraft]
}

/// The draft came: open it as a form (a draft of the same handover typed before is restored).
pub fn drafted(
    s: &mut State,
    result: Result<(Vec<jar_core::handover::HandoverEntry>, Vec<String>), crate::api::ApiError>,
) {
    match result {
        Ok((entries, _)) if entries.is_empty() => s.banner(
            BannerKind::Info,
            "Nothing to hand over: you lead no active case and wrote to none in the last 24 hours.",
        ),
        Ok((entries, mut candidates)) => {
            let me = me(s);
            candidates.retain(|c| *c != me);
            let mut form = crate::state::handover_form::form(entries, candidates);
            if s.banner
                .as_ref()
                .is_some_and(|b| b.kind == BannerKind::Info)
            {
                s.banner = None;
            }
            // A handover put away before: what was typed comes back, case by case (the
            // I-PASS parts are drafted afresh, since times have moved on).
            let kept = s
                .drafts
                .iter()
                .position(|d| matches!(d.kind, crate::state::FormKind::Handover { .. }));
            if let Some(i) = kept {
                let old = s.drafts.remove(i);
                crate::state::handover_form::restore(&mut form, &old);
                if let Some(at) = old.draft_from {
                    s.banner(
                        BannerKind::Info,
                        format!(
                            "Draft from {} restored — {} to discard.",
                            at.with_timezone(&chrono_tz::Europe::London).format("%H:%M"),
                            s.keymap
                                .key_for(crate::keymap::Ctx::Form, Action::DiscardDraft)
                        ),
                    );
                    form.draft_from = Some(at);
                }
            }
            s.form = Some(form);
        }
        Err(e) => s.banner(BannerKind::Error, e.describe()),
    }
}

/// The list came (or a handover was sent or acknowledged): keep it, say what needs saying.
pub fn listed(s: &mut State, result: Result<Vec<Handover>, crate::api::ApiError>) {
    let Ok(mut list) = result else {
        // Not shown is not an error here: the board says nothing of it.
        return;
    };
    for h in &mut list {
        h.refresh(s.now);
    }
    s.handovers = list;
    if let Some(v) = s.handover.as_mut()
        && let Some(h) = s.handovers.iter().find(|h| h.id == v.handover.id)
    {
        v.replace(h.clone());
    }
    if let Some(text) = banner(&s.handovers, &me(s)) {
        s.banner(BannerKind::Notice, text);
    }
}

/// Every tick: a handover whose hour just passed is now overdue, said to whoever sees it.
pub fn tick(s: &mut State) {
    let mut newly = false;
    for h in &mut s.handovers {
        let was = h.overdue;
        h.refresh(s.now);
        newly |= h.overdue && !was;
    }
    if newly && let Some(text) = banner(&s.handovers, &me(s)) {
        s.banner(BannerKind::Notice, text);
        s.dirty = true;
    }
}

/// Keys on the handover screen.
pub fn on_action(s: &mut State, action: Action) -> Vec<Effect> {
    match action {
        Action::Back => {
            s.screen = Screen::Board;
            s.handover = None;
            Vec::new()
        }
        Action::Refresh => vec![Effect::FetchHandovers],
        Action::Up
        | Action::Down
        | Action::Top
        | Action::Bottom
        | Action::PageUp
        | Action::PageDown => {
            if let Some(v) = s.handover.as_mut() {
                let n = v.handover.cases.len();
                v.selected = super::moved(v.selected, n, action, 10);
            }
            Vec::new()
        }
        Action::Mark => {
            if let Some(v) = s.handover.as_mut() {
                v.toggle_mark();
                v.down();
            }
            Vec::new()
        }
        Action::ToggleLead => {
            if let Some(v) = s.handover.as_mut() {
                v.toggle_lead();
            }
            Vec::new()
        }
        Action::AckMarked | Action::AckAll => {
            let scope = if action == Action::AckAll {
                AckScope::All
            } else {
                AckScope::Marked
            };
            let Some(v) = s.handover.as_ref() else {
                return Vec::new();
            };
            match v.ack_body(scope) {
                Some(ack) => {
                    let id = v.handover.id;
                    super::forms::send(s, Write::AckHandover { id, ack }, None)
                }
                None => {
                    let words = if scope == AckScope::All {
                        "Every case is acknowledged already."
                    } else {
                        "Mark the cases to acknowledge first (Space), or acknowledge all."
                    };
                    s.banner(BannerKind::Info, words);
                    Vec::new()
                }
            }
        }
        _ => Vec::new(),
    }
}

/// A handover sent or acknowledged: the answer replaces what is shown.
pub fn confirmed(s: &mut State, write: &Write, h: Handover) {
    match write {
        Write::SendHandover(_) => s.banner(
            BannerKind::Info,
            format!(
                "Handover sent to {} — {} case{}; you will see here when it is acknowledged.",
                h.incoming,
                h.cases.len(),
                if h.cases.len() == 1 { "" } else { "s" }
            ),
        ),
        _ => {
            let open = h
                .cases
                .iter()
                .filter(|c| c.acknowledged_at.is_none())
                .count();
            s.banner(
                BannerKind::Info,
                if open == 0 {
                    format!("Handover from {} acknowledged.", h.outgoing)
                } else {
                    format!("Acknowledged; {open} case{} still open.", plural(open))
                },
            );
        }
    }
    if let Some(v) = s.handover.as_mut().filter(|v| v.handover.id == h.id) {
        v.replace(h.clone());
    }
    match s.handovers.iter_mut().find(|x| x.id == h.id) {
        Some(x) => *x = h,
        None => s.handovers.insert(0, h),
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
