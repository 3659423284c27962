//! The local journal: every write not yet confirmed by the server (with its idempotency key)
//! and the text of unsaved forms, in one file per person and server under
//! `$XDG_STATE_HOME/jarterm/journal/` (directory 0700, files 0600); beside it the last fetched
//! copy of the board and of each case opened (`cache`, issue 12 §3).
//!
//! - Files are named after `sha256(user@server)`, so another person on the same account
//!   (or the same person on another server) never reads these entries: `<scope>.journal`,
//!   `<scope>.cache`, `<scope>.key` (which key, and the key sealed under the password: see
//!   `keys`) and `<scope>.lock` (one writer at a time: see `lock`).
//! - Written atomically: a temporary file is written and fsynced, renamed over the old one,
//!   and the directory fsynced. A crash leaves the old or the new journal, never a torn one.
//! - Encrypted with XChaCha20-Poly1305 under a random 256-bit key per journal, kept in the
//!   kernel keyring where one works and sealed under a key derived from the password at every
//!   sign-in (Argon2id, issue 12 §3). Never written in clear: with no keyring and no password
//!   this run (`JARTERM_TOKEN`), nothing is written and work is kept in memory only
//!   (`KeyMode::MemoryOnly`, said in the status bar). Only `KeySource::None`, chosen in code
//!   (tests), writes in clear.
//! - A journal whose key cannot be reached here (no keyring in this login, or it forgot the
//!   key after a reboot) is **kept as it is** and unlocked at sign-in with the password
//!   (`KeyMode::Locked`, issue 18 §1); it is never set aside as damaged. Only one that no
//!   password can open (never sealed with one) is moved aside as `.locked`, never deleted.
//! - A file that is damaged or from another person is moved aside as `.corrupt`, never
//!   deleted, and the person is told; the program carries on with an empty journal.
//!
//! Every call blocks (file system, keyring, Argon2id in `derive_password_key`) and none needs
//! the event loop: the app calls them only from its journal writer thread
//! (`crate::journal_writer`), on sign-in, before a write is sent and on a pause in typing.

mod cache;
mod keys;
mod lock;

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

pub use cache::{CacheContents, CachedBoard, CachedCase, CachedRow, MAX_CASES};
pub use keys::{PasswordKey, derive_password_key};
pub use lock::LockHeld;

use crate::drafts::SavedDraft;
use crate::state::Write;
use keys::{KeyFile, Ring};

const MAGIC: &[u8; 4] = b"JARJ";
const CACHE_MAGIC: &[u8; 4] = b"JARC";
const VERSION: u8 = 1;
const PLAIN: u8 = 0;
const SEALED: u8 = 1;

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
struct OnDisk<T> {
    scope: String,
    contents: T,
}

/// Where the journal key comes from.
#[derive(Clone, Default)]
pub enum KeySource {
    /// Probe the kernel keyring; where it refuses, the key comes from the password at
    /// sign-in, or there is none (memory only).
    #[default]
    Keyring,
    /// A given store (tests, or one already probed).
    Store(Arc<CredentialStore>),
    /// A keyring that holds this key (tests).
    Fixed([u8; 32]),
    /// No keyring works (as when the probe fails): the key comes only from the password.
    NoKeyring,
    /// Written in clear. Never chosen by the program; tests only.
    None,
}

impl std::fmt::Debug for KeySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            KeySource::Keyring => "keyring",
            KeySource::Store(_) => "store",
            KeySource::Fixed(_) => "fixed",
            KeySource::NoKeyring => "no keyring",
            KeySource::None => "none",
        })
    }
}

/// What the journal can do with its key here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyMode {
    /// Sealed under its key: read and written.
    Sealed,
    /// In clear (`KeySource::None`, tests only).
    Plain,
    /// No key here and none can be kept (no keyring, no password this run): nothing is
    /// written; work is kept in memory only.
    MemoryOnly,
    /// A journal sealed under a key this login cannot reach: kept as it is, unlocked at
    /// sign-in with the password.
    Locked,
    /// Sealed under a key nothing here can reach and no password can open: `load` moves it
    /// aside as `.locked` (never deleted) and starts a new one.
    Unreachable,
}

