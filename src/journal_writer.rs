//! The one journal writer: a thread of its own that opens the journal (probing the keyring,
//! finding its key in the keyring or under the password, taking its lock), reads it and its
//! cache of cases, unlocks it with the password typed at a later sign-in, takes it over when
//! another jarterm lets it go, and writes it (encrypt, write, fsync, rename, fsync the folder)
//! and the cache, so none of that blocking work runs on the event loop. The loop hands it
//! whole contents; it keeps only the newest waiting, skips what is already on disk, and
//! reports through the loop's messages.
//!
//! Every save has a number; a write is sent only once the saves queued before it are done
//! (`until_written`), so a write is on disk before the server can see it (docs/offline.md).
//!
//! What it tells the loop, in this order each time it reads the journal (at opening, after an
//! unlock, after a take-over): `ApiMsg::JournalLoaded` (the entries, for `update`), then
//! `ApiMsg::ConflictsLoaded` when there are any, then `Msg::Journal(JournalEvent::Opened)`
//! (how it is kept, and the cached cases for reading offline). When another jarterm holds it:
//! `JournalEvent::InUse` (its cache read-only), and nothing is written until the loop asks it
//! to try again (`retry_lock`) and the lock is free.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;

use chrono::{DateTime, Utc};
use tokio::sync::mpsc::UnboundedSender;
use tokio::sync::watch;

use crate::journal::{CacheContents, Contents, Journal, KeyMode, KeySource, PasswordKey};
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

/// What the writer found, for the loop (besides the journal's entries).
#[derive(Debug)]
pub enum JournalEvent {
    /// The journal was read: how it is kept here (`KeyMode`: "journal: memory only",
    /// "journal locked" in the status bar), and the cached board and cases. `writer`: this
    /// run holds the lock, so the cache is written from now on.
    Opened {
        mode: KeyMode,
        writer: bool,
        cache: Box<CacheContents>,
    },
    /// Another jarterm holds the journal (`holder` says which, in words): nothing is read or
    /// written meanwhile except its cache, read-only, for reading offline.
    InUse {
        holder: String,
        cache: Box<CacheContents>,
    },
    /// A password was applied and there is nothing new to read.
    Unchanged,
}

enum Cmd {
    Open(Box<OpenJournal>, Option<PasswordKey>),
    Save(u64, Box<Contents>),
    SaveCache(u64, Box<CacheContents>),
    /// The key derived from the password at a sign-in.
    Unlock(PasswordKey),
    /// Try the lock again (another jarterm held it).
    RetryLock,
}

/// The loop's handle on the writer thread; dropping it (and every `CacheSink`) ends the
/// thread after the saves already handed over. Dropped with no `CacheSink` left, it waits for
/// that end, so the journal's lock is let go when it returns (a writer opened next for the
/// same journal finds it free).
pub struct JournalWriter {
    tx: Option<mpsc::Sender<Cmd>>,
    thread: Option<std::thread::JoinHandle<()>>,
    /// The number of the last save handed over (journal or cache).
    queued: Arc<AtomicU64>,
    /// The number of the last save done (written, or failed and reported).
    done: watch::Receiver<u64>,
}

/// Where the offline cache hands its newest copy, to be written by the journal's writer.
#[derive(Clone)]
pub struct CacheSink {
    tx: mpsc::Sender<Cmd>,
    queued: Arc<AtomicU64>,
}

impl CacheSink {
    /// Hand over the cache to write (the newest waiting wins).
    pub fn save(&self, cache: CacheContents) {
        let n = self.queued.fetch_add(1, Ordering::SeqCst) + 1;
        if self.tx.send(Cmd::SaveCache(n, Box::new(cache))).is_err() {
            tracing::warn!("journal writer gone; case cache not saved");
        }
    }
}

impl JournalWriter {
    /// Start the writer and open `what` first.
    pub fn open(what: OpenJournal, msgs: UnboundedSender<Msg>) -> JournalWriter {
        JournalWriter::open_with(what, None, msgs)
    }

    /// `open`, with the key derived from the password typed at this sign-in (issue 12 §3).
    pub fn open_with(
        what: OpenJournal,
        password: Option<PasswordKey>,
        msgs: UnboundedSender<Msg>,
    ) -> JournalWriter {
        JournalWriter::start(what, password, msgs, None)
    }

    /// `open_with`, every message to the loop wrapped as `Msg::FromJournal(generation, …)`:
    /// the loop drops what a writer it has let go (someone else signed in) still says.
    pub fn open_tagged(
        what: OpenJournal,
        password: Option<PasswordKey>,
        msgs: UnboundedSender<Msg>,
        generation: u64,
    ) -> JournalWriter {
        JournalWriter::start(what, password, msgs, Some(generation))
    }

