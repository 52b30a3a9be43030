//! Repayment arithmetic, all in integer cents: the due date and amount of each payment of an
//! installment, and the amortization schedule of a loan at an annual rate (the calculator).

use chrono::{Months, NaiveDate};

use crate::budget::split_even;

/// How often a payment falls due.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Frequency {
    /// Same day every month (clamped to the month's last day: 31 January → 28 February → 31 March).
    Monthly,
    /// Every 14 days.
    Biweekly,
}

impl Frequency {
    pub fn parse(text: &str) -> Option<Frequency> {
        match text.trim().to_ascii_lowercase().as_str() {
            "monthly" => Some(Frequency::Monthly),
            "biweekly" | "bi-weekly" => Some(Frequency::Biweekly),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Frequency::Monthly => "monthly",
            Frequency::Biweekly => "biweekly",
        }
    }
}

/// What a payment of `payment` cents costs a month: itself, or `payment × 26 ÷ 12` (26 biweekly
/// payments a year), rounded half up to the cent.
pub fn monthly_equivalent(payment: i64, frequency: Frequency) -> i64 {
    match frequency {
        Frequency::Monthly => payment,
        Frequency::Biweekly => (payment * 26 + 6) / 12,
    }
}

/// The terms of an installment: `count` payments from `first`; payments 1 … count−1 are
/// `payment`, the last is what `total` leaves (`total − payment × (count − 1)`, positive by the
/// create checks).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Terms {
    pub total: i64,
    pub payment: i64,
    pub count: u32,
    pub first: NaiveDate,
    pub frequency: Frequency,
}

impl Terms {
    /// Due date of payment `number` (1-based), always computed from the first date.
    pub fn due(&self, number: u32) -> NaiveDate {
        let k = number.max(1) - 1;
        match self.frequency {
            Frequency::Monthly => self
                .first
                .checked_add_months(Months::new(k))
                .unwrap_or(self.first),
            Frequency::Biweekly => self.first + chrono::Duration::days(14 * i64::from(k)),
        }
    }

    /// Amount of payment `number` (1-based).
    pub fn amount(&self, number: u32) -> i64 {
        if number < self.count {
            self.payment
        } else {
            self.total - self.payment * i64::from(self.count.saturating_sub(1))
        }
    }

    /// Σ of payments 1 … `made`.
    pub fn paid_through(&self, made: u32) -> i64 {
        let made = made.min(self.count);
        if made == self.count {
            self.total
        } else {
            self.payment * i64::from(made)
        }
    }

    /// Due date of the last payment.
    pub fn final_due(&self) -> NaiveDate {
        self.due(self.count)
    }

    /// (number, due date) of the payments due in `from ..= to`, in order.
    pub fn dues_between(&self, from: NaiveDate, to: NaiveDate) -> Vec<(u32, NaiveDate)> {
        let mut out = Vec::new();
        for number in 1..=self.count {
            let due = self.due(number);
            if due > to {
                break;
            }
            if due >= from {
                out.push((number, due));
            }
        }
        out
    }
}

/// One payment of an amortization schedule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scheduled {
    pub number: u32,
    pub amount: i64,
    pub principal: i64,
    pub interest: i64,
    /// What is still owed after this payment.
    pub remaining_balance: i64,
}

/// A loan repaid in equal monthly payments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Amortized {
    pub payments: Vec<Scheduled>,
    /// The regular monthly payment (the first payment).
    pub monthly_payment: i64,
    pub total_interest: i64,
}

/// Fixed-point scale of the growth factor (10^15: exact to far below a cent for any allowed
/// price, rate and term, and `(1 + i)^360 × 10^15` fits an i128 with room to spare).
const SCALE: i128 = 1_000_000_000_000_000;
/// Basis points of an annual rate per unit of monthly rate: 12 months × 10,000 bp.
const BP_MONTHS: i128 = 120_000;

fn div_round(n: i128, d: i128) -> i128 {
    if d == 0 {
        return 0;
    }
    let q = (2 * n.abs() + d.abs()) / (2 * d.abs());
    if (n < 0) != (d < 0) { -q } else { q }
}

