//! Settings: built-in defaults → optional `mita.toml` → environment → command-line flags.
//!
//! Environment: `MITA_<SECTION>__<KEY>` (e.g. `MITA_DATABASE__URL`, `MITA_SERVER__BIND`), top-level
//! `MITA_ENV`, `MITA_DATA_DIR`, `MITA_TRUSTED_PROXIES`, and the conventional `DATABASE_URL`,
//! `JWT_SECRET`, `JWT_PREVIOUS_SECRET`, `METRICS_TOKEN` (a `MITA_` form wins over a conventional one).
//! The LLM settings also answer to `MITA_LLM_BASE_URL`, `MITA_LLM_API_KEY` and `MITA_LLM_MODEL`.

use std::fmt;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Error, Result};

mod ocr;
pub use ocr::{GoogleVisionSettings, OcrEngineKind, OcrSettings};
mod notifications;
pub use notifications::{DEFAULT_LARGE_SPEND_CENTS, NotificationSettings};

/// Minimum JWT secret length accepted in production.
pub const MIN_SECRET_BYTES: usize = 32;

/// A secret string: never printed by `Debug`, serialized as a redaction marker.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }
    /// The secret value. Call sites are the few places that really need it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"[redacted]\"")
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str("[redacted]")
    }
}

/// A database URL: usable as text where the connection is made, but `Debug` and `Serialize`
/// (`mita config show`, logs) print it with its password redacted
/// (`postgres://mita:[redacted]@db/mita`, `...?password=[redacted]`).
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    /// The URL with any password replaced by `[redacted]`.
    pub fn redacted(&self) -> String {
        redact_url(&self.0)
    }
}

impl From<String> for DatabaseUrl {
    fn from(s: String) -> Self {
        DatabaseUrl(s)
    }
}

impl From<&str> for DatabaseUrl {
    fn from(s: &str) -> Self {
        DatabaseUrl(s.to_string())
    }
}

impl std::ops::Deref for DatabaseUrl {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl PartialEq<&str> for DatabaseUrl {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.redacted())
    }
}

impl Serialize for DatabaseUrl {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.redacted())
    }
}

/// A PostgreSQL URL to another machine must ask for TLS without a plaintext fallback
/// (`sslmode=prefer`, libpq's default, falls back silently).
fn check_database_transport(url: &str) -> Result<()> {
    let Some(rest) = url
        .strip_prefix("postgres://")
        .or_else(|| url.strip_prefix("postgresql://"))
    else {
        return Ok(());
    };
    let (before_query, query) = rest.split_once('?').unwrap_or((rest, ""));
    let param = |name: &str| {
        query
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.to_ascii_lowercase())
    };
    let authority = before_query.split('/').next().unwrap_or("");
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = match host_port.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or("").to_string(),
        None => host_port.split(':').next().unwrap_or("").to_string(),
    };
    let host = param("host").unwrap_or(host);
    let local = host.is_empty()
        || host.starts_with('/')
        || host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    let tls = matches!(
        param("sslmode").as_deref(),
        Some("require" | "verify-ca" | "verify-full")
    );
    if local || tls {
        Ok(())
    } else {
        Err(Error::Config(
            "with MITA_ENV=production a PostgreSQL server on another host needs sslmode=require, verify-ca or verify-full in DATABASE_URL (or database.allow_plaintext = true for a trusted private network)".into(),
        ))
    }
}

/// `url` with the password of its user-info and any `password=` query value redacted.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let authority = match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{user}:[redacted]@{host}"),
            None => format!("{userinfo}@{host}"),
        },
        None => authority.to_string(),
    };
    let tail = match tail.split_once('?') {
        Some((path, query)) => {
            let query: Vec<String> = query
                .split('&')
                .map(|kv| match kv.split_once('=') {
                    Some((k, _)) if k.eq_ignore_ascii_case("password") => {
                        format!("{k}=[redacted]")
                    }
                    _ => kv.to_string(),
                })
                .collect();
            format!("{path}?{}", query.join("&"))
        }
        None => tail.to_string(),
    };
    format!("{scheme}://{authority}{tail}")
}

/// Deployment environment: production enforces stricter rules (a real JWT secret).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    #[default]
    Development,
    Production,
}

impl Environment {
    pub fn as_str(self) -> &'static str {
        match self {
            Environment::Development => "development",
            Environment::Production => "production",
        }
    }
}

/// SQLite `synchronous` setting: `full` is durable on power loss, `normal` is faster.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Synchronous {
    #[default]
    Full,
    Normal,
}

