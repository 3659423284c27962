//! The outbox: every write the server has not confirmed yet, in the order it was made, with
//! the retry schedule, and the checklist conflicts waiting for the person. Pure: no I/O and
//! no clock reads (the time is passed in); `update` drives it and emits
//! `Effect::PersistJournal` when what must survive a crash changed (see `crate::journal`).
//!
//! - One write is on its way at a time, oldest first, each with the idempotency key made
//!   when the person submitted it, so a retry (after a dropped link, a new sign-in or a
//!   restart) is applied once (docs/offline.md).
//! - A write that met a network or server error stays first in line and is tried again after
//!   1 s doubling to 30 s, plus jitter taken from its key (`retry_delay`).
//! - A stale checklist edit is a `Conflict`: both versions, kept for the person to decide,
//!   never a write with a version that cannot match.

use std::ops::Deref;

use chrono::{DateTime, Duration, Utc};
use jar_core::checklist::ItemState;
use jar_core::contact::{NewAmendment, NewContact};
use jar_core::wire::{ItemUpdate, NewCase, NewTimelineEvent};
use uuid::Uuid;

use crate::state::{CaseRef, Form, ItemAddr};

/// A write the server has not confirmed yet. The idempotency key is made when the person
/// submits and kept, so a retry (after a dropped link or a new login) is applied once.
#[derive(Debug, Clone)]
pub struct PendingWrite {
    pub key: Uuid,
    pub write: Write,
    /// Sent and awaiting an answer (false: waiting to be sent again).
    pub in_flight: bool,
    /// The form it came from, restored if the server refuses the write.
    pub form: Option<Form>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Write {
    ItemUpdate {
        /// Flattened: the journal keeps the `case_ref`/`template`/`item` keys it always had.
        #[serde(flatten)]
        addr: ItemAddr,
        version: i64,
        update: ItemUpdate,
    },
    AddEvent {
        case_ref: CaseRef,
        event: NewTimelineEvent,
    },
    AddContact {
        case_ref: CaseRef,
        contact: NewContact,
    },
    Amend {
        case_ref: CaseRef,
        contact_id: i64,
        amendment: NewAmendment,
    },
    /// A family question raised (issue 16 §2).
    RaiseQuestion {
        case_ref: CaseRef,
        question: jar_core::questions::NewQuestion,
    },
    /// A family question moved to its next step.
    AdvanceQuestion {
        case_ref: CaseRef,
        question_id: i64,
        step: jar_core::questions::QuestionAdvance,
    },
    Notify(NewCase),
    StartChecklist {
        case_ref: CaseRef,
        template: String,
    },
    Reveal {
        case_ref: CaseRef,
        reason: String,
    },
    /// Fill (or clear) a place on the case (issue 15 §4), If-Match on the case.
    Assign {
        case_ref: CaseRef,
        version: i64,
        slot: jar_core::people::Slot,
        username: Option<String>,
    },
    /// Add or correct the identity (issue 15 §1): replaces the record, If-Match on the case.
    PutIdentity {
        case_ref: CaseRef,
        version: i64,
        identity: Box<jar_core::case::Identity>,
    },
    /// Correct the case facts (issue 14 §1): `PATCH /cases/{ref}`, If-Match on the case.
    CorrectFacts {
        case_ref: CaseRef,
        version: i64,
        patch: Box<jar_core::wire::CasePatch>,
    },
    /// Mark a deadline not applicable with a reason (`None`: it applies again), If-Match.
    DeadlineNa {
        case_ref: CaseRef,
        version: i64,
        rule: String,
        reason: Option<String>,
    },
    /// Send the on-call handover (issue 17 §1).
    SendHandover(jar_core::handover::NewHandover),
    /// Acknowledge cases of a handover received, maybe becoming their lead.
    AckHandover {
        id: i64,
        ack: jar_core::handover::HandoverAck,
    },
    /// Add a user (issue 17 §2). No password is kept here: the server gives a one-time
    /// password, shown once (`crate::api::desk`).
    AddUser {
        username: String,
        role: jar_core::Role,
        areas: Vec<String>,
    },
    DisableUser {
        username: String,
    },
    /// A new one-time password, shown once.
    ResetPassword {
        username: String,
    },
    /// A key worker's cover period (issue 15 §4).
    SetCover(jar_core::people::Cover),
    /// End a key worker's cover early (issue 15 §4).
    EndCover(jar_core::people::EndCover),
    /// Withdraw a notification made in error (issue 15 §3), If-Match on the case.
    Withdraw {
        case_ref: CaseRef,
        version: i64,
        reason: String,
    },
    /// Close `duplicate` as the same death as `case_ref` (issue 15 §3), If-Match on the case.
    LinkDuplicate {
        case_ref: CaseRef,
        version: i64,
        duplicate: String,
        reason: String,
    },
}

impl Write {
    pub fn what(&self) -> &'static str {
        match self {
            Write::ItemUpdate { .. } => "checklist item",
            Write::AddEvent { .. } => "timeline event",
            Write::AddContact { .. } => "contact",
            Write::Amend { .. } => "amendment",
            Write::RaiseQuestion { .. } => "family question",
            Write::AdvanceQuestion { .. } => "question step",
            Write::Notify(_) => "notification",
            Write::StartChecklist { .. } => "checklist",
            Write::Reveal { .. } => "identity reveal",
            Write::PutIdentity { .. } => "identity",
            Write::Assign { .. } => "assignment",
            Write::CorrectFacts { .. } => "case facts correction",
            Write::DeadlineNa { .. } => "deadline mark",
            Write::SendHandover(_) => "handover",
            Write::AckHandover { .. } => "handover acknowledgement",
            Write::AddUser { .. } => "new user",
            Write::DisableUser { .. } => "user disabled",
            Write::ResetPassword { .. } => "password reset",
            Write::SetCover(_) => "cover period",
            Write::EndCover(_) => "end of cover",
            Write::Withdraw { .. } => "withdrawal",
            Write::LinkDuplicate { .. } => "duplicate link",
        }
    }

