//! The months after the JAR (issue 16 §4): the post-mortem, the inquest, criminal
//! proceedings, and the child death review meeting (CDRM) with feedback to the family.
//!
//! The track is one record per case. Its times that the deadline rules count from are also
//! timeline events (see [`milestone_changes`]): the server appends "Preliminary PM results",
//! "Final PM report received", "Inquest opened/concluded", "Criminal proceedings
//! opened/concluded" and "CDRM held" when they are recorded here, and corrects them when a
//! time is changed, so that [`crate::deadline`] has one source (the timeline) and the
//! timeline shows who recorded what:
//!
//! - post-PM discussion counts from the preliminary results;
//! - the CDRM waits for the final report and pauses while an inquest or criminal
//!   proceedings are open.
//!
//! Sources: Child Death Review Statutory and Operational Guidance (England) 2018 (the CDRM,
//! feedback to the family by the key worker); the Human Tissue Authority's Code of Practice B
//! (post-mortem examination: the family's choice for retained tissue); Coroners and Justice
//! Act 2009 (inquests, adjourned while criminal proceedings run: Schedule 1).

use crate::role::Agency;
use crate::text::{self, TextError, caps};
use crate::timeline::EventKind;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PostMortemKind {
    /// Ordered by the coroner (the usual case after an unexpected death).
    Coronial,
    /// A forensic (Home Office) post-mortem, when a crime is suspected.
    Forensic,
    /// No post-mortem (e.g. the coroner was satisfied without one).
    None,
}

/// What the family decided for tissue kept after the post-mortem (HTA Code of Practice B: the
/// family is asked whether retained tissue is returned to them, kept for research or teaching
/// with consent, or disposed of respectfully by the hospital).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TissueDecision {
    ReturnToFamily,
    KeepForResearchOrTeaching,
    DisposalByHospital,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct PostMortem {
    pub kind: Option<PostMortemKind>,
    /// When the examination took place.
    pub examined_at: Option<DateTime<Utc>>,
    pub preliminary_results_at: Option<DateTime<Utc>>,
    pub final_report_at: Option<DateTime<Utc>>,
    pub tissue_retained: Option<bool>,
    pub tissue_decision: Option<TissueDecision>,
    pub body_released_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Inquest {
    pub opened_at: Option<DateTime<Utc>>,
    pub adjourned_at: Option<DateTime<Utc>>,
    pub concluded_at: Option<DateTime<Utc>>,
    /// The coroner's conclusion, in words.
    #[schema(schema_with = crate::text::schema::reason_text)]
    pub outcome: String,
}

/// Criminal proceedings: investigative detail (tipping off), so only roles that may read
/// criminal detail receive or write it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Proceedings {
    pub opened_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Cdrm {
    /// The date the meeting is set for.
    pub date: Option<DateTime<Utc>>,
    /// The agencies invited.
    pub invitees: Vec<Agency>,
    pub held_at: Option<DateTime<Utc>>,
    /// The meeting's summary of why the child died.
    #[schema(schema_with = crate::text::schema::note)]
    pub summary: String,
    /// Whether the meeting found modifiable factors (the analysis form's question).
    pub modifiable_factors: Option<bool>,
}

/// Feedback to the family after the meeting, usually by the key worker.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Feedback {
    pub at: Option<DateTime<Utc>>,
    /// Who gave it (a name or role).
    #[schema(schema_with = crate::text::schema::line)]
    pub by: String,
}

/// The whole track of one case.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ReviewTrack {
    pub post_mortem: PostMortem,
    pub inquest: Inquest,
    pub proceedings: Proceedings,
    pub cdrm: Cdrm,
    pub feedback: Feedback,
}

/// A change to the track (`PATCH`): each part sent replaces that part whole; parts left out
/// stay as they are (so a role that does not receive a part cannot clear it by omission).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ReviewPatch {
    pub post_mortem: Option<PostMortem>,
    pub inquest: Option<Inquest>,
    pub proceedings: Option<Proceedings>,
    pub cdrm: Option<Cdrm>,
    pub feedback: Option<Feedback>,
}

impl ReviewPatch {
    /// The track after this patch.
    pub fn apply(self, old: &ReviewTrack) -> ReviewTrack {
        ReviewTrack {
            post_mortem: self.post_mortem.unwrap_or_else(|| old.post_mortem.clone()),
            inquest: self.inquest.unwrap_or_else(|| old.inquest.clone()),
            proceedings: self.proceedings.unwrap_or_else(|| old.proceedings.clone()),
            cdrm: self.cdrm.unwrap_or_else(|| old.cdrm.clone()),
            feedback: self.feedback.unwrap_or_else(|| old.feedback.clone()),
        }
    }

