//! Forms: a list of fields, one focused. Every form is built here from domain enums and turned
//! back into a wire type on submit, so `update` only moves focus and routes keys.

use chrono::{DateTime, Utc};
use jar_core::case::{JarCriterion, PlaceOfDeath, PresentingCategory, Sex};
use jar_core::checklist::ItemStatus;
use jar_core::contact::{
    ContactCorrection, ContactMode, ContactPurpose, Direction, NewAmendment, NewContact, Outcome,
    SupportGiven, SupportResponse,
};
use jar_core::timeline::EventKind;
use jar_core::wire::{ItemUpdate, NewCase, NewCaseTimes, NewTimelineEvent};
use tui_textarea::TextArea;

use super::{CaseRef, ItemAddr};
use crate::timeparse::{Tense, format_local, parse_optional, parse_when};

/// What the form is for; carries what the submit needs besides the fields.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum FormKind {
    Contact {
        case_ref: CaseRef,
        /// The services the support fields offer, as (catalogue id, name), in the order shown
        /// (the area's catalogue, those for the case's category first; issue 16 §1).
        #[serde(default)]
        services: Vec<(String, String)>,
    },
    Notify,
    AddEvent {
        case_ref: CaseRef,
    },
    Correction {
        case_ref: CaseRef,
        corrects: i64,
    },
    Amend {
        case_ref: CaseRef,
        contact_id: i64,
    },
    Reveal {
        case_ref: CaseRef,
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
    /// Raise a family question (issue 16 §2).
    Question {
        case_ref: CaseRef,
    },
    /// Move a family question to its next step.
    QuestionStep {
        case_ref: CaseRef,
        question_id: i64,
        status: jar_core::questions::QuestionStatus,
    },
    ItemNote {
        #[serde(flatten)]
        addr: ItemAddr,
        version: i64,
        status: ItemStatus,
        /// A sample marked done: the form asks when it was taken (issue 14 §2).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        taken: bool,
    },
    /// Correct the case facts (issue 14 §1): the facts as they were when the form opened,
    /// which the form starts from and sends the difference to.
    CaseFacts {
        case_ref: String,
        version: i64,
        base: Box<jar_core::wire::CasePatch>,
    },
    /// Mark a deadline not applicable, or applicable again (issue 14 §2): the deadlines
    /// offered (rule id, words, marked now).
    DeadlineNa {
        case_ref: String,
        version: i64,
        deadlines: Vec<super::facts_form::NaChoice>,
    },
    /// The on-call handover (issue 17 §1): the drafted entries and who may receive it.
    Handover {
        entries: Vec<jar_core::handover::HandoverEntry>,
        candidates: Vec<String>,
    },
    /// The audit screen's filters (issue 17 §2): read, not written.
    AuditFilter,
    /// A new user of some of the manager's areas (issue 17 §2).
    AddUser {
        areas: Vec<String>,
    },
    /// Disable, reset the password of, or end the cover of a user, once confirmed.
    ConfirmUser {
        username: String,
        change: super::desk::UserChange,
    },
    /// A key worker's cover period (issue 15 §4).
    SetCover {
        covered: String,
        candidates: Vec<String>,
    },
    /// Withdraw a notification made in error (issue 15 §3).
    Withdraw {
        case_ref: String,
        version: i64,
    },
    /// Link a case that is the same death (issue 15 §3).
    LinkDuplicate {
        case_ref: String,
        version: i64,
    },
}

