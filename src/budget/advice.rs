//! Budget advice read from the user's plan and spending (docs/budget-automation.md):
//! suggestions for a month, a behavioral split of an amount, income-based recommendations and
//! the month's plan in figures. Nothing here writes.

use std::collections::BTreeMap;

use chrono::Duration;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::adapt::{self, Projection, Row};
use super::allocation::{AllocationInput, SpendingHabits, allocate};
use super::category::{PlanCategory, TxCategory};
use super::days::days_in_month;
use super::split_proportional;
use super::views::{Ctx, month_range};
use crate::db::Db;
use crate::error::{Code, Error, Result};
use crate::fixed::Fixed;
use crate::money::Money;
use crate::on_db;

/// One suggestion.
#[derive(Clone, Debug, Serialize)]
pub struct Suggestion {
    pub id: usize,
    /// `reduce` (heading over plan) or `reallocate` (heading under plan).
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub category: PlanCategory,
    pub message: String,
    pub text: String,
    pub potential_savings: Money,
    /// easy (< 50.00), moderate (< 200.00), hard.
    pub difficulty: &'static str,
}

/// The suggestions answer.
#[derive(Clone, Debug, Serialize)]
pub struct Suggestions {
    pub year: i32,
    pub month: u32,
    pub suggestions: Vec<Suggestion>,
    pub intelligent_insights: Vec<Suggestion>,
    pub total_count: usize,
    pub total_potential_savings: Money,
    /// The three categories with the most spent.
    pub priority_areas: Vec<PlanCategory>,
    /// Days elapsed ÷ days in the month (0–1): how much of the month the projection rests on.
    pub confidence: Fixed,
    pub category_insights: Vec<CategoryInsight>,
    /// The user's `smart_suggestions` switch: off, the lists are empty (the projections stay).
    pub smart_suggestions: bool,
}

/// A variable category's month.
#[derive(Clone, Debug, Serialize)]
pub struct CategoryInsight {
    pub category: PlanCategory,
    #[serde(flatten)]
    pub projection: Projection,
}

const ROWS: &str = "SELECT id, date, category, planned_cents, spent_cents FROM daily_plan \
    WHERE user_id = $1 AND date >= $2 AND date <= $3 AND goal_id IS NULL AND installment_id IS NULL";

fn difficulty(cents: i64) -> &'static str {
    if cents < 5_000 {
        "easy"
    } else if cents < 20_000 {
        "moderate"
    } else {
        "hard"
    }
}

/// `GET /api/budget/suggestions`. 2 queries (the switches, the month's rows).
pub async fn suggestions(db: &Db, ctx: &Ctx, year: i32, month: u32) -> Result<Suggestions> {
    let (first, last) = month_range(year, month)?;
    let enabled = super::automation::settings(db, ctx.user.id)
        .await?
        .settings
        .smart_suggestions;
    let rows: Vec<Row> = on_db!(db, pool => sqlx::query_as(ROWS).bind(ctx.user.id).bind(first).bind(last)
        .fetch_all(pool).await)?;
    let days = i64::from(days_in_month(year, month));
    let elapsed = adapt::elapsed(year, month, ctx.today);
    let proj = adapt::projections(&rows, days, elapsed);
    let mut list = Vec::new();
    for (cat, (planned, _spent, projected)) in &proj {
        let (kind, amount, text) = if projected > planned {
            let over = projected - planned;
            (
                "reduce",
                over,
                format!(
                    "At this pace {cat} will end the month {} over its plan of {}: spending {} less per day keeps it on plan.",
                    Money::from_cents(over),
                    Money::from_cents(*planned),
                    Money::from_cents(if days - elapsed > 0 {
                        over / (days - elapsed)
                    } else {
                        over
                    })
                ),
            )
        } else if planned - projected >= (planned / 10).max(100) && elapsed > 0 {
            let under = planned - projected;
            (
                "reallocate",
                under,
                format!(
                    "{cat} is heading {} under its plan of {}: that money could go to savings or a goal.",
                    Money::from_cents(under),
                    Money::from_cents(*planned)
                ),
            )
        } else {
            continue;
        };
        list.push(Suggestion {
            id: 0,
            kind,
            category: *cat,
            message: text.clone(),
            text,
            potential_savings: Money::from_cents(amount),
            difficulty: difficulty(amount),
        });
    }
    // Categories heading over their plan first, then the largest amounts.
    list.sort_by(|a, b| {
        (a.kind != "reduce", -a.potential_savings.cents())
            .cmp(&(b.kind != "reduce", -b.potential_savings.cents()))
            .then(a.category.cmp(&b.category))
    });
    if !enabled {
        list.clear();
    }
    for (i, s) in list.iter_mut().enumerate() {
        s.id = i + 1;
    }
    let mut by_spent: Vec<(PlanCategory, i64)> = proj.iter().map(|(c, p)| (*c, p.1)).collect();
    by_spent.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    Ok(Suggestions {
        year,
        month,
        total_count: list.len(),
        total_potential_savings: Money::from_cents(
            list.iter().map(|s| s.potential_savings.cents()).sum(),
        ),
        intelligent_insights: list.clone(),
        suggestions: list,
        priority_areas: by_spent
            .into_iter()
            .filter(|(_, s)| *s > 0)
            .take(3)
            .map(|(c, _)| c)
            .collect(),
        confidence: Fixed::ratio(elapsed, days, 2),
        category_insights: proj
            .into_iter()
            .map(|(category, p)| CategoryInsight {
                category,
                projection: adapt::projection(p),
            })
            .collect(),
        smart_suggestions: enabled,
    })
}