    /// The case it writes to (`None`: a new case).
    pub fn case_ref(&self) -> Option<&str> {
        match self {
            Write::AddEvent { case_ref, .. }
            | Write::AddContact { case_ref, .. }
            | Write::Amend { case_ref, .. }
            | Write::RaiseQuestion { case_ref, .. }
            | Write::AdvanceQuestion { case_ref, .. }
            | Write::StartChecklist { case_ref, .. }
            | Write::Reveal { case_ref, .. }
            | Write::PutIdentity { case_ref, .. }
            | Write::Assign { case_ref, .. }
            | Write::CorrectFacts { case_ref, .. }
            | Write::DeadlineNa { case_ref, .. }
            | Write::Withdraw { case_ref, .. }
            | Write::LinkDuplicate { case_ref, .. } => Some(case_ref),
            Write::ItemUpdate { addr, .. } => Some(&addr.case_ref),
            Write::Notify(_)
            | Write::SendHandover(_)
            | Write::AckHandover { .. }
            | Write::AddUser { .. }
            | Write::DisableUser { .. }
            | Write::ResetPassword { .. }
            | Write::SetCover(_)
            | Write::EndCover(_) => None,
        }
    }
}

/// A checklist edit the server refused as stale (412): my change and the item as it is now.
/// Kept (in the journal too) until the person re-applies, discards or edits theirs.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Conflict {
    pub addr: ItemAddr,
    pub item_text: String,
    pub mine: ItemUpdate,
    pub theirs: ItemState,
}

/// The longest wait between two tries of a write that met a network or server error.
pub const RETRY_CAP_SECONDS: i64 = 30;

/// Wait before try number `attempt` (1, 2, …) of the write `key`: 1 s doubling to 30 s,
/// with up to a quarter more as jitter (taken from the key, so `update` stays pure and
/// many clients do not come back in step).
pub fn retry_delay(attempt: u32, key: Uuid) -> Duration {
    let base_ms = (1000i64 << attempt.saturating_sub(1).min(10)).min(RETRY_CAP_SECONDS * 1000);
    let seed = key.as_u128() as u64 ^ u64::from(attempt).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let jitter = (seed % 1000) as i64 * base_ms / 4000;
    Duration::milliseconds(base_ms + jitter)
}

