//! Sessions: issuing token pairs (one refresh-token family per login), checking access tokens
//! on every request, refresh rotation with reuse detection, logout and revocation.

use crate::audit::{EventType, Outcome};
use crate::db::{Tx, for_update};
use crate::error::{Code, Result};
use crate::id::Id;
use crate::metrics::RevokeReason;
use crate::users::User;
use crate::{on_db, on_tx, on_write};

use super::tokens::{Claims, Subject, TokenError, TokenType};
use super::{AuthService, AuthUser, RequestMeta, TokenPair};

fn subject(user: &User) -> Subject {
    Subject {
        user_id: user.id,
        role: user.role.clone(),
        is_premium: user.is_premium,
        country: user.country.clone(),
        token_version: user.token_version,
    }
}

#[derive(sqlx::FromRow, mita::db::lite::LiteRow)]
struct Family {
    user_id: Id,
    revoked_at: Option<i64>,
    current_jti: String,
    previous_jti: Option<String>,
    rotated_at: Option<i64>,
}

#[derive(sqlx::FromRow, mita::db::lite::LiteRow)]
struct AccessCheck {
    token_version: i32,
    role: String,
    is_premium: bool,
    timezone: String,
    email_verified: bool,
    revoked: i64,
    family_revoked_at: Option<i64>,
}

/// Everything an access token is checked against, in one query: `$1` user, `$2` jti, `$3` family.
const ACCESS_CHECK: &str = "SELECT u.token_version, u.role, u.is_premium, u.timezone, u.email_verified, \
     (SELECT COUNT(*) FROM revoked_tokens r WHERE r.jti = $2) AS revoked, \
     (SELECT f.revoked_at FROM refresh_token_families f WHERE f.id = $3) AS family_revoked_at \
     FROM users u WHERE u.id = $1";

impl AuthService {
    /// The [`ACCESS_CHECK`] row of a token, if its user exists (one statement, on every request).
    async fn access_check(
        &self,
        user: Id,
        jti: &str,
        family: Option<Id>,
    ) -> Result<Option<AccessCheck>> {
        Ok(on_db!(&self.db, pool => sqlx::query_as(ACCESS_CHECK)
            .bind(user).bind(jti).bind(family)
            .fetch_optional(pool).await)?)
    }

    /// Starts a login: a new refresh-token family and a token pair.
    pub async fn issue_session(&self, user: &User, meta: &RequestMeta) -> Result<TokenPair> {
        let mut tx = self.db.begin().await?;
        let pair = self.issue_session_in(&mut tx, user, meta).await?;
        tx.commit().await?;
        Ok(pair)
    }

    /// [`Self::issue_session`] inside a write transaction (the caller commits).
    pub async fn issue_session_in(
        &self,
        tx: &mut Tx,
        user: &User,
        meta: &RequestMeta,
    ) -> Result<TokenPair> {
        let family = Id::new();
        let subject = subject(user);
        let (refresh, refresh_claims) =
            self.tokens
                .issue(&subject, TokenType::Refresh, Some(family))?;
        let (access, _) = self
            .tokens
            .issue(&subject, TokenType::Access, Some(family))?;
        let now = self.clock.now_ms();
        on_tx!(tx, conn => sqlx::query(
            "INSERT INTO refresh_token_families (id, user_id, created_at, current_jti, expires_at, user_agent, ip, last_used_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $3)")
            .bind(family).bind(user.id).bind(now).bind(&refresh_claims.jti).bind(refresh_claims.exp_ms())
            .bind(&meta.user_agent).bind(&meta.client_ip)
            .execute(&mut *conn).await.map(|_| ()))?;
        Ok(self.pair(access, refresh))
    }

    fn pair(&self, access_token: String, refresh_token: String) -> TokenPair {
        TokenPair {
            access_token,
            refresh_token,
            token_type: "Bearer",
            expires_in: self.tokens.access_lifetime_secs(),
        }
    }

