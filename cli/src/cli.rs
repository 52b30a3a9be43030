//! Every clap type of the `mita` command line (their `///` lines are the `--help` text).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use clap_complete::Shell;

mod admin;
mod ocr;

pub use admin::{
    AdminCmd, AuditArgs, Confirm, CreateUserArgs, OutputArgs, ResetTwoFactorArgs, RevokeTokensArgs,
    SetRoleArgs, UnlockArgs, UserCmd, UserDeleteArgs, UserExportArgs,
};
pub use ocr::{OcrCmd, OcrListArgs, OcrReplayArgs};

/// MITA personal-finance service: the API server and the tools to run it.
///
/// Configuration comes from built-in defaults, then an optional TOML file (--config or
/// MITA_CONFIG), then the environment (MITA_*, DATABASE_URL, JWT_SECRET, METRICS_TOKEN), then
/// flags. `mita config example` prints a commented file.
///
/// Exit codes: 0 ok, 1 error, 2 usage, 3 not found, 4 nothing to do, 130 interrupted.
#[derive(Debug, Parser)]
#[command(name = "mita", version, propagate_version = true, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every subcommand understands.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// TOML configuration file (optional; defaults are used without one).
    #[arg(long, global = true, env = "MITA_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL).
    #[arg(long, global = true, value_name = "URL")]
    pub database_url: Option<String>,
    /// Log format on stderr.
    #[arg(long, global = true, value_enum, value_name = "FORMAT")]
    pub log_format: Option<LogFormatArg>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LogFormatArg {
    /// Human-readable lines.
    Pretty,
    /// One JSON object per line.
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP API server.
    Serve(ServeArgs),
    /// Apply database migrations (or show their status).
    Migrate(MigrateArgs),
    /// Show a running server's metrics at a glance.
    Metrics(MetricsArgs),
    /// Print or check the effective configuration.
    #[command(subcommand)]
    Config(ConfigCmd),
    /// Generate shell completion scripts.
    Completions(CompletionsArgs),
    /// Generate man pages.
    Man(ManArgs),
    /// Support operations on accounts: unlock, sessions, roles, audit trail.
    ///
    /// The same services as `/api/admin/*`; they work while `mita serve` runs (SQLite and
    /// PostgreSQL). Every change is audit-logged with the operator as actor (`cli:<os user>`).
    /// Changes ask for confirmation on a terminal; scripts pass --yes.
    ///
    /// Exit codes: 0 done, 1 error (or refused without --yes), 3 no such user, 4 nothing to do.
    #[command(subcommand)]
    Admin(AdminCmd),
    /// Receipt OCR jobs: list them, replay the failed ones.
    ///
    /// The same service as `/api/ocr/*` and `/api/admin/ocr/jobs`; works while `mita serve` runs
    /// (SQLite and PostgreSQL): a replay moves failed jobs back to pending and the running
    /// server's workers pick them up. Replays are audit-logged with the operator as actor.
    ///
    /// Exit codes: 0 done, 1 error (or refused without --yes), 3 no such job or user, 4 nothing
    /// to do.
    #[command(subcommand)]
    Ocr(OcrCmd),
    /// Back the database up, or verify a backup by restoring it in a scratch place.
    ///
    /// Every backup is written with a manifest (FILE.manifest.json: schema version, rows per
    /// table, size, SHA-256) taken from the very snapshot that was saved. SQLite uses the online
    /// backup API (safe while `mita serve` writes); PostgreSQL runs `pg_dump --format=custom`
    /// (package postgresql-client) on `database.direct_url` when set: PostgreSQL's own address
    /// behind a transaction-mode pooler, which pg_dump's session state would upset. Exit codes:
    /// 0 done / backup verified, 1 error or a backup that does not match its manifest.
    #[command(subcommand)]
    Db(DbCmd),
    /// Check this installation: configuration, secrets, database and migrations, clock,
    /// tesseract, room for receipts, SMTP, Google sign-in and the LLM.
    ///
    /// Reads the same configuration as `mita serve` and changes nothing (it writes and removes
    /// one probe file in the receipt directory). Exit codes: 0 every check passed (warnings
    /// allowed), 1 at least one failed.
    Doctor(DoctorArgs),
    /// Import a bank file (CSV, OFX/QFX or QIF) for a user, as `POST /api/import` and its
    /// commit do: the same parsing, rules, duplicates and one transaction (docs/import.md).
    ///
    /// Exit codes: 0 imported, 1 error (a malformed file names its line), 3 no such user, 4
    /// nothing new to import.
    Import(Box<ImportArgs>),
}

