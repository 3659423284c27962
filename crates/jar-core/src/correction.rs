//! Case facts corrected after notification (issue 14 §1): presenting category, the key times
//! of the death, the JAR criteria and the parallel flags. A correction is a `PATCH
//! /cases/{ref}`; the server writes what changed onto the timeline as "corrected from … to …"
//! (these words), audits it, and every deadline recomputes from the corrected anchors.
//!
//! Also here: a deadline marked **not applicable** for one case, with its reason, and its
//! reversal (`PUT`/`DELETE /cases/{ref}/deadlines/{rule}/not-applicable`).

use crate::case::{Case, Flags};
use crate::plausibility::{self, Implausible};
use crate::text::TextError;
use crate::time::{Instant, uk_datetime};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

fn time_words(t: Option<Instant>) -> String {
    t.map(uk_datetime).unwrap_or_else(|| "not known".into())
}

fn flag_words(f: Option<&Flags>) -> String {
    let Some(f) = f else {
        return "none".into();
    };
    let on: Vec<&str> = [
        (f.criminal_investigation, "criminal investigation"),
        (f.s47_strategy, "s47"),
        (f.cspr_notified, "Panel notified"),
        (f.looked_after, "looked after"),
    ]
    .into_iter()
    .filter_map(|(set, label)| set.then_some(label))
    .collect();
    if on.is_empty() {
        "none".into()
    } else {
        on.join(", ")
    }
}

fn line(what: &str, from: String, to: String) -> String {
    format!("{what} corrected from {from} to {to}")
}

/// What changed between two versions of a case's facts, one line each, e.g.
/// `found at corrected from Tue 01 Dec 02:10 GMT to Tue 01 Dec 01:40 GMT`. Flags are not
/// here: see [`flag_lines`] (investigative, never shown to key workers).
pub fn fact_lines(before: &Case, after: &Case) -> Vec<String> {
    let mut out = Vec::new();
    if before.category != after.category {
        out.push(line(
            "presenting category",
            before.category.label().into(),
            after.category.label().into(),
        ));
    }
    let (a, b) = (&before.times, &after.times);
    let times = [
        ("last seen alive", a.last_seen_at, b.last_seen_at),
        ("found at", a.found_at, b.found_at),
        (
            "death confirmed",
            a.death_confirmed_at,
            b.death_confirmed_at,
        ),
    ];
    for (what, a, b) in times {
        if a != b {
            out.push(line(what, time_words(a), time_words(b)));
        }
    }
    if before.criteria.criteria != after.criteria.criteria {
        let words = |c: &Case| {
            c.criteria
                .criteria
                .iter()
                .map(|k| k.label())
                .collect::<Vec<_>>()
                .join(", ")
        };
        out.push(line("JAR criteria", words(before), words(after)));
    }
    out
}

/// The flags' change in words, for the investigative timeline entry.
pub fn flag_lines(before: &Case, after: &Case) -> Vec<String> {
    if before.flags == after.flags {
        return Vec::new();
    }
    vec![line(
        "flags",
        flag_words(before.flags.as_ref()),
        flag_words(after.flags.as_ref()),
    )]
}

/// The rules a case's facts must keep, as notified and after every correction: the times
/// happened and are in order, the age is under 18, and a SUDI or SUDIC case says when the
/// child was found (issue 14 §2: the death anchor of the NPA window).
pub fn implausible(case: &Case, now: Instant) -> Vec<Implausible> {
    let t = &case.times;
    let mut out = plausibility::death_times(
        t.last_seen_at,
        t.found_at,
        t.death_confirmed_at,
        case.age_months,
        now,
    );
    out.extend(plausibility::found_required(case.category, t.found_at));
    out
}

/// `PUT /cases/{ref}/deadlines/{rule}/not-applicable`: why this deadline does not apply to
/// this case, e.g. "no home visit: died in PICU". Kept on the case and in the audit trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkNotApplicable {
    #[schema(schema_with = crate::text::schema::reveal_reason)]
    pub reason: String,
}

impl MarkNotApplicable {
    pub fn validate(&self) -> Result<(), TextError> {
        crate::people::check_reason(&self.reason)
    }
}
