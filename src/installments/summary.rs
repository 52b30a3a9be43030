//! The list the installments screen reads (`InstallmentsSummary`) and the month calendar of
//! payments (docs/installments.md §5–6). Both read a fixed number of queries.

use chrono::NaiveDate;
use serde::Serialize;

use super::context::{self, Context};
use super::store::matches;
use super::{InstallmentRow, InstallmentView};
use crate::budget::store::month_bounds;
use crate::db::Db;
use crate::error::Result;
use crate::fixed::Fixed;
use crate::id::Id;
use crate::money::Money;

/// `GET /api/installments` (bare).
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Summary {
    /// Active installments (overdue ones included: they are still active).
    pub total_active: i64,
    pub total_completed: i64,
    pub total_cancelled: i64,
    /// Active installments with a payment due before today.
    pub total_overdue: i64,
    /// Σ monthly cost of the active installments.
    pub total_monthly_payment: Money,
    /// The earliest next due date among the active installments.
    pub next_payment_date: Option<String>,
    /// Σ of the payments due on that date.
    pub next_payment_amount: Option<Money>,
    /// The installments passing the filter, next due date first.
    pub installments: Vec<InstallmentView>,
    /// `total_monthly_payment ÷ plan capacity` (a fraction; the app shows it × 100 and reads
    /// < 0.5 safe, < 0.7 moderate, < 0.9 high, else critical).
    pub current_installment_load: Fixed,
    /// `safe`, `moderate`, `high`, `critical` or `unknown` (no income known).
    pub load_level: &'static str,
    pub load_message: String,
    /// What the plan leaves for installments each month (null without an income).
    pub plan_capacity: Option<Money>,
}

/// The load of `monthly` cents of installments on a plan that leaves `capacity` a month:
/// (fraction, level, message).
pub fn load(monthly: i64, capacity: Option<i64>) -> (Fixed, &'static str, String) {
    let Some(capacity) = capacity else {
        return (
            Fixed::new(0, 4),
            "unknown",
            "Add your income (onboarding or financial profile) to see your installment load".into(),
        );
    };
    if monthly == 0 {
        return (
            Fixed::new(0, 4),
            "safe",
            "No active installments: nothing is committed beyond your plan".into(),
        );
    }
    if capacity <= 0 {
        return (
            Fixed::new(10_000, 4),
            "critical",
            "Your plan leaves no money for installments: every payment comes out of bills, savings or your daily budget"
                .into(),
        );
    }
    let f = Fixed::ratio(monthly, capacity, 4);
    let percent = Fixed::ratio(monthly * 100, capacity, 0);
    let level = match f.units() {
        u if u < 5_000 => "safe",
        u if u < 7_000 => "moderate",
        u if u < 9_000 => "high",
        _ => "critical",
    };
    let message = format!(
        "Installments take {percent}% of the {} your plan leaves free each month{}",
        Money::from_cents(capacity),
        match level {
            "safe" => "",
            "moderate" => ": keep new ones small",
            "high" => ": avoid new ones until one is repaid",
            _ => ": there is almost no room left for surprises",
        }
    );
    (f, level, message)
}

/// The summary of the caller's installments, filtered by `filter` (see [`super::store::FILTERS`]).
/// 3 queries.
pub async fn list(db: &Db, user: Id, filter: Option<&str>, today: NaiveDate) -> Result<Summary> {
    let ctx = context::load(db, user).await?;
    Ok(summarize(&ctx, filter, today))
}

fn summarize(ctx: &Context, filter: Option<&str>, today: NaiveDate) -> Summary {
    let all = &ctx.installments;
    let count = |f: &dyn Fn(&InstallmentRow) -> bool| {
        i64::try_from(all.iter().filter(|r| f(r)).count()).unwrap_or(0)
    };
    let active: Vec<&InstallmentRow> = all.iter().filter(|r| r.status == "active").collect();
    let monthly: i64 = active.iter().map(|r| r.monthly_cents()).sum();
    let next = active
        .iter()
        .filter(|r| r.next_amount() > 0)
        .map(|r| r.next_due())
        .min();
    let next_amount = next.map(|d| {
        active
            .iter()
            .filter(|r| r.next_amount() > 0 && r.next_due() == d)
            .map(|r| r.next_amount())
            .sum::<i64>()
    });
    let capacity = ctx.plan_capacity();
    let (fraction, level, message) = load(monthly, capacity);
    let mut listed: Vec<&InstallmentRow> =
        all.iter().filter(|r| matches(r, filter, today)).collect();
    listed.sort_by_key(|r| (r.status != "active", r.next_due(), r.created_at));
    Summary {
        total_active: count(&|r| r.status == "active"),
        total_completed: count(&|r| r.status == "completed"),
        total_cancelled: count(&|r| r.status == "cancelled"),
        total_overdue: count(&|r| r.is_overdue(today)),
        total_monthly_payment: Money::from_cents(monthly),
        next_payment_date: next.map(|d| d.to_string()),
        next_payment_amount: next_amount.map(Money::from_cents),
        installments: listed
            .into_iter()
            .map(|r| InstallmentView::of(r, today))
            .collect(),
        current_installment_load: fraction,
        load_level: level,
        load_message: message,
        plan_capacity: capacity.map(Money::from_cents),
    }
}