    /// Text rules of the parts sent (the order of steps is checked on the result).
    pub fn validate(&self) -> Result<(), TextError> {
        self.clone().apply(&ReviewTrack::default()).text_rules()
    }
}

/// The parts of the track, each written by its own roles
/// ([`crate::permissions::may_write_review_section`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    PostMortem,
    Inquest,
    Proceedings,
    Cdrm,
    Feedback,
}

impl Section {
    pub fn as_str(self) -> &'static str {
        match self {
            Section::PostMortem => "post_mortem",
            Section::Inquest => "inquest",
            Section::Proceedings => "proceedings",
            Section::Cdrm => "cdrm",
            Section::Feedback => "feedback",
        }
    }
}

/// Which parts differ between two versions of the track.
pub fn changed_sections(old: &ReviewTrack, new: &ReviewTrack) -> Vec<Section> {
    let mut out = Vec::new();
    if old.post_mortem != new.post_mortem {
        out.push(Section::PostMortem);
    }
    if old.inquest != new.inquest {
        out.push(Section::Inquest);
    }
    if old.proceedings != new.proceedings {
        out.push(Section::Proceedings);
    }
    if old.cdrm != new.cdrm {
        out.push(Section::Cdrm);
    }
    if old.feedback != new.feedback {
        out.push(Section::Feedback);
    }
    out
}

/// The times on the track that are timeline milestones, with their event kinds.
pub fn milestones(track: &ReviewTrack) -> [(EventKind, Option<DateTime<Utc>>); 7] {
    use EventKind as E;
    [
        (
            E::PostMortemPreliminaryResults,
            track.post_mortem.preliminary_results_at,
        ),
        (E::FinalPmReportReceived, track.post_mortem.final_report_at),
        (E::InquestOpened, track.inquest.opened_at),
        (E::InquestConcluded, track.inquest.concluded_at),
        (E::CriminalProceedingsOpened, track.proceedings.opened_at),
        (E::CriminalProceedingsConcluded, track.proceedings.closed_at),
        (E::CdrmHeld, track.cdrm.held_at),
    ]
}

/// A milestone whose time changed: `from` (an event to correct) and `to` (an event to add).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MilestoneChange {
    pub kind: EventKind,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

pub fn milestone_changes(old: &ReviewTrack, new: &ReviewTrack) -> Vec<MilestoneChange> {
    milestones(old)
        .into_iter()
        .zip(milestones(new))
        .filter(|((_, a), (_, b))| a != b)
        .map(|((kind, from), (_, to))| MilestoneChange { kind, from, to })
        .collect()
}

fn order(
    field: &'static str,
    earlier: Option<DateTime<Utc>>,
    later: Option<DateTime<Utc>>,
) -> Result<(), TextError> {
    match (earlier, later) {
        (Some(a), Some(b)) if b < a => Err(TextError::Invalid {
            field,
            why: "is before the step it follows",
        }),
        (None, Some(_)) => Err(TextError::Invalid {
            field,
            why: "needs the step it follows recorded first",
        }),
        _ => Ok(()),
    }
}

impl ReviewTrack {
    /// Text rules and the order of steps (a report before its results, a conclusion before
    /// the opening, feedback without who gave it are refused, naming the field).
    pub fn validate(&self) -> Result<(), TextError> {
        self.text_rules()?;
        let pm = &self.post_mortem;
        // A final report may come with no preliminary results recorded here: order only.
        if let (Some(a), Some(b)) = (pm.preliminary_results_at, pm.final_report_at)
            && b < a
        {
            return Err(TextError::Invalid {
                field: "post_mortem.final_report_at",
                why: "is before the preliminary results",
            });
        }
        if pm.kind == Some(PostMortemKind::None)
            && (pm.examined_at.is_some() || pm.preliminary_results_at.is_some())
        {
            return Err(TextError::Invalid {
                field: "post_mortem.kind",
                why: "is none but an examination or its results are recorded",
            });
        }
        if pm.tissue_decision.is_some() && pm.tissue_retained != Some(true) {
            return Err(TextError::Invalid {
                field: "post_mortem.tissue_decision",
                why: "needs tissue_retained to be true",
            });
        }
        let inq = &self.inquest;
        order("inquest.adjourned_at", inq.opened_at, inq.adjourned_at)?;
        order("inquest.concluded_at", inq.opened_at, inq.concluded_at)?;
        let pr = &self.proceedings;
        order("proceedings.closed_at", pr.opened_at, pr.closed_at)?;
        order("feedback.at", self.cdrm.held_at, self.feedback.at)?;
        if self.feedback.at.is_some() && self.feedback.by.trim().is_empty() {
            return Err(TextError::Empty {
                field: "feedback.by",
            });
        }
        Ok(())
    }

