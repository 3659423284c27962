//! The loop: terminal input, network results and a 1 s clock meet in one `select!`; each
//! becomes a `Msg` for `update`; effects become tasks; the screen is redrawn only when
//! something changed and no further message is waiting.

use std::sync::Arc;
use std::time::Duration;

use futures::{Stream, StreamExt};
use ratatui::Terminal;
use ratatui::backend::Backend;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use tokio_util::sync::CancellationToken;

use crate::api::client::FirstPage;
use crate::api::{Client, events};
use crate::effect::Effect;
use crate::journal_writer::{JournalWriter, OpenJournal};
use crate::msg::{ApiMsg, Msg};
use crate::state::State;
use crate::state::board::{AreaNames, BoardRow};
use crate::theme::Theme;
use crate::token_store::TokenStore;
use crate::{ui, update};

pub struct App<B: Backend> {
    pub state: State,
    pub terminal: Terminal<B>,
    pub theme: Theme,
    pub client: Client,
    tx: UnboundedSender<Msg>,
    rx: UnboundedReceiver<Msg>,
    events: Option<CancellationToken>,
    token_store: Option<Arc<TokenStore>>,
    /// Ask the clock the time each second (off in tests that fix `state.now`).
    pub live_clock: bool,
    /// The time, injected: the wall clock, or one a test moves on (`crate::clock`).
    pub clock: Arc<dyn crate::clock::Clock>,
    /// Ring the terminal bell (off under a test backend).
    pub ring_bell: bool,
    /// The directory of the local journal (unconfirmed writes and drafts, kept between
    /// runs; `None`: nothing is kept, as in most tests). See `crate::journal`.
    pub drafts_dir: Option<std::path::PathBuf>,
    /// Where the journal key comes from (the kernel keyring by default).
    pub journal_keys: crate::journal::KeySource,
    /// The journal writer of the person signed in (its own thread: no file or keyring work
    /// on this loop).
    journal: Option<JournalWriter>,
    /// Opened, but its entries not yet merged into the state: do not overwrite it yet.
    journal_loading: bool,
    /// When to save drafts: a pause in typing.
    draft_save_at: Option<tokio::time::Instant>,
    /// Ctrl-Z stops the process (only with a real terminal, never under a test backend).
    pub can_suspend: bool,
    /// The server name the journal is kept under, when not the client's address (`jarterm
    /// demo`: its server's port changes each run, its cases do not).
    pub journal_server: Option<String>,
    /// Reading offline and the journal's key and lock (issue 12 §3, 18 §1): see `offline`.
    offline: crate::offline::OfflineCache,
    /// The key derived from the password at the last sign-in, for the journal of that user.
    sign_in_key: Arc<std::sync::Mutex<Option<(String, crate::journal::PasswordKey)>>>,
    /// Another jarterm holds this journal: work is kept in memory, the lock tried each tick.
    journal_waiting: bool,
    /// A save was held back while the journal was being read or held by another jarterm.
    persist_held: bool,
    /// Which journal writer's messages are for this person (`Msg::FromJournal`).
    journal_generation: u64,
}

/// A pause this long in typing saves the drafts to the journal.
pub const DRAFT_PAUSE: Duration = Duration::from_millis(700);

/// The longest the loop waits for the journal writer on the way out.
const JOURNAL_SETTLE: Duration = Duration::from_secs(5);

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("drawing failed: {0}")]
    Draw(String),
    #[error("timed out waiting for the condition")]
    Timeout,
}

impl<B: Backend> App<B> {
    pub fn new(mut state: State, terminal: Terminal<B>, theme: Theme, client: Client) -> App<B> {
        let (tx, rx) = unbounded_channel();
        if let Ok(size) = terminal.size() {
            state.size = (size.width, size.height);
        }
        App {
            state,
            terminal,
            theme,
            client,
            tx,
            rx,
            events: None,
            token_store: None,
            live_clock: true,
            clock: Arc::new(crate::clock::SystemClock),
            ring_bell: false,
            drafts_dir: None,
            journal_keys: crate::journal::KeySource::default(),
            journal: None,
            journal_loading: false,
            draft_save_at: None,
            can_suspend: false,
            journal_server: None,
            offline: crate::offline::OfflineCache::default(),
            sign_in_key: Arc::default(),
            journal_waiting: false,
            persist_held: false,
            journal_generation: 0,
        }
    }

