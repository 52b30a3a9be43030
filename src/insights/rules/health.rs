//! The financial health score: four components scored 0–100 and weighted (35 % budget
//! adherence, 30 % savings rate, 20 % spending stability, 15 % unusual spends).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::anomalies;
use crate::budget::status::{DayStatus, day_status};
use crate::budget::views::{DayTotals, ratio};
use crate::insights::data::{Spend, bp, days_before, total_between};
use crate::insights::{Narrated, amount_text, percent_text};

/// Score of a component whose data is missing (no plan, no income).
pub const UNKNOWN: i64 = 50;
/// Savings rate (basis points) that earns the full savings score.
pub const FULL_SAVINGS_BP: i64 = 2_000;

/// One scored component.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Component {
    /// `budget_adherence`, `savings_rate`, `spending_stability` or `unusual_spending`.
    pub name: &'static str,
    /// 0–100.
    pub score: i64,
    /// Weight in percent (the weights add up to 100).
    pub weight: i64,
    pub detail: String,
}

/// `GET /api/ai/financial-health-score`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HealthScore {
    /// 0–100.
    pub score: i64,
    /// `excellent` (≥ 80), `good` (≥ 65), `fair` (≥ 50) or `poor`.
    pub grade: &'static str,
    /// `low` (≥ 65), `moderate` (≥ 50) or `high`.
    pub risk: &'static str,
    /// The same as `risk`.
    pub risk_level: &'static str,
    /// `100 − score` (0–100).
    pub risk_score: i64,
    pub components: Vec<Component>,
    /// Advice for every component under 70.
    pub improvements: Vec<String>,
    /// The same as `improvements`.
    pub recommendations: Vec<String>,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub summary: String,
}

impl Narrated for HealthScore {
    const KIND: &'static str = "financial_health_score";
    fn text(&self) -> &str {
        &self.summary
    }
    fn set_text(&mut self, text: String) {
        self.summary = text;
    }
}

/// What the score is computed from.
pub struct HealthInput<'a> {
    /// Spends of (at least) the 90 days ending `today`.
    pub spends: &'a [Spend],
    /// Plan totals of the days of the current month up to `today`.
    pub month_days: &'a BTreeMap<NaiveDate, DayTotals>,
    /// Monthly income in cents (0 = unknown).
    pub income: i64,
    pub today: NaiveDate,
    pub currency: &'a str,
}

/// Computes the score (see docs/insights.md).
pub fn score(input: &HealthInput<'_>) -> HealthScore {
    let components = vec![
        adherence(input.month_days),
        savings(input),
        stability(input.spends, input.today),
        unusual(input),
    ];
    let weighted: i64 = components.iter().map(|c| c.score * c.weight).sum();
    let score = ratio(weighted, 1, 100).clamp(0, 100);
    let grade = match score {
        80.. => "excellent",
        65..=79 => "good",
        50..=64 => "fair",
        _ => "poor",
    };
    let risk = match score {
        65.. => "low",
        50..=64 => "moderate",
        _ => "high",
    };
    let improvements: Vec<String> = components
        .iter()
        .filter(|c| c.score < 70)
        .map(|c| advice(c.name).to_string())
        .collect();
    let weakest = components
        .iter()
        .min_by_key(|c| c.score)
        .map_or("", |c| c.name);
    let summary = format!(
        "Your financial health score is {score}/100 ({grade}). Weakest area: {}.",
        weakest.replace('_', " ")
    );
    HealthScore {
        score,
        grade,
        risk,
        risk_level: risk,
        risk_score: 100 - score,
        components,
        recommendations: improvements.clone(),
        improvements,
        period_start: days_before(input.today, anomalies::WINDOW_DAYS - 1),
        period_end: input.today,
        summary,
    }
}

