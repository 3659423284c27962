//! The JAR timeline: what happened, when, recorded by whom. Append-only: a mistake is put
//! right by a new event that points at the one it corrects.

use crate::case::Stage;
use crate::role::Agency;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use utoipa::ToSchema;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    DeathConfirmed,
    PoliceInformed,
    CoronerInformed,
    SocialCareInformed,
    DesignatedDoctorInformed,
    EdResponseCompleted,
    SamplesTaken,
    InformationSharingHeld,
    StrategyDiscussionHeld,
    HomeVisitDone,
    CdopNotified,
    GpAndSchoolInformed,
    PostMortemOrdered,
    PostMortemPreliminaryResults,
    PostPmDiscussionHeld,
    CdrmHeld,
    CdopReviewCompleted,
    KeyWorkerNamed,
    InformationSharingMeetingHeld,
    FinalPmReportReceived,
    NcmdNotified,
    OfstedDfeNotified,
    AbuseOrNeglectSuspected,
    CsprPanelNotified,
    RapidReviewCompleted,
    InquestOpened,
    InquestConcluded,
    CriminalProceedingsOpened,
    CriminalProceedingsConcluded,
    Note,
    Correction,
    /// Recorded by the server, never by a person (see [`EventKind::is_system`]): the identity
    /// record was added or corrected (never with its values; issue 15 §1).
    IdentityCorrected,
    /// Someone was assigned to the case (issue 15 §4).
    Assigned,
    /// The notification was made in error and withdrawn (issue 15 §3): the case leaves the
    /// board and stays in the audit trail.
    Withdrawn,
    /// A manager found this case to be the same death as another (issue 15 §3).
    ClosedAsDuplicate,
    /// Case facts corrected after notification (issue 14 §1): category, times, criteria; the
    /// note says "… corrected from … to …".
    FactsCorrected,
    /// The parallel flags corrected (criminal investigation, s47): investigative.
    FlagsCorrected,
}

impl EventKind {
    pub const ALL: [EventKind; 31] = [
        EventKind::DeathConfirmed,
        EventKind::PoliceInformed,
        EventKind::CoronerInformed,
        EventKind::SocialCareInformed,
        EventKind::DesignatedDoctorInformed,
        EventKind::EdResponseCompleted,
        EventKind::SamplesTaken,
        EventKind::InformationSharingHeld,
        EventKind::StrategyDiscussionHeld,
        EventKind::HomeVisitDone,
        EventKind::CdopNotified,
        EventKind::GpAndSchoolInformed,
        EventKind::PostMortemOrdered,
        EventKind::PostMortemPreliminaryResults,
        EventKind::PostPmDiscussionHeld,
        EventKind::CdrmHeld,
        EventKind::CdopReviewCompleted,
        EventKind::KeyWorkerNamed,
        EventKind::InformationSharingMeetingHeld,
        EventKind::FinalPmReportReceived,
        EventKind::NcmdNotified,
        EventKind::OfstedDfeNotified,
        EventKind::AbuseOrNeglectSuspected,
        EventKind::CsprPanelNotified,
        EventKind::RapidReviewCompleted,
        EventKind::InquestOpened,
        EventKind::InquestConcluded,
        EventKind::CriminalProceedingsOpened,
        EventKind::CriminalProceedingsConcluded,
        EventKind::Note,
        EventKind::Correction,
    ];

