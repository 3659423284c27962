//! The user's patch to the keymap: `[keys]` in config.toml, then `keys.toml` beside it.

use super::keys::{key_name, parse_key};
use super::{Ctx, KEYMAP, Keymap, binding_name};

impl Keymap {
    /// Patch the defaults. Any error leaves the defaults in force (the caller shows it).
    pub fn from_config(
        table: &std::collections::BTreeMap<String, Vec<String>>,
    ) -> Result<Keymap, String> {
        let mut map = Keymap::default();
        for (name, keys) in table {
            let bnd = KEYMAP
                .iter()
                .find(|b| b.name == name.as_str())
                .ok_or_else(|| format!("keys: unknown action {name:?} (see ? for the names)"))?;
            if bnd.ctx == Ctx::Always {
                return Err(format!("keys: {name} cannot be changed"));
            }
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
