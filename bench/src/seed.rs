//! `seed`: registers users through the API, onboards them (a month of plan) and posts about
//! `--transactions` spends each, spread over the current month. Writes `users.json` (emails,
//! passwords, tokens: the login burst reads it), `tokens.txt` (one access token a line: the wrk
//! scripts read it) and `seed.json` (what was seeded, and whether the plan could be built).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, bail};
use chrono::{Datelike, TimeZone, Utc};
use rand::Rng;
use serde::{Deserialize, Serialize};
use serde_json::json;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

/// The password of every seeded user (meets the strength rules, not a common password).
pub const PASSWORD: &str = "Bench-Passw0rd";

/// Categories the seeded spends use (all valid API categories).
pub const CATEGORIES: [&str; 6] = [
    "food",
    "transportation",
    "shopping",
    "groceries",
    "dining",
    "entertainment",
];

/// Arguments of `seed`.
#[derive(clap::Args, Debug)]
pub struct SeedArgs {
    /// Base URL of the running server.
    #[arg(long)]
    pub url: String,
    /// Users to create.
    #[arg(long, default_value_t = 16)]
    pub users: usize,
    /// Transactions per user.
    #[arg(long, default_value_t = 1000)]
    pub transactions: usize,
    /// Requests in flight while posting transactions.
    #[arg(long, default_value_t = 8)]
    pub concurrency: usize,
    /// Directory for users.json, tokens.txt and seed.json.
    #[arg(long)]
    pub out_dir: PathBuf,
}

/// One seeded account.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SeededUser {
    pub email: String,
    pub password: String,
    pub token: String,
}

