//! Issue 12 §1: the Grafana dashboard and the Prometheus rules in `deploy/` refer only to metric
//! names a running server exposes. The names are taken from every panel query of
//! `deploy/grafana/dashboards/*.json` and every `expr:` of `deploy/prometheus/*.yml`, and compared
//! with a live scrape of a server that did one of each thing the dashboard shows (labelled
//! series appear on first use, so the test exercises them rather than the server exporting
//! zeros: zero series would change `mita metrics`, which hides empty sections).
//!
//! promtool checks the rules' syntax and alerts (`.ci/run`); this test checks their vocabulary.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use axum::Router;
use mita::config::Limit;
use mita::testing::receipt_image::receipt_png;
use reqwest::Method;
use serde_json::{Value, json};

use crate::ocr::upload;
use crate::support::{PASSWORD, TestApp, spawn_with};

/// Series Prometheus makes itself (not on `/metrics`) that the rules may use.
const PROMETHEUS_OWN: &[&str] = &["up"];

/// PromQL words that are not metric names (aggregations may be followed by `by (...)`, so they
/// are not recognised by a `(` after them alone).
const KEYWORDS: &[&str] = &[
    "and",
    "or",
    "unless",
    "bool",
    "offset",
    "inf",
    "nan",
    "sum",
    "min",
    "max",
    "avg",
    "group",
    "stddev",
    "stdvar",
    "count",
    "count_values",
    "bottomk",
    "topk",
    "quantile",
    "limitk",
    "limit_ratio",
];

/// Modifiers followed by a parenthesised list of label names.
const LABEL_LISTS: &[&str] = &[
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
];

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("server/ is inside the workspace")
        .to_path_buf()
}

fn files(dir: &Path, extension: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == extension))
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no *.{extension} in {}", dir.display());
    out
}

/// Metric names in one PromQL expression: identifiers that are not functions, keywords,
/// aggregations or label names, outside strings, label matchers `{...}` and ranges `[...]`.
fn metric_names(expr: &str) -> BTreeSet<String> {
    // Strings, matchers and ranges go first: label values and Grafana variables live there.
    let mut plain = String::new();
    let mut chars = expr.chars();
    let mut depth = 0usize;
    while let Some(c) = chars.next() {
        match c {
            '"' | '\'' | '`' => {
                while let Some(d) = chars.next() {
                    if d == '\\' && c != '`' {
                        chars.next();
                    } else if d == c {
                        break;
                    }
                }
            }
            '{' | '[' => depth += 1,
            '}' | ']' => depth = depth.saturating_sub(1),
            _ if depth == 0 => plain.push(c),
            _ => {}
        }
    }
    let mut names = BTreeSet::new();
    let bytes: Vec<char> = plain.chars().collect();
    let mut i = 0;
    let ident_start = |c: char| c.is_ascii_alphabetic() || c == '_' || c == ':';
    let ident_part = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == ':';
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_ascii_digit() || c == '.' {
            // A number (1e3, 0.5, 14.4) or a duration (5m): skip it with its letters.
            while i < bytes.len() && (ident_part(bytes[i]) || bytes[i] == '.') {
                i += 1;
            }
            continue;
        }
        if c == '$' {
            // A Grafana variable outside brackets, e.g. `$__interval`.
            i += 1;
            while i < bytes.len() && ident_part(bytes[i]) {
                i += 1;
            }
            continue;
        }
        if !ident_start(c) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && ident_part(bytes[i]) {
            i += 1;
        }
        let word: String = bytes[start..i].iter().collect();
        let mut next = i;
        while next < bytes.len() && bytes[next].is_whitespace() {
            next += 1;
        }
        let followed_by_paren = bytes.get(next) == Some(&'(');
        let lower = word.to_ascii_lowercase();
        if LABEL_LISTS.contains(&lower.as_str()) {
            if followed_by_paren {
                while next < bytes.len() && bytes[next] != ')' {
                    next += 1;
                }
                i = next + 1;
            }
            continue;
        }
        if followed_by_paren || KEYWORDS.contains(&lower.as_str()) {
            continue;
        }
        names.insert(word);
    }
    names
}

