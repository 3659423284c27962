//! The assignment picker (issue 15 §4): choose the place, type to filter the people who may
//! fill it (enabled, in the case's area, with the place's role; fetched when the form opens),
//! Ctrl-S assigns the one that matches. `-` clears the place.

use super::forms::{Field, Form, FormKind, Value};
use jar_core::people::Slot;

pub fn form(case_ref: &str, version: i64, candidates: Vec<(Slot, Vec<String>)>) -> Form {
    Form {
        kind: FormKind::Assign {
            case_ref: case_ref.to_string(),
            version,
            candidates,
        },
        title: format!("Assign · {case_ref} (audited; on the timeline)"),
        fields: vec![
            Field {
                key: "slot",
                label: "Place",
                hint: "Left/Right or Space to change",
                value: Value::Choice {
                    options: Slot::ALL.iter().map(|s| s.label().to_string()).collect(),
                    index: 0,
                },
                follows_now: false,
                edited: false,
            },
            Field {
                key: "person",
                label: "Person",
                hint: "type to filter; - for nobody",
                value: Value::Line(String::new()),
                follows_now: false,
                edited: false,
            },
        ],
        focus: 1,
        error: None,
        draft_from: None,
        after_cr: false,
    }
}

fn slot(form: &Form) -> Slot {
    Slot::ALL[form.choice("slot").min(Slot::ALL.len() - 1)]
}

/// The people for the chosen place whose username contains what was typed (any case).
pub fn matches(form: &Form) -> Vec<String> {
    let FormKind::Assign { candidates, .. } = &form.kind else {
        return Vec::new();
    };
    let typed = form.text("person").trim().to_lowercase();
    let place = slot(form);
    candidates
        .iter()
        .filter(|(s, _)| *s == place)
        .flat_map(|(_, people)| people.iter())
        .filter(|p| p.to_lowercase().contains(&typed))
        .cloned()
        .collect()
}

/// Whether the field shows the matches under it.
pub fn has_preview(form: &Form, key: &str) -> bool {
    key == "person" && matches!(form.kind, FormKind::Assign { .. })
}

/// Under the Person field: who matches now.
pub fn preview(form: &Form, key: &str) -> Option<Result<String, String>> {
    if !has_preview(form, key) {
        return None;
    }
    if form.text("person").trim() == "-" {
        return Some(Ok(format!("nobody: clears the {}", slot(form).label())));
    }
    let m = matches(form);
    Some(match m.len() {
        0 => Err(format!(
            "nobody in this area is a {}",
            slot(form).role().label()
        )),
        1 => Ok(format!("Ctrl-S assigns {}", m[0])),
        n if n <= 6 => Ok(format!("{n} match: {}", m.join(", "))),
        n => Ok(format!("{n} match: {}, … (type more)", m[..6].join(", "))),
    })
}

/// The place and the one person (or `None` for nobody) to send.
pub fn read(form: &Form) -> Result<(Slot, Option<String>), String> {
    let typed = form.text("person").trim().to_string();
    if typed == "-" {
        return Ok((slot(form), None));
    }
    let m = matches(form);
    let exact = m.iter().find(|p| **p == typed);
    match (exact, m.len()) {
        (Some(p), _) => Ok((slot(form), Some(p.clone()))),
        (None, 1) => Ok((slot(form), Some(m[0].clone()))),
        (None, 0) => Err("Person: nobody matches; check the place and the name".to_string()),
        (None, n) => Err(format!("Person: {n} people match; type more of the name")),
    }
}
