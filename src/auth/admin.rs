//! Support operations, shared by `/api/admin/*` and `mita admin`: unlock, end sessions, roles,
//! account creation, and the list of locked accounts. Every one is audit-logged.

use serde::Serialize;

use crate::audit::{EventType, Outcome};
use crate::clock::rfc3339;
use crate::error::{Code, Error, Result};
use crate::id::Id;
use crate::metrics::{RevokeReason, UnlockSource};
use crate::users::{self, Email, NewUser, USER_COLUMNS, User};
use crate::{on_db, on_tx, on_write};

use super::password::check_strength;
use super::{AuthService, RequestMeta};

/// Roles an operator may set (`user` is accepted as a synonym of `basic_user`).
pub fn parse_role(raw: &str) -> Result<&'static str> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "admin" => Ok("admin"),
        "user" | "basic_user" => Ok("basic_user"),
        "premium" | "premium_user" => Ok("premium_user"),
        _ => Err(Error::invalid(
            Code::Validation2001,
            "role",
            "enum",
            "must be admin, user or premium_user",
        )),
    }
}

/// An account's state as support staff see it.
#[derive(Clone, Debug, Serialize)]
pub struct AccountState {
    pub id: Id,
    pub email: String,
    pub role: String,
    pub failed_login_attempts: i32,
    pub locked: bool,
    pub locked_until: Option<String>,
    pub token_version: i32,
    pub created_at: String,
    pub last_login_at: Option<String>,
}

impl AccountState {
    pub fn of(user: &User, now_ms: i64) -> Self {
        AccountState {
            id: user.id,
            email: user.email.clone(),
            role: user.role.clone(),
            failed_login_attempts: user.failed_login_attempts,
            locked: user.locked_at(now_ms),
            locked_until: user
                .account_locked_until
                .filter(|u| *u > now_ms)
                .map(rfc3339),
            token_version: user.token_version,
            created_at: rfc3339(user.created_at),
            last_login_at: user.last_login_at.map(rfc3339),
        }
    }
}

/// The result of an unlock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UnlockOutcome {
    Unlocked,
    NotLocked,
}

impl AuthService {
    pub async fn user_by_email(&self, email: &str) -> Result<User> {
        let email = Email::parse(email, "email")?;
        users::by_email(&self.db, &email)
            .await?
            .ok_or(Error::NotFound("User"))
    }

    pub async fn user_by_id(&self, id: Id) -> Result<User> {
        users::by_id(&self.db, id)
            .await?
            .ok_or(Error::NotFound("User"))
    }

    pub fn account_state(&self, user: &User) -> AccountState {
        AccountState::of(user, self.clock.now_ms())
    }

    /// Clears a lock and its failure counter. `NotLocked` changes nothing.
    pub async fn unlock(
        &self,
        user_id: Id,
        reason: Option<&str>,
        meta: &RequestMeta,
    ) -> Result<UnlockOutcome> {
        let now = self.clock.now_ms();
        let affected = on_write!(&self.db, pool => sqlx::query(
            "UPDATE users SET failed_login_attempts = 0, account_locked_until = NULL, updated_at = $2 \
             WHERE id = $1 AND account_locked_until > $2")
            .bind(user_id).bind(now).execute(pool).await.map(|r| r.rows_affected()))?;
        if affected == 0 {
            self.user_by_id(user_id).await?;
            return Ok(UnlockOutcome::NotLocked);
        }
        self.metrics.account_unlocks_total.inc(UnlockSource::Admin);
        let mut event = meta
            .event(EventType::Unlock, Outcome::Success, Some(user_id))
            .detail("source", "admin");
        if let Some(r) = reason {
            event = event.detail("reason", r);
        }
        self.audit.record(event);
        Ok(UnlockOutcome::Unlocked)
    }

    /// Ends every session of a user (all devices sign in again).
    pub async fn admin_revoke_tokens(&self, user_id: Id, meta: &RequestMeta) -> Result<()> {
        self.user_by_id(user_id).await?;
        let mut tx = self.db.begin().await?;
        self.end_all_sessions(&mut tx, user_id, RevokeReason::Admin)
            .await?;
        tx.commit().await?;
        self.audit.record(
            meta.event(EventType::AdminAction, Outcome::Success, Some(user_id))
                .detail("action", "revoke_tokens"),
        );
        Ok(())
    }

    /// Sets a role; returns false when the user already had it (nothing changed).
    pub async fn set_role(&self, user_id: Id, role: &str, meta: &RequestMeta) -> Result<bool> {
        let role = parse_role(role)?;
        let user = self.user_by_id(user_id).await?;
        if user.role == role {
            return Ok(false);
        }
        let mut tx = self.db.begin().await?;
        on_tx!(&mut tx, conn => sqlx::query("UPDATE users SET role = $2, is_premium = $3, updated_at = $4 WHERE id = $1")
            .bind(user_id).bind(role).bind(role == "premium_user" || user.is_premium && role != "basic_user")
            .bind(self.clock.now_ms()).execute(&mut *conn).await.map(|r| r.rows_affected()))?;
        // Tokens carry the role: make the old ones stop working.
        self.end_all_sessions(&mut tx, user_id, RevokeReason::Admin)
            .await?;
        tx.commit().await?;
        self.audit.record(
            meta.event(EventType::RoleChange, Outcome::Success, Some(user_id))
                .detail("from", user.role.as_str())
                .detail("to", role),
        );
        Ok(true)
    }

    /// Creates an account with a password (never taken from a command line). With
    /// `if_not_exists`, an existing account is returned unchanged (`created = false`).
    pub async fn create_user(
        &self,
        email: &str,
        role: &str,
        password: &str,
        if_not_exists: bool,
        meta: &RequestMeta,
    ) -> Result<(User, bool)> {
        let email = Email::parse(email, "email")?;
        let role = parse_role(role)?;
        if let Some(existing) = users::by_email(&self.db, &email).await? {
            if if_not_exists {
                return Ok((existing, false));
            }
            return Err(Error::Conflict {
                code: Code::Resource3002,
                message: "Email already registered".into(),
            });
        }
        check_strength(password, "password")?;
        let hash = self.hasher.hash("admin:create-user", password).await?;
        let new = NewUser {
            email: Some(email),
            password_hash: Some(hash),
            role: role.into(),
            country: "US".into(),
            timezone: "UTC".into(),
            ..NewUser::default()
        };
        let id = users::insert(&self.db, &self.clock, new).await?;
        self.audit.record(
            meta.event(EventType::AdminAction, Outcome::Success, Some(id))
                .detail("action", "create_user")
                .detail("role", role),
        );
        Ok((self.user_by_id(id).await?, true))
    }

    /// Accounts locked right now, soonest unlock first.
    pub async fn locked_accounts(&self) -> Result<Vec<User>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM users WHERE account_locked_until > $1 ORDER BY account_locked_until LIMIT 1000"
        ));
        Ok(
            on_db!(&self.db, pool => sqlx::query_as::<_, User>(sql).bind(self.clock.now_ms()).fetch_all(pool).await)?,
        )
    }
}
