//! The sessions list: each login (refresh-token family) of a user with when it started, when it
//! was last used (sign-in or refresh), its user agent and an approximate client address, and
//! ending one of them. Ending a family refuses its access tokens at once (the per-request
//! check reads the family) and its refresh token.

use std::net::IpAddr;

use serde::Serialize;

use crate::audit::{EventType, Outcome};
use crate::clock::rfc3339;
use crate::error::{Error, Result};
use crate::id::Id;
use crate::metrics::RevokeReason;
use crate::{on_db, on_write};

use super::{AuthService, AuthUser, RequestMeta};

/// One active login as its owner (or support) sees it.
#[derive(Clone, Debug, Serialize)]
pub struct SessionInfo {
    pub id: Id,
    pub created_at: String,
    pub last_used_at: String,
    pub expires_at: String,
    pub user_agent: Option<String>,
    /// The client's network, not its address: IPv4 /24, IPv6 /48.
    pub approximate_address: Option<String>,
    /// The login the request came with.
    pub current: bool,
}

#[derive(sqlx::FromRow, mita::db::lite::LiteRow)]
struct FamilyRow {
    id: Id,
    created_at: i64,
    last_used_at: Option<i64>,
    expires_at: i64,
    user_agent: Option<String>,
    ip: Option<String>,
}

/// The network of an address: `203.0.113.0/24`, `2001:db8:1::/48`.
pub fn approximate(ip: &str) -> Option<String> {
    match ip.trim().parse::<IpAddr>().ok()?.to_canonical() {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            Some(format!("{a}.{b}.{c}.0/24"))
        }
        IpAddr::V6(v6) => {
            let s = v6.segments();
            let net = std::net::Ipv6Addr::new(s[0], s[1], s[2], 0, 0, 0, 0, 0);
            Some(format!("{net}/48"))
        }
    }
}

impl AuthService {
    /// The user's active logins, the most recently used first. `current` marks the caller's.
    pub async fn list_sessions(&self, user: Id, current: Option<Id>) -> Result<Vec<SessionInfo>> {
        let rows: Vec<FamilyRow> = on_db!(&self.db, pool => sqlx::query_as::<_, FamilyRow>(
            "SELECT id, created_at, last_used_at, expires_at, user_agent, ip FROM refresh_token_families \
             WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2 \
             ORDER BY COALESCE(last_used_at, created_at) DESC, id LIMIT 500")
            .bind(user).bind(self.clock.now_ms()).fetch_all(pool).await)?;
        Ok(rows
            .into_iter()
            .map(|r| SessionInfo {
                id: r.id,
                created_at: rfc3339(r.created_at),
                last_used_at: rfc3339(r.last_used_at.unwrap_or(r.created_at)),
                expires_at: rfc3339(r.expires_at),
                user_agent: r.user_agent,
                approximate_address: r.ip.as_deref().and_then(approximate),
                current: Some(r.id) == current,
            })
            .collect())
    }

    /// Ends one of the caller's logins at once. Another user's, an ended or an unknown one is
    /// 404.
    pub async fn end_session(&self, auth: &AuthUser, id: Id, meta: &RequestMeta) -> Result<()> {
        let now = self.clock.now_ms();
        let ended = on_write!(&self.db, pool => sqlx::query(
            "UPDATE refresh_token_families SET revoked_at = $3, revoked_reason = 'session_end' \
             WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL AND expires_at > $3")
            .bind(id).bind(auth.id).bind(now).execute(pool).await.map(|r| r.rows_affected()))?;
        if ended == 0 {
            return Err(Error::NotFound("Session"));
        }
        self.metrics
            .tokens_revoked_total
            .inc(RevokeReason::SessionEnd);
        self.audit.record(
            meta.event(EventType::SessionRevoke, Outcome::Success, Some(auth.id))
                .detail("session_id", id.to_string()),
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::approximate;

    #[test]
    fn addresses_are_shown_as_their_network() {
        assert_eq!(
            approximate("203.0.113.77").as_deref(),
            Some("203.0.113.0/24")
        );
        assert_eq!(
            approximate("::ffff:198.51.100.9").as_deref(),
            Some("198.51.100.0/24")
        );
        assert_eq!(
            approximate("2001:db8:1:2:3:4:5:6").as_deref(),
            Some("2001:db8:1::/48")
        );
        assert_eq!(approximate("not an ip"), None);
    }
}
