//! The change stream: new notifications, changes to what is shown, gaps and reconnects.

use jar_core::permissions::Permission;
use jar_core::wire::{ChangeEvent, ChangeKind};

use super::reads::{fetch_case_parts, fetch_cases, refetch_case};
use super::writes::resend_unsent;
use crate::effect::Effect;
use crate::keymap::{Action, Ctx};
use crate::state::case::Part;
use crate::state::{BannerKind, Conn, State};

pub(super) fn change(s: &mut State, ev: ChangeEvent) -> Vec<Effect> {
    let mut fx = Vec::new();
    if let Some(role) = s.session.as_ref().map(|p| p.role)
        && !ev.kind.visible_to(role)
    {
        return fx;
    }
    if matches!(
        ev.kind,
        ChangeKind::HandoverSent | ChangeKind::HandoverAcknowledged
    ) {
        // Who it is for is in the handover, read again (`may_read_handover` on the server).
        return vec![Effect::FetchHandovers];
    }
    if ev.kind == ChangeKind::CaseCreated
        && let Some(r) = &ev.case_ref
    {
        let area = ev.area.clone().unwrap_or_default();
        let cat = ev.category.map(|c| c.label()).unwrap_or("JAR");
        s.banner(
            BannerKind::Notice,
            format!(
                "New JAR notification: {r} ({area}, {cat}) — press {} to open",
                s.keymap.key_for(Ctx::Board, Action::GotoNew)
            ),
        );
        s.goto = Some(r.clone());
        if s.bell {
            fx.push(Effect::Bell);
        }
    }
    fx.extend(fetch_cases(s));
    if let Some(r) = ev.case_ref.as_deref() {
        // The open case: what changed, the latest wins (a burst costs two fetches).
        let mut parts = vec![Part::Detail];
        match ev.kind {
            ChangeKind::TimelineAdded | ChangeKind::ReviewUpdated => parts.push(Part::Timeline),
            ChangeKind::FamilyQuestionChanged => parts.push(Part::Questions),
            ChangeKind::InvolvementChanged => parts.push(Part::Involvements),
            ChangeKind::ChecklistStarted | ChangeKind::ChecklistItemUpdated => {
                parts.push(Part::Checklists)
            }
            ChangeKind::ContactAdded | ChangeKind::ContactAmended
                if s.allows(Permission::ReadContacts) =>
            {
                parts.push(Part::Contacts)
            }
            _ => {}
        }
        fx.extend(fetch_case_parts(s, r, &parts));
    }
    fx
}

pub(super) fn resync(s: &mut State) -> Vec<Effect> {
    let mut fx = fetch_cases(s);
    if crate::update::handover::watches(s) {
        fx.push(Effect::FetchHandovers);
    }
    if let Some(r) = s.case.as_ref().map(|c| c.reference.clone()) {
        fx.extend(refetch_case(s, &r));
    }
    fx
}

pub(super) fn conn(s: &mut State, c: Conn) -> Vec<Effect> {
    let mut fx = Vec::new();
    let was = s.conn;
    s.conn = c;
    let after_a_gap = s.was_live;
    if c == Conn::Live {
        s.was_live = true;
    }
    if c == Conn::Live && was != Conn::Live && s.session.is_some() {
        fx.extend(resend_unsent(s));
        // The first connection is not a gap: the stream starts from the list's
        // sequence, or asks for a refetch itself when there is none.
        if after_a_gap {
            // Back after a gap: what failed to load while away is fetched again.
            if s.banner
                .as_ref()
                .is_some_and(|b| b.kind == BannerKind::Error)
            {
                s.banner = None;
            }
            fx.extend(resync(s));
        }
    }
    fx
}
