//! Who the child is (issue 15 §1): the rules for the identity record, aligned with the NCMD
//! child death notification dataset (`../shared/clinical-model.md`, appendix §2), and the
//! rules for duplicate notifications (issue 15 §3).
//!
//! The record itself is [`crate::case::Identity`]; it is stored apart from the case and only
//! read through an audited reveal (or, for the family's contact details, by the key worker of
//! an assigned case; see [`crate::permissions::reads_family_contacts`]).

use crate::case::{Case, FamilyMember, Identity};
use crate::text::{self, TextError, caps};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Why there is no NHS number. Source: NCMD notification form updates, April 2022
/// (ncmd.info/guidance/form-updates-2022/): the notifier must pick one of these two.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NhsAbsentReason {
    /// "Child non-resident in England".
    ChildNotResidentInEngland,
    /// "NHS number not currently available".
    NotCurrentlyAvailable,
}

impl NhsAbsentReason {
    pub fn label(self) -> &'static str {
        match self {
            NhsAbsentReason::ChildNotResidentInEngland => "child not resident in England",
            NhsAbsentReason::NotCurrentlyAvailable => "NHS number not currently available",
        }
    }
}

/// Ethnic category, as the NHS Data Dictionary's "ETHNIC CATEGORY" (2001 census
/// classification, codes A–Z and 99). Source: NHS Data Dictionary, data element ETHNIC
/// CATEGORY; the code is what an export carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Ethnicity {
    WhiteBritish,
    WhiteIrish,
    WhiteOther,
    MixedWhiteAndBlackCaribbean,
    MixedWhiteAndBlackAfrican,
    MixedWhiteAndAsian,
    MixedOther,
    AsianIndian,
    AsianPakistani,
    AsianBangladeshi,
    AsianOther,
    BlackCaribbean,
    BlackAfrican,
    BlackOther,
    Chinese,
    OtherEthnicGroup,
    NotStated,
    NotKnown,
}

impl Ethnicity {
    pub const ALL: [Ethnicity; 18] = [
        Ethnicity::WhiteBritish,
        Ethnicity::WhiteIrish,
        Ethnicity::WhiteOther,
        Ethnicity::MixedWhiteAndBlackCaribbean,
        Ethnicity::MixedWhiteAndBlackAfrican,
        Ethnicity::MixedWhiteAndAsian,
        Ethnicity::MixedOther,
        Ethnicity::AsianIndian,
        Ethnicity::AsianPakistani,
        Ethnicity::AsianBangladeshi,
        Ethnicity::AsianOther,
        Ethnicity::BlackCaribbean,
        Ethnicity::BlackAfrican,
        Ethnicity::BlackOther,
        Ethnicity::Chinese,
        Ethnicity::OtherEthnicGroup,
        Ethnicity::NotStated,
        Ethnicity::NotKnown,
    ];

    /// The NHS Data Dictionary code.
    pub fn code(self) -> &'static str {
        match self {
            Ethnicity::WhiteBritish => "A",
            Ethnicity::WhiteIrish => "B",
            Ethnicity::WhiteOther => "C",
            Ethnicity::MixedWhiteAndBlackCaribbean => "D",
            Ethnicity::MixedWhiteAndBlackAfrican => "E",
            Ethnicity::MixedWhiteAndAsian => "F",
            Ethnicity::MixedOther => "G",
            Ethnicity::AsianIndian => "H",
            Ethnicity::AsianPakistani => "J",
            Ethnicity::AsianBangladeshi => "K",
            Ethnicity::AsianOther => "L",
            Ethnicity::BlackCaribbean => "M",
            Ethnicity::BlackAfrican => "N",
            Ethnicity::BlackOther => "P",
            Ethnicity::Chinese => "R",
            Ethnicity::OtherEthnicGroup => "S",
            Ethnicity::NotStated => "Z",
            Ethnicity::NotKnown => "99",
        }
    }
}

/// Another child in the household: first name and age only (issue 15 §1; NCMD notification
/// "other children in the household", clinical-model.md appendix §2 row 14).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OtherChild {
    #[schema(schema_with = crate::text::schema::line)]
    pub first_name: String,
    /// Age in whole years, if known. `4.0` is 4, as JSON Schema reads it (`wire::integral`).
    #[serde(default, deserialize_with = "crate::wire::integral::option_u8")]
    #[schema(maximum = 25)]
    pub age_years: Option<u8>,
}

