//! A case: one child's unexpected death and the Joint Agency Response to it.
//!
//! A case never carries the child's name. Identifying details live in [`Identity`], a separate
//! resource fetched only on an explicit, audited reveal.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Reference shown everywhere instead of a name, e.g. `JAR-2026-0042`.
pub type CaseRef = String;

/// Build the reference for the `seq`-th case notified in `year`.
pub fn case_ref(year: i32, seq: u32) -> CaseRef {
    format!("JAR-{year}-{seq:04}")
}

/// True when `s` has the shape of a case reference (used to reject junk in paths early).
pub fn is_case_ref(s: &str) -> bool {
    let mut parts = s.split('-');
    matches!(
        (parts.next(), parts.next(), parts.next(), parts.next()),
        (Some("JAR"), Some(y), Some(n), None)
            if y.len() == 4 && y.chars().all(|c| c.is_ascii_digit())
                && (4..=6).contains(&n.len()) && n.chars().all(|c| c.is_ascii_digit())
    )
}

/// The stages of a JAR, in order (domain.md section 4). A case moves forward only when a
/// milestone event is recorded on its timeline (see `timeline::EventKind::opens_stage`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Reported,
    EdResponse,
    InformationSharing,
    HomeVisit,
    PostMortemPending,
    PostPmDiscussion,
    Cdrm,
    CdopReview,
    Closed,
}

impl Stage {
    pub const ALL: [Stage; 9] = [
        Stage::Reported,
        Stage::EdResponse,
        Stage::InformationSharing,
        Stage::HomeVisit,
        Stage::PostMortemPending,
        Stage::PostPmDiscussion,
        Stage::Cdrm,
        Stage::CdopReview,
        Stage::Closed,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Stage::Reported => "Reported",
            Stage::EdResponse => "ED response",
            Stage::InformationSharing => "Info sharing",
            Stage::HomeVisit => "Home visit",
            Stage::PostMortemPending => "Post-mortem",
            Stage::PostPmDiscussion => "Post-PM disc.",
            Stage::Cdrm => "CDRM",
            Stage::CdopReview => "CDOP review",
            Stage::Closed => "Closed",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Reported => "reported",
            Stage::EdResponse => "ed_response",
            Stage::InformationSharing => "information_sharing",
            Stage::HomeVisit => "home_visit",
            Stage::PostMortemPending => "post_mortem_pending",
            Stage::PostPmDiscussion => "post_pm_discussion",
            Stage::Cdrm => "cdrm",
            Stage::CdopReview => "cdop_review",
            Stage::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|st| st.as_str() == s)
    }

    pub fn is_active(self) -> bool {
        self != Stage::Closed
    }
}

/// Why a JAR was started (domain.md section 3). More than one may apply.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum JarCriterion {
    ExternalCause,
    SuddenNoApparentCause,
    CustodyOrMentalHealthDetention,
    SuspiciousCircumstances,
    UnattendedStillbirth,
    Unclear,
}

impl JarCriterion {
    pub const ALL: [JarCriterion; 6] = [
        JarCriterion::ExternalCause,
        JarCriterion::SuddenNoApparentCause,
        JarCriterion::CustodyOrMentalHealthDetention,
        JarCriterion::SuspiciousCircumstances,
        JarCriterion::UnattendedStillbirth,
        JarCriterion::Unclear,
    ];

    pub fn label(self) -> &'static str {
        match self {
            JarCriterion::ExternalCause => "external cause",
            JarCriterion::SuddenNoApparentCause => "sudden, no apparent cause",
            JarCriterion::CustodyOrMentalHealthDetention => "custody or MHA detention",
            JarCriterion::SuspiciousCircumstances => "suspicious circumstances",
            JarCriterion::UnattendedStillbirth => "unattended stillbirth",
            JarCriterion::Unclear => "unclear whether unexpected",
        }
    }
}

/// The criteria that triggered the JAR, with who decided, when and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CriteriaDecision {
    pub criteria: Vec<JarCriterion>,
    pub decided_by: String,
    pub decided_at: DateTime<Utc>,
    #[serde(default)]
    pub rationale: String,
}

/// How the death presented; drives which checklist applies.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum PresentingCategory {
    Sudi,
    Sudic,
    Asthma,
    SuspectedSuicide,
    Trauma,
    Other,
}

impl PresentingCategory {
    pub const ALL: [PresentingCategory; 6] = [
        PresentingCategory::Sudi,
        PresentingCategory::Sudic,
        PresentingCategory::Asthma,
        PresentingCategory::SuspectedSuicide,
        PresentingCategory::Trauma,
        PresentingCategory::Other,
    ];

