//! Deadlines as data: each rule names its anchor (a real event: the death, or a milestone on
//! the timeline, never the moment the case was typed in), how its due time is counted (real
//! hours, or working days in England and Wales), whether it is hard, what meets it, and how
//! much it binds — **statutory**, **national guidance** or **local practice** — with its
//! source. `compute` turns a case and `now` into every deadline with its state.
//!
//! Elapsed-time rules are computed on UTC instants: "8 hours after death" is eight real hours,
//! across a clock change too. Working-day rules count UK local dates with the bank-holiday
//! calendar ([`crate::workdays`]) and fall due at the end of the day. Only the display
//! converts to UK local time.
//!
//! Every default rule, its label and its source are listed for the designated doctor's
//! sign-off in `docs/clinical-model.md`; the table test in `tests/deadlines.rs` pins them.

use crate::case::{Case, PresentingCategory};
use crate::checklist::{ItemState, ItemStatus};
use crate::role::Agency;
use crate::time::short_duration;
use crate::timeline::{self, EventKind, TimelineEvent};
use crate::workdays::Calendar;
use chrono::Duration;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// What a deadline counts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case", tag = "type", content = "event")]
pub enum Anchor {
    /// The best earliest known time of death, chosen per rule by [`DeathTime`]. Never the
    /// moment of data entry: with no time known, the deadline has not started.
    Death,
    /// The JAR notification in jarterm (data entry). No default rule uses it; kept for areas
    /// that configured it.
    Notification,
    /// The first (uncorrected) timeline event of a kind; not started until it is recorded.
    Event(EventKind),
    /// The "next contact due" the key worker planned on the latest contact that set one
    /// (issue 16 §1): the due time counts from the planned time itself.
    FamilyContactPlan,
}

/// Which known time stands for the time of death when a rule counts from the death.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeathTime {
    /// Found (or collapsed), else death confirmed: the default (issue 14).
    #[default]
    FoundElseConfirmed,
    /// Last seen alive, else found, else confirmed: the earliest bound for an unwitnessed
    /// death (a clinical choice an area may make for the NPA window).
    LastSeenElseFound,
    /// Death confirmed, else found.
    ConfirmedElseFound,
}

impl DeathTime {
    pub fn label(self) -> &'static str {
        match self {
            DeathTime::FoundElseConfirmed => "found, else death confirmed",
            DeathTime::LastSeenElseFound => "last seen alive, else found, else confirmed",
            DeathTime::ConfirmedElseFound => "death confirmed, else found",
        }
    }
}

/// How much a rule binds, shown beside every deadline.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum RuleLabel {
    /// Required by law or by statutory guidance.
    Statutory,
    /// Guidance of a national body (RCEM, RCPath, NCMD, the national Panel).
    NationalGuidance,
    /// Local procedures, or a jarterm default an area should confirm.
    #[default]
    LocalPractice,
}

impl RuleLabel {
    pub fn label(self) -> &'static str {
        match self {
            RuleLabel::Statutory => "statutory",
            RuleLabel::NationalGuidance => "national guidance",
            RuleLabel::LocalPractice => "local practice",
        }
    }

    /// Four letters for narrow columns.
    pub fn short(self) -> &'static str {
        match self {
            RuleLabel::Statutory => "STAT",
            RuleLabel::NationalGuidance => "NATL",
            RuleLabel::LocalPractice => "LOCL",
        }
    }
}

/// How the due time is counted from the anchor.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case", tag = "type", content = "days")]
pub enum Counting {
    /// `offset_minutes` of real elapsed time.
    #[default]
    Elapsed,
    /// The end (23:59:59 UK time) of the Nth working day after the anchor's UK date.
    WorkingDays(u32),
    /// `offset_minutes` of real time; if that lands on a weekend or bank holiday, the end of
    /// the next working day ("within 24 h, or the next working day").
    ElapsedOrNextWorkingDay,
}

/// A stretch of time that stops a rule's clock, between two timeline events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Pause {
    pub opens: EventKind,
    pub closes: EventKind,
}

/// A fact about the case a rule needs before it applies at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    /// The child was looked after by a local authority.
    LookedAfter,
}

