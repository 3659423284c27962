//! Drafts survive a quit, a Ctrl-C or a dropped SSH link: the text of every unsaved form is
//! kept in the local journal (`crate::journal`: one private file per person and server,
//! encrypted where a keyring works) and offered again the next time that person signs in.
//! This module turns forms into saved drafts and back; `load` reads the older plain per-user
//! file once, so its drafts move into the journal (`App::open_journal`).

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::state::forms::{Form, FormKind, Value, text_area};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Saved {
    Text(String),
    Choice(usize),
    Multi(Vec<bool>),
    Check(bool),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedDraft {
    pub kind: FormKind,
    pub fields: Vec<(String, Saved)>,
    /// When it was put away (older journals: not known).
    #[serde(default)]
    pub saved_at: Option<DateTime<Utc>>,
    /// The fields the person changed (older journals: not known, so times are refreshed).
    #[serde(default)]
    pub edited: Vec<String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct DraftFile {
    drafts: Vec<SavedDraft>,
}

/// Where drafts are kept: the journal's directory (`$XDG_STATE_HOME/jarterm/journal/`),
/// one file per person and server, so one person never sees another's unsaved text.
pub fn dir() -> Option<PathBuf> {
    crate::journal::dir()
}

/// The drafts file for `username` in `dir` (the name reduced to safe characters).
pub fn path_for(dir: &Path, username: &str) -> PathBuf {
    let safe: String = username
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    dir.join(format!("{safe}.json"))
}

pub fn to_saved(form: &Form) -> SavedDraft {
    SavedDraft {
        kind: form.kind.clone(),
        fields: form
            .fields
            .iter()
            .filter_map(|f| {
                let v = match &f.value {
                    Value::Line(s) => Saved::Text(s.clone()),
                    // Never written to disk.
                    Value::Secret(_) => return None,
                    Value::Text(ta) => Saved::Text(ta.lines().join("\n")),
                    Value::Choice { index, .. } => Saved::Choice(*index),
                    Value::Multi { chosen, .. } => Saved::Multi(chosen.clone()),
                    Value::Check(b) => Saved::Check(*b),
                };
                Some((f.key.to_string(), v))
            })
            .collect(),
        saved_at: form.draft_from,
        edited: form
            .fields
            .iter()
            .filter(|f| f.edited)
            .map(|f| f.key.to_string())
            .collect(),
    }
}

/// Rebuild a form from a saved draft (the form's own fields, with the saved values).
pub fn to_form(d: &SavedDraft, areas: &[String], username: &str, now: DateTime<Utc>) -> Form {
    let mut form = Form::fresh(&d.kind, areas, username, now);
    form.draft_from = d.saved_at.or(Some(now));
    for (key, saved) in &d.fields {
        let Some(field) = form.fields.iter_mut().find(|f| f.key == key) else {
            continue;
        };
        match (&mut field.value, saved) {
            (Value::Line(s), Saved::Text(t)) => *s = t.clone(),
            (Value::Text(ta), Saved::Text(t)) => *ta = text_area(t),
            (Value::Choice { options, index }, Saved::Choice(i)) if *i < options.len() => {
                *index = *i
            }
            (Value::Multi { chosen, .. }, Saved::Multi(c)) if c.len() == chosen.len() => {
                *chosen = c.clone()
            }
            (Value::Check(b), Saved::Check(c)) => *b = *c,
            _ => {}
        }
        field.edited = d.edited.iter().any(|k| k == field.key);
    }
    form.refresh_times(now);
    form
}

/// Read saved drafts; a missing or unreadable file gives none.
pub fn load(path: &Path) -> Vec<SavedDraft> {
    std::fs::read(path)
        .ok()
        .and_then(|b| serde_json::from_slice::<DraftFile>(&b).ok())
        .map(|f| f.drafts)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_contact_draft_from_the_older_plain_file_comes_back_as_typed() {
        let now = Utc.with_ymd_and_hms(2026, 1, 10, 3, 12, 0).unwrap();
        let mut form = Form::contact("JAR-2026-0042", now);
        if let Some(f) = form.field_mut("summary")
            && let Value::Text(ta) = &mut f.value
        {
            ta.insert_str("Spoke to mother\nabout the PM");
        }
        if let Some(f) = form.field_mut("mode")
            && let Value::Choice { index, .. } = &mut f.value
        {
            *index = 2;
        }
        let dir = tempfile::tempdir().expect("tempdir");
        let p = path_for(dir.path(), "demo-keyworker");
        let file = serde_json::json!({ "drafts": [to_saved(&form)] });
        std::fs::write(&p, file.to_string()).expect("written");
        let back = load(&p);
        let restored = to_form(&back[0], &[], "demo-keyworker", now);
        assert_eq!(restored.text("summary"), "Spoke to mother\nabout the PM");
        assert_eq!(restored.choice("mode"), 2);
        assert!(load(&dir.path().join("missing.json")).is_empty());
    }
}