pub struct Journal {
    dir: PathBuf,
    path: PathBuf,
    scope: String,
    key: Option<[u8; 32]>,
    mode: KeyMode,
    ring: Option<Ring>,
    password: Option<PasswordKey>,
    /// The writer lock, while held (`Some(None)`: no lock can be made here).
    lock: Option<Option<std::fs::File>>,
}

impl Drop for Journal {
    fn drop(&mut self) {
        if let Some(k) = self.key.as_mut() {
            zeroize::Zeroize::zeroize(k);
        }
    }
}

// The keyring store is a trait object (not `RefUnwindSafe` by itself); the journal keeps no
// state in it that a panic part-way could leave inconsistent, so a journal can be read inside
// `catch_unwind` (tests/fuzz_journal.rs) as before it held one.
impl std::panic::RefUnwindSafe for Journal {}
impl std::panic::UnwindSafe for Journal {}

impl std::fmt::Debug for Journal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Journal")
            .field("path", &self.path)
            .field("mode", &self.mode)
            .field("writer", &self.lock.is_some())
            .finish()
    }
}

/// What opening a journal found.
#[derive(Debug)]
pub struct Opened {
    pub journal: Journal,
    pub contents: Contents,
    /// Words for a banner when the old file could not be read (and was kept aside), or is
    /// locked until sign-in.
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

/// Whether `path` is a file sealed under a key (journal or cache).
fn is_sealed_file(path: &Path) -> bool {
    use std::io::Read as _;
    let mut head = [0u8; 6];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok()
        && head[4] == VERSION
        && head[5] == SEALED
}

impl Journal {
    /// Open (or start) the journal of `user` on `server` in `dir`. Never fails: problems are
    /// reported in `Opened::problem` and the journal starts empty.
    pub fn open(dir: &Path, user: &str, server: &str, keys: &KeySource) -> Opened {
        Journal::open_with(dir, user, server, keys, None)
    }

    /// `open`, with the key derived from the password at this sign-in.
    pub fn open_with(
        dir: &Path,
        user: &str,
        server: &str,
        keys: &KeySource,
        password: Option<&PasswordKey>,
    ) -> Opened {
        let mut journal = Journal::locate_with(dir, user, server, keys, password);
        let (contents, problem) = journal.load();
        Opened {
            journal,
            contents,
            problem,
        }
    }

    /// The journal of `user` on `server` in `dir`, with its key, without reading it (so
    /// nothing is moved aside): `read` it to look inside.
    pub fn locate(dir: &Path, user: &str, server: &str, keys: &KeySource) -> Journal {
        Journal::locate_with(dir, user, server, keys, None)
    }

    /// `locate`, with the key derived from the password at this sign-in.
    pub fn locate_with(
        dir: &Path,
        user: &str,
        server: &str,
        keys: &KeySource,
        password: Option<&PasswordKey>,
    ) -> Journal {
        let scope = scope(user, server);
        let (ring, plain) = match keys {
            KeySource::Keyring => (crate::token_store::probe_keyutils().map(Ring::Store), false),
            KeySource::Store(store) => (Some(Ring::Store(store.clone())), false),
            KeySource::Fixed(k) => (Some(Ring::Fixed(*k)), false),
            KeySource::NoKeyring => (None, false),
            KeySource::None => (None, true),
        };
        let mut journal = Journal {
            path: dir.join(format!("{scope}.journal")),
            dir: dir.to_path_buf(),
            scope,
            key: None,
            mode: KeyMode::Plain,
            ring,
            password: password.cloned(),
            lock: None,
        };
        if !plain {
            journal.resolve_key();
        }
        journal
    }

