use chrono::TimeZone;
use serde_json::{Value, json};

use super::*;
use crate::commands::metrics::endpoints::Basis;
use crate::commands::metrics::parse::Scrape;
use crate::commands::metrics::render::render;

/// One exposition as the server writes it; the arguments are what changes between scrapes.
fn exposition(
    goals: [f64; 2],
    goal_buckets: [f64; 3],
    logins: f64,
    cpu: f64,
    limited: f64,
    now: i64,
) -> String {
    let [ok, not_found] = goals;
    let [fast, slow, all] = goal_buckets;
    let start = now - 3600;
    format!(
        r#"# TYPE mita_http_requests_total counter
mita_http_requests_total{{endpoint="/api/goals/{{id}}",method="GET",status_code="200"}} {ok}
mita_http_requests_total{{endpoint="/api/goals/{{id}}",method="GET",status_code="404"}} {not_found}
mita_http_requests_total{{endpoint="/health",method="GET",status_code="200"}} 50
mita_http_requests_total{{endpoint="/health",method="GET",status_code="503"}} 50
# TYPE mita_http_request_duration_seconds histogram
mita_http_request_duration_seconds_bucket{{endpoint="/api/goals/{{id}}",method="GET",le="0.01"}} {fast}
mita_http_request_duration_seconds_bucket{{endpoint="/api/goals/{{id}}",method="GET",le="0.1"}} {slow}
mita_http_request_duration_seconds_bucket{{endpoint="/api/goals/{{id}}",method="GET",le="+Inf"}} {all}
mita_http_request_duration_seconds_sum{{endpoint="/api/goals/{{id}}",method="GET"}} 1.5
mita_http_request_duration_seconds_count{{endpoint="/api/goals/{{id}}",method="GET"}} {all}
mita_http_request_duration_seconds_bucket{{endpoint="/health",method="GET",le="0.01"}} 100
mita_http_request_duration_seconds_bucket{{endpoint="/health",method="GET",le="0.1"}} 100
mita_http_request_duration_seconds_bucket{{endpoint="/health",method="GET",le="+Inf"}} 100
mita_http_request_duration_seconds_sum{{endpoint="/health",method="GET"}} 0.2
mita_http_request_duration_seconds_count{{endpoint="/health",method="GET"}} 100
# TYPE mita_login_attempts_total counter
mita_login_attempts_total{{result="success"}} {logins}
# TYPE mita_circuit_breaker_state gauge
mita_circuit_breaker_state{{service="llm"}} 1
mita_circuit_breaker_state{{service="smtp"}} 0
# TYPE mita_database_connections_active gauge
mita_database_connections_active 2
# TYPE mita_database_connections_max gauge
mita_database_connections_max 10
# TYPE mita_rate_limited_total counter
mita_rate_limited_total{{endpoint="/api/auth/login"}} {limited}
# TYPE mita_build_info gauge
mita_build_info{{commit="abc1234",version="0.1.0"}} 1
# TYPE process_cpu_seconds_total counter
process_cpu_seconds_total {cpu}
# TYPE process_resident_memory_bytes gauge
process_resident_memory_bytes 104857600
# TYPE process_start_time_seconds gauge
process_start_time_seconds {start}
"#
    )
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 1, 2, 3, 4, 5).unwrap()
}

/// Two scrapes 2 s apart: 20 goal requests (4 of them 404), none on /health.
fn scrapes() -> (Scrape, Scrape) {
    let t = now().timestamp();
    let before = exposition([100.0, 10.0], [60.0, 100.0, 110.0], 10.0, 10.0, 3.0, t);
    let after = exposition([116.0, 14.0], [64.0, 120.0, 130.0], 14.0, 11.0, 5.0, t);
    (
        Scrape::parse(&before).unwrap(),
        Scrape::parse(&after).unwrap(),
    )
}

fn summary_of(before: &Scrape, after: &Scrape) -> Summary {
    Summary::compute(
        &Window {
            before,
            after,
            elapsed: 2.0,
        },
        now(),
    )
}

/// An object's keys, sorted (whatever order serde_json keeps them in).
fn keys(value: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    keys
}

fn assert_close(actual: Option<f64>, expected: f64) {
    let actual = actual.unwrap();
    assert!(
        (actual - expected).abs() < 1e-9,
        "expected {expected}, got {actual}"
    );
}

#[test]
fn endpoint_rates_and_error_shares_come_from_the_interval() {
    let (before, after) = scrapes();

    let s = summary_of(&before, &after);

    let goals = &s.endpoints[0];
    assert_eq!(
        (goals.method.as_str(), goals.endpoint.as_str()),
        ("GET", "/api/goals/{id}")
    );
    assert_eq!(goals.requests_per_second, 10.0);
    assert_eq!(goals.requests_total, 130.0);
    assert_eq!((goals.ratio_4xx, goals.ratio_5xx), (0.2, 0.0));
    assert_eq!(
        (goals.ratios_over, goals.latency_over),
        (Basis::Interval, Basis::Interval)
    );
    // The interval's buckets are 4 <= 0.01 s, 20 <= 0.1 s: p50 is rank 10, 6 of 16 into (0.01, 0.1].
    assert_close(goals.latency_seconds.p50, 0.01 + 0.09 * 6.0 / 16.0);
    assert_close(goals.latency_seconds.p95, 0.01 + 0.09 * 15.0 / 16.0);
    assert_close(goals.latency_seconds.p99, 0.01 + 0.09 * 15.8 / 16.0);
}

