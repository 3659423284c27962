//! `jarterm-server`: serve the case API, manage users, run migrations.

use anyhow::Context;
use clap::{Parser, Subcommand};
use jar_core::Role;
use jar_core::deadline::AreaOverrides;
use jar_server::{ServerConfig, users_cli};
use std::io::BufRead;
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "jarterm-server",
    version,
    about = "The jarterm case API for the Joint Agency Response"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API.
    Serve(ServeArgs),
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Export records (issue 15 §2); see docs/exports.md.
    Export {
        #[command(subcommand)]
        command: ExportCommand,
    },
    /// Create or update the database schema, then exit.
    Migrate {
        #[arg(long, env = "JARTERM_DATABASE")]
        database: Option<String>,
    },
}

#[derive(clap::Args)]
struct ServeArgs {
    #[arg(long, default_value = "127.0.0.1:8471")]
    listen: SocketAddr,
    /// `sqlite://FILE` or `postgres://...`; default: a SQLite file in the XDG data directory.
    #[arg(long, env = "JARTERM_DATABASE")]
    database: Option<String>,
    /// Seed synthetic demo cases and users (loopback only).
    #[arg(long)]
    demo: bool,
    /// How many demo cases to seed (implies --demo).
    #[arg(long)]
    demo_cases: Option<usize>,
    #[arg(long, requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    #[arg(long, requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Allow plain HTTP on a non-loopback address (behind a TLS-terminating proxy).
    #[arg(long)]
    insecure_http: bool,
    /// TOML of per-area deadline overrides.
    #[arg(long)]
    deadlines: Option<PathBuf>,
    /// Believe `X-Forwarded-For` from these proxies only (e.g. 10.0.0.5/32); repeatable. The
    /// client address then decides sign-in throttling and is written in the audit.
    #[arg(long = "trusted-proxy", value_name = "CIDR", value_parser = parse_cidr)]
    trusted_proxies: Vec<ipnet::IpNet>,
}

#[derive(Subcommand)]
enum ExportCommand {
    /// The notification essentials of deaths notified from --from to --to (UK dates,
    /// inclusive), to standard output. Special-category data: write it only where the CDOP
    /// path allows.
    Notifications {
        /// First date, YYYY-MM-DD.
        #[arg(long)]
        from: chrono::NaiveDate,
        /// Last date, YYYY-MM-DD (inclusive).
        #[arg(long)]
        to: chrono::NaiveDate,
        #[arg(long, value_parser = ["json", "csv"], default_value = "json")]
        format: String,
        /// Only these areas (repeatable); default every area.
        #[arg(long = "area")]
        areas: Vec<String>,
        #[arg(long, env = "JARTERM_DATABASE")]
        database: Option<String>,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a user; the password is read from standard input (one line).
    Add {
        name: String,
        #[arg(long)]
        role: Role,
        #[arg(long = "area", required = true)]
        areas: Vec<String>,
        #[arg(long, env = "JARTERM_DATABASE")]
        database: Option<String>,
    },
    List {
        #[arg(long, env = "JARTERM_DATABASE")]
        database: Option<String>,
    },
    Disable {
        name: String,
        #[arg(long, env = "JARTERM_DATABASE")]
        database: Option<String>,
    },
}

/// `10.0.0.0/8`, or one address (`10.0.0.5` means `10.0.0.5/32`).
fn parse_cidr(s: &str) -> Result<ipnet::IpNet, String> {
    s.parse::<ipnet::IpNet>()
        .or_else(|_| s.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
        .map_err(|_| format!("{s:?} is not an address or CIDR block such as 10.0.0.0/8"))
}

fn default_database() -> anyhow::Result<String> {
    use etcetera::BaseStrategy;
    let dir = etcetera::choose_base_strategy()
        .context("could not find the data directory; pass --database")?
        .data_dir()
        .join("jarterm");
    std::fs::create_dir_all(&dir).with_context(|| format!("could not create {}", dir.display()))?;
    Ok(format!("sqlite://{}", dir.join("jarterm.db").display()))
}

fn database(arg: Option<String>) -> anyhow::Result<String> {
    arg.map_or_else(default_database, Ok)
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct DeadlinesFile {
    #[serde(default)]
    area: AreaOverrides,
}

fn load_overrides(path: &PathBuf) -> anyhow::Result<AreaOverrides> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("could not read {}", path.display()))?;
    let file: DeadlinesFile = toml::from_str(&text)
        .with_context(|| format!("{} is not a valid deadlines file", path.display()))?;
    Ok(file.area)
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let mut config = ServerConfig::loopback(database(args.database)?);
    config.listen = args.listen;
    config.demo_cases = args
        .demo_cases
        .or(args.demo.then_some(jar_server::demo::DEFAULT_CASES));
    config.tls = args.tls_cert.zip(args.tls_key);
    config.insecure_http = args.insecure_http;
    config.trusted_proxies = args.trusted_proxies;
    if let Some(path) = &args.deadlines {
        config.area_overrides = load_overrides(path)?;
    }
    config.check()?;
    let server = jar_server::start(config).await?;
    eprintln!("jarterm-server listening on {}", server.base_url());
    wait_for_stop().await?;
    server.shutdown().await;
    Ok(())
}

/// Ctrl-C, or SIGTERM from systemd or a container runtime.
async fn wait_for_stop() -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        tokio::select! {
            r = tokio::signal::ctrl_c() => r?,
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    tokio::signal::ctrl_c().await?;
    Ok(())
}

fn read_password() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    let password = line.trim_end_matches(['\r', '\n']).to_string();
    anyhow::ensure!(!password.is_empty(), "no password on standard input");
    Ok(password)
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    match run(Cli::parse()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("jarterm-server: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(args) => serve(args).await,
        Command::Migrate { database: db } => {
            jar_server::Store::connect(&database(db)?).await?;
            eprintln!("database is up to date");
            Ok(())
        }
        Command::Export {
            command:
                ExportCommand::Notifications {
                    from,
                    to,
                    format,
                    areas,
                    database: db,
                },
        } => {
            if to < from {
                anyhow::bail!("--to must not be before --from");
            }
            let out =
                jar_server::export::cli(&database(db)?, from, to, format == "csv", &areas).await?;
            print!("{out}");
            Ok(())
        }
        Command::User { command } => match command {
            UserCommand::Add {
                name,
                role,
                areas,
                database: db,
            } => {
                let password = read_password()?;
                users_cli::add(&database(db)?, &name, role, &areas, &password).await?;
                eprintln!("added {name} ({role})");
                Ok(())
            }
            UserCommand::List { database: db } => {
                for u in users_cli::list(&database(db)?).await? {
                    let state = if u.disabled { " (disabled)" } else { "" };
                    println!("{}\t{}\t{}{state}", u.username, u.role, u.areas.join(", "));
                }
                Ok(())
            }
            UserCommand::Disable { name, database: db } => {
                users_cli::disable(&database(db)?, &name).await?;
                eprintln!("disabled {name}");
                Ok(())
            }
        },
    }
}