/// What meets a deadline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case", tag = "type", content = "value")]
pub enum MetBy {
    Event(EventKind),
    /// A checklist item done or not applicable, by item id. *Unable* does not meet it: unable
    /// is not done.
    ChecklistItem(String),
    /// Any contact with the family logged by the key worker (v1; no default rule uses it).
    FamilyContact,
    /// A contact in which the family was reached.
    FamilyReached,
    /// A contact that reached the family after the one that set the plan.
    FamilyReachedAfterPlan,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeadlineRule {
    pub id: String,
    pub title: String,
    pub anchor: Anchor,
    /// For elapsed counting: minutes after the anchor.
    pub offset_minutes: i64,
    pub hard: bool,
    pub met_by: MetBy,
    pub owners: Vec<Agency>,
    /// Presenting categories the rule applies to; empty means all.
    #[serde(default)]
    pub applies_to: Vec<PresentingCategory>,
    /// Where the default comes from, so people can check it.
    pub source: String,
    #[serde(default)]
    pub label: RuleLabel,
    #[serde(default)]
    pub counting: Counting,
    /// For [`Anchor::Death`]: which known time stands for the death.
    #[serde(default)]
    pub death_time: DeathTime,
    /// Counted from this instead while the anchor event is not recorded.
    #[serde(default)]
    pub fallback_anchor: Option<Anchor>,
    /// Not shown at all until the anchor event is recorded (clocks that exist only in some
    /// cases, e.g. the safeguarding Panel notification).
    #[serde(default)]
    pub hidden_until_anchored: bool,
    #[serde(default)]
    pub only_if: Option<Condition>,
    /// Not started until this event is recorded (the CDRM waits for the final PM report),
    /// and then due no earlier than `min_after_wait_minutes` after it.
    #[serde(default)]
    pub waits_for: Option<EventKind>,
    #[serde(default)]
    pub min_after_wait_minutes: i64,
    /// The clock stops while any of these is open.
    #[serde(default)]
    pub pauses: Vec<Pause>,
    /// Reveals a safeguarding or criminal track: not sent to roles that may not read
    /// criminal detail (tipping off).
    #[serde(default)]
    pub restricted: bool,
    /// Caveats for the designated doctor (e.g. an unverified figure).
    #[serde(default)]
    pub note: String,
}

/// Per-area changes to the defaults (set in the server's config).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleOverride {
    pub offset_minutes: Option<i64>,
    pub hard: Option<bool>,
    #[serde(default)]
    pub disabled: bool,
    /// For working-day rules: how many working days.
    #[serde(default)]
    pub working_days: Option<u32>,
    /// For rules counted from the death: which known time stands for it.
    #[serde(default)]
    pub death_time: Option<DeathTime>,
}

/// Area name → rule id → override.
pub type AreaOverrides = BTreeMap<String, BTreeMap<String, RuleOverride>>;

/// A deadline marked not applicable for one case, with the reason (audited by the server).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotApplicable {
    pub rule_id: String,
    pub reason: String,
    pub by: String,
    pub at: DateTime<Utc>,
}

fn base(
    id: &str,
    title: &str,
    anchor: Anchor,
    met_by: MetBy,
    owners: &[Agency],
    label: RuleLabel,
    source: &str,
) -> DeadlineRule {
    DeadlineRule {
        id: id.into(),
        title: title.into(),
        anchor,
        offset_minutes: 0,
        hard: false,
        met_by,
        owners: owners.to_vec(),
        applies_to: Vec::new(),
        source: source.into(),
        label,
        counting: Counting::Elapsed,
        death_time: DeathTime::default(),
        fallback_anchor: None,
        hidden_until_anchored: false,
        only_if: None,
        waits_for: None,
        min_after_wait_minutes: 0,
        pauses: Vec::new(),
        restricted: false,
        note: String::new(),
    }
}

impl DeadlineRule {
    fn hours(mut self, h: i64) -> Self {
        self.counting = Counting::Elapsed;
        self.offset_minutes = h * 60;
        self
    }

    fn working_days(mut self, n: u32) -> Self {
        self.counting = Counting::WorkingDays(n);
        self.offset_minutes = 0;
        self
    }

    fn hours_or_next_working_day(mut self, h: i64) -> Self {
        self.counting = Counting::ElapsedOrNextWorkingDay;
        self.offset_minutes = h * 60;
        self
    }

    fn note(mut self, note: &str) -> Self {
        self.note = note.into();
        self
    }

