//! The one Prometheus registry and typed handles for every metric of `METRICS.md`.
//!
//! Names are an interface (dashboards and alerts use them): change them only with the contract.

use prometheus::{
    Encoder, Gauge, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec,
    Opts, Registry, TextEncoder,
};

use std::sync::LazyLock;

use prometheus::Histogram;

use crate::error::{Error, Result};

const HTTP_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];
const AMOUNT_BUCKETS: &[f64] = &[
    1.0, 5.0, 10.0, 25.0, 50.0, 100.0, 250.0, 500.0, 1000.0, 5000.0, 10000.0,
];
const OCR_BUCKETS: &[f64] = &[0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 60.0];

/// `mita_database_query_duration_seconds`: one process-wide family, registered in every
/// [`Metrics`] registry, because the statements that feed it (through [`crate::db_timer!`]) run
/// deep in the core where no `Metrics` is at hand. A process has one `Metrics` in production;
/// tests that make several share this family.
static DATABASE_QUERY_DURATION: LazyLock<HistogramVec> = LazyLock::new(|| {
    HistogramVec::new(
        HistogramOpts::new(
            "mita_database_query_duration_seconds",
            "Database time per service operation (statement or commit)",
        )
        .buckets(HTTP_BUCKETS.to_vec()),
        &["operation"],
    )
    .unwrap_or_else(|e| unreachable!("constant histogram options are valid: {e}"))
});

/// The child of `mita_database_query_duration_seconds` for `operation` (a module path such as
/// `transactions::service`, or `commit`: a bounded set fixed at compile time).
pub fn database_query_histogram(operation: &str) -> Histogram {
    DATABASE_QUERY_DURATION.with_label_values(&[operation])
}

/// All metric handles. Create one per process with [`Metrics::new`] and share it.
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    // HTTP
    pub http_requests_total: IntCounterVec,
    pub http_request_duration_seconds: HistogramVec,
    pub http_requests_in_progress: IntGaugeVec,
    // Business
    pub budget_calculations_total: IntCounterVec,
    pub budget_calculation_duration_seconds: HistogramVec,
    pub budget_redistributed_amount_usd: HistogramVec,
    pub transaction_amount_usd: HistogramVec,
    pub transactions_total: IntCounterVec,
    pub active_users: IntGauge,
    pub ocr_processing_total: IntCounterVec,
    pub ocr_processing_duration_seconds: HistogramVec,
    pub ocr_jobs: IntGaugeVec,
    pub ocr_replays_total: IntCounter,
    /// Product-analytics events recorded, by `kind` (the three kinds of `app_events`).
    pub app_events_total: IntCounterVec,
    // Auth and security
    pub login_attempts_total: IntCounterVec,
    pub account_lockouts_total: IntCounter,
    /// Audit events removed by the retention purge (`audit.retention_days`).
    pub audit_events_purged_total: IntCounter,
    pub account_unlocks_total: IntCounterVec,
    pub password_hash_duration_seconds: HistogramVec,
    pub password_hash_queue_depth: IntGauge,
    pub tokens_revoked_total: IntCounterVec,
    pub rate_limited_total: IntCounterVec,
    pub idempotency_replays_total: IntCounterVec,
    // Database
    pub database_connections_active: IntGauge,
    pub database_connections_max: IntGauge,
    pub database_query_duration_seconds: HistogramVec,
    pub database_errors_total: IntCounterVec,
    // External services
    pub external_api_requests_total: IntCounterVec,
    pub external_api_duration_seconds: HistogramVec,
    pub circuit_breaker_state: IntGaugeVec,
    pub circuit_breaker_transitions_total: IntCounterVec,
    // Build
    pub build_info: Gauge,
    active: std::sync::Arc<std::sync::Mutex<ActiveUsers>>,
}

/// The `error_type` of `mita_database_errors_total` for an error that came from the database
/// (`unavailable`, `busy`, `constraint`, `other`); None for any other error.
pub fn database_error_kind(e: &Error) -> Option<&'static str> {
    let Error::Database(inner) = e else {
        return None;
    };
    Some(match inner {
        sqlx::Error::Database(d) if d.is_unique_violation() || d.is_foreign_key_violation() => {
            "constraint"
        }
        sqlx::Error::Database(d) if d.code().is_some_and(|c| c == "5" || c == "517") => "busy",
        e if crate::error::is_connection_error(e) => "unavailable",
        _ => "other",
    })
}

/// Last request time per user, for `mita_active_users` (15-minute window).
#[derive(Default)]
struct ActiveUsers {
    last_seen: std::collections::HashMap<u128, i64>,
    last_prune_ms: i64,
}

const ACTIVE_WINDOW_MS: i64 = 15 * 60 * 1000;

