//! `report`: merges the files `run.sh` leaves in a result directory (one per database) into a
//! Markdown table on stdout and one JSON document.
//!
//! Per directory: `meta.json` (backend, machine, load), `seed.json`, `<id>.wrk.json` (written by
//! the wrk scripts' `done()`; P5b, two instances, has `P5b-1` and `P5b-2`), `<id>.oha.json` (oha's JSON output, optional), `P3.json`
//! and `P3b.json` (`login-burst`, 200 and 1000 at once), `<id>.rss` (peak VmRSS in kB during a
//! scenario), `idle-start.rss` and `idle-after.rss` (VmRSS in kB at idle after start and after the
//! load), `insert.json` and `argon2*.json` (ceilings).

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

/// Arguments of `report`.
#[derive(clap::Args, Debug)]
pub struct ReportArgs {
    /// Result directories (one per database backend).
    #[arg(long = "dir", required = true)]
    pub dirs: Vec<PathBuf>,
    /// Where to write the merged JSON.
    #[arg(long)]
    pub out: PathBuf,
}

/// The HTTP scenarios measured with wrk (id, what).
const WRK_SCENARIOS: [(&str, &str); 6] = [
    ("P0", "GET /health"),
    ("P0b", "GET / (no database; reference)"),
    ("P1", "GET /api/transactions?limit=50"),
    ("P2", "POST /api/transactions (Idempotency-Key)"),
    ("P4", "mixed 90% P1 / 10% P2"),
    ("P5", "P4's mix over 1000 connections"),
];

/// The scenario measured on two instances at once (PostgreSQL): one wrk per instance.
const TWO_INSTANCES: (&str, &str) = ("P5b", "P5 over two instances, one database");

/// Targets: (name, numerator id, ceiling key, minimum ratio). P2's target is issue 16's
/// SQLite target; PostgreSQL is held to the same.
const TARGETS: [(&str, &str, &str, f64); 3] = [
    ("P1 / P0", "P1", "P0", 0.25),
    ("P2 / insert ceiling", "P2", "insert", 0.6),
    ("P3 / argon2 ceiling", "P3", "argon2", 0.95),
];

/// Memory limits in MiB: at idle (after the load, once idle memory is released) and the peak
/// over all scenarios.
const RSS_IDLE_LIMIT_MB: f64 = 25.0;
const RSS_PEAK_LIMIT_MB: f64 = 60.0;
/// P4's p99 and P2's server CPU per create (SQLite write path).
const P4_P99_LIMIT_MS: f64 = 30.0;
const P2_CPU_LIMIT_US: f64 = 450.0;
/// A login burst's p99 may exceed the time the hashes ahead of it take by this factor.
const BURST_P99_FACTOR: f64 = 1.1;

fn read(dir: &Path, name: &str) -> Option<Value> {
    let path = dir.join(name);
    path.exists()
        .then(|| crate::read_json(&path))
        .and_then(Result::ok)
}

fn num(v: &Value, pointer: &str) -> f64 {
    v.pointer(pointer).and_then(Value::as_f64).unwrap_or(0.0)
}

/// A number `run.sh` left in `dir/name` (peak RSS in kB, CPU percent).
fn figure(dir: &Path, name: &str) -> Option<f64> {
    let text = std::fs::read_to_string(dir.join(name)).ok()?;
    text.trim().parse::<f64>().ok()
}

/// Peak server RSS in MB over the wrk and the oha measurement of a scenario.
fn rss_mb(dir: &Path, id: &str) -> Option<f64> {
    let wrk = figure(dir, &format!("{id}.rss"));
    let oha = figure(dir, &format!("{id}.oha.rss"));
    [wrk, oha]
        .into_iter()
        .flatten()
        .reduce(f64::max)
        .map(|kb| kb / 1024.0)
}

/// Server CPU (percent of one core, and microseconds per request: robust to other processes
/// sharing the core) and load-generator CPU during the throughput measurement.
fn cpu(dir: &Path, id: &str, requests: f64) -> Value {
    let per_request = figure(dir, &format!("{id}.server-cpu-s"))
        .filter(|_| requests > 0.0)
        .map(|s| s * 1e6 / requests);
    json!({"server_cpu_pct": figure(dir, &format!("{id}.server-cpu")),
           "server_cpu_us_per_request": per_request,
           "client_cpu_pct": figure(dir, &format!("{id}.client-cpu"))})
}

/// Non-2xx answers and transport errors in oha's JSON.
fn oha_failures(oha: &Value) -> (f64, f64) {
    let non2xx = oha
        .get("statusCodeDistribution")
        .and_then(Value::as_object)
        .map_or(0.0, |m| {
            m.iter()
                .filter(|(code, _)| !code.starts_with('2'))
                .map(|(_, n)| n.as_f64().unwrap_or(0.0))
                .sum()
        });
    let errors = oha
        .get("errorDistribution")
        .and_then(Value::as_object)
        .map_or(0.0, |m| m.values().filter_map(Value::as_f64).sum());
    (non2xx, errors)
}