/// The plan allocation of `income` with no fixed expense nor savings goal (the engine's tier
/// weights; BUDGET.md §2).
fn base_allocation(income: Money) -> Result<super::allocation::BudgetPlan> {
    allocate(&AllocationInput {
        monthly_income: income,
        additional_income: Money::from_cents(0),
        fixed_expenses: BTreeMap::new(),
        habits: SpendingHabits::default(),
        savings_goal: Money::from_cents(0),
    })
}

fn positive(value: Option<Money>, field: &str) -> Result<Money> {
    value.filter(|m| m.cents() > 0).ok_or_else(|| {
        Error::invalid(
            Code::Validation2006,
            field,
            "range",
            "must be an amount greater than 0",
        )
    })
}

/// Body of `POST /api/budget/income_based_recommendations`.
#[derive(Clone, Debug, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IncomeInput {
    pub monthly_income: Option<Money>,
}

/// The recommendations answer.
#[derive(Clone, Debug, Serialize)]
pub struct Recommendations {
    pub monthly_income: Money,
    pub tier: String,
    pub income_tier: String,
    /// Each category's share by the tier's weights, and `savings`: what the weights leave.
    pub allocations: BTreeMap<String, Money>,
    pub total_allocated: Money,
    pub recommended_savings: Money,
    /// recommended_savings ÷ income, percent.
    pub savings_rate: Fixed,
}

/// `POST /api/budget/income_based_recommendations`. No query.
pub fn recommendations(input: &IncomeInput) -> Result<Recommendations> {
    let income = positive(input.monthly_income, "body.monthly_income")?;
    let plan = base_allocation(income)?;
    let mut allocations: BTreeMap<String, Money> = plan
        .allocations
        .iter()
        .filter(|(_, m)| m.cents() > 0)
        .map(|(c, m)| (c.as_str().to_string(), *m))
        .collect();
    let allocated: i64 = allocations.values().map(|m| m.cents()).sum();
    let savings = income.cents() - allocated;
    allocations.insert("savings".into(), Money::from_cents(savings));
    Ok(Recommendations {
        monthly_income: income,
        tier: plan.income_tier.clone(),
        income_tier: plan.income_tier,
        allocations,
        total_allocated: Money::from_cents(allocated),
        recommended_savings: Money::from_cents(savings),
        savings_rate: Fixed::percent(savings, income.cents()),
    })
}

/// Body of `POST /api/budget/behavioral_allocation`.
#[derive(Clone, Debug, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BehavioralInput {
    /// Default: the caller's monthly income.
    pub total_amount: Option<Money>,
    /// The app's `{income_tier}`; accepted, the tier comes from the amount.
    pub profile: Option<Value>,
}

