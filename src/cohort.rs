//! Peer comparison (docs/insights.md, "Cohorts"): the caller against the other users of their
//! income tier and currency, only as aggregates over at least `cohort.min_users` (k ≥ 10) of
//! them. Below k every peer figure is absent and the answer says so; the answer is then the same
//! whatever those fewer users did, so nothing about any of them can be inferred.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::budget::allocation::tier_bounds;
use crate::budget::views::{Ctx, ratio};
use crate::db::Db;
use crate::error::Result;
use crate::fixed::Fixed;
use crate::insights::behavior::service as behavior;
use crate::insights::data::bp;
use crate::money::Money;
use crate::on_db;

/// Peer money figures are rounded to whole currency units.
const ROUND: i64 = 100;

fn rounded(cents: i64) -> Money {
    Money::from_cents(ratio(cents, 1, ROUND) * ROUND)
}

/// The caller's income tier (`GET /api/cohort/income_classification`).
#[derive(Clone, Debug, Serialize)]
pub struct Classification {
    pub monthly_income: Option<Money>,
    pub annual_income: Option<Money>,
    /// low, lower_middle, middle, upper_middle, high (null without income).
    pub tier: Option<String>,
    pub income_tier: Option<String>,
    pub tier_name: Option<String>,
    /// The tier's annual range, e.g. `36000–57600 a year`.
    pub range: Option<String>,
    pub currency: String,
}

fn tier_name(name: &str) -> String {
    crate::insights::snapshots::label(name)
}

/// K0: the tier of the profile's monthly income × 12 (tiers.toml, the budget engine's).
pub fn classify(ctx: &Ctx) -> Classification {
    let income = ctx.monthly_income();
    let tier = (income > 0)
        .then(|| tier_bounds(income.saturating_mul(12)))
        .flatten();
    Classification {
        monthly_income: (income > 0).then(|| Money::from_cents(income)),
        annual_income: (income > 0).then(|| Money::from_cents(income.saturating_mul(12))),
        tier: tier.map(|t| t.0.name.clone()),
        income_tier: tier.map(|t| t.0.name.clone()),
        tier_name: tier.map(|t| tier_name(&t.0.name)),
        range: tier.map(|(_, low, high)| match high {
            Some(h) => format!("{}–{} a year", low.max(0) / 100, h / 100),
            None => format!("above {} a year", low / 100),
        }),
        currency: ctx.user.currency.clone(),
    }
}

/// One category of the comparison (only categories in which at least k peers spent).
#[derive(Clone, Debug, Serialize)]
pub struct CategoryPeer {
    pub your_amount: Money,
    pub peer_average: Money,
}

/// The caller against their peers over a period.
#[derive(Clone, Debug, Serialize)]
pub struct Comparison {
    /// True when at least k peers spent in the period; every `peer_*` figure is null otherwise.
    pub available: bool,
    /// no_income or cohort_too_small when not available.
    pub reason: Option<&'static str>,
    pub message: String,
    pub min_users: u32,
    pub tier: Option<String>,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub your_spending: Money,
    /// Peers with spending in the period (null below k).
    pub cohort_size: Option<i64>,
    pub peer_count: Option<i64>,
    pub peer_average: Option<Money>,
    pub peer_median: Option<Money>,
    /// (Σ income − Σ spending) ÷ Σ income of those peers, 0–1.
    pub peer_savings_rate: Option<Fixed>,
    /// Share of those peers who spent less than you (ties count half), 0–100.
    pub percentile: Option<i64>,
    /// below, similar (within ±10 % of the peer average), above; insufficient_peer_data.
    pub comparison: &'static str,
    pub categories: BTreeMap<String, CategoryPeer>,
    pub insights: Vec<String>,
}

#[derive(sqlx::FromRow, mita::db::lite::LiteRow)]
struct Stats {
    n: i64,
    sum_total: i64,
    sum_income: i64,
    below: i64,
    equal: i64,
}

#[derive(sqlx::FromRow, mita::db::lite::LiteRow)]
struct CatRow {
    category: String,
    total: i64,
}

