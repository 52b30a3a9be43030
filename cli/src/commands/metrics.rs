//! `mita metrics`: a running server's metrics at a glance.
//!
//! Scrapes `/metrics` twice, `--interval` seconds apart, and shows rates, error shares, latency
//! percentiles and the state of the server's parts (see docs/METRICS.md for the names). The
//! computation ([`summary::Summary::compute`]) is pure; this file does the fetching and printing.

mod endpoints;
mod generic;
mod histogram;
mod parse;
mod raw;
mod render;
mod summary;
mod window;

use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow};
use chrono::{DateTime, Utc};
use reqwest::{Client, StatusCode};

use crate::cli::{GlobalArgs, MetricsArgs};
use crate::exit::{self, Exit};
use crate::outln;

use parse::Scrape;
use summary::Summary;
use window::Window;

/// The metrics URL of `url`: itself when it names a path, else `<url>/metrics`.
fn metrics_url(url: &str) -> String {
    let trimmed = url.trim_end_matches('/');
    let path = trimmed
        .split_once("://")
        .map_or(trimmed, |(_, rest)| rest)
        .split_once('/')
        .map(|(_, p)| p);
    match path {
        Some(p) if !p.is_empty() => trimmed.to_string(),
        _ => format!("{trimmed}/metrics"),
    }
}

/// A bind address as a client reaches it on this machine (`0.0.0.0:8000` → `127.0.0.1:8000`).
fn local_address(bind: &str) -> String {
    match bind.rsplit_once(':') {
        Some(("0.0.0.0", port)) => format!("127.0.0.1:{port}"),
        Some(("[::]", port)) => format!("[::1]:{port}"),
        _ => bind.to_string(),
    }
}

/// How long one scrape may take.
const TIMEOUT: Duration = Duration::from_secs(5);
/// Shorter intervals measure scheduling noise rather than traffic.
const MIN_INTERVAL: f64 = 0.1;
/// Clears the terminal and moves the cursor home (ANSI).
const CLEAR: &str = "\x1b[2J\x1b[H";

/// Runs `mita metrics`.
///
/// Exit codes: 0 on success, and also when `--watch` is stopped with Ctrl-C (that is how a watch
/// is meant to end, not an interruption of work); 1 when the server cannot be read; 2 when
/// `--interval` is below 0.1 s.
pub async fn run(global: &GlobalArgs, args: &MetricsArgs) -> anyhow::Result<ExitCode> {
    let interval = interval(args.interval)?;
    let url = match &args.url {
        Some(url) => metrics_url(url),
        None => {
            let settings = super::load_settings(global, Default::default())?;
            let bind = settings
                .server
                .metrics_bind
                .as_deref()
                .unwrap_or(&settings.server.bind);
            metrics_url(&format!("http://{}", local_address(bind)))
        }
    };
    let client = Client::builder()
        .timeout(TIMEOUT)
        .build()
        .context("cannot set up the HTTP client")?;
    let source = Source {
        client,
        url: &url,
        token: args.token.as_deref(),
        filter: args.filter.as_deref(),
    };
    if args.raw {
        let text = source.text().await?;
        let text = match source.filter {
            Some(prefix) => raw::filter_exposition(&text, prefix),
            None => text,
        };
        for line in text.lines() {
            outln!("{line}");
        }
        return Ok(ExitCode::SUCCESS);
    }
    if args.watch {
        let first = source.scrape().await?;
        return tokio::select! {
            result = watch(&source, interval, first) => result,
            _ = tokio::signal::ctrl_c() => Ok(ExitCode::SUCCESS),
        };
    }
    let before = source.scrape().await?;
    tokio::time::sleep(interval).await;
    let after = source.scrape().await?;
    let summary = summarise(&before, &after);
    if args.json {
        outln!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        outln!("{}", render::render(&summary).trim_end());
    }
    Ok(ExitCode::SUCCESS)
}

fn interval(seconds: f64) -> anyhow::Result<Duration> {
    match Duration::try_from_secs_f64(seconds) {
        Ok(d) if seconds >= MIN_INTERVAL => Ok(d),
        _ => Err(Exit {
            code: exit::USAGE,
            message: format!(
                "error: --interval must be at least {MIN_INTERVAL} seconds (got {seconds})"
            ),
        }
        .into()),
    }
}

/// Redraws every `interval` until the caller stops it. A failed scrape is shown and retried, so a
/// server restart does not end the watch.
async fn watch(source: &Source<'_>, interval: Duration, first: Taken) -> anyhow::Result<ExitCode> {
    let mut previous = first;
    loop {
        tokio::time::sleep(interval).await;
        match source.scrape().await {
            Ok(current) => {
                let screen = render::render(&summarise(&previous, &current));
                let when = current.at_utc.format("%H:%M:%S");
                outln!(
                    "{CLEAR}{}  {when}  (Ctrl-C to stop)\n\n{}",
                    source.url,
                    screen.trim_end()
                );
                previous = current;
            }
            Err(e) => {
                outln!("{CLEAR}{}  (Ctrl-C to stop)", source.url);
                eprintln!("error: {e:#}; retrying every {} s", interval.as_secs_f64());
            }
        }
    }
}

/// One scrape and when it finished.
struct Taken {
    scrape: Scrape,
    at: Instant,
    at_utc: DateTime<Utc>,
}

