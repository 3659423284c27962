//! Reporting forms (issue 16 §4): the professionals and agencies involved with the child, and
//! for each whether the agency's report (the statutory "Child death reporting form", gov.uk
//! "Child death reviews: forms for reporting child deaths") was requested, returned or chased.
//!
//! The return period: no national figure was found (the forms page and local procedures say
//! the CDOP secretariat asks each agency to complete the form before the review, with no
//! period). So jarterm invents none: whoever requests a report records the date it is due
//! by, as their request says (local practice), and a report not returned by then is overdue.

use crate::role::Agency;
use crate::text::{self, TextError, caps};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A professional or agency involved with the child, added by anyone on the case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInvolvement {
    pub agency: Agency,
    /// The professional or service (e.g. "health visitor, Example Health Centre").
    #[schema(schema_with = crate::text::schema::required_line)]
    pub professional: String,
}

impl NewInvolvement {
    pub fn validate(&self) -> Result<(), TextError> {
        text::check_line("professional", &self.professional, caps::SHORT)?;
        text::check_required("professional", &self.professional, caps::SHORT)
    }
}

/// A step on an agency report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case", tag = "step", deny_unknown_fields)]
pub enum ReportStep {
    /// The report was asked for, due back by `due_by`.
    Requested {
        at: DateTime<Utc>,
        due_by: DateTime<Utc>,
    },
    Chased {
        at: DateTime<Utc>,
    },
    Returned {
        at: DateTime<Utc>,
    },
}

impl ReportStep {
    pub fn validate(&self) -> Result<(), TextError> {
        match self {
            ReportStep::Requested { at, due_by } if due_by <= at => Err(TextError::Invalid {
                field: "due_by",
                why: "must be after the request",
            }),
            _ => Ok(()),
        }
    }

    pub fn at(&self) -> DateTime<Utc> {
        match self {
            ReportStep::Requested { at, .. }
            | ReportStep::Chased { at }
            | ReportStep::Returned { at } => *at,
        }
    }
}

/// One professional or agency on the case with its report's progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Involvement {
    pub id: i64,
    pub agency: Agency,
    pub professional: String,
    pub added_by: String,
    pub added_at: DateTime<Utc>,
    pub requested_at: Option<DateTime<Utc>>,
    pub due_by: Option<DateTime<Utc>>,
    /// Every time the report was chased, oldest first.
    pub chased: Vec<DateTime<Utc>>,
    pub returned_at: Option<DateTime<Utc>>,
    /// Who recorded each step, oldest first ("requested by mgr").
    pub steps_by: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct InvolvementList {
    pub items: Vec<Involvement>,
}

impl Involvement {
    pub fn added(new: NewInvolvement, by: &str, at: DateTime<Utc>) -> Involvement {
        Involvement {
            id: 0,
            agency: new.agency,
            professional: new.professional,
            added_by: by.to_string(),
            added_at: at,
            requested_at: None,
            due_by: None,
            chased: Vec::new(),
            returned_at: None,
            steps_by: Vec::new(),
        }
    }

    /// Record a step, or say why not (sent as a 409): a report is chased or returned only
    /// after it was requested, and nothing happens to it once returned.
    pub fn record(&mut self, step: ReportStep, by: &str) -> Result<(), &'static str> {
        if self.returned_at.is_some() {
            return Err("this report has already been returned");
        }
        let requested = self.requested_at;
        match step {
            ReportStep::Requested { at, due_by } => {
                if requested.is_some() {
                    return Err("this report has already been requested; chase it instead");
                }
                self.requested_at = Some(at);
                self.due_by = Some(due_by);
                self.steps_by.push(format!("requested by {by}"));
            }
            ReportStep::Chased { at } | ReportStep::Returned { at }
                if requested.is_none_or(|r| at < r) =>
            {
                return Err("a report is chased or returned only after it was requested");
            }
            ReportStep::Chased { at } => {
                self.chased.push(at);
                self.steps_by.push(format!("chased by {by}"));
            }
            ReportStep::Returned { at } => {
                self.returned_at = Some(at);
                self.steps_by.push(format!("returned, recorded by {by}"));
            }
        }
        Ok(())
    }

    /// Requested, not returned, and past the date it was due by.
    pub fn overdue(&self, now: DateTime<Utc>) -> bool {
        self.returned_at.is_none() && self.due_by.is_some_and(|d| d < now)
    }
}

/// The Summary's line for the manager: "2 agency reports overdue (police, education)".
pub fn overdue_words(items: &[Involvement], now: DateTime<Utc>) -> Option<String> {
    let late: Vec<&str> = items
        .iter()
        .filter(|i| i.overdue(now))
        .map(|i| i.agency.label())
        .collect();
    match late.len() {
        0 => None,
        1 => Some(format!("1 agency report overdue ({})", late[0])),
        n => Some(format!("{n} agency reports overdue ({})", late.join(", "))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn t(d: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, 10, 0, 0).unwrap() + Duration::days(d)
    }

    fn gp() -> Involvement {
        let new = NewInvolvement {
            agency: Agency::PrimaryCare,
            professional: "GP, Example Surgery".into(),
        };
        Involvement::added(new, "kw", t(0))
    }

    #[test]
    fn a_report_is_overdue_after_the_date_it_was_due_by_until_returned() {
        let mut r = gp();
        assert!(!r.overdue(t(100)), "not requested: nothing is due");
        assert!(r.record(ReportStep::Chased { at: t(1) }, "mgr").is_err());
        r.record(
            ReportStep::Requested {
                at: t(1),
                due_by: t(29),
            },
            "mgr",
        )
        .expect("request");
        assert!(!r.overdue(t(28)));
        assert!(r.overdue(t(30)));
        assert_eq!(
            overdue_words(std::slice::from_ref(&r), t(30)).as_deref(),
            Some("1 agency report overdue (primary care)")
        );
        r.record(ReportStep::Chased { at: t(30) }, "mgr")
            .expect("chase");
        r.record(ReportStep::Returned { at: t(33) }, "mgr")
            .expect("return");
        assert!(!r.overdue(t(40)));
        assert_eq!(r.chased, vec![t(30)]);
        assert!(r.record(ReportStep::Chased { at: t(41) }, "mgr").is_err());
    }
}
