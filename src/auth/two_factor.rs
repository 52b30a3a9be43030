//! Two-factor sign-in with TOTP (RFC 6238): enrolment confirmed by a first code, ten single-use
//! recovery codes, disabling with the password and a code, and the second step of a login.
//!
//! A code is accepted once: the step of the last accepted code is stored and a code of that
//! step or an earlier one is refused, so a code seen over a shoulder cannot be replayed within
//! its window. Wrong codes at login count toward the account's lockout like wrong passwords;
//! a right password alone does not reset that count on an account with two-factor sign-in
//! (only a completed second step does), so the count cannot be cleared between guesses.

pub mod secret;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::audit::{EventType, Outcome};
use crate::clock::rfc3339;
use crate::error::{Code, Error, Result};
use crate::id::Id;
use crate::metrics::LoginResult;
use crate::users::{self, User};
use crate::{on_db, on_tx, on_write};

use super::login::LoggedIn;
use super::{AuthService, AuthUser, RequestMeta};
use secret::{DIGITS, PERIOD_SECS, matching_step, new_recovery_codes, recovery_code_hash};

/// Proof of presence for sensitive changes: the current password, or for an account without
/// one (Google only) a fresh Google ID token of the linked Google account.
#[derive(Clone, Debug, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reauth {
    #[serde(default)]
    pub password: Option<String>,
    #[serde(default)]
    pub id_token: Option<String>,
}

/// What the authenticator app needs (shown once, at setup).
#[derive(Clone, Debug, Serialize)]
pub struct Enrollment {
    /// The shared secret, base32 (to type in by hand).
    pub secret: String,
    /// `otpauth://totp/...` (for a QR code).
    pub otpauth_uri: String,
    pub algorithm: &'static str,
    pub digits: u8,
    pub period: u64,
}

/// Two-factor state of an account.
#[derive(Clone, Debug, Serialize)]
pub struct TwoFactorStatus {
    pub enabled: bool,
    /// Setup started, waiting for the first code.
    pub pending: bool,
    pub enabled_at: Option<String>,
    pub recovery_codes_left: i64,
}

/// The first step of a login on an account with two-factor sign-in: no tokens, a challenge.
#[derive(Clone, Debug, Serialize)]
pub struct LoginChallenge {
    pub two_factor_required: bool,
    pub challenge: String,
    /// Seconds the challenge stays valid.
    pub expires_in: i64,
    pub methods: [&'static str; 2],
}

/// What a login's first step answers.
pub enum LoginOutcome {
    Session(Box<LoggedIn>),
    TwoFactor(LoginChallenge),
}

/// A second factor as sent by the client: a TOTP code or a recovery code.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct SecondFactor {
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub recovery_code: Option<String>,
}

#[derive(sqlx::FromRow, mita::db::lite::LiteRow)]
struct TotpRow {
    secret_enc: String,
    enabled_at: Option<i64>,
}

fn hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn bad_code() -> Error {
    AuthService::unauthorized(Code::Auth1012, "Invalid two-factor code")
}

fn bad_challenge() -> Error {
    AuthService::unauthorized(
        Code::Auth1010,
        "Invalid or expired sign-in challenge; sign in again",
    )
}

fn code_required() -> Error {
    Error::invalid(
        Code::Validation2001,
        "body.code",
        "missing",
        "a 6-digit code or a recovery_code is required",
    )
}

impl AuthService {
    fn secret_box(&self) -> Result<&secret::SecretBox> {
        self.totp_box.as_ref().ok_or_else(|| Error::Unavailable {
            reason: "two-factor sign-in is not configured (auth.totp_key)".into(),
            retry_after_secs: 3600,
        })
    }

    async fn totp_row(&self, user: Id) -> Result<Option<TotpRow>> {
        Ok(on_db!(&self.db, pool => sqlx::query_as::<_, TotpRow>(
            "SELECT secret_enc, enabled_at FROM user_totp WHERE user_id = $1")
            .bind(user).fetch_optional(pool).await)?)
    }

    /// True when the user signs in with a second factor.
    pub async fn two_factor_enabled(&self, user: Id) -> Result<bool> {
        Ok(self
            .totp_row(user)
            .await?
            .is_some_and(|r| r.enabled_at.is_some()))
    }

