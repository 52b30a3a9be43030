//! The one Prometheus registry and typed handles for every metric of `METRICS.md`.
//!
//! Names are an interface (dashboards and alerts use them): change them only with the contract.
//! A closed label set is an enum and a [`Family`] takes only its own label type, so a typo'd
//! value is a compile error instead of a new series.

use std::marker::PhantomData;
use std::sync::LazyLock;
use std::time::Instant;

use prometheus::core::{Collector, MetricVec, MetricVecBuilder};
use prometheus::{
    Encoder, Gauge, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge,
    IntGaugeVec, Opts, Registry, TextEncoder,
};
use serde::Serialize;

use crate::config::OcrEngineKind;
use crate::error::{Error, Result};

/// One closed set of label values.
pub trait Label: Copy + 'static {
    /// The label's name.
    const NAME: &'static str;
    /// Every value.
    const ALL: &'static [Self];
    /// The exported label value.
    fn as_str(&self) -> &'static str;
}

/// What picks one child of a [`Family`]: nothing, one [`Label`] or a pair.
pub trait Labels: Copy {
    /// The label values, in the family's label order.
    type Values: AsRef<[&'static str]>;
    /// The label names.
    const NAMES: Self::Values;
    fn values(self) -> Self::Values;
    /// Every combination.
    fn all() -> Vec<Self>;
}

impl<L: Label> Labels for L {
    type Values = [&'static str; 1];
    const NAMES: Self::Values = [L::NAME];
    fn values(self) -> Self::Values {
        [self.as_str()]
    }
    fn all() -> Vec<Self> {
        L::ALL.to_vec()
    }
}

impl<A: Label, B: Label> Labels for (A, B) {
    type Values = [&'static str; 2];
    const NAMES: Self::Values = [A::NAME, B::NAME];
    fn values(self) -> Self::Values {
        [self.0.as_str(), self.1.as_str()]
    }
    fn all() -> Vec<Self> {
        let pairs = A::ALL.iter().flat_map(|a| B::ALL.iter().map(|b| (*a, *b)));
        pairs.collect()
    }
}

/// No labels: a vec whose one series appears at the first observation (as a plain metric would
/// not).
impl Labels for () {
    type Values = [&'static str; 0];
    const NAMES: Self::Values = [];
    fn values(self) -> Self::Values {
        []
    }
    fn all() -> Vec<Self> {
        vec![()]
    }
}

/// A metric family (`V`, a prometheus vec) whose children are picked by `L`, never by strings.
#[derive(Clone)]
pub struct Family<V, L> {
    vec: V,
    labels: PhantomData<fn(L)>,
}

impl<V, L> From<V> for Family<V, L> {
    fn from(vec: V) -> Self {
        Family {
            vec,
            labels: PhantomData,
        }
    }
}

impl<B: MetricVecBuilder, L: Labels> Family<MetricVec<B>, L> {
    /// The child for `labels`.
    pub fn with(&self, labels: L) -> B::M {
        self.vec.with_label_values(labels.values().as_ref())
    }
}

impl<L: Labels> Family<IntCounterVec, L> {
    pub fn inc(&self, labels: L) {
        self.with(labels).inc();
    }
    pub fn inc_by(&self, labels: L, n: u64) {
        self.with(labels).inc_by(n);
    }
    pub fn get(&self, labels: L) -> u64 {
        self.with(labels).get()
    }
}

impl<L: Labels> Family<HistogramVec, L> {
    pub fn observe(&self, labels: L, v: f64) {
        self.with(labels).observe(v);
    }
}

impl<L: Labels> Family<IntGaugeVec, L> {
    pub fn set(&self, labels: L, v: i64) {
        self.with(labels).set(v);
    }
    pub fn get(&self, labels: L) -> i64 {
        self.with(labels).get()
    }
}

/// Declares [`Label`] enums, `Name("label") { Variant => "value", .. }`, each with `as_str()`
/// and `ALL`.
macro_rules! labels {
    ($($(#[$attr:meta])* $name:ident($label:literal) {
        $($(#[$vattr:meta])* $variant:ident => $value:literal),+ $(,)?
    })*) => {$(
        $(#[$attr])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum $name {
            $($(#[$vattr])* $variant),+
        }
        impl $name {
            /// Every value.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The label value (and the stored one, where stored).
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $value),+
                }
            }
        }
        impl Label for $name {
            const NAME: &'static str = $label;
            const ALL: &'static [Self] = $name::ALL;
            fn as_str(&self) -> &'static str {
                $name::as_str(*self)
            }
        }
    )*};
}

labels! {
    /// `mita_login_attempts_total{result}`.
    LoginResult("result") {
        Success => "success", Failure => "failure", Locked => "locked",
        RateLimited => "rate_limited",
    }
    /// `mita_budget_calculations_total{kind}` and the duration histogram.
    BudgetCalculation("kind") { Plan => "plan", Redistribution => "redistribution", Accrual => "accrual" }
    /// `mita_transactions_total{operation}`.
    TransactionOp("operation") {
        Create => "create", Update => "update", Delete => "delete", Recurring => "recurring",
    }
    /// `mita_tokens_revoked_total{reason}`, also the stored `revoked_reason`.
    RevokeReason("reason") {
        Logout => "logout", Revoke => "revoke", PasswordChange => "password_change",
        ReuseDetected => "reuse_detected", Admin => "admin", SessionEnd => "session_end",
        EmailChange => "email_change", GoogleLink => "google_link",
    }
    /// `mita_account_unlocks_total{source}`.
    UnlockSource("source") { Expiry => "expiry", Admin => "admin", PasswordReset => "password_reset" }
    /// `mita_idempotency_replays_total{outcome}`.
    IdempotencyOutcome("outcome") { Replayed => "replayed", Conflict => "conflict", Mismatch => "mismatch" }
    /// The `service` of the external-call and circuit-breaker metrics.
    ExternalService("service") {
        OcrGoogleVision => "ocr_google_vision", OcrTesseract => "ocr_tesseract", Llm => "llm",
        GoogleOauth => "google_oauth", Smtp => "smtp", Iap => "iap",
    }
    /// `mita_external_api_requests_total{status}`.
    ExternalStatus("status") {
        Ok => "ok", Error => "error", Timeout => "timeout", CircuitOpen => "circuit_open",
    }
    /// `mita_database_errors_total{error_type}`; see [`database_error_kind`].
    DbErrorKind("error_type") {
        Unavailable => "unavailable", Busy => "busy", Constraint => "constraint", Other => "other",
    }
    /// A group of rate-limited routes: `mita_rate_limited_total{endpoint}`.
    RateLimitGroup("endpoint") {
        Login => "login", Register => "register", PasswordReset => "password_reset",
        Refresh => "refresh", ErrorReport => "error_report", ChangePassword => "change_password",
    }

    // The three below belong to `ocr`, `resilience` and `app_events`, which use `Metrics` and
    // re-export them: defined here, `Metrics` names them without an import cycle.

    /// Where an OCR job is in its life (`crate::ocr::JobStatus`).
    #[derive(Hash, PartialOrd, Ord, Serialize)]
    #[serde(rename_all = "snake_case")]
    JobStatus("status") {
        /// Waiting for a worker.
        Pending => "pending",
        /// Leased by a worker.
        Processing => "processing",
        /// Read and parsed; `result` holds the receipt.
        Completed => "completed",
        /// Given up; `error_reason` says why. The image is kept so the job can be replayed.
        Failed => "failed",
    }
    /// The state of a circuit breaker (`crate::resilience::BreakerState`).
    BreakerState("to") {
        /// Calls pass.
        Closed => "closed",
        /// Calls fail fast.
        Open => "open",
        /// A limited number of trial calls pass.
        HalfOpen => "half_open",
    }
    /// The three kinds of product-analytics event (`crate::app_events::Kind`).
    #[derive(Serialize)]
    #[serde(rename_all = "snake_case")]
    AppEventKind("kind") {
        FeatureUsage => "feature_usage", FeatureAccessAttempt => "feature_access_attempt",
        PaywallImpression => "paywall_impression",
    }
}

impl ExternalStatus {
    /// How a call that got no usable answer failed: `timeout` or `error`.
    pub fn failed(timeout: bool) -> Self {
        if timeout {
            ExternalStatus::Timeout
        } else {
            ExternalStatus::Error
        }
    }
}

impl Label for OcrEngineKind {
    const NAME: &'static str = "engine";
    const ALL: &'static [Self] = &[OcrEngineKind::Tesseract, OcrEngineKind::GoogleVision];
    fn as_str(&self) -> &'static str {
        OcrEngineKind::as_str(*self)
    }
}

/// The engine of a job that has none recorded is `none`.
impl Label for Option<OcrEngineKind> {
    const NAME: &'static str = "engine";
    const ALL: &'static [Self] = &[
        Some(OcrEngineKind::Tesseract),
        Some(OcrEngineKind::GoogleVision),
        None,
    ];
    fn as_str(&self) -> &'static str {
        self.map_or("none", OcrEngineKind::as_str)
    }
}

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
///
/// A [`Family`] takes its label names from its label type. The HTTP metrics and
/// `database_query_duration_seconds` keep string labels: their values (method, route template,
/// status code, module path) are open sets.
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    // HTTP
    pub http_requests_total: IntCounterVec,
    pub http_request_duration_seconds: HistogramVec,
    pub http_requests_in_progress: IntGaugeVec,
    // Business
    pub budget_calculations_total: Family<IntCounterVec, BudgetCalculation>,
    pub budget_calculation_duration_seconds: Family<HistogramVec, BudgetCalculation>,
    pub budget_redistributed_amount_usd: Family<HistogramVec, ()>,
    pub transaction_amount_usd: Family<HistogramVec, ()>,
    pub transactions_total: Family<IntCounterVec, TransactionOp>,
    pub active_users: IntGauge,
    pub ocr_processing_total: Family<IntCounterVec, (JobStatus, Option<OcrEngineKind>)>,
    pub ocr_processing_duration_seconds: Family<HistogramVec, OcrEngineKind>,
    pub ocr_jobs: Family<IntGaugeVec, JobStatus>,
    pub ocr_replays_total: IntCounter,
    /// Product-analytics events recorded, by `kind` (the three kinds of `app_events`).
    pub app_events_total: Family<IntCounterVec, AppEventKind>,
    // Auth and security
    pub login_attempts_total: Family<IntCounterVec, LoginResult>,
    pub account_lockouts_total: IntCounter,
    /// Audit events removed by the retention purge (`audit.retention_days`).
    pub audit_events_purged_total: IntCounter,
    pub account_unlocks_total: Family<IntCounterVec, UnlockSource>,
    pub password_hash_duration_seconds: Family<HistogramVec, ()>,
    pub password_hash_queue_depth: IntGauge,
    pub tokens_revoked_total: Family<IntCounterVec, RevokeReason>,
    pub rate_limited_total: Family<IntCounterVec, RateLimitGroup>,
    pub idempotency_replays_total: Family<IntCounterVec, IdempotencyOutcome>,
    // Database
    pub database_connections_active: IntGauge,
    pub database_connections_max: IntGauge,
    pub database_query_duration_seconds: HistogramVec,
    pub database_errors_total: Family<IntCounterVec, DbErrorKind>,
    // External services
    pub external_api_requests_total: Family<IntCounterVec, (ExternalService, ExternalStatus)>,
    pub external_api_duration_seconds: Family<HistogramVec, ExternalService>,
    pub circuit_breaker_state: Family<IntGaugeVec, ExternalService>,
    pub circuit_breaker_transitions_total: Family<IntCounterVec, (ExternalService, BreakerState)>,
    // Build
    pub build_info: Gauge,
    active: std::sync::Arc<std::sync::Mutex<ActiveUsers>>,
}

