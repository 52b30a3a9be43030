//! Spending by mood: the days of the patterns window with a recorded mood (docs/mood.md), their
//! average spend per mood, and a sentence when low-mood days cost clearly more.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::patterns::Patterns;
use crate::budget::views::ratio;
use crate::insights::data::{Spend, bp};
use crate::insights::{amount_text, percent_text};
use crate::money::Money;

/// Days needed in each group (low: moods 1–2, other: 3–5) before comparing them.
pub const MIN_DAYS: i64 = 3;
/// Low-mood days must average at least this much more (basis points) to be told.
pub const THRESHOLD_BP: i64 = 2_000;

/// The days with one mood.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MoodSpend {
    pub mood: i32,
    pub days: i64,
    /// Σ spent on those days ÷ their number.
    pub average_spend: Money,
}

/// Adds the mood figures of `moods` (day, mood) within the window to `patterns`.
pub fn add(patterns: &mut Patterns, spends: &[Spend], moods: &[(NaiveDate, i32)], currency: &str) {
    let (start, end) = (patterns.period_start, patterns.period_end);
    let mut per_day: BTreeMap<NaiveDate, i64> = BTreeMap::new();
    for s in spends.iter().filter(|s| s.date >= start && s.date <= end) {
        *per_day.entry(s.date).or_default() += s.amount;
    }
    let mut by_mood: BTreeMap<i32, (i64, i64)> = BTreeMap::new();
    for (day, mood) in moods.iter().filter(|(d, _)| *d >= start && *d <= end) {
        let e = by_mood.entry(*mood).or_default();
        e.0 += per_day.get(day).copied().unwrap_or(0);
        e.1 += 1;
    }
    patterns.mood = by_mood
        .iter()
        .map(|(mood, (total, days))| MoodSpend {
            mood: *mood,
            days: *days,
            average_spend: Money::from_cents(ratio(*total, 1, *days)),
        })
        .collect();
    let group = |low: bool| {
        by_mood
            .iter()
            .filter(|(m, _)| (**m <= 2) == low)
            .fold((0, 0), |acc, (_, (t, d))| (acc.0 + t, acc.1 + d))
    };
    let (low_total, low_days) = group(true);
    let (other_total, other_days) = group(false);
    if low_days < MIN_DAYS || other_days < MIN_DAYS {
        return;
    }
    let (low, other) = (
        ratio(low_total, 1, low_days),
        ratio(other_total, 1, other_days),
    );
    if let Some(r) = bp(low, other).filter(|r| *r - 10_000 >= THRESHOLD_BP) {
        patterns.patterns.push(format!(
            "On low-mood days you spend {} more than on other days ({} against {} a day).",
            percent_text(r - 10_000),
            amount_text(low, currency),
            amount_text(other, currency)
        ));
    }
}