/// The peers: other users of the same currency whose income falls in the caller's tier, each
/// with their spending of `$5..=$6` (`$1` caller, `$2` currency, `$3`/`$4` annual bounds).
const PEERS: &str = "WITH peers AS (SELECT u.monthly_income_cents AS income, \
     (SELECT CAST(COALESCE(SUM(t.amount_cents), 0) AS BIGINT) FROM transactions t \
      WHERE t.user_id = u.id AND t.deleted_at IS NULL AND t.local_date >= $5 AND t.local_date <= $6) AS total \
     FROM users u WHERE u.id <> $1 AND u.currency = $2 AND u.monthly_income_cents > 0 \
     AND u.monthly_income_cents * 12 > $3 AND u.monthly_income_cents * 12 <= $4) ";

/// Compares the caller's spending of `first..=last` with their peers' (4 queries after the
/// user: the caller's spends, the peers' counts, their median, their categories).
pub async fn compare(
    db: &Db,
    ctx: &Ctx,
    k: u32,
    first: NaiveDate,
    last: NaiveDate,
) -> Result<Comparison> {
    let own = behavior::spends(db, ctx, first, last).await?;
    let mine: i64 = own.iter().map(|s| s.amount).sum();
    let mut my_cats: BTreeMap<String, i64> = BTreeMap::new();
    for s in &own {
        *my_cats.entry(s.category.as_str().to_string()).or_default() += s.amount;
    }
    let class = classify(ctx);
    let mut out = Comparison {
        available: false,
        reason: Some("no_income"),
        message: "Set your monthly income to be compared with users of your income group."
            .to_string(),
        min_users: k,
        tier: class.tier.clone(),
        period_start: first,
        period_end: last,
        your_spending: Money::from_cents(mine),
        cohort_size: None,
        peer_count: None,
        peer_average: None,
        peer_median: None,
        peer_savings_rate: None,
        percentile: None,
        comparison: "insufficient_peer_data",
        categories: BTreeMap::new(),
        insights: Vec::new(),
    };
    let income = ctx.monthly_income();
    let Some((_, low, high)) = (income > 0)
        .then(|| tier_bounds(income.saturating_mul(12)))
        .flatten()
    else {
        return Ok(out);
    };
    let high = high.unwrap_or(i64::MAX);
    let k = i64::from(k);
    let user = ctx.user.id;
    let currency = ctx.user.currency.as_str();
    let sql = sqlx::AssertSqlSafe(format!(
        "{PEERS}SELECT CAST(COUNT(*) AS BIGINT) AS n, CAST(COALESCE(SUM(total), 0) AS BIGINT) AS sum_total, \
         CAST(COALESCE(SUM(income), 0) AS BIGINT) AS sum_income, \
         CAST(COALESCE(SUM(CASE WHEN total < $7 THEN 1 ELSE 0 END), 0) AS BIGINT) AS below, \
         CAST(COALESCE(SUM(CASE WHEN total = $7 THEN 1 ELSE 0 END), 0) AS BIGINT) AS equal \
         FROM peers WHERE total > 0"
    ));
    let st: Stats = on_db!(db, pool => sqlx::query_as(sql).bind(user).bind(currency).bind(low).bind(high)
        .bind(first).bind(last).bind(mine).fetch_one(pool).await)?;
    if st.n < k {
        out.reason = Some("cohort_too_small");
        out.message = format!(
            "Fewer than {k} other users of your income group spent in this period: there is nothing to compare with yet."
        );
        return Ok(out);
    }
    let sql = sqlx::AssertSqlSafe(format!(
        "{PEERS}SELECT total FROM peers WHERE total > 0 ORDER BY total LIMIT 2 OFFSET $7"
    ));
    let middle: Vec<(i64,)> = on_db!(db, pool => sqlx::query_as(sql).bind(user).bind(currency).bind(low).bind(high)
        .bind(first).bind(last).bind((st.n - 1) / 2).fetch_all(pool).await)?;
    let median = match (st.n % 2, middle.as_slice()) {
        (0, [a, b]) => ratio(a.0 + b.0, 1, 2),
        (_, [a, ..]) => a.0,
        _ => 0,
    };
    let sql = "SELECT t.category AS category, CAST(SUM(t.amount_cents) AS BIGINT) AS total FROM transactions t JOIN users u ON u.id = t.user_id \
         WHERE u.id <> $1 AND u.currency = $2 AND u.monthly_income_cents > 0 \
         AND u.monthly_income_cents * 12 > $3 AND u.monthly_income_cents * 12 <= $4 \
         AND t.deleted_at IS NULL AND t.local_date >= $5 AND t.local_date <= $6 \
         GROUP BY t.category HAVING COUNT(DISTINCT t.user_id) >= $7 ORDER BY t.category";
    let cats: Vec<CatRow> = on_db!(db, pool => sqlx::query_as(sql).bind(user).bind(currency).bind(low).bind(high)
        .bind(first).bind(last).bind(k).fetch_all(pool).await)?;
    let average = ratio(st.sum_total, 1, st.n);
    let percentile = ratio(st.below * 2 + st.equal, 100, st.n * 2);
    let comparison = match bp(mine - average, average) {
        Some(d) if d > 1_000 => "above",
        Some(d) if d < -1_000 => "below",
        _ => "similar",
    };
    let rate_bp = bp(st.sum_income - st.sum_total, st.sum_income).unwrap_or(0);
    out.available = true;
    out.reason = None;
    out.cohort_size = Some(st.n);
    out.peer_count = Some(st.n);
    out.peer_average = Some(rounded(average));
    out.peer_median = Some(rounded(median));
    out.peer_savings_rate = Some(Fixed::new(ratio(rate_bp, 1, 100), 2));
    out.percentile = Some(percentile);
    out.comparison = comparison;
    for c in &cats {
        let avg = ratio(c.total, 1, st.n);
        out.categories.insert(
            c.category.clone(),
            CategoryPeer {
                your_amount: Money::from_cents(my_cats.get(&c.category).copied().unwrap_or(0)),
                peer_average: rounded(avg),
            },
        );
    }
    out.message = format!(
        "You spent {} against an average of {} among {} users of your income group.",
        out.your_spending,
        rounded(average),
        st.n
    );
    out.insights = insights(&out);
    Ok(out)
}

