//! Income-relative thresholds (`POST /api/financial/dynamic-thresholds`) and housing ratios
//! (`POST /api/financial/housing-affordability`), docs/installments.md §9–10. The tier is the
//! budget engine's (BUDGET.md §2: annual income = monthly × 12) and the category weights are
//! its tier table (`src/budget/tiers.toml`), so the app's thresholds agree with the plan.

use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::budget::allocation::tier_for;
use crate::error::{Code, Error, Result};
use crate::fixed::Fixed;
use crate::input::Checker;
use crate::installments::context::Context;
use crate::money::{Money, RoundedMoney};

/// The threshold types the app asks for (`ThresholdType`).
pub const TYPES: [&str; 6] = [
    "budget_allocation",
    "spending_pattern",
    "health_scoring",
    "savings_target",
    "goal_constraint",
    "behavioral_trigger",
];

/// The tiers in order (the names of `tiers.toml`).
const TIERS: [&str; 5] = ["low", "lower_middle", "middle", "upper_middle", "high"];
/// Recommended housing share per tier (basis points of income).
pub const HOUSING_BP: [i64; 5] = [3_500, 3_200, 3_000, 2_800, 2_500];
/// Target savings rate per tier (basis points of income).
pub const SAVINGS_BP: [i64; 5] = [500, 800, 1_200, 1_500, 2_000];
/// Share of spending in one category above which spending counts as concentrated.
pub const CONCENTRATION_BP: [i64; 5] = [6_000, 5_500, 5_000, 4_500, 4_000];

/// `user_context` as the app sends it (`UserContext.toJson`).
#[derive(Clone, Debug, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserContextInput {
    pub monthly_income: Option<RoundedMoney>,
    pub age: Option<i64>,
    pub region: Option<String>,
    pub family_size: Option<i64>,
    /// A fraction (0.35) or a percent (35), read to two decimals.
    pub debt_to_income_ratio: Option<RoundedMoney>,
    pub months_of_data: Option<i64>,
    pub current_savings_rate: Option<RoundedMoney>,
    pub housing_status: Option<String>,
    pub life_stage: Option<String>,
}

/// Body of `POST /api/financial/dynamic-thresholds`.
#[derive(Clone, Debug, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ThresholdsInput {
    /// budget_allocation, spending_pattern, health_scoring, savings_target, goal_constraint,
    /// behavioral_trigger.
    pub threshold_type: Option<String>,
    /// `{monthly_income, age, region, family_size, debt_to_income_ratio, months_of_data,
    /// current_savings_rate, housing_status, life_stage}`; the income falls back to the caller's.
    pub user_context: Option<UserContextInput>,
}

/// Body of `POST /api/financial/housing-affordability`.
#[derive(Clone, Debug, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HousingInput {
    pub user_context: Option<UserContextInput>,
}

/// A checked context.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserContext {
    /// Monthly income in cents (> 0).
    pub income: i64,
    pub tier: usize,
    pub age: i64,
    pub family_size: i64,
    /// Debt payments ÷ income, basis points.
    pub dti_bp: i64,
}

/// A fraction (≤ 1) or a percent (> 1) read to two decimals, as basis points (0 – 10,000).
fn ratio_bp(c: &mut Checker, m: RoundedMoney, field: &str) -> Option<i64> {
    let cents = m.0.cents();
    let bp = if cents <= 100 { cents * 100 } else { cents };
    if !(0..=10_000).contains(&bp) {
        c.fail(
            field,
            "range",
            "must be a fraction (0–1) or a percent (0–100)",
            Code::Validation2003,
        );
        return None;
    }
    Some(bp)
}

impl UserContextInput {
    /// Checks the context; the income falls back to the caller's own (onboarding, profile).
    pub fn check(&self, known: &Context) -> Result<UserContext> {
        let mut c = Checker::new();
        let sent = self.monthly_income.and_then(|m| {
            c.amount(
                m.0,
                "body.user_context.monthly_income",
                0,
                crate::installments::MAX_TOTAL_CENTS,
            )
        });
        let age = self
            .age
            .map_or(Some(35), |a| c.count(a, "body.user_context.age", 0, 120));
        let family = self.family_size.map_or(Some(1), |f| {
            c.count(f, "body.user_context.family_size", 1, 20)
        });
        let dti = self.debt_to_income_ratio.map_or(Some(0), |m| {
            ratio_bp(&mut c, m, "body.user_context.debt_to_income_ratio")
        });
        if let Some(m) = self.current_savings_rate {
            ratio_bp(&mut c, m, "body.user_context.current_savings_rate");
        }
        let income = known.income(sent).map(|(i, _)| i);
        if income.is_none() && c.errors.is_empty() {
            c.fail(
                "body.user_context.monthly_income",
                "missing",
                "no income is known: send monthly_income above 0 or complete onboarding",
                Code::Validation2006,
            );
        }
        match (income, age, family, dti) {
            (Some(income), Some(age), Some(family_size), Some(dti_bp)) => c.finish(UserContext {
                income,
                tier: tier_index(income),
                age,
                family_size,
                dti_bp,
            }),
            _ => c
                .finish(())
                .and_then(|_| Err(Error::Internal("unchecked user context".into()))),
        }
    }
}