    pub fn with_token_store(mut self, store: Arc<TokenStore>) -> App<B> {
        self.state.store_label = store.label().to_string();
        self.token_store = Some(store);
        self
    }

    /// Signed in with this password before the loop started (`jarterm demo`): derive the
    /// journal key from it as a sign-in does (Argon2id; blocking, once), so the journal is
    /// sealed where no keyring works. Call before `start`.
    pub fn sign_in_password(&mut self, password: &str) {
        let (Some(dir), Some(user)) = (
            self.drafts_dir.clone(),
            self.state.session.as_ref().map(|p| p.username.clone()),
        ) else {
            return;
        };
        let server = self.journal_server_name();
        if let (Some(pk), Ok(mut slot)) = (
            crate::journal::derive_password_key(&dir, &user, &server, password),
            self.sign_in_key.lock(),
        ) {
            *slot = Some((user, pk));
        }
    }

    /// A sender for messages (tests inject server events or results through it).
    pub fn sender(&self) -> UnboundedSender<Msg> {
        self.tx.clone()
    }

    /// First effects: with a session, load the board and listen for changes; with only a
    /// token, ask who it belongs to.
    pub fn start(&mut self) {
        if let Some(user) = self.state.session.as_ref().map(|p| p.username.clone()) {
            let drafts = crate::update::load_drafts(&mut self.state, &user);
            self.run_effects(drafts);
            self.state.board.loading = true;
            // Events start once the first page says which change it reflects (`CasesSeq`).
            self.run_effects(vec![Effect::FetchCases]);
        } else if self.client.token().is_some() {
            // Who the token belongs to and the board are asked for together, so the first
            // frame waits on one round trip rather than two (docs/benchmarks.md).
            self.state.me_loading = true;
            self.state.board.loading = true;
            self.run_effects(vec![Effect::FetchMe, Effect::FetchCases]);
        }
    }

    pub fn dispatch(&mut self, msg: Msg) {
        let msg = match msg {
            // From a journal writer let go since (someone else signed in): not for this one.
            Msg::FromJournal(generation, _) if generation != self.journal_generation => return,
            Msg::FromJournal(_, msg) => *msg,
            msg => msg,
        };
        let msg = match msg {
            Msg::Journal(ev) => return self.on_journal(ev),
            msg => msg,
        };
        let typing = matches!(msg, Msg::Key(_) | Msg::Paste(_));
        let journal_loaded = matches!(msg, Msg::Api(ApiMsg::JournalLoaded { .. }));
        if journal_loaded {
            // Read by its writer: no longer waiting for another jarterm, nor locked (the words
            // for a journal kept in memory only or still locked follow: `on_journal`).
            self.journal_loading = false;
            self.state.journal_note = None;
            if std::mem::take(&mut self.journal_waiting) {
                self.state.banner(
                    crate::state::BannerKind::Info,
                    "The other jarterm has quit: its journal is taken in and this one's work is \
                     kept in it.",
                );
            }
        }
        let signed_in = matches!(msg, Msg::Api(ApiMsg::LoggedIn(Ok(_))));
        let tick = matches!(msg, Msg::Tick(_));
        // Offline reading (issue 12 §3): reads are kept, and answered from the cache when
        // the server cannot be reached.
        let (msg, served) = self.offline.before(&self.state, msg);
        let who = |s: &State| s.session.as_ref().map(|p| p.username.clone());
        let user_before = who(&self.state);
        let effects = update::update(&mut self.state, msg);
        crate::offline::OfflineCache::after(&mut self.state, served);
        if user_before.is_some() && who(&self.state) != user_before {
            // Another person: the last one's journal is left as it is on disk, and nothing
            // of their cache is kept in memory (nor anything its writer still says).
            self.journal = None;
            self.journal_generation += 1;
            self.journal_loading = false;
            self.journal_waiting = false;
            self.persist_held = false;
            self.state.journal_note = None;
            self.offline.forget();
            // Nor is anything fetched for them shown to the next person (a police officer
            // signing in over a key worker's expired session must not see the contacts
            // fetched for the key worker): the board and the open case are fetched anew.
            self.state.board.cases.clear();
            self.state.board.loaded = false;
            self.state.board.selected = 0;
            self.state.board.offline_as_of = None;
            self.state.case = None;
            self.state.screen = crate::state::Screen::Board;
        }
        let persists = effects
            .iter()
            .any(|e| matches!(e, Effect::PersistJournal(_)));
        if self.journal.is_some() && typing && !persists {
            // Drafts are saved on a pause in typing.
            self.draft_save_at = Some(tokio::time::Instant::now() + DRAFT_PAUSE);
        }
        self.run_effects(effects);
        if journal_loaded {
            // What this run did meanwhile (locked, in memory only, or waiting for another
            // jarterm) joins what the journal held, on disk.
            self.after_journal_read();
        }
        if signed_in {
            self.apply_sign_in_key();
        }
        if tick
            && self.journal_waiting
            && let Some(w) = self.journal.as_ref()
        {
            w.retry_lock();
        }
    }