/// One scenario row from wrk (+ oha for latency when present).
fn wrk_row(dir: &Path, id: &str, name: &str) -> Option<Value> {
    let wrk = read(dir, &format!("{id}.wrk.json"))?;
    let secs = num(&wrk, "/duration_us") / 1e6;
    let rps = num(&wrk, "/requests") / secs.max(1e-9);
    let socket = ["connect", "read", "write", "timeout"]
        .iter()
        .map(|k| num(&wrk, &format!("/{k}")))
        .sum::<f64>();
    let mut row = json!({
        "id": id, "name": name, "rps": rps, "requests": num(&wrk, "/requests"),
        "p50_ms": num(&wrk, "/p50_us") / 1e3, "p99_ms": num(&wrk, "/p99_us") / 1e3,
        "latency_source": "wrk", "non2xx": num(&wrk, "/status_errors"), "socket_errors": socket,
        "shed_503": 0, "rss_mb": rss_mb(dir, id), "cpu": cpu(dir, id, num(&wrk, "/requests")),
    });
    if let Some(oha) = read(dir, &format!("{id}.oha.json")) {
        let (non2xx, errors) = oha_failures(&oha);
        row["p50_ms"] = json!(num(&oha, "/latencyPercentiles/p50") * 1e3);
        row["p99_ms"] = json!(num(&oha, "/latencyPercentiles/p99") * 1e3);
        row["latency_source"] = json!("oha");
        row["oha_rps"] = json!(num(&oha, "/summary/requestsPerSec"));
        row["non2xx"] = json!(num(&row, "/non2xx") + non2xx);
        row["socket_errors"] = json!(socket + errors);
    }
    Some(row)
}

/// A scenario run on two instances at once, one wrk each: requests and errors add up, req/s is
/// the sum of both, p50 and p99 are the higher of the two instances (the histograms cannot be
/// merged from the summaries), RSS is per instance.
fn two_instance_row(dir: &Path, (id, name): (&str, &str)) -> Option<Value> {
    let halves: Vec<Value> = ["1", "2"]
        .iter()
        .map(|n| read(dir, &format!("{id}-{n}.wrk.json")))
        .collect::<Option<_>>()?;
    let sum = |key: &str| halves.iter().map(|w| num(w, key)).sum::<f64>();
    let max = |key: &str| halves.iter().map(|w| num(w, key)).fold(0.0, f64::max);
    let rps: f64 = halves
        .iter()
        .map(|w| num(w, "/requests") / (num(w, "/duration_us") / 1e6).max(1e-9))
        .sum();
    let socket = ["/connect", "/read", "/write", "/timeout"]
        .iter()
        .map(|k| sum(k))
        .sum::<f64>();
    let rss_each: Vec<Option<f64>> = ["1", "2"]
        .iter()
        .map(|n| figure(dir, &format!("{id}-{n}.rss")).map(|kb| kb / 1024.0))
        .collect();
    Some(json!({
        "id": id, "name": name, "rps": rps, "requests": sum("/requests"),
        "p50_ms": max("/p50_us") / 1e3, "p99_ms": max("/p99_us") / 1e3,
        "latency_source": "wrk (higher instance)", "non2xx": sum("/status_errors"),
        "socket_errors": socket, "shed_503": 0,
        "rss_mb": rss_each.iter().flatten().copied().reduce(f64::max), "rss_mb_each": rss_each,
        "cpu": cpu(dir, id, sum("/requests")),
    }))
}

fn burst_row(dir: &Path, id: &str) -> Option<Value> {
    let b = read(dir, &format!("{id}.json"))?;
    Some(json!({
        "id": id, "name": format!("login burst ({} concurrent x {})", num(&b, "/concurrency"), num(&b, "/rounds")),
        "rps": num(&b, "/rps"), "requests": num(&b, "/requests"), "p50_ms": num(&b, "/p50_ms"),
        "p99_ms": num(&b, "/p99_ms"), "max_ms": num(&b, "/max_ms"), "latency_source": "mita-bench",
        "non2xx": num(&b, "/non2xx_other"), "socket_errors": num(&b, "/transport_errors"),
        "shed_503": num(&b, "/shed_503"), "shed_without_retry_after": num(&b, "/shed_without_retry_after"),
        "retry_after_min_s": b["retry_after_min_s"], "retry_after_max_s": b["retry_after_max_s"],
        "concurrency": num(&b, "/concurrency"), "rss_mb": rss_mb(dir, id), "cpu": cpu(dir, id, num(&b, "/ok")),
    }))
}

