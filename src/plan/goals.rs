//! Goals in the daily plan (BUDGET.md §6): an active goal with a future target date reserves
//! `required_monthly = (target − saved) ÷ max(months_left, 1)` (months_left = days ÷ 30.44),
//! laid over the current month as `goal_savings` rows carrying the goal's id — one row per
//! (user, date, `goal_savings`, goal), so two goals never collide. Each remaining day of the month
//! (today included) gets `required_monthly ÷ days_in_month`, the remainder cents going to the
//! earliest days of the month. Pausing, completing, cancelling or deleting releases the rows from
//! today on; resuming or changing the target, the saved amount or the date recomputes them. Past
//! rows never change. Everything runs inside the caller's write transaction (after `lock_user`).
//! The goal row model ([`GoalRow`]) lives here, under the goal services, so that building a month
//! can reserve its goals (the goal service reads it too).

use chrono::{Datelike, NaiveDate};

use crate::budget::days::days_in_month;
use crate::budget::split_even;
use crate::budget::store::{month_bounds, plan_conflict};
use crate::db::Tx;
use crate::error::Result;
use crate::fixed::Fixed;
use crate::id::Id;
use crate::metrics::{BudgetCalculation, Metrics};
use crate::on_tx;

/// The columns of [`GoalRow`], in order.
pub(crate) const COLUMNS: &str = "id, user_id, title, description, category, target_amount_cents, saved_amount_cents, \
    monthly_contribution_cents, currency, status, priority, target_date, goal_milestones_notified, created_at, \
    updated_at, completed_at, deleted_at";

/// A goal as stored.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow, mita::db::lite::LiteRow)]
pub struct GoalRow {
    pub id: Id,
    pub user_id: Id,
    pub title: String,
    pub description: Option<String>,
    pub category: Option<String>,
    pub target_amount_cents: i64,
    pub saved_amount_cents: i64,
    pub monthly_contribution_cents: Option<i64>,
    pub currency: String,
    pub status: String,
    pub priority: String,
    pub target_date: Option<NaiveDate>,
    pub goal_milestones_notified: i32,
    pub created_at: i64,
    pub updated_at: i64,
    pub completed_at: Option<i64>,
    pub deleted_at: Option<i64>,
}

impl GoalRow {
    /// What is still missing to the target (never negative).
    pub fn remaining_cents(&self) -> i64 {
        (self.target_amount_cents - self.saved_amount_cents).max(0)
    }

    /// The monthly contribution the user set (0 when none).
    pub fn contribution_cents(&self) -> i64 {
        self.monthly_contribution_cents.unwrap_or(0)
    }

    /// True for an active or paused goal whose target date is before `today`.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        matches!(self.status.as_str(), "active" | "paused")
            && self.target_date.is_some_and(|d| d < today)
    }

    /// Progress in percent (two decimals), capped at 100.
    pub fn progress(&self) -> Fixed {
        Fixed::percent_capped(self.saved_amount_cents, self.target_amount_cents)
    }

    /// The highest milestone reached: 100 when completed, else 75 / 50 / 25 / 0 by progress.
    pub fn milestone(&self) -> i32 {
        if self.status == "completed" {
            return 100;
        }
        let saved = i128::from(self.saved_amount_cents) * 100;
        let target = i128::from(self.target_amount_cents);
        [75, 50, 25]
            .into_iter()
            .find(|m| saved >= target * i128::from(*m))
            .unwrap_or(0)
    }
}

/// Hundredths of a day in an average month (30.44 days).
pub const MONTH_DAYS_X100: i64 = 3044;

/// `remaining ÷ max(days_left ÷ 30.44, 1)`, rounded up to the cent (so that saving it every month
/// reaches the target by the date). 0 when nothing remains.
pub fn required_monthly(remaining_cents: i64, days_left: i64) -> i64 {
    if remaining_cents <= 0 {
        return 0;
    }
    let numerator = i128::from(remaining_cents) * i128::from(MONTH_DAYS_X100);
    let denominator = i128::from((days_left.max(0) * 100).max(MONTH_DAYS_X100));
    i64::try_from((numerator + denominator - 1) / denominator).unwrap_or(i64::MAX)
}

