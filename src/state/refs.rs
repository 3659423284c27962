//! Names for what the client writes to: a case reference as its own type, and a checklist
//! item's full address (case, checklist, item) as one value instead of three strings.

use std::fmt;
use std::ops::Deref;

use serde::{Deserialize, Serialize};

/// A case reference, `JAR-2026-0042`. Stored as the plain string (journals stay readable).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CaseRef(String);

impl CaseRef {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Deref for CaseRef {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CaseRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for CaseRef {
    fn from(s: &str) -> CaseRef {
        CaseRef(s.to_string())
    }
}

impl From<String> for CaseRef {
    fn from(s: String) -> CaseRef {
        CaseRef(s)
    }
}

impl From<CaseRef> for String {
    fn from(r: CaseRef) -> String {
        r.0
    }
}

impl PartialEq<str> for CaseRef {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for CaseRef {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl PartialEq<String> for CaseRef {
    fn eq(&self, other: &String) -> bool {
        &self.0 == other
    }
}

impl PartialEq<CaseRef> for String {
    fn eq(&self, other: &CaseRef) -> bool {
        *self == other.0
    }
}

impl PartialEq<CaseRef> for str {
    fn eq(&self, other: &CaseRef) -> bool {
        self == other.0
    }
}

/// Where a checklist item lives: its case, its checklist (template) and its id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ItemAddr {
    pub case_ref: CaseRef,
    pub template: String,
    pub item: String,
}