    /// Find the key (keyring, then password), or make one when there is nothing sealed yet
    /// and it can be kept somewhere; keep `<scope>.key` up to date.
    fn resolve_key(&mut self) {
        let scope = self.scope.clone();
        let file = keys::read_key_file(&self.dir, &scope);
        let from_ring = self.ring.as_ref().and_then(|r| r.get(&scope));
        let mut key = from_ring.filter(|k| file.as_ref().is_none_or(|f| f.matches(&scope, k)));
        if key.is_none()
            && let (Some(pk), Some(f)) = (&self.password, &file)
        {
            key = f.unseal(&scope, pk);
        }
        let sealed_here =
            is_sealed_file(&self.path) || is_sealed_file(&self.path.with_extension("cache"));
        if key.is_none() {
            if sealed_here {
                let sealed_with_password = file.as_ref().is_some_and(|f| f.has_password_seal());
                self.key = None;
                self.mode = if sealed_with_password && self.password.is_none() {
                    KeyMode::Locked
                } else {
                    KeyMode::Unreachable
                };
                return;
            }
            if self.ring.is_some() || self.password.is_some() {
                key = Some(from_ring.unwrap_or_else(keys::fresh_key));
            }
        }
        let Some(k) = key else {
            self.key = None;
            self.mode = KeyMode::MemoryOnly;
            return;
        };
        let in_ring = self
            .ring
            .as_ref()
            .is_some_and(|r| from_ring == Some(k) || r.set(&scope, &k));
        let new_file = KeyFile::new(&scope, &k, self.password.as_ref(), file.as_ref());
        if !in_ring && !new_file.has_password_seal() {
            // Nowhere to keep the key: a journal sealed under it could never be read again.
            self.key = None;
            self.mode = KeyMode::MemoryOnly;
            return;
        }
        if file.as_ref() != Some(&new_file)
            && let Err(e) = new_file.save(&self.dir, &scope)
        {
            tracing::warn!(error = %e.kind(), "journal key file not written");
        }
        self.key = Some(k);
        self.mode = KeyMode::Sealed;
    }

