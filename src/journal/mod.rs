//! The local journal: every write not yet confirmed by the server (with its idempotency key)
//! and the text of unsaved forms, in one file per person and server under
//! `$XDG_STATE_HOME/jarterm/journal/` (directory 0700, file 0600).
//!
//! - The file is named after `sha256(user@server)`, so another person on the same account
//!   (or the same person on another server) never reads these entries.
//! - Written atomically: a temporary file is written and fsynced, renamed over the old one,
//!   and the directory fsynced. A crash leaves the old or the new journal, never a torn one.
//! - Encrypted with XChaCha20-Poly1305 under a random 256-bit key kept in the kernel keyring
//!   (keyutils) when that works. When no keyring works the journal is written in clear
//!   (still 0600) and the status bar says "journal unencrypted" (docs/offline.md).
//! - A file that cannot be read (damaged, from another person, or encrypted with a key the
//!   keyring no longer holds, as after a reboot) is moved aside as `.corrupt`, never deleted,
//!   and the person is told; the program carries on with an empty journal.
//!
//! Every call blocks (file system, keyring): only the writer thread calls them
//! (`crate::journal_writer`), on sign-in, before a write is sent and on a pause in typing.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use keyring_core::api::CredentialStore;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::drafts::SavedDraft;
use crate::state::Write;

const MAGIC: &[u8; 4] = b"JARJ";
const VERSION: u8 = 1;
const PLAIN: u8 = 0;
const SEALED: u8 = 1;
const KEY_SERVICE: &str = "jarterm-journal";

/// One write waiting for the server's confirmation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JournalWrite {
    pub key: Uuid,
    pub write: Write,
    /// The form it came from (given back if the server refuses the write).
    pub form: Option<SavedDraft>,
}

/// Everything the journal holds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Contents {
    /// In the order they were made: replayed in this order.
    pub writes: Vec<JournalWrite>,
    pub drafts: Vec<SavedDraft>,
    /// Checklist conflicts the person has not decided yet (`crate::outbox::Conflict`).
    #[serde(default)]
    pub conflicts: Vec<crate::outbox::Conflict>,
}

impl Contents {
    pub fn is_empty(&self) -> bool {
        self.writes.is_empty() && self.drafts.is_empty() && self.conflicts.is_empty()
    }
}

#[derive(Serialize, Deserialize)]
struct OnDisk {
    scope: String,
    contents: Contents,
}

/// Where the journal key comes from.
#[derive(Clone, Default)]
pub enum KeySource {
    /// Probe the kernel keyring; unencrypted when it refuses.
    #[default]
    Keyring,
    /// A given store (tests, or one already probed).
    Store(Arc<CredentialStore>),
    /// A fixed key (tests).
    Fixed([u8; 32]),
    /// No key: unencrypted.
    None,
}

impl std::fmt::Debug for KeySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            KeySource::Keyring => "keyring",
            KeySource::Store(_) => "store",
            KeySource::Fixed(_) => "fixed",
            KeySource::None => "none",
        })
    }
}

pub struct Journal {
    path: PathBuf,
    scope: String,
    key: Option<[u8; 32]>,
}

impl std::fmt::Debug for Journal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Journal")
            .field("path", &self.path)
            .field("encrypted", &self.key.is_some())
            .finish()
    }
}

/// What opening a journal found.
#[derive(Debug)]
pub struct Opened {
    pub journal: Journal,
    pub contents: Contents,
    /// Words for a banner when the old file could not be read (and was kept aside).
    pub problem: Option<String>,
}

/// `$XDG_STATE_HOME/jarterm/journal/`.
pub fn dir() -> Option<PathBuf> {
    crate::config::state_dir().map(|d| d.join("journal"))
}

/// `sha256("user@server")` in hex: the file name and the keyring account.
pub fn scope(user: &str, server: &str) -> String {
    hex::encode(Sha256::digest(format!("{user}@{server}").as_bytes()))
}

fn fresh_key() -> [u8; 32] {
    let mut k = [0u8; 32];
    rand::rng().fill_bytes(&mut k);
    k
}

/// The key for `scope` from the store, made and stored when there is none yet.
/// `None` when the store refuses (the journal is then unencrypted).
fn key_from_store(store: &CredentialStore, scope: &str) -> Option<[u8; 32]> {
    let entry = store.build(KEY_SERVICE, scope, None).ok()?;
    if let Ok(hexkey) = entry.get_password()
        && let Ok(bytes) = hex::decode(hexkey.trim())
        && let Ok(key) = <[u8; 32]>::try_from(bytes.as_slice())
    {
        return Some(key);
    }
    let key = fresh_key();
    entry.set_password(&hex::encode(key)).ok()?;
    // Read it back: some keyrings accept a set and then refuse the get.
    let back = entry.get_password().ok()?;
    (back == hex::encode(key)).then_some(key)
}