/// K2: sentences from an available comparison (none otherwise).
pub fn insights(c: &Comparison) -> Vec<String> {
    let (Some(avg), Some(median), Some(rate), Some(p)) = (
        c.peer_average,
        c.peer_median,
        c.peer_savings_rate,
        c.percentile,
    ) else {
        return Vec::new();
    };
    let mut out = vec![
        format!("Users in your income group spent {avg} on average (median {median})."),
        format!("They kept {}% of their income.", rate.units()),
        format!("{p}% of them spent less than you."),
    ];
    if let Some((cat, top)) = c
        .categories
        .iter()
        .max_by_key(|(name, v)| (v.peer_average.cents(), std::cmp::Reverse((*name).clone())))
    {
        out.push(format!(
            "Their largest category is {cat}, {} on average.",
            top.peer_average
        ));
    }
    out
}

/// K3: one recommendation per category where you spent more than 1.2 × the peer average, then
/// one when your spending is above the peer average.
pub fn recommendations(c: &Comparison) -> Vec<String> {
    let mut out: Vec<String> = c
        .categories
        .iter()
        .filter(|(_, v)| v.your_amount.cents() * 10 > v.peer_average.cents() * 12)
        .map(|(cat, v)| {
            format!(
                "Your {cat} spending of {} is more than 20% above your peers' average of {}.",
                v.your_amount, v.peer_average
            )
        })
        .collect();
    if c.comparison == "above"
        && let Some(avg) = c.peer_average
    {
        out.push(format!(
            "Bringing your spending to your peers' average would save {}.",
            Money::from_cents(c.your_spending.cents() - avg.cents())
        ));
    }
    out
}