    /// Checks an access token completely: signature, claims, type, revoked `jti`, revoked login
    /// family and `token_version` — one query per request.
    pub async fn authenticate(&self, token: &str) -> Result<AuthUser> {
        if token.starts_with(super::pat::PREFIX) {
            return self.authenticate_pat(token).await;
        }
        let claims = self.tokens.verify(token, TokenType::Access)?;
        if self.known_revoked(&claims.jti) {
            return Err(TokenError::Revoked.into());
        }
        let user_id = claims.user()?;
        let check = self
            .access_check(user_id, &claims.jti, claims.family())
            .await?;
        let Some(check) = check else {
            return Err(TokenError::Invalid.into());
        };
        if check.revoked > 0
            || check.family_revoked_at.is_some()
            || claims.token_version_id < check.token_version
        {
            self.remember_revoked(&claims.jti);
            return Err(TokenError::Revoked.into());
        }
        Ok(AuthUser {
            id: user_id,
            role: check.role,
            is_premium: check.is_premium,
            timezone: crate::time::tz(&check.timezone),
            email_verified: check.email_verified,
            claims,
            pat: None,
        })
    }

    /// Rotates a refresh token. Presenting an already-rotated one again (outside the grace
    /// window for a client retry) revokes the whole login family.
    pub async fn refresh(&self, refresh_token: &str, meta: &RequestMeta) -> Result<TokenPair> {
        let bad = || Self::unauthorized(Code::Auth1006, "Invalid refresh token");
        let claims = match self.tokens.verify(refresh_token, TokenType::Refresh) {
            Ok(c) => c,
            Err(TokenError::Expired) => return Err(TokenError::Expired.into()),
            Err(_) => return Err(bad()),
        };
        let (Some(family_id), Ok(user_id)) = (claims.family(), claims.user()) else {
            return Err(bad());
        };
        let now = self.clock.now_ms();
        let mut tx = self.db.begin().await?;
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT user_id, revoked_at, current_jti, previous_jti, rotated_at FROM refresh_token_families WHERE id = $1{}",
            for_update(&tx)
        ));
        let family: Option<Family> = on_tx!(&mut tx, conn => sqlx::query_as(sql).bind(family_id).fetch_optional(&mut *conn).await)?;
        let Some(family) = family.filter(|f| f.user_id == user_id && f.revoked_at.is_none()) else {
            return Err(bad());
        };
        let grace_ms = self.settings.auth.refresh_grace_secs.saturating_mul(1000);
        let is_current = family.current_jti == claims.jti;
        let is_retry = family.previous_jti.as_deref() == Some(claims.jti.as_str())
            && family.rotated_at.is_some_and(|at| now - at <= grace_ms);
        if !is_current && !is_retry {
            revoke_family(&mut tx, family_id, RevokeReason::ReuseDetected, now).await?;
            tx.commit().await?;
            self.metrics
                .tokens_revoked_total
                .inc(RevokeReason::ReuseDetected);
            self.audit.record(meta.event(
                EventType::RefreshReuseDetected,
                Outcome::Denied,
                Some(user_id),
            ));
            return Err(bad());
        }
        let user = crate::users::by_id_tx(&mut tx, user_id)
            .await?
            .ok_or_else(bad)?;
        if claims.token_version_id < user.token_version {
            return Err(bad());
        }
        let subject = subject(&user);
        let (refresh, refresh_claims) =
            self.tokens
                .issue(&subject, TokenType::Refresh, Some(family_id))?;
        let (access, _) = self
            .tokens
            .issue(&subject, TokenType::Access, Some(family_id))?;
        // On a retry the presented token stays "previous", so a second retry also works, but
        // only within the grace window of the first rotation: a retry does not re-arm it.
        let (previous, rotated_at) = if is_current {
            (claims.jti.clone(), now)
        } else {
            (
                family.previous_jti.clone().unwrap_or_default(),
                family.rotated_at.unwrap_or(now),
            )
        };
        on_tx!(&mut tx, conn => sqlx::query(
            "UPDATE refresh_token_families SET current_jti = $2, previous_jti = $3, rotated_at = $4, expires_at = $5, last_used_at = $6 WHERE id = $1")
            .bind(family_id).bind(&refresh_claims.jti).bind(&previous).bind(rotated_at).bind(refresh_claims.exp_ms()).bind(now)
            .execute(&mut *conn).await.map(|r| r.rows_affected()))?;
        tx.commit().await?;
        self.audit
            .record(meta.event(EventType::Refresh, Outcome::Success, Some(user_id)));
        Ok(self.pair(access, refresh))
    }

    /// Revokes the presented access token and its login (so the refresh token dies too). A
    /// refresh token in the body is revoked as well when it belongs to the same user.
    pub async fn logout(
        &self,
        auth: &AuthUser,
        refresh_token: Option<&str>,
        meta: &RequestMeta,
    ) -> Result<()> {
        let now = self.clock.now_ms();
        let mut tx = self.db.begin().await?;
        revoke_jti(&mut tx, &auth.claims, RevokeReason::Logout, now).await?;
        if let Some(fid) = auth.claims.family() {
            revoke_family(&mut tx, fid, RevokeReason::Logout, now).await?;
        }
        if let Some(rt) = refresh_token
            && let Ok(rc) = self.tokens.verify(rt, TokenType::Refresh)
            && rc.sub == auth.claims.sub
        {
            revoke_jti(&mut tx, &rc, RevokeReason::Logout, now).await?;
            if let Some(fid) = rc.family() {
                revoke_family(&mut tx, fid, RevokeReason::Logout, now).await?;
            }
        }
        tx.commit().await?;
        self.remember_revoked(&auth.claims.jti);
        self.metrics.tokens_revoked_total.inc(RevokeReason::Logout);
        self.audit
            .record(meta.event(EventType::Logout, Outcome::Success, Some(auth.id)));
        Ok(())
    }

    /// Revokes just the presented token.
    pub async fn revoke(&self, auth: &AuthUser, meta: &RequestMeta) -> Result<()> {
        let mut tx = self.db.begin().await?;
        let now = self.clock.now_ms();
        revoke_jti(&mut tx, &auth.claims, RevokeReason::Revoke, now).await?;
        tx.commit().await?;
        self.remember_revoked(&auth.claims.jti);
        self.metrics.tokens_revoked_total.inc(RevokeReason::Revoke);
        self.audit
            .record(meta.event(EventType::Revoke, Outcome::Success, Some(auth.id)));
        Ok(())
    }

    /// Ends every session of a user: bumps `token_version` and revokes every login family.
    pub(crate) async fn end_all_sessions(
        &self,
        tx: &mut Tx,
        user_id: Id,
        reason: RevokeReason,
    ) -> Result<()> {
        let now = self.clock.now_ms();
        on_tx!(tx, conn => sqlx::query("UPDATE users SET token_version = token_version + 1, updated_at = $2 WHERE id = $1")
            .bind(user_id).bind(now).execute(&mut *conn).await.map(|r| r.rows_affected()))?;
        on_tx!(tx, conn => sqlx::query(
            "UPDATE refresh_token_families SET revoked_at = $2, revoked_reason = $3 WHERE user_id = $1 AND revoked_at IS NULL")
            .bind(user_id).bind(now).bind(reason.as_str()).execute(&mut *conn).await.map(|r| r.rows_affected()))?;
        self.metrics.tokens_revoked_total.inc(reason);
        Ok(())
    }

    /// Deletes revoked-token rows, login families and reset tokens past their expiry.
    pub async fn purge_expired(&self) -> Result<u64> {
        let now = self.clock.now_ms();
        let mut total = 0;
        for sql in [
            "DELETE FROM revoked_tokens WHERE expires_at < $1",
            "DELETE FROM refresh_token_families WHERE expires_at < $1",
            "DELETE FROM password_reset_tokens WHERE expires_at < $1",
            "DELETE FROM idempotency_keys WHERE expires_at < $1",
            "DELETE FROM email_tokens WHERE expires_at < $1",
            "DELETE FROM login_challenges WHERE expires_at < $1",
        ] {
            total += on_write!(&self.db, pool => sqlx::query(sql).bind(now).execute(pool).await.map(|r| r.rows_affected()))?;
        }
        Ok(total)
    }
}

async fn revoke_jti(tx: &mut Tx, claims: &Claims, reason: RevokeReason, now: i64) -> Result<()> {
    let user = claims.user().ok();
    on_tx!(tx, conn => sqlx::query(
        "INSERT INTO revoked_tokens (jti, user_id, reason, revoked_at, expires_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (jti) DO NOTHING")
        .bind(&claims.jti).bind(user).bind(reason.as_str()).bind(now).bind(claims.exp_ms())
        .execute(&mut *conn).await.map(|r| r.rows_affected()))?;
    Ok(())
}

async fn revoke_family(tx: &mut Tx, family: Id, reason: RevokeReason, now: i64) -> Result<()> {
    on_tx!(tx, conn => sqlx::query(
        "UPDATE refresh_token_families SET revoked_at = $2, revoked_reason = $3 WHERE id = $1 AND revoked_at IS NULL")
        .bind(family).bind(now).bind(reason.as_str()).execute(&mut *conn).await.map(|r| r.rows_affected()))?;
    Ok(())
}
