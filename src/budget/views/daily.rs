//! `/api/budget/daily`, `/spent`, `/remaining` and `/live_status`.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::{Ctx, Pace, category_totals, day_totals, money, month_range, pace, plan_cells};
use crate::budget::category::PlanCategory;
use crate::budget::days::month_days;
use crate::budget::status::{DayStatus, day_status};
use crate::db::Db;
use crate::error::Result;
use crate::money::Money;

/// One day of `GET /api/budget/daily`.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct DailyBudget {
    pub date: NaiveDate,
    /// Σ planned of the day's spendable categories (goal reservations excluded).
    pub budget: Money,
    pub spent: Money,
    /// `budget − spent` (negative when overspent).
    pub remaining: Money,
    /// green / yellow / red (BUDGET.md §4), neutral for a day without plan rows.
    pub status: DayStatus,
}

/// Every day of the month with its budget, spending and status (1 query).
pub async fn daily(db: &Db, ctx: &Ctx, year: i32, month: u32) -> Result<Vec<DailyBudget>> {
    let (first, last) = month_range(year, month)?;
    let cells = plan_cells(db, ctx.user.id, first, last).await?;
    let totals = day_totals(&cells);
    Ok(month_days(year, month)
        .into_iter()
        .map(|date| {
            let t = totals.get(&date).copied().unwrap_or_default();
            let status = if t.has_rows {
                day_status(t.planned, t.spent)
            } else {
                DayStatus::Neutral
            };
            DailyBudget {
                date,
                budget: money(t.planned),
                spent: money(t.spent),
                remaining: money(t.planned - t.spent),
                status,
            }
        })
        .collect())
}

/// Which figure [`per_category`] reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Figure {
    /// Σ spent.
    Spent,
    /// Σ planned − Σ spent (negative when overspent).
    Remaining,
}

/// `{plan_category: amount}` for the month, over the categories that have plan rows; goal
/// reservations are not spendable and are left out (1 query).
pub async fn per_category(
    db: &Db,
    ctx: &Ctx,
    year: i32,
    month: u32,
    figure: Figure,
) -> Result<BTreeMap<PlanCategory, Money>> {
    let (first, last) = month_range(year, month)?;
    let cells = plan_cells(db, ctx.user.id, first, last).await?;
    Ok(category_totals(&cells)
        .into_iter()
        .filter(|(c, _)| *c != PlanCategory::GoalSavings)
        .map(|(c, (planned, spent))| {
            let amount = match figure {
                Figure::Spent => spent,
                Figure::Remaining => planned - spent,
            };
            (c, money(amount))
        })
        .collect())
}

/// `GET /api/budget/live_status`.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct LiveStatus {
    pub date: NaiveDate,
    pub daily_budget: Money,
    pub spent_today: Money,
    pub remaining_today: Money,
    /// over / warning / good / neutral: see [`pace`].
    pub status: Pace,
    pub monthly_budget: Money,
    pub monthly_spent: Money,
    /// True while the month's spending is within the budget planned up to today.
    pub on_track: bool,
}

/// Today against today's plan and the month against the plan so far (1 query).
pub async fn live_status(db: &Db, ctx: &Ctx) -> Result<LiveStatus> {
    let (first, last) = month_range(
        chrono::Datelike::year(&ctx.today),
        chrono::Datelike::month(&ctx.today),
    )?;
    let cells = plan_cells(db, ctx.user.id, first, last).await?;
    let totals = day_totals(&cells);
    let today = totals.get(&ctx.today).copied().unwrap_or_default();
    let monthly_budget: i64 = totals.values().map(|t| t.planned).sum();
    let monthly_spent: i64 = totals.values().map(|t| t.spent).sum();
    let budget_to_date: i64 = totals.range(..=ctx.today).map(|(_, t)| t.planned).sum();
    Ok(LiveStatus {
        date: ctx.today,
        daily_budget: money(today.planned),
        spent_today: money(today.spent),
        remaining_today: money(today.planned - today.spent),
        status: pace(today.planned, today.spent),
        monthly_budget: money(monthly_budget),
        monthly_spent: money(monthly_spent),
        on_track: monthly_spent <= budget_to_date,
    })
}