    /// Read the journal (an empty one when there is none, or it is locked). A damaged file
    /// is moved aside as `.corrupt`; one no key can open as `.locked`; neither is deleted.
    /// Words for a banner come back with the contents.
    pub fn load(&mut self) -> (Contents, Option<String>) {
        match self.mode {
            KeyMode::MemoryOnly => (Contents::default(), None),
            KeyMode::Locked => (
                Contents::default(),
                Some(
                    "Your journal from last time is locked: its key is not in this login's \
                     keyring. Sign in with your password to unlock it; until then work here \
                     is kept in memory only."
                        .into(),
                ),
            ),
            KeyMode::Unreachable => {
                let aside = self.keep_aside("locked");
                let _ = std::fs::remove_file(self.path.with_extension("cache"));
                tracing::warn!("journal key unreachable; journal kept aside");
                self.resolve_key();
                let where_ = aside
                    .map(|p| format!(" It was kept as {}.", p.display()))
                    .unwrap_or_default();
                (
                    Contents::default(),
                    Some(format!(
                        "The local journal from last time was sealed under a key this login \
                         cannot reach and your password does not open; starting a new one.{where_}"
                    )),
                )
            }
            KeyMode::Sealed | KeyMode::Plain => match self.read() {
                Ok(c) => (c, None),
                Err(why) => {
                    let aside = self.keep_aside("corrupt");
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
            },
        }
    }

    /// With the key derived from the password at a sign-in: unlock a locked journal, or seal
    /// the key under this password (so it opens where no keyring has it). True when the
    /// journal could not be written before and can now: `load` it again.
    pub fn unlock(&mut self, password: &PasswordKey) -> bool {
        let before = self.writable();
        if self.mode == KeyMode::Plain {
            return false;
        }
        self.password = Some(password.clone());
        self.resolve_key();
        !before && (self.writable() || self.mode == KeyMode::Unreachable)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn mode(&self) -> KeyMode {
        self.mode
    }

    pub fn encrypted(&self) -> bool {
        self.key.is_some()
    }

    /// The journal can be written (sealed, or in clear by choice).
    pub fn writable(&self) -> bool {
        matches!(self.mode, KeyMode::Sealed | KeyMode::Plain)
    }

    /// Become the one writer of this journal, or say who is (issue 18 §1). Never blocks.
    pub fn acquire(&mut self) -> Result<(), LockHeld> {
        if self.lock.is_none() {
            self.lock = Some(lock::try_lock(&lock::lock_path(&self.dir, &self.scope))?);
        }
        Ok(())
    }

    pub fn is_writer(&self) -> bool {
        self.lock.is_some()
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
        decode(MAGIC, &self.scope, self.cipher().as_ref(), bytes)
    }

    /// Replace the journal with `contents` atomically; an empty journal removes the file.
    /// Refused when there is no key here (the journal is never written in clear).
    pub fn save(&self, contents: &Contents) -> std::io::Result<()> {
        if !self.writable() {
            return Err(std::io::Error::other(
                "no journal key here: kept in memory only",
            ));
        }
        if contents.is_empty() {
            match std::fs::remove_file(&self.path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
                _ => {}
            }
            return sync_dir(&self.dir);
        }
        let bytes = encode(MAGIC, &self.scope, self.cipher().as_ref(), contents)
            .map_err(std::io::Error::other)?;
        write_atomically(&self.path, &bytes, true)
    }

    /// The cached board and cases (empty when there are none, or they do not read).
    pub fn load_cache(&self) -> CacheContents {
        if !self.writable() {
            return CacheContents::default();
        }
        std::fs::read(self.path.with_extension("cache"))
            .ok()
            .and_then(|b| decode(CACHE_MAGIC, &self.scope, self.cipher().as_ref(), &b).ok())
            .unwrap_or_default()
    }

    /// A handle to write the cache from another thread (`None` when nothing may be written).
    pub fn cache_file(&self) -> Option<CacheFile> {
        self.writable().then(|| CacheFile {
            path: self.path.with_extension("cache"),
            scope: self.scope.clone(),
            key: self.key,
        })
    }

    /// Move the file aside (`<name>.<time>-<n>.<what>`); it is never deleted.
    fn keep_aside(&self, what: &str) -> Option<PathBuf> {
        // Never overwrite an earlier kept-aside file: it may hold someone's unsent work.
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S%.3f");
        let aside = (0..1000)
            .map(|n| self.path.with_extension(format!("{stamp}-{n}.{what}")))
            .find(|p| !p.exists())?;
        std::fs::rename(&self.path, &aside).ok()?;
        let _ = sync_dir(&self.dir);
        Some(aside)
    }
}

/// Where the cached board and cases are written, with the journal's key.
#[derive(Clone)]
pub struct CacheFile {
    path: PathBuf,
    scope: String,
    key: Option<[u8; 32]>,
}

impl Drop for CacheFile {
    fn drop(&mut self) {
        if let Some(k) = self.key.as_mut() {
            zeroize::Zeroize::zeroize(k);
        }
    }
}

impl std::fmt::Debug for CacheFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CacheFile")
            .field("path", &self.path)
            .finish()
    }
}

impl CacheFile {
    /// Replace the cache atomically (not fsynced: it is a copy of what the server has).
    pub fn save(&self, cache: &CacheContents) -> std::io::Result<()> {
        if cache.is_empty() {
            return match std::fs::remove_file(&self.path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
                _ => Ok(()),
            };
        }
        let cipher = self
            .key
            .map(|k| XChaCha20Poly1305::new(&chacha20poly1305::Key::from(k)));
        let bytes = encode(CACHE_MAGIC, &self.scope, cipher.as_ref(), cache)
            .map_err(std::io::Error::other)?;
        write_atomically(&self.path, &bytes, false)
    }
}

fn decode<T: serde::de::DeserializeOwned>(
    magic: &[u8; 4],
    scope: &str,
    cipher: Option<&XChaCha20Poly1305>,
    bytes: &[u8],
) -> Result<T, String> {
    if bytes.len() < 6 || &bytes[..4] != magic || bytes[4] != VERSION {
        return Err("not a jarterm journal".into());
    }
    let body = &bytes[6..];
    let json = match bytes[5] {
        PLAIN => body.to_vec(),
        SEALED => {
            let cipher = cipher.ok_or("it is encrypted and its key is not reachable here")?;
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
                        aad: scope.as_bytes(),
                    },
                )
                .map_err(|_| "it does not decrypt with this person's key")?
        }
        _ => return Err("unknown journal format".into()),
    };
    let disk: OnDisk<T> =
        serde_json::from_slice(&json).map_err(|_| "its contents are damaged".to_string())?;
    if disk.scope != scope {
        return Err("it belongs to another person or server".into());
    }
    Ok(disk.contents)
}

