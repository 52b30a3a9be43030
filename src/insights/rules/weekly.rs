//! Weekly insights: the last 7 days (today included) against the 7 days before.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::{CategoryShare, category_shares};
use crate::budget::status::{DayStatus, day_status};
use crate::budget::views::DayTotals;
use crate::insights::data::{Spend, bp, days_before, total_between};
use crate::insights::{Narrated, amount_text, percent_text};
use crate::money::Money;

/// One day of the week.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DaySpend {
    pub date: NaiveDate,
    pub amount: Money,
    /// green / yellow / red against the plan, neutral for a day without a plan.
    pub status: DayStatus,
}

/// `GET /api/ai/weekly-insights`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WeeklyInsights {
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub total: Money,
    pub previous_total: Money,
    /// Change against the 7 days before, in basis points (null when they had no spending).
    pub change_bp: Option<i64>,
    pub daily: Vec<DaySpend>,
    pub categories: Vec<CategoryShare>,
    /// The day with the most spending (the earliest of equal days); null without spending.
    pub busiest_day: Option<DaySpend>,
    pub days_green: i64,
    pub days_yellow: i64,
    pub days_red: i64,
    /// `improving`, `stable` or `declining` ([`trend`]).
    pub trend: &'static str,
    /// The sentences of `insight_list` joined by spaces (the summary when there are none).
    pub insights: String,
    pub insight_list: Vec<String>,
    pub summary: String,
}

impl Narrated for WeeklyInsights {
    const KIND: &'static str = "weekly_insights";
    fn text(&self) -> &str {
        &self.summary
    }
    fn set_text(&mut self, text: String) {
        self.insights.clone_from(&text);
        self.summary = text;
    }
}

/// A change of spending of at least this much (basis points, 10 %) moves the trend.
pub const TREND_BP: i64 = 1_000;

/// The week's trend from the change against the week before (spending, so less is better):
/// `improving` at −10 % or less, `declining` at +10 % or more, else (or without spending the week
/// before) `stable`.
pub fn trend(change_bp: Option<i64>) -> &'static str {
    match change_bp {
        Some(c) if c <= -TREND_BP => "improving",
        Some(c) if c >= TREND_BP => "declining",
        _ => "stable",
    }
}

/// Builds the week from the spends of the 14 days ending `today` and the plan of the last 7.
pub fn week(
    spends: &[Spend],
    plan: &BTreeMap<NaiveDate, DayTotals>,
    today: NaiveDate,
    currency: &str,
) -> WeeklyInsights {
    let start = days_before(today, 6);
    let total = total_between(spends, start, today);
    let previous_total = total_between(spends, days_before(today, 13), days_before(today, 7));
    let daily: Vec<DaySpend> = start
        .iter_days()
        .take_while(|d| *d <= today)
        .map(|date| DaySpend {
            date,
            amount: Money::from_cents(total_between(spends, date, date)),
            status: plan
                .get(&date)
                .filter(|t| t.has_rows)
                .map_or(DayStatus::Neutral, |t| day_status(t.planned, t.spent)),
        })
        .collect();
    let count =
        |s: DayStatus| i64::try_from(daily.iter().filter(|d| d.status == s).count()).unwrap_or(0);
    let (days_green, days_yellow, days_red) = (
        count(DayStatus::Green),
        count(DayStatus::Yellow),
        count(DayStatus::Red),
    );
    let busiest_day = daily
        .iter()
        .filter(|d| d.amount.cents() > 0)
        .max_by(|a, b| a.amount.cmp(&b.amount).then(b.date.cmp(&a.date)))
        .cloned();
    let categories = category_shares(spends.iter().filter(|s| s.date >= start && s.date <= today));
    let change_bp = bp(total - previous_total, previous_total);
    let mut insights = Vec::new();
    if let Some(c) = change_bp {
        let dir = if c >= 0 { "more" } else { "less" };
        insights.push(format!(
            "You spent {} {dir} than the week before.",
            percent_text(c.abs())
        ));
    }
    if let Some(top) = categories.first() {
        insights.push(format!(
            "{} was your biggest category ({}).",
            top.category,
            amount_text(top.total.cents(), currency)
        ));
    }
    if let Some(b) = &busiest_day {
        insights.push(format!(
            "Your busiest day was {} ({}).",
            b.date,
            amount_text(b.amount.cents(), currency)
        ));
    }
    if days_red > 0 {
        insights.push(format!("{days_red} day(s) went over budget this week."));
    }
    let summary = format!(
        "This week you spent {} ({} the week before); {days_green} day(s) within budget.",
        amount_text(total, currency),
        amount_text(previous_total, currency)
    );
    let text = if insights.is_empty() {
        summary.clone()
    } else {
        insights.join(" ")
    };
    WeeklyInsights {
        period_start: start,
        period_end: today,
        total: Money::from_cents(total),
        previous_total: Money::from_cents(previous_total),
        change_bp,
        daily,
        categories,
        busiest_day,
        days_green,
        days_yellow,
        days_red,
        trend: trend(change_bp),
        insights: text,
        insight_list: insights,
        summary,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::budget::TxCategory;
    use crate::id::Id;

    #[test]
    fn the_trend_moves_at_ten_percent_either_way() {
        assert_eq!(trend(Some(-1_000)), "improving");
        assert_eq!(trend(Some(-999)), "stable");
        assert_eq!(trend(Some(0)), "stable");
        assert_eq!(trend(Some(999)), "stable");
        assert_eq!(trend(Some(1_000)), "declining");
        assert_eq!(trend(None), "stable", "nothing spent the week before");
    }

    #[test]
    fn insights_are_one_text_and_the_sentences_stay_listed() {
        let today = NaiveDate::from_ymd_opt(2026, 3, 14).unwrap_or_default();
        let spend = |days_back: u64, cents: i64| Spend {
            id: Id::new(),
            date: days_before(today, days_back),
            category: TxCategory::Groceries,
            amount: cents,
            merchant: None,
            description: None,
        };
        let w = week(
            &[spend(10, 10_000), spend(1, 5_000)],
            &BTreeMap::new(),
            today,
            "USD",
        );
        assert_eq!(w.change_bp, Some(-5_000));
        assert_eq!(w.trend, "improving");
        assert_eq!(w.insight_list.len(), 3, "{:?}", w.insight_list);
        assert_eq!(w.insights, w.insight_list.join(" "));
        assert!(
            w.insights
                .starts_with("You spent 50% less than the week before.")
        );

        let empty = week(&[], &BTreeMap::new(), today, "USD");
        assert!(empty.insight_list.is_empty());
        assert_eq!(empty.insights, empty.summary);
        assert_eq!(empty.trend, "stable");
    }
}