    pub fn label(self) -> &'static str {
        match self {
            EventKind::DeathConfirmed => "Death confirmed",
            EventKind::PoliceInformed => "Police informed",
            EventKind::CoronerInformed => "Coroner informed",
            EventKind::SocialCareInformed => "Social care informed",
            EventKind::DesignatedDoctorInformed => "Designated doctor informed",
            EventKind::EdResponseCompleted => "ED response completed",
            EventKind::SamplesTaken => "Samples taken",
            EventKind::InformationSharingHeld => "Information-sharing discussion held",
            EventKind::StrategyDiscussionHeld => "s47 strategy discussion held",
            EventKind::HomeVisitDone => "Joint home visit done",
            EventKind::CdopNotified => "CDOP notified",
            EventKind::GpAndSchoolInformed => "GP, HV and school informed",
            EventKind::PostMortemOrdered => "Post-mortem ordered",
            EventKind::PostMortemPreliminaryResults => "Preliminary PM results",
            EventKind::PostPmDiscussionHeld => "Post-PM discussion held",
            EventKind::CdrmHeld => "CDRM held",
            EventKind::CdopReviewCompleted => "CDOP review completed",
            EventKind::KeyWorkerNamed => "Key worker named",
            EventKind::InformationSharingMeetingHeld => {
                "Information-sharing and planning meeting held"
            }
            EventKind::FinalPmReportReceived => "Final PM report received",
            EventKind::NcmdNotified => "NCMD notified",
            EventKind::OfstedDfeNotified => "Ofsted and DfE notified (looked-after child)",
            EventKind::AbuseOrNeglectSuspected => "Abuse or neglect known or suspected",
            EventKind::CsprPanelNotified => "Safeguarding Practice Review Panel notified",
            EventKind::RapidReviewCompleted => "Rapid review completed",
            EventKind::InquestOpened => "Inquest opened",
            EventKind::InquestConcluded => "Inquest concluded",
            EventKind::CriminalProceedingsOpened => "Criminal proceedings opened",
            EventKind::CriminalProceedingsConcluded => "Criminal proceedings concluded",
            EventKind::Note => "Note",
            EventKind::Correction => "Correction",
            EventKind::IdentityCorrected => "Identity corrected",
            EventKind::Assigned => "Assigned",
            EventKind::Withdrawn => "Notification withdrawn",
            EventKind::ClosedAsDuplicate => "Closed as a duplicate",
            EventKind::FactsCorrected => "Case facts corrected",
            EventKind::FlagsCorrected => "Flags corrected",
        }
    }

    /// The stage a case enters once this milestone is recorded.
    pub fn opens_stage(self) -> Option<Stage> {
        match self {
            EventKind::DeathConfirmed => Some(Stage::EdResponse),
            EventKind::EdResponseCompleted => Some(Stage::InformationSharing),
            EventKind::InformationSharingHeld => Some(Stage::HomeVisit),
            EventKind::HomeVisitDone => Some(Stage::PostMortemPending),
            EventKind::PostMortemPreliminaryResults => Some(Stage::PostPmDiscussion),
            EventKind::PostPmDiscussionHeld => Some(Stage::Cdrm),
            EventKind::CdrmHeld => Some(Stage::CdopReview),
            EventKind::CdopReviewCompleted => Some(Stage::Closed),
            EventKind::Withdrawn | EventKind::ClosedAsDuplicate => Some(Stage::Closed),
            _ => None,
        }
    }

    /// The agencies whose people record this step (issue 14 §3: only the roles that own a
    /// step may record it; a social worker cannot log "samples taken", police cannot close a
    /// case). The CDR office (managers) may record any step, on behalf of an agency that does
    /// not sign in. A note is anyone's; a correction belongs to whoever may record what it
    /// corrects. Source: the JAR roles of the child death review statutory and operational
    /// guidance 2018 (who informs whom, who leads each meeting), as the domain brief sets them
    /// out (domain.md §2-4); local practice may differ and is a change to this table.
    pub fn owners(self) -> &'static [Agency] {
        use Agency::*;
        match self {
            EventKind::DeathConfirmed
            | EventKind::EdResponseCompleted
            | EventKind::SamplesTaken => &[Health],
            EventKind::PoliceInformed => &[Health, Police],
            EventKind::CoronerInformed => &[Health, Police, Coroner],
            EventKind::SocialCareInformed => &[Health, Police, SocialCare],
            // The mortuary path: police and the coroner's officer inform the designated doctor.
            EventKind::DesignatedDoctorInformed => &[Health, Police, CdrOffice],
            EventKind::InformationSharingHeld | EventKind::InformationSharingMeetingHeld => {
                &[Health, Police, SocialCare]
            }
            EventKind::StrategyDiscussionHeld => &[SocialCare, Police],
            EventKind::HomeVisitDone => &[Police, Health],
            EventKind::CdopNotified => &[Health, CdrOffice],
            EventKind::GpAndSchoolInformed => &[Health, CdrOffice, PrimaryCare, Education],
            EventKind::PostMortemOrdered | EventKind::PostMortemPreliminaryResults => {
                &[Coroner, Police, Health]
            }
            EventKind::FinalPmReportReceived => &[Coroner, Police, Health, CdrOffice],
            EventKind::PostPmDiscussionHeld => &[Health, Police, CdrOffice],
            EventKind::CdrmHeld => &[CdrOffice, Health],
            // Closing the case: the CDR office only (issue 14 §3).
            EventKind::CdopReviewCompleted | EventKind::NcmdNotified => &[CdrOffice],
            EventKind::KeyWorkerNamed => &[CdrOffice, KeyWorker, Health],
            EventKind::OfstedDfeNotified | EventKind::CsprPanelNotified => &[SocialCare],
            EventKind::AbuseOrNeglectSuspected | EventKind::RapidReviewCompleted => {
                &[Police, SocialCare, Health]
            }
            EventKind::InquestOpened | EventKind::InquestConcluded => &[Coroner, Police, CdrOffice],
            EventKind::CriminalProceedingsOpened | EventKind::CriminalProceedingsConcluded => {
                &[Police]
            }
            EventKind::Note | EventKind::Correction => &[
                Health,
                Police,
                SocialCare,
                KeyWorker,
                CdrOffice,
                Education,
                Ambulance,
                Coroner,
                PrimaryCare,
                PublicHealth,
            ],
            // Recorded by the server alone (`is_system`).
            EventKind::IdentityCorrected
            | EventKind::Assigned
            | EventKind::Withdrawn
            | EventKind::ClosedAsDuplicate
            | EventKind::FactsCorrected
            | EventKind::FlagsCorrected => &[],
        }
    }

    /// Whether recording this event closes the case (the stage it opens is Closed).
    pub fn closes_case(self) -> bool {
        self.opens_stage() == Some(Stage::Closed)
    }

    /// Events only the server records (they are not in [`EventKind::ALL`], which lists what a
    /// person may record, and `POST /timeline` refuses them).
    pub fn is_system(self) -> bool {
        matches!(
            self,
            EventKind::IdentityCorrected
                | EventKind::Assigned
                | EventKind::Withdrawn
                | EventKind::ClosedAsDuplicate
                | EventKind::FactsCorrected
                | EventKind::FlagsCorrected
        )
    }

    /// Events about the criminal or s47 track, which key workers never receive: telling a
    /// family-facing worker risks tipping off (domain.md section 10).
    /// The safeguarding-review events (abuse or neglect suspected, the Panel notification and
    /// the rapid review) and criminal proceedings are investigative too (issue 14).
    pub fn is_investigative(self) -> bool {
        matches!(
            self,
            EventKind::StrategyDiscussionHeld
                | EventKind::AbuseOrNeglectSuspected
                | EventKind::CsprPanelNotified
                | EventKind::RapidReviewCompleted
                | EventKind::CriminalProceedingsOpened
                | EventKind::CriminalProceedingsConcluded
                | EventKind::FlagsCorrected
        )
    }
}

