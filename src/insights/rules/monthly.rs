//! The monthly report: what a calendar month cost, against income, the plan and the month
//! before.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::{CategoryShare, category_shares};
use crate::budget::status::{DayStatus, day_status};
use crate::budget::views::{DayTotals, ratio};
use crate::insights::data::{Spend, bp};
use crate::insights::{Narrated, amount_text, percent_text};
use crate::money::Money;

/// The month's largest spend.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Largest {
    pub amount: Money,
    pub category: String,
    pub date: NaiveDate,
    pub merchant: Option<String>,
}

/// The plan's side of the month.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct BudgetSide {
    /// Planned over all the month's days (goal reservations excluded); the day counts cover
    /// the days up to today.
    pub planned: Money,
    pub spent: Money,
    pub days_green: i64,
    pub days_yellow: i64,
    pub days_red: i64,
}

/// `GET /api/ai/monthly-report`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MonthlyReport {
    pub year: i32,
    pub month: u32,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub total_spent: Money,
    pub transaction_count: i64,
    /// Monthly income from the profile (null when unknown).
    pub income: Option<Money>,
    /// `income − total_spent` (null without income).
    pub net: Option<Money>,
    /// `net ÷ income` in basis points.
    pub savings_rate_bp: Option<i64>,
    /// Total ÷ days of the month elapsed so far (all its days for a past month).
    pub average_per_day: Money,
    pub categories: Vec<CategoryShare>,
    pub previous_month_total: Money,
    /// Change against the previous month, in basis points (null when it had no spending).
    pub change_bp: Option<i64>,
    pub largest_transaction: Option<Largest>,
    pub budget: BudgetSide,
    pub highlights: Vec<String>,
    /// What to do next, by [`recommendations`].
    pub recommendations: Vec<String>,
    pub summary: String,
}

impl Narrated for MonthlyReport {
    const KIND: &'static str = "monthly_report";
    fn text(&self) -> &str {
        &self.summary
    }
    fn set_text(&mut self, text: String) {
        self.summary = text;
    }
}

/// What the report is computed from.
pub struct MonthInput<'a> {
    pub first: NaiveDate,
    pub last: NaiveDate,
    /// Spends of the month and of the month before.
    pub spends: &'a [Spend],
    /// Plan totals of the month's days.
    pub days: &'a BTreeMap<NaiveDate, DayTotals>,
    /// Monthly income in cents (0 = unknown).
    pub income: i64,
    pub today: NaiveDate,
    pub currency: &'a str,
}

/// Builds the report.
pub fn report(m: &MonthInput<'_>) -> MonthlyReport {
    let this: Vec<&Spend> = m
        .spends
        .iter()
        .filter(|s| s.date >= m.first && s.date <= m.last)
        .collect();
    let previous: i64 = m
        .spends
        .iter()
        .filter(|s| s.date < m.first)
        .map(|s| s.amount)
        .sum();
    let total: i64 = this.iter().map(|s| s.amount).sum();
    let elapsed = if m.today > m.last {
        i64::from(m.last.day())
    } else if m.today < m.first {
        0
    } else {
        i64::from(m.today.day())
    };
    let income = (m.income > 0).then_some(m.income);
    let savings_rate_bp = income.and_then(|i| bp(i - total, i));
    let largest = this
        .iter()
        .max_by(|a, b| a.amount.cmp(&b.amount).then(b.date.cmp(&a.date)))
        .map(|s| Largest {
            amount: Money::from_cents(s.amount),
            category: s.category.as_str().to_string(),
            date: s.date,
            merchant: s.merchant.clone(),
        });
    let mut budget = BudgetSide::default();
    let (mut planned, mut spent) = (0, 0);
    for (day, t) in m.days.iter().filter(|(_, t)| t.has_rows) {
        planned += t.planned;
        spent += t.spent;
        if *day > m.today {
            continue; // a day still to come has no colour yet
        }
        match day_status(t.planned, t.spent) {
            DayStatus::Green => budget.days_green += 1,
            DayStatus::Yellow => budget.days_yellow += 1,
            _ => budget.days_red += 1,
        }
    }
    budget.planned = Money::from_cents(planned);
    budget.spent = Money::from_cents(spent);
    let categories = category_shares(this.iter().copied());
    let change_bp = bp(total - previous, previous);
    let mut highlights = Vec::new();
    if let Some(top) = categories.first() {
        highlights.push(format!(
            "Top category: {} with {} ({}).",
            top.category,
            amount_text(top.total.cents(), m.currency),
            percent_text(top.share_bp)
        ));
    }
    if let Some(c) = change_bp {
        let dir = if c >= 0 { "more" } else { "less" };
        highlights.push(format!(
            "You spent {} {dir} than the month before.",
            percent_text(c.abs())
        ));
    }
    if budget.days_red > 0 {
        highlights.push(format!("{} day(s) went over budget.", budget.days_red));
    }
    if let Some(rate) = savings_rate_bp {
        highlights.push(format!("Savings rate: {}.", percent_text(rate)));
    }
    let recommendations = recommendations(&Judged {
        transaction_count: this.len(),
        income,
        savings_rate_bp,
        days_red: budget.days_red,
        change_bp,
        top: categories.first(),
    });
    let summary = format!(
        "In {}-{:02} you spent {} over {} transaction(s){}.",
        m.first.year(),
        m.first.month(),
        amount_text(total, m.currency),
        this.len(),
        income.map_or(String::new(), |i| format!(
            ", against an income of {}",
            amount_text(i, m.currency)
        ))
    );
    MonthlyReport {
        year: m.first.year(),
        month: m.first.month(),
        period_start: m.first,
        period_end: m.last,
        total_spent: Money::from_cents(total),
        transaction_count: i64::try_from(this.len()).unwrap_or(i64::MAX),
        income: income.map(Money::from_cents),
        net: income.map(|i| Money::from_cents(i - total)),
        savings_rate_bp,
        average_per_day: Money::from_cents(ratio(total, 1, elapsed)),
        categories,
        previous_month_total: Money::from_cents(previous),
        change_bp,
        largest_transaction: largest,
        budget,
        highlights,
        recommendations,
        summary,
    }
}

