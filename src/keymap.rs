//! Keys → actions: ONE table, per context. The help screen and the bottom hint line are
//! generated from it. Nothing is bound to Ctrl-A or Ctrl-B (screen and tmux prefixes), Esc is
//! never the only way back, and no action needs Alt or an F-key.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ctx {
    /// Everywhere outside text entry.
    Global,
    Board,
    /// Any case tab.
    Case,
    CaseSummary,
    CaseTimeline,
    CaseChecklists,
    CaseContacts,
    /// Forms: the focused field gets every other key.
    Form,
    /// A multi-line text box in a form (searched before `Form`): printable keys are text.
    TextBox,
    Dialog,
    Help,
    Login,
    /// Typing the board's text filter.
    Filter,
}

impl Ctx {
    pub fn title(self) -> &'static str {
        match self {
            Ctx::Global => "Everywhere",
            Ctx::Board => "Board",
            Ctx::Case => "Case (every tab)",
            Ctx::CaseSummary => "Case: Summary",
            Ctx::CaseTimeline => "Case: Timeline",
            Ctx::CaseChecklists => "Case: Checklists",
            Ctx::CaseContacts => "Case: Contacts",
            Ctx::Form => "Forms",
            Ctx::TextBox => "Text boxes (other keys type; Ctrl-U, Ctrl-K, Ctrl-W do nothing)",
            Ctx::Dialog => "Dialogs",
            Ctx::Help => "Help",
            Ctx::Login => "Sign in",
            Ctx::Filter => "Board filter",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Quit,
    ForceQuit,
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
    StartChecklist,
    Amend,
    Reveal,
    Submit,
    Cancel,
    NextField,
    PrevField,
    ReApply,
    Discard,
    EditMine,
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

const fn k(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        mods: KeyModifiers::NONE,
    }
}
const fn code(code: KeyCode) -> Key {
    Key {
        code,
        mods: KeyModifiers::NONE,
    }
}
const fn ctrl(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        mods: KeyModifiers::CONTROL,
    }
}

pub struct Binding {
    pub ctx: Ctx,
    pub action: Action,
    pub keys: &'static [Key],
    /// What the help screen says.
    pub help: &'static str,
    /// Shown in the bottom hint line (short words).
    pub hint: Option<&'static str>,
}

const fn b(
    ctx: Ctx,
    action: Action,
    keys: &'static [Key],
    help: &'static str,
    hint: Option<&'static str>,
) -> Binding {
    Binding {
        ctx,
        action,
        keys,
        help,
        hint,
    }
}

use Action as A;
use Ctx as C;

