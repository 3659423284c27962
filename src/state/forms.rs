//! Forms: a list of fields, one focused. Every form is built here from domain enums and turned
//! back into a wire type on submit, so `update` only moves focus and routes keys.

use chrono::{DateTime, Utc};
use jar_core::case::{JarCriterion, PlaceOfDeath, PresentingCategory, Sex};
use jar_core::checklist::ItemStatus;
use jar_core::contact::{
    ContactMode, ContactPurpose, Direction, NewAmendment, NewContact, Outcome, Support,
};
use jar_core::timeline::EventKind;
use jar_core::wire::{ItemUpdate, NewCase, NewCaseTimes, NewTimelineEvent};
use tui_textarea::TextArea;

use crate::timeparse::{Tense, format_local, parse_optional, parse_when};

/// What the form is for; carries what the submit needs besides the fields.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum FormKind {
    Contact {
        case_ref: String,
    },
    Notify,
    AddEvent {
        case_ref: String,
    },
    Correction {
        case_ref: String,
        corrects: i64,
    },
    Amend {
        case_ref: String,
        contact_id: i64,
    },
    Reveal {
        case_ref: String,
    },
    /// Assign a person to a place (issue 15 §4): the candidates are carried with the form.
    Assign {
        case_ref: String,
        version: i64,
        candidates: Vec<(jar_core::people::Slot, Vec<String>)>,
    },
    /// Add or correct the identity (issue 15 §1).
    Identity {
        case_ref: String,
        version: i64,
    },
    ItemNote {
        case_ref: String,
        template: String,
        item: String,
        version: i64,
        status: ItemStatus,
    },
}

impl FormKind {
    /// Drafts are kept per kind: reopening the same form restores what was typed.
    pub fn same_draft(&self, other: &FormKind) -> bool {
        self == other
    }
}

#[derive(Debug, Clone)]
pub enum Value {
    /// One line of text.
    Line(String),
    /// A password: drawn as `*`.
    Secret(String),
    Choice {
        options: Vec<String>,
        index: usize,
    },
    Multi {
        options: Vec<String>,
        chosen: Vec<bool>,
        cursor: usize,
    },
    Check(bool),
    /// Multi-line text: Enter is a newline.
    Text(Box<TextArea<'static>>),
}

#[derive(Debug, Clone)]
pub struct Field {
    pub key: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
    pub value: Value,
    /// A time that shows "now" until the person sets it: a restored draft gets the time of
    /// its reopening, not of its closing.
    pub follows_now: bool,
    /// The person changed this field (typed, pasted, chose).
    pub edited: bool,
}

#[derive(Debug, Clone)]
pub struct Form {
    pub kind: FormKind,
    pub title: String,
    pub fields: Vec<Field>,
    pub focus: usize,
    pub error: Option<String>,
    /// When this form was last put away as a draft (`None`: never).
    pub draft_from: Option<DateTime<Utc>>,
    /// The last key in the text box was Enter: a line feed right after it is the same line
    /// ending (CR LF), not a second new line.
    pub after_cr: bool,
}

fn line(key: &'static str, label: &'static str, hint: &'static str, v: String) -> Field {
    Field {
        key,
        label,
        hint,
        value: Value::Line(v),
        follows_now: false,
        edited: false,
    }
}

/// A UK time field that shows the time the form was opened until the person sets it.
fn now_line(
    key: &'static str,
    label: &'static str,
    hint: &'static str,
    now: DateTime<Utc>,
) -> Field {
    Field {
        follows_now: true,
        ..line(key, label, hint, format_local(now))
    }
}

fn choice(key: &'static str, label: &'static str, options: Vec<String>, index: usize) -> Field {
    Field {
        key,
        label,
        hint: "Left/Right or Space to change",
        value: Value::Choice { options, index },
        follows_now: false,
        edited: false,
    }
}

fn multi(key: &'static str, label: &'static str, options: Vec<String>) -> Field {
    let n = options.len();
    Field {
        key,
        label,
        hint: "Up/Down to move, Space to tick",
        value: Value::Multi {
            options,
            chosen: vec![false; n],
            cursor: 0,
        },
        follows_now: false,
        edited: false,
    }
}

pub fn text_area(initial: &str) -> Box<TextArea<'static>> {
    let lines: Vec<String> = if initial.is_empty() {
        vec![String::new()]
    } else {
        initial.lines().map(str::to_string).collect()
    };
    let mut ta = TextArea::new(lines);
    ta.set_wrap_mode(tui_textarea::WrapMode::Word);
    // Typing continues after what is there, never before it.
    ta.move_cursor(tui_textarea::CursorMove::Bottom);
    ta.move_cursor(tui_textarea::CursorMove::End);
    Box::new(ta)
}

