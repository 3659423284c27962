//! Checklist templates and the state of their items on a case: the core JAR response started
//! for every death (`core`), and supplements by presentation (SUDI/SUDIC, asthma, suicide,
//! trauma and external causes, neonatal/SUPC).
//!
//! Templates are versioned TOML files under `crates/jar-core/checklists/`, compiled into the
//! binary. A published version is frozen: a case keeps the version it was started with, a new
//! version is a new file, and [`template_version`] finds the one a case started with.

use crate::role::Agency;
use crate::timeline::EventKind;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;
use utoipa::ToSchema;

/// The template files shipped with this build, as (file name, TOML text). Every published
/// version stays here for the cases started on it; a new version is a new file.
pub const BUILT_IN: [(&str, &str); 10] = [
    ("sudi.toml", include_str!("../checklists/sudi.toml")),
    ("asthma.toml", include_str!("../checklists/asthma.toml")),
    ("suicide.toml", include_str!("../checklists/suicide.toml")),
    ("core.toml", include_str!("../checklists/core.toml")),
    ("trauma.toml", include_str!("../checklists/trauma.toml")),
    ("neonatal.toml", include_str!("../checklists/neonatal.toml")),
    // Issue 14 section 3: the clinical review's fixes, for cases started from now on.
    ("sudi-v2.toml", include_str!("../checklists/sudi-v2.toml")),
    (
        "asthma-v2.toml",
        include_str!("../checklists/asthma-v2.toml"),
    ),
    (
        "suicide-v2.toml",
        include_str!("../checklists/suicide-v2.toml"),
    ),
    (
        "trauma-v2.toml",
        include_str!("../checklists/trauma-v2.toml"),
    ),
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Template {
    pub id: String,
    pub version: u32,
    pub title: String,
    pub description: String,
    pub items: Vec<TemplateItem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateItem {
    pub id: String,
    pub section: String,
    pub text: String,
    pub owners: Vec<Agency>,
    pub help: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<Window>,
    /// Maltreatment pointers and the like: key workers receive the item's status but never
    /// its note (domain.md section 10, "tipping off").
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub restricted: bool,
    /// Where the item comes from (every item of the core and of new supplements names one).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub source: String,
    /// A timed sample: the item records *when the sample was taken* (`ItemState::taken_at`),
    /// not when it was ticked, and the timeline's "Samples taken" closes it too (issue 14 §2).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sample: bool,
    /// To be done in the ED before the child is transferred to the mortuary (RCPath 2016): a
    /// time-critical item with no clock of its own; if it cannot be done in time it is
    /// deferred to the post-mortem (issue 14 §3).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub before_transfer: bool,
    /// The timeline event that stands for this step: recording it closes the item too (done,
    /// with the event's time as the time taken). Conditional samples (tryptase "if anaphylaxis
    /// is possible") name none, so an event never ticks what may not apply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_by: Option<EventKind>,
}

impl TemplateItem {
    /// Time-critical: a window in hours, or "in the ED before transfer". Such items left open
    /// (or unable) are the `!` counts of the board and the Checklists tab.
    pub fn is_time_critical(&self) -> bool {
        self.window.is_some() || self.before_transfer
    }

    /// The owners in words, "health + coroner".
    pub fn owners_label(&self) -> String {
        self.owners
            .iter()
            .map(|a| a.label())
            .collect::<Vec<_>>()
            .join(" + ")
    }
}

/// A time-critical window: the item must be done within `hours` of `from`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Window {
    pub hours: u32,
    pub from: WindowAnchor,
    #[serde(default)]
    pub hard: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WindowAnchor {
    Death,
    Notification,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("{file}: {message}")]
    Parse { file: String, message: String },
    #[error("{file}: item id {id} appears more than once")]
    DuplicateId { file: String, id: String },
    #[error("{file}: item {id} has no owning agency")]
    NoOwner { file: String, id: String },
    #[error("{file}: item {id} has an empty {field}")]
    EmptyField {
        file: String,
        id: String,
        field: &'static str,
    },
    #[error("{file}: item {id} has a window of {hours} hours (must be 1..=8760)")]
    BadWindow {
        file: String,
        id: String,
        hours: u32,
    },
}

/// Parse and check one template file.
pub fn parse_template(file: &str, text: &str) -> Result<Template, TemplateError> {
    let t: Template = toml::from_str(text).map_err(|e| TemplateError::Parse {
        file: file.to_string(),
        message: e.to_string(),
    })?;
    let mut seen = std::collections::HashSet::new();
    for item in &t.items {
        let err_id = || (file.to_string(), item.id.clone());
        if !seen.insert(item.id.as_str()) {
            let (file, id) = err_id();
            return Err(TemplateError::DuplicateId { file, id });
        }
        if item.owners.is_empty() {
            let (file, id) = err_id();
            return Err(TemplateError::NoOwner { file, id });
        }
        for (field, value) in [
            ("text", &item.text),
            ("section", &item.section),
            ("id", &item.id),
        ] {
            if value.trim().is_empty() || crate::text::check_line(field, value, 400).is_err() {
                let (file, id) = err_id();
                return Err(TemplateError::EmptyField { file, id, field });
            }
        }
        if let Some(w) = item.window
            && !(1..=8760).contains(&w.hours)
        {
            let (file, id) = err_id();
            return Err(TemplateError::BadWindow {
                file,
                id,
                hours: w.hours,
            });
        }
    }
    Ok(t)
}

/// The built-in templates, parsed once. A broken built-in file is a build defect caught by the
/// tests, so this panics only if the tests were skipped.
pub fn templates() -> &'static [Template] {
    static CELL: OnceLock<Vec<Template>> = OnceLock::new();
    CELL.get_or_init(|| {
        BUILT_IN
            .iter()
            .map(|(file, text)| {
                parse_template(file, text)
                    .unwrap_or_else(|e| panic!("built-in checklist broken: {e}"))
            })
            .collect()
    })
}