/// The one keymap. Order matters only for the hint line.
pub const KEYMAP: &[Binding] = &[
    // Board
    b(
        C::Board,
        A::Open,
        &[code(KeyCode::Enter), k('l')],
        "open the selected case",
        Some("open"),
    ),
    b(
        C::Board,
        A::Filter,
        &[k('/')],
        "filter by text (Enter keeps, Esc clears)",
        Some("filter"),
    ),
    b(
        C::Board,
        A::ToggleMine,
        &[k('m')],
        "only cases assigned to me",
        Some("mine"),
    ),
    b(
        C::Board,
        A::ToggleOverdue,
        &[k('o')],
        "only cases with an overdue deadline",
        Some("overdue"),
    ),
    b(
        C::Board,
        A::CycleArea,
        &[k('a')],
        "cycle through areas",
        None,
    ),
    b(
        C::Board,
        A::ToggleClosed,
        &[k('c')],
        "switch between active and closed cases",
        None,
    ),
    b(
        C::Board,
        A::Notify,
        &[k('N')],
        "notify a death (new JAR case)",
        Some("notify"),
    ),
    b(
        C::Board,
        A::GotoNew,
        &[k('g')],
        "open the case from the last notification banner",
        None,
    ),
    b(C::Board, A::Refresh, &[k('R')], "refetch the board", None),
    b(C::Board, A::Quit, &[k('q')], "quit", Some("quit")),
    b(
        C::Board,
        A::Back,
        &[code(KeyCode::Esc), ctrl('g')],
        "clear the filters",
        None,
    ),
    // Case, every tab
    b(
        C::Case,
        A::NextTab,
        &[code(KeyCode::Tab)],
        "next tab",
        Some("next tab"),
    ),
    b(
        C::Case,
        A::PrevTab,
        &[code(KeyCode::BackTab)],
        "previous tab",
        None,
    ),
    b(C::Case, A::Tab(1), &[k('1')], "Summary tab", None),
    b(C::Case, A::Tab(2), &[k('2')], "Timeline tab", None),
    b(C::Case, A::Tab(3), &[k('3')], "Checklists tab", None),
    b(C::Case, A::Tab(4), &[k('4')], "Contacts tab", None),
    b(
        C::Case,
        A::Reveal,
        &[k('r')],
        "reveal identity (asks a reason; audited)",
        None,
    ),
    b(C::Case, A::Refresh, &[k('R')], "refetch this case", None),
    b(
        C::Case,
        A::Back,
        &[code(KeyCode::Esc), k('q'), code(KeyCode::Backspace), k('h')],
        "back to the board",
        Some("back"),
    ),
    // Case tabs
    b(
        C::CaseSummary,
        A::Reveal,
        &[k('r')],
        "reveal identity",
        Some("reveal identity"),
    ),
    b(
        C::CaseTimeline,
        A::Add,
        &[k('a')],
        "add a timeline event",
        Some("add event"),
    ),
    b(
        C::CaseTimeline,
        A::Correct,
        &[k('x')],
        "correct the selected event",
        Some("correct"),
    ),
    b(
        C::CaseChecklists,
        A::ItemDone,
        &[k('d')],
        "mark the item done",
        Some("done"),
    ),
    b(
        C::CaseChecklists,
        A::ItemNotApplicable,
        &[k('n')],
        "mark the item not applicable",
        Some("n/a"),
    ),
    b(
        C::CaseChecklists,
        A::ItemUnable,
        &[k('u')],
        "mark the item unable (asks a reason)",
        Some("unable"),
    ),
    b(
        C::CaseChecklists,
        A::ItemNote,
        &[k('e')],
        "edit the item's note",
        Some("note"),
    ),
    b(
        C::CaseChecklists,
        A::StartChecklist,
        &[k('s')],
        "start the default checklist",
        None,
    ),
    b(
        C::CaseContacts,
        A::Add,
        &[k('a')],
        "log a contact with the family",
        Some("add contact"),
    ),
    b(
        C::CaseContacts,
        A::Amend,
        &[k('A')],
        "amend the selected contact",
        Some("amend"),
    ),
    // Forms
    b(
        C::Form,
        A::Submit,
        &[ctrl('s')],
        "save (Enter is a newline in text boxes)",
        Some("save"),
    ),
    b(
        C::Form,
        A::NextField,
        &[code(KeyCode::Tab)],
        "next field",
        Some("next field"),
    ),
    b(
        C::Form,
        A::PrevField,
        &[code(KeyCode::BackTab)],
        "previous field",
        None,
    ),
    b(
        C::Form,
        A::Cancel,
        &[code(KeyCode::Esc), ctrl('g')],
        "close the form (the draft is kept)",
        Some("close"),
    ),
    b(
        C::Form,
        A::Toggle,
        &[k(' ')],
        "tick or untick; next choice (a space in text)",
        None,
    ),
    b(
        C::Form,
        A::ChoiceNext,
        &[code(KeyCode::Right)],
        "next choice",
        None,
    ),
    b(
        C::Form,
        A::ChoicePrev,
        &[code(KeyCode::Left)],
        "previous choice",
        None,
    ),
    b(
        C::Form,
        A::Down,
        &[code(KeyCode::Down)],
        "next field, or down a list",
        None,
    ),
    b(
        C::Form,
        A::Up,
        &[code(KeyCode::Up)],
        "previous field, or up a list",
        None,
    ),
    b(
        C::Form,
        A::FieldEnter,
        &[code(KeyCode::Enter)],
        "next field (a newline in text boxes)",
        None,
    ),
    b(
        C::Form,
        A::DiscardDraft,
        &[ctrl('r')],
        "discard a restored draft and start again",
        None,
    ),
    // Text boxes: exactly these keys edit; nothing deletes a line or takes text back.
    b(
        C::TextBox,
        A::Newline,
        &[code(KeyCode::Enter), ctrl('j')],
        "new line (a pasted line feed too)",
        None,
    ),
    b(
        C::TextBox,
        A::DeleteBack,
        &[code(KeyCode::Backspace)],
        "delete the character before the cursor",
        None,
    ),
    b(
        C::TextBox,
        A::DeleteForward,
        &[code(KeyCode::Delete)],
        "delete the character under the cursor",
        None,
    ),
    b(
        C::TextBox,
        A::CursorLeft,
        &[code(KeyCode::Left)],
        "cursor left",
        None,
    ),
    b(
        C::TextBox,
        A::CursorRight,
        &[code(KeyCode::Right)],
        "cursor right",
        None,
    ),
    b(
        C::TextBox,
        A::CursorUp,
        &[code(KeyCode::Up)],
        "cursor up a line",
        None,
    ),
    b(
        C::TextBox,
        A::CursorDown,
        &[code(KeyCode::Down)],
        "cursor down a line",
        None,
    ),
    b(
        C::TextBox,
        A::LineStart,
        &[code(KeyCode::Home)],
        "start of the line",
        None,
    ),
    b(
        C::TextBox,
        A::LineEnd,
        &[code(KeyCode::End)],
        "end of the line",
        None,
    ),
    // Dialogs
    b(
        C::Dialog,
        A::ReApply,
        &[k('r')],
        "conflict: re-apply my version",
        Some("re-apply mine"),
    ),
    b(
        C::Dialog,
        A::Discard,
        &[k('d')],
        "conflict: discard mine, keep theirs",
        Some("discard mine"),
    ),
    b(
        C::Dialog,
        A::EditMine,
        &[k('e')],
        "conflict: edit my note again",
        Some("edit mine"),
    ),
    b(
        C::Dialog,
        A::Close,
        &[code(KeyCode::Esc), k('q'), code(KeyCode::Enter)],
        "close the dialog",
        Some("close"),
    ),
    // Help
    b(
        C::Help,
        A::Close,
        &[code(KeyCode::Esc), k('q'), k('?'), code(KeyCode::Backspace)],
        "close help",
        Some("close"),
    ),
    // Sign in
    b(
        C::Login,
        A::Submit,
        &[code(KeyCode::Enter)],
        "sign in",
        Some("sign in"),
    ),
    b(
        C::Login,
        A::NextField,
        &[code(KeyCode::Tab), code(KeyCode::Down)],
        "next field",
        Some("next field"),
    ),
    b(
        C::Login,
        A::PrevField,
        &[code(KeyCode::BackTab), code(KeyCode::Up)],
        "previous field",
        None,
    ),
    b(
        C::Login,
        A::Quit,
        &[code(KeyCode::Esc)],
        "quit (only when no one is signed in)",
        Some("quit"),
    ),
    // Filter
    b(
        C::Filter,
        A::Submit,
        &[code(KeyCode::Enter)],
        "keep the filter",
        Some("keep"),
    ),
    b(
        C::Filter,
        A::Cancel,
        &[code(KeyCode::Esc), ctrl('g')],
        "clear the filter",
        Some("clear"),
    ),
    // Everywhere outside text entry
    b(
        C::Global,
        A::Help,
        &[k('?')],
        "help: every key",
        Some("help"),
    ),
    b(
        C::Global,
        A::Up,
        &[code(KeyCode::Up), k('k')],
        "move up",
        None,
    ),
    b(
        C::Global,
        A::Down,
        &[code(KeyCode::Down), k('j')],
        "move down",
        None,
    ),
    b(
        C::Global,
        A::PageUp,
        &[code(KeyCode::PageUp)],
        "page up",
        None,
    ),
    b(
        C::Global,
        A::PageDown,
        &[code(KeyCode::PageDown)],
        "page down",
        None,
    ),
    b(C::Global, A::Top, &[code(KeyCode::Home)], "first row", None),
    b(
        C::Global,
        A::Bottom,
        &[code(KeyCode::End), k('G')],
        "last row",
        None,
    ),
    b(
        C::Global,
        A::ForceQuit,
        &[ctrl('c')],
        "keep drafts and quit, from anywhere",
        None,
    ),
];

