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
    /// Read the wall clock each second (off in tests that fix `state.now`).
    pub live_clock: bool,
    /// Ring the terminal bell (off under a test backend).
    pub ring_bell: bool,
    /// The directory of the local journal (unconfirmed writes and drafts, kept between
    /// runs; `None`: nothing is kept, as in most tests). See `crate::journal`.
    pub drafts_dir: Option<std::path::PathBuf>,
    /// Where the journal key comes from (the kernel keyring by default).
    pub journal_keys: crate::journal::KeySource,
    journal: Option<crate::journal::Journal>,
    /// What the journal file holds now (to skip writing the same again).
    journal_saved: Option<crate::journal::Contents>,
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
}

/// A pause this long in typing saves the drafts to the journal.
pub const DRAFT_PAUSE: Duration = Duration::from_millis(700);

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
            ring_bell: false,
            drafts_dir: None,
            journal_keys: crate::journal::KeySource::default(),
            journal: None,
            journal_saved: None,
            journal_loading: false,
            draft_save_at: None,
            can_suspend: false,
            journal_server: None,
            offline: crate::offline::OfflineCache::default(),
            sign_in_key: Arc::default(),
            journal_waiting: false,
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
            self.state.loading += 1;
            self.state.board.loading = true;
            // Events start once the first page says which change it reflects (`CasesSeq`).
            self.run_effects(vec![Effect::FetchCases]);
        } else if self.client.token().is_some() {
            // Who the token belongs to and the board are asked for together, so the first
            // frame waits on one round trip rather than two (docs/benchmarks.md).
            self.state.loading += 2;
            self.state.board.loading = true;
            self.run_effects(vec![Effect::FetchMe, Effect::FetchCases]);
        }
    }

    pub fn dispatch(&mut self, msg: Msg) {
        let typing = matches!(msg, Msg::Key(_) | Msg::Paste(_));
        let journal_loaded = matches!(msg, Msg::Api(ApiMsg::JournalLoaded { .. }));
        if journal_loaded {
            self.journal_loading = false;
        }
        // Offline reading (issue 12 §3): reads are kept, and answered from the cache when
        // the server cannot be reached.
        let signed_in = matches!(msg, Msg::Api(ApiMsg::LoggedIn(Ok(_))));
        let tick = matches!(msg, Msg::Tick(_));
        let (msg, served) = self.offline.before(&self.state, msg);
        let before: Vec<uuid::Uuid> = self.state.outbox.iter().map(|w| w.key).collect();
        let conflict = |s: &State| matches!(s.dialog, Some(crate::state::Dialog::Conflict { .. }));
        let had_conflict = conflict(&self.state);
        let who = |s: &State| s.session.as_ref().map(|p| p.username.clone());
        let user_before = who(&self.state);
        let effects = update::update(&mut self.state, msg);
        crate::offline::OfflineCache::after(&mut self.state, served);
        if user_before.is_some() && who(&self.state) != user_before {
            // Another person: the last one's journal is left as it is on disk, and nothing
            // of their cache is kept in memory.
            self.journal = None;
            self.journal_saved = None;
            self.journal_waiting = false;
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
        if self.journal.is_some() {
            let changed = self.state.outbox.len() != before.len()
                || had_conflict != conflict(&self.state)
                || self
                    .state
                    .outbox
                    .iter()
                    .zip(&before)
                    .any(|(w, k)| w.key != *k);
            if journal_loaded || changed || effects.iter().any(|e| matches!(e, Effect::Send(_))) {
                // A write is in the journal before it is sent, and leaves it once confirmed.
                self.save_journal();
            } else if typing {
                self.draft_save_at = Some(tokio::time::Instant::now() + DRAFT_PAUSE);
            }
        }
        self.run_effects(effects);
        if signed_in {
            self.apply_sign_in_key();
        }
        if tick && self.journal_waiting {
            self.retry_journal_lock();
        }
    }

    /// What the journal should hold now: every unconfirmed write (with its form) and the
    /// text of open and closed forms.
    pub fn journal_contents(&self) -> crate::journal::Contents {
        let s = &self.state;
        let mut drafts: Vec<_> = s
            .drafts
            .iter()
            .chain(s.form.iter())
            .map(crate::drafts::to_saved)
            .collect();
        drafts.dedup_by(|a, b| a.kind == b.kind);
        let mut writes: Vec<_> = s
            .outbox
            .iter()
            .map(|w| crate::journal::JournalWrite {
                key: w.key,
                write: w.write.clone(),
                form: w.form.as_ref().map(crate::drafts::to_saved),
            })
            .collect();
        // A change in a conflict box is kept too: after a crash it is sent again with a
        // version that can never match, so the box comes back with the server's current
        // version instead of anything being overwritten or lost.
        if let Some(crate::state::Dialog::Conflict {
            case_ref,
            template,
            item,
            mine,
            ..
        }) = &s.dialog
        {
            writes.push(crate::journal::JournalWrite {
                key: uuid::Uuid::nil(),
                write: crate::state::Write::ItemUpdate {
                    case_ref: case_ref.clone(),
                    template: template.clone(),
                    item: item.clone(),
                    version: -1,
                    update: mine.clone(),
                },
                form: None,
            });
        }
        crate::journal::Contents { writes, drafts }
    }

    /// Write the journal now if it changed. Blocking, but small: one file, one fsync.
    pub fn save_journal(&mut self) {
        self.draft_save_at = None;
        if self.journal_loading || self.journal_waiting {
            return;
        }
        // Never written without its key, or while another jarterm writes it.
        let Some(journal) = self
            .journal
            .as_ref()
            .filter(|j| j.writable() && j.is_writer())
        else {
            return;
        };
        let contents = self.journal_contents();
        if self.journal_saved.as_ref() == Some(&contents) {
            return;
        }
        match journal.save(&contents) {
            Ok(()) => self.journal_saved = Some(contents),
            Err(e) => {
                tracing::warn!(error = %e, "journal not saved");
                self.state.banner(
                    crate::state::BannerKind::Error,
                    format!(
                        "Changes could not be kept on this device ({}); they are still being sent.",
                        e.kind()
                    ),
                );
                self.state.dirty = true;
            }
        }
    }

    /// The server name the journal is kept under.
    fn journal_server_name(&self) -> String {
        self.journal_server
            .clone()
            .unwrap_or_else(|| self.client.base().to_string())
    }

    /// Open the journal of `user` on this server: its key (keyring, or the password just
    /// typed), its lock, and then its entries for `update` and its cached cases.
    fn open_journal(&mut self, user: &str) {
        let Some(dir) = self.drafts_dir.clone() else {
            return;
        };
        let server = self.journal_server_name();
        let password = self
            .sign_in_key
            .lock()
            .ok()
            .and_then(|mut k| k.take())
            .filter(|(u, _)| u == user)
            .map(|(_, pk)| pk);
        let mut journal = crate::journal::Journal::locate_with(
            &dir,
            user,
            &server,
            &self.journal_keys,
            password.as_ref(),
        );
        let held = journal.acquire().err();
        if held.is_some() {
            // Read-only meanwhile: cases opened in the other window's runs still open offline.
            self.offline.open(journal.load_cache(), None);
        }
        self.journal = Some(journal);
        match held {
            Some(holder) => {
                // One writer per journal (issue 18 §1): this one waits, keeping its work in
                // memory, and takes the journal in when the other has gone.
                self.journal_waiting = true;
                self.state.journal_note = Some("journal in use".into());
                self.state.banner(
                    crate::state::BannerKind::Error,
                    format!(
                        "{holder} is using your journal on this device. Work here is kept in \
                         memory and added to the journal as soon as that one quits."
                    ),
                );
                self.state.dirty = true;
            }
            None => self.take_in_journal(user),
        }
    }

    /// Read the journal now held and hand its entries to `update` (merged with this run's).
    fn take_in_journal(&mut self, user: &str) {
        let Some(journal) = self.journal.as_mut() else {
            return;
        };
        let (mut contents, problem) = journal.load();
        let dir = journal.path().parent().map(std::path::Path::to_path_buf);
        // Drafts from before the journal (`…/jarterm/drafts/<user>.json`, in clear) move in.
        if journal.writable()
            && let Some(legacy) = dir
                .as_ref()
                .and_then(|d| d.parent())
                .map(|d| crate::drafts::path_for(&d.join("drafts"), user))
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
        self.offline
            .open(journal.load_cache(), journal.cache_file());
        self.state.journal_note = match mode {
            crate::journal::KeyMode::MemoryOnly => Some("journal: memory only".into()),
            crate::journal::KeyMode::Locked => Some("journal locked".into()),
            _ => None,
        };
        self.state.dirty = true;
        let (areas, now) = (
            self.state
                .session
                .as_ref()
                .map(|p| p.areas.clone())
                .unwrap_or_default(),
            self.state.now,
        );
        let writes = contents
            .writes
            .iter()
            .map(|w| crate::state::PendingWrite {
                key: w.key,
                write: w.write.clone(),
                in_flight: false,
                form: w
                    .form
                    .as_ref()
                    .map(|f| crate::drafts::to_form(f, &areas, user, now)),
            })
            .collect();
        self.journal_saved = Some(contents.clone());
        self.journal_loading = true;
        // Through the channel: effects queued before this one (the token) run first.
        let _ = self.tx.send(Msg::Api(ApiMsg::JournalLoaded {
            writes,
            drafts: contents.drafts,
            // "journal unencrypted" only for a journal written in clear.
            encrypted: mode != crate::journal::KeyMode::Plain,
            problem,
        }));
    }

    /// After a sign-in with a password: seal the journal key under it, and unlock a journal
    /// that was locked (or start keeping one that was in memory only).
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
        let Some(journal) = self.journal.as_mut() else {
            return;
        };
        if journal.unlock(&pk) && !self.journal_waiting {
            self.take_in_journal(&user);
        }
    }

    /// Another jarterm had the journal: take it once that one has gone.
    fn retry_journal_lock(&mut self) {
        let Some(user) = self.state.session.as_ref().map(|p| p.username.clone()) else {
            return;
        };
        if self.journal.as_mut().is_some_and(|j| j.acquire().is_ok()) {
            self.journal_waiting = false;
            self.state.banner(
                crate::state::BannerKind::Info,
                "The other jarterm has quit: its journal is taken in and this one's work is kept in it.",
            );
            self.take_in_journal(&user);
        }
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
                return Ok(());
            }
            if done(&self.state) {
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
                _ = tick.tick(), if self.live_clock => {
                    self.dispatch(Msg::Tick(chrono::Utc::now()));
                }
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
                tokio::spawn(async move {
                    let _ = c.logout().await;
                });
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
                    case_ref: r,
                    result,
                }
            }),
            Effect::FetchTimeline(r) => self.spawn_api(async move {
                let result = c.timeline(&r).await;
                ApiMsg::Timeline {
                    case_ref: r,
                    result,
                }
            }),
            Effect::FetchChecklists(r) => self.spawn_api(async move {
                let result = c.checklists(&r).await;
                ApiMsg::Checklists {
                    case_ref: r,
                    result,
                }
            }),
            Effect::FetchContacts(r) => self.spawn_api(async move {
                let result = c.contacts(&r).await;
                ApiMsg::Contacts {
                    case_ref: r,
                    result,
                }
            }),
            Effect::Send(p) => self.spawn_api(async move {
                let result = c.send(&p.write, p.key).await;
                ApiMsg::WriteDone { key: p.key, result }
            }),
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
        }
    }
}

impl<B: Backend> Drop for App<B> {
    fn drop(&mut self) {
        self.stop_events();
    }
}
