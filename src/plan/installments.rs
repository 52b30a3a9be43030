//! Installments in the daily plan (docs/installments.md §4, BUDGET.md §1): an active installment
//! reserves each payment due in the current month, from today on, as a sacred `debt_payments`
//! row carrying the installment's id on its due date — one row per (user, date, `debt_payments`,
//! installment), so two installments never collide with each other or with the onboarding's
//! fixed debt payments. A payment made through the app is spent on the row of the day it was
//! paid: that row is planned and spent with the payment, and the due date it settled is no longer
//! reserved (the reservation moves to the day the money left). Unlike goal reservations these
//! rows count in the day's budget and status, as every fixed expense does.
//!
//! Cancelling, completing or deleting releases the future reservations (a payment made today
//! stays on today's row). Past rows never change, except that undoing a payment recomputes the
//! spent amount of the day it was paid. Everything runs inside the caller's write transaction
//! (after `lock_user`). The installment row model ([`InstallmentRow`]) lives here, under the
//! installment services, so that building a month can lay out its installments.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::schedule::{self, Frequency, Terms};
use crate::budget::store::{
    month_bounds, plan_conflict, update_day_status, update_statuses_between,
};
use crate::db::Tx;
use crate::error::Result;
use crate::id::Id;
use crate::metrics::{BudgetCalculation, Metrics};
use crate::on_tx;

/// The columns of [`InstallmentRow`], in order.
pub(crate) const COLUMNS: &str = "id, user_id, item_name, category, total_amount_cents, payment_amount_cents, currency, \
    interest_rate_bp, total_payments, payments_made, payment_frequency, first_payment_date, status, notes, \
    planned_through, created_at, updated_at, completed_at, deleted_at";

/// An installment as stored.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow, mita::db::lite::LiteRow)]
pub struct InstallmentRow {
    pub id: Id,
    pub user_id: Id,
    pub item_name: String,
    pub category: String,
    pub total_amount_cents: i64,
    pub payment_amount_cents: i64,
    pub currency: String,
    pub interest_rate_bp: i64,
    pub total_payments: i32,
    pub payments_made: i32,
    pub payment_frequency: String,
    pub first_payment_date: NaiveDate,
    /// `active`, `completed` or `cancelled` (overdue is computed, never stored).
    pub status: String,
    pub notes: Option<String>,
    pub planned_through: Option<NaiveDate>,
    pub created_at: i64,
    pub updated_at: i64,
    pub completed_at: Option<i64>,
    pub deleted_at: Option<i64>,
}

impl InstallmentRow {
    /// The repayment terms (amounts and due dates of every payment).
    pub fn terms(&self) -> Terms {
        Terms {
            total: self.total_amount_cents,
            payment: self.payment_amount_cents,
            count: u32::try_from(self.total_payments.max(1)).unwrap_or(1),
            first: self.first_payment_date,
            frequency: Frequency::parse(&self.payment_frequency).unwrap_or(Frequency::Monthly),
        }
    }

    /// Payments made so far (as an unsigned count).
    pub fn made(&self) -> u32 {
        u32::try_from(self.payments_made.max(0)).unwrap_or(0)
    }

    /// Due date of the next unpaid payment (the final one once everything is paid).
    pub fn next_due(&self) -> NaiveDate {
        let terms = self.terms();
        terms.due((self.made() + 1).min(terms.count))
    }

    /// Amount of the next unpaid payment (0 once everything is paid).
    pub fn next_amount(&self) -> i64 {
        let terms = self.terms();
        if self.made() >= terms.count {
            0
        } else {
            terms.amount(self.made() + 1)
        }
    }

    /// An active installment whose next payment was due before `today`.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.status == "active" && self.made() < self.terms().count && self.next_due() < today
    }

    /// What it costs a month: the payment, or a biweekly payment × 26 ÷ 12.
    pub fn monthly_cents(&self) -> i64 {
        schedule::monthly_equivalent(self.payment_amount_cents, self.terms().frequency)
    }
}

/// (date, planned, spent) of one plan row.
pub type PlanRow = (NaiveDate, i64, i64);

