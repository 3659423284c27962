//! On-call shift handover (issue 17 §1), structured as I-PASS (AHRQ TeamSTEPPS I-PASS; the
//! mapping to JAR work is clinical-model.md §3.2):
//!
//! - **I**llness severity: the case's next hard or overdue deadline, in words;
//! - **P**atient summary: category, stage and age band (no names);
//! - **A**ction list: overdue deadlines first (always, clinical-model.md §3.2 rules), then
//!   deadlines due within [`ACTION_WINDOW_HOURS`] and open time-critical checklist items;
//! - **S**ituation awareness: parallel processes (safeguarding flags), the lead and key worker,
//!   the last family contact;
//! - **S**ynthesis: one free-text line per case, written by the outgoing person, acknowledged by
//!   the incoming one.
//!
//! Pure functions: the client drafts with [`draft`], the server stores and checks what is sent.

use crate::case::{Case, CaseRef, age_label};
use crate::deadline::{Deadline, DeadlineState, urgency_key};
use crate::text::{self, TextError, caps};
use crate::time::{ago, short_duration, uk_clock, uk_datetime};
use crate::wire::owners_short;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Only deadlines due within the next shift go on the action list (I-PASS printed-handoff
/// observation tool, item 11: "restricted to items that should be accomplished on next
/// shift"); issue 17 §1 sets the window at 24 hours, the longest on-call rota.
pub const ACTION_WINDOW_HOURS: i64 = 24;

/// A handover not acknowledged this long after it was sent is shown to the outgoing person
/// and the area's managers as overdue (issue 17 §1).
pub const ACK_WITHIN_MINUTES: i64 = 60;

/// A case the outgoing person wrote to within this many hours before drafting "changed in
/// their shift" (issue 17 §1: on-call rotas change every 12 or 24 hours; the longer is taken
/// so that nothing of the shift is left out).
pub const SHIFT_HOURS: i64 = 24;

/// The most cases in one handover (the list cap every list in the API has).
pub const MAX_CASES: usize = caps::LIST_ITEMS;

/// One case in a handover, as the outgoing person sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HandoverEntry {
    /// The case reference, e.g. `JAR-2026-0042`.
    #[schema(pattern = r"^JAR-[0-9]{4}-[0-9]{4,6}$")]
    pub reference: CaseRef,
    /// Illness severity: the next hard or overdue deadline, in words.
    #[schema(schema_with = crate::text::schema::handover_line)]
    pub severity: String,
    /// Patient summary: category, stage, age band.
    #[schema(schema_with = crate::text::schema::handover_line)]
    pub summary: String,
    /// Action list: one line per deadline or open time-critical item, overdue first.
    #[schema(schema_with = crate::text::schema::handover_lines)]
    pub actions: Vec<String>,
    /// Situation awareness: flags, people, family contact.
    #[schema(schema_with = crate::text::schema::handover_lines)]
    pub awareness: Vec<String>,
    /// Synthesis: free text from the outgoing person ("if the coroner calls, ring the DD").
    #[schema(schema_with = crate::text::schema::note)]
    pub synthesis: String,
}

impl HandoverEntry {
    pub fn validate(&self) -> Result<(), TextError> {
        text::check_line("severity", &self.severity, caps::REASON)?;
        text::check_line("summary", &self.summary, caps::REASON)?;
        text::check_list("actions", &self.actions, caps::REASON)?;
        text::check_list("awareness", &self.awareness, caps::REASON)?;
        text::check("synthesis", &self.synthesis, caps::NOTE)
    }
}

/// `POST /handovers`: the outgoing person is the sender.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewHandover {
    /// The incoming on-call colleague's username.
    #[schema(schema_with = crate::text::schema::username)]
    pub incoming: String,
    /// One to [`MAX_CASES`] cases, each once.
    #[schema(min_items = 1, max_items = 50)]
    pub entries: Vec<HandoverEntry>,
}

impl NewHandover {
    pub fn validate(&self) -> Result<(), TextError> {
        text::check_required("incoming", &self.incoming, text::schema::USERNAME_MAX)?;
        text::check_line("incoming", &self.incoming, text::schema::USERNAME_MAX)?;
        if self.entries.is_empty() {
            return Err(TextError::Empty { field: "entries" });
        }
        if self.entries.len() > MAX_CASES {
            return Err(TextError::TooMany {
                field: "entries",
                cap: MAX_CASES,
            });
        }
        self.entries.iter().try_for_each(HandoverEntry::validate)
    }

    /// The first reference sent twice, if any.
    pub fn duplicate(&self) -> Option<&str> {
        let mut seen = std::collections::HashSet::new();
        self.entries
            .iter()
            .map(|e| e.reference.as_str())
            .find(|r| !seen.insert(*r))
    }
}

