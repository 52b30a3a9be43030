//! The daily plan in the database: building a month, accruing a spend and covering an overspend —
//! always inside the caller's write transaction, so a spend and its effect on the plan commit
//! together or not at all.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate};

use super::allocation::{BudgetPlan, SpendingHabits};
use super::category::PlanCategory;
use super::days::{self, Layout};
use super::redistribute::{self, Cover, PlanRow};
use super::status::day_status;
use crate::db::Tx;
use crate::error::Result;
use crate::id::Id;
use crate::metrics::Metrics;
use crate::on_tx;

/// First and last day of the month of `day`.
pub fn month_bounds(day: NaiveDate) -> (NaiveDate, NaiveDate) {
    let first = day.with_day(1).unwrap_or(day);
    let last = NaiveDate::from_ymd_opt(
        day.year(),
        day.month(),
        days::days_in_month(day.year(), day.month()),
    )
    .unwrap_or(day);
    (first, last)
}

/// Serialises the writes of one user: every transaction that changes a user's money or plan
/// takes this lock first (PostgreSQL row lock on the user; SQLite's single writer already
/// serialises). Taking it first, always, is what keeps concurrent writes free of deadlocks and
/// makes each accrual's recomputed sum see every committed spend.
pub async fn lock_user(tx: &mut Tx, user: Id) -> Result<()> {
    if let Tx::Postgres(t) = tx {
        sqlx::query("SELECT 1 FROM users WHERE id = $1 FOR UPDATE")
            .bind(user)
            .execute(&mut **t)
            .await?;
    }
    Ok(())
}

/// `ON CONFLICT` target of the plan's unique key (NULL goal ids collide on both backends).
pub(crate) fn plan_conflict(tx: &Tx) -> &'static str {
    match tx {
        Tx::Postgres(_) => "ON CONFLICT ON CONSTRAINT uq_daily_plan_user_date_category_goal",
        Tx::Sqlite(_) => "ON CONFLICT (user_id, date, category, COALESCE(goal_id, ''))",
    }
}