/// The figures the recommendations are judged on.
pub struct Judged<'a> {
    pub transaction_count: usize,
    /// Cents; `None` when unknown.
    pub income: Option<i64>,
    pub savings_rate_bp: Option<i64>,
    pub days_red: i64,
    pub change_bp: Option<i64>,
    /// The month's largest category.
    pub top: Option<&'a CategoryShare>,
}

/// Savings rate (basis points) below which the report asks for more.
pub const TARGET_SAVINGS_BP: i64 = 2_000;
/// A rise against the month before (basis points) that is pointed out.
pub const RISE_BP: i64 = 1_000;
/// A share of the month's spending (basis points) that makes one category worth a limit.
pub const HEAVY_SHARE_BP: i64 = 4_000;

/// The month's recommendations, in this order, each at most once: no spending logged, no income,
/// a savings rate under 20 %, days over budget, spending up 10 % or more on the month before, one
/// category taking 40 % or more; when none applies, a word of encouragement.
pub fn recommendations(j: &Judged<'_>) -> Vec<String> {
    let top = j
        .top
        .map_or("your largest category", |c| c.category.as_str());
    let mut out = Vec::new();
    if j.transaction_count == 0 {
        out.push("Log your expenses this month to get a full report.".to_string());
    }
    if j.income.is_none() {
        out.push("Add your monthly income to your profile to see your savings rate.".to_string());
    }
    match j.savings_rate_bp {
        Some(rate) if rate < 0 => out.push(format!(
            "You spent more than your income: aim to keep 20% of it by trimming {top}."
        )),
        Some(rate) if rate < TARGET_SAVINGS_BP => out.push(format!(
            "You kept {} of your income: aim for 20% by trimming {top}.",
            percent_text(rate)
        )),
        _ => {}
    }
    if j.days_red > 0 {
        out.push(format!(
            "{} day(s) went over budget: check today's remaining amount before spending.",
            j.days_red
        ));
    }
    if let Some(c) = j.change_bp.filter(|c| *c >= RISE_BP) {
        out.push(format!(
            "Spending is up {} on last month: review {top}.",
            percent_text(c)
        ));
    }
    if let Some(c) = j.top.filter(|c| c.share_bp >= HEAVY_SHARE_BP) {
        out.push(format!(
            "{} took {} of your spending: set a limit for it.",
            c.category,
            percent_text(c.share_bp)
        ));
    }
    if out.is_empty() {
        out.push(match j.savings_rate_bp {
            Some(rate) => format!(
                "Keep it up: you kept {} of your income and stayed within budget.",
                percent_text(rate)
            ),
            None => "Keep tracking every expense.".to_string(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn share(category: &str, share_bp: i64) -> CategoryShare {
        CategoryShare {
            category: category.into(),
            total: Money::from_cents(10_000),
            count: 1,
            share_bp,
        }
    }

    fn judged(top: Option<&CategoryShare>) -> Judged<'_> {
        Judged {
            transaction_count: 5,
            income: Some(500_000),
            savings_rate_bp: Some(5_000),
            days_red: 0,
            change_bp: Some(-500),
            top,
        }
    }

    #[test]
    fn a_calm_month_gets_encouragement_only() {
        let top = share("groceries", 3_999);
        assert_eq!(
            recommendations(&judged(Some(&top))),
            vec!["Keep it up: you kept 50% of your income and stayed within budget."]
        );
    }

    #[test]
    fn each_rule_fires_at_its_threshold_in_order() {
        let top = share("dining", 4_000);
        let j = Judged {
            savings_rate_bp: Some(1_500),
            days_red: 2,
            change_bp: Some(1_000),
            ..judged(Some(&top))
        };
        assert_eq!(
            recommendations(&j),
            vec![
                "You kept 15% of your income: aim for 20% by trimming dining.",
                "2 day(s) went over budget: check today's remaining amount before spending.",
                "Spending is up 10% on last month: review dining.",
                "dining took 40% of your spending: set a limit for it.",
            ]
        );
        let at_target = Judged {
            savings_rate_bp: Some(TARGET_SAVINGS_BP),
            days_red: 0,
            change_bp: Some(999),
            ..judged(Some(&top))
        };
        assert_eq!(
            recommendations(&at_target),
            vec!["dining took 40% of your spending: set a limit for it."],
            "20 % kept and a 9.99 % rise are fine"
        );
        let over = Judged {
            savings_rate_bp: Some(-100),
            ..judged(Some(&top))
        };
        assert_eq!(
            recommendations(&over)[0],
            "You spent more than your income: aim to keep 20% of it by trimming dining."
        );
    }

    #[test]
    fn an_empty_month_without_income_asks_for_data() {
        let j = Judged {
            transaction_count: 0,
            income: None,
            savings_rate_bp: None,
            change_bp: None,
            ..judged(None)
        };
        assert_eq!(
            recommendations(&j),
            vec![
                "Log your expenses this month to get a full report.",
                "Add your monthly income to your profile to see your savings rate.",
            ]
        );
    }
}
