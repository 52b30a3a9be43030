//! The summary as a few small tables under headings, for people.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use comfy_table::{CellAlignment, Table};

use super::endpoints::{Basis, Endpoint};
use super::parse::Labels;
use super::summary::{Process, Summary};
use super::window::Count;

/// The whole summary as text; empty sections are left out.
pub fn render(s: &Summary) -> String {
    let mut out = String::new();
    if !s.endpoints.is_empty() {
        let title = format!(
            "HTTP endpoints (req/s over the last {:.2} s)",
            s.interval_seconds
        );
        section(&mut out, &title, &endpoints_table(&s.endpoints));
        if s.endpoints
            .iter()
            .any(|e| e.ratios_over == Basis::Cumulative || e.latency_over == Basis::Cumulative)
        {
            out.push_str(
                "* no requests in the interval: shares and latency since the server started\n\n",
            );
        }
    }
    if let Some(a) = &s.auth {
        let mut rows = Rows::default();
        rows.counts("logins", &a.logins);
        rows.count("lockouts", "", a.lockouts);
        rows.counts("unlocks", &a.unlocks);
        rows.counts("tokens revoked", &a.tokens_revoked);
        section(&mut out, "Auth", &rows.table());
    }
    if let Some(o) = &s.ocr {
        let mut rows = Rows::default();
        for (status, depth) in &o.queue {
            rows.gauge("queue", status, Some(*depth));
        }
        rows.counts("processed", &o.processed);
        section(&mut out, "OCR", &rows.table());
    }
    if !s.circuit_breakers.is_empty() {
        let mut t = table(&["service", "state"], 2);
        for (service, state) in &s.circuit_breakers {
            t.add_row([service.as_str(), state.as_str()]);
        }
        section(&mut out, "Circuit breakers", &t);
    }
    if let Some(d) = &s.database {
        let mut rows = Rows::default();
        if d.connections_active.is_some() || d.connections_max.is_some() {
            let pool = format!("{} / {}", opt(d.connections_active), opt(d.connections_max));
            rows.0.push([
                "connections".into(),
                "active / max".into(),
                pool,
                String::new(),
            ]);
        }
        rows.counts("errors", &d.errors);
        section(&mut out, "Database", &rows.table());
    }
    if let Some(b) = &s.business {
        let mut rows = Rows::default();
        rows.counts("transactions", &b.transactions);
        rows.counts("budget calculations", &b.budget_calculations);
        rows.gauge("active users", "", b.active_users);
        section(&mut out, "Business", &rows.table());
    }
    if s.process.is_some() || s.build.is_some() {
        section(&mut out, "Process", &process_table(s));
    }
    if !s.counters.is_empty() {
        let mut t = table(&["counter", "labels", "total", "/s"], 2);
        for c in &s.counters {
            t.add_row([
                c.name.clone(),
                labels(&c.labels),
                num(c.count.total),
                rate(c.count.per_second),
            ]);
        }
        section(&mut out, "Other counters", &t);
    }
    if !s.gauges.is_empty() {
        let mut t = table(&["gauge", "labels", "value"], 2);
        for g in &s.gauges {
            t.add_row([g.name.clone(), labels(&g.labels), num(g.value)]);
        }
        section(&mut out, "Other gauges", &t);
    }
    if !s.histograms.is_empty() {
        let mut t = table(
            &["histogram", "labels", "count", "/s", "p50", "p95", "p99"],
            2,
        );
        for h in &s.histograms {
            let q = |v: Option<f64>| {
                if h.name.ends_with("_seconds") {
                    latency(v)
                } else {
                    v.map_or("-".into(), num)
                }
            };
            let (p50, p95, p99) = (q(h.quantiles.p50), q(h.quantiles.p95), q(h.quantiles.p99));
            t.add_row([
                h.name.clone(),
                labels(&h.labels),
                num(h.count),
                rate(h.per_second),
                p50,
                p95,
                p99,
            ]);
        }
        section(&mut out, "Other histograms", &t);
    }
    if out.is_empty() {
        out.push_str("No metrics to show.\n");
    }
    out
}

fn section(out: &mut String, title: &str, table: &Table) {
    let _ = write!(out, "{title}\n{table}\n\n");
}

/// A table whose columns from `right_from` on are right-aligned (numbers).
fn table(header: &[&str], right_from: usize) -> Table {
    let mut t = Table::new();
    t.load_style(comfy_table::presets::UTF8_FULL_CONDENSED);
    t.set_header(header.to_vec());
    for i in right_from..header.len() {
        if let Some(column) = t.column_mut(i) {
            column.set_cell_alignment(CellAlignment::Right);
        }
    }
    t
}