    fn start(
        what: OpenJournal,
        password: Option<PasswordKey>,
        msgs: UnboundedSender<Msg>,
        tag: Option<u64>,
    ) -> JournalWriter {
        let (tx, rx) = mpsc::channel();
        let (done_tx, done) = watch::channel(0);
        let _ = tx.send(Cmd::Open(Box::new(what), password));
        let spawned = std::thread::Builder::new()
            .name("jarterm-journal".into())
            .spawn(move || run(rx, done_tx, Tell { msgs, tag }));
        let thread = spawned
            .map_err(|e| tracing::warn!(error = %e, "journal writer not started"))
            .ok();
        JournalWriter {
            tx: Some(tx),
            thread,
            queued: Arc::new(AtomicU64::new(0)),
            done,
        }
    }

    fn send(&self, cmd: Cmd) -> bool {
        self.tx.as_ref().is_some_and(|tx| tx.send(cmd).is_ok())
    }

    /// Hand over the contents to write; returns its number.
    pub fn save(&mut self, contents: Contents) -> u64 {
        let n = self.queued.fetch_add(1, Ordering::SeqCst) + 1;
        if !self.send(Cmd::Save(n, Box::new(contents))) {
            tracing::warn!("journal writer gone; not saved");
        }
        n
    }

    /// A handle for the offline cache's copies (`None` once closed).
    pub fn cache_sink(&self) -> Option<CacheSink> {
        Some(CacheSink {
            tx: self.tx.clone()?,
            queued: self.queued.clone(),
        })
    }

    /// The password typed at a sign-in: seal the key under it, and open a journal that was
    /// locked or in memory only. Answered by a new reading of the journal, or `Unchanged`.
    pub fn unlock(&self, password: PasswordKey) {
        self.send(Cmd::Unlock(password));
    }

    /// Another jarterm held the journal: try its lock again (answered only once taken).
    pub fn retry_lock(&self) {
        self.send(Cmd::RetryLock);
    }

    /// Resolves once every save handed over so far is done.
    pub fn until_written(&self) -> impl std::future::Future<Output = ()> + Send + 'static {
        let target = self.queued.load(Ordering::SeqCst);
        let mut done = self.done.clone();
        async move {
            let _ = done.wait_for(|n| *n >= target).await;
        }
    }

    /// Let the thread go (with every `CacheSink` dropped too) and resolve once it has ended:
    /// every save handed over is done and the journal's lock is let go.
    pub fn close(mut self) -> impl std::future::Future<Output = ()> + Send + 'static {
        self.tx = None;
        // Not joined here (that would block the loop): its end is awaited instead.
        self.thread = None;
        let mut done = self.done.clone();
        async move {
            // The thread's end drops the sender: `changed` then fails.
            while done.changed().await.is_ok() {}
        }
    }
}

impl Drop for JournalWriter {
    fn drop(&mut self) {
        self.tx = None;
        // With no `CacheSink` left nothing else keeps the thread: it ends once the saves
        // handed over are written (fsyncs of one small file), and with it the lock.
        if Arc::strong_count(&self.queued) == 1
            && let Some(thread) = self.thread.take()
        {
            let _ = thread.join();
        }
    }
}

/// The loop's messages, tagged or not.
struct Tell {
    msgs: UnboundedSender<Msg>,
    tag: Option<u64>,
}

impl Tell {
    fn send(&self, msg: Msg) {
        let msg = match self.tag {
            Some(generation) => Msg::FromJournal(generation, Box::new(msg)),
            None => msg,
        };
        let _ = self.msgs.send(msg);
    }
}

/// The thread's side: the journal, what is on disk, and what opening it needs.
struct Writer {
    msgs: Tell,
    journal: Option<Journal>,
    opened: Option<OpenJournal>,
    on_disk: Option<Contents>,
    cache_on_disk: Option<CacheContents>,
}

fn run(rx: mpsc::Receiver<Cmd>, done: watch::Sender<u64>, msgs: Tell) {
    let mut w = Writer {
        msgs,
        journal: None,
        opened: None,
        on_disk: None,
        cache_on_disk: None,
    };
    let mut next = rx.recv().ok();
    while let Some(cmd) = next.take() {
        match cmd {
            Cmd::Open(what, password) => w.open(*what, password),
            Cmd::Unlock(pk) => w.unlock(&pk),
            Cmd::RetryLock => w.retry_lock(),
            first @ (Cmd::Save(..) | Cmd::SaveCache(..)) => {
                // Only the newest of the saves waiting is written (journal and cache each);
                // all count as done. Anything else waits its turn, in order.
                let (mut save, mut cache, mut number) = (None, None, 0);
                let mut take = |cmd: Cmd| -> Option<Cmd> {
                    match cmd {
                        Cmd::Save(n, c) => {
                            number = number.max(n);
                            save = Some(c);
                            None
                        }
                        Cmd::SaveCache(n, c) => {
                            number = number.max(n);
                            cache = Some(c);
                            None
                        }
                        other => Some(other),
                    }
                };
                let _ = take(first);
                while next.is_none() {
                    match rx.try_recv() {
                        Ok(cmd) => next = take(cmd),
                        Err(_) => break,
                    }
                }
                if let Some(c) = save {
                    w.save(*c);
                }
                if let Some(c) = cache {
                    w.save_cache(*c);
                }
                done.send_modify(|d| *d = (*d).max(number));
            }
        }
        if next.is_none() {
            next = rx.recv().ok();
        }
    }
}