/// True for a 10-digit NHS number whose last digit is its modulus-11 check digit. Spaces
/// and hyphens between digits are allowed ("999 000 0018"). Source: NHS Data Dictionary,
/// "NHS NUMBER" (check digit by modulus 11, weights 10 down to 2; a remainder giving 10 is
/// never issued).
pub fn nhs_number_valid(s: &str) -> bool {
    let digits: Vec<u32> = s
        .chars()
        .filter(|c| *c != ' ' && *c != '-')
        .map(|c| c.to_digit(10))
        .collect::<Option<Vec<u32>>>()
        .unwrap_or_default();
    if digits.len() != 10 {
        return false;
    }
    let sum: u32 = digits[..9]
        .iter()
        .zip((2..=10).rev())
        .map(|(d, w)| d * w)
        .sum();
    let check = match 11 - sum % 11 {
        11 => 0,
        10 => return false,
        c => c,
    };
    check == digits[9]
}

/// The NHS number as ten digits without separators (for comparing two records).
pub fn nhs_digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// The rules of an identity record. Every field is optional (a first notification is made
/// within the hour, with what is known); what is given must be well formed.
pub fn validate(id: &Identity) -> Result<(), TextError> {
    text::check_line("child_name", &id.child_name, caps::SHORT)?;
    text::check_line("family_name", &id.family_name, caps::SHORT)?;
    text::check_line("given_names", &id.given_names, caps::SHORT)?;
    text::check_list("other_names", &id.other_names, caps::SHORT)?;
    text::check_line("nhs_number", &id.nhs_number, 20)?;
    if !id.nhs_number.trim().is_empty() {
        if !nhs_number_valid(&id.nhs_number) {
            return Err(TextError::Invalid {
                field: "nhs_number",
                why: "is not a valid NHS number (10 digits with a modulus-11 check digit)",
            });
        }
        if id.nhs_number_absent_reason.is_some() {
            return Err(TextError::Invalid {
                field: "nhs_number_absent_reason",
                why: "is only for a record without an NHS number",
            });
        }
    }
    text::check("address", &id.address, caps::REASON)?;
    text::check_line("postcode", &id.postcode, 10)?;
    text::check_line("local_authority", &id.local_authority, caps::SHORT)?;
    text::check_line("gp_practice", &id.gp_practice, caps::SHORT)?;
    text::check_line("school", &id.school, caps::SHORT)?;
    if id.family.len() > caps::LIST_ITEMS {
        return Err(TextError::TooMany {
            field: "family",
            cap: caps::LIST_ITEMS,
        });
    }
    for m in &id.family {
        text::check_line("family.relationship", &m.relationship, caps::SHORT)?;
        text::check_line("family.name", &m.name, caps::SHORT)?;
        text::check_line("family.phone", &m.phone, caps::SHORT)?;
        text::check("family.preferences", &m.preferences, caps::REASON)?;
        text::check_line("family.language", &m.language, caps::SHORT)?;
    }
    if id.other_children.len() > caps::LIST_ITEMS {
        return Err(TextError::TooMany {
            field: "other_children",
            cap: caps::LIST_ITEMS,
        });
    }
    for c in &id.other_children {
        text::check_line("other_children.first_name", &c.first_name, caps::SHORT)?;
        if c.age_years.is_some_and(|a| a > 25) {
            return Err(TextError::Invalid {
                field: "other_children.age_years",
                why: "is not a child's age",
            });
        }
    }
    Ok(())
}

/// The names (never the values) of the fields that differ between two identity records, for
/// the audit row of a correction. `None` before means every field given now is new.
pub fn changed_fields(before: Option<&Identity>, after: &Identity) -> Vec<String> {
    let empty = Identity::default();
    let before = before.unwrap_or(&empty);
    let (Ok(serde_json::Value::Object(a)), Ok(serde_json::Value::Object(b))) =
        (serde_json::to_value(before), serde_json::to_value(after))
    else {
        return Vec::new();
    };
    b.iter()
        .filter(|(k, v)| a.get(*k) != Some(*v))
        .map(|(k, _)| k.clone())
        .collect()
}