impl FormKind {
    /// Drafts are kept per kind: reopening the same form restores what was typed.
    pub fn same_draft(&self, other: &FormKind) -> bool {
        match (self, other) {
            // One handover draft at a time: its drafted parts move with the clock.
            (FormKind::Handover { .. }, FormKind::Handover { .. }) => true,
            // A contact draft is the case's, whichever catalogue it was opened with (the
            // area's, or the national one while offline): it keeps its own list of services,
            // so its ticks still name the services they were made against.
            (FormKind::Contact { case_ref: a, .. }, FormKind::Contact { case_ref: b, .. }) => {
                a == b
            }
            _ => self == other,
        }
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

/// A correction: "(unchanged)" first, then the values.
fn unchanged_or<'a>(
    key: &'static str,
    label: &'static str,
    values: impl Iterator<Item = &'a str>,
) -> Field {
    let options = std::iter::once("(unchanged)")
        .chain(values)
        .map(str::to_string)
        .collect();
    choice(key, label, options, 0)
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

/// A choice over the real values of an enum: the field is built from `T` and read back as
/// `T`, so no index is ever clamped or looked up in a second list.
pub struct Choice<T: Copy + PartialEq + 'static> {
    pub key: &'static str,
    pub label: &'static str,
    pub all: &'static [T],
    /// Values of `all` never offered (e.g. a correction is not picked from a list).
    pub except: &'static [T],
    pub words: fn(T) -> &'static str,
}

impl<T: Copy + PartialEq + 'static> Choice<T> {
    fn values(&self) -> Vec<T> {
        self.all
            .iter()
            .copied()
            .filter(|v| !self.except.contains(v))
            .collect()
    }

    /// The field, with the first value chosen.
    pub fn field(&self) -> Field {
        let options = self
            .values()
            .into_iter()
            .map(|v| (self.words)(v).to_string());
        choice(self.key, self.label, options.collect(), 0)
    }

    /// The value chosen in `form`.
    pub fn get(&self, form: &Form) -> T {
        let values = self.values();
        values
            .get(form.choice(self.key))
            .or(values.first())
            .copied()
            .unwrap_or(self.all[0])
    }
}

/// Several values of an enum, ticked.
pub struct Multi<T: Copy + 'static> {
    pub key: &'static str,
    pub label: &'static str,
    pub all: &'static [T],
    pub words: fn(T) -> &'static str,
}

impl<T: Copy + 'static> Multi<T> {
    pub fn field(&self) -> Field {
        multi(self.key, self.label, labels(self.all, self.words))
    }

    pub fn get(&self, form: &Form) -> Vec<T> {
        form.chosen(self.key)
            .into_iter()
            .filter_map(|i| self.all.get(i).copied())
            .collect()
    }
}

/// A UK time typed in words `crate::timeparse` reads ("now", "-2h", "23:30", "yesterday
/// 23:30", a date): whether it records something that happened or something due (a bare
/// clock time is the last one or the next one), and what an empty field means. Shown under
/// the field in words before saving (`Form::time_preview`).
pub struct Time {
    pub key: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
    pub tense: Tense,
    /// An empty field means now (else "not known": `optional` gives `None`).
    pub empty_is_now: bool,
}

impl Time {
    /// Showing the time the form opens, until the person sets it.
    pub fn now_field(&self, now: DateTime<Utc>) -> Field {
        now_line(self.key, self.label, self.hint, now)
    }

    pub fn field(&self, initial: &str) -> Field {
        line(self.key, self.label, self.hint, initial.to_string())
    }

    /// A time that must be given (empty: now); errors name the field.
    pub fn required(&self, form: &Form, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
        parse_when(&form.text(self.key), now, self.tense)
            .map_err(|e| format!("{}: {e}", self.label))
    }

    /// Empty: not given.
    pub fn optional(
        &self,
        form: &Form,
        now: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, String> {
        parse_optional(&form.text(self.key), now, self.tense)
            .map_err(|e| format!("{}: {e}", self.label))
    }

    /// What the field will save, in words ("yesterday 23:30 GMT, 1h30m ago"), or why it
    /// will not parse.
    pub fn preview(&self, form: &Form, now: DateTime<Utc>) -> Result<String, String> {
        crate::timeparse::preview(&form.text(self.key), now, self.tense, self.empty_is_now)
    }
}

/// Text: one line (`multi_line: false`) or a text box.
pub struct Text {
    pub key: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
    pub multi_line: bool,
}

impl Text {
    pub fn field(&self, initial: &str) -> Field {
        if self.multi_line {
            Field {
                hint: if self.hint.is_empty() {
                    "Enter is a newline; Ctrl-S saves"
                } else {
                    self.hint
                },
                ..text(self.key, self.label, initial)
            }
        } else {
            line(self.key, self.label, self.hint, initial.to_string())
        }
    }

