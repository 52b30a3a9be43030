//! Goals and the month's budget: how the money the plan leaves is allocated to goals, how the
//! month's reservations and contributions stand, and what to adjust when they do not fit. Pure
//! functions of [`Facts`] plus the month's per-goal sums (formulas in docs/goals.md).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::facts::{Advice, Facts};
use super::math::{after_months, months_to_reach};
use crate::budget::store::month_bounds;
use crate::db::Db;
use crate::error::Result;
use crate::fixed::Fixed;
use crate::id::Id;
use crate::money::Money;
use crate::on_db;

/// One goal's share of the month.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GoalAllocation {
    pub goal_id: Id,
    pub title: String,
    pub priority: String,
    pub target_date: Option<String>,
    /// What the goal asks of the month (required monthly, or its monthly contribution).
    pub required_monthly: Money,
    pub allocated: Money,
    pub fully_funded: bool,
    /// allocated ÷ available, percent.
    pub share: Fixed,
}

/// `GET /api/goals/budget/allocate`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Allocation {
    pub year: i32,
    pub month: u32,
    pub monthly_income: Money,
    pub available_for_goals: Money,
    pub total_required: Money,
    pub total_allocated: Money,
    pub unallocated: Money,
    pub allocations: Vec<GoalAllocation>,
}

/// Allocates the money available for goals to the active goals, most important first, each up
/// to what it asks.
pub fn allocate(f: &Facts) -> Allocation {
    let available = f.available_for_goals();
    let mut left = available;
    let mut allocations = Vec::new();
    let mut total_required = 0;
    for g in f.active() {
        let need = f.need(g);
        let given = need.min(left).max(0);
        left -= given;
        total_required += need;
        allocations.push(GoalAllocation {
            goal_id: g.id,
            title: g.title.clone(),
            priority: g.priority.clone(),
            target_date: g.target_date.map(|d| d.to_string()),
            required_monthly: Money::from_cents(need),
            allocated: Money::from_cents(given),
            fully_funded: given >= need,
            share: Fixed::percent(given, available),
        });
    }
    Allocation {
        year: f.year,
        month: f.month,
        monthly_income: Money::from_cents(f.income),
        available_for_goals: Money::from_cents(available),
        total_required: Money::from_cents(total_required),
        total_allocated: Money::from_cents(available - left),
        unallocated: Money::from_cents(left),
        allocations,
    }
}

/// What to change when the goals do not fit the month (or when money is left over).
pub fn adjustment_suggestions(f: &Facts) -> Vec<Advice> {
    let a = allocate(f);
    let reference = f.reference_day();
    let mut out = Vec::new();
    for (g, alloc) in f.active().zip(&a.allocations) {
        if alloc.fully_funded {
            continue;
        }
        let given = alloc.allocated.cents();
        if given > 0 {
            let months = months_to_reach(g.remaining_cents(), given).unwrap_or(1);
            let msg = format!(
                "Your budget funds '{}' with {} a month: move its date",
                g.title, alloc.allocated
            );
            let mut s = Advice::new("extend_target_date", "medium", msg).goal(g);
            s.suggested_monthly = Some(alloc.allocated);
            s.suggested_target_date = Some(after_months(reference, months).to_string());
            out.push(s);
        } else {
            let msg = format!(
                "No money is left for '{}' this month: pause it or lower another goal",
                g.title
            );
            out.push(Advice::new("pause_goal", "low", msg).goal(g));
        }
    }
    let mut shortfall = a.total_required.cents() - a.available_for_goals.cents();
    let mut flexible: Vec<_> = Facts::flexible_categories()
        .into_iter()
        .map(|c| (c, f.plan.get(&c).map(|s| s.planned_month).unwrap_or(0)))
        .collect();
    flexible.sort_by_key(|c| std::cmp::Reverse(c.1));
    for (category, planned) in flexible {
        if shortfall <= 0 {
            break;
        }
        let cut = (planned / 4).min(shortfall);
        if cut > 0 {
            let msg = format!(
                "Plan {} less for {category} to fund your goals",
                Money::from_cents(cut)
            );
            let mut s = Advice::new("reduce_category", "medium", msg).amount(cut);
            s.category = Some(category);
            out.push(s);
            shortfall -= cut;
        }
    }
    if let Some(top) = f.active().next().filter(|_| a.unallocated.cents() > 0) {
        let msg = format!(
            "{} is left after your goals: put it towards '{}'",
            a.unallocated, top.title
        );
        out.push(
            Advice::new("increase_contribution", "low", msg)
                .goal(top)
                .amount(a.unallocated.cents()),
        );
    }
    out
}