/// Green days 100, yellow 50, red 0, averaged over this month's planned days so far.
fn adherence(days: &BTreeMap<NaiveDate, DayTotals>) -> Component {
    let planned: Vec<DayStatus> = days
        .values()
        .filter(|t| t.has_rows)
        .map(|t| day_status(t.planned, t.spent))
        .collect();
    let points: i64 = planned
        .iter()
        .map(|s| match s {
            DayStatus::Green => 100,
            DayStatus::Yellow => 50,
            _ => 0,
        })
        .sum();
    let n = i64::try_from(planned.len()).unwrap_or(0);
    let (score, detail) = if n == 0 {
        (UNKNOWN, "No budget plan this month yet.".to_string())
    } else {
        let green = planned.iter().filter(|s| **s == DayStatus::Green).count();
        (
            ratio(points, 1, n),
            format!("{green} of {n} days this month within budget."),
        )
    };
    Component {
        name: "budget_adherence",
        score,
        weight: 35,
        detail,
    }
}

/// Savings rate of the last 30 days against the monthly income: 20 % or more scores 100.
fn savings(input: &HealthInput<'_>) -> Component {
    let spent = total_between(input.spends, days_before(input.today, 29), input.today);
    let (score, detail) = match bp(input.income - spent, input.income) {
        Some(rate) if input.income > 0 => (
            ratio(rate, 100, FULL_SAVINGS_BP).clamp(0, 100),
            format!(
                "Spent {} in the last 30 days against an income of {} (savings rate {}).",
                amount_text(spent, input.currency),
                amount_text(input.income, input.currency),
                percent_text(rate)
            ),
        ),
        _ => (
            UNKNOWN,
            "Income unknown: add it to your profile.".to_string(),
        ),
    };
    Component {
        name: "savings_rate",
        score,
        weight: 30,
        detail,
    }
}

/// Four weekly totals (the last 28 days): 100 − mean absolute deviation as % of the mean.
fn stability(spends: &[Spend], today: NaiveDate) -> Component {
    let weeks: Vec<i64> = (0..4u64)
        .map(|w| {
            let last = days_before(today, 7 * w);
            total_between(spends, days_before(last, 6), last)
        })
        .collect();
    let mean = ratio(weeks.iter().sum(), 1, 4);
    let deviation = ratio(weeks.iter().map(|w| (w - mean).abs()).sum(), 1, 4);
    let score = if mean == 0 {
        100
    } else {
        100 - ratio(deviation, 100, mean).clamp(0, 100)
    };
    Component {
        name: "spending_stability",
        score,
        weight: 20,
        detail: format!(
            "Weekly spending varies by {score_gap}% around its average.",
            score_gap = 100 - score
        ),
    }
}

/// 100 − 25 per unusual spend in the last 30 days.
fn unusual(input: &HealthInput<'_>) -> Component {
    let found = anomalies::detect(input.spends, input.today, input.currency);
    let n = i64::try_from(found.len()).unwrap_or(i64::MAX);
    Component {
        name: "unusual_spending",
        score: (100 - 25 * n.min(4)).max(0),
        weight: 15,
        detail: format!("{n} unusual spend(s) in the last 30 days."),
    }
}

fn advice(component: &str) -> &'static str {
    match component {
        "budget_adherence" => {
            "Stay within your daily budget: check today's remaining amount before spending."
        }
        "savings_rate" => {
            "Aim to keep at least 20% of your income: trim the largest flexible category first."
        }
        "spending_stability" => "Spread big purchases out: your weekly spending swings a lot.",
        _ => "Review your unusual spends: some purchases were far above your usual amounts.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_risk_fields_mirror_the_score_and_the_improvements() {
        let today = NaiveDate::from_ymd_opt(2026, 3, 28).unwrap();
        // No plan, no income, no spending: 50, 50, 100, 100 → 68 (good, low risk).
        let h = score(&HealthInput {
            spends: &[],
            month_days: &BTreeMap::new(),
            income: 0,
            today,
            currency: "USD",
        });
        assert_eq!((h.score, h.risk), (68, "low"));
        assert_eq!(h.risk_level, h.risk);
        assert_eq!(h.risk_score, 32);
        assert_eq!(h.recommendations, h.improvements);
        assert_eq!(h.recommendations.len(), 2, "{:?}", h.recommendations);
    }
}
