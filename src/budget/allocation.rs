//! Onboarding: income → monthly allocation per plan category (BUDGET.md §2).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::category::PlanCategory;
use super::split_proportional;
use crate::error::{Code, Error, FieldError, Result};
use crate::money::Money;

/// Extra food weight per dining-out per month, and per coffee per week (basis points).
const DINING_BP: i64 = 15;
const COFFEE_BP: i64 = 5;

#[derive(Debug, Deserialize)]
struct TierFile {
    tier: Vec<Tier>,
}

/// One income tier's base weights (basis points of monthly income).
#[derive(Clone, Debug, Deserialize)]
pub struct Tier {
    pub name: String,
    /// Upper bound of annual income (whole currency units, inclusive); none for the top tier.
    pub max_annual: Option<i64>,
    pub food: i64,
    pub transportation: i64,
    pub entertainment: i64,
    pub shopping: i64,
    pub healthcare: i64,
    pub travel: i64,
    pub other: i64,
}

fn tiers() -> &'static [Tier] {
    static TIERS: OnceLock<Vec<Tier>> = OnceLock::new();
    TIERS.get_or_init(|| {
        // The file is part of the binary and covered by tests; a broken edit fails them.
        toml::from_str::<TierFile>(include_str!("tiers.toml"))
            .map(|f| f.tier)
            .unwrap_or_default()
    })
}

/// The tier of an annual income in cents.
pub fn tier_for(annual_cents: i64) -> Option<&'static Tier> {
    tiers()
        .iter()
        .find(|t| t.max_annual.is_none_or(|max| annual_cents <= max * 100))
}

/// The tier of an annual income in cents with its bounds in annual cents: above `low`
/// (exclusive), up to `high` (inclusive; none for the top tier).
pub fn tier_bounds(annual_cents: i64) -> Option<(&'static Tier, i64, Option<i64>)> {
    let all = tiers();
    let i = all
        .iter()
        .position(|t| t.max_annual.is_none_or(|max| annual_cents <= max * 100))?;
    let low = if i == 0 {
        -1
    } else {
        all[i - 1].max_annual.map_or(-1, |m| m * 100)
    };
    Some((&all[i], low, all[i].max_annual.map(|m| m * 100)))
}

/// Spending habits from the onboarding questions (counts).
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct SpendingHabits {
    pub dining_out_per_month: u32,
    pub coffee_per_week: u32,
    pub transport_per_month: u32,
    pub entertainment_per_month: u32,
    pub clothing_per_month: u32,
    pub travel_per_year: u32,
}

/// Everything the allocation needs.
#[derive(Clone, Debug)]
pub struct AllocationInput {
    pub monthly_income: Money,
    pub additional_income: Money,
    pub fixed_expenses: BTreeMap<PlanCategory, Money>,
    pub habits: SpendingHabits,
    pub savings_goal: Money,
}

/// The monthly plan (`budget_plan` of the onboarding answer). Amounts in cents.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct BudgetPlan {
    pub total_income: Money,
    pub fixed_expenses_total: Money,
    pub savings_goal: Money,
    pub discretionary_total: Money,
    /// Every planned category: fixed expenses and the variable categories.
    pub allocations: BTreeMap<PlanCategory, Money>,
    pub income_tier: String,
    pub unallocated: Money,
}

fn money_error(field: &str, message: &str) -> Error {
    Error::Validation {
        code: Code::Validation2006,
        message: "Request validation failed".into(),
        fields: vec![FieldError::new(field, "range", message)],
    }
}