/// The queue of unconfirmed writes and its retry schedule. Reads like a slice of
/// `PendingWrite` (oldest first); changes go through its methods.
#[derive(Debug, Clone, Default)]
pub struct Outbox {
    writes: Vec<PendingWrite>,
    /// When writes that met a network error are sent again.
    retry_at: Option<DateTime<Utc>>,
    /// Tries in a row that failed (for the backoff).
    attempts: u32,
}

impl Deref for Outbox {
    type Target = [PendingWrite];
    fn deref(&self) -> &[PendingWrite] {
        &self.writes
    }
}

impl Outbox {
    /// Put a write at the end of the line with its own idempotency key.
    pub fn queue(&mut self, key: Uuid, write: Write, form: Option<Form>) {
        self.writes.push(PendingWrite {
            key,
            write,
            in_flight: false,
            form,
        });
    }

    /// Writes from an earlier run go first, ahead of anything made since (same key: once).
    pub fn restore(&mut self, older: Vec<PendingWrite>) {
        let fresh = std::mem::take(&mut self.writes);
        let mut writes: Vec<PendingWrite> = older
            .into_iter()
            .filter(|w| !fresh.iter().any(|f| f.key == w.key))
            .map(|mut w| {
                w.in_flight = false;
                w
            })
            .collect();
        writes.extend(fresh);
        self.writes = writes;
    }

    /// Someone else signs in: the last person's writes stay in their own journal.
    pub fn clear(&mut self) {
        *self = Outbox::default();
    }

    /// When the next try is due (after a failure).
    pub fn retry_at(&self) -> Option<DateTime<Utc>> {
        self.retry_at
    }

    /// A try is due at `now`.
    pub fn retry_due(&self, now: DateTime<Utc>) -> bool {
        self.retry_at.is_some_and(|t| now >= t)
    }

    /// Try again now (the connection came back, or the person signed in again).
    pub fn retry_now(&mut self) {
        self.retry_at = None;
    }

    /// The oldest write, marked on its way, if nothing is on its way and no wait is running.
    pub fn next_to_send(&mut self, now: DateTime<Utc>) -> Option<PendingWrite> {
        if self.writes.iter().any(|w| w.in_flight) || self.retry_at.is_some_and(|t| now < t) {
            return None;
        }
        self.retry_at = None;
        let w = self.writes.first_mut()?;
        w.in_flight = true;
        Some(w.clone())
    }

    /// Confirmed by the server: it leaves the outbox.
    pub fn confirmed(&mut self, key: Uuid) -> Option<PendingWrite> {
        let pos = self.writes.iter().position(|w| w.key == key)?;
        self.attempts = 0;
        Some(self.writes.remove(pos))
    }

    /// Refused for good (or stale): it leaves the outbox, to be given back to the person.
    pub fn refused(&mut self, key: Uuid) -> Option<PendingWrite> {
        let pos = self.writes.iter().position(|w| w.key == key)?;
        Some(self.writes.remove(pos))
    }

    /// Not sent (signed out): it waits, first in line, for the next sign-in.
    pub fn held(&mut self, key: Uuid) {
        if let Some(w) = self.writes.iter_mut().find(|w| w.key == key) {
            w.in_flight = false;
        }
    }

    /// The server could not be reached or had trouble: the write stays first in line and
    /// is tried again after `retry_delay`.
    pub fn failed_for_now(&mut self, key: Uuid, now: DateTime<Utc>) {
        self.held(key);
        self.attempts = self.attempts.saturating_add(1);
        self.retry_at = Some(now + retry_delay(self.attempts, key));
    }

    /// Whether this write is still waiting.
    pub fn contains(&self, key: Uuid) -> bool {
        self.writes.iter().any(|w| w.key == key)
    }
}

