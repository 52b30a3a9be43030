//! Per-client-IP rate limits for the sensitive routes (GCRA): `max` requests per
//! `window_secs`, as a burst that refills evenly over the window. On PostgreSQL the buckets live
//! in the database (`mita::cluster::rate_limit`, one statement per check), so the limits hold
//! for the whole cluster of instances; on SQLite (one instance) they are kept in memory with
//! `governor`.

use mita::error::Code;
use std::marker::PhantomData;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use governor::clock::{Clock as _, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use mita::config::{Limit, RateLimitSettings};
use mita::metrics::LoginResult;

use crate::error::ApiError;
use crate::extract::ClientIp;
use crate::state::AppState;

/// The key a client is counted under: an IPv4 address, or the /64 network of an IPv6 address
/// (one subscriber usually holds a whole /64, and could rotate through it).
pub fn bucket(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => {
            let mut octets = v6.octets();
            octets[8..].fill(0);
            IpAddr::from(octets)
        }
        v4 => v4,
    }
}

/// One limiter per group of routes.
pub struct RateLimits {
    enabled: bool,
    /// Count in the database (PostgreSQL) instead of in memory.
    shared: bool,
    settings: RateLimitSettings,
    login: DefaultKeyedRateLimiter<IpAddr>,
    register: DefaultKeyedRateLimiter<IpAddr>,
    password_reset: DefaultKeyedRateLimiter<IpAddr>,
    refresh: DefaultKeyedRateLimiter<IpAddr>,
    error_report: DefaultKeyedRateLimiter<IpAddr>,
    change_password: DefaultKeyedRateLimiter<IpAddr>,
}

fn limiter(limit: Limit) -> DefaultKeyedRateLimiter<IpAddr> {
    let max = NonZeroU32::new(limit.max.max(1)).unwrap_or(NonZeroU32::MIN);
    let period = Duration::from_secs(limit.window_secs.max(1)) / max.get();
    let quota = Quota::with_period(period.max(Duration::from_millis(1)))
        .unwrap_or_else(|| Quota::per_second(max))
        .allow_burst(max);
    RateLimiter::keyed(quota)
}

impl RateLimits {
    /// `shared`: count in the database (every instance sees the same buckets).
    pub fn new(settings: &RateLimitSettings, shared: bool) -> Self {
        RateLimits {
            enabled: settings.enabled,
            shared,
            settings: settings.clone(),
            login: limiter(settings.login),
            register: limiter(settings.register),
            password_reset: limiter(settings.password_reset),
            refresh: limiter(settings.refresh),
            error_report: limiter(settings.error_report),
            change_password: limiter(settings.change_password),
        }
    }

    /// Forgets clients idle long enough to be back at a full burst (bounded memory).
    pub fn retain_recent(&self) {
        for l in [
            &self.login,
            &self.register,
            &self.password_reset,
            &self.refresh,
            &self.error_report,
            &self.change_password,
        ] {
            l.retain_recent();
            l.shrink_to_fit();
        }
    }

    fn limit(&self, group: Group) -> Limit {
        let s = &self.settings;
        match group {
            Group::Login => s.login,
            Group::Register => s.register,
            Group::PasswordReset => s.password_reset,
            Group::Refresh => s.refresh,
            Group::ErrorReport => s.error_report,
            Group::ChangePassword => s.change_password,
        }
    }

    fn get(&self, group: Group) -> &DefaultKeyedRateLimiter<IpAddr> {
        match group {
            Group::Login => &self.login,
            Group::Register => &self.register,
            Group::PasswordReset => &self.password_reset,
            Group::Refresh => &self.refresh,
            Group::ErrorReport => &self.error_report,
            Group::ChangePassword => &self.change_password,
        }
    }
}

/// The groups of rate-limited routes (declared with their metric label in the core).
pub use mita::metrics::RateLimitGroup as Group;

/// Names a group at the type level, for the [`Limited`] extractor.
pub trait LimitGroup {
    const GROUP: Group;
}

macro_rules! groups {
    ($($name:ident => $group:expr),* $(,)?) => {$(
        /// Marker for a rate-limit group.
        pub struct $name;
        impl LimitGroup for $name {
            const GROUP: Group = $group;
        }
    )*};
}

groups!(Login => Group::Login, Register => Group::Register, PasswordReset => Group::PasswordReset,
    Refresh => Group::Refresh, ErrorReport => Group::ErrorReport,
    ChangePassword => Group::ChangePassword);

/// Extracting `Limited<G>` spends one request of group `G` for the client's IP; when none is
/// left the handler is not run and the answer is 429 `RATE_LIMIT_7001` with `Retry-After`.
pub struct Limited<G>(PhantomData<G>);

impl<G: LimitGroup + Send> FromRequestParts<AppState> for Limited<G> {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if !state.limits.enabled {
            return Ok(Limited(PhantomData));
        }
        let Ok(ClientIp(ip)) = ClientIp::from_request_parts(parts, state).await;
        let key = bucket(ip);
        let refused = if state.limits.shared {
            let limit = state.limits.limit(G::GROUP);
            let window_ms =
                i64::try_from(limit.window_secs.saturating_mul(1000)).unwrap_or(i64::MAX);
            mita::cluster::rate_limit(
                &state.db,
                &format!("{}:{key}", G::GROUP.as_str()),
                state.clock.now_ms(),
                limit.max,
                window_ms,
            )
            .await?
        } else {
            state
                .limits
                .get(G::GROUP)
                .check_key(&key)
                .err()
                .map(|not_until| {
                    let wait = not_until.wait_time_from(DefaultClock::default().now());
                    wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
                })
        };
        match refused {
            None => Ok(Limited(PhantomData)),
            Some(secs) => {
                state.metrics.rate_limited_total.inc(G::GROUP);
                if matches!(G::GROUP, Group::Login) {
                    state
                        .metrics
                        .login_attempts_total
                        .inc(LoginResult::RateLimited);
                }
                Err(ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    Code::RateLimit7001,
                    "Too many requests; try again later",
                )
                .retry_after(secs.max(1)))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_clients_are_counted_per_64_and_ipv4_per_address() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert_eq!(
            bucket(ip("2001:db8:1:2:aaaa::1")),
            bucket(ip("2001:db8:1:2:bbbb::2"))
        );
        assert_ne!(bucket(ip("2001:db8:1:2::1")), bucket(ip("2001:db8:1:3::1")));
        assert_eq!(bucket(ip("2001:db8:1:2::1")), ip("2001:db8:1:2::"));
        assert_eq!(bucket(ip("192.0.2.7")), ip("192.0.2.7"));
        assert_eq!(bucket(ip("::ffff:192.0.2.7")), ip("192.0.2.7"));
    }
}
