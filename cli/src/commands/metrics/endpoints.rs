//! The per-endpoint HTTP view: request rate, error shares and latency percentiles.

use std::collections::BTreeMap;

use serde::Serialize;

use super::histogram::Histogram;
use super::parse::Labels;
use super::window::Window;

/// Requests answered, by method, endpoint and status code.
pub const REQUESTS: &str = "mita_http_requests_total";
/// Latency histogram, by method and endpoint.
pub const DURATION: &str = "mita_http_request_duration_seconds";
/// Requests being served, by method and endpoint.
pub const IN_PROGRESS: &str = "mita_http_requests_in_progress";

/// What a share or a percentile was computed over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Basis {
    /// The requests between the two scrapes.
    Interval,
    /// Every request since the server started (there were none in the interval).
    Cumulative,
}

/// p50, p95 and p99 estimated from histogram buckets; `null` without observations.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Quantiles {
    pub p50: Option<f64>,
    pub p95: Option<f64>,
    pub p99: Option<f64>,
}

impl Quantiles {
    /// The observations of the interval when there were any, else all of them.
    pub fn of(cumulative: &Histogram, delta: &Histogram) -> (Quantiles, Basis) {
        let (h, basis) = if delta.count > 0.0 {
            (delta, Basis::Interval)
        } else {
            (cumulative, Basis::Cumulative)
        };
        (
            Quantiles {
                p50: h.quantile(0.5),
                p95: h.quantile(0.95),
                p99: h.quantile(0.99),
            },
            basis,
        )
    }
}

/// One `method endpoint` row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Endpoint {
    pub method: String,
    /// The route template, e.g. `/api/goals/{id}`.
    pub endpoint: String,
    pub requests_per_second: f64,
    pub requests_total: f64,
    pub in_progress: Option<f64>,
    /// Share (0..=1) of 4xx answers.
    pub ratio_4xx: f64,
    /// Share (0..=1) of 5xx answers.
    pub ratio_5xx: f64,
    /// What `ratio_4xx` and `ratio_5xx` were computed over.
    pub ratios_over: Basis,
    pub latency_seconds: Quantiles,
    /// What `latency_seconds` was computed over.
    pub latency_over: Basis,
}

#[derive(Default)]
struct Tally {
    total: f64,
    total_4xx: f64,
    total_5xx: f64,
    new: f64,
    new_4xx: f64,
    new_5xx: f64,
}

fn ratio(part: f64, whole: f64) -> f64 {
    if whole > 0.0 { part / whole } else { 0.0 }
}

/// (endpoint, method): the row order, so a `--watch` screen does not reshuffle.
fn key(labels: &Labels) -> (String, String) {
    let get = |name: &str| labels.get(name).cloned().unwrap_or_default();
    (get("endpoint"), get("method"))
}

/// One row per method and endpoint seen in the requests counter or the latency histogram.
pub fn endpoints(w: &Window<'_>) -> Vec<Endpoint> {
    let mut tallies: BTreeMap<(String, String), Tally> = BTreeMap::new();
    for s in w.after.samples(REQUESTS) {
        let t = tallies.entry(key(&s.labels)).or_default();
        let new = w.increase(s);
        t.total += s.value;
        t.new += new;
        match s.labels.get("status_code").and_then(|c| c.chars().next()) {
            Some('4') => {
                t.total_4xx += s.value;
                t.new_4xx += new;
            }
            Some('5') => {
                t.total_5xx += s.value;
                t.new_5xx += new;
            }
            _ => {}
        }
    }
    let latencies: BTreeMap<_, _> = w
        .histograms(DURATION)
        .into_iter()
        .map(|(l, h)| (key(&l), h))
        .collect();
    let mut in_progress: BTreeMap<(String, String), f64> = BTreeMap::new();
    for s in w.after.samples(IN_PROGRESS) {
        *in_progress.entry(key(&s.labels)).or_default() += s.value;
    }
    for k in latencies.keys() {
        tallies.entry(k.clone()).or_default();
    }
    tallies
        .into_iter()
        .map(|(k, t)| {
            let (ratio_4xx, ratio_5xx, ratios_over) = if t.new > 0.0 {
                (
                    ratio(t.new_4xx, t.new),
                    ratio(t.new_5xx, t.new),
                    Basis::Interval,
                )
            } else {
                (
                    ratio(t.total_4xx, t.total),
                    ratio(t.total_5xx, t.total),
                    Basis::Cumulative,
                )
            };
            let empty = Histogram::default();
            let (cumulative, delta) = latencies.get(&k).map_or((&empty, &empty), |(c, d)| (c, d));
            let (latency_seconds, latency_over) = Quantiles::of(cumulative, delta);
            Endpoint {
                requests_per_second: w.rate(t.new),
                requests_total: t.total,
                in_progress: in_progress.get(&k).copied(),
                ratio_4xx,
                ratio_5xx,
                ratios_over,
                latency_seconds,
                latency_over,
                method: k.1,
                endpoint: k.0,
            }
        })
        .collect()
}
