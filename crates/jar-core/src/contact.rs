//! The key worker's contact log (domain.md section 6): every contact with the bereaved family.
//! Append-only: an amendment adds to an entry and the original stays visible.

use crate::text::{self, TextError, caps};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
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
    /// The modes a new contact is recorded with (issue 16 §1). Whether an interpreter was
    /// used is its own field, and whether the family was reached is the outcome, so
    /// `via_interpreter` and `attempted_no_answer` are kept only to read older records.
    pub const OFFERED: [ContactMode; 7] = [
        ContactMode::HomeVisit,
        ContactMode::FaceToFace,
        ContactMode::Phone,
        ContactMode::Video,
        ContactMode::Letter,
        ContactMode::Email,
        ContactMode::Text,
    ];
    /// Modes of older records, refused on new contacts.
    pub const LEGACY: [ContactMode; 2] =
        [ContactMode::ViaInterpreter, ContactMode::AttemptedNoAnswer];

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

/// Support as jarterm v1 recorded it (a fixed list, the CDR booklet among it). Kept to read
/// older records; new contacts record [`SupportGiven`] from the area's catalogue
/// ([`crate::support`]) and the leaflet apart ([`NewContact::cdr_leaflet_given`]).
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

    /// The catalogue id of the same service, so old and new records count together.
    pub fn service_id(self) -> Option<&'static str> {
        Some(match self {
            Support::LocalBereavementService => "local_bereavement_service",
            Support::LullabyTrust => "lullaby_trust",
            Support::ChildBereavementUk => "child_bereavement_uk",
            Support::SudcUk => "sudc_uk",
            Support::Sands => "sands",
            Support::CompassionateFriends => "compassionate_friends",
            Support::SuicideBereavementSupport => "sasp",
            Support::SiblingSupport => "child_bereavement_uk",
            Support::Gp => "gp",
            Support::CdrBookletGiven => return None,
        })
    }
}

/// What the family said to a service offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SupportResponse {
    /// Offered; the family has not said yet.
    Offered,
    Accepted,
    Declined,
}

impl SupportResponse {
    pub fn label(self) -> &'static str {
        match self {
            SupportResponse::Offered => "offered",
            SupportResponse::Accepted => "accepted",
            SupportResponse::Declined => "declined",
        }
    }
}

/// One service from the catalogue offered at a contact, and what came of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SupportGiven {
    /// The catalogue id (`GET /cases/{ref}/contacts` lists the case's catalogue).
    #[schema(schema_with = crate::text::schema::required_line)]
    pub service: String,
    /// The service's name when recorded, filled in by the server from the catalogue, so the
    /// record stays readable if the catalogue changes.
    #[serde(default)]
    #[schema(schema_with = crate::text::schema::line)]
    pub name: String,
    pub response: SupportResponse,
    /// The key worker referred the family (with their agreement) to the service.
    #[serde(default)]
    pub referral_made: bool,
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
    /// jarterm v1's fixed support list: read from older records, refused on new contacts
    /// (use `support` and `cdr_leaflet_given`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub support_offered: Vec<Support>,
    #[serde(default)]
    pub safeguarding_concern: bool,
    pub outcome: Outcome,
    /// The key worker's plan: this becomes the case's family-contact deadline.
    pub next_contact_due: Option<DateTime<Utc>>,
    /// An interpreter took part (whatever the mode).
    #[serde(default)]
    pub interpreter: bool,
    /// Services from the area's catalogue offered, accepted or declined, and referrals.
    #[serde(default)]
    pub support: Vec<SupportGiven>,
    /// The CDR parents' leaflet was given: recorded apart from support so that it does not
    /// count as support offered.
    #[serde(default)]
    pub cdr_leaflet_given: bool,
}

fn check_support(support: &[SupportGiven]) -> Result<(), TextError> {
    if support.len() > caps::LIST_ITEMS {
        return Err(TextError::TooMany {
            field: "support",
            cap: caps::LIST_ITEMS,
        });
    }
    let mut seen = BTreeSet::new();
    for s in support {
        text::check_line("support", &s.service, caps::SHORT)?;
        text::check("support", &s.name, caps::SHORT)?;
        if s.service.trim().is_empty() {
            return Err(TextError::Empty { field: "support" });
        }
        if !seen.insert(s.service.as_str()) {
            return Err(TextError::Invalid {
                field: "support",
                why: "names a service twice; record one response per service",
            });
        }
    }
    Ok(())
}

