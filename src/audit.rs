//! Audit log: who did what security-relevant thing, when, from where, and with what outcome.
//!
//! Callers build an [`AuditEvent`] and hand it to [`AuditLog::record`], which never blocks and
//! never fails: a background writer stores events in batches in `audit_events`, and whatever the
//! database cannot take goes to a JSON-lines fallback file. Every string is sanitised on record
//! (control characters and line breaks neutralised, lengths capped) and detail keys that look like
//! credentials are redacted, so a careless caller cannot forge log lines or leak a secret.
//! [`list`] reads the events back for the admin route and the CLI.

mod fallback;
mod query;
mod sanitize;
mod task;
mod writer;

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::{Code, Error};
use crate::id::Id;

pub use query::{AuditFilter, AuditRecord, DEFAULT_LIMIT, MAX_LIMIT, list, parse_since};
pub use sanitize::REDACTED;
pub use writer::{AuditLog, AuditOptions, AuditStats};

/// What happened. Stored as its snake_case name ([`EventType::as_str`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventType {
    Register,
    LoginSuccess,
    LoginFailure,
    /// A login attempt on an account that is locked out.
    LoginLocked,
    /// Too many failures: the account has just been locked.
    Lockout,
    /// A lock was lifted; put the source (`admin`, `cli`, `expiry`...) in the details.
    Unlock,
    Refresh,
    /// A refresh token was presented again after being rotated (the family is revoked).
    RefreshReuseDetected,
    Logout,
    Revoke,
    PasswordChange,
    PasswordResetRequest,
    PasswordResetComplete,
    AccountDeletion,
    RoleChange,
    /// Any other administrative action; name it with an `action` detail.
    AdminAction,
    GoogleLogin,
    /// An email verification link was used (the address is verified).
    EmailVerify,
    /// A change of address was asked for (a link went to the new address).
    EmailChangeRequest,
    /// A change of address was confirmed by its link.
    EmailChange,
    /// One login (session) was ended from the sessions list.
    SessionRevoke,
    /// Two-factor sign-in was turned on (the first code was confirmed).
    TwoFactorEnable,
    /// Two-factor sign-in was turned off by the user.
    TwoFactorDisable,
    /// The password of an account with two-factor sign-in was right: a challenge was issued.
    TwoFactorChallenge,
    /// Events older than `audit.retention_days` were removed; `purged` and `retention_days`
    /// in the details.
    AuditPurge,
    /// A personal access token was made; `pat_id` and `scope` in the details.
    TokenCreate,
    /// A personal access token was revoked; `pat_id` in the details.
    TokenRevoke,
}

impl EventType {
    /// Every event type, in declaration order.
    pub const ALL: [EventType; 27] = [
        EventType::Register,
        EventType::LoginSuccess,
        EventType::LoginFailure,
        EventType::LoginLocked,
        EventType::Lockout,
        EventType::Unlock,
        EventType::Refresh,
        EventType::RefreshReuseDetected,
        EventType::Logout,
        EventType::Revoke,
        EventType::PasswordChange,
        EventType::PasswordResetRequest,
        EventType::PasswordResetComplete,
        EventType::AccountDeletion,
        EventType::RoleChange,
        EventType::AdminAction,
        EventType::GoogleLogin,
        EventType::EmailVerify,
        EventType::EmailChangeRequest,
        EventType::EmailChange,
        EventType::SessionRevoke,
        EventType::TwoFactorEnable,
        EventType::TwoFactorDisable,
        EventType::TwoFactorChallenge,
        EventType::AuditPurge,
        EventType::TokenCreate,
        EventType::TokenRevoke,
    ];