    /// The rule's timing in words, e.g. `5 working days after Abuse or neglect known or
    /// suspected`, `24 h after death (found, else death confirmed), or the next working day`.
    pub fn timing(&self) -> String {
        let from = match self.anchor {
            Anchor::Death => format!("death ({})", self.death_time.label()),
            Anchor::Notification => "notification in jarterm".to_string(),
            Anchor::Event(k) => k.label().to_string(),
            Anchor::FamilyContactPlan => "the next contact the key worker planned".to_string(),
        };
        let span = |m: i64| {
            if m % (24 * 60) == 0 && m >= 7 * 24 * 60 && m % (7 * 24 * 60) == 0 {
                format!("{} weeks", m / (7 * 24 * 60))
            } else if m % 60 == 0 {
                format!("{} h", m / 60)
            } else {
                format!("{m} min")
            }
        };
        let mut s = match self.counting {
            Counting::Elapsed => format!("{} after {from}", span(self.offset_minutes)),
            Counting::WorkingDays(1) => format!("end of the next working day after {from}"),
            Counting::WorkingDays(n) => format!("{n} working days after {from}"),
            Counting::ElapsedOrNextWorkingDay => format!(
                "{} after {from}, or the next working day if that is not one",
                span(self.offset_minutes)
            ),
        };
        if let Some(Anchor::Death) = self.fallback_anchor {
            s.push_str(" (from the death until then)");
        }
        if let Some(w) = self.waits_for {
            s.push_str(&format!(
                "; starts once {} is recorded, then at least {} after it",
                w.label(),
                span(self.min_after_wait_minutes)
            ));
        }
        if !self.pauses.is_empty() {
            s.push_str("; paused while proceedings are open");
        }
        s
    }
}