impl NewContact {
    pub fn validate(&self) -> Result<(), TextError> {
        text::check_required("summary", &self.summary, caps::SUMMARY)?;
        text::check_list("participants", &self.participants, caps::SHORT)?;
        text::check_list("family_questions", &self.family_questions, caps::NOTE)?;
        if ContactMode::LEGACY.contains(&self.mode) {
            return Err(TextError::Invalid {
                field: "mode",
                why: "is one jarterm no longer records: say whether an interpreter took part with `interpreter`, and whether the family was reached with `outcome`",
            });
        }
        if !self.support_offered.is_empty() {
            return Err(TextError::Invalid {
                field: "support_offered",
                why: "is read from older records only: record services in `support` and the CDR leaflet in `cdr_leaflet_given`",
            });
        }
        check_support(&self.support)
    }

    /// An interpreter took part (older records said so with the mode).
    pub fn used_interpreter(&self) -> bool {
        self.interpreter || self.mode == ContactMode::ViaInterpreter
    }

    /// The CDR parents' leaflet was given (older records listed it as support).
    pub fn leaflet_given(&self) -> bool {
        self.cdr_leaflet_given || self.support_offered.contains(&Support::CdrBookletGiven)
    }

    /// The family was reached (older records said "no answer" with the mode).
    pub fn reached(&self) -> bool {
        self.outcome != Outcome::NotReached && self.mode != ContactMode::AttemptedNoAnswer
    }

    /// Every service offered, old and new records alike, without the leaflet.
    pub fn all_support(&self) -> Vec<SupportGiven> {
        let mut out = self.support.clone();
        for s in &self.support_offered {
            if let Some(id) = s.service_id()
                && !out.iter().any(|g| g.service == id)
            {
                out.push(SupportGiven {
                    service: id.to_string(),
                    name: s.label().to_string(),
                    response: SupportResponse::Offered,
                    referral_made: false,
                });
            }
        }
        out
    }
}

/// What an amendment corrects in the structured fields (issue 16 §1); `None` leaves a field
/// as it was. The original entry stays stored and shown.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactCorrection {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occurred_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<Direction>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<ContactMode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interpreter: Option<bool>,
    /// One line each (checked by the server); null leaves them as they were.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub participants: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purpose: Option<ContactPurpose>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub support: Option<Vec<SupportGiven>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cdr_leaflet_given: Option<bool>,
    /// A new planned date for the next contact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_contact_due: Option<DateTime<Utc>>,
    /// No next contact is planned after all (clears `next_contact_due`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub no_next_contact: bool,
}

impl ContactCorrection {
    pub fn is_empty(&self) -> bool {
        *self == ContactCorrection::default()
    }

    pub fn validate(&self) -> Result<(), TextError> {
        if let Some(p) = &self.participants {
            text::check_list("correct.participants", p, caps::SHORT)?;
        }
        if let Some(s) = &self.support {
            check_support(s)?;
        }
        if self.mode.is_some_and(|m| ContactMode::LEGACY.contains(&m)) {
            return Err(TextError::Invalid {
                field: "correct.mode",
                why: "is one jarterm no longer records",
            });
        }
        if self.no_next_contact && self.next_contact_due.is_some() {
            return Err(TextError::Invalid {
                field: "correct.no_next_contact",
                why: "cannot be set with a new next_contact_due",
            });
        }
        Ok(())
    }

    /// Apply to an entry.
    pub fn apply(&self, e: &mut NewContact) {
        if let Some(v) = self.occurred_at {
            e.occurred_at = v;
        }
        if let Some(v) = self.direction {
            e.direction = v;
        }
        if let Some(v) = self.mode {
            e.mode = v;
        }
        if let Some(v) = self.interpreter {
            e.interpreter = v;
        }
        if let Some(v) = &self.participants {
            e.participants = v.clone();
        }
        if let Some(v) = self.purpose {
            e.purpose = v;
        }
        if let Some(v) = self.outcome {
            e.outcome = v;
        }
        if let Some(v) = &self.support {
            e.support = v.clone();
            // The corrected list replaces the old one, v1's list too.
            e.support_offered.retain(|s| *s == Support::CdrBookletGiven);
        }
        if let Some(v) = self.cdr_leaflet_given {
            e.cdr_leaflet_given = v;
            if !v {
                e.support_offered.retain(|s| *s != Support::CdrBookletGiven);
            }
        }
        if let Some(v) = self.next_contact_due {
            e.next_contact_due = Some(v);
        }
        if self.no_next_contact {
            e.next_contact_due = None;
        }
    }