    /// The stored name, e.g. `login_failure`.
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Register => "register",
            EventType::LoginSuccess => "login_success",
            EventType::LoginFailure => "login_failure",
            EventType::LoginLocked => "login_locked",
            EventType::Lockout => "lockout",
            EventType::Unlock => "unlock",
            EventType::Refresh => "refresh",
            EventType::RefreshReuseDetected => "refresh_reuse_detected",
            EventType::Logout => "logout",
            EventType::Revoke => "revoke",
            EventType::PasswordChange => "password_change",
            EventType::PasswordResetRequest => "password_reset_request",
            EventType::PasswordResetComplete => "password_reset_complete",
            EventType::AccountDeletion => "account_deletion",
            EventType::RoleChange => "role_change",
            EventType::AdminAction => "admin_action",
            EventType::GoogleLogin => "google_login",
            EventType::EmailVerify => "email_verify",
            EventType::EmailChangeRequest => "email_change_request",
            EventType::EmailChange => "email_change",
            EventType::SessionRevoke => "session_revoke",
            EventType::TwoFactorEnable => "two_factor_enable",
            EventType::TwoFactorDisable => "two_factor_disable",
            EventType::TwoFactorChallenge => "two_factor_challenge",
            EventType::AuditPurge => "audit_purge",
            EventType::TokenCreate => "token_create",
            EventType::TokenRevoke => "token_revoke",
        }
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EventType {
    type Err = Error;
    /// Parses a stored name; an unknown name is a validation error listing the valid ones.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        EventType::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = EventType::ALL.iter().map(|t| t.as_str()).collect();
                Error::invalid(
                    Code::Validation2001,
                    "event_type",
                    "enum",
                    format!("unknown event type; expected one of {}", names.join(", ")),
                )
            })
    }
}

/// How it ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Success,
    Failure,
    /// Refused by a rule (locked account, missing role, revoked token...).
    Denied,
}