    pub fn label(self) -> &'static str {
        match self {
            PresentingCategory::Sudi => "SUDI",
            PresentingCategory::Sudic => "SUDIC",
            PresentingCategory::Asthma => "Asthma",
            PresentingCategory::SuspectedSuicide => "Suicide",
            PresentingCategory::Trauma => "Trauma",
            PresentingCategory::Other => "Other",
        }
    }

    /// Every checklist a case with this presentation starts with: the core JAR response for
    /// every death, then the category supplement (issue 14, section 3). A neonatal death or
    /// a sudden unexpected postnatal collapse adds the `neonatal` supplement by hand.
    pub fn templates(self) -> Vec<&'static str> {
        let supplement = match self {
            PresentingCategory::Sudi | PresentingCategory::Sudic => Some("sudi"),
            PresentingCategory::Asthma => Some("asthma"),
            PresentingCategory::SuspectedSuicide => Some("suicide"),
            PresentingCategory::Trauma => Some("trauma"),
            PresentingCategory::Other => None,
        };
        std::iter::once("core").chain(supplement).collect()
    }

    /// The checklist template this presentation usually needs, if any (v1: the server starts
    /// only this one until it starts every one in [`Self::templates`]).
    pub fn default_template(self) -> Option<&'static str> {
        match self {
            PresentingCategory::Sudi | PresentingCategory::Sudic => Some("sudi"),
            PresentingCategory::Asthma => Some("asthma"),
            PresentingCategory::SuspectedSuicide => Some("suicide"),
            PresentingCategory::Trauma | PresentingCategory::Other => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Female,
    Male,
    Indeterminate,
    NotKnown,
}

impl Sex {
    pub fn label(self) -> &'static str {
        match self {
            Sex::Female => "female",
            Sex::Male => "male",
            Sex::Indeterminate => "indeterminate",
            Sex::NotKnown => "not known",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlaceOfDeath {
    Home,
    Hospital,
    PublicPlace,
    Other,
}

impl PlaceOfDeath {
    pub fn label(self) -> &'static str {
        match self {
            PlaceOfDeath::Home => "home",
            PlaceOfDeath::Hospital => "hospital",
            PlaceOfDeath::PublicPlace => "public place",
            PlaceOfDeath::Other => "other",
        }
    }
}

/// Age in whole months, shown as a band ("4 months", "3 years"); never a date of birth.
pub fn age_label(months: u16) -> String {
    match months {
        0 => "under 1 month".to_string(),
        1 => "1 month".to_string(),
        m if m < 24 => format!("{m} months"),
        m => format!("{} years", m / 12),
    }
}

/// The key times of a death. All UTC. `notified_at` is when the JAR was notified in jarterm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseTimes {
    pub last_seen_at: Option<DateTime<Utc>>,
    pub found_at: Option<DateTime<Utc>>,
    pub death_confirmed_at: Option<DateTime<Utc>>,
    pub notified_at: DateTime<Utc>,
}

impl CaseTimes {
    /// The best-known time of death for clinical windows: confirmed, else found, else notified.
    pub fn death_anchor(&self) -> DateTime<Utc> {
        self.death_confirmed_at
            .or(self.found_at)
            .unwrap_or(self.notified_at)
    }
}

/// The people assigned to a case, by username.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Assignments {
    #[schema(schema_with = crate::text::schema::line_or_null)]
    pub lead_paediatrician: Option<String>,
    #[schema(schema_with = crate::text::schema::line_or_null)]
    pub police_lead: Option<String>,
    #[schema(schema_with = crate::text::schema::line_or_null)]
    pub social_worker: Option<String>,
    #[schema(schema_with = crate::text::schema::line_or_null)]
    pub key_worker: Option<String>,
}

impl Assignments {
    pub fn includes(&self, username: &str) -> bool {
        [
            &self.lead_paediatrician,
            &self.police_lead,
            &self.social_worker,
            &self.key_worker,
        ]
        .into_iter()
        .any(|p| p.as_deref() == Some(username))
    }
}

/// Parallel processes that change what family-facing staff may see (domain.md section 4).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Flags {
    pub criminal_investigation: bool,
    pub s47_strategy: bool,
    pub cspr_notified: bool,
    /// The child was looked after by a local authority: Ofsted and the DfE must be notified
    /// (deadline `ofsted_dfe_notified`).
    #[serde(default)]
    pub looked_after: bool,
}