fn matches(key: &Key, ev: &KeyEvent) -> bool {
    let mods = ev.modifiers - KeyModifiers::SHIFT;
    match (key.code, ev.code) {
        // Shifted letters arrive as uppercase chars, with or without SHIFT reported.
        // With Ctrl held, caps lock or Shift must not matter: Ctrl-S is Ctrl-S.
        (KeyCode::Char(a), KeyCode::Char(b)) if key.mods.contains(KeyModifiers::CONTROL) => {
            a.eq_ignore_ascii_case(&b) && mods == key.mods
        }
        (KeyCode::Char(a), KeyCode::Char(b)) => a == b && mods == (key.mods - KeyModifiers::SHIFT),
        (a, b) => {
            a == b && ev.modifiers == key.mods || (a == KeyCode::BackTab && b == KeyCode::BackTab)
        }
    }
}

/// The keymap in force: the defaults above, patched by the `[keys]` table of the config
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

    pub fn lookup(&self, contexts: &[Ctx], ev: &KeyEvent) -> Option<Action> {
        contexts.iter().find_map(|ctx| {
            KEYMAP
                .iter()
                .filter(|bnd| bnd.ctx == *ctx)
                .find(|bnd| self.keys(bnd).iter().any(|key| matches(key, ev)))
                .map(|bnd| bnd.action)
        })
    }

    /// The hint line for the given contexts: "Enter open  / filter  ? help".
    pub fn hints(&self, contexts: &[Ctx]) -> Vec<(String, &'static str)> {
        let mut out: Vec<(String, &'static str)> = Vec::new();
        for ctx in contexts {
            for bnd in KEYMAP.iter().filter(|bnd| bnd.ctx == *ctx) {
                if let (Some(hint), Some(first)) = (bnd.hint, self.keys(bnd).first())
                    && !out.iter().any(|(_, h)| *h == hint)
                {
                    out.push((key_name(first), hint));
                }
            }
        }
        out
    }

    /// Patch the defaults. Any error leaves the defaults in force (the caller shows it).
    pub fn from_config(
        table: &std::collections::BTreeMap<String, Vec<String>>,
    ) -> Result<Keymap, String> {
        let mut map = Keymap::default();
        for (name, keys) in table {
            let bnd = KEYMAP
                .iter()
                .find(|b| binding_name(b) == *name)
                .ok_or_else(|| format!("keys: unknown action {name:?} (see ? for the names)"))?;
            let keys = keys
                .iter()
                .map(|k| parse_key(k))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| format!("keys: {name}: {e}"))?;
            if keys.is_empty() {
                return Err(format!("keys: {name} needs at least one key"));
            }
            map.overrides.push((bnd.ctx, bnd.action, keys));
        }
        // No key may then do two things in one context.
        for (i, a) in KEYMAP.iter().enumerate() {
            for b in &KEYMAP[i + 1..] {
                if a.ctx == b.ctx
                    && let Some(k) = map.keys(a).iter().find(|k| map.keys(b).contains(k))
                {
                    return Err(format!(
                        "keys: {} is bound to both {} and {}",
                        key_name(k),
                        binding_name(a),
                        binding_name(b)
                    ));
                }
            }
        }
        Ok(map)
    }
}

