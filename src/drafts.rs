//! Drafts survive a quit, a Ctrl-C or a dropped SSH link: the text of every unsaved form is
//! kept in the local journal (`crate::journal`: one private file per person and server,
//! encrypted where a keyring works) and offered again the next time that person signs in.
//! This module turns forms into saved drafts and back; `save`/`load` are the older plain
//! per-user file, kept for its own tests.

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
    }
}

/// Rebuild a form from a saved draft (the form's own fields, with the saved values).
pub fn to_form(d: &SavedDraft, areas: &[String], username: &str, now: DateTime<Utc>) -> Form {
    let mut form = match &d.kind {
        FormKind::Contact { case_ref } => Form::contact(case_ref, now),
        FormKind::Notify => Form::notify(areas, username, now),
        FormKind::AddEvent { case_ref } => Form::add_event(case_ref, now),
        FormKind::Correction { case_ref, corrects } => {
            Form::correction(case_ref, *corrects, "an earlier event")
        }
        FormKind::Amend {
            case_ref,
            contact_id,
        } => Form::amend(case_ref, *contact_id),
        FormKind::Reveal { case_ref } => Form::reveal(case_ref),
        FormKind::ItemNote {
            case_ref,
            template,
            item,
            version,
            status,
        } => Form::item_note(case_ref, template, item, *version, *status, ""),
    };
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
    }
    form
}

/// Write the drafts (or delete the file when there are none). Blocking.
pub fn save(path: &Path, drafts: &[SavedDraft]) -> std::io::Result<()> {
    if drafts.is_empty() {
        return match std::fs::remove_file(path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        };
    }
    if let Some(dir) = path.parent() {
        crate::config::private_dir(dir)?;
    }
    let body = serde_json::to_vec(&DraftFile {
        drafts: drafts.to_vec(),
    })
    .map_err(std::io::Error::other)?;
    let tmp = path.with_extension("json.tmp");
    let mut opts = std::fs::OpenOptions::new();
    opts.create(true).write(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    {
        use std::io::Write;
        let mut f = opts.open(&tmp)?;
        f.write_all(&body)?;
        f.sync_all()?;
    }
    std::fs::rename(tmp, path)
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
    fn a_contact_draft_survives_a_restart_in_a_private_file() {
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
        let p = dir.path().join("jarterm").join("drafts.json");
        save(&p, &[to_saved(&form)]).expect("saved");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&p).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let back = load(&p);
        let restored = to_form(&back[0], &[], "demo-keyworker", now);
        assert_eq!(restored.text("summary"), "Spoke to mother\nabout the PM");
        assert_eq!(restored.choice("mode"), 2);
        save(&p, &[]).expect("emptied");
        assert!(!p.exists());
    }
}
