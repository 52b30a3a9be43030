//! Writing transactions. Each write is one database transaction holding the row, its accrual
//! into the daily plan, the redistribution of any overspend and (with an `Idempotency-Key`) the
//! stored answer: a 2xx means all of it is committed; an error means none of it is.

use chrono::{Datelike, NaiveDate};
use chrono_tz::Tz;
use serde::Serialize;
use serde_json::json;
use sqlx::types::Json;

use super::{COLUMNS, Checked, Row, TransactionInput, TransactionView};
use crate::budget::redistribute::Cover;
use crate::budget::{PlanCategory, TxCategory, store};
use crate::clock::Clock;
use crate::db::{Db, Tx};
use crate::envelope::{success_json, timestamp_of};
use crate::error::{Error, Result};
use crate::id::Id;
use crate::idempotency::{self, Answer, Begun, IdempotencyKey};
use crate::metrics::{Metrics, TransactionOp};
use crate::money::Money;
use crate::notifications::events;
use crate::on_tx;

/// Default large-spend threshold (notifications): 200.00. Set in configuration (the lower layer).
pub const LARGE_SPEND_CENTS: i64 = crate::config::DEFAULT_LARGE_SPEND_CENTS;

/// Who writes, and where the answer goes.
pub struct WriteCtx<'a> {
    pub db: &'a Db,
    pub clock: &'a Clock,
    pub metrics: &'a Metrics,
    pub user: Id,
    pub tz: Tz,
    pub request_id: &'a str,
    /// Spends of at least this many cents raise a large-spend notification (`notifications.large_spend`).
    pub large_spend_cents: i64,
}

/// The answer to a create: the transaction, how the plan was rebalanced, and the balance impact.
#[derive(Clone, Debug, Serialize)]
pub struct Created {
    #[serde(flatten)]
    pub transaction: TransactionView,
    pub rebalanced: bool,
    pub rebalance_covered: Money,
    pub rebalance_fully_covered: bool,
}

/// `meta.balance_impact` of a write.
#[derive(Clone, Debug, Serialize)]
pub struct BalanceImpact {
    pub category: PlanCategory,
    pub amount: Money,
    pub remaining_budget: Money,
    pub budget_exceeded: bool,
}

/// Effects of applying one spend to the plan.
struct Applied {
    cover: Cover,
    impact: BalanceImpact,
    /// The day's status became red with this spend.
    turned_red: bool,
}

/// Applies the spend to the plan (see [`store::apply_spend`]) and reports the balance impact.
async fn apply(
    ctx: &WriteCtx<'_>,
    tx: &mut Tx,
    day: NaiveDate,
    category: PlanCategory,
    txn: Option<Id>,
    amount: i64,
    now: i64,
) -> Result<Applied> {
    let today = crate::time::local_date(now, ctx.tz);
    let a = store::apply_spend(tx, ctx.user, day, category, today, txn, now, ctx.metrics).await?;
    let impact = BalanceImpact {
        category,
        amount: Money::from_cents(amount),
        remaining_budget: Money::from_cents(a.planned - a.spent),
        budget_exceeded: a.spent > a.planned,
    };
    Ok(Applied {
        turned_red: a.turned_red(),
        cover: a.cover,
        impact,
    })
}

/// Before a spend: builds a missing current month from the onboarding answers, and returns the
/// large-spend threshold that applies (the user's own, else the configured one). 1 query
/// in the usual case (the month exists).
async fn preflight(ctx: &WriteCtx<'_>, tx: &mut Tx, day: NaiveDate, now: i64) -> Result<i64> {
    let (first, last) = store::month_bounds(day);
    let (month_exists, own): (Option<i32>, Option<i64>) = on_tx!(tx, conn => sqlx::query_as(
        "SELECT (SELECT 1 FROM daily_plan WHERE user_id = $1 AND date >= $2 AND date <= $3 LIMIT 1), \
         (SELECT large_spend_threshold_cents FROM user_budget_settings WHERE user_id = $1)")
        .bind(ctx.user).bind(first).bind(last).fetch_one(&mut *conn).await)?;
    let today = crate::time::local_date(now, ctx.tz);
    if month_exists.is_none() && (day.year(), day.month()) == (today.year(), today.month()) {
        crate::plan::ensure_month(tx, ctx.user, today, now, ctx.metrics).await?;
    }
    Ok(own.unwrap_or(ctx.large_spend_cents))
}