/// The name of the keymap file in the config directory.
pub const KEYS_FILE: &str = "keys.toml";

impl Keymap {
    /// The defaults patched by config.toml's `[keys]` and then by `keys.toml` in `config_dir`
    /// (same form: `"board.toggle-mine" = ["M"]`, or one key as a string). Any problem (a
    /// broken file, an unknown name, a key bound twice, a reserved key) is returned for a
    /// banner and the caller keeps the defaults.
    pub fn load(
        config: &std::collections::BTreeMap<String, Vec<String>>,
        config_dir: Option<&std::path::Path>,
    ) -> Result<Keymap, String> {
        let mut table = config.clone();
        if let Some(path) = config_dir.map(|d| d.join(KEYS_FILE)) {
            match std::fs::read_to_string(&path) {
                Ok(text) => {
                    #[derive(serde::Deserialize)]
                    #[serde(untagged)]
                    enum OneOrMany {
                        One(String),
                        Many(Vec<String>),
                    }
                    let file: std::collections::BTreeMap<String, OneOrMany> = toml::from_str(&text)
                        .map_err(|e| {
                            let first =
                                e.to_string().lines().next().unwrap_or_default().to_string();
                            format!("{KEYS_FILE}: {first}")
                        })?;
                    for (name, keys) in file {
                        let keys = match keys {
                            OneOrMany::One(k) => vec![k],
                            OneOrMany::Many(k) => k,
                        };
                        table.insert(name, keys);
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(format!("{KEYS_FILE}: {e}")),
            }
        }
        Keymap::from_config(&table)
    }
}

fn ctx_name(ctx: Ctx) -> &'static str {
    match ctx {
        Ctx::Global => "global",
        Ctx::Board => "board",
        Ctx::Case => "case",
        Ctx::CaseSummary => "summary",
        Ctx::CaseTimeline => "timeline",
        Ctx::CaseChecklists => "checklists",
        Ctx::CaseContacts => "contacts",
        Ctx::Form => "form",
        Ctx::TextBox => "textbox",
        Ctx::Dialog => "dialog",
        Ctx::Help => "help",
        Ctx::Login => "login",
        Ctx::Filter => "filter",
    }
}

/// The name used in the config file: `board.toggle-mine`, `case.tab1`.
pub fn binding_name(b: &Binding) -> String {
    let debug = format!("{:?}", b.action);
    let mut action = String::new();
    for (i, c) in debug.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                action.push('-');
            }
            action.push(c.to_ascii_lowercase());
        } else if c.is_ascii_alphanumeric() {
            action.push(c);
        }
    }
    format!("{}.{action}", ctx_name(b.ctx))
}