fn encode<T: Serialize>(
    magic: &[u8; 4],
    scope: &str,
    cipher: Option<&XChaCha20Poly1305>,
    contents: &T,
) -> Result<Vec<u8>, String> {
    let json = serde_json::to_vec(&OnDisk {
        scope: scope.to_string(),
        contents,
    })
    .map_err(|e| e.to_string())?;
    let mut out = Vec::with_capacity(json.len() + 48);
    out.extend_from_slice(magic);
    out.push(VERSION);
    match cipher {
        Some(cipher) => {
            let mut nonce = [0u8; 24];
            rand::rng().fill_bytes(&mut nonce);
            let sealed = cipher
                .encrypt(
                    &XNonce::from(nonce),
                    Payload {
                        msg: &json,
                        aad: scope.as_bytes(),
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

/// Write `bytes` to `path` through a temporary file renamed over it (0600, in a 0700
/// directory); with `durable`, the file and the directory are fsynced.
fn write_atomically(path: &Path, bytes: &[u8], durable: bool) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    crate::config::private_dir(dir)?;
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let mut opts = std::fs::OpenOptions::new();
    opts.create(true).write(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    {
        let mut f = opts.open(&tmp)?;
        f.write_all(bytes)?;
        if durable {
            f.sync_all()?;
        }
    }
    std::fs::rename(&tmp, path)?;
    if durable {
        sync_dir(dir)?;
    }
    Ok(())
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

/// Signing out of this machine: delete every offline copy of cases (`*.cache`) in `dir`.
/// They are copies of what the server holds, so nothing typed is lost; journals (unsent
/// writes, drafts) are kept for their owner's next sign-in. Returns how many were removed.
pub fn remove_caches(dir: &Path) -> std::io::Result<usize> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    let mut removed = 0;
    for entry in entries {
        let path = entry?.path();
        if path.extension().is_some_and(|x| x == "cache") && path.is_file() {
            std::fs::remove_file(&path)?;
            removed += 1;
        }
    }
    if removed > 0 {
        let _ = sync_dir(dir);
    }
    Ok(removed)
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

    fn kept_aside(dir: &Path, what: &str) -> usize {
        std::fs::read_dir(dir)
            .expect("dir")
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().ends_with(what))
            .count()
    }

    // Behaviour changed by issue 18 §1: a journal under another key is no longer "damaged".
    // Sealed under a key no keyring here holds and never under a password, it is kept as
    // `.locked`; a damaged file is still kept as `.corrupt`.
    #[test]
    fn a_damaged_or_foreign_key_file_is_kept_aside_not_a_crash() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let o = Journal::open(tmp.path(), "u", "s", &KeySource::Fixed([1; 32]));
        o.journal.save(&sample()).expect("saved");
        // Another key, and no password ever sealed it: unreachable, kept as `.locked`.
        let wrong = Journal::open(tmp.path(), "u", "s", &KeySource::Fixed([2; 32]));
        assert!(wrong.contents.is_empty());
        assert!(wrong.problem.as_deref().unwrap_or("").contains("kept as"));
        assert_eq!(kept_aside(tmp.path(), ".locked"), 1);
        assert_eq!(
            wrong.journal.mode(),
            KeyMode::Sealed,
            "a new one is started"
        );
        // Garbage.
        std::fs::write(wrong.journal.path(), b"JARJ\x01\x00{not json").expect("write");
        let bad = Journal::open(tmp.path(), "u", "s", &KeySource::None);
        assert!(bad.problem.as_deref().unwrap_or("").contains("damaged"));
        assert_eq!(kept_aside(tmp.path(), ".corrupt"), 1);
        // Truncated sealed file, under the key in force.
        std::fs::write(bad.journal.path(), b"JARJ\x01\x01abc").expect("write");
        let cut = Journal::open(tmp.path(), "u", "s", &KeySource::Fixed([2; 32]));
        assert!(cut.problem.as_deref().unwrap_or("").contains("cut short"));
        assert_eq!(kept_aside(tmp.path(), ".corrupt"), 2);
    }

    #[test]
    fn without_a_keyring_the_password_seals_it_and_without_the_password_it_stays_locked() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path();
        let pk = derive_password_key(dir, "kw", "http://a", "demo").expect("derived");
        let o = Journal::open_with(dir, "kw", "http://a", &KeySource::NoKeyring, Some(&pk));
        assert_eq!(o.journal.mode(), KeyMode::Sealed);
        let c = sample();
        o.journal.save(&c).expect("saved");
        let raw = std::fs::read(o.journal.path()).expect("raw");
        assert!(!String::from_utf8_lossy(&raw).contains("coroner"));
        let key_file = std::fs::read(keys::key_file_path(dir, &scope("kw", "http://a")));
        assert!(!String::from_utf8_lossy(&key_file.expect("key file")).contains("demo"));
        // Another login, no keyring, no password yet: locked, kept exactly as it was.
        let locked = Journal::open(dir, "kw", "http://a", &KeySource::NoKeyring);
        assert_eq!(locked.journal.mode(), KeyMode::Locked);
        assert!(locked.contents.is_empty());
        assert!(locked.problem.as_deref().unwrap_or("").contains("locked"));
        assert!(locked.journal.save(&Contents::default()).is_err());
        assert_eq!(std::fs::read(o.journal.path()).expect("still there"), raw);
        assert_eq!(kept_aside(dir, ".corrupt") + kept_aside(dir, ".locked"), 0);
        // Signing in unlocks it; the same salt gives the same key.
        let mut journal = locked.journal;
        let again = derive_password_key(dir, "kw", "http://a", "demo").expect("derived");
        assert!(journal.unlock(&again));
        assert_eq!(journal.load().0, c);
    }

    #[test]
    fn with_no_keyring_and_no_password_nothing_is_written() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let o = Journal::open(tmp.path(), "u", "s", &KeySource::NoKeyring);
        assert_eq!(o.journal.mode(), KeyMode::MemoryOnly);
        assert!(o.journal.save(&sample()).is_err());
        assert!(o.journal.cache_file().is_none());
        assert_eq!(std::fs::read_dir(tmp.path()).expect("dir").count(), 0);
    }

    #[test]
    fn a_keyring_that_forgot_the_key_loses_nothing_once_the_password_sealed_it() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path();
        let pk = derive_password_key(dir, "u", "s", "pw").expect("derived");
        let o = Journal::open_with(dir, "u", "s", &KeySource::Fixed([1; 32]), Some(&pk));
        let c = sample();
        o.journal.save(&c).expect("saved");
        // A token start in a login whose keyring holds another key: locked, not damaged.
        let other = Journal::open(dir, "u", "s", &KeySource::Fixed([2; 32]));
        assert_eq!(other.journal.mode(), KeyMode::Locked);
        // A wrong password cannot open it; the right one can.
        let wrong = derive_password_key(dir, "u", "s", "not it").expect("derived");
        let mut j = Journal::locate_with(dir, "u", "s", &KeySource::NoKeyring, Some(&wrong));
        assert_eq!(j.mode(), KeyMode::Unreachable);
        assert!(j.unlock(&pk));
        assert_eq!(j.load(), (c, None));
    }

    #[test]
    fn one_writer_at_a_time_and_the_next_one_gets_it_when_the_first_has_gone() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let keys = KeySource::Fixed([3; 32]);
        let mut first = Journal::locate(tmp.path(), "u", "s", &keys);
        first.acquire().expect("the first takes it");
        let mut second = Journal::locate(tmp.path(), "u", "s", &keys);
        let held = second.acquire().expect_err("held");
        assert_eq!(held.pid, Some(std::process::id()));
        assert!(held.to_string().contains("another jarterm (process"));
        // Another person's journal is not held.
        Journal::locate(tmp.path(), "v", "s", &keys)
            .acquire()
            .expect("another person's");
        drop(first);
        second.acquire().expect("free once the first has gone");
        assert!(second.is_writer());
    }

    #[test]
    fn the_case_cache_is_sealed_per_person() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let keys = KeySource::Fixed([4; 32]);
        let a = Journal::open(tmp.path(), "alice", "s", &keys).journal;
        let mut cache = CacheContents::default();
        let now = chrono::Utc::now();
        cache.case_mut("JAR-2026-0001", now).checklists = Some(vec![]);
        a.cache_file()
            .expect("writable")
            .save(&cache)
            .expect("saved");
        assert_eq!(a.load_cache(), cache);
        let raw = std::fs::read(a.path().with_extension("cache")).expect("raw");
        assert!(!String::from_utf8_lossy(&raw).contains("JAR-2026-0001"));
        let b = Journal::open(tmp.path(), "bob", "s", &keys).journal;
        assert!(b.load_cache().is_empty());
        // Copied over bob's name, it is refused (bound to alice's scope), never shown.
        std::fs::copy(
            a.path().with_extension("cache"),
            b.path().with_extension("cache"),
        )
        .expect("copy");
        assert!(b.load_cache().is_empty());
    }
}