/// The defaults (domain.md section 4; clinical-model.md). Areas override them, they never
/// edit them. Every rule is in the table test and in `docs/clinical-model.md`.
pub fn default_rules() -> Vec<DeadlineRule> {
    use Agency::*;
    use Anchor::*;
    use EventKind as E;
    use RuleLabel::*;
    let mut npa = base(
        "npa_window",
        "Nasopharyngeal aspirate window",
        Death,
        MetBy::ChecklistItem("SUDI-B05".into()),
        &[Health],
        NationalGuidance,
        "RCEM SUDIC protocol (rcemlearning.co.uk, ED investigations) and RCPath SUDI guidelines 2016: NPA only useful under 8 h after death",
    )
    .hours(8)
    .note("The death time is 'found, else confirmed' by default; an area may count from 'last seen alive' instead (a clinical choice for unwitnessed deaths).");
    npa.hard = true;
    npa.applies_to = vec![PresentingCategory::Sudi, PresentingCategory::Sudic];

    let mut cdrm = base(
        "cdrm",
        "Child death review meeting",
        Death,
        MetBy::Event(E::CdrmHeld),
        &[CdrOffice],
        LocalPractice,
        "Buckinghamshire rapid response procedure: phase 3 usually 8-12 weeks; 4LSCB Hampshire: 1-6 months; Sudi Scotland: once the final PM report is out; pause: Coroners and Justice Act 2009 Schedule 1 (an investigation is suspended while criminal proceedings are pending)",
    )
    .hours(12 * 7 * 24)
    .note("Waits for the final post-mortem report and is then due no sooner than 4 weeks after it (a jarterm default); paused while an inquest or criminal proceedings are open (issue 14). Local procedures vary from 8 weeks to 6 months.");
    cdrm.waits_for = Some(E::FinalPmReportReceived);
    cdrm.min_after_wait_minutes = 4 * 7 * 24 * 60;
    cdrm.pauses = vec![
        Pause {
            opens: E::InquestOpened,
            closes: E::InquestConcluded,
        },
        Pause {
            opens: E::CriminalProceedingsOpened,
            closes: E::CriminalProceedingsConcluded,
        },
    ];

    let mut key_worker = base(
        "key_worker_first_contact",
        "Key worker first contact",
        Event(E::KeyWorkerNamed),
        MetBy::FamilyReached,
        &[KeyWorker],
        LocalPractice,
        "NCMD parents' CDR toolkit and Child Bereavement UK key worker report: first contact within 24-48 h",
    )
    .hours(48)
    .note("Met only by a contact in which the family was reached. Counts from the key worker being named; until one is named, from the death, so no family is left without a clock.");
    key_worker.fallback_anchor = Some(Death);

    let mut family = base(
        FAMILY_CONTACT,
        "Family contact (key worker's plan)",
        FamilyContactPlan,
        MetBy::FamilyReachedAfterPlan,
        &[KeyWorker],
        LocalPractice,
        "The key worker's own plan: 'next contact due' on the latest contact that set one. Child death review statutory and operational guidance (England) 2018: the family has a key worker as a single point of contact through the review; how often to contact them is not set nationally",
    )
    .hours(0)
    .note("Due at the time the key worker planned (an area may add grace with offset_minutes). Met by a later contact that reached the family; a later contact with its own 'next contact due' replaces the plan. No plan, no deadline.");
    family.hidden_until_anchored = true;

    let mut cspr = base(
        "cspr_panel_notified",
        "Safeguarding Practice Review Panel notified",
        Event(E::AbuseOrNeglectSuspected),
        MetBy::Event(E::CsprPanelNotified),
        &[SocialCare],
        Statutory,
        "Children Act 2004 s16C; gov.uk 'Report a serious child safeguarding incident': the local authority must notify the Panel within 5 working days of becoming aware",
    )
    .working_days(5)
    .note("Applies when abuse or neglect is known or suspected: counts from when the local authority became aware (record 'Abuse or neglect known or suspected' with that time).");
    cspr.hidden_until_anchored = true;
    cspr.restricted = true;

    let mut rapid = base(
        "rapid_review",
        "Rapid review",
        Event(E::AbuseOrNeglectSuspected),
        MetBy::Event(E::RapidReviewCompleted),
        &[SocialCare, Health, Police],
        NationalGuidance,
        "Child Safeguarding Practice Review Panel FAQ and Working Together 2023: a rapid review within 15 working days of becoming aware of the incident",
    )
    .working_days(15)
    .note("The 15 working days is an expectation of national guidance, not a duty in the Act (Trafford partnership: 'a non-statutory expectation').");
    rapid.hidden_until_anchored = true;
    rapid.restricted = true;

    let mut lac = base(
        "ofsted_dfe_notified",
        "Ofsted and DfE notified (looked-after child)",
        Death,
        MetBy::Event(E::OfstedDfeNotified),
        &[SocialCare],
        Statutory,
        "gov.uk 'Report a serious child safeguarding incident': local authorities notify Ofsted and the Secretary of State of the death of a looked-after child (same online form)",
    )
    .working_days(5)
    .note("The 5 working days is the Panel notification's limit (Manchester and Lincolnshire LAC procedures); a limit specific to a looked-after child's death was not verified.");
    lac.only_if = Some(Condition::LookedAfter);

    vec![
        base(
            "police_informed",
            "Police informed",
            Death,
            MetBy::Event(E::PoliceInformed),
            &[Health],
            LocalPractice,
            "RCEM SUDIC protocol (the joint agency response): police told when resuscitation stops; 1 h is a jarterm default",
        )
        .hours(1),
        base(
            "ed_response",
            "ED response completed",
            Death,
            MetBy::Event(E::EdResponseCompleted),
            &[Health, Police],
            LocalPractice,
            "Bracknell Forest and 4LSCB Hampshire procedures: the ED phase takes the first 2-4 h",
        )
        .hours(4),
        base(
            "coroner_informed",
            "Coroner informed",
            Death,
            MetBy::Event(E::CoronerInformed),
            &[Health],
            LocalPractice,
            "Bracknell Forest procedure: as soon as possible, within the first hours",
        )
        .hours(4),
        base(
            "social_care_informed",
            "Social care informed",
            Death,
            MetBy::Event(E::SocialCareInformed),
            &[Health],
            LocalPractice,
            "Bracknell Forest procedure: within the first hours",
        )
        .hours(4),
        npa,
        base(
            "information_sharing",
            "ED information-sharing discussion",
            Death,
            MetBy::Event(E::InformationSharingHeld),
            &[Health, Police, SocialCare],
            LocalPractice,
            "RCEM SUDIC protocol; Bracknell Forest procedure: before the family leaves the ED",
        )
        .hours(4)
        .note("'Before the family leaves the ED': 4 h is a jarterm default matching the 2-4 h ED phase."),
        base(
            "information_sharing_meeting",
            "Information-sharing and planning meeting",
            Death,
            MetBy::Event(E::InformationSharingMeetingHeld),
            &[Health, Police, SocialCare],
            LocalPractice,
            "Local procedures (clinical-model.md): a formal information-sharing and planning meeting within 1-3 working days",
        )
        .working_days(3)
        .note("UNVERIFIED: the '1-3 working days' was not found in a primary source. Confirm locally."),
        base(
            "designated_doctor_informed",
            "Designated doctor informed",
            Death,
            MetBy::Event(E::DesignatedDoctorInformed),
            &[Health],
            LocalPractice,
            "Bracknell Forest procedure: the designated doctor is informed the next working day",
        )
        .working_days(1),
        base(
            "home_visit",
            "Joint home visit",
            Death,
            MetBy::Event(E::HomeVisitDone),
            &[Police, Health],
            LocalPractice,
            "Bracknell Forest procedure: within 24 h in working hours Mon-Fri, else the next working day",
        )
        .hours_or_next_working_day(24)
        .note("Mark not applicable with a reason when there is no home to visit (e.g. a death in PICU, a road collision)."),
        base(
            "cdop_notified",
            "CDOP notified",
            Death,
            MetBy::Event(E::CdopNotified),
            &[Health, CdrOffice],
            LocalPractice,
            "North Yorkshire and notification dataset procedures (older): notification within 24 h",
        )
        .hours(24),
        base(
            "ncmd_notified",
            "NCMD notified",
            Death,
            MetBy::Event(E::NcmdNotified),
            &[CdrOffice],
            NationalGuidance,
            "NCMD notification guidance (ncmd.info/notification-guidance/): CDOPs notify NCMD within 48 h of the death",
        )
        .hours(48)
        .note("The data collection is statutory (Children Act 2004) but the 48 h figure is NCMD's; the statutory text with a time limit was not available. eCDOP passes notifications to NCMD: record when it was sent."),
        key_worker,
        family,
        base(
            "post_pm_discussion",
            "Post-PM discussion",
            Event(E::PostMortemPreliminaryResults),
            MetBy::Event(E::PostPmDiscussionHeld),
            &[CdrOffice, Health],
            LocalPractice,
            "Buckinghamshire procedure (phase 2 within 5-7 days); Pan-Lancashire: a case discussion after the preliminary PM results",
        )
        .working_days(5),
        cdrm,
        cspr,
        rapid,
        lac,
    ]
}