    pub async fn two_factor_status(&self, user: Id) -> Result<TwoFactorStatus> {
        let row = self.totp_row(user).await?;
        let left: i64 = on_db!(&self.db, pool => sqlx::query_scalar(
            "SELECT COUNT(*) FROM totp_recovery_codes WHERE user_id = $1 AND used_at IS NULL")
            .bind(user).fetch_one(pool).await)?;
        let enabled_at = row.as_ref().and_then(|r| r.enabled_at);
        Ok(TwoFactorStatus {
            enabled: enabled_at.is_some(),
            pending: row.is_some() && enabled_at.is_none(),
            enabled_at: enabled_at.map(rfc3339),
            recovery_codes_left: if enabled_at.is_some() { left } else { 0 },
        })
    }

    /// Checks the proof of presence of a sensitive change. A wrong password counts toward the
    /// lockout (as a login would); a locked account is refused first.
    pub async fn reauthenticate(
        &self,
        user: &User,
        reauth: &Reauth,
        meta: &RequestMeta,
    ) -> Result<()> {
        let now = self.clock.now_ms();
        if let Some(until) = user.account_locked_until.filter(|u| *u > now) {
            return Err(self.locked(until));
        }
        if user.password_hash.is_some() {
            let Some(password) = reauth.password.as_deref().filter(|p| !p.is_empty()) else {
                return Err(Error::invalid(
                    Code::Validation2001,
                    "body.password",
                    "missing",
                    "the current password is required",
                ));
            };
            if self
                .hasher
                .verify(&user.email, password, user.password_hash.as_deref())
                .await?
            {
                return Ok(());
            }
            let counted = self.record_failure(user, meta).await?;
            return Err(match counted {
                Error::Unauthorized {
                    code: Code::Auth1008,
                    ..
                } => counted,
                _ => Self::unauthorized(Code::Auth1001, "Current password is incorrect"),
            });
        }
        // A Google-only account: a fresh sign-in with the linked Google account.
        let Some(id_token) = reauth.id_token.as_deref().filter(|t| !t.is_empty()) else {
            return Err(Error::invalid(
                Code::Validation2001,
                "body.id_token",
                "missing",
                "this account has no password: a fresh Google ID token is required",
            ));
        };
        let Some(google) = &self.google else {
            return Err(Error::External {
                message: "Google sign-in is not configured".into(),
                retry_after_secs: 3600,
            });
        };
        match google.verify(id_token).await {
            Ok(identity) if user.google_sub.as_deref() == Some(identity.sub.as_str()) => Ok(()),
            Ok(_) | Err(crate::google::GoogleError::Invalid(_)) => {
                Err(Self::unauthorized(Code::Auth1011, "Google sign-in failed"))
            }
            Err(_) => Err(Error::External {
                message: "Google sign-in is temporarily unavailable".into(),
                retry_after_secs: google.retry_after_secs(),
            }),
        }
    }

    /// Starts (or restarts) an enrolment: a new secret, not active until confirmed by a code.
    pub async fn two_factor_setup(
        &self,
        auth: &AuthUser,
        reauth: &Reauth,
        meta: &RequestMeta,
    ) -> Result<Enrollment> {
        let sealer = self.secret_box()?;
        let user = self.user_by_id(auth.id).await?;
        if self.two_factor_enabled(user.id).await? {
            return Err(Error::Conflict {
                code: Code::Resource3002,
                message: "Two-factor sign-in is already on; turn it off first".into(),
            });
        }
        self.reauthenticate(&user, reauth, meta).await?;
        let raw = secret::new_secret();
        let totp = secret::totp(raw.clone(), &self.settings.auth.totp_issuer, &user.email)?;
        let sealed = sealer.seal(user.id, &raw)?;
        let now = self.clock.now_ms();
        on_write!(&self.db, pool => sqlx::query(
            "INSERT INTO user_totp (user_id, secret_enc, enabled_at, last_step, created_at, updated_at) \
             VALUES ($1, $2, NULL, NULL, $3, $3) \
             ON CONFLICT (user_id) DO UPDATE SET secret_enc = $2, last_step = NULL, created_at = $3, updated_at = $3 \
             WHERE user_totp.enabled_at IS NULL")
            .bind(user.id).bind(&sealed).bind(now).execute(pool).await.map(|_| ()))?;
        Ok(Enrollment {
            secret: totp.secret().to_base32(),
            otpauth_uri: totp
                .to_url()
                .map_err(|e| Error::Internal(format!("otpauth uri: {e}")))?,
            algorithm: "SHA1",
            digits: DIGITS,
            period: PERIOD_SECS,
        })
    }