/// Log output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Pretty,
    Json,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct DatabaseSettings {
    /// `sqlite://path?mode=rwc` (embedded default) or `postgres://...` (printed redacted).
    pub url: DatabaseUrl,
    /// SQLite durability (`full` or `normal`).
    pub synchronous: Synchronous,
    /// Maximum pooled connections (PostgreSQL).
    pub max_connections: u32,
    /// SQLite read connections (writes always use one connection). Each keeps its own page
    /// cache and thread; a few are plenty for a few cores.
    pub sqlite_read_connections: u32,
    /// Most write transactions one SQLite commit (one fsync) may hold. A transaction joins the
    /// open one only while writers are queued; 1 commits each on its own.
    pub sqlite_commit_batch: u32,
    /// WAL pages after which a SQLite commit folds the WAL back into the database file
    /// (`PRAGMA wal_autocheckpoint`): each checkpoint copies every page changed since the last
    /// one and waits for an fsync of the file, so a larger value copies a page changed by
    /// many commits once instead of many times, for a larger `-wal` file (4 KiB per page).
    pub sqlite_wal_autocheckpoint: u32,
    /// Run the requests that may write on SQLite whole on the write thread, next to the single
    /// writer connection (`mita::db::write_thread`); `false` runs them on the main runtime like
    /// the reads (for comparing the two: the benchmark's P4 tail).
    pub sqlite_write_thread: bool,
    /// How long SQLite waits for a lock held by another process.
    pub busy_timeout_ms: u64,
    /// How long a request waits for a pooled connection before failing with 503.
    pub acquire_timeout_ms: u64,
    /// With `MITA_ENV=production`, a PostgreSQL server that is not on this machine must be
    /// reached with `sslmode=require`, `verify-ca` or `verify-full`; `true` allows plaintext
    /// (a private network you trust).
    pub allow_plaintext: bool,
    /// PostgreSQL's own address when `url` goes through a transaction-mode pooler (PgBouncer):
    /// `mita db backup` and `mita db verify` use it, because pg_dump and pg_restore set session
    /// state the pooler would hand on to other clients. Unset: `url`.
    pub direct_url: Option<DatabaseUrl>,
    /// Let `mita serve` start on a database that a newer mita migrated (applied migrations this
    /// binary does not know). Off: it refuses, so an old binary is not started by mistake on a
    /// schema it was not built for. On: for a rollback or a slow rollout, when the newer
    /// migrations are additive (expand/contract, docs/operations.md).
    pub allow_newer_schema: bool,
}

impl DatabaseSettings {
    /// The URL of the commands that must reach PostgreSQL itself: `direct_url`, else `url`.
    pub fn direct_or_url(&self) -> &str {
        self.direct_url.as_deref().unwrap_or(&self.url)
    }
}

