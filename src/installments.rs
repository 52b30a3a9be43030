//! Installments (docs/installments.md): debts the user repays in instalments. Each one reserves
//! its payments in the daily plan on their due days (a `debt_payments` row per due date,
//! `plan::installments`), paying one through the app records a transaction spent on that
//! reservation, and the calculator judges whether a new one fits the user's plan and income.
//! Every amount is integer cents; ratios are [`Fixed`].
//!
//! Soft-deleted installments (`deleted_at` set) are invisible everywhere: lists, summaries,
//! calendars and every `{id}` route (404).

pub mod achievements;
pub mod calculator;
pub mod context;
pub mod input;
pub mod payments;
pub mod profile;
pub mod risk;
pub mod store;
pub mod summary;

use crate::plan::schedule;

use chrono::NaiveDate;
use chrono_tz::Tz;
use serde::Serialize;

use crate::budget::TxCategory;
use crate::clock::{Clock, rfc3339};
use crate::db::Db;
use crate::fixed::Fixed;
use crate::id::Id;
use crate::metrics::Metrics;
use crate::money::Money;

/// The installment categories the app offers (`InstallmentCategory`).
pub const CATEGORIES: [&str; 9] = [
    "electronics",
    "clothing",
    "furniture",
    "travel",
    "education",
    "health",
    "groceries",
    "utilities",
    "other",
];

/// Most payments of one installment (30 years of monthly payments).
pub const MAX_PAYMENTS: i64 = 360;
/// Largest total of one installment (100,000,000.00).
pub const MAX_TOTAL_CENTS: i64 = 10_000_000_000;

/// The transaction category a payment of an installment of `category` is recorded under.
pub fn payment_category(category: &str) -> TxCategory {
    match category {
        "electronics" | "furniture" => TxCategory::Shopping,
        "clothing" => TxCategory::Clothing,
        "travel" => TxCategory::Travel,
        "education" => TxCategory::Education,
        "health" => TxCategory::Healthcare,
        "groceries" => TxCategory::Groceries,
        "utilities" => TxCategory::Utilities,
        _ => TxCategory::Other,
    }
}

pub(crate) use crate::plan::installments::COLUMNS;
use crate::plan::installments::InstallmentRow;

/// The installment object the app reads (`Installment.fromJson`): `total_payments` and
/// `payments_made` are JSON integers, amounts numbers, dates `YYYY-MM-DD`.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct InstallmentView {
    pub id: Id,
    pub user_id: Id,
    pub item_name: String,
    pub category: String,
    pub total_amount: Money,
    pub payment_amount: Money,
    /// Annual rate in percent.
    pub interest_rate: Fixed,
    pub total_payments: i64,
    pub payments_made: i64,
    pub payment_frequency: String,
    pub first_payment_date: String,
    pub next_payment_date: String,
    pub final_payment_date: String,
    pub next_payment_amount: Money,
    pub status: String,
    pub notes: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub completed_at: Option<String>,
    pub progress_percentage: Fixed,
    pub remaining_payments: i64,
    pub total_paid: Money,
    pub remaining_balance: Money,
    pub monthly_payment: Money,
    pub is_overdue: bool,
    pub days_until_next_payment: i64,
}

impl InstallmentView {
    /// The view of a row as of the user's `today`.
    pub fn of(row: &InstallmentRow, today: NaiveDate) -> InstallmentView {
        let terms = row.terms();
        let made = row.made().min(terms.count);
        let paid = terms.paid_through(made);
        let next = row.next_due();
        InstallmentView {
            id: row.id,
            user_id: row.user_id,
            item_name: row.item_name.clone(),
            category: row.category.clone(),
            total_amount: Money::from_cents(row.total_amount_cents),
            payment_amount: Money::from_cents(row.payment_amount_cents),
            interest_rate: Fixed::new(row.interest_rate_bp, 2),
            total_payments: i64::from(row.total_payments),
            payments_made: i64::from(row.payments_made),
            payment_frequency: row.payment_frequency.clone(),
            first_payment_date: row.first_payment_date.to_string(),
            next_payment_date: next.to_string(),
            final_payment_date: terms.final_due().to_string(),
            next_payment_amount: Money::from_cents(row.next_amount()),
            status: row.status.clone(),
            notes: row.notes.clone(),
            created_at: rfc3339(row.created_at),
            updated_at: rfc3339(row.updated_at),
            completed_at: row.completed_at.map(rfc3339),
            progress_percentage: Fixed::percent_capped(i64::from(made), i64::from(terms.count)),
            remaining_payments: i64::from(terms.count - made),
            total_paid: Money::from_cents(paid),
            remaining_balance: Money::from_cents(row.total_amount_cents - paid),
            monthly_payment: Money::from_cents(row.monthly_cents()),
            is_overdue: row.is_overdue(today),
            days_until_next_payment: (next - today).num_days(),
        }
    }
}

/// Who changes installments, and when "today" is for them.
pub struct InstallmentCtx<'a> {
    pub db: &'a Db,
    pub clock: &'a Clock,
    pub metrics: &'a Metrics,
    pub user: Id,
    pub tz: Tz,
}

impl InstallmentCtx<'_> {
    /// Now (epoch ms) and the user's local today.
    pub fn now(&self) -> (i64, NaiveDate) {
        let now = self.clock.now_ms();
        (now, crate::time::local_date(now, self.tz))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(made: i32, status: &str) -> InstallmentRow {
        InstallmentRow {
            id: Id::new(),
            user_id: Id::new(),
            item_name: "Laptop".into(),
            category: "electronics".into(),
            total_amount_cents: 100_000,
            payment_amount_cents: 25_000,
            currency: "USD".into(),
            interest_rate_bp: 0,
            total_payments: 4,
            payments_made: made,
            payment_frequency: "monthly".into(),
            first_payment_date: NaiveDate::from_ymd_opt(2026, 1, 31).unwrap(),
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
    fn the_view_derives_dates_and_amounts_from_the_terms() {
        let today = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let v = InstallmentView::of(&row(1, "active"), today);
        assert_eq!(
            v.next_payment_date, "2026-02-28",
            "clamped to February's end"
        );
        assert_eq!(v.final_payment_date, "2026-04-30");
        assert_eq!(v.total_paid, Money::from_cents(25_000));
        assert_eq!(v.remaining_balance, Money::from_cents(75_000));
        assert_eq!(v.remaining_payments, 3);
        assert_eq!(v.progress_percentage.to_string(), "25.00");
        assert!(v.is_overdue, "February's payment is unpaid on 1 March");
        assert_eq!(v.days_until_next_payment, -1);
        let done = InstallmentView::of(&row(4, "completed"), today);
        assert_eq!(done.next_payment_date, "2026-04-30");
        assert_eq!(done.next_payment_amount, Money::ZERO);
        assert!(!done.is_overdue);
    }

    #[test]
    fn payments_are_recorded_under_the_closest_transaction_category() {
        assert_eq!(payment_category("electronics"), TxCategory::Shopping);
        assert_eq!(payment_category("health"), TxCategory::Healthcare);
        assert_eq!(payment_category("other"), TxCategory::Other);
        for c in CATEGORIES {
            let _ = payment_category(c);
        }
    }
}
