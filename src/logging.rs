//! tracing to `$XDG_STATE_HOME/jarterm/jarterm.log`; never to the screen. Log case references
//! and error kinds only: never names, notes or summaries.

use std::fs::OpenOptions;
use std::sync::Mutex;

use tracing_subscriber::EnvFilter;

/// Start logging to the file. Returns the path, or `None` if no log could be opened (then
/// nothing is logged: the screen is never used for logs).
pub fn init() -> Option<std::path::PathBuf> {
    let dir = crate::config::state_dir()?;
    crate::config::private_dir(&dir).ok()?;
    let path = dir.join("jarterm.log");
    let mut opts = OpenOptions::new();
    opts.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let file = opts.open(&path).ok()?;
    let filter = EnvFilter::try_from_env("JARTERM_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(Mutex::new(file))
        .try_init()
        .ok()?;
    Some(path)
}