    fn text_rules(&self) -> Result<(), TextError> {
        text::check("inquest.outcome", &self.inquest.outcome, caps::REASON)?;
        text::check("cdrm.summary", &self.cdrm.summary, caps::NOTE)?;
        if self.cdrm.invitees.len() > caps::LIST_ITEMS {
            return Err(TextError::TooMany {
                field: "cdrm.invitees",
                cap: caps::LIST_ITEMS,
            });
        }
        text::check_line("feedback.by", &self.feedback.by, caps::SHORT)
    }

    /// Every time on the track with the field name the API uses, for plausibility (each
    /// happened: not in the future). The meeting's date may be in the future.
    pub fn happened_times(&self) -> Vec<(&'static str, DateTime<Utc>)> {
        let pm = &self.post_mortem;
        [
            ("post_mortem.examined_at", pm.examined_at),
            (
                "post_mortem.preliminary_results_at",
                pm.preliminary_results_at,
            ),
            ("post_mortem.final_report_at", pm.final_report_at),
            ("post_mortem.body_released_at", pm.body_released_at),
            ("inquest.opened_at", self.inquest.opened_at),
            ("inquest.adjourned_at", self.inquest.adjourned_at),
            ("inquest.concluded_at", self.inquest.concluded_at),
            ("proceedings.opened_at", self.proceedings.opened_at),
            ("proceedings.closed_at", self.proceedings.closed_at),
            ("cdrm.held_at", self.cdrm.held_at),
            ("feedback.at", self.feedback.at),
        ]
        .into_iter()
        .filter_map(|(f, t)| t.map(|t| (f, t)))
        .collect()
    }

    /// An inquest or criminal proceedings open now (the CDRM clock is paused).
    pub fn proceedings_open(&self) -> bool {
        (self.inquest.opened_at.is_some() && self.inquest.concluded_at.is_none())
            || (self.proceedings.opened_at.is_some() && self.proceedings.closed_at.is_none())
    }
}

/// Why a case may not be closed ("CDOP review completed") yet, or `None` if it may: a case
/// closes only after the family has been given feedback from the review, or with a reason
/// for closing without it (issue 16 §4; the statutory guidance 2018 expects the key worker to
/// tell the family the outcome of the review). `reason` is the closing event's note.
pub fn close_refusal(track: &ReviewTrack, reason: &str) -> Option<&'static str> {
    if track.feedback.at.is_some() || !reason.trim().is_empty() {
        None
    } else {
        Some(
            "the family has not been given feedback from the review: record it on the review \
             track, or give the reason for closing without it in `note`",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn t(h: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, 10, 0, 0).unwrap() + Duration::hours(h)
    }

    #[test]
    fn a_changed_milestone_time_is_corrected_and_a_new_one_added() {
        let old = ReviewTrack::default();
        let mut new = old.clone();
        new.post_mortem.examined_at = Some(t(1));
        new.post_mortem.preliminary_results_at = Some(t(2));
        let changes = milestone_changes(&old, &new);
        assert_eq!(
            changes,
            vec![MilestoneChange {
                kind: EventKind::PostMortemPreliminaryResults,
                from: None,
                to: Some(t(2)),
            }]
        );
        let mut later = new.clone();
        later.post_mortem.preliminary_results_at = Some(t(3));
        assert_eq!(milestone_changes(&new, &later)[0].from, Some(t(2)));
    }

    #[test]
    fn steps_out_of_order_are_refused_naming_the_field() {
        let mut track = ReviewTrack::default();
        track.inquest.concluded_at = Some(t(1));
        assert_eq!(
            track.validate(),
            Err(TextError::Invalid {
                field: "inquest.concluded_at",
                why: "needs the step it follows recorded first",
            })
        );
        track.inquest.opened_at = Some(t(2));
        assert!(track.validate().is_err());
        track.inquest.opened_at = Some(t(0));
        assert_eq!(track.validate(), Ok(()));
        track.feedback.at = Some(t(5));
        assert!(track.validate().is_err(), "feedback before the meeting");
        track.cdrm.held_at = Some(t(4));
        assert_eq!(
            track.validate(),
            Err(TextError::Empty {
                field: "feedback.by"
            })
        );
    }

    #[test]
    fn a_case_closes_after_feedback_or_with_a_reason() {
        let mut track = ReviewTrack::default();
        assert!(close_refusal(&track, " ").is_some());
        assert!(close_refusal(&track, "family moved abroad, no contact").is_none());
        track.feedback.at = Some(t(1));
        assert!(close_refusal(&track, "").is_none());
    }
}
