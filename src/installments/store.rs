//! Installments in the database: create, read, partial update (payments, status, notes) and
//! soft delete. Every write is one database transaction (user lock first) holding the row, the
//! payments' transactions and the plan rows, so a failed write changes nothing.

use chrono::NaiveDate;

use super::input::{InstallmentChanges, InstallmentInput};
use super::{COLUMNS, InstallmentCtx, InstallmentRow, InstallmentView, payments};
use crate::budget::store::lock_user;
use crate::db::{Db, Tx};
use crate::error::{Code, Error, Result};
use crate::id::Id;
use crate::plan::installments as installments_plan;
use crate::{on_db, on_tx};

/// Loads a live installment of `user` inside a write transaction; else 404.
async fn load(tx: &mut Tx, user: Id, id: Id) -> Result<InstallmentRow> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM installments WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL"
    ));
    let row: Option<InstallmentRow> = on_tx!(tx, conn => sqlx::query_as(sql).bind(id).bind(user).fetch_optional(&mut *conn).await)?;
    row.ok_or(Error::NotFound("Installment"))
}

async fn save(tx: &mut Tx, r: &InstallmentRow) -> Result<()> {
    on_tx!(tx, conn => sqlx::query(
        "UPDATE installments SET item_name = $3, category = $4, payments_made = $5, status = $6, notes = $7, \
         updated_at = $8, completed_at = $9, deleted_at = $10 WHERE id = $1 AND user_id = $2")
        .bind(r.id).bind(r.user_id).bind(&r.item_name).bind(&r.category).bind(r.payments_made).bind(&r.status)
        .bind(&r.notes).bind(r.updated_at).bind(r.completed_at).bind(r.deleted_at)
        .execute(&mut *conn).await.map(|_| ()))?;
    Ok(())
}

/// One live installment of `user` (404 otherwise). 1 query.
pub async fn get(db: &Db, user: Id, id: Id) -> Result<InstallmentRow> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM installments WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL"
    ));
    let row: Option<InstallmentRow> =
        on_db!(db, pool => sqlx::query_as(sql).bind(id).bind(user).fetch_optional(pool).await)?;
    row.ok_or(Error::NotFound("Installment"))
}

/// Completes an installment whose every payment is made, and reopens a completed one that
/// is no longer fully paid.
fn settle(row: &mut InstallmentRow, now: i64) {
    if row.payments_made >= row.total_payments && row.status != "cancelled" {
        if row.status != "completed" {
            row.status = "completed".into();
            row.completed_at = Some(now);
        }
    } else if row.status == "completed" {
        row.status = "active".into();
        row.completed_at = None;
    }
}

/// `POST /api/installments`: stores an active installment (completed at once when every
/// payment is already made) and reserves this month's payments in the plan. Payments counted as
/// already made record no transaction (they happened before).
pub async fn create(ctx: &InstallmentCtx<'_>, input: &InstallmentInput) -> Result<InstallmentView> {
    let n = input.check_create(ctx.tz)?;
    let (now, today) = ctx.now();
    let mut row = InstallmentRow {
        id: Id::new(),
        user_id: ctx.user,
        item_name: n.item_name,
        category: n.category,
        total_amount_cents: n.total_cents,
        payment_amount_cents: n.payment_cents,
        currency: "USD".into(),
        interest_rate_bp: n.rate_bp,
        total_payments: n.total_payments,
        payments_made: n.payments_made,
        payment_frequency: n.frequency.as_str().into(),
        first_payment_date: n.first_payment_date,
        status: "active".into(),
        notes: n.notes,
        planned_through: None,
        created_at: now,
        updated_at: now,
        completed_at: None,
        deleted_at: None,
    };
    settle(&mut row, now);
    let mut tx = ctx.db.begin().await?;
    lock_user(&mut tx, ctx.user).await?;
    on_tx!(&mut tx, conn => sqlx::query(
        "INSERT INTO installments (id, user_id, item_name, category, total_amount_cents, payment_amount_cents, currency, \
         interest_rate_bp, total_payments, payments_made, payment_frequency, first_payment_date, status, notes, created_at, \
         updated_at, completed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15, $16)")
        .bind(row.id).bind(row.user_id).bind(&row.item_name).bind(&row.category).bind(row.total_amount_cents)
        .bind(row.payment_amount_cents).bind(&row.currency).bind(row.interest_rate_bp).bind(row.total_payments)
        .bind(row.payments_made).bind(&row.payment_frequency).bind(row.first_payment_date).bind(&row.status)
        .bind(&row.notes).bind(now).bind(row.completed_at).execute(&mut *conn).await.map(|_| ()))?;
    installments_plan::sync(&mut tx, &row, today, now, ctx.metrics).await?;
    tx.commit().await?;
    Ok(InstallmentView::of(&row, today))
}