/// The SQL list of transaction categories that land on `plan` (trusted constants).
fn tx_category_list(plan: PlanCategory) -> String {
    plan.tx_categories()
        .map(|c| format!("'{}'", c.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Sets the planned amounts of the rows in `rows` (keeping `spent`), creating missing rows.
pub async fn upsert_planned(
    tx: &mut Tx,
    user: Id,
    rows: &[(NaiveDate, PlanCategory, i64)],
    now: i64,
) -> Result<()> {
    let sql = format!(
        "INSERT INTO daily_plan (id, user_id, date, category, goal_id, planned_cents, spent_cents, status, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, NULL, $5, 0, 'green', $6, $6) {} DO UPDATE SET planned_cents = excluded.planned_cents, updated_at = excluded.updated_at",
        plan_conflict(tx)
    );
    for (date, category, planned) in rows {
        on_tx!(tx, conn => sqlx::query(sqlx::AssertSqlSafe(sql.clone())).bind(Id::new()).bind(user).bind(date).bind(category.as_str())
            .bind(planned).bind(now).execute(&mut *conn).await.map(|_| ()))?;
    }
    Ok(())
}

/// Clustered-day counts from the habits (default 4).
pub fn cluster_counts(habits: &SpendingHabits) -> impl Fn(PlanCategory) -> u32 + '_ {
    move |c| {
        let n = match c {
            PlanCategory::Entertainment => habits.entertainment_per_month,
            PlanCategory::Shopping => habits.clothing_per_month,
            PlanCategory::Travel => habits.travel_per_year.min(12) * 2,
            _ => 0,
        };
        if n == 0 { 4 } else { n }
    }
}

/// The rows of a month for a plan (BUDGET.md §3).
pub fn month_rows_for(
    plan: &BudgetPlan,
    habits: &SpendingHabits,
    year: i32,
    month: u32,
) -> Vec<(NaiveDate, PlanCategory, i64)> {
    let counts = cluster_counts(habits);
    let mut rows = Vec::new();
    for (category, amount) in &plan.allocations {
        let layout: Layout = days::layout(*category, &counts);
        for (date, cents) in days::lay_out(year, month, *category, amount.cents(), layout) {
            rows.push((date, *category, cents));
        }
    }
    rows
}

/// Builds (or rebuilds, keeping `spent`) a month of the plan and recomputes each day's status.
pub async fn build_month(
    tx: &mut Tx,
    user: Id,
    plan: &BudgetPlan,
    habits: &SpendingHabits,
    year: i32,
    month: u32,
    now: i64,
) -> Result<usize> {
    let rows = month_rows_for(plan, habits, year, month);
    upsert_planned(tx, user, &rows, now).await?;
    let days: BTreeSet<NaiveDate> = rows.iter().map(|r| r.0).collect();
    update_day_statuses(tx, user, &days.into_iter().collect::<Vec<_>>(), now).await?;
    Ok(rows.len())
}

/// True when the user has any plan row in that month.
pub async fn month_exists(tx: &mut Tx, user: Id, day: NaiveDate) -> Result<bool> {
    let (first, last) = month_bounds(day);
    let found: Option<i32> = on_tx!(tx, conn => sqlx::query_scalar(
        "SELECT 1 FROM daily_plan WHERE user_id = $1 AND date >= $2 AND date <= $3 LIMIT 1")
        .bind(user).bind(first).bind(last).fetch_optional(&mut *conn).await)?;
    Ok(found.is_some())
}

/// Recomputes `spent` of one (day, plan category) row from the non-deleted transactions (not an
/// increment, so it is idempotent), creating the row with planned 0 when missing. Returns
/// (planned, spent) of the row.
pub async fn accrue(
    tx: &mut Tx,
    user: Id,
    day: NaiveDate,
    category: PlanCategory,
    now: i64,
) -> Result<(i64, i64)> {
    let sum_sql = sqlx::AssertSqlSafe(format!(
        "SELECT CAST(COALESCE(SUM(amount_cents), 0) AS BIGINT) FROM transactions \
         WHERE user_id = $1 AND local_date = $2 AND deleted_at IS NULL AND category IN ({})",
        tx_category_list(category)
    ));
    let spent: i64 = on_tx!(tx, conn => sqlx::query_scalar(sum_sql).bind(user).bind(day).fetch_one(&mut *conn).await)?;
    let upsert = sqlx::AssertSqlSafe(format!(
        "INSERT INTO daily_plan (id, user_id, date, category, goal_id, planned_cents, spent_cents, status, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, NULL, 0, $5, 'green', $6, $6) {} DO UPDATE SET spent_cents = excluded.spent_cents, \
         updated_at = excluded.updated_at RETURNING planned_cents, spent_cents",
        plan_conflict(tx)
    ));
    let row: (i64, i64) = on_tx!(tx, conn => sqlx::query_as(upsert).bind(Id::new()).bind(user).bind(day)
        .bind(category.as_str()).bind(spent).bind(now).fetch_one(&mut *conn).await)?;
    Ok(row)
}

/// Sets every row of each day to the day's status (goal reservations excluded from the sums).
pub async fn update_day_statuses(
    tx: &mut Tx,
    user: Id,
    days: &[NaiveDate],
    now: i64,
) -> Result<()> {
    for day in days {
        let (planned, spent): (i64, i64) = on_tx!(tx, conn => sqlx::query_as(
            "SELECT CAST(COALESCE(SUM(planned_cents), 0) AS BIGINT), CAST(COALESCE(SUM(spent_cents), 0) AS BIGINT) \
             FROM daily_plan WHERE user_id = $1 AND date = $2 AND category <> 'goal_savings'")
            .bind(user).bind(day).fetch_one(&mut *conn).await)?;
        let status = day_status(planned, spent);
        on_tx!(tx, conn => sqlx::query("UPDATE daily_plan SET status = $3, updated_at = $4 WHERE user_id = $1 AND date = $2 AND status <> $3")
            .bind(user).bind(day).bind(status.as_str()).bind(now).execute(&mut *conn).await.map(|_| ()))?;
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct StoredRow {
    id: Id,
    date: NaiveDate,
    category: String,
    planned_cents: i64,
    spent_cents: i64,
}

/// Covers an overspend of (day, category) from the month's future rows, once, and records one
/// redistribution event per donor category. Returns what happened.
#[allow(clippy::too_many_arguments)] // each is a distinct fact of the spend being covered
pub async fn cover_overspend(
    tx: &mut Tx,
    user: Id,
    day: NaiveDate,
    category: PlanCategory,
    today: NaiveDate,
    transaction: Option<Id>,
    now: i64,
    metrics: &Metrics,
) -> Result<Cover> {
    let (first, last) = month_bounds(day);
    let stored: Vec<StoredRow> = on_tx!(tx, conn => sqlx::query_as(
        "SELECT id, date, category, planned_cents, spent_cents FROM daily_plan \
         WHERE user_id = $1 AND date >= $2 AND date <= $3 AND goal_id IS NULL ORDER BY date, category")
        .bind(user).bind(first).bind(last).fetch_all(&mut *conn).await)?;
    let mut ids = Vec::with_capacity(stored.len());
    let mut rows = Vec::with_capacity(stored.len());
    for r in stored {
        if let Ok(c) = r.category.parse::<PlanCategory>() {
            ids.push(r.id);
            rows.push(PlanRow {
                date: r.date,
                category: c,
                planned: r.planned_cents,
                spent: r.spent_cents,
            });
        }
    }
    let Some(target) = rows
        .iter()
        .position(|r| r.date == day && r.category == category)
    else {
        return Ok(Cover::default());
    };
    let started = std::time::Instant::now();
    let cover = redistribute::cover(&mut rows, target, today);
    if cover.covered == 0 {
        return Ok(cover);
    }
    let mut changed: Vec<usize> = cover
        .transfers
        .iter()
        .flat_map(|t| t.rows.iter().map(|(i, _)| *i))
        .collect();
    changed.push(target);
    let mut touched_days: BTreeSet<NaiveDate> = BTreeSet::new();
    for i in changed {
        on_tx!(tx, conn => sqlx::query("UPDATE daily_plan SET planned_cents = $2, updated_at = $3 WHERE id = $1")
            .bind(ids[i]).bind(rows[i].planned).bind(now).execute(&mut *conn).await.map(|_| ()))?;
        touched_days.insert(rows[i].date);
    }
    for t in &cover.transfers {
        on_tx!(tx, conn => sqlx::query(
            "INSERT INTO redistribution_events (id, user_id, from_category, to_category, amount_cents, reason, from_day, to_day, transaction_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, 'realtime_rebalance', $6, $7, $8, $9)")
            .bind(Id::new()).bind(user).bind(t.from_category.as_str()).bind(t.to_category.as_str()).bind(t.amount)
            .bind(t.from_day).bind(t.to_day).bind(transaction).bind(now).execute(&mut *conn).await.map(|_| ()))?;
    }
    update_day_statuses(tx, user, &touched_days.into_iter().collect::<Vec<_>>(), now).await?;
    metrics
        .budget_calculations_total
        .with_label_values(&["redistribution"])
        .inc();
    metrics
        .budget_calculation_duration_seconds
        .with_label_values(&["redistribution"])
        .observe(started.elapsed().as_secs_f64());
    metrics
        .budget_redistributed_amount_usd
        .with_label_values::<&str>(&[])
        .observe(crate::metrics::cents_as_units(cover.covered));
    Ok(cover)
}
