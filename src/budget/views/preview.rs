//! Previews that are computed, never saved: `POST /api/calendar/shell` (a calendar from an
//! income, fixed expenses and category weights) and `POST /api/calendar/redistribute` (the
//! `balance` strategy over a calendar of `{total, limit}` days).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::calendar::{CalendarDay, shape};
use super::{PlanCell, check_month, money};
use crate::budget::allocation::{AllocationInput, BudgetPlan, SpendingHabits, allocate};
use crate::budget::category::{Kind, PlanCategory};
use crate::budget::split_proportional;
use crate::budget::store::month_rows_for;
use crate::error::{Code, Error, Result};
use crate::money::{Money, RoundedMoney};

mod balance;
mod weights;

pub use balance::{DayLimit, MAX_PREVIEW_DAYS, RedistributeRequest, Redistributed, redistribute};
pub use weights::parse_weight;

/// `POST /api/calendar/shell` body. Amounts may carry the noise of the client's double
/// arithmetic (`200.20000000000002`): they are rounded to the cent ([`RoundedMoney`]).
#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShellRequest {
    #[serde(default)]
    pub savings_target: RoundedMoney,
    /// Monthly income (> 0).
    pub income: RoundedMoney,
    /// `{category: amount}` over the fixed-expense keys of onboarding (rent, mortgage,
    /// utilities, internet, insurance, subscriptions, education, childcare, car_payment,
    /// loan_payment, debt_payments).
    #[serde(default)]
    pub fixed: BTreeMap<String, RoundedMoney>,
    /// `{category: weight}` over food, transportation, healthcare, entertainment, shopping,
    /// travel, other; a weight is a fraction (`0.15`) or a percent (`15`), number or text.
    /// Without weights the income tier's are used.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, f64>))]
    // f64-ok: the document's number type; the value is never a float here
    pub weights: BTreeMap<String, serde_json::Value>,
    pub year: Option<i32>,
    pub month: Option<u32>,
}

/// The shell preview.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Shell {
    pub year: i32,
    pub month: u32,
    /// Monthly amount per plan category (fixed expenses and weighted categories).
    pub allocations: BTreeMap<PlanCategory, Money>,
    /// The savings target that fits (it shrinks when income − fixed cannot hold it).
    pub savings_target: Money,
    /// Discretionary money the weights left unassigned.
    pub unallocated: Money,
    pub calendar: Vec<ShellDay>,
}

/// A day of the shell: a calendar day without `total` — the app reads a day's `total` as its
/// spending (api_service.dart `_transformCalendarData`), and nothing is spent in a preview.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct ShellDay {
    pub date: chrono::NaiveDate,
    pub day: u32,
    pub planned_budget: BTreeMap<PlanCategory, super::calendar::CategoryDay>,
    pub limit: Money,
    pub spent: Money,
    pub status: crate::budget::status::DayStatus,
}

impl From<CalendarDay> for ShellDay {
    fn from(d: CalendarDay) -> Self {
        ShellDay {
            date: d.date,
            day: d.day,
            planned_budget: d.planned_budget,
            limit: d.limit,
            spent: d.spent,
            status: d.status,
        }
    }
}

fn fixed_categories(
    fixed: &BTreeMap<String, RoundedMoney>,
) -> Result<BTreeMap<PlanCategory, Money>> {
    let mut out: BTreeMap<PlanCategory, Money> = BTreeMap::new();
    for (key, amount) in fixed {
        let Some(category) = PlanCategory::from_fixed_expense_key(key) else {
            return Err(Error::invalid(
                Code::Validation2009,
                "body.fixed",
                "category",
                PlanCategory::FIXED_EXPENSE_KEYS,
            ));
        };
        let total = out.entry(category).or_default();
        *total = total.checked_add(amount.0).ok_or_else(|| {
            Error::invalid(
                Code::Validation2006,
                "body.fixed",
                "range",
                "is out of range",
            )
        })?;
    }
    Ok(out)
}