/// Every query string of a dashboard: panel targets (also inside collapsed rows) and the
/// template variables' queries.
fn dashboard_queries(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (key, value) in map {
                match (key.as_str(), value) {
                    ("expr" | "definition", Value::String(s)) => out.push(s.clone()),
                    // A query variable: `label_values(metric, label)` names a metric too.
                    ("query", Value::String(s)) if s.starts_with("label_values(") => {
                        out.push(s.clone())
                    }
                    _ => dashboard_queries(value, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| dashboard_queries(i, out)),
        _ => {}
    }
}

/// `label_values(metric{...}, label)` → `metric{...}` (the label argument is no metric).
fn without_label_values(query: &str) -> String {
    match query.strip_prefix("label_values(") {
        Some(rest) => {
            let inner = rest.strip_suffix(')').unwrap_or(rest);
            // The metric selector is everything before the last top-level comma.
            inner
                .rsplit_once(',')
                .map_or(inner, |(selector, _)| selector)
                .to_string()
        }
        None => query.to_string(),
    }
}

/// The rules files' `expr:` values (inline, or a `|`/`>` block) and `record:` names, by hand:
/// no YAML crate is a dependency, and the rules are written in this one shape (promtool
/// checks that they are valid YAML and PromQL).
fn rules_exprs_and_records(text: &str) -> (Vec<String>, BTreeSet<String>) {
    let mut exprs = Vec::new();
    let mut records = BTreeSet::new();
    let lines: Vec<&str> = text.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let trimmed = line.trim_start().trim_start_matches("- ");
        if let Some(name) = trimmed.strip_prefix("record:") {
            records.insert(name.trim().trim_matches(['"', '\'']).to_string());
        } else if let Some(value) = trimmed.strip_prefix("expr:") {
            let value = value.trim();
            if value.starts_with('|') || value.starts_with('>') {
                let indent = line.len() - line.trim_start().len();
                let mut block = String::new();
                while i + 1 < lines.len() {
                    let next = lines[i + 1];
                    let next_indent = next.len() - next.trim_start().len();
                    if !next.trim().is_empty() && next_indent <= indent {
                        break;
                    }
                    block.push_str(next.trim());
                    block.push('\n');
                    i += 1;
                }
                exprs.push(block);
            } else {
                exprs.push(value.trim_matches(['"', '\'']).to_string());
            }
        }
        i += 1;
    }
    (exprs, records)
}

/// Metric name → where it is used, over the dashboards and the rules; and the recorded names.
fn referenced() -> (BTreeMap<String, BTreeSet<String>>, BTreeSet<String>) {
    let root = repo_root();
    let mut used: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut note = |names: BTreeSet<String>, place: &str| {
        for n in names {
            used.entry(n).or_default().insert(place.to_string());
        }
    };
    for path in files(&root.join("deploy/grafana/dashboards"), "json") {
        let text = std::fs::read_to_string(&path).unwrap();
        let dashboard: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
        assert!(
            dashboard["panels"]
                .as_array()
                .is_some_and(|p| !p.is_empty()),
            "{}: no panels",
            path.display()
        );
        let mut queries = Vec::new();
        dashboard_queries(&dashboard, &mut queries);
        assert!(queries.len() > 10, "{}: {queries:?}", path.display());
        let place = path.file_name().unwrap().to_string_lossy().to_string();
        for q in queries {
            note(metric_names(&without_label_values(&q)), &place);
        }
    }
    let mut records = BTreeSet::new();
    for path in files(&root.join("deploy/prometheus"), "yml") {
        let (exprs, recorded) = rules_exprs_and_records(&std::fs::read_to_string(&path).unwrap());
        assert!(!exprs.is_empty(), "{}: no expr", path.display());
        let place = path.file_name().unwrap().to_string_lossy().to_string();
        for e in exprs {
            note(metric_names(&e), &place);
        }
        records.extend(recorded);
    }
    (used, records)
}

/// Sample names present in an exposition, and the declared families with their types.
fn exposed(text: &str) -> (BTreeSet<String>, BTreeMap<String, String>) {
    let mut samples = BTreeSet::new();
    let mut types = BTreeMap::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let mut parts = rest.split_whitespace();
            if let (Some(name), Some(kind)) = (parts.next(), parts.next()) {
                types.insert(name.to_string(), kind.to_string());
            }
        } else if !line.starts_with('#') && !line.trim().is_empty() {
            let end = line.find(['{', ' ']).unwrap_or(line.len());
            samples.insert(line[..end].to_string());
        }
    }
    (samples, types)
}

