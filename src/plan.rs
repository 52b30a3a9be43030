//! The month's plan around the budget engine (BUDGET.md §6, docs/installments.md §4): the one
//! way a month comes into being — [`ensure_month`] builds it from the stored onboarding answers
//! and lays out the active goals' ([`goals`]) and installments' ([`installments`]) reservations
//! in it. Above `budget` and `onboarding`, below the goal, installment and transaction services,
//! which call it inside their write transactions.

pub mod goals;
pub mod installments;
pub mod schedule;

use chrono::NaiveDate;

use crate::budget::store::{lock_user, month_bounds, month_exists};
use crate::db::{Db, Tx};
use crate::error::Result;
use crate::id::Id;
use crate::metrics::Metrics;
use crate::on_db;
use crate::onboarding::{build_observed, stored};

/// Builds the month of `today` from the stored answers when the user onboarded and the month
/// has no plan rows yet — the plan and the active goals' and installments' reservations — and
/// moves the `plan` budget metrics; otherwise does nothing. Runs inside the caller's write
/// transaction (takes the user lock). True when it built.
pub async fn ensure_month(
    tx: &mut Tx,
    user: Id,
    today: NaiveDate,
    now: i64,
    metrics: &Metrics,
) -> Result<bool> {
    lock_user(tx, user).await?;
    if month_exists(tx, user, today).await? {
        return Ok(false);
    }
    let Some((answers, plan)) = stored(tx, user).await? else {
        return Ok(false);
    };
    build_observed(
        tx,
        user,
        &plan,
        &answers.spending_habits,
        today,
        now,
        metrics,
    )
    .await?;
    // Boxed: reserving makes sure the month exists, which lands here again (and returns at once,
    // the month being built by then).
    Box::pin(goals::reserve_missing(tx, user, today, now, metrics)).await?;
    Box::pin(installments::reserve_missing(tx, user, today, now, metrics)).await?;
    Ok(true)
}

/// For reads of the current month (budget views, goal and installment lists): when an onboarded
/// user's month has no plan yet, or an active goal or installment is not laid out in it (a new
/// month started), does it in its own write transaction. 1 read query when nothing is missing
/// (the usual case).
pub async fn ensure_month_for_read(
    db: &Db,
    user: Id,
    today: NaiveDate,
    now: i64,
    metrics: &Metrics,
) -> Result<()> {
    let (first, last) = month_bounds(today);
    let missing: Option<i32> = on_db!(db, pool => sqlx::query_scalar(
        "SELECT 1 WHERE (EXISTS (SELECT 1 FROM onboarding_answers WHERE user_id = $1) \
         AND NOT EXISTS (SELECT 1 FROM daily_plan WHERE user_id = $1 AND date >= $3 AND date <= $4)) \
         OR EXISTS (SELECT 1 FROM goals g WHERE g.user_id = $1 AND g.deleted_at IS NULL AND g.status = 'active' \
         AND g.target_date > $2 AND g.saved_amount_cents < g.target_amount_cents AND NOT EXISTS \
         (SELECT 1 FROM daily_plan p WHERE p.user_id = $1 AND p.goal_id = g.id AND p.date >= $3 AND p.date <= $4)) \
         OR EXISTS (SELECT 1 FROM installments WHERE user_id = $1 AND deleted_at IS NULL AND status = 'active' \
         AND (planned_through IS NULL OR planned_through < $2))")
        .bind(user).bind(today).bind(first).bind(last).fetch_optional(pool).await)?;
    if missing.is_none() {
        return Ok(());
    }
    let mut tx = db.begin().await?;
    if !ensure_month(&mut tx, user, today, now, metrics).await? {
        goals::reserve_missing(&mut tx, user, today, now, metrics).await?;
        installments::reserve_missing(&mut tx, user, today, now, metrics).await?;
    }
    tx.commit().await
}
