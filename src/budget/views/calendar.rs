//! `/api/calendar/saved/{year}/{month}` and `/api/calendar/current-month`: the month's plan,
//! day by day and category by category.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::{Ctx, PlanCell, day_totals, money, month_range, plan_cells};
use crate::budget::category::PlanCategory;
use crate::budget::days::month_days;
use crate::budget::status::{DayStatus, day_status};
use crate::db::Db;
use crate::error::Result;
use crate::money::Money;

/// One category of one day.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct CategoryDay {
    pub planned: Money,
    pub spent: Money,
    /// The category's own status (BUDGET.md §4 thresholds on its planned and spent).
    pub status: DayStatus,
}

/// One day of the calendar.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct CalendarDay {
    pub date: NaiveDate,
    /// Day of the month (1–31).
    pub day: u32,
    /// Every category with a plan row that day; goal reservations summed under `goal_savings`.
    pub planned_budget: BTreeMap<PlanCategory, CategoryDay>,
    /// The day's spending limit: Σ planned of the spendable categories.
    pub limit: Money,
    /// Everything planned that day, goal reservations included.
    pub total: Money,
    pub spent: Money,
    /// The day's status over its spendable categories; neutral without plan rows.
    pub status: DayStatus,
}

/// The calendar answer.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Calendar {
    pub year: i32,
    pub month: u32,
    pub calendar: Vec<CalendarDay>,
}

/// Shapes plan cells of one month into calendar days (every day of the month, in order).
pub fn shape(year: i32, month: u32, cells: &[PlanCell]) -> Calendar {
    let totals = day_totals(cells);
    let mut per_day: BTreeMap<NaiveDate, BTreeMap<PlanCategory, CategoryDay>> = BTreeMap::new();
    for c in cells {
        let Some(category) = c.plan_category() else {
            continue;
        };
        per_day.entry(c.date).or_default().insert(
            category,
            CategoryDay {
                planned: money(c.planned),
                spent: money(c.spent),
                status: day_status(c.planned, c.spent),
            },
        );
    }
    let calendar = month_days(year, month)
        .into_iter()
        .map(|date| {
            let t = totals.get(&date).copied().unwrap_or_default();
            CalendarDay {
                date,
                day: date.day(),
                planned_budget: per_day.remove(&date).unwrap_or_default(),
                limit: money(t.planned),
                total: money(t.planned + t.goal),
                spent: money(t.spent),
                status: if t.has_rows {
                    day_status(t.planned, t.spent)
                } else {
                    DayStatus::Neutral
                },
            }
        })
        .collect();
    Calendar {
        year,
        month,
        calendar,
    }
}

/// The stored calendar of a month (1 query).
pub async fn saved(db: &Db, ctx: &Ctx, year: i32, month: u32) -> Result<Calendar> {
    let (first, last) = month_range(year, month)?;
    let cells = plan_cells(db, ctx.user.id, first, last).await?;
    Ok(shape(year, month, &cells))
}

/// The calendar of the user's current month (1 query).
pub async fn current(db: &Db, ctx: &Ctx) -> Result<Calendar> {
    saved(db, ctx, ctx.today.year(), ctx.today.month()).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn goal_rows_count_in_the_total_but_not_in_the_limit() {
        let d = NaiveDate::from_ymd_opt(2026, 2, 3).unwrap();
        let cells = vec![
            PlanCell {
                date: d,
                category: "food".into(),
                planned: 1_000,
                spent: 1_300,
            },
            PlanCell {
                date: d,
                category: "goal_savings".into(),
                planned: 500,
                spent: 0,
            },
        ];
        let cal = shape(2026, 2, &cells);
        assert_eq!(cal.calendar.len(), 28);
        let day = &cal.calendar[2];
        assert_eq!(
            (day.limit.cents(), day.total.cents(), day.spent.cents()),
            (1_000, 1_500, 1_300)
        );
        assert_eq!(day.status, DayStatus::Red);
        assert_eq!(
            day.planned_budget[&PlanCategory::GoalSavings]
                .planned
                .cents(),
            500
        );
        assert_eq!(cal.calendar[0].status, DayStatus::Neutral);
    }
}
