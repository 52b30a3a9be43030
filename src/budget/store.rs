//! The daily plan in the database: building a month, accruing a spend and covering an overspend —
//! always inside the caller's write transaction, so a spend and its effect on the plan commit
//! together or not at all.

use chrono::{Datelike, NaiveDate};

use super::allocation::{BudgetPlan, SpendingHabits};
use super::category::PlanCategory;
use super::days::{self, Layout};
use super::redistribute::{self, Cover, PlanRow};
use super::status::DayStatus;
use crate::db::Tx;
use crate::error::Result;
use crate::id::Id;
use crate::metrics::{BudgetCalculation, Metrics};
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

pub use crate::db::lock_user;

/// `ON CONFLICT` target of the plan's unique key (NULL goal and installment ids collide on both
/// backends).
pub(crate) fn plan_conflict(tx: &Tx) -> &'static str {
    match tx {
        Tx::Postgres(_) => "ON CONFLICT ON CONSTRAINT uq_daily_plan_user_date_category_goal",
        Tx::Sqlite(_) => {
            "ON CONFLICT (user_id, date, category, COALESCE(goal_id, ''), COALESCE(installment_id, ''))"
        }
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
    let mut rows = month_rows_for(plan, habits, year, month);
    // Inserted day by day, so that a day's rows sit next to each other in the table (SQLite
    // keeps rows in insertion order): a spend then rewrites one page of the plan, not one per
    // category.
    rows.sort_by_key(|r| r.0);
    upsert_planned(tx, user, &rows, now).await?;
    if let (Some(first), Some(last)) = (
        rows.iter().map(|r| r.0).min(),
        rows.iter().map(|r| r.0).max(),
    ) {
        update_statuses_between(tx, user, first, last, now).await?;
    }
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

/// A row after accrual, and the day's status as it was before.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Accrued {
    pub planned: i64,
    pub spent: i64,
    pub status_before: DayStatus,
}

/// Recomputes `spent` of one (day, plan category) row from the non-deleted transactions (not an
/// increment, so it is idempotent), creating the row with planned 0 when missing. Installment
/// payments are left out: they are spent on their installment's own row
/// (`plan::installments`). One statement:
/// the sum is a subquery of the upsert; `RETURNING` gives the row and the day's status before
/// this spend (accrual does not touch the status).
pub async fn accrue(
    tx: &mut Tx,
    user: Id,
    day: NaiveDate,
    category: PlanCategory,
    now: i64,
) -> Result<Accrued> {
    let sql = accrue_sql(category, plan_conflict(tx));
    let (planned, spent, status): (i64, i64, String) = on_tx!(tx, conn => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(Id::new()).bind(user).bind(day).bind(category.as_str()).bind(now).fetch_one(&mut *conn).await)?;
    Ok(Accrued {
        planned,
        spent,
        status_before: DayStatus::parse(&status),
    })
}

/// The statement of [`accrue`] (`conflict`: [`plan_conflict`] of the backend). The sum reads
/// only `idx_transactions_user_local_date_spend` (migration 0012), not the table.
fn accrue_sql(category: PlanCategory, conflict: &str) -> String {
    format!(
        "INSERT INTO daily_plan (id, user_id, date, category, goal_id, planned_cents, spent_cents, status, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, NULL, 0, (SELECT CAST(COALESCE(SUM(amount_cents), 0) AS BIGINT) FROM transactions \
           WHERE user_id = $2 AND local_date = $3 AND deleted_at IS NULL AND category IN ({}) \
           AND NOT EXISTS (SELECT 1 FROM installment_payments ip WHERE ip.transaction_id = transactions.id)), \
           COALESCE((SELECT p.status FROM daily_plan p WHERE p.user_id = $2 AND p.date = $3 AND p.goal_id IS NULL LIMIT 1), 'green'), $5, $5) \
         {} DO UPDATE SET spent_cents = excluded.spent_cents, updated_at = excluded.updated_at \
         RETURNING planned_cents, spent_cents, status",
        tx_category_list(category),
        conflict
    )
}

/// What applying one spend did to the plan.
#[derive(Clone, Debug)]
pub struct AppliedSpend {
    /// The row after accrual and any cover.
    pub planned: i64,
    pub spent: i64,
    pub cover: Cover,
    pub status_before: DayStatus,
    pub status_after: DayStatus,
}

impl AppliedSpend {
    /// The day's status became red with this spend.
    pub fn turned_red(&self) -> bool {
        self.status_before != DayStatus::Red && self.status_after == DayStatus::Red
    }
}

/// The user's `auto_redistribution` switch (docs/budget-automation.md; on when never set): off,
/// an overspend stays uncovered. 1 query, run only when a spend overspends its row.
async fn auto_redistribution(tx: &mut Tx, user: Id) -> Result<bool> {
    let on: Option<bool> = on_tx!(tx, conn => sqlx::query_scalar(
        "SELECT auto_redistribution FROM budget_automation_settings WHERE user_id = $1")
        .bind(user).fetch_optional(&mut *conn).await)?;
    Ok(on.unwrap_or(true))
}