fn counter(r: &Registry, name: &str, help: &str, labels: &[&str]) -> Result<IntCounterVec> {
    let c = IntCounterVec::new(Opts::new(name, help), labels).map_err(internal)?;
    r.register(Box::new(c.clone())).map_err(internal)?;
    Ok(c)
}

fn counter1(r: &Registry, name: &str, help: &str) -> Result<IntCounter> {
    let c = IntCounter::new(name, help).map_err(internal)?;
    r.register(Box::new(c.clone())).map_err(internal)?;
    Ok(c)
}

fn gauge(r: &Registry, name: &str, help: &str, labels: &[&str]) -> Result<IntGaugeVec> {
    let g = IntGaugeVec::new(Opts::new(name, help), labels).map_err(internal)?;
    r.register(Box::new(g.clone())).map_err(internal)?;
    Ok(g)
}

fn gauge1(r: &Registry, name: &str, help: &str) -> Result<IntGauge> {
    let g = IntGauge::new(name, help).map_err(internal)?;
    r.register(Box::new(g.clone())).map_err(internal)?;
    Ok(g)
}

fn histogram(
    r: &Registry,
    name: &str,
    help: &str,
    labels: &[&str],
    buckets: Option<&[f64]>,
) -> Result<HistogramVec> {
    let mut opts = HistogramOpts::new(name, help);
    if let Some(b) = buckets {
        opts = opts.buckets(b.to_vec());
    }
    let h = HistogramVec::new(opts, labels).map_err(internal)?;
    r.register(Box::new(h.clone())).map_err(internal)?;
    Ok(h)
}

fn internal(e: prometheus::Error) -> Error {
    Error::Internal(format!("metrics: {e}"))
}

impl Metrics {
    /// Builds the registry with every metric, the process collector and `mita_build_info`.
    pub fn new() -> Result<Metrics> {
        let r = Registry::new();
        let m = Metrics {
            http_requests_total: counter(
                &r,
                "mita_http_requests_total",
                "HTTP requests answered",
                &["method", "endpoint", "status_code"],
            )?,
            http_request_duration_seconds: histogram(
                &r,
                "mita_http_request_duration_seconds",
                "HTTP request latency",
                &["method", "endpoint"],
                Some(HTTP_BUCKETS),
            )?,
            http_requests_in_progress: gauge(
                &r,
                "mita_http_requests_in_progress",
                "HTTP requests being served",
                &["method", "endpoint"],
            )?,
            budget_calculations_total: counter(
                &r,
                "mita_budget_calculations_total",
                "Budget engine runs",
                &["kind"],
            )?,
            budget_calculation_duration_seconds: histogram(
                &r,
                "mita_budget_calculation_duration_seconds",
                "Budget engine run time",
                &["kind"],
                None,
            )?,
            budget_redistributed_amount_usd: histogram(
                &r,
                "mita_budget_redistributed_amount_usd",
                "Amount moved per redistribution",
                &[],
                Some(AMOUNT_BUCKETS),
            )?,
            transaction_amount_usd: histogram(
                &r,
                "mita_transaction_amount_usd",
                "Transaction amounts",
                &[],
                Some(AMOUNT_BUCKETS),
            )?,
            transactions_total: counter(
                &r,
                "mita_transactions_total",
                "Transaction writes",
                &["operation"],
            )?,
            active_users: gauge1(
                &r,
                "mita_active_users",
                "Users with a request in the last 15 minutes",
            )?,
            ocr_processing_total: counter(
                &r,
                "mita_ocr_processing_total",
                "OCR jobs finished",
                &["status", "engine"],
            )?,
            ocr_processing_duration_seconds: histogram(
                &r,
                "mita_ocr_processing_duration_seconds",
                "OCR engine time per job",
                &["engine"],
                Some(OCR_BUCKETS),
            )?,
            ocr_jobs: gauge(&r, "mita_ocr_jobs", "OCR queue depth by state", &["status"])?,
            ocr_replays_total: counter1(
                &r,
                "mita_ocr_replays_total",
                "OCR jobs re-queued by replay",
            )?,
            app_events_total: counter(
                &r,
                "mita_app_events_total",
                "Product-analytics events recorded (feature_usage, feature_access_attempt, paywall_impression)",
                &["kind"],
            )?,
            login_attempts_total: counter(
                &r,
                "mita_login_attempts_total",
                "Login attempts by result",
                &["result"],
            )?,
            account_lockouts_total: counter1(
                &r,
                "mita_account_lockouts_total",
                "Accounts locked after repeated failures",
            )?,
            audit_events_purged_total: counter1(
                &r,
                "mita_audit_events_purged_total",
                "Audit events removed after audit.retention_days",
            )?,
            account_unlocks_total: counter(
                &r,
                "mita_account_unlocks_total",
                "Accounts unlocked",
                &["source"],
            )?,
            password_hash_duration_seconds: histogram(
                &r,
                "mita_password_hash_duration_seconds",
                "Password hash/verify time",
                &[],
                None,
            )?,
            password_hash_queue_depth: gauge1(
                &r,
                "mita_password_hash_queue_depth",
                "Password hashes waiting or running",
            )?,
            tokens_revoked_total: counter(
                &r,
                "mita_tokens_revoked_total",
                "Tokens revoked",
                &["reason"],
            )?,
            rate_limited_total: counter(
                &r,
                "mita_rate_limited_total",
                "Requests refused by a rate limit",
                &["endpoint"],
            )?,
            idempotency_replays_total: counter(
                &r,
                "mita_idempotency_replays_total",
                "Idempotency-Key outcomes",
                &["outcome"],
            )?,
            database_connections_active: gauge1(
                &r,
                "mita_database_connections_active",
                "Database connections in use",
            )?,
            database_connections_max: gauge1(
                &r,
                "mita_database_connections_max",
                "Database connection limit",
            )?,
            database_query_duration_seconds: {
                let family = DATABASE_QUERY_DURATION.clone();
                r.register(Box::new(family.clone())).map_err(internal)?;
                family
            },
            database_errors_total: counter(
                &r,
                "mita_database_errors_total",
                "Database errors",
                &["error_type"],
            )?,
            external_api_requests_total: counter(
                &r,
                "mita_external_api_requests_total",
                "Calls to external services",
                &["service", "status"],
            )?,
            external_api_duration_seconds: histogram(
                &r,
                "mita_external_api_duration_seconds",
                "External call latency",
                &["service"],
                None,
            )?,
            circuit_breaker_state: gauge(
                &r,
                "mita_circuit_breaker_state",
                "Circuit breaker state: 0 closed, 1 open, 2 half-open",
                &["service"],
            )?,
            circuit_breaker_transitions_total: counter(
                &r,
                "mita_circuit_breaker_transitions_total",
                "Circuit breaker state changes",
                &["service", "to"],
            )?,
            build_info: {
                let g = Gauge::with_opts(
                    Opts::new("mita_build_info", "Build identity (always 1)")
                        .const_label("version", crate::build::VERSION)
                        .const_label("commit", crate::build::COMMIT),
                )
                .map_err(internal)?;
                r.register(Box::new(g.clone())).map_err(internal)?;
                g.set(1.0);
                g
            },
            registry: r,
            active: Default::default(),
        };
        #[cfg(target_os = "linux")]
        m.registry
            .register(Box::new(
                prometheus::process_collector::ProcessCollector::for_self(),
            ))
            .map_err(internal)?;
        Ok(m)
    }

