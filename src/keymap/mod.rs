//! Keys → actions: ONE table (`table`), per context. Every key a person presses is looked up
//! here first, Ctrl-C and Ctrl-Z included; the help screen and the bottom hint line are
//! generated from the same table, and each binding names the permission its action needs.
//! Nothing is bound to Ctrl-A or Ctrl-B (screen and tmux prefixes), Esc is never the only way
//! back, and no action needs Alt or an F-key.
//!
//! - `table`: the bindings.
//! - `keys`: keys, matching a terminal's key event, and key names both ways.
//! - `config`: the user's patch from config.toml `[keys]` and `keys.toml`.

mod config;
mod keys;
mod table;

use crossterm::event::KeyEvent;
use jar_core::permissions::Permission;

pub use config::KEYS_FILE;
pub use keys::{Key, key_name, keys_label, parse_key};
pub use table::KEYMAP;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ctx {
    /// Everywhere, even while typing or signing in: Ctrl-C and Ctrl-Z.
    Always,
    /// Everywhere outside text entry.
    Global,
    Board,
    /// Any case tab.
    Case,
    CaseSummary,
    CaseTimeline,
    CaseChecklists,
    CaseContacts,
    /// The family's questions (issue 16 §2).
    CaseQuestions,
    /// Forms: the focused field gets every other key.
    Form,
    /// A multi-line text box in a form (searched before `Form`): printable keys are text.
    TextBox,
    Dialog,
    Help,
    Login,
    /// Typing the board's text filter.
    Filter,
    /// The incoming colleague's handover screen (issue 17 §1).
    Handover,
    /// The manager's audit screen (issue 17 §2).
    Audit,
    /// The manager's users screen (issue 17 §2).
    Users,
}

