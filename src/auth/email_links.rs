//! Links sent by mail that prove an address: verification (on registration, and again on
//! request) and the confirmed change of address.
//!
//! Tokens are 32 random bytes (URL-safe base64), stored as a SHA-256 hash, usable once, valid
//! for `auth.email_token_minutes`, and bound to their user, their purpose and their address.
//! `PATCH /api/users/me` never changes the address: a change needs the current password (or a
//! fresh Google sign-in), a link to the new address, and a notice to the old one; the change
//! happens when the link is used, and then every session ends. An address already taken is
//! answered like a free one (no enumeration); the conflict is settled when the link is used.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;

use crate::audit::{EventType, Outcome};
use crate::db::Tx;
use crate::error::{Code, Error, Result};
use crate::id::Id;
use crate::metrics::RevokeReason;
use crate::users::{self, Email, email_conflict};
use crate::{on_db, on_tx};

use super::account::hash_token;
use super::two_factor::Reauth;
use super::{AuthService, AuthUser, RequestMeta};

/// What a link does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    Verify,
    Change,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::Verify => "verify",
            Purpose::Change => "change",
        }
    }
}

/// The error of a link that is unknown, used, expired, for another purpose or another user.
pub fn invalid_link() -> Error {
    Error::BadRequest {
        code: Code::Auth1003,
        message: "Invalid or expired link".into(),
    }
}

/// The answer of `resend-verification`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ResendOutcome {
    Sent,
    AlreadyVerified,
}

/// Inserts a link token for `user` (inside the caller's transaction); returns the raw token.
pub(crate) async fn insert_link(
    tx: &mut Tx,
    user: Id,
    purpose: Purpose,
    email: &str,
    now: i64,
    lifetime_minutes: i64,
) -> Result<String> {
    let raw: [u8; 32] = rand::random();
    let token = URL_SAFE_NO_PAD.encode(raw);
    let expires = now + lifetime_minutes.max(1) * 60_000;
    on_tx!(tx, conn => sqlx::query(
        "INSERT INTO email_tokens (id, user_id, purpose, email, token_hash, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(Id::new()).bind(user).bind(purpose.as_str()).bind(email).bind(hash_token(&token))
        .bind(now).bind(expires).execute(&mut *conn).await.map(|_| ()))?;
    Ok(token)
}

/// Consumes a link of `purpose` inside `tx`: its user and address, or `invalid_link`.
async fn consume(tx: &mut Tx, token: &str, purpose: Purpose, now: i64) -> Result<(Id, String)> {
    let found: Option<(Id, String)> = on_tx!(tx, conn => sqlx::query_as(
        "UPDATE email_tokens SET used_at = $3 \
         WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3 \
         RETURNING user_id, email")
        .bind(hash_token(token)).bind(purpose.as_str()).bind(now).fetch_optional(&mut *conn).await)?;
    found.ok_or_else(invalid_link)
}

/// Marks every unused link of the user of `purpose` used.
async fn retire(tx: &mut Tx, user: Id, purpose: Option<Purpose>, now: i64) -> Result<()> {
    let purpose = purpose.map(Purpose::as_str);
    on_tx!(tx, conn => sqlx::query(
        "UPDATE email_tokens SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL AND ($3 IS NULL OR purpose = $3)")
        .bind(user).bind(now).bind(purpose).execute(&mut *conn).await.map(|_| ()))?;
    Ok(())
}

/// Masks an address for a notice to the old one: `n***@example.com`.
fn masked(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => "***".into(),
    }
}

/// The blocked category of a request by an unverified account under `blocked`
/// (`auth.unverified_blocked`), if any.
pub fn unverified_block(blocked: &[String], method: &str, path: &str) -> Option<&'static str> {
    let is = |what: &str| blocked.iter().any(|b| b == what);
    let under = |prefix: &str| path == prefix || path.starts_with(&format!("{prefix}/"));
    if is("two_factor") && under("/api/auth/2fa") {
        return Some("two_factor");
    }
    if is("ocr") && (under("/api/ocr") || path.starts_with("/api/transactions/receipt")) {
        return Some("ocr");
    }
    if is("ai") && (under("/api/ai") || under("/api/insights")) {
        return Some("ai");
    }
    let reads = matches!(method, "GET" | "HEAD" | "OPTIONS");
    if is("write") && !reads && !under("/api/auth") {
        return Some("write");
    }
    None
}

