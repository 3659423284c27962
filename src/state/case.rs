//! One open case and its four tabs. Dropped entirely (identity included) on leaving the case.

use jar_core::case::Identity;
use jar_core::checklist::ItemState;
use jar_core::contact::Contact;
use jar_core::timeline::TimelineEvent;
use jar_core::wire::{CaseDetail, ChecklistItemView, ChecklistView};

use super::CaseRef;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Summary,
    Timeline,
    Checklists,
    Contacts,
    /// The family's questions (issue 16 §2).
    Questions,
}

impl Tab {
    pub const ALL: [Tab; 5] = [
        Tab::Summary,
        Tab::Timeline,
        Tab::Checklists,
        Tab::Contacts,
        Tab::Questions,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Tab::Summary => "Summary",
            Tab::Timeline => "Timeline",
            Tab::Checklists => "Checklists",
            Tab::Contacts => "Contacts",
            Tab::Questions => "Questions",
        }
    }

    /// For a narrow screen (the case's tab bar at 60 columns).
    pub fn short_label(self) -> &'static str {
        match self {
            Tab::Summary => "Summary",
            Tab::Timeline => "Time",
            Tab::Checklists => "Checks",
            Tab::Contacts => "Contacts",
            Tab::Questions => "Qs",
        }
    }

    pub fn index(self) -> usize {
        Tab::ALL.iter().position(|t| *t == self).unwrap_or(0)
    }
}

/// Something fetched: not yet, in flight, here, refused, or failed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Remote<T> {
    #[default]
    NotAsked,
    Loading,
    Ready(T),
    /// The role may not read it: the client never asked.
    NotAllowed,
    Failed(String),
}

impl<T> Remote<T> {
    pub fn ready(&self) -> Option<&T> {
        match self {
            Remote::Ready(t) => Some(t),
            _ => None,
        }
    }
    pub fn ready_mut(&mut self) -> Option<&mut T> {
        match self {
            Remote::Ready(t) => Some(t),
            _ => None,
        }
    }
}

/// The four parts of a case, each fetched on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Detail,
    Timeline,
    Checklists,
    Contacts,
    /// The family's questions the reader may see (issue 16 §2).
    Questions,
    /// The professionals involved and their agency reports (issue 16 §4).
    Involvements,
}

impl Part {
    pub const ALL: [Part; 6] = [
        Part::Detail,
        Part::Timeline,
        Part::Checklists,
        Part::Contacts,
        Part::Questions,
        Part::Involvements,
    ];

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// A set of parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Parts(u8);

impl Parts {
    pub fn contains(self, p: Part) -> bool {
        self.0 & p.bit() != 0
    }
    pub fn insert(&mut self, p: Part) {
        self.0 |= p.bit();
    }
    /// Remove `p`; whether it was there.
    pub fn remove(&mut self, p: Part) -> bool {
        let had = self.contains(p);
        self.0 &= !p.bit();
        had
    }
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

#[derive(Debug, Default)]
pub struct CaseState {
    pub reference: CaseRef,
    /// Parts asked for and not answered yet (one request per part at a time).
    pub fetching: Parts,
    /// Parts that changed again while being fetched: asked for once more when they arrive
    /// (the latest wins, as the board's list does).
    pub refetch: Parts,
    pub detail: Remote<CaseDetail>,
    pub timeline: Remote<Vec<TimelineEvent>>,
    pub checklists: Remote<Vec<ChecklistView>>,
    pub contacts: Remote<Vec<Contact>>,
    pub questions: Remote<Vec<jar_core::questions::FamilyQuestion>>,
    pub involvements: Remote<Vec<jar_core::reports::Involvement>>,
    pub identity: Option<Identity>,
    /// A reveal found no identity recorded: one may be added from scratch (issue 15 §1).
    pub identity_absent: bool,
    /// The family's contact details, for the key worker of the case (issue 15 §1): dropped
    /// with the case, like a revealed identity.
    pub family_contacts: Option<jar_core::identity::FamilyContacts>,
    /// The area's bereavement services, sent with the contact log (issue 16 §1).
    pub support_catalogue: Option<jar_core::support::Catalogue>,
    pub tab: TabState,
    /// Shown from the offline cache, as fetched at that time (issue 12 §3).
    pub offline_as_of: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TabState {
    pub tab: Tab,
    /// Selected row per tab (summary: scroll offset).
    pub rows: [usize; 5],
}

impl Default for TabState {
    fn default() -> Self {
        TabState {
            tab: Tab::Summary,
            rows: [0; 5],
        }
    }
}

impl TabState {
    pub fn row(&self) -> usize {
        self.rows[self.tab.index()]
    }
    pub fn set_row(&mut self, row: usize) {
        self.rows[self.tab.index()] = row;
    }
}

/// A checklist item with where it lives, flattened for selection.
pub struct ItemRef<'a> {
    pub template: &'a str,
    pub view: &'a ChecklistItemView,
}

impl CaseState {
    pub fn new(reference: &str) -> Self {
        CaseState {
            reference: reference.into(),
            ..CaseState::default()
        }
    }

    /// Every item of every checklist in display order (by checklist, then section order of
    /// first appearance).
    pub fn items(&self) -> Vec<ItemRef<'_>> {
        let mut out = Vec::new();
        if let Some(lists) = self.checklists.ready() {
            for list in lists {
                for section in sections(list) {
                    for view in list.items.iter().filter(|i| i.item.section == section) {
                        out.push(ItemRef {
                            template: &list.template,
                            view,
                        });
                    }
                }
            }
        }
        out
    }

    pub fn selected_item(&self) -> Option<ItemRef<'_>> {
        let row = self.tab.rows[Tab::Checklists.index()];
        self.items().into_iter().nth(row)
    }

    pub fn selected_event(&self) -> Option<&TimelineEvent> {
        self.timeline
            .ready()
            .and_then(|t| t.get(self.tab.rows[Tab::Timeline.index()]))
    }

    pub fn selected_question(&self) -> Option<&jar_core::questions::FamilyQuestion> {
        self.questions
            .ready()
            .and_then(|q| q.get(self.tab.rows[Tab::Questions.index()]))
    }

    pub fn selected_contact(&self) -> Option<&Contact> {
        self.contacts
            .ready()
            .and_then(|c| c.get(self.tab.rows[Tab::Contacts.index()]))
    }

    /// Replace one item's state (after a write or a conflict).
    pub fn set_item_state(&mut self, template: &str, state: ItemState) {
        if let Some(lists) = self.checklists.ready_mut() {
            for list in lists.iter_mut().filter(|l| l.template == template) {
                for view in list.items.iter_mut() {
                    if view.item.id == state.item_id {
                        view.state = state.clone();
                    }
                }
            }
        }
    }

    /// Rows in the current tab, for clamping the selection.
    pub fn row_count(&self) -> usize {
        match self.tab.tab {
            Tab::Summary => usize::MAX,
            Tab::Timeline => self.timeline.ready().map_or(0, Vec::len),
            Tab::Checklists => self.items().len(),
            Tab::Contacts => self.contacts.ready().map_or(0, Vec::len),
            Tab::Questions => self.questions.ready().map_or(0, Vec::len),
        }
    }
}

/// Section names in order of first appearance.
pub fn sections(list: &ChecklistView) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for i in &list.items {
        if !out.contains(&i.item.section.as_str()) {
            out.push(&i.item.section);
        }
    }
    out
}
