//! Keys: what a binding holds, how a terminal's key event matches it, and the words for a
//! key both ways (`Ctrl-S` in config files, help and the hint line).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

pub const fn k(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        mods: KeyModifiers::NONE,
    }
}
pub const fn code(code: KeyCode) -> Key {
    Key {
        code,
        mods: KeyModifiers::NONE,
    }
}
pub const fn ctrl(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        mods: KeyModifiers::CONTROL,
    }
}

pub fn matches(key: &Key, ev: &KeyEvent) -> bool {
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
