//! Where the API token lives between runs (never the password). Chain, per deps.md §3:
//! Secret Service is skipped in this build (it needs a D-Bus session and an extra store
//! crate), then the kernel keyring (keyutils) after a set/get/delete probe, then memory for
//! this run only. An opt-in 0600 file with `token_store = "file"`. `JARTERM_TOKEN` skips all.
//! Every call blocks: call these from `spawn_blocking`.

use std::path::PathBuf;
use std::sync::Arc;

use keyring_core::api::CredentialStore;

use crate::config::TokenStoreKind;

const SERVICE: &str = "jarterm";

pub enum TokenStore {
    Keyutils(Arc<CredentialStore>),
    File(PathBuf),
    Memory,
    /// From the environment: nothing is stored.
    Env,
}

impl std::fmt::Debug for TokenStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

impl TokenStore {
    /// Words for the status bar and `--version`.
    pub fn label(&self) -> &'static str {
        match self {
            TokenStore::Keyutils(_) => "kernel keyring",
            TokenStore::File(_) => "token file (0600)",
            TokenStore::Memory => "memory only",
            TokenStore::Env => "JARTERM_TOKEN",
        }
    }

    /// Choose a store. Blocking (the keyutils probe).
    pub fn choose(kind: &TokenStoreKind) -> TokenStore {
        match kind {
            TokenStoreKind::None => TokenStore::Memory,
            TokenStoreKind::File => match token_file() {
                Some(p) => TokenStore::File(p),
                None => TokenStore::Memory,
            },
            TokenStoreKind::Auto | TokenStoreKind::Keyutils => {
                probe_keyutils().map_or(TokenStore::Memory, TokenStore::Keyutils)
            }
        }
    }

    fn account(server: &str) -> String {
        let user = std::env::var("USER").unwrap_or_else(|_| "user".into());
        format!("{user}@{server}")
    }

    pub fn get(&self, server: &str) -> Option<String> {
        match self {
            TokenStore::Keyutils(store) => store
                .build(SERVICE, &Self::account(server), None)
                .ok()?
                .get_password()
                .ok(),
            TokenStore::File(path) => read_file(path, server),
            TokenStore::Memory | TokenStore::Env => None,
        }
    }

    pub fn set(&self, server: &str, token: &str) {
        let result = match self {
            TokenStore::Keyutils(store) => store
                .build(SERVICE, &Self::account(server), None)
                .and_then(|e| e.set_password(token))
                .map_err(|e| e.to_string()),
            TokenStore::File(path) => write_file(path, server, token),
            TokenStore::Memory | TokenStore::Env => Ok(()),
        };
        if let Err(e) = result {
            tracing::warn!(store = self.label(), error = %e, "token not stored");
        }
    }

    pub fn delete(&self, server: &str) {
        match self {
            TokenStore::Keyutils(store) => {
                if let Ok(e) = store.build(SERVICE, &Self::account(server), None) {
                    let _ = e.delete_credential();
                }
            }
            TokenStore::File(path) => {
                let _ = std::fs::remove_file(path);
            }
            TokenStore::Memory | TokenStore::Env => {}
        }
    }
}

/// keyutils refuses outside a login session only on use, so try set, get and delete. The
/// entry is this process's own: two jarterms starting at once must not delete each other's
/// probe (a failed probe now means no journal on disk, issue 12 §3).
pub(crate) fn probe_keyutils() -> Option<Arc<CredentialStore>> {
    let store: Arc<CredentialStore> = linux_keyutils_keyring_store::Store::new().ok()?;
    let name = format!("probe-{}-{:08x}", std::process::id(), rand::random::<u32>());
    let entry = store.build(SERVICE, &name, None).ok()?;
    entry.set_password("probe").ok()?;
    let ok = entry.get_password().ok().as_deref() == Some("probe");
    let _ = entry.delete_credential();
    ok.then_some(store)
}

fn token_file() -> Option<PathBuf> {
    crate::config::state_dir().map(|d| d.join("token"))
}

fn read_file(path: &PathBuf, server: &str) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta = std::fs::metadata(path).ok()?;
        if meta.permissions().mode() & 0o077 != 0 {
            tracing::warn!("token file permissions are too open; ignoring it");
            return None;
        }
    }
    let text = std::fs::read_to_string(path).ok()?;
    let (saved_server, token) = text.trim().split_once('\n')?;
    (saved_server == server).then(|| token.trim().to_string())
}

fn write_file(path: &PathBuf, server: &str, token: &str) -> Result<(), String> {
    use std::io::Write;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
        }
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.create(true).write(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path).map_err(|e| e.to_string())?;
    writeln!(f, "{server}\n{token}").map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_file_is_private_and_tied_to_one_server() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("jarterm").join("token");
        let store = TokenStore::File(path.clone());
        store.set("http://a", "t0k3n");
        assert_eq!(store.get("http://a").as_deref(), Some("t0k3n"));
        assert_eq!(store.get("http://b"), None);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        store.delete("http://a");
        assert_eq!(store.get("http://a"), None);
    }
}
