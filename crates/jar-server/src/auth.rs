//! Passwords (argon2id), bearer tokens (256-bit random, stored as SHA-256) and sign-in
//! throttling.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use chrono::{DateTime, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Duration;

/// Hash a password to a PHC string. Slow by design, so run it off the async threads.
pub async fn hash_password(password: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("password hashing failed: {e}"))
    })
    .await?
}

/// Verify a password. `None` for the hash (unknown user) still spends the same work, so an
/// attacker cannot tell unknown users from wrong passwords by timing.
pub async fn verify_password(password: String, phc: Option<String>) -> anyhow::Result<bool> {
    tokio::task::spawn_blocking(move || {
        let phc = phc.unwrap_or_else(|| dummy_hash().to_string());
        let parsed =
            PasswordHash::new(&phc).map_err(|e| anyhow::anyhow!("bad stored hash: {e}"))?;
        Ok(Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok())
    })
    .await?
}

fn dummy_hash() -> &'static str {
    static CELL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    CELL.get_or_init(|| {
        Argon2::default()
            .hash_password(b"not a real password")
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}

/// A new bearer token and the hash we store for it.
pub fn new_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    let hash = token_hash(&token);
    (token, hash)
}

/// A one-time password a manager reads out once (issue 17 §2): four groups of five lowercase
/// letters and digits, 20 characters (well above the NCSC-guided minimum of 12,
/// `jar_core::text::mins::PASSWORD`), without look-alikes (0/o, 1/l/i).
pub fn one_time_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    use rand::Rng;
    let mut rng = rand::rng();
    let chars: Vec<char> = (0..20)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect();
    chars
        .chunks(5)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Sign-in throttling (issue 13 §2), per account and per client address, so that one person's
/// typos behind a shared address (an SSH jump host, a load balancer) never lock out the team:
///
/// - **Per account** (the username, case-folded, known or not): the first
///   [`FREE_FAILURES`] failures cost nothing; after that each attempt must wait an exponentially
///   growing back-off (1 s, 2 s, 4 s ... at most [`MAX_BACKOFF`]) after the last failure. It
///   slows guessing without a hard lockout an attacker could hold a real user in; a success
///   clears it, and it is forgotten [`FORGET_AFTER`] after the last failure.
/// - **Per address**: blocked only at [`ADDRESS_MAX_FAILURES`] failures across all accounts in
///   [`ADDRESS_WINDOW`], ten times what one account can spend freely: a password spray.
///
/// Sources: the approach is OWASP's Authentication Cheat Sheet ("Account lockout": prefer an
/// exponential back-off, and do not let lockout become a denial of service) and NCSC password
/// guidance (throttle guessing rather than lock accounts). The numbers: 5 failures and 15
/// minutes are the limits issue G set; 50 per address is ten times what one account may spend
/// freely, issue 13 §2's "much higher rate of failures across many accounts".
pub struct Throttle {
    accounts: Mutex<HashMap<String, Account>>,
    addresses: Mutex<HashMap<IpAddr, VecDeque<DateTime<Utc>>>>,
}

#[derive(Debug, Clone, Copy)]
struct Account {
    failures: u32,
    last: DateTime<Utc>,
}

pub const FREE_FAILURES: u32 = 5;
pub const MAX_BACKOFF: Duration = Duration::from_secs(15 * 60);
pub const FORGET_AFTER: Duration = Duration::from_secs(15 * 60);
pub const ADDRESS_WINDOW: Duration = Duration::from_secs(15 * 60);
pub const ADDRESS_MAX_FAILURES: usize = 50;
/// Bound memory under a spray of invented usernames or addresses.
const MAX_ENTRIES: usize = 100_000;

/// Why a sign-in must wait, and for how many seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    Account(u64),
    Address(u64),
}

impl Wait {
    pub fn seconds(self) -> u64 {
        match self {
            Wait::Account(s) | Wait::Address(s) => s,
        }
    }
}

/// The back-off owed after `failures` failures in a row.
pub fn backoff(failures: u32) -> Duration {
    if failures < FREE_FAILURES {
        return Duration::ZERO;
    }
    let exp = (failures - FREE_FAILURES).min(20);
    Duration::from_secs(1u64 << exp).min(MAX_BACKOFF)
}