/// Sends `body` to `url` and returns (status, parsed body or Null).
async fn post(
    client: &reqwest::Client,
    url: &str,
    token: Option<&str>,
    body: &serde_json::Value,
) -> anyhow::Result<(u16, serde_json::Value)> {
    let mut req = client.post(url).json(body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.with_context(|| format!("POST {url}"))?;
    let status = resp.status().as_u16();
    let value = resp.json().await.unwrap_or(serde_json::Value::Null);
    Ok((status, value))
}

/// The access token in a register/login answer.
pub fn access_token(body: &serde_json::Value) -> anyhow::Result<String> {
    body.pointer("/data/access_token")
        .and_then(|v| v.as_str())
        .map(str::to_string)
        .with_context(|| format!("no data.access_token in {body}"))
}

/// The onboarding answers: a comfortable income so ~1,000 small spends fit the month.
fn onboarding_body() -> serde_json::Value {
    json!({
        "income": {"monthly_income": "30000.00", "additional_income": "0"},
        "fixed_expenses": {"rent": "1500.00"},
        "spending_habits": {"dining_out_per_month": 8, "coffee_per_week": 5, "transport_per_month": 40,
                            "entertainment_per_month": 4, "clothing_per_month": 2, "travel_per_year": 2},
        "goals": {"savings_goal_amount_per_month": "1000.00"}
    })
}

/// A random spend dated between the start of this month (UTC) and now.
pub fn random_spend(rng: &mut impl Rng) -> anyhow::Result<serde_json::Value> {
    let now = Utc::now();
    let start = Utc
        .with_ymd_and_hms(now.year(), now.month(), 1, 0, 0, 0)
        .single()
        .context("start of month")?;
    let span = (now - start).num_seconds().max(1);
    let at = start + chrono::Duration::seconds(rng.random_range(0..span));
    let cents: i64 = rng.random_range(100..4_000);
    let category = CATEGORIES[rng.random_range(0..CATEGORIES.len())];
    Ok(json!({
        "amount": format!("{}.{:02}", cents / 100, cents % 100),
        "category": category,
        "spent_at": at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "description": "bench seed"
    }))
}

/// Registers and onboards one user; returns the account and whether the plan was built.
async fn register(
    client: &reqwest::Client,
    base: &str,
    email: String,
) -> anyhow::Result<(SeededUser, Result<(), String>)> {
    let (status, body) = post(
        client,
        &format!("{base}/api/auth/register"),
        None,
        &json!({"email": email, "password": PASSWORD}),
    )
    .await?;
    if status != 201 {
        bail!("register {email}: HTTP {status}: {body}");
    }
    let token = access_token(&body)?;
    let url = format!("{base}/api/onboarding/submit");
    let (status, body) = post(client, &url, Some(&token), &onboarding_body()).await?;
    let plan = if status == 200 {
        Ok(())
    } else {
        Err(format!("HTTP {status}: {body}"))
    };
    let user = SeededUser {
        email,
        password: PASSWORD.into(),
        token,
    };
    Ok((user, plan))
}

/// Runs `seed`.
pub async fn run(args: &SeedArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let base = args.url.trim_end_matches('/').to_string();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.concurrency.max(4))
        .build()?;
    let tag = Utc::now().timestamp_millis();
    let mut set = JoinSet::new();
    for i in 0..args.users {
        let (client, base) = (client.clone(), base.clone());
        set.spawn(
            async move { register(&client, &base, format!("bench-{tag}-{i}@example.com")).await },
        );
    }
    let mut users = Vec::new();
    let mut plan_error = None;
    while let Some(joined) = set.join_next().await {
        let (user, plan) = joined??;
        if let Err(e) = plan {
            plan_error.get_or_insert(e);
        }
        users.push(user);
    }
    users.sort_by(|a, b| a.email.cmp(&b.email));
    if let Some(e) = &plan_error {
        eprintln!("seed: onboarding did not answer 200 ({e}); seeding without a plan");
    }
    let registered = started.elapsed().as_secs_f64();

    let (posted, failed, first_error) = post_spends(&client, &base, &users, args).await?;
    let seconds = started.elapsed().as_secs_f64();
    eprintln!(
        "seed: {} users, {posted} transactions ({failed} failed) in {seconds:.1}s",
        users.len()
    );
    let tokens: String = users.iter().map(|u| format!("{}\n", u.token)).collect();
    std::fs::create_dir_all(&args.out_dir)?;
    std::fs::write(args.out_dir.join("tokens.txt"), tokens)?;
    crate::write_json(
        &args.out_dir.join("users.json"),
        &serde_json::to_value(&users)?,
    )?;
    crate::write_json(
        &args.out_dir.join("seed.json"),
        &json!({
            "users": users.len(), "transactions_per_user": args.transactions,
            "transactions_posted": posted, "transactions_failed": failed, "first_error": first_error,
            "plan": plan_error.is_none(), "plan_error": plan_error,
            "register_seconds": registered, "seconds": seconds,
            "post_rate": posted as f64 / (seconds - registered).max(1e-9),
        }),
    )?;
    if failed > 0 {
        bail!("{failed} seed transactions failed; first: {first_error:?}");
    }
    Ok(())
}

/// Posts `args.transactions` spends per user with `args.concurrency` requests in flight.
async fn post_spends(
    client: &reqwest::Client,
    base: &str,
    users: &[SeededUser],
    args: &SeedArgs,
) -> anyhow::Result<(usize, usize, Option<String>)> {
    let limit = Arc::new(Semaphore::new(args.concurrency.max(1)));
    let url = Arc::new(format!("{base}/api/transactions"));
    let mut set = JoinSet::new();
    for _ in 0..args.transactions {
        for user in users {
            let permit = limit.clone().acquire_owned().await?;
            let body = random_spend(&mut rand::rng())?;
            let (client, url, token) = (client.clone(), url.clone(), user.token.clone());
            set.spawn(async move {
                let _permit = permit;
                post(&client, &url, Some(&token), &body).await
            });
        }
    }
    let (mut posted, mut failed, mut first_error) = (0, 0, None);
    while let Some(joined) = set.join_next().await {
        match joined? {
            Ok((201, _)) => posted += 1,
            Ok((status, body)) => {
                failed += 1;
                first_error.get_or_insert(format!("HTTP {status}: {body}"));
            }
            Err(e) => {
                failed += 1;
                first_error.get_or_insert(format!("{e:#}"));
            }
        }
    }
    Ok((posted, failed, first_error))
}
