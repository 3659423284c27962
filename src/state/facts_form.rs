//! `f` on the Summary: correct the case facts after notification (issue 14 §1), and `n`: mark
//! a deadline not applicable for this case, or applicable again (issue 14 §2).
//!
//! The facts form starts from the case as it was when the form opened (carried in the form's
//! kind, so a draft restores against the same version) and sends only what changed, as a
//! `PATCH` with If-Match. Times use the one parser (`jar_core::timeparse`) and are shown back
//! in words under the field; the plausibility rules the server enforces are checked first.

use chrono::{DateTime, Timelike, Utc};
use jar_core::case::{Case, Flags, JarCriterion, PresentingCategory};
use jar_core::deadline::{Deadline, DeadlineState};
use jar_core::wire::{CasePatch, CriteriaPatch, NewCaseTimes};

use super::forms::{Field, Form, FormKind, Text, Time, Value, text_area};
use crate::timeparse::{Tense, format_local};

pub const LAST_SEEN: Time = Time {
    key: "last_seen",
    label: "Last seen alive",
    hint: "UK time: 23:30 (last one), yesterday 23:30, -6h; empty if not known",
    tense: Tense::Happened,
    empty_is_now: false,
};
pub const FOUND: Time = Time {
    key: "found",
    label: "Found at",
    hint: "UK time; required for SUDI and SUDIC",
    tense: Tense::Happened,
    empty_is_now: false,
};
pub const CONFIRMED: Time = Time {
    key: "confirmed",
    label: "Death confirmed at",
    hint: "UK time; empty if not known",
    tense: Tense::Happened,
    empty_is_now: false,
};
/// The time fields of the facts form, for `Form::time`.
pub const TIMES: [&Time; 3] = [&LAST_SEEN, &FOUND, &CONFIRMED];

const DECIDED_BY: Text = Text {
    key: "decided_by",
    label: "Decided by",
    hint: "who decided the criteria apply",
    multi_line: false,
};
const RATIONALE: Text = Text {
    key: "rationale",
    label: "Rationale",
    hint: "",
    multi_line: true,
};
const NA_REASON: Text = Text {
    key: "reason",
    label: "Reason",
    hint: "why it does not apply, e.g. died in PICU: no home to visit",
    multi_line: false,
};

/// The flags this form can change, by key; the others are kept as they are.
const FLAGS: [(&str, &str); 3] = [
    ("criminal", "Criminal investigation"),
    ("s47", "s47 strategy"),
    ("looked_after", "Looked-after child"),
];

/// The case's facts as a full patch: what the form starts from and compares with.
pub fn base_of(case: &Case) -> CasePatch {
    CasePatch {
        category: Some(case.category),
        times: Some(NewCaseTimes {
            last_seen_at: case.times.last_seen_at,
            found_at: case.times.found_at,
            death_confirmed_at: case.times.death_confirmed_at,
        }),
        criteria: Some(CriteriaPatch {
            criteria: case.criteria.criteria.clone(),
            decided_by: case.criteria.decided_by.clone(),
            rationale: case.criteria.rationale.clone(),
        }),
        // Only present for roles that may read (and so change) them.
        flags: case.flags.clone(),
        people: None,
        investigation_note: None,
    }
}

fn field(key: &'static str, label: &'static str, hint: &'static str, value: Value) -> Field {
    Field {
        key,
        label,
        hint,
        value,
        follows_now: false,
        edited: false,
    }
}

fn time_text(t: Option<DateTime<Utc>>) -> String {
    t.map(format_local).unwrap_or_default()
}

