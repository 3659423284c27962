//! Where the journal key comes from (issue 12 §3, issue 18 §1).
//!
//! Each journal (one per person and server) has its own random 256-bit key. That key is kept
//! in up to two places, and `<scope>.key` beside the journal says which key it is:
//!
//! - **The kernel keyring** of the login session, when one works (as before).
//! - **Sealed under the person's password**: at every sign-in with a password, a key is
//!   derived from it with Argon2id (a random salt per journal, kept in `<scope>.key`) and the
//!   journal key is sealed under it (XChaCha20-Poly1305). So where no keyring works, or after
//!   the keyring forgot the key (a reboot, another SSH login without `pam_keyinit`), the
//!   journal is unlocked at sign-in, and nothing in it is readable without the password.
//!
//! `<scope>.key` holds the salt, the Argon2id parameters, the sealed key and a check value
//! (`sha256` of a label, the scope and the key: it tells a stale keyring entry from the
//! right key without decrypting anything). It holds nothing readable without the password.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use keyring_core::api::CredentialStore;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

const KEY_SERVICE: &str = "jarterm-journal";

/// Argon2id cost, OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): about 30 ms in a
/// release build here, once per sign-in.
const M_COST: u32 = argon2::Params::DEFAULT_M_COST;
const T_COST: u32 = argon2::Params::DEFAULT_T_COST;
const P_COST: u32 = argon2::Params::DEFAULT_P_COST;
/// Parameters read back from a key file are bounded, so a tampered file cannot make sign-in
/// allocate gigabytes.
const MAX_M_COST: u32 = 256 * 1024;
const MAX_T_COST: u32 = 16;
const MAX_P_COST: u32 = 4;

/// A key derived from the password at sign-in, with the salt and parameters it was derived
/// with. Blocking to make (Argon2id); cheap to use. Never written anywhere.
#[derive(Clone)]
pub struct PasswordKey {
    salt: [u8; 16],
    params: KdfParams,
    key: [u8; 32],
}

impl Drop for PasswordKey {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.key);
    }
}

impl std::fmt::Debug for PasswordKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordKey(..)")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct KdfParams {
    m: u32,
    t: u32,
    p: u32,
}

impl KdfParams {
    const DEFAULT: KdfParams = KdfParams {
        m: M_COST,
        t: T_COST,
        p: P_COST,
    };

    fn bounded(self) -> bool {
        (1..=MAX_M_COST).contains(&self.m)
            && (1..=MAX_T_COST).contains(&self.t)
            && (1..=MAX_P_COST).contains(&self.p)
    }
}

/// The journal key sealed under a password-derived key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct PasswordSeal {
    salt: String,
    #[serde(flatten)]
    params: KdfParams,
    nonce: String,
    sealed: String,
}

/// `<scope>.key`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct KeyFile {
    /// `sha256("jarterm journal key" ‖ scope ‖ key)` in hex.
    check: String,
    /// Absent until the first sign-in with a password.
    password: Option<PasswordSeal>,
}

pub(super) fn key_file_path(dir: &Path, scope: &str) -> PathBuf {
    dir.join(format!("{scope}.key"))
}

fn check(scope: &str, key: &[u8; 32]) -> String {
    let mut h = Sha256::new();
    h.update(b"jarterm journal key\0");
    h.update(scope.as_bytes());
    h.update(key);
    hex::encode(h.finalize())
}

pub(super) fn fresh_key() -> [u8; 32] {
    let mut k = [0u8; 32];
    rand::rng().fill_bytes(&mut k);
    k
}

pub(super) fn read_key_file(dir: &Path, scope: &str) -> Option<KeyFile> {
    let bytes = std::fs::read(key_file_path(dir, scope)).ok()?;
    serde_json::from_slice(&bytes).ok()
}

impl KeyFile {
    pub(super) fn matches(&self, scope: &str, key: &[u8; 32]) -> bool {
        // Not a secret comparison: the check is a hash anyone with the file can read.
        self.check == check(scope, key)
    }

    pub(super) fn has_password_seal(&self) -> bool {
        self.password.is_some()
    }

    /// The file for `key`: sealed under `pk` when given, else keeping an earlier seal of the
    /// same key (a sign-in without a password never removes one).
    pub(super) fn new(
        scope: &str,
        key: &[u8; 32],
        pk: Option<&PasswordKey>,
        old: Option<&KeyFile>,
    ) -> KeyFile {
        let password = match pk {
            // Already sealed under this password: kept as it is (no write at each sign-in).
            Some(pk) if old.is_some_and(|o| o.unseal(scope, pk) == Some(*key)) => {
                old.and_then(|o| o.password.clone())
            }
            Some(pk) => seal_with_password(scope, key, pk),
            None => old
                .filter(|o| o.matches(scope, key))
                .and_then(|o| o.password.clone()),
        };
        KeyFile {
            check: check(scope, key),
            password,
        }
    }