/// One goal in the month's budget.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GoalProgress {
    pub goal_id: Id,
    pub title: String,
    pub status: String,
    /// Σ of the goal's plan reservations in the month.
    pub reserved: Money,
    /// The part of `reserved` dated up to today.
    pub reserved_to_date: Money,
    /// Σ of the month's transactions carrying the goal's id (auto transfers among them).
    pub contributed: Money,
    pub on_track: bool,
    pub saved_amount: Money,
    pub target_amount: Money,
    pub progress: Fixed,
}

/// `GET /api/goals/budget/progress`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BudgetProgress {
    pub year: i32,
    pub month: u32,
    pub total_reserved: Money,
    pub total_contributed: Money,
    pub goals_on_track: i64,
    pub goals: Vec<GoalProgress>,
}

/// Per goal: (reserved in the month, reserved up to today, contributed in the month).
pub type MonthSums = BTreeMap<Id, (i64, i64, i64)>;

/// The month's reservations and contributions per goal. 2 queries.
pub async fn month_sums(db: &Db, user: Id, f: &Facts) -> Result<MonthSums> {
    let first = NaiveDate::from_ymd_opt(f.year, f.month, 1).unwrap_or(f.today);
    let (first, last) = month_bounds(first);
    let reserved: Vec<(Id, i64, i64)> = on_db!(db, pool => sqlx::query_as(
        "SELECT goal_id, CAST(COALESCE(SUM(planned_cents), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN date <= $4 THEN planned_cents ELSE 0 END), 0) AS BIGINT) \
         FROM daily_plan WHERE user_id = $1 AND goal_id IS NOT NULL AND date >= $2 AND date <= $3 GROUP BY goal_id")
        .bind(user).bind(first).bind(last).bind(f.today).fetch_all(pool).await)?;
    let contributed: Vec<(Id, i64)> = on_db!(db, pool => sqlx::query_as(
        "SELECT goal_id, CAST(COALESCE(SUM(amount_cents), 0) AS BIGINT) FROM transactions \
         WHERE user_id = $1 AND goal_id IS NOT NULL AND deleted_at IS NULL AND local_date >= $2 AND local_date <= $3 \
         GROUP BY goal_id")
        .bind(user).bind(first).bind(last).fetch_all(pool).await)?;
    let mut sums = MonthSums::new();
    for (goal, month, to_date) in reserved {
        let e = sums.entry(goal).or_default();
        e.0 = month;
        e.1 = to_date;
    }
    for (goal, amount) in contributed {
        sums.entry(goal).or_default().2 = amount;
    }
    Ok(sums)
}

/// The month's progress of the live goals.
pub fn progress(f: &Facts, sums: &MonthSums) -> BudgetProgress {
    let mut goals = Vec::new();
    for g in &f.goals {
        let (reserved, to_date, contributed) = sums.get(&g.id).copied().unwrap_or_default();
        goals.push(GoalProgress {
            goal_id: g.id,
            title: g.title.clone(),
            status: g.status.clone(),
            reserved: Money::from_cents(reserved),
            reserved_to_date: Money::from_cents(to_date),
            contributed: Money::from_cents(contributed),
            on_track: g.status == "completed" || contributed >= to_date,
            saved_amount: Money::from_cents(g.saved_amount_cents),
            target_amount: Money::from_cents(g.target_amount_cents),
            progress: g.progress(),
        });
    }
    BudgetProgress {
        year: f.year,
        month: f.month,
        total_reserved: Money::from_cents(goals.iter().map(|g| g.reserved.cents()).sum()),
        total_contributed: Money::from_cents(goals.iter().map(|g| g.contributed.cents()).sum()),
        goals_on_track: i64::try_from(goals.iter().filter(|g| g.on_track).count()).unwrap_or(0),
        goals,
    }
}
