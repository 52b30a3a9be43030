//! A small circuit breaker for calls to external services (Google, OCR, LLM, SMTP).
//!
//! Closed: calls pass; `failure_threshold` consecutive failures open it. Open: calls fail fast
//! for `open_for_ms` (measured with the injected [`Clock`]). Half-open: up to
//! `half_open_max_calls` trial calls pass; a success closes the breaker, a failure re-opens it.
//! Every transition moves `mita_circuit_breaker_state` and `mita_circuit_breaker_transitions_total`.

use std::fmt;
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::clock::Clock;
use crate::metrics::{ExternalService, Metrics};

/// When a breaker opens and for how long.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BreakerConfig {
    /// Consecutive failures (while closed) that open the breaker.
    pub failure_threshold: u32,
    /// How long the breaker stays open before admitting trial calls, in milliseconds.
    pub open_for_ms: i64,
    /// Trial calls admitted while half-open (until one of them reports).
    pub half_open_max_calls: u32,
}

impl Default for BreakerConfig {
    fn default() -> Self {
        BreakerConfig {
            failure_threshold: 5,
            open_for_ms: 30_000,
            half_open_max_calls: 1,
        }
    }
}

pub use crate::metrics::BreakerState;

impl BreakerState {
    /// The value of `mita_circuit_breaker_state`: 0 closed, 1 open, 2 half-open.
    pub fn gauge_value(self) -> i64 {
        match self {
            BreakerState::Closed => 0,
            BreakerState::Open => 1,
            BreakerState::HalfOpen => 2,
        }
    }
}

/// The breaker refused a call without running it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("circuit open")]
pub struct Open {
    /// Milliseconds until the breaker admits a trial call (0 while trial calls are in flight).
    pub retry_after_ms: i64,
}

/// The outcome of [`CircuitBreaker::call`] when it did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum BreakerError<E> {
    /// The breaker refused the call; the future was never polled.
    #[error("circuit open")]
    Open(Open),
    /// The call ran and failed (recorded as a breaker failure).
    #[error(transparent)]
    Inner(E),
}

#[derive(Debug)]
struct Inner {
    state: BreakerState,
    consecutive_failures: u32,
    opened_at_ms: i64,
    trials_admitted: u32,
    /// Bumped on every transition, so verdicts of permits taken before it are ignored.
    generation: u64,
}

/// A thread-safe circuit breaker for one service. Share it (it is not `Clone`; wrap it in `Arc`).
pub struct CircuitBreaker {
    service: ExternalService,
    config: BreakerConfig,
    clock: Clock,
    metrics: Option<Arc<Metrics>>,
    inner: Mutex<Inner>,
}

impl fmt::Debug for CircuitBreaker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CircuitBreaker")
            .field("service", &self.service)
            .field("config", &self.config)
            .field("state", &self.lock().state)
            .finish()
    }
}

impl CircuitBreaker {
    /// A closed breaker for `service` (the metric label); sets its state gauge to 0.
    pub fn new(
        service: ExternalService,
        config: BreakerConfig,
        clock: Clock,
        metrics: Option<Arc<Metrics>>,
    ) -> Self {
        if let Some(m) = &metrics {
            m.circuit_breaker_state
                .set(service, BreakerState::Closed.gauge_value());
        }
        CircuitBreaker {
            service,
            config,
            clock,
            metrics,
            inner: Mutex::new(Inner {
                state: BreakerState::Closed,
                consecutive_failures: 0,
                opened_at_ms: 0,
                trials_admitted: 0,
                generation: 0,
            }),
        }
    }

    /// The service label this breaker reports under.
    pub fn service(&self) -> ExternalService {
        self.service
    }

    /// The current state (an open breaker whose time is up reports half-open).
    pub fn state(&self) -> BreakerState {
        let mut inner = self.lock();
        self.refresh(&mut inner);
        inner.state
    }

    /// Milliseconds until an open breaker admits a trial call; 0 when closed or half-open.
    pub fn retry_after_ms(&self) -> i64 {
        let mut inner = self.lock();
        self.refresh(&mut inner);
        self.remaining_open_ms(&inner)
    }

