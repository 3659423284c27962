//! jarterm: a keyboard-driven terminal client for the Joint Agency Response (JAR).
//!
//! The shape (see docs and ../shared/tui-anchors.md (b)): one owner of state (`state`),
//! a pure `update` that returns `Effect`s, render functions of `&State` only (`ui`), HTTP in
//! tokio tasks (`api`) reporting back as `Msg`s, and one `select!` loop (`app`). The outbox
//! is pure (`outbox`); the journal is read and written by one thread of its own
//! (`journal_writer`); keys are bound in one table (`keymap`); time comes from `clock`.

pub mod api;
pub mod app;
pub mod clock;
pub mod config;
#[cfg(feature = "demo")]
pub mod demo;
pub mod drafts;
pub mod effect;
pub mod journal;
pub mod journal_writer;
pub mod keymap;
pub mod logging;
pub mod msg;
pub mod offline;
pub mod outbox;
pub mod sanitize;
pub mod state;
pub mod terminal;
pub mod theme;
pub mod timeparse;
pub mod token_store;
pub mod ui;
pub mod update;