    /// The step `code` matches for `user`, if it does (the secret is opened here).
    async fn code_step(&self, user: &User, sealed: &str, code: &str) -> Result<Option<i64>> {
        let raw = self.secret_box()?.open(user.id, sealed)?;
        let totp = secret::totp(raw, &self.settings.auth.totp_issuer, &user.email)?;
        Ok(matching_step(&totp, code, self.clock.now_ms()))
    }

    /// Spends a TOTP step: true when no code of this step (or a later one) was accepted
    /// before. One conditional update, so two requests with the same code cannot both pass.
    async fn spend_step(&self, tx: &mut crate::db::Tx, user: Id, step: i64) -> Result<bool> {
        let spent = on_tx!(tx, conn => sqlx::query(
            "UPDATE user_totp SET last_step = $2, updated_at = $3 \
             WHERE user_id = $1 AND (last_step IS NULL OR last_step < $2)")
            .bind(user).bind(step).bind(self.clock.now_ms())
            .execute(&mut *conn).await.map(|r| r.rows_affected()))?;
        Ok(spent > 0)
    }

    /// Confirms an enrolment with its first code; answers the ten recovery codes (shown once).
    pub async fn two_factor_enable(
        &self,
        auth: &AuthUser,
        code: &str,
        meta: &RequestMeta,
    ) -> Result<Vec<String>> {
        let user = self.user_by_id(auth.id).await?;
        let Some(row) = self.totp_row(user.id).await? else {
            return Err(Error::Conflict {
                code: Code::Resource3002,
                message: "No two-factor setup in progress; start with /api/auth/2fa/setup".into(),
            });
        };
        if row.enabled_at.is_some() {
            return Err(Error::Conflict {
                code: Code::Resource3002,
                message: "Two-factor sign-in is already on".into(),
            });
        }
        let invalid = || {
            Error::invalid(
                Code::Validation2001,
                "body.code",
                "value",
                "is not the current code of the authenticator app",
            )
        };
        let step = self
            .code_step(&user, &row.secret_enc, code)
            .await?
            .ok_or_else(invalid)?;
        let now = self.clock.now_ms();
        let codes = new_recovery_codes();
        let mut tx = self.db.begin().await?;
        if !self.spend_step(&mut tx, user.id, step).await? {
            tx.rollback().await?;
            return Err(invalid());
        }
        let enabled = on_tx!(&mut tx, conn => sqlx::query(
            "UPDATE user_totp SET enabled_at = $2, updated_at = $2 WHERE user_id = $1 AND enabled_at IS NULL")
            .bind(user.id).bind(now).execute(&mut *conn).await.map(|r| r.rows_affected()))?;
        if enabled == 0 {
            tx.rollback().await?;
            return Err(Error::Conflict {
                code: Code::Resource3002,
                message: "Two-factor sign-in is already on".into(),
            });
        }
        replace_recovery_codes(&mut tx, user.id, &codes, now).await?;
        tx.commit().await?;
        self.audit
            .record(meta.event(EventType::TwoFactorEnable, Outcome::Success, Some(user.id)));
        self.send_security_notice_text(
            &user.email,
            "Two-factor sign-in was turned on for your MITA account",
            "Signing in now needs a code from your authenticator app.",
        );
        Ok(codes)
    }

    /// Turns two-factor sign-in off: needs the password (or a fresh Google sign-in) and a
    /// current code or an unused recovery code; wrong ones count toward the lockout.
    pub async fn two_factor_disable(
        &self,
        auth: &AuthUser,
        reauth: &Reauth,
        factor: &SecondFactor,
        meta: &RequestMeta,
    ) -> Result<()> {
        let user = self.user_by_id(auth.id).await?;
        let Some(row) = self.totp_row(user.id).await? else {
            return Err(Error::Conflict {
                code: Code::Resource3002,
                message: "Two-factor sign-in is not on".into(),
            });
        };
        if row.enabled_at.is_none() {
            // An unconfirmed setup: nothing protects the account yet; just drop it.
            self.reauthenticate(&user, reauth, meta).await?;
            self.delete_two_factor(user.id).await?;
            return Ok(());
        }
        if factor.code.is_none() && factor.recovery_code.is_none() {
            return Err(code_required());
        }
        self.reauthenticate(&user, reauth, meta).await?;
        let mut tx = self.db.begin().await?;
        let accepted = self
            .accept_factor(&mut tx, &user, &row.secret_enc, factor)
            .await?;
        if accepted.is_none() {
            tx.rollback().await?;
            return Err(self.count_code_failure(&user, meta).await?);
        }
        delete_two_factor_in(&mut tx, user.id).await?;
        tx.commit().await?;
        self.audit
            .record(meta.event(EventType::TwoFactorDisable, Outcome::Success, Some(user.id)));
        self.send_security_notice_text(
            &user.email,
            "Two-factor sign-in was turned off for your MITA account",
            "Signing in needs only the password now.",
        );
        Ok(())
    }

