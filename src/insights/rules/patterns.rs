//! Spending patterns over the last 90 days: weekdays against weekends, spending per weekday,
//! the top categories and the merchants the user pays again and again.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::Serialize;

use super::{CategoryShare, category_shares};
use crate::budget::views::ratio;
use crate::insights::data::{Spend, bp, days_before, median, weekday_name};
use crate::insights::{Narrated, amount_text, percent_text};
use crate::money::Money;

/// Days the patterns look back (today included).
pub const WINDOW_DAYS: u64 = 90;
/// Monday first.
const WEEK: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];
/// A merchant seen on at least this many distinct days is recurring.
pub const MIN_RECURRING_DAYS: usize = 3;

/// Spending on one weekday.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WeekdaySpend {
    pub weekday: &'static str,
    pub total: Money,
    /// Total ÷ the number of such weekdays in the window.
    pub average: Money,
}

/// A merchant paid on several days.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Recurring {
    pub merchant: String,
    pub count: i64,
    pub total: Money,
    pub average: Money,
    /// Median days between consecutive visits.
    pub interval_days: i64,
    /// Interval 26–35 days and amounts within 10 % of their median.
    pub likely_subscription: bool,
}

/// `GET /api/ai/spending-patterns`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Patterns {
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub total: Money,
    /// Average per weekday (Monday–Friday) and per weekend day.
    pub weekday_average: Money,
    pub weekend_average: Money,
    /// Weekend average ÷ weekday average, in basis points (null without weekday spending).
    pub weekend_ratio_bp: Option<i64>,
    pub by_weekday: Vec<WeekdaySpend>,
    /// The five largest categories.
    pub top_categories: Vec<CategoryShare>,
    /// At most ten, most frequent first.
    pub recurring_merchants: Vec<Recurring>,
    /// Average spend per recorded mood (1–5) over the window's days with a mood (docs/mood.md).
    pub mood: Vec<super::mood::MoodSpend>,
    /// Observations, one sentence each.
    pub patterns: Vec<String>,
    pub summary: String,
}

impl Narrated for Patterns {
    const KIND: &'static str = "spending_patterns";
    fn text(&self) -> &str {
        &self.summary
    }
    fn set_text(&mut self, text: String) {
        self.summary = text;
    }
}

/// Finds the patterns in `spends` over the 90 days ending `today`.
pub fn find(spends: &[Spend], today: NaiveDate, currency: &str) -> Patterns {
    let start = days_before(today, WINDOW_DAYS - 1);
    let spends: Vec<&Spend> = spends
        .iter()
        .filter(|s| s.date >= start && s.date <= today)
        .collect();
    let total: i64 = spends.iter().map(|s| s.amount).sum();
    // Per weekday: (total, number of such days in the window), Monday first.
    let mut days = [(0i64, 0i64); 7];
    for day in start.iter_days().take_while(|d| *d <= today) {
        days[day.weekday().num_days_from_monday() as usize].1 += 1;
    }
    for s in &spends {
        days[s.date.weekday().num_days_from_monday() as usize].0 += s.amount;
    }
    let sum = |range: std::ops::Range<usize>| {
        days[range]
            .iter()
            .fold((0, 0), |acc, d| (acc.0 + d.0, acc.1 + d.1))
    };
    let (wd_total, wd_days) = sum(0..5);
    let (we_total, we_days) = sum(5..7);
    let weekday_average = ratio(wd_total, 1, wd_days);
    let weekend_average = ratio(we_total, 1, we_days);
    let weekend_ratio_bp = bp(weekend_average, weekday_average);
    let by_weekday: Vec<WeekdaySpend> = WEEK
        .iter()
        .zip(days)
        .map(|(w, (t, n))| WeekdaySpend {
            weekday: weekday_name(*w),
            total: Money::from_cents(t),
            average: Money::from_cents(ratio(t, 1, n)),
        })
        .collect();
    let mut top_categories = category_shares(spends.iter().copied());
    top_categories.truncate(5);
    let recurring_merchants = recurring(&spends);
    let mut patterns = Vec::new();
    if let Some(r) = weekend_ratio_bp.filter(|r| (*r - 10_000).abs() >= 1_000) {
        let (more, diff) = if r > 10_000 {
            ("more", r - 10_000)
        } else {
            ("less", 10_000 - r)
        };
        patterns.push(format!(
            "You spend {} {more} per day on weekends than on weekdays.",
            percent_text(diff)
        ));
    }
    if let Some(top) = top_categories.first() {
        patterns.push(format!(
            "Most of your spending goes to {} ({}).",
            top.category,
            percent_text(top.share_bp)
        ));
    }
    for r in recurring_merchants.iter().filter(|r| r.likely_subscription) {
        patterns.push(format!(
            "{} looks like a subscription: about {} every {} days.",
            r.merchant,
            amount_text(r.average.cents(), currency),
            r.interval_days
        ));
    }
    let summary = if spends.is_empty() {
        "No spending recorded in the last 90 days.".to_string()
    } else {
        format!(
            "In the last 90 days you spent {} over {} transactions; {} recurring merchant(s).",
            amount_text(total, currency),
            spends.len(),
            recurring_merchants.len()
        )
    };
    Patterns {
        period_start: start,
        period_end: today,
        total: Money::from_cents(total),
        weekday_average: Money::from_cents(weekday_average),
        weekend_average: Money::from_cents(weekend_average),
        weekend_ratio_bp,
        by_weekday,
        top_categories,
        recurring_merchants,
        mood: Vec::new(),
        patterns,
        summary,
    }
}

/// Merchants (case-insensitive) seen on at least [`MIN_RECURRING_DAYS`] distinct days.
fn recurring(spends: &[&Spend]) -> Vec<Recurring> {
    // key → (display name: first spelling seen, dates, amounts)
    let mut by: BTreeMap<String, (String, Vec<NaiveDate>, Vec<i64>)> = BTreeMap::new();
    for s in spends {
        let Some(name) = s
            .merchant
            .as_deref()
            .map(str::trim)
            .filter(|m| !m.is_empty())
        else {
            continue;
        };
        let e = by
            .entry(name.to_lowercase())
            .or_insert_with(|| (name.to_string(), Vec::new(), Vec::new()));
        e.1.push(s.date);
        e.2.push(s.amount);
    }
    let mut out: Vec<Recurring> = by
        .into_values()
        .filter_map(|(merchant, mut dates, amounts)| {
            dates.dedup();
            if dates.len() < MIN_RECURRING_DAYS {
                return None;
            }
            let gaps: Vec<i64> = dates.windows(2).map(|w| (w[1] - w[0]).num_days()).collect();
            let interval_days = median(&gaps);
            let typical = median(&amounts);
            let (lo, hi) = (amounts.iter().min()?, amounts.iter().max()?);
            let steady = (hi - lo) * 10 <= typical;
            let count = i64::try_from(amounts.len()).ok()?;
            let total: i64 = amounts.iter().sum();
            Some(Recurring {
                merchant,
                count,
                total: Money::from_cents(total),
                average: Money::from_cents(ratio(total, 1, count)),
                interval_days,
                likely_subscription: (26..=35).contains(&interval_days) && steady,
            })
        })
        .collect();
    out.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then(b.total.cmp(&a.total))
            .then_with(|| a.merchant.cmp(&b.merchant))
    });
    out.truncate(10);
    out
}
