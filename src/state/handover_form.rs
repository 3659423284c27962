//! The outgoing person's handover (issue 17 §1) as a form, so it is journaled while written
//! like every draft: the drafted I-PASS entries ride in the form's kind, the fields are the
//! incoming colleague (type to filter the paediatricians who cover every case) and one
//! synthesis line per case. `ui::handover::render_compose` draws it with the case beside.

use jar_core::handover::{HandoverEntry, MAX_CASES, NewHandover};

use super::forms::{Field, Form, FormKind, Value};

/// The synthesis fields' keys, one per case (a form's keys are static; a handover holds at
/// most `MAX_CASES`).
const SYNTHESIS_KEYS: [&str; MAX_CASES] = [
    "syn-00", "syn-01", "syn-02", "syn-03", "syn-04", "syn-05", "syn-06", "syn-07", "syn-08",
    "syn-09", "syn-10", "syn-11", "syn-12", "syn-13", "syn-14", "syn-15", "syn-16", "syn-17",
    "syn-18", "syn-19", "syn-20", "syn-21", "syn-22", "syn-23", "syn-24", "syn-25", "syn-26",
    "syn-27", "syn-28", "syn-29", "syn-30", "syn-31", "syn-32", "syn-33", "syn-34", "syn-35",
    "syn-36", "syn-37", "syn-38", "syn-39", "syn-40", "syn-41", "syn-42", "syn-43", "syn-44",
    "syn-45", "syn-46", "syn-47", "syn-48", "syn-49",
];

/// The form for a drafted handover; `candidates` are the paediatricians who may receive it.
pub fn form(entries: Vec<HandoverEntry>, candidates: Vec<String>) -> Form {
    let mut fields = vec![Field {
        key: "incoming",
        label: "Hand over to",
        hint: "type to filter the on-call paediatricians",
        value: Value::Line(String::new()),
        follows_now: false,
        edited: false,
    }];
    fields.extend(entries.iter().zip(SYNTHESIS_KEYS).map(|(e, key)| Field {
        key,
        label: "Synthesis",
        hint: "one line for the incoming colleague, e.g. if the coroner calls, ring the DD",
        value: Value::Line(e.synthesis.clone()),
        follows_now: false,
        edited: false,
    }));
    let n = entries.len().min(MAX_CASES);
    Form {
        kind: FormKind::Handover {
            entries: entries.into_iter().take(MAX_CASES).collect(),
            candidates,
        },
        title: format!(
            "Handover · {n} case{} · Ctrl-S sends",
            if n == 1 { "" } else { "s" }
        ),
        fields,
        focus: 0,
        error: None,
        draft_from: None,
        after_cr: false,
    }
}

/// The entry the focused field is about (the first for the incoming field).
pub fn focused_entry(form: &Form) -> Option<(usize, &HandoverEntry)> {
    let FormKind::Handover { entries, .. } = &form.kind else {
        return None;
    };
    let i = form.focus.saturating_sub(1);
    entries.get(i).map(|e| (i, e))
}

/// The synthesis typed for entry `i`.
pub fn synthesis(form: &Form, i: usize) -> String {
    SYNTHESIS_KEYS
        .get(i)
        .map(|k| form.text(k))
        .unwrap_or_default()
}

/// Bring back into a freshly drafted `form` what was typed in an older draft: the incoming
/// colleague and the synthesis of each case still in the handover (matched by reference).
pub fn restore(form: &mut Form, old: &Form) {
    let (FormKind::Handover { entries, .. }, FormKind::Handover { entries: was, .. }) =
        (form.kind.clone(), &old.kind)
    else {
        return;
    };
    let typed = old.text("incoming");
    if let Some(f) = form.field_mut("incoming") {
        f.value = Value::Line(typed);
        f.edited = old.field("incoming").is_some_and(|o| o.edited);
    }
    for (i, e) in entries.iter().enumerate() {
        let Some(j) = was.iter().position(|w| w.reference == e.reference) else {
            continue;
        };
        let text = synthesis(old, j);
        if let Some(f) = SYNTHESIS_KEYS.get(i).and_then(|k| form.field_mut(k)) {
            f.edited = !text.is_empty();
            f.value = Value::Line(text);
        }
    }
}

