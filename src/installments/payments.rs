//! Payments made through the app (`PATCH payments_made` up or down). Each new payment is a
//! transaction — category from the installment's ([`super::payment_category`]), dated now,
//! "Installment payment: <item> (k/n)" — and an `installment_payments` row linking it; undoing
//! payments soft-deletes their transactions and removes the links. The transactions are spent on
//! the installment's own plan row (`plan::installments`), never on the plain category rows,
//! and `/api/transactions` refuses to edit or delete them (the installment owns them).

use chrono::NaiveDate;
use sqlx::types::Json;

use super::{InstallmentRow, payment_category};
use crate::db::Tx;
use crate::error::{Code, Error, Result};
use crate::id::Id;
use crate::on_tx;

/// Records payments `from ..= to` (1-based) of `row`, paid on `today` at `now`: one multi-row
/// insert of transactions and one of links. Returns the amounts recorded.
pub async fn record(
    tx: &mut Tx,
    row: &InstallmentRow,
    from: u32,
    to: u32,
    today: NaiveDate,
    now: i64,
) -> Result<Vec<i64>> {
    if from > to {
        return Ok(Vec::new());
    }
    let terms = row.terms();
    let payments: Vec<(u32, Id, i64)> = (from..=to)
        .map(|n| (n, Id::new(), terms.amount(n)))
        .collect();
    let category = payment_category(&row.category).as_str();
    let txn_values: Vec<String> = (0..payments.len())
        .map(|i| {
            let b = 7 + 3 * i;
            format!(
                "(${b}, $1, NULL, $2, ${}, $3, ${}, $4, FALSE, $5, $6, $5, $5)",
                b + 1,
                b + 2
            )
        })
        .collect();
    let sql = format!(
        "INSERT INTO transactions (id, user_id, goal_id, category, amount_cents, currency, description, tags, is_recurring, \
         spent_at, local_date, created_at, updated_at) VALUES {}",
        txn_values.join(", ")
    );
    on_tx!(tx, conn => {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone())).bind(row.user_id).bind(category)
            .bind(&row.currency).bind(Json(Vec::<String>::new())).bind(now).bind(today);
        for (number, id, amount) in &payments {
            let description = format!("Installment payment: {} ({number}/{})", row.item_name, terms.count);
            q = q.bind(*id).bind(*amount).bind(description);
        }
        q.execute(&mut *conn).await.map(|_| ())
    })?;
    let link_values: Vec<String> = (0..payments.len())
        .map(|i| {
            let b = 5 + 4 * i;
            format!("(${b}, $1, $2, ${}, ${}, $3, ${}, $4)", b + 1, b + 2, b + 3)
        })
        .collect();
    let sql = format!(
        "INSERT INTO installment_payments (id, user_id, installment_id, payment_number, amount_cents, paid_on, transaction_id, \
         created_at) VALUES {}",
        link_values.join(", ")
    );
    on_tx!(tx, conn => {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone())).bind(row.user_id).bind(row.id).bind(today).bind(now);
        for (number, id, amount) in &payments {
            q = q.bind(Id::new()).bind(i32::try_from(*number).unwrap_or(i32::MAX)).bind(*amount).bind(*id);
        }
        q.execute(&mut *conn).await.map(|_| ())
    })?;
    Ok(payments.into_iter().map(|p| p.2).collect())
}

/// Undoes the recorded payments numbered above `kept`: their transactions are soft-deleted and
/// the links removed. Returns the days they had been paid on. 3 statements.
pub async fn undo(
    tx: &mut Tx,
    row: &InstallmentRow,
    kept: u32,
    now: i64,
) -> Result<Vec<NaiveDate>> {
    let kept = i32::try_from(kept).unwrap_or(i32::MAX);
    let mut days: Vec<NaiveDate> = on_tx!(tx, conn => sqlx::query_scalar(
        "SELECT paid_on FROM installment_payments WHERE installment_id = $1 AND payment_number > $2")
        .bind(row.id).bind(kept).fetch_all(&mut *conn).await)?;
    if days.is_empty() {
        return Ok(days);
    }
    on_tx!(tx, conn => sqlx::query(
        "UPDATE transactions SET deleted_at = $3, updated_at = $3 WHERE user_id = $1 AND deleted_at IS NULL AND id IN \
         (SELECT transaction_id FROM installment_payments WHERE installment_id = $2 AND payment_number > $4)")
        .bind(row.user_id).bind(row.id).bind(now).bind(kept).execute(&mut *conn).await.map(|_| ()))?;
    on_tx!(tx, conn => sqlx::query(
        "DELETE FROM installment_payments WHERE installment_id = $1 AND payment_number > $2")
        .bind(row.id).bind(kept).execute(&mut *conn).await.map(|_| ()))?;
    days.sort();
    days.dedup();
    Ok(days)
}

/// Refuses to change a transaction that records an installment payment (409): the
/// installment's `payments_made` owns it. 1 query.
pub async fn refuse_if_payment(tx: &mut Tx, transaction: Id) -> Result<()> {
    let found: Option<i32> = on_tx!(tx, conn => sqlx::query_scalar(
        "SELECT 1 FROM installment_payments WHERE transaction_id = $1 LIMIT 1")
        .bind(transaction).fetch_optional(&mut *conn).await)?;
    if found.is_some() {
        return Err(Error::Conflict {
            code: Code::Resource3002,
            message: "This transaction records an installment payment: it changes with the installment's payments_made \
                      (the payments of a deleted installment stay as spent)"
                .into(),
        });
    }
    Ok(())
}