/// The tier of a monthly income (0 = low … 4 = high).
pub fn tier_index(monthly_cents: i64) -> usize {
    tier_for(monthly_cents.saturating_mul(12))
        .and_then(|t| TIERS.iter().position(|n| *n == t.name))
        .unwrap_or(0)
}

/// `income × bp ÷ 10,000`, rounded half up to the cent.
fn share(income: i64, bp: i64) -> i64 {
    (income * bp + 5_000) / 10_000
}

fn fraction(bp: i64) -> Value {
    json!(Fixed::new(bp, 4))
}

fn money(cents: i64) -> Value {
    json!(Money::from_cents(cents))
}

/// The target savings rate (bp): the tier's, × ¾ above 20 % debt-to-income, × ½ above 36 %.
pub fn savings_target_bp(u: &UserContext) -> i64 {
    let base = SAVINGS_BP[u.tier.min(4)];
    match u.dti_bp {
        d if d > 3_600 => base / 2,
        d if d > 2_000 => base * 3 / 4,
        _ => base,
    }
}

/// The answer of one threshold type (a bare map the app reads by key).
pub fn thresholds(kind: &str, u: &UserContext) -> Result<Map<String, Value>> {
    let tier = tier_for(u.income.saturating_mul(12));
    let savings = savings_target_bp(u);
    let mut map = match kind {
        "budget_allocation" => {
            let w = |f: fn(&crate::budget::allocation::Tier) -> i64| fraction(tier.map_or(0, f));
            json!({
                "housing": fraction(HOUSING_BP[u.tier]),
                "food": w(|t| t.food),
                "transport": w(|t| t.transportation),
                "transportation": w(|t| t.transportation),
                "entertainment": w(|t| t.entertainment),
                "shopping": w(|t| t.shopping),
                "healthcare": w(|t| t.healthcare),
                "travel": w(|t| t.travel),
                "other": w(|t| t.other),
                "savings": fraction(savings),
            })
        }
        "spending_pattern" => json!({
            "small_purchase_threshold": money(share(u.income, 50).clamp(500, 10_000)),
            "medium_purchase_threshold": money(share(u.income, 200)),
            "large_purchase_threshold": money(share(u.income, 1_000)),
            "category_concentration_threshold": fraction(CONCENTRATION_BP[u.tier]),
            "monthly_variance_threshold": fraction(3_000),
            "impulse_buying_threshold": fraction(6_000),
        }),
        "health_scoring" => json!({
            "grade_boundaries": {"excellent": 80, "good": 65, "fair": 50, "poor": 0},
            "component_expectations": {
                "budget_adherence": fraction(3_500),
                "savings_rate": fraction(3_000),
                "spending_stability": fraction(2_000),
                "unusual_spending": fraction(1_500),
            },
            "full_savings_rate": fraction(crate::insights::rules::health::FULL_SAVINGS_BP),
        }),
        "savings_target" => json!({
            "target_savings_rate": fraction(savings),
            "minimum_savings_rate": fraction((savings / 2).max(200)),
            "stretch_savings_rate": fraction((savings * 3 / 2).min(5_000)),
            "emergency_fund_months": (3 + (u.family_size - 1)).min(6),
            "monthly_savings_target": money(share(u.income, savings)),
        }),
        "goal_constraint" => {
            let most = share(u.income, savings);
            json!({
                "maximum_goal_timeline_years": match u.age { a if a < 30 => 7, a if a < 50 => 5, _ => 3 },
                "minimum_monthly_contribution": money((most + 5) / 10),
                "maximum_monthly_contribution": money(most),
            })
        }
        "behavioral_trigger" => json!({
            "total_budget_variance_threshold": fraction(10_500),
            "weekend_overspending_multiplier": fraction(13_000),
            "discretionary_overspending_multiplier": fraction(11_500),
            "essentials_overspending_multiplier": fraction(12_500),
            "impulse_purchase_threshold": money(share(u.income, 200)),
        }),
        _ => {
            return Err(Error::invalid(
                Code::Validation2001,
                "body.threshold_type",
                "enum",
                format!("must be one of {}", TYPES.join(", ")),
            ));
        }
    };
    let Some(obj) = map.as_object_mut() else {
        return Err(Error::Internal("thresholds are an object".into()));
    };
    obj.insert("threshold_type".into(), json!(kind));
    obj.insert("income_tier".into(), json!(TIERS[u.tier.min(4)]));
    obj.insert("monthly_income".into(), money(u.income));
    Ok(std::mem::take(obj))
}