/// What the key worker of an assigned case sees on the Contacts tab without a reveal: the
/// family's names, phone numbers and language (issue 15 §1). Never the child's identity.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FamilyContacts {
    #[schema(max_items = 50)]
    pub family: Vec<FamilyMember>,
}

impl FamilyContacts {
    pub fn of(id: Option<&Identity>) -> FamilyContacts {
        FamilyContacts {
            family: id.map(|i| i.family.clone()).unwrap_or_default(),
        }
    }
}

/// How sure a duplicate candidate is (issue 15 §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Likelihood {
    /// The same NHS number.
    Certain,
    /// The same date of birth and sex, and deaths within [`DUPLICATE_WINDOW_DAYS`].
    Likely,
}

/// Two notifications whose deaths are this close (with the same date of birth and sex) are
/// probably the same death (issue 15 §3: "date of death within 2 days").
pub const DUPLICATE_WINDOW_DAYS: i64 = 2;

/// A possible duplicate, as the notifier is shown it: reference, area and times only (no
/// names unless revealed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DuplicateCandidate {
    pub reference: String,
    pub area: String,
    pub likelihood: Likelihood,
    pub notified_at: DateTime<Utc>,
    pub death_at: DateTime<Utc>,
}

/// Whether an existing case (with its identity) may be the same death as a new notification.
/// Source: issue 15 §3; NCMD notification guidance (a valid NHS number is what stops double
/// counting).
pub fn duplicate_likelihood(
    new_id: &Identity,
    new_death: DateTime<Utc>,
    existing: &Case,
    existing_id: &Identity,
) -> Option<Likelihood> {
    let a = nhs_digits(&new_id.nhs_number);
    if a.len() == 10 && a == nhs_digits(&existing_id.nhs_number) {
        return Some(Likelihood::Certain);
    }
    let same_dob =
        new_id.date_of_birth.is_some() && new_id.date_of_birth == existing_id.date_of_birth;
    let same_sex = new_id.sex.is_some() && new_id.sex == existing_id.sex;
    let gap = (new_death - existing.times.death_anchor())
        .num_seconds()
        .abs();
    let close = gap <= DUPLICATE_WINDOW_DAYS * 24 * 3600;
    (same_dob && same_sex && close).then_some(Likelihood::Likely)
}

/// A date of birth is not in the future of the death (a typing slip caught at the door).
pub fn dob_before(dob: Option<NaiveDate>, death: DateTime<Utc>) -> bool {
    dob.is_none_or(|d| d <= death.date_naive())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nhs_numbers_carry_a_modulus_11_check_digit() {
        assert!(nhs_number_valid("999 000 0018"));
        assert!(nhs_number_valid("9990000018"));
        assert!(nhs_number_valid("999-000-0018"));
        assert!(!nhs_number_valid("999 000 0019"), "wrong check digit");
        assert!(!nhs_number_valid("999 000 0000"), "check digit would be 10");
        assert!(!nhs_number_valid("99900000"), "too short");
        assert!(!nhs_number_valid("999 000 001X"));
    }

    #[test]
    fn an_nhs_number_and_an_absent_reason_do_not_go_together() {
        let mut id = Identity {
            nhs_number: "999 000 0018".into(),
            ..Identity::default()
        };
        assert!(validate(&id).is_ok());
        id.nhs_number_absent_reason = Some(NhsAbsentReason::NotCurrentlyAvailable);
        assert!(validate(&id).is_err());
        id.nhs_number.clear();
        assert!(validate(&id).is_ok());
        assert!(validate(&Identity::default()).is_ok(), "all optional");
    }

    #[test]
    fn a_correction_is_audited_by_field_names_only() {
        let before = Identity {
            postcode: "ZZ1 1ZZ".into(),
            ..Identity::default()
        };
        let after = Identity {
            postcode: "ZZ9 9ZZ".into(),
            school: "Example Primary".into(),
            ..Identity::default()
        };
        let fields = changed_fields(Some(&before), &after);
        assert_eq!(fields, vec!["postcode".to_string(), "school".to_string()]);
        assert!(!fields.iter().any(|f| f.contains("ZZ")));
    }
}
