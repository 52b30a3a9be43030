//! Month-to-date figures from the transactions and goal statistics, shared by the dashboard,
//! its quick stats and analytics.

use std::collections::BTreeMap;

use chrono::{Datelike, Months, NaiveDate};
use serde::Serialize;

use super::{Ctx, money, ratio};
use crate::budget::category::{PlanCategory, TxCategory};
use crate::db::Db;
use crate::error::Result;
use crate::id::Id;
use crate::money::Money;
use crate::on_db;
use crate::time::day_start_ms;

/// The instants (epoch ms) bounding the user's current month and today: `[month_start,
/// month_end)` and `[today_start, today_end)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bounds {
    pub month_start: i64,
    pub month_end: i64,
    pub today_start: i64,
    pub today_end: i64,
}

impl Bounds {
    /// The bounds of `ctx.today` and its month in the user's timezone.
    pub fn of(ctx: &Ctx) -> Bounds {
        let first = ctx.today.with_day(1).unwrap_or(ctx.today);
        let next = first.checked_add_months(Months::new(1)).unwrap_or(first);
        let tomorrow = ctx.today.succ_opt().unwrap_or(ctx.today);
        Bounds {
            month_start: day_start_ms(first, ctx.tz),
            month_end: day_start_ms(next, ctx.tz),
            today_start: day_start_ms(ctx.today, ctx.tz),
            today_end: day_start_ms(tomorrow, ctx.tz),
        }
    }
}

/// Σ of the non-deleted transactions this (user-local) month and today (1 query).
pub async fn month_and_today_spent(db: &Db, user: Id, b: Bounds) -> Result<(i64, i64)> {
    Ok(on_db!(db, pool => sqlx::query_as::<_, (i64, i64)>(
        "SELECT CAST(COALESCE(SUM(amount_cents), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN spent_at >= $4 AND spent_at < $5 THEN amount_cents ELSE 0 END), 0) AS BIGINT) \
         FROM transactions WHERE user_id = $1 AND deleted_at IS NULL AND spent_at >= $2 AND spent_at < $3")
        .bind(user).bind(b.month_start).bind(b.month_end).bind(b.today_start).bind(b.today_end)
        .fetch_one(pool).await)?)
}

/// Σ of the non-deleted transactions per transaction category over `[start, end)` (1 query).
pub async fn spent_by_category(
    db: &Db,
    user: Id,
    start: i64,
    end: i64,
) -> Result<BTreeMap<String, i64>> {
    let rows: Vec<(String, i64)> = on_db!(db, pool => sqlx::query_as(
        "SELECT category, CAST(COALESCE(SUM(amount_cents), 0) AS BIGINT) FROM transactions \
         WHERE user_id = $1 AND deleted_at IS NULL AND spent_at >= $2 AND spent_at < $3 GROUP BY category")
        .bind(user).bind(start).bind(end).fetch_all(pool).await)?;
    Ok(rows.into_iter().collect())
}

/// Counts and sums over the user's goals (soft-deleted goals excluded).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, sqlx::FromRow, mita::db::lite::LiteRow,
)]
pub struct GoalStats {
    pub total: i64,
    pub active: i64,
    pub completed: i64,
    pub paused: i64,
    /// Active goals at 80 % of their target or more.
    pub near_completion: i64,
    /// Active goals whose target date has passed.
    pub overdue: i64,
    #[serde(skip)]
    pub target_cents: i64,
    #[serde(skip)]
    pub saved_cents: i64,
}

