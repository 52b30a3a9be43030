//! The clap types of `mita admin` (kept beside `cli.rs` so that file stays short).

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

/// The `mita admin` subcommands (the group's help text is on `Command::Admin`).
#[derive(Debug, Subcommand)]
pub enum AdminCmd {
    /// Unlock an account locked by failed logins (shows its state, then asks to confirm).
    ///
    /// Clears the lock and the failed-login counter. Exits 0 when unlocked, 3 when there is no
    /// such user, 4 when the account is not locked (nothing to do), 1 on error or when refused
    /// (no terminal to confirm on and no --yes).
    Unlock(UnlockArgs),
    /// List the accounts that are locked right now, soonest unlock first.
    Locked(OutputArgs),
    /// Show user accounts.
    #[command(subcommand)]
    User(UserCmd),
    /// End every session of a user (all devices must sign in again).
    ///
    /// Access and refresh tokens stop working at once.
    RevokeTokens(RevokeTokensArgs),
    /// Change a user's role (this also ends the user's sessions).
    ///
    /// Tokens carry the role, so the user signs in again. Exits 4 when the user already has the
    /// role.
    SetRole(SetRoleArgs),
    /// Create an account; the password comes from a file or is generated, never from the command line.
    ///
    /// A generated password is printed once. With --if-not-exists an existing account is left
    /// as it is and the command exits 0.
    CreateUser(CreateUserArgs),
    /// List audit events, newest first.
    Audit(AuditArgs),
}

/// Confirmation for commands that change an account.
#[derive(Debug, Args)]
pub struct Confirm {
    /// Do not ask for confirmation (required when stdin is not a terminal).
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Show what would happen and change nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// Output format.
#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `mita admin unlock`.
#[derive(Debug, Args)]
pub struct UnlockArgs {
    /// The account's email address.
    pub email: String,
    /// Why the account is unlocked (recorded in the audit event).
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    #[command(flatten)]
    pub confirm: Confirm,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Subcommand)]
pub enum UserCmd {
    /// Show one account: role, failed logins, lock, token version, dates.
    Show {
        /// The account's email address.
        email: String,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// List an account's active sessions (one per sign-in): started, last used, user agent,
    /// approximate client network.
    ///
    /// End them all with `mita admin revoke-tokens`.
    Sessions {
        /// The account's email address.
        email: String,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Turn off an account's two-factor sign-in (lost phone and recovery codes).
    ///
    /// The user signs in with the password alone afterwards and may enrol again. Audit-logged.
    /// Exits 0 when removed, 3 when there is no such user, 4 when two-factor sign-in was not on,
    /// 1 on error or when refused (no terminal to confirm on and no --yes).
    #[command(name = "reset-2fa")]
    ResetTwoFactor(ResetTwoFactorArgs),
    /// Write everything stored about an account as JSON (a data subject access request).
    ///
    /// The same document as `GET /api/users/me/export`: every personal table's rows, credential
    /// columns (password and token hashes) left out. To stdout, or to --output FILE (created
    /// readable by its owner only; an existing file is not overwritten), then a summary of rows
    /// per table. Exits 3 when there is no such user.
    Export(UserExportArgs),
    /// Erase an account (a right-to-erasure request): every row of the user removed and their
    /// audit events kept under a random pseudonym, in one transaction; then their receipt images.
    ///
    /// Shows the rows per table it would remove, then asks to confirm. The pseudonym is printed
    /// so the request can be referred to later; nothing else leads back to the person. Exits 0
    /// when erased, 3 when there is no such user, 1 on error or when refused (no terminal to
    /// confirm on and no --yes).
    Delete(UserDeleteArgs),
}

/// Arguments of `mita admin user export`.
#[derive(Debug, Args)]
pub struct UserExportArgs {
    /// The account's email address.
    pub email: String,
    /// Write the export to this file instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Print the summary as JSON (with --output).
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `mita admin user delete`.
#[derive(Debug, Args)]
pub struct UserDeleteArgs {
    /// The account's email address.
    pub email: String,
    #[command(flatten)]
    pub confirm: Confirm,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Arguments of `mita admin user reset-2fa`.
#[derive(Debug, Args)]
pub struct ResetTwoFactorArgs {
    /// The account's email address.
    pub email: String,
    #[command(flatten)]
    pub confirm: Confirm,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Arguments of `mita admin revoke-tokens`.
#[derive(Debug, Args)]
pub struct RevokeTokensArgs {
    /// The account's email address.
    pub email: String,
    #[command(flatten)]
    pub confirm: Confirm,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Arguments of `mita admin set-role`.
#[derive(Debug, Args)]
pub struct SetRoleArgs {
    /// The account's email address.
    pub email: String,
    /// The new role.
    #[arg(value_enum)]
    pub role: RoleArg,
    #[command(flatten)]
    pub confirm: Confirm,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RoleArg {
    /// May use the admin API and read the audit log.
    Admin,
    /// A regular (basic) user.
    User,
    /// A premium user.
    #[value(name = "premium_user", alias = "premium")]
    PremiumUser,
}

impl RoleArg {
    /// The name the service understands (`mita::auth::admin::parse_role`).
    pub fn as_str(self) -> &'static str {
        match self {
            RoleArg::Admin => "admin",
            RoleArg::User => "user",
            RoleArg::PremiumUser => "premium_user",
        }
    }
}

/// Arguments of `mita admin create-user`.
#[derive(Debug, Args)]
#[command(group(
    clap::ArgGroup::new("password_source")
        .required(true)
        .args(["password_file", "random_password"])
))]
pub struct CreateUserArgs {
    /// The new account's email address.
    #[arg(long, value_name = "EMAIL")]
    pub email: String,
    /// The new account's role.
    #[arg(long, value_enum, default_value = "user")]
    pub role: RoleArg,
    /// Read the password from the first line of this file (`-` for stdin).
    #[arg(long, value_name = "PATH")]
    pub password_file: Option<PathBuf>,
    /// Generate a strong password and print it once.
    #[arg(long)]
    pub random_password: bool,
    /// Succeed without changes when the account already exists (exit 0).
    #[arg(long)]
    pub if_not_exists: bool,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Arguments of `mita admin audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Only events about this user.
    #[arg(long, value_name = "EMAIL")]
    pub user: Option<String>,
    /// Only events of this type.
    #[arg(long, value_name = "TYPE", value_parser = clap::builder::PossibleValuesParser::new(
        mita::audit::EventType::ALL.map(mita::audit::EventType::as_str)))]
    pub event: Option<String>,
    /// Only events since a duration ago (30m, 24h, 7d) or an RFC 3339 instant.
    #[arg(long, value_name = "WHEN", value_parser = since_value)]
    pub since: Option<String>,
    /// Most events to show (1-1000).
    #[arg(long, value_name = "N", default_value_t = mita::audit::DEFAULT_LIMIT,
        value_parser = clap::value_parser!(i64).range(1..=mita::audit::MAX_LIMIT))]
    pub limit: i64,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Checks a `--since` value at parse time (so a typo is a usage error, exit 2); it is resolved
/// against the clock when the command runs.
fn since_value(raw: &str) -> Result<String, String> {
    mita::audit::parse_since(raw, 0)
        .map(|_| raw.to_string())
        .map_err(|_| "expected a duration such as 30m, 24h or 7d, or an RFC 3339 timestamp".into())
}