/// One payment in a month (`payment_dates[]`).
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct CalendarPayment {
    pub installment_id: Id,
    pub item_name: String,
    pub payment_number: i64,
    pub payment_amount: Money,
    pub payment_date: String,
    /// Not paid and due today or later.
    pub is_upcoming: bool,
    /// Days from today (negative in the past).
    pub days_until_payment: i64,
    /// `paid`, `today`, `upcoming` or `overdue`.
    pub status: &'static str,
}

/// `GET /api/installments/calendar/{year}/{month}` (bare).
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Calendar {
    pub year: i32,
    pub month: u32,
    /// Σ of every payment due in the month (paid or not).
    pub total_payments_this_month: Money,
    /// Σ of those still unpaid.
    pub unpaid_this_month: Money,
    pub payment_dates: Vec<CalendarPayment>,
    /// What the plan leaves free after the month's payments (null without an income).
    pub available_after_installments: Option<Money>,
}

/// The payments due in a month of the caller's active and completed installments. 3 queries.
pub async fn calendar(db: &Db, user: Id, first: NaiveDate, today: NaiveDate) -> Result<Calendar> {
    let ctx = context::load(db, user).await?;
    let (first, last) = month_bounds(first);
    let mut payments = Vec::new();
    for row in ctx.installments.iter().filter(|r| r.status != "cancelled") {
        let terms = row.terms();
        for (number, due) in terms.dues_between(first, last) {
            let paid = number <= row.made();
            let days = (due - today).num_days();
            payments.push(CalendarPayment {
                installment_id: row.id,
                item_name: row.item_name.clone(),
                payment_number: i64::from(number),
                payment_amount: Money::from_cents(terms.amount(number)),
                payment_date: due.to_string(),
                is_upcoming: !paid && days >= 0,
                days_until_payment: days,
                status: match (paid, days) {
                    (true, _) => "paid",
                    (false, 0) => "today",
                    (false, d) if d > 0 => "upcoming",
                    _ => "overdue",
                },
            });
        }
    }
    payments.sort_by(|a, b| {
        a.payment_date
            .cmp(&b.payment_date)
            .then(a.item_name.cmp(&b.item_name))
    });
    let total: i64 = payments.iter().map(|p| p.payment_amount.cents()).sum();
    let unpaid: i64 = payments
        .iter()
        .filter(|p| p.status != "paid")
        .map(|p| p.payment_amount.cents())
        .sum();
    let capacity = ctx.plan_capacity();
    Ok(Calendar {
        year: chrono::Datelike::year(&first),
        month: chrono::Datelike::month(&first),
        total_payments_this_month: Money::from_cents(total),
        unpaid_this_month: Money::from_cents(unpaid),
        payment_dates: payments,
        available_after_installments: capacity.map(|c| Money::from_cents(c - total)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_load_is_the_share_of_the_plans_free_money() {
        let (f, level, msg) = load(30_000, Some(96_000));
        assert_eq!(f.to_string(), "0.3125");
        assert_eq!(level, "safe");
        assert!(msg.contains("31%"), "{msg}");
        assert_eq!(load(60_000, Some(96_000)).1, "moderate");
        assert_eq!(load(80_000, Some(96_000)).1, "high");
        assert_eq!(load(96_000, Some(96_000)).1, "critical");
        assert_eq!(load(1, Some(0)).0.to_string(), "1.0000");
        assert_eq!(load(0, Some(0)).1, "safe");
        assert_eq!(load(5, None).1, "unknown");
    }
}