async fn check_goal(tx: &mut Tx, user: Id, goal: Option<Id>) -> Result<()> {
    if let Some(goal) = goal {
        let found: Option<i32> = on_tx!(tx, conn => sqlx::query_scalar(
            "SELECT 1 FROM goals WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL")
            .bind(goal).bind(user).fetch_optional(&mut *conn).await)?;
        if found.is_none() {
            return Err(Error::NotFound("Goal"));
        }
    }
    Ok(())
}

async fn load_for_update(tx: &mut Tx, user: Id, id: Id) -> Result<Row> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM transactions WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL{}",
        crate::db::for_update(tx)
    ));
    let row: Option<Row> = on_tx!(tx, conn => sqlx::query_as(sql).bind(id).bind(user).fetch_optional(&mut *conn).await)?;
    row.ok_or(Error::NotFound("Transaction"))
}

fn plan_of(category: &str) -> PlanCategory {
    category
        .parse::<TxCategory>()
        .map(TxCategory::plan)
        .unwrap_or(PlanCategory::Other)
}

/// Creates a transaction. With a key: claims it first and stores the answer with the write.
pub async fn create(
    ctx: &WriteCtx<'_>,
    input: &TransactionInput,
    key: Option<&IdempotencyKey>,
) -> Result<Answer> {
    let now = ctx.clock.now_ms();
    // No category: the user's rules may give one (docs/rules.md).
    let filled;
    let input = if input.category.is_none() {
        filled = super::rules::fill(ctx.db, ctx.user, input).await?;
        &filled
    } else {
        input
    };
    let c: Checked = input.check(true, now, ctx.tz)?;
    let (Some(amount), Some(category)) = (c.amount, c.category) else {
        return Err(Error::Internal(
            "checked input lacks amount or category".into(),
        ));
    };
    let mut tx = match idempotency::begin(ctx.db, ctx.user, key, now, ctx.metrics).await? {
        Begun::Write(tx) => tx,
        Begun::Replay(answer) => return Ok(answer),
    };
    check_goal(&mut tx, ctx.user, c.goal_id).await?;
    let spent_at = c.spent_at.unwrap_or(now);
    let day = crate::time::local_date(spent_at, ctx.tz);
    let threshold = preflight(ctx, &mut tx, day, now).await?;
    let id = Id::new();
    let tags = Json(c.tags.clone().unwrap_or_default());
    let sql = sqlx::AssertSqlSafe(format!(
        "INSERT INTO transactions (id, user_id, goal_id, category, amount_cents, currency, description, merchant, location, tags, \
         is_recurring, confidence_score, receipt_url, notes, spent_at, local_date, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17) RETURNING {COLUMNS}"
    ));
    let row: Row = on_tx!(&mut tx, conn => sqlx::query_as(sql).bind(id).bind(ctx.user).bind(c.goal_id).bind(category.as_str())
        .bind(amount).bind(c.currency.as_deref().unwrap_or("USD")).bind(&c.description).bind(&c.merchant).bind(&c.location)
        .bind(&tags).bind(c.is_recurring.unwrap_or(false)).bind(c.confidence_score).bind(&c.receipt_url).bind(&c.notes)
        .bind(spent_at).bind(day).bind(now).fetch_one(&mut *conn).await)?;
    let applied = apply(ctx, &mut tx, day, category.plan(), Some(id), amount, now).await?;
    let spend = events::SpendEvent::new(id, category.as_str(), amount, day);
    events::on_spend_applied(
        &mut tx,
        ctx.user,
        &spend,
        applied.turned_red,
        Some(threshold),
        now,
    )
    .await?;
    let created = Created {
        transaction: TransactionView::from(row),
        rebalanced: applied.cover.rebalanced(),
        rebalance_covered: Money::from_cents(applied.cover.covered),
        rebalance_fully_covered: applied.cover.fully_covered(),
    };
    // The same threshold as the notification: the user's own when set.
    let meta = json!({ "balance_impact": applied.impact, "large_spend": amount >= threshold });
    let body = success_json(
        "Transaction created",
        &created,
        Some(&meta),
        ctx.request_id,
        &timestamp_of(now),
    )?;
    let answer = idempotency::commit(tx, ctx.user, key, Answer::created(body)).await?;
    ctx.metrics.transaction_created(amount);
    Ok(answer)
}