/// The referenced names the scrape does not have, with where they are used. A histogram's
/// `_bucket`/`_sum`/`_count` belongs to its family (the name METRICS.md lists); the exact sample
/// name must be exposed too, so `rate(a_histogram[5m])` on the bare family name is caught.
fn missing(
    used: &BTreeMap<String, BTreeSet<String>>,
    records: &BTreeSet<String>,
    scrape: &str,
) -> Vec<String> {
    let (samples, types) = exposed(scrape);
    let family = |name: &str| -> String {
        for suffix in ["_bucket", "_sum", "_count"] {
            if let Some(base) = name.strip_suffix(suffix)
                && types
                    .get(base)
                    .is_some_and(|t| t == "histogram" || t == "summary")
            {
                return base.to_string();
            }
        }
        name.to_string()
    };
    used.iter()
        .filter(|(name, _)| {
            let allowed = records.contains(*name) || PROMETHEUS_OWN.contains(&name.as_str());
            let scraped = types.contains_key(&family(name)) && samples.contains(*name);
            !allowed && !scraped
        })
        .map(|(name, places)| format!("{name} (family {}, in {places:?})", family(name)))
        .collect()
}

/// Does one of each thing the dashboard shows, so that every labelled series exists.
async fn exercise(app: &TestApp) {
    // Logins: success, failure, a lockout (5 wrong passwords), locked, and then rate limited.
    app.register("dash-lock@example.com").await;
    assert_eq!(
        app.login("dash-lock@example.com", PASSWORD).await.status(),
        200
    );
    let mut statuses = Vec::new();
    for _ in 0..12 {
        let s = app
            .login("dash-lock@example.com", "Wrong-Passw0rd")
            .await
            .status();
        statuses.push(s.as_u16());
        if s == 429 {
            break;
        }
    }
    assert!(statuses.contains(&401), "{statuses:?}");
    assert_eq!(statuses.last(), Some(&429), "{statuses:?}");

    // Refresh-token reuse: rotate twice, then present the first token again.
    // (That ends the user's sessions: the later requests use another user.)
    let (_, first_refresh, _) = app.user("dash@example.com").await;
    let mut refresh = first_refresh.clone();
    for _ in 0..2 {
        let resp = app
            .post_json(
                "/api/auth/refresh-token",
                &json!({"refresh_token": refresh}),
            )
            .await;
        assert_eq!(resp.status(), 200);
        refresh = resp.json::<Value>().await.unwrap()["data"]["refresh_token"]
            .as_str()
            .unwrap()
            .to_string();
    }
    let reuse = app
        .post_json(
            "/api/auth/refresh-token",
            &json!({"refresh_token": first_refresh}),
        )
        .await;
    assert_eq!(reuse.status(), 401);

    // A plan (budget calculation `plan`) and a spend (transaction, `accrual`).
    let (token2, _, _) = app.user("dash-plan@example.com").await;
    crate::onboarding::onboard(app, &token2).await;
    let spent = app
        .authed(Method::POST, "/api/transactions", &token2)
        .json(&json!({"amount": "4.50", "category": "food", "spent_at": chrono::Utc::now().to_rfc3339()}))
        .send()
        .await
        .unwrap();
    assert_eq!(spent.status(), 201, "{}", spent.text().await.unwrap());

    // A receipt through an OCR engine that cannot run: a failed job, an external call with an
    // error, and the breaker (threshold 1) opening.
    let resp = upload(
        app,
        "/api/ocr/process?wait=true",
        &token2,
        "receipt",
        &receipt_png(&["SHOP", "TOTAL 1.00"]),
    )
    .await;
    let status = resp.status();
    let job: Value = resp.json().await.unwrap();
    assert_eq!(status, 200, "{job}");
    assert_eq!(job["data"]["status"], "failed", "{job}");
}