fn summarise(before: &Taken, after: &Taken) -> Summary {
    let elapsed = after.at.duration_since(before.at).as_secs_f64();
    Summary::compute(
        &Window {
            before: &before.scrape,
            after: &after.scrape,
            elapsed,
        },
        after.at_utc,
    )
}

/// Where the metrics come from.
struct Source<'a> {
    client: Client,
    url: &'a str,
    token: Option<&'a str>,
    filter: Option<&'a str>,
}

impl Source<'_> {
    /// Fetches and parses one scrape, keeping only `--filter` families.
    async fn scrape(&self) -> anyhow::Result<Taken> {
        let text = self.text().await?;
        let (at, at_utc) = (Instant::now(), Utc::now());
        let scrape = Scrape::parse(&text)
            .with_context(|| format!("{} is not a Prometheus exposition", self.url))?;
        let scrape = match self.filter {
            Some(prefix) => scrape.with_prefix(prefix),
            None => scrape,
        };
        Ok(Taken { scrape, at, at_utc })
    }

    /// The exposition text.
    async fn text(&self) -> anyhow::Result<String> {
        let mut request = self.client.get(self.url);
        if let Some(token) = self.token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.map_err(|e| self.send_error(&e))?;
        let status = response.status();
        if !status.is_success() {
            return Err(self.status_error(status));
        }
        response
            .text()
            .await
            .with_context(|| format!("cannot read the answer of {}", self.url))
    }

    fn send_error(&self, e: &reqwest::Error) -> anyhow::Error {
        let url = self.url;
        let cause = root_cause(e);
        if e.is_builder() {
            anyhow!("invalid metrics URL {url:?}: {cause}")
        } else if e.is_timeout() {
            anyhow!("{url} did not answer within {} s", TIMEOUT.as_secs())
        } else if e.is_connect() {
            anyhow!("cannot connect to {url}: {cause} (is `mita serve` running there?)")
        } else {
            anyhow!("cannot fetch {url}: {cause}")
        }
    }

    fn status_error(&self, status: StatusCode) -> anyhow::Error {
        let url = self.url;
        match (status, self.token) {
            // The server hides /metrics behind a 404 when its METRICS_TOKEN is not presented.
            (StatusCode::NOT_FOUND, Some(_)) => anyhow!(
                "{url} answered {status}: the server answers 404 to a wrong metrics token, so check \
                 --token / MITA_METRICS_TOKEN against the server's METRICS_TOKEN (or the URL)"
            ),
            (StatusCode::NOT_FOUND, None) => anyhow!(
                "{url} answered {status}: if the server sets METRICS_TOKEN, pass it with --token or \
                 MITA_METRICS_TOKEN; otherwise check the URL (with --metrics-bind, /metrics is only \
                 served on that address)"
            ),
            (StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN, _) => {
                anyhow!("{url} answered {status}: the metrics token is missing or wrong")
            }
            _ => anyhow!("{url} answered {status}"),
        }
    }
}

/// The innermost error, e.g. "Connection refused (os error 111)" rather than reqwest's wrapper.
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = e;
    while let Some(source) = cause.source() {
        cause = source;
    }
    cause.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_urls_take_a_base_or_a_full_url_and_bind_addresses() {
        assert_eq!(metrics_url("http://h:8000"), "http://h:8000/metrics");
        assert_eq!(metrics_url("http://h:8000/"), "http://h:8000/metrics");
        assert_eq!(
            metrics_url("http://h:8000/metrics"),
            "http://h:8000/metrics"
        );
        assert_eq!(metrics_url("http://h:9100/prom"), "http://h:9100/prom");
        assert_eq!(local_address("0.0.0.0:8000"), "127.0.0.1:8000");
        assert_eq!(local_address("10.0.0.5:8000"), "10.0.0.5:8000");
    }

    fn source(token: Option<&'static str>) -> Source<'static> {
        Source {
            client: Client::new(),
            url: "http://127.0.0.1:9/metrics",
            token,
            filter: None,
        }
    }

    #[test]
    fn an_interval_below_a_tenth_of_a_second_is_a_usage_error() {
        let err = interval(0.05).unwrap_err();

        assert_eq!(
            err.downcast_ref::<Exit>().map(|e| e.code),
            Some(exit::USAGE)
        );
        assert!(interval(f64::NAN).is_err());
        assert_eq!(interval(0.25).unwrap(), Duration::from_millis(250));
    }

    #[test]
    fn a_404_says_the_metrics_token_is_the_likely_cause() {
        let with_token = source(Some("t"))
            .status_error(StatusCode::NOT_FOUND)
            .to_string();
        let without = source(None).status_error(StatusCode::NOT_FOUND).to_string();

        assert!(
            with_token.contains("404 Not Found") && with_token.contains("wrong metrics token"),
            "{with_token}"
        );
        assert!(
            without.contains("--token") && without.contains("http://127.0.0.1:9/metrics"),
            "{without}"
        );
    }

    #[tokio::test]
    async fn a_refused_connection_is_an_error_naming_the_url() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let url = format!("http://127.0.0.1:{port}/metrics");
        let source = Source {
            client: Client::new(),
            url: &url,
            token: None,
            filter: None,
        };

        let err = source.text().await.unwrap_err().to_string();

        assert!(
            err.starts_with(&format!("cannot connect to {url}: ")),
            "{err}"
        );
    }
}
