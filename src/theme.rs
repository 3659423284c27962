//! Themes as semantic roles (text, muted, danger, ...) mapped to styles. The built-in themes
//! are TOML files under `themes/`, compiled in. Colour only repeats what words already say.

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;
use std::collections::BTreeMap;

pub const BUILT_IN: [(&str, &str); 4] = [
    ("default", include_str!("../themes/default.toml")),
    ("mono", include_str!("../themes/mono.toml")),
    (
        "high-contrast",
        include_str!("../themes/high-contrast.toml"),
    ),
    // Hex colours: used only when `COLORTERM` says the terminal shows them.
    ("truecolor", include_str!("../themes/truecolor.toml")),
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
    /// The board's selected row: only its marker and reference in the selection style
    /// (`selected_row = "reference"`), or the whole row (`"whole"`). A cursor move restyles
    /// every cell of two rows with `"whole"`: ~220 bytes at 80 columns against ~100, which
    /// is a second at 9.6 kbit/s (docs/benchmarks.md, link bench).
    pub select_reference_only: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    name: String,
    #[serde(default)]
    selected_row: Option<String>,
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
    #[error("unknown colour {0:?} (use the 16 ANSI names, e.g. red, dark_gray, reset, or #rrggbb)")]
    Colour(String),
    #[error("unknown modifier {0:?} (bold, dim, italic, underlined, reversed)")]
    Modifier(String),
    #[error("unknown theme {0:?}: built-in themes are default, mono, high-contrast and truecolor")]
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
        hex if hex.len() == 7 && hex.starts_with('#') => {
            let n = u32::from_str_radix(&hex[1..], 16)
                .map_err(|_| ThemeError::Colour(hex.to_string()))?;
            let [_, r, g, b] = n.to_be_bytes();
            Color::Rgb(r, g, b)
        }
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
            select_reference_only: match file.selected_row.as_deref() {
                None | Some("whole") => false,
                Some("reference") => true,
                Some(other) => {
                    return Err(ThemeError::Parse(format!(
                        "selected_row is \"whole\" or \"reference\", not {other:?}"
                    )));
                }
            },
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
                Theme::parse(&text).map_err(|e| {
                    let why = match e {
                        ThemeError::Parse(m) => m,
                        other => other.to_string(),
                    };
                    // TOML errors span lines; a banner has one.
                    let first = why.lines().next().unwrap_or_default().to_string();
                    ThemeError::Parse(format!("{name}.toml: {first}"))
                })
            }
            (other, _) => other,
        }
    }

    /// True when any role uses a `#rrggbb` colour (needs a truecolor terminal).
    pub fn uses_rgb(&self) -> bool {
        [
            self.text,
            self.muted,
            self.title,
            self.border,
            self.selection,
            self.accent,
            self.ok,
            self.warn,
            self.danger,
            self.overdue,
            self.restricted,
            self.input,
            self.banner,
            self.error,
            self.status,
            self.key,
        ]
        .iter()
        .flat_map(|s| [s.fg, s.bg])
        .any(|c| matches!(c, Some(Color::Rgb(..))))
    }

    /// The theme for this environment, never failing: an unknown or broken theme, or a hex
    /// theme on a terminal whose `COLORTERM` does not say `truecolor`/`24bit`, gives the
    /// default theme and the words for a banner.
    pub fn select(
        requested: Option<&str>,
        env: &TermEnv,
        user_dir: Option<&std::path::Path>,
    ) -> (Theme, Option<String>) {
        let (theme, warning) =
            match Theme::choose_in(requested, env.no_color, env.term_dumb, user_dir) {
                Ok(t) if t.uses_rgb() && !env.truecolor => {
                    let msg = format!(
                        "Theme {:?} needs a truecolor terminal (COLORTERM=truecolor); \
                         using the default theme.",
                        t.name
                    );
                    (Theme::default_theme(), Some(msg))
                }
                Ok(t) => (t, None),
                Err(e) => (
                    Theme::default_theme(),
                    Some(format!("{e}; using the default theme.")),
                ),
            };
        (theme.with_ascii(env.ascii), warning)
    }

    pub fn with_ascii(mut self, ascii: bool) -> Theme {
        self.ascii = ascii;
        self
    }
}

/// What the environment says about the terminal. Read from variables only: jarterm never
/// queries the terminal (replies leak into input over slow links).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TermEnv {
    /// `NO_COLOR` is set and not empty.
    pub no_color: bool,
    /// `TERM=dumb`, or a DEC VT terminal without colour (`vt52`, `vt100`, `vt102`, `vt220`,
    /// `vt320`, `vt420` and their variants such as `vt100-am`): mono, never colour codes the
    /// terminal would print as garbage (issue 18 §1).
    pub term_dumb: bool,
    /// `COLORTERM` is `truecolor` or `24bit`.
    pub truecolor: bool,
    /// ASCII borders and marks: asked for, or the locale is not UTF-8.
    pub ascii: bool,
}

/// Terminals that show no colour: `dumb` and the DEC VT series (whose terminfo entries have
/// no `colors`). `vt100` is what many serial consoles and old SSH clients still send.
fn no_colour_term(term: &str) -> bool {
    let base = term.split('-').next().unwrap_or_default();
    base == "dumb"
        || matches!(
            base,
            "vt52" | "vt100" | "vt102" | "vt125" | "vt220" | "vt320" | "vt420"
        )
}