/// BUDGET.md §4–5 for one spend, inside the caller's transaction: accrue the (day, category)
/// row, cover an overspend once from later days, update the day's status. Every spend goes
/// through here (transactions and goal transfers alike).
#[allow(clippy::too_many_arguments)] // each is a distinct fact of the spend
pub async fn apply_spend(
    tx: &mut Tx,
    user: Id,
    day: NaiveDate,
    category: PlanCategory,
    today: NaiveDate,
    transaction: Option<Id>,
    now: i64,
    metrics: &Metrics,
) -> Result<AppliedSpend> {
    let started = std::time::Instant::now();
    let accrued = accrue(tx, user, day, category, now).await?;
    metrics.budget_calculation(BudgetCalculation::Accrual, started);
    let cover = if accrued.spent > accrued.planned && auto_redistribution(tx, user).await? {
        cover_overspend(tx, user, day, category, today, transaction, now, metrics).await?
    } else {
        Cover::default()
    };
    let status_after = update_day_status(tx, user, day, now).await?;
    Ok(AppliedSpend {
        planned: accrued.planned + cover.covered,
        spent: accrued.spent,
        cover,
        status_before: accrued.status_before,
        status_after,
    })
}

/// Sets every row of `day` to the day's status (BUDGET.md §4, [`super::status::day_status`]
/// over the day's sums, goal reservations excluded) and returns it (`Neutral` for a day without
/// rows). Two statements: the sums, then an update of only the rows whose status differs. Most
/// spends leave the day's status as it was, and rewriting the day's rows anyway dirtied one
/// page per row of the day (plan rows of a day lie in different pages), each written to the
/// WAL at commit: a third of a create's pages on SQLite (docs/performance.md).
pub async fn update_day_status(
    tx: &mut Tx,
    user: Id,
    day: NaiveDate,
    now: i64,
) -> Result<DayStatus> {
    let (planned, spent, rows): (i64, i64, i64) = on_tx!(tx, conn => sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(CASE WHEN category <> 'goal_savings' THEN planned_cents ELSE 0 END), 0) AS BIGINT), \
                CAST(COALESCE(SUM(CASE WHEN category <> 'goal_savings' THEN spent_cents ELSE 0 END), 0) AS BIGINT), \
                COUNT(*) \
         FROM daily_plan WHERE user_id = $1 AND date = $2")
        .bind(user).bind(day).fetch_one(&mut *conn).await)?;
    if rows == 0 {
        return Ok(DayStatus::Neutral);
    }
    let status = super::status::day_status(planned, spent);
    on_tx!(tx, conn => sqlx::query(
        "UPDATE daily_plan SET status = $3, updated_at = $4 WHERE user_id = $1 AND date = $2 AND status <> $3")
        .bind(user).bind(day).bind(status.as_str()).bind(now).execute(&mut *conn).await.map(|_| ()))?;
    Ok(status)
}

/// [`update_day_status`] for several days.
pub async fn update_day_statuses(
    tx: &mut Tx,
    user: Id,
    days: &[NaiveDate],
    now: i64,
) -> Result<()> {
    for day in days {
        update_day_status(tx, user, *day, now).await?;
    }
    Ok(())
}

#[derive(sqlx::FromRow, mita::db::lite::LiteRow)]
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
    let (_, last) = month_bounds(day);
    let donors = PlanCategory::DONOR_ORDER
        .iter()
        .map(|c| format!("'{}'", c.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    // Only the rows the rule can touch: the overspent row, and later non-sacred rows of the
    // month with something planned (fewer rows read as a heavy month fills up).
    let sql = format!(
        "SELECT id, date, category, planned_cents, spent_cents FROM daily_plan \
         WHERE user_id = $1 AND goal_id IS NULL AND installment_id IS NULL AND ((date = $2 AND category = $3) \
           OR (date > $2 AND date >= $4 AND date <= $5 AND planned_cents > 0 AND category IN ({donors}))) \
         ORDER BY date, category"
    );
    let stored: Vec<StoredRow> = on_tx!(tx, conn => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(user).bind(day).bind(category.as_str()).bind(today).bind(last).fetch_all(&mut *conn).await)?;
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
    let updates: Vec<(Id, i64)> = changed
        .iter()
        .map(|i| (ids[*i], rows[*i].planned))
        .collect();
    set_planned(tx, &updates, now).await?;
    insert_events(tx, user, &cover, transaction, now).await?;
    let from = changed.iter().map(|i| rows[*i].date).min().unwrap_or(day);
    let to = changed.iter().map(|i| rows[*i].date).max().unwrap_or(day);
    update_statuses_between(tx, user, from, to, now).await?;
    metrics.budget_calculation(BudgetCalculation::Redistribution, started);
    metrics
        .budget_redistributed_amount_usd
        .observe((), crate::metrics::cents_as_units(cover.covered));
    Ok(cover)
}

/// Rows per statement when writing many plan rows (2 parameters each; far below SQLite's limit).
const ROWS_PER_STATEMENT: usize = 500;

/// Sets `planned_cents` of many rows by id: one statement per 500 rows.
async fn set_planned(tx: &mut Tx, updates: &[(Id, i64)], now: i64) -> Result<()> {
    for chunk in updates.chunks(ROWS_PER_STATEMENT) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| format!("(${}, ${})", 2 + 2 * i, 3 + 2 * i))
            .collect();
        let sql = format!(
            "UPDATE daily_plan SET planned_cents = v.column2, updated_at = $1 FROM (VALUES {}) AS v \
             WHERE daily_plan.id = v.column1",
            values.join(", ")
        );
        on_tx!(tx, conn => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone())).bind(now);
            for (id, planned) in chunk {
                q = q.bind(*id).bind(*planned);
            }
            q.execute(&mut *conn).await.map(|_| ())
        })?;
    }
    Ok(())
}