pub fn form(case_ref: &str, version: i64, base: CasePatch) -> Form {
    let category = base.category.unwrap_or(PresentingCategory::Other);
    let times = base.times.clone().unwrap_or(NewCaseTimes {
        last_seen_at: None,
        found_at: None,
        death_confirmed_at: None,
    });
    let criteria = base.criteria.clone().unwrap_or(CriteriaPatch {
        criteria: Vec::new(),
        decided_by: String::new(),
        rationale: String::new(),
    });
    let mut fields = vec![
        field(
            "category",
            "Presenting category",
            "Left/Right or Space to change",
            Value::Choice {
                options: PresentingCategory::ALL
                    .iter()
                    .map(|c| c.label().to_string())
                    .collect(),
                index: PresentingCategory::ALL
                    .iter()
                    .position(|c| *c == category)
                    .unwrap_or(0),
            },
        ),
        LAST_SEEN.field(&time_text(times.last_seen_at)),
        FOUND.field(&time_text(times.found_at)),
        CONFIRMED.field(&time_text(times.death_confirmed_at)),
        field(
            "criteria",
            "JAR criteria",
            "Up/Down to move, Space to tick",
            Value::Multi {
                options: JarCriterion::ALL
                    .iter()
                    .map(|c| c.label().to_string())
                    .collect(),
                chosen: JarCriterion::ALL
                    .iter()
                    .map(|c| criteria.criteria.contains(c))
                    .collect(),
                cursor: 0,
            },
        ),
        DECIDED_BY.field(&criteria.decided_by),
        field(
            RATIONALE.key,
            RATIONALE.label,
            "Enter is a newline; Ctrl-S saves",
            Value::Text(text_area(&criteria.rationale)),
        ),
    ];
    if let Some(flags) = &base.flags {
        let on = [
            flags.criminal_investigation,
            flags.s47_strategy,
            flags.looked_after,
        ];
        for ((key, label), set) in FLAGS.into_iter().zip(on) {
            fields.push(field(key, label, "Space to tick", Value::Check(set)));
        }
    }
    Form {
        kind: FormKind::CaseFacts {
            case_ref: case_ref.to_string(),
            version,
            base: Box::new(base),
        },
        title: format!("Correct the case facts · {case_ref} (audited; on the timeline)"),
        fields,
        focus: 0,
        error: None,
        draft_from: None,
        after_cr: false,
    }
}

/// A time as typed, or the stored time when the field still shows it (the field has
/// minutes only: an unchanged field must not read as a correction of the seconds).
fn read_time(
    form: &Form,
    t: &Time,
    was: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, String> {
    let typed = t.optional(form, now)?;
    let to_minute = |x: DateTime<Utc>| x.with_second(0).and_then(|x| x.with_nanosecond(0));
    Ok(match (typed, was) {
        (Some(a), Some(b)) if Some(a) == to_minute(b) => Some(b),
        (a, _) => a,
    })
}

fn field_label(field: &str) -> &'static str {
    match field {
        "found_at" => FOUND.label,
        "death_confirmed_at" => CONFIRMED.label,
        "last_seen_at" => LAST_SEEN.label,
        "age_months" => "Age",
        _ => "Facts",
    }
}