impl Ctx {
    pub fn title(self) -> &'static str {
        match self {
            Ctx::Always => "Always (even while typing)",
            Ctx::Global => "Everywhere",
            Ctx::Board => "Board",
            Ctx::Case => "Case (every tab)",
            Ctx::CaseSummary => "Case: Summary",
            Ctx::CaseTimeline => "Case: Timeline",
            Ctx::CaseChecklists => "Case: Checklists",
            Ctx::CaseContacts => "Case: Contacts",
            Ctx::CaseQuestions => "Case: Questions",
            Ctx::Form => "Forms",
            Ctx::TextBox => "Text boxes (other keys type; Ctrl-U, Ctrl-K, Ctrl-W do nothing)",
            Ctx::Dialog => "Dialogs",
            Ctx::Help => "Help",
            Ctx::Login => "Sign in",
            Ctx::Filter => "Board filter",
            Ctx::Handover => "Handover received",
            Ctx::Audit => "Audit log (managers)",
            Ctx::Users => "Users (managers)",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Quit,
    /// Sign out here (asks first): revokes the token, forgets it and the offline copies.
    /// Under an SSH ForceCommand there is no other way to sign out (issue 18 §1).
    SignOut,
    ForceQuit,
    /// Ctrl-Z: keep drafts and hand the terminal back until `fg`.
    Suspend,
    Help,
    Back,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Open,
    Filter,
    ToggleMine,
    ToggleOverdue,
    CycleArea,
    ToggleClosed,
    Notify,
    GotoNew,
    Refresh,
    NextTab,
    PrevTab,
    Tab(u8),
    Add,
    Correct,
    ItemDone,
    ItemNotApplicable,
    ItemUnable,
    ItemNote,
    /// Checklists: a sample left to the post-mortem, with a note (issue 14 §3).
    ItemDeferred,
    /// Checklists: set a closed item back to open (audited on the server).
    ItemReopen,
    StartChecklist,
    Amend,
    /// Questions: move the selected family question to its next step (issue 16 §2).
    NextStep,
    Reveal,
    /// Summary: add or correct the child's identity (issue 15 §1).
    EditIdentity,
    /// Summary: assign a person to a place on the case (issue 15 §4).
    Assign,
    /// Summary: correct the case facts (category, times, criteria, flags; issue 14 §1).
    CorrectFacts,
    /// Summary: mark a deadline not applicable for this case, or applicable again.
    DeadlineNotApplicable,
    /// Board: the on-call handover (issue 17 §1): the one received, or draft one to send.
    Handover,
    /// Board: the audit log (managers, issue 17 §2).
    AuditLog,
    /// Board: the users of my areas (managers, issue 17 §2).
    Users,
    /// Handover: mark or unmark the selected case for acknowledgement.
    Mark,
    /// Handover: acknowledge the marked cases.
    AckMarked,
    /// Handover: acknowledge every case still open.
    AckAll,
    /// Handover: become lead of the cases acknowledged (on/off).
    ToggleLead,
    /// Audit: the next (older) page.
    NextPage,
    /// Audit: the page before (newer).
    PrevPage,
    /// Users: disable the selected user.
    DisableUser,
    /// Users: a new one-time password for the selected user.
    ResetPassword,
    /// Users: set a cover period for the selected key worker (issue 15 §4).
    SetCover,
    /// Users: end the selected key worker's cover early.
    EndCover,
    /// Case Summary: withdraw a notification made in error (issue 15 §3).
    Withdraw,
    /// Case Summary: link a duplicate of this death (managers, issue 15 §3).
    LinkDuplicate,
    Submit,
    Cancel,
    NextField,
    PrevField,
    ReApply,
    Discard,
    EditMine,
    /// Dialogs: yes, go ahead (a confirmation such as closing a case).
    Confirm,
    Close,
    /// Forms: tick/untick, or the next choice.
    Toggle,
    ChoiceNext,
    ChoicePrev,
    /// Forms: Enter outside a text box goes to the next field.
    FieldEnter,
    /// Forms: start again from an empty form, dropping a restored draft.
    DiscardDraft,
    /// Text boxes: a new line (Enter, or a line feed).
    Newline,
    DeleteBack,
    DeleteForward,
    CursorLeft,
    CursorRight,
    CursorUp,
    CursorDown,
    LineStart,
    LineEnd,
}

pub struct Binding {
    /// The name in config files: `board.toggle-mine`, `case.tab1`.
    pub name: &'static str,
    pub ctx: Ctx,
    pub action: Action,
    pub keys: &'static [Key],
    /// What the help screen says.
    pub help: &'static str,
    /// Shown in the bottom hint line (short words).
    pub hint: Option<&'static str>,
    /// The permission the action needs: without it the hint is not shown and the key
    /// answers with `denied`.
    pub needs: Option<Permission>,
    pub denied: &'static str,
}

const fn b(
    name: &'static str,
    ctx: Ctx,
    action: Action,
    keys: &'static [Key],
    help: &'static str,
    hint: Option<&'static str>,
) -> Binding {
    Binding {
        name,
        ctx,
        action,
        keys,
        help,
        hint,
        needs: None,
        denied: "",
    }
}

impl Binding {
    /// Only for roles with `p`; others are told `why`.
    const fn only(self, p: Permission, why: &'static str) -> Binding {
        Binding {
            needs: Some(p),
            denied: why,
            ..self
        }
    }

    /// The role (`allows`) may take this action.
    pub fn allowed(&self, allows: impl Fn(Permission) -> bool) -> bool {
        self.needs.is_none_or(allows)
    }
}

/// The name used in the config file: `board.toggle-mine`, `case.tab1`.
pub fn binding_name(b: &Binding) -> String {
    b.name.to_string()
}

/// The keymap in force: the defaults in `table`, patched by the `[keys]` table of the config
/// file (`"board.toggle-mine" = ["M"]` replaces that action's keys).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Keymap {
    overrides: Vec<(Ctx, Action, Vec<Key>)>,
}

impl Keymap {
    /// The keys for a binding, after the user's patch.
    pub fn keys<'a>(&'a self, b: &'a Binding) -> &'a [Key] {
        self.overrides
            .iter()
            .find(|(c, a, _)| *c == b.ctx && *a == b.action)
            .map(|(_, _, k)| k.as_slice())
            .unwrap_or(b.keys)
    }