impl Default for DatabaseSettings {
    fn default() -> Self {
        DatabaseSettings {
            url: "sqlite://mita.db?mode=rwc".into(),
            synchronous: Synchronous::Full,
            max_connections: 16,
            sqlite_read_connections: 4,
            sqlite_commit_batch: 64,
            sqlite_wal_autocheckpoint: 1000,
            sqlite_write_thread: true,
            busy_timeout_ms: 5_000,
            acquire_timeout_ms: 3_000,
            allow_plaintext: false,
            direct_url: None,
            allow_newer_schema: false,
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct ServerSettings {
    /// Address the API listens on.
    pub bind: String,
    /// Optional private listener that serves only `/metrics`.
    pub metrics_bind: Option<String>,
    /// Upper bound for one request, in seconds.
    pub request_timeout_secs: u64,
    /// How long shutdown waits for in-flight requests, in seconds.
    pub shutdown_timeout_secs: u64,
}

impl Default for ServerSettings {
    fn default() -> Self {
        ServerSettings {
            bind: "127.0.0.1:8000".to_string(),
            metrics_bind: None,
            request_timeout_secs: 30,
            shutdown_timeout_secs: 30,
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct Limits {
    /// Largest accepted JSON request body, in bytes.
    pub body_bytes: usize,
    /// Largest accepted upload (receipt image), in bytes.
    pub upload_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            body_bytes: 2 * 1024 * 1024,
            upload_bytes: 10 * 1024 * 1024,
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct AuthSettings {
    /// HS256 signing secret (`JWT_SECRET`). Required in production (≥ 32 bytes).
    pub jwt_secret: Option<Secret>,
    /// The previous secret, still accepted for verification during a rotation.
    pub jwt_previous_secret: Option<Secret>,
    pub access_token_minutes: i64,
    pub refresh_token_days: i64,
    /// Clock skew tolerated when checking `exp`/`nbf`, in seconds.
    pub leeway_secs: u64,
    /// A rotated refresh token presented again within this window is treated as a client retry,
    /// not as theft.
    pub refresh_grace_secs: i64,
    /// Consecutive wrong passwords that lock an account.
    pub lockout_threshold: i32,
    /// How long a lock lasts, in minutes.
    pub lockout_minutes: i64,
    /// argon2id memory cost in KiB.
    pub argon2_memory_kib: u32,
    /// argon2id iterations.
    pub argon2_iterations: u32,
    /// argon2id parallelism.
    pub argon2_parallelism: u32,
    /// Password hashes running at once (0 = the number of CPUs).
    pub hash_workers: usize,
    /// Hard cap on password hashes waiting for a worker (admission is by `hash_wait_budget_ms`;
    /// this only bounds memory); beyond either the answer is 503.
    pub hash_queue: usize,
    /// A login (any password hash) is admitted only when it is expected to finish within this
    /// many milliseconds; beyond it the answer is 503 with a `Retry-After` from the line ahead.
    pub hash_wait_budget_ms: u64,
    /// argon2 memory kept between hashes is released after this many idle seconds.
    pub hash_idle_release_secs: u64,
    /// Hashes of one account (login email, reset token) waiting or running at once; beyond
    /// that that account's request is 429, so one account cannot fill the queue (0 = no limit).
    pub hash_per_account: usize,
    /// Lifetime of a password-reset token, in minutes.
    pub reset_token_minutes: i64,
    /// Key that encrypts the two-factor (TOTP) secrets at rest (`MITA_AUTH__TOTP_KEY`): 32
    /// random bytes as 64 hex digits or base64. Required in production; in development one is
    /// generated once and kept beside the JWT secret.
    pub totp_key: Option<Secret>,
    /// The issuer shown by authenticator apps (the `otpauth://` label).
    pub totp_issuer: String,
    /// Lifetime of the two-step login challenge, in seconds.
    pub two_factor_challenge_secs: i64,
    /// Wrong codes one login challenge takes before it is spent (each also counts toward the
    /// account's lockout).
    pub two_factor_challenge_attempts: i32,
    /// Lifetime of an email verification or email-change link, in minutes.
    pub email_token_minutes: i64,
    /// Verification mails one account may ask for per hour (`resend-verification`; 429 beyond).
    pub verification_resend_per_hour: i64,
    /// What an account whose address is not verified may not do: any of `write` (every
    /// non-GET route outside `/api/auth`), `ocr`, `ai`, `two_factor`. Empty (the default):
    /// nothing is blocked.
    pub unverified_blocked: Vec<String>,
}

impl Default for AuthSettings {
    fn default() -> Self {
        AuthSettings {
            jwt_secret: None,
            jwt_previous_secret: None,
            access_token_minutes: 120,
            refresh_token_days: 7,
            leeway_secs: 5,
            refresh_grace_secs: 10,
            lockout_threshold: 5,
            lockout_minutes: 30,
            argon2_memory_kib: 19_456,
            argon2_iterations: 2,
            argon2_parallelism: 1,
            hash_workers: 0,
            hash_queue: 1024,
            hash_wait_budget_ms: 3000,
            hash_idle_release_secs: 30,
            hash_per_account: 16,
            reset_token_minutes: 60,
            totp_key: None,
            totp_issuer: "MITA".to_string(),
            two_factor_challenge_secs: 300,
            two_factor_challenge_attempts: 5,
            email_token_minutes: 24 * 60,
            verification_resend_per_hour: 3,
            unverified_blocked: Vec::new(),
        }
    }
}

/// Google sign-in: ID tokens are checked with Google's token-info endpoint.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct GoogleSettings {
    /// Accepted OAuth client ids (`aud`); empty disables Google sign-in.
    #[serde(deserialize_with = "string_or_list")]
    pub client_ids: Vec<String>,
    /// Token-info endpoint (a fake on loopback in tests).
    pub tokeninfo_url: String,
    pub timeout_ms: u64,
}

impl Default for GoogleSettings {
    fn default() -> Self {
        GoogleSettings {
            client_ids: Vec::new(),
            tokeninfo_url: "https://oauth2.googleapis.com/tokeninfo".to_string(),
            timeout_ms: 3_000,
        }
    }
}

/// An OpenAI-compatible chat API that enriches the rule-based insights. Without `base_url` the
/// insights are rule-based only.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct LlmSettings {
    /// Base URL of the API, e.g. `https://api.openai.com/v1` (`MITA_LLM_BASE_URL`); unset = off.
    pub base_url: Option<String>,
    /// Bearer key (`MITA_LLM_API_KEY`); optional for local servers that need none.
    pub api_key: Option<Secret>,
    /// Model name sent with every request (`MITA_LLM_MODEL`).
    pub model: String,
    /// Whole-call deadline, in milliseconds; a slower answer falls back to the rules.
    pub timeout_ms: u64,
    /// Consecutive failures that open the circuit breaker.
    pub breaker_threshold: u32,
    /// How long the open breaker skips the LLM before one trial call, in seconds.
    pub breaker_open_secs: u64,
    /// LLM calls one user may cause per hour in one instance; beyond that the rule-based
    /// answer is given (0 = no limit).
    pub calls_per_user_per_hour: u32,
}

impl Default for LlmSettings {
    fn default() -> Self {
        LlmSettings {
            base_url: None,
            api_key: None,
            model: "gpt-4o-mini".to_string(),
            timeout_ms: 5_000,
            breaker_threshold: 5,
            breaker_open_secs: 30,
            calls_per_user_per_hour: 30,
        }
    }
}

/// Outgoing mail. Without `host`, mails are written to `<data_dir>/outbox` (development).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct SmtpSettings {
    /// SMTP server (`SMTP_HOST`); unset = outbox directory.
    pub host: Option<String>,
    pub port: u16,
    pub username: Option<String>,
    pub password: Option<Secret>,
    /// `starttls` (default), `tls` (implicit, port 465) or `none` (local relays only).
    pub security: String,
    pub from: String,
    /// Base URL of the app's reset page; the token is appended as `?token=`.
    pub reset_url: String,
    /// Base URL of the page that confirms an address (`?token=` appended); it posts the token
    /// to `/api/auth/verify-email`.
    pub verify_url: String,
    /// Base URL of the page that confirms an email change (`?token=` appended); it posts the
    /// token to `/api/users/me/email/confirm`.
    pub email_change_url: String,
    pub timeout_ms: u64,
}

impl Default for SmtpSettings {
    fn default() -> Self {
        SmtpSettings {
            host: None,
            port: 587,
            username: None,
            password: None,
            security: "starttls".to_string(),
            from: "MITA <no-reply@mita.finance>".to_string(),
            reset_url: "https://app.mita.finance/reset-password".to_string(),
            verify_url: "https://app.mita.finance/verify-email".to_string(),
            email_change_url: "https://app.mita.finance/confirm-email".to_string(),
            timeout_ms: 10_000,
        }
    }
}

/// Per-client-IP request limits (`max` requests per `window_secs`).
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Limit {
    pub max: u32,
    pub window_secs: u64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct RateLimitSettings {
    pub enabled: bool,
    pub login: Limit,
    pub register: Limit,
    pub password_reset: Limit,
    pub refresh: Limit,
    pub error_report: Limit,
    /// `POST /api/auth/change-password` (a wrong current password also counts toward the
    /// account's lockout).
    pub change_password: Limit,
}

impl Default for RateLimitSettings {
    fn default() -> Self {
        RateLimitSettings {
            enabled: true,
            login: Limit {
                max: 10,
                window_secs: 15 * 60,
            },
            register: Limit {
                max: 5,
                window_secs: 60 * 60,
            },
            password_reset: Limit {
                max: 3,
                window_secs: 30 * 60,
            },
            refresh: Limit {
                max: 20,
                window_secs: 5 * 60,
            },
            error_report: Limit {
                max: 30,
                window_secs: 60,
            },
            change_password: Limit {
                max: 5,
                window_secs: 15 * 60,
            },
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct AuditSettings {
    /// JSON-lines file for audit events the database could not take (default
    /// `<data_dir>/audit-fallback.jsonl`).
    pub fallback_path: Option<PathBuf>,
    /// Days audit events are kept; older ones are removed by a daily purge (0 = forever).
    pub retention_days: u32,
}

impl Default for AuditSettings {
    fn default() -> Self {
        AuditSettings {
            fallback_path: None,
            retention_days: 365,
        }
    }
}

/// Product-analytics events the app reports (docs/analytics-events.md).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct AnalyticsSettings {
    /// Events one user may record per rolling hour; more are refused with 429.
    pub events_per_hour: u32,
    /// Events kept per user; recording one more removes that user's oldest.
    pub events_kept_per_user: u32,
}

impl Default for AnalyticsSettings {
    fn default() -> Self {
        AnalyticsSettings {
            events_per_hour: 300,
            events_kept_per_user: 5000,
        }
    }
}

/// Peer comparison (docs/insights.md, "Cohorts").
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct CohortSettings {
    /// The fewest users a peer aggregate may describe (k-anonymity); at least 10.
    pub min_users: u32,
}

/// In-app purchase validation against the stores (docs/premium.md). Without a URL for a
/// platform, its receipts are answered 503 and nothing changes.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct IapSettings {
    /// Apple's `verifyReceipt` URL, e.g. `https://buy.itunes.apple.com/verifyReceipt`.
    pub apple_verify_url: Option<String>,
    /// The app's shared secret sent with Apple receipts (`password`).
    pub apple_shared_secret: Option<Secret>,
    /// Base of the Google Play Developer API, e.g. `https://androidpublisher.googleapis.com`.
    pub google_api_url: Option<String>,
    /// The app's package name on Google Play.
    pub google_package: Option<String>,
    /// An OAuth access token for the Play Developer API (sent as a bearer token).
    pub google_access_token: Option<Secret>,
    /// Product ids that grant premium; a store answer for any other product grants nothing.
    pub allowed_products: Vec<String>,
    /// Whole-call deadline, in milliseconds.
    pub timeout_ms: u64,
    /// Consecutive failures that open the circuit breaker (service `iap`).
    pub breaker_threshold: u32,
    /// How long the open breaker refuses calls, in seconds.
    pub breaker_open_secs: u64,
}

impl Default for IapSettings {
    fn default() -> Self {
        IapSettings {
            apple_verify_url: None,
            apple_shared_secret: None,
            google_api_url: None,
            google_package: None,
            google_access_token: None,
            allowed_products: Vec::new(),
            timeout_ms: 10_000,
            breaker_threshold: 5,
            breaker_open_secs: 30,
        }
    }
}

/// The lowest `cohort.min_users` a configuration may set.
pub const COHORT_MIN_USERS_FLOOR: u32 = 10;

impl Default for CohortSettings {
    fn default() -> Self {
        CohortSettings {
            min_users: COHORT_MIN_USERS_FLOOR,
        }
    }
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct MetricsSettings {
    /// When set, `/metrics` requires `Authorization: Bearer <token>` (`METRICS_TOKEN`).
    pub token: Option<Secret>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct LogSettings {
    pub format: LogFormat,
    /// A tracing filter, e.g. `info` or `mita=debug,info`.
    pub level: String,
}

impl Default for LogSettings {
    fn default() -> Self {
        LogSettings {
            format: LogFormat::Pretty,
            level: "info".to_string(),
        }
    }
}

/// The effective configuration of a `mita` process.
#[derive(Clone, Debug, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Settings {
    pub env: Environment,
    /// `MITA_CLOCK_START` (RFC 3339): `mita serve` starts its clock at this instant and lets it
    /// run from there, so a benchmark or a demo lives on a chosen date whatever the calendar
    /// says. Unset (always, in production): the real clock.
    pub clock_start: Option<String>,
    /// Directory for files `mita` keeps (receipt images, outbox, development secret).
    pub data_dir: PathBuf,
    /// Peers whose `X-Forwarded-For` is believed (CIDRs; comma-separated in the environment).
    #[serde(deserialize_with = "string_or_list")]
    pub trusted_proxies: Vec<String>,
    pub database: DatabaseSettings,
    pub server: ServerSettings,
    pub limits: Limits,
    pub auth: AuthSettings,
    pub google: GoogleSettings,
    pub smtp: SmtpSettings,
    pub llm: LlmSettings,
    pub rate_limit: RateLimitSettings,
    pub audit: AuditSettings,
    pub metrics: MetricsSettings,
    pub log: LogSettings,
    pub ocr: OcrSettings,
    pub notifications: NotificationSettings,
    pub analytics: AnalyticsSettings,
    pub cohort: CohortSettings,
    pub iap: IapSettings,
    pub sentry: SentrySettings,
}

/// Optional error tracking (`mita serve` only): panics and 5xx answers, scrubbed of personal data.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SentrySettings {
    /// The project's DSN (`SENTRY_DSN`); unset = error tracking off.
    pub dsn: Option<Secret>,
    /// The environment name on events (default: `env`, i.e. `development` or `production`).
    pub environment: Option<String>,
}

fn string_or_list<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(s) => s
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect(),
        OneOrMany::Many(v) => v,
    })
}

/// Values given on the command line; they override every other source.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Overrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metrics_bind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_format: Option<LogFormat>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shutdown_timeout_secs: Option<u64>,
}

impl Overrides {
    fn to_figment(&self) -> Figment {
        let mut f = Figment::new();
        if let Some(v) = &self.database_url {
            f = f.merge(Serialized::default("database.url", v));
        }
        if let Some(v) = &self.bind {
            f = f.merge(Serialized::default("server.bind", v));
        }
        if let Some(v) = &self.metrics_bind {
            f = f.merge(Serialized::default("server.metrics_bind", v));
        }
        if let Some(v) = &self.log_format {
            f = f.merge(Serialized::default("log.format", v));
        }
        if let Some(v) = &self.shutdown_timeout_secs {
            f = f.merge(Serialized::default("server.shutdown_timeout_secs", v));
        }
        f
    }
}

/// Conventional environment variables and the setting each one feeds.
const CONVENTIONAL_ENV: &[(&str, &str)] = &[
    ("DATABASE_URL", "database.url"),
    ("SMTP_HOST", "smtp.host"),
    ("SMTP_PORT", "smtp.port"),
    ("SMTP_USERNAME", "smtp.username"),
    ("SMTP_PASSWORD", "smtp.password"),
    ("GOOGLE_CLIENT_IDS", "google.client_ids"),
    ("JWT_SECRET", "auth.jwt_secret"),
    ("JWT_PREVIOUS_SECRET", "auth.jwt_previous_secret"),
    ("METRICS_TOKEN", "metrics.token"),
    ("SENTRY_DSN", "sentry.dsn"),
    ("SENTRY_ENVIRONMENT", "sentry.environment"),
    ("GOOGLE_VISION_API_KEY", "ocr.google_vision.api_key"),
    ("MITA_LLM_BASE_URL", "llm.base_url"),
    ("MITA_LLM_API_KEY", "llm.api_key"),
    ("MITA_LLM_MODEL", "llm.model"),
];

/// Environment variables with the `MITA_` prefix that are not settings.
const NON_SETTING_ENV: &[&str] = &[
    "CONFIG",
    "TEST_DATABASE_URL",
    "METRICS_URL",
    "METRICS_TOKEN",
    "LLM_BASE_URL",
    "LLM_API_KEY",
    "LLM_MODEL",
];

impl Settings {
    /// Loads the settings: defaults, then `file` (when given; an explicitly named file must exist),
    /// then the environment, then `overrides`.
    pub fn load(file: Option<&Path>, overrides: &Overrides) -> Result<Settings> {
        let mut figment = Figment::from(Serialized::defaults(Settings::default()));
        if let Some(path) = file {
            if !path.exists() {
                return Err(Error::Config(format!(
                    "config file {} does not exist",
                    path.display()
                )));
            }
            figment = figment.merge(Toml::file_exact(path));
        }
        let conventional = Env::raw()
            .only(&CONVENTIONAL_ENV.iter().map(|(k, _)| *k).collect::<Vec<_>>())
            .map(|key| {
                let key = key.as_str().to_ascii_uppercase();
                CONVENTIONAL_ENV
                    .iter()
                    .find(|(k, _)| *k == key)
                    .map(|(_, v)| (*v).into())
                    .unwrap_or_else(|| key.to_ascii_lowercase().into())
            });
        let prefixed = Env::prefixed("MITA_").split("__").ignore(NON_SETTING_ENV);
        figment = figment
            .merge(conventional)
            .merge(prefixed)
            .merge(overrides.to_figment());
        let settings: Settings = figment
            .extract()
            .map_err(|e| Error::Config(e.to_string().replace('\n', "; ")))?;
        settings.validate()?;
        Ok(settings)
    }

    /// The clock `mita serve` runs on: the real one, or one that starts at `clock_start`
    /// (refused with `MITA_ENV=production`: a production server lives on the real date).
    pub fn clock(&self) -> Result<crate::clock::Clock> {
        let Some(start) = &self.clock_start else {
            return Ok(crate::clock::Clock::system());
        };
        if self.env == Environment::Production {
            return Err(Error::Config(
                "clock_start (MITA_CLOCK_START) cannot be set when MITA_ENV=production".into(),
            ));
        }
        let at = chrono::DateTime::parse_from_rfc3339(start).map_err(|e| {
            Error::Config(format!(
                "clock_start (MITA_CLOCK_START) must be an RFC 3339 instant such as 2026-11-15T12:00:00Z: {e}"
            ))
        })?;
        Ok(crate::clock::Clock::starting_at(
            at.with_timezone(&chrono::Utc),
        ))
    }

    /// Rules that make a configuration unusable. The production secret rule lives here.
    pub fn validate(&self) -> Result<()> {
        if self.limits.body_bytes == 0 {
            return Err(Error::Config(
                "limits.body_bytes must be greater than 0".to_string(),
            ));
        }
        if self.database.max_connections == 0 {
            return Err(Error::Config(
                "database.max_connections must be greater than 0".to_string(),
            ));
        }
        self.ocr.validate()?;
        self.clock()?;
        if self.cohort.min_users < COHORT_MIN_USERS_FLOOR {
            return Err(Error::Config(format!(
                "cohort.min_users must be at least {COHORT_MIN_USERS_FLOOR} (peer aggregates over fewer users can reveal one of them)"
            )));
        }
        if self.analytics.events_per_hour == 0 || self.analytics.events_kept_per_user == 0 {
            return Err(Error::Config(
                "analytics.events_per_hour and analytics.events_kept_per_user must be greater than 0".to_string(),
            ));
        }
        for blocked in &self.auth.unverified_blocked {
            if !UNVERIFIED_BLOCKABLE.contains(&blocked.as_str()) {
                return Err(Error::Config(format!(
                    "auth.unverified_blocked: unknown entry {blocked:?} (expected any of {})",
                    UNVERIFIED_BLOCKABLE.join(", ")
                )));
            }
        }
        if let Some(key) = &self.auth.totp_key {
            parse_totp_key(key.expose())?;
        }
        if let Some(direct) = &self.database.direct_url
            && !(direct.starts_with("postgres") && self.database.url.starts_with("postgres"))
        {
            return Err(Error::Config(
                "database.direct_url is for PostgreSQL behind a pooler: it and database.url must both be postgres:// URLs".into(),
            ));
        }
        if self.env == Environment::Production && !self.database.allow_plaintext {
            check_database_transport(&self.database.url)?;
            if let Some(direct) = &self.database.direct_url {
                check_database_transport(direct)?;
            }
        }
        Ok(())
    }

    /// A file under the data directory.
    pub fn data_path(&self, name: &str) -> PathBuf {
        if self.data_dir.as_os_str().is_empty() {
            PathBuf::from(name)
        } else {
            self.data_dir.join(name)
        }
    }

    /// Where receipt images are kept (`ocr.image_dir`, default `<data_dir>/receipts`).
    pub fn ocr_image_dir(&self) -> PathBuf {
        self.ocr
            .image_dir
            .clone()
            .unwrap_or_else(|| self.data_path("receipts"))
    }

    /// Where audit events go when the database cannot take them.
    pub fn audit_fallback_path(&self) -> PathBuf {
        self.audit
            .fallback_path
            .clone()
            .unwrap_or_else(|| self.data_path("audit-fallback.jsonl"))
    }

    /// The production secret rule: with `MITA_ENV=production` a server needs a `JWT_SECRET` of at
    /// least 32 bytes. (Commands that never issue tokens, like `mita admin`, do not.)
    pub fn check_serving_secret(&self) -> Result<()> {
        if self.env == Environment::Production {
            match &self.auth.jwt_secret {
                None => {
                    return Err(Error::Config(
                        "JWT_SECRET must be set when MITA_ENV=production".to_string(),
                    ));
                }
                Some(s) if s.expose().len() < MIN_SECRET_BYTES => {
                    return Err(Error::Config(format!(
                        "JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes when MITA_ENV=production (it has {})",
                        s.expose().len()
                    )));
                }
                Some(_) => {}
            }
            if self.auth.totp_key.is_none() {
                return Err(Error::Config(
                    "MITA_AUTH__TOTP_KEY (auth.totp_key, 32 random bytes as 64 hex digits) must be set when MITA_ENV=production: it encrypts the two-factor secrets".to_string(),
                ));
            }
        }
        Ok(())
    }

    /// The settings as TOML, secrets redacted (`mita config show`).
    pub fn to_redacted_toml(&self) -> Result<String> {
        toml::to_string_pretty(self).map_err(|e| Error::Internal(e.to_string()))
    }

    /// In development without a configured secret, generates one once and keeps it in
    /// `<data_dir>/.mita-jwt-secret` (or beside the SQLite file), so sessions survive restarts.
    /// Returns the file used when a stored or new secret was taken from disk.
    pub fn ensure_jwt_secret(&mut self) -> Result<Option<PathBuf>> {
        self.check_serving_secret()?;
        if self.auth.jwt_secret.is_some() {
            return Ok(None);
        }
        if self.env == Environment::Production {
            return Err(Error::Config(
                "JWT_SECRET must be set when MITA_ENV=production".into(),
            ));
        }
        let path = self.dev_secret_path();
        let secret = match std::fs::read_to_string(&path) {
            Ok(s) if s.trim().len() >= MIN_SECRET_BYTES => s.trim().to_string(),
            _ => {
                use rand::Rng;
                let bytes: [u8; 32] = rand::rng().random();
                let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|e| {
                        Error::Config(format!("cannot create {}: {e}", dir.display()))
                    })?;
                }
                write_private(&path, &hex)
                    .map_err(|e| Error::Config(format!("cannot write {}: {e}", path.display())))?;
                hex
            }
        };
        self.auth.jwt_secret = Some(Secret::new(secret));
        Ok(Some(path))
    }