    /// The fields it changes, in words, for the contact log ("mode, next contact due").
    pub fn fields(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        let mut add = |on: bool, w: &'static str| {
            if on {
                out.push(w);
            }
        };
        add(self.occurred_at.is_some(), "when");
        add(self.direction.is_some(), "direction");
        add(self.mode.is_some(), "mode");
        add(self.interpreter.is_some(), "interpreter");
        add(self.participants.is_some(), "who took part");
        add(self.purpose.is_some(), "purpose");
        add(self.outcome.is_some(), "outcome");
        add(self.support.is_some(), "support");
        add(self.cdr_leaflet_given.is_some(), "CDR leaflet");
        add(
            self.next_contact_due.is_some() || self.no_next_contact,
            "next contact due",
        );
        out
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

impl Contact {
    /// The entry as corrected by its amendments, in order: what deadlines and counts use.
    /// The stored `entry` is the original, always shown.
    pub fn effective(&self) -> NewContact {
        let mut e = self.entry.clone();
        for c in self.amendments.iter().filter_map(|a| a.correct.as_ref()) {
            c.apply(&mut e);
        }
        e
    }
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
    /// Corrections to the structured fields (mode, interpreter, outcome, support, next
    /// contact due...): the entry is read with them applied, the original kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correct: Option<ContactCorrection>,
}

impl NewAmendment {
    pub fn validate(&self) -> Result<(), TextError> {
        text::check_required("reason", &self.reason, caps::REASON)?;
        text::check_required("text", &self.text, caps::SUMMARY)?;
        if let Some(c) = &self.correct {
            c.validate()?;
        }
        Ok(())
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correct: Option<ContactCorrection>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn v1_record() -> NewContact {
        // As jarterm v1 stored it: the interpreter as a mode, the booklet among support.
        serde_json::from_value(serde_json::json!({
            "occurred_at": "2026-03-01T10:00:00Z",
            "direction": "outbound",
            "mode": "via_interpreter",
            "participants": ["mother"],
            "purpose": "initial_contact",
            "summary": "Synthetic v1 record",
            "support_offered": ["lullaby_trust", "cdr_booklet_given"],
            "outcome": "reached",
            "next_contact_due": null
        }))
        .expect("a v1 record still reads")
    }

    #[test]
    fn a_v1_record_reads_with_the_interpreter_the_leaflet_and_its_support_apart() {
        let e = v1_record();
        assert!(e.used_interpreter());
        assert!(e.leaflet_given());
        let support = e.all_support();
        assert_eq!(support.len(), 1, "the booklet is not support: {support:?}");
        assert_eq!(support[0].service, "lullaby_trust");
        // ...but a new contact may not be sent in v1's shape.
        assert!(matches!(
            e.validate(),
            Err(TextError::Invalid { field: "mode", .. })
        ));
    }

    #[test]
    fn corrections_apply_in_order_and_leave_the_original() {
        let at = Utc.with_ymd_and_hms(2026, 3, 1, 10, 0, 0).unwrap();
        let mut entry = v1_record();
        entry.mode = ContactMode::HomeVisit;
        entry.support_offered.clear();
        let amend = |id, correct| Amendment {
            id,
            at,
            by: "kw".into(),
            reason: "r".into(),
            text: "t".into(),
            correct: Some(correct),
        };
        let c = Contact {
            id: 1,
            recorded_at: at,
            author: "kw".into(),
            entry: entry.clone(),
            amendments: vec![
                amend(
                    1,
                    ContactCorrection {
                        outcome: Some(Outcome::NotReached),
                        next_contact_due: Some(at + chrono::Duration::days(2)),
                        ..Default::default()
                    },
                ),
                amend(
                    2,
                    ContactCorrection {
                        no_next_contact: true,
                        ..Default::default()
                    },
                ),
            ],
        };
        let now = c.effective();
        assert_eq!(now.outcome, Outcome::NotReached);
        assert_eq!(now.next_contact_due, None, "the later correction wins");
        assert_eq!(c.entry, entry, "the original is kept");
        assert_eq!(
            c.amendments[0].correct.as_ref().expect("c").fields(),
            vec!["outcome", "next contact due"]
        );
    }
}
