//! The key worker's contact log (domain.md section 6): every contact with the bereaved family.
//! Append-only: an amendment adds to an entry and the original stays visible.

use crate::text::{self, TextError, caps};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::Schema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Outbound,
    Inbound,
}

impl Direction {
    pub const ALL: [Direction; 2] = [Direction::Outbound, Direction::Inbound];
    pub fn label(self) -> &'static str {
        match self {
            Direction::Outbound => "we contacted the family",
            Direction::Inbound => "the family contacted us",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ContactMode {
    Phone,
    HomeVisit,
    FaceToFace,
    Video,
    Letter,
    Email,
    Text,
    ViaInterpreter,
    AttemptedNoAnswer,
}

impl ContactMode {
    pub const ALL: [ContactMode; 9] = [
        ContactMode::Phone,
        ContactMode::HomeVisit,
        ContactMode::FaceToFace,
        ContactMode::Video,
        ContactMode::Letter,
        ContactMode::Email,
        ContactMode::Text,
        ContactMode::ViaInterpreter,
        ContactMode::AttemptedNoAnswer,
    ];
    pub fn label(self) -> &'static str {
        match self {
            ContactMode::Phone => "phone",
            ContactMode::HomeVisit => "home visit",
            ContactMode::FaceToFace => "face to face",
            ContactMode::Video => "video",
            ContactMode::Letter => "letter",
            ContactMode::Email => "email",
            ContactMode::Text => "text message",
            ContactMode::ViaInterpreter => "via interpreter",
            ContactMode::AttemptedNoAnswer => "attempted, no answer",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ContactPurpose {
    InitialContact,
    FuneralAndPmRelease,
    PmResults,
    Inquest,
    PreCdrmQuestions,
    PostCdrmFeedback,
    CdopOutcome,
    Other,
}

impl ContactPurpose {
    pub const ALL: [ContactPurpose; 8] = [
        ContactPurpose::InitialContact,
        ContactPurpose::FuneralAndPmRelease,
        ContactPurpose::PmResults,
        ContactPurpose::Inquest,
        ContactPurpose::PreCdrmQuestions,
        ContactPurpose::PostCdrmFeedback,
        ContactPurpose::CdopOutcome,
        ContactPurpose::Other,
    ];
    pub fn label(self) -> &'static str {
        match self {
            ContactPurpose::InitialContact => "initial contact",
            ContactPurpose::FuneralAndPmRelease => "funeral / PM release",
            ContactPurpose::PmResults => "PM results",
            ContactPurpose::Inquest => "inquest",
            ContactPurpose::PreCdrmQuestions => "questions for the CDRM",
            ContactPurpose::PostCdrmFeedback => "feedback after the CDRM",
            ContactPurpose::CdopOutcome => "CDOP outcome",
            ContactPurpose::Other => "other",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Support {
    LocalBereavementService,
    LullabyTrust,
    ChildBereavementUk,
    SudcUk,
    Sands,
    CompassionateFriends,
    SuicideBereavementSupport,
    SiblingSupport,
    Gp,
    CdrBookletGiven,
}

impl Support {
    pub const ALL: [Support; 10] = [
        Support::LocalBereavementService,
        Support::LullabyTrust,
        Support::ChildBereavementUk,
        Support::SudcUk,
        Support::Sands,
        Support::CompassionateFriends,
        Support::SuicideBereavementSupport,
        Support::SiblingSupport,
        Support::Gp,
        Support::CdrBookletGiven,
    ];
    pub fn label(self) -> &'static str {
        match self {
            Support::LocalBereavementService => "local bereavement service",
            Support::LullabyTrust => "The Lullaby Trust",
            Support::ChildBereavementUk => "Child Bereavement UK",
            Support::SudcUk => "SUDC UK",
            Support::Sands => "Sands",
            Support::CompassionateFriends => "The Compassionate Friends",
            Support::SuicideBereavementSupport => "suicide-bereavement support",
            Support::SiblingSupport => "sibling support",
            Support::Gp => "GP",
            Support::CdrBookletGiven => "CDR booklet / 'When a child dies' given",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Reached,
    NotReached,
    DeclinedFurtherContact,
}

impl Outcome {
    pub const ALL: [Outcome; 3] = [
        Outcome::Reached,
        Outcome::NotReached,
        Outcome::DeclinedFurtherContact,
    ];
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Reached => "reached",
            Outcome::NotReached => "not reached",
            Outcome::DeclinedFurtherContact => "declined further contact",
        }
    }
}

/// What a key worker submits for one contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewContact {
    pub occurred_at: DateTime<Utc>,
    pub direction: Direction,
    pub mode: ContactMode,
    /// Who was present, by relationship or role: "mother", "father", "interpreter".
    #[schema(schema_with = crate::text::schema::lines)]
    pub participants: Vec<String>,
    pub purpose: ContactPurpose,
    #[schema(schema_with = crate::text::schema::required_summary)]
    pub summary: String,
    #[serde(default)]
    #[schema(schema_with = crate::text::schema::long_lines)]
    pub family_questions: Vec<String>,
    #[serde(default)]
    pub support_offered: Vec<Support>,
    #[serde(default)]
    pub safeguarding_concern: bool,
    pub outcome: Outcome,
    pub next_contact_due: Option<DateTime<Utc>>,
}

impl NewContact {
    pub fn validate(&self) -> Result<(), TextError> {
        text::check_required("summary", &self.summary, caps::SUMMARY)?;
        text::check_list("participants", &self.participants, caps::SHORT)?;
        text::check_list("family_questions", &self.family_questions, caps::NOTE)
    }
}

/// A stored contact with its amendments, oldest first. On the wire the entry's fields sit beside
/// `id`, `recorded_at`, `author` and `amendments` (flattened), so its schema is written out below:
/// `allOf` with the closed `NewContact` schema could never match a real contact (issue 13, §3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub id: i64,
    pub recorded_at: DateTime<Utc>,
    pub author: String,
    #[serde(flatten)]
    pub entry: NewContact,
    pub amendments: Vec<Amendment>,
}

impl utoipa::PartialSchema for Contact {
    fn schema() -> RefOr<Schema> {
        use utoipa::openapi::schema::{
            ArrayBuilder, KnownFormat, ObjectBuilder, SchemaFormat, Type,
        };
        let RefOr::T(Schema::Object(mut entry)) = <NewContact as utoipa::PartialSchema>::schema()
        else {
            unreachable!("NewContact derives an object schema")
        };
        entry.description = Some("A stored contact with its amendments, oldest first.".into());
        let extra: [(&str, RefOr<Schema>); 4] = [
            (
                "id",
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
                    .into(),
            ),
            (
                "recorded_at",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
                    .into(),
            ),
            (
                "author",
                ObjectBuilder::new().schema_type(Type::String).into(),
            ),
            (
                "amendments",
                ArrayBuilder::new()
                    .items(RefOr::Ref(utoipa::openapi::Ref::from_schema_name(
                        "Amendment",
                    )))
                    .into(),
            ),
        ];
        for (name, schema) in extra {
            entry.properties.insert(name.to_string(), schema);
            entry.required.push(name.to_string());
        }
        RefOr::T(Schema::Object(entry))
    }
}

impl ToSchema for Contact {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        <NewContact as ToSchema>::schemas(schemas);
        schemas.push((
            "Amendment".into(),
            <Amendment as utoipa::PartialSchema>::schema(),
        ));
        <Amendment as ToSchema>::schemas(schemas);
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAmendment {
    /// Why the entry is amended ("wrong date", "family asked to add").
    #[schema(schema_with = crate::text::schema::required_reason)]
    pub reason: String,
    /// The added or corrected text; the original entry stays as it was.
    #[schema(schema_with = crate::text::schema::required_summary)]
    pub text: String,
}

impl NewAmendment {
    pub fn validate(&self) -> Result<(), TextError> {
        text::check_required("reason", &self.reason, caps::REASON)?;
        text::check_required("text", &self.text, caps::SUMMARY)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Amendment {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub by: String,
    pub reason: String,
    pub text: String,
}