impl Writer {
    /// Find the key, take the lock, and read the journal (or say who holds it).
    fn open(&mut self, what: OpenJournal, password: Option<PasswordKey>) {
        let mut journal = Journal::locate_with(
            &what.dir,
            &what.user,
            &what.server,
            &what.keys,
            password.as_ref(),
        );
        let held = journal.acquire().err();
        self.opened = Some(what);
        match held {
            Some(holder) => {
                // One writer per journal (issue 18 §1): nothing is read or written until the
                // other has gone; its cases can still be read offline.
                let cache = Box::new(journal.load_cache());
                self.journal = Some(journal);
                self.msgs.send(Msg::Journal(JournalEvent::InUse {
                    holder: holder.to_string(),
                    cache,
                }));
            }
            None => {
                self.journal = Some(journal);
                self.take_in();
            }
        }
    }

    fn unlock(&mut self, password: &PasswordKey) {
        let Some(journal) = self.journal.as_mut() else {
            return;
        };
        if journal.unlock(password) && journal.is_writer() {
            self.take_in();
        } else {
            self.msgs.send(Msg::Journal(JournalEvent::Unchanged));
        }
    }

    fn retry_lock(&mut self) {
        if self
            .journal
            .as_mut()
            .is_some_and(|j| !j.is_writer() && j.acquire().is_ok())
        {
            self.take_in();
        }
    }

    /// Read the journal now held (moving in drafts from before the journal) and hand its
    /// entries and its cache to the loop, where they are merged with this run's.
    fn take_in(&mut self) {
        let (Some(journal), Some(what)) = (self.journal.as_mut(), self.opened.as_ref()) else {
            return;
        };
        let (mut contents, problem) = journal.load();
        // Drafts from before the journal (`…/jarterm/drafts/<user>.json`, in clear) move in.
        if journal.writable()
            && let Some(legacy) = what
                .dir
                .parent()
                .map(|d| crate::drafts::path_for(&d.join("drafts"), &what.user))
                .filter(|p| p.exists())
        {
            let mut merged = contents.clone();
            for d in crate::drafts::load(&legacy) {
                if !merged.drafts.iter().any(|x| x.kind == d.kind) {
                    merged.drafts.push(d);
                }
            }
            if journal.save(&merged).is_ok() {
                let _ = std::fs::remove_file(&legacy);
                contents = merged;
            }
        }
        let mode = journal.mode();
        let cache = journal.load_cache();
        let writes = contents
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
        self.msgs.send(Msg::Api(ApiMsg::JournalLoaded {
            writes,
            drafts: contents.drafts.clone(),
            // "journal unencrypted" only for a journal written in clear by choice.
            encrypted: mode != KeyMode::Plain,
            problem,
        }));
        if !contents.conflicts.is_empty() {
            self.msgs.send(Msg::Api(ApiMsg::ConflictsLoaded(
                contents.conflicts.clone(),
            )));
        }
        self.cache_on_disk = Some(cache.clone());
        self.msgs.send(Msg::Journal(JournalEvent::Opened {
            mode,
            writer: journal.is_writer() && journal.writable(),
            cache: Box::new(cache),
        }));
        self.on_disk = Some(contents);
    }

    /// Never written without its key, or while another jarterm writes it.
    fn writable(&self) -> Option<&Journal> {
        self.journal
            .as_ref()
            .filter(|j| j.writable() && j.is_writer())
    }

    fn save(&mut self, contents: Contents) {
        let Some(j) = self.writable() else {
            return;
        };
        if self.on_disk.as_ref() == Some(&contents) {
            return;
        }
        match j.save(&contents) {
            Ok(()) => self.on_disk = Some(contents),
            Err(e) => {
                tracing::warn!(error = %e, "journal not saved");
                let kind = e.kind().to_string();
                self.msgs.send(Msg::Api(ApiMsg::JournalNotSaved(kind)));
            }
        }
    }

    fn save_cache(&mut self, cache: CacheContents) {
        let Some(file) = self.writable().and_then(Journal::cache_file) else {
            return;
        };
        if self.cache_on_disk.as_ref() == Some(&cache) {
            return;
        }
        match file.save(&cache) {
            Ok(()) => self.cache_on_disk = Some(cache),
            Err(e) => tracing::warn!(error = %e.kind(), "case cache not written"),
        }
    }
}
