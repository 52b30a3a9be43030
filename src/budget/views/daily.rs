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

/// A day's status in the mobile app's words (daily_budget_screen.dart): `good` (green),
/// `warning` (yellow), `over` (red).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AppDayStatus {
    Good,
    Warning,
    Over,
}

impl From<DayStatus> for AppDayStatus {
    fn from(s: DayStatus) -> Self {
        match s {
            DayStatus::Green | DayStatus::Neutral => AppDayStatus::Good,
            DayStatus::Yellow => AppDayStatus::Warning,
            DayStatus::Red => AppDayStatus::Over,
        }
    }
}

/// One day of `GET /api/budget/daily`.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct DailyBudget {
    pub date: NaiveDate,
    /// Σ planned of the day's spendable categories (goal reservations excluded), > 0.
    pub budget: Money,
    /// The same as `budget` (the app's name).
    pub limit: Money,
    pub spent: Money,
    /// `budget − spent` (negative when overspent).
    pub remaining: Money,
    /// good / warning / over: the day's colour in the app's words.
    pub status: AppDayStatus,
    /// green / yellow / red (BUDGET.md §4).
    pub day_status: DayStatus,
}

/// The days of the month that have a budget, with spending and status (1 query). A day without
/// a budget is left out: the app divides by the day's limit.
pub async fn daily(db: &Db, ctx: &Ctx, year: i32, month: u32) -> Result<Vec<DailyBudget>> {
    let (first, last) = month_range(year, month)?;
    let cells = plan_cells(db, ctx.user.id, first, last).await?;
    let totals = day_totals(&cells);
    Ok(month_days(year, month)
        .into_iter()
        .filter_map(|date| {
            let t = totals.get(&date).copied().unwrap_or_default();
            if t.planned <= 0 {
                return None;
            }
            let status = day_status(t.planned, t.spent);
            Some(DailyBudget {
                date,
                budget: money(t.planned),
                limit: money(t.planned),
                spent: money(t.spent),
                remaining: money(t.planned - t.spent),
                status: status.into(),
                day_status: status,
            })
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

/// `GET /api/budget/spent` and `/remaining`: `{plan_category: amount}` for the month over the
/// categories that have plan rows (goal reservations are not spendable and are left out), and
/// the month's totals over them.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct PerCategory {
    #[serde(flatten)]
    pub categories: BTreeMap<PlanCategory, Money>,
    /// Σ planned.
    pub total_budget: Money,
    /// Σ spent.
    pub total_spent: Money,
    /// `total_budget − total_spent` (negative when overspent).
    pub remaining: Money,
}

/// The figure of each category for the month, with the month's totals (1 query).
pub async fn per_category(
    db: &Db,
    ctx: &Ctx,
    year: i32,
    month: u32,
    figure: Figure,
) -> Result<PerCategory> {
    let (first, last) = month_range(year, month)?;
    let cells = plan_cells(db, ctx.user.id, first, last).await?;
    let (mut planned_total, mut spent_total) = (0, 0);
    let categories = category_totals(&cells)
        .into_iter()
        .filter(|(c, _)| *c != PlanCategory::GoalSavings)
        .map(|(c, (planned, spent))| {
            planned_total += planned;
            spent_total += spent;
            let amount = match figure {
                Figure::Spent => spent,
                Figure::Remaining => planned - spent,
            };
            (c, money(amount))
        })
        .collect();
    Ok(PerCategory {
        categories,
        total_budget: money(planned_total),
        total_spent: money(spent_total),
        remaining: money(planned_total - spent_total),
    })
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
    /// The same as `monthly_budget` and `monthly_spent` (the daily-budget screen's names).
    pub total_budget: Money,
    pub total_spent: Money,
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
        total_budget: money(monthly_budget),
        total_spent: money(monthly_spent),
        on_track: monthly_spent <= budget_to_date,
    })
}
