//! Money into goals: `add_savings` (the goal's saved amount grows) and `auto_transfer` (a
//! savings transaction is recorded *and* the goal grows, in one database transaction). Both honour
//! `Idempotency-Key`: the key is claimed and the exact answer stored in the same transaction.
//!
//! The transfer's transaction has category `other` and the goal's id, and is accrued into the
//! daily plan like any spend (it leaves the spendable money of the day): an overspend it causes is
//! covered by the usual redistribution, never left as a silent hole in the plan.

use serde::Serialize;
use serde_json::json;
use sqlx::types::Json;

use super::input::AmountInput;
use super::{GoalCtx, GoalView, MAX_GOAL_CENTS, state, store};
use crate::budget::store as plan;
use crate::budget::{PlanCategory, TxCategory};
use crate::db::Tx;
use crate::envelope::{success_json, timestamp_of};
use crate::error::{Code, Error, Result};
use crate::id::Id;
use crate::idempotency::{self, Answer, Begun, IdempotencyKey};
use crate::money::MAX_AMOUNT_CENTS;
use crate::money::Money;
use crate::notifications::events::{self, SpendEvent};
use crate::on_tx;
use crate::transactions::{COLUMNS as TX_COLUMNS, Row, TransactionView};

fn not_cancelled(status: &str) -> Result<()> {
    if status == "cancelled" {
        return Err(Error::BadRequest {
            code: Code::Validation2002,
            message: "A cancelled goal takes no more money".into(),
        });
    }
    Ok(())
}

fn grown(saved: i64, amount: i64) -> Result<i64> {
    saved
        .checked_add(amount)
        .filter(|s| *s <= MAX_GOAL_CENTS)
        .ok_or_else(|| {
            Error::invalid(
                Code::Validation2006,
                "body.amount",
                "range",
                "would take the goal above 100000000.00",
            )
        })
}

/// `POST /api/goals/{id}/add_savings`: adds `amount` to the saved amount; a goal reaching its
/// target completes (with `completed_at`). Answers the goal.
pub async fn add_savings(
    ctx: &GoalCtx<'_>,
    id: Id,
    input: &AmountInput,
    key: Option<&IdempotencyKey>,
) -> Result<Answer> {
    let amount = input.check(MAX_GOAL_CENTS)?;
    let (now, today) = ctx.now();
    let mut tx = match idempotency::begin(ctx.db, ctx.user, key, now, ctx.metrics).await? {
        Begun::Write(tx) => tx,
        Begun::Replay(answer) => return Ok(answer),
    };
    let before = store::load(&mut tx, ctx.user, id).await?;
    not_cancelled(&before.status)?;
    let mut after = before.clone();
    after.saved_amount_cents = grown(before.saved_amount_cents, amount)?;
    state::auto_complete(&mut after, now);
    store::commit_change(&mut tx, ctx, &before, &mut after, today, now).await?;
    let view = GoalView::of(&after, today);
    let body = success_json(
        "Savings added",
        &view,
        None,
        ctx.request_id,
        &timestamp_of(now),
    )?;
    idempotency::commit(tx, ctx.user, key, Answer::ok(body)).await
}

/// The answer of an auto transfer.
#[derive(Clone, Debug, Serialize)]
pub struct Transfer {
    pub goal: GoalView,
    pub transaction: TransactionView,
    pub amount: Money,
}

/// `POST /api/goals/{id}/auto_transfer`: records a savings transaction (category `other`, the
/// goal's id, "Transfer to goal <title>") accrued into today's plan, and adds the amount to the
/// goal — atomically. Amount: 0.01 – 100,000.00 (a transaction's range).
pub async fn auto_transfer(
    ctx: &GoalCtx<'_>,
    id: Id,
    input: &AmountInput,
    key: Option<&IdempotencyKey>,
) -> Result<Answer> {
    let amount = input.check(MAX_AMOUNT_CENTS)?;
    let (now, today) = ctx.now();
    let mut tx = match idempotency::begin(ctx.db, ctx.user, key, now, ctx.metrics).await? {
        Begun::Write(tx) => tx,
        Begun::Replay(answer) => return Ok(answer),
    };
    let before = store::load(&mut tx, ctx.user, id).await?;
    not_cancelled(&before.status)?;
    let mut after = before.clone();
    after.saved_amount_cents = grown(before.saved_amount_cents, amount)?;
    state::auto_complete(&mut after, now);

    crate::plan::ensure_month(&mut tx, ctx.user, today, now, ctx.metrics).await?;
    let txn = Id::new();
    let description = format!("Transfer to goal {}", before.title);
    let sql = sqlx::AssertSqlSafe(format!(
        "INSERT INTO transactions (id, user_id, goal_id, category, amount_cents, currency, description, tags, is_recurring, \
         spent_at, local_date, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'USD', $6, $7, FALSE, $8, $9, $8, $8) \
         RETURNING {TX_COLUMNS}"
    ));
    let row: Row = on_tx!(&mut tx, conn => sqlx::query_as(sql).bind(txn).bind(ctx.user).bind(id)
        .bind(TxCategory::Other.as_str()).bind(amount).bind(&description).bind(Json(Vec::<String>::new()))
        .bind(now).bind(today).fetch_one(&mut *conn).await)?;
    let turned_red = accrue(&mut tx, ctx, today, txn, now).await?;
    let spend = SpendEvent::new(txn, TxCategory::Other.as_str(), amount, today);
    // Moving money to one's own goal is not a purchase to warn about: no threshold.
    events::on_spend_applied(&mut tx, ctx.user, &spend, turned_red, None, now).await?;
    store::commit_change(&mut tx, ctx, &before, &mut after, today, now).await?;

    let answer = Transfer {
        goal: GoalView::of(&after, today),
        transaction: TransactionView::from(row),
        amount: Money::from_cents(amount),
    };
    let meta = json!({ "transaction_id": txn });
    let body = success_json(
        "Transfer recorded",
        &answer,
        Some(&meta),
        ctx.request_id,
        &timestamp_of(now),
    )?;
    let answer = idempotency::commit(tx, ctx.user, key, Answer::ok(body)).await?;
    ctx.metrics.transaction_created(amount);
    Ok(answer)
}

/// Applies the transfer to today's `other` row like any spend. Returns whether the day turned red.
async fn accrue(
    tx: &mut Tx,
    ctx: &GoalCtx<'_>,
    today: chrono::NaiveDate,
    txn: Id,
    now: i64,
) -> Result<bool> {
    let applied = plan::apply_spend(
        tx,
        ctx.user,
        today,
        PlanCategory::Other,
        today,
        Some(txn),
        now,
        ctx.metrics,
    )
    .await?;
    Ok(applied.turned_red())
}
