//! Why a day has its status: the day's plan rows (planned against spent per plan category) and
//! its largest spends.

use chrono::NaiveDate;
use serde::Serialize;

use crate::budget::PlanCategory;
use crate::budget::status::{DayStatus, day_status};
use crate::budget::views::PlanCell;
use crate::insights::data::Spend;
use crate::insights::{Narrated, amount_text};
use crate::money::Money;

/// One plan category of the day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CategoryDay {
    pub category: PlanCategory,
    pub planned: Money,
    pub spent: Money,
    /// `spent − planned` when positive, else 0.
    pub over: Money,
    pub status: DayStatus,
}

/// `/api/ai/day-status-explanation`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DayExplanation {
    pub date: NaiveDate,
    /// The status computed from the plan (BUDGET.md §4).
    pub status: DayStatus,
    /// The status the caller asked about, when given and different from `status`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requested_status: Option<DayStatus>,
    pub planned: Money,
    pub spent: Money,
    pub remaining: Money,
    pub categories: Vec<CategoryDay>,
    pub explanation: String,
    /// One sentence per cause, the largest first.
    pub contributing_factors: Vec<String>,
    pub suggestions: Vec<String>,
}

impl Narrated for DayExplanation {
    const KIND: &'static str = "day_status_explanation";
    fn text(&self) -> &str {
        &self.explanation
    }
    fn set_text(&mut self, text: String) {
        self.explanation = text;
    }
}

/// Explains `date` from its plan `cells` and its `spends`.
pub fn explain(
    date: NaiveDate,
    cells: &[PlanCell],
    spends: &[Spend],
    requested: Option<DayStatus>,
    currency: &str,
) -> DayExplanation {
    let mut categories: Vec<CategoryDay> = cells
        .iter()
        .filter(|c| c.date == date && !c.is_goal())
        .filter_map(|c| {
            Some(CategoryDay {
                category: c.plan_category()?,
                planned: Money::from_cents(c.planned),
                spent: Money::from_cents(c.spent),
                over: Money::from_cents((c.spent - c.planned).max(0)),
                status: day_status(c.planned, c.spent),
            })
        })
        .collect();
    categories.sort_by(|a, b| b.over.cmp(&a.over).then(a.category.cmp(&b.category)));
    let planned: i64 = categories.iter().map(|c| c.planned.cents()).sum();
    let spent: i64 = categories.iter().map(|c| c.spent.cents()).sum();
    let status = if categories.is_empty() {
        DayStatus::Neutral
    } else {
        day_status(planned, spent)
    };
    let money = |c: i64| amount_text(c, currency);
    let mut factors: Vec<String> = categories
        .iter()
        .filter(|c| c.over.cents() > 0)
        .map(|c| {
            format!(
                "{}: spent {} against {} planned ({} over).",
                c.category,
                money(c.spent.cents()),
                money(c.planned.cents()),
                money(c.over.cents())
            )
        })
        .collect();
    let mut largest: Vec<&Spend> = spends.iter().filter(|s| s.date == date).collect();
    largest.sort_by(|a, b| b.amount.cmp(&a.amount).then(a.id.cmp(&b.id)));
    for s in largest.iter().take(3) {
        factors.push(format!(
            "Spend of {} on {}{}.",
            money(s.amount),
            s.category,
            s.label().map_or(String::new(), |l| format!(" ({l})"))
        ));
    }
    let explanation = match status {
        DayStatus::Neutral => format!("{date} has no budget plan, so it has no status."),
        DayStatus::Green => format!(
            "{date} is green: you spent {} of the {} planned.",
            money(spent),
            money(planned)
        ),
        DayStatus::Yellow => format!(
            "{date} is yellow: you spent {} against {} planned, slightly over (within the tolerance).",
            money(spent),
            money(planned)
        ),
        DayStatus::Red => format!(
            "{date} is red: you spent {} against {} planned, {} over.",
            money(spent),
            money(planned),
            money(spent - planned)
        ),
    };
    let mut suggestions = Vec::new();
    match (status, categories.first()) {
        (DayStatus::Red | DayStatus::Yellow, Some(top)) => {
            suggestions.push(format!(
                "Go easy on {} for the next days: the overspend is taken from later days of the month.",
                top.category
            ));
            suggestions.push("Check the remaining budget before the next purchase.".to_string());
        }
        (DayStatus::Green, _) => suggestions.push(format!(
            "Keep it up: {} of the day's budget is left.",
            money(planned - spent)
        )),
        _ => suggestions.push("Complete onboarding to get a daily budget plan.".to_string()),
    }
    DayExplanation {
        date,
        status,
        requested_status: requested.filter(|r| *r != status),
        planned: Money::from_cents(planned),
        spent: Money::from_cents(spent),
        remaining: Money::from_cents(planned - spent),
        categories,
        explanation,
        contributing_factors: factors,
        suggestions,
    }
}
