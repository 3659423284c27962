//! The last fetched copy of the board and of each case the person opened (issue 12 §3), kept
//! beside the journal as `<scope>.cache`, sealed under the same key, so a case viewed earlier
//! opens when the server cannot be reached ("as of 14:02 — offline"). Per person and server
//! like the journal: another person never sees it.
//!
//! It is a cache: a file that does not read is ignored (and replaced at the next save), never
//! reported or kept aside; it is written atomically but not fsynced.

use chrono::{DateTime, Utc};
use jar_core::case::{Flags, PresentingCategory, Stage};
use jar_core::checklist::Progress;
use jar_core::contact::Contact;
use jar_core::timeline::TimelineEvent;
use jar_core::wire::{CaseDetail, ChecklistView};
use serde::{Deserialize, Serialize};

use crate::state::board::{AreaNames, BoardRow};

/// Cases kept, most recently fetched first; older ones drop out.
pub const MAX_CASES: usize = 50;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CacheContents {
    pub board: Option<CachedBoard>,
    /// Most recently fetched first.
    pub cases: Vec<CachedCase>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CachedBoard {
    pub fetched_at: DateTime<Utc>,
    pub rows: Vec<CachedRow>,
}

/// A board row as kept on disk (`BoardRow` shares its area names and is not serialisable).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CachedRow {
    pub reference: String,
    pub area: String,
    pub category: PresentingCategory,
    pub stage: Stage,
    pub deadlines: Vec<(DateTime<Utc>, bool)>,
    pub progress: Progress,
    pub last_family_contact: Option<DateTime<Utc>>,
    /// Older caches have none.
    #[serde(default)]
    pub family_due: Option<DateTime<Utc>>,
    pub flags: Option<Flags>,
    pub assigned_to_me: bool,
}

impl From<&BoardRow> for CachedRow {
    fn from(r: &BoardRow) -> CachedRow {
        CachedRow {
            reference: r.reference.to_string(),
            area: r.area.to_string(),
            category: r.category,
            stage: r.stage,
            deadlines: r.deadlines.to_vec(),
            progress: r.progress,
            last_family_contact: r.last_family_contact,
            family_due: r.family_due,
            flags: r.flags.clone(),
            assigned_to_me: r.assigned_to_me,
        }
    }
}

impl CachedRow {
    pub fn to_row(&self, areas: &mut AreaNames) -> BoardRow {
        BoardRow {
            reference: self.reference.clone().into_boxed_str(),
            area: areas.share(&self.area),
            category: self.category,
            stage: self.stage,
            deadlines: self.deadlines.clone().into_boxed_slice(),
            progress: self.progress,
            last_family_contact: self.last_family_contact,
            family_due: self.family_due,
            flags: self.flags.clone(),
            assigned_to_me: self.assigned_to_me,
        }
    }
}

/// One case as last fetched: each part as it last came (a part the role may not read, or
/// never fetched, is `None`). Never the identity: a reveal is never kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CachedCase {
    pub reference: String,
    /// When a part of it last came from the server.
    pub fetched_at: DateTime<Utc>,
    pub detail: Option<CaseDetail>,
    pub timeline: Option<Vec<TimelineEvent>>,
    pub checklists: Option<Vec<ChecklistView>>,
    pub contacts: Option<Vec<Contact>>,
}

impl CacheContents {
    pub fn case(&self, reference: &str) -> Option<&CachedCase> {
        self.cases.iter().find(|c| c.reference == reference)
    }

    /// The entry for `reference`, moved to the front (made when missing), with its time set.
    pub fn case_mut(&mut self, reference: &str, now: DateTime<Utc>) -> &mut CachedCase {
        let entry = match self.cases.iter().position(|c| c.reference == reference) {
            Some(i) => self.cases.remove(i),
            None => CachedCase {
                reference: reference.to_string(),
                fetched_at: now,
                detail: None,
                timeline: None,
                checklists: None,
                contacts: None,
            },
        };
        self.cases.insert(0, entry);
        self.cases.truncate(MAX_CASES);
        let first = &mut self.cases[0];
        first.fetched_at = now;
        first
    }

    pub fn is_empty(&self) -> bool {
        self.board.is_none() && self.cases.is_empty()
    }
}