/// Whether the default rule `id` reveals a safeguarding or criminal track (see
/// [`DeadlineRule::restricted`]).
pub fn is_restricted_rule(id: &str) -> bool {
    default_rules().iter().any(|r| r.id == id && r.restricted)
}
/// The id of the family-contact rule: the board shows it in its own column.
pub const FAMILY_CONTACT: &str = "family_contact";

/// The rules in force for an area: defaults with that area's overrides applied.
pub fn rules_for_area(area: &str, overrides: &AreaOverrides) -> Vec<DeadlineRule> {
    let mut rules = default_rules();
    if let Some(area_overrides) = overrides.get(area) {
        rules.retain(|r| !area_overrides.get(&r.id).is_some_and(|o| o.disabled));
        for r in &mut rules {
            if let Some(o) = area_overrides.get(&r.id) {
                r.offset_minutes = o.offset_minutes.unwrap_or(r.offset_minutes);
                r.hard = o.hard.unwrap_or(r.hard);
                r.death_time = o.death_time.unwrap_or(r.death_time);
                if let (Counting::WorkingDays(_), Some(n)) = (r.counting, o.working_days) {
                    r.counting = Counting::WorkingDays(n);
                }
            }
        }
    }
    rules
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineState {
    /// Done at `met_at` (on time, or late by `late_by_minutes`).
    Met,
    /// Not yet done, due in the future.
    Due,
    /// Not done, past its due time.
    Overdue,
    /// Its anchor has not happened yet, so no due time.
    NotStarted,
    /// The clock is stopped (e.g. an inquest is open): no due time until it restarts.
    Paused,
    /// Marked not applicable for this case, with a reason.
    NotApplicable,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Deadline {
    pub rule_id: String,
    pub title: String,
    pub hard: bool,
    pub owners: Vec<Agency>,
    pub due_at: Option<DateTime<Utc>>,
    pub state: DeadlineState,
    pub met_at: Option<DateTime<Utc>>,
    /// In words: what would meet it, or what it waits for.
    pub waits_on: String,
    pub source: String,
    #[serde(default)]
    pub label: RuleLabel,
    /// The rule's timing in words (see [`DeadlineRule::timing`]).
    #[serde(default)]
    pub timing: String,
    /// Met after its due time: by how many minutes.
    #[serde(default)]
    pub late_by_minutes: Option<i64>,
    /// Why it does not apply to this case.
    #[serde(default)]
    pub not_applicable_reason: Option<String>,
    /// Reveals a safeguarding or criminal track (see [`DeadlineRule::restricted`]).
    #[serde(default)]
    pub restricted: bool,
}

impl Deadline {
    /// "late by 22m" when met late.
    pub fn late_words(&self) -> Option<String> {
        self.late_by_minutes
            .map(|m| format!("late by {}", short_duration(Duration::minutes(m))))
    }
}

/// What `compute` needs to know about a case beyond the case record itself.
pub struct CaseFacts<'a> {
    pub case: &'a Case,
    pub events: &'a [TimelineEvent],
    /// Item states of every checklist started on the case.
    pub items: &'a [ItemState],
    /// The first contact with the family logged, whatever its outcome.
    pub first_family_contact: Option<DateTime<Utc>>,
}

/// What [`compute_with`] takes besides the facts; [`Extras::default`] is "nothing more known".
pub struct Extras<'a> {
    /// Deadlines marked not applicable for this case.
    pub not_applicable: &'a [NotApplicable],
    /// The first contact in which the family was reached: `Some(None)` when none was,
    /// `None` when the caller does not know outcomes (then any contact counts, as in v1).
    pub first_family_reached: Option<Option<DateTime<Utc>>>,
    /// Bank holidays for working-day rules (by default the one in force: see
    /// [`crate::workdays::current`]).
    pub calendar: &'a Calendar,
    /// Every contact with the family as corrected by its amendments, in any order (for the
    /// family-contact plan).
    pub family_contacts: &'a [FamilyContactFact],
}