    /// What the journal writer found (`crate::journal_writer`): how the journal is kept (said
    /// in the status bar), its cached cases for reading offline, or that another jarterm
    /// holds it.
    fn on_journal(&mut self, ev: crate::journal_writer::JournalEvent) {
        use crate::journal::KeyMode;
        use crate::journal_writer::JournalEvent;
        let Some(writer) = self.journal.as_ref() else {
            // From the journal of someone no longer signed in.
            return;
        };
        match ev {
            JournalEvent::Opened {
                mode,
                writer: writes,
                cache,
            } => {
                let sink = writes.then(|| writer.cache_sink()).flatten();
                self.offline.open(*cache, sink);
                self.state.journal_note = match mode {
                    KeyMode::MemoryOnly => Some("journal: memory only".into()),
                    KeyMode::Locked => Some("journal locked".into()),
                    _ => None,
                };
            }
            JournalEvent::InUse { holder, cache } => {
                // One writer per journal (issue 18 §1): this one waits, keeping its work in
                // memory, and takes the journal in when the other has gone. Cases opened in
                // the other one's runs still open offline meanwhile.
                self.offline.open(*cache, None);
                self.journal_loading = false;
                self.journal_waiting = true;
                self.state.journal_opening = false;
                self.state.journal_note = Some("journal in use".into());
                self.state.banner(
                    crate::state::BannerKind::Error,
                    format!(
                        "{holder} is using your journal on this device. Work here is kept in \
                         memory and added to the journal as soon as that one quits."
                    ),
                );
            }
            JournalEvent::Unchanged => {
                self.journal_loading = false;
                self.after_journal_read();
            }
        }
        self.state.dirty = true;
        if self.offline.board_missed() {
            // The board was asked for at start with the server away, before the journal
            // (read on its own thread) brought its copy: shown from the copy now.
            self.dispatch(Msg::Api(ApiMsg::Cases(Err(crate::api::ApiError::Network(
                "the server could not be reached".into(),
            )))));
        }
    }

    /// The clock moved: tell `update` the time (the loop does this each second).
    pub fn tick(&mut self) {
        let now = self.clock.now();
        self.dispatch(Msg::Tick(now));
    }

    /// Hand the journal's contents to the writer (not while it is being read: its entries
    /// are not in the state yet; nor while another jarterm writes it).
    fn persist(&mut self, contents: crate::journal::Contents) {
        self.draft_save_at = None;
        if self.journal_loading || self.journal_waiting {
            self.persist_held = true;
            return;
        }
        if let Some(writer) = self.journal.as_mut() {
            writer.save(contents);
        }
    }

    /// The journal was read (or a password changed nothing): what was held back meanwhile
    /// (a write, a conflict) is saved now; drafts alone wait for a pause in typing as usual,
    /// so a half-typed line is not written in the middle of a word.
    fn after_journal_read(&mut self) {
        if std::mem::take(&mut self.persist_held) {
            self.save_journal();
        } else if self.journal.is_some() && self.draft_save_at.is_none() {
            self.draft_save_at = Some(tokio::time::Instant::now() + DRAFT_PAUSE);
        }
    }

    /// Save the journal as the state is now (drafts included).
    pub fn save_journal(&mut self) {
        let contents = crate::outbox::journal_contents(&self.state);
        self.persist(contents);
    }

    /// Wait (a few seconds at most) until every save handed over is on disk.
    pub async fn journal_settled(&self) {
        if let Some(w) = self.journal.as_ref() {
            let _ = tokio::time::timeout(JOURNAL_SETTLE, w.until_written()).await;
        }
    }

    /// On the way out: save what is typed, let the journal writer finish (a few seconds at
    /// most) and let go of the journal's lock, so nothing is written after this returns
    /// (`jarterm demo` then removes its temporary directory, journal and all).
    pub async fn close_journal(&mut self) {
        self.save_journal();
        self.offline.forget();
        if let Some(w) = self.journal.take() {
            let _ = tokio::time::timeout(JOURNAL_SETTLE, w.close()).await;
        }
    }

