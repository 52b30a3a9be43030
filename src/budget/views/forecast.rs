//! `GET /api/budget/forecast`: where the user's current month is heading.
//!
//! All figures are integer cents over the month's plan rows (goal reservations excluded).
//! With `D` days in the month, `d` = today's day of the month (days elapsed, today included)
//! and `r = D − d + 1` days remaining (today included); *variable* categories are the
//! non-sacred ones (food, transportation, healthcare, entertainment, shopping, travel, other),
//! *fixed* the sacred ones (rent, utilities, ...):
//!
//! - `monthly_budget` = Σ planned; `spent_to_date` = Σ spent.
//! - `daily_pace` = Σ variable spent ÷ `d` (rounded half away from zero).
//! - `projected_spend` = `spent_to_date` + `daily_pace × (D − d)` + Σ over fixed categories of
//!   `max(planned − spent, 0)` (fixed expenses are one-offs assumed to be paid in full, never
//!   extrapolated).
//! - `projected_month_end` = `monthly_budget − projected_spend` (negative = overspend ahead);
//!   `on_track` = `projected_spend ≤ monthly_budget`.
//! - `safe_daily_limit` = `max(0, variable planned − variable spent before today) ÷ r`, rounded
//!   down: what can be spent per day from today on without exceeding the variable budget.
//! - a variable category is *at risk* when `spent + round(spent ÷ d) × (D − d) > planned`; the
//!   list is ordered by `overage = projected − planned`, largest first.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::{Ctx, money, month_range, plan_cells, ratio};
use crate::budget::category::PlanCategory;
use crate::budget::days::days_in_month;
use crate::db::Db;
use crate::error::Result;
use crate::money::Money;

/// A variable category projected to end the month above its plan.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct CategoryRisk {
    pub category: PlanCategory,
    pub planned: Money,
    pub spent: Money,
    pub projected: Money,
    pub overage: Money,
}

/// The forecast answer (see the module documentation for the formulas).
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Forecast {
    pub date: NaiveDate,
    pub days_in_month: u32,
    pub days_elapsed: u32,
    pub days_remaining: u32,
    pub monthly_budget: Money,
    pub spent_to_date: Money,
    pub daily_pace: Money,
    pub safe_daily_limit: Money,
    pub projected_spend: Money,
    pub projected_month_end: Money,
    pub on_track: bool,
    pub categories_at_risk: Vec<CategoryRisk>,
}

#[derive(Default, Clone, Copy)]
struct Sums {
    planned: i64,
    spent: i64,
    spent_before_today: i64,
}

/// Computes the forecast from per-category sums (pure, see the module docs).
fn compute(today: NaiveDate, per_category: &BTreeMap<PlanCategory, Sums>) -> Forecast {
    let total_days = days_in_month(today.year(), today.month());
    let elapsed = today.day();
    let remaining = total_days - elapsed + 1;
    let (d, left) = (i64::from(elapsed), i64::from(total_days - elapsed));
    let (mut budget, mut spent, mut fixed_unpaid) = (0_i64, 0_i64, 0_i64);
    let (mut var_planned, mut var_spent, mut var_before) = (0_i64, 0_i64, 0_i64);
    let mut at_risk = Vec::new();
    for (category, s) in per_category {
        budget += s.planned;
        spent += s.spent;
        if category.is_sacred() {
            fixed_unpaid += (s.planned - s.spent).max(0);
            continue;
        }
        var_planned += s.planned;
        var_spent += s.spent;
        var_before += s.spent_before_today;
        let projected = s.spent + ratio(s.spent, 1, d) * left;
        if projected > s.planned {
            at_risk.push(CategoryRisk {
                category: *category,
                planned: money(s.planned),
                spent: money(s.spent),
                projected: money(projected),
                overage: money(projected - s.planned),
            });
        }
    }
    at_risk.sort_by(|a, b| b.overage.cmp(&a.overage).then(a.category.cmp(&b.category)));
    let pace = ratio(var_spent, 1, d);
    let projected = spent + pace * left + fixed_unpaid;
    Forecast {
        date: today,
        days_in_month: total_days,
        days_elapsed: elapsed,
        days_remaining: remaining,
        monthly_budget: money(budget),
        spent_to_date: money(spent),
        daily_pace: money(pace),
        safe_daily_limit: money((var_planned - var_before).max(0) / i64::from(remaining.max(1))),
        projected_spend: money(projected),
        projected_month_end: money(budget - projected),
        on_track: projected <= budget,
        categories_at_risk: at_risk,
    }
}

/// The forecast of the user's current month (1 query).
pub async fn forecast(db: &Db, ctx: &Ctx) -> Result<Forecast> {
    let (first, last) = month_range(ctx.today.year(), ctx.today.month())?;
    let cells = plan_cells(db, ctx.user.id, first, last).await?;
    let mut per_category: BTreeMap<PlanCategory, Sums> = BTreeMap::new();
    for c in cells.iter().filter(|c| !c.is_goal()) {
        let Some(category) = c.plan_category() else {
            continue;
        };
        let s = per_category.entry(category).or_default();
        s.planned += c.planned;
        s.spent += c.spent;
        if c.date < ctx.today {
            s.spent_before_today += c.spent;
        }
    }
    Ok(compute(ctx.today, &per_category))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_forecast_extrapolates_variable_spending_only() {
        // 10th of a 30-day month; food 300 planned, 150 spent (15/day); rent 1000 unpaid.
        let today = NaiveDate::from_ymd_opt(2026, 11, 10).unwrap();
        let mut m = BTreeMap::new();
        m.insert(
            PlanCategory::Food,
            Sums {
                planned: 30_000,
                spent: 15_000,
                spent_before_today: 14_000,
            },
        );
        m.insert(
            PlanCategory::Rent,
            Sums {
                planned: 100_000,
                spent: 0,
                spent_before_today: 0,
            },
        );
        let f = compute(today, &m);
        assert_eq!(
            (f.days_in_month, f.days_elapsed, f.days_remaining),
            (30, 10, 21)
        );
        assert_eq!(f.daily_pace.cents(), 1_500);
        assert_eq!(f.projected_spend.cents(), 15_000 + 1_500 * 20 + 100_000);
        assert_eq!(f.projected_month_end.cents(), 130_000 - 145_000);
        assert!(!f.on_track);
        assert_eq!(f.safe_daily_limit.cents(), (30_000 - 14_000) / 21);
        assert_eq!(f.categories_at_risk.len(), 1);
        assert_eq!(f.categories_at_risk[0].overage.cents(), 15_000);
    }

    #[test]
    fn an_empty_month_is_on_track() {
        let f = compute(
            NaiveDate::from_ymd_opt(2026, 2, 28).unwrap(),
            &BTreeMap::new(),
        );
        assert!(f.on_track);
        assert_eq!((f.days_remaining, f.safe_daily_limit.cents()), (1, 0));
    }
}