    async fn delete_two_factor(&self, user: Id) -> Result<bool> {
        let mut tx = self.db.begin().await?;
        let removed = delete_two_factor_in(&mut tx, user).await?;
        tx.commit().await?;
        Ok(removed)
    }

    /// Support: removes a user's two-factor sign-in (lost phone and recovery codes). False when
    /// it was not on. Audit-logged.
    pub async fn admin_reset_two_factor(&self, user: Id, meta: &RequestMeta) -> Result<bool> {
        self.user_by_id(user).await?;
        let removed = self.delete_two_factor(user).await?;
        if removed {
            self.audit.record(
                meta.event(EventType::AdminAction, Outcome::Success, Some(user))
                    .detail("action", "reset_2fa"),
            );
        }
        Ok(removed)
    }

    /// Checks a second factor inside `tx`, spending it when right: `Some("totp")` or
    /// `Some("recovery_code")`, `None` when wrong, replayed or already used.
    async fn accept_factor(
        &self,
        tx: &mut crate::db::Tx,
        user: &User,
        sealed: &str,
        factor: &SecondFactor,
    ) -> Result<Option<&'static str>> {
        if let Some(code) = factor.code.as_deref().filter(|c| !c.trim().is_empty()) {
            let Some(step) = self.code_step(user, sealed, code).await? else {
                return Ok(None);
            };
            return Ok(self.spend_step(tx, user.id, step).await?.then_some("totp"));
        }
        if let Some(code) = factor.recovery_code.as_deref() {
            let used = on_tx!(tx, conn => sqlx::query(
                "UPDATE totp_recovery_codes SET used_at = $3 WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL")
                .bind(user.id).bind(recovery_code_hash(user.id, code)).bind(self.clock.now_ms())
                .execute(&mut *conn).await.map(|r| r.rows_affected()))?;
            return Ok((used > 0).then_some("recovery_code"));
        }
        Ok(None)
    }

    /// A wrong code counts toward the lockout: the answer is AUTH_1012, or AUTH_1008 once the
    /// account is locked.
    async fn count_code_failure(&self, user: &User, meta: &RequestMeta) -> Result<Error> {
        let counted = self.record_failure(user, meta).await?;
        Ok(match counted {
            Error::Unauthorized {
                code: Code::Auth1008,
                ..
            } => counted,
            _ => bad_code(),
        })
    }

    /// The first step of a login whose password was right, on an account with two-factor
    /// sign-in: a short-lived challenge (stored hashed) instead of tokens.
    pub(super) async fn issue_challenge(
        &self,
        user: &User,
        meta: &RequestMeta,
    ) -> Result<LoginChallenge> {
        let raw: [u8; 32] = rand::random();
        let challenge = URL_SAFE_NO_PAD.encode(raw);
        let now = self.clock.now_ms();
        let lifetime = self.settings.auth.two_factor_challenge_secs.max(30);
        on_write!(&self.db, pool => sqlx::query(
            "INSERT INTO login_challenges (id, user_id, token_hash, created_at, expires_at, attempts) VALUES ($1, $2, $3, $4, $5, 0)")
            .bind(Id::new()).bind(user.id).bind(hash(&challenge)).bind(now).bind(now + lifetime * 1000)
            .execute(pool).await.map(|_| ()))?;
        self.audit.record(meta.event(
            EventType::TwoFactorChallenge,
            Outcome::Success,
            Some(user.id),
        ));
        Ok(LoginChallenge {
            two_factor_required: true,
            challenge,
            expires_in: lifetime,
            methods: ["totp", "recovery_code"],
        })
    }

    /// The second step of a login: a challenge and a TOTP or recovery code → tokens.
    pub async fn login_second_step(
        &self,
        challenge: &str,
        factor: &SecondFactor,
        meta: &RequestMeta,
    ) -> Result<LoggedIn> {
        if factor.code.is_none() && factor.recovery_code.is_none() {
            return Err(code_required());
        }
        let now = self.clock.now_ms();
        let found: Option<(Id, Id)> = on_db!(&self.db, pool => sqlx::query_as(
            "SELECT id, user_id FROM login_challenges WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2")
            .bind(hash(challenge)).bind(now).fetch_optional(pool).await)?;
        let Some((challenge_id, user_id)) = found else {
            return Err(bad_challenge());
        };
        let user = users::by_id(&self.db, user_id)
            .await?
            .ok_or_else(bad_challenge)?;
        if let Some(until) = user.account_locked_until.filter(|u| *u > now) {
            self.metrics.login_attempts_total.inc(LoginResult::Locked);
            self.audit
                .record(meta.event(EventType::LoginLocked, Outcome::Denied, Some(user.id)));
            return Err(self.locked(until));
        }
        let Some(row) = self
            .totp_row(user.id)
            .await?
            .filter(|r| r.enabled_at.is_some())
        else {
            // Turned off (or reset by support) since the first step: sign in again.
            return Err(bad_challenge());
        };
        let mut tx = self.db.begin().await?;
        let method = self
            .accept_factor(&mut tx, &user, &row.secret_enc, factor)
            .await?;
        let Some(method) = method else {
            tx.rollback().await?;
            let max = self.settings.auth.two_factor_challenge_attempts.max(1);
            on_write!(&self.db, pool => sqlx::query(
                "UPDATE login_challenges SET attempts = attempts + 1, \
                 used_at = CASE WHEN attempts + 1 >= $2 THEN $3 ELSE used_at END WHERE id = $1")
                .bind(challenge_id).bind(max).bind(now).execute(pool).await.map(|_| ()))?;
            return Err(self.count_code_failure(&user, meta).await?);
        };
        let consumed = on_tx!(&mut tx, conn => sqlx::query(
            "UPDATE login_challenges SET used_at = $2 WHERE id = $1 AND used_at IS NULL AND expires_at > $2")
            .bind(challenge_id).bind(now).execute(&mut *conn).await.map(|r| r.rows_affected()))?;
        if consumed == 0 {
            tx.rollback().await?;
            return Err(bad_challenge());
        }
        // Only an account that is not locked now (guesses in flight may have locked it).
        let cleared = on_tx!(&mut tx, conn => sqlx::query(
            "UPDATE users SET failed_login_attempts = 0, account_locked_until = NULL, last_login_at = $2, updated_at = $2 \
             WHERE id = $1 AND (account_locked_until IS NULL OR account_locked_until <= $2)")
            .bind(user.id).bind(now).execute(&mut *conn).await.map(|r| r.rows_affected()))?;
        if cleared == 0 {
            tx.rollback().await?;
            return Err(self.locked_meanwhile(&user, meta).await?);
        }
        let tokens = self.issue_session_in(&mut tx, &user, meta).await?;
        tx.commit().await?;
        self.metrics.login_attempts_total.inc(LoginResult::Success);
        self.audit.record(
            meta.event(EventType::LoginSuccess, Outcome::Success, Some(user.id))
                .detail("second_factor", method),
        );
        let user = User {
            last_login_at: Some(now),
            failed_login_attempts: 0,
            account_locked_until: None,
            ..user
        };
        Ok(LoggedIn { tokens, user })
    }
}