/// One pass/fail line of the checks table.
fn check(name: String, value: f64, target: String, met: bool) -> Value {
    json!({"name": name, "value": value, "target": target, "met": met})
}

/// The checks beyond the ratios: errors, memory, the SQLite write path, the login bursts.
fn checks(dir: &Path, rows: &[Value], argon2_rate: f64) -> Vec<Value> {
    let row = |id: &str| rows.iter().find(|r| r["id"] == id);
    let non2xx: f64 = rows
        .iter()
        .map(|r| num(r, "/non2xx") + num(r, "/socket_errors"))
        .sum();
    let peak = rows
        .iter()
        .filter_map(|r| r["rss_mb"].as_f64())
        .fold(0.0, f64::max);
    let mut out = vec![check(
        "non-2xx (503 shedding in P3 excluded)".into(),
        non2xx,
        "0".into(),
        non2xx == 0.0,
    )];
    if let Some(idle) = figure(dir, "idle-after.rss").map(|kb| kb / 1024.0) {
        out.push(check(
            "server RSS MB at idle after the load".into(),
            idle,
            format!("≤ {RSS_IDLE_LIMIT_MB}"),
            idle <= RSS_IDLE_LIMIT_MB,
        ));
    }
    out.push(check(
        "peak server RSS MB over the scenarios".into(),
        peak,
        format!("≤ {RSS_PEAK_LIMIT_MB}"),
        peak <= RSS_PEAK_LIMIT_MB,
    ));
    if let Some(p4) = row("P4") {
        let p99 = num(p4, "/p99_ms");
        out.push(check(
            "P4 p99 ms".into(),
            p99,
            format!("≤ {P4_P99_LIMIT_MS}"),
            p99 <= P4_P99_LIMIT_MS,
        ));
    }
    for id in ["P5", "P5b"] {
        let Some(r) = row(id) else { continue };
        let errors = num(r, "/non2xx") + num(r, "/socket_errors");
        out.push(check(
            format!("{id}: non-2xx and socket errors"),
            errors,
            "0".into(),
            errors == 0.0,
        ));
    }
    if let Some(us) = row("P2").and_then(|r| r.pointer("/cpu/server_cpu_us_per_request")?.as_f64())
    {
        out.push(check(
            "P2 server CPU µs per create".into(),
            us,
            format!("≤ {P2_CPU_LIMIT_US}"),
            us <= P2_CPU_LIMIT_US,
        ));
    }
    for id in ["P3", "P3b"] {
        let Some(b) = row(id) else { continue };
        let n = num(b, "/concurrency");
        let missing = num(b, "/shed_without_retry_after");
        out.push(check(
            format!("{id}: 503 without Retry-After"),
            missing,
            "0".into(),
            missing == 0.0,
        ));
        if id == "P3" && argon2_rate > 0.0 {
            let shed = num(b, "/shed_503");
            out.push(check(
                format!("{id}: refused of {n} at once"),
                shed,
                "0".into(),
                shed == 0.0,
            ));
            let limit = BURST_P99_FACTOR * n / argon2_rate * 1e3;
            let p99 = num(b, "/p99_ms");
            out.push(check(
                format!("{id}: p99 ms (≤ {BURST_P99_FACTOR} × {n} / argon2 ceiling)"),
                p99,
                format!("≤ {limit:.0}"),
                p99 <= limit,
            ));
        }
    }
    out
}

/// Everything measured in one result directory.
fn backend_report(dir: &Path) -> anyhow::Result<Value> {
    let meta = read(dir, "meta.json").unwrap_or(Value::Null);
    let mut rows: Vec<Value> = WRK_SCENARIOS
        .iter()
        .filter_map(|(id, name)| wrk_row(dir, id, name))
        .collect();
    rows.extend(two_instance_row(dir, TWO_INSTANCES));
    let at = rows
        .iter()
        .position(|r| r["id"] == "P4")
        .unwrap_or(rows.len());
    for id in ["P3b", "P3"] {
        if let Some(b) = burst_row(dir, id) {
            rows.insert(at, b);
        }
    }
    let insert = read(dir, "insert.json").unwrap_or(Value::Null);
    let argon2 = read(dir, "argon2.json").unwrap_or(Value::Null);
    let rate_of = |id: &str| -> f64 {
        match id {
            "insert" => num(&insert, "/rate"),
            "argon2" => num(&argon2, "/rate"),
            _ => rows
                .iter()
                .find(|r| r["id"] == id)
                .map_or(0.0, |r| num(r, "/rps")),
        }
    };
    let ratios: Vec<Value> = TARGETS
        .iter()
        .map(|(name, a, b, min)| {
            let (x, y) = (rate_of(a), rate_of(b));
            let ratio = if y > 0.0 { x / y } else { 0.0 };
            json!({"name": name, "numerator": x, "denominator": y, "ratio": ratio, "target": min, "met": ratio >= *min})
        })
        .collect();
    let checks = checks(dir, &rows, num(&argon2, "/rate"));
    let rss_idle = |name: &str| figure(dir, name).map(|kb| kb / 1024.0);
    Ok(json!({
        "backend": meta.get("backend").cloned().unwrap_or(json!("?")), "meta": meta,
        "seed": read(dir, "seed.json"), "scenarios": rows,
        "rss_idle_mb": {"after_start": rss_idle("idle-start.rss"), "after_load": rss_idle("idle-after.rss")},
        "ceilings": {"insert": insert, "argon2": argon2, "argon2_1_thread": read(dir, "argon2-1t.json"),
                     "argon2_2_cores": read(dir, "argon2-2c.json")},
        "ratios": ratios,
        "checks": checks,
    }))
}