/// The `error_type` of `mita_database_errors_total` for an error that came from the database
/// (`unavailable`, `busy`, `constraint`, `other`); None for any other error.
pub fn database_error_kind(e: &Error) -> Option<DbErrorKind> {
    let Error::Database(inner) = e else {
        return None;
    };
    Some(match inner {
        sqlx::Error::Database(d) if d.is_unique_violation() || d.is_foreign_key_violation() => {
            DbErrorKind::Constraint
        }
        sqlx::Error::Database(d) if d.code().is_some_and(|c| c == "5" || c == "517") => {
            DbErrorKind::Busy
        }
        e if crate::error::is_connection_error(e) => DbErrorKind::Unavailable,
        _ => DbErrorKind::Other,
    })
}

/// Last request time per user, for `mita_active_users` (15-minute window).
#[derive(Default)]
struct ActiveUsers {
    last_seen: std::collections::HashMap<u128, i64>,
    last_prune_ms: i64,
}

const ACTIVE_WINDOW_MS: i64 = 15 * 60 * 1000;

fn register<C: Collector + Clone + 'static>(r: &Registry, c: prometheus::Result<C>) -> Result<C> {
    let c = c.map_err(internal)?;
    r.register(Box::new(c.clone())).map_err(internal)?;
    Ok(c)
}

