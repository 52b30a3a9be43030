//! Registration, login with lockout, and Google sign-in.
//!
//! Lockout: `lockout_threshold` consecutive wrong passwords lock the account for
//! `lockout_minutes`. The lock is checked before the password. Failures are counted by one
//! conditional `UPDATE … RETURNING`, so concurrent attempts can neither skip the lock nor push
//! the counter past the threshold; an expired lock restarts the count.

use serde::Deserialize;
use serde_json::json;

use crate::audit::{EventType, Outcome};
use crate::clock::rfc3339;
use crate::error::{Code, Error, FieldError, Result};
use crate::google::GoogleError;
use crate::id::Id;
use crate::metrics::{LoginResult, RevokeReason, UnlockSource};
use crate::money::Money;
use crate::on_write;
use crate::users::{self, Email, NewUser, User, parse_timezone};

use super::password::check_strength;
use super::two_factor::LoginOutcome;
use super::{AuthService, RequestMeta, TokenPair};

/// `POST /api/auth/register`.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Registration {
    pub email: String,
    /// 8–128 characters, upper and lower case and a digit, not a common password.
    pub password: String,
    #[serde(default)]
    pub name: Option<String>,
    /// Two-letter country code (default `US`).
    #[serde(default)]
    pub country: Option<String>,
    /// Yearly income (a number or string with at most two decimals).
    #[serde(default)]
    pub annual_income: Option<Money>,
    /// IANA timezone (default `UTC`).
    #[serde(default)]
    pub timezone: Option<String>,
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub zip_code: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
}

fn optional_text(
    v: Option<String>,
    field: &str,
    max: usize,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    let v = v?.trim().to_string();
    if v.is_empty() {
        return None;
    }
    if v.chars().count() > max || v.chars().any(char::is_control) {
        errors.push(FieldError::new(
            field,
            "length",
            format!("must be at most {max} printable characters"),
        ));
    }
    Some(v)
}