/// Housing ratios of the context, next to the caller's current housing (the plan's rent and
/// mortgage) when onboarded.
pub fn housing(u: &UserContext, known: &Context) -> Map<String, Value> {
    let recommended = HOUSING_BP[u.tier.min(4)];
    let maximum = (recommended * 125 / 100).min(5_000);
    let comfortable = recommended * 85 / 100;
    let current = known.plan.as_ref().map(|p| {
        [
            crate::budget::PlanCategory::Rent,
            crate::budget::PlanCategory::Mortgage,
        ]
        .iter()
        .filter_map(|c| p.allocations.get(c))
        .map(|m| m.cents())
        .sum::<i64>()
    });
    let mut out = Map::new();
    out.insert("recommended_housing_ratio".into(), fraction(recommended));
    out.insert("maximum_housing_ratio".into(), fraction(maximum));
    out.insert("comfortable_housing_ratio".into(), fraction(comfortable));
    out.insert("regional_adjustment_factor".into(), fraction(10_000));
    out.insert("income_tier".into(), json!(TIERS[u.tier.min(4)]));
    out.insert("monthly_income".into(), money(u.income));
    out.insert(
        "recommended_monthly_housing".into(),
        money(share(u.income, recommended)),
    );
    out.insert(
        "maximum_monthly_housing".into(),
        money(share(u.income, maximum)),
    );
    out.insert(
        "comfortable_monthly_housing".into(),
        money(share(u.income, comfortable)),
    );
    out.insert(
        "current_monthly_housing".into(),
        current.map_or(Value::Null, money),
    );
    out.insert(
        "current_housing_ratio".into(),
        current.map_or(Value::Null, |c| json!(Fixed::ratio(c, u.income, 4))),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(income: i64) -> UserContext {
        UserContext {
            income,
            tier: tier_index(income),
            age: 35,
            family_size: 1,
            dti_bp: 0,
        }
    }

    #[test]
    fn tiers_follow_the_budget_engine() {
        assert_eq!(tier_index(300_000), 0, "36,000 a year is still low");
        assert_eq!(tier_index(300_001), 1);
        assert_eq!(tier_index(600_000), 2, "the worked case is middle");
        assert_eq!(tier_index(2_000_000), 4);
    }

    #[test]
    fn allocations_are_the_tier_weights_as_fractions() {
        let m = thresholds("budget_allocation", &ctx(600_000)).unwrap();
        assert_eq!(m["food"].to_string(), "0.1200");
        assert_eq!(m["transport"].to_string(), "0.1500");
        assert_eq!(m["housing"].to_string(), "0.3000");
        assert_eq!(m["savings"].to_string(), "0.1200");
        assert_eq!(m["income_tier"], "middle");
    }

    #[test]
    fn amounts_scale_with_income_and_savings_shrink_with_debt() {
        let m = thresholds("spending_pattern", &ctx(600_000)).unwrap();
        assert_eq!(m["small_purchase_threshold"].to_string(), "30.00");
        assert_eq!(m["large_purchase_threshold"].to_string(), "600.00");
        let small = thresholds("spending_pattern", &ctx(50_000)).unwrap();
        assert_eq!(
            small["small_purchase_threshold"].to_string(),
            "5.00",
            "at least 5.00"
        );
        let mut indebted = ctx(600_000);
        indebted.dti_bp = 4_000;
        assert_eq!(savings_target_bp(&indebted), 600);
        let g = thresholds("goal_constraint", &ctx(600_000)).unwrap();
        assert_eq!(g["maximum_monthly_contribution"].to_string(), "720.00");
        assert_eq!(g["minimum_monthly_contribution"].to_string(), "72.00");
        assert!(thresholds("time_bias", &ctx(600_000)).is_err());
    }
}