fn endpoints_table(endpoints: &[Endpoint]) -> Table {
    let mut t = table(
        &[
            "method",
            "endpoint",
            "req/s",
            "total",
            "4xx",
            "5xx",
            "p50",
            "p95",
            "p99",
            "in flight",
        ],
        2,
    );
    for e in endpoints {
        let star = |b: Basis| if b == Basis::Cumulative { "*" } else { "" };
        let (rs, ls) = (star(e.ratios_over), star(e.latency_over));
        let l = e.latency_seconds;
        t.add_row([
            e.method.clone(),
            e.endpoint.clone(),
            rate(e.requests_per_second),
            num(e.requests_total),
            format!("{}{rs}", pct(e.ratio_4xx)),
            format!("{}{rs}", pct(e.ratio_5xx)),
            format!("{}{ls}", latency(l.p50)),
            format!("{}{ls}", latency(l.p95)),
            format!("{}{ls}", latency(l.p99)),
            opt(e.in_progress),
        ]);
    }
    t
}

fn process_table(s: &Summary) -> Table {
    let mut t = Table::new();
    t.load_style(comfy_table::presets::UTF8_FULL_CONDENSED);
    if let Some(Process {
        resident_memory_mib,
        cpu_seconds,
        cpu_cores_used,
        open_fds,
        max_fds,
        uptime_seconds,
        ..
    }) = &s.process
    {
        if let Some(mib) = resident_memory_mib {
            t.add_row(["RSS".to_string(), format!("{mib:.1} MiB")]);
        }
        if let Some(cpu) = cpu_seconds {
            let busy =
                cpu_cores_used.map_or(String::new(), |c| format!(" ({:.1}% of a core)", c * 100.0));
            t.add_row(["CPU".to_string(), format!("{cpu:.2} s{busy}")]);
        }
        if open_fds.is_some() {
            t.add_row([
                "open fds".to_string(),
                format!("{} / {}", opt(*open_fds), opt(*max_fds)),
            ]);
        }
        if let Some(up) = uptime_seconds {
            t.add_row(["uptime".to_string(), duration(*up)]);
        }
    }
    if let Some(b) = &s.build {
        let version = b.version.clone().unwrap_or_else(|| "?".into());
        let commit = b.commit.clone().unwrap_or_else(|| "?".into());
        t.add_row(["build".to_string(), format!("{version} ({commit})")]);
    }
    t
}

/// Rows of `what | label | value | /s`.
#[derive(Default)]
struct Rows(Vec<[String; 4]>);

impl Rows {
    fn count(&mut self, what: &str, label: &str, count: Option<Count>) {
        if let Some(c) = count {
            self.0
                .push([what.into(), label.into(), num(c.total), rate(c.per_second)]);
        }
    }

    fn counts(&mut self, what: &str, counts: &BTreeMap<String, Count>) {
        for (label, c) in counts {
            self.count(what, label, Some(*c));
        }
    }

    fn gauge(&mut self, what: &str, label: &str, value: Option<f64>) {
        if let Some(v) = value {
            self.0
                .push([what.into(), label.into(), num(v), String::new()]);
        }
    }

    fn table(self) -> Table {
        let mut t = table(&["metric", "label", "value", "/s"], 2);
        t.add_rows(self.0);
        t
    }
}

fn labels(labels: &Labels) -> String {
    labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whole numbers without decimals, others with two.
fn num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

fn opt(v: Option<f64>) -> String {
    v.map_or("-".into(), num)
}

fn rate(v: f64) -> String {
    format!("{v:.2}")
}

fn pct(v: f64) -> String {
    format!("{:.1}%", v * 100.0)
}

fn latency(seconds: Option<f64>) -> String {
    match seconds {
        None => "-".into(),
        Some(s) if s >= 1.0 => format!("{s:.2} s"),
        Some(s) if s >= 0.01 => format!("{:.0} ms", s * 1000.0),
        Some(s) => format!("{:.2} ms", s * 1000.0),
    }
}

fn duration(seconds: f64) -> String {
    let s = seconds.max(0.0).round() as u64;
    let (d, h, m, s) = (s / 86_400, s / 3600 % 24, s / 60 % 60, s % 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{s}s"),
        (0, 0, _) => format!("{m}m {s:02}s"),
        (0, _, _) => format!("{h}h {m:02}m {s:02}s"),
        _ => format!("{d}d {h:02}h {m:02}m"),
    }
}
