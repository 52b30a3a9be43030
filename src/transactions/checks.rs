//! `budget-status` and `check-affordability`: one day's plan against a purchase. 1 query each.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::budget::status::{DayStatus, day_status};
use crate::budget::{PlanCategory, TxCategory};
use crate::db::Db;
use crate::error::{Code, Error, Result};
use crate::fixed::Fixed;
use crate::id::Id;
use crate::money::Money;
use crate::on_db;

/// One plan category on one day.
#[derive(Clone, Debug, Serialize)]
pub struct CategoryStatus {
    pub category: PlanCategory,
    pub planned: Money,
    pub spent: Money,
    pub remaining: Money,
    pub status: DayStatus,
}

/// The whole day.
#[derive(Clone, Debug, Serialize)]
pub struct BudgetStatus {
    pub date: NaiveDate,
    pub categories: Vec<CategoryStatus>,
    pub total_planned: Money,
    pub total_spent: Money,
    pub total_remaining: Money,
    pub status: DayStatus,
}

async fn day_rows(db: &Db, user: Id, day: NaiveDate) -> Result<Vec<(String, i64, i64)>> {
    Ok(on_db!(db, pool => sqlx::query_as(
        "SELECT category, CAST(SUM(planned_cents) AS BIGINT), CAST(SUM(spent_cents) AS BIGINT) FROM daily_plan \
         WHERE user_id = $1 AND date = $2 GROUP BY category ORDER BY category")
        .bind(user).bind(day).fetch_all(pool).await)?)
}

/// Per plan category planned/spent/remaining/status for `day`. 1 query.
pub async fn budget_status(db: &Db, user: Id, day: NaiveDate) -> Result<BudgetStatus> {
    let rows = day_rows(db, user, day).await?;
    let mut categories = Vec::new();
    let (mut planned_total, mut spent_total) = (0i64, 0i64);
    for (category, planned, spent) in rows {
        let Ok(category) = category.parse::<PlanCategory>() else {
            continue;
        };
        if category != PlanCategory::GoalSavings {
            planned_total += planned;
            spent_total += spent;
        }
        categories.push(CategoryStatus {
            category,
            planned: Money::from_cents(planned),
            spent: Money::from_cents(spent),
            remaining: Money::from_cents(planned - spent),
            status: day_status(planned, spent),
        });
    }
    let status = if categories.is_empty() {
        DayStatus::Neutral
    } else {
        day_status(planned_total, spent_total)
    };
    Ok(BudgetStatus {
        date: day,
        categories,
        total_planned: Money::from_cents(planned_total),
        total_spent: Money::from_cents(spent_total),
        total_remaining: Money::from_cents(planned_total - spent_total),
        status,
    })
}

/// `POST /api/transactions/check-affordability`.
#[derive(Clone, Debug, Deserialize)]
pub struct AffordabilityQuestion {
    pub category: String,
    pub amount: Money,
    #[serde(default)]
    pub date: Option<String>,
}

/// How a purchase sits in the day's budget of its plan category (docs/transactions.md, "check
/// affordability"). The names are the mobile app's (budget_warning_dialog.dart).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningLevel {
    /// At most 70 % of the category's day budget used after the purchase (or no plan that day).
    Safe,
    /// Over 70 % but within the category's day budget.
    Caution,
    /// Over the category's day budget while the day as a whole still has room: the overspend
    /// will be covered from later days.
    Danger,
    /// The day as a whole goes over budget.
    Blocked,
}

/// A category of the same day with room for the whole purchase.
#[derive(Clone, Debug, Serialize)]
pub struct Alternative {
    /// The mobile app's own label for it (the app switches its category picker by label).
    pub category: &'static str,
    pub plan_category: PlanCategory,
    /// Left today in that category (≥ the amount).
    pub available: Money,
    pub daily_budget: Money,
    /// `available ÷ daily_budget` in percent.
    pub percentage_free: Fixed,
}

#[derive(Clone, Debug, Serialize)]
pub struct Affordability {
    pub warning_level: WarningLevel,
    /// True when the purchase fits the category's day budget.
    pub affordable: bool,
    /// The plan category the purchase lands on.
    pub category: PlanCategory,
    pub amount: Money,
    /// The category's planned amount for the day.
    pub daily_budget: Money,
    /// Spent in the category that day before this purchase.
    pub current_spent: Money,
    /// Left in the category that day before this purchase.
    pub remaining: Money,
    /// Left after the purchase (negative when over); `remaining_budget` is the app's name.
    pub after_purchase: Money,
    pub remaining_budget: Money,
    /// How much the purchase goes over the category's day budget (0 when it fits).
    pub overage: Money,
    /// `(spent + amount) ÷ daily_budget` in percent, one decimal (999.9 at most, and when the day
    /// has no budget for the category).
    pub percentage_used: Fixed,
    pub impact_message: String,
    /// Up to 3 other categories of the day with room for the whole amount, most room first.
    pub alternative_categories: Vec<Alternative>,
    /// Up to 3 suggestions, the first one also as `suggestion`.
    pub suggestions: Vec<String>,
    pub suggestion: String,
}