    /// Notes a request by `user` at `now_ms` and refreshes `mita_active_users` (pruning at most
    /// once a second, so the cost per request stays a hash-map insert).
    pub fn note_active_user(&self, user: u128, now_ms: i64) {
        let Ok(mut active) = self.active.lock() else {
            return;
        };
        active.last_seen.insert(user, now_ms);
        if now_ms - active.last_prune_ms >= 1000 {
            active
                .last_seen
                .retain(|_, seen| now_ms - *seen <= ACTIVE_WINDOW_MS);
            active.last_prune_ms = now_ms;
        }
        self.active_users
            .set(i64::try_from(active.last_seen.len()).unwrap_or(i64::MAX));
    }

    /// Counts a database error of `kind` (see [`database_error_kind`]).
    pub fn database_error(&self, kind: &str) {
        self.database_errors_total.with_label_values(&[kind]).inc();
    }

    /// The Prometheus text exposition of every metric.
    pub fn render(&self) -> Result<String> {
        let mut buf = Vec::new();
        TextEncoder::new()
            .encode(&self.registry.gather(), &mut buf)
            .map_err(internal)?;
        String::from_utf8(buf).map_err(|e| Error::Internal(e.to_string()))
    }
}

/// Converts integer cents to the unit used by the `_usd` histograms. Only ever used for
/// observation, never for arithmetic on money.
pub fn cents_as_units(cents: i64) -> f64 {
    // Exact for every amount below 2^53 cents; metrics only.
    (cents as f64) / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_database_failures_have_a_database_error_kind() {
        let kind = |e: Error| database_error_kind(&e);
        assert_eq!(
            kind(Error::Database(sqlx::Error::PoolTimedOut)),
            Some("unavailable")
        );
        assert_eq!(
            kind(Error::Database(sqlx::Error::Protocol("eof".into()))),
            Some("unavailable")
        );
        assert_eq!(
            kind(Error::Database(sqlx::Error::RowNotFound)),
            Some("other")
        );
        assert_eq!(kind(Error::NotFound("Goal")), None);
        assert_eq!(
            kind(Error::Unavailable {
                reason: "password hashing queue full".into(),
                retry_after_secs: 1
            }),
            None,
            "an overloaded hasher is no database error"
        );
    }
}