fn counter<L: Labels>(r: &Registry, name: &str, help: &str) -> Result<Family<IntCounterVec, L>> {
    let c = IntCounterVec::new(Opts::new(name, help), L::NAMES.as_ref());
    Ok(register(r, c)?.into())
}

fn counter1(r: &Registry, name: &str, help: &str) -> Result<IntCounter> {
    register(r, IntCounter::new(name, help))
}

fn gauge<L: Labels>(r: &Registry, name: &str, help: &str) -> Result<Family<IntGaugeVec, L>> {
    let g = IntGaugeVec::new(Opts::new(name, help), L::NAMES.as_ref());
    Ok(register(r, g)?.into())
}

fn gauge1(r: &Registry, name: &str, help: &str) -> Result<IntGauge> {
    register(r, IntGauge::new(name, help))
}

fn histogram<L: Labels>(
    r: &Registry,
    name: &str,
    help: &str,
    buckets: Option<&[f64]>,
) -> Result<Family<HistogramVec, L>> {
    let mut opts = HistogramOpts::new(name, help);
    if let Some(b) = buckets {
        opts = opts.buckets(b.to_vec());
    }
    Ok(register(r, HistogramVec::new(opts, L::NAMES.as_ref()))?.into())
}

fn internal(e: prometheus::Error) -> Error {
    Error::Internal(format!("metrics: {e}"))
}

