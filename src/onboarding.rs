//! Onboarding (BUDGET.md §2–3): the questions, the submitted answers → the monthly allocation →
//! this month's daily plan, all in one write transaction. A month missing later is built from
//! the stored answers by `plan::ensure_month`.

pub mod answers;
pub mod questions;

use std::time::Instant;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use sqlx::types::Json;

use crate::budget::allocation::{AllocationInput, BudgetPlan, SpendingHabits, allocate};
use crate::budget::days::days_in_month;
use crate::budget::store::{build_month, lock_user};
use crate::db::{Db, Tx};
use crate::error::{Error, Result};
use crate::id::Id;
use crate::metrics::{BudgetCalculation, Metrics};
use crate::on_tx;
use crate::users;

pub use answers::{Answers, Goals, Income, Submission};
pub use questions::{Question, questions};

/// The answer of a submit.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct SubmitAnswer {
    /// `success`, or `already_onboarded` (nothing changed).
    pub status: &'static str,
    /// Days of the month whose plan was built.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub calendar_days: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub budget_plan: Option<BudgetPlan>,
}

impl SubmitAnswer {
    fn already_onboarded() -> Self {
        SubmitAnswer {
            status: "already_onboarded",
            calendar_days: None,
            budget_plan: None,
        }
    }
}

/// The allocation of checked answers (422 / `BUSINESS_4001` from [`allocate`]).
pub fn plan_for(answers: &Answers) -> Result<BudgetPlan> {
    allocate(&AllocationInput {
        monthly_income: answers.income.monthly_income,
        additional_income: answers.income.additional_income,
        fixed_expenses: answers.fixed_expenses.clone(),
        habits: answers.spending_habits.clone(),
        savings_goal: answers.goals.savings_goal_amount_per_month,
    })
}

/// Builds one month of `plan` and moves the `plan` budget-calculation metrics.
pub(crate) async fn build_observed(
    tx: &mut Tx,
    user: Id,
    plan: &BudgetPlan,
    habits: &SpendingHabits,
    day: NaiveDate,
    now: i64,
    metrics: &Metrics,
) -> Result<()> {
    let started = Instant::now();
    build_month(tx, user, plan, habits, day.year(), day.month(), now).await?;
    metrics.budget_calculation(BudgetCalculation::Plan, started);
    Ok(())
}

/// Submits the onboarding answers: checks them, then in one write transaction stores them,
/// updates the user (income, savings goal, timezone, region, `has_onboarded`) and builds the
/// plan of the user's current month. A second submit changes nothing.
pub async fn submit(
    db: &Db,
    user: Id,
    body: Submission,
    now: i64,
    metrics: &Metrics,
) -> Result<SubmitAnswer> {
    let answers = body.check()?;
    let plan = plan_for(&answers)?;
    let mut tx = db.begin().await?;
    lock_user(&mut tx, user).await?;
    let current = users::by_id_tx(&mut tx, user)
        .await?
        .ok_or(Error::NotFound("User"))?;
    if current.has_onboarded {
        tx.rollback().await?;
        return Ok(SubmitAnswer::already_onboarded());
    }
    let inserted = on_tx!(&mut tx, conn => sqlx::query(
        "INSERT INTO onboarding_answers (user_id, answers, budget_plan, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) \
         ON CONFLICT (user_id) DO NOTHING")
        .bind(user).bind(Json(&answers)).bind(Json(&plan)).bind(now).execute(&mut *conn).await.map(|r| r.rows_affected()))?;
    if inserted == 0 {
        tx.rollback().await?;
        return Ok(SubmitAnswer::already_onboarded());
    }
    let monthly = answers.income.monthly_income.cents();
    on_tx!(&mut tx, conn => sqlx::query(
        "UPDATE users SET has_onboarded = TRUE, monthly_income_cents = $2, additional_income_cents = $3, \
         annual_income_cents = $4, savings_goal_cents = $5, timezone = COALESCE($6, timezone), \
         region = COALESCE($7, region), updated_at = $8 WHERE id = $1")
        .bind(user).bind(monthly).bind(answers.income.additional_income.cents()).bind(monthly.saturating_mul(12))
        .bind(answers.goals.savings_goal_amount_per_month.cents()).bind(&answers.timezone).bind(&answers.region).bind(now)
        .execute(&mut *conn).await.map(|_| ()))?;
    let tz = crate::time::tz(answers.timezone.as_deref().unwrap_or(&current.timezone));
    let today = crate::time::local_date(now, tz);
    build_observed(
        &mut tx,
        user,
        &plan,
        &answers.spending_habits,
        today,
        now,
        metrics,
    )
    .await?;
    tx.commit().await?;
    Ok(SubmitAnswer {
        status: "success",
        calendar_days: Some(days_in_month(today.year(), today.month())),
        budget_plan: Some(plan),
    })
}

/// The stored answers and plan of a user, if they onboarded.
pub async fn stored(tx: &mut Tx, user: Id) -> Result<Option<(Answers, BudgetPlan)>> {
    let row: Option<(Json<Answers>, Json<BudgetPlan>)> = on_tx!(tx, conn => sqlx::query_as(
        "SELECT answers, budget_plan FROM onboarding_answers WHERE user_id = $1")
        .bind(user).fetch_optional(&mut *conn).await)?;
    Ok(row.map(|(a, p)| (a.0, p.0)))
}

#[cfg(test)]
mod tests;