impl AuthService {
    /// Creates a verification link for `email` in `tx`; call [`Self::mail_verification`] with
    /// the token after the commit.
    pub(crate) async fn verification_link_in(
        &self,
        tx: &mut Tx,
        user: Id,
        email: &str,
    ) -> Result<String> {
        let now = self.clock.now_ms();
        insert_link(
            tx,
            user,
            Purpose::Verify,
            email,
            now,
            self.settings.auth.email_token_minutes,
        )
        .await
    }

    pub(crate) fn mail_verification(&self, email: &str, token: &str) {
        let link = format!("{}?token={token}", self.settings.smtp.verify_url);
        let body = format!(
            "Please confirm that this address belongs to your MITA account.\n\nOpen this link within {} hours:\n{link}\n\nVerification token: {token}\n\nIf you did not create a MITA account, ignore this mail.\n",
            self.settings.auth.email_token_minutes / 60
        );
        self.send_mail(email, "Confirm your email address for MITA", body);
    }

    /// Sends a new verification link, at most `verification_resend_per_hour` an hour (429).
    pub async fn resend_verification(
        &self,
        auth: &AuthUser,
        _meta: &RequestMeta,
    ) -> Result<ResendOutcome> {
        let user = self.user_by_id(auth.id).await?;
        if user.email_verified {
            return Ok(ResendOutcome::AlreadyVerified);
        }
        let now = self.clock.now_ms();
        let since = now - 3_600_000;
        let recent: Vec<i64> = on_db!(&self.db, pool => sqlx::query_scalar(
            "SELECT created_at FROM email_tokens WHERE user_id = $1 AND purpose = 'verify' AND created_at > $2 ORDER BY created_at")
            .bind(user.id).bind(since).fetch_all(pool).await)?;
        let max =
            usize::try_from(self.settings.auth.verification_resend_per_hour.max(1)).unwrap_or(1);
        if recent.len() >= max {
            let oldest = recent.first().copied().unwrap_or(now);
            let wait = ((oldest + 3_600_000 - now) / 1000).max(1);
            return Err(Error::RateLimited {
                retry_after_secs: u64::try_from(wait).unwrap_or(60),
            });
        }
        let mut tx = self.db.begin().await?;
        let token = self
            .verification_link_in(&mut tx, user.id, &user.email)
            .await?;
        tx.commit().await?;
        self.mail_verification(&user.email, &token);
        Ok(ResendOutcome::Sent)
    }

    /// Uses a verification link: the address it was sent to is verified, if it is still the
    /// account's. `caller` is the signed-in user, when the request came with a token: a link of
    /// another user is refused.
    pub async fn verify_email(
        &self,
        token: &str,
        caller: Option<Id>,
        meta: &RequestMeta,
    ) -> Result<()> {
        let now = self.clock.now_ms();
        let mut tx = self.db.begin().await?;
        let (user, email) = consume(&mut tx, token, Purpose::Verify, now).await?;
        if caller.is_some_and(|c| c != user) {
            tx.rollback().await?;
            return Err(invalid_link());
        }
        let verified = on_tx!(&mut tx, conn => sqlx::query(
            "UPDATE users SET email_verified = TRUE, updated_at = $3 WHERE id = $1 AND email = $2")
            .bind(user).bind(&email).bind(now).execute(&mut *conn).await.map(|r| r.rows_affected()))?;
        if verified == 0 {
            // The account's address changed since the link was sent.
            tx.rollback().await?;
            return Err(invalid_link());
        }
        retire(&mut tx, user, Some(Purpose::Verify), now).await?;
        tx.commit().await?;
        self.audit
            .record(meta.event(EventType::EmailVerify, Outcome::Success, Some(user)));
        Ok(())
    }