/// The patch to send: only what differs from the case as it was when the form opened.
pub fn read(form: &Form, now: DateTime<Utc>) -> Result<CasePatch, String> {
    let FormKind::CaseFacts { base, .. } = &form.kind else {
        return Err("not a case facts form".to_string());
    };
    let category = PresentingCategory::ALL
        .get(form.choice("category"))
        .copied()
        .unwrap_or(PresentingCategory::Other);
    let was = base.times.clone().unwrap_or(NewCaseTimes {
        last_seen_at: None,
        found_at: None,
        death_confirmed_at: None,
    });
    let times = NewCaseTimes {
        last_seen_at: read_time(form, &LAST_SEEN, was.last_seen_at, now)?,
        found_at: read_time(form, &FOUND, was.found_at, now)?,
        death_confirmed_at: read_time(form, &CONFIRMED, was.death_confirmed_at, now)?,
    };
    let criteria = CriteriaPatch {
        criteria: form
            .chosen("criteria")
            .into_iter()
            .filter_map(|i| JarCriterion::ALL.get(i).copied())
            .collect(),
        decided_by: DECIDED_BY.get(form),
        rationale: RATIONALE.get(form),
    };
    if criteria.criteria.is_empty() {
        return Err("JAR criteria: tick at least one (Space)".to_string());
    }
    let flags = base.flags.as_ref().map(|f| Flags {
        criminal_investigation: form.checked("criminal"),
        s47_strategy: form.checked("s47"),
        looked_after: form.checked("looked_after"),
        ..f.clone()
    });
    let mut found = jar_core::plausibility::death_times(
        times.last_seen_at,
        times.found_at,
        times.death_confirmed_at,
        0,
        now,
    );
    found.extend(jar_core::plausibility::found_required(
        category,
        times.found_at,
    ));
    if let Some(p) = found.into_iter().next() {
        return Err(format!("{}: {}", field_label(p.field), p.message));
    }
    let patch = CasePatch {
        category: (Some(category) != base.category).then_some(category),
        times: (Some(&times) != base.times.as_ref()).then_some(times),
        criteria: (Some(&criteria) != base.criteria.as_ref()).then_some(criteria),
        flags: flags.filter(|f| Some(f) != base.flags.as_ref()),
        people: None,
        investigation_note: None,
    };
    patch.validate().map_err(|e| e.to_string())?;
    if patch == CasePatch::default() {
        return Err("Nothing changed: correct a fact, or Esc to leave.".to_string());
    }
    Ok(patch)
}

/// One deadline the N/A form offers: rule id, what it shows, and whether it is marked now.
pub type NaChoice = (String, String, bool);

/// The deadlines that can be marked (or unmarked): not met, or already not applicable.
pub fn na_choices(deadlines: &[Deadline]) -> Vec<NaChoice> {
    deadlines
        .iter()
        .filter(|d| d.state != DeadlineState::Met)
        .map(|d| {
            let marked = d.state == DeadlineState::NotApplicable;
            let shown = if marked {
                format!("{} (n/a now)", d.title)
            } else {
                d.title.clone()
            };
            (d.rule_id.clone(), shown, marked)
        })
        .collect()
}

pub fn na_form(case_ref: &str, version: i64, deadlines: Vec<NaChoice>) -> Form {
    let options = deadlines
        .iter()
        .map(|(_, shown, _)| shown.clone())
        .collect();
    Form {
        kind: FormKind::DeadlineNa {
            case_ref: case_ref.to_string(),
            version,
            deadlines,
        },
        title: format!("Deadline not applicable · {case_ref} (audited)"),
        fields: vec![
            field(
                "deadline",
                "Deadline",
                "Left/Right or Space to change",
                Value::Choice { options, index: 0 },
            ),
            field(
                "mark",
                "Mark",
                "Left/Right or Space to change",
                Value::Choice {
                    options: vec!["not applicable".into(), "applies again".into()],
                    index: 0,
                },
            ),
            NA_REASON.field(""),
        ],
        focus: 0,
        error: None,
        draft_from: None,
        after_cr: false,
    }
}

/// The rule and the reason (`None`: it applies again).
pub fn read_na(form: &Form) -> Result<(String, Option<String>), String> {
    let FormKind::DeadlineNa { deadlines, .. } = &form.kind else {
        return Err("not a deadline form".to_string());
    };
    let (rule, _, marked) = deadlines
        .get(form.choice("deadline"))
        .cloned()
        .ok_or("Deadline: this case has none to mark")?;
    if form.choice("mark") == 1 {
        return if marked {
            Ok((rule, None))
        } else {
            Err("Mark: this deadline already applies".to_string())
        };
    }
    let req = jar_core::correction::MarkNotApplicable {
        reason: NA_REASON.get(form).trim().to_string(),
    };
    req.validate()
        .map_err(|e| format!("Reason: {}", e.to_string().trim_start_matches("reason ")))?;
    Ok((rule, Some(req.reason)))
}