/// One category of the behavioral split.
#[derive(Clone, Debug, Serialize)]
pub struct Share {
    pub amount: Money,
    pub base_amount: Money,
    /// 0–100: how much the user's own history weighs (10 per transaction, at most 100).
    pub confidence: i64,
    /// Percent of the user's variable spending over the lookback.
    pub observed_share: Fixed,
    pub transactions: i64,
}

/// The behavioral answer.
#[derive(Clone, Debug, Serialize)]
pub struct Behavioral {
    pub total_amount: Money,
    pub method: &'static str,
    pub income_tier: String,
    pub lookback_days: i64,
    /// Σ of the amounts: the variable part of the engine's allocation of total_amount.
    pub variable_total: Money,
    pub unallocated: Money,
    pub allocations: BTreeMap<PlanCategory, Share>,
    /// Average of the categories' confidence.
    pub confidence: i64,
    /// The user's `behavioral_learning` switch: off, the history weighs nothing (every
    /// confidence 0, `method: "base"`).
    pub behavioral_learning: bool,
}

/// Days of spending the behavioral split reads.
pub const LOOKBACK_DAYS: i64 = 90;

/// `POST /api/budget/behavioral_allocation`. 2 queries (the switches, the lookback's spends).
pub async fn behavioral(db: &Db, ctx: &Ctx, input: &BehavioralInput) -> Result<Behavioral> {
    if input
        .profile
        .as_ref()
        .is_some_and(|p| !p.is_object() && !p.is_null())
    {
        return Err(Error::invalid(
            Code::Validation2001,
            "body.profile",
            "type",
            "must be an object",
        ));
    }
    let fallback = (ctx.monthly_income() > 0).then(|| Money::from_cents(ctx.monthly_income()));
    let total = positive(input.total_amount.or(fallback), "body.total_amount")?;
    let plan = base_allocation(total)?;
    let learning = super::automation::settings(db, ctx.user.id)
        .await?
        .settings
        .behavioral_learning;
    let spends: Vec<(String, i64, i64)> = on_db!(db, pool => sqlx::query_as(
        "SELECT category, CAST(SUM(amount_cents) AS BIGINT), CAST(COUNT(*) AS BIGINT) FROM transactions \
         WHERE user_id = $1 AND deleted_at IS NULL AND local_date >= $2 AND local_date < $3 GROUP BY category")
        .bind(ctx.user.id).bind(ctx.today - Duration::days(LOOKBACK_DAYS)).bind(ctx.today)
        .fetch_all(pool).await)?;
    let mut observed: BTreeMap<PlanCategory, (i64, i64)> = BTreeMap::new();
    for (cat, cents, n) in spends {
        if let Ok(tx) = cat.parse::<TxCategory>() {
            let e = observed.entry(tx.plan()).or_default();
            e.0 += cents;
            e.1 += n;
        }
    }
    let cats = PlanCategory::DONOR_ORDER;
    let base: Vec<i64> = cats
        .iter()
        .map(|c| plan.allocations.get(c).map_or(0, |m| m.cents()))
        .collect();
    let variable: i64 = base.iter().sum();
    let spent_total: i64 = cats
        .iter()
        .map(|c| observed.get(c).map_or(0, |o| o.0))
        .sum();
    let base_total = variable.max(1);
    const PPM: i64 = 1_000_000;
    let mut weights = Vec::new();
    let mut confidences = Vec::new();
    for (i, c) in cats.iter().enumerate() {
        let (spent, n) = observed.get(c).copied().unwrap_or((0, 0));
        let conf = if learning && spent_total > 0 {
            (n * 10).min(100)
        } else {
            0
        };
        let base_ppm = super::views::ratio(base[i], PPM, base_total);
        let seen_ppm = super::views::ratio(spent, PPM, spent_total.max(1));
        weights.push(base_ppm * (100 - conf) + seen_ppm * conf);
        confidences.push((conf, spent, n));
    }
    let amounts = split_proportional(variable, &weights);
    let mut allocations = BTreeMap::new();
    for (i, c) in cats.iter().enumerate() {
        let (conf, spent, n) = confidences[i];
        if amounts[i] == 0 && base[i] == 0 && spent == 0 {
            continue;
        }
        allocations.insert(
            *c,
            Share {
                amount: Money::from_cents(amounts[i]),
                base_amount: Money::from_cents(base[i]),
                confidence: conf,
                observed_share: Fixed::percent(spent, spent_total),
                transactions: n,
            },
        );
    }
    let confidence = if allocations.is_empty() {
        0
    } else {
        allocations.values().map(|s| s.confidence).sum::<i64>()
            / i64::try_from(allocations.len()).unwrap_or(1)
    };
    Ok(Behavioral {
        total_amount: total,
        method: if learning { "behavioral" } else { "base" },
        income_tier: plan.income_tier,
        lookback_days: LOOKBACK_DAYS,
        variable_total: Money::from_cents(variable),
        unallocated: Money::from_cents(total.cents() - variable),
        allocations,
        confidence,
        behavioral_learning: learning,
    })
}