/// Import FILE for the user with --user EMAIL. A CSV needs a mapping (--mapping FILE.json with
/// the route's mapping JSON, or the column flags).
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The bank file.
    pub file: PathBuf,
    /// The email of the account to import into.
    #[arg(long, value_name = "EMAIL")]
    pub user: String,
    /// csv, ofx, qfx or qif (detected from the content when absent).
    #[arg(long)]
    pub format: Option<String>,
    /// A JSON file with the mapping (the same JSON as the route's `mapping` field); the flags
    /// below override its fields.
    #[arg(long, value_name = "FILE")]
    pub mapping: Option<PathBuf>,
    /// CSV: the date column.
    #[arg(long, value_name = "COLUMN")]
    pub date: Option<String>,
    /// CSV: the payee column.
    #[arg(long, value_name = "COLUMN")]
    pub payee: Option<String>,
    /// CSV: the signed amount column.
    #[arg(long, value_name = "COLUMN")]
    pub amount: Option<String>,
    /// CSV: the money-out column (instead of --amount).
    #[arg(long, value_name = "COLUMN")]
    pub debit: Option<String>,
    /// CSV: the money-in column (with --debit).
    #[arg(long, value_name = "COLUMN")]
    pub credit: Option<String>,
    /// CSV: the currency column.
    #[arg(long, value_name = "COLUMN")]
    pub currency: Option<String>,
    /// CSV: the column of the bank's own row id.
    #[arg(long, value_name = "COLUMN")]
    pub id: Option<String>,
    /// A chrono date format (CSV default %Y-%m-%d).
    #[arg(long, value_name = "FORMAT")]
    pub date_format: Option<String>,
    /// The decimal separator: . or ,
    #[arg(long)]
    pub decimal: Option<String>,
    /// CSV: the delimiter (one character, or \t).
    #[arg(long)]
    pub delimiter: Option<String>,
    /// The text encoding (utf-8, utf-16le, windows-1252, latin1...); detected when absent.
    #[arg(long)]
    pub encoding: Option<String>,
    /// The account the file comes from (the rules' account condition).
    #[arg(long)]
    pub account: Option<String>,
    /// CSV: spends are positive amounts.
    #[arg(long)]
    pub spends_positive: bool,
    /// Show the preview and write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum DbCmd {
    /// Write a backup of the configured database to FILE (never overwritten) and its manifest.
    Backup {
        /// The backup file to create.
        file: std::path::PathBuf,
        /// Print the manifest as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Restore FILE in a scratch place (PostgreSQL: a scratch database on the configured
    /// server, dropped afterwards) and compare it with its manifest.
    Verify {
        /// The backup file (its manifest is FILE.manifest.json).
        file: std::path::PathBuf,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Check this installation and print one line per check (ok / warn / fail).
#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Print the checks as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Run the HTTP API server until SIGTERM or Ctrl-C, then drain in-flight requests and exit 0.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:8000].
    #[arg(long, value_name = "ADDR")]
    pub bind: Option<String>,
    /// Serve /metrics only on this separate (private) address.
    #[arg(long, value_name = "ADDR")]
    pub metrics_bind: Option<String>,
    /// Apply pending migrations before serving (SQLite databases always migrate themselves).
    #[arg(long)]
    pub migrate: bool,
    /// Seconds in-flight requests may take to finish after the shutdown signal [default: 30].
    #[arg(long, value_name = "SECS")]
    pub shutdown_timeout: Option<u64>,
}

/// Apply pending migrations, printing each one applied. Exits 0 when there is nothing to do.
#[derive(Debug, Args)]
pub struct MigrateArgs {
    #[command(subcommand)]
    pub command: Option<MigrateCmd>,
    /// List the migrations that would run, and change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum MigrateCmd {
    /// Show every migration and whether it is applied or pending.
    Status {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
}

/// Read a running server's /metrics and summarise it: request rates and error rates per endpoint
/// (from two scrapes --interval apart), latency percentiles estimated from histogram buckets,
/// logins, lockouts, OCR queue, circuit breakers, database pool, memory.
#[derive(Debug, Args)]
pub struct MetricsArgs {
    /// The server's metrics URL, or its base URL (`/metrics` is added). Default: the
    /// `server.metrics_bind` (else `server.bind`) of the configuration `mita serve` reads.
    #[arg(long, env = "MITA_METRICS_URL")]
    pub url: Option<String>,
    /// Bearer token when the server sets METRICS_TOKEN.
    #[arg(long, env = "MITA_METRICS_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// Seconds between the two scrapes used for rates.
    #[arg(long, default_value_t = 1.0, value_name = "SECS")]
    pub interval: f64,
    /// Refresh the view every --interval until Ctrl-C (which exits 0).
    #[arg(long, conflicts_with_all = ["json", "raw"])]
    pub watch: bool,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
    /// Print the exposition text unchanged (after --filter).
    #[arg(long, conflicts_with = "json")]
    pub raw: bool,
    /// Only metrics whose name starts with this prefix (e.g. mita_http).
    #[arg(long, value_name = "PREFIX")]
    pub filter: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCmd {
    /// Print the effective settings as TOML, secrets redacted.
    Show,
    /// Print a commented example configuration file.
    Example,
}

/// Print a completion script for SHELL, or write/check all of them in a directory.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to print a script for.
    #[arg(value_enum, required_unless_present_any = ["dir", "check"])]
    pub shell: Option<Shell>,
    /// Write scripts for every shell into DIR.
    #[arg(long, value_name = "DIR", conflicts_with = "check")]
    pub dir: Option<PathBuf>,
    /// Exit 1 if the scripts in DIR differ from what this binary generates.
    #[arg(long, value_name = "DIR")]
    pub check: Option<PathBuf>,
}

/// Write man pages (one per command) into DIR, or check that DIR is up to date.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Target directory.
    pub dir: PathBuf,
    /// Exit 1 if the pages in DIR differ from what this binary generates.
    #[arg(long)]
    pub check: bool,
}