    pub fn get(&self, form: &Form) -> String {
        form.text(self.key)
    }
}

const fn one_line(key: &'static str, label: &'static str, hint: &'static str) -> Text {
    Text {
        key,
        label,
        hint,
        multi_line: false,
    }
}

const fn text_box(key: &'static str, label: &'static str) -> Text {
    Text {
        key,
        label,
        hint: "",
        multi_line: true,
    }
}

const PRESENT: Text = one_line(
    "present",
    "Who was present",
    "comma separated: mother, father, KW",
);
const SUMMARY: Text = text_box("summary", "Summary");
const QUESTIONS: Text = one_line(
    "questions",
    "Questions for the CDRM",
    "separate questions with ;",
);
const AGE: Text = one_line("age", "Age in months", "whole months, e.g. 4");
const DECIDED_BY: Text = one_line("decided_by", "Decided by", "who decided the criteria apply");
const RATIONALE: Text = text_box("rationale", "Rationale");
const EVENT_NOTE: Text = text_box("note", "Note");
const WHAT_WAS_WRONG: Text = text_box("note", "What was wrong");
const AMEND_REASON: Text = one_line("reason", "Reason", "why the record needs amending");
const AMEND_TEXT: Text = text_box("text", "Amendment");
const FIX_NEXT: Text = one_line(
    "fix_next",
    "Correct next contact due",
    "empty: unchanged; none: no contact planned; +7d, 30 Nov 14:00",
);
const REVEAL_REASON: Text = one_line(
    "reason",
    "Reason",
    "why you need the identity now; this is recorded",
);
const ITEM_NOTE: Text = text_box("note", "Note");
const TAKEN_AT: Time = Time {
    key: "taken",
    label: "Sample taken at",
    hint: "UK time it was taken: 23:30 (last one), -40m",
    tense: Tense::Happened,
    empty_is_now: true,
};

const DIRECTION: Choice<Direction> = Choice {
    key: "direction",
    label: "Direction",
    all: &Direction::ALL,
    except: &[],
    words: Direction::label,
};
const MODE: Choice<ContactMode> = Choice {
    key: "mode",
    label: "Mode",
    all: &ContactMode::OFFERED,
    except: &[],
    words: ContactMode::label,
};
const PURPOSE: Choice<ContactPurpose> = Choice {
    key: "purpose",
    label: "Purpose",
    all: &ContactPurpose::ALL,
    except: &[],
    words: ContactPurpose::label,
};
const OUTCOME: Choice<Outcome> = Choice {
    key: "outcome",
    label: "Outcome",
    all: &Outcome::ALL,
    except: &[],
    words: Outcome::label,
};
/// The support fields: one tick list each over the area's services (issue 16 §1). A service
/// ticked as accepted or declined was offered; referred is recorded beside the response.
const SUPPORT_FIELDS: [(&str, &str, &str); 4] = [
    (
        "support_offered",
        "Support offered",
        "Up/Down, Space: services offered, family undecided",
    ),
    (
        "support_accepted",
        "Support accepted",
        "Up/Down, Space: services the family accepted",
    ),
    (
        "support_declined",
        "Support declined",
        "Up/Down, Space: services the family declined",
    ),
    (
        "support_referred",
        "Referrals made",
        "Up/Down, Space: services you referred the family to",
    ),
];

fn check(key: &'static str, label: &'static str) -> Field {
    Field {
        key,
        label,
        hint: "Space to tick",
        value: Value::Check(false),
        follows_now: false,
        edited: false,
    }
}

/// The services of a catalogue as the contact form offers them: (id, name).
pub fn service_choices(c: &jar_core::support::Catalogue) -> Vec<(String, String)> {
    c.services()
        .map(|(_, s)| (s.id.clone(), s.name.clone()))
        .collect()
}
const CONTACT_WHEN: Time = Time {
    key: "when",
    label: "When",
    hint: "UK time: 23:30 (last one), yesterday 23:30, -2h, 1 Dec 14:30",
    tense: Tense::Happened,
    empty_is_now: true,
};
const NEXT_CONTACT: Time = Time {
    key: "next",
    label: "Next contact due",
    hint: "+7d, 10am (next one), 30 Nov 14:00 or empty",
    tense: Tense::Due,
    empty_is_now: false,
};
const PLACE: Choice<PlaceOfDeath> = Choice {
    key: "place",
    label: "Place of death",
    all: &[
        PlaceOfDeath::Home,
        PlaceOfDeath::Hospital,
        PlaceOfDeath::PublicPlace,
        PlaceOfDeath::Other,
    ],
    except: &[],
    words: PlaceOfDeath::label,
};
const SEX: Choice<Sex> = Choice {
    key: "sex",
    label: "Sex",
    all: &[Sex::Female, Sex::Male, Sex::Indeterminate, Sex::NotKnown],
    except: &[],
    words: Sex::label,
};
const CATEGORY: Choice<PresentingCategory> = Choice {
    key: "category",
    label: "Presenting category",
    all: &PresentingCategory::ALL,
    except: &[],
    words: PresentingCategory::label,
};
const CRITERIA: Multi<JarCriterion> = Multi {
    key: "criteria",
    label: "JAR criteria",
    all: &JarCriterion::ALL,
    words: JarCriterion::label,
};
const FOUND: Time = Time {
    key: "found",
    label: "Found at",
    hint: "UK time; empty if not known",
    tense: Tense::Happened,
    empty_is_now: false,
};
const CONFIRMED: Time = Time {
    key: "confirmed",
    label: "Death confirmed at",
    hint: "UK time; empty if not known",
    tense: Tense::Happened,
    empty_is_now: false,
};
const EVENT_KIND: Choice<EventKind> = Choice {
    key: "kind",
    label: "What happened",
    all: &EventKind::ALL,
    except: &[EventKind::Correction],
    words: EventKind::label,
};
const EVENT_WHEN: Time = Time {
    key: "when",
    label: "When",
    hint: "UK time: 23:30 (last one), yesterday 23:30, -2h",
    tense: Tense::Happened,
    empty_is_now: true,
};

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
            FormKind::Contact { case_ref, services } => {
                Form::contact_offering(case_ref, services.clone(), now)
            }
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
            FormKind::Question { case_ref } => super::question_form::form(case_ref),
            FormKind::QuestionStep {
                case_ref,
                question_id,
                status,
            } => super::question_form::step_form(case_ref, *question_id, *status),
            FormKind::Assign {
                case_ref,
                version,
                candidates,
            } => super::assign_form::form(case_ref, *version, candidates.clone()),
            FormKind::Identity { case_ref, version } => {
                super::identity_form::form(case_ref, *version, None)
            }
            FormKind::ItemNote {
                addr,
                version,
                taken: true,
                ..
            } => Form::sample_taken(addr, *version, "", now),
            FormKind::ItemNote {
                addr,
                version,
                status,
                ..
            } => Form::item_note(addr, *version, *status, ""),
            FormKind::CaseFacts {
                case_ref,
                version,
                base,
            } => super::facts_form::form(case_ref, *version, (**base).clone()),
            FormKind::DeadlineNa {
                case_ref,
                version,
                deadlines,
            } => super::facts_form::na_form(case_ref, *version, deadlines.clone()),
            FormKind::Handover {
                entries,
                candidates,
            } => super::handover_form::form(entries.clone(), candidates.clone()),
            FormKind::AuditFilter => {
                super::desk::audit_filter_form(&crate::api::desk::AuditQuery::default())
            }
            FormKind::AddUser { areas } => super::desk::add_user_form(areas),
            FormKind::ConfirmUser { username, change } => {
                super::desk::confirm_form(username, *change, &[])
            }
            FormKind::SetCover {
                covered,
                candidates,
            } => {
                let mut all = candidates.clone();
                all.push(covered.clone());
                super::desk::cover_form(covered, &all, now)
            }
            FormKind::Withdraw { case_ref, version } => {
                super::withdraw_form::withdraw(case_ref, *version)
            }
            FormKind::LinkDuplicate { case_ref, version } => {
                super::withdraw_form::link(case_ref, *version)
            }
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