/// `q`, `N`, `Enter`, `Esc`, `Tab`, `Shift-Tab`, `Space`, `Up`, `PgDn`, `F2`, `Ctrl-S`.
/// Ctrl-A and Ctrl-B are refused (screen and tmux prefixes), as is Ctrl-C (always quits).
pub fn parse_key(s: &str) -> Result<Key, String> {
    let named = |code| {
        Ok(Key {
            code,
            mods: KeyModifiers::NONE,
        })
    };
    match s {
        "Enter" => return named(KeyCode::Enter),
        "Esc" => return named(KeyCode::Esc),
        "Tab" => return named(KeyCode::Tab),
        "Shift-Tab" => return named(KeyCode::BackTab),
        "Backspace" => return named(KeyCode::Backspace),
        "Space" => return named(KeyCode::Char(' ')),
        "Up" => return named(KeyCode::Up),
        "Down" => return named(KeyCode::Down),
        "Left" => return named(KeyCode::Left),
        "Right" => return named(KeyCode::Right),
        "PgUp" => return named(KeyCode::PageUp),
        "PgDn" => return named(KeyCode::PageDown),
        "Home" => return named(KeyCode::Home),
        "Delete" => return named(KeyCode::Delete),
        "End" => return named(KeyCode::End),
        _ => {}
    }
    if let Some(n) = s.strip_prefix('F').and_then(|n| n.parse::<u8>().ok()) {
        return named(KeyCode::F(n));
    }
    if let Some(rest) = s.strip_prefix("Ctrl-") {
        let mut chars = rest.chars();
        if let (Some(c), None) = (chars.next(), chars.next()) {
            let c = c.to_ascii_lowercase();
            if matches!(c, 'a' | 'b' | 'c' | 'z') {
                return Err(format!(
                    "{s} is reserved (screen, tmux, quitting and suspending use it)"
                ));
            }
            if matches!(c, 'h' | 'i' | 'm' | '[') {
                return Err(format!(
                    "{s} is the same key as Backspace, Tab, Enter or Esc on most terminals"
                ));
            }
            return Ok(Key {
                code: KeyCode::Char(c),
                mods: KeyModifiers::CONTROL,
            });
        }
    }
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) if !c.is_control() => named(KeyCode::Char(c)),
        _ => Err(format!(
            "{s:?} is not a key (try q, N, Enter, Esc, F2, Ctrl-S)"
        )),
    }
}

/// Words for a key, never glyphs: `Enter`, `Esc`, `Ctrl-S`, `Shift-Tab`.
pub fn key_name(key: &Key) -> String {
    match key.code {
        KeyCode::Enter => "Enter".to_string(),
        KeyCode::Esc => "Esc".to_string(),
        KeyCode::Tab => "Tab".to_string(),
        KeyCode::BackTab => "Shift-Tab".to_string(),
        KeyCode::Backspace => "Backspace".to_string(),
        KeyCode::Up => "Up".to_string(),
        KeyCode::Down => "Down".to_string(),
        KeyCode::Left => "Left".to_string(),
        KeyCode::Right => "Right".to_string(),
        KeyCode::PageUp => "PgUp".to_string(),
        KeyCode::PageDown => "PgDn".to_string(),
        KeyCode::Home => "Home".to_string(),
        KeyCode::End => "End".to_string(),
        KeyCode::Delete => "Delete".to_string(),
        KeyCode::Char(' ') => "Space".to_string(),
        KeyCode::Char(c) if key.mods.contains(KeyModifiers::CONTROL) => {
            format!("Ctrl-{}", c.to_ascii_uppercase())
        }
        KeyCode::Char(c) => c.to_string(),
        other => format!("{other:?}"),
    }
}

/// `Esc/q/Backspace/h`
pub fn keys_label(keys: &[Key]) -> String {
    keys.iter().map(key_name).collect::<Vec<_>>().join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn every_binding_has_a_distinct_config_name() {
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
        for bnd in KEYMAP {
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