/// The reservation rows of one goal for the month of `today`: (date, cents) for each day from
/// today to the month's end. Empty unless the goal is active (and not deleted), has a target date
/// after today and still misses money.
pub fn reservation_rows(goal: &GoalRow, today: NaiveDate) -> Vec<(NaiveDate, i64)> {
    let Some(target_date) = goal.target_date else {
        return Vec::new();
    };
    if goal.status != "active"
        || goal.deleted_at.is_some()
        || target_date <= today
        || goal.remaining_cents() == 0
    {
        return Vec::new();
    }
    let monthly = required_monthly(goal.remaining_cents(), (target_date - today).num_days());
    let dim = days_in_month(today.year(), today.month());
    let per_day = split_even(monthly, usize::try_from(dim).unwrap_or(30));
    let (first, _) = month_bounds(today);
    per_day
        .into_iter()
        .enumerate()
        .filter_map(|(i, cents)| {
            let date = first + chrono::Duration::days(i64::try_from(i).ok()?);
            (date >= today).then_some((date, cents))
        })
        .collect()
}

/// Deletes the goal's rows dated today or later (its past rows stay as history).
pub async fn release(tx: &mut Tx, user: Id, goal: Id, today: NaiveDate) -> Result<u64> {
    Ok(on_tx!(tx, conn => sqlx::query(
        "DELETE FROM daily_plan WHERE user_id = $1 AND goal_id = $2 AND date >= $3")
        .bind(user).bind(goal).bind(today).execute(&mut *conn).await.map(|r| r.rows_affected()))?)
}

/// Recomputes the goal's rows from today on: released, then reserved again when the goal is
/// active with a future target date. Two statements whatever the number of days.
pub async fn sync(
    tx: &mut Tx,
    goal: &GoalRow,
    today: NaiveDate,
    now: i64,
    metrics: &Metrics,
) -> Result<usize> {
    let started = std::time::Instant::now();
    release(tx, goal.user_id, goal.id, today).await?;
    let rows = reservation_rows(goal, today);
    if rows.is_empty() {
        return Ok(0);
    }
    // A new month's plan must exist before the goal's first rows in it (otherwise the month
    // would look built and the onboarding plan would never be laid out).
    super::ensure_month(tx, goal.user_id, today, now, metrics).await?;
    insert_rows(tx, goal.user_id, goal.id, &rows, now).await?;
    metrics.budget_calculation(BudgetCalculation::Plan, started);
    Ok(rows.len())
}

/// One multi-row insert; each row takes the status its day already has (goal rows never change
/// a day's status, they only mirror it).
async fn insert_rows(
    tx: &mut Tx,
    user: Id,
    goal: Id,
    rows: &[(NaiveDate, i64)],
    now: i64,
) -> Result<()> {
    let values: Vec<String> = (0..rows.len())
        .map(|i| {
            let (id, date, planned) = (4 + 3 * i, 5 + 3 * i, 6 + 3 * i);
            format!(
                "(${id}, $1, ${date}, 'goal_savings', $2, ${planned}, 0, COALESCE((SELECT p.status FROM daily_plan p \
                 WHERE p.user_id = $1 AND p.date = ${date} AND p.goal_id IS NULL LIMIT 1), 'neutral'), $3, $3)"
            )
        })
        .collect();
    let conflict = plan_conflict(tx);
    let sql = format!(
        "INSERT INTO daily_plan (id, user_id, date, category, goal_id, planned_cents, spent_cents, status, created_at, updated_at) \
         VALUES {} {conflict} DO UPDATE SET planned_cents = excluded.planned_cents, updated_at = excluded.updated_at",
        values.join(", ")
    );
    on_tx!(tx, conn => {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone())).bind(user).bind(goal).bind(now);
        for (date, planned) in rows {
            q = q.bind(Id::new()).bind(*date).bind(*planned);
        }
        q.execute(&mut *conn).await.map(|_| ())
    })?;
    Ok(())
}

/// Reserves every active dated goal of the user that has no row in the month of `today` yet
/// (a new month started). Returns how many goals were reserved.
pub async fn reserve_missing(
    tx: &mut Tx,
    user: Id,
    today: NaiveDate,
    now: i64,
    metrics: &Metrics,
) -> Result<usize> {
    let (first, last) = month_bounds(today);
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {} FROM goals g WHERE g.user_id = $1 AND g.deleted_at IS NULL AND g.status = 'active' \
         AND g.target_date > $2 AND g.saved_amount_cents < g.target_amount_cents AND NOT EXISTS \
         (SELECT 1 FROM daily_plan p WHERE p.user_id = $1 AND p.goal_id = g.id AND p.date >= $3 AND p.date <= $4)",
        prefixed_columns()
    ));
    let goals: Vec<GoalRow> = on_tx!(tx, conn => sqlx::query_as(sql).bind(user).bind(today).bind(first).bind(last)
        .fetch_all(&mut *conn).await)?;
    for goal in &goals {
        sync(tx, goal, today, now, metrics).await?;
    }
    Ok(goals.len())
}

fn prefixed_columns() -> String {
    COLUMNS
        .split(',')
        .map(|c| format!("g.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests;