    /// The journal key, unsealed with the password-derived key (`None`: another password,
    /// or no seal).
    pub(super) fn unseal(&self, scope: &str, pk: &PasswordKey) -> Option<[u8; 32]> {
        let seal = self.password.as_ref()?;
        if hex::decode(&seal.salt).ok()?.as_slice() != pk.salt || seal.params != pk.params {
            return None;
        }
        let nonce: [u8; 24] = hex::decode(&seal.nonce).ok()?.try_into().ok()?;
        let sealed = hex::decode(&seal.sealed).ok()?;
        let plain = XChaCha20Poly1305::new(&chacha20poly1305::Key::from(pk.key))
            .decrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: &sealed,
                    aad: scope.as_bytes(),
                },
            )
            .ok()?;
        let key: [u8; 32] = plain.try_into().ok()?;
        self.matches(scope, &key).then_some(key)
    }

    /// Write atomically, 0600 in a 0700 directory.
    pub(super) fn save(&self, dir: &Path, scope: &str) -> std::io::Result<()> {
        let bytes = serde_json::to_vec(self).map_err(std::io::Error::other)?;
        super::write_atomically(&key_file_path(dir, scope), &bytes, true)
    }
}

fn seal_with_password(scope: &str, key: &[u8; 32], pk: &PasswordKey) -> Option<PasswordSeal> {
    let mut nonce = [0u8; 24];
    rand::rng().fill_bytes(&mut nonce);
    let sealed = XChaCha20Poly1305::new(&chacha20poly1305::Key::from(pk.key))
        .encrypt(
            &XNonce::from(nonce),
            Payload {
                msg: key,
                aad: scope.as_bytes(),
            },
        )
        .ok()?;
    Some(PasswordSeal {
        salt: hex::encode(pk.salt),
        params: pk.params,
        nonce: hex::encode(nonce),
        sealed: hex::encode(sealed),
    })
}

/// Derive the key for the journal of `user` on `server` in `dir` from `password`, with the
/// salt and parameters of its key file (a fresh salt when it has none). Blocking: Argon2id.
pub fn derive_password_key(
    dir: &Path,
    user: &str,
    server: &str,
    password: &str,
) -> Option<PasswordKey> {
    let scope = super::scope(user, server);
    let existing = read_key_file(dir, &scope)
        .and_then(|f| f.password)
        .and_then(|s| {
            let salt: [u8; 16] = hex::decode(&s.salt).ok()?.try_into().ok()?;
            s.params.bounded().then_some((salt, s.params))
        });
    let (salt, params) = existing.unwrap_or_else(|| {
        let mut salt = [0u8; 16];
        rand::rng().fill_bytes(&mut salt);
        (salt, KdfParams::DEFAULT)
    });
    let argon = argon2::Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        argon2::Params::new(params.m, params.t, params.p, Some(32)).ok()?,
    );
    let mut key = [0u8; 32];
    argon
        .hash_password_into(password.as_bytes(), &salt, &mut key)
        .ok()?;
    Some(PasswordKey { salt, params, key })
}

/// A keyring that may hold the journal key.
#[derive(Clone)]
pub(super) enum Ring {
    Store(Arc<CredentialStore>),
    /// Tests: a keyring that holds this key and no other.
    Fixed([u8; 32]),
}

impl Ring {
    pub(super) fn get(&self, scope: &str) -> Option<[u8; 32]> {
        match self {
            Ring::Fixed(k) => Some(*k),
            Ring::Store(store) => {
                let entry = store.build(KEY_SERVICE, scope, None).ok()?;
                let hexkey = entry.get_password().ok()?;
                let bytes = hex::decode(hexkey.trim()).ok()?;
                <[u8; 32]>::try_from(bytes.as_slice()).ok()
            }
        }
    }

    /// Keep `key` for `scope`; false when the keyring refuses.
    pub(super) fn set(&self, scope: &str, key: &[u8; 32]) -> bool {
        match self {
            Ring::Fixed(k) => k == key,
            Ring::Store(store) => {
                let Ok(entry) = store.build(KEY_SERVICE, scope, None) else {
                    return false;
                };
                if entry.set_password(&hex::encode(key)).is_err() {
                    return false;
                }
                // Read it back: some keyrings accept a set and then refuse the get.
                entry.get_password().ok().as_deref() == Some(hex::encode(key).as_str())
            }
        }
    }
}