    /// The server name the journal is kept under.
    fn journal_server_name(&self) -> String {
        self.journal_server
            .clone()
            .unwrap_or_else(|| self.client.base().to_string())
    }

    /// Start the journal writer of `user` on this server, with the key derived from the
    /// password just typed if there is one; its entries come back as messages.
    fn open_journal(&mut self, user: &str) {
        let Some(dir) = self.drafts_dir.clone() else {
            return;
        };
        let password = self
            .sign_in_key
            .lock()
            .ok()
            .and_then(|mut k| k.take())
            .filter(|(u, _)| u == user)
            .map(|(_, pk)| pk);
        let areas = self
            .state
            .session
            .as_ref()
            .map(|p| p.areas.clone())
            .unwrap_or_default();
        let what = OpenJournal {
            dir,
            user: user.to_string(),
            server: self.journal_server_name(),
            keys: self.journal_keys.clone(),
            areas,
            now: self.state.now,
        };
        self.journal_loading = true;
        self.journal_waiting = false;
        self.persist_held = false;
        self.state.journal_opening = true;
        self.state.dirty = true;
        self.journal_generation += 1;
        self.journal = Some(JournalWriter::open_tagged(
            what,
            password,
            self.tx.clone(),
            self.journal_generation,
        ));
    }

    /// After a sign-in with a password: seal the journal key under it, and unlock a journal
    /// that was locked (or start keeping one that was in memory only). The writer answers
    /// with the journal read again, or that nothing changed; until then nothing is saved.
    fn apply_sign_in_key(&mut self) {
        let Some(user) = self.state.session.as_ref().map(|p| p.username.clone()) else {
            return;
        };
        let Some(pk) = self
            .sign_in_key
            .lock()
            .ok()
            .and_then(|mut k| k.take())
            .filter(|(u, _)| *u == user)
            .map(|(_, pk)| pk)
        else {
            return;
        };
        let Some(journal) = self.journal.as_ref() else {
            return;
        };
        journal.unlock(pk);
        self.journal_loading = true;
    }

    fn input(&mut self, ev: crossterm::event::Event) {
        use crossterm::event::Event;
        match ev {
            Event::Key(k) => self.dispatch(Msg::Key(k)),
            Event::Paste(p) => self.dispatch(Msg::Paste(p)),
            Event::Resize(w, h) => {
                self.redraw_all();
                self.dispatch(Msg::Resize(w, h));
            }
            _ => {}
        }
    }

    /// Clear the screen so the next draw writes every cell. Not `Terminal::clear`, which
    /// asks the terminal where the cursor is (ESC [6n): no queries, ever (over a slow link
    /// the answer arrives as typed keys, and a terminal that never answers stalls us).
    fn redraw_all(&mut self) {
        if let Ok(size) = self.terminal.size() {
            let area = ratatui::layout::Rect::new(0, 0, size.width, size.height);
            let _ = self.terminal.resize(area);
        }
        self.state.dirty = true;
    }

    pub fn draw(&mut self) -> Result<(), AppError> {
        let state = &self.state;
        let theme = &self.theme;
        self.terminal
            .draw(|f| ui::render(state, theme, f))
            .map_err(|e| AppError::Draw(e.to_string()))?;
        self.state.dirty = false;
        Ok(())
    }

    /// Run until the person quits.
    pub async fn run<S>(&mut self, input: &mut S) -> Result<(), AppError>
    where
        S: Stream<Item = std::io::Result<crossterm::event::Event>> + Unpin,
    {
        self.run_until(input, |s| s.quit, None).await.map(|_| ())
    }

