//! `seed`: registers users through the API, onboards them (a month of plan) and posts
//! `--transactions` spends each into the plan's days before `--today` (the server's date: with
//! `MITA_CLOCK_START` it is the same on every run). The spends follow the plan, not the calendar:
//! each is put in a (day, variable category) cell with a chance proportional to the cell's planned
//! amount, and a cell's spends add up to `--fill-percent` of its plan, so no seeded day is over
//! plan whatever the date and most later creates do not overspend either. Writes `users.json`
//! (emails, passwords, tokens: the login burst reads it), `tokens.txt` (one access token a line:
//! the wrk scripts read it), `cells.txt` (the first user's plan cells before `--today`, one
//! `date category planned_cents` a line: P2's creates draw from it, every user has the same plan)
//! and `seed.json` (what was seeded).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, bail};
use chrono::{NaiveDate, Utc};
use rand::Rng;
use serde::{Deserialize, Serialize};
use serde_json::json;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

/// The password of every seeded user (meets the strength rules, not a common password).
pub const PASSWORD: &str = "Bench-Passw0rd";

/// The plan's variable categories (the engine's donors, BUDGET.md §5), each also a transaction
/// category: the seeded and created spends go to these only.
pub const CATEGORIES: [&str; 7] = [
    "entertainment",
    "travel",
    "shopping",
    "other",
    "food",
    "transportation",
    "healthcare",
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
    /// Directory for users.json, tokens.txt, cells.txt and seed.json.
    #[arg(long)]
    pub out_dir: PathBuf,
    /// The server's date (YYYY-MM-DD; default: today in UTC): spends go to the days before it.
    #[arg(long)]
    pub today: Option<NaiveDate>,
    /// Share of each (day, category) plan cell the seeded spends use, in percent.
    #[arg(long, default_value_t = 35)]
    pub fill_percent: i64,
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

/// One (day, variable category) cell of a user's plan.
#[derive(Clone, Debug)]
struct Cell {
    date: NaiveDate,
    category: &'static str,
    planned_cents: i64,
}

/// Cents of an amount the API wrote as a number or a decimal string.
fn cents_of(v: &serde_json::Value) -> Option<i64> {
    let text = match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Number(n) => n.to_string(),
        _ => return None,
    };
    let (whole, frac) = text.split_once('.').unwrap_or((&text, ""));
    let frac = format!("{frac:0<2}");
    Some(whole.parse::<i64>().ok()? * 100 + frac.get(..2)?.parse::<i64>().ok()?)
}

/// The user's plan cells dated before `today` (GET /api/calendar/current-month).
async fn plan_cells(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    today: NaiveDate,
) -> anyhow::Result<Vec<Cell>> {
    let url = format!("{base}/api/calendar/current-month");
    let body: serde_json::Value = client
        .get(&url)
        .bearer_auth(token)
        .send()
        .await
        .with_context(|| format!("GET {url}"))?
        .json()
        .await?;
    let days = body
        .pointer("/data/calendar")
        .and_then(|c| c.as_array())
        .with_context(|| format!("no data.calendar in {body}"))?;
    let mut cells = Vec::new();
    for day in days {
        let Some(date) = day["date"]
            .as_str()
            .and_then(|d| d.parse::<NaiveDate>().ok())
        else {
            continue;
        };
        if date >= today {
            continue;
        }
        for category in CATEGORIES {
            let planned = cents_of(&day["planned_budget"][category]["planned"]).unwrap_or(0);
            if planned > 0 {
                cells.push(Cell {
                    date,
                    category,
                    planned_cents: planned,
                });
            }
        }
    }
    Ok(cells)
}

