//! `GET /api/goals/income_based_suggestions`: goals sized from the income (formulas in
//! docs/goals.md §5), a pure function of [`Facts`].

use serde::Serialize;

use super::facts::Facts;
use super::math::{after_months, months_to_reach};
use crate::budget::allocation::tier_for;
use crate::fixed::Fixed;
use crate::money::Money;

/// Recommended savings rate of an income tier, in basis points.
pub fn savings_rate_bp(tier: &str) -> i64 {
    match tier {
        "low" => 1000,
        "lower_middle" => 1500,
        "middle" => 2000,
        "upper_middle" => 2500,
        _ => 3000,
    }
}

/// One suggested goal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Suggestion {
    /// `emergency_fund`, `start_investing` or `vacation_fund`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub title: &'static str,
    /// A goal category (`Emergency`, `Investment`, `Travel`).
    pub category: &'static str,
    pub target_amount: Money,
    pub monthly_contribution: Money,
    /// The same as `monthly_contribution` (the name the app's offline list uses).
    pub monthly_target: Money,
    pub months_to_goal: Option<i64>,
    pub target_date: Option<String>,
    pub priority: &'static str,
    pub reason: &'static str,
    /// The same as `reason` (the name the app reads).
    pub description: &'static str,
}

/// What the income asks to save, the `meta` of `GET /api/goals/income_based_suggestions`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SavingsTarget {
    pub monthly_income: Money,
    /// Percent of income.
    pub recommended_savings_rate: Fixed,
    pub recommended_monthly_savings: Money,
    pub income_tier: Option<String>,
}

/// `GET /api/goals/income_based_suggestions`: the suggestions (`data`) and what the income asks
/// to save (`meta`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IncomeSuggestions {
    pub suggestions: Vec<Suggestion>,
    pub savings: SavingsTarget,
}

/// Essential monthly spending: the month's planned fixed and protected categories, or half the
/// income without a plan.
fn essentials(f: &Facts) -> i64 {
    if !f.has_plan() {
        return f.income / 2;
    }
    f.plan
        .iter()
        .filter(|(c, _)| c.is_sacred() || c.kind() == crate::budget::Kind::Protected)
        .map(|(_, s)| s.planned_month)
        .sum()
}

/// Suggested goals sized from the income (templates the user has no live goal of yet).
pub fn income_based(f: &Facts) -> IncomeSuggestions {
    let tier = tier_for(f.income.saturating_mul(12)).map(|t| t.name.clone());
    let rate = savings_rate_bp(tier.as_deref().unwrap_or("low"));
    let monthly = f.income * rate / 10_000;
    let templates: [(&str, &str, &str, i64, i64, &str, &str); 3] = [
        (
            "emergency_fund",
            "Emergency fund",
            "Emergency",
            essentials(f) * 6,
            monthly * 50 / 100,
            "high",
            "Six months of essential spending protects against a lost income",
        ),
        (
            "start_investing",
            "Start investing",
            "Investment",
            monthly * 30 / 100 * 12,
            monthly * 30 / 100,
            "medium",
            "A year of regular investing builds the habit",
        ),
        (
            "vacation_fund",
            "Vacation fund",
            "Travel",
            f.income / 2,
            monthly * 20 / 100,
            "low",
            "Half a month's income pays for a holiday without debt",
        ),
    ];
    let mut suggestions = Vec::new();
    if f.income > 0 {
        for (kind, title, category, target, contribution, priority, reason) in templates {
            let taken = f.goals.iter().any(|g| {
                matches!(g.status.as_str(), "active" | "paused")
                    && g.category.as_deref() == Some(category)
            });
            if taken || target <= 0 {
                continue;
            }
            let months = months_to_reach(target, contribution);
            suggestions.push(Suggestion {
                kind,
                title,
                category,
                target_amount: Money::from_cents(target),
                monthly_contribution: Money::from_cents(contribution),
                monthly_target: Money::from_cents(contribution),
                months_to_goal: months,
                target_date: months.map(|m| after_months(f.today, m).to_string()),
                priority,
                reason,
                description: reason,
            });
        }
    }
    IncomeSuggestions {
        suggestions,
        savings: SavingsTarget {
            monthly_income: Money::from_cents(f.income),
            recommended_savings_rate: Fixed::new(rate, 2),
            recommended_monthly_savings: Money::from_cents(monthly),
            income_tier: tier,
        },
    }
}