/// The newest version of a template: what a *new* checklist is started with. Anything about a
/// checklist already started reads [`template_version`] with the version stored on the case
/// (or [`started`]): a case keeps the version it started with.
pub fn template(id: &str) -> Option<&'static Template> {
    templates()
        .iter()
        .filter(|t| t.id == id)
        .max_by_key(|t| t.version)
}

/// A template at the version a case started with; never silently another version.
pub fn template_version(id: &str, version: u32) -> Option<&'static Template> {
    templates()
        .iter()
        .find(|t| t.id == id && t.version == version)
}

/// The templates of a case's started checklists, each at the version it was started with, as
/// (template id, version) pairs are stored with the case. A pair this build does not ship is
/// left out rather than read as another version.
pub fn started<'a>(
    checklists: impl IntoIterator<Item = &'a (String, u32)>,
) -> impl Iterator<Item = &'static Template> {
    checklists
        .into_iter()
        .filter_map(|(id, v)| template_version(id, *v))
}

/// The ids of the built-in templates as an enum, for the OpenAPI document (`StartChecklist`).
pub fn template_id_schema() -> utoipa::openapi::schema::Object {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(newest_ids()))
        .build()
}

/// The path segments that name a built-in template and one of its items, for the OpenAPI
/// document (`PUT .../checklists/{template}/items/{item}`): every item id of every template.
pub fn item_id_schema() -> utoipa::openapi::schema::Object {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(
            templates()
                .iter()
                .flat_map(|t| t.items.iter().map(|i| i.id.clone()))
                .collect::<std::collections::BTreeSet<_>>(),
        ))
        .build()
}

/// Each template id once, in the order of [`BUILT_IN`].
fn newest_ids() -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for t in templates() {
        if !ids.contains(&t.id) {
            ids.push(t.id.clone());
        }
    }
    ids
}