/// The paediatricians whose username contains what was typed.
pub fn matches(form: &Form) -> Vec<String> {
    let FormKind::Handover { candidates, .. } = &form.kind else {
        return Vec::new();
    };
    let typed = form.text("incoming").trim().to_lowercase();
    candidates
        .iter()
        .filter(|p| p.to_lowercase().contains(&typed))
        .cloned()
        .collect()
}

/// Under the incoming field: who matches.
pub fn preview(form: &Form, key: &str) -> Option<Result<String, String>> {
    if key != "incoming" || !matches!(form.kind, FormKind::Handover { .. }) {
        return None;
    }
    let m = matches(form);
    Some(match m.len() {
        0 => Err("nobody matches: a paediatrician who covers the area of every case".into()),
        1 => Ok(format!("Ctrl-S hands over to {}", m[0])),
        n if n <= 6 => Ok(format!("{n} match: {}", m.join(", "))),
        n => Ok(format!("{n} match: {}, … (type more)", m[..6].join(", "))),
    })
}

/// The handover to send: the drafted entries with the synthesis typed, to the one match.
pub fn read(form: &Form) -> Result<NewHandover, String> {
    let FormKind::Handover { entries, .. } = &form.kind else {
        return Err("not a handover".to_string());
    };
    let typed = form.text("incoming").trim().to_string();
    let m = matches(form);
    let incoming = match (m.iter().find(|p| **p == typed), m.len()) {
        (Some(p), _) => p.clone(),
        (None, 1) => m[0].clone(),
        (None, 0) => {
            return Err(
                "Hand over to: nobody matches; the colleague must cover every case's area"
                    .to_string(),
            );
        }
        (None, n) => return Err(format!("Hand over to: {n} people match; type more")),
    };
    let entries: Vec<HandoverEntry> = entries
        .iter()
        .enumerate()
        .map(|(i, e)| HandoverEntry {
            synthesis: synthesis(form, i).trim().to_string(),
            ..e.clone()
        })
        .collect();
    let h = NewHandover { incoming, entries };
    h.validate().map_err(|e| e.to_string())?;
    Ok(h)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(r: &str) -> HandoverEntry {
        HandoverEntry {
            reference: r.into(),
            severity: "STABLE: no hard or overdue deadline".into(),
            summary: "SUDI · ED response · 4 months · North Wessex · notified 5h ago".into(),
            actions: Vec::new(),
            awareness: vec!["Lead: demo-paed · key worker: demo-kw".into()],
            synthesis: String::new(),
        }
    }

    #[test]
    fn the_synthesis_typed_per_case_goes_with_the_one_colleague_who_matches() {
        let mut f = form(
            vec![entry("JAR-2026-0009"), entry("JAR-2026-0017")],
            vec!["night-paed".into(), "nina-paed".into()],
        );
        assert_eq!(f.fields.len(), 3);
        assert!(read(&f).unwrap_err().contains("2 people match"));
        if let Some(Value::Line(l)) = f.field_mut("incoming").map(|x| &mut x.value) {
            *l = "nig".into();
        }
        if let Some(Value::Line(l)) = f.field_mut("syn-01").map(|x| &mut x.value) {
            *l = " ring the DD if the coroner calls ".into();
        }
        f.focus = 2;
        assert_eq!(
            focused_entry(&f).map(|(i, e)| (i, e.reference.clone())),
            Some((1, "JAR-2026-0017".to_string()))
        );
        let h = read(&f).expect("valid");
        assert_eq!(h.incoming, "night-paed");
        assert_eq!(h.entries[0].synthesis, "");
        assert_eq!(h.entries[1].synthesis, "ring the DD if the coroner calls");
    }
}