    /// Run the real loop until `done(state)` holds, the person quits, or `timeout` passes.
    pub async fn run_until<S, F>(
        &mut self,
        input: &mut S,
        done: F,
        timeout: Option<Duration>,
    ) -> Result<(), AppError>
    where
        S: Stream<Item = std::io::Result<crossterm::event::Event>> + Unpin,
        F: Fn(&State) -> bool,
    {
        let deadline = timeout.map(|t| tokio::time::Instant::now() + t);
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            if self.state.dirty {
                self.draw()?;
            }
            if self.state.quit {
                self.stop_events();
                // Nothing typed is lost on the way out.
                self.journal_settled().await;
                return Ok(());
            }
            if done(&self.state) {
                // What the state shows is on disk too.
                self.journal_settled().await;
                return Ok(());
            }
            let far = tokio::time::Instant::now() + Duration::from_secs(365 * 24 * 3600);
            let sleep_until = deadline.unwrap_or(far);
            let draft_at = self.draft_save_at.unwrap_or(far);
            tokio::select! {
                biased;
                Some(msg) = self.rx.recv() => self.dispatch(msg),
                ev = input.next() => match ev {
                    Some(Ok(ev)) => self.input(ev),
                    // The terminal went away (hang-up): keep drafts and stop, never spin.
                    Some(Err(_)) | None => {
                        let fx = update::force_quit(&mut self.state);
                        self.run_effects(fx);
                    }
                },
                _ = tick.tick(), if self.live_clock => self.tick(),
                _ = tokio::time::sleep_until(draft_at), if self.draft_save_at.is_some() => {
                    self.save_journal();
                }
                _ = tokio::time::sleep_until(sleep_until) => return Err(AppError::Timeout),
            }
            // Skip drawing while more messages are already waiting.
            while let Ok(msg) = self.rx.try_recv() {
                self.dispatch(msg);
            }
        }
    }

    /// Listen for changes after `after` (or from now, asking for a refetch) until stopped.
    fn spawn_events(&mut self, client: Client, after: Option<i64>) {
        let cancel = CancellationToken::new();
        self.events = Some(cancel.clone());
        tokio::spawn(events::run(client, self.tx.clone(), cancel, after));
    }

    fn stop_events(&mut self) {
        if let Some(c) = self.events.take() {
            c.cancel();
        }
    }

    pub fn run_effects(&mut self, effects: Vec<Effect>) {
        for e in effects {
            self.run_effect(e);
        }
    }

    fn spawn_api<F>(&self, fut: F)
    where
        F: std::future::Future<Output = ApiMsg> + Send + 'static,
    {
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let _ = tx.send(Msg::Api(fut.await));
        });
    }

    fn run_effect(&mut self, effect: Effect) {
        tracing::debug!(effect = %effect.describe(), "effect");
        let c = self.client.clone();
        match effect {
            Effect::Login { username, password } => {
                // The journal key is derived from the password once the server accepts it
                // (Argon2id, off the loop) and handed over before the sign-in is (issue 12 §3).
                let derive = self
                    .drafts_dir
                    .clone()
                    .map(|dir| (dir, self.journal_server_name(), self.sign_in_key.clone()));
                self.spawn_api(async move {
                    let result = c.login(&username, &password).await;
                    if let (Ok(resp), Some((dir, server, slot))) = (&result, derive) {
                        let user = resp.user.username.clone();
                        let derived = tokio::task::spawn_blocking(move || {
                            let pk = crate::journal::derive_password_key(
                                &dir, &user, &server, &password,
                            );
                            (user, pk)
                        })
                        .await;
                        if let (Ok((user, Some(pk))), Ok(mut slot)) = (derived, slot.lock()) {
                            *slot = Some((user, pk));
                        }
                    }
                    ApiMsg::LoggedIn(result)
                })
            }
            Effect::Authenticated { token } => {
                self.client.set_token(Some(token.clone()));
                if let Some(store) = self.token_store.clone() {
                    let server = self.client.base().to_string();
                    tokio::task::spawn_blocking(move || store.set(&server, &token));
                }
            }
            Effect::Logout => {
                // Taken off the client first: nothing sends it after this.
                let token = c.token();
                c.set_token(None);
                if let Some(t) = token {
                    tokio::spawn(async move {
                        if let Err(e) = c.revoke(&t).await {
                            tracing::warn!(error_kind = ?e.kind(), "sign out: revoke failed");
                        }
                    });
                }
                if let Some(store) = self.token_store.clone() {
                    let server = self.client.base().to_string();
                    tokio::task::spawn_blocking(move || store.delete(&server));
                }
                self.offline.forget();
                if let Some(dir) = self.drafts_dir.clone() {
                    tokio::task::spawn_blocking(move || {
                        if let Err(e) = crate::journal::remove_caches(&dir) {
                            tracing::warn!(error_kind = ?e.kind(), "sign out: offline copies not removed");
                        }
                    });
                }
            }
            Effect::FetchMe => self.spawn_api(async move { ApiMsg::Me(c.me().await) }),
            Effect::FetchCases => {
                let tx = self.tx.clone();
                self.spawn_api(async move {
                    let first = move |page: FirstPage<BoardRow>| {
                        if let Some(seq) = page.seq {
                            let _ = tx.send(Msg::Api(ApiMsg::CasesSeq(seq)));
                        }
                        if page.more {
                            let _ = tx.send(Msg::Api(ApiMsg::CasesFirstPage(page.rows)));
                        }
                    };
                    let mut areas = AreaNames::default();
                    let keep = move |s| BoardRow::new(s, &mut areas);
                    ApiMsg::Cases(c.all_cases_progressive(keep, first).await)
                })
            }
            Effect::FetchCase(r) => self.spawn_api(async move {
                let result = c.case(&r).await;
                ApiMsg::Case {
                    case_ref: r.to_string(),
                    result,
                }
            }),
            Effect::FetchTimeline(r) => self.spawn_api(async move {
                let result = c.timeline(&r).await;
                ApiMsg::Timeline {
                    case_ref: r.to_string(),
                    result,
                }
            }),
            Effect::FetchChecklists(r) => self.spawn_api(async move {
                let result = c.checklists(&r).await;
                ApiMsg::Checklists {
                    case_ref: r.to_string(),
                    result,
                }
            }),
            Effect::FetchContacts(r) => self.spawn_api(async move {
                let (result, catalogue) = match c.contact_list(&r).await {
                    Ok(l) => (Ok(l.items), Some(l.catalogue)),
                    Err(e) => (Err(e), None),
                };
                ApiMsg::Contacts {
                    case_ref: r.to_string(),
                    result,
                    catalogue,
                }
            }),
            Effect::FetchQuestions(r) => self.spawn_api(async move {
                let result = c.questions(&r).await;
                ApiMsg::Questions {
                    case_ref: r.to_string(),
                    result,
                }
            }),
            Effect::FetchInvolvements(r) => self.spawn_api(async move {
                let result = c.involvements(&r).await;
                ApiMsg::Involvements {
                    case_ref: r.to_string(),
                    result,
                }
            }),
            Effect::FetchFamilyContacts(r) => self.spawn_api(async move {
                let result = c.family_contacts(&r).await;
                ApiMsg::FamilyContacts {
                    case_ref: r,
                    result,
                }
            }),
            Effect::FetchAssignees(r) => self.spawn_api(async move {
                let result = c.assignees(&r).await;
                ApiMsg::Assignees {
                    case_ref: r,
                    result,
                }
            }),
            Effect::FetchHandoverDraft => self.spawn_api(async move {
                ApiMsg::HandoverDraft(c.handover_draft_with_candidates().await)
            }),
            Effect::FetchHandovers => {
                self.spawn_api(async move { ApiMsg::Handovers(c.handovers().await) })
            }
            Effect::FetchAudit(q) => {
                self.spawn_api(async move { ApiMsg::Audit(c.audit(&q).await) })
            }
            Effect::FetchUsers => {
                self.spawn_api(async move { ApiMsg::Users(c.users_and_covers().await) })
            }
            Effect::Send(p) => {
                // Sent only once the journal holds it.
                let written = self.journal.as_ref().map(|w| w.until_written());
                self.spawn_api(async move {
                    if let Some(w) = written {
                        w.await;
                    }
                    let result = c.send(&p.write, p.key).await;
                    ApiMsg::WriteDone { key: p.key, result }
                })
            }
            Effect::StartEvents => {
                self.stop_events();
                self.spawn_events(c, None);
            }
            Effect::EnsureEvents { after } => {
                if self.events.is_none() {
                    self.spawn_events(c, after);
                }
            }
            Effect::StopEvents => self.stop_events(),
            Effect::LoadDrafts(user) => self.open_journal(&user),
            Effect::Suspend => {
                if self.can_suspend {
                    if let Err(e) = crate::terminal::suspend() {
                        tracing::warn!(error = %e, "terminal not taken back after suspend");
                    }
                    // Whatever the shell drew meanwhile is gone: draw everything again.
                    self.redraw_all();
                }
                self.state.dirty = true;
            }
            Effect::Bell => {
                if self.ring_bell {
                    use std::io::Write;
                    let mut out = std::io::stdout();
                    let _ = out.write_all(b"\x07");
                    let _ = out.flush();
                }
            }
            Effect::SaveDrafts => self.save_journal(),
            Effect::PersistJournal(contents) => self.persist(*contents),
        }
    }
}

impl<B: Backend> Drop for App<B> {
    fn drop(&mut self) {
        self.stop_events();
    }
}