impl TermEnv {
    /// From variables looked up by `var` (`std::env::var` in the binary); `ascii` is the
    /// `--ascii` flag or the config's `ascii = true`.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>, ascii: bool) -> TermEnv {
        let set = |k: &str| var(k).filter(|v| !v.is_empty());
        // The first of LC_ALL, LC_CTYPE, LANG that is set decides the character set.
        let locale = ["LC_ALL", "LC_CTYPE", "LANG"]
            .iter()
            .find_map(|k| set(k))
            .unwrap_or_default()
            .to_ascii_uppercase();
        let utf8 = locale.contains("UTF-8") || locale.contains("UTF8");
        TermEnv {
            no_color: set("NO_COLOR").is_some(),
            term_dumb: set("TERM").is_some_and(|t| no_colour_term(&t)),
            truecolor: set("COLORTERM")
                .is_some_and(|c| matches!(c.to_ascii_lowercase().as_str(), "truecolor" | "24bit")),
            ascii: ascii || !utf8,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_themes_mark_only_the_reference_and_a_theme_may_mark_the_whole_row() {
        for (name, _) in BUILT_IN {
            let t = Theme::named(name).expect("built-in theme");
            assert!(
                t.select_reference_only,
                "{name}: fewer bytes per cursor move"
            );
        }
        let whole = "name = \"w\"\nselected_row = \"whole\"\n[roles]\n";
        assert!(!Theme::parse(whole).expect("whole").select_reference_only);
        let unset = "name = \"u\"\n[roles]\n";
        assert!(!Theme::parse(unset).expect("unset").select_reference_only);
        let bad = "name = \"b\"\nselected_row = \"half\"\n[roles]\n";
        let err = Theme::parse(bad).expect_err("an unknown value is refused");
        assert!(err.to_string().contains("selected_row"), "{err}");
    }

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

    fn env(vars: &[(&str, &str)]) -> TermEnv {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        TermEnv::from_vars(
            |k| vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()),
            false,
        )
    }

    #[test]
    fn ascii_mode_is_automatic_when_the_locale_is_not_utf8() {
        assert!(!env(&[("LANG", "en_GB.UTF-8")]).ascii);
        assert!(!env(&[("LC_ALL", "C.utf8"), ("LANG", "C")]).ascii);
        assert!(env(&[("LANG", "C")]).ascii);
        assert!(env(&[]).ascii, "no locale at all is POSIX: ASCII");
        assert!(env(&[("LC_ALL", "POSIX"), ("LANG", "en_GB.UTF-8")]).ascii);
        assert!(env(&[("LC_CTYPE", "en_GB.ISO-8859-1"), ("LANG", "en_GB.UTF-8")]).ascii);
        assert!(TermEnv::from_vars(|_| Some("en_GB.UTF-8".into()), true).ascii);
    }

    #[test]
    fn the_truecolor_theme_is_used_only_when_colorterm_says_so() {
        let plain = env(&[("LANG", "C.UTF-8"), ("COLORTERM", "")]);
        let (t, warning) = Theme::select(Some("truecolor"), &plain, None);
        assert_eq!(t.name, "default");
        assert!(warning.expect("a banner").contains("truecolor"));
        for c in ["truecolor", "24bit"] {
            let tc = env(&[("LANG", "C.UTF-8"), ("COLORTERM", c)]);
            let (t, warning) = Theme::select(Some("truecolor"), &tc, None);
            assert_eq!(t.name, "truecolor");
            assert!(t.uses_rgb() && warning.is_none());
        }
        // The built-in default never uses RGB and keeps the terminal's background.
        let d = Theme::default_theme();
        assert!(!d.uses_rgb());
        assert_eq!(d.text.bg, None);
        // NO_COLOR and TERM=dumb win over everything.
        let nc = env(&[("NO_COLOR", "1"), ("COLORTERM", "truecolor")]);
        assert_eq!(Theme::select(Some("truecolor"), &nc, None).0.name, "mono");
        for vt in ["vt100", "vt102", "vt220", "vt100-am"] {
            let e = env(&[("TERM", vt)]);
            assert_eq!(
                Theme::select(None, &e, None).0.name,
                "mono",
                "{vt} has no colour"
            );
        }
        for colour in ["xterm-256color", "xterm", "screen", "linux", "ansi"] {
            assert!(!env(&[("TERM", colour)]).term_dumb, "{colour} shows colour");
        }
        let dumb = env(&[("TERM", "dumb")]);
        assert_eq!(Theme::select(None, &dumb, None).0.name, "mono");
        assert!(
            !env(&[("NO_COLOR", "")]).no_color,
            "an empty NO_COLOR is not set"
        );
    }

    #[test]
    fn a_broken_user_theme_falls_back_to_the_default_with_a_banner() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("broken.toml"), "name = 'b'\n[roles\n").expect("write");
        std::fs::write(
            dir.path().join("mauve.toml"),
            "name = 'mauve'\n[roles]\ntext = { fg = 'mauve' }\n",
        )
        .expect("write");
        let e = env(&[("LANG", "C.UTF-8")]);
        for name in ["broken", "mauve", "missing"] {
            let (t, warning) = Theme::select(Some(name), &e, Some(dir.path()));
            assert_eq!(t.name, "default", "{name}");
            let w = warning.unwrap_or_else(|| panic!("{name}: no banner"));
            assert!(w.contains("default theme"), "{w}");
        }
        let (t, warning) = Theme::select(None, &e, Some(dir.path()));
        assert_eq!((t.name.as_str(), warning), ("default", None));
    }

    #[test]
    fn an_unknown_colour_is_refused_with_a_clear_message() {
        let err = Theme::parse("name='x'\n[roles]\ntext={fg='mauve'}\n").unwrap_err();
        assert!(err.to_string().contains("mauve"));
    }
}
