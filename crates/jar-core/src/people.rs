//! Who is on the case (issue 15 §4): assignments by role, key-worker cover, and the
//! notification's withdrawal and duplicate link (issue 15 §3).

use crate::case::{Assignments, CaseRef};
use crate::role::Role;
use crate::text::{self, TextError, caps};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A place on a case that a person is assigned to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Slot {
    LeadPaediatrician,
    PoliceContact,
    SocialWorker,
    KeyWorker,
}

impl Slot {
    pub const ALL: [Slot; 4] = [
        Slot::LeadPaediatrician,
        Slot::PoliceContact,
        Slot::SocialWorker,
        Slot::KeyWorker,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Slot::LeadPaediatrician => "lead paediatrician",
            Slot::PoliceContact => "police contact",
            Slot::SocialWorker => "social worker",
            Slot::KeyWorker => "key worker",
        }
    }

    /// The role a person needs to fill this place.
    pub fn role(self) -> Role {
        match self {
            Slot::LeadPaediatrician => Role::Paediatrician,
            Slot::PoliceContact => Role::Police,
            Slot::SocialWorker => Role::SocialWorker,
            Slot::KeyWorker => Role::KeyWorker,
        }
    }

    /// The place in a case's assignments.
    pub fn get(self, people: &Assignments) -> Option<&str> {
        match self {
            Slot::LeadPaediatrician => people.lead_paediatrician.as_deref(),
            Slot::PoliceContact => people.police_lead.as_deref(),
            Slot::SocialWorker => people.social_worker.as_deref(),
            Slot::KeyWorker => people.key_worker.as_deref(),
        }
    }

    pub fn set(self, people: &mut Assignments, who: Option<String>) {
        let place = match self {
            Slot::LeadPaediatrician => &mut people.lead_paediatrician,
            Slot::PoliceContact => &mut people.police_lead,
            Slot::SocialWorker => &mut people.social_worker,
            Slot::KeyWorker => &mut people.key_worker,
        };
        *place = who;
    }
}

/// `PUT /cases/{ref}/assignments/{slot}` (If-Match): who fills the place, or `null` to clear it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Assign {
    #[schema(schema_with = crate::text::schema::line_or_null)]
    pub username: Option<String>,
}

impl Assign {
    pub fn validate(&self) -> Result<(), TextError> {
        if let Some(u) = &self.username {
            text::check_required("username", u, caps::SHORT)?;
            text::check_line("username", u, caps::SHORT)?;
        }
        Ok(())
    }
}

/// A person who may be picked for a place: in the case's area with the place's role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Candidate {
    pub username: String,
    pub role: Role,
}

/// A reason for a withdrawal or a duplicate link: a sentence someone can later read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Withdraw {
    #[schema(schema_with = crate::text::schema::reveal_reason)]
    pub reason: String,
}

pub fn check_reason(reason: &str) -> Result<(), TextError> {
    text::check_required("reason", reason, caps::REASON)?;
    text::check_line("reason", reason, caps::REASON)?;
    text::check_min(
        "reason",
        reason,
        text::mins::REVEAL_REASON,
        " (it is kept in the audit trail)",
    )?;
    if text::one_repeated_character(reason) {
        return Err(TextError::Invalid {
            field: "reason",
            why: "must say why in words, not one character repeated",
        });
    }
    Ok(())
}

impl Withdraw {
    pub fn validate(&self) -> Result<(), TextError> {
        check_reason(&self.reason)
    }
}

/// `POST /cases/{ref}/duplicates`: the case named here is the same death as `{ref}` and is
/// closed as its duplicate; `{ref}` stays the record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkDuplicate {
    #[schema(schema_with = crate::text::schema::required_line)]
    pub duplicate: CaseRef,
    #[schema(schema_with = crate::text::schema::reveal_reason)]
    pub reason: String,
}

impl LinkDuplicate {
    pub fn validate(&self) -> Result<(), TextError> {
        text::check_line("duplicate", &self.duplicate, caps::SHORT)?;
        check_reason(&self.reason)
    }
}

/// A key worker's cover (issue 15 §4; clinical-model.md: "KW cover colleague can't see
/// case"): between `from` and `to`, `cover` sees the cases of `covered`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Cover {
    #[schema(schema_with = crate::text::schema::required_line)]
    pub covered: String,
    #[schema(schema_with = crate::text::schema::required_line)]
    pub cover: String,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

impl Cover {
    pub fn validate(&self) -> Result<(), TextError> {
        text::check_required("covered", &self.covered, caps::SHORT)?;
        text::check_line("covered", &self.covered, caps::SHORT)?;
        text::check_required("cover", &self.cover, caps::SHORT)?;
        text::check_line("cover", &self.cover, caps::SHORT)?;
        if self.to <= self.from {
            return Err(TextError::Invalid {
                field: "to",
                why: "must be after from",
            });
        }
        if self.cover == self.covered {
            return Err(TextError::Invalid {
                field: "cover",
                why: "must be another key worker",
            });
        }
        Ok(())
    }

    pub fn in_force(&self, now: DateTime<Utc>) -> bool {
        self.from <= now && now < self.to
    }
}

/// `POST /covers/end` (issue 15 §4, issue 17 §2): end early every cover period of `cover` for
/// `covered` that has not ended yet; one still to come is ended before it starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndCover {
    #[schema(schema_with = crate::text::schema::required_line)]
    pub covered: String,
    #[schema(schema_with = crate::text::schema::required_line)]
    pub cover: String,
}

impl EndCover {
    pub fn validate(&self) -> Result<(), TextError> {
        text::check_required("covered", &self.covered, caps::SHORT)?;
        text::check_line("covered", &self.covered, caps::SHORT)?;
        text::check_required("cover", &self.cover, caps::SHORT)?;
        text::check_line("cover", &self.cover, caps::SHORT)
    }
}