impl Journal {
    /// Open (or start) the journal of `user` on `server` in `dir`. Never fails: problems are
    /// reported in `Opened::problem` and the journal starts empty.
    pub fn open(dir: &Path, user: &str, server: &str, keys: &KeySource) -> Opened {
        let journal = Journal::locate(dir, user, server, keys);
        let (contents, problem) = match journal.read() {
            Ok(c) => (c, None),
            Err(why) => {
                let aside = journal.keep_aside();
                tracing::warn!(%why, "journal unreadable; kept aside");
                let where_ = aside
                    .map(|p| format!(" It was kept aside as {}.", p.display()))
                    .unwrap_or_default();
                (
                    Contents::default(),
                    Some(format!(
                        "The local journal could not be read ({why}); starting a new one.{where_}"
                    )),
                )
            }
        };
        Opened {
            journal,
            contents,
            problem,
        }
    }

    /// The journal of `user` on `server` in `dir`, with its key, without reading it (so
    /// nothing is moved aside): `read` it to look inside.
    pub fn locate(dir: &Path, user: &str, server: &str, keys: &KeySource) -> Journal {
        let scope = scope(user, server);
        let key = match keys {
            KeySource::Keyring => crate::token_store::probe_keyutils()
                .and_then(|store| key_from_store(store.as_ref(), &scope)),
            KeySource::Store(store) => key_from_store(store.as_ref(), &scope),
            KeySource::Fixed(k) => Some(*k),
            KeySource::None => None,
        };
        Journal {
            path: dir.join(format!("{scope}.journal")),
            scope,
            key,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn encrypted(&self) -> bool {
        self.key.is_some()
    }

    fn cipher(&self) -> Option<XChaCha20Poly1305> {
        self.key
            .map(|k| XChaCha20Poly1305::new(&chacha20poly1305::Key::from(k)))
    }

    /// The journal's contents; an empty journal when there is no file.
    pub fn read(&self) -> Result<Contents, String> {
        let bytes = match std::fs::read(&self.path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Contents::default()),
            Err(e) => return Err(format!("cannot read it: {}", e.kind())),
        };
        self.decode(&bytes)
    }

    fn decode(&self, bytes: &[u8]) -> Result<Contents, String> {
        if bytes.len() < 6 || &bytes[..4] != MAGIC || bytes[4] != VERSION {
            return Err("not a jarterm journal".into());
        }
        let body = &bytes[6..];
        let json = match bytes[5] {
            PLAIN => body.to_vec(),
            SEALED => {
                let cipher = self
                    .cipher()
                    .ok_or("it is encrypted and the key is not in the keyring")?;
                if body.len() < 24 {
                    return Err("it is cut short".into());
                }
                let (nonce, sealed) = body.split_at(24);
                let nonce: [u8; 24] = nonce.try_into().map_err(|_| "it is cut short")?;
                cipher
                    .decrypt(
                        &XNonce::from(nonce),
                        Payload {
                            msg: sealed,
                            aad: self.scope.as_bytes(),
                        },
                    )
                    .map_err(|_| "it does not decrypt with this person's key")?
            }
            _ => return Err("unknown journal format".into()),
        };
        let disk: OnDisk =
            serde_json::from_slice(&json).map_err(|_| "its contents are damaged".to_string())?;
        if disk.scope != self.scope {
            return Err("it belongs to another person or server".into());
        }
        Ok(disk.contents)
    }

    fn encode(&self, contents: &Contents) -> Result<Vec<u8>, String> {
        let json = serde_json::to_vec(&OnDisk {
            scope: self.scope.clone(),
            contents: contents.clone(),
        })
        .map_err(|e| e.to_string())?;
        let mut out = Vec::with_capacity(json.len() + 48);
        out.extend_from_slice(MAGIC);
        out.push(VERSION);
        match self.cipher() {
            Some(cipher) => {
                let mut nonce = [0u8; 24];
                rand::rng().fill_bytes(&mut nonce);
                let sealed = cipher
                    .encrypt(
                        &XNonce::from(nonce),
                        Payload {
                            msg: &json,
                            aad: self.scope.as_bytes(),
                        },
                    )
                    .map_err(|_| "encryption failed".to_string())?;
                out.push(SEALED);
                out.extend_from_slice(&nonce);
                out.extend_from_slice(&sealed);
            }
            None => {
                out.push(PLAIN);
                out.extend_from_slice(&json);
            }
        }
        Ok(out)
    }

    /// Replace the journal with `contents` atomically; an empty journal removes the file.
    pub fn save(&self, contents: &Contents) -> std::io::Result<()> {
        let dir = self.path.parent().unwrap_or(Path::new("."));
        if contents.is_empty() {
            match std::fs::remove_file(&self.path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
                _ => {}
            }
            return sync_dir(dir);
        }
        crate::config::private_dir(dir)?;
        let bytes = self.encode(contents).map_err(std::io::Error::other)?;
        let tmp = self.path.with_extension("journal.tmp");
        let mut opts = std::fs::OpenOptions::new();
        opts.create(true).write(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        {
            let mut f = opts.open(&tmp)?;
            f.write_all(&bytes)?;
            f.sync_all()?;
        }
        std::fs::rename(&tmp, &self.path)?;
        sync_dir(dir)
    }

    /// Move an unreadable file aside (`<name>.<time>.corrupt`); it is never deleted.
    fn keep_aside(&self) -> Option<PathBuf> {
        // Never overwrite an earlier kept-aside file: it may hold someone's unsent work.
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S%.3f");
        let aside = (0..1000)
            .map(|n| self.path.with_extension(format!("{stamp}-{n}.corrupt")))
            .find(|p| !p.exists())?;
        std::fs::rename(&self.path, &aside).ok()?;
        let _ = sync_dir(self.path.parent().unwrap_or(Path::new(".")));
        Some(aside)
    }
}

fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        std::fs::File::open(dir)?.sync_all()?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use jar_core::wire::NewTimelineEvent;

    fn sample() -> Contents {
        let event: NewTimelineEvent = serde_json::from_value(serde_json::json!({
            "kind": "coroner_informed",
            "note": "Called the coroner's officer"
        }))
        .unwrap_or_else(|_| panic!("sample event"));
        Contents {
            writes: vec![JournalWrite {
                key: Uuid::new_v4(),
                write: Write::AddEvent {
                    case_ref: "JAR-2026-0042".into(),
                    event,
                },
                form: None,
            }],
            drafts: vec![],
            conflicts: vec![],
        }
    }

    fn mode(p: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(p).expect("meta").permissions().mode() & 0o777
    }

    #[test]
    fn an_encrypted_journal_round_trips_privately_and_hides_its_text() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().join("journal");
        let keys = KeySource::Fixed([7; 32]);
        let o = Journal::open(&dir, "demo-keyworker", "http://a", &keys);
        assert!(o.problem.is_none());
        assert!(o.journal.encrypted());
        let c = sample();
        o.journal.save(&c).expect("saved");
        assert_eq!(mode(o.journal.path()), 0o600);
        assert_eq!(mode(&dir), 0o700);
        let raw = std::fs::read(o.journal.path()).expect("raw");
        assert!(!String::from_utf8_lossy(&raw).contains("coroner"));
        let again = Journal::open(&dir, "demo-keyworker", "http://a", &keys);
        assert_eq!(again.contents, c);
        // Emptied: the file goes.
        again.journal.save(&Contents::default()).expect("emptied");
        assert!(!again.journal.path().exists());
    }

