//! Unusual spends: a spend of the last 30 days is an anomaly when it is far above what the user
//! usually spends in that category (median + k × spread over the category's last 90 days).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::budget::TxCategory;
use crate::budget::views::ratio;
use crate::fixed::Fixed;
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
    /// The same as `transaction_id`.
    pub id: Id,
    /// `amount` (the only rule: a spend far above the category's usual amount).
    #[serde(rename = "type")]
    pub kind: &'static str,
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
    /// The same as `median`.
    pub expected_amount: Money,
    /// 0–1, two decimals ([`Baseline::score`]): ≥ 0.80 exactly for `high`, 0.50–0.79 for
    /// `medium`.
    pub anomaly_score: Fixed,
    /// 0–1, two decimals: how much history the verdict rests on ([`confidence`]).
    pub confidence: Fixed,
    pub possible_causes: Vec<String>,
    pub merchant: Option<String>,
    pub description: String,
}

/// Confidence of a verdict from the category's `n` spends in the window:
/// `min(0.95, 0.50 + 0.05 × (n − 5))`.
pub fn confidence(n: usize) -> Fixed {
    let extra = i64::try_from(n.saturating_sub(MIN_HISTORY)).unwrap_or(i64::MAX);
    Fixed::new(extra.saturating_mul(5).saturating_add(50).min(95), 2)
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

    /// `median + K_HIGH × spread`: above it an anomaly is `high`.
    pub fn high(&self) -> i64 {
        self.median
            .saturating_add(K_HIGH.saturating_mul(self.spread))
    }

    /// The anomaly score of `amount` (0–1, two decimals) from `z = (amount − median) ÷ spread`:
    /// `min(0.79, 0.50 + (z − 3) ÷ 10)` for a medium anomaly, `min(1.00, 0.80 + (z − 6) ÷ 20)`
    /// for a high one, so the app's bands (≥ 0.8 high, ≥ 0.5 medium) match `severity`.
    pub fn score(&self, amount: i64) -> Fixed {
        let deviation = amount.saturating_sub(self.median);
        let hundredths = if amount > self.high() {
            let over = deviation.saturating_sub(K_HIGH.saturating_mul(self.spread));
            (80 + ratio(over, 5, self.spread)).min(100)
        } else {
            let over = deviation.saturating_sub(K.saturating_mul(self.spread));
            (50 + ratio(over, 10, self.spread)).clamp(50, 79)
        };
        Fixed::new(hundredths, 2)
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
    for (category, list) in &by_category {
        let amounts: Vec<i64> = list.iter().map(|s| s.amount).collect();
        let Some(base) = Baseline::of(&amounts) else {
            continue;
        };
        let threshold = base.threshold();
        let unusual: Vec<&&Spend> = list
            .iter()
            .filter(|s| s.date >= recent_start && s.amount > threshold)
            .collect();
        for s in &unusual {
            let what = s.label().unwrap_or(category.as_str()).to_string();
            let usual = amount_text(base.median, currency);
            let mut causes = vec![format!(
                "One purchase far above your usual {category} spend of {usual}"
            )];
            if let Some(m) = s
                .merchant
                .as_deref()
                .map(str::trim)
                .filter(|m| !m.is_empty())
                && !by_category.values().flatten().any(|o| {
                    o.id != s.id
                        && o.merchant
                            .as_deref()
                            .is_some_and(|x| x.trim().eq_ignore_ascii_case(m))
                })
            {
                causes.push(format!("First purchase at {m} in the last 90 days"));
            }
            if unusual.len() >= 2 {
                causes.push(format!(
                    "{} unusual {category} spends in the last 30 days",
                    unusual.len()
                ));
            }
            out.push(Anomaly {
                id: s.id,
                kind: "amount",
                transaction_id: s.id,
                date: s.date,
                category: *category,
                amount: Money::from_cents(s.amount),
                median: Money::from_cents(base.median),
                threshold: Money::from_cents(threshold),
                deviation: Money::from_cents(s.amount - base.median),
                severity: if s.amount > base.high() {
                    "high"
                } else {
                    "medium"
                },
                expected_amount: Money::from_cents(base.median),
                anomaly_score: base.score(s.amount),
                confidence: confidence(list.len()),
                possible_causes: causes,
                merchant: s.merchant.clone(),
                description: format!(
                    "{what} on {}: {} in {category}, where you usually spend {usual}",
                    s.date,
                    amount_text(s.amount, currency),
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
    fn the_score_bands_follow_the_severity() {
        let b = Baseline {
            median: 1_000,
            spread: 100,
        };
        // z just above 3: medium at 0.50; z = 4.5 → 0.65; z = 6 (still medium) → capped 0.79.
        assert_eq!(b.score(1_301).to_string(), "0.50");
        assert_eq!(b.score(1_450).to_string(), "0.65");
        assert_eq!(b.score(1_600).to_string(), "0.79");
        // Above 6 spreads: high from 0.80; z = 8 → 0.90; z ≥ 10 → 1.00.
        assert_eq!(b.score(1_601).to_string(), "0.80");
        assert_eq!(b.score(1_800).to_string(), "0.90");
        assert_eq!(b.score(2_000).to_string(), "1.00");
        assert_eq!(b.score(90_000).to_string(), "1.00");
    }

    #[test]
    fn confidence_grows_with_the_history() {
        assert_eq!(confidence(5).to_string(), "0.50");
        assert_eq!(confidence(6).to_string(), "0.55");
        assert_eq!(confidence(14).to_string(), "0.95");
        assert_eq!(confidence(200).to_string(), "0.95");
    }

    #[test]
    fn causes_name_a_new_merchant_and_repeated_anomalies() {
        let today = NaiveDate::from_ymd_opt(2026, 3, 28).unwrap_or_default();
        let mut spends: Vec<Spend> = (1..=8)
            .map(|d| {
                let mut s = spend(d, TxCategory::Dining, 1_000);
                s.merchant = Some("Diner".into());
                s
            })
            .collect();
        let mut big = spend(27, TxCategory::Dining, 5_000);
        big.merchant = Some("Fancy Place".into());
        let mut other = spend(28, TxCategory::Dining, 6_000);
        other.merchant = Some("diner".into());
        spends.push(big);
        spends.push(other);
        let found = detect(&spends, today, "USD");
        assert_eq!(found.len(), 2, "{found:?}");
        let fancy = found.iter().find(|a| a.amount.cents() == 5_000).unwrap();
        assert_eq!(fancy.id, fancy.transaction_id);
        assert_eq!(
            (fancy.kind, fancy.expected_amount),
            ("amount", fancy.median)
        );
        assert_eq!(fancy.confidence.to_string(), "0.75", "10 dining spends");
        assert_eq!(
            fancy.possible_causes,
            vec![
                "One purchase far above your usual dining spend of 10.00 USD",
                "First purchase at Fancy Place in the last 90 days",
                "2 unusual dining spends in the last 30 days",
            ]
        );
        let known = found.iter().find(|a| a.amount.cents() == 6_000).unwrap();
        assert!(
            !known.possible_causes.iter().any(|c| c.starts_with("First")),
            "the diner is known, whatever the case: {:?}",
            known.possible_causes
        );
    }

    #[test]
    fn too_little_history_is_never_an_anomaly() {
        assert_eq!(Baseline::of(&[100, 100, 100, 100]), None);
        let b = Baseline::of(&[10_000, 10_000, 10_000, 10_000, 10_000]);
        assert_eq!(b.map(|b| b.threshold()), Some(11_500), "5 % of the median");
    }
}