impl Outcome {
    /// The stored name: `success`, `failure` or `denied`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Failure => "failure",
            Outcome::Denied => "denied",
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The actor for events caused by an HTTP request (the default).
pub const ACTOR_API: &str = "api";
/// The actor for events the service causes by itself (lock expiry, housekeeping).
pub const ACTOR_SYSTEM: &str = "system";

/// The actor for events caused by the command-line tool: `cli:<os user>`.
pub fn cli_actor() -> String {
    // Under sudo, name the person, not root.
    let user = ["SUDO_USER", "USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
        .unwrap_or_else(|| "unknown".into());
    format!("cli:{user}")
}

/// Text that may be absent: `&str`, `String`, an IP address, or an `Option` of those.
/// Lets the setters of [`AuditEvent`] take whatever the caller holds.
pub trait OptionalText {
    /// The text, or `None`.
    fn into_optional_text(self) -> Option<String>;
}

impl OptionalText for &str {
    fn into_optional_text(self) -> Option<String> {
        Some(self.to_owned())
    }
}

impl OptionalText for String {
    fn into_optional_text(self) -> Option<String> {
        Some(self)
    }
}

impl OptionalText for &String {
    fn into_optional_text(self) -> Option<String> {
        Some(self.clone())
    }
}

impl OptionalText for IpAddr {
    fn into_optional_text(self) -> Option<String> {
        Some(self.to_string())
    }
}

impl<T: OptionalText> OptionalText for Option<T> {
    fn into_optional_text(self) -> Option<String> {
        self.and_then(OptionalText::into_optional_text)
    }
}

/// One audit event, before it is recorded. Build it with [`AuditEvent::new`] and the setters:
///
/// ```
/// use mita::audit::{AuditEvent, EventType, Outcome};
/// let event = AuditEvent::new(EventType::Unlock, Outcome::Success)
///     .client_ip("192.0.2.7")
///     .detail("source", "admin");
/// assert_eq!(event.actor, "api");
/// ```
///
/// Never put a password or token in the details: keys containing `password`, `token`, `secret`,
/// `authorization`, `cookie` or `api_key` are redacted on record whatever their value (so name a
/// token family `family`, not `token_family`).
#[derive(Clone, Debug, PartialEq)]
pub struct AuditEvent {
    pub event_type: EventType,
    pub outcome: Outcome,
    /// The user the event is about (for admin actions: the target user).
    pub user_id: Option<Id>,
    /// Who caused it: [`ACTOR_API`] (default), [`cli_actor`], [`ACTOR_SYSTEM`]...
    pub actor: String,
    pub client_ip: Option<String>,
    pub user_agent: Option<String>,
    pub request_id: Option<String>,
    /// Free-form context (`{"source": "cli"}`, `{"action": "revoke_tokens"}`...).
    pub details: Map<String, Value>,
}

impl AuditEvent {
    /// An event with no user, actor [`ACTOR_API`] and no request data.
    pub fn new(event_type: EventType, outcome: Outcome) -> Self {
        AuditEvent {
            event_type,
            outcome,
            user_id: None,
            actor: ACTOR_API.to_owned(),
            client_ip: None,
            user_agent: None,
            request_id: None,
            details: Map::new(),
        }
    }

    /// Sets the user the event is about (`Id` or `Option<Id>`).
    pub fn user(mut self, user_id: impl Into<Option<Id>>) -> Self {
        self.user_id = user_id.into();
        self
    }

    /// Sets who caused the event.
    pub fn actor(mut self, actor: impl Into<String>) -> Self {
        self.actor = actor.into();
        self
    }

    /// Sets the client's IP address.
    pub fn client_ip(mut self, ip: impl OptionalText) -> Self {
        self.client_ip = ip.into_optional_text();
        self
    }

    /// Sets the client's `User-Agent`.
    pub fn user_agent(mut self, user_agent: impl OptionalText) -> Self {
        self.user_agent = user_agent.into_optional_text();
        self
    }

    /// Sets the request id (the `X-Request-Id` the response carries).
    pub fn request_id(mut self, request_id: impl OptionalText) -> Self {
        self.request_id = request_id.into_optional_text();
        self
    }

    /// Adds one detail (replacing an earlier value under the same key).
    pub fn detail(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.details.insert(key.into(), value.into());
        self
    }

    /// The event with every string neutralised and capped and sensitive details redacted
    /// ([`AuditLog::record`] applies this; exposed so callers can see what would be stored).
    pub fn sanitized(self) -> Self {
        sanitize::event(self)
    }
}

/// Stores one event inside the caller's transaction, so it exists exactly when the change it
/// records does (account erasure writes its own record this way). Sanitised like [`AuditLog::record`].
pub async fn record_in(
    tx: &mut crate::db::Tx,
    now_ms: i64,
    event: AuditEvent,
) -> crate::error::Result<Id> {
    let stamped = fallback::Stamped {
        id: Id::new(),
        created_at: now_ms,
        event: event.sanitized(),
    };
    task::insert_one(tx, &stamped).await?;
    Ok(stamped.id)
}

/// Rows one retention run removes at most (a backlog is worked off over the following days).
const PURGE_BATCH: i64 = 50_000;

/// Removes the audit events older than `retention_days` (0 keeps everything), counts them in
/// `mita_audit_events_purged_total` and records the purge itself as an audit event. Run by one
/// instance a day (`mita serve`'s housekeeping, under a cluster lease).
pub async fn purge_expired(
    db: &crate::db::Db,
    log: &AuditLog,
    metrics: &crate::metrics::Metrics,
    retention_days: u32,
    now_ms: i64,
) -> crate::error::Result<u64> {
    if retention_days == 0 {
        return Ok(0);
    }
    let cutoff = now_ms - i64::from(retention_days) * 86_400_000;
    let purged = query::purge_before(db, cutoff, PURGE_BATCH).await?;
    if purged > 0 {
        metrics.audit_events_purged_total.inc_by(purged);
        log.record(
            AuditEvent::new(EventType::AuditPurge, Outcome::Success)
                .actor(ACTOR_SYSTEM)
                .detail("purged", purged)
                .detail("retention_days", retention_days),
        );
    }
    Ok(purged)
}
