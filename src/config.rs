//! `$XDG_CONFIG_HOME/jarterm/config.toml`: server, theme, idle lock, bell, token store.

use std::path::PathBuf;

use etcetera::BaseStrategy;
use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum TokenStoreKind {
    /// The kernel keyring when it works, else memory for this run (Secret Service is not
    /// built in: see `token_store`).
    #[default]
    Auto,
    Keyutils,
    /// Opt-in 0600 token file: as sensitive as an SSH key on disk.
    File,
    /// Memory only: sign in each run.
    None,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub server: Option<String>,
    pub theme: Option<String>,
    pub idle_lock_minutes: Option<u32>,
    pub bell: bool,
    pub token_store: TokenStoreKind,
    pub ascii: bool,
    /// `"board.toggle-mine" = ["M"]`: replaces the keys of one action (names shown by `?`
    /// on a wide screen).
    pub keys: std::collections::BTreeMap<String, Vec<String>>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            server: None,
            theme: None,
            idle_lock_minutes: Some(10),
            bell: true,
            token_store: TokenStoreKind::Auto,
            ascii: false,
            keys: Default::default(),
        }
    }
}

pub fn config_dir() -> Option<PathBuf> {
    etcetera::choose_base_strategy()
        .ok()
        .map(|b| b.config_dir().join("jarterm"))
}

pub fn state_dir() -> Option<PathBuf> {
    etcetera::choose_base_strategy().ok().map(|b| {
        b.state_dir()
            .unwrap_or_else(|| b.data_dir())
            .join("jarterm")
    })
}

/// Create `dir` (and parents) private to the user: drafts, logs and tokens live there.
pub fn private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

impl Config {
    pub fn parse(text: &str) -> Result<Config, String> {
        toml::from_str(text).map_err(|e| e.to_string())
    }

    /// The config file if there is one; a broken file is an error (never silently ignored).
    pub fn load() -> Result<Config, String> {
        let Some(path) = config_dir().map(|d| d.join("config.toml")) else {
            return Ok(Config::default());
        };
        match std::fs::read_to_string(&path) {
            Ok(text) => Config::parse(&text).map_err(|e| format!("{}: {e}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
            Err(e) => Err(format!("{}: {e}", path.display())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_config_file_sets_server_theme_and_bell() {
        let c = Config::parse(
            "server = 'https://jar.example'\ntheme = 'mono'\nbell = false\ntoken_store = 'file'\n",
        )
        .expect("parses");
        assert_eq!(c.server.as_deref(), Some("https://jar.example"));
        assert!(!c.bell);
        assert_eq!(c.token_store, TokenStoreKind::File);
        assert!(Config::parse("colour = 'red'").is_err());
    }
}