/// Computes the allocation. Fixed-expense keys must be sacred plan categories; fixed expenses
/// above the income are a business error (`BUSINESS_4001`).
pub fn allocate(input: &AllocationInput) -> Result<BudgetPlan> {
    if input.monthly_income.cents() <= 0 {
        return Err(money_error(
            "body.income.monthly_income",
            "must be greater than 0",
        ));
    }
    if input.additional_income.is_negative() {
        return Err(money_error(
            "body.income.additional_income",
            "must not be negative",
        ));
    }
    if input.savings_goal.is_negative() {
        return Err(money_error(
            "body.goals.savings_goal_amount_per_month",
            "must not be negative",
        ));
    }
    for (category, amount) in &input.fixed_expenses {
        if !category.is_sacred() || *category == PlanCategory::GoalSavings {
            return Err(Error::invalid(
                Code::Validation2009,
                &format!("body.fixed_expenses.{category}"),
                "category",
                PlanCategory::FIXED_EXPENSE_KEYS,
            ));
        }
        if amount.is_negative() {
            return Err(money_error(
                &format!("body.fixed_expenses.{category}"),
                "must not be negative",
            ));
        }
    }
    let income = input.monthly_income.cents() + input.additional_income.cents();
    let fixed_total: i64 = input.fixed_expenses.values().map(|m| m.cents()).sum();
    if fixed_total > income {
        return Err(Error::Business {
            code: Code::Business4001,
            message: "Fixed expenses are larger than the income".into(),
        });
    }
    let mut savings = input.savings_goal.cents();
    let mut discretionary = income - fixed_total - savings;
    if discretionary < 0 {
        savings = (income - fixed_total).max(0);
        discretionary = 0;
    }
    let annual = income.saturating_mul(12);
    let tier =
        tier_for(annual).ok_or_else(|| Error::Internal("income tier table is empty".into()))?;
    let h = &input.habits;
    let food_bp = tier.food
        + i64::from(h.dining_out_per_month.min(30)) * DINING_BP
        + i64::from(h.coffee_per_week.min(21)) * COFFEE_BP;
    let travel_bp = if h.travel_per_year > 0 {
        tier.travel
    } else {
        0
    };
    let variable = [
        (PlanCategory::Food, food_bp),
        (PlanCategory::Transportation, tier.transportation),
        (PlanCategory::Healthcare, tier.healthcare),
        (PlanCategory::Entertainment, tier.entertainment),
        (PlanCategory::Shopping, tier.shopping),
        (PlanCategory::Travel, travel_bp),
        (PlanCategory::Other, tier.other),
    ];
    // Base = weight × income, rounded down to the cent.
    let base: Vec<i64> = variable
        .iter()
        .map(|(_, bp)| {
            i64::try_from(i128::from(income) * i128::from(*bp) / 10_000).unwrap_or(i64::MAX)
        })
        .collect();
    let base_total: i64 = base.iter().sum();
    // Never scale up; scale down proportionally (largest remainder) when the base is too big.
    let amounts = if base_total > discretionary {
        split_proportional(discretionary, &base)
    } else {
        base
    };
    let variable_total: i64 = amounts.iter().sum();
    let mut allocations: BTreeMap<PlanCategory, Money> = input
        .fixed_expenses
        .iter()
        .filter(|(_, m)| m.cents() > 0)
        .map(|(c, m)| (*c, *m))
        .collect();
    for ((category, _), amount) in variable.iter().zip(amounts) {
        if amount > 0 {
            allocations.insert(*category, Money::from_cents(amount));
        }
    }
    Ok(BudgetPlan {
        total_income: Money::from_cents(income),
        fixed_expenses_total: Money::from_cents(fixed_total),
        savings_goal: Money::from_cents(savings),
        discretionary_total: Money::from_cents(discretionary),
        allocations,
        income_tier: tier.name.clone(),
        unallocated: Money::from_cents(discretionary - variable_total),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(income: i64, fixed: &[(PlanCategory, i64)], savings: i64) -> AllocationInput {
        AllocationInput {
            monthly_income: Money::from_cents(income),
            additional_income: Money::ZERO,
            fixed_expenses: fixed
                .iter()
                .map(|(c, a)| (*c, Money::from_cents(*a)))
                .collect(),
            habits: SpendingHabits::default(),
            savings_goal: Money::from_cents(savings),
        }
    }

    #[test]
    fn the_tier_table_loads_and_covers_every_income() {
        assert_eq!(tiers().len(), 5);
        assert_eq!(tier_for(3_600_000).unwrap().name, "low");
        assert_eq!(tier_for(3_600_001).unwrap().name, "lower_middle");
        assert_eq!(tier_for(i64::MAX).unwrap().name, "high");
    }

    #[test]
    fn the_worked_case_allocates_within_the_discretionary_budget() {
        let plan = allocate(&input(
            600_000,
            &[
                (PlanCategory::Rent, 150_000),
                (PlanCategory::Utilities, 20_000),
            ],
            40_000,
        ))
        .unwrap();
        assert_eq!(plan.fixed_expenses_total.cents(), 170_000);
        assert_eq!(plan.discretionary_total.cents(), 390_000);
        assert_eq!(plan.income_tier, "middle");
        let variable: i64 = plan
            .allocations
            .iter()
            .filter(|(c, _)| !c.is_sacred())
            .map(|(_, m)| m.cents())
            .sum();
        assert_eq!(
            variable + plan.unallocated.cents(),
            plan.discretionary_total.cents()
        );
        assert_eq!(
            plan.allocations[&PlanCategory::Food].cents(),
            72_000,
            "12 % of 6000"
        );
        assert!(
            !plan.allocations.contains_key(&PlanCategory::Travel),
            "no travel habit, no travel budget"
        );
    }

    #[test]
    fn a_tight_budget_scales_down_exactly_and_savings_shrink_first() {
        let plan = allocate(&input(300_000, &[(PlanCategory::Rent, 250_000)], 100_000)).unwrap();
        assert_eq!(
            plan.savings_goal.cents(),
            50_000,
            "savings shrink to what fits"
        );
        assert_eq!(plan.discretionary_total.cents(), 0);
        assert_eq!(plan.unallocated.cents(), 0);
        let plan = allocate(&input(300_000, &[(PlanCategory::Rent, 200_000)], 0)).unwrap();
        let variable: i64 = plan
            .allocations
            .iter()
            .filter(|(c, _)| !c.is_sacred())
            .map(|(_, m)| m.cents())
            .sum();
        assert_eq!(
            variable, 100_000,
            "scaled down to exactly the discretionary budget"
        );
    }

    #[test]
    fn fixed_expenses_above_income_and_non_sacred_keys_are_refused() {
        let err = allocate(&input(100_000, &[(PlanCategory::Rent, 100_001)], 0)).unwrap_err();
        assert!(matches!(
            err,
            Error::Business {
                code: Code::Business4001,
                ..
            }
        ));
        let err = allocate(&input(100_000, &[(PlanCategory::Food, 1)], 0)).unwrap_err();
        assert!(matches!(err, Error::Validation { .. }));
    }

    use proptest::prelude::*;

    proptest! {
        /// P1: for random incomes, fixed expenses, savings and habits, every category's days
        /// sum exactly to its monthly allocation, in months of 28 to 31 days, and the variable
        /// allocations never exceed the discretionary budget.
        #[test]
        fn p1_days_sum_to_the_allocation(
            income in 1i64..5_000_000,
            rent in 0i64..3_000_000,
            utilities in 0i64..100_000,
            savings in 0i64..2_000_000,
            dining in 0u32..40,
            coffee in 0u32..30,
            ent in 0u32..40,
            clothes in 0u32..40,
            travel in 0u32..6,
            month in 1u32..=12,
            year in 2024i32..2030,
        ) {
            let mut inp = input(income, &[(PlanCategory::Rent, rent), (PlanCategory::Utilities, utilities)], savings);
            inp.habits = SpendingHabits {
                dining_out_per_month: dining,
                coffee_per_week: coffee,
                entertainment_per_month: ent,
                clothing_per_month: clothes,
                travel_per_year: travel,
                ..SpendingHabits::default()
            };
            let Ok(plan) = allocate(&inp) else {
                prop_assert!(rent + utilities > income, "only fixed > income is refused");
                return Ok(());
            };
            let variable: i64 = plan.allocations.iter().filter(|(c, _)| !c.is_sacred()).map(|(_, m)| m.cents()).sum();
            prop_assert!(variable <= plan.discretionary_total.cents());
            prop_assert_eq!(variable + plan.unallocated.cents(), plan.discretionary_total.cents());
            let rows = super::super::store::month_rows_for(&plan, &inp.habits, year, month);
            for (category, amount) in &plan.allocations {
                let sum: i64 = rows.iter().filter(|r| r.1 == *category).map(|r| r.2).sum();
                prop_assert_eq!(sum, amount.cents(), "{}", category);
            }
            prop_assert!(rows.iter().all(|r| r.2 >= 0));
        }
    }
}