impl Metrics {
    /// Builds the registry with every metric, the process collector and `mita_build_info`.
    pub fn new() -> Result<Metrics> {
        let r = Registry::new();
        let m = Metrics {
            http_requests_total: register(
                &r,
                IntCounterVec::new(
                    Opts::new("mita_http_requests_total", "HTTP requests answered"),
                    &["method", "endpoint", "status_code"],
                ),
            )?,
            http_request_duration_seconds: register(
                &r,
                HistogramVec::new(
                    HistogramOpts::new(
                        "mita_http_request_duration_seconds",
                        "HTTP request latency",
                    )
                    .buckets(HTTP_BUCKETS.to_vec()),
                    &["method", "endpoint"],
                ),
            )?,
            http_requests_in_progress: register(
                &r,
                IntGaugeVec::new(
                    Opts::new(
                        "mita_http_requests_in_progress",
                        "HTTP requests being served",
                    ),
                    &["method", "endpoint"],
                ),
            )?,
            budget_calculations_total: counter(
                &r,
                "mita_budget_calculations_total",
                "Budget engine runs",
            )?,
            budget_calculation_duration_seconds: histogram(
                &r,
                "mita_budget_calculation_duration_seconds",
                "Budget engine run time",
                None,
            )?,
            budget_redistributed_amount_usd: histogram(
                &r,
                "mita_budget_redistributed_amount_usd",
                "Amount moved per redistribution",
                Some(AMOUNT_BUCKETS),
            )?,
            transaction_amount_usd: histogram(
                &r,
                "mita_transaction_amount_usd",
                "Transaction amounts",
                Some(AMOUNT_BUCKETS),
            )?,
            transactions_total: counter(&r, "mita_transactions_total", "Transaction writes")?,
            active_users: gauge1(
                &r,
                "mita_active_users",
                "Users with a request in the last 15 minutes",
            )?,
            ocr_processing_total: counter(&r, "mita_ocr_processing_total", "OCR jobs finished")?,
            ocr_processing_duration_seconds: histogram(
                &r,
                "mita_ocr_processing_duration_seconds",
                "OCR engine time per job",
                Some(OCR_BUCKETS),
            )?,
            ocr_jobs: gauge(&r, "mita_ocr_jobs", "OCR queue depth by state")?,
            ocr_replays_total: counter1(
                &r,
                "mita_ocr_replays_total",
                "OCR jobs re-queued by replay",
            )?,
            app_events_total: counter(
                &r,
                "mita_app_events_total",
                "Product-analytics events recorded (feature_usage, feature_access_attempt, paywall_impression)",
            )?,
            login_attempts_total: counter(
                &r,
                "mita_login_attempts_total",
                "Login attempts by result",
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
            account_unlocks_total: counter(&r, "mita_account_unlocks_total", "Accounts unlocked")?,
            password_hash_duration_seconds: histogram(
                &r,
                "mita_password_hash_duration_seconds",
                "Password hash/verify time",
                None,
            )?,
            password_hash_queue_depth: gauge1(
                &r,
                "mita_password_hash_queue_depth",
                "Password hashes waiting or running",
            )?,
            tokens_revoked_total: counter(&r, "mita_tokens_revoked_total", "Tokens revoked")?,
            rate_limited_total: counter(
                &r,
                "mita_rate_limited_total",
                "Requests refused by a rate limit",
            )?,
            idempotency_replays_total: counter(
                &r,
                "mita_idempotency_replays_total",
                "Idempotency-Key outcomes",
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
            database_query_duration_seconds: register(&r, Ok(DATABASE_QUERY_DURATION.clone()))?,
            database_errors_total: counter(&r, "mita_database_errors_total", "Database errors")?,
            external_api_requests_total: counter(
                &r,
                "mita_external_api_requests_total",
                "Calls to external services",
            )?,
            external_api_duration_seconds: histogram(
                &r,
                "mita_external_api_duration_seconds",
                "External call latency",
                None,
            )?,
            circuit_breaker_state: gauge(
                &r,
                "mita_circuit_breaker_state",
                "Circuit breaker state: 0 closed, 1 open, 2 half-open",
            )?,
            circuit_breaker_transitions_total: counter(
                &r,
                "mita_circuit_breaker_transitions_total",
                "Circuit breaker state changes",
            )?,
            build_info: {
                let opts = Opts::new("mita_build_info", "Build identity (always 1)")
                    .const_label("version", crate::build::VERSION)
                    .const_label("commit", crate::build::COMMIT);
                let g = register(&r, Gauge::with_opts(opts))?;
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

    /// Counts a budget-engine run of `kind` begun at `started`, and its duration.
    pub fn budget_calculation(&self, kind: BudgetCalculation, started: Instant) {
        self.budget_calculations_total.inc(kind);
        let secs = started.elapsed().as_secs_f64();
        self.budget_calculation_duration_seconds.observe(kind, secs);
    }

    /// Counts a created transaction and its amount.
    pub fn transaction_created(&self, amount_cents: i64) {
        self.transactions_total.inc(TransactionOp::Create);
        self.transaction_amount_usd
            .observe((), cents_as_units(amount_cents));
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
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn only_database_failures_have_a_database_error_kind() {
        let kind = |e: Error| database_error_kind(&e);
        assert_eq!(
            kind(Error::Database(sqlx::Error::PoolTimedOut)),
            Some(DbErrorKind::Unavailable)
        );
        assert_eq!(
            kind(Error::Database(sqlx::Error::Protocol("eof".into()))),
            Some(DbErrorKind::Unavailable)
        );
        assert_eq!(
            kind(Error::Database(sqlx::Error::RowNotFound)),
            Some(DbErrorKind::Other)
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

    /// Touches every value of `family` through its typed API, then checks the exposition: each
    /// label of `spec` (`metric label=value,value ...`, a histogram by its `_count`) has exactly
    /// the values listed, as `METRICS.md` and the dashboards spell them, in every combination.
    fn check<B: MetricVecBuilder, L: Labels>(
        m: &Metrics,
        family: &Family<MetricVec<B>, L>,
        spec: &str,
    ) {
        for labels in L::all() {
            family.with(labels);
        }
        let (name, labels) = spec.split_once(' ').unwrap();
        let text = m.render().unwrap();
        let prefix = format!("{name}{{");
        let series: Vec<_> = text
            .lines()
            .filter_map(|l| l.strip_prefix(&prefix))
            .collect();
        let mut combinations = 1;
        for (label, values) in labels.split(' ').filter_map(|l| l.split_once('=')) {
            let want: BTreeSet<_> = values
                .split(',')
                .map(|v| format!("{label}=\"{v}\""))
                .collect();
            let got: BTreeSet<_> = series
                .iter()
                .flat_map(|s| s.split([',', '}']))
                .filter(|pair| pair.starts_with(&format!("{label}=")))
                .map(str::to_string)
                .collect();
            assert_eq!(got, want, "{name}");
            combinations *= want.len();
        }
        assert_eq!(
            series.len(),
            combinations,
            "{name}: one series per combination"
        );
    }

    #[test]
    fn every_label_value_renders_as_the_contract_spells_it() {
        let m = Metrics::new().unwrap();
        macro_rules! expect {
            ($($family:ident: $spec:literal)*) => { $(check(&m, &m.$family, $spec);)* };
        }
        expect! {
            budget_calculations_total: "mita_budget_calculations_total kind=plan,redistribution,accrual"
            budget_calculation_duration_seconds: "mita_budget_calculation_duration_seconds_count kind=plan,redistribution,accrual"
            transactions_total: "mita_transactions_total operation=create,update,delete,recurring"
            ocr_processing_total: "mita_ocr_processing_total status=pending,processing,completed,failed engine=tesseract,google_vision,none"
            ocr_processing_duration_seconds: "mita_ocr_processing_duration_seconds_count engine=tesseract,google_vision"
            ocr_jobs: "mita_ocr_jobs status=pending,processing,completed,failed"
            app_events_total: "mita_app_events_total kind=feature_usage,feature_access_attempt,paywall_impression"
            login_attempts_total: "mita_login_attempts_total result=success,failure,locked,rate_limited"
            account_unlocks_total: "mita_account_unlocks_total source=expiry,admin,password_reset"
            tokens_revoked_total: "mita_tokens_revoked_total reason=logout,revoke,password_change,reuse_detected,admin,session_end,email_change,google_link"
            rate_limited_total: "mita_rate_limited_total endpoint=login,register,password_reset,refresh,error_report,change_password"
            idempotency_replays_total: "mita_idempotency_replays_total outcome=replayed,conflict,mismatch"
            database_errors_total: "mita_database_errors_total error_type=unavailable,busy,constraint,other"
            external_api_requests_total: "mita_external_api_requests_total service=ocr_google_vision,ocr_tesseract,llm,google_oauth,smtp,iap status=ok,error,timeout,circuit_open"
            external_api_duration_seconds: "mita_external_api_duration_seconds_count service=ocr_google_vision,ocr_tesseract,llm,google_oauth,smtp,iap"
            circuit_breaker_state: "mita_circuit_breaker_state service=ocr_google_vision,ocr_tesseract,llm,google_oauth,smtp,iap"
            circuit_breaker_transitions_total: "mita_circuit_breaker_transitions_total service=ocr_google_vision,ocr_tesseract,llm,google_oauth,smtp,iap to=closed,open,half_open"
        }
    }
}
