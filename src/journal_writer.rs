//! The one journal writer: a thread of its own that opens the journal (probing the keyring),
//! and writes it (encrypt, write, fsync, rename, fsync the folder), so none of that blocking
//! work runs on the event loop. The loop hands it whole contents; it keeps only the newest
//! waiting, skips what is already on disk, and reports through the loop's messages.
//!
//! Every save has a number; a write is sent only once the saves queued before it are done
//! (`until_written`), so a write is on disk before the server can see it (docs/offline.md).

use std::path::PathBuf;
use std::sync::mpsc;

use chrono::{DateTime, Utc};
use tokio::sync::mpsc::UnboundedSender;
use tokio::sync::watch;

use crate::journal::{Contents, Journal, KeySource};
use crate::msg::{ApiMsg, Msg};
use crate::state::PendingWrite;

/// What to open: the person's journal on this server, in `dir`.
pub struct OpenJournal {
    pub dir: PathBuf,
    pub user: String,
    pub server: String,
    pub keys: KeySource,
    /// For rebuilding forms of saved writes and drafts.
    pub areas: Vec<String>,
    pub now: DateTime<Utc>,
}

enum Cmd {
    Open(Box<OpenJournal>),
    Save(u64, Box<Contents>),
}

/// The loop's handle on the writer thread; dropping it ends the thread after the saves
/// already handed over.
pub struct JournalWriter {
    tx: mpsc::Sender<Cmd>,
    /// The number of the last save handed over.
    queued: u64,
    /// The number of the last save done (written, or failed and reported).
    done: watch::Receiver<u64>,
}

impl JournalWriter {
    /// Start the writer and open `what` first.
    pub fn open(what: OpenJournal, msgs: UnboundedSender<Msg>) -> JournalWriter {
        let (tx, rx) = mpsc::channel();
        let (done_tx, done) = watch::channel(0);
        let _ = tx.send(Cmd::Open(Box::new(what)));
        let spawned = std::thread::Builder::new()
            .name("jarterm-journal".into())
            .spawn(move || run(rx, done_tx, msgs));
        if let Err(e) = spawned {
            tracing::warn!(error = %e, "journal writer not started");
        }
        JournalWriter {
            tx,
            queued: 0,
            done,
        }
    }

    /// Hand over the contents to write; returns its number.
    pub fn save(&mut self, contents: Contents) -> u64 {
        self.queued += 1;
        if self
            .tx
            .send(Cmd::Save(self.queued, Box::new(contents)))
            .is_err()
        {
            tracing::warn!("journal writer gone; not saved");
        }
        self.queued
    }

    /// Resolves once every save handed over so far is done.
    pub fn until_written(&self) -> impl std::future::Future<Output = ()> + Send + 'static {
        let target = self.queued;
        let mut done = self.done.clone();
        async move {
            let _ = done.wait_for(|n| *n >= target).await;
        }
    }
}

fn run(rx: mpsc::Receiver<Cmd>, done: watch::Sender<u64>, msgs: UnboundedSender<Msg>) {
    let mut journal: Option<Journal> = None;
    let mut on_disk: Option<Contents> = None;
    let mut next = rx.recv().ok();
    while let Some(cmd) = next.take() {
        match cmd {
            Cmd::Open(what) => {
                let (j, contents) = open(*what, &msgs);
                journal = Some(j);
                on_disk = Some(contents);
            }
            Cmd::Save(mut number, mut contents) => {
                // Only the newest of the saves waiting is written; all count as done.
                loop {
                    match rx.try_recv() {
                        Ok(Cmd::Save(n, c)) => (number, contents) = (n, c),
                        Ok(other) => {
                            next = Some(other);
                            break;
                        }
                        Err(_) => break,
                    }
                }
                if let Some(j) = journal.as_ref()
                    && on_disk.as_ref() != Some(&*contents)
                {
                    match j.save(&contents) {
                        Ok(()) => on_disk = Some(*contents),
                        Err(e) => {
                            tracing::warn!(error = %e, "journal not saved");
                            let kind = e.kind().to_string();
                            let _ = msgs.send(Msg::Api(ApiMsg::JournalNotSaved(kind)));
                        }
                    }
                }
                done.send_replace(number);
            }
        }
        if next.is_none() {
            next = rx.recv().ok();
        }
    }
}

/// Open the journal, move in drafts from before the journal, and hand its entries to the loop.
fn open(what: OpenJournal, msgs: &UnboundedSender<Msg>) -> (Journal, Contents) {
    let mut opened = Journal::open(&what.dir, &what.user, &what.server, &what.keys);
    // Drafts from before the journal (`…/jarterm/drafts/<user>.json`, in clear) move in.
    if let Some(legacy) = what
        .dir
        .parent()
        .map(|d| crate::drafts::path_for(&d.join("drafts"), &what.user))
        .filter(|p| p.exists())
    {
        let mut merged = opened.contents.clone();
        for d in crate::drafts::load(&legacy) {
            if !merged.drafts.iter().any(|x| x.kind == d.kind) {
                merged.drafts.push(d);
            }
        }
        if opened.journal.save(&merged).is_ok() {
            let _ = std::fs::remove_file(&legacy);
            opened.contents = merged;
        }
    }
    let writes = opened
        .contents
        .writes
        .iter()
        .map(|w| PendingWrite {
            key: w.key,
            write: w.write.clone(),
            in_flight: false,
            form: w
                .form
                .as_ref()
                .map(|f| crate::drafts::to_form(f, &what.areas, &what.user, what.now)),
        })
        .collect();
    let _ = msgs.send(Msg::Api(ApiMsg::JournalLoaded {
        writes,
        drafts: opened.contents.drafts.clone(),
        encrypted: opened.journal.encrypted(),
        problem: opened.problem,
    }));
    if !opened.contents.conflicts.is_empty() {
        let _ = msgs.send(Msg::Api(ApiMsg::ConflictsLoaded(
            opened.contents.conflicts.clone(),
        )));
    }
    (opened.journal, opened.contents)
}