impl Default for Extras<'_> {
    fn default() -> Self {
        Extras {
            not_applicable: &[],
            first_family_reached: None,
            calendar: crate::workdays::current(),
            family_contacts: &[],
        }
    }
}

/// What the deadlines need of one contact with the family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FamilyContactFact {
    pub id: i64,
    pub occurred_at: DateTime<Utc>,
    pub reached: bool,
    pub next_contact_due: Option<DateTime<Utc>>,
}

impl FamilyContactFact {
    /// From a stored contact, as its amendments correct it.
    pub fn of(c: &crate::contact::Contact) -> FamilyContactFact {
        let e = c.effective();
        FamilyContactFact {
            id: c.id,
            occurred_at: e.occurred_at,
            reached: e.reached(),
            next_contact_due: e.next_contact_due,
        }
    }
}

/// The key worker's plan: the latest contact (by when it happened, then by id) that set a
/// next contact, with the first contact after it that reached the family, if any.
pub fn family_plan(
    contacts: &[FamilyContactFact],
) -> Option<(&FamilyContactFact, Option<DateTime<Utc>>)> {
    let plan = contacts
        .iter()
        .filter(|c| c.next_contact_due.is_some())
        .max_by_key(|c| (c.occurred_at, c.id))?;
    let met = contacts
        .iter()
        .filter(|c| c.reached && (c.occurred_at, c.id) > (plan.occurred_at, plan.id))
        .map(|c| c.occurred_at)
        .min();
    Some((plan, met))
}

/// The first contact that reached the family, from the facts.
pub fn first_reached(contacts: &[FamilyContactFact]) -> Option<DateTime<Utc>> {
    contacts
        .iter()
        .filter(|c| c.reached)
        .map(|c| c.occurred_at)
        .min()
}

/// The best earliest known time of death under a rule's setting; `None` if none is known.
/// A "Death confirmed" timeline event counts as a confirmation time.
pub fn death_time(setting: DeathTime, facts: &CaseFacts<'_>) -> Option<DateTime<Utc>> {
    let t = &facts.case.times;
    let event = timeline::first_of(facts.events, EventKind::DeathConfirmed);
    let confirmed = match (t.death_confirmed_at, event) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    match setting {
        DeathTime::FoundElseConfirmed => t.found_at.or(confirmed),
        DeathTime::LastSeenElseFound => t.last_seen_at.or(t.found_at).or(confirmed),
        DeathTime::ConfirmedElseFound => confirmed.or(t.found_at),
    }
}