#[tokio::test]
async fn dashboards_and_rules_refer_only_to_metrics_the_server_exposes() {
    let (used, records) = referenced();
    // The extraction found the obvious ones (a broken extractor must not pass vacuously).
    for name in [
        "mita_http_request_duration_seconds_bucket",
        "mita_http_requests_total",
        "mita_circuit_breaker_state",
        "mita_ocr_jobs",
        "process_resident_memory_bytes",
        "mita_build_info",
        "job:mita_http_errors:ratio_rate1h",
    ] {
        assert!(used.contains_key(name), "{name} not found in {used:?}");
    }
    for not_a_metric in [
        "job", "endpoint", "le", "rate", "sum", "by", "vector", "status",
    ] {
        assert!(!used.contains_key(not_a_metric), "{not_a_metric}: {used:?}");
    }
    assert!(records.contains("job:mita_http_slow_requests:ratio_rate5m"));

    let app = spawn_with(
        |s| {
            s.ocr.tesseract_path = PathBuf::from("/nonexistent/mita-test/tesseract");
            s.ocr.breaker_failure_threshold = 1;
            s.rate_limit.enabled = true;
            s.rate_limit.login = Limit {
                max: 8,
                window_secs: 900,
            };
        },
        Router::new(),
    )
    .await;
    exercise(&app).await;
    let scrape = app.get("/metrics").await.text().await.unwrap();

    let gaps = missing(&used, &records, &scrape);
    assert!(
        gaps.is_empty(),
        "deploy/ refers to metrics /metrics does not expose:\n{}\n\nscrape:\n{scrape}",
        gaps.join("\n")
    );

    // And the check does catch a name that does not exist, or a histogram without its suffix.
    let mut bad = used.clone();
    for name in [
        "mita_no_such_metric_total",
        "mita_http_request_duration_seconds",
    ] {
        bad.insert(name.to_string(), BTreeSet::from(["probe".to_string()]));
    }
    let caught = missing(&bad, &records, &scrape);
    assert_eq!(caught.len(), 2, "{caught:?}");
}

#[test]
fn metric_names_skip_functions_labels_and_variables() {
    let names = metric_names(
        r#"histogram_quantile(0.95, sum by (endpoint, le) (rate(mita_http_request_duration_seconds_bucket{job=~"$job", le!="a{b}"}[$__rate_interval])))
           / on (job) group_left (instance) max without (status) (mita_ocr_jobs offset 5m) > bool 1e3
           and ignoring (x) up == 0 or vector(0) unless topk(3, process_resident_memory_bytes)"#,
    );
    assert_eq!(
        names.into_iter().collect::<Vec<_>>(),
        [
            "mita_http_request_duration_seconds_bucket",
            "mita_ocr_jobs",
            "process_resident_memory_bytes",
            "up"
        ]
    );
    assert_eq!(
        metric_names(&without_label_values(
            r#"label_values(mita_build_info{job=~"$job"}, instance)"#
        ))
        .into_iter()
        .collect::<Vec<_>>(),
        ["mita_build_info"]
    );
}

#[test]
fn rules_expressions_are_read_inline_and_as_blocks() {
    let (exprs, records) = rules_exprs_and_records(
        "groups:\n  - name: g\n    rules:\n      - record: a:b:c\n        expr: sum(x_total)\n      - alert: A\n        expr: |\n          y\n          / z\n        for: 5m\n",
    );
    assert_eq!(exprs, ["sum(x_total)", "y\n/ z\n"]);
    assert_eq!(records, BTreeSet::from(["a:b:c".to_string()]));
}

/// Every alert's `runbook` annotation names a section that exists in docs/operations.md (by the
/// anchor GitHub gives the heading).
#[test]
fn every_alert_has_a_runbook_section_in_operations_md() {
    let root = repo_root();
    let ops = std::fs::read_to_string(root.join("docs/operations.md")).unwrap();
    let anchors: BTreeSet<String> = ops
        .lines()
        .filter_map(|l| l.strip_prefix('#'))
        .map(|h| {
            h.trim_start_matches('#')
                .trim()
                .to_lowercase()
                .chars()
                .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
                .map(|c| if c == ' ' { '-' } else { c })
                .collect()
        })
        .collect();
    let mut alerts = 0;
    for path in files(&root.join("deploy/prometheus"), "yml") {
        let text = std::fs::read_to_string(&path).unwrap();
        let mut current: Option<String> = None;
        for line in text.lines() {
            let t = line.trim_start().trim_start_matches("- ");
            if let Some(name) = t.strip_prefix("alert:") {
                if let Some(previous) = current.take() {
                    panic!("{previous} has no runbook annotation");
                }
                current = Some(name.trim().to_string());
                alerts += 1;
            } else if let Some(link) = t.strip_prefix("runbook:") {
                let alert = current.take().expect("a runbook outside an alert");
                let link = link.trim().trim_matches('"');
                let anchor = link
                    .strip_prefix("docs/operations.md#")
                    .unwrap_or_else(|| panic!("{alert}: {link} is not docs/operations.md#…"));
                assert!(
                    anchors.contains(anchor),
                    "{alert}: no heading for #{anchor} in docs/operations.md"
                );
            }
        }
        assert!(current.is_none(), "{current:?} has no runbook annotation");
    }
    assert!(alerts >= 10, "{alerts} alerts");
}
