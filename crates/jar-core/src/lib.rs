//! The jarterm domain, shared by the terminal client and the case API.
//!
//! Nothing here performs I/O: no terminal, no HTTP, no SQL. Everything is plain data and pure
//! functions so that both sides agree on what a case is, when things are due and who may see what.

pub mod case;
pub mod checklist;
pub mod contact;
pub mod correction;
pub mod deadline;
pub mod deadline_titles;
pub mod handover;
pub mod identity;
pub mod people;
pub mod permissions;
pub mod plausibility;
pub mod questions;
pub mod reports;
pub mod review;
pub mod role;
pub mod support;
pub mod text;
pub mod time;
pub mod timeline;
pub mod timeparse;
pub mod wire;
pub mod workdays;

pub use case::{Case, Stage};
pub use role::{Agency, Role};
