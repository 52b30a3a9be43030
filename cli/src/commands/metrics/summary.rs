//! The summary `mita metrics` shows, computed from two scrapes without any I/O. It serialises as
//! the `--json` output: a section is left out when the scrape has none of its metrics; inside a
//! section the keys are fixed and an unknown value is `null`.

use std::collections::BTreeMap;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use super::endpoints::{Endpoint, endpoints};
use super::generic::{CounterSeries, GaugeSeries, HistogramSeries, counters, gauges, histograms};
use super::window::{Count, Window};

/// Metrics with a section of their own; the generic sections list every other `mita_*` series.
pub const SHOWN: &[&str] = &[
    super::endpoints::REQUESTS,
    super::endpoints::DURATION,
    super::endpoints::IN_PROGRESS,
    "mita_login_attempts_total",
    "mita_account_lockouts_total",
    "mita_account_unlocks_total",
    "mita_tokens_revoked_total",
    "mita_ocr_jobs",
    "mita_ocr_processing_total",
    "mita_circuit_breaker_state",
    "mita_database_connections_active",
    "mita_database_connections_max",
    "mita_database_errors_total",
    "mita_transactions_total",
    "mita_budget_calculations_total",
    "mita_active_users",
    "mita_build_info",
];

/// Everything `mita metrics` shows.
#[derive(Debug, Serialize)]
pub struct Summary {
    /// When the second scrape was taken (RFC 3339).
    pub scraped_at: String,
    /// Seconds between the two scrapes: the window of every `per_second`.
    pub interval_seconds: f64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub endpoints: Vec<Endpoint>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth: Option<Auth>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ocr: Option<Ocr>,
    /// Service → `closed`, `open` or `half_open`.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub circuit_breakers: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database: Option<Database>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub business: Option<Business>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub process: Option<Process>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub build: Option<Build>,
    /// Every other `mita_*` counter series.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub counters: Vec<CounterSeries>,
    /// Every other `mita_*` gauge series.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub gauges: Vec<GaugeSeries>,
    /// Every other `mita_*` histogram series.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub histograms: Vec<HistogramSeries>,
}

/// Logins, lockouts, unlocks and token revocations.
#[derive(Debug, Serialize)]
pub struct Auth {
    /// By `result`.
    pub logins: BTreeMap<String, Count>,
    pub lockouts: Option<Count>,
    /// By `source`.
    pub unlocks: BTreeMap<String, Count>,
    /// By `reason`.
    pub tokens_revoked: BTreeMap<String, Count>,
}

/// The OCR queue by state and the jobs finished by status.
#[derive(Debug, Serialize)]
pub struct Ocr {
    pub queue: BTreeMap<String, f64>,
    pub processed: BTreeMap<String, Count>,
}

/// Connection pool use and errors by `error_type`.
#[derive(Debug, Serialize)]
pub struct Database {
    pub connections_active: Option<f64>,
    pub connections_max: Option<f64>,
    pub errors: BTreeMap<String, Count>,
}

/// Business counters.
#[derive(Debug, Serialize)]
pub struct Business {
    /// By `operation`.
    pub transactions: BTreeMap<String, Count>,
    /// By `kind`.
    pub budget_calculations: BTreeMap<String, Count>,
    pub active_users: Option<f64>,
}

/// The server process (Linux only: the process collector reads /proc).
#[derive(Debug, Serialize)]
pub struct Process {
    pub resident_memory_bytes: Option<f64>,
    pub resident_memory_mib: Option<f64>,
    pub cpu_seconds: Option<f64>,
    /// CPU time per second during the window (1.0 = one core busy).
    pub cpu_cores_used: Option<f64>,
    pub open_fds: Option<f64>,
    pub max_fds: Option<f64>,
    pub uptime_seconds: Option<f64>,
}

/// `mita_build_info`.
#[derive(Debug, Serialize)]
pub struct Build {
    pub version: Option<String>,
    pub commit: Option<String>,
}