/// The add-expense screen's label of a plan category a spend can land on.
fn app_label(category: PlanCategory) -> Option<&'static str> {
    use PlanCategory as P;
    Some(match category {
        P::Food => "Food & Dining",
        P::Transportation => "Transportation",
        P::Entertainment => "Entertainment",
        P::Healthcare => "Health & Fitness",
        P::Shopping => "Shopping",
        P::Travel => "Travel",
        P::Other => "Other",
        P::Utilities => "Bills & Utilities",
        P::Education => "Education",
        _ => return None,
    })
}

/// The largest percentage reported (999.9 %).
const MAX_PERCENT_TENTHS: i64 = 9_999;

/// Whether `amount` fits in the day's remaining budget of its plan category. 1 query.
pub async fn affordability(
    db: &Db,
    user: Id,
    category: &str,
    amount: Money,
    day: NaiveDate,
) -> Result<Affordability> {
    let tx_category: TxCategory = category.parse().map_err(|()| {
        Error::invalid(
            Code::Validation2009,
            "body.category",
            "enum",
            "must be one of the 22 transaction categories",
        )
    })?;
    if amount.cents() <= 0 || amount.cents() > super::MAX_AMOUNT_CENTS {
        return Err(Error::invalid(
            Code::Validation2006,
            "body.amount",
            "range",
            "must be between 0.01 and 100000.00",
        ));
    }
    let status = budget_status(db, user, day).await?;
    Ok(judge(&status, tx_category.plan(), amount))
}