    /// In development without `auth.totp_key`, generates one once and keeps it in
    /// `<data_dir>/.mita-totp-key` (or beside the SQLite file), so enrolled authenticators keep
    /// working across restarts. Production needs the setting ([`Self::check_serving_secret`]).
    pub fn ensure_totp_key(&mut self) -> Result<Option<PathBuf>> {
        self.check_serving_secret()?;
        if self.auth.totp_key.is_some() {
            return Ok(None);
        }
        let path = self.dev_file_path("totp-key");
        let key = match std::fs::read_to_string(&path) {
            Ok(s) if parse_totp_key(s.trim()).is_ok() => s.trim().to_string(),
            _ => {
                let bytes: [u8; 32] = rand::random();
                let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
                write_private(&path, &hex)
                    .map_err(|e| Error::Config(format!("cannot write {}: {e}", path.display())))?;
                hex
            }
        };
        self.auth.totp_key = Some(Secret::new(key));
        Ok(Some(path))
    }

    fn dev_secret_path(&self) -> PathBuf {
        self.dev_file_path("jwt-secret")
    }

    /// `<data_dir>/.mita-<what>`, or `<db file>.<what>` beside a SQLite database.
    fn dev_file_path(&self, what: &str) -> PathBuf {
        if !self.data_dir.as_os_str().is_empty() {
            return self.data_dir.join(format!(".mita-{what}"));
        }
        match sqlite_path(&self.database.url) {
            Some(db) => {
                let name = db.file_name().map(|n| n.to_string_lossy().into_owned());
                let name = format!("{}.{what}", name.unwrap_or_else(|| "mita.db".into()));
                db.with_file_name(name)
            }
            None => PathBuf::from(format!(".mita-{what}")),
        }
    }
}