fn text(key: &'static str, label: &'static str, initial: &str) -> Field {
    Field {
        key,
        label,
        hint: "Enter is a newline; Ctrl-S saves",
        value: Value::Text(text_area(initial)),
        follows_now: false,
        edited: false,
    }
}

fn labels<T: Copy>(all: &[T], label: fn(T) -> &'static str) -> Vec<String> {
    all.iter().map(|v| label(*v).to_string()).collect()
}

impl Form {
    pub fn field(&self, key: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.key == key)
    }

    pub fn field_mut(&mut self, key: &str) -> Option<&mut Field> {
        self.fields.iter_mut().find(|f| f.key == key)
    }

    /// The text of a line, secret or text-area field.
    pub fn text(&self, key: &str) -> String {
        match self.field(key).map(|f| &f.value) {
            Some(Value::Line(s)) | Some(Value::Secret(s)) => s.clone(),
            Some(Value::Text(ta)) => ta.lines().join("\n"),
            _ => String::new(),
        }
    }

    pub fn choice(&self, key: &str) -> usize {
        match self.field(key).map(|f| &f.value) {
            Some(Value::Choice { index, .. }) => *index,
            _ => 0,
        }
    }

    pub fn chosen(&self, key: &str) -> Vec<usize> {
        match self.field(key).map(|f| &f.value) {
            Some(Value::Multi { chosen, .. }) => chosen
                .iter()
                .enumerate()
                .filter_map(|(i, c)| c.then_some(i))
                .collect(),
            _ => Vec::new(),
        }
    }

    pub fn checked(&self, key: &str) -> bool {
        matches!(self.field(key).map(|f| &f.value), Some(Value::Check(true)))
    }

    /// The person changed something in this form.
    pub fn touched(&self) -> bool {
        self.fields.iter().any(|f| f.edited)
    }

    /// A fresh form of `kind`, as opening it for the first time gives.
    pub fn fresh(kind: &FormKind, areas: &[String], username: &str, now: DateTime<Utc>) -> Form {
        match kind {
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
            FormKind::Assign {
                case_ref,
                version,
                candidates,
            } => super::assign_form::form(case_ref, *version, candidates.clone()),
            FormKind::Identity { case_ref, version } => {
                super::identity_form::form(case_ref, *version, None)
            }
            FormKind::ItemNote {
                case_ref,
                template,
                item,
                version,
                status,
            } => Form::item_note(case_ref, template, item, *version, *status, ""),
        }
    }

    /// Times the person has not set move to `now` (a draft reopened later).
    pub fn refresh_times(&mut self, now: DateTime<Utc>) {
        for f in self
            .fields
            .iter_mut()
            .filter(|f| f.follows_now && !f.edited)
        {
            f.value = Value::Line(format_local(now));
        }
    }

    pub fn focused(&self) -> Option<&Field> {
        self.fields.get(self.focus)
    }

    pub fn focused_mut(&mut self) -> Option<&mut Field> {
        self.fields.get_mut(self.focus)
    }

    /// For a time field: whether it records something that happened or something due, and
    /// whether an empty field means now (else "not known"). `None` for other fields.
    pub fn time_field(&self, key: &str) -> Option<(Tense, bool)> {
        match (&self.kind, key) {
            (FormKind::Contact { .. }, "when") | (FormKind::AddEvent { .. }, "when") => {
                Some((Tense::Happened, true))
            }
            (FormKind::Contact { .. }, "next") => Some((Tense::Due, false)),
            (FormKind::Notify, "found" | "confirmed") => Some((Tense::Happened, false)),
            _ => None,
        }
    }

    /// What a time field will save, in words ("yesterday 23:30 GMT, 1h30m ago"), or why it
    /// will not parse; shown under the field before saving. `None` for other fields.
    pub fn time_preview(&self, key: &str, now: DateTime<Utc>) -> Option<Result<String, String>> {
        if let Some(matches) = super::assign_form::preview(self, key) {
            return Some(matches);
        }
        let (tense, empty_is_now) = self.time_field(key)?;
        Some(crate::timeparse::preview(
            &self.text(key),
            now,
            tense,
            empty_is_now,
        ))
    }

    /// Contact form (key workers, managers): `when` defaults to now.
    pub fn contact(case_ref: &str, now: DateTime<Utc>) -> Form {
        Form {
            kind: FormKind::Contact {
                case_ref: case_ref.to_string(),
            },
            title: format!("Log a contact with the family · {case_ref}"),
            fields: vec![
                now_line(
                    "when",
                    "When",
                    "UK time: 23:30 (last one), yesterday 23:30, -2h, 1 Dec 14:30",
                    now,
                ),
                choice(
                    "direction",
                    "Direction",
                    labels(&Direction::ALL, Direction::label),
                    0,
                ),
                choice(
                    "mode",
                    "Mode",
                    labels(&ContactMode::ALL, ContactMode::label),
                    0,
                ),
                line(
                    "present",
                    "Who was present",
                    "comma separated: mother, father, KW",
                    String::new(),
                ),
                choice(
                    "purpose",
                    "Purpose",
                    labels(&ContactPurpose::ALL, ContactPurpose::label),
                    0,
                ),
                text("summary", "Summary", ""),
                multi(
                    "support",
                    "Support offered",
                    labels(&Support::ALL, Support::label),
                ),
                line(
                    "questions",
                    "Questions for the CDRM",
                    "separate questions with ;",
                    String::new(),
                ),
                choice(
                    "outcome",
                    "Outcome",
                    labels(&Outcome::ALL, Outcome::label),
                    0,
                ),
                Field {
                    key: "safeguarding",
                    label: "Safeguarding concern",
                    hint: "Space to tick",
                    value: Value::Check(false),
                    follows_now: false,
                    edited: false,
                },
                line(
                    "next",
                    "Next contact due",
                    "+7d, 10am (next one), 30 Nov 14:00 or empty",
                    "+7d".to_string(),
                ),
            ],
            focus: 0,
            error: None,
            draft_from: None,
            after_cr: false,
        }
    }

    pub fn to_contact(&self, now: DateTime<Utc>) -> Result<NewContact, String> {
        let split = |s: String, sep: char| -> Vec<String> {
            s.split(sep)
                .map(|p| p.trim().to_string())
                .filter(|p| !p.is_empty())
                .collect()
        };
        let c = NewContact {
            occurred_at: parse_when(&self.text("when"), now, Tense::Happened)
                .map_err(|e| format!("When: {e}"))?,
            direction: Direction::ALL[self.choice("direction").min(Direction::ALL.len() - 1)],
            mode: ContactMode::ALL[self.choice("mode").min(ContactMode::ALL.len() - 1)],
            participants: split(self.text("present"), ','),
            purpose: ContactPurpose::ALL[self.choice("purpose").min(ContactPurpose::ALL.len() - 1)],
            summary: self.text("summary"),
            family_questions: split(self.text("questions"), ';'),
            support_offered: self
                .chosen("support")
                .into_iter()
                .filter_map(|i| Support::ALL.get(i).copied())
                .collect(),
            safeguarding_concern: self.checked("safeguarding"),
            outcome: Outcome::ALL[self.choice("outcome").min(Outcome::ALL.len() - 1)],
            next_contact_due: parse_optional(&self.text("next"), now, Tense::Due)
                .map_err(|e| format!("Next contact due: {e}"))?,
        };
        c.validate().map_err(|e| e.to_string())?;
        if let Some(p) = jar_core::plausibility::happened("", c.occurred_at, now) {
            return Err(format!("When: {}", p.message));
        }
        if let Some(p) = c
            .next_contact_due
            .and_then(|t| jar_core::plausibility::due("", t, now))
        {
            return Err(format!("Next contact due: {}", p.message));
        }
        Ok(c)
    }

    /// Notification of a death: the essentials known in the first hour.
    pub fn notify(areas: &[String], username: &str, now: DateTime<Utc>) -> Form {
        Form {
            kind: FormKind::Notify,
            title: "Notify a death (new JAR case)".to_string(),
            fields: vec![
                now_line("found", "Found at", "UK time; empty if not known", now),
                line(
                    "confirmed",
                    "Death confirmed at",
                    "UK time; empty if not known",
                    String::new(),
                ),
                choice(
                    "place",
                    "Place of death",
                    labels(
                        &[
                            PlaceOfDeath::Home,
                            PlaceOfDeath::Hospital,
                            PlaceOfDeath::PublicPlace,
                            PlaceOfDeath::Other,
                        ],
                        PlaceOfDeath::label,
                    ),
                    0,
                ),
                choice("area", "Area", areas.to_vec(), 0),
                line(
                    "age",
                    "Age in months",
                    "whole months, e.g. 4",
                    String::new(),
                ),
                choice(
                    "sex",
                    "Sex",
                    labels(
                        &[Sex::Female, Sex::Male, Sex::Indeterminate, Sex::NotKnown],
                        Sex::label,
                    ),
                    0,
                ),
                choice(
                    "category",
                    "Presenting category",
                    labels(&PresentingCategory::ALL, PresentingCategory::label),
                    0,
                ),
                multi(
                    "criteria",
                    "JAR criteria",
                    labels(&JarCriterion::ALL, JarCriterion::label),
                ),
                line(
                    "decided_by",
                    "Decided by",
                    "who decided the criteria apply",
                    username.to_string(),
                ),
                text("rationale", "Rationale", ""),
            ]
            .into_iter()
            // Who the child is: every field optional (issue 15 §1).
            .chain(super::identity_form::fields())
            .collect(),
            focus: 0,
            error: None,
            draft_from: None,
            after_cr: false,
        }
    }

    pub fn to_new_case(&self, now: DateTime<Utc>) -> Result<NewCase, String> {
        const PLACES: [PlaceOfDeath; 4] = [
            PlaceOfDeath::Home,
            PlaceOfDeath::Hospital,
            PlaceOfDeath::PublicPlace,
            PlaceOfDeath::Other,
        ];
        const SEXES: [Sex; 4] = [Sex::Female, Sex::Male, Sex::Indeterminate, Sex::NotKnown];
        let area = match self.field("area").map(|f| &f.value) {
            Some(Value::Choice { options, index }) => options.get(*index).cloned(),
            _ => None,
        }
        .ok_or("Area: you have no areas to notify in")?;
        let age = self.text("age");
        let age_months: u16 = age
            .trim()
            .parse()
            .map_err(|_| "Age in months: type a whole number, e.g. 4".to_string())?;
        let c = NewCase {
            area,
            age_months,
            sex: SEXES[self.choice("sex").min(3)],
            place_of_death: PLACES[self.choice("place").min(3)],
            category: PresentingCategory::ALL[self.choice("category").min(5)],
            times: NewCaseTimes {
                last_seen_at: None,
                found_at: parse_optional(&self.text("found"), now, Tense::Happened)
                    .map_err(|e| format!("Found at: {e}"))?,
                death_confirmed_at: parse_optional(&self.text("confirmed"), now, Tense::Happened)
                    .map_err(|e| format!("Death confirmed at: {e}"))?,
            },
            criteria: self
                .chosen("criteria")
                .into_iter()
                .filter_map(|i| JarCriterion::ALL.get(i).copied())
                .collect(),
            decided_by: self.text("decided_by"),
            rationale: self.text("rationale"),
            identity: super::identity_form::read(self)?.map(Box::new),
            not_a_duplicate_of: super::identity_form::not_duplicates(self),
        };
        c.validate().map_err(|e| match e {
            jar_core::text::TextError::Empty { field: "criteria" } => {
                "JAR criteria: tick at least one (Space)".to_string()
            }
            e => e.to_string(),
        })?;
        let t = &c.times;
        if let Some(p) = jar_core::plausibility::death_times(
            t.last_seen_at,
            t.found_at,
            t.death_confirmed_at,
            c.age_months,
            now,
        )
        .into_iter()
        .next()
        {
            let label = match p.field {
                "found_at" => "Found at",
                "death_confirmed_at" => "Death confirmed at",
                "age_months" => "Age in months",
                _ => "Last seen",
            };
            return Err(format!("{label}: {}", p.message));
        }
        Ok(c)
    }

    pub fn add_event(case_ref: &str, now: DateTime<Utc>) -> Form {
        let kinds: Vec<String> = EventKind::ALL
            .iter()
            .filter(|k| **k != EventKind::Correction)
            .map(|k| k.label().to_string())
            .collect();
        Form {
            kind: FormKind::AddEvent {
                case_ref: case_ref.to_string(),
            },
            title: format!("Add a timeline event · {case_ref}"),
            fields: vec![
                choice("kind", "What happened", kinds, 0),
                now_line(
                    "when",
                    "When",
                    "UK time: 23:30 (last one), yesterday 23:30, -2h",
                    now,
                ),
                text("note", "Note", ""),
            ],
            focus: 0,
            error: None,
            draft_from: None,
            after_cr: false,
        }
    }

    pub fn correction(case_ref: &str, corrects: i64, what: &str) -> Form {
        Form {
            kind: FormKind::Correction {
                case_ref: case_ref.to_string(),
                corrects,
            },
            title: format!("Correct event #{corrects} ({what})"),
            fields: vec![text("note", "What was wrong", "")],
            focus: 0,
            error: None,
            draft_from: None,
            after_cr: false,
        }
    }

    pub fn to_event(&self, now: DateTime<Utc>) -> Result<NewTimelineEvent, String> {
        let ev = match &self.kind {
            FormKind::Correction { corrects, .. } => NewTimelineEvent {
                kind: EventKind::Correction,
                occurred_at: None,
                note: self.text("note"),
                corrects: Some(*corrects),
            },
            _ => {
                let kinds: Vec<EventKind> = EventKind::ALL
                    .into_iter()
                    .filter(|k| *k != EventKind::Correction)
                    .collect();
                NewTimelineEvent {
                    kind: kinds[self.choice("kind").min(kinds.len() - 1)],
                    occurred_at: Some(
                        parse_when(&self.text("when"), now, Tense::Happened)
                            .map_err(|e| format!("When: {e}"))?,
                    ),
                    note: self.text("note"),
                    corrects: None,
                }
            }
        };
        ev.validate().map_err(|e| e.to_string())?;
        if let Some(p) = ev
            .occurred_at
            .and_then(|t| jar_core::plausibility::happened("", t, now))
        {
            return Err(format!("When: {}", p.message));
        }
        Ok(ev)
    }

    pub fn amend(case_ref: &str, contact_id: i64) -> Form {
        Form {
            kind: FormKind::Amend {
                case_ref: case_ref.to_string(),
                contact_id,
            },
            title: format!("Amend contact #{contact_id} (the original stays visible)"),
            fields: vec![
                line(
                    "reason",
                    "Reason",
                    "why the record needs amending",
                    String::new(),
                ),
                text("text", "Amendment", ""),
            ],
            focus: 0,
            error: None,
            draft_from: None,
            after_cr: false,
        }
    }

    pub fn to_amendment(&self) -> Result<NewAmendment, String> {
        let a = NewAmendment {
            reason: self.text("reason"),
            text: self.text("text"),
        };
        a.validate().map_err(|e| e.to_string())?;
        Ok(a)
    }

    pub fn reveal(case_ref: &str) -> Form {
        Form {
            kind: FormKind::Reveal {
                case_ref: case_ref.to_string(),
            },
            title: format!("Reveal identity · {case_ref} (audited)"),
            fields: vec![line(
                "reason",
                "Reason",
                "why you need the identity now; this is recorded",
                String::new(),
            )],
            focus: 0,
            error: None,
            draft_from: None,
            after_cr: false,
        }
    }

    pub fn item_note(
        case_ref: &str,
        template: &str,
        item: &str,
        version: i64,
        status: ItemStatus,
        note: &str,
    ) -> Form {
        let title = if status == ItemStatus::Unable {
            format!("Unable to complete {item}: why?")
        } else {
            format!("Note on {item} ({})", status.label())
        };
        Form {
            kind: FormKind::ItemNote {
                case_ref: case_ref.to_string(),
                template: template.to_string(),
                item: item.to_string(),
                version,
                status,
            },
            title,
            fields: vec![text("note", "Note", note)],
            focus: 0,
            error: None,
            draft_from: None,
            after_cr: false,
        }
    }

    pub fn to_item_update(&self) -> Result<ItemUpdate, String> {
        let FormKind::ItemNote { status, .. } = &self.kind else {
            return Err("not a checklist note".to_string());
        };
        let u = ItemUpdate {
            status: *status,
            note: self.text("note"),
        };
        u.validate().map_err(|e| e.to_string())?;
        Ok(u)
    }
}

/// The sign-in form (screen, or overlay when a session expires).
#[derive(Debug, Clone, Default)]
pub struct LoginForm {
    pub username: String,
    pub password: String,
    /// 0 = username, 1 = password.
    pub focus: usize,
    pub error: Option<String>,
    pub busy: bool,
    /// Why the form is shown (e.g. "Your session expired").
    pub reason: Option<String>,
}