    /// The time field `key` of this form, if it is one.
    pub fn time(&self, key: &str) -> Option<&'static Time> {
        let fields: &[&'static Time] = match &self.kind {
            FormKind::Contact { .. } => &[&CONTACT_WHEN, &NEXT_CONTACT],
            FormKind::Notify => &[&FOUND, &CONFIRMED],
            FormKind::AddEvent { .. } => &[&EVENT_WHEN],
            FormKind::CaseFacts { .. } => &super::facts_form::TIMES,
            FormKind::ItemNote { taken: true, .. } => &[&TAKEN_AT],
            _ => &[],
        };
        fields.iter().copied().find(|t| t.key == key)
    }

    /// For a time field: whether it records something that happened or something due, and
    /// whether an empty field means now (else "not known"). `None` for other fields.
    pub fn time_field(&self, key: &str) -> Option<(Tense, bool)> {
        self.time(key).map(|t| (t.tense, t.empty_is_now))
    }

    /// What a time field will save, in words ("yesterday 23:30 GMT, 1h30m ago"), or why it
    /// will not parse; shown under the field before saving. `None` for other fields.
    pub fn time_preview(&self, key: &str, now: DateTime<Utc>) -> Option<Result<String, String>> {
        if let Some(matches) = super::assign_form::preview(self, key) {
            return Some(matches);
        }
        if let Some(matches) = super::handover_form::preview(self, key) {
            return Some(matches);
        }
        self.time(key).map(|t| t.preview(self, now))
    }

    /// Contact form (key workers, managers) offering the national support catalogue.
    pub fn contact(case_ref: &str, now: DateTime<Utc>) -> Form {
        let services = service_choices(jar_core::support::Catalogue::national());
        Form::contact_offering(case_ref, services, now)
    }

    /// Contact form offering these services (id, name): `when` defaults to now.
    pub fn contact_offering(
        case_ref: &str,
        services: Vec<(String, String)>,
        now: DateTime<Utc>,
    ) -> Form {
        let names: Vec<String> = services.iter().map(|(_, n)| n.clone()).collect();
        let support = SUPPORT_FIELDS.iter().map(|&(key, label, hint)| Field {
            hint,
            ..multi(key, label, names.clone())
        });
        // The first six stay where v1 had them (people's habits, and the summary is five
        // Tabs down); what is new follows the summary.
        let fields = vec![
            CONTACT_WHEN.now_field(now),
            DIRECTION.field(),
            MODE.field(),
            PRESENT.field(""),
            PURPOSE.field(),
            SUMMARY.field(""),
            check("interpreter", "Interpreter used"),
            OUTCOME.field(),
        ]
        .into_iter()
        .chain(support)
        .chain([
            check("leaflet", "CDR leaflet given"),
            QUESTIONS.field(""),
            check("safeguarding", "Safeguarding concern"),
            NEXT_CONTACT.field("+7d"),
        ])
        .collect();
        Form {
            kind: FormKind::Contact {
                case_ref: case_ref.into(),
                services,
            },
            title: format!("Log a contact with the family · {case_ref}"),
            fields,
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
            occurred_at: CONTACT_WHEN.required(self, now)?,
            direction: DIRECTION.get(self),
            mode: MODE.get(self),
            participants: split(PRESENT.get(self), ','),
            purpose: PURPOSE.get(self),
            summary: SUMMARY.get(self),
            family_questions: split(QUESTIONS.get(self), ';'),
            support_offered: Vec::new(),
            safeguarding_concern: self.checked("safeguarding"),
            outcome: OUTCOME.get(self),
            next_contact_due: NEXT_CONTACT.optional(self, now)?,
            interpreter: self.checked("interpreter"),
            support: self.support()?,
            cdr_leaflet_given: self.checked("leaflet"),
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

    /// The support ticked, one entry per service: accepted or declined if ticked so (not
    /// both), else offered; a referral alone counts as offered.
    fn support(&self) -> Result<Vec<SupportGiven>, String> {
        let FormKind::Contact { services, .. } = &self.kind else {
            return Ok(Vec::new());
        };
        let ticked = |key: &str| self.chosen(key);
        let [offered, accepted, declined, referred] = SUPPORT_FIELDS.map(|(k, _, _)| ticked(k));
        let mut out = Vec::new();
        for (i, (id, name)) in services.iter().enumerate() {
            let (a, d) = (accepted.contains(&i), declined.contains(&i));
            if a && d {
                return Err(format!(
                    "Support: {name} is ticked both accepted and declined"
                ));
            }
            let r = referred.contains(&i);
            if !(a || d || r || offered.contains(&i)) {
                continue;
            }
            let response = if a {
                SupportResponse::Accepted
            } else if d {
                SupportResponse::Declined
            } else {
                SupportResponse::Offered
            };
            out.push(SupportGiven {
                service: id.clone(),
                name: name.clone(),
                response,
                referral_made: r,
            });
        }
        Ok(out)
    }

    /// Notification of a death: the essentials known in the first hour.
    pub fn notify(areas: &[String], username: &str, now: DateTime<Utc>) -> Form {
        Form {
            kind: FormKind::Notify,
            title: "Notify a death (new JAR case)".to_string(),
            fields: vec![
                FOUND.now_field(now),
                CONFIRMED.field(""),
                PLACE.field(),
                choice("area", "Area", areas.to_vec(), 0),
                AGE.field(""),
                SEX.field(),
                CATEGORY.field(),
                CRITERIA.field(),
                DECIDED_BY.field(username),
                RATIONALE.field(""),
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
        let area = match self.field("area").map(|f| &f.value) {
            Some(Value::Choice { options, index }) => options.get(*index).cloned(),
            _ => None,
        }
        .ok_or("Area: you have no areas to notify in")?;
        let age = AGE.get(self);
        let age_months: u16 = age
            .trim()
            .parse()
            .map_err(|_| "Age in months: type a whole number, e.g. 4".to_string())?;
        let c = NewCase {
            area,
            age_months,
            sex: SEX.get(self),
            place_of_death: PLACE.get(self),
            category: CATEGORY.get(self),
            times: NewCaseTimes {
                last_seen_at: None,
                found_at: FOUND.optional(self, now)?,
                death_confirmed_at: CONFIRMED.optional(self, now)?,
            },
            criteria: CRITERIA.get(self),
            decided_by: DECIDED_BY.get(self),
            rationale: RATIONALE.get(self),
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
        Form {
            kind: FormKind::AddEvent {
                case_ref: case_ref.into(),
            },
            title: format!("Add a timeline event · {case_ref}"),
            fields: vec![
                EVENT_KIND.field(),
                EVENT_WHEN.now_field(now),
                EVENT_NOTE.field(""),
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
                case_ref: case_ref.into(),
                corrects,
            },
            title: format!("Correct event #{corrects} ({what})"),
            fields: vec![WHAT_WAS_WRONG.field("")],
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
                note: WHAT_WAS_WRONG.get(self),
                corrects: Some(*corrects),
            },
            _ => NewTimelineEvent {
                kind: EVENT_KIND.get(self),
                occurred_at: Some(EVENT_WHEN.required(self, now)?),
                note: EVENT_NOTE.get(self),
                corrects: None,
            },
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
                case_ref: case_ref.into(),
                contact_id,
            },
            title: format!("Amend contact #{contact_id} (the original stays visible)"),
            fields: vec![
                AMEND_REASON.field(""),
                AMEND_TEXT.field(""),
                unchanged_or(
                    "fix_mode",
                    "Correct the mode",
                    ContactMode::OFFERED.iter().map(|m| m.label()),
                ),
                unchanged_or(
                    "fix_interpreter",
                    "Correct: interpreter",
                    ["used", "not used"].into_iter(),
                ),
                unchanged_or(
                    "fix_outcome",
                    "Correct the outcome",
                    Outcome::ALL.iter().map(|o| o.label()),
                ),
                unchanged_or(
                    "fix_leaflet",
                    "Correct: CDR leaflet",
                    ["given", "not given"].into_iter(),
                ),
                FIX_NEXT.field(""),
            ],
            focus: 0,
            error: None,
            draft_from: None,
            after_cr: false,
        }
    }

    /// The amendment with the structured corrections chosen (issue 16 §1); `now` reads the
    /// corrected next contact due.
    pub fn to_amendment(&self, now: DateTime<Utc>) -> Result<NewAmendment, String> {
        // Index 0 of every correction is "(unchanged)".
        let pick = |key: &str| self.choice(key).checked_sub(1);
        let next = FIX_NEXT.get(self);
        let no_next = next.trim().eq_ignore_ascii_case("none");
        let next_contact_due = if no_next {
            None
        } else {
            parse_optional(&next, now, Tense::Due)
                .map_err(|e| format!("{}: {e}", FIX_NEXT.label))?
        };
        let correct = ContactCorrection {
            mode: pick("fix_mode").and_then(|i| ContactMode::OFFERED.get(i).copied()),
            interpreter: pick("fix_interpreter").map(|i| i == 0),
            outcome: pick("fix_outcome").and_then(|i| Outcome::ALL.get(i).copied()),
            cdr_leaflet_given: pick("fix_leaflet").map(|i| i == 0),
            next_contact_due,
            no_next_contact: no_next,
            ..ContactCorrection::default()
        };
        let a = NewAmendment {
            reason: AMEND_REASON.get(self),
            text: AMEND_TEXT.get(self),
            correct: (!correct.is_empty()).then_some(correct),
        };
        a.validate().map_err(|e| e.to_string())?;
        Ok(a)
    }

    pub fn question(case_ref: &str) -> Form {
        super::question_form::form(case_ref)
    }

    pub fn reveal(case_ref: &str) -> Form {
        Form {
            kind: FormKind::Reveal {
                case_ref: case_ref.into(),
            },
            title: format!("Reveal identity · {case_ref} (audited)"),
            fields: vec![REVEAL_REASON.field("")],
            focus: 0,
            error: None,
            draft_from: None,
            after_cr: false,
        }
    }

    pub fn item_note(addr: &ItemAddr, version: i64, status: ItemStatus, note: &str) -> Form {
        let item = &addr.item;
        let title = if status == ItemStatus::Unable {
            format!("Unable to complete {item}: why?")
        } else {
            format!("Note on {item} ({})", status.label())
        };
        Form {
            kind: FormKind::ItemNote {
                addr: addr.clone(),
                version,
                status,
                taken: false,
            },
            title,
            fields: vec![ITEM_NOTE.field(note)],
            focus: 0,
            error: None,
            draft_from: None,
            after_cr: false,
        }
    }

    /// A sample marked done: when it was taken (the time a sample window is judged by, not
    /// the time it was ticked), then the note.
    pub fn sample_taken(addr: &ItemAddr, version: i64, note: &str, now: DateTime<Utc>) -> Form {
        Form {
            kind: FormKind::ItemNote {
                addr: addr.clone(),
                version,
                status: ItemStatus::Done,
                taken: true,
            },
            title: format!("Sample {} taken: when?", addr.item),
            fields: vec![TAKEN_AT.now_field(now), ITEM_NOTE.field(note)],
            focus: 0,
            error: None,
            draft_from: None,
            after_cr: false,
        }
    }

    /// The reason typed in a reveal form.
    pub fn reveal_reason(&self) -> String {
        REVEAL_REASON.get(self)
    }

    pub fn to_item_update(&self, now: DateTime<Utc>) -> Result<ItemUpdate, String> {
        let FormKind::ItemNote { status, taken, .. } = &self.kind else {
            return Err("not a checklist note".to_string());
        };
        let mut u = ItemUpdate::new(*status, ITEM_NOTE.get(self));
        if *taken {
            let at = TAKEN_AT.required(self, now)?;
            if let Some(p) = jar_core::plausibility::happened("", at, now) {
                return Err(format!("{}: {}", TAKEN_AT.label, p.message));
            }
            u.taken_at = Some(at);
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn pick(form: &mut Form, key: &str, i: usize) {
        if let Some(Value::Choice { index, .. }) = form.field_mut(key).map(|f| &mut f.value) {
            *index = i;
        }
    }

    fn fill(form: &mut Form, key: &str, text: &str) {
        match form.field_mut(key).map(|f| &mut f.value) {
            Some(Value::Line(l)) => *l = text.to_string(),
            Some(Value::Text(ta)) => *ta = text_area(text),
            _ => {}
        }
    }

    #[test]
    fn every_choice_reads_back_as_the_value_it_shows() {
        let now = Utc.with_ymd_and_hms(2026, 1, 10, 3, 12, 0).unwrap();
        for (i, want) in ContactMode::OFFERED.iter().enumerate() {
            let mut f = Form::contact("JAR-2026-0042", now);
            pick(&mut f, "mode", i);
            fill(&mut f, "summary", "Spoke to mother");
            let c = f.to_contact(now).expect("valid");
            assert_eq!(c.mode, *want);
            let shown = match &f.field("mode").expect("mode").value {
                Value::Choice { options, index } => options[*index].clone(),
                _ => String::new(),
            };
            assert_eq!(shown, want.label());
        }
        for (i, want) in SEX.all.iter().enumerate() {
            let mut f = Form::notify(&["Bristol".into()], "demo-paed", now);
            pick(&mut f, "sex", i);
            pick(&mut f, "place", i);
            fill(&mut f, "age", "4");
            if let Some(Value::Multi { chosen, .. }) = f.field_mut("criteria").map(|f| &mut f.value)
            {
                chosen[0] = true;
            }
            fill(&mut f, "rationale", "Found unresponsive");
            let c = f.to_new_case(now).expect("valid");
            assert_eq!(c.sex, *want);
            assert_eq!(c.place_of_death, PLACE.all[i]);
        }
        let offered: Vec<EventKind> = EVENT_KIND.values();
        assert!(!offered.contains(&EventKind::Correction));
        let last = offered.len() - 1;
        let mut f = Form::add_event("JAR-2026-0042", now);
        pick(&mut f, "kind", last);
        assert_eq!(f.to_event(now).expect("valid").kind, offered[last]);
    }

    #[test]
    fn a_time_that_does_not_read_names_its_field() {
        let now = Utc.with_ymd_and_hms(2026, 1, 10, 3, 12, 0).unwrap();
        let mut f = Form::contact("JAR-2026-0042", now);
        fill(&mut f, "summary", "Spoke to mother");
        fill(&mut f, "next", "tomorrowish");
        let e = f.to_contact(now).unwrap_err();
        assert!(e.starts_with("Next contact due:"), "{e}");
        fill(&mut f, "next", "");
        assert_eq!(f.to_contact(now).expect("valid").next_contact_due, None);
    }

    #[test]
    fn a_restored_text_puts_the_cursor_after_the_last_word() {
        // Typing on after a restored draft continues it, never starts before it (issue 18 §1).
        let ta = text_area("Spoke to mother\nabout the PM");
        assert_eq!(ta.cursor(), (1, "about the PM".chars().count()));
    }
}