/// One case of a stored handover, with its acknowledgement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct HandoverCase {
    pub entry: HandoverEntry,
    /// When the incoming person acknowledged it; `null` while not.
    pub acknowledged_at: Option<DateTime<Utc>>,
    /// The incoming person became the case's lead paediatrician when acknowledging.
    pub became_lead: bool,
}

/// A handover as stored and read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Handover {
    pub id: i64,
    pub outgoing: String,
    pub incoming: String,
    /// The areas of its cases: managers of these areas may read it.
    pub areas: Vec<String>,
    pub sent_at: DateTime<Utc>,
    pub cases: Vec<HandoverCase>,
    /// Every case acknowledged.
    pub acknowledged: bool,
    /// Not fully acknowledged [`ACK_WITHIN_MINUTES`] after it was sent (at the server's time
    /// of reading).
    pub overdue: bool,
}

impl Handover {
    /// Recompute `acknowledged` and `overdue` at `now`.
    pub fn refresh(&mut self, now: DateTime<Utc>) {
        self.acknowledged = self.cases.iter().all(|c| c.acknowledged_at.is_some());
        self.overdue = !self.acknowledged && ack_overdue(self.sent_at, now);
    }
}

/// Whether a handover sent at `sent_at` and still not acknowledged is overdue at `now`.
pub fn ack_overdue(sent_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now - sent_at >= Duration::minutes(ACK_WITHIN_MINUTES)
}

/// `GET /handovers/draft`: the caller's handover as jarterm drafts it, most urgent first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct HandoverDraft {
    pub entries: Vec<HandoverEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct HandoverList {
    /// Newest first.
    pub items: Vec<Handover>,
}

/// `POST /handovers/{id}/acknowledgements`: the incoming person acknowledges some cases (or,
/// with `cases` empty, every case still open) and may become their lead in the same step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HandoverAck {
    /// The references to acknowledge; empty for all.
    #[serde(default)]
    #[schema(schema_with = crate::text::schema::case_refs)]
    pub cases: Vec<CaseRef>,
    /// Become the lead paediatrician of each case acknowledged.
    #[serde(default)]
    pub become_lead: bool,
}

impl HandoverAck {
    pub fn validate(&self) -> Result<(), TextError> {
        if self.cases.len() > MAX_CASES {
            return Err(TextError::TooMany {
                field: "cases",
                cap: MAX_CASES,
            });
        }
        Ok(())
    }
}

/// Whether an active case goes into `who`'s handover: they lead it, or it changed during
/// their shift (issue 17 §1).
pub fn belongs_in_handover(who: &str, case: &Case, changed_in_shift: bool) -> bool {
    case.stage.is_active()
        && (case.people.lead_paediatrician.as_deref() == Some(who) || changed_in_shift)
}

/// What drafting needs to know about one case, already redacted for the outgoing person.
pub struct DraftCase<'a> {
    pub case: &'a Case,
    /// Every deadline of the case, as `deadline::compute` returns them.
    pub deadlines: &'a [Deadline],
    /// The text of each open time-critical checklist item.
    pub open_time_critical: &'a [String],
    pub last_family_contact: Option<DateTime<Utc>>,
}

/// The deadline that sets the illness severity: the first overdue one, else the next hard one
/// that is due (in `deadline::urgency_key` order).
fn severity_deadline(deadlines: &[Deadline]) -> Option<&Deadline> {
    let mut open: Vec<&Deadline> = deadlines
        .iter()
        .filter(|d| {
            d.due_at.is_some()
                && (d.state == DeadlineState::Overdue || (d.state == DeadlineState::Due && d.hard))
        })
        .collect();
    open.sort_by_key(|d| urgency_key(d));
    open.first().copied()
}

fn due_words(d: &Deadline, now: DateTime<Utc>) -> String {
    match d.due_at {
        Some(due) if due < now => format!("OVERDUE {}", short_duration(now - due)),
        Some(due) => format!("DUE {} (in {})", uk_clock(due), short_duration(due - now)),
        None => "no due time".to_string(),
    }
}

/// I-PASS severity words (stable, watcher, unstable) from the deadlines: an overdue hard
/// deadline is UNSTABLE; any other overdue one, or a hard one due within the action window,
/// is WATCHER; otherwise STABLE. Status words, not colour (clinical-model.md §3.2).
pub fn severity(deadlines: &[Deadline], now: DateTime<Utc>) -> String {
    let window = now + Duration::hours(ACTION_WINDOW_HOURS);
    match severity_deadline(deadlines) {
        None => "STABLE: no hard or overdue deadline".to_string(),
        Some(d) => {
            let word = match (d.state, d.hard) {
                (DeadlineState::Overdue, true) => "UNSTABLE",
                (DeadlineState::Overdue, false) => "WATCHER",
                _ if d.due_at.is_some_and(|t| t <= window) => "WATCHER",
                _ => "STABLE",
            };
            let hard = if d.hard { "hard" } else { "soft" };
            format!("{word}: {} {} ({hard})", d.title, due_words(d, now))
        }
    }
}

