//! From a monthly allocation to daily rows (BUDGET.md §3).

use chrono::{Datelike, NaiveDate, Weekday};

use super::category::PlanCategory;
use super::split_even;

/// Number of days in a month.
pub fn days_in_month(year: i32, month: u32) -> u32 {
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    };
    match (next, NaiveDate::from_ymd_opt(year, month, 1)) {
        (Some(n), Some(f)) => u32::try_from((n - f).num_days()).unwrap_or(30),
        _ => 30,
    }
}

/// The dates of a month, in order.
pub fn month_days(year: i32, month: u32) -> Vec<NaiveDate> {
    (1..=days_in_month(year, month))
        .filter_map(|d| NaiveDate::from_ymd_opt(year, month, d))
        .collect()
}

/// How a category's money is laid over the month.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// All on one day (fixed expenses).
    OneDay(u32),
    /// Evenly over every day.
    Spread,
    /// On `n` days, weekends first.
    Clustered(u32),
}

/// The layout of a plan category; `clustered_days` are the habit-based day counts.
pub fn layout(category: PlanCategory, clustered_days: impl Fn(PlanCategory) -> u32) -> Layout {
    use PlanCategory as P;
    match category {
        P::Rent | P::Mortgage => Layout::OneDay(1),
        P::Utilities
        | P::Insurance
        | P::Subscriptions
        | P::Education
        | P::Childcare
        | P::DebtPayments => Layout::OneDay(5),
        P::Food | P::Transportation | P::Healthcare | P::Other | P::GoalSavings => Layout::Spread,
        P::Entertainment | P::Shopping | P::Travel => Layout::Clustered(clustered_days(category)),
    }
}

/// FNV-1a: a stable hash, so the same (year, month, category) always picks the same days.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The `n` days a clustered category uses: weekend days first, each group in a deterministic
/// pseudo-random order from (year, month, category); returned in date order.
pub fn clustered_days(year: i32, month: u32, category: PlanCategory, n: u32) -> Vec<NaiveDate> {
    let days = month_days(year, month);
    let n = usize::try_from(n.max(1)).unwrap_or(1).min(days.len());
    let key = |d: &NaiveDate| fnv1a(format!("{year}-{month}-{category}-{}", d.day()).as_bytes());
    let is_weekend = |d: &NaiveDate| matches!(d.weekday(), Weekday::Sat | Weekday::Sun);
    let mut ordered = days.clone();
    ordered.sort_by_key(|d| (!is_weekend(d), key(d)));
    let mut chosen: Vec<NaiveDate> = ordered.into_iter().take(n).collect();
    chosen.sort();
    chosen
}

/// Daily planned amounts of one category for a month: (date, cents), summing exactly to
/// `monthly_cents` (Invariant P1).
pub fn lay_out(
    year: i32,
    month: u32,
    category: PlanCategory,
    monthly_cents: i64,
    layout: Layout,
) -> Vec<(NaiveDate, i64)> {
    let dates: Vec<NaiveDate> = match layout {
        Layout::OneDay(day) => {
            let day = day.min(days_in_month(year, month));
            NaiveDate::from_ymd_opt(year, month, day)
                .into_iter()
                .collect()
        }
        Layout::Spread => month_days(year, month),
        Layout::Clustered(n) => clustered_days(year, month, category, n),
    };
    let amounts = split_even(monthly_cents, dates.len());
    dates.into_iter().zip(amounts).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_have_the_right_length() {
        assert_eq!(days_in_month(2026, 2), 28);
        assert_eq!(days_in_month(2028, 2), 29);
        assert_eq!(days_in_month(2026, 12), 31);
        assert_eq!(days_in_month(2026, 11), 30);
    }

    #[test]
    fn every_layout_sums_exactly_for_months_of_28_to_31_days() {
        for (year, month) in [(2026, 2), (2028, 2), (2026, 4), (2026, 1)] {
            for amount in [0, 1, 99, 100_003, 123_456_789] {
                for l in [
                    Layout::OneDay(1),
                    Layout::OneDay(5),
                    Layout::Spread,
                    Layout::Clustered(4),
                    Layout::Clustered(40),
                ] {
                    let rows = lay_out(year, month, PlanCategory::Shopping, amount, l);
                    assert_eq!(
                        rows.iter().map(|r| r.1).sum::<i64>(),
                        amount,
                        "{year}-{month} {l:?} {amount}"
                    );
                    assert!(
                        rows.windows(2).all(|w| w[0].1 >= w[1].1),
                        "remainder cents go to the earliest days"
                    );
                }
            }
        }
    }

    #[test]
    fn clustered_days_prefer_weekends_and_are_stable() {
        let a = clustered_days(2026, 11, PlanCategory::Entertainment, 4);
        assert_eq!(
            a,
            clustered_days(2026, 11, PlanCategory::Entertainment, 4),
            "a rebuild picks the same days"
        );
        assert!(
            a.iter()
                .all(|d| matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
        );
        assert_eq!(a.len(), 4);
    }
}