#[test]
fn an_endpoint_without_requests_in_the_interval_reports_cumulative_shares() {
    let (before, after) = scrapes();

    let s = summary_of(&before, &after);

    let health = &s.endpoints[1];
    assert_eq!(health.endpoint, "/health");
    assert_eq!(health.requests_per_second, 0.0);
    assert_eq!((health.ratio_4xx, health.ratio_5xx), (0.0, 0.5));
    assert_eq!(
        (health.ratios_over, health.latency_over),
        (Basis::Cumulative, Basis::Cumulative)
    );
    assert_close(health.latency_seconds.p50, 0.005);
}

#[test]
fn json_output_has_stable_keys_and_numbers_as_numbers() {
    let (before, after) = scrapes();

    let json = serde_json::to_value(summary_of(&before, &after)).unwrap();

    assert_eq!(
        keys(&json),
        [
            "auth",
            "build",
            "circuit_breakers",
            "counters",
            "database",
            "endpoints",
            "interval_seconds",
            "process",
            "scraped_at"
        ]
    );
    assert_eq!(
        keys(&json["endpoints"][0]),
        [
            "endpoint",
            "in_progress",
            "latency_over",
            "latency_seconds",
            "method",
            "ratio_4xx",
            "ratio_5xx",
            "ratios_over",
            "requests_per_second",
            "requests_total"
        ]
    );
    assert!(json["endpoints"][0]["latency_seconds"]["p50"].is_f64());
    assert_eq!(json["scraped_at"], "2025-01-02T03:04:05.000Z");
    assert_eq!(json["interval_seconds"], 2.0);
    assert_eq!(json["endpoints"][0]["requests_per_second"], 10.0);
    assert_eq!(json["endpoints"][1]["ratios_over"], "cumulative");
    assert_eq!(json["endpoints"][0]["in_progress"], Value::Null);
    assert_eq!(
        json["auth"]["logins"]["success"],
        json!({"total": 14.0, "per_second": 2.0})
    );
    assert_eq!(json["auth"]["lockouts"], Value::Null);
    assert_eq!(
        json["circuit_breakers"],
        json!({"llm": "open", "smtp": "closed"})
    );
    assert_eq!(
        json["database"],
        json!({"connections_active": 2.0, "connections_max": 10.0, "errors": {}})
    );
    assert_eq!(
        json["counters"],
        json!([{"name": "mita_rate_limited_total", "labels": {"endpoint": "/api/auth/login"}, "total": 5.0, "per_second": 1.0}])
    );
    assert_eq!(
        json["build"],
        json!({"version": "0.1.0", "commit": "abc1234"})
    );
    assert_eq!(json["process"]["resident_memory_mib"], 100.0);
    assert_eq!(json["process"]["cpu_cores_used"], 0.5);
    assert_eq!(json["process"]["uptime_seconds"], 3600.0);
}

#[test]
fn sections_for_metrics_absent_from_the_scrape_are_left_out() {
    let scrape = Scrape::parse("# TYPE process_open_fds gauge\nprocess_open_fds 9\n").unwrap();

    let json = serde_json::to_value(summary_of(&scrape, &scrape)).unwrap();

    assert_eq!(keys(&json), ["interval_seconds", "process", "scraped_at"]);
}

#[test]
fn a_filter_prefix_restricts_the_summary_to_matching_metrics() {
    let (before, after) = scrapes();

    let s = summary_of(
        &before.with_prefix("mita_http"),
        &after.with_prefix("mita_http"),
    );

    assert_eq!(s.endpoints.len(), 2);
    assert!(s.auth.is_none() && s.process.is_none() && s.build.is_none() && s.counters.is_empty());
}

#[test]
fn metrics_without_a_section_of_their_own_land_in_the_generic_sections() {
    let text = "# TYPE mita_ocr_replays_total counter\nmita_ocr_replays_total 4\n\
        # TYPE mita_password_hash_queue_depth gauge\nmita_password_hash_queue_depth 2\n\
        # TYPE mita_new_seconds histogram\nmita_new_seconds_bucket{le=\"1\"} 2\n\
        mita_new_seconds_bucket{le=\"+Inf\"} 2\nmita_new_seconds_sum 1\nmita_new_seconds_count 2\n";
    let scrape = Scrape::parse(text).unwrap();

    let s = summary_of(&scrape, &scrape);

    assert_eq!(s.counters[0].name, "mita_ocr_replays_total");
    assert_eq!(s.gauges[0].value, 2.0);
    assert_eq!(s.histograms[0].name, "mita_new_seconds");
    assert_close(s.histograms[0].quantiles.p50, 0.5);
}

#[test]
fn the_table_output_has_a_heading_per_present_section() {
    let (before, after) = scrapes();

    let text = render(&summary_of(&before, &after));

    for heading in [
        "HTTP endpoints",
        "Auth",
        "Circuit breakers",
        "Database",
        "Process",
        "Other counters",
    ] {
        assert!(text.contains(heading), "missing {heading} in\n{text}");
    }
    assert!(!text.contains("OCR"));
    assert!(
        text.contains("/api/goals/{id}")
            && text.contains("100.0 MiB")
            && text.contains("1h 00m 00s")
    );
}