/// The rows of one installment from `today` to the month's end: today's row holds
/// `paid_today` (planned and spent); each unpaid payment due in `today ..= month end` of an
/// active, live installment is planned on its due date.
pub fn reservation_rows(row: &InstallmentRow, paid_today: i64, today: NaiveDate) -> Vec<PlanRow> {
    let mut by_date: BTreeMap<NaiveDate, (i64, i64)> = BTreeMap::new();
    if paid_today > 0 {
        by_date.insert(today, (paid_today, paid_today));
    }
    if row.status == "active" && row.deleted_at.is_none() {
        let terms = row.terms();
        let (_, last) = month_bounds(today);
        for (number, due) in terms.dues_between(today, last) {
            if number > row.made() {
                by_date.entry(due).or_default().0 += terms.amount(number);
            }
        }
    }
    by_date
        .into_iter()
        .filter(|(_, (planned, _))| *planned > 0)
        .map(|(d, (p, s))| (d, p, s))
        .collect()
}

/// Σ of the installment's payments recorded on `day`. 1 query.
async fn paid_on(tx: &mut Tx, installment: Id, day: NaiveDate) -> Result<i64> {
    Ok(on_tx!(tx, conn => sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(amount_cents), 0) AS BIGINT) FROM installment_payments \
         WHERE installment_id = $1 AND paid_on = $2")
        .bind(installment).bind(day).fetch_one(&mut *conn).await)?)
}

/// Lays out the installment's rows from today on (released, then reserved again), marks the
/// month as laid out, and recomputes the statuses of the days from today to the month's end.
/// A fixed number of statements whatever the number of rows.
pub async fn sync(
    tx: &mut Tx,
    row: &InstallmentRow,
    today: NaiveDate,
    now: i64,
    metrics: &Metrics,
) -> Result<usize> {
    let started = std::time::Instant::now();
    let (_, last) = month_bounds(today);
    let paid_today = paid_on(tx, row.id, today).await?;
    on_tx!(tx, conn => sqlx::query(
        "DELETE FROM daily_plan WHERE user_id = $1 AND installment_id = $2 AND date >= $3")
        .bind(row.user_id).bind(row.id).bind(today).execute(&mut *conn).await.map(|_| ()))?;
    let rows = reservation_rows(row, paid_today, today);
    if !rows.is_empty() {
        // A new month's plan must exist before the installment's first rows in it (otherwise
        // the month would look built and the onboarding plan would never be laid out).
        super::ensure_month(tx, row.user_id, today, now, metrics).await?;
        insert_rows(tx, row.user_id, row.id, &rows, now).await?;
    }
    on_tx!(tx, conn => sqlx::query("UPDATE installments SET planned_through = $2 WHERE id = $1")
        .bind(row.id).bind(last).execute(&mut *conn).await.map(|_| ()))?;
    update_statuses_between(tx, row.user_id, today, last, now).await?;
    metrics.budget_calculation(BudgetCalculation::Plan, started);
    Ok(rows.len())
}

/// After a payment recorded on an earlier day was undone: that day's row keeps its planned
/// amount (past rows never change) and takes the spent amount of the payments still recorded.
pub async fn respend(
    tx: &mut Tx,
    user: Id,
    installment: Id,
    day: NaiveDate,
    now: i64,
) -> Result<()> {
    on_tx!(tx, conn => sqlx::query(
        "UPDATE daily_plan SET spent_cents = (SELECT CAST(COALESCE(SUM(amount_cents), 0) AS BIGINT) \
           FROM installment_payments WHERE installment_id = $2 AND paid_on = $3), updated_at = $4 \
         WHERE user_id = $1 AND installment_id = $2 AND date = $3")
        .bind(user).bind(installment).bind(day).bind(now).execute(&mut *conn).await.map(|_| ()))?;
    update_day_status(tx, user, day, now).await?;
    Ok(())
}