    /// Asks to make one call. The permit must get a verdict; dropping it counts as a failure.
    pub fn try_acquire(&self) -> Result<Permit<'_>, Open> {
        let mut inner = self.lock();
        self.refresh(&mut inner);
        match inner.state {
            BreakerState::Closed => {}
            BreakerState::Open => {
                return Err(Open {
                    retry_after_ms: self.remaining_open_ms(&inner),
                });
            }
            BreakerState::HalfOpen => {
                if inner.trials_admitted >= self.config.half_open_max_calls.max(1) {
                    return Err(Open { retry_after_ms: 0 });
                }
                inner.trials_admitted += 1;
            }
        }
        Ok(Permit {
            breaker: self,
            generation: inner.generation,
            settled: false,
        })
    }

    /// Runs `fut` through the breaker: fails fast when open, and counts every `Err` as a failure.
    pub async fn call<T, E>(
        &self,
        fut: impl Future<Output = Result<T, E>>,
    ) -> Result<T, BreakerError<E>> {
        let permit = self.try_acquire().map_err(BreakerError::Open)?;
        match fut.await {
            Ok(value) => {
                permit.success();
                Ok(value)
            }
            Err(e) => {
                permit.failure();
                Err(BreakerError::Inner(e))
            }
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // The state is a few integers, always consistent between statements: a panic elsewhere
        // while holding the lock cannot leave it half-written, so a poisoned lock is still usable.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn remaining_open_ms(&self, inner: &Inner) -> i64 {
        if inner.state != BreakerState::Open {
            return 0;
        }
        let until = inner.opened_at_ms.saturating_add(self.config.open_for_ms);
        until.saturating_sub(self.clock.now_ms()).max(0)
    }

    /// Open → half-open once the open time is over.
    fn refresh(&self, inner: &mut Inner) {
        if inner.state == BreakerState::Open
            && self.clock.now_ms().saturating_sub(inner.opened_at_ms) >= self.config.open_for_ms
        {
            self.transition(inner, BreakerState::HalfOpen);
        }
    }

    fn record(&self, generation: u64, success: bool) {
        let mut inner = self.lock();
        self.refresh(&mut inner);
        if generation != inner.generation {
            return; // taken before the last transition: its verdict is about an older period
        }
        match (inner.state, success) {
            (BreakerState::Closed, true) => inner.consecutive_failures = 0,
            (BreakerState::Closed, false) => {
                inner.consecutive_failures = inner.consecutive_failures.saturating_add(1);
                if inner.consecutive_failures >= self.config.failure_threshold.max(1) {
                    self.transition(&mut inner, BreakerState::Open);
                }
            }
            (BreakerState::HalfOpen, true) => self.transition(&mut inner, BreakerState::Closed),
            (BreakerState::HalfOpen, false) => self.transition(&mut inner, BreakerState::Open),
            (BreakerState::Open, _) => {}
        }
    }

    fn transition(&self, inner: &mut Inner, to: BreakerState) {
        inner.state = to;
        inner.generation = inner.generation.wrapping_add(1);
        inner.consecutive_failures = 0;
        inner.trials_admitted = 0;
        if to == BreakerState::Open {
            inner.opened_at_ms = self.clock.now_ms();
        }
        if let Some(m) = &self.metrics {
            m.circuit_breaker_state.set(self.service, to.gauge_value());
            m.circuit_breaker_transitions_total.inc((self.service, to));
        }
        if to == BreakerState::Open {
            tracing::warn!(service = self.service.as_str(), "circuit breaker opened");
        } else {
            tracing::info!(
                service = self.service.as_str(),
                to = to.as_str(),
                "circuit breaker moved"
            );
        }
    }
}

/// Leave to make one call; report how it went with [`Permit::success`] or [`Permit::failure`].
#[must_use = "a permit dropped without a verdict counts as a failure"]
pub struct Permit<'a> {
    breaker: &'a CircuitBreaker,
    generation: u64,
    settled: bool,
}