fn f(v: &Value, p: &str, digits: usize) -> String {
    v.pointer(p)
        .and_then(Value::as_f64)
        .map_or("–".into(), |x| format!("{x:.digits$}"))
}

fn yes(met: bool) -> &'static str {
    if met { "met" } else { "**missed**" }
}

/// Prints one backend's Markdown table, ratios and checks.
fn print_backend(r: &Value) {
    println!("\n### {}\n", r["backend"].as_str().unwrap_or("?"));
    println!(
        "| scenario | req/s | p50 ms | p99 ms | latency by | non-2xx | 503 shed | server RSS MB | server CPU % | server CPU µs/req | client CPU % |"
    );
    println!("|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|");
    for s in r["scenarios"].as_array().into_iter().flatten() {
        let non2xx = num(s, "/non2xx") + num(s, "/socket_errors");
        println!(
            "| {} {} | {} | {} | {} | {} | {non2xx} | {} | {} | {} | {} | {} |",
            s["id"].as_str().unwrap_or(""),
            s["name"].as_str().unwrap_or(""),
            f(s, "/rps", 0),
            f(s, "/p50_ms", 2),
            f(s, "/p99_ms", 2),
            s["latency_source"].as_str().unwrap_or(""),
            f(s, "/shed_503", 0),
            f(s, "/rss_mb", 1),
            f(s, "/cpu/server_cpu_pct", 0),
            f(s, "/cpu/server_cpu_us_per_request", 0),
            f(s, "/cpu/client_cpu_pct", 0),
        );
    }
    let c = &r["ceilings"];
    println!(
        "| insert ceiling ({}) | {} | {} | {} | per insert | | | | | | |",
        c["insert"]["durability"].as_str().unwrap_or("?"),
        f(c, "/insert/rate", 0),
        f(c, "/insert/p50_ms", 2),
        f(c, "/insert/p99_ms", 2),
    );
    for (key, label) in [
        ("argon2", "argon2 ceiling"),
        ("argon2_1_thread", "argon2, 1 thread (reference)"),
        ("argon2_2_cores", "argon2, 2 threads on 2 cores (reference)"),
    ] {
        if c[key].is_object() {
            println!(
                "| {label} ({} threads, {} CPU) | {} | {} | | per hash | | | | | | |",
                f(c, &format!("/{key}/threads"), 0),
                f(c, &format!("/{key}/cpus_allowed"), 0),
                f(c, &format!("/{key}/rate"), 1),
                f(c, &format!("/{key}/per_hash_p50_ms"), 1),
            );
        }
    }
    println!("\n| ratio | value | target | |\n|---|---:|---:|---|");
    for x in r["ratios"].as_array().into_iter().flatten() {
        println!(
            "| {} = {} / {} | {} | ≥ {} | {} |",
            x["name"].as_str().unwrap_or(""),
            f(x, "/numerator", 1),
            f(x, "/denominator", 1),
            f(x, "/ratio", 3),
            f(x, "/target", 2),
            yes(x["met"].as_bool().unwrap_or(false)),
        );
    }
    for k in r["checks"].as_array().into_iter().flatten() {
        println!(
            "| {} | {} | {} | {} |",
            k["name"].as_str().unwrap_or(""),
            f(k, "/value", 1),
            k["target"].as_str().unwrap_or(""),
            yes(k["met"].as_bool().unwrap_or(false))
        );
    }
    println!(
        "\nServer RSS MB at idle: {} after start, {} after the load (hashing memory and caches released).",
        f(r, "/rss_idle_mb/after_start", 1),
        f(r, "/rss_idle_mb/after_load", 1)
    );
}

/// Runs `report`.
pub fn run(args: &ReportArgs) -> anyhow::Result<()> {
    let runs = args
        .dirs
        .iter()
        .map(|d| backend_report(d))
        .collect::<anyhow::Result<Vec<_>>>()?;
    for r in &runs {
        print_backend(r);
    }
    let generated = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    crate::write_json(&args.out, &json!({"generated_at": generated, "runs": runs}))
}
