//! Roles people hold and the agencies that own checklist items.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The five roles of the Joint Agency Response that jarterm knows.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    PartialOrd,
    Ord,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// On-call paediatrician: the health lead of the JAR.
    Paediatrician,
    /// Police investigator or police liaison.
    Police,
    /// Children's social care.
    SocialWorker,
    /// The family's named key worker.
    KeyWorker,
    /// CDR manager or designated doctor for child deaths.
    Manager,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Paediatrician,
        Role::Police,
        Role::SocialWorker,
        Role::KeyWorker,
        Role::Manager,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Paediatrician => "paediatrician",
            Role::Police => "police",
            Role::SocialWorker => "social_worker",
            Role::KeyWorker => "key_worker",
            Role::Manager => "manager",
        }
    }

    /// Words for people, not for machines.
    pub fn label(self) -> &'static str {
        match self {
            Role::Paediatrician => "paediatrician",
            Role::Police => "police liaison",
            Role::SocialWorker => "social worker",
            Role::KeyWorker => "key worker",
            Role::Manager => "CDR manager",
        }
    }

    /// The agency whose checklist items this role completes. Managers act for the CDR office
    /// and may, in addition, change any item (see `permissions`).
    pub fn agency(self) -> Agency {
        match self {
            Role::Paediatrician => Agency::Health,
            Role::Police => Agency::Police,
            Role::SocialWorker => Agency::SocialCare,
            Role::KeyWorker => Agency::KeyWorker,
            Role::Manager => Agency::CdrOffice,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role {0:?}: expected paediatrician, police, social_worker, key_worker or manager")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let norm = s.trim().to_ascii_lowercase().replace('-', "_");
        match norm.as_str() {
            "paediatrician" | "paed" => Ok(Role::Paediatrician),
            "police" => Ok(Role::Police),
            "social_worker" | "social" => Ok(Role::SocialWorker),
            "key_worker" | "keyworker" => Ok(Role::KeyWorker),
            "manager" => Ok(Role::Manager),
            _ => Err(UnknownRole(s.to_string())),
        }
    }
}

/// An agency that owns checklist items and deadlines.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    PartialOrd,
    Ord,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Agency {
    Health,
    Police,
    SocialCare,
    KeyWorker,
    /// The CDR office: designated doctor, CDOP administrator.
    CdrOffice,
    /// Schools, nurseries and colleges (issue 14: agencies that own checklist items but do
    /// not sign in; the other owners of such an item record it for them).
    Education,
    Ambulance,
    /// The coroner and the coroner's officer.
    Coroner,
    /// GP, health visitor, school nurse.
    PrimaryCare,
    /// Public health, including the UKHSA health protection team.
    PublicHealth,
}

impl Agency {
    pub fn label(self) -> &'static str {
        match self {
            Agency::Health => "health",
            Agency::Police => "police",
            Agency::SocialCare => "social care",
            Agency::KeyWorker => "key worker",
            Agency::CdrOffice => "CDR office",
            Agency::Education => "education",
            Agency::Ambulance => "ambulance",
            Agency::Coroner => "coroner",
            Agency::PrimaryCare => "primary care",
            Agency::PublicHealth => "public health",
        }
    }

    /// Short label for narrow columns.
    pub fn short(self) -> &'static str {
        match self {
            Agency::Health => "HLT",
            Agency::Police => "POL",
            Agency::SocialCare => "SC",
            Agency::KeyWorker => "KW",
            Agency::CdrOffice => "CDR",
            Agency::Education => "EDU",
            Agency::Ambulance => "AMB",
            Agency::Coroner => "COR",
            Agency::PrimaryCare => "PC",
            Agency::PublicHealth => "PH",
        }
    }
}