/// The schedule of `principal` cents repaid in `count` monthly payments at an annual rate of
/// `apr_bp` basis points (docs/installments.md §2):
/// - 0 %: the principal split evenly, the extra cents on the first payments;
/// - otherwise the annuity `M = P × i × (1+i)^n ÷ ((1+i)^n − 1)` with `i = apr ÷ 12`, rounded
///   to the cent; each payment's interest is `round(balance × i)`, its principal `M − interest`,
///   and the last payment takes whatever balance is left.
pub fn amortize(principal: i64, apr_bp: i64, count: u32) -> Amortized {
    let count = count.max(1);
    if apr_bp <= 0 {
        let parts = split_even(principal, usize::try_from(count).unwrap_or(1));
        let mut balance = principal;
        let payments: Vec<Scheduled> = parts
            .iter()
            .zip(1..)
            .map(|(amount, number)| {
                balance -= amount;
                Scheduled {
                    number,
                    amount: *amount,
                    principal: *amount,
                    interest: 0,
                    remaining_balance: balance,
                }
            })
            .collect();
        return Amortized {
            monthly_payment: parts.first().copied().unwrap_or(0),
            payments,
            total_interest: 0,
        };
    }
    let rate = i128::from(apr_bp);
    let growth = SCALE + div_round(SCALE * rate, BP_MONTHS);
    let mut power = SCALE;
    for _ in 0..count {
        power = div_round(power * growth, SCALE);
    }
    let p = i128::from(principal);
    let monthly =
        i64::try_from(div_round(p * rate * power, BP_MONTHS * (power - SCALE))).unwrap_or(i64::MAX);
    let mut balance = principal;
    let mut total_interest = 0;
    let mut payments = Vec::with_capacity(usize::try_from(count).unwrap_or(0));
    for number in 1..=count {
        let interest = i64::try_from(div_round(i128::from(balance) * rate, BP_MONTHS)).unwrap_or(0);
        let principal_part = if number == count {
            balance
        } else {
            (monthly - interest).clamp(0, balance)
        };
        balance -= principal_part;
        total_interest += interest;
        payments.push(Scheduled {
            number,
            amount: principal_part + interest,
            principal: principal_part,
            interest,
            remaining_balance: balance,
        });
    }
    Amortized {
        payments,
        monthly_payment: monthly,
        total_interest,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn terms(total: i64, payment: i64, count: u32, frequency: Frequency) -> Terms {
        Terms {
            total,
            payment,
            count,
            first: day(2026, 1, 31),
            frequency,
        }
    }

    #[test]
    fn monthly_dues_keep_the_first_day_and_clamp_short_months() {
        let t = terms(120_000, 10_000, 12, Frequency::Monthly);
        assert_eq!(t.due(1), day(2026, 1, 31));
        assert_eq!(t.due(2), day(2026, 2, 28));
        assert_eq!(t.due(3), day(2026, 3, 31));
        assert_eq!(t.final_due(), day(2026, 12, 31));
        let b = terms(120_000, 10_000, 3, Frequency::Biweekly);
        assert_eq!(b.due(3), day(2026, 2, 28));
        assert_eq!(
            t.dues_between(day(2026, 2, 1), day(2026, 3, 31)),
            vec![(2, day(2026, 2, 28)), (3, day(2026, 3, 31))]
        );
    }

    #[test]
    fn the_last_payment_is_what_the_total_leaves() {
        let t = terms(100_000, 33_333, 3, Frequency::Monthly);
        assert_eq!(t.amount(1), 33_333);
        assert_eq!(t.amount(3), 33_334);
        assert_eq!(t.paid_through(2), 66_666);
        assert_eq!(t.paid_through(3), 100_000);
        assert_eq!(t.paid_through(9), 100_000);
        assert_eq!((1..=3).map(|n| t.amount(n)).sum::<i64>(), t.total);
    }

    #[test]
    fn biweekly_payments_cost_26_twelfths_a_month() {
        assert_eq!(monthly_equivalent(10_000, Frequency::Biweekly), 21_667);
        assert_eq!(monthly_equivalent(10_000, Frequency::Monthly), 10_000);
    }

    #[test]
    fn zero_interest_splits_the_price_evenly() {
        let a = amortize(100_000, 0, 3);
        assert_eq!(
            a.payments.iter().map(|p| p.amount).collect::<Vec<_>>(),
            vec![33_334, 33_333, 33_333]
        );
        assert_eq!(a.monthly_payment, 33_334);
        assert_eq!(a.total_interest, 0);
        assert_eq!(a.payments[2].remaining_balance, 0);
    }

    #[test]
    fn an_annuity_matches_the_textbook_payment_and_repays_exactly() {
        // 1,000.00 at 12 % a year over 12 months: M = 88.85 (1000 × 0.01 × 1.01^12 ÷ (1.01^12 − 1)).
        let a = amortize(100_000, 1_200, 12);
        assert_eq!(a.monthly_payment, 8_885);
        assert_eq!(a.payments[0].interest, 1_000);
        assert_eq!(a.payments[0].principal, 7_885);
        let last = a.payments.last().unwrap();
        assert_eq!(last.remaining_balance, 0);
        let principal: i64 = a.payments.iter().map(|p| p.principal).sum();
        assert_eq!(principal, 100_000);
        let paid: i64 = a.payments.iter().map(|p| p.amount).sum();
        assert_eq!(paid, 100_000 + a.total_interest);
        assert!(
            (6_610..=6_625).contains(&a.total_interest),
            "≈ 66.20 of interest: {}",
            a.total_interest
        );
        // 20,000.00 at 6 % over 360 months: M = 119.91.
        assert_eq!(amortize(2_000_000, 600, 360).monthly_payment, 11_991);
    }
}
