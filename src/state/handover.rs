//! The incoming colleague's handover screen (issue 17 §1): one handover from the server, the
//! case selected, the cases marked for acknowledgement and whether to become their lead. Pure
//! data: the update loop sends [`HandoverView::ack_body`] as
//! `POST /handovers/{id}/acknowledgements` and replaces the view with the answer.

use jar_core::handover::{Handover, HandoverAck, HandoverCase};
use std::collections::BTreeSet;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandoverView {
    pub handover: Handover,
    pub selected: usize,
    /// References marked to acknowledge (only cases not yet acknowledged).
    pub marked: BTreeSet<String>,
    /// Become lead of the cases acknowledged.
    pub become_lead: bool,
}

/// What acknowledging sends: the marked cases, or every open case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AckScope {
    Marked,
    All,
}

impl HandoverView {
    pub fn new(handover: Handover) -> Self {
        HandoverView {
            handover,
            selected: 0,
            marked: BTreeSet::new(),
            become_lead: false,
        }
    }

    /// "Handover from demo-paed — 5 cases".
    pub fn title(&self) -> String {
        let n = self.handover.cases.len();
        format!(
            "Handover from {} — {n} case{}",
            self.handover.outgoing,
            if n == 1 { "" } else { "s" }
        )
    }

    pub fn open_count(&self) -> usize {
        self.handover
            .cases
            .iter()
            .filter(|c| c.acknowledged_at.is_none())
            .count()
    }

    pub fn current(&self) -> Option<&HandoverCase> {
        self.handover.cases.get(self.selected)
    }

    pub fn down(&mut self) {
        if self.selected + 1 < self.handover.cases.len() {
            self.selected += 1;
        }
    }

    pub fn up(&mut self) {
        self.selected = self.selected.saturating_sub(1);
    }

    /// Mark or unmark the selected case; an acknowledged case cannot be marked.
    pub fn toggle_mark(&mut self) {
        let Some(c) = self.current() else { return };
        if c.acknowledged_at.is_some() {
            return;
        }
        let r = c.entry.reference.clone();
        if !self.marked.remove(&r) {
            self.marked.insert(r);
        }
    }

    pub fn toggle_lead(&mut self) {
        self.become_lead = !self.become_lead;
    }

    /// The body to send, or `None` when there is nothing to acknowledge.
    pub fn ack_body(&self, scope: AckScope) -> Option<HandoverAck> {
        match scope {
            AckScope::All if self.open_count() > 0 => Some(HandoverAck {
                cases: Vec::new(),
                become_lead: self.become_lead,
            }),
            AckScope::Marked if !self.marked.is_empty() => Some(HandoverAck {
                cases: self.marked.iter().cloned().collect(),
                become_lead: self.become_lead,
            }),
            _ => None,
        }
    }

    /// The server's answer to an acknowledgement: keep the selection, drop the marks it
    /// acknowledged.
    pub fn replace(&mut self, handover: Handover) {
        self.marked.retain(|r| {
            handover
                .cases
                .iter()
                .any(|c| &c.entry.reference == r && c.acknowledged_at.is_none())
        });
        self.handover = handover;
        self.selected = self
            .selected
            .min(self.handover.cases.len().saturating_sub(1));
    }
}

/// The banner for `me`: the first handover to them with cases still to acknowledge, as
/// "Handover from demo-paed — 2 of 5 cases to acknowledge (press H)"; and for the outgoing
/// person or a manager, one that is overdue.
pub fn banner(handovers: &[Handover], me: &str) -> Option<String> {
    if let Some(h) = handovers
        .iter()
        .find(|h| h.incoming == me && !h.acknowledged)
    {
        let open = h
            .cases
            .iter()
            .filter(|c| c.acknowledged_at.is_none())
            .count();
        return Some(format!(
            "Handover from {} — {open} of {} case{} to acknowledge (press H)",
            h.outgoing,
            h.cases.len(),
            if h.cases.len() == 1 { "" } else { "s" }
        ));
    }
    handovers.iter().find(|h| h.overdue).map(|h| {
        format!(
            "OVERDUE: handover from {} to {} not acknowledged after an hour",
            h.outgoing, h.incoming
        )
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use jar_core::handover::HandoverEntry;

    pub(crate) fn handover() -> Handover {
        let sent = Utc.with_ymd_and_hms(2026, 1, 10, 8, 0, 0).unwrap();
        let case = |r: &str, acked: bool| HandoverCase {
            entry: HandoverEntry {
                reference: r.into(),
                severity: "UNSTABLE: Police informed OVERDUE 40m (hard)".into(),
                summary: "SUDI · ED response · 4 months · North Wessex · notified 5h ago".into(),
                actions: vec![
                    "OVERDUE 40m Police informed (hard) [HLT]".into(),
                    "DUE 10:00 GMT (in 2h) Nasopharyngeal aspirate window (hard) [HLT]".into(),
                ],
                awareness: vec![
                    "Safeguarding: s47 strategy".into(),
                    "Lead: demo-paed · key worker: demo-kw".into(),
                ],
                synthesis: "If the coroner's officer calls about the PM, ring the DD.".into(),
            },
            acknowledged_at: acked.then_some(sent),
            became_lead: false,
        };
        Handover {
            id: 4,
            outgoing: "demo-paed".into(),
            incoming: "night-paed".into(),
            areas: vec!["North Wessex".into()],
            sent_at: sent,
            cases: vec![
                case("JAR-2026-0009", false),
                case("JAR-2026-0017", true),
                case("JAR-2026-0035", false),
            ],
            acknowledged: false,
            overdue: false,
        }
    }

    #[test]
    fn marking_and_acknowledging_sends_only_what_is_still_open() {
        let mut v = HandoverView::new(handover());
        assert_eq!(v.title(), "Handover from demo-paed — 3 cases");
        assert_eq!(v.ack_body(AckScope::Marked), None, "nothing marked");
        v.toggle_mark();
        v.down();
        v.toggle_mark(); // acknowledged already: not marked
        v.down();
        v.down(); // stays on the last
        v.toggle_lead();
        let body = v.ack_body(AckScope::Marked).expect("body");
        assert_eq!(body.cases, vec!["JAR-2026-0009".to_string()]);
        assert!(body.become_lead);
        let all = v.ack_body(AckScope::All).expect("all");
        assert!(all.cases.is_empty());
        // The answer: the first case acknowledged; its mark goes, the selection stays.
        let mut answer = handover();
        answer.cases[0].acknowledged_at = Some(answer.sent_at);
        v.toggle_mark();
        v.replace(answer);
        assert_eq!(v.marked.len(), 1, "the third case is still marked");
        assert_eq!(v.selected, 2);
        assert_eq!(v.open_count(), 1);
    }

    #[test]
    fn the_banner_names_the_outgoing_person_and_what_is_left_or_an_overdue_handover() {
        let h = handover();
        assert_eq!(
            banner(std::slice::from_ref(&h), "night-paed").as_deref(),
            Some("Handover from demo-paed — 2 of 3 cases to acknowledge (press H)")
        );
        assert_eq!(banner(std::slice::from_ref(&h), "demo-paed"), None);
        let mut late = h;
        late.overdue = true;
        assert_eq!(
            banner(&[late], "demo-paed").as_deref(),
            Some("OVERDUE: handover from demo-paed to night-paed not acknowledged after an hour")
        );
    }
}