/// One timeline entry as stored and sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TimelineEvent {
    pub id: i64,
    pub kind: EventKind,
    pub occurred_at: DateTime<Utc>,
    pub recorded_at: DateTime<Utc>,
    pub recorded_by: String,
    pub note: String,
    /// For corrections: the id of the event this one corrects (which then no longer counts).
    pub corrects: Option<i64>,
}

/// Events still in force: those not withdrawn by a later correction.
pub fn effective(events: &[TimelineEvent]) -> impl Iterator<Item = &TimelineEvent> {
    let withdrawn: HashSet<i64> = events.iter().filter_map(|e| e.corrects).collect();
    events
        .iter()
        .filter(move |e| !withdrawn.contains(&e.id) && e.kind != EventKind::Correction)
}

/// The stage a case has reached: the furthest stage opened by an effective milestone.
pub fn current_stage(events: &[TimelineEvent]) -> Stage {
    effective(events)
        .filter_map(|e| e.kind.opens_stage())
        .max()
        .unwrap_or(Stage::Reported)
}

/// When an event of `kind` first happened, ignoring corrected events.
pub fn first_of(events: &[TimelineEvent], kind: EventKind) -> Option<DateTime<Utc>> {
    effective(events)
        .filter(|e| e.kind == kind)
        .map(|e| e.occurred_at)
        .min()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn ev(id: i64, kind: EventKind, corrects: Option<i64>) -> TimelineEvent {
        let t = Utc.with_ymd_and_hms(2026, 3, 1, 2, 0, 0).unwrap();
        TimelineEvent {
            id,
            kind,
            occurred_at: t,
            recorded_at: t,
            recorded_by: "demo-paed".into(),
            note: String::new(),
            corrects,
        }
    }

    #[test]
    fn stage_advances_with_milestones_not_with_notes() {
        assert_eq!(current_stage(&[]), Stage::Reported);
        let events = vec![
            ev(1, EventKind::DeathConfirmed, None),
            ev(2, EventKind::Note, None),
        ];
        assert_eq!(current_stage(&events), Stage::EdResponse);
    }

    #[test]
    fn a_correction_withdraws_a_milestone_recorded_by_mistake() {
        let events = vec![
            ev(1, EventKind::DeathConfirmed, None),
            ev(2, EventKind::HomeVisitDone, None),
            ev(3, EventKind::Correction, Some(2)),
        ];
        assert_eq!(current_stage(&events), Stage::EdResponse);
        assert_eq!(first_of(&events, EventKind::HomeVisitDone), None);
    }
}
