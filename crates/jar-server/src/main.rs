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
    /// Check the deadlines and bank-holiday files, and warn when the bank-holiday list runs
    /// out within 90 days; then exit.
    CheckConfig {
        /// TOML of per-area deadline overrides.
        #[arg(long)]
        deadlines: Option<PathBuf>,
        /// TOML of per-area bereavement services (see docs/clinical-model.md).
        #[arg(long)]
        support_services: Option<PathBuf>,
        /// A newer England and Wales bank-holiday list (the gov.uk bank-holidays.json).
        #[arg(long, env = "JARTERM_BANK_HOLIDAYS")]
        bank_holidays: Option<PathBuf>,
        /// Check as if today were this UK date (YYYY-MM-DD); for testing.
        #[arg(long, hide = true)]
        today: Option<chrono::NaiveDate>,
    },
    /// Read the audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
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
    /// TOML of per-area bereavement services, changing the national catalogue (issue 16).
    #[arg(long)]
    support_services: Option<PathBuf>,
    /// Believe `X-Forwarded-For` from these proxies only (e.g. 10.0.0.5/32); repeatable. The
    /// client address then decides sign-in throttling and is written in the audit.
    #[arg(long = "trusted-proxy", value_name = "CIDR", value_parser = parse_cidr)]
    trusted_proxies: Vec<ipnet::IpNet>,
    /// A newer England and Wales bank-holiday list (the gov.uk bank-holidays.json) to use
    /// instead of the one built in.
    #[arg(long, env = "JARTERM_BANK_HOLIDAYS")]
    bank_holidays: Option<PathBuf>,
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Write the audit log, newest first, to standard output; the filters combine.
    Export {
        /// Output format (only `csv`).
        #[arg(long, value_enum, default_value = "csv")]
        format: ExportFormat,
        /// Only this case reference.
        #[arg(long = "case")]
        case_ref: Option<String>,
        /// Only this username.
        #[arg(long)]
        user: Option<String>,
        /// Only this action, e.g. `identity.reveal`.
        #[arg(long)]
        action: Option<String>,
        /// Only entries at or after this time (RFC 3339, e.g. 2026-03-01T00:00:00Z).
        #[arg(long)]
        since: Option<chrono::DateTime<chrono::Utc>>,
        /// Only entries before this time (RFC 3339).
        #[arg(long)]
        until: Option<chrono::DateTime<chrono::Utc>>,
        #[arg(long, env = "JARTERM_DATABASE")]
        database: Option<String>,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum ExportFormat {
    Csv,
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
    /// Set a new one-time password, print it once, and end the user's sessions.
    ResetPassword {
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

/// The bank-holiday calendar: the file given, else the one built in.
fn load_calendar(path: Option<&PathBuf>) -> anyhow::Result<jar_core::workdays::Calendar> {
    let Some(path) = path else {
        return Ok(jar_core::workdays::Calendar::embedded().clone());
    };
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("could not read {}", path.display()))?;
    jar_core::workdays::Calendar::from_json(&text, &path.display().to_string())
        .with_context(|| format!("{} is not a usable bank-holiday list", path.display()))
}

fn load_support(path: &PathBuf) -> anyhow::Result<jar_core::support::AreaCatalogues> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("could not read {}", path.display()))?;
    jar_core::support::AreaCatalogues::from_toml(&text)
        .with_context(|| format!("{} is not a valid support-services file", path.display()))
}

fn check_config(
    deadlines: Option<&PathBuf>,
    support_services: Option<&PathBuf>,
    bank_holidays: Option<&PathBuf>,
    today: Option<chrono::NaiveDate>,
) -> anyhow::Result<()> {
    if let Some(path) = deadlines {
        let areas = load_overrides(path)?;
        println!("deadlines: {} ({} areas)", path.display(), areas.len());
    }
    if let Some(path) = support_services {
        let areas = load_support(path)?;
        println!(
            "support services: {} ({} areas)",
            path.display(),
            areas.area.len()
        );
    }
    let calendar = load_calendar(bank_holidays)?;
    let today = today.unwrap_or_else(|| jar_core::workdays::uk_date(chrono::Utc::now()));
    let check = calendar.check(today);
    println!("{}", check.summary);
    if let Some(w) = check.warning {
        eprintln!("warning: {w}");
    }
    Ok(())
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let calendar = load_calendar(args.bank_holidays.as_ref())?;
    if let Some(w) = calendar
        .check(jar_core::workdays::uk_date(chrono::Utc::now()))
        .warning
    {
        tracing::warn!("{w}");
    }
    jar_core::workdays::install(calendar);
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
    if let Some(path) = &args.support_services {
        config.support = load_support(path)?;
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
        Command::CheckConfig {
            deadlines,
            support_services,
            bank_holidays,
            today,
        } => check_config(
            deadlines.as_ref(),
            support_services.as_ref(),
            bank_holidays.as_ref(),
            today,
        ),
        Command::Migrate { database: db } => {
            jar_server::Store::connect(&database(db)?).await?;
            eprintln!("database is up to date");
            Ok(())
        }
        Command::Audit {
            command:
                AuditCommand::Export {
                    format: ExportFormat::Csv,
                    case_ref,
                    user,
                    action,
                    since,
                    until,
                    database: db,
                },
        } => {
            let filter = jar_server::audit_cli::ExportFilter {
                case_ref,
                username: user,
                action,
                since,
                until,
            };
            let csv = jar_server::audit_cli::export_csv(&database(db)?, &filter).await?;
            use std::io::Write;
            std::io::stdout().lock().write_all(csv.as_bytes())?;
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
            UserCommand::ResetPassword { name, database: db } => {
                let password = users_cli::reset_password(&database(db)?, &name).await?;
                eprintln!("new one-time password for {name} (shown once; their sessions ended):");
                println!("{password}");
                Ok(())
            }
        },
    }
}