/// Body of `POST /api/budget/monthly`.
#[derive(Clone, Debug, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MonthlyInput {
    pub year: Option<i32>,
    pub month: Option<u32>,
    /// Accepted and never applied: the plan changes through onboarding and spends.
    pub user_answers: Option<Value>,
}

/// The month's plan in figures.
#[derive(Clone, Debug, Serialize)]
pub struct Monthly {
    pub year: i32,
    pub month: u32,
    pub total_income: Money,
    /// Σ planned without goal reservations.
    pub total_budget: Money,
    pub allocated: Money,
    /// Σ planned of goal reservations.
    pub saved: Money,
    pub spent: Money,
    pub remaining: Money,
    /// income − total_budget − saved (may be negative).
    pub unallocated: Money,
    pub categories: BTreeMap<String, Money>,
    pub spent_by_category: BTreeMap<String, Money>,
    pub source: &'static str,
    pub ignored_fields: Vec<&'static str>,
}

/// `POST /api/budget/monthly`. 1 query.
pub async fn monthly(db: &Db, ctx: &Ctx, input: &MonthlyInput) -> Result<Monthly> {
    let (year, month) = ctx.month(input.year, input.month)?;
    let (first, last) = month_range(year, month)?;
    let cells = super::views::plan_cells(db, ctx.user.id, first, last).await?;
    let mut categories: BTreeMap<String, Money> = BTreeMap::new();
    let mut spent_by: BTreeMap<String, Money> = BTreeMap::new();
    let (mut budget, mut saved, mut spent) = (0_i64, 0_i64, 0_i64);
    for c in &cells {
        if c.is_goal() {
            saved += c.planned;
            continue;
        }
        budget += c.planned;
        spent += c.spent;
        let e = categories
            .entry(c.category.clone())
            .or_insert(Money::from_cents(0));
        *e = Money::from_cents(e.cents() + c.planned);
        let s = spent_by
            .entry(c.category.clone())
            .or_insert(Money::from_cents(0));
        *s = Money::from_cents(s.cents() + c.spent);
    }
    let income = ctx.monthly_income();
    Ok(Monthly {
        year,
        month,
        total_income: Money::from_cents(income),
        total_budget: Money::from_cents(budget),
        allocated: Money::from_cents(budget),
        saved: Money::from_cents(saved),
        spent: Money::from_cents(spent),
        remaining: Money::from_cents(budget - spent),
        unallocated: Money::from_cents(income - budget - saved),
        categories,
        spent_by_category: spent_by,
        source: "plan",
        ignored_fields: if input.user_answers.as_ref().is_some_and(|v| !v.is_null()) {
            vec!["user_answers"]
        } else {
            Vec::new()
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recommendations_split_the_income_by_the_tier_and_keep_the_rest_as_savings() {
        let r = recommendations(&IncomeInput {
            monthly_income: Some(Money::from_cents(600_000)),
        })
        .unwrap();
        let sum: i64 = r.allocations.values().map(|m| m.cents()).sum();
        assert_eq!(sum, 600_000);
        assert_eq!(r.tier, "middle");
        assert!(r.allocations["savings"].cents() > 0);
        assert!(
            recommendations(&IncomeInput {
                monthly_income: None
            })
            .is_err()
        );
    }
}