/// What the journal must hold for `s`: every unconfirmed write (with its form), the text of
/// open and closed forms, and an undecided conflict.
pub fn journal_contents(s: &crate::state::State) -> crate::journal::Contents {
    let mut drafts: Vec<_> = s
        .drafts
        .iter()
        .chain(s.form.iter())
        .map(crate::drafts::to_saved)
        .collect();
    drafts.dedup_by(|a, b| a.kind == b.kind);
    let writes = s
        .outbox
        .iter()
        .map(|w| crate::journal::JournalWrite {
            key: w.key,
            write: w.write.clone(),
            form: w.form.as_ref().map(crate::drafts::to_saved),
        })
        .collect();
    crate::journal::Contents {
        writes,
        drafts,
        conflicts: s.dialog.iter().filter_map(|d| d.conflict()).collect(),
    }
}

/// What `update` compares to decide whether the journal must be written at once.
pub fn durable_fingerprint(s: &crate::state::State) -> (Vec<Uuid>, Option<Conflict>) {
    (
        s.outbox.iter().map(|w| w.key).collect(),
        s.dialog.as_ref().and_then(|d| d.conflict()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn write(n: u8) -> Write {
        Write::StartChecklist {
            case_ref: format!("JAR-2026-000{n}").into(),
            template: "sudi".into(),
        }
    }

    #[test]
    fn a_journal_written_before_item_addresses_still_reads() {
        // The shape journals have held since v1: the address as three keys beside the rest.
        let old = serde_json::json!({"ItemUpdate": {
            "case_ref": "JAR-2026-0042", "template": "sudi", "item": "SUDI-A05",
            "version": 3, "update": {"status": "done", "note": "Narrative taken"}
        }});
        let w: Write = serde_json::from_value(old.clone()).expect("reads");
        match &w {
            Write::ItemUpdate { addr, version, .. } => {
                assert_eq!(addr.case_ref, "JAR-2026-0042");
                assert_eq!(
                    (addr.template.as_str(), addr.item.as_str()),
                    ("sudi", "SUDI-A05")
                );
                assert_eq!(*version, 3);
            }
            other => panic!("read as {other:?}"),
        }
        assert_eq!(
            serde_json::to_value(&w).expect("writes"),
            old,
            "and writes the same"
        );
    }

    #[test]
    fn one_write_on_its_way_at_a_time_oldest_first_and_backing_off_after_a_failure() {
        let now = Utc.with_ymd_and_hms(2026, 1, 10, 3, 12, 0).unwrap();
        let mut o = Outbox::default();
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        o.queue(a, write(1), None);
        o.queue(b, write(2), None);
        assert_eq!(o.next_to_send(now).map(|w| w.key), Some(a));
        assert!(o.next_to_send(now).is_none(), "one at a time");
        o.failed_for_now(a, now);
        let wait = o.retry_at().expect("a wait") - now;
        assert!(wait >= Duration::seconds(1) && wait <= Duration::milliseconds(1250));
        assert!(o.next_to_send(now).is_none(), "not before the wait");
        o.failed_for_now(a, now);
        assert!(o.retry_at().expect("longer") - now >= Duration::seconds(2));
        assert!(o.retry_due(now + Duration::seconds(3)));
        assert_eq!(
            o.next_to_send(now + Duration::seconds(3)).map(|w| w.key),
            Some(a)
        );
        assert!(o.confirmed(a).is_some());
        assert_eq!(o.next_to_send(now).map(|w| w.key), Some(b));
        assert_eq!(o.len(), 1);
    }

    #[test]
    fn the_wait_never_passes_thirty_seconds_and_a_quarter() {
        for attempt in 1..40 {
            let d = retry_delay(attempt, Uuid::new_v4());
            assert!(d <= Duration::milliseconds(RETRY_CAP_SECONDS * 1250), "{d}");
        }
    }

    #[test]
    fn writes_from_an_earlier_run_go_first_and_are_never_doubled() {
        let mut o = Outbox::default();
        let (old, fresh) = (Uuid::new_v4(), Uuid::new_v4());
        o.queue(fresh, write(2), None);
        let earlier = PendingWrite {
            key: old,
            write: write(1),
            in_flight: true,
            form: None,
        };
        let again = PendingWrite {
            key: fresh,
            write: write(2),
            in_flight: false,
            form: None,
        };
        o.restore(vec![earlier, again]);
        let keys: Vec<Uuid> = o.iter().map(|w| w.key).collect();
        assert_eq!(keys, vec![old, fresh]);
        assert!(!o[0].in_flight);
    }
}
