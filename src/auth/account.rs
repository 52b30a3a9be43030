//! Account maintenance: change password, delete account, and password reset by email.
//!
//! Reset tokens are 32 random bytes (URL-safe base64), stored only as a SHA-256 hash, valid for
//! `reset_token_minutes` and usable once. A reset bumps `token_version` (every session ends),
//! clears the lockout and sends a security notice.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use crate::audit::{EventType, Outcome};
use crate::error::{Code, Error, Result};
use crate::id::Id;
use crate::metrics::{RevokeReason, UnlockSource};
use crate::users::{self, Email};
use crate::{on_db, on_tx, on_write};

use super::password::check_strength;
use super::{AuthService, AuthUser, RequestMeta};

pub(crate) fn hash_token(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The error of a reset token that is unknown, used or expired.
pub fn invalid_reset_token() -> Error {
    Error::BadRequest {
        code: Code::Auth1003,
        message: "Invalid or expired reset token".into(),
    }
}

/// Marks every outstanding reset token of the user used: once the password changed (by a reset
/// or by the user), an older reset link must not change it again.
async fn retire_reset_tokens(tx: &mut crate::db::Tx, user: Id, now: i64) -> Result<()> {
    on_tx!(tx, conn => sqlx::query(
        "UPDATE password_reset_tokens SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL")
        .bind(user).bind(now).execute(&mut *conn).await.map(|_| ()))?;
    Ok(())
}

impl AuthService {
    pub async fn change_password(
        &self,
        auth: &AuthUser,
        current: &str,
        new: &str,
        meta: &RequestMeta,
    ) -> Result<()> {
        check_strength(new, "body.new_password")?;
        let user = users::by_id(&self.db, auth.id)
            .await?
            .ok_or(Error::NotFound("User"))?;
        // The current password is a login in all but name: the lock is checked first, a wrong
        // one counts toward it, and the hashing share is the account's (its email) as for logins.
        let now = self.clock.now_ms();
        if let Some(until) = user.account_locked_until.filter(|u| *u > now) {
            return Err(self.locked(until));
        }
        if !self
            .hasher
            .verify(&user.email, current, user.password_hash.as_deref())
            .await?
        {
            self.audit.record(meta.event(
                EventType::PasswordChange,
                Outcome::Failure,
                Some(auth.id),
            ));
            let counted = self.record_failure(&user, meta).await?;
            return Err(match counted {
                Error::Unauthorized {
                    code: Code::Auth1008,
                    ..
                } => counted,
                _ => Self::unauthorized(Code::Auth1001, "Current password is incorrect"),
            });
        }
        let hash = self.hasher.hash(&user.email, new).await?;
        let now = self.clock.now_ms();
        let mut tx = self.db.begin().await?;
        let changed = on_tx!(&mut tx, conn => sqlx::query(
            "UPDATE users SET password_hash = $2, failed_login_attempts = 0, updated_at = $3 \
             WHERE id = $1 AND (account_locked_until IS NULL OR account_locked_until <= $3)")
            .bind(auth.id).bind(&hash).bind(now).execute(&mut *conn).await.map(|r| r.rows_affected()))?;
        if changed == 0 {
            // Locked by guesses in flight while this one was hashed.
            return Err(self.locked_meanwhile(&user, meta).await?);
        }
        retire_reset_tokens(&mut tx, auth.id, now).await?;
        self.end_all_sessions(&mut tx, auth.id, RevokeReason::PasswordChange)
            .await?;
        tx.commit().await?;
        self.audit
            .record(meta.event(EventType::PasswordChange, Outcome::Success, Some(auth.id)));
        self.send_security_notice(&user.email, "Your MITA password was changed");
        Ok(())
    }

    /// Starts a password reset. Always succeeds from the caller's point of view (no enumeration);
    /// the mail is sent in the background so the answer takes the same time either way.
    pub async fn forgot_password(&self, email: &str, meta: &RequestMeta) -> Result<()> {
        let Ok(email) = Email::parse(email, "email") else {
            return Ok(());
        };
        let Some(user) = users::by_email(&self.db, &email).await? else {
            self.audit.record(
                meta.event(EventType::PasswordResetRequest, Outcome::Failure, None)
                    .detail("reason", "unknown_email"),
            );
            return Ok(());
        };
        let raw: [u8; 32] = rand::random();
        let token = URL_SAFE_NO_PAD.encode(raw);
        let now = self.clock.now_ms();
        let expires = now + self.settings.auth.reset_token_minutes.max(1) * 60_000;
        on_write!(&self.db, pool => sqlx::query(
            "INSERT INTO password_reset_tokens (id, user_id, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(Id::new()).bind(user.id).bind(hash_token(&token)).bind(now).bind(expires)
            .execute(pool).await.map(|_| ()))?;
        self.audit.record(meta.event(
            EventType::PasswordResetRequest,
            Outcome::Success,
            Some(user.id),
        ));
        let link = format!("{}?token={token}", self.settings.smtp.reset_url);
        let body = format!(
            "Someone asked to reset the password of your MITA account.\n\nOpen this link within {} minutes to choose a new password:\n{link}\n\nReset token: {token}\n\nIf it was not you, ignore this mail: your password stays the same.\n",
            self.settings.auth.reset_token_minutes
        );
        let mailer = self.mailer.clone();
        let to = user.email.clone();
        tokio::spawn(async move {
            if let Err(e) = mailer.send(&to, "Reset your MITA password", &body).await {
                tracing::error!(error = %e, "password reset mail not sent");
            }
        });
        Ok(())
    }

    /// True when the token exists, is unused and has not expired.
    pub async fn verify_reset_token(&self, token: &str) -> Result<bool> {
        let found: Option<i64> = on_db!(&self.db, pool => sqlx::query_scalar(
            "SELECT expires_at FROM password_reset_tokens WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2")
            .bind(hash_token(token)).bind(self.clock.now_ms()).fetch_optional(pool).await)?;
        Ok(found.is_some())
    }

    /// Completes a reset: consumes the token (once), sets the password, ends every session and
    /// clears the lockout.
    pub async fn reset_password(
        &self,
        token: &str,
        new_password: &str,
        meta: &RequestMeta,
    ) -> Result<()> {
        check_strength(new_password, "body.new_password")?;
        if !self.verify_reset_token(token).await? {
            return Err(invalid_reset_token());
        }
        // The token is the account key of the hashing share (the user is not known yet).
        let hash = self.hasher.hash(token, new_password).await?;
        let now = self.clock.now_ms();
        let mut tx = self.db.begin().await?;
        let user_id: Option<Id> = on_tx!(&mut tx, conn => sqlx::query_scalar(
            "UPDATE password_reset_tokens SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING user_id")
            .bind(hash_token(token)).bind(now).fetch_optional(&mut *conn).await)?;
        let Some(user_id) = user_id else {
            return Err(invalid_reset_token());
        };
        let before = users::by_id_tx(&mut tx, user_id)
            .await?
            .ok_or_else(invalid_reset_token)?;
        on_tx!(&mut tx, conn => sqlx::query(
            "UPDATE users SET password_hash = $2, failed_login_attempts = 0, account_locked_until = NULL, updated_at = $3 WHERE id = $1")
            .bind(user_id).bind(&hash).bind(now).execute(&mut *conn).await.map(|r| r.rows_affected()))?;
        retire_reset_tokens(&mut tx, user_id, now).await?;
        self.end_all_sessions(&mut tx, user_id, RevokeReason::PasswordChange)
            .await?;
        tx.commit().await?;
        if before.locked_at(now) {
            self.metrics
                .account_unlocks_total
                .inc(UnlockSource::PasswordReset);
            self.audit.record(
                meta.event(EventType::Unlock, Outcome::Success, Some(user_id))
                    .detail("source", "password_reset"),
            );
        }
        self.audit.record(meta.event(
            EventType::PasswordResetComplete,
            Outcome::Success,
            Some(user_id),
        ));
        self.send_security_notice(&before.email, "Your MITA password was reset");
        Ok(())
    }

    fn send_security_notice(&self, to: &str, subject: &'static str) {
        self.send_security_notice_text(to, subject, "Every device was signed out.");
    }

    /// A notice about a change to the account, sent in the background (never fails the change).
    pub(crate) fn send_security_notice_text(&self, to: &str, subject: &str, what: &str) {
        let body = format!(
            "{subject}. {what}\n\nIf this was not you, reset your password at once and contact support.\n"
        );
        self.send_mail(to, subject, body);
    }

    /// Sends a mail in the background (SMTP or the outbox); a failure is logged, never answered.
    pub(crate) fn send_mail(&self, to: &str, subject: &str, body: String) {
        let mailer = self.mailer.clone();
        let to = to.to_string();
        let subject = subject.to_string();
        tokio::spawn(async move {
            if let Err(e) = mailer.send(&to, &subject, &body).await {
                tracing::error!(error = %e, "mail not sent");
            }
        });
    }
}