fn collect<T>(r: Result<T>, errors: &mut Vec<FieldError>) -> Result<Option<T>> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(Error::Validation { fields, .. }) => {
            errors.extend(fields);
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

impl Registration {
    fn validate(self) -> Result<(NewUser, String)> {
        let mut errors = Vec::new();
        let email = collect(Email::parse(&self.email, "body.email"), &mut errors)?;
        collect(check_strength(&self.password, "body.password"), &mut errors)?;
        let timezone = match self.timezone.as_deref() {
            Some(tz) => collect(parse_timezone(tz, "body.timezone"), &mut errors)?,
            None => Some("UTC".to_string()),
        };
        let country = optional_text(self.country, "body.country", 2, &mut errors)
            .unwrap_or_else(|| "US".into())
            .to_uppercase();
        if country.len() != 2 || !country.chars().all(|c| c.is_ascii_alphabetic()) {
            errors.push(FieldError::new(
                "body.country",
                "format",
                "must be a two-letter country code",
            ));
        }
        if self.annual_income.is_some_and(Money::is_negative) {
            errors.push(FieldError::new(
                "body.annual_income",
                "range",
                "must not be negative",
            ));
        }
        let name = optional_text(self.name, "body.name", 100, &mut errors);
        let state = optional_text(self.state, "body.state", 50, &mut errors);
        let zip_code = optional_text(self.zip_code, "body.zip_code", 20, &mut errors);
        let phone = optional_text(self.phone, "body.phone", 30, &mut errors);
        if !errors.is_empty() {
            let code = if errors.iter().any(|e| e.kind == "weak_password") {
                Code::Validation2005
            } else {
                Code::Validation2001
            };
            let code = if errors.iter().all(|e| e.field == "body.email") {
                Code::Validation2004
            } else {
                code
            };
            return Err(Error::Validation {
                code,
                message: "Request validation failed".into(),
                fields: errors,
            });
        }
        let new = NewUser {
            email,
            name,
            role: "basic_user".into(),
            country,
            timezone: timezone.unwrap_or_else(|| "UTC".into()),
            state,
            zip_code,
            phone,
            annual_income: self.annual_income,
            ..NewUser::default()
        };
        Ok((new, self.password))
    }
}

/// The account key of a registration's hash (its address).
fn registration_key(new: &NewUser) -> String {
    new.email
        .as_ref()
        .map(|e| e.as_str().to_string())
        .unwrap_or_default()
}

/// What a successful login returns.
pub struct LoggedIn {
    pub tokens: TokenPair,
    pub user: User,
}

impl AuthService {
    pub async fn register(
        &self,
        registration: Registration,
        meta: &RequestMeta,
    ) -> Result<LoggedIn> {
        let (mut new, password) = registration.validate()?;
        new.password_hash = Some(self.hasher.hash(&registration_key(&new), &password).await?);
        // One commit: an account is never left without the session its 201 announced.
        let mut tx = self.db.begin().await?;
        let id = users::insert_in(&mut tx, &self.clock, new).await?;
        let user = users::by_id_tx(&mut tx, id)
            .await?
            .ok_or(Error::NotFound("User"))?;
        let tokens = self.issue_session_in(&mut tx, &user, meta).await?;
        let link = self.verification_link_in(&mut tx, id, &user.email).await?;
        tx.commit().await?;
        self.audit
            .record(meta.event(EventType::Register, Outcome::Success, Some(id)));
        self.mail_verification(&user.email, &link);
        Ok(LoggedIn { tokens, user })
    }

    fn bad_credentials() -> Error {
        Self::unauthorized(Code::Auth1001, "Invalid email or password")
    }

    pub(super) fn locked(&self, until: i64) -> Error {
        Error::Unauthorized {
            code: Code::Auth1008,
            message: "Account is temporarily locked after repeated failed logins".into(),
            details: Some(json!({ "locked_until": rfc3339(until) })),
        }
    }

    /// Signs in with email and password: a session, or for an account with two-factor sign-in
    /// a challenge for [`Self::login_second_step`].
    pub async fn login(
        &self,
        email: &str,
        password: &str,
        meta: &RequestMeta,
    ) -> Result<LoginOutcome> {
        let now = self.clock.now_ms();
        // The account key of the hashing share: the address as typed, known or not.
        let account = email;
        let user = match Email::parse(email, "body.email") {
            Ok(e) => users::by_email(&self.db, &e).await?,
            Err(_) => None,
        };
        let Some(user) = user else {
            // Same cost as a wrong password: no enumeration by status, body or timing.
            self.hasher.verify(account, password, None).await?;
            self.metrics.login_attempts_total.inc(LoginResult::Failure);
            self.audit.record(
                meta.event(EventType::LoginFailure, Outcome::Failure, None)
                    .detail("reason", "unknown_email"),
            );
            return Err(Self::bad_credentials());
        };
        if let Some(until) = user.account_locked_until {
            if until > now {
                self.metrics.login_attempts_total.inc(LoginResult::Locked);
                self.audit.record(meta.event(
                    EventType::LoginLocked,
                    Outcome::Denied,
                    Some(user.id),
                ));
                return Err(self.locked(until));
            }
            self.clear_expired_lock(&user, until, meta).await?;
        }
        if !self
            .hasher
            .verify(account, password, user.password_hash.as_deref())
            .await?
        {
            return Err(self.record_failure(&user, meta).await?);
        }
        if self.two_factor_enabled(user.id).await? {
            // The failure count is not reset here: only a completed second step does, so
            // wrong codes keep counting toward the lock however often the password is right.
            if users::by_id(&self.db, user.id)
                .await?
                .is_some_and(|u| u.locked_at(now))
            {
                return Err(self.locked_meanwhile(&user, meta).await?);
            }
            return Ok(LoginOutcome::TwoFactor(
                self.issue_challenge(&user, meta).await?,
            ));
        }
        // Only an account that is not locked now: guesses in flight while the password was
        // hashed may have locked it, and a right password must not undo that lock.
        let cleared = on_write!(&self.db, pool => sqlx::query(
            "UPDATE users SET failed_login_attempts = 0, account_locked_until = NULL, last_login_at = $2, updated_at = $2 \
             WHERE id = $1 AND (account_locked_until IS NULL OR account_locked_until <= $2)")
            .bind(user.id).bind(now).execute(pool).await.map(|r| r.rows_affected()))?;
        if cleared == 0 {
            return Err(self.locked_meanwhile(&user, meta).await?);
        }
        let tokens = self.issue_session(&user, meta).await?;
        self.metrics.login_attempts_total.inc(LoginResult::Success);
        self.audit
            .record(meta.event(EventType::LoginSuccess, Outcome::Success, Some(user.id)));
        let user = User {
            last_login_at: Some(now),
            failed_login_attempts: 0,
            account_locked_until: None,
            ..user
        };
        Ok(LoginOutcome::Session(Box::new(LoggedIn { tokens, user })))
    }

    /// A lock that has run out is cleared (counter back to 0) the first time it is noticed.
    async fn clear_expired_lock(&self, user: &User, until: i64, meta: &RequestMeta) -> Result<()> {
        let cleared = on_write!(&self.db, pool => sqlx::query(
            "UPDATE users SET failed_login_attempts = 0, account_locked_until = NULL, updated_at = $3 \
             WHERE id = $1 AND account_locked_until = $2")
            .bind(user.id).bind(until).bind(self.clock.now_ms())
            .execute(pool).await.map(|r| r.rows_affected()))?;
        if cleared > 0 {
            self.metrics.account_unlocks_total.inc(UnlockSource::Expiry);
            self.audit.record(
                meta.event(EventType::Unlock, Outcome::Success, Some(user.id))
                    .detail("source", "expiry"),
            );
        }
        Ok(())
    }

    /// The answer for an account a concurrent attempt locked while this one was hashed.
    pub(super) async fn locked_meanwhile(&self, user: &User, meta: &RequestMeta) -> Result<Error> {
        let until = users::by_id(&self.db, user.id)
            .await?
            .and_then(|u| u.account_locked_until)
            .unwrap_or_else(|| self.clock.now_ms());
        self.metrics.login_attempts_total.inc(LoginResult::Locked);
        self.audit
            .record(meta.event(EventType::LoginLocked, Outcome::Denied, Some(user.id)));
        Ok(self.locked(until))
    }

    /// Counts a wrong password atomically and locks at the threshold. Returns the error to answer.
    pub(super) async fn record_failure(&self, user: &User, meta: &RequestMeta) -> Result<Error> {
        let now = self.clock.now_ms();
        let threshold = self.settings.auth.lockout_threshold.max(1);
        let lock_ms = self.settings.auth.lockout_minutes.max(1) * 60_000;
        // The WHERE skips a locked account (a concurrent attempt locked it first); an expired
        // lock restarts the count at 1.
        let row: Option<(i32, Option<i64>)> = on_write!(&self.db, pool => sqlx::query_as(
            "UPDATE users SET \
               failed_login_attempts = (CASE WHEN account_locked_until IS NULL THEN failed_login_attempts ELSE 0 END) + 1, \
               account_locked_until = CASE \
                 WHEN (CASE WHEN account_locked_until IS NULL THEN failed_login_attempts ELSE 0 END) + 1 >= $3 THEN $2 + $4 \
                 ELSE NULL END, \
               updated_at = $2 \
             WHERE id = $1 AND (account_locked_until IS NULL OR account_locked_until <= $2) \
             RETURNING failed_login_attempts, account_locked_until")
            .bind(user.id).bind(now).bind(threshold).bind(lock_ms)
            .fetch_optional(pool).await)?;
        match row {
            None => self.locked_meanwhile(user, meta).await,
            Some((attempts, locked_until)) => {
                self.metrics.login_attempts_total.inc(LoginResult::Failure);
                self.audit.record(
                    meta.event(EventType::LoginFailure, Outcome::Failure, Some(user.id))
                        .detail("failed_attempts", attempts),
                );
                if locked_until.is_some() {
                    self.metrics.account_lockouts_total.inc();
                    self.audit.record(
                        meta.event(EventType::Lockout, Outcome::Success, Some(user.id))
                            .detail("failed_attempts", attempts),
                    );
                }
                Ok(Self::bad_credentials())
            }
        }
    }

    /// Links a Google account to the existing account with its (Google-verified) address. Only
    /// an account whose own address was verified is linked (else whoever registered the address
    /// first, maybe not its owner, would keep a password into the owner's account); a different
    /// Google account already linked is never replaced; every other session of the account ends.
    async fn link_google(&self, user: User, sub: &str, meta: &RequestMeta) -> Result<User> {
        let refuse = |reason: &'static str, message: &str| {
            self.audit.record(
                meta.event(EventType::GoogleLogin, Outcome::Denied, Some(user.id))
                    .detail("reason", reason),
            );
            Err(Error::Conflict {
                code: Code::Resource3002,
                message: message.into(),
            })
        };
        if user.google_sub.as_deref().is_some_and(|s| s != sub) {
            return refuse(
                "other_google_account",
                "This email is already linked to another Google account",
            );
        }
        if !user.email_verified {
            return refuse(
                "unverified_account",
                "An account with this email exists; sign in with its password (its address is not verified, so it cannot be linked to Google)",
            );
        }
        let mut tx = self.db.begin().await?;
        let linked = users::link_google(&mut tx, &self.clock, user.id, sub).await?;
        if !linked {
            return refuse(
                "other_google_account",
                "This email is already linked to another Google account",
            );
        }
        self.end_all_sessions(&mut tx, user.id, RevokeReason::GoogleLink)
            .await?;
        let user = users::by_id_tx(&mut tx, user.id)
            .await?
            .ok_or(Error::NotFound("User"))?;
        tx.commit().await?;
        self.audit.record(
            meta.event(EventType::GoogleLogin, Outcome::Success, Some(user.id))
                .detail("linked", true),
        );
        Ok(user)
    }

    /// Google sign-in: verifies the ID token and signs the user in, creating the account on the
    /// first sign-in (or linking it to an existing verified account with the same address).
    pub async fn google_login(&self, id_token: &str, meta: &RequestMeta) -> Result<LoginOutcome> {
        let Some(google) = &self.google else {
            return Err(Error::External {
                message: "Google sign-in is not configured".into(),
                retry_after_secs: 3600,
            });
        };
        let identity = match google.verify(id_token).await {
            Ok(i) => i,
            Err(GoogleError::Invalid(reason)) => {
                self.audit.record(
                    meta.event(EventType::GoogleLogin, Outcome::Failure, None)
                        .detail("reason", reason),
                );
                return Err(Self::unauthorized(Code::Auth1011, "Google sign-in failed"));
            }
            Err(GoogleError::NotConfigured) | Err(GoogleError::Unavailable) => {
                return Err(Error::External {
                    message: "Google sign-in is temporarily unavailable".into(),
                    retry_after_secs: google.retry_after_secs(),
                });
            }
        };
        let email = Email::parse(&identity.email, "email")?;
        let user = match users::by_google_sub(&self.db, &identity.sub).await? {
            Some(u) => u,
            None => match users::by_email(&self.db, &email).await? {
                Some(u) => self.link_google(u, &identity.sub, meta).await?,
                None => {
                    let new = NewUser {
                        email: Some(email),
                        google_sub: Some(identity.sub.clone()),
                        name: identity.name.clone(),
                        role: "basic_user".into(),
                        country: "US".into(),
                        timezone: "UTC".into(),
                        email_verified: true,
                        ..NewUser::default()
                    };
                    let id: Id = users::insert(&self.db, &self.clock, new).await?;
                    self.audit.record(
                        meta.event(EventType::Register, Outcome::Success, Some(id))
                            .detail("via", "google"),
                    );
                    users::by_id(&self.db, id)
                        .await?
                        .ok_or(Error::NotFound("User"))?
                }
            },
        };
        if user.locked_at(self.clock.now_ms()) {
            return Err(self.locked(user.account_locked_until.unwrap_or_default()));
        }
        if self.two_factor_enabled(user.id).await? {
            return Ok(LoginOutcome::TwoFactor(
                self.issue_challenge(&user, meta).await?,
            ));
        }
        let tokens = self.issue_session(&user, meta).await?;
        self.metrics.login_attempts_total.inc(LoginResult::Success);
        self.audit
            .record(meta.event(EventType::GoogleLogin, Outcome::Success, Some(user.id)));
        Ok(LoginOutcome::Session(Box::new(LoggedIn { tokens, user })))
    }
}