    /// Asks to move the account to `new_email`: checks the password (or a fresh Google
    /// sign-in), mails a link to the new address and a notice to the old one. The answer is the
    /// same whether the new address is free or taken.
    pub async fn request_email_change(
        &self,
        auth: &AuthUser,
        new_email: &str,
        reauth: &Reauth,
        meta: &RequestMeta,
    ) -> Result<()> {
        let new_email = Email::parse(new_email, "body.new_email")?;
        let user = self.user_by_id(auth.id).await?;
        if new_email.as_str() == user.email {
            return Err(Error::invalid(
                Code::Validation2004,
                "body.new_email",
                "same",
                "is already the account's address",
            ));
        }
        self.reauthenticate(&user, reauth, meta).await?;
        let now = self.clock.now_ms();
        let mut tx = self.db.begin().await?;
        // One change in flight: an older link stops working when a newer one is asked for.
        retire(&mut tx, user.id, Some(Purpose::Change), now).await?;
        let token = insert_link(
            &mut tx,
            user.id,
            Purpose::Change,
            new_email.as_str(),
            now,
            self.settings.auth.email_token_minutes,
        )
        .await?;
        tx.commit().await?;
        self.audit.record(meta.event(
            EventType::EmailChangeRequest,
            Outcome::Success,
            Some(user.id),
        ));
        let link = format!("{}?token={token}", self.settings.smtp.email_change_url);
        let body = format!(
            "Someone asked to move a MITA account to this address.\n\nOpen this link within {} hours to confirm the change:\n{link}\n\nEmail change token: {token}\n\nIf it was not you, ignore this mail: nothing changes.\n",
            self.settings.auth.email_token_minutes / 60
        );
        self.send_mail(
            new_email.as_str(),
            "Confirm your new MITA email address",
            body,
        );
        self.send_security_notice_text(
            &user.email,
            "A change of your MITA account's email address was requested",
            &format!(
                "The account will move to {} once the link sent there is opened; until then nothing changes.",
                masked(new_email.as_str())
            ),
        );
        Ok(())
    }

    /// Uses an email-change link: the account moves to the new address (now verified), the
    /// other links of the account stop working and every session ends. A taken address is 409.
    pub async fn confirm_email_change(
        &self,
        token: &str,
        caller: Option<Id>,
        meta: &RequestMeta,
    ) -> Result<()> {
        let now = self.clock.now_ms();
        let mut tx = self.db.begin().await?;
        let (user_id, new_email) = consume(&mut tx, token, Purpose::Change, now).await?;
        if caller.is_some_and(|c| c != user_id) {
            tx.rollback().await?;
            return Err(invalid_link());
        }
        let user = users::by_id_tx(&mut tx, user_id)
            .await?
            .ok_or_else(invalid_link)?;
        let changed = on_tx!(&mut tx, conn => sqlx::query(
            "UPDATE users SET email = $2, email_verified = TRUE, updated_at = $3 WHERE id = $1")
            .bind(user_id).bind(&new_email).bind(now).execute(&mut *conn).await.map(|r| r.rows_affected()))
            .map_err(email_conflict);
        match changed {
            Ok(_) => {}
            Err(e) => {
                tx.rollback().await?;
                return Err(e);
            }
        }
        retire(&mut tx, user_id, None, now).await?;
        self.end_all_sessions(&mut tx, user_id, RevokeReason::EmailChange)
            .await?;
        tx.commit().await?;
        self.audit
            .record(meta.event(EventType::EmailChange, Outcome::Success, Some(user_id)));
        self.send_security_notice_text(
            &user.email,
            "Your MITA account's email address was changed",
            &format!(
                "It is now {}. Every device was signed out.",
                masked(&new_email)
            ),
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_is_blocked_by_default() {
        for (m, p) in [
            ("POST", "/api/transactions"),
            ("GET", "/api/ai/weekly-insights"),
        ] {
            assert_eq!(unverified_block(&[], m, p), None);
        }
    }

    #[test]
    fn blocked_categories_match_their_routes_only() {
        let all: Vec<String> = ["write", "ocr", "ai", "two_factor"]
            .map(String::from)
            .to_vec();
        assert_eq!(
            unverified_block(&all, "POST", "/api/transactions"),
            Some("write")
        );
        assert_eq!(unverified_block(&all, "GET", "/api/transactions"), None);
        assert_eq!(
            unverified_block(&all, "POST", "/api/auth/resend-verification"),
            None,
            "an unverified account can still verify, sign out, change its password"
        );
        assert_eq!(
            unverified_block(&all, "POST", "/api/auth/2fa/setup"),
            Some("two_factor")
        );
        assert_eq!(
            unverified_block(&all, "POST", "/api/ocr/process"),
            Some("ocr")
        );
        assert_eq!(unverified_block(&all, "GET", "/api/insights/"), Some("ai"));
        assert_eq!(unverified_block(&all, "GET", "/api/aimless"), None);
        assert_eq!(masked("nina@example.com"), "n***@example.com");
    }
}
