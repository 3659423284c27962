//! Themes as semantic roles (text, muted, danger, ...) mapped to styles. The built-in themes
//! are TOML files under `themes/`, compiled in. Colour only repeats what words already say.

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;
use std::collections::BTreeMap;

pub const BUILT_IN: [(&str, &str); 3] = [
    ("default", include_str!("../themes/default.toml")),
    ("mono", include_str!("../themes/mono.toml")),
    (
        "high-contrast",
        include_str!("../themes/high-contrast.toml"),
    ),
];

#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub name: String,
    pub text: Style,
    pub muted: Style,
    pub title: Style,
    pub border: Style,
    pub selection: Style,
    pub accent: Style,
    pub ok: Style,
    pub warn: Style,
    pub danger: Style,
    pub overdue: Style,
    pub restricted: Style,
    pub input: Style,
    pub banner: Style,
    pub error: Style,
    pub status: Style,
    pub key: Style,
    /// Draw borders with `+ - |` for fonts without box drawing.
    pub ascii: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    name: String,
    roles: BTreeMap<String, RoleStyle>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RoleStyle {
    fg: Option<String>,
    bg: Option<String>,
    #[serde(default)]
    modifiers: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ThemeError {
    #[error("theme file: {0}")]
    Parse(String),
    #[error("unknown colour {0:?} (use the 16 ANSI names, e.g. red, dark_gray, reset)")]
    Colour(String),
    #[error("unknown modifier {0:?} (bold, dim, italic, underlined, reversed)")]
    Modifier(String),
    #[error("unknown theme {0:?}: built-in themes are default, mono and high-contrast")]
    Unknown(String),
}

fn colour(name: &str) -> Result<Color, ThemeError> {
    Ok(match name {
        "reset" => Color::Reset,
        "black" => Color::Black,
        "red" => Color::Red,
        "green" => Color::Green,
        "yellow" => Color::Yellow,
        "blue" => Color::Blue,
        "magenta" => Color::Magenta,
        "cyan" => Color::Cyan,
        "gray" => Color::Gray,
        "dark_gray" => Color::DarkGray,
        "light_red" => Color::LightRed,
        "light_green" => Color::LightGreen,
        "light_yellow" => Color::LightYellow,
        "light_blue" => Color::LightBlue,
        "light_magenta" => Color::LightMagenta,
        "light_cyan" => Color::LightCyan,
        "white" => Color::White,
        other => return Err(ThemeError::Colour(other.to_string())),
    })
}

fn style(r: &RoleStyle) -> Result<Style, ThemeError> {
    let mut s = Style::default();
    if let Some(fg) = &r.fg {
        s = s.fg(colour(fg)?);
    }
    if let Some(bg) = &r.bg {
        s = s.bg(colour(bg)?);
    }
    for m in &r.modifiers {
        s = s.add_modifier(match m.as_str() {
            "bold" => Modifier::BOLD,
            "dim" => Modifier::DIM,
            "italic" => Modifier::ITALIC,
            "underlined" => Modifier::UNDERLINED,
            "reversed" => Modifier::REVERSED,
            other => return Err(ThemeError::Modifier(other.to_string())),
        });
    }
    Ok(s)
}

impl Theme {
    pub fn parse(text: &str) -> Result<Theme, ThemeError> {
        let file: ThemeFile = toml::from_str(text).map_err(|e| ThemeError::Parse(e.to_string()))?;
        let get = |role: &str| -> Result<Style, ThemeError> {
            file.roles
                .get(role)
                .map(style)
                .unwrap_or(Ok(Style::default()))
        };
        Ok(Theme {
            name: file.name.clone(),
            text: get("text")?,
            muted: get("muted")?,
            title: get("title")?,
            border: get("border")?,
            selection: get("selection")?.add_modifier(Modifier::REVERSED),
            accent: get("accent")?,
            ok: get("ok")?,
            warn: get("warn")?,
            danger: get("danger")?,
            overdue: get("overdue")?,
            restricted: get("restricted")?,
            input: get("input")?,
            banner: get("banner")?,
            error: get("error")?,
            status: get("status")?,
            key: get("key")?,
            ascii: false,
        })
    }

    /// A built-in theme by name.
    pub fn named(name: &str) -> Result<Theme, ThemeError> {
        BUILT_IN
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, text)| Theme::parse(text))
            .unwrap_or_else(|| Err(ThemeError::Unknown(name.to_string())))
    }

    /// The default 16-colour theme.
    pub fn default_theme() -> Theme {
        Theme::named("default").expect("built-in default theme parses")
    }

    pub fn mono() -> Theme {
        Theme::named("mono").expect("built-in mono theme parses")
    }

    /// The theme to use given the environment: `NO_COLOR` (non-empty) or `TERM=dumb` force mono.
    pub fn choose(
        requested: Option<&str>,
        no_color: bool,
        term_dumb: bool,
    ) -> Result<Theme, ThemeError> {
        Theme::choose_in(requested, no_color, term_dumb, None)
    }

    /// As [`Theme::choose`], also looking for `<name>.toml` in `user_dir` (the config
    /// directory's `themes/`) when the name is not a built-in theme.
    pub fn choose_in(
        requested: Option<&str>,
        no_color: bool,
        term_dumb: bool,
        user_dir: Option<&std::path::Path>,
    ) -> Result<Theme, ThemeError> {
        if no_color || term_dumb {
            return Ok(Theme::mono());
        }
        let name = requested.unwrap_or("default");
        match (Theme::named(name), user_dir) {
            (Err(ThemeError::Unknown(_)), Some(dir)) if !name.contains(['/', '\\', '.']) => {
                let text = std::fs::read_to_string(dir.join(format!("{name}.toml")))
                    .map_err(|_| ThemeError::Unknown(name.to_string()))?;
                Theme::parse(&text)
            }
            (other, _) => other,
        }
    }

    pub fn with_ascii(mut self, ascii: bool) -> Theme {
        self.ascii = ascii;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_theme_parses_and_selection_is_reversed() {
        for (name, text) in BUILT_IN {
            let t = Theme::parse(text).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(t.selection.add_modifier.contains(Modifier::REVERSED));
        }
    }

    #[test]
    fn no_color_selects_the_mono_theme() {
        let t = Theme::choose(Some("default"), true, false).expect("theme");
        assert_eq!(t.name, "mono");
        assert_eq!(t.danger.fg, None);
    }

    #[test]
    fn a_theme_file_in_the_config_directory_can_be_chosen_by_name() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(
            dir.path().join("night.toml"),
            "name = 'night'\n[roles]\ntext = { fg = 'gray' }\n",
        )
        .expect("write");
        let t = Theme::choose_in(Some("night"), false, false, Some(dir.path())).expect("theme");
        assert_eq!(t.name, "night");
        assert!(Theme::choose_in(Some("../x"), false, false, Some(dir.path())).is_err());
    }

    #[test]
    fn an_unknown_colour_is_refused_with_a_clear_message() {
        let err = Theme::parse("name='x'\n[roles]\ntext={fg='mauve'}\n").unwrap_err();
        assert!(err.to_string().contains("mauve"));
    }
}