fn since(now: DateTime<Utc>, then: DateTime<Utc>) -> Duration {
    (now - then).to_std().unwrap_or_default()
}

fn secs_ceil(d: Duration) -> u64 {
    (d.as_millis().div_ceil(1000) as u64).max(1)
}

impl Default for Throttle {
    fn default() -> Self {
        Throttle::new()
    }
}

impl Throttle {
    pub fn new() -> Self {
        Throttle {
            accounts: Mutex::new(HashMap::new()),
            addresses: Mutex::new(HashMap::new()),
        }
    }

    fn account_key(username: &str) -> String {
        username.to_lowercase()
    }

    /// Whether a sign-in for `username` from `addr` must wait.
    pub fn check(&self, username: &str, addr: IpAddr, now: DateTime<Utc>) -> Option<Wait> {
        {
            let mut map = self.addresses.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(q) = map.get_mut(&addr) {
                while q.front().is_some_and(|t| since(now, *t) >= ADDRESS_WINDOW) {
                    q.pop_front();
                }
                if q.len() >= ADDRESS_MAX_FAILURES
                    && let Some(oldest) = q.front()
                {
                    let left = ADDRESS_WINDOW.saturating_sub(since(now, *oldest));
                    return Some(Wait::Address(secs_ceil(left)));
                }
            }
        }
        let map = self.accounts.lock().unwrap_or_else(|p| p.into_inner());
        let a = map.get(&Self::account_key(username))?;
        if since(now, a.last) >= FORGET_AFTER {
            return None;
        }
        let left = backoff(a.failures).saturating_sub(since(now, a.last));
        (!left.is_zero()).then(|| Wait::Account(secs_ceil(left)))
    }

    /// Count a failed sign-in against the account and the address.
    pub fn fail(&self, username: &str, addr: IpAddr, now: DateTime<Utc>) {
        {
            let mut map = self.accounts.lock().unwrap_or_else(|p| p.into_inner());
            if map.len() >= MAX_ENTRIES {
                map.retain(|_, a| since(now, a.last) < FORGET_AFTER);
            }
            let a = map.entry(Self::account_key(username)).or_insert(Account {
                failures: 0,
                last: now,
            });
            if since(now, a.last) >= FORGET_AFTER {
                a.failures = 0;
            }
            a.failures = a.failures.saturating_add(1);
            a.last = now;
        }
        self.fail_address(addr, now);
    }

    /// Count a failure against the address only (a sign-in refused before any account).
    pub fn fail_address(&self, addr: IpAddr, now: DateTime<Utc>) {
        let mut map = self.addresses.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= MAX_ENTRIES {
            map.retain(|_, q| q.back().is_some_and(|t| since(now, *t) < ADDRESS_WINDOW));
        }
        map.entry(addr).or_default().push_back(now);
    }

    /// A successful sign-in clears the account's back-off (not the address's count).
    pub fn succeed(&self, username: &str) {
        self.accounts
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&Self::account_key(username));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_off_is_free_at_first_then_doubles_up_to_fifteen_minutes() {
        let secs: Vec<u64> = (0..30).map(|n| backoff(n).as_secs()).collect();
        assert_eq!(&secs[..8], &[0, 0, 0, 0, 0, 1, 2, 4]);
        assert_eq!(secs[29], 900);
    }

    #[test]
    fn one_accounts_failures_never_block_another_account_at_the_same_address() {
        let t = Throttle::new();
        let addr: IpAddr = "10.0.0.7".parse().expect("ip");
        let now = Utc::now();
        for _ in 0..12 {
            t.fail("typo", addr, now);
        }
        assert!(matches!(t.check("typo", addr, now), Some(Wait::Account(_))));
        assert_eq!(t.check("colleague", addr, now), None);
        // Waiting out the back-off is enough: no lockout.
        let later = now + chrono::Duration::from_std(backoff(12)).expect("duration");
        assert_eq!(t.check("typo", addr, later), None);
    }
}