impl Template {
    pub fn item(&self, id: &str) -> Option<&TemplateItem> {
        self.items.iter().find(|i| i.id == id)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    Open,
    Done,
    NotApplicable,
    /// Tried and could not be done (with a note why). *Unable is not done*: the item stays in
    /// the open and time-critical counts (issue 14).
    Unable,
    /// A sample that could not be taken in the ED before transfer, left to the post-mortem
    /// (with a note): closed for the JAR team, the pathologist takes it.
    DeferredToPostMortem,
}

impl ItemStatus {
    pub fn label(self) -> &'static str {
        match self {
            ItemStatus::Open => "open",
            ItemStatus::Done => "done",
            ItemStatus::NotApplicable => "n/a",
            ItemStatus::Unable => "unable",
            ItemStatus::DeferredToPostMortem => "deferred to PM",
        }
    }

    /// Unable and deferred to the post-mortem need a note saying why.
    pub fn needs_note(self) -> bool {
        matches!(self, ItemStatus::Unable | ItemStatus::DeferredToPostMortem)
    }

    /// A symbol that still reads without colour, in ASCII.
    pub fn mark(self) -> &'static str {
        match self {
            ItemStatus::Open => "[ ]",
            ItemStatus::Done => "[x]",
            ItemStatus::NotApplicable => "[-]",
            ItemStatus::Unable => "[!]",
            ItemStatus::DeferredToPostMortem => "[p]",
        }
    }

    /// Done, not applicable and deferred to the post-mortem close an item; *unable* does not
    /// (issue 14: unable is not done, it stays open and counted). Setting an item back to
    /// open reopens it (audited like every write).
    pub fn is_closed(self) -> bool {
        matches!(
            self,
            ItemStatus::Done | ItemStatus::NotApplicable | ItemStatus::DeferredToPostMortem
        )
    }
}

/// The state of one item on one case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemState {
    pub item_id: String,
    pub status: ItemStatus,
    /// `None` when the reader may not see it (restricted items for key workers).
    pub note: Option<String>,
    pub updated_by: Option<String>,
    pub updated_at: Option<DateTime<Utc>>,
    pub version: i64,
    /// When the step was done, if said: for a timed sample, when it was taken (given in the
    /// TUI, or the time of the timeline event that closed it), which is what a sample window
    /// is judged by, not `updated_at`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taken_at: Option<DateTime<Utc>>,
}

impl ItemState {
    pub fn new_open(item_id: &str) -> Self {
        ItemState {
            item_id: item_id.to_string(),
            status: ItemStatus::Open,
            note: Some(String::new()),
            updated_by: None,
            updated_at: None,
            version: 1,
            taken_at: None,
        }
    }

    /// When the step happened: the sample's time if given, else when it was recorded.
    pub fn done_at(&self) -> Option<DateTime<Utc>> {
        self.taken_at.or(self.updated_at)
    }
}

/// Count of closed items, total and open time-critical items.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Progress {
    pub done: u32,
    pub total: u32,
    pub open_time_critical: u32,
}

impl Progress {
    /// The board's CHECKS column in at most 8 columns: "18/45 !6", or "47/59!12" when the
    /// space would not fit. Never cut: a cut "!22" read as "!2" (issue 14 §3).
    pub fn short(self) -> String {
        if self.total == 0 {
            return "-".to_string();
        }
        let ratio = format!("{}/{}", self.done, self.total);
        if self.open_time_critical == 0 {
            return ratio;
        }
        let spaced = format!("{ratio} !{}", self.open_time_critical);
        if spaced.chars().count() <= 8 {
            spaced
        } else {
            format!("{ratio}!{}", self.open_time_critical)
        }
    }

    /// The same count in words, for the Checklists tab and the case header.
    pub fn words(self) -> String {
        let mut s = format!("{}/{} done", self.done, self.total);
        if self.open_time_critical > 0 {
            s.push_str(&format!(
                ", !{} time-critical open",
                self.open_time_critical
            ));
        }
        s
    }
}

impl std::ops::Add for Progress {
    type Output = Progress;
    fn add(self, other: Progress) -> Progress {
        Progress {
            done: self.done + other.done,
            total: self.total + other.total,
            open_time_critical: self.open_time_critical + other.open_time_critical,
        }
    }
}