async fn replace_recovery_codes(
    tx: &mut crate::db::Tx,
    user: Id,
    codes: &[String],
    now: i64,
) -> Result<()> {
    on_tx!(tx, conn => sqlx::query("DELETE FROM totp_recovery_codes WHERE user_id = $1")
        .bind(user).execute(&mut *conn).await.map(|_| ()))?;
    for code in codes {
        on_tx!(tx, conn => sqlx::query(
            "INSERT INTO totp_recovery_codes (id, user_id, code_hash, created_at) VALUES ($1, $2, $3, $4)")
            .bind(Id::new()).bind(user).bind(recovery_code_hash(user, code)).bind(now)
            .execute(&mut *conn).await.map(|_| ()))?;
    }
    Ok(())
}

async fn delete_two_factor_in(tx: &mut crate::db::Tx, user: Id) -> Result<bool> {
    let removed = on_tx!(tx, conn => sqlx::query("DELETE FROM user_totp WHERE user_id = $1")
        .bind(user).execute(&mut *conn).await.map(|r| r.rows_affected()))?;
    on_tx!(tx, conn => sqlx::query("DELETE FROM totp_recovery_codes WHERE user_id = $1")
        .bind(user).execute(&mut *conn).await.map(|_| ()))?;
    on_tx!(tx, conn => sqlx::query("DELETE FROM login_challenges WHERE user_id = $1")
        .bind(user).execute(&mut *conn).await.map(|_| ()))?;
    Ok(removed > 0)
}
