//! Personal access tokens (docs/tokens.md): long-lived bearer secrets a user makes for their
//! own scripts. The secret (`mita_pat_` + 32 random bytes) is shown once; only its SHA-256 is
//! stored, so a leaked database does not leak usable tokens. Every request looks the token up
//! (revocation is immediate, on every instance); `last_used_at` is written at most once per
//! [`LAST_USED_EVERY_MS`] per token so a busy script does not turn each read into a write.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

use super::account::hash_token;
use super::tokens::{Claims, ISSUER, TokenError, TokenType};
use super::{AuthService, AuthUser, RequestMeta};
use crate::audit::{EventType, Outcome};
use crate::clock::rfc3339;
use crate::error::{Code, Error, FieldError, Result};
use crate::id::Id;
use crate::{on_db, on_write};

/// Every personal access token starts with this (secret scanners can recognise it).
pub const PREFIX: &str = "mita_pat_";
/// How many characters of the secret lists show (the prefix and 4 random characters).
const SHOWN: usize = PREFIX.len() + 4;
/// `last_used_at` is rewritten only when older than this (one minute).
pub const LAST_USED_EVERY_MS: i64 = 60_000;
/// A user holds at most this many live tokens.
pub const MAX_TOKENS_PER_USER: i64 = 50;
/// Longest lifetime a token may be given (days); none means it lives until revoked.
pub const MAX_DAYS: i64 = 3650;

/// What a token may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// GET and HEAD only.
    Read,
    /// Every method.
    Write,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Write => "write",
        }
    }

    fn parse(s: &str) -> Option<Scope> {
        match s {
            "read" => Some(Scope::Read),
            "write" => Some(Scope::Write),
            _ => None,
        }
    }

    /// The space-separated scope list of the token (`write` includes `read`).
    fn claim(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Write => "read write",
        }
    }
}

/// The personal access token a request was authenticated with.
#[derive(Clone, Copy, Debug)]
pub struct PatGrant {
    pub id: Id,
    pub scope: Scope,
}

/// What a create asks for.
#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    /// 1–100 characters, to recognise the token later.
    pub name: String,
    /// `read` (GET/HEAD only) or `write` (every method).
    pub scope: Scope,
    /// Days until it expires (1–3650); none: until revoked.
    #[serde(default)]
    pub expires_in_days: Option<i64>,
}

/// A token as its owner sees it in lists (never the secret).
#[derive(Clone, Debug, Serialize)]
pub struct TokenInfo {
    pub id: Id,
    pub name: String,
    pub scope: Scope,
    /// The first characters of the secret, to tell tokens apart.
    pub prefix: String,
    pub created_at: String,
    pub expires_at: Option<String>,
    pub last_used_at: Option<String>,
}

/// The answer to a create: the token's details and, this once, its secret.
#[derive(Clone, Debug, Serialize)]
pub struct CreatedToken {
    #[serde(flatten)]
    pub info: TokenInfo,
    pub token: String,
}

#[derive(sqlx::FromRow, mita::db::lite::LiteRow)]
struct TokenRow {
    id: Id,
    name: String,
    scope: String,
    prefix: String,
    created_at: i64,
    expires_at: Option<i64>,
    last_used_at: Option<i64>,
}

impl TokenRow {
    fn info(self) -> TokenInfo {
        TokenInfo {
            id: self.id,
            name: self.name,
            scope: Scope::parse(&self.scope).unwrap_or(Scope::Read),
            prefix: self.prefix,
            created_at: rfc3339(self.created_at),
            expires_at: self.expires_at.map(rfc3339),
            last_used_at: self.last_used_at.map(rfc3339),
        }
    }
}

/// Everything a presented token is checked against, in one query.
#[derive(sqlx::FromRow, mita::db::lite::LiteRow)]
struct PatCheck {
    id: Id,
    user_id: Id,
    scope: String,
    token_version: i32,
    expires_at: Option<i64>,
    last_used_at: Option<i64>,
    revoked_at: Option<i64>,
    user_token_version: i32,
    role: String,
    is_premium: bool,
    country: String,
    timezone: String,
    email_verified: bool,
}

const PAT_CHECK: &str = "SELECT t.id, t.user_id, t.scope, t.token_version, t.expires_at, t.last_used_at, t.revoked_at, \
     u.token_version AS user_token_version, u.role, u.is_premium, u.country, u.timezone, u.email_verified \
     FROM personal_access_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1";

fn check_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(Error::invalid(
            Code::Validation2001,
            "body.name",
            "length",
            "must be 1 to 100 printable characters",
        ));
    }
    Ok(name.to_string())
}