impl Permit<'_> {
    /// The service answered (closes a half-open breaker, resets the failure count).
    pub fn success(mut self) {
        self.settled = true;
        self.breaker.record(self.generation, true);
    }

    /// The service failed (timeout, connection error, 5xx...).
    pub fn failure(mut self) {
        self.settled = true;
        self.breaker.record(self.generation, false);
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        if !self.settled {
            self.breaker.record(self.generation, false);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const CONFIG: BreakerConfig = BreakerConfig {
        failure_threshold: 3,
        open_for_ms: 10_000,
        half_open_max_calls: 1,
    };
    const SERVICE: ExternalService = ExternalService::Llm;

    fn breaker(config: BreakerConfig) -> (CircuitBreaker, Clock, Arc<Metrics>) {
        let clock = Clock::manual(chrono::Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap());
        let metrics = Arc::new(Metrics::new().unwrap());
        let b = CircuitBreaker::new(SERVICE, config, clock.clone(), Some(metrics.clone()));
        (b, clock, metrics)
    }

    fn fail(b: &CircuitBreaker, times: u32) {
        for _ in 0..times {
            b.try_acquire().unwrap().failure();
        }
    }

    fn open_breaker() -> (CircuitBreaker, Clock, Arc<Metrics>) {
        let (b, clock, metrics) = breaker(CONFIG);
        fail(&b, CONFIG.failure_threshold);
        assert_eq!(b.state(), BreakerState::Open);
        (b, clock, metrics)
    }

    #[test]
    fn opens_after_the_threshold_of_consecutive_failures() {
        let (b, _, _) = breaker(CONFIG);
        fail(&b, CONFIG.failure_threshold - 1);
        assert_eq!(b.state(), BreakerState::Closed);
        fail(&b, 1);
        assert_eq!(b.state(), BreakerState::Open);
    }

    #[test]
    fn an_open_breaker_fails_fast_and_says_when_to_retry() {
        let (b, clock, _) = open_breaker();
        clock.advance_ms(4_000);
        let refused = b.try_acquire().err().unwrap();
        assert_eq!(refused.retry_after_ms, 6_000);
        assert_eq!(b.retry_after_ms(), 6_000);
    }

    #[tokio::test]
    async fn call_does_not_run_the_future_while_open() {
        let (b, _, _) = open_breaker();
        let mut ran = false;
        let result = b
            .call(async {
                ran = true;
                Ok::<_, ()>(())
            })
            .await;
        assert!(matches!(result, Err(BreakerError::Open(_))));
        assert!(!ran);
    }

    #[test]
    fn becomes_half_open_once_the_open_time_is_over() {
        let (b, clock, _) = open_breaker();
        clock.advance_ms(CONFIG.open_for_ms - 1);
        assert_eq!(b.state(), BreakerState::Open);
        clock.advance_ms(1);
        assert_eq!(b.state(), BreakerState::HalfOpen);
    }

    #[test]
    fn a_successful_trial_closes_the_breaker() {
        let (b, clock, _) = open_breaker();
        clock.advance_ms(CONFIG.open_for_ms);
        b.try_acquire().unwrap().success();
        assert_eq!(b.state(), BreakerState::Closed);
        fail(&b, CONFIG.failure_threshold - 1);
        assert_eq!(b.state(), BreakerState::Closed, "the count starts again");
    }

    #[test]
    fn a_failed_trial_reopens_the_breaker_for_a_full_period() {
        let (b, clock, _) = open_breaker();
        clock.advance_ms(CONFIG.open_for_ms);
        b.try_acquire().unwrap().failure();
        assert_eq!(b.state(), BreakerState::Open);
        clock.advance_ms(CONFIG.open_for_ms - 1);
        assert!(b.try_acquire().is_err());
    }

    #[test]
    fn a_dropped_permit_counts_as_a_failure() {
        let (b, _, _) = breaker(CONFIG);
        for _ in 0..CONFIG.failure_threshold {
            drop(b.try_acquire().unwrap());
        }
        assert_eq!(b.state(), BreakerState::Open);
    }

    #[test]
    fn half_open_admits_only_the_configured_number_of_trials() {
        let (b, clock, _) = breaker(BreakerConfig {
            half_open_max_calls: 2,
            ..CONFIG
        });
        fail(&b, CONFIG.failure_threshold);
        clock.advance_ms(CONFIG.open_for_ms);
        let first = b.try_acquire().unwrap();
        let second = b.try_acquire().unwrap();
        assert_eq!(b.try_acquire().err(), Some(Open { retry_after_ms: 0 }));
        first.success();
        assert_eq!(b.state(), BreakerState::Closed);
        second.failure();
        assert_eq!(
            b.state(),
            BreakerState::Closed,
            "a stale verdict is ignored"
        );
    }

    #[test]
    fn a_success_resets_the_consecutive_failure_count() {
        let (b, _, _) = breaker(CONFIG);
        fail(&b, CONFIG.failure_threshold - 1);
        b.try_acquire().unwrap().success();
        fail(&b, CONFIG.failure_threshold - 1);
        assert_eq!(b.state(), BreakerState::Closed);
    }

    #[test]
    fn the_state_gauge_and_transition_counters_follow_the_breaker() {
        let (b, clock, m) = breaker(CONFIG);
        let gauge = || m.circuit_breaker_state.get(SERVICE);
        let moved = |to| m.circuit_breaker_transitions_total.get((SERVICE, to));
        assert_eq!(gauge(), 0);
        fail(&b, CONFIG.failure_threshold);
        assert_eq!((gauge(), moved(BreakerState::Open)), (1, 1));
        clock.advance_ms(CONFIG.open_for_ms);
        assert_eq!(b.state(), BreakerState::HalfOpen);
        assert_eq!((gauge(), moved(BreakerState::HalfOpen)), (2, 1));
        b.try_acquire().unwrap().success();
        assert_eq!((gauge(), moved(BreakerState::Closed)), (0, 1));
    }
}

/// At most `limit` uses per key in each hour (a fixed window that starts at a key's first use),
/// kept in memory: a per-instance budget for costly calls on a user's behalf (LLM).
#[derive(Debug)]
pub struct HourlyQuota {
    limit: u32,
    uses: std::sync::Mutex<std::collections::HashMap<crate::id::Id, (i64, u32)>>,
}

/// Keys kept before windows that ended are swept.
const QUOTA_SWEEP_AT: usize = 10_000;
const HOUR_MS: i64 = 3_600_000;

impl HourlyQuota {
    /// A quota of `limit` per hour; 0 means no limit.
    pub fn new(limit: u32) -> Self {
        HourlyQuota {
            limit,
            uses: std::sync::Mutex::new(std::collections::HashMap::new()),
        }
    }

    /// Takes one use for `key` at `now_ms`; false when its hour is used up.
    pub fn take(&self, key: crate::id::Id, now_ms: i64) -> bool {
        if self.limit == 0 {
            return true;
        }
        let mut uses = self
            .uses
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if uses.len() >= QUOTA_SWEEP_AT {
            uses.retain(|_, (start, _)| now_ms - *start < HOUR_MS);
        }
        let entry = uses.entry(key).or_insert((now_ms, 0));
        if now_ms - entry.0 >= HOUR_MS {
            *entry = (now_ms, 0);
        }
        if entry.1 >= self.limit {
            return false;
        }
        entry.1 += 1;
        true
    }
}

#[cfg(test)]
mod quota_tests {
    use super::*;

    #[test]
    fn an_hourly_quota_counts_per_key_and_refills_after_the_hour() {
        let q = HourlyQuota::new(2);
        let (a, b) = (crate::id::Id::new(), crate::id::Id::new());
        assert!(q.take(a, 0));
        assert!(q.take(a, 1_000));
        assert!(!q.take(a, 2_000), "the third use in the hour");
        assert!(q.take(b, 2_000), "another key has its own");
        assert!(!q.take(a, 3_599_999));
        assert!(q.take(a, 3_600_000), "a new hour");
        let unlimited = HourlyQuota::new(0);
        assert!((0..100).all(|i| unlimited.take(a, i)));
    }
}