/// Partially updates a transaction and re-accrues the old and the new (day, category). A
/// transaction recording an installment payment is refused (409): its installment owns it.
pub async fn update(
    ctx: &WriteCtx<'_>,
    id: Id,
    input: &TransactionInput,
) -> Result<(TransactionView, BalanceImpact, Cover)> {
    let now = ctx.clock.now_ms();
    let c = input.check(false, now, ctx.tz)?;
    let mut tx = ctx.db.begin().await?;
    store::lock_user(&mut tx, ctx.user).await?;
    let old = load_for_update(&mut tx, ctx.user, id).await?;
    crate::installments::payments::refuse_if_payment(&mut tx, id).await?;
    check_goal(&mut tx, ctx.user, c.goal_id).await?;
    let spent_at = c.spent_at.unwrap_or(old.spent_at);
    let day = crate::time::local_date(spent_at, ctx.tz);
    let category = c
        .category
        .map(|x| x.as_str().to_string())
        .unwrap_or_else(|| old.category.clone());
    let amount = c.amount.unwrap_or(old.amount_cents);
    let threshold = preflight(ctx, &mut tx, day, now).await?;
    let sql = sqlx::AssertSqlSafe(format!(
        "UPDATE transactions SET category = $3, amount_cents = $4, currency = $5, description = $6, merchant = $7, location = $8, \
         tags = $9, is_recurring = $10, confidence_score = $11, receipt_url = $12, notes = $13, spent_at = $14, local_date = $15, \
         goal_id = $16, updated_at = $17 WHERE id = $1 AND user_id = $2 RETURNING {COLUMNS}"
    ));
    let row: Row = on_tx!(&mut tx, conn => sqlx::query_as(sql).bind(id).bind(ctx.user).bind(&category).bind(amount)
        .bind(c.currency.as_deref().unwrap_or(&old.currency)).bind(c.description.as_ref().or(old.description.as_ref()))
        .bind(c.merchant.as_ref().or(old.merchant.as_ref())).bind(c.location.as_ref().or(old.location.as_ref()))
        .bind(Json(c.tags.clone().unwrap_or_else(|| old.tags.0.clone()))).bind(c.is_recurring.unwrap_or(old.is_recurring))
        .bind(c.confidence_score.or(old.confidence_score)).bind(c.receipt_url.as_ref().or(old.receipt_url.as_ref()))
        .bind(c.notes.as_ref().or(old.notes.as_ref())).bind(spent_at).bind(day).bind(c.goal_id.or(old.goal_id)).bind(now)
        .fetch_one(&mut *conn).await)?;
    let (old_plan, new_plan) = (plan_of(&old.category), plan_of(&category));
    if (old.local_date, old_plan) != (day, new_plan) {
        store::accrue(&mut tx, ctx.user, old.local_date, old_plan, now).await?;
        store::update_day_status(&mut tx, ctx.user, old.local_date, now).await?;
    }
    let applied = apply(ctx, &mut tx, day, new_plan, Some(id), amount, now).await?;
    let spend = events::SpendEvent::new(id, &category, amount, day);
    events::on_spend_applied(
        &mut tx,
        ctx.user,
        &spend,
        applied.turned_red,
        Some(threshold),
        now,
    )
    .await?;
    tx.commit().await?;
    ctx.metrics.transactions_total.inc(TransactionOp::Update);
    Ok((TransactionView::from(row), applied.impact, applied.cover))
}

/// Soft-deletes a transaction and re-accrues its (day, category). An installment payment is
/// refused (409), as for updates.
pub async fn delete(ctx: &WriteCtx<'_>, id: Id) -> Result<()> {
    let now = ctx.clock.now_ms();
    let mut tx = ctx.db.begin().await?;
    store::lock_user(&mut tx, ctx.user).await?;
    let old = load_for_update(&mut tx, ctx.user, id).await?;
    crate::installments::payments::refuse_if_payment(&mut tx, id).await?;
    on_tx!(&mut tx, conn => sqlx::query("UPDATE transactions SET deleted_at = $3, updated_at = $3 WHERE id = $1 AND user_id = $2")
        .bind(id).bind(ctx.user).bind(now).execute(&mut *conn).await.map(|_| ()))?;
    store::accrue(
        &mut tx,
        ctx.user,
        old.local_date,
        plan_of(&old.category),
        now,
    )
    .await?;
    store::update_day_statuses(&mut tx, ctx.user, &[old.local_date], now).await?;
    tx.commit().await?;
    ctx.metrics.transactions_total.inc(TransactionOp::Delete);
    Ok(())
}
