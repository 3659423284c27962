//! One writer per journal (issue 18 §1): an advisory lock (`flock`) on `<scope>.lock`, held
//! by the running jarterm for as long as it has the journal open and released by the kernel
//! when that process ends, however it ends. The holder writes its process id and start time
//! into the file so a second instance can say who has it.
//!
//! A second instance **waits**: it keeps its own work in memory, says so, and tries the lock
//! again every second; once the first one has gone (quit, killed, or hung up by a dropped SSH
//! link) it opens the journal, takes in what the first one left, and writes from then on.
//! Nothing is taken over from a running process (it may be a window the person still uses).

use std::fs::{File, TryLockError};
use std::io::{Read as _, Seek as _, Write as _};
use std::path::{Path, PathBuf};

/// Who holds the journal, as far as the lock file says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockHeld {
    pub pid: Option<u32>,
    /// When the holder took it (UK time, for a message).
    pub since: Option<String>,
}

impl std::fmt::Display for LockHeld {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("another jarterm")?;
        match (self.pid, &self.since) {
            (Some(p), Some(t)) => write!(f, " (process {p}, since {t})"),
            (Some(p), None) => write!(f, " (process {p})"),
            _ => Ok(()),
        }
    }
}

pub(super) fn lock_path(dir: &Path, scope: &str) -> PathBuf {
    dir.join(format!("{scope}.lock"))
}

/// Take the lock (`None`: no lock file can be made here, so nothing can be written either;
/// carry on), or say who has it. Never blocks.
pub(super) fn try_lock(path: &Path) -> Result<Option<File>, LockHeld> {
    if let Some(dir) = path.parent()
        && crate::config::private_dir(dir).is_err()
    {
        return Ok(None);
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.create(true).read(true).write(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let Ok(mut file) = opts.open(path) else {
        return Ok(None);
    };
    match file.try_lock() {
        Ok(()) => {
            let stamp = jar_core::time::uk_clock(chrono::Utc::now());
            let _ = file.set_len(0);
            let _ = file.rewind();
            let _ = write!(file, "{}\n{stamp}\n", std::process::id());
            let _ = file.sync_all();
            Ok(Some(file))
        }
        Err(TryLockError::WouldBlock) => {
            let mut text = String::new();
            let _ = file.read_to_string(&mut text);
            let mut lines = text.lines();
            Err(LockHeld {
                pid: lines.next().and_then(|l| l.trim().parse().ok()),
                since: lines.next().map(|l| l.trim().to_string()),
            })
        }
        Err(TryLockError::Error(e)) => {
            // A file system without locks: carry on as the only writer, and say so in the log.
            tracing::warn!(error = %e.kind(), "journal lock unavailable on this file system");
            Ok(Some(file))
        }
    }
}
