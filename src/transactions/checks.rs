//! `budget-status` and `check-affordability`: one day's plan against a purchase. 1 query each.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::budget::status::{DayStatus, day_status};
use crate::budget::{PlanCategory, TxCategory};
use crate::db::Db;
use crate::error::{Error, Result};
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

#[derive(Clone, Debug, Serialize)]
pub struct Affordability {
    pub affordable: bool,
    pub category: PlanCategory,
    pub remaining: Money,
    pub after_purchase: Money,
    pub suggestion: String,
}

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
            "VALIDATION_2009",
            "body.category",
            "enum",
            "must be one of the 22 transaction categories",
        )
    })?;
    if amount.cents() <= 0 || amount.cents() > super::MAX_AMOUNT_CENTS {
        return Err(Error::invalid(
            "VALIDATION_2006",
            "body.amount",
            "range",
            "must be between 0.01 and 100000.00",
        ));
    }
    let plan = tx_category.plan();
    let status = budget_status(db, user, day).await?;
    let remaining = status
        .categories
        .iter()
        .find(|c| c.category == plan)
        .map(|c| c.remaining)
        .unwrap_or(Money::ZERO);
    let after = remaining.cents() - amount.cents();
    let suggestion = if after >= 0 {
        format!(
            "You can afford it: {} of today's {plan} budget stays left.",
            Money::from_cents(after)
        )
    } else if status.total_remaining.cents() - amount.cents() >= 0 {
        format!(
            "Over today's {plan} budget by {}, but the day as a whole still has room; the overspend will be covered from later days.",
            Money::from_cents(-after)
        )
    } else {
        format!(
            "This would put today over budget by {}. Consider waiting or choosing a smaller amount.",
            Money::from_cents(amount.cents() - status.total_remaining.cents().max(0))
        )
    };
    Ok(Affordability {
        affordable: after >= 0,
        category: plan,
        remaining,
        after_purchase: Money::from_cents(after),
        suggestion,
    })
}