impl Summary {
    /// Summarises the window; `now` is when the later scrape was taken (for the uptime).
    pub fn compute(w: &Window<'_>, now: DateTime<Utc>) -> Summary {
        Summary {
            scraped_at: now.to_rfc3339_opts(SecondsFormat::Millis, true),
            interval_seconds: w.elapsed,
            endpoints: endpoints(w),
            auth: auth(w),
            ocr: ocr(w),
            circuit_breakers: w
                .gauge_by("mita_circuit_breaker_state", "service")
                .into_iter()
                .map(|(service, state)| (service, breaker_state(state)))
                .collect(),
            database: database(w),
            business: business(w),
            process: process(w, now),
            build: build(w),
            counters: counters(w),
            gauges: gauges(w),
            histograms: histograms(w),
        }
    }
}

fn auth(w: &Window<'_>) -> Option<Auth> {
    let auth = Auth {
        logins: w.counter_by("mita_login_attempts_total", "result"),
        lockouts: w.counter("mita_account_lockouts_total"),
        unlocks: w.counter_by("mita_account_unlocks_total", "source"),
        tokens_revoked: w.counter_by("mita_tokens_revoked_total", "reason"),
    };
    let empty = auth.logins.is_empty()
        && auth.lockouts.is_none()
        && auth.unlocks.is_empty()
        && auth.tokens_revoked.is_empty();
    (!empty).then_some(auth)
}

fn ocr(w: &Window<'_>) -> Option<Ocr> {
    let ocr = Ocr {
        queue: w.gauge_by("mita_ocr_jobs", "status"),
        processed: w.counter_by("mita_ocr_processing_total", "status"),
    };
    (!ocr.queue.is_empty() || !ocr.processed.is_empty()).then_some(ocr)
}

fn breaker_state(value: f64) -> String {
    match value {
        0.0 => "closed".to_string(),
        1.0 => "open".to_string(),
        2.0 => "half_open".to_string(),
        other => format!("unknown ({other})"),
    }
}

fn database(w: &Window<'_>) -> Option<Database> {
    let db = Database {
        connections_active: w.gauge("mita_database_connections_active"),
        connections_max: w.gauge("mita_database_connections_max"),
        errors: w.counter_by("mita_database_errors_total", "error_type"),
    };
    let empty =
        db.connections_active.is_none() && db.connections_max.is_none() && db.errors.is_empty();
    (!empty).then_some(db)
}

fn business(w: &Window<'_>) -> Option<Business> {
    let business = Business {
        transactions: w.counter_by("mita_transactions_total", "operation"),
        budget_calculations: w.counter_by("mita_budget_calculations_total", "kind"),
        active_users: w.gauge("mita_active_users"),
    };
    let empty = business.transactions.is_empty()
        && business.budget_calculations.is_empty()
        && business.active_users.is_none();
    (!empty).then_some(business)
}

fn process(w: &Window<'_>, now: DateTime<Utc>) -> Option<Process> {
    let rss = w.gauge("process_resident_memory_bytes");
    let cpu = w.counter("process_cpu_seconds_total");
    let now_seconds = now.timestamp_millis() as f64 / 1000.0;
    let p = Process {
        resident_memory_bytes: rss,
        resident_memory_mib: rss.map(|b| b / (1024.0 * 1024.0)),
        cpu_seconds: cpu.map(|c| c.total),
        cpu_cores_used: cpu.map(|c| c.per_second),
        open_fds: w.gauge("process_open_fds"),
        max_fds: w.gauge("process_max_fds"),
        uptime_seconds: w
            .gauge("process_start_time_seconds")
            .map(|start| (now_seconds - start).max(0.0)),
    };
    let empty = [
        p.resident_memory_bytes,
        p.cpu_seconds,
        p.open_fds,
        p.max_fds,
        p.uptime_seconds,
    ]
    .iter()
    .all(Option::is_none);
    (!empty).then_some(p)
}

fn build(w: &Window<'_>) -> Option<Build> {
    let info = w.after.samples("mita_build_info").next()?;
    Some(Build {
        version: info.labels.get("version").cloned(),
        commit: info.labels.get("commit").cloned(),
    })
}

#[cfg(test)]
mod tests;