/// One redistribution event per donor category, in one statement.
async fn insert_events(
    tx: &mut Tx,
    user: Id,
    cover: &Cover,
    transaction: Option<Id>,
    now: i64,
) -> Result<()> {
    if cover.transfers.is_empty() {
        return Ok(());
    }
    let values: Vec<String> = (0..cover.transfers.len())
        .map(|i| {
            let b = 4 + 6 * i;
            format!(
                "(${b}, $1, ${}, ${}, ${}, 'realtime_rebalance', ${}, ${}, $2, $3)",
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5
            )
        })
        .collect();
    let sql = format!(
        "INSERT INTO redistribution_events (id, user_id, from_category, to_category, amount_cents, reason, from_day, to_day, \
         transaction_id, created_at) VALUES {}",
        values.join(", ")
    );
    on_tx!(tx, conn => {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone())).bind(user).bind(transaction).bind(now);
        for t in &cover.transfers {
            q = q.bind(Id::new()).bind(t.from_category.as_str()).bind(t.to_category.as_str()).bind(t.amount)
                .bind(t.from_day).bind(t.to_day);
        }
        q.execute(&mut *conn).await.map(|_| ())
    })?;
    Ok(())
}

/// Recomputes the status of every day from `from` to `to` in one statement (the same rule as
/// [`update_day_status`], as a correlated aggregate per row).
pub async fn update_statuses_between(
    tx: &mut Tx,
    user: Id,
    from: NaiveDate,
    to: NaiveDate,
    now: i64,
) -> Result<()> {
    let case = super::status::day_status_case(
        "COALESCE(SUM(d2.planned_cents), 0)",
        "COALESCE(SUM(d2.spent_cents), 0)",
        matches!(tx, Tx::Postgres(_)),
    );
    let sql = format!(
        "UPDATE daily_plan SET status = (SELECT {case} FROM daily_plan d2 WHERE d2.user_id = daily_plan.user_id \
           AND d2.date = daily_plan.date AND d2.category <> 'goal_savings'), updated_at = $4 \
         WHERE user_id = $1 AND date >= $2 AND date <= $3"
    );
    on_tx!(tx, conn => sqlx::query(sqlx::AssertSqlSafe(sql.clone())).bind(user).bind(from).bind(to).bind(now)
        .execute(&mut *conn).await.map(|_| ()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Migration 0012: on SQLite the accrual's sum is a search of the covering index alone
    /// (with the old `(user_id, local_date)` index every spend of the day was a table lookup).
    #[tokio::test]
    async fn the_accrual_sum_reads_only_its_covering_index_on_sqlite() {
        let dir = tempfile::tempdir().unwrap();
        let settings = crate::config::DatabaseSettings {
            url: format!("sqlite://{}/plan.db?mode=rwc", dir.path().display()).into(),
            ..Default::default()
        };
        let db = crate::db::Db::connect(&settings).await.unwrap();
        db.migrate().await.unwrap();
        let mut tx = db.begin().await.unwrap();
        let sql = format!(
            "EXPLAIN QUERY PLAN {}",
            accrue_sql(PlanCategory::Food, plan_conflict(&tx))
        );
        let plan: Vec<(i64, i64, i64, String)> =
            on_tx!(&mut tx, conn => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .fetch_all(&mut *conn).await)
            .unwrap();
        let details: Vec<&str> = plan.iter().map(|row| row.3.as_str()).collect();
        assert!(
            details.iter().any(|d| d.starts_with(
                "SEARCH transactions USING COVERING INDEX idx_transactions_user_local_date_spend"
            )),
            "{details:#?}"
        );
        tx.rollback().await.unwrap();
        db.close().await;
    }
}