    /// The binding for a key in the given contexts, searched in order.
    pub fn binding(&self, contexts: &[Ctx], ev: &KeyEvent) -> Option<&'static Binding> {
        contexts.iter().find_map(|ctx| {
            KEYMAP
                .iter()
                .filter(|bnd| bnd.ctx == *ctx)
                .find(|bnd| self.keys(bnd).iter().any(|key| keys::matches(key, ev)))
        })
    }

    /// The name of the first key for `action` in `ctx` (for words on screen such as
    /// "press s"), so a rebound key is what the screen says.
    pub fn key_for(&self, ctx: Ctx, action: Action) -> String {
        KEYMAP
            .iter()
            .find(|b| b.ctx == ctx && b.action == action)
            .and_then(|b| self.keys(b).first())
            .map(key_name)
            .unwrap_or_else(|| "?".to_string())
    }

    /// The action for a key in the given contexts, searched in order.
    pub fn lookup(&self, contexts: &[Ctx], ev: &KeyEvent) -> Option<Action> {
        self.binding(contexts, ev).map(|b| b.action)
    }

    /// The hint line for the given contexts ("Enter open  / filter  ? help"), leaving out
    /// what the role may not do (`allows`).
    pub fn hints(
        &self,
        contexts: &[Ctx],
        allows: impl Fn(Permission) -> bool,
    ) -> Vec<(String, &'static str)> {
        let mut out: Vec<(String, &'static str)> = Vec::new();
        for ctx in contexts {
            for bnd in KEYMAP
                .iter()
                .filter(|bnd| bnd.ctx == *ctx && bnd.allowed(&allows))
            {
                if let (Some(hint), Some(first)) = (bnd.hint, self.keys(bnd).first())
                    && !out.iter().any(|(_, h)| *h == hint)
                {
                    out.push((key_name(first), hint));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::keys::code;
    use super::*;
    use crossterm::event::{KeyCode, KeyModifiers};

    #[test]
    fn no_key_is_bound_twice_within_a_context() {
        for (i, a) in KEYMAP.iter().enumerate() {
            for bnd in &KEYMAP[i + 1..] {
                if a.ctx == bnd.ctx {
                    for key in a.keys {
                        assert!(
                            !bnd.keys.contains(key),
                            "{:?} bound twice in {:?}",
                            key_name(key),
                            a.ctx
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn the_config_can_rebind_an_action_but_not_onto_a_taken_or_reserved_key() {
        use std::collections::BTreeMap;
        let mut t = BTreeMap::new();
        t.insert("board.toggle-mine".to_string(), vec!["M".to_string()]);
        let km = Keymap::from_config(&t).expect("valid");
        let ev = KeyEvent::new(KeyCode::Char('M'), KeyModifiers::SHIFT);
        assert_eq!(km.lookup(&[Ctx::Board], &ev), Some(Action::ToggleMine));
        let m = KeyEvent::new(KeyCode::Char('m'), KeyModifiers::NONE);
        assert_eq!(km.lookup(&[Ctx::Board], &m), None);
        t.insert("board.toggle-overdue".to_string(), vec!["M".to_string()]);
        assert!(Keymap::from_config(&t).unwrap_err().contains("both"));
        let mut t = BTreeMap::new();
        t.insert("form.submit".to_string(), vec!["Ctrl-B".to_string()]);
        assert!(Keymap::from_config(&t).unwrap_err().contains("reserved"));
        let mut t = BTreeMap::new();
        t.insert("board.fly".to_string(), vec!["f".to_string()]);
        assert!(Keymap::from_config(&t).is_err());
    }

    #[test]
    fn every_binding_has_an_explicit_distinct_config_name_in_its_context() {
        for bnd in KEYMAP {
            let (ctx, action) = bnd.name.split_once('.').expect("ctx.action");
            assert!(
                !action.is_empty()
                    && action
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{}",
                bnd.name
            );
            let same_ctx = KEYMAP
                .iter()
                .find(|o| o.ctx == bnd.ctx)
                .map(|o| o.name.split_once('.').map(|p| p.0));
            assert_eq!(same_ctx, Some(Some(ctx)), "{}", bnd.name);
        }
        let mut names: Vec<String> = KEYMAP.iter().map(binding_name).collect();
        names.sort();
        let n = names.len();
        names.dedup();
        assert_eq!(names.len(), n);
        assert!(names.contains(&"case.tab1".to_string()));
    }

    #[test]
    fn nothing_is_bound_to_ctrl_a_or_ctrl_b() {
        for bnd in KEYMAP {
            for key in bnd.keys {
                assert!(!(key.code == KeyCode::Char('a') && key.mods == KeyModifiers::CONTROL));
                assert!(!(key.code == KeyCode::Char('b') && key.mods == KeyModifiers::CONTROL));
            }
        }
    }

    #[test]
    fn a_keymap_file_in_the_config_dir_patches_the_defaults_and_problems_keep_them() {
        use std::collections::BTreeMap;
        let dir = tempfile::tempdir().expect("tempdir");
        let ev = |c: char| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
        // No file: the defaults.
        let km = Keymap::load(&BTreeMap::new(), Some(dir.path())).expect("no file is fine");
        assert_eq!(km, Keymap::default());
        std::fs::write(
            dir.path().join(KEYS_FILE),
            "\"board.toggle-mine\" = \"M\"\n\"board.toggle-overdue\" = [\"O\", \"z\"]\n",
        )
        .expect("write");
        let km = Keymap::load(&BTreeMap::new(), Some(dir.path())).expect("valid file");
        assert_eq!(km.lookup(&[Ctx::Board], &ev('M')), Some(Action::ToggleMine));
        assert_eq!(
            km.lookup(&[Ctx::Board], &ev('z')),
            Some(Action::ToggleOverdue)
        );
        assert_eq!(km.lookup(&[Ctx::Board], &ev('m')), None);
        // Everything else keeps its default key.
        assert_eq!(km.lookup(&[Ctx::Board], &ev('q')), Some(Action::Quit));
        for (text, words) in [
            ("\"board.fly\" = \"f\"\n", "unknown action"),
            ("\"board.toggle-mine\" = \"q\"\n", "both"),
            ("\"form.submit\" = \"Ctrl-A\"\n", "reserved"),
            ("\"board.toggle-mine\" = [\n", "keys.toml"),
        ] {
            std::fs::write(dir.path().join(KEYS_FILE), text).expect("write");
            let err = Keymap::load(&BTreeMap::new(), Some(dir.path())).unwrap_err();
            assert!(err.contains(words), "{text}: {err}");
        }
    }

    #[test]
    fn every_action_is_reachable_without_esc_alt_or_function_keys() {
        // Ctrl-C (ForceQuit, everywhere) stands in for Login's Esc quit.
        for bnd in KEYMAP {
            let plain = bnd.keys.iter().any(|key| {
                !matches!(key.code, KeyCode::Esc | KeyCode::F(_))
                    && !key.mods.contains(KeyModifiers::ALT)
            });
            let forced = bnd.ctx == Ctx::Login && bnd.action == Action::Quit;
            assert!(
                plain || forced,
                "{} needs Esc, Alt or an F-key",
                binding_name(bnd)
            );
        }
    }

    #[test]
    fn no_binding_uses_a_ctrl_key_that_is_really_backspace_tab_enter_or_esc() {
        // Ctrl-Z is reserved for the one `always.suspend` binding (issue 12: it goes through
        // the keymap now instead of being hard-coded).
        for bnd in KEYMAP.iter().filter(|b| b.action != Action::Suspend) {
            for key in bnd.keys {
                if key.mods.contains(KeyModifiers::CONTROL) {
                    assert!(
                        !matches!(key.code, KeyCode::Char('h' | 'i' | 'm' | '[' | 'z')),
                        "{}",
                        binding_name(bnd)
                    );
                }
            }
        }
        for k in ["Ctrl-H", "Ctrl-I", "Ctrl-M", "Ctrl-[", "Ctrl-Z", "Ctrl-a"] {
            assert!(parse_key(k).is_err(), "{k}");
        }
    }

    #[test]
    fn escape_is_never_the_only_way_back() {
        for bnd in KEYMAP {
            if bnd.keys.contains(&code(KeyCode::Esc))
                && bnd.ctx != Ctx::Filter
                && bnd.ctx != Ctx::Login
            {
                assert!(
                    bnd.keys.len() > 1 || bnd.ctx == Ctx::Board,
                    "{:?} {:?}",
                    bnd.ctx,
                    bnd.action
                );
            }
        }
    }
}