/// A case as stored. What a given person receives is filtered by `permissions::redact_case`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Case {
    pub reference: CaseRef,
    pub area: String,
    pub age_months: u16,
    pub sex: Sex,
    pub place_of_death: PlaceOfDeath,
    pub category: PresentingCategory,
    pub times: CaseTimes,
    pub criteria: CriteriaDecision,
    pub stage: Stage,
    pub people: Assignments,
    /// `None` when redacted for the reader (key workers never receive it).
    pub flags: Option<Flags>,
    /// Criminal-investigation detail. Police, paediatricians, social care and managers only.
    pub investigation_note: Option<String>,
    pub notified_by: String,
    pub version: i64,
    /// Deadlines marked not applicable for this case, each with its reason (issue 14 §2;
    /// `PUT /cases/{ref}/deadlines/{rule}/not-applicable`). Reversible; both ways audited.
    #[serde(default)]
    pub not_applicable: Vec<crate::deadline::NotApplicable>,
}

/// Identifying details: fetched only through an audited reveal with a reason. Aligned with the
/// NCMD notification dataset (clinical-model.md appendix §2; rules in `crate::identity`).
/// Every field is optional: a notification is made within the hour with what is known, and
/// the record is added to or corrected later (`PUT /cases/{ref}/identity`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Identity {
    /// The child's name as first given (kept for records made before the name was split).
    #[serde(default)]
    #[schema(schema_with = crate::text::schema::line)]
    pub child_name: String,
    #[serde(default)]
    #[schema(schema_with = crate::text::schema::line)]
    pub family_name: String,
    #[serde(default)]
    #[schema(schema_with = crate::text::schema::line)]
    pub given_names: String,
    /// Other names the child was known by.
    #[serde(default)]
    #[schema(schema_with = crate::text::schema::lines)]
    pub other_names: Vec<String>,
    /// 10 digits with the modulus-11 check digit, or empty with an absent reason.
    #[serde(default)]
    #[schema(schema_with = crate::text::schema::nhs_number)]
    pub nhs_number: String,
    #[serde(default)]
    pub nhs_number_absent_reason: Option<crate::identity::NhsAbsentReason>,
    #[serde(default)]
    pub date_of_birth: Option<chrono::NaiveDate>,
    #[serde(default)]
    pub sex: Option<Sex>,
    #[serde(default)]
    pub ethnicity: Option<crate::identity::Ethnicity>,
    /// Address of residence.
    #[serde(default)]
    #[schema(schema_with = crate::text::schema::reason_text)]
    pub address: String,
    #[serde(default)]
    #[schema(schema_with = crate::text::schema::postcode)]
    pub postcode: String,
    /// Local authority of residence: not the case's area, which is where the child died.
    #[serde(default)]
    #[schema(schema_with = crate::text::schema::line)]
    pub local_authority: String,
    #[serde(default)]
    #[schema(schema_with = crate::text::schema::line)]
    pub gp_practice: String,
    /// School or nursery.
    #[serde(default)]
    #[schema(schema_with = crate::text::schema::line)]
    pub school: String,
    /// Parents and people with parental responsibility, with their contact details.
    #[serde(default)]
    #[schema(max_items = 50)]
    pub family: Vec<FamilyMember>,
    /// Other children in the household: first names and ages only.
    #[serde(default)]
    #[schema(max_items = 50)]
    pub other_children: Vec<crate::identity::OtherChild>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FamilyMember {
    #[schema(schema_with = crate::text::schema::line)]
    pub relationship: String,
    #[schema(schema_with = crate::text::schema::line)]
    pub name: String,
    #[schema(schema_with = crate::text::schema::line)]
    pub phone: String,
    #[serde(default)]
    #[schema(schema_with = crate::text::schema::reason_text)]
    pub preferences: String,
    /// Preferred language.
    #[serde(default)]
    #[schema(schema_with = crate::text::schema::line)]
    pub language: String,
    /// Whether an interpreter is needed, if known.
    #[serde(default)]
    pub interpreter_needed: Option<bool>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_have_a_fixed_shape() {
        assert_eq!(case_ref(2026, 42), "JAR-2026-0042");
        assert!(is_case_ref("JAR-2026-0042"));
        assert!(is_case_ref("JAR-2026-100000"));
        assert!(!is_case_ref("JAR-2026-42"));
        assert!(!is_case_ref("../etc/passwd"));
    }

    #[test]
    fn stages_are_ordered_as_the_process_runs() {
        let mut sorted = Stage::ALL.to_vec();
        sorted.sort();
        assert_eq!(sorted, Stage::ALL.to_vec());
        assert_eq!(Stage::parse("home_visit"), Some(Stage::HomeVisit));
    }

    #[test]
    fn ages_read_as_bands() {
        assert_eq!(age_label(4), "4 months");
        assert_eq!(age_label(40), "3 years");
    }
}
