//! `login-burst` (P3): `--concurrency` logins with correct passwords sent at the same moment,
//! repeated for `--rounds`. Connections are opened before the burst (a warm-up round of
//! `GET /health`), so the burst measures logins, not TCP handshakes.
//!
//! Throughput is successful logins divided by the wall time of the rounds (first request sent to
//! last answer received). 503 answers are the server's deliberate load shedding (the expected
//! wait for a hash is beyond its budget) and are counted apart from other failures, with the
//! `Retry-After` each carried (a 503 without one is counted as a problem).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use serde_json::json;
use tokio::sync::Barrier;
use tokio::task::JoinSet;

use crate::seed::SeededUser;

/// Arguments of `login-burst`.
#[derive(clap::Args, Debug)]
pub struct BurstArgs {
    /// Base URL of the running server.
    #[arg(long)]
    pub url: String,
    /// `users.json` written by `seed` (logins cycle through these accounts).
    #[arg(long)]
    pub users_file: PathBuf,
    /// Logins sent at once.
    #[arg(long, default_value_t = 200)]
    pub concurrency: usize,
    /// Bursts to run one after the other.
    #[arg(long, default_value_t = 3)]
    pub rounds: usize,
    /// Where to write the result JSON.
    #[arg(long)]
    pub out: PathBuf,
}

/// The outcome of one login.
enum Outcome {
    Ok(Duration),
    /// A 503, and its `Retry-After` in seconds (None: missing or not a number).
    Shed(Duration, Option<u64>),
    Other(u16),
    Failed(String),
}

/// Sends `concurrency` requests produced by `make` at once (behind a barrier) and collects them.
async fn burst<F, Fut>(concurrency: usize, make: F) -> anyhow::Result<(Vec<Outcome>, Duration)>
where
    F: Fn(usize) -> Fut,
    Fut: Future<Output = Outcome> + Send + 'static,
{
    let barrier = Arc::new(Barrier::new(concurrency + 1));
    let mut set = JoinSet::new();
    for i in 0..concurrency {
        let (barrier, fut) = (barrier.clone(), make(i));
        set.spawn(async move {
            barrier.wait().await;
            fut.await
        });
    }
    barrier.wait().await;
    let started = Instant::now();
    let mut out = Vec::with_capacity(concurrency);
    while let Some(joined) = set.join_next().await {
        out.push(joined?);
    }
    Ok((out, started.elapsed()))
}

/// One login; the clock starts when the request is sent.
async fn login(client: reqwest::Client, url: Arc<String>, body: serde_json::Value) -> Outcome {
    let started = Instant::now();
    match client.post(url.as_str()).json(&body).send().await {
        Ok(resp) => {
            let status = resp.status().as_u16();
            let retry_after = resp
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok());
            // Read the body so the connection is reusable and the time covers the whole answer.
            let _ = resp.bytes().await;
            match status {
                200..=299 => Outcome::Ok(started.elapsed()),
                503 => Outcome::Shed(started.elapsed(), retry_after),
                s => Outcome::Other(s),
            }
        }
        Err(e) => Outcome::Failed(e.to_string()),
    }
}

fn millis(mut v: Vec<f64>) -> (f64, f64) {
    v.sort_by(f64::total_cmp);
    (crate::percentile(&v, 50.0), crate::percentile(&v, 99.0))
}

/// Runs `login-burst`.
pub async fn run(args: &BurstArgs) -> anyhow::Result<()> {
    let users: Vec<SeededUser> = serde_json::from_value(crate::read_json(&args.users_file)?)
        .context("users.json holds no seeded users")?;
    anyhow::ensure!(!users.is_empty(), "users.json holds no users");
    let base = args.url.trim_end_matches('/').to_string();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.concurrency)
        .build()?;
    let health = Arc::new(format!("{base}/health"));
    let login_url = Arc::new(format!("{base}/api/auth/login"));

    // Warm-up: open `concurrency` keep-alive connections.
    burst(args.concurrency, |_| {
        let (client, url) = (client.clone(), health.clone());
        async move {
            match client.get(url.as_str()).send().await {
                Ok(r) => Outcome::Other(r.status().as_u16()),
                Err(e) => Outcome::Failed(e.to_string()),
            }
        }
    })
    .await?;

    let (mut ok, mut shed, mut other, mut failed) = (Vec::new(), Vec::new(), 0usize, 0usize);
    let mut retry_after: Vec<u64> = Vec::new();
    let mut first_problem: Option<String> = None;
    let mut wall = Duration::ZERO;
    for _ in 0..args.rounds {
        let (outcomes, elapsed) = burst(args.concurrency, |i| {
            let u = &users[i % users.len()];
            let body = json!({"email": u.email, "password": u.password});
            login(client.clone(), login_url.clone(), body)
        })
        .await?;
        wall += elapsed;
        for o in outcomes {
            match o {
                Outcome::Ok(d) => ok.push(d.as_secs_f64() * 1e3),
                Outcome::Shed(d, after) => {
                    shed.push(d.as_secs_f64() * 1e3);
                    match after {
                        Some(secs) => retry_after.push(secs),
                        None => {
                            first_problem.get_or_insert("503 without Retry-After".into());
                        }
                    }
                }
                Outcome::Other(s) => {
                    other += 1;
                    first_problem.get_or_insert(format!("HTTP {s}"));
                }
                Outcome::Failed(e) => {
                    failed += 1;
                    first_problem.get_or_insert(e);
                }
            }
        }
    }
    let seconds = wall.as_secs_f64();
    let (ok_n, shed_n) = (ok.len(), shed.len());
    let ok_max = ok.iter().copied().fold(0.0, f64::max);
    let (p50, p99) = millis(ok);
    let without_retry_after = shed_n - retry_after.len();
    let (shed_p50, _) = millis(shed);
    eprintln!(
        "login-burst: {ok_n} ok, {shed_n} shed (503), {other} other, {failed} failed in {seconds:.2}s"
    );
    crate::write_json(
        &args.out,
        &json!({
            "tool": "mita-bench login-burst", "concurrency": args.concurrency, "rounds": args.rounds,
            "requests": args.concurrency * args.rounds, "ok": ok_n, "shed_503": shed_n,
            "non2xx_other": other + failed, "transport_errors": failed, "first_problem": first_problem,
            "seconds": seconds, "rps": ok_n as f64 / seconds.max(1e-9),
            "p50_ms": p50, "p99_ms": p99, "max_ms": ok_max, "shed_p50_ms": shed_p50,
            "shed_without_retry_after": without_retry_after,
            "retry_after_min_s": retry_after.iter().min(), "retry_after_max_s": retry_after.iter().max(),
        }),
    )
}
