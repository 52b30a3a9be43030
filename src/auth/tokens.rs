//! JWT access and refresh tokens (HS256) per API.md §1.
//!
//! `exp`/`nbf` are checked against the injected [`Clock`] (not the system clock) with a small
//! leeway, so expiry is testable without sleeping. `JWT_PREVIOUS_SECRET` still verifies tokens
//! during a key rotation; new tokens are always signed with `JWT_SECRET`.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::clock::Clock;
use crate::config::AuthSettings;
use crate::error::{Code, Error, Result};
use crate::id::Id;

pub const ISSUER: &str = "mita-finance-api";
pub const AUDIENCE: &str = "mita-finance-app";

/// Which kind of token a route expects.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TokenType {
    #[serde(rename = "access_token")]
    Access,
    #[serde(rename = "refresh_token")]
    Refresh,
}

/// The claims of every token.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub user_id: String,
    pub jti: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    pub iss: String,
    pub aud: String,
    pub token_type: TokenType,
    pub scope: String,
    pub role: String,
    pub is_premium: bool,
    pub country: String,
    pub token_version_id: i32,
    /// The login (refresh-token family) this token belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fid: Option<String>,
}

impl Claims {
    pub fn user(&self) -> Result<Id> {
        self.sub.parse().map_err(|_| TokenError::Invalid.into())
    }
    pub fn family(&self) -> Option<Id> {
        self.fid.as_deref().and_then(|f| f.parse().ok())
    }
    /// Expiry in epoch milliseconds.
    pub fn exp_ms(&self) -> i64 {
        self.exp.saturating_mul(1000)
    }
}

/// Who a token is issued to.
#[derive(Clone, Debug)]
pub struct Subject {
    pub user_id: Id,
    pub role: String,
    pub is_premium: bool,
    pub country: String,
    pub token_version: i32,
}

/// Why a token was refused (each maps to an AUTH code).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenError {
    Expired,
    Invalid,
    WrongType,
    Revoked,
}

impl From<TokenError> for Error {
    fn from(e: TokenError) -> Error {
        let (code, message) = match e {
            TokenError::Expired => (Code::Auth1002, "Token has expired"),
            TokenError::Invalid => (Code::Auth1003, "Invalid token"),
            TokenError::WrongType => (Code::Auth1003, "Wrong token type for this route"),
            TokenError::Revoked => (Code::Auth1005, "Token has been revoked"),
        };
        Error::Unauthorized {
            code,
            message: message.into(),
            details: None,
        }
    }
}

/// Issues and verifies tokens.
pub struct TokenService {
    encoding: EncodingKey,
    decoding: Vec<DecodingKey>,
    validation: Validation,
    access_secs: i64,
    refresh_secs: i64,
    leeway_secs: i64,
    clock: Clock,
}

fn scope_for(role: &str, is_premium: bool) -> String {
    let mut scope = String::from("read write");
    if is_premium || role == "premium_user" {
        scope.push_str(" premium");
    }
    if role == "admin" {
        scope.push_str(" admin");
    }
    scope
}

impl TokenService {
    pub fn new(settings: &AuthSettings, clock: Clock) -> Result<Self> {
        let secret = settings.jwt_secret.as_ref().ok_or_else(|| {
            Error::Config("JWT secret missing (call Settings::ensure_jwt_secret first)".into())
        })?;
        let mut decoding = vec![DecodingKey::from_secret(secret.expose().as_bytes())];
        if let Some(previous) = &settings.jwt_previous_secret {
            decoding.push(DecodingKey::from_secret(previous.expose().as_bytes()));
        }
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        // Time claims are checked below against the injected clock.
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.set_required_spec_claims(&["exp", "nbf", "iat", "iss", "aud", "sub"]);
        Ok(TokenService {
            encoding: EncodingKey::from_secret(secret.expose().as_bytes()),
            decoding,
            validation,
            access_secs: settings.access_token_minutes.max(1) * 60,
            refresh_secs: settings.refresh_token_days.max(1) * 86_400,
            leeway_secs: i64::try_from(settings.leeway_secs).unwrap_or(0),
            clock,
        })
    }

    /// Lifetime of an access token in seconds (for `expires_in`).
    pub fn access_lifetime_secs(&self) -> i64 {
        self.access_secs
    }

    /// Issues a token; returns the encoded token and its claims.
    pub fn issue(
        &self,
        subject: &Subject,
        token_type: TokenType,
        family: Option<Id>,
    ) -> Result<(String, Claims)> {
        let now = self.clock.now_ms() / 1000;
        let lifetime = match token_type {
            TokenType::Access => self.access_secs,
            TokenType::Refresh => self.refresh_secs,
        };
        let claims = Claims {
            sub: subject.user_id.to_string(),
            user_id: subject.user_id.to_string(),
            jti: Id::new().to_string(),
            iat: now,
            nbf: now,
            exp: now + lifetime,
            iss: ISSUER.to_string(),
            aud: AUDIENCE.to_string(),
            token_type,
            scope: scope_for(&subject.role, subject.is_premium),
            role: subject.role.clone(),
            is_premium: subject.is_premium,
            country: subject.country.clone(),
            token_version_id: subject.token_version,
            fid: family.map(|f| f.to_string()),
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| Error::Internal(format!("jwt encode: {e}")))?;
        Ok((token, claims))
    }

    /// Checks signature, algorithm, issuer, audience, time window and type. Revocation and
    /// `token_version` need the database and are checked by the caller.
    pub fn verify(
        &self,
        token: &str,
        expected: TokenType,
    ) -> std::result::Result<Claims, TokenError> {
        let claims = self
            .decoding
            .iter()
            .find_map(|key| jsonwebtoken::decode::<Claims>(token, key, &self.validation).ok())
            .map(|data| data.claims)
            .ok_or(TokenError::Invalid)?;
        let now = self.clock.now_ms() / 1000;
        if claims.exp + self.leeway_secs < now {
            return Err(TokenError::Expired);
        }
        if claims.nbf - self.leeway_secs > now {
            return Err(TokenError::Invalid);
        }
        if claims.token_type != expected {
            return Err(TokenError::WrongType);
        }
        Ok(claims)
    }
}