/// The entries `auth.unverified_blocked` understands.
pub const UNVERIFIED_BLOCKABLE: [&str; 4] = ["write", "ocr", "ai", "two_factor"];

/// The 32 bytes of `auth.totp_key`: 64 hex digits, or base64 (standard or URL-safe, padded or
/// not) of 32 bytes.
pub fn parse_totp_key(raw: &str) -> Result<[u8; 32]> {
    use base64::Engine;
    let raw = raw.trim();
    let bytes: Option<Vec<u8>> = if raw.len() == 64 && raw.chars().all(|c| c.is_ascii_hexdigit()) {
        (0..32)
            .map(|i| u8::from_str_radix(&raw[2 * i..2 * i + 2], 16).ok())
            .collect()
    } else {
        let engines = [
            base64::engine::general_purpose::STANDARD,
            base64::engine::general_purpose::STANDARD_NO_PAD,
            base64::engine::general_purpose::URL_SAFE,
            base64::engine::general_purpose::URL_SAFE_NO_PAD,
        ];
        engines.iter().find_map(|e| e.decode(raw).ok())
    };
    bytes
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .ok_or_else(|| {
            Error::Config(
                "auth.totp_key must be 32 random bytes as 64 hex digits or base64 (e.g. `openssl rand -hex 32`)".into(),
            )
        })
}

fn write_private(path: &Path, content: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options.open(path)?;
    f.write_all(content.as_bytes())?;
    f.sync_all()
}

/// A commented example configuration file (`mita config example`).
pub const EXAMPLE_TOML: &str = include_str!("../docs/mita.example.toml");

#[cfg(test)]
mod tests;

/// Extracts the file path of a `sqlite:` URL (None for other URLs and in-memory databases).
pub fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        return None;
    }
    Some(PathBuf::from(path))
}