fn weighted_categories(
    weights: &BTreeMap<String, serde_json::Value>,
) -> Result<Vec<(PlanCategory, i64)>> {
    let mut out = Vec::new();
    for (key, value) in weights {
        let category = key
            .parse::<PlanCategory>()
            .ok()
            .filter(|c| c.kind() != Kind::Sacred);
        let Some(category) = category else {
            return Err(Error::invalid(
                Code::Validation2009,
                "body.weights",
                "category",
                "keys must be one of food, transportation, healthcare, entertainment, shopping, travel, other",
            ));
        };
        let text = match value {
            serde_json::Value::Number(n) => n.to_string(),
            serde_json::Value::String(s) => s.clone(),
            _ => {
                return Err(Error::invalid(
                    Code::Validation2003,
                    "body.weights",
                    "type",
                    "weights must be numbers",
                ));
            }
        };
        let bp = parse_weight(&text).ok_or_else(|| {
            Error::invalid(
                Code::Validation2003,
                "body.weights",
                "range",
                "a weight is a fraction 0–1 or a percent 0–100",
            )
        })?;
        out.push((category, bp));
    }
    if out.iter().map(|(_, bp)| bp).sum::<i64>() > 10_000 {
        return Err(Error::invalid(
            Code::Validation2003,
            "body.weights",
            "range",
            "weights must not add up to more than 100 %",
        ));
    }
    Ok(out)
}

/// Computes the shell preview. Without weights the onboarding allocation (income tier) is used;
/// with weights each category gets `income × weight` (floor to the cent), scaled down
/// proportionally (largest remainder) when they exceed `income − fixed − savings`.
pub fn shell(req: &ShellRequest, default_month: (i32, u32)) -> Result<Shell> {
    let (year, month) = check_month(
        req.year.unwrap_or(default_month.0),
        req.month.unwrap_or(default_month.1),
    )?;
    let fixed = fixed_categories(&req.fixed)?;
    let weights = weighted_categories(&req.weights)?;
    let (income, savings_target) = (req.income.0, req.savings_target.0);
    if income.cents() <= 0 {
        return Err(Error::invalid(
            Code::Validation2006,
            "body.income",
            "range",
            "must be greater than 0",
        ));
    }
    if savings_target.is_negative() || fixed.values().any(|m| m.is_negative()) {
        return Err(Error::invalid(
            Code::Validation2006,
            "body",
            "range",
            "amounts must not be negative",
        ));
    }
    // `allocate` checks fixed ≤ income (BUSINESS_4001).
    let mut plan = allocate(&AllocationInput {
        monthly_income: income,
        additional_income: Money::ZERO,
        fixed_expenses: fixed.clone(),
        habits: SpendingHabits::default(),
        savings_goal: savings_target,
    })?;
    if !weights.is_empty() {
        plan = weighted_plan(&plan, &fixed, &weights);
    }
    let cells: Vec<PlanCell> = month_rows_for(&plan, &SpendingHabits::default(), year, month)
        .into_iter()
        .map(|(date, category, planned)| PlanCell {
            date,
            category: category.as_str().into(),
            planned,
            spent: 0,
        })
        .collect();
    Ok(Shell {
        year,
        month,
        allocations: plan.allocations.clone(),
        savings_target: plan.savings_goal,
        unallocated: plan.unallocated,
        calendar: shape(year, month, &cells)
            .calendar
            .into_iter()
            .map(ShellDay::from)
            .collect(),
    })
}

/// Replaces the variable part of `base` (already checked) with the weighted allocation.
fn weighted_plan(
    base: &BudgetPlan,
    fixed: &BTreeMap<PlanCategory, Money>,
    weights: &[(PlanCategory, i64)],
) -> BudgetPlan {
    let income = base.total_income.cents();
    let discretionary = base.discretionary_total.cents();
    let amounts: Vec<i64> = weights
        .iter()
        .map(|(_, bp)| {
            i64::try_from(i128::from(income) * i128::from(*bp) / 10_000).unwrap_or(i64::MAX)
        })
        .collect();
    let amounts = if amounts.iter().sum::<i64>() > discretionary {
        split_proportional(discretionary, &amounts)
    } else {
        amounts
    };
    let mut allocations: BTreeMap<PlanCategory, Money> = fixed
        .iter()
        .filter(|(_, m)| m.cents() > 0)
        .map(|(c, m)| (*c, *m))
        .collect();
    for ((category, _), amount) in weights.iter().zip(&amounts) {
        if *amount > 0 {
            allocations.insert(*category, money(*amount));
        }
    }
    BudgetPlan {
        allocations,
        unallocated: money(discretionary - amounts.iter().sum::<i64>()),
        ..base.clone()
    }
}

#[cfg(test)]
mod tests;