/// `n` spends over `cells`: each lands in a cell with a chance proportional to its plan, and a
/// cell's spends share `fill_percent` of its plan (random weights of 50–150 each).
fn spends_for(
    cells: &[Cell],
    n: usize,
    fill_percent: i64,
    rng: &mut impl Rng,
) -> Vec<serde_json::Value> {
    let total: i64 = cells.iter().map(|c| c.planned_cents).sum();
    if total <= 0 {
        return Vec::new();
    }
    let mut counts = vec![0usize; cells.len()];
    for _ in 0..n {
        let mut pick = rng.random_range(0..total);
        let cell = cells
            .iter()
            .position(|c| {
                pick -= c.planned_cents;
                pick < 0
            })
            .unwrap_or(cells.len() - 1);
        counts[cell] += 1;
    }
    let mut out = Vec::with_capacity(n);
    for (cell, &k) in cells.iter().zip(&counts) {
        if k == 0 {
            continue;
        }
        let target = cell.planned_cents * fill_percent / 100;
        let weights: Vec<i64> = (0..k).map(|_| rng.random_range(50..=150)).collect();
        let sum: i64 = weights.iter().sum();
        for w in weights {
            let cents = (target * w / sum).max(1);
            out.push(json!({
                "amount": format!("{}.{:02}", cents / 100, cents % 100),
                "category": cell.category,
                "spent_at": format!("{}T12:00:00Z", cell.date),
                "description": "bench seed"
            }));
        }
    }
    out
}

/// `cells.txt`: one `date category planned_cents` line per plan cell.
fn cell_lines(cells: &[Cell]) -> String {
    cells
        .iter()
        .map(|c| format!("{} {} {}\n", c.date, c.category, c.planned_cents))
        .collect()
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
    let registered = started.elapsed().as_secs_f64();

    if let Some(e) = &plan_error {
        bail!(
            "seed: onboarding did not answer 200 ({e}): the spends follow the plan, so there must be one"
        );
    }
    let today = args.today.unwrap_or_else(|| Utc::now().date_naive());
    let mut spends = Vec::with_capacity(users.len());
    let mut first_cells = Vec::new();
    for user in &users {
        let cells = plan_cells(&client, &base, &user.token, today).await?;
        if cells.is_empty() {
            bail!(
                "seed: no plan day before {today} (use --today / MITA_CLOCK_START after the 1st)"
            );
        }
        spends.push(spends_for(
            &cells,
            args.transactions,
            args.fill_percent,
            &mut rand::rng(),
        ));
        if first_cells.is_empty() {
            first_cells = cells;
        }
    }
    let (posted, failed, first_error) = post_spends(&client, &base, &users, spends, args).await?;
    let seconds = started.elapsed().as_secs_f64();
    eprintln!(
        "seed: {} users, {posted} transactions ({failed} failed) in {seconds:.1}s",
        users.len()
    );
    let tokens: String = users.iter().map(|u| format!("{}\n", u.token)).collect();
    std::fs::create_dir_all(&args.out_dir)?;
    std::fs::write(args.out_dir.join("tokens.txt"), tokens)?;
    std::fs::write(args.out_dir.join("cells.txt"), cell_lines(&first_cells))?;
    crate::write_json(
        &args.out_dir.join("users.json"),
        &serde_json::to_value(&users)?,
    )?;
    crate::write_json(
        &args.out_dir.join("seed.json"),
        &json!({
            "users": users.len(), "transactions_per_user": args.transactions,
            "today": today.to_string(), "fill_percent": args.fill_percent,
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

/// Posts each user's spends (`spends[i]` for `users[i]`, interleaved across users) with
/// `args.concurrency` requests in flight.
async fn post_spends(
    client: &reqwest::Client,
    base: &str,
    users: &[SeededUser],
    spends: Vec<Vec<serde_json::Value>>,
    args: &SeedArgs,
) -> anyhow::Result<(usize, usize, Option<String>)> {
    let limit = Arc::new(Semaphore::new(args.concurrency.max(1)));
    let url = Arc::new(format!("{base}/api/transactions"));
    let mut set = JoinSet::new();
    let longest = spends.iter().map(Vec::len).max().unwrap_or(0);
    for i in 0..longest {
        for (user, list) in users.iter().zip(&spends) {
            let Some(body) = list.get(i).cloned() else {
                continue;
            };
            let permit = limit.clone().acquire_owned().await?;
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