/// Goal statistics of a user as of `today` (1 query).
pub async fn goal_stats(db: &Db, user: Id, today: NaiveDate) -> Result<GoalStats> {
    Ok(on_db!(db, pool => sqlx::query_as::<_, GoalStats>(
        "SELECT CAST(COUNT(*) AS BIGINT) AS total, \
         CAST(COALESCE(SUM(CASE WHEN status = 'active' THEN 1 ELSE 0 END), 0) AS BIGINT) AS active, \
         CAST(COALESCE(SUM(CASE WHEN status = 'completed' THEN 1 ELSE 0 END), 0) AS BIGINT) AS completed, \
         CAST(COALESCE(SUM(CASE WHEN status = 'paused' THEN 1 ELSE 0 END), 0) AS BIGINT) AS paused, \
         CAST(COALESCE(SUM(CASE WHEN status = 'active' AND saved_amount_cents * 100 >= target_amount_cents * 80 \
              THEN 1 ELSE 0 END), 0) AS BIGINT) AS near_completion, \
         CAST(COALESCE(SUM(CASE WHEN status = 'active' AND target_date IS NOT NULL AND target_date < $2 \
              THEN 1 ELSE 0 END), 0) AS BIGINT) AS overdue, \
         CAST(COALESCE(SUM(target_amount_cents), 0) AS BIGINT) AS target_cents, \
         CAST(COALESCE(SUM(saved_amount_cents), 0) AS BIGINT) AS saved_cents \
         FROM goals WHERE user_id = $1 AND deleted_at IS NULL")
        .bind(user).bind(today).fetch_one(pool).await)?)
}

/// `goals_stats` of the quick stats.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct GoalsStats {
    pub total_goals: i64,
    pub active_goals: i64,
    pub completed_goals: i64,
    pub paused_goals: i64,
    pub near_completion: i64,
    pub overdue_goals: i64,
    pub total_target_amount: Money,
    pub total_saved_amount: Money,
}

/// The largest spending category of the month.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct TopCategory {
    /// A plan category (BUDGET.md §1), or `none` when nothing was spent.
    pub name: String,
    pub amount: Money,
}

/// `GET /api/dashboard/quick-stats`.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct QuickStats {
    pub monthly_spending: Money,
    /// Month-to-date spending ÷ days elapsed (today included), rounded to the cent.
    pub daily_average: Money,
    pub top_category: TopCategory,
    /// `savings_amount ÷ income × 100`, a percent with two decimals (0 without an income).
    pub savings_rate: Money,
    /// Monthly income − month-to-date spending.
    pub savings_amount: Money,
    pub goals_stats: GoalsStats,
}

/// Quick stats of the user's current month (2 queries).
pub async fn quick_stats(db: &Db, ctx: &Ctx) -> Result<QuickStats> {
    let b = Bounds::of(ctx);
    let by_tx = spent_by_category(db, ctx.user.id, b.month_start, b.month_end).await?;
    let goals = goal_stats(db, ctx.user.id, ctx.today).await?;
    let mut by_plan: BTreeMap<PlanCategory, i64> = BTreeMap::new();
    for (category, cents) in &by_tx {
        let plan = category
            .parse::<TxCategory>()
            .map(TxCategory::plan)
            .unwrap_or(PlanCategory::Other);
        *by_plan.entry(plan).or_default() += cents;
    }
    let monthly: i64 = by_plan.values().sum();
    // Largest amount; ties go to the first category in plan order.
    let top = by_plan
        .iter()
        .fold(None::<(PlanCategory, i64)>, |best, (c, v)| match best {
            Some((_, b)) if b >= *v => best,
            _ => Some((*c, *v)),
        });
    let income = ctx.monthly_income();
    let savings = income - monthly;
    Ok(QuickStats {
        monthly_spending: money(monthly),
        daily_average: money(ratio(monthly, 1, i64::from(ctx.today.day()))),
        top_category: match top {
            Some((c, v)) => TopCategory {
                name: c.as_str().into(),
                amount: money(v),
            },
            None => TopCategory {
                name: "none".into(),
                amount: Money::ZERO,
            },
        },
        savings_rate: money(ratio(savings, 10_000, income)),
        savings_amount: money(savings),
        goals_stats: GoalsStats {
            total_goals: goals.total,
            active_goals: goals.active,
            completed_goals: goals.completed,
            paused_goals: goals.paused,
            near_completion: goals.near_completion,
            overdue_goals: goals.overdue,
            total_target_amount: money(goals.target_cents),
            total_saved_amount: money(goals.saved_cents),
        },
    })
}