    #[test]
    fn another_person_or_server_never_sees_the_entries() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let keys = KeySource::None;
        let a = Journal::open(tmp.path(), "alice", "http://a", &keys);
        a.journal.save(&sample()).expect("saved");
        assert!(!a.journal.encrypted());
        let b = Journal::open(tmp.path(), "bob", "http://a", &keys);
        assert!(b.contents.is_empty());
        let other = Journal::open(tmp.path(), "alice", "http://b", &keys);
        assert!(other.contents.is_empty());
        // A file copied over another person's name is refused, kept aside, never a crash.
        std::fs::copy(a.journal.path(), b.journal.path()).expect("copy");
        let b2 = Journal::open(tmp.path(), "bob", "http://a", &keys);
        assert!(b2.contents.is_empty());
        assert!(
            b2.problem
                .as_deref()
                .unwrap_or("")
                .contains("another person")
        );
        assert!(!b2.journal.path().exists());
    }

    #[test]
    fn a_damaged_or_foreign_key_file_is_kept_aside_not_a_crash() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let o = Journal::open(tmp.path(), "u", "s", &KeySource::Fixed([1; 32]));
        o.journal.save(&sample()).expect("saved");
        // Wrong key (as after a reboot lost the keyring).
        let wrong = Journal::open(tmp.path(), "u", "s", &KeySource::Fixed([2; 32]));
        assert!(wrong.contents.is_empty());
        assert!(wrong.problem.is_some());
        // Garbage.
        std::fs::write(wrong.journal.path(), b"JARJ\x01\x00{not json").expect("write");
        let bad = Journal::open(tmp.path(), "u", "s", &KeySource::None);
        assert!(bad.problem.as_deref().unwrap_or("").contains("damaged"));
        let aside = std::fs::read_dir(tmp.path())
            .expect("dir")
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().ends_with(".corrupt"))
            .count();
        assert_eq!(aside, 2);
        // Truncated sealed file.
        std::fs::write(bad.journal.path(), b"JARJ\x01\x01abc").expect("write");
        let cut = Journal::open(tmp.path(), "u", "s", &KeySource::Fixed([1; 32]));
        assert!(cut.problem.is_some());
    }
}