fn refuse(field: &str, message: &str) -> Error {
    Error::invalid(Code::Validation2001, field, "state", message)
}

/// Applies checked changes to a row. Order: a resume (`status: active` on a cancelled one),
/// then the payments, then `cancelled` / `completed`. Returns (payments before, after).
fn apply(row: &mut InstallmentRow, c: &InstallmentChanges, now: i64) -> Result<(u32, u32)> {
    if let Some(t) = &c.item_name {
        row.item_name = t.clone();
    }
    if let Some(cat) = &c.category {
        row.category = cat.clone();
    }
    if let Some(n) = &c.notes {
        row.notes = n.clone();
    }
    if c.status.as_deref() == Some("active") && row.status == "cancelled" {
        row.status = "active".into();
    }
    let before = row.made();
    if let Some(made) = c.payments_made {
        if made > row.total_payments {
            let msg = format!(
                "must be between 0 and {} (total_payments)",
                row.total_payments
            );
            return Err(Error::invalid(
                Code::Validation2003,
                "body.payments_made",
                "range",
                msg,
            ));
        }
        if made > row.payments_made && row.status == "cancelled" {
            return Err(refuse(
                "body.payments_made",
                "a cancelled installment takes no payments (set status active first)",
            ));
        }
        row.payments_made = made;
    }
    settle(row, now);
    match c.status.as_deref() {
        Some("cancelled") if row.status == "completed" => {
            return Err(refuse(
                "body.status",
                "a completed installment cannot be cancelled",
            ));
        }
        Some("cancelled") => {
            row.status = "cancelled".into();
            row.completed_at = None;
        }
        Some("completed") if row.status != "completed" => {
            return Err(refuse(
                "body.status",
                "an installment completes when every payment is made (send payments_made)",
            ));
        }
        Some("active") if row.status == "completed" => {
            return Err(refuse(
                "body.status",
                "every payment is made: lower payments_made to reopen it",
            ));
        }
        _ => {}
    }
    row.updated_at = now;
    Ok((before, row.made()))
}

/// `PATCH /api/installments/{id}`: a partial update. Raising `payments_made` records each new
/// payment as a transaction spent on today's plan row; lowering it undoes the payments recorded
/// through the app above the new count. 404 for an installment that is not the caller's.
pub async fn update(
    ctx: &InstallmentCtx<'_>,
    id: Id,
    input: &InstallmentInput,
) -> Result<InstallmentView> {
    let changes = input.check_update()?;
    let (now, today) = ctx.now();
    let mut tx = ctx.db.begin().await?;
    lock_user(&mut tx, ctx.user).await?;
    let mut row = load(&mut tx, ctx.user, id).await?;
    let (before, after) = apply(&mut row, &changes, now)?;
    let mut recorded = Vec::new();
    let mut undone_days = Vec::new();
    if after > before {
        // A new month must be built before today's first spend in it (as for any spend).
        crate::plan::ensure_month(&mut tx, ctx.user, today, now, ctx.metrics).await?;
        recorded = payments::record(&mut tx, &row, before + 1, after, today, now).await?;
    } else if after < before {
        undone_days = payments::undo(&mut tx, &row, after, now).await?;
    }
    save(&mut tx, &row).await?;
    installments_plan::sync(&mut tx, &row, today, now, ctx.metrics).await?;
    for day in undone_days.iter().filter(|d| **d < today) {
        installments_plan::respend(&mut tx, ctx.user, row.id, *day, now).await?;
    }
    tx.commit().await?;
    for amount in recorded {
        ctx.metrics.transaction_created(amount);
    }
    Ok(InstallmentView::of(&row, today))
}

/// `DELETE /api/installments/{id}`: a soft delete; the future reservations are released (the
/// transactions of payments already made stay: that money was spent).
pub async fn delete(ctx: &InstallmentCtx<'_>, id: Id) -> Result<()> {
    let (now, today) = ctx.now();
    let mut tx = ctx.db.begin().await?;
    lock_user(&mut tx, ctx.user).await?;
    let mut row = load(&mut tx, ctx.user, id).await?;
    row.deleted_at = Some(now);
    row.updated_at = now;
    save(&mut tx, &row).await?;
    installments_plan::sync(&mut tx, &row, today, now, ctx.metrics).await?;
    tx.commit().await
}

/// The statuses a list may be filtered by.
pub const FILTERS: [&str; 4] = ["active", "completed", "cancelled", "overdue"];

/// True when `row` passes the list filter (`overdue`: active with a payment due before today).
pub fn matches(row: &InstallmentRow, filter: Option<&str>, today: NaiveDate) -> bool {
    match filter {
        None => true,
        Some("overdue") => row.is_overdue(today),
        Some(s) => row.status == s,
    }
}