fn anchor_time(
    anchor: Anchor,
    rule: &DeadlineRule,
    facts: &CaseFacts<'_>,
    extras: &Extras<'_>,
) -> Option<DateTime<Utc>> {
    match anchor {
        Anchor::Death => death_time(rule.death_time, facts),
        Anchor::Notification => Some(facts.case.times.notified_at),
        Anchor::Event(kind) => timeline::first_of(facts.events, kind),
        Anchor::FamilyContactPlan => {
            family_plan(extras.family_contacts).and_then(|(p, _)| p.next_contact_due)
        }
    }
}

fn met_time(met_by: &MetBy, facts: &CaseFacts<'_>, extras: &Extras<'_>) -> Option<DateTime<Utc>> {
    match met_by {
        MetBy::Event(kind) => timeline::first_of(facts.events, *kind),
        MetBy::ChecklistItem(id) => facts
            .items
            .iter()
            .find(|s| {
                &s.item_id == id && matches!(s.status, ItemStatus::Done | ItemStatus::NotApplicable)
            })
            // A sample is judged by when it was taken, not when it was ticked (issue 14 §2).
            .map(|s| s.done_at().unwrap_or(facts.case.times.notified_at)),
        MetBy::FamilyContact => facts.first_family_contact,
        MetBy::FamilyReached => extras
            .first_family_reached
            .unwrap_or(facts.first_family_contact),
        MetBy::FamilyReachedAfterPlan => {
            family_plan(extras.family_contacts).and_then(|(_, met)| met)
        }
    }
}

fn describe(met_by: &MetBy) -> String {
    match met_by {
        MetBy::Event(kind) => format!("timeline: {}", kind.label()),
        MetBy::ChecklistItem(id) => format!("checklist item {id}"),
        MetBy::FamilyContact => "a contact with the family".to_string(),
        MetBy::FamilyReached => "a contact that reached the family".to_string(),
        MetBy::FamilyReachedAfterPlan => "the planned contact, reaching the family".to_string(),
    }
}

fn count(rule: &DeadlineRule, anchor: DateTime<Utc>, cal: &Calendar) -> DateTime<Utc> {
    let minutes = rule.offset_minutes.clamp(-20 * 527_040, 20 * 527_040);
    match rule.counting {
        Counting::Elapsed => anchor + Duration::minutes(minutes),
        Counting::WorkingDays(n) => cal.working_days_after(anchor, n),
        Counting::ElapsedOrNextWorkingDay => cal.elapsed_or_next_working_day(anchor, minutes),
    }
}

/// Periods during which any of the pauses was open, merged: (start, end or still open).
fn pause_periods(
    pauses: &[Pause],
    events: &[TimelineEvent],
) -> Vec<(DateTime<Utc>, Option<DateTime<Utc>>)> {
    let mut periods = Vec::new();
    for p in pauses {
        let mut evs: Vec<&TimelineEvent> = timeline::effective(events)
            .filter(|e| e.kind == p.opens || e.kind == p.closes)
            .collect();
        evs.sort_by_key(|e| e.occurred_at);
        let mut open: Option<DateTime<Utc>> = None;
        for e in evs {
            match (open, e.kind == p.opens) {
                (None, true) => open = Some(e.occurred_at),
                (Some(start), false) => {
                    periods.push((start, Some(e.occurred_at)));
                    open = None;
                }
                _ => {}
            }
        }
        if let Some(start) = open {
            periods.push((start, None));
        }
    }
    periods.sort_by_key(|p| p.0);
    let mut merged: Vec<(DateTime<Utc>, Option<DateTime<Utc>>)> = Vec::new();
    for (start, end) in periods {
        match merged.last_mut() {
            Some((_, last_end)) if last_end.is_none_or(|e| start <= e) => {
                *last_end = match (*last_end, end) {
                    (Some(a), Some(b)) => Some(a.max(b)),
                    _ => None,
                };
            }
            _ => merged.push((start, end)),
        }
    }
    merged
}

/// Every deadline of a case at `now`, most urgent first: overdue hard, overdue, due soonest,
/// not started or paused, met, not applicable.
pub fn compute(facts: &CaseFacts<'_>, rules: &[DeadlineRule], now: DateTime<Utc>) -> Vec<Deadline> {
    compute_with(facts, &Extras::default(), rules, now)
}

