//! The deterministic rules: pure functions from the user's data (spends, plan rows, income,
//! "today") to an answer. Same data, same answer — no clock, no randomness inside.

pub mod advice;
pub mod anomalies;
pub mod assistant;
pub mod day;
pub mod health;
pub mod monthly;
pub mod mood;
pub mod overview;
pub mod patterns;
pub mod weekly;

use serde::Serialize;

use crate::money::Money;

/// One transaction category's total over a period.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CategoryShare {
    /// A transaction category (the app's 22).
    pub category: String,
    pub total: Money,
    pub count: i64,
    /// Share of the period's total, in basis points.
    pub share_bp: i64,
}

/// Totals per transaction category, largest first (ties by name).
pub fn category_shares<'a>(
    spends: impl IntoIterator<Item = &'a super::data::Spend>,
) -> Vec<CategoryShare> {
    let mut by: std::collections::BTreeMap<&'static str, (i64, i64)> =
        std::collections::BTreeMap::new();
    for s in spends {
        let e = by.entry(s.category.as_str()).or_default();
        e.0 += s.amount;
        e.1 += 1;
    }
    let total: i64 = by.values().map(|v| v.0).sum();
    let mut out: Vec<CategoryShare> = by
        .into_iter()
        .map(|(category, (cents, count))| CategoryShare {
            category: category.to_string(),
            total: Money::from_cents(cents),
            count,
            share_bp: super::data::bp(cents, total).unwrap_or(0),
        })
        .collect();
    out.sort_by(|a, b| {
        b.total
            .cmp(&a.total)
            .then_with(|| a.category.cmp(&b.category))
    });
    out
}