impl AuthService {
    /// Makes a token for `auth`'s user; the answer carries the secret, which is not kept.
    pub async fn create_pat(
        &self,
        auth: &AuthUser,
        input: &NewToken,
        meta: &RequestMeta,
    ) -> Result<CreatedToken> {
        let name = check_name(&input.name)?;
        let now = self.clock.now_ms();
        let expires_at = match input.expires_in_days {
            None => None,
            Some(d) if (1..=MAX_DAYS).contains(&d) => Some(now + d * 86_400_000),
            Some(_) => {
                return Err(Error::Validation {
                    code: Code::Validation2003,
                    message: "Request validation failed".into(),
                    fields: vec![FieldError::new(
                        "body.expires_in_days",
                        "range",
                        "must be between 1 and 3650",
                    )],
                });
            }
        };
        let live: i64 = on_db!(&self.db, pool => sqlx::query_scalar(
            "SELECT COUNT(*) FROM personal_access_tokens WHERE user_id = $1 AND revoked_at IS NULL")
            .bind(auth.id).fetch_one(pool).await)?;
        if live >= MAX_TOKENS_PER_USER {
            return Err(Error::Business {
                code: Code::Business4010,
                message: format!("At most {MAX_TOKENS_PER_USER} tokens; revoke one first"),
            });
        }
        let raw: [u8; 32] = rand::random();
        let secret = format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(raw));
        let prefix: String = secret.chars().take(SHOWN).collect();
        let id = Id::new();
        let row: TokenRow = on_write!(&self.db, pool => sqlx::query_as(
            "INSERT INTO personal_access_tokens (id, user_id, name, scope, token_hash, prefix, token_version, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, (SELECT token_version FROM users WHERE id = $2), $7, $8) \
             RETURNING id, name, scope, prefix, created_at, expires_at, last_used_at")
            .bind(id).bind(auth.id).bind(&name).bind(input.scope.as_str()).bind(hash_token(&secret))
            .bind(&prefix).bind(now).bind(expires_at).fetch_one(pool).await)?;
        self.audit.record(
            meta.event(EventType::TokenCreate, Outcome::Success, Some(auth.id))
                .detail("pat_id", id.to_string())
                .detail("scope", input.scope.as_str()),
        );
        Ok(CreatedToken {
            info: row.info(),
            token: secret,
        })
    }

    /// The user's live tokens (not revoked), newest first. 1 query.
    pub async fn list_pats(&self, user: Id) -> Result<Vec<TokenInfo>> {
        let rows: Vec<TokenRow> = on_db!(&self.db, pool => sqlx::query_as(
            "SELECT id, name, scope, prefix, created_at, expires_at, last_used_at FROM personal_access_tokens \
             WHERE user_id = $1 AND revoked_at IS NULL ORDER BY created_at DESC, id LIMIT 500")
            .bind(user).fetch_all(pool).await)?;
        Ok(rows.into_iter().map(TokenRow::info).collect())
    }

    /// Revokes one of the user's tokens at once. Another user's, a revoked or an unknown one is
    /// 404.
    pub async fn revoke_pat(&self, auth: &AuthUser, id: Id, meta: &RequestMeta) -> Result<()> {
        let now = self.clock.now_ms();
        let done = on_write!(&self.db, pool => sqlx::query(
            "UPDATE personal_access_tokens SET revoked_at = $3 WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL")
            .bind(id).bind(auth.id).bind(now).execute(pool).await.map(|r| r.rows_affected()))?;
        if done == 0 {
            return Err(Error::NotFound("Token"));
        }
        self.audit.record(
            meta.event(EventType::TokenRevoke, Outcome::Success, Some(auth.id))
                .detail("pat_id", id.to_string()),
        );
        Ok(())
    }

    /// Checks a presented personal access token: known, not revoked, not expired, issued at the
    /// user's current `token_version`. One query, plus a throttled `last_used_at` write.
    pub(crate) async fn authenticate_pat(&self, secret: &str) -> Result<AuthUser> {
        let check: Option<PatCheck> = on_db!(&self.db, pool => sqlx::query_as(PAT_CHECK)
            .bind(hash_token(secret)).fetch_optional(pool).await)?;
        let Some(c) = check else {
            return Err(TokenError::Invalid.into());
        };
        let now = self.clock.now_ms();
        if c.revoked_at.is_some() || c.token_version < c.user_token_version {
            return Err(TokenError::Revoked.into());
        }
        if c.expires_at.is_some_and(|e| e <= now) {
            return Err(TokenError::Expired.into());
        }
        if c.last_used_at
            .is_none_or(|at| now - at >= LAST_USED_EVERY_MS)
        {
            // Best effort: a failed bookkeeping write must not refuse the request.
            let written = on_write!(&self.db, pool => sqlx::query(
                "UPDATE personal_access_tokens SET last_used_at = $2 WHERE id = $1")
                .bind(c.id).bind(now).execute(pool).await.map(|_| ()));
            if let Err(e) = written {
                tracing::warn!(error = %e, "could not record a token's last use");
            }
        }
        let scope = Scope::parse(&c.scope).unwrap_or(Scope::Read);
        let secs = now.div_euclid(1000);
        let claims = Claims {
            sub: c.user_id.to_string(),
            user_id: c.user_id.to_string(),
            jti: format!("pat:{}", c.id),
            iat: secs,
            nbf: secs,
            exp: c.expires_at.map_or(i64::MAX / 1000, |e| e.div_euclid(1000)),
            iss: ISSUER.into(),
            aud: "personal-access-token".into(),
            token_type: TokenType::Access,
            scope: scope.claim().into(),
            role: c.role.clone(),
            is_premium: c.is_premium,
            country: c.country,
            token_version_id: c.token_version,
            fid: None,
        };
        Ok(AuthUser {
            id: c.user_id,
            role: c.role,
            is_premium: c.is_premium,
            timezone: crate::time::tz(&c.timezone),
            email_verified: c.email_verified,
            claims,
            pat: Some(PatGrant { id: c.id, scope }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_scope_includes_read() {
        assert_eq!(Scope::Write.claim(), "read write");
        assert_eq!(Scope::parse("read"), Some(Scope::Read));
        assert_eq!(Scope::parse("admin"), None);
    }

    #[test]
    fn names_are_bounded_and_printable() {
        assert!(check_name("  backup script ").is_ok());
        assert!(check_name("").is_err());
        assert!(check_name("a\u{7}b").is_err());
        assert!(check_name(&"x".repeat(101)).is_err());
    }
}
