//! An injectable clock, so that expiry rules (lockout, leases, tokens) are tested without sleeping.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, TimeZone, Utc};

/// A source of "now". Production uses [`Clock::system`]; tests use [`Clock::manual`] and move it.
#[derive(Clone, Debug)]
pub struct Clock(Inner);

#[derive(Clone, Debug)]
enum Inner {
    System,
    Manual(Arc<AtomicI64>),
    /// The system clock moved by a fixed offset (milliseconds).
    Shifted(i64),
}

impl Clock {
    /// The real wall clock.
    pub fn system() -> Self {
        Clock(Inner::System)
    }

    /// A clock that stands still at `start` until moved with [`Clock::advance_ms`] or [`Clock::set_ms`].
    pub fn manual(start: DateTime<Utc>) -> Self {
        Clock(Inner::Manual(Arc::new(AtomicI64::new(
            start.timestamp_millis(),
        ))))
    }

    /// A clock that reads `start` now and then runs with the system clock: a server that lives
    /// on a chosen date (`clock_start`: benchmarks and demos whose figures must not depend on the
    /// day they run).
    pub fn starting_at(start: DateTime<Utc>) -> Self {
        Clock(Inner::Shifted(
            start.timestamp_millis() - Utc::now().timestamp_millis(),
        ))
    }

    /// Now, in epoch milliseconds UTC (the storage format for instants).
    pub fn now_ms(&self) -> i64 {
        match &self.0 {
            Inner::System => Utc::now().timestamp_millis(),
            Inner::Manual(ms) => ms.load(Ordering::SeqCst),
            Inner::Shifted(offset) => Utc::now().timestamp_millis() + offset,
        }
    }

    /// Now, as a UTC date-time.
    pub fn now(&self) -> DateTime<Utc> {
        ms_to_datetime(self.now_ms())
    }

    /// Moves a manual clock forward (no effect on the system clock).
    pub fn advance_ms(&self, delta: i64) {
        if let Inner::Manual(ms) = &self.0 {
            ms.fetch_add(delta, Ordering::SeqCst);
        }
    }

    /// Sets a manual clock (no effect on the system clock).
    pub fn set_ms(&self, value: i64) {
        if let Inner::Manual(ms) = &self.0 {
            ms.store(value, Ordering::SeqCst);
        }
    }
}

impl Default for Clock {
    fn default() -> Self {
        Clock::system()
    }
}

/// Converts stored epoch milliseconds to a date-time (out-of-range values clamp to the epoch).
pub fn ms_to_datetime(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}

/// RFC 3339 with a single `Z` and millisecond precision, the API's timestamp format.
pub fn rfc3339(ms: i64) -> String {
    ms_to_datetime(ms).to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_told() {
        let clock = Clock::manual(Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap());
        let t0 = clock.now_ms();
        assert_eq!(clock.now_ms(), t0);
        clock.advance_ms(1500);
        assert_eq!(clock.now_ms(), t0 + 1500);
    }

    #[test]
    fn a_shifted_clock_starts_at_its_date_and_runs() {
        let start = Utc.with_ymd_and_hms(2026, 11, 15, 12, 0, 0).unwrap();
        let clock = Clock::starting_at(start);
        let first = clock.now_ms();
        // Constructed just now: within a minute of the start however slow the machine.
        assert!((first - start.timestamp_millis()).abs() < 60_000, "{first}");
        let later = clock.now_ms();
        assert!(later >= first, "it never runs backwards");
        clock.advance_ms(10_000);
        assert!(
            clock.now_ms() < first + 10_000,
            "only a manual clock is moved by hand"
        );
    }

    #[test]
    fn timestamps_end_with_a_single_z() {
        let s = rfc3339(1_764_151_200_000);
        assert!(s.ends_with('Z') && !s.contains("+00:00"), "{s}");
    }
}