/// One multi-row insert (3 parameters a row; an installment has at most 31 rows in a month).
async fn insert_rows(
    tx: &mut Tx,
    user: Id,
    installment: Id,
    rows: &[PlanRow],
    now: i64,
) -> Result<()> {
    let values: Vec<String> = (0..rows.len())
        .map(|i| {
            let (id, date, planned, spent) = (4 + 4 * i, 5 + 4 * i, 6 + 4 * i, 7 + 4 * i);
            format!(
                "(${id}, $1, ${date}, 'debt_payments', NULL, $2, ${planned}, ${spent}, 'neutral', $3, $3)"
            )
        })
        .collect();
    let conflict = plan_conflict(tx);
    let sql = format!(
        "INSERT INTO daily_plan (id, user_id, date, category, goal_id, installment_id, planned_cents, spent_cents, status, \
         created_at, updated_at) VALUES {} {conflict} DO UPDATE SET planned_cents = excluded.planned_cents, \
         spent_cents = excluded.spent_cents, updated_at = excluded.updated_at",
        values.join(", ")
    );
    on_tx!(tx, conn => {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone())).bind(user).bind(installment).bind(now);
        for (date, planned, spent) in rows {
            q = q.bind(Id::new()).bind(*date).bind(*planned).bind(*spent);
        }
        q.execute(&mut *conn).await.map(|_| ())
    })?;
    Ok(())
}

/// Lays out every active installment of the user not laid out for the month of `today` yet (a
/// new month started). Returns how many were laid out.
pub async fn reserve_missing(
    tx: &mut Tx,
    user: Id,
    today: NaiveDate,
    now: i64,
    metrics: &Metrics,
) -> Result<usize> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM installments WHERE user_id = $1 AND deleted_at IS NULL AND status = 'active' \
         AND (planned_through IS NULL OR planned_through < $2)"
    ));
    let rows: Vec<InstallmentRow> = on_tx!(tx, conn => sqlx::query_as(sql).bind(user).bind(today)
        .fetch_all(&mut *conn).await)?;
    for row in &rows {
        sync(tx, row, today, now, metrics).await?;
    }
    Ok(rows.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).unwrap()
    }

    fn row(first: NaiveDate, frequency: &str, made: i32, status: &str) -> InstallmentRow {
        InstallmentRow {
            id: Id::new(),
            user_id: Id::new(),
            item_name: "Sofa".into(),
            category: "furniture".into(),
            total_amount_cents: 60_000,
            payment_amount_cents: 10_000,
            currency: "USD".into(),
            interest_rate_bp: 0,
            total_payments: 6,
            payments_made: made,
            payment_frequency: frequency.into(),
            first_payment_date: first,
            status: status.into(),
            notes: None,
            planned_through: None,
            created_at: 0,
            updated_at: 0,
            completed_at: None,
            deleted_at: None,
        }
    }

    #[test]
    fn unpaid_dues_from_today_to_the_months_end_are_reserved() {
        let r = row(day(11, 12), "biweekly", 0, "active");
        assert_eq!(
            reservation_rows(&r, 0, day(11, 10)),
            vec![(day(11, 12), 10_000, 0), (day(11, 26), 10_000, 0)]
        );
        assert_eq!(
            reservation_rows(&r, 0, day(11, 13)),
            vec![(day(11, 26), 10_000, 0)],
            "a due date before today is not reserved again"
        );
    }

    #[test]
    fn a_payment_made_today_moves_the_reservation_to_today() {
        let r = row(day(11, 20), "monthly", 1, "active");
        assert_eq!(
            reservation_rows(&r, 10_000, day(11, 10)),
            vec![(day(11, 10), 10_000, 10_000)],
            "payment 1 is paid; payment 2 is due in December"
        );
    }

    #[test]
    fn cancelled_and_deleted_installments_reserve_nothing_but_keep_todays_payment() {
        let mut r = row(day(11, 20), "monthly", 0, "cancelled");
        assert!(reservation_rows(&r, 0, day(11, 10)).is_empty());
        r.status = "active".into();
        r.deleted_at = Some(1);
        assert_eq!(
            reservation_rows(&r, 5_000, day(11, 10)),
            vec![(day(11, 10), 5_000, 5_000)]
        );
    }
}