/// Progress of a checklist instance: the one count the board's CHECKS column and the
/// Checklists tab both show (issue 14 §3). `done` counts closed items (done, n/a, deferred to
/// PM); *unable* is not done and stays in `open_time_critical` when the item is time-critical.
pub fn progress(template: &Template, states: &[ItemState]) -> Progress {
    let mut p = Progress {
        total: template.items.len() as u32,
        ..Progress::default()
    };
    for item in &template.items {
        let status = states
            .iter()
            .find(|s| s.item_id == item.id)
            .map(|s| s.status)
            .unwrap_or(ItemStatus::Open);
        if status.is_closed() {
            p.done += 1;
        } else if item.is_time_critical() {
            p.open_time_critical += 1;
        }
    }
    p
}

/// Progress of every checklist started on a case, summed: the board's CHECKS column, the case
/// header and the sum of the Checklists tab's headings are this one number. `checklists` are
/// the (template id, version) pairs stored with the case; `items` the (template id, state) of
/// every item written at least once.
pub fn case_progress(checklists: &[(String, u32)], items: &[(String, ItemState)]) -> Progress {
    started(checklists)
        .map(|t| {
            let states: Vec<ItemState> = items
                .iter()
                .filter(|(tid, _)| tid == &t.id)
                .map(|(_, s)| s.clone())
                .collect();
            progress(t, &states)
        })
        .fold(Progress::default(), |a, b| a + b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_template_parses_with_unique_ids_and_owners() {
        for (file, text) in BUILT_IN {
            let t = parse_template(file, text).unwrap_or_else(|e| panic!("{e}"));
            assert!(t.items.iter().all(|i| !i.owners.is_empty()), "{file}");
        }
    }

    #[test]
    fn templates_meet_the_minimum_sizes() {
        // Version 2 of the SUDI supplement leaves to the core what the core now holds: the two
        // together are what a SUDI case works through.
        let core = template("core").expect("core").items.len();
        assert!(core + template("sudi").expect("sudi").items.len() >= 40);
        assert!(template("asthma").expect("asthma").items.len() >= 15);
        assert!(template("suicide").expect("suicide").items.len() >= 15);
        assert!(template_version("sudi", 1).expect("sudi v1").items.len() >= 40);
    }

    #[test]
    fn the_nasopharyngeal_aspirate_has_a_hard_eight_hour_window_from_death() {
        let sudi = template("sudi").expect("sudi");
        let npa = sudi.item("SUDI-B05").expect("SUDI-B05");
        let w = npa.window.expect("window");
        assert_eq!((w.hours, w.from, w.hard), (8, WindowAnchor::Death, true));
    }

    #[test]
    fn maltreatment_pointers_are_restricted() {
        assert!(
            template("sudi")
                .expect("sudi")
                .item("SUDI-A13")
                .expect("A13")
                .restricted
        );
    }

    #[test]
    fn a_duplicate_item_id_is_refused() {
        let text = r#"
id = "x"
version = 1
title = "X"
description = "d"
[[items]]
id = "A"
section = "S"
text = "t"
owners = ["health"]
help = "h"
[[items]]
id = "A"
section = "S"
text = "t"
owners = ["police"]
help = "h"
"#;
        assert!(matches!(
            parse_template("x.toml", text),
            Err(TemplateError::DuplicateId { .. })
        ));
    }

    #[test]
    fn an_unknown_field_or_agency_is_refused() {
        let bad_agency = "id='x'\nversion=1\ntitle='X'\ndescription='d'\n[[items]]\nid='A'\nsection='S'\ntext='t'\nowners=['fire']\nhelp='h'\n";
        assert!(parse_template("x.toml", bad_agency).is_err());
        let unknown = "id='x'\nversion=1\ntitle='X'\ndescription='d'\ncolour='red'\nitems=[]\n";
        assert!(parse_template("x.toml", unknown).is_err());
    }
}
