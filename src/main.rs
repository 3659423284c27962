//! `jarterm`: arguments → logging → terminal → the loop.

use std::io::IsTerminal;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use crossterm::event::EventStream;
use jarterm::api::Client;
use jarterm::app::App;
use jarterm::config::Config;
use jarterm::state::State;
use jarterm::theme::Theme;
use jarterm::token_store::TokenStore;
use jarterm::{logging, terminal};

#[derive(Parser)]
#[command(
    name = "jarterm",
    about = "Terminal client for the Joint Agency Response (JAR)",
    disable_version_flag = true
)]
struct Cli {
    /// Print the version and where the sign-in token is kept.
    #[arg(short = 'V', long)]
    version: bool,
    /// Case API address, e.g. https://jar.example.nhs.uk
    #[arg(long, env = "JARTERM_SERVER")]
    server: Option<String>,
    /// Colour theme: default, mono, high-contrast, truecolor (only with COLORTERM=truecolor),
    /// or a NAME.toml in the config directory's themes/ (NO_COLOR selects mono).
    #[arg(long, env = "JARTERM_THEME")]
    theme: Option<String>,
    /// Draw borders with + - | for fonts without box drawing (automatic when the locale is
    /// not UTF-8).
    #[arg(long)]
    ascii: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Sign out: revoke the token on the server and forget it here.
    Logout,
    /// Try jarterm on synthetic data: starts a private case API, removed on quit.
    #[cfg(feature = "demo")]
    Demo {
        /// paediatrician, police, social-worker, key-worker or manager
        #[arg(long = "as", default_value = "paediatrician")]
        role: String,
        /// How many synthetic cases to create.
        #[arg(long)]
        cases: Option<usize>,
    },
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let config = match Config::load() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("jarterm: config file problem: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    if cli.version {
        let store = TokenStore::choose(&config.token_store);
        println!(
            "jarterm {} (token store: {})",
            env!("CARGO_PKG_VERSION"),
            store.label()
        );
        return std::process::ExitCode::SUCCESS;
    }
    logging::init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("jarterm: cannot start: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli, config)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) if e.is::<NoTty>() => {
            eprintln!("jarterm: {e}");
            std::process::ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("jarterm: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// The theme for this terminal, and the words for a banner when the one asked for could not
/// be used (the default theme is used instead).
fn theme_for(cli: &Cli, config: &Config) -> (Theme, Option<String>) {
    let env =
        jarterm::theme::TermEnv::from_vars(|k| std::env::var(k).ok(), cli.ascii || config.ascii);
    let requested = cli.theme.as_deref().or(config.theme.as_deref());
    let user_themes = jarterm::config::config_dir().map(|d| d.join("themes"));
    Theme::select(requested, &env, user_themes.as_deref())
}

async fn run(cli: Cli, config: Config) -> anyhow::Result<()> {
    let (theme, theme_warning) = theme_for(&cli, &config);
    let server = cli
        .server
        .clone()
        .or(config.server.clone())
        .unwrap_or_else(|| format!("http://127.0.0.1:{}", jar_core::wire::DEFAULT_PORT));
    let kind = config.token_store.clone();
    let store = Arc::new(tokio::task::spawn_blocking(move || TokenStore::choose(&kind)).await?);
    match cli.command {
        Some(Command::Logout) => {
            let client = Client::new(&server).map_err(|e| anyhow::anyhow!(e.describe()))?;
            let (s, key) = (store.clone(), client.base().to_string());
            let token = tokio::task::spawn_blocking(move || s.get(&key)).await?;
            if let Some(t) = token {
                client.set_token(Some(t));
                let _ = client.logout().await;
            }
            let (s, key) = (store.clone(), client.base().to_string());
            tokio::task::spawn_blocking(move || s.delete(&key)).await?;
            // Offline copies of cases must not outlive the sign-in (docs/offline.md).
            let removed = match jarterm::journal::dir() {
                Some(dir) => jarterm::journal::remove_caches(&dir)?,
                None => 0,
            };
            eprintln!(
                "jarterm: signed out ({}); offline copies removed: {removed}.",
                store.label()
            );
            Ok(())
        }
        #[cfg(feature = "demo")]
        Some(Command::Demo { role, cases }) => {
            let role: jar_core::Role = role.parse()?;
            require_tty()?;
            let demo = jarterm::demo::start(role, cases).await?;
            let label = demo
                .server
                .base_url()
                .trim_start_matches("http://")
                .to_string();
            let mut state = State::signed_in(chrono::Utc::now(), &label, demo.login.user.clone());
            state.bell = config.bell;
            apply_keys(&mut state, &config, theme_warning);
            state.idle_lock_minutes = config.idle_lock_minutes.filter(|m| *m > 0);
            // The demo's journal lives in its temporary directory (removed on quit, never
            // offered to a later demo) with nothing in the keyring: its key is derived from the
            // demo password as at any sign-in (issue 12 §3).
            let journal = Journal {
                dir: demo.dir.path().join("journal"),
                server: None,
                keys: jarterm::journal::KeySource::NoKeyring,
                password: Some(jar_server::demo::DEMO_PASSWORD),
            };
            let result = tui(state, theme, demo.client.clone(), None, Some(journal)).await;
            demo.server.shutdown().await;
            drop(demo.dir);
            result
        }
        None => {
            require_tty()?;
            let client = Client::new(&server).map_err(|e| anyhow::anyhow!(e.describe()))?;
            let env_token = std::env::var("JARTERM_TOKEN")
                .ok()
                .filter(|t| !t.is_empty());
            // With JARTERM_TOKEN nothing is read or stored: the status bar says so.
            let store = if env_token.is_some() {
                Arc::new(TokenStore::Env)
            } else {
                store
            };
            let token = match env_token {
                Some(t) => Some(t),
                None => {
                    let (s, key) = (store.clone(), client.base().to_string());
                    tokio::task::spawn_blocking(move || s.get(&key)).await?
                }
            };
            client.set_token(token);
            let label = server
                .trim_start_matches("https://")
                .trim_start_matches("http://")
                .to_string();
            let mut state = State::new(chrono::Utc::now(), &label);
            state.bell = config.bell;
            apply_keys(&mut state, &config, theme_warning);
            state.idle_lock_minutes = config.idle_lock_minutes.filter(|m| *m > 0);
            if client.token().is_some() {
                state.login = None;
            }
            let journal = jarterm::journal::dir().map(|dir| Journal {
                dir,
                server: None,
                keys: jarterm::journal::KeySource::default(),
                password: None,
            });
            tui(state, theme, client, Some(store), journal).await
        }
    }
}

/// No terminal to draw on (a pipe, or `ssh host jarterm` without `-t`): exit 2.
#[derive(Debug, thiserror::Error)]
#[error("needs an interactive terminal; use ssh -t")]
struct NoTty;

fn require_tty() -> anyhow::Result<()> {
    if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
        return Err(NoTty.into());
    }
    Ok(())
}

/// Where the local journal is kept, the server name it is kept under (`None`: the
/// address), where its key comes from, and the password already used to sign in (the
/// demo's), for the journal key.
struct Journal {
    dir: std::path::PathBuf,
    server: Option<String>,
    keys: jarterm::journal::KeySource,
    password: Option<&'static str>,
}

async fn tui(
    state: State,
    theme: Theme,
    client: Client,
    store: Option<Arc<TokenStore>>,
    journal: Option<Journal>,
) -> anyhow::Result<()> {
    // Drafts are kept per user; they are loaded once the person is known.
    terminal::install_panic_hook();
    let term = terminal::enter()?;
    let _guard = terminal::Guard;
    let mut app = App::new(state, term, theme, client);
    app.ring_bell = true;
    app.can_suspend = true;
    if let Some(j) = journal {
        app.drafts_dir = Some(j.dir);
        app.journal_server = j.server;
        app.journal_keys = j.keys;
        if let Some(p) = j.password {
            app.sign_in_password(p);
        }
    }
    if let Some(store) = store {
        app = app.with_token_store(store);
    }
    app.start();
    watch_signals(app.sender());
    let mut input = EventStream::new();
    let result = app.run(&mut input).await;
    // Nothing is written after this (the demo then removes its directory, lock and all).
    app.close_journal().await;
    result?;
    Ok(())
}

/// SIGTERM, SIGHUP (a dropped SSH link), SIGINT and SIGQUIT keep drafts and quit through the
/// loop, so the terminal is restored on the way out.
fn watch_signals(tx: tokio::sync::mpsc::UnboundedSender<jarterm::msg::Msg>) {
    #[cfg(unix)]
    tokio::spawn(async move {
        use tokio::signal::unix::{SignalKind, signal};
        let (Ok(mut term), Ok(mut hup), Ok(mut int), Ok(mut quit)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::hangup()),
            signal(SignalKind::interrupt()),
            signal(SignalKind::quit()),
        ) else {
            return;
        };
        tokio::select! {
            _ = term.recv() => {}
            _ = hup.recv() => {}
            _ = int.recv() => {}
            _ = quit.recv() => {}
        }
        let _ = tx.send(jarterm::msg::Msg::Terminate);
    });
}

/// The user's key patch (config.toml `[keys]`, then `keys.toml`); a broken one is reported
/// and the defaults stay. A theme that could not be used is reported the same way.
fn apply_keys(state: &mut State, config: &Config, theme_warning: Option<String>) {
    if let Some(w) = theme_warning {
        state.banner(jarterm::state::BannerKind::Error, w);
    }
    let dir = jarterm::config::config_dir();
    match jarterm::keymap::Keymap::load(&config.keys, dir.as_deref()) {
        Ok(k) => state.keymap = k,
        Err(e) => state.banner(
            jarterm::state::BannerKind::Error,
            format!("{e}. The default keys are in force."),
        ),
    }
}