/// The rule of [`affordability`] over one day's budget status.
fn judge(status: &BudgetStatus, plan: PlanCategory, amount: Money) -> Affordability {
    let cents = amount.cents();
    let row = status.categories.iter().find(|c| c.category == plan);
    let planned = row.map_or(0, |c| c.planned.cents());
    let spent = row.map_or(0, |c| c.spent.cents());
    let remaining = planned - spent;
    let after = remaining - cents;
    let day_after = status.total_remaining.cents() - cents;
    let has_plan = !status.categories.is_empty();
    let percentage_used = if planned > 0 {
        let p = Fixed::ratio((spent + cents) * 100, planned, 1);
        Fixed::new(p.units().min(MAX_PERCENT_TENTHS), 1)
    } else if has_plan {
        Fixed::new(MAX_PERCENT_TENTHS, 1)
    } else {
        Fixed::new(0, 1)
    };
    let warning_level = if !has_plan || (after >= 0 && (spent + cents) * 10 <= planned * 7) {
        WarningLevel::Safe
    } else if after >= 0 {
        WarningLevel::Caution
    } else if day_after >= 0 {
        WarningLevel::Danger
    } else {
        WarningLevel::Blocked
    };
    let mut alternatives: Vec<Alternative> = status
        .categories
        .iter()
        .filter(|c| c.category != plan && c.remaining.cents() >= cents)
        .filter_map(|c| {
            Some(Alternative {
                category: app_label(c.category)?,
                plan_category: c.category,
                available: c.remaining,
                daily_budget: c.planned,
                percentage_free: Fixed::ratio(c.remaining.cents() * 100, c.planned.cents(), 1),
            })
        })
        .collect();
    alternatives.sort_by(|a, b| {
        b.available
            .cmp(&a.available)
            .then(a.plan_category.cmp(&b.plan_category))
    });
    alternatives.truncate(3);

    let overage = (-after).max(0);
    let impact_message = match warning_level {
        WarningLevel::Safe if !has_plan => {
            "There is no budget plan for this day yet, so nothing to check against.".to_string()
        }
        WarningLevel::Safe | WarningLevel::Caution => format!(
            "{} of today's {plan} budget stays left after this purchase ({percentage_used} % used).",
            Money::from_cents(after)
        ),
        WarningLevel::Danger => format!(
            "This goes over today's {plan} budget by {}; the overspend will be covered from later days of less important categories.",
            Money::from_cents(overage)
        ),
        WarningLevel::Blocked => format!(
            "This would put today over budget by {}: every category of the day is used up.",
            Money::from_cents(-day_after)
        ),
    };
    let mut suggestions = Vec::new();
    if overage > 0 {
        if let Some(alt) = alternatives.first() {
            suggestions.push(format!(
                "Record it under {} instead: {} left there today.",
                alt.category, alt.available
            ));
        }
        if remaining > 0 {
            suggestions.push(format!(
                "Spend at most {} to stay within today's {plan} budget.",
                Money::from_cents(remaining)
            ));
        }
        suggestions.push("Wait until tomorrow: each day brings a new budget.".to_string());
    } else if warning_level == WarningLevel::Caution {
        suggestions.push(format!(
            "Only {} of today's {plan} budget stays left after this purchase.",
            Money::from_cents(after)
        ));
    }
    suggestions.truncate(3);
    Affordability {
        warning_level,
        affordable: after >= 0,
        category: plan,
        amount,
        daily_budget: Money::from_cents(planned),
        current_spent: Money::from_cents(spent),
        remaining: Money::from_cents(remaining),
        after_purchase: Money::from_cents(after),
        remaining_budget: Money::from_cents(after),
        overage: Money::from_cents(overage),
        percentage_used,
        suggestion: suggestions
            .first()
            .cloned()
            .unwrap_or_else(|| impact_message.clone()),
        impact_message,
        alternative_categories: alternatives,
        suggestions,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(rows: &[(PlanCategory, i64, i64)]) -> BudgetStatus {
        let categories: Vec<CategoryStatus> = rows
            .iter()
            .map(|&(category, planned, spent)| CategoryStatus {
                category,
                planned: Money::from_cents(planned),
                spent: Money::from_cents(spent),
                remaining: Money::from_cents(planned - spent),
                status: day_status(planned, spent),
            })
            .collect();
        let planned: i64 = rows.iter().map(|r| r.1).sum();
        let spent: i64 = rows.iter().map(|r| r.2).sum();
        BudgetStatus {
            date: NaiveDate::from_ymd_opt(2026, 12, 4).unwrap_or_default(),
            categories,
            total_planned: Money::from_cents(planned),
            total_spent: Money::from_cents(spent),
            total_remaining: Money::from_cents(planned - spent),
            status: day_status(planned, spent),
        }
    }

    use PlanCategory as P;

    #[test]
    fn the_warning_level_follows_the_share_used_and_the_days_room() {
        let d = day(&[(P::Food, 10_000, 2_000), (P::Entertainment, 5_000, 0)]);
        let level = |cents| judge(&d, P::Food, Money::from_cents(cents)).warning_level;
        assert_eq!(level(5_000), WarningLevel::Safe, "70 % exactly");
        assert_eq!(level(5_001), WarningLevel::Caution);
        assert_eq!(level(8_000), WarningLevel::Caution, "100 % exactly");
        assert_eq!(level(8_001), WarningLevel::Danger, "the day still has room");
        assert_eq!(level(13_000), WarningLevel::Danger, "the day's last cent");
        assert_eq!(level(13_001), WarningLevel::Blocked);
        let none = day(&[]);
        assert_eq!(
            judge(&none, P::Food, Money::from_cents(1)).warning_level,
            WarningLevel::Safe,
            "no plan, nothing to warn about"
        );
    }

    #[test]
    fn figures_are_exact_and_alternatives_have_room_for_the_whole_amount() {
        let d = day(&[
            (P::Food, 3_000, 1_000),
            (P::Entertainment, 5_000, 0),
            (P::Shopping, 9_000, 6_000),
            (P::Travel, 2_000, 1_000),
            (P::Rent, 100_000, 0),
        ]);
        let a = judge(&d, P::Food, Money::from_cents(2_500));
        assert_eq!(a.daily_budget.cents(), 3_000);
        assert_eq!(a.current_spent.cents(), 1_000);
        assert_eq!(a.remaining_budget.cents(), -500);
        assert_eq!(a.overage.cents(), 500);
        assert_eq!(a.percentage_used.to_string(), "116.7");
        assert!(!a.affordable);
        let alts: Vec<_> = a
            .alternative_categories
            .iter()
            .map(|x| (x.category, x.available.cents()))
            .collect();
        assert_eq!(
            alts,
            vec![("Entertainment", 5_000), ("Shopping", 3_000)],
            "rent is sacred, travel has too little"
        );
        assert_eq!(
            a.alternative_categories[0].percentage_free.to_string(),
            "100.0"
        );
        assert!(a.suggestions[0].contains("Entertainment"));
        assert!(a.suggestions[1].contains("20.00"), "{:?}", a.suggestions);
        assert_eq!(a.suggestion, a.suggestions[0]);
    }

    #[test]
    fn a_category_without_budget_that_day_is_reported_as_fully_used() {
        let d = day(&[(P::Food, 3_000, 0)]);
        let a = judge(&d, P::Travel, Money::from_cents(100));
        assert_eq!(a.percentage_used.to_string(), "999.9");
        assert_eq!(a.warning_level, WarningLevel::Danger);
    }
}
