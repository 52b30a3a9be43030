//! Unusual spends: a spend of the last 30 days is an anomaly when it is far above what the user
//! usually spends in that category (median + k × spread over the category's last 90 days).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::budget::TxCategory;
use crate::id::Id;
use crate::insights::amount_text;
use crate::insights::data::{Spend, days_before, mad, median};
use crate::money::Money;

/// Days of history the category's usual amount is learned from (today included).
pub const WINDOW_DAYS: u64 = 90;
/// Days back in which spends are checked (today included).
pub const RECENT_DAYS: u64 = 30;
/// Fewer spends than this in a category's window: not enough history to judge.
pub const MIN_HISTORY: usize = 5;
/// Spreads above the median that make a spend an anomaly (`medium`)…
pub const K: i64 = 3;
/// …and a `high` one.
pub const K_HIGH: i64 = 6;
/// Smallest spread used, in cents (so a category of identical amounts still has a margin).
pub const MIN_SPREAD_CENTS: i64 = 100;

/// One unusual spend.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Anomaly {
    pub transaction_id: Id,
    pub date: NaiveDate,
    pub category: TxCategory,
    pub amount: Money,
    /// The category's median spend over the window.
    pub median: Money,
    /// Amounts above this are anomalies.
    pub threshold: Money,
    /// `amount − median`.
    pub deviation: Money,
    /// `medium` (above median + 3 spreads) or `high` (above median + 6 spreads).
    pub severity: &'static str,
    pub merchant: Option<String>,
    pub description: String,
}

/// The category's usual amount and the anomaly threshold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Baseline {
    pub median: i64,
    /// `max(MAD, 5 % of the median, 1.00)`.
    pub spread: i64,
}

impl Baseline {
    /// From a category's amounts; `None` with fewer than [`MIN_HISTORY`] of them.
    pub fn of(amounts: &[i64]) -> Option<Baseline> {
        if amounts.len() < MIN_HISTORY {
            return None;
        }
        let median = median(amounts);
        let spread = mad(amounts, median).max(median / 20).max(MIN_SPREAD_CENTS);
        Some(Baseline { median, spread })
    }

    /// `median + K × spread`.
    pub fn threshold(&self) -> i64 {
        self.median.saturating_add(K.saturating_mul(self.spread))
    }
}

/// The anomalies among `spends` (which must cover at least the 90 days ending `today`), newest
/// first (ties: larger amount first, then id).
pub fn detect(spends: &[Spend], today: NaiveDate, currency: &str) -> Vec<Anomaly> {
    let window_start = days_before(today, WINDOW_DAYS - 1);
    let recent_start = days_before(today, RECENT_DAYS - 1);
    let mut by_category: BTreeMap<TxCategory, Vec<&Spend>> = BTreeMap::new();
    for s in spends
        .iter()
        .filter(|s| s.date >= window_start && s.date <= today)
    {
        by_category.entry(s.category).or_default().push(s);
    }
    let mut out = Vec::new();
    for (category, list) in by_category {
        let amounts: Vec<i64> = list.iter().map(|s| s.amount).collect();
        let Some(base) = Baseline::of(&amounts) else {
            continue;
        };
        let threshold = base.threshold();
        let high = base
            .median
            .saturating_add(K_HIGH.saturating_mul(base.spread));
        for s in list
            .into_iter()
            .filter(|s| s.date >= recent_start && s.amount > threshold)
        {
            let what = s.label().unwrap_or(category.as_str()).to_string();
            out.push(Anomaly {
                transaction_id: s.id,
                date: s.date,
                category,
                amount: Money::from_cents(s.amount),
                median: Money::from_cents(base.median),
                threshold: Money::from_cents(threshold),
                deviation: Money::from_cents(s.amount - base.median),
                severity: if s.amount > high { "high" } else { "medium" },
                merchant: s.merchant.clone(),
                description: format!(
                    "{what} on {}: {} in {category}, where you usually spend {}",
                    s.date,
                    amount_text(s.amount, currency),
                    amount_text(base.median, currency)
                ),
            });
        }
    }
    out.sort_by(|a, b| {
        b.date
            .cmp(&a.date)
            .then(b.amount.cmp(&a.amount))
            .then(a.transaction_id.cmp(&b.transaction_id))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spend(day: u32, category: TxCategory, cents: i64) -> Spend {
        Spend {
            id: Id::new(),
            date: NaiveDate::from_ymd_opt(2026, 3, day).unwrap_or_default(),
            category,
            amount: cents,
            merchant: None,
            description: None,
        }
    }

    #[test]
    fn a_spend_far_above_the_category_median_is_an_anomaly() {
        let today = NaiveDate::from_ymd_opt(2026, 3, 28).unwrap_or_default();
        let mut spends: Vec<Spend> = (1..=6)
            .map(|d| spend(d, TxCategory::Dining, 1_000))
            .collect();
        spends.push(spend(27, TxCategory::Dining, 1_299));
        spends.push(spend(28, TxCategory::Dining, 20_000));
        spends.push(spend(28, TxCategory::Gas, 90_000)); // one spend: no history, no verdict
        let found = detect(&spends, today, "USD");
        assert_eq!(found.len(), 1, "{found:?}");
        let a = &found[0];
        assert_eq!(a.amount.cents(), 20_000);
        assert_eq!(a.median.cents(), 1_000);
        assert_eq!(a.threshold.cents(), 1_300, "spread floor 1.00");
        assert_eq!(a.severity, "high");
    }

    #[test]
    fn too_little_history_is_never_an_anomaly() {
        assert_eq!(Baseline::of(&[100, 100, 100, 100]), None);
        let b = Baseline::of(&[10_000, 10_000, 10_000, 10_000, 10_000]);
        assert_eq!(b.map(|b| b.threshold()), Some(11_500), "5 % of the median");
    }
}