/// As [`compute`], with what is known beyond the case facts (not-applicable marks, contact
/// outcomes, the bank-holiday calendar).
pub fn compute_with(
    facts: &CaseFacts<'_>,
    extras: &Extras<'_>,
    rules: &[DeadlineRule],
    now: DateTime<Utc>,
) -> Vec<Deadline> {
    let looked_after = facts.case.flags.as_ref().is_some_and(|f| f.looked_after);
    let mut out: Vec<Deadline> = Vec::new();
    for r in rules {
        if !(r.applies_to.is_empty() || r.applies_to.contains(&facts.case.category)) {
            continue;
        }
        if r.only_if == Some(Condition::LookedAfter) && !looked_after {
            continue;
        }
        let own_anchor = anchor_time(r.anchor, r, facts, extras);
        if r.hidden_until_anchored && own_anchor.is_none() {
            continue;
        }
        let anchor = own_anchor.or_else(|| {
            r.fallback_anchor
                .and_then(|a| anchor_time(a, r, facts, extras))
        });
        let mut waits_on = None;
        let mut due_at = anchor.map(|a| count(r, a, extras.calendar));
        if let Some(w) = r.waits_for {
            match timeline::first_of(facts.events, w) {
                None => {
                    due_at = None;
                    waits_on = Some(format!("waits for: {}", w.label()));
                }
                Some(at) => {
                    let earliest =
                        at + Duration::minutes(r.min_after_wait_minutes.clamp(0, 20 * 527_040));
                    due_at = due_at.map(|d| d.max(earliest));
                }
            }
        }
        let mut paused_since = None;
        if let (Some(a), Some(mut due)) = (anchor, due_at) {
            for (start, end) in pause_periods(&r.pauses, facts.events) {
                if start >= due {
                    break;
                }
                let from = start.max(a);
                match end {
                    None => {
                        paused_since = Some(from);
                        break;
                    }
                    Some(e) if e > from => due += e - from,
                    Some(_) => {}
                }
            }
            due_at = Some(due);
        }
        let met_at = met_time(&r.met_by, facts, extras);
        let waiver = extras.not_applicable.iter().find(|n| n.rule_id == r.id);
        let state = if waiver.is_some() {
            DeadlineState::NotApplicable
        } else if met_at.is_some() {
            DeadlineState::Met
        } else if paused_since.is_some() {
            DeadlineState::Paused
        } else {
            match due_at {
                None => DeadlineState::NotStarted,
                Some(d) if d < now => DeadlineState::Overdue,
                Some(_) => DeadlineState::Due,
            }
        };
        if state == DeadlineState::Paused {
            due_at = None;
        }
        let late_by_minutes = match (met_at, due_at) {
            (Some(m), Some(d)) if m > d && state == DeadlineState::Met => {
                Some((m - d).num_minutes().max(1))
            }
            _ => None,
        };
        let waits_on = match (state, waits_on, r.anchor, own_anchor) {
            (DeadlineState::Paused, _, _, _) => "paused while proceedings are open".to_string(),
            (DeadlineState::NotStarted, Some(w), _, _) => w,
            (DeadlineState::NotStarted, None, Anchor::Event(kind), None) => {
                format!("waits for: {}", kind.label())
            }
            (DeadlineState::NotStarted, None, Anchor::Death, None) => {
                "waits for: the time the child was found or death confirmed".to_string()
            }
            _ => describe(&r.met_by),
        };
        out.push(Deadline {
            rule_id: r.id.clone(),
            title: r.title.clone(),
            hard: r.hard,
            owners: r.owners.clone(),
            due_at,
            state,
            met_at,
            waits_on,
            source: r.source.clone(),
            label: r.label,
            timing: r.timing(),
            late_by_minutes,
            not_applicable_reason: waiver.map(|w| w.reason.clone()),
            restricted: r.restricted,
        });
    }
    out.sort_by_key(urgency_key);
    out
}

/// Sort key: lower is more urgent.
pub fn urgency_key(d: &Deadline) -> (u8, Option<DateTime<Utc>>) {
    let rank = match (d.state, d.hard) {
        (DeadlineState::Overdue, true) => 0,
        (DeadlineState::Overdue, false) => 1,
        (DeadlineState::Due, _) => 2,
        (DeadlineState::NotStarted, _) | (DeadlineState::Paused, _) => 3,
        (DeadlineState::Met, _) => 4,
        (DeadlineState::NotApplicable, _) => 5,
    };
    (rank, d.due_at)
}

/// The deadline that matters most now: the first that is not met and has a due time.
pub fn next_open(deadlines: &[Deadline]) -> Option<&Deadline> {
    deadlines
        .iter()
        .find(|d| matches!(d.state, DeadlineState::Due | DeadlineState::Overdue))
}