/// Draft one case's entry at `now`; `synthesis` starts empty for the outgoing person to write.
pub fn draft_entry(c: &DraftCase<'_>, now: DateTime<Utc>) -> HandoverEntry {
    let case = c.case;
    let summary = format!(
        "{} · {} · {} · {} · notified {}",
        case.category.label(),
        case.stage.label(),
        age_label(case.age_months),
        case.area,
        ago(case.times.notified_at, now)
    );
    let window = now + Duration::hours(ACTION_WINDOW_HOURS);
    let mut due: Vec<&Deadline> = c
        .deadlines
        .iter()
        .filter(|d| match (d.state, d.due_at) {
            (DeadlineState::Overdue, Some(_)) => true,
            (DeadlineState::Due, Some(t)) => t <= window,
            _ => false,
        })
        .collect();
    // Overdue first, then by due time (clinical-model.md §3.2: "Overdue items always appear,
    // at the top. Sort by deadline, then by severity").
    due.sort_by_key(|d| (d.state != DeadlineState::Overdue, d.due_at, !d.hard));
    let mut actions: Vec<String> = due
        .iter()
        .map(|d| {
            format!(
                "{} {}{} [{}]",
                due_words(d, now),
                d.title,
                if d.hard { " (hard)" } else { "" },
                owners_short(&d.owners)
            )
        })
        .collect();
    actions.extend(
        c.open_time_critical
            .iter()
            .map(|t| format!("TIME-CRITICAL open: {t}")),
    );
    let mut awareness = Vec::new();
    if let Some(f) = &case.flags {
        let mut on = Vec::new();
        if f.criminal_investigation {
            on.push("criminal investigation");
        }
        if f.s47_strategy {
            on.push("s47 strategy");
        }
        if f.looked_after {
            on.push("looked after");
        }
        if f.cspr_notified {
            on.push("CSPR notified");
        }
        if !on.is_empty() {
            awareness.push(format!("Safeguarding: {}", on.join(", ")));
        }
    }
    let who = |p: &Option<String>| p.clone().unwrap_or_else(|| "none".to_string());
    awareness.push(format!(
        "Lead: {} · key worker: {}",
        who(&case.people.lead_paediatrician),
        who(&case.people.key_worker)
    ));
    awareness.push(match c.last_family_contact {
        Some(t) => format!("Family: last contact {}", ago(t, now)),
        None => "Family: no contact recorded".to_string(),
    });
    actions.truncate(caps::LIST_ITEMS);
    HandoverEntry {
        reference: case.reference.clone(),
        severity: severity(c.deadlines, now),
        summary,
        actions,
        awareness,
        synthesis: String::new(),
    }
}

/// Draft a whole handover: one entry per case, the most urgent case first (by its severity
/// deadline: overdue hard, overdue, due soonest; then reference).
pub fn draft(cases: &[DraftCase<'_>], now: DateTime<Utc>) -> Vec<HandoverEntry> {
    let mut order: Vec<&DraftCase<'_>> = cases.iter().collect();
    order.sort_by_key(|c| {
        let key = severity_deadline(c.deadlines).map(urgency_key);
        (key.is_none(), key, c.case.reference.clone())
    });
    order.into_iter().map(|c| draft_entry(c, now)).collect()
}

/// The handover as plain text (no colour: status words only), for the screen and the golden
/// tests.
pub fn render(
    outgoing: &str,
    incoming: &str,
    entries: &[HandoverEntry],
    now: DateTime<Utc>,
) -> String {
    let mut out = format!(
        "Handover from {outgoing} to {incoming} · {} · {} case{}\n",
        uk_datetime(now),
        entries.len(),
        if entries.len() == 1 { "" } else { "s" }
    );
    for (i, e) in entries.iter().enumerate() {
        out.push_str(&format!("\n{}. {}  {}\n", i + 1, e.reference, e.severity));
        out.push_str(&format!("   Summary:   {}\n", e.summary));
        if e.actions.is_empty() {
            out.push_str("   Actions:   none in the next 24h\n");
        }
        for (j, a) in e.actions.iter().enumerate() {
            let head = if j == 0 { "Actions:  " } else { "          " };
            out.push_str(&format!("   {head} {a}\n"));
        }
        for (j, a) in e.awareness.iter().enumerate() {
            let head = if j == 0 { "Awareness:" } else { "          " };
            out.push_str(&format!("   {head} {a}\n"));
        }
        let synthesis = if e.synthesis.trim().is_empty() {
            "(none written)"
        } else {
            e.synthesis.trim()
        };
        out.push_str(&format!("   Synthesis: {synthesis}\n"));
    }
    out
}
